"""Who may open a console page, and the console's words for the services' refusals."""

from __future__ import annotations

from functools import wraps

from babel import Locale
from flask import g, redirect, render_template, request
from flask_babel import get_locale

from services.portal import signed_in
from services.portal.service_api import ApiProblem
from services.portal.views.common import credential

OPERATOR, EXPORT_REVIEWER = "operator", "export_reviewer"


def platform_roles() -> set[str]:
    return set((signed_in.person() or {}).get("platform_roles") or ())


def console_page(*roles: str):
    """A page for people with one of the platform `roles`: others signed in are told it is not
    for them (403), visitors are sent to sign in first. `g.token` is the person's credential."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            token = credential()
            if token is None:
                return redirect(f"/sign-in?next={request.path}", 303)
            if not platform_roles() & set(roles):
                return render_template("console/forbidden.html"), 403
            g.token = token
            return view(*args, **kwargs)

        return wrapper

    return decorate


def country_name(code: str | None) -> str:
    """A country code as the page's language names it (CLDR), else the code."""
    if not code:
        return ""
    return Locale.parse(str(get_locale())).territories.get(code.upper(), code)


def service_refused(refused: ApiProblem):
    """A service's refusal that no form field is about: not the person's to see (403) or
    not there (404); anything else is the page's failure."""
    if refused.status in (401, 403):
        return render_template("console/forbidden.html", by_service=True), 403
    if refused.status == 404:
        return render_template("error.html", reason="not_found"), 404
    raise refused
