"""The delivery worker in process against a real HTTP receiver (every webhook verified with the
`standardwebhooks` package), a real SMTP server (aiosmtpd) and real PostgreSQL."""

from __future__ import annotations

import email
import email.policy
import queue
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from services.notify.app import create_app
from services.notify.delivery import DeliveryWorker
from services.notify.models import Attempt, Delivery, Endpoint, OutboxMessage
from shared.events import new_event
from tests.support import wait_until

VLNV = {"vendor": "goldengate", "library": "serdes", "name": "pcie5_phy", "version": "2.1"}


@pytest.fixture
def env(platform_env, smtp_server, monkeypatch):
    monkeypatch.setenv("IPMARKET_WEBHOOK_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("IPMARKET_SMTP_TIMEOUT_SECONDS", "2")
    return smtp_server


@pytest.fixture
def client(env):
    app = create_app()
    yield app.test_client()
    app.extensions["ipmarket"].engine.dispose()


@pytest.fixture
def start_worker(notify_context):
    """start_worker(**options) runs a delivery worker (or the one given) on a thread until the
    test ends."""
    running = []

    def start(worker: DeliveryWorker | None = None, **options) -> DeliveryWorker:
        worker = worker or DeliveryWorker(notify_context.session_factory, **options)
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        thread.start()
        running.append((stop, thread))
        return worker

    yield start
    for stop, thread in running:
        stop.set()
        thread.join(15)


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def endpoint_for(client, key: str, receiver, path: str, **options) -> dict:
    answer = client.post(
        "/v1/endpoints", headers=auth(key), json={"url": f"{receiver.base_url}{path}", **options}
    )
    assert answer.status_code == 201, answer.json
    receiver.secrets[path] = answer.json["secret"]
    return answer.json


def license_event(kind: str, vendor_id: str, licensee_id: str, **extra):
    return new_event(
        f"ipmarket.license.{kind}.v1",
        "/ipmarket/licensing",
        str(uuid.uuid4()),
        {
            "vendor_id": vendor_id,
            "licensee_id": licensee_id,
            "core_id": "core-1",
            "vlnv": VLNV,
            "license_id": str(uuid.uuid4()),
            "offer_kind": "single_project",
            "project_name": "NB-IoT SoC",
            "expires_at": "2027-11-24T16:00:00+00:00",
            **extra,
        },
    )


def deliveries(context, **where) -> list[Delivery]:
    with context.session_factory() as session:
        return list(
            session.scalars(sa.select(Delivery).filter_by(**where).order_by(Delivery.created_at))
        )


def attempts_by_delivery(context, **where) -> dict[str, list[bool | None]]:
    """Delivery id → the outcome of each of its attempts (None: sent or being sent, no outcome
    recorded), for the deliveries `where` selects. An attempt is logged when its delivery is
    claimed, before anything is sent: every send there ever was is in this log."""
    with context.session_factory() as session:
        rows = session.execute(
            sa.select(Delivery.id, Attempt.succeeded)
            .join(Attempt, Attempt.delivery_id == Delivery.id)
            .where(*(getattr(Delivery, name) == value for name, value in where.items()))
            .order_by(Attempt.id)
        ).all()
    found: dict[str, list[bool | None]] = {}
    for delivery_id, succeeded in rows:
        found.setdefault(delivery_id, []).append(succeeded)
    return found


def settled(context, **where) -> bool:
    """True when no delivery `where` selects is pending and each attempt has its outcome: nothing
    of theirs is being sent, and nothing will be (a succeeded or failed delivery is never claimed
    again). What a receiver has of them then is all it will ever get."""
    return all(d.state != "pending" for d in deliveries(context, **where)) and all(
        None not in outcomes for outcomes in attempts_by_delivery(context, **where).values()
    )


class RingCounter(threading.Event):
    """A threading.Event that counts how often it was set."""

    def __init__(self):
        super().__init__()
        self.rings = 0

    def set(self):
        self.rings += 1
        super().set()


def test_both_sides_of_a_license_hear_of_it_by_webhook_and_email_in_their_own_language(
    env, client, organisation, receiver, handle, start_worker, notify_context
):
    smtp = env
    vendor_id, vendor_key = organisation(
        "Golden Gate IP Inc.",
        roles=["vendor"],
        timezone="America/Los_Angeles",
        contacts=[
            {"name": "Dana Reyes", "email": "dana@goldengate.example", "notices": ["license"]}
        ],
    )
    licensee_id, licensee_key = organisation(
        "Xinhe Microelectronics",
        name_zh="芯禾微电子",
        country="CN",
        locale="zh-Hans",
        timezone="Asia/Shanghai",
        contacts=[
            {"name": "王磊", "email": "wang.lei@xinhe.example", "notices": ["all"]},
            {
                "name": "财务部",
                "email": "finance@xinhe.example",
                "notices": ["ipmarket.license.expiring.v1"],
            },
        ],
    )
    endpoint_for(client, vendor_key, receiver, "/vendor")
    endpoint_for(
        client, licensee_key, receiver, "/licensee", event_types=["ipmarket.license.issued.v1"]
    )
    event = handle(license_event("issued", vendor_id, licensee_id))
    start_worker()

    wait_until(
        lambda: (
            receiver.on("/vendor")
            and receiver.on("/licensee")
            and smtp.to("dana@goldengate.example")
            and smtp.to("wang.lei@xinhe.example", "ipmarket.license.issued.v1")
        ),
        timeout=15,
        what="webhooks and emails to both sides",
    )
    for path in ("/vendor", "/licensee"):
        [hook] = [r for r in receiver.on(path)]
        assert hook.verified, "standardwebhooks could not verify the signature"
        assert hook.headers["webhook-id"] == event.id
        assert hook.payload == {
            "type": "ipmarket.license.issued.v1",
            "timestamp": event.time.isoformat().replace("+00:00", "Z"),
            "data": event.data,
        }
    [english] = smtp.to("dana@goldengate.example")
    assert english["Subject"] == "License issued: goldengate:serdes:pcie5_phy:2.1"
    assert english["Content-Language"] == "en"
    text = english.get_body(("plain",)).get_content()
    assert "Dear Dana Reyes," in text and "(America/Los_Angeles)" in text
    assert "Nov 2027, 08:00 UTC-08:00" in text  # the expiry in the vendor's zone
    [chinese] = smtp.to("wang.lei@xinhe.example", "ipmarket.license.issued.v1")
    assert chinese["Subject"] == "授权已签发：goldengate:serdes:pcie5_phy:2.1"
    assert chinese["Content-Language"] == "zh-Hans"
    text = chinese.get_body(("plain",)).get_content()
    assert "王磊，您好：" in text
    assert "2027年11月25日（周四）00:00 UTC+08:00 (Asia/Shanghai)" in text
    assert "芯禾微电子" in text
    assert not smtp.to("finance@xinhe.example")  # this contact wants expiry notices only
    # Exactly once: once every delivery of the notice has succeeded, none is claimed again, and
    # the attempt log (written at each claim, before sending) shows there was one send each.
    wait_until(
        lambda: settled(notify_context, notice_id=event.id),
        timeout=5,
        what="the deliveries to be recorded",
    )
    assert {d.state for d in deliveries(notify_context, notice_id=event.id)} == {"succeeded"}
    assert (
        list(attempts_by_delivery(notify_context, notice_id=event.id).values()) == [[True]] * 4
    )  # two webhooks and two e-mails
    assert len(receiver.received) == 2
    assert len(smtp.to("dana@goldengate.example")) == 1
    assert len(smtp.to("wang.lei@xinhe.example", "ipmarket.license.issued.v1")) == 1


def test_a_failing_endpoint_is_retried_on_schedule_and_a_replay_delivers_it(
    env, client, organisation, receiver, handle, start_worker, notify_context
):
    vendor_id, vendor_key = organisation("Golden Gate IP Inc.", roles=["vendor"], contacts=[])
    licensee_id, _ = organisation("Xinhe", country="CN", contacts=[])
    endpoint = endpoint_for(client, vendor_key, receiver, "/down")
    receiver.answers["/down"] = [(500, {})]
    event = handle(license_event("approved", vendor_id, licensee_id))
    start_worker()

    wait_until(
        lambda: deliveries(notify_context, endpoint_id=endpoint["id"])[0].state == "failed",
        timeout=15,
        what="the schedule to run out",
    )
    calls = receiver.on("/down")
    assert len(calls) == 4  # schedule "0,1,1,2": the first try and three retries
    gaps = [b.at - a.at for a, b in zip(calls, calls[1:])]
    for gap, planned in zip(gaps, (1, 1, 2)):
        assert planned * 0.8 - 0.05 <= gap <= planned * 1.2 + 0.5, gaps
    assert {c.headers["webhook-id"] for c in calls} == {event.id}  # stable across retries
    assert all(c.verified for c in calls)

    attempts = client.get(f"/v1/endpoints/{endpoint['id']}/attempts", headers=auth(vendor_key))
    assert [a["status_code"] for a in attempts.json["items"]] == [500] * 4
    assert attempts.json["next"] is None
    assert attempts.json["items"][0]["response"] == "nope"
    assert attempts.json["items"][0]["latency_ms"] > 0

    receiver.answers["/down"] = [(500, {})] * 4 + [(200, {})]  # the receiver is fixed
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    replay = client.post(
        f"/v1/endpoints/{endpoint['id']}/replay", headers=auth(vendor_key), json={"since": since}
    )
    assert replay.status_code == 202 and replay.json == {"replayed": 1}
    wait_until(lambda: len(receiver.on("/down")) == 5, timeout=10, what="the replay")
    assert receiver.on("/down")[-1].headers["webhook-id"] == event.id
    wait_until(
        lambda: deliveries(notify_context, endpoint_id=endpoint["id"])[0].state == "succeeded",
        timeout=5,
        what="the replay to be recorded",
    )

    # One delivery replays too, by its id.
    [delivery] = deliveries(notify_context, endpoint_id=endpoint["id"])
    one = client.post(f"/v1/deliveries/{delivery.id}/replay", headers=auth(vendor_key))
    assert one.status_code == 202
    wait_until(lambda: len(receiver.on("/down")) == 6, timeout=10, what="the second replay")
    assert receiver.on("/down")[-1].headers["webhook-id"] == event.id


def test_an_endpoint_failing_too_long_is_disabled_and_its_organisation_told_by_email(
    env, client, organisation, receiver, handle, start_worker, notify_context, monkeypatch
):
    smtp = env
    monkeypatch.setenv("IPMARKET_WEBHOOK_DISABLE_AFTER_HOURS", "0.0003")  # about a second
    vendor_id, vendor_key = organisation(
        "Golden Gate IP Inc.",
        roles=["vendor"],
        contacts=[{"name": "Dana", "email": "dana@gg.example", "notices": ["webhook_endpoint"]}],
    )
    licensee_id, _ = organisation("Xinhe", country="CN", contacts=[])
    endpoint = endpoint_for(client, vendor_key, receiver, "/flaky")
    receiver.answers["/flaky"] = [(503, {})]
    handle(license_event("requested", vendor_id, licensee_id))
    start_worker()

    wait_until(lambda: smtp.to("dana@gg.example"), timeout=15, what="the email telling of it")
    [message] = smtp.to("dana@gg.example")
    assert message["Subject"] == f"Webhook endpoint disabled: {receiver.base_url}/flaky"
    shown = client.get(f"/v1/endpoints/{endpoint['id']}", headers=auth(vendor_key)).json
    assert shown["disabled_at"] and "failing continuously" in shown["disabled_reason"]
    assert 2 <= len(receiver.on("/flaky")) <= 3
    with notify_context.session_factory() as session:
        types = session.scalars(sa.select(OutboxMessage.event_type)).all()
    assert types == ["ipmarket.webhook_endpoint.disabled.v1"]

    # A disabled endpoint gets nothing new: what it had pending failed when it was disabled (in
    # the transaction that recorded the failure that disabled it, so before the e-mail went),
    # and a new notice plans no delivery to it. With nothing of its own pending or being sent,
    # the receiver has all it will get: one request per attempt logged.
    assert settled(notify_context, endpoint_id=endpoint["id"])
    calls = len(receiver.on("/flaky"))
    assert calls == sum(
        map(len, attempts_by_delivery(notify_context, endpoint_id=endpoint["id"]).values())
    )
    approved = handle(license_event("approved", vendor_id, licensee_id))
    assert deliveries(notify_context, notice_id=approved.id, endpoint_id=endpoint["id"]) == []
    assert settled(notify_context, endpoint_id=endpoint["id"])
    # Enabled again, it does.
    receiver.answers["/flaky"] = [(204, {})]
    assert (
        client.patch(
            f"/v1/endpoints/{endpoint['id']}", headers=auth(vendor_key), json={"enabled": True}
        ).json["disabled_at"]
        is None
    )
    handle(license_event("issued", vendor_id, licensee_id))
    wait_until(
        lambda: len(receiver.on("/flaky")) == calls + 1,
        timeout=10,
        what="delivery after re-enabling",
    )
    assert receiver.on("/flaky")[-1].payload["type"] == "ipmarket.license.issued.v1"


def test_gone_disables_throttling_honours_retry_after_and_redirects_are_not_followed(
    env, client, organisation, receiver, handle, start_worker, notify_context
):
    vendor_id, vendor_key = organisation("Golden Gate IP Inc.", roles=["vendor"], contacts=[])
    licensee_id, _ = organisation("Xinhe", country="CN", contacts=[])
    gone = endpoint_for(client, vendor_key, receiver, "/gone")
    busy = endpoint_for(client, vendor_key, receiver, "/busy")
    moved = endpoint_for(client, vendor_key, receiver, "/moved")
    receiver.answers["/gone"] = [(410, {})]
    receiver.answers["/busy"] = [(429, {"Retry-After": "3"}), (204, {})]
    receiver.answers["/moved"] = [(302, {"Location": f"{receiver.base_url}/elsewhere"})]
    handle(license_event("issued", vendor_id, licensee_id))
    start_worker()

    issued = "ipmarket.license.issued.v1"
    wait_until(
        lambda: len(receiver.on("/busy", issued)) == 2, timeout=15, what="the throttled retry"
    )
    first, second = receiver.on("/busy", issued)
    assert second.at - first.at >= 2.9  # Retry-After, not the schedule's 1 s
    listed = client.get("/v1/endpoints", headers=auth(vendor_key)).json["items"]
    endpoints = {e["id"]: e for e in listed}
    assert "410" in endpoints[gone["id"]]["disabled_reason"]
    assert endpoints[busy["id"]]["disabled_at"] is None
    assert len(receiver.on("/gone")) == 1
    wait_until(lambda: len(receiver.on("/moved", issued)) == 4, timeout=10, what="redirect retries")
    assert not receiver.on("/elsewhere")
    wait_until(
        lambda: deliveries(notify_context, endpoint_id=moved["id"])[0].state == "failed",
        timeout=5,
        what="the redirect to count as failure",
    )
    assert deliveries(notify_context, endpoint_id=moved["id"])[0].last_error == "HTTP 302"
    # The organisation's other endpoints hear that /gone was disabled.
    assert receiver.on("/busy", "ipmarket.webhook_endpoint.disabled.v1")


def test_a_slow_endpoint_does_not_delay_the_others(
    env, client, organisation, receiver, handle, start_worker
):
    vendor_id, vendor_key = organisation("Slow Vendor", roles=["vendor"], contacts=[])
    other_id, other_key = organisation("Fast Licensee", country="CN", contacts=[])
    endpoint_for(client, vendor_key, receiver, "/slow")
    endpoint_for(client, other_key, receiver, "/fast")
    # The slow endpoint answers nothing until the fast one has everything: an order, not a
    # stopwatch, so that a loaded machine cannot turn it into a flake.
    released = receiver.held["/slow"] = threading.Event()
    try:
        for _ in range(30):
            handle(license_event("requested", vendor_id, other_id))
        start_worker(threads=8, per_endpoint=4)
        wait_until(lambda: len(receiver.on("/fast")) == 30, timeout=120, what="the fast endpoint")
        # Its lanes hold what the slow endpoint was sent, and nothing more: 4 of the 8 threads.
        assert receiver.arrived.count("/slow") <= 4 and not receiver.on("/slow")
    finally:
        released.set()


def test_a_new_notice_wakes_the_worker_at_commit_rather_than_at_its_next_poll(
    env, client, organisation, receiver, handle, start_worker, notify_context
):
    vendor_id, vendor_key = organisation("Golden Gate IP Inc.", roles=["vendor"], contacts=[])
    licensee_id, _ = organisation("Xinhe", country="CN", contacts=[])
    endpoint_for(client, vendor_key, receiver, "/vendor")
    # It claims at start, then polls only a minute later: what it sends sooner, it was woken for.
    worker = DeliveryWorker(notify_context.session_factory, poll_seconds=60)
    # Nothing but its LISTEN rings its wake-up call here, and the LISTEN rings it once as soon as
    # it begins. A claim that began after that ring and has ended leaves the worker waiting for
    # the next ring (or the poll), and every commit from then on is announced to it.
    worker._wake = wake = RingCounter()
    claim, after_listening = worker._claim, []

    def claim_noting_whether_listening(*args):
        began_listening = wake.rings > 0
        jobs = claim(*args)
        after_listening.append(began_listening)
        return jobs

    worker._claim = claim_noting_whether_listening
    start_worker(worker)
    wait_until(
        lambda: any(after_listening),
        timeout=10,
        what="a claim begun after the worker began to listen",
    )
    for _ in range(3):
        handle(license_event("issued", vendor_id, licensee_id))
        wait_until(lambda: len(receiver.received) == _ + 1, timeout=5, what="the webhook")


# On SQLite too: claiming and recording take other statements there (no UPDATE in a WITH).
@pytest.mark.databases("sqlite", "postgresql")
def test_a_worker_that_dies_after_sending_leaves_the_delivery_due_again_with_the_same_ids(
    env, client, organisation, receiver, handle, notify_context, start_worker
):
    smtp = env
    vendor_id, vendor_key = organisation(
        "Golden Gate IP Inc.",
        roles=["vendor"],
        contacts=[{"name": "Dana", "email": "dana@gg.example", "notices": ["license"]}],
    )
    licensee_id, _ = organisation("Xinhe", country="CN", contacts=[])
    endpoint_for(client, vendor_key, receiver, "/crash")
    event = handle(license_event("issued", vendor_id, licensee_id))

    dying = DeliveryWorker(notify_context.session_factory)
    jobs = dying.claim(10)
    assert {j.delivery.channel for j in jobs} == {"webhook", "email"}
    assert dying.claim(10) == []  # leased: nobody else takes them meanwhile
    for job in jobs:
        assert dying.send(job).succeeded  # ... and the worker dies before recording
    # Its lease runs out: the time it was leased for is taken off in the database instead of
    # waited for, so the deliveries are due again as they are a lease after the claim.
    with notify_context.session_factory() as session, session.begin():
        session.execute(
            sa.update(Delivery)
            .where(Delivery.id.in_([job.delivery.id for job in jobs]))
            .values(
                next_attempt_at=Delivery.next_attempt_at - sa.literal(dying.lease, sa.Interval())
            )
        )
    start_worker()
    wait_until(
        lambda: len(receiver.on("/crash")) == 2 and len(smtp.to("dana@gg.example")) == 2,
        timeout=10,
        what="the resend",
    )
    assert {r.headers["webhook-id"] for r in receiver.on("/crash")} == {event.id}
    assert len({m["Message-ID"] for m in smtp.to("dana@gg.example")}) == 1
    wait_until(
        lambda: all(d.state == "succeeded" for d in deliveries(notify_context, notice_id=event.id)),
        timeout=5,
        what="recorded",
    )
    with notify_context.session_factory() as session:
        # The dying worker's attempts were logged when it claimed, and stay without outcome.
        assert sorted(session.scalars(sa.select(Attempt.succeeded)), key=str) == [
            None,
            None,
            True,
            True,
        ]
        assert (
            session.get(
                Endpoint, jobs[0].delivery.endpoint_id or jobs[1].delivery.endpoint_id
            ).failing_since
            is None
        )


def test_an_address_refused_at_delivery_time_is_never_contacted(
    env, client, organisation, receiver, handle, start_worker, notify_context, monkeypatch
):
    vendor_id, vendor_key = organisation("Golden Gate IP Inc.", roles=["vendor"], contacts=[])
    licensee_id, _ = organisation("Xinhe", country="CN", contacts=[])
    endpoint = endpoint_for(client, vendor_key, receiver, "/rebound")
    # As if the host's DNS answer changed to a private address after registration.
    monkeypatch.setenv("IPMARKET_WEBHOOK_ALLOW_PRIVATE", "false")
    handle(license_event("issued", vendor_id, licensee_id))
    start_worker()

    def refused_attempt():
        with notify_context.session_factory() as session:
            return session.scalars(
                sa.select(Attempt.error)
                .join(Delivery, Attempt.delivery_id == Delivery.id)
                .where(Delivery.endpoint_id == endpoint["id"])
            ).first()

    error = wait_until(refused_attempt, timeout=10, what="the refused attempt")
    assert "refused" in error and "loopback" in error
    # The refusal came from the connection's check of the address it reached, before a byte
    # was written on it, and was recorded after that send had ended: nothing of this attempt
    # can still arrive, and every later attempt is refused the same way.
    assert not receiver.received


def test_an_email_the_server_turns_away_is_retried_with_the_same_message_id(
    env, client, organisation, handle, start_worker
):
    smtp = env
    vendor_id, _ = organisation("Golden Gate IP Inc.", roles=["vendor"], contacts=[])
    licensee_id, licensee_key = organisation(
        "Formosa Design",
        country="TW",
        locale="zh-Hant",
        timezone="Asia/Taipei",
        contacts=[{"name": "陳小姐", "email": "chen@formosa.example", "notices": ["license"]}],
    )
    smtp.refuse = 2
    handle(license_event("revoked", vendor_id, licensee_id))
    start_worker()
    wait_until(lambda: smtp.to("chen@formosa.example"), timeout=15, what="the third attempt")
    [message] = smtp.to("chen@formosa.example")
    assert message["Subject"] == "授權已撤銷：goldengate:serdes:pcie5_phy:2.1"
    ids = {
        email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]
        for raw in smtp.refused
    }
    assert ids == {message["Message-ID"]}
    listed = client.get(
        "/v1/deliveries", headers=auth(licensee_key), query_string={"channel": "email"}
    ).json["items"]
    [delivery] = [d for d in listed if d["address"] == "chen@formosa.example"]
    assert delivery["message_id"] == message["Message-ID"]
    wait_until(
        lambda: client.get(
            f"/v1/deliveries/{delivery['id']}/attempts", headers=auth(licensee_key)
        ).json["items"][0]["succeeded"],
        timeout=5,
        what="the success to be recorded",
    )
    attempts = client.get(
        f"/v1/deliveries/{delivery['id']}/attempts", headers=auth(licensee_key)
    ).json["items"]
    assert [a["status_code"] for a in attempts] == [250, 451, 451]  # newest first
    assert {(a["delivery_id"], a["message_id"]) for a in attempts} == {
        (delivery["id"], message["Message-ID"])
    }


def test_one_endpoint_is_claimed_for_in_batches_and_a_job_past_its_lease_is_not_sent(
    env, client, organisation, receiver, handle, notify_context
):
    vendor_id, vendor_key = organisation("Busy Vendor", roles=["vendor"], contacts=[])
    licensee_id, _ = organisation("Licensee", country="CN", contacts=[])
    endpoint_for(client, vendor_key, receiver, "/busy")
    for _ in range(12):
        handle(license_event("requested", vendor_id, licensee_id))
    worker = DeliveryWorker(notify_context.session_factory, per_endpoint=4)
    # Two rounds of its lanes at most: what one endpoint's lanes send now and one round more.
    jobs = worker.claim(100)
    assert len(jobs) == 8
    assert len(worker.claim(100)) == 4
    assert worker.claim(100) == []

    outcomes = queue.SimpleQueue()
    jobs[0].leased_until = datetime.now(UTC)  # it waited too long for a lane
    worker._sending[jobs[0].lane] = 1
    worker._send_lane(jobs[0], outcomes)
    assert outcomes.empty() and receiver.on("/busy") == []  # due again once the lease is out
    assert deliveries(notify_context, id=jobs[0].delivery.id)[0].state == "pending"
