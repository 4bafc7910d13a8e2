"""The projection of the catalog's cores: newest state wins, late old states change nothing."""

from __future__ import annotations

from services.licensing.models import KnownCore
from tests.integration.licensing.conftest import core_state


def test_core_events_keep_the_newest_state(market):
    vendor = market.parties["vendor"]
    state = core_state(vendor.organisation_id, state_version=2, eccn="3E001")
    market.apply("ipmarket.core.published.v1", state["core_id"], state)
    market.apply(
        "ipmarket.core.updated.v1", state["core_id"], {**state, "eccn": "EAR99", "version": 1}
    )  # older: ignored
    with market.context.session_factory() as session:
        assert session.get(KnownCore, state["core_id"]).eccn == "3E001"
    market.apply(
        "ipmarket.core.withdrawn.v1",
        state["core_id"],
        {**state, "status": "withdrawn", "version": 3},
    )
    with market.context.session_factory() as session:
        core = session.get(KnownCore, state["core_id"])
        assert (core.status, core.version) == ("withdrawn", 3)


def test_a_withdrawn_core_cannot_be_requested(client, market):
    from tests.integration.licensing.conftest import request_body

    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    core = market.core(vendor)
    market.apply(
        "ipmarket.core.withdrawn.v1", core["core_id"], {**core, "status": "withdrawn", "version": 2}
    )
    before = market.counts()
    response = client.post(
        "/v1/license-requests", json=request_body(core), headers=licensee.headers
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "core_id"
    assert market.counts() == before


def test_a_request_sees_a_cores_newest_terms_though_it_was_requested_before(client, market):
    """The core's terms are remembered per projection version (core_terms_cache.py): each newer
    state that arrives is what the next request is screened against and granted."""
    from tests.integration.licensing.conftest import request_body

    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    core = market.core(vendor)
    eval_request = request_body(core, offer_id="eval")

    def granted_digests():
        response = client.post("/v1/license-requests", json=eval_request, headers=licensee.headers)
        assert response.status_code == 201, response.json
        license = client.get(
            f"/v1/licenses/{response.json['license_id']}", headers=licensee.headers
        ).json
        return [d["sha256"] for d in license["claims"]["deliverables"]]

    assert granted_digests() == ["a" * 64, "b" * 64]
    market.apply(
        "ipmarket.core.updated.v1",
        core["core_id"],
        {
            **core,
            "version": 2,
            "deliverables": [{"kind": "rtl", "name": "usb3_phy_rtl.tar.gz", "sha256": "c" * 64}],
        },
    )
    assert granted_digests() == ["c" * 64]

    market.apply(
        "ipmarket.core.updated.v1",
        core["core_id"],
        {**core, "version": 3, "territory_restrictions": ["SG"]},
    )
    response = client.post("/v1/license-requests", json=eval_request, headers=licensee.headers)
    assert response.json["state"] == "denied"
    assert response.json["screening"]["reason_code"] == "VENDOR_TERRITORY_RESTRICTION"

    market.apply(
        "ipmarket.core.withdrawn.v1", core["core_id"], {**core, "status": "withdrawn", "version": 4}
    )
    before = market.counts()
    response = client.post("/v1/license-requests", json=eval_request, headers=licensee.headers)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "core_id"
    assert market.counts() == before
