"""The vendor's request inbox: the license requests for its cores, by state, and the approver's
decision on each one awaiting it (approve, with an optional comment; reject, with the reason the
licensee reads)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _

from services.portal.service_api import ApiProblem
from services.portal.vendor_forms import ApproveForm, RejectForm
from services.portal.views.common import licensing
from services.portal.views.vendor import workspace
from shared.events.licensing import REQUEST_STATES

bp = Blueprint("vendor_requests", __name__, url_prefix="/vendor")
DECISIONS = {"approve": ApproveForm, "reject": RejectForm}
DEFAULT_STATE = "pending_approval"


bp.register_error_handler(workspace.NotAVendor, workspace.not_a_vendor)
bp.register_error_handler(ApiProblem, workspace.refused)


@bp.get("/")
def home():
    place = workspace.current()
    if place is None:
        return workspace.to_sign_in()
    return redirect(f"/vendor/requests{place.query}", 303)


@bp.get("/requests")
def inbox():
    place = workspace.current()
    if place is None:
        return workspace.to_sign_in()
    return _inbox(place, {})


@bp.post("/requests/<request_id>/<decision>")
def decide(request_id: str, decision: str):
    place = workspace.current()
    if place is None:
        return workspace.to_sign_in()
    if decision not in DECISIONS or not place.may("license_requests.decide"):
        abort(404)
    form = DECISIONS[decision](prefix=f"{decision}-{request_id}")
    if form.validate_on_submit():
        try:
            licensing().decide_request(
                place.token, place.organisation_id, request_id, decision, form.comment.data or ""
            )
        except ApiProblem as refused:
            _place(refused, form)
        else:
            flash(_("Approved.") if decision == "approve" else _("Rejected."))
            return redirect(f"/vendor/requests{place.query}", 303)
    return _inbox(place, {(request_id, decision): form}, DEFAULT_STATE), 422


def _place(refused: ApiProblem, form) -> None:
    """The service's refusal beside the comment it names, else above the form."""
    if "comment" in refused.errors:
        form.comment.errors = [_("This value is not accepted.")]
    else:
        form.form_errors.append(workspace.refusal(refused))


def _inbox(place: workspace.Workspace, submitted: dict, state: str | None = None):
    state = state or request.args.get("state", DEFAULT_STATE)
    if state not in REQUEST_STATES and state != "all":
        state = DEFAULT_STATE
    answer = licensing().license_requests(
        place.token, place.organisation_id, None if state == "all" else state
    )
    items = answer["items"]  # its cores' only (vendor_id), not those it made as a licensee
    forms = {}
    if place.may("license_requests.decide"):
        for item in items:
            if item["state"] != "pending_approval":
                continue
            for decision, form_class in DECISIONS.items():
                forms[(item["id"], decision)] = submitted.get((item["id"], decision)) or (
                    form_class(formdata=None, prefix=f"{decision}-{item['id']}")
                )
    shown = {key for key in forms}
    return render_template(
        "vendor/requests.html",
        orphans=[form for key, form in submitted.items() if key not in shown],
        place=place,
        state=state,
        states=("pending_approval", "approved", "rejected", "issued", "all"),
        items=items,
        forms=forms,
    )
