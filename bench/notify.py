"""Notify: event → webhook latency, webhook and email delivery rates, on PostgreSQL and Kafka.

1. Latency: license events committed to the licensing outbox at a steady 200 events/s for 20 s
   (one commit each, by four writer threads); `ipmarket relay licensing`, one
   `ipmarket consume notify` (for the three partitions of the licensing topic) and
   `ipmarket deliver` run as real processes; each event's webhook reaches a fast local receiver
   (another process: asyncio, HTTP/1.1 keep-alive). Commit → webhook received, p50/p99.
2. Webhook rate: 10,000 pending webhooks to 10 endpoints, one `ipmarket deliver` (default
   settings); deliveries per second from the first arrival to the last.
3. Email rate: 2,000 pending emails (zh-Hans and en, multipart), one `ipmarket deliver`, a local
   aiosmtpd server; messages per second.
Targets: p99 < 500 ms; ≥ 1,000 webhooks/s; ≥ 200 emails/s.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import uuid
from datetime import UTC, datetime

from bench._notify_setup import directory, license_data, pending, start, stop
from bench._webhook_receiver import Arrivals, receive_webhooks
from bench.setup import (
    cpu_seconds,
    fresh_database,
    fresh_topics,
    median,
    percentile,
    postgres_and_kafka,
)
from ipmarket.broker import free_port

RATE = 200
CONSUMERS = 1  # one process reads the licensing topic's three partitions (see the README)
WRITERS = 4  # threads committing events: one commit waits for its WAL flush
LATENCY_SECONDS = 20
WEBHOOKS = 10_000
ENDPOINTS = 10
EMAILS = 2_000


# --- the three measurements -------------------------------------------------------------------


def latency(notify, arrivals: Arrivals, base_url: str) -> list[float]:
    from services.licensing.app import build_context as licensing_context
    from services.notify.webhook_endpoints import register_endpoint

    vendor, licensee = str(uuid.uuid4()), str(uuid.uuid4())
    directory(notify, (vendor, "en", "America/Los_Angeles"), (licensee, "zh-Hans", "Asia/Shanghai"))
    with notify.session_factory() as session, session.begin():
        register_endpoint(session, licensee, url=f"{base_url}/latency", event_types=[])
    licensing = licensing_context()
    # On two cores one consumer for the three partitions costs less CPU per event than one per
    # partition (larger batches, one process polling): 1.0 against 3 × 0.56 ms.
    processes = [
        start("relay", "relay", "licensing"),
        start("deliver", "deliver"),
        *(start(f"consume{n}", "consume", "notify") for n in range(CONSUMERS)),
    ]
    time.sleep(8)  # let the consumers join their group
    committed: dict[str, float] = {}
    started = time.perf_counter()
    deadline = started + LATENCY_SECONDS

    def write(first_at: float) -> None:
        # One event per commit, through the licensing unit of work, as the service writes
        # them; each writer keeps its share of the rate, so a slow commit delays no other.
        next_at = first_at
        while next_at < deadline:
            time.sleep(max(0.0, next_at - time.perf_counter()))
            with licensing.unit_of_work() as uow:
                event = uow.publish(
                    "ipmarket.license.issued.v1", str(uuid.uuid4()), license_data(vendor, licensee)
                )
                uow.commit()
            committed[event.id] = time.time()
            next_at += WRITERS / RATE

    writers = [threading.Thread(target=write, args=(started + n / RATE,)) for n in range(WRITERS)]
    for writer in writers:
        writer.start()
    while any(writer.is_alive() for writer in writers):
        arrivals.drain()
    arrivals.wait_for(set(committed), timeout=30)
    for process in processes:
        stop(process)
    missing = set(committed) - arrivals.times.keys()
    if missing:
        raise SystemExit(f"{len(missing)} of {len(committed)} webhooks never arrived")
    licensing.engine.dispose()
    return [(arrivals.times[i] - committed[i]) * 1000 for i in committed]


def webhook_rate(
    notify, arrivals: Arrivals, base_url: str, pg_pid: int
) -> tuple[float, float, float]:
    from services.notify.webhook_endpoints import register_endpoint

    org = str(uuid.uuid4())
    directory(notify, (org, "en", "UTC"))
    with notify.session_factory() as session, session.begin():
        endpoints = [
            register_endpoint(session, org, url=f"{base_url}/rate{n}", event_types=[])
            for n in range(ENDPOINTS)
        ]
        session.flush()
        endpoint_ids = [e.id for e in endpoints]
    now = datetime.now(UTC)
    notices, rows = [], []
    for n in range(WEBHOOKS):
        event_id = str(uuid.uuid4())
        notices.append(
            {
                "event_id": event_id,
                "event_type": "ipmarket.license.issued.v1",
                "occurred_at": now,
                "data": license_data(org, org),
            }
        )
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "notice_id": event_id,
                "organisation_id": org,
                "channel": "webhook",
                "endpoint_id": endpoint_ids[n % ENDPOINTS],
                "message_id": event_id,
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    pending(notify, rows, notices)
    worker = start("deliver-rate", "deliver")
    ids = {r["message_id"] for r in rows}
    # The worker's and PostgreSQL's CPU between the first tenth and the last tenth of the
    # arrivals: the CPU cost of a delivery, start-up and the tail left out (read twice only,
    # since reading it costs CPU too).
    marks, samples = [WEBHOOKS // 10, WEBHOOKS * 9 // 10], []
    deadline = time.monotonic() + 60
    while not ids <= arrivals.times.keys() and time.monotonic() < deadline:
        arrivals.drain()
        arrived = len(ids & arrivals.times.keys())
        if len(samples) < len(marks) and arrived >= marks[len(samples)]:
            samples.append((arrived, cpu_seconds(worker.pid), cpu_seconds(pg_pid)))
    stop(worker)
    times = [arrivals.times[i] for i in ids if i in arrivals.times]
    if len(times) < WEBHOOKS:
        raise SystemExit(f"only {len(times)} of {WEBHOOKS} webhooks arrived")
    (first, *first_cpu), (last, *last_cpu) = samples
    worker_ms, pg_ms = ((b - a) / (last - first) * 1000 for a, b in zip(first_cpu, last_cpu))
    return WEBHOOKS / (max(times) - min(times)), worker_ms, pg_ms


def email_rate(notify) -> float:
    from aiosmtpd.controller import Controller

    from services.notify.mail import message_id_for

    received: list[float] = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            received.append(time.time())
            return "250 OK"

    smtp = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    os.environ.update(
        {
            "IPMARKET_SMTP_HOST": "127.0.0.1",
            "IPMARKET_SMTP_PORT": str(smtp.port),
            "IPMARKET_SMTP_SECURITY": "none",
        }
    )
    zh, en = str(uuid.uuid4()), str(uuid.uuid4())
    directory(notify, (zh, "zh-Hans", "Asia/Shanghai"), (en, "en", "America/Los_Angeles"))
    now = datetime.now(UTC)
    notices, rows = [], []
    for n in range(EMAILS):
        event_id, org = str(uuid.uuid4()), (zh, en)[n % 2]
        address = f"contact{n}@bench.example"
        notices.append(
            {
                "event_id": event_id,
                "event_type": "ipmarket.license.issued.v1",
                "occurred_at": now,
                "data": license_data(en, zh),
            }
        )
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "notice_id": event_id,
                "organisation_id": org,
                "channel": "email",
                "address": address,
                "recipient_name": "王磊",
                "message_id": message_id_for(event_id, address),
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    pending(notify, rows, notices)
    worker = start("deliver-email", "deliver")
    deadline = time.monotonic() + 60
    while len(received) < EMAILS and time.monotonic() < deadline:
        time.sleep(0.1)
    stop(worker)
    smtp.stop()
    if len(received) < EMAILS:
        raise SystemExit(f"only {len(received)} of {EMAILS} emails arrived")
    return EMAILS / (max(received) - min(received))


def main() -> None:
    from services.notify.app import build_context

    with postgres_and_kafka() as (pg, broker):
        os.environ.update(
            {
                "IPMARKET_KAFKA_BOOTSTRAP": broker.bootstrap,
                "IPMARKET_TOPIC_PREFIX": fresh_topics(broker),
                "IPMARKET_WEBHOOK_ALLOW_PRIVATE": "true",
                "IPMARKET_LICENSING_DATABASE_URL": fresh_database(pg, "licensing"),
                "IPMARKET_NOTIFY_DATABASE_URL": fresh_database(pg, "notify"),
            }
        )
        # Endpoint secrets are stored sealed: a fresh database takes any secret to seal with.
        os.environ.setdefault("IPMARKET_WEBHOOK_KEY_SECRET", "bench-webhook-key-secret")
        notify = build_context()
        port = free_port()
        source = multiprocessing.Queue()
        receiver = multiprocessing.Process(
            target=receive_webhooks, args=(port, source), daemon=True
        )
        receiver.start()
        arrivals = Arrivals(source)
        base_url = f"http://127.0.0.1:{port}"
        try:
            ms = latency(notify, arrivals, base_url)
            p99 = percentile(ms, 99)
            # One commit per event, as a service makes them: on a busy machine the writer
            # itself may fall short of the rate it aims at, so the rate reached is printed too.
            print(
                f"event committed → webhook received, aiming at {RATE} events/s for "
                f"{LATENCY_SECONDS}s, reached {len(ms) / LATENCY_SECONDS:.0f}/s "
                f"({len(ms):,} events): p50 {median(ms):.0f} ms, p99 {p99:.0f} ms, "
                f"max {max(ms):.0f} ms",
                flush=True,
            )
            webhooks, worker_ms, pg_ms = webhook_rate(notify, arrivals, base_url, pg.get_pid())
            print(
                f"one worker: {webhooks:,.0f} webhooks/s ({WEBHOOKS:,} to {ENDPOINTS} "
                f"endpoints, signed, each attempt recorded; CPU per webhook: worker "
                f"{worker_ms:.2f} ms, PostgreSQL {pg_ms:.2f} ms)",
                flush=True,
            )
            emails = email_rate(notify)
            print(
                f"one worker: {emails:,.0f} emails/s ({EMAILS:,} multipart en/zh-Hans to aiosmtpd)",
                flush=True,
            )
            print(
                f"targets: p99 < 500 ms → {'met' if p99 < 500 else 'NOT met'}; "
                f"≥ 1,000 webhooks/s → {'met' if webhooks >= 1000 else 'NOT met'}; "
                f"≥ 200 emails/s → {'met' if emails >= 200 else 'NOT met'}"
            )
        finally:
            receiver.terminate()
            notify.engine.dispose()
