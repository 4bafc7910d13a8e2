"""Payment provider callbacks: signed, fresh, idempotent, checked against the order.

The provider signs `<timestamp>.<raw body>` with HMAC-SHA256 under the shared secret
(IPMARKET_PAYMENT_PROVIDER_SECRET) and sends `Payment-Timestamp: <unix seconds>` and
`Payment-Signature: sha256=<hex>`. A callback older (or newer) than 5 minutes is refused, so a
captured one cannot be replayed later; within the window the provider's payment id (unique in
the database) makes a repeat change nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from services.licensing.domain.money import Money
from services.licensing.orders import check_takes_payments, locked_order, record_payment
from services.licensing.purchasing_models import Payment
from services.licensing.signing import Keyring
from shared.db.schema import new_id
from shared.errors import Invalid, NotAuthenticated
from shared.messaging.unit_of_work import UnitOfWork

TOLERANCE_SECONDS = 300
TIMESTAMP_HEADER = "Payment-Timestamp"
SIGNATURE_HEADER = "Payment-Signature"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def check_signature(
    secret: str, timestamp: str | None, signature_header: str | None, body: bytes, now: int
) -> None:
    """Raise NotAuthenticated unless the request is signed with `secret` and fresh."""
    if not timestamp or not timestamp.isdigit():
        raise NotAuthenticated(f"{TIMESTAMP_HEADER} must be unix seconds", field=TIMESTAMP_HEADER)
    if not signature_header or not hmac.compare_digest(
        signature(secret, timestamp, body).encode(), signature_header.encode()
    ):
        raise NotAuthenticated(
            "the signature does not match the body and timestamp", field=SIGNATURE_HEADER
        )
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        raise NotAuthenticated(
            f"the timestamp is more than {TOLERANCE_SECONDS} s from now", field=TIMESTAMP_HEADER
        )


def record_provider_payment(
    uow: UnitOfWork, keyring: Keyring, data: dict, paid_on: date
) -> tuple[Payment, bool]:
    """(payment, recorded now). A payment id already recorded returns that payment, whatever
    the rest of the callback says. The amount must settle what is outstanding, exactly."""
    order = locked_order(uow, data["order_id"])  # also serialises repeats of one payment id
    if order is None:
        raise Invalid(f"order {data['order_id']} does not exist", field="order_id")
    existing = uow.session.query(Payment).filter_by(provider_payment_id=data["payment_id"]).first()
    if existing is not None:
        return existing, False
    check_takes_payments(order)
    money = Money.parse(data["amount"], data["currency"])
    outstanding = Money(order.amount_minor - order.paid_minor, order.currency)
    if money.currency == order.currency and money != outstanding:
        raise Invalid(
            f"the amount {money} does not settle the {outstanding} outstanding", field="amount"
        )
    payment = Payment(
        id=new_id(),
        order_id=order.id,
        method="provider",
        amount_minor=money.minor,
        currency=money.currency,
        paid_on=paid_on,
        reference=data["payment_id"],
        provider_payment_id=data["payment_id"],
    )
    record_payment(uow, keyring, order, payment, None, "system")
    return payment, True
