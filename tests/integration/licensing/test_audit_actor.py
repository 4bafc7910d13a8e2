"""Who did it: a decision made through the API names the acting key, in the audit (with the
organisation it acted for) and in the event it published."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import services.licensing.purchasing_models  # noqa: F401  (the whole metadata: its tables too)
from services.licensing.models import Base, KnownApiKey
from shared.directory import hash_api_key
from tests.integration.licensing.conftest import request_body

pytestmark = pytest.mark.databases("sqlite", "postgresql")


def key_id_of(market, party) -> str:
    with market.context.session_factory() as session:
        return session.scalar(
            sa.select(KnownApiKey.key_id).where(KnownApiKey.key_hash == hash_api_key(party.key))
        )


def published(market, event_type: str) -> list[dict]:
    with market.context.engine.connect() as conn:
        payloads = conn.execute(
            sa.text("SELECT payload FROM outbox WHERE event_type = :t ORDER BY seq"),
            {"t": event_type},
        ).scalars()
        return [json.loads(payload) for payload in payloads]


def test_an_approval_with_a_key_names_the_key_in_the_audit_and_the_event(client, market):
    vendor = market.organisation(
        "Shanghai Xinyuan Microelectronics", ["vendor"], name_zh="上海芯源微电子"
    )
    licensee = market.parties["licensee"]
    submitted = client.post(
        "/v1/license-requests", json=request_body(market.core(vendor)), headers=licensee.headers
    ).json
    assert submitted["state"] == "pending_approval", submitted
    response = client.post(
        f"/v1/license-requests/{submitted['id']}/approve",
        json={"comment": "ok"},
        headers=vendor.headers,
    )
    assert response.status_code == 200, response.json

    entries = client.get(
        "/v1/audit", query_string={"subject_id": submitted["id"]}, headers=vendor.headers
    ).json["items"]
    approved = next(e for e in entries if e["action"] == "request.approved")
    vendor_key = key_id_of(market, vendor)
    assert approved["actor"] == {
        "kind": "key",
        "id": vendor_key,
        "name": "test",  # the key's label (API_KEY_CREATED's name): "test (key) for Xinyuan"
        "organisation_id": vendor.organisation_id,
        "organisation_name_en": "Shanghai Xinyuan Microelectronics",
        "organisation_name_zh": "上海芯源微电子",
    }
    submitted_entry = next(e for e in entries if e["action"] == "request.submitted")
    assert submitted_entry["actor"]["id"] == key_id_of(market, licensee)
    screened = next(e for e in entries if e["action"] == "request.screened")
    assert screened["actor"]["kind"] == "system"

    [event] = published(market, "ipmarket.license.approved.v1")
    assert (
        event["actorkind"],
        event["actorid"],
        event["actorname"],
        event["actororganisation"],
    ) == (
        "key",
        vendor_key,
        "test",
        vendor.organisation_id,
    )
    [requested] = published(market, "ipmarket.license.requested.v1")
    assert requested["actorid"] == key_id_of(market, licensee)


def test_the_migration_gives_the_audit_the_columns_the_model_says(make_database):
    engine = sa.create_engine(make_database("licensing"))
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    assert [d for d in differences if "audit_entry" in str(d)] == []
