"""The projection of the catalog's cores: newest state wins, late old states change nothing."""
from __future__ import annotations

from services.licensing.models import KnownCore
from tests.licensing.conftest import core_state


def test_core_events_keep_the_newest_state(market):
    vendor = market.parties["vendor"]
    state = core_state(vendor.organisation_id, state_version=2, eccn="3E001")
    market.apply("ipmarket.core.published.v1", state["core_id"], state)
    market.apply("ipmarket.core.updated.v1", state["core_id"],
                 {**state, "eccn": "EAR99", "version": 1})  # older: ignored
    with market.context.session_factory() as session:
        assert session.get(KnownCore, state["core_id"]).eccn == "3E001"
    market.apply("ipmarket.core.withdrawn.v1", state["core_id"],
                 {**state, "status": "withdrawn", "version": 3})
    with market.context.session_factory() as session:
        core = session.get(KnownCore, state["core_id"])
        assert (core.status, core.version) == ("withdrawn", 3)


def test_a_withdrawn_core_cannot_be_requested(client, market):
    from tests.licensing.conftest import request_body

    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    core = market.core(vendor)
    market.apply("ipmarket.core.withdrawn.v1", core["core_id"],
                 {**core, "status": "withdrawn", "version": 2})
    before = market.counts()
    response = client.post("/license-requests", json=request_body(core),
                           headers=licensee.headers)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "core_id"
    assert market.counts() == before
