"""The orders placed with the vendor, by state, and an order's page: its price, what is paid
and outstanding, its payments and invoice. Finance (and owners) may refund a fulfilled order,
which revokes its license (licensing's POST /v1/orders/<id>/refund)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _

from services.portal.service_api import ApiProblem
from services.portal.vendor_forms import RefundForm
from services.portal.views.common import licensing
from services.portal.views.vendor import workspace

bp = Blueprint("vendor_orders", __name__, url_prefix="/vendor/orders")
bp.register_error_handler(workspace.NotAVendor, workspace.not_a_vendor)
bp.register_error_handler(ApiProblem, workspace.refused)
ORDER_STATES = ("pending_payment", "paid", "fulfilled", "cancelled", "refunded")
REFUNDABLE = ("fulfilled",)


@bp.get("")
def orders():
    place = workspace.current()
    if place is None:
        return workspace.to_sign_in()
    state = request.args.get("state", "all")
    if state not in ORDER_STATES:
        state = "all"
    answer = licensing().orders_received(
        place.token, place.organisation_id, None if state == "all" else state
    )
    return render_template(
        "vendor/orders.html",
        place=place,
        state=state,
        states=("all", *ORDER_STATES),
        items=answer["items"],
    )


@bp.get("/<order_id>")
def order(order_id: str):
    place = workspace.current()
    if place is None:
        return workspace.to_sign_in()
    return _page(place, order_id, RefundForm(formdata=None))


@bp.post("/<order_id>/refund")
def refund(order_id: str):
    place = workspace.current()
    if place is None:
        return workspace.to_sign_in()
    if not place.may("refunds.issue"):
        abort(404)
    form = RefundForm()
    if form.validate_on_submit():
        try:
            licensing().refund_order(place.token, place.organisation_id, order_id, form.reason.data)
        except ApiProblem as refused:
            if "reason" in refused.errors:
                form.reason.errors = [_("This value is not accepted.")]
            else:
                form.form_errors.append(workspace.refusal(refused))
        else:
            flash(_("Refunded: its license is revoked."))
            return redirect(f"/vendor/orders/{order_id}{place.query}", 303)
    return _page(place, order_id, form), 422


def _page(place: workspace.Workspace, order_id: str, form: RefundForm):
    found = licensing().order_received(place.token, place.organisation_id, order_id)
    offered = place.may("refunds.issue") and found["state"] in REFUNDABLE
    return render_template(
        "vendor/order.html", place=place, order=found, form=form if offered else None
    )
