"""An order's money and states."""

from __future__ import annotations

import pytest

from services.licensing.domain.money import Money
from services.licensing.domain.orders import (
    check_cancellable,
    check_payment,
    check_refundable,
    check_takes_payments,
    outstanding,
)
from shared.errors import Conflict, Invalid

PRICE = Money(10_000, "USD")


def test_outstanding_is_the_price_less_what_was_paid():
    assert outstanding(PRICE, Money(2_500, "USD")) == Money(7_500, "USD")


def test_a_payment_of_what_is_outstanding_completes_the_order():
    assert check_payment("pending_payment", PRICE, Money(2_500, "USD"), Money(7_500, "USD"))


def test_a_partial_payment_leaves_the_order_pending():
    assert not check_payment("pending_payment", PRICE, Money(0, "USD"), Money(1, "USD"))


def test_more_than_is_outstanding_is_refused_naming_the_amount():
    with pytest.raises(Invalid) as error:
        check_payment("pending_payment", PRICE, Money(2_500, "USD"), Money(7_501, "USD"))
    assert error.value.field == "amount" and "75.00" in error.value.detail


def test_a_payment_in_another_currency_is_refused_naming_the_currency():
    with pytest.raises(Invalid) as error:
        check_payment("pending_payment", PRICE, Money(0, "USD"), Money(100, "HKD"))
    assert error.value.field == "currency"


@pytest.mark.parametrize("state", ["paid", "fulfilled", "cancelled", "refunded"])
def test_only_a_pending_order_takes_payments(state):
    with pytest.raises(Conflict):
        check_takes_payments(state)
    with pytest.raises(Conflict):
        check_payment(state, PRICE, Money(0, "USD"), Money(1, "USD"))


def test_only_an_order_with_nothing_paid_is_cancelled():
    check_cancellable("pending_payment", Money(0, "USD"))
    with pytest.raises(Conflict):
        check_cancellable("pending_payment", Money(1, "USD"))
    with pytest.raises(Conflict):
        check_cancellable("fulfilled", Money(0, "USD"))


def test_only_a_fulfilled_order_is_refunded():
    check_refundable("fulfilled")
    with pytest.raises(Conflict) as error:
        check_refundable("pending_payment")
    assert error.value.extra == {"state": "pending_payment"}
