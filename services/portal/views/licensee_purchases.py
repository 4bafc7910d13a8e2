"""The licensee's workspace, part two: orders with their invoices and payment, and licenses
with their state, the signed license file and how to verify it offline. Paying hands the order
to the payment provider (payment_api.py); the order is paid when the licensing service says so,
after the provider's callback, and the page shows it as the service answers."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
)

from services.portal import i18n
from services.portal.licensee_forms import ActionForm
from services.portal.licensee_problems import page_message
from services.portal.service_api import ApiProblem
from services.portal.views.common import licensing
from services.portal.views.licensee import BUYS, PAYS, found, roles, signed_in_only
from shared import config

bp = Blueprint("licensee_purchases", __name__, url_prefix="/licensee")


@bp.post("/requests/<request_id>/order")
@signed_in_only
def place_order(request_id: str):
    form = ActionForm()
    if not form.validate_on_submit() or not form.idempotency_key.data:
        abort(400)
    try:
        order = licensing().place_order(request_id, form.idempotency_key.data, g.token)
    except ApiProblem as refused:
        found(licensing().request_made, request_id)  # 404 when not there
        return redirect(f"/licensee/requests/{request_id}?problem={refused.status}", 303)
    return redirect(f"/licensee/orders/{order['id']}", 303)


@bp.get("/orders")
@signed_in_only
def orders_list():
    try:
        page = licensing().orders(g.token, cursor=request.args.get("cursor"))
    except ApiProblem as refused:
        return render_template("licensee/orders.html", page=None, problem=page_message(refused))
    return render_template("licensee/orders.html", page=page, problem=None)


@bp.get("/orders/<order_id>")
@signed_in_only
def order_page(order_id: str, problem: str | None = None, status: int = 200):
    order = found(licensing().order, order_id)
    template = "licensee/_payment.html" if request.headers.get("HX-Request") else None
    response = make_response(
        render_template(
            template or "licensee/order.html",
            order=order,
            form=ActionForm(),
            may_pay=bool(roles() & PAYS),
            may_order=bool(roles() & BUYS),
            paying=request.args.get("paying") == "1",
            problem=problem,
        ),
        status,
    )
    response.vary.add("HX-Request")  # one address, two answers: the page or its payment part
    return response


@bp.post("/orders/<order_id>/pay")
@signed_in_only
def pay(order_id: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    order = found(licensing().order, order_id)
    if order["state"] != "pending_payment":
        return redirect(f"/licensee/orders/{order_id}", 303)
    owed = order["outstanding"]
    try:
        current_app.extensions["payment_api"].pay(order_id, owed["amount"], owed["currency"])
    except ApiProblem as refused:
        return order_page(order_id, problem=page_message(refused), status=502)
    return redirect(f"/licensee/orders/{order_id}?paying=1", 303)


@bp.get("/orders/<order_id>/invoice")
@signed_in_only
def invoice(order_id: str):
    """The invoice as the licensing service renders it, in the page's language, to keep."""
    language = i18n.html_lang(i18n.current_locale())
    html = found(lambda oid, token: licensing().invoice_html(oid, language, token), order_id)
    response = make_response(html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="invoice-{order_id}.html"'
    return response


@bp.get("/licenses")
@signed_in_only
def licenses_list():
    state = request.args.get("state") or None
    try:
        page = licensing().licenses_held(g.token, state=state, cursor=request.args.get("cursor"))
    except ApiProblem as refused:
        return render_template("licensee/licenses.html", page=None, problem=page_message(refused))
    return render_template("licensee/licenses.html", page=page, state=state, problem=None)


@bp.get("/licenses/<license_id>")
@signed_in_only
def license_page(license_id: str):
    found_license = found(licensing().license, license_id)
    public = config.get("IPMARKET_LICENSING_URL").rstrip("/")
    return render_template(
        "licensee/license.html",
        item=found_license,
        claims=found_license.get("claims") or {},
        jwks=f"{public}/.well-known/jwks.json",
        status_list=f"{public}/v1/licenses/status-list",
    )


@bp.get("/licenses/<license_id>/file")
@signed_in_only
def license_file(license_id: str):
    text = found(licensing().license_file, license_id)
    response = make_response(text)
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="license-{license_id}.txt"'
    return response
