"""The licenses a vendor has issued, by state, and what its approvers may do to each: suspend
and reinstate, revoke (final), renew (active or expired, not perpetual). The actions offered
follow the license's lifecycle (services/licensing/domain/licenses.py); the service decides."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.portal.service_api import ApiProblem
from services.portal.vendor_forms import ReinstateForm, RenewForm, RevokeForm, SuspendForm
from services.portal.views.common import licensing
from services.portal.views.vendor import workspace
from shared.events.licensing import LICENSE_STATES

bp = Blueprint("vendor_licenses", __name__, url_prefix="/vendor")
bp.register_error_handler(workspace.NotAVendor, workspace.not_a_vendor)
bp.register_error_handler(ApiProblem, workspace.refused)
# action → (its form, the role's action in shared/roles.py, the states it may be taken from)
ACTIONS = {
    "suspend": (SuspendForm, "licenses.suspend", ("active",)),
    "reinstate": (ReinstateForm, "licenses.suspend", ("suspended",)),
    "revoke": (RevokeForm, "licenses.revoke", ("active", "suspended")),
    "renew": (RenewForm, "licenses.renew", ("active", "expired")),
}
DONE = {
    "suspend": _l("Suspended."),
    "reinstate": _l("Reinstated."),
    "revoke": _l("Revoked."),
    "renew": _l("Renewed."),
}
DEFAULT_STATE = "active"


@bp.get("/licenses")
def issued():
    place = workspace.current()
    if place is None:
        return workspace.to_sign_in()
    return _page(place, {})


@bp.post("/licenses/<license_id>/<action>")
def change(license_id: str, action: str):
    place = workspace.current()
    if place is None:
        return workspace.to_sign_in()
    if action not in ACTIONS or not place.may(ACTIONS[action][1]):
        abort(404)
    form = ACTIONS[action][0](prefix=f"{action}-{license_id}")
    if form.validate_on_submit():
        body = (
            {"months": int(form.months.data)}
            if action == "renew"
            else ({"reason": form.reason.data} if form.reason.data else {})
        )
        try:
            licensing().change_license(place.token, place.organisation_id, license_id, action, body)
        except ApiProblem as refused:
            _place(refused, form)
        else:
            flash(str(DONE[action]))
            return redirect(f"/vendor/licenses{place.query}", 303)
    return _page(place, {(license_id, action): form}), 422


def _place(refused: ApiProblem, form) -> None:
    """The service's refusal beside the field it names, else above the form."""
    for name in refused.errors:
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors") and name != "csrf_token":
            field.errors = [_("This value is not accepted.")]
            return
    form.form_errors.append(workspace.refusal(refused))


def _page(place: workspace.Workspace, submitted: dict):
    state = request.args.get("state", DEFAULT_STATE)
    if state not in LICENSE_STATES and state != "all":
        state = DEFAULT_STATE
    answer = licensing().licenses(
        place.token, place.organisation_id, None if state == "all" else state
    )
    items = answer["items"]  # those it issued (vendor_id), not those it holds
    forms = {}
    for item in items:
        for action, (form_class, role_action, states) in ACTIONS.items():
            if item["state"] not in states or not place.may(role_action):
                continue
            if action == "renew" and item.get("expires_at") is None:
                continue  # perpetual: nothing to renew
            key = (item["id"], action)
            forms[key] = submitted.get(key) or form_class(
                formdata=None, prefix=f"{action}-{item['id']}"
            )
    return render_template(
        "vendor/licenses.html",
        place=place,
        state=state,
        states=(*LICENSE_STATES, "all"),
        items=items,
        forms=forms,
        actions=ACTIONS,
        orphans=[form for key, form in submitted.items() if key not in forms],
    )
