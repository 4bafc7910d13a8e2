"""HTTP API of purchasing: quotes, orders, invoices, payments (thin: parse → domain → view)."""
from __future__ import annotations

import json
import time

import sqlalchemy as sa
from flask import Response, request
from flask_smorest import abort
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.licensing import invoices, orders, payments, quotes
from services.licensing.access import get_visible, visible
from services.licensing.api import (
    IDEMPOTENCY_KEY,
    _committed,
    _iso,
    _keyring,
    _page,
    request_view,
)
from services.licensing.domain.money import Money
from services.licensing.models import Invoice, Order, Payment, Quote
from services.licensing.schemas import (
    Accept,
    AcceptedQuoteOut,
    BankTransfer,
    Decline,
    InvoiceQuery,
    OrderIn,
    OrderOut,
    OrderPage,
    OrderQuery,
    ProviderCallback,
    ProviderPaymentOut,
    QuoteAnswer,
    QuoteIn,
    QuoteOut,
    QuotePage,
    QuoteQuery,
    RequiredReason,
)
from shared import bounds, config
from shared.db.schema import utcnow
from shared.errors import Conflict, Invalid, UnsupportedMediaType
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context
from shared.http.problems import problem

blp = Blueprint("purchasing", __name__, description="Quotes, orders, invoices and payments")
PAYMENT_TIMESTAMP = {"in": "header", "name": payments.TIMESTAMP_HEADER, "required": True,
                     "schema": {"type": "string", "pattern": "^[0-9]+$"},
                     "description": "Unix seconds of the signature."}
PAYMENT_SIGNATURE = {"in": "header", "name": payments.SIGNATURE_HEADER, "required": True,
                     "schema": {"type": "string"},
                     "description": "HMAC of the timestamp and body with the provider's secret "
                                    "(see payments.py)."}


def _money(minor: int | None, currency: str | None) -> dict | None:
    return Money(minor, currency).as_dict() if currency else None


def quote_view(q: Quote) -> dict:
    return {"id": q.id, "state": q.state, "licensee_id": q.licensee_id,
            "vendor_id": q.vendor_id, "core_id": q.core_id, "vlnv": q.vlnv,
            "offer_id": q.offer_id, "project_name": q.project_name,
            "intended_use": q.intended_use, "end_use_country": q.end_use_country,
            "version_range": q.version_range, "volume": q.volume, "details": q.details,
            "price": _money(q.amount_minor, q.currency), "terms": q.terms,
            "valid_until": _iso(q.valid_until), "request_id": q.request_id,
            "created_at": _iso(q.created_at), "updated_at": _iso(q.updated_at)}


def payment_view(p: Payment) -> dict:
    return {"id": p.id, "method": p.method, **_money(p.amount_minor, p.currency),
            "paid_on": p.paid_on.isoformat(), "reference": p.reference,
            "provider_payment_id": p.provider_payment_id, "recorded_by": p.recorded_by,
            "created_at": _iso(p.created_at)}


def order_views(rows: list[Order], session: Session | None = None) -> list[dict]:
    """Orders with their invoice and payments (two queries for the whole page). A caller that
    holds a session passes it: a second one would wait on the first's write lock on SQLite."""
    if session is None:
        with service_context().session_factory() as session:
            return order_views(rows, session)
    ids = [o.id for o in rows]
    invoices_by_order = {i.order_id: i for i in session.scalars(
        sa.select(Invoice).where(Invoice.order_id.in_(ids)))}
    payments_by_order: dict[str, list] = {}
    for p in session.scalars(sa.select(Payment).where(Payment.order_id.in_(ids))
                             .order_by(Payment.created_at)):
        payments_by_order.setdefault(p.order_id, []).append(payment_view(p))
    return [{"id": o.id, "state": o.state, "state_reason": o.state_reason,
             "request_id": o.request_id, "quote_id": o.quote_id, "licensee_id": o.licensee_id,
             "vendor_id": o.vendor_id, "core_id": o.core_id, "vlnv": o.vlnv,
             "offer_id": o.offer_id, "price": _money(o.amount_minor, o.currency),
             "paid": _money(o.paid_minor, o.currency),
             "outstanding": orders.outstanding(o).as_dict(), "license_id": o.license_id,
             "created_at": _iso(o.created_at), "paid_at": _iso(o.paid_at),
             "updated_at": _iso(o.updated_at),
             "invoice": (invoice_view(invoices_by_order[o.id]) if o.id in invoices_by_order
                         else None),
             "payments": payments_by_order.get(o.id, [])} for o in rows]


