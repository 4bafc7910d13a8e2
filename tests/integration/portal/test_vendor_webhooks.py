"""Webhook endpoints in the portal against the real notify service on PostgreSQL and Kafka, with
its delivery worker sending to a real HTTP receiver on loopback: a vendor's owner adds an
endpoint through the portal (its secret shown once verifies what arrives), a licensee's request
reaches it, first refused by the receiver; the portal's delivery log shows the delivery and its
attempt; replayed from the portal, it arrives again with the same webhook-id."""

from __future__ import annotations

import re
import threading

import pytest

from services.notify.delivery.worker import DeliveryWorker
from shared.messaging.outbox import OutboxRelay
from tests.integration.notify.conftest import receiver  # noqa: F401 - a fixture
from tests.integration.portal.vendor_marketplace import (
    csrf,
    set_up,
    signed_in_portal,
    submit_request,
)
from tests.integration.shared.conftest import Platform
from tests.support import wait_until


@pytest.fixture
def platform(platform_env, tmp_path):
    """The Platform of the shared tests, with what notices need besides: the licensing
    service's outbox relay (its events reach notify) and notify's delivery worker."""
    platform = Platform(tmp_path / "store")
    licensing = platform.apps["licensing"].extensions["ipmarket"]
    relay = OutboxRelay(licensing.engine, licensing.outbox_model.__table__)
    worker = DeliveryWorker(platform.apps["notify"].extensions["ipmarket"].session_factory)
    for run in (relay.run, worker.run):
        thread = threading.Thread(target=run, args=(platform.stop,), daemon=True)
        thread.start()
        platform.threads.append(thread)
    yield platform
    platform.close()


def test_an_owner_adds_an_endpoint_sees_a_delivery_and_its_attempts_and_replays_it(
    platform,
    receiver,  # noqa: F811
):
    marketplace = set_up(platform, ["owner"])
    client = signed_in_portal(platform, "/vendor/webhooks")
    # The receiver refuses every attempt until the replay: the worker gives the delivery up
    # after four attempts (IPMARKET_WEBHOOK_RETRY_SECONDS of the tests: 0,1,1,2), so that what
    # arrives after the replay is the replay's.
    receiver.answers["/ipmarket"] = [(503, {})]

    page = client.get("/vendor/webhooks").text
    bad = client.post("/vendor/webhooks", data={"csrf_token": csrf(page), "url": "hooks"})
    assert bad.status_code == 422 and 'id="url-error"' in bad.text
    created = client.post(
        "/vendor/webhooks",
        data={"csrf_token": csrf(page), "url": f"{receiver.base_url}/ipmarket", "description": ""},
    )
    assert created.status_code == 201, created.text
    secret = re.search(r'value="(whsec_[^"]+)"', created.text).group(1)
    endpoint_id = re.search(r'href="/vendor/webhooks/([^"?]+)"', created.text).group(1)
    receiver.secrets["/ipmarket"] = secret

    submit_request(platform, marketplace)
    first = wait_until(lambda: receiver.on("/ipmarket"), timeout=30, what="the first delivery")[0]
    assert first.verified and first.status == 503

    page = wait_until(
        lambda: (
            (p := client.get(f"/vendor/webhooks/{endpoint_id}").text) and "delivery-" in p and p
        ),
        timeout=30,
        what="the delivery in the portal's log",
    )
    delivery_id = re.search(r'id="delivery-([^"]+)"', page).group(1)
    assert first.headers["webhook-id"] in page
    # The attempt is recorded before it is sent and its outcome after: the receiver may have
    # answered before the outcome is written.
    attempts = wait_until(
        lambda: (
            (
                a := client.get(
                    f"/vendor/webhooks/{endpoint_id}/deliveries/{delivery_id}/attempts",
                    headers={"HX-Request": "true"},
                ).text
            )
            and "503" in a
            and a
        ),
        timeout=30,
        what="the first attempt's outcome in the portal's log",
    )
    assert "<html" not in attempts

    receiver.answers["/ipmarket"] = [(204, {})]
    replayed = client.post(
        f"/vendor/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay",
        data={"csrf_token": csrf(page)},
    )
    assert replayed.status_code == 303
    again = wait_until(
        lambda: [r for r in receiver.on("/ipmarket") if r.status == 204],
        timeout=30,
        what="the replayed delivery",
    )
    assert again[0].verified and again[0].headers["webhook-id"] == first.headers["webhook-id"]
