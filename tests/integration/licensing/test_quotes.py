"""Quotes for offers priced on request: ask, answer, accept (→ a screened request at the quoted
price, then an order) or decline; an expired quote cannot be accepted."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.orm import Session

from services.licensing.models import Base, LicenseRequest
from services.licensing.purchasing_models import Quote
from shared.db.migrations import upgrade
from shared.db.schema import new_id, utcnow
from tests.integration.licensing.conftest import core_state
from tests.integration.licensing.test_api import events_of

pytestmark = pytest.mark.databases("sqlite", "postgresql")

QUOTE_EVENTS = ["requested", "sent", "accepted", "declined"]


def ask(client, market, core, **overrides):
    body = {
        "core_id": core["core_id"],
        "offer_id": "std",
        "project_name": "Kunlun NPU",
        "intended_use": "PCIe PHY in an AI accelerator",
        "end_use_country": "CN",
        "volume": 200000,
        "details": "tape-out Q3, 12 nm",
        **overrides,
    }
    return client.post("/v1/quotes", json=body, headers=market.parties["licensee"].headers)


def answer(client, market, quote, amount="180000.00", currency="CNY", days=30):
    return client.post(
        f"/v1/quotes/{quote['id']}/send",
        json={
            "amount": amount,
            "currency": currency,
            "terms": "Net 30; 2 design wins",
            "valid_until": (utcnow() + timedelta(days=days)).isoformat(),
        },
        headers=market.parties["vendor"].headers,
    )


def test_quote_accepted_becomes_an_approved_request_and_an_order(client, market):
    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    core = market.core(vendor, on_request=True)  # requires_approval: the quote stands for it
    direct = client.post(
        "/v1/license-requests",
        headers=licensee.headers,
        json={
            "core_id": core["core_id"],
            "offer_id": "std",
            "project_name": "p",
            "intended_use": "u",
            "end_use_country": "CN",
        },
    )
    assert direct.status_code == 422 and direct.json["errors"][0]["field"] == "offer_id"

    quote = ask(client, market, core)
    assert quote.status_code == 201, quote.json
    quote = quote.json
    assert quote["state"] == "requested" and quote["volume"] == 200000
    assert (
        client.post(
            f"/v1/quotes/{quote['id']}/accept", json={}, headers=licensee.headers
        ).status_code
        == 409
    )  # no price yet
    assert answer(client, market, quote, amount="150000.00").json["state"] == "sent"
    sent = answer(client, market, quote).json  # a revised quote before the answer
    assert sent["price"] == {"amount": "180000.00", "currency": "CNY"}
    assert (
        client.post(f"/v1/quotes/{quote['id']}/accept", json={}, headers=vendor.headers).status_code
        == 403
    )

    accepted = client.post(f"/v1/quotes/{quote['id']}/accept", json={}, headers=licensee.headers)
    assert accepted.status_code == 200, accepted.json
    request = accepted.json["request"]
    assert accepted.json["state"] == "accepted" and request["state"] == "approved"
    assert accepted.json["request_id"] == request["id"]
    order = client.post(
        "/v1/orders", json={"request_id": request["id"]}, headers=licensee.headers
    ).json
    assert order["price"] == {"amount": "180000.00", "currency": "CNY"}
    assert order["quote_id"] == quote["id"]

    for what in ("requested", "sent", "accepted"):
        for event in events_of(market, f"ipmarket.quote.{what}.v1"):
            assert event["vendor_id"] == vendor.organisation_id
            assert event["licensee_id"] == licensee.organisation_id
    assert events_of(market, "ipmarket.quote.accepted.v1")[0]["amount"] == "180000.00"
    audit = client.get(f"/v1/audit?subject_id={quote['id']}", headers=licensee.headers).json
    assert [e["action"] for e in audit["items"]] == [
        "quote.requested",
        "quote.sent",
        "quote.sent",
        "quote.accepted",
    ]


def test_declined_and_expired_quotes_cannot_be_accepted(client, market):
    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    core = market.core(vendor, on_request=True)
    declined = ask(client, market, core).json
    answer(client, market, declined)
    response = client.post(
        f"/v1/quotes/{declined['id']}/decline",
        json={"reason": "too dear"},
        headers=licensee.headers,
    )
    assert response.json["state"] == "declined"
    assert (
        client.post(
            f"/v1/quotes/{declined['id']}/accept", json={}, headers=licensee.headers
        ).status_code
        == 409
    )
    assert events_of(market, "ipmarket.quote.declined.v1")[0]["reason"] == "too dear"

    expiring = ask(client, market, core).json
    answer(client, market, expiring)
    with market.context.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE quote SET valid_until = :t WHERE id = :id"),
            {"t": utcnow() - timedelta(seconds=1), "id": expiring["id"]},
        )
    response = client.post(f"/v1/quotes/{expiring['id']}/accept", json={}, headers=licensee.headers)
    assert response.status_code == 409 and response.json["state"] == "expired"
    assert market.count("license_request") == 0


def test_a_sent_quote_stands_after_the_vendor_edits_or_removes_its_offer(client, market):
    """Removing an offer stops new requests and quotes, not a quote already priced: accepted
    before it expires, it is at the offer as it stood when sent. A withdrawn core is no longer
    licensed at all."""
    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    core = market.core(vendor, on_request=True, term_months=12)
    quote = ask(client, market, core).json
    withdrawn_core = market.core(vendor, on_request=True)
    on_withdrawn = ask(client, market, withdrawn_core).json
    for sent in (quote, on_withdrawn):
        assert answer(client, market, sent).status_code == 200
    std, evaluation = core["offers"]
    edited = {**core, "offers": [{**std, "term_months": 36, "kind": "perpetual"}, evaluation]}
    market.apply("ipmarket.core.updated.v1", core["core_id"], {**edited, "version": 2})
    removed = {**core, "offers": [evaluation], "version": 3}
    market.apply("ipmarket.core.updated.v1", core["core_id"], removed)
    market.apply(
        "ipmarket.core.withdrawn.v1",
        withdrawn_core["core_id"],
        {**withdrawn_core, "status": "withdrawn", "version": 2},
    )
    refused = ask(client, market, core)  # no new quote on the removed offer
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "offer_id"

    accepted = client.post(f"/v1/quotes/{quote['id']}/accept", json={}, headers=licensee.headers)
    assert accepted.status_code == 200, accepted.json
    request = accepted.json["request"]
    assert (accepted.json["state"], request["state"]) == ("accepted", "approved")
    assert request["offer_kind"] == "single_project"  # as sent, not as edited
    with market.context.session_factory() as session:
        offer = session.get(LicenseRequest, request["id"]).offer
    assert offer["term_months"] == 12 and offer["quote_id"] == quote["id"]
    assert offer["price"] == {"amount": "180000.00", "currency": "CNY"}
    order = client.post("/v1/orders", json={"request_id": request["id"]}, headers=licensee.headers)
    assert order.status_code == 201 and order.json["quote_id"] == quote["id"]

    gone = client.post(f"/v1/quotes/{on_withdrawn['id']}/accept", json={}, headers=licensee.headers)
    assert gone.status_code == 409, gone.json
    assert (
        client.get(f"/v1/quotes/{on_withdrawn['id']}", headers=licensee.headers).json["state"]
        == "sent"
    )
    assert market.count("license_request") == 1


def test_the_vendor_rejects_a_quote_request_with_a_reason_the_licensee_is_told(client, market):
    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    core = market.core(vendor, on_request=True)
    quote = ask(client, market, core).json
    path = f"/v1/quotes/{quote['id']}/reject"
    refused = client.post(path, json={"reason": "no"}, headers=licensee.headers)
    assert refused.status_code == 403  # the licensee declines instead
    empty = client.post(path, json={"reason": ""}, headers=vendor.headers)
    assert empty.status_code == 422 and empty.json["errors"][0]["field"] == "reason"
    assert client.post(path, json={}, headers=vendor.headers).status_code == 422
    rejected = client.post(path, json={"reason": "not for 12 nm"}, headers=vendor.headers)
    assert rejected.status_code == 200, rejected.json
    assert (rejected.json["state"], rejected.json["rejection_reason"]) == (
        "rejected",
        "not for 12 nm",
    )
    again = client.post(path, json={"reason": "still no"}, headers=vendor.headers)
    assert again.status_code == 409 and again.json["state"] == "rejected"
    assert answer(client, market, quote).status_code == 409  # nor priced after
    accept = client.post(f"/v1/quotes/{quote['id']}/accept", json={}, headers=licensee.headers)
    assert accept.status_code == 409
    seen = client.get(f"/v1/quotes/{quote['id']}", headers=licensee.headers).json
    assert seen["rejection_reason"] == "not for 12 nm"
    [event] = events_of(market, "ipmarket.quote.rejected.v1")
    assert (event["reason"], event["licensee_id"]) == ("not for 12 nm", licensee.organisation_id)
    audit = client.get(f"/v1/audit?subject_id={quote['id']}", headers=vendor.headers).json
    assert [e["action"] for e in audit["items"]] == ["quote.requested", "quote.rejected"]


def test_quotes_are_seen_by_their_parties_only(client, market):
    core = market.core(market.parties["vendor"], on_request=True)
    quote = ask(client, market, core).json
    for name, status in [
        ("licensee", 200),
        ("vendor", 200),
        ("admin", 200),
        ("other licensee", 404),
        ("other vendor", 404),
    ]:
        assert (
            client.get(
                f"/v1/quotes/{quote['id']}", headers=market.parties[name].headers
            ).status_code
            == status
        ), name
    assert answer(client, market, quote).status_code == 200
    assert (
        client.post(
            f"/v1/quotes/{quote['id']}/send",
            headers=market.parties["other vendor"].headers,
            json={
                "amount": "1.00",
                "currency": "USD",
                "terms": "t",
                "valid_until": "2099-01-01T00:00:00Z",
            },
        ).status_code
        == 404
    )


def test_the_migration_gives_quotes_made_before_it_the_offer_licensing_still_knows(
    make_database,
):
    url = make_database("licensing", "0013")
    engine = sa.create_engine(url)
    tables = sa.MetaData()
    tables.reflect(engine, only=["known_core", "quote"])
    core = core_state(new_id(), on_request=True)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            tables.tables["known_core"].insert(),
            {name: core[name] for name in tables.tables["known_core"].c.keys()},
        )
        for quote_id, offer_id in (("q-kept", "std"), ("q-gone", "removed")):
            conn.execute(
                tables.tables["quote"].insert(),
                {
                    "id": quote_id,
                    "licensee_id": "C",
                    "vendor_id": core["vendor_id"],
                    "core_id": core["core_id"],
                    "vlnv": core["vlnv"],
                    "offer_id": offer_id,
                    "state": "sent",
                    "project_name": "p",
                    "intended_use": "u",
                    "end_use_country": "CN",
                    "volume": 1,
                    "created_at": now,
                    "updated_at": now,
                },
            )
    upgrade("licensing", url)
    with Session(engine) as session:
        offers = {quote.id: quote.offer for quote in session.scalars(sa.select(Quote))}
        differences = compare_metadata(
            MigrationContext.configure(session.connection(), opts={"compare_type": True}),
            Base.metadata,
        )
    engine.dispose()
    assert offers == {"q-kept": core["offers"][0], "q-gone": None}
    assert [d for d in differences if "quote" in str(d)] == []