def order_view(order: Order, session: Session | None = None) -> dict:
    return order_views([order], session)[0]


def invoice_view(i: Invoice) -> dict:
    return {"id": i.id, "number": i.number, "state": i.state, "language": i.language,
            "parties": i.parties, "lines": i.lines, "total": _money(i.total_minor, i.currency),
            "payment_instructions": i.payment_instructions, "issued_at": _iso(i.issued_at),
            "due_at": _iso(i.due_at)}


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= 200:
        raise Invalid("Idempotency-Key must be 1 to 200 characters", field="Idempotency-Key")
    return key


# --- quotes ----------------------------------------------------------------------------------

@blp.post("/quotes")
@requires("licensee")
@blp.response(201, QuoteOut)
@blp.arguments(QuoteIn)
def request_quote(body):
    """Ask the vendor for a price on an offer priced "on request"."""
    return quote_view(_committed(quotes.request_quote, current_principal(), body)), 201


@blp.get("/quotes")
@requires()
@blp.response(200, QuotePage)
@blp.arguments(QuoteQuery, location="query")
def list_quotes(args):
    return {"items": [quote_view(q) for q in _page(visible(Quote, current_principal()), args,
                                                   Quote)]}


@blp.get("/quotes/<id:quote_id>")
@requires()
@blp.response(200, QuoteOut)
@problems(404)
def get_quote(quote_id):
    with service_context().session_factory() as session:
        return quote_view(get_visible(session, current_principal(), Quote, quote_id))


@blp.post("/quotes/<id:quote_id>/send")
@requires("vendor")
@blp.response(200, QuoteOut)
@problems(404, 409)
@blp.arguments(QuoteAnswer)
def send_quote(body, quote_id):
    """The vendor's price, terms and validity (again to revise it before an answer)."""
    price = Money.parse(body["amount"], body["currency"])
    return quote_view(_committed(quotes.send_quote, current_principal(), quote_id, price,
                                 body["terms"], body["valid_until"]))


@blp.post("/quotes/<id:quote_id>/accept")
@requires("licensee")
@blp.response(200, AcceptedQuoteOut)
@problems(404, 409)
@blp.arguments(Accept)
def accept_quote(_body, quote_id):
    """Accept: submits a license request at the quoted price (screened as any request)."""
    quote, license_request = _committed(quotes.accept_quote, _keyring(), current_principal(),
                                        quote_id)
    return {**quote_view(quote), "request": request_view(license_request)}


@blp.post("/quotes/<id:quote_id>/decline")
@requires("licensee")
@blp.response(200, QuoteOut)
@problems(404, 409)
@blp.arguments(Decline)
def decline_quote(body, quote_id):
    return quote_view(_committed(quotes.decline_quote, current_principal(), quote_id,
                                 body.get("reason")))


# --- orders ----------------------------------------------------------------------------------

@blp.post("/orders")
@requires("licensee")
@blp.response(201, OrderOut)
@blp.alt_response(200, schema=OrderOut, success=True,
                  description="The order made before with this Idempotency-Key.")
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@problems(409)
@blp.arguments(OrderIn)
def create_order(body):
    """Order an approved license request of a priced offer or an accepted quote; the invoice
    is issued with it. `Idempotency-Key` makes a retry safe."""
    order, created = orders.create_order(service_context().unit_of_work, current_principal(),
                                         body, _idempotency_key())
    return order_view(order), 201 if created else 200


@blp.get("/orders")
@requires()
@blp.response(200, OrderPage)
@blp.arguments(OrderQuery, location="query")
def list_orders(args):
    return {"items": order_views(_page(visible(Order, current_principal()), args, Order))}


