"""POST /v1/ip-requests on the catalog in process: a bad field is a problem naming it, a sent
request is kept and its event (with the vendors it names) goes to the outbox."""

from __future__ import annotations

from shared.events import catalog as events
from tests.integration.catalog.conftest import assert_problem
from tests.integration.catalog.test_people import last_event

REQUEST = {
    "category": "memories",
    "description": "A 2 Mb single-port SRAM compiler for 22 nm, low leakage.",
    "node": "22nm",
    "contact_name": "Li Wei",
    "contact_email": "li.wei@xinyuan.example",
}


def test_a_request_for_ip_is_kept_and_published_and_a_bad_field_is_named(catalog):
    bad = catalog.client.post(
        "/v1/ip-requests", json=REQUEST | {"category": "teleporters"}, headers=catalog.licensee.auth
    )
    assert_problem(bad, 422, "category")
    assert_problem(catalog.client.post("/v1/ip-requests", json=REQUEST), 401)
    sent = catalog.client.post("/v1/ip-requests", json=REQUEST, headers=catalog.licensee.auth)
    assert sent.status_code == 201, sent.json
    assert sent.json["vendors_told"] == len(last_event(catalog, events.IP_REQUESTED)["vendor_ids"])
    event = last_event(catalog, events.IP_REQUESTED)
    assert event["ip_request_id"] == sent.json["ip_request_id"]
    assert event["organisation_id"] == catalog.licensee.id and event["foundry"] is None
