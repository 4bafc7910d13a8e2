"""Orders: a cleared license request bought at a price, its invoice, payments and fulfilment.

pending_payment → (paid in full) → paid → fulfilled, in ONE transaction with the payment that
completes it and the license issued; or pending_payment → cancelled (nothing paid yet); or
fulfilled → refunded (the license revoked in the same transaction). A partial payment leaves the
order pending. Every path locks the order row first (FOR UPDATE), so that a bank transfer and a
provider callback arriving together complete it once and issue one license.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from services.licensing import audit, invoices, licenses
from services.licensing.access import get_visible
from services.licensing.domain import orders as domain_orders
from services.licensing.domain.money import Money
from services.licensing.domain.requests import body_hash, needs_payment
from services.licensing.event_data import purchase_event
from services.licensing.models import License, LicenseRequest
from services.licensing.purchasing_models import Invoice, Order, Payment
from services.licensing.signing import Keyring
from shared.db.schema import new_id, utcnow
from shared.directory import Principal
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events import licensing as events
from shared.messaging.unit_of_work import UnitOfWork


def price(order: Order) -> Money:
    return Money(order.amount_minor, order.currency)


def paid(order: Order) -> Money:
    return Money(order.paid_minor, order.currency)


def outstanding(order: Order) -> Money:
    return domain_orders.outstanding(price(order), paid(order))


def must_be_licensee(principal: Principal, row) -> None:
    if not principal.is_admin and row.licensee_id != principal.organisation_id:
        raise Forbidden("only the licensee may do this")


# --- creation --------------------------------------------------------------------------------


def create_order(
    unit_of_work: Callable[[], UnitOfWork],
    principal: Principal,
    body: dict,
    idempotency_key: str | None,
) -> tuple[Order, bool]:
    """(order, created). The same Idempotency-Key and body give back the first order; the
    request's row lock and the unique constraints settle concurrent duplicates."""
    digest = body_hash(body)
    try:
        with unit_of_work() as uow:
            existing = _by_idempotency_key(uow, principal, idempotency_key, digest)
            if existing is not None:
                uow.commit()  # ends the read; keeps the loaded order usable after the session
                return existing, False
            order = _create(uow, principal, body["request_id"], idempotency_key, digest)
            uow.commit()
            return order, True
    except IntegrityError:  # the same key won a race for another request
        with unit_of_work() as uow:
            existing = _by_idempotency_key(uow, principal, idempotency_key, digest)
            uow.commit()
        if existing is None:
            raise
        return existing, False


def _by_idempotency_key(
    uow: UnitOfWork, principal: Principal, key: str | None, digest: str
) -> Order | None:
    if key is None:
        return None
    existing = uow.session.scalars(
        sa.select(Order).where(
            Order.licensee_id == principal.organisation_id, Order.idempotency_key == key
        )
    ).first()
    if existing is not None and existing.body_hash != digest:
        raise Invalid("this Idempotency-Key was used with another order", field="Idempotency-Key")
    return existing


