"""Orders: created from an approved request, with their invoice and payments; the vendor
records bank transfers, either party cancels, the vendor refunds."""

from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from flask import Response
from sqlalchemy.orm import Session

from services.licensing import invoices, orders
from services.licensing.access import get_visible, visible
from services.licensing.api.common import (
    IDEMPOTENCY_KEY,
    V1,
    committed,
    idempotency_key,
    iso,
    keyring,
    money,
    page,
)
from services.licensing.domain.money import Money
from services.licensing.purchasing_models import Invoice, Order, Payment
from services.licensing.schemas.common import RequiredReason
from services.licensing.schemas.orders import (
    BankTransfer,
    InvoiceQuery,
    OrderIn,
    OrderOut,
    OrderPage,
    OrderQuery,
)
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint("orders", __name__, url_prefix=V1, description="Orders, invoices, payments")


def payment_view(p: Payment) -> dict:
    return {
        "id": p.id,
        "method": p.method,
        **money(p.amount_minor, p.currency),
        "paid_on": p.paid_on.isoformat(),
        "reference": p.reference,
        "provider_payment_id": p.provider_payment_id,
        "recorded_by": p.recorded_by,
        "created_at": iso(p.created_at),
    }


def order_views(rows: list[Order], session: Session | None = None) -> list[dict]:
    """Orders with their invoice and payments (two queries for the whole page). A caller that
    holds a session passes it: a second one would wait on the first's write lock on SQLite."""
    if session is None:
        with service_context().session_factory() as session:
            return order_views(rows, session)
    ids = [o.id for o in rows]
    invoices_by_order = {
        i.order_id: i for i in session.scalars(sa.select(Invoice).where(Invoice.order_id.in_(ids)))
    }
    payments_by_order: dict[str, list] = {}
    for p in session.scalars(
        sa.select(Payment).where(Payment.order_id.in_(ids)).order_by(Payment.created_at)
    ):
        payments_by_order.setdefault(p.order_id, []).append(payment_view(p))
    return [
        {
            "id": o.id,
            "state": o.state,
            "state_reason": o.state_reason,
            "request_id": o.request_id,
            "quote_id": o.quote_id,
            "licensee_id": o.licensee_id,
            "vendor_id": o.vendor_id,
            "core_id": o.core_id,
            "vlnv": o.vlnv,
            "offer_id": o.offer_id,
            "price": money(o.amount_minor, o.currency),
            "paid": money(o.paid_minor, o.currency),
            "outstanding": orders.outstanding(o).as_dict(),
            "license_id": o.license_id,
            "created_at": iso(o.created_at),
            "paid_at": iso(o.paid_at),
            "updated_at": iso(o.updated_at),
            "invoice": (
                invoice_view(invoices_by_order[o.id]) if o.id in invoices_by_order else None
            ),
            "payments": payments_by_order.get(o.id, []),
        }
        for o in rows
    ]


def order_view(order: Order, session: Session | None = None) -> dict:
    return order_views([order], session)[0]


def invoice_view(i: Invoice) -> dict:
    return {
        "id": i.id,
        "number": i.number,
        "state": i.state,
        "language": i.language,
        "parties": i.parties,
        "lines": i.lines,
        "total": money(i.total_minor, i.currency),
        "payment_instructions": i.payment_instructions,
        "issued_at": iso(i.issued_at),
        "due_at": iso(i.due_at),
    }


@blp.post("/orders")
@requires("licensee", action="orders.place")
@blp.response(201, OrderOut)
@blp.alt_response(
    200,
    schema=OrderOut,
    success=True,
    description="The order made before with this Idempotency-Key.",
)
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@problems(409)
@blp.arguments(OrderIn)
def create_order(body):
    """Order an approved license request of a priced offer or an accepted quote; the invoice
    is issued with it. `Idempotency-Key` makes a retry safe."""
    principal = current_principal()
    order, created = orders.create_order(
        partial(service_context().unit_of_work, principal.actor), principal, body, idempotency_key()
    )
    return order_view(order), 201 if created else 200


@blp.get("/orders")
@requires(action="orders.read")
@blp.response(200, OrderPage)
@blp.arguments(OrderQuery, location="query")
def list_orders(args):
    rows, next_cursor = page(visible(Order, current_principal()), args, Order)
    return {"items": order_views(rows), "next": next_cursor}


@blp.get("/orders/<id:order_id>")
@requires(action="orders.read")
@blp.response(200, OrderOut)
@problems(404)
def get_order(order_id):
    with service_context().session_factory() as session:
        return order_view(get_visible(session, current_principal(), Order, order_id), session)


@blp.post("/orders/<id:order_id>/payments")
@requires("vendor", action="payments.record")
@blp.response(201, OrderOut)
@problems(404, 409)
@blp.arguments(BankTransfer)
def record_bank_transfer(body, order_id):
    """The vendor (or an admin) records a bank transfer; the one completing the order issues
    the license in the same transaction."""
    money = Money.parse(body["amount"], body["currency"])
    order, _ = committed(
        orders.record_bank_transfer,
        keyring(),
        current_principal(),
        order_id,
        money,
        body["paid_on"],
        body["reference"],
    )
    return order_view(order), 201


@blp.post("/orders/<id:order_id>/cancel")
@requires(action="orders.cancel")
@blp.response(200, OrderOut)
@problems(403, 404, 409)
@blp.arguments(RequiredReason)
def cancel_order(body, order_id):
    return order_view(committed(orders.cancel, current_principal(), order_id, body["reason"]))


@blp.post("/orders/<id:order_id>/refund")
@requires("vendor", action="refunds.issue")
@blp.response(200, OrderOut)
@problems(404, 409)
@blp.arguments(RequiredReason)
def refund_order(body, order_id):
    """Refund a fulfilled order: its license is revoked."""
    return order_view(committed(orders.refund, current_principal(), order_id, body["reason"]))


@blp.get("/orders/<id:order_id>/invoice.html")
@requires(action="invoices.read")
@blp.response(
    200, {"type": "string"}, content_type="text/html", description="The printable invoice."
)
@problems(404)
@blp.arguments(InvoiceQuery, location="query")
def invoice_html(args, order_id):
    """The printable invoice, in the licensee's language unless `lang` says otherwise."""
    with service_context().session_factory() as session:
        order = get_visible(session, current_principal(), Order, order_id)
        invoice = session.query(Invoice).filter_by(order_id=order.id).one()
    return Response(
        invoices.invoice_html(invoice, order, args.get("lang")),
        content_type="text/html; charset=utf-8",
    )
