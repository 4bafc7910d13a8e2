"""The licensing API's HTTP contract where clients get it wrong, and the JSON it sends: dumped
through the schemas its document shows."""

from __future__ import annotations

import json

from tests.integration.licensing.conftest import PROVIDER_SECRET, callback_headers, request_body


def test_a_body_that_is_not_json_is_415_and_changes_nothing(client, market):
    core = market.core(market.parties["vendor"])
    before = market.counts()
    response = client.post(
        "/v1/license-requests",
        data="core_id=" + core["core_id"],
        headers={
            **market.parties["licensee"].headers,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 415, response.json
    assert response.content_type == "application/problem+json"
    assert [e["field"] for e in response.json["errors"]] == ["Content-Type"]
    assert market.counts() == before


def test_the_payment_callback_takes_json_only(client, market, monkeypatch):
    monkeypatch.setenv("IPMARKET_PAYMENT_PROVIDER_SECRET", PROVIDER_SECRET)
    body = json.dumps(
        {"payment_id": "p", "order_id": "o", "amount": "1.00", "currency": "USD"}
    ).encode()
    headers = {**callback_headers(body), "Content-Type": "text/plain"}
    response = client.post("/v1/payments/callback", data=body, headers=headers)
    assert response.status_code == 415, response.json


def test_answers_are_what_the_document_says(client, market, app):
    """Each answer's fields are exactly its schema's (the fuzzer checks types and formats)."""
    licensee, vendor = market.parties["licensee"], market.parties["vendor"]
    core = market.core(vendor, requires_approval=False)
    made = client.post("/v1/license-requests", json=request_body(core), headers=licensee.headers)
    document = client.get("/openapi.json").json
    schemas = document["components"]["schemas"]
    answers = {
        "LicenseRequestOut": made.json,
        "LicenseOut": client.get(
            f"/v1/licenses/{made.json['license_id']}", headers=licensee.headers
        ).json,
        "VerificationOut": client.post(
            "/v1/licenses/verify",
            json={
                "license": client.get(
                    f"/v1/licenses/{made.json['license_id']}", headers=licensee.headers
                ).json["token"]
            },
        ).json,
        "Jwks": client.get("/.well-known/jwks.json").json,
    }
    for name, answer in answers.items():
        assert list(answer) == list(schemas[name]["properties"]), name
    operation = document["paths"]["/v1/license-requests/{request_id}"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LicenseRequestOut"
    }
