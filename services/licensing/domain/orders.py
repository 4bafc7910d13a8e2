"""An order's rules: its money and its states.

pending_payment → (paid in full) → paid → fulfilled, in one transaction with the payment that
completes it and the license issued; pending_payment → cancelled (nothing paid yet); fulfilled →
refunded. A partial payment leaves the order pending.
"""

from __future__ import annotations

from services.licensing.domain.money import Money
from shared.errors import Conflict, Invalid

ORDER_STATES = ("pending_payment", "paid", "fulfilled", "cancelled", "refunded")
INVOICE_STATES = ("open", "paid", "void")


def outstanding(amount: Money, paid: Money) -> Money:
    return amount - paid


def check_takes_payments(state: str) -> None:
    if state != "pending_payment":
        raise Conflict(f"the order is {state}: it takes no more payments", state=state)


def check_payment(state: str, amount: Money, paid: Money, payment: Money) -> bool:
    """Whether `payment` completes the order; Invalid (naming the field) if it cannot be
    taken: another currency, or more than is outstanding."""
    check_takes_payments(state)
    if payment.currency != amount.currency:
        raise Invalid(
            f"the order is in {amount.currency}, not {payment.currency}", field="currency"
        )
    left = outstanding(amount, paid)
    if payment.minor > left.minor:
        raise Invalid(f"more than the {left} {amount.currency} outstanding", field="amount")
    return payment.minor == left.minor


def check_cancellable(state: str, paid: Money) -> None:
    if state != "pending_payment" or paid.minor:
        raise Conflict(
            "only an order with nothing paid yet can be cancelled (else refund it)", state=state
        )


def check_refundable(state: str) -> None:
    if state != "fulfilled":
        raise Conflict(f"a {state} order cannot be refunded", state=state)
