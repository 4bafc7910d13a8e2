"""An organisation's team: its members and their roles, invitations still open, and what its
owners do: invite by e-mail with roles, change a member's roles, remove a member, require a
second factor of everyone. For a vendor in its workspace (/vendor/team), for any organisation
of the person at /team. Every member reads; owners act (shared/roles.py); the catalog decides
again and its refusal is shown."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _

from services.portal import signed_in
from services.portal.i18n import is_chinese
from services.portal.labels import label
from services.portal.service_api import ApiProblem
from services.portal.vendor_core_forms import (
    ROLE_CHOICES,
    ActionOnlyForm,
    InviteForm,
    RolesForm,
    SecondFactorRequirementForm,
)
from services.portal.views.common import catalog, credential
from services.portal.views.vendor import workspace

bp = Blueprint("team", __name__)
bp.register_error_handler(workspace.NotAVendor, workspace.not_a_vendor)
bp.register_error_handler(ApiProblem, workspace.refused)
BASES = ("/vendor/team", "/team")


def _place(base: str, action: str = "members.read") -> workspace.Workspace | None:
    place = workspace.current() if base == "/vendor/team" else _any_organisation()
    if place is not None and not place.may(action):
        abort(404)
    return place


def _any_organisation() -> workspace.Workspace | None:
    """Like the vendor workspace's, among all the person's organisations."""
    token = credential()
    if token is None:
        return None
    person = signed_in.person()
    memberships = person.get("memberships", {})
    if not memberships:
        abort(404)
    chosen = request.args.get("organisation")
    organisation_id = chosen if chosen in memberships else next(iter(memberships))

    def name(org_id: str) -> str:
        known = person.get("organisations", {}).get(org_id) or {}
        return (is_chinese() and known.get("name_zh")) or known.get("name_en") or org_id[:8]

    return workspace.Workspace(
        organisation_id,
        name(organisation_id),
        tuple(memberships[organisation_id]),
        token,
        tuple((o, name(o)) for o in memberships if o != organisation_id),
    )


def _base() -> str:
    return "/vendor/team" if request.path.startswith("/vendor/") else "/team"


@bp.get("/vendor/team")
@bp.get("/team")
def team():
    place = _place(_base())
    if place is None:
        return workspace.to_sign_in()
    return _page(place, {})


@bp.post("/vendor/team/invitations")
@bp.post("/team/invitations")
def invite():
    place = _place(_base(), "members.invite")
    if place is None:
        return workspace.to_sign_in()
    form = _roles(InviteForm(prefix="invite"))
    return _submitted(
        place,
        "invite",
        form,
        lambda: catalog().invite(
            place.token, place.organisation_id, form.email.data.strip(), form.roles.data
        ),
        lambda: _("The invitation is sent to %(email)s.", email=form.email.data.strip()),
    )


@bp.post("/vendor/team/invitations/<invitation_id>/withdraw")
@bp.post("/team/invitations/<invitation_id>/withdraw")
def withdraw_invitation(invitation_id: str):
    place = _place(_base(), "members.invite")
    if place is None:
        return workspace.to_sign_in()
    return _submitted(
        place,
        ("withdraw", invitation_id),
        ActionOnlyForm(prefix=f"withdraw-{invitation_id}"),
        lambda: catalog().withdraw_invitation(place.token, place.organisation_id, invitation_id),
        lambda: _("The invitation is withdrawn: its link no longer works."),
    )


@bp.post("/vendor/team/members/<person_id>/roles")
@bp.post("/team/members/<person_id>/roles")
def change_roles(person_id: str):
    place = _place(_base(), "members.change_roles")
    if place is None:
        return workspace.to_sign_in()
    form = _roles(RolesForm(prefix=f"roles-{person_id}"))
    return _submitted(
        place,
        ("roles", person_id),
        form,
        lambda: catalog().change_roles(
            place.token, place.organisation_id, person_id, form.roles.data
        ),
        lambda: _("The roles are changed."),
    )


@bp.post("/vendor/team/members/<person_id>/remove")
@bp.post("/team/members/<person_id>/remove")
def remove(person_id: str):
    place = _place(_base(), "members.remove")
    if place is None:
        return workspace.to_sign_in()
    return _submitted(
        place,
        ("remove", person_id),
        ActionOnlyForm(prefix=f"remove-{person_id}"),
        lambda: catalog().remove_member(place.token, place.organisation_id, person_id),
        lambda: _("The member is removed."),
    )


@bp.post("/vendor/team/second-factor")
@bp.post("/team/second-factor")
def second_factor():
    place = _place(_base(), "organisation.change")
    if place is None:
        return workspace.to_sign_in()
    form = SecondFactorRequirementForm(prefix="second-factor")
    return _submitted(
        place,
        "second_factor",
        form,
        lambda: catalog().require_second_factor(
            place.token, place.organisation_id, form.required.data
        ),
        lambda: (
            _("Every member now signs in with a second factor.")
            if form.required.data
            else _("A second factor is now each member's choice.")
        ),
    )


def _submitted(place: workspace.Workspace, key, form, act, done):
    """An owner's form: when valid, `act()` asks the catalog, then the team page again with
    `done()` flashed; else (or refused) the page with the error beside the form, 422."""
    if form.validate_on_submit():
        try:
            act()
        except ApiProblem as refused:
            _beside(refused, form)
        else:
            flash(done())
            return redirect(f"{_base()}{place.query}", 303)
    return _page(place, {key: form}), 422


def _page(place: workspace.Workspace, submitted: dict):
    cursor = request.args.get("cursor")
    members = catalog().members(place.token, place.organisation_id, cursor)
    organisation = catalog().organisation(place.organisation_id, place.token)
    owner = place.may("members.change_roles")
    invitations = catalog().open_invitations(place.token, place.organisation_id) if owner else []
    forms = {}
    if owner:
        for m in members["items"]:
            pid = m["person_id"]
            forms[("roles", pid)] = submitted.get(("roles", pid)) or _roles(
                RolesForm(formdata=None, prefix=f"roles-{pid}", data={"roles": m["roles"]})
            )
            forms[("remove", pid)] = submitted.get(("remove", pid)) or ActionOnlyForm(
                formdata=None, prefix=f"remove-{pid}"
            )
        for i in invitations:
            forms[("withdraw", i["id"])] = submitted.get(("withdraw", i["id"])) or ActionOnlyForm(
                formdata=None, prefix=f"withdraw-{i['id']}"
            )
    required = bool(organisation.get("requires_second_factor"))
    return render_template(
        "team.html",
        place=place,
        base=_base(),
        vendor=_base() == "/vendor/team",
        members=members["items"],
        next_cursor=members.get("next"),
        invitations=invitations,
        forms=forms,
        invite_form=submitted.get("invite")
        or (_roles(InviteForm(formdata=None, prefix="invite")) if owner else None),
        second_factor_form=submitted.get("second_factor")
        or (
            SecondFactorRequirementForm(
                formdata=None, prefix="second-factor", data={"required": required}
            )
            if owner
            else None
        ),
        requires_second_factor=required,
        me=(signed_in.person() or {}).get("id"),
    )


def _roles(form):
    form.roles.choices = [(role, label("role", role)) for role in ROLE_CHOICES]
    return form


def _beside(refused: ApiProblem, form) -> None:
    """The catalog's refusal beside the field it names, else above the form."""
    for name, messages in refused.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors") and name != "csrf_token":
            field.errors = [_("The catalog refused this: %(why)s", why=" ".join(messages))]
            return
    if refused.status == 409 and refused.detail:  # the last owner stays
        form.form_errors.append(_("The catalog refused this: %(why)s", why=refused.detail))
        return
    form.form_errors.append(workspace.refusal(refused))