def _create(
    uow: UnitOfWork, principal: Principal, request_id: str, key: str | None, digest: str
) -> Order:
    session = uow.session
    try:
        request = get_visible(session, principal, LicenseRequest, request_id, for_update=True)
    except NotFound as error:
        raise Invalid(error.detail, field="request_id") from None
    must_be_licensee(principal, request)
    if not needs_payment(request.offer):
        raise Invalid(
            "this request's offer is free: its license is issued without an order",
            field="request_id",
        )
    if request.state != "approved":
        raise Conflict(
            f"the request is {request.state}: an order needs a request that "
            "screening (and the vendor, where asked) approved",
            state=request.state,
        )
    existing = session.scalars(sa.select(Order).where(Order.request_id == request.id)).first()
    if existing is not None:
        raise Conflict(f"the request already has order {existing.id}", order_id=existing.id)
    money = Money.parse(request.offer["price"]["amount"], request.offer["price"]["currency"])
    now = utcnow()
    order = Order(
        id=new_id(),
        request_id=request.id,
        quote_id=request.offer.get("quote_id"),
        licensee_id=request.licensee_id,
        vendor_id=request.vendor_id,
        core_id=request.core_id,
        vlnv=request.vlnv,
        offer_id=request.offer_id,
        state="pending_payment",
        currency=money.currency,
        amount_minor=money.minor,
        paid_minor=0,
        idempotency_key=key,
        body_hash=digest,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    _audit(uow, principal, "licensee", "order.created", order, **price(order).as_dict())
    uow.publish(events.ORDER_CREATED, order.id, purchase_event(order))
    invoice = invoices.issue_invoice(session, order, request)
    _audit(uow, None, audit.SYSTEM, "invoice.issued", order, invoice_number=invoice.number)
    uow.publish(
        events.INVOICE_ISSUED,
        order.id,
        purchase_event(
            order,
            invoice_id=invoice.id,
            invoice_number=invoice.number,
            due_at=invoice.due_at.isoformat(),
        ),
    )
    session.flush()  # a duplicate Idempotency-Key fails here, inside the try
    return order


# --- payments and fulfilment -----------------------------------------------------------------


def locked_order(uow: UnitOfWork, order_id: str) -> Order | None:
    return uow.session.scalars(
        sa.select(Order).where(Order.id == order_id).with_for_update()
    ).first()


def record_bank_transfer(
    uow: UnitOfWork,
    keyring: Keyring,
    principal: Principal,
    order_id: str,
    money: Money,
    paid_on: date,
    reference: str,
) -> tuple[Order, Payment]:
    """The vendor (or an admin) records money received by bank transfer."""
    order = get_visible(uow.session, principal, Order, order_id, for_update=True, vendor_only=True)
    if money.minor <= 0:
        raise Invalid("a payment must be more than zero", field="amount")
    payment = Payment(
        id=new_id(),
        order_id=order.id,
        method="bank_transfer",
        amount_minor=money.minor,
        currency=money.currency,
        paid_on=paid_on,
        reference=reference,
        recorded_by=principal.organisation_id,
    )
    record_payment(uow, keyring, order, payment, principal, "vendor")
    return order, payment


def check_takes_payments(order: Order) -> None:
    domain_orders.check_takes_payments(order.state)


def record_payment(
    uow: UnitOfWork,
    keyring: Keyring,
    order: Order,
    payment: Payment,
    actor: Principal | None,
    role: str,
) -> None:
    """Add a payment to a LOCKED order; the one that completes it issues the license."""
    completes = domain_orders.check_payment(
        order.state, price(order), paid(order), Money(payment.amount_minor, payment.currency)
    )
    uow.session.add(payment)
    order.paid_minor += payment.amount_minor
    order.updated_at = utcnow()
    _audit(
        uow,
        actor,
        role,
        "order.payment_recorded",
        order,
        payment_id=payment.id,
        method=payment.method,
        reference=payment.reference,
        **Money(payment.amount_minor, payment.currency).as_dict(),
    )
    if completes:
        _fulfil(uow, keyring, order, actor, role)


def _fulfil(
    uow: UnitOfWork, keyring: Keyring, order: Order, actor: Principal | None, role: str
) -> None:
    session = uow.session
    order.state, order.paid_at = "paid", utcnow()
    request = session.get(LicenseRequest, order.request_id, with_for_update=True)
    license = licenses.issue_license(uow, keyring, request, actor, role)
    order.state, order.license_id = "fulfilled", license.id
    invoice = _invoice(uow, order)
    invoice.state = "paid"
    _audit(uow, actor, role, "order.paid", order, license_id=license.id)
    uow.publish(
        events.ORDER_PAID,
        order.id,
        purchase_event(order, invoice_id=invoice.id, invoice_number=invoice.number),
    )


# --- cancellation and refund -----------------------------------------------------------------


def cancel(uow: UnitOfWork, principal: Principal, order_id: str, reason: str) -> Order:
    """Either party (or an admin) cancels an order nothing was paid on yet."""
    order = get_visible(uow.session, principal, Order, order_id, for_update=True)
    domain_orders.check_cancellable(order.state, paid(order))
    order.state, order.state_reason, order.updated_at = "cancelled", reason, utcnow()
    request = uow.session.get(LicenseRequest, order.request_id, with_for_update=True)
    request.state, request.updated_at = "cancelled", order.updated_at
    invoice = _invoice(uow, order)
    invoice.state = "void"
    role = "licensee" if principal.organisation_id == order.licensee_id else "vendor"
    _audit(uow, principal, role, "order.cancelled", order, reason=reason)
    uow.publish(
        events.ORDER_CANCELLED,
        order.id,
        purchase_event(order, reason=reason, invoice_id=invoice.id, invoice_number=invoice.number),
    )
    return order


def refund(uow: UnitOfWork, principal: Principal, order_id: str, reason: str) -> Order:
    """The vendor (or an admin) refunds a fulfilled order; its license is revoked."""
    order = get_visible(uow.session, principal, Order, order_id, for_update=True, vendor_only=True)
    domain_orders.check_refundable(order.state)
    order.state, order.state_reason, order.updated_at = "refunded", reason, utcnow()
    license = uow.session.get(License, order.license_id)
    if license.state in ("active", "suspended"):
        licenses.revoke(uow, principal, license.id, f"refunded: {reason}")
    _audit(uow, principal, "vendor", "order.refunded", order, reason=reason)
    uow.publish(events.ORDER_REFUNDED, order.id, purchase_event(order, reason=reason))
    return order


def _invoice(uow: UnitOfWork, order: Order) -> Invoice:
    return uow.session.scalars(
        sa.select(Invoice).where(Invoice.order_id == order.id).with_for_update()
    ).one()


def _audit(
    uow: UnitOfWork, actor: Principal | None, role: str, action: str, order: Order, **details
) -> None:
    audit.record(
        uow.session,
        actor,
        role,
        action,
        "order",
        order.id,
        licensee_id=order.licensee_id,
        vendor_id=order.vendor_id,
        **details,
    )
