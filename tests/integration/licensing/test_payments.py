"""Provider callbacks: only signed, fresh callbacks count; a replayed payment id, a wrong amount
or currency pay nothing (twice); the license is issued once."""

from __future__ import annotations

import json
import time

import pytest

from services.licensing.payments import check_signature, signature
from shared.errors import NotAuthenticated
from tests.integration.licensing.conftest import callback_headers, place_order, provider_callback
from tests.integration.licensing.test_api import events_of
from tests.integration.licensing.test_bad_input import snapshot

pytestmark = pytest.mark.databases("sqlite", "postgresql")


def test_signature_check_is_hmac_over_timestamp_and_body():
    body, now = b'{"a": 1}', 1_800_000_000
    good = signature("s3cret", str(now), body)
    check_signature("s3cret", str(now), good, body, now + 299)
    for timestamp, sig, at in [
        (str(now), good, now + 301),
        (str(now), good, now - 301),
        (str(now), signature("other", str(now), body), now),
        (str(now + 1), good, now),
        ("soon", good, now),
        (str(now), None, now),
    ]:
        with pytest.raises(NotAuthenticated):
            check_signature("s3cret", timestamp, sig, body, at)
    with pytest.raises(NotAuthenticated):
        check_signature("s3cret", str(now), good, body + b" ", now)


def test_callback_pays_once_and_refuses_the_unsigned_the_stale_and_the_wrong(
    client, market, provider_secret
):
    order = place_order(client, market)
    before = snapshot(market)
    refusals = [
        (provider_callback(client, order, secret="not the secret"), 401, "Payment-Signature"),
        (
            provider_callback(client, order, timestamp=int(time.time()) - 301),
            401,
            "Payment-Timestamp",
        ),
        (provider_callback(client, order, amount="24999.99"), 422, "amount"),
        (provider_callback(client, order, amount="25000.001"), 422, "amount"),
        (provider_callback(client, order, currency="HKD"), 422, "currency"),
        (provider_callback(client, {**order, "id": "no-such-order"}), 422, "order_id"),
    ]
    body = json.dumps(
        {"payment_id": "p", "order_id": order["id"], "amount": 25000, "currency": "USD"}
    ).encode()
    refusals.append(
        (
            client.post("/v1/payments/callback", data=body, headers=callback_headers(body)),
            422,
            "amount",
        )
    )
    tampered = callback_headers(b"{}")
    refusals.append(
        (
            client.post("/v1/payments/callback", data=body, headers=tampered),
            401,
            "Payment-Signature",
        )
    )
    for response, status, field in refusals:
        assert response.status_code == status, response.json
        assert response.content_type == "application/problem+json"
        assert field in [e["field"] for e in response.json["errors"]], response.json
    assert snapshot(market) == before

    paid = provider_callback(client, order, payment_id="pay_42")
    assert paid.status_code == 201 and paid.json == {
        "payment_id": "pay_42",
        "order_id": order["id"],
        "recorded": True,
    }
    replayed = provider_callback(client, order, payment_id="pay_42")
    assert replayed.status_code == 200 and replayed.json["recorded"] is False
    another = provider_callback(client, order, payment_id="pay_43")
    assert another.status_code == 409  # the order is fulfilled: nothing paid twice
    after = client.get(f"/v1/orders/{order['id']}", headers=market.parties["licensee"].headers).json
    assert after["state"] == "fulfilled" and len(after["payments"]) == 1
    assert after["payments"][0]["provider_payment_id"] == "pay_42"
    assert market.count("license") == 1
    assert len(events_of(market, "ipmarket.order.paid.v1")) == 1
    assert len(events_of(market, "ipmarket.license.issued.v1")) == 1


def test_callback_without_a_configured_secret_is_refused(client, market, monkeypatch):
    monkeypatch.delenv("IPMARKET_PAYMENT_PROVIDER_SECRET", raising=False)
    order = place_order(client, market)
    response = provider_callback(client, order)
    assert response.status_code == 503
    assert market.count("payment") == 0
