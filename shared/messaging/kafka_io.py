"""Kafka I/O: topic names, topic creation, producers and consumers with the project's settings.

One topic per bounded context (`<prefix>.catalog`, `<prefix>.licensing`, `<prefix>.notify`) keyed
by aggregate id, plus `<prefix>.deadletter` for messages no consumer could handle.
"""

from __future__ import annotations

import functools
import logging
import time

from kafka.errors import (
    CoordinatorLoadInProgressError,
    CoordinatorNotAvailableError,
    KafkaConnectionError,
    KafkaTimeoutError,
    NodeNotReadyError,
    NotCoordinatorError,
    TopicAlreadyExistsError,
)
from kafka.partitioner.default import DefaultPartitioner, murmur2

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from shared import config

log = logging.getLogger(__name__)

STREAMS = ("catalog", "licensing", "notify", "deliverables")
DEAD_LETTER = "deadletter"

# How long one poll of an idle consumer waits. Records that arrive end the wait at once, so it
# costs no latency, only how soon a stop is noticed; an idle consumer used 1.6 % of a core at
# 100 ms, 0.65 % at 500 (bench/idle: the stack's consumers were most of what it spent idle).
POLL_TIMEOUT_MS = 500
# Every client retries a lost broker at least once a second: with kafka-python's default back-off
# (doubling up to 30 s) consumers resumed 20-52 s after a restarted broker was back.
RECONNECT = {"reconnect_backoff_ms": 50, "reconnect_backoff_max_ms": 1_000}
# A member that stops heart-beating (killed) loses its partitions to the others after this long;
# kafka-python's default is 45 s. Heartbeats every second make the survivors join the rebalance
# within a second of it starting. (Static membership, group.instance.id, was no faster here: a
# restarted static member handled events again after 10.5 s, a dynamic one after 7.8 s.)
SESSION_TIMEOUT_MS = 8_000
HEARTBEAT_INTERVAL_MS = 1_000
_COORDINATOR_NOT_READY = (
    NotCoordinatorError,
    CoordinatorLoadInProgressError,
    CoordinatorNotAvailableError,
    KafkaTimeoutError,
    NodeNotReadyError,
    KafkaConnectionError,
)


def topic(stream: str, prefix: str | None = None) -> str:
    return f"{prefix or config.get('IPMARKET_TOPIC_PREFIX')}.{stream}"


def all_topics(prefix: str | None = None) -> list[str]:
    return [topic(stream, prefix) for stream in (*STREAMS, DEAD_LETTER)]


def create_topics(
    bootstrap: str | None = None,
    prefix: str | None = None,
    partitions: int | None = None,
    retention_hours: int | None = None,
) -> list[str]:
    """Create every topic with explicit partitions and retention; existing topics are kept."""
    partitions = partitions or config.get("IPMARKET_TOPIC_PARTITIONS")
    retention_ms = (retention_hours or config.get("IPMARKET_TOPIC_RETENTION_HOURS")) * 3_600_000
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap or config.get("IPMARKET_KAFKA_BOOTSTRAP"),
        client_id="ipmarket-admin",
        **RECONNECT,
    )
    created = []
    try:
        existing = set(admin.list_topics())
        wanted = {
            name: {
                "num_partitions": partitions,
                "replication_factor": 1,
                "configs": {"retention.ms": str(retention_ms)},
            }
            for name in all_topics(prefix)
            if name not in existing
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


@functools.lru_cache(maxsize=65_536)
def _partition_index(key: bytes, partitions: int) -> int:
    return (murmur2(key) & 0x7FFFFFFF) % partitions


class KeyedPartitioner(DefaultPartitioner):
    """Kafka's default placement (murmur2 of the key, as the Java client does), remembered per
    key: a relay sends the same aggregates again and again, and the pure-Python hash cost a
    tenth of its time."""

    def partition(self, topic, key, serialized_key, value, serialized_value, cluster):
        if serialized_key is None or topic not in cluster.topics():
            return super().partition(topic, key, serialized_key, value, serialized_value, cluster)
        partitions = sorted(cluster.partitions_for_topic(topic))
        return partitions[_partition_index(serialized_key, len(partitions))]


def make_producer(bootstrap: str | None = None, **overrides) -> KafkaProducer:
    settings = dict(
        bootstrap_servers=bootstrap or config.get("IPMARKET_KAFKA_BOOTSTRAP"),
        acks="all",
        enable_idempotence=True,
        partitioner=KeyedPartitioner(),
        # A relay flushes after each batch, so lingering costs no latency; it keeps the sender
        # thread from waking (and contending for the GIL) while the batch is being appended.
        linger_ms=100,
        batch_size=1_048_576,
        # Bounded so that a relay notices a dead broker and retries instead of hanging.
        max_block_ms=5_000,
        request_timeout_ms=5_000,
        delivery_timeout_ms=15_000,
        client_id="ipmarket",
        **RECONNECT,
    )
    settings.update(overrides)
    return KafkaProducer(**settings)


def make_consumer(
    group_id: str, topics: list[str], bootstrap: str | None = None, **overrides
) -> KafkaConsumer:
    bootstrap = bootstrap or config.get("IPMARKET_KAFKA_BOOTSTRAP")
    settings = dict(
        bootstrap_servers=bootstrap,
        group_id=group_id,
        enable_auto_commit=False,  # offsets are committed only after the event is handled
        auto_offset_reset="earliest",
        max_poll_records=500,
        client_id=group_id,
        session_timeout_ms=SESSION_TIMEOUT_MS,
        heartbeat_interval_ms=HEARTBEAT_INTERVAL_MS,
        **RECONNECT,
    )
    settings.update(overrides)
    wait_for_group_coordinator(group_id, bootstrap)
    consumer = KafkaConsumer(**settings)
    # Learn the topics' partitions before joining the group: a member that joins without them
    # is assigned nothing until the next metadata refresh, minutes later.
    for name in topics:
        consumer.partitions_for_topic(name)
    consumer.subscribe(topics)
    return consumer


def wait_for_group_coordinator(group_id: str, bootstrap: str, timeout: float = 30.0) -> bool:
    """Wait until the broker coordinating `group_id` answers for it. On a fresh broker the
    offsets topic is still being created and loaded, and a consumer joining meanwhile logs a
    warning per attempt (some 40 NotCoordinatorError). False when it did not within `timeout`
    (the consumer then joins and retries by itself)."""
    deadline = time.monotonic() + timeout
    pause = 0.1
    admin = None
    try:
        while True:
            try:
                if admin is None:
                    admin = KafkaAdminClient(
                        bootstrap_servers=bootstrap,
                        client_id=group_id,
                        request_timeout_ms=5_000,
                        bootstrap_timeout_ms=5_000,  # else 30 s, the whole of `timeout`
                        **RECONNECT,
                    )
                admin.list_group_offsets(group_id)
                return True
            except _COORDINATOR_NOT_READY as exc:
                if time.monotonic() + pause > deadline:
                    log.warning(
                        "consumer %s: no group coordinator after %.0f s: %s", group_id, timeout, exc
                    )
                    return False
                if pause == 0.1:
                    log.info("consumer %s: waiting for the group coordinator", group_id)
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
    finally:
        if admin is not None:
            admin.close()
