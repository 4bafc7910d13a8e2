"""Compare up to four cores side by side, without JavaScript: a search result or a core's page
adds one to the comparison kept in the session (POST, CSRF); /compare shows them in columns.
A link with the cores in its query (/compare?core=…&core=…) shows those instead, to share."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session
from flask_babel import gettext as _

from services.portal.catalog_api import ApiProblem
from services.portal.forms import SignOutForm
from services.portal.views.common import catalog, credential, local_target

bp = Blueprint("compare", __name__)
MOST = 4
KEY = "compare"


def compared() -> list[str]:
    return list(session.get(KEY, []))


@bp.get("/compare")
def page():
    shared = request.args.getlist("core")[:MOST]
    ids = shared or compared()
    token, cores = credential(), []
    for core_id in ids:
        try:
            cores.append(catalog().core(core_id, token))
        except ApiProblem as refused:
            if refused.status not in (404, 422):
                raise
            # withdrawn or never there: left out of the comparison
    if shared and not cores:
        abort(404)
    return render_template(
        "compare.html", cores=cores, shared=bool(shared), form=SignOutForm(), most=MOST
    )


@bp.post("/compare")
def add():
    back = local_target(request.form.get("next") or _referring_page(), "/compare")
    core_id = (request.form.get("core") or "")[:64]
    if not SignOutForm().validate_on_submit() or not core_id:
        return redirect(back, 303)
    ids = compared()
    if core_id not in ids:
        if len(ids) >= MOST:
            flash(_("You can compare up to %(most)d cores: remove one first.", most=MOST))
            return redirect("/compare", 303)
        session[KEY] = ids + [core_id]
    return redirect(back, 303)


def _referring_page() -> str | None:
    """Back where the button was (the search's address changes as htmx updates it in place);
    only a page of this site (Referrer-Policy: same-origin sends no other)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


@bp.post("/compare/remove")
def remove():
    if SignOutForm().validate_on_submit():
        session[KEY] = [c for c in compared() if c != request.form.get("core")]
    return redirect("/compare", 303)
