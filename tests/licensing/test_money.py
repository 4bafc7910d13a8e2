"""Money is exact: amounts round-trip in USD, CNY and HKD, through the API and the database,
and no money code uses binary floating point."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from services.licensing.domain.money import Money
from shared.errors import Invalid
from tests.licensing.conftest import place_order

AWKWARD = ["0.10", "0.30", "1.00", "19.99", "1234567.89", "9999999999999.99", "0.01"]


@pytest.mark.parametrize("currency", ["USD", "CNY", "HKD"])
def test_amounts_round_trip_exactly(currency):
    for amount in AWKWARD:
        money = Money.parse(amount, currency)
        assert str(money) == amount and money.amount == Decimal(amount)
        assert Money.parse(str(money), currency) == money
    total = Money.parse("0.10", currency) + Money.parse("0.20", currency)
    assert total == Money.parse("0.30", currency)  # 0.1 + 0.2 == 0.3, unlike a float
    assert Money.parse("1234567.89", currency).display() == f"{currency} 1,234,567.89"


def test_unusable_amounts_are_refused_naming_the_field():
    for amount in ["0.001", "-1.00", "NaN", "Infinity", "abc", 1.5, True, "1" * 14]:
        with pytest.raises(Invalid) as error:
            Money.parse(amount, "USD")
        assert error.value.field == "amount", amount
    with pytest.raises(Invalid) as error:
        Money.parse("1.00", "EUR")
    assert error.value.field == "currency"
    with pytest.raises(ValueError):
        Money.parse("1.00", "USD") + Money.parse("1.00", "CNY")


@pytest.mark.parametrize("currency,amount", [("USD", "9999999999999.99"), ("CNY", "0.30"),
                                             ("HKD", "1234567.89")])
def test_amounts_round_trip_through_order_invoice_and_payment(client, market, currency,
                                                              amount):
    order = place_order(client, market, price={"amount": amount, "currency": currency})
    assert order["price"] == {"amount": amount, "currency": currency}
    assert order["invoice"]["total"] == {"amount": amount, "currency": currency}
    assert order["invoice"]["lines"][0]["amount"] == amount
    paid = client.post(f"/orders/{order['id']}/payments", json={
        "amount": amount, "currency": currency, "paid_on": "2026-11-20", "reference": "r"},
        headers=market.parties["vendor"].headers).json
    assert paid["state"] == "fulfilled"
    assert paid["payments"][0]["amount"] == amount
    assert paid["paid"] == {"amount": amount, "currency": currency}
    assert paid["outstanding"] == {"amount": "0.00", "currency": currency}


def test_no_float_in_money_code():
    """Every licensing module that handles money (names Money or a minor-units column)."""
    root = Path(__file__).resolve().parents[2] / "services" / "licensing"
    money_modules = [path for path in root.rglob("*.py")
                     if re.search(r"\bMoney\b|_minor\b", path.read_text())]
    assert len(money_modules) >= 6
    for path in money_modules:
        assert not re.search(r"\bfloat\b", path.read_text()), f"{path} mentions float"
