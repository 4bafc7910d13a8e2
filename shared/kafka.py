"""Kafka plumbing: topic names, topic creation, producers and consumers with the project's settings.

One topic per bounded context (`<prefix>.catalog`, `<prefix>.licensing`, `<prefix>.notify`) keyed
by aggregate id, plus `<prefix>.deadletter` for messages no consumer could handle.
"""
from __future__ import annotations

import logging
import socket

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import TopicAlreadyExistsError

from shared import config

log = logging.getLogger(__name__)

STREAMS = ("catalog", "licensing", "notify")
DEAD_LETTER = "deadletter"


def topic(stream: str, prefix: str | None = None) -> str:
    return f"{prefix or config.get('IPMARKET_TOPIC_PREFIX')}.{stream}"


def all_topics(prefix: str | None = None) -> list[str]:
    return [topic(stream, prefix) for stream in (*STREAMS, DEAD_LETTER)]


def create_topics(bootstrap: str | None = None, prefix: str | None = None,
                  partitions: int | None = None, retention_hours: int | None = None) -> list[str]:
    """Create every topic with explicit partitions and retention; existing topics are kept."""
    partitions = partitions or config.get("IPMARKET_TOPIC_PARTITIONS")
    retention_ms = (retention_hours or config.get("IPMARKET_TOPIC_RETENTION_HOURS")) * 3_600_000
    admin = KafkaAdminClient(bootstrap_servers=bootstrap or config.get("IPMARKET_KAFKA_BOOTSTRAP"),
                             client_id="ipmarket-admin")
    created = []
    try:
        existing = set(admin.list_topics())
        wanted = {
            name: {"num_partitions": partitions, "replication_factor": 1,
                   "configs": {"retention.ms": str(retention_ms)}}
            for name in all_topics(prefix) if name not in existing
        }
        if wanted:
            try:
                admin.create_topics(wanted, wait_for_metadata=True)
            except TopicAlreadyExistsError:
                pass  # another process created them first
            created = sorted(wanted)
    finally:
        admin.close()
    return created


def make_producer(bootstrap: str | None = None, **overrides) -> KafkaProducer:
    settings = dict(
        bootstrap_servers=bootstrap or config.get("IPMARKET_KAFKA_BOOTSTRAP"),
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        # Bounded so that a relay notices a dead broker and retries instead of hanging.
        max_block_ms=5_000,
        request_timeout_ms=5_000,
        delivery_timeout_ms=15_000,
        client_id="ipmarket",
    )
    settings.update(overrides)
    return KafkaProducer(**settings)


def make_consumer(group_id: str, topics: list[str], bootstrap: str | None = None,
                  **overrides) -> KafkaConsumer:
    settings = dict(
        bootstrap_servers=bootstrap or config.get("IPMARKET_KAFKA_BOOTSTRAP"),
        group_id=group_id,
        enable_auto_commit=False,  # offsets are committed only after the event is handled
        auto_offset_reset="earliest",
        max_poll_records=500,
        client_id=group_id,
    )
    settings.update(overrides)
    consumer = KafkaConsumer(**settings)
    consumer.subscribe(topics)
    return consumer


def broker_reachable(bootstrap: str | None = None, timeout: float = 1.0) -> bool:
    """True when some bootstrap server accepts a TCP connection (cheap enough for /readyz)."""
    for server in (bootstrap or config.get("IPMARKET_KAFKA_BOOTSTRAP")).split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=timeout):
                return True
        except OSError:
            continue
    return False