@blp.get("/orders/<id:order_id>")
@requires()
@blp.response(200, OrderOut)
@problems(404)
def get_order(order_id):
    with service_context().session_factory() as session:
        return order_view(get_visible(session, current_principal(), Order, order_id), session)


@blp.post("/orders/<id:order_id>/payments")
@requires("vendor")
@blp.response(201, OrderOut)
@problems(404, 409)
@blp.arguments(BankTransfer)
def record_bank_transfer(body, order_id):
    """The vendor (or an admin) records a bank transfer; the one completing the order issues
    the license in the same transaction."""
    money = Money.parse(body["amount"], body["currency"])
    order, _ = _committed(orders.record_bank_transfer, _keyring(), current_principal(),
                          order_id, money, body["paid_on"], body["reference"])
    return order_view(order), 201


@blp.post("/orders/<id:order_id>/cancel")
@requires()
@blp.response(200, OrderOut)
@problems(403, 404, 409)
@blp.arguments(RequiredReason)
def cancel_order(body, order_id):
    return order_view(_committed(orders.cancel, current_principal(), order_id, body["reason"]))


@blp.post("/orders/<id:order_id>/refund")
@requires("vendor")
@blp.response(200, OrderOut)
@problems(404, 409)
@blp.arguments(RequiredReason)
def refund_order(body, order_id):
    """Refund a fulfilled order: its license is revoked."""
    return order_view(_committed(orders.refund, current_principal(), order_id, body["reason"]))


@blp.get("/orders/<id:order_id>/invoice.html")
@requires()
@blp.response(200, {"type": "string"}, content_type="text/html",
              description="The printable invoice.")
@problems(404)
@blp.arguments(InvoiceQuery, location="query")
def invoice_html(args, order_id):
    """The printable invoice, in the licensee's language unless `lang` says otherwise."""
    with service_context().session_factory() as session:
        order = get_visible(session, current_principal(), Order, order_id)
        invoice = session.query(Invoice).filter_by(order_id=order.id).one()
    return Response(invoices.invoice_html(invoice, order, args.get("lang")),
                    content_type="text/html; charset=utf-8")


# --- the payment provider --------------------------------------------------------------------

@blp.post("/payments/callback")
@blp.response(201, ProviderPaymentOut)
@blp.alt_response(200, schema=ProviderPaymentOut, success=True,
                  description="This payment id was recorded before.")
@blp.doc(parameters=[PAYMENT_TIMESTAMP, PAYMENT_SIGNATURE], requestBody={
    "required": True, "content": {"application/json": {"schema": ProviderCallback}}})
@problems(400, 409, 413, 415, 422, 503)
def provider_callback():
    """A payment provider reports a payment: signed (see payments.py), idempotent by its
    payment id; the amount and currency must settle the order."""
    secret = config.get("IPMARKET_PAYMENT_PROVIDER_SECRET")
    if secret is None:
        return problem(503, "Service unavailable", "no payment provider is configured")
    if not request.is_json:
        raise UnsupportedMediaType(f"send the callback as application/json, not "
                                   f"{request.mimetype or 'untyped'}", field="Content-Type")
    raw = request.get_data()
    payments.check_signature(secret, request.headers.get(payments.TIMESTAMP_HEADER),
                             request.headers.get(payments.SIGNATURE_HEADER), raw,
                             int(time.time()))
    try:
        data = ProviderCallback().load(bounds.loads(raw))
    except json.JSONDecodeError:
        abort(400, message="the body is not JSON")
    except ValidationError as error:
        abort(422, messages={"json": error.messages})
    try:
        payment, recorded = _committed(payments.record_provider_payment, _keyring(), data,
                                       utcnow().date())
    except IntegrityError:  # the same payment id for another order, at the same moment
        raise Conflict("this payment id was recorded for another order",
                       field="payment_id") from None
    return {"payment_id": payment.provider_payment_id, "order_id": payment.order_id,
            "recorded": recorded}, 201 if recorded else 200


blueprints = [blp]
