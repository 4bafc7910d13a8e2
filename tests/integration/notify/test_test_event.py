""" "Send a test event": one `ipmarket.webhook.test.v1` delivery to the endpoint asked for,
queued like any notice (signed, retried, in the delivery log) and sent by the delivery worker
to a real HTTP receiver that verifies its Standard Webhooks signature."""

from __future__ import annotations

from services.notify.domain.webhooks import TEST_EVENT_TYPE
from tests.integration.notify.test_delivery import (  # noqa: F401 - fixtures
    auth,
    client,
    deliveries,
    endpoint_for,
    env,
    start_worker,
)
from tests.support import wait_until


def test_a_test_event_is_signed_logged_and_only_for_its_endpoint(
    env,  # noqa: F811 - the fixtures imported above
    client,  # noqa: F811
    organisation,
    receiver,
    start_worker,  # noqa: F811
    notify_context,
):
    vendor_id, vendor_key = organisation("Golden Gate IP Inc.", roles=["vendor"], contacts=[])
    # The endpoint takes one event type only: a test reaches it all the same.
    tested = endpoint_for(
        client, vendor_key, receiver, "/tested", event_types=["ipmarket.license.issued.v1"]
    )
    other = endpoint_for(client, vendor_key, receiver, "/other")
    receiver.answers["/tested"] = [(500, {}), (200, {})]

    queued = client.post(f"/v1/endpoints/{tested['id']}/test", headers=auth(vendor_key))
    assert queued.status_code == 202, queued.json
    assert queued.json["state"] == "pending" and queued.json["endpoint_id"] == tested["id"]
    start_worker()

    wait_until(
        lambda: deliveries(notify_context, id=queued.json["id"])[0].state == "succeeded",
        timeout=15,
        what="the test event to be delivered after one retry",
    )
    calls = receiver.on("/tested")
    assert len(calls) == 2 and all(c.verified for c in calls)
    assert {c.headers["webhook-id"] for c in calls} == {queued.json["message_id"]}
    assert calls[0].payload["type"] == TEST_EVENT_TYPE
    assert calls[0].payload["data"]["endpoint_id"] == tested["id"]
    assert calls[0].payload["data"]["organisation_id"] == vendor_id
    assert receiver.on("/other") == [] and deliveries(notify_context, endpoint_id=other["id"]) == []

    logged = client.get(f"/v1/endpoints/{tested['id']}/deliveries", headers=auth(vendor_key))
    assert [d["id"] for d in logged.json["items"]] == [queued.json["id"]]
    attempts = client.get(f"/v1/endpoints/{tested['id']}/attempts", headers=auth(vendor_key))
    assert [a["status_code"] for a in attempts.json["items"]] == [200, 500]


def test_only_the_owner_tests_an_enabled_endpoint(client, organisation, receiver):  # noqa: F811
    _, vendor_key = organisation("Golden Gate IP Inc.", roles=["vendor"], contacts=[])
    _, stranger_key = organisation("Elsewhere Ltd", roles=["vendor"], contacts=[])
    endpoint = endpoint_for(client, vendor_key, receiver, "/hooks")
    path = f"/v1/endpoints/{endpoint['id']}/test"
    assert client.post(path, headers=auth(stranger_key)).status_code == 404
    client.patch(
        f"/v1/endpoints/{endpoint['id']}", headers=auth(vendor_key), json={"enabled": False}
    )
    refused = client.post(path, headers=auth(vendor_key))
    assert refused.status_code == 409
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert client.post("/v1/endpoints/nope/test", headers=auth(vendor_key)).status_code == 404
