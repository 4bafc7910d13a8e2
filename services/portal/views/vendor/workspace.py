"""Which vendor organisation a workspace page is about, and what the person may do there.

A person may belong to several organisations: the page is about the one its `organisation`
query parameter names among theirs, else their first vendor. The roles are those of the access
token the catalog issued; the services check them again on every call."""

from __future__ import annotations

from dataclasses import dataclass

from flask import redirect, render_template, request
from flask_babel import gettext as _

from services.portal import signed_in
from services.portal.i18n import is_chinese
from services.portal.service_api import ApiProblem
from services.portal.views.common import credential
from shared import roles


@dataclass(frozen=True)
class Workspace:
    organisation_id: str
    name: str
    roles: tuple[str, ...]
    token: str
    others: tuple[tuple[str, str], ...]  # the person's other vendor organisations: (id, name)

    def may(self, action: str) -> bool:
        return roles.may(self.roles, action)

    @property
    def query(self) -> str:
        """What a link or form of the page adds so that it stays with this organisation."""
        return f"?organisation={self.organisation_id}" if self.others else ""


class NotAVendor(Exception):
    """The person belongs to no vendor organisation."""


def _name(person: dict, organisation_id: str) -> str:
    known = person.get("organisations", {}).get(organisation_id) or {}
    return (
        (is_chinese() and known.get("name_zh"))
        or known.get("name_en")
        or _("Organisation %(id)s", id=organisation_id[:8])
    )


def vendor_organisations(person: dict) -> list[str]:
    """The person's vendor organisations (all theirs when the catalog did not say which sell)."""
    return organisations_of_kind(person, "vendor")


def organisations_of_kind(person: dict, kind: str) -> list[str]:
    """The person's organisations that are a `kind` (vendor, licensee); all theirs when the
    catalog did not say which kinds they are."""
    memberships = person.get("memberships", {})
    kinds = {
        org_id: known.get("kinds")
        for org_id, known in person.get("organisations", {}).items()
        if known.get("kinds") is not None
    }
    return [org_id for org_id in memberships if kind in kinds.get(org_id, (kind,))]


def current() -> Workspace | None:
    """The page's workspace; None for a visitor (who is sent to sign in). Raises NotAVendor."""
    token = credential()
    if token is None:
        return None
    person = signed_in.person()
    vendors = vendor_organisations(person)
    if not vendors:
        raise NotAVendor
    chosen = request.args.get("organisation")
    organisation_id = chosen if chosen in vendors else vendors[0]
    return Workspace(
        organisation_id,
        _name(person, organisation_id),
        tuple(person["memberships"][organisation_id]),
        token,
        tuple((o, _name(person, o)) for o in vendors if o != organisation_id),
    )


def to_sign_in():
    return redirect(f"/sign-in?next={request.full_path.rstrip('?')}", 303)


def refusal(problem: ApiProblem) -> str:
    """A refusal of the service that names no field of the form, in the page's language."""
    if problem.status == 403:
        return _("Your roles in this organisation do not allow this.")
    if problem.status == 404:
        return _("It no longer exists, or it is not yours to see.")
    if problem.status == 409:
        return _("It has changed since this page was shown: %(detail)s", detail=problem.detail)
    return _("This value is not accepted.")


def not_a_vendor(error):
    return render_template("error.html", reason="not_a_vendor"), 403


def refused(problem: ApiProblem):
    """A read the service refused (the roles say no, or it does not know the person yet)."""
    return render_template("error.html", reason="refused", detail=refusal(problem)), 403
