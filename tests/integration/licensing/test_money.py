"""Money is exact through the API and the database: amounts round-trip in USD, CNY and HKD
through an order, its invoice and its payment."""

from __future__ import annotations

import pytest

from tests.integration.licensing.conftest import place_order

# The arithmetic, parsing and the no-float check: tests/unit/services/licensing/domain/.


@pytest.mark.parametrize(
    "currency,amount", [("USD", "9999999999999.99"), ("CNY", "0.30"), ("HKD", "1234567.89")]
)
def test_amounts_round_trip_through_order_invoice_and_payment(client, market, currency, amount):
    order = place_order(client, market, price={"amount": amount, "currency": currency})
    assert order["price"] == {"amount": amount, "currency": currency}
    assert order["invoice"]["total"] == {"amount": amount, "currency": currency}
    assert order["invoice"]["lines"][0]["amount"] == amount
    paid = client.post(
        f"/v1/orders/{order['id']}/payments",
        json={"amount": amount, "currency": currency, "paid_on": "2026-11-20", "reference": "r"},
        headers=market.parties["vendor"].headers,
    ).json
    assert paid["state"] == "fulfilled"
    assert paid["payments"][0]["amount"] == amount
    assert paid["paid"] == {"amount": amount, "currency": currency}
    assert paid["outstanding"] == {"amount": "0.00", "currency": currency}
