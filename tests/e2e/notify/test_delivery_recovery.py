"""The delivery worker killed with `kill -9` in the middle of a send, as separate processes
against real PostgreSQL and a real HTTP receiver: the webhook it sent is in the attempt log
(written before sending), and another worker sends it again once the lease runs out, within
30 s of the kill; while a worker lives, it renews the leases of what it holds. The figure is
printed (run with -s to see it)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from services.notify.app import create_app
from services.notify.delivery import DeliveryWorker
from services.notify.models import Attempt
from tests.integration.notify.test_delivery import auth, deliveries, endpoint_for, license_event
from tests.support import wait_until


def test_a_webhook_sent_before_the_worker_was_killed_is_logged_and_sent_again_within_30_s(
    platform_env, processes, organisation, receiver, handle, notify_context, tmp_path
):
    processes.env.update(
        {"IPMARKET_WEBHOOK_TIMEOUT_SECONDS": "30", "IPMARKET_MAIL_DIR": str(tmp_path / "mail")}
    )
    app = create_app()
    client = app.test_client()
    vendor_id, vendor_key = organisation("Golden Gate IP Inc.", roles=["vendor"], contacts=[])
    licensee_id, _ = organisation("Xinhe", country="CN", contacts=[])
    endpoint_for(client, vendor_key, receiver, "/held")
    receiver.delay["/held"] = 20  # the first request is still being answered at the kill
    event = handle(license_event("issued", vendor_id, licensee_id))
    [delivery] = deliveries(notify_context, notice_id=event.id)

    processes.start("deliver-a", "deliver")
    wait_until(lambda: receiver.arrived == ["/held"], timeout=30, what="the first send")
    processes.stop("deliver-a", sig="kill")
    killed = time.monotonic()
    del receiver.delay["/held"]  # the resend is answered at once

    # Sent but never answered: in the log all the same, without an outcome.
    attempts = client.get(f"/v1/deliveries/{delivery.id}/attempts", headers=auth(vendor_key))
    assert [(a["succeeded"], a["status_code"]) for a in attempts.json["items"]] == [(None, None)]

    processes.start("deliver-b", "deliver")
    wait_until(
        lambda: len(receiver.arrived) == 2,
        timeout=40,
        interval=0.1,
        what="another worker to send the claimed webhook again",
    )
    reclaimed = time.monotonic() - killed
    print(f"\ndelivery worker kill -9 → its claimed webhook sent by another: {reclaimed:.1f} s")
    assert reclaimed < 25
    wait_until(
        lambda: deliveries(notify_context, id=delivery.id)[0].state == "succeeded",
        timeout=10,
        what="the success to be recorded",
    )
    with notify_context.session_factory() as session:
        logged = session.execute(
            sa.select(Attempt.succeeded, Attempt.status_code)
            .where(Attempt.delivery_id == delivery.id)
            .order_by(Attempt.id)
        ).all()
    assert [tuple(row) for row in logged] == [(None, None), (True, 204)]
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    assert f"delivery {delivery.id} (attempt " in processes.log("deliver-b")
    app.extensions["ipmarket"].engine.dispose()


def test_a_live_worker_keeps_renewing_its_lease_so_a_long_send_is_not_sent_twice(
    platform_env, organisation, receiver, handle, notify_context, monkeypatch
):
    monkeypatch.setenv("IPMARKET_WEBHOOK_TIMEOUT_SECONDS", "10")
    app = create_app()
    client = app.test_client()
    vendor_id, vendor_key = organisation("Golden Gate IP Inc.", roles=["vendor"], contacts=[])
    licensee_id, _ = organisation("Xinhe", country="CN", contacts=[])
    endpoint_for(client, vendor_key, receiver, "/slow")
    receiver.delay["/slow"] = 4  # twice the lease
    event = handle(license_event("issued", vendor_id, licensee_id))
    workers, stop = [], threading.Event()
    for _ in range(2):  # the second would take the delivery if the first's lease ran out
        worker = DeliveryWorker(notify_context.session_factory)
        worker.lease, worker.renew_every = timedelta(seconds=2), 0.4
        workers.append(threading.Thread(target=worker.run, args=(stop,), daemon=True))
        workers[-1].start()
    try:
        wait_until(
            lambda: all(
                d.state == "succeeded" for d in deliveries(notify_context, notice_id=event.id)
            ),
            timeout=20,
            what="the slow webhook to be delivered",
        )
    finally:
        stop.set()
        for thread in workers:
            thread.join(15)
    assert receiver.arrived == ["/slow"]  # sent once: the lease was renewed during the send
    app.extensions["ipmarket"].engine.dispose()
