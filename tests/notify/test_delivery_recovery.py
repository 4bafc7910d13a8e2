"""The delivery worker killed with `kill -9` in the middle of a send, as separate processes
against real PostgreSQL and a real HTTP receiver: the webhook it sent is in the attempt log
(written before sending), and another worker sends it again once the lease runs out, within
30 s of the kill. The figure is printed (run with -s to see it)."""
from __future__ import annotations

import time

import sqlalchemy as sa

from services.notify.app import create_app
from services.notify.models import Attempt
from tests.notify.test_delivery import auth, deliveries, endpoint_for, license_event
from tests.support import wait_until


def test_a_webhook_sent_before_the_worker_was_killed_is_logged_and_sent_again_within_30_s(
        platform_env, processes, organisation, receiver, handle, notify_context, tmp_path):
    processes.env.update({"IPMARKET_WEBHOOK_TIMEOUT_SECONDS": "30",
                          "IPMARKET_MAIL_DIR": str(tmp_path / "mail")})
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
    attempts = client.get(f"/v1/messages/{delivery.id}/attempts", headers=auth(vendor_key))
    assert [(a["succeeded"], a["status_code"]) for a in attempts.json] == [(None, None)]

    processes.start("deliver-b", "deliver")
    wait_until(lambda: len(receiver.arrived) == 2, timeout=40, interval=0.1,
               what="another worker to send the claimed webhook again")
    reclaimed = time.monotonic() - killed
    print(f"\ndelivery worker kill -9 → its claimed webhook sent by another: {reclaimed:.1f} s")
    assert reclaimed < 25
    wait_until(lambda: deliveries(notify_context, id=delivery.id)[0].state == "succeeded",
               timeout=10, what="the success to be recorded")
    with notify_context.session_factory() as session:
        logged = session.execute(sa.select(Attempt.succeeded, Attempt.status_code)
                                 .where(Attempt.delivery_id == delivery.id)
                                 .order_by(Attempt.id)).all()
    assert [tuple(row) for row in logged] == [(None, None), (True, 204)]
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    assert f"delivery {delivery.id} (attempt " in processes.log("deliver-b")
    app.extensions["ipmarket"].engine.dispose()
