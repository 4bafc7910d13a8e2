"""Outbox → Kafka relay on PostgreSQL.

1. Throughput: 50,000 committed outbox rows, one relay; events per second until all are on the
   topic (acks=all, idempotent producer).
2. Latency: 4 writer threads commit 500 events/s in all (each event its own transaction, like a
   service's requests) for 20 s while the relay runs; commit → consumer receipt, p50/p99.
Targets on a 2-core machine: ≥ 5,000 events/s; p99 < 100 ms at 500 events/s.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid

from bench.setup import fresh_database, fresh_topics, median, percentile, postgres_and_kafka
from kafka import KafkaConsumer, TopicPartition
from services.catalog.app import build_context
from shared.events import new_event
from shared.messaging.kafka_io import topic
from shared.messaging.outbox import OutboxRelay

THROUGHPUT_EVENTS = 50_000
RATE = 500
WRITERS = 4
LATENCY_SECONDS = 20


def org_event(aggregate_id: str, version: int):
    return new_event(
        "ipmarket.organisation.updated.v1",
        "/ipmarket/catalog",
        aggregate_id,
        {
            "organisation_id": aggregate_id,
            "legal_name_en": "Bench Semiconductor Ltd",
            "legal_name_zh": "基准半导体有限公司",
            "country": "CN",
            "region": "mainland_china",
            "roles": ["vendor"],
            "locale": "zh-Hans",
            "timezone": "Asia/Shanghai",
            "contacts": [],
            "version": version,
        },
    )


def throughput(context, bootstrap: str) -> float:
    aggregates = [str(uuid.uuid4()) for _ in range(100)]
    model = context.outbox_model
    with context.session_factory() as session:
        rows = [
            model.for_event("catalog", org_event(aggregates[i % 100], i + 1))
            for i in range(THROUGHPUT_EVENTS)
        ]
        session.add_all(rows)
        session.commit()
    relay = OutboxRelay(context.engine, model.__table__, bootstrap=bootstrap)
    started = time.perf_counter()
    sent = 0
    while sent < THROUGHPUT_EVENTS:
        sent += relay.publish_batch()
    elapsed = time.perf_counter() - started
    relay.close()
    return THROUGHPUT_EVENTS / elapsed


def latency(context, bootstrap: str) -> list[float]:
    committed: dict[str, float] = {}
    received: dict[str, float] = {}
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None, fetch_max_wait_ms=10
    )
    partitions = [
        TopicPartition(topic("catalog"), p) for p in consumer.partitions_for_topic(topic("catalog"))
    ]
    consumer.assign(partitions)
    consumer.seek_to_end()
    for partition in partitions:
        consumer.position(partition)  # resolve now, before the first event is written
    stop, writer_done = threading.Event(), threading.Event()
    relay = OutboxRelay(
        context.engine, context.outbox_model.__table__, bootstrap=bootstrap, idle_seconds=0.005
    )
    relay_thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    relay_thread.start()

    def consume():
        while not writer_done.is_set() or len(received) < len(committed):
            for batch in consumer.poll(timeout_ms=50).values():
                now = time.perf_counter()
                for message in batch:
                    received.setdefault(json.loads(message.value)["id"], now)
            if writer_done.is_set() and time.perf_counter() > deadline + 10:
                break

    deadline = time.perf_counter() + LATENCY_SECONDS
    consumer_thread = threading.Thread(target=consume, daemon=True)
    consumer_thread.start()

    def write(share: float):
        # Each writer is one request thread of a service: its own transaction per event.
        aggregate = str(uuid.uuid4())
        next_at = time.perf_counter()
        version = 0
        while time.perf_counter() < deadline:
            version += 1
            with context.unit_of_work() as uow:
                event = uow.publish(
                    "ipmarket.organisation.updated.v1",
                    aggregate,
                    org_event(aggregate, version).data,
                )
                uow.commit()
            committed[event.id] = time.perf_counter()
            next_at += 1 / share
            time.sleep(max(0.0, next_at - time.perf_counter()))

    writers = [threading.Thread(target=write, args=(RATE / WRITERS,)) for _ in range(WRITERS)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    writer_done.set()
    consumer_thread.join(30)  # until every committed event has arrived (or 10 s have passed)
    stop.set()
    relay_thread.join(10)
    consumer.close()
    missing = set(committed) - set(received)
    if missing:
        raise SystemExit(f"{len(missing)} events never arrived")
    return [(received[i] - committed[i]) * 1000 for i in committed]


def main() -> None:
    with postgres_and_kafka() as (pg, broker):
        os.environ["IPMARKET_TOPIC_PREFIX"] = fresh_topics(broker)
        context = build_context(fresh_database(pg, "catalog"))
        rate = throughput(context, broker.bootstrap)
        print(
            f"relay throughput: {rate:,.0f} events/s ({THROUGHPUT_EVENTS:,} events, one relay,"
            f" acks=all, idempotent)",
            flush=True,
        )
        ms = latency(context, broker.bootstrap)
        print(
            f"commit→topic latency, {WRITERS} writers aiming at {RATE} events/s for "
            f"{LATENCY_SECONDS} s, reached {len(ms) / LATENCY_SECONDS:.0f}/s "
            f"({len(ms):,} events):"
            f" p50 {median(ms):.1f} ms, p99 {percentile(ms, 99):.1f} ms,"
            f" max {max(ms):.1f} ms"
        )
        print(
            f"targets: ≥ 5,000 events/s → {'met' if rate >= 5000 else 'NOT met'};"
            f" p99 < 100 ms → {'met' if percentile(ms, 99) < 100 else 'NOT met'}"
        )
