"""Bad input on every purchasing endpoint: a problem+json error naming the field at fault, and
nothing in the database changes."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.integration.licensing.conftest import callback_headers, place_order, request_body
from tests.integration.licensing.test_bad_input import snapshot as licensing_snapshot

pytestmark = pytest.mark.databases("sqlite", "postgresql")

FUTURE = "2099-01-01T00:00:00Z"


def cases(core_id, quote_id, order_id, free_request_id):
    quote_in = {
        "core_id": core_id,
        "offer_id": "onreq",
        "project_name": "p",
        "intended_use": "u",
        "end_use_country": "CN",
        "volume": 10,
    }
    answer = {"amount": "100.00", "currency": "USD", "terms": "t", "valid_until": FUTURE}
    transfer = {"amount": "1.00", "currency": "USD", "paid_on": "2026-11-20", "reference": "r"}
    q, o = f"/v1/quotes/{quote_id}", f"/v1/orders/{order_id}"
    # (who, method, path, json body, extra headers, status, field at fault)
    return [
        ("licensee", "post", "/v1/quotes", {**quote_in, "volume": 0}, {}, 422, "volume"),
        ("licensee", "post", "/v1/quotes", {**quote_in, "volume": "10"}, {}, 422, "volume"),
        ("licensee", "post", "/v1/quotes", {**quote_in, "volume": 1.5}, {}, 422, "volume"),
        (
            "licensee",
            "post",
            "/v1/quotes",
            {k: v for k, v in quote_in.items() if k != "volume"},
            {},
            422,
            "volume",
        ),
        (
            "licensee",
            "post",
            "/v1/quotes",
            {**quote_in, "end_use_country": "CHN"},
            {},
            422,
            "end_use_country",
        ),
        ("licensee", "post", "/v1/quotes", {**quote_in, "offer_id": "std"}, {}, 422, "offer_id"),
        ("licensee", "post", "/v1/quotes", {**quote_in, "core_id": "nope"}, {}, 422, "core_id"),
        (
            "licensee",
            "post",
            "/v1/quotes",
            {**quote_in, "version_range": ">=9"},
            {},
            422,
            "version_range",
        ),
        ("licensee", "post", "/v1/quotes", {**quote_in, "budget": 1}, {}, 422, "budget"),
        ("vendor", "post", "/v1/quotes", quote_in, {}, 403, None),
        ("licensee", "get", "/v1/quotes?state=open", None, {}, 422, "state"),
        ("licensee", "get", "/v1/quotes/unknown", None, {}, 404, None),
        ("vendor", "post", f"{q}/send", {**answer, "amount": 100.0}, {}, 422, "amount"),
        ("vendor", "post", f"{q}/send", {**answer, "amount": "100.001"}, {}, 422, "amount"),
        ("vendor", "post", f"{q}/send", {**answer, "amount": "-1.00"}, {}, 422, "amount"),
        ("vendor", "post", f"{q}/send", {**answer, "currency": "EUR"}, {}, 422, "currency"),
        (
            "vendor",
            "post",
            f"{q}/send",
            {**answer, "valid_until": "2099-01-01"},
            {},
            422,
            "valid_until",
        ),
        (
            "vendor",
            "post",
            f"{q}/send",
            {**answer, "valid_until": "2001-01-01T00:00:00Z"},
            {},
            422,
            "valid_until",
        ),
        ("vendor", "post", f"{q}/send", {**answer, "terms": ""}, {}, 422, "terms"),
        ("vendor", "post", "/v1/quotes/unknown/send", answer, {}, 404, None),
        ("licensee", "post", f"{q}/accept", {"price": 1}, {}, 422, "price"),
        ("licensee", "post", f"{q}/decline", {"reason": ""}, {}, 422, "reason"),
        ("licensee", "post", "/v1/orders", {}, {}, 422, "request_id"),
        ("licensee", "post", "/v1/orders", {"request_id": "x" * 37}, {}, 422, "request_id"),
        ("licensee", "post", "/v1/orders", {"request_id": "unknown"}, {}, 422, "request_id"),
        ("licensee", "post", "/v1/orders", {"request_id": free_request_id}, {}, 422, "request_id"),
        (
            "licensee",
            "post",
            "/v1/orders",
            {"request_id": free_request_id},
            {"Idempotency-Key": "k" * 201},
            422,
            "Idempotency-Key",
        ),
        (
            "licensee",
            "post",
            "/v1/orders",
            {"request_id": free_request_id, "amount": "1.00"},
            {},
            422,
            "amount",
        ),
        ("licensee", "get", "/v1/orders?state=paid_maybe", None, {}, 422, "state"),
        ("licensee", "get", "/v1/orders?limit=9999", None, {}, 422, "limit"),
        ("licensee", "get", "/v1/orders/unknown", None, {}, 404, None),
        ("vendor", "post", f"{o}/payments", {**transfer, "amount": "0.00"}, {}, 422, "amount"),
        ("vendor", "post", f"{o}/payments", {**transfer, "amount": "1e3"}, {}, 422, "amount"),
        ("vendor", "post", f"{o}/payments", {**transfer, "amount": "25000.01"}, {}, 422, "amount"),
        ("vendor", "post", f"{o}/payments", {**transfer, "currency": "CNY"}, {}, 422, "currency"),
        (
            "vendor",
            "post",
            f"{o}/payments",
            {**transfer, "paid_on": "yesterday"},
            {},
            422,
            "paid_on",
        ),
        (
            "vendor",
            "post",
            f"{o}/payments",
            {**transfer, "reference": "r" * 201},
            {},
            422,
            "reference",
        ),
        ("licensee", "post", f"{o}/payments", transfer, {}, 403, None),
        ("other vendor", "post", f"{o}/payments", transfer, {}, 404, None),
        ("vendor", "post", "/v1/orders/unknown/payments", transfer, {}, 404, None),
        ("licensee", "post", f"{o}/cancel", {}, {}, 422, "reason"),
        ("vendor", "post", f"{o}/refund", {"reason": 3}, {}, 422, "reason"),
        ("vendor", "post", f"{o}/refund", {"reason": "r"}, {}, 409, None),
        ("licensee", "get", f"{o}/invoice.html?lang=fr", None, {}, 422, "lang"),
        ("licensee", "get", "/v1/orders/unknown/invoice.html", None, {}, 404, None),
    ]


def callback_cases(order_id):
    good = {"payment_id": "p1", "order_id": order_id, "amount": "25000.00", "currency": "USD"}
    signed = [
        ({**good, "amount": 25000.0}, 422, "amount"),
        ({**good, "currency": "usd"}, 422, "currency"),
        ({k: v for k, v in good.items() if k != "payment_id"}, 422, "payment_id"),
        ({**good, "status": "ok"}, 422, "status"),
        ([good], 422, None),
    ]
    return [(json.dumps(body).encode(), status, field) for body, status, field in signed] + [
        (b"{not json", 400, None)
    ]


def purchasing_snapshot(market) -> dict:
    with market.context.engine.connect() as conn:
        return {
            **licensing_snapshot(market),
            **{
                table: conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1")).all()
                for table in ("quote", "purchase_order", "invoice", "payment", "invoice_counter")
            },
        }


def test_bad_input_on_every_purchasing_endpoint_changes_nothing(client, market, provider_secret):
    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    core = market.core(
        vendor, price={"amount": "25000.00", "currency": "USD"}, requires_approval=False
    )
    onreq = {
        **core,
        "offers": [
            *core["offers"],
            {**core["offers"][0], "offer_id": "onreq", "price": None, "on_request": True},
        ],
        "version": 2,
    }
    market.apply("ipmarket.core.updated.v1", core["core_id"], onreq)
    quote = client.post(
        "/v1/quotes",
        headers=licensee.headers,
        json={
            "core_id": core["core_id"],
            "offer_id": "onreq",
            "project_name": "p",
            "intended_use": "u",
            "end_use_country": "CN",
            "volume": 10,
        },
    ).json
    order = place_order(client, market)
    free = client.post(
        "/v1/license-requests", json=request_body(core, offer_id="eval"), headers=licensee.headers
    ).json
    before = purchasing_snapshot(market)

    for who, method, path, body, headers, status, field in cases(
        core["core_id"], quote["id"], order["id"], free["id"]
    ):
        response = client.open(
            path,
            method=method.upper(),
            json=body,
            headers={**market.parties[who].headers, **headers},
        )
        what = f"{who} {method.upper()} {path} {body!r}"
        assert response.status_code == status, f"{what}: {response.status_code} {response.json}"
        assert response.content_type == "application/problem+json", what
        if field is not None:
            fields = [e["field"] for e in response.json["errors"]]
            assert field in fields, f"{what}: {response.json}"

    for body, status, field in callback_cases(order["id"]):
        response = client.post("/v1/payments/callback", data=body, headers=callback_headers(body))
        assert response.status_code == status, f"{body!r}: {response.json}"
        assert response.content_type == "application/problem+json"
        if field is not None:
            assert field in [e["field"] for e in response.json["errors"]], response.json
    assert purchasing_snapshot(market) == before
