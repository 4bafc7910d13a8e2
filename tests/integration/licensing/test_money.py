"""Money is exact: amounts round-trip in USD, CNY and HKD, through the API and the database,
and no money code uses binary floating point."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.licensing.conftest import place_order

# The pure arithmetic and parsing: tests/unit/services/licensing/domain/test_money.py.


@pytest.mark.parametrize("currency,amount", [("USD", "9999999999999.99"), ("CNY", "0.30"),
                                             ("HKD", "1234567.89")])
def test_amounts_round_trip_through_order_invoice_and_payment(client, market, currency,
                                                              amount):
    order = place_order(client, market, price={"amount": amount, "currency": currency})
    assert order["price"] == {"amount": amount, "currency": currency}
    assert order["invoice"]["total"] == {"amount": amount, "currency": currency}
    assert order["invoice"]["lines"][0]["amount"] == amount
    paid = client.post(f"/v1/orders/{order['id']}/payments", json={
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
