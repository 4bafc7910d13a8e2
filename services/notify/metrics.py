"""Operations figures in the Prometheus text format: deliveries by channel and state, endpoints,
dead letters, and the notify consumers' lag per partition (read from the broker)."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from kafka.errors import KafkaError
from kafka.structs import TopicPartition
from sqlalchemy.orm import Session

from kafka import KafkaAdminClient, KafkaConsumer
from services.notify.handlers import STREAMS
from services.notify.models import DeadLetter, Delivery, Endpoint
from shared import config
from shared.messaging import kafka_io

log = logging.getLogger(__name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# The longest the broker may take to answer, first contact included (kafka-python's own default
# for that is 30 s): a broker that is down is reported as down within a scrape's time-out.
BROKER_TIMEOUT_MS = 3000


def consumer_lag(
    bootstrap: str | None = None, prefix: str | None = None
) -> dict[tuple[str, str, int], int]:
    """(group, topic, partition) → messages not yet handled by the notify consumer group."""
    bootstrap = bootstrap or config.get("IPMARKET_KAFKA_BOOTSTRAP")
    groups = {
        f"{kafka_io.topic('notify', prefix)}.consumer": [kafka_io.topic(s, prefix) for s in STREAMS]
    }
    bounded = {"request_timeout_ms": BROKER_TIMEOUT_MS, "bootstrap_timeout_ms": BROKER_TIMEOUT_MS}
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="ipmarket-metrics", **bounded)
    try:
        reader = KafkaConsumer(
            bootstrap_servers=bootstrap,
            client_id="ipmarket-metrics",
            enable_auto_commit=False,
            **bounded,
        )
    except BaseException:
        admin.close()
        raise
    lag = {}
    try:
        for group, topics in groups.items():
            try:
                committed = admin.list_group_offsets({group: None}).get(group, {})
            except KafkaError as exc:  # e.g. no coordinator yet on a fresh broker
                log.info("metrics: no offsets for %s: %s", group, exc)
                continue
            partitions = [
                TopicPartition(t, p)
                for t in topics
                for p in sorted(reader.partitions_for_topic(t) or ())
            ]
            for tp, end in reader.end_offsets(partitions).items():
                done = committed.get(tp)
                lag[(group, tp.topic, tp.partition)] = end - (
                    done.offset if done and done.offset >= 0 else 0
                )
    finally:
        reader.close()
        admin.close()
    return lag


def render(session: Session, lag: dict[tuple[str, str, int], int] | None) -> str:
    lines = [
        "# HELP ipmarket_notify_deliveries Deliveries by channel and state.",
        "# TYPE ipmarket_notify_deliveries gauge",
    ]
    for channel, state, count in session.execute(
        sa.select(Delivery.channel, Delivery.state, sa.func.count())
        .group_by(Delivery.channel, Delivery.state)
        .order_by(Delivery.channel, Delivery.state)
    ):
        lines.append(
            f'ipmarket_notify_deliveries{{channel="{_label(channel)}",'
            f'state="{_label(state)}"}} {count}'
        )
    disabled = session.scalar(sa.select(sa.func.count()).where(Endpoint.disabled_at.is_not(None)))
    total = session.scalar(sa.select(sa.func.count()).select_from(Endpoint))
    lines += [
        "# HELP ipmarket_notify_endpoints Webhook endpoints by state.",
        "# TYPE ipmarket_notify_endpoints gauge",
        f'ipmarket_notify_endpoints{{state="enabled"}} {total - disabled}',
        f'ipmarket_notify_endpoints{{state="disabled"}} {disabled}',
        "# HELP ipmarket_notify_dead_letters Dead-lettered messages recorded.",
        "# TYPE ipmarket_notify_dead_letters gauge",
        f"ipmarket_notify_dead_letters "
        f"{session.scalar(sa.select(sa.func.count()).select_from(DeadLetter))}",
    ]
    lines += [
        "# HELP ipmarket_notify_consumer_lag Messages not yet handled, per partition.",
        "# TYPE ipmarket_notify_consumer_lag gauge",
    ]
    for (group, topic, partition), value in sorted((lag or {}).items()):
        lines.append(
            f'ipmarket_notify_consumer_lag{{group="{_label(group)}",'
            f'topic="{_label(topic)}",partition="{partition}"}} {value}'
        )
    lines += [
        "# HELP ipmarket_notify_broker_up Whether the broker answered the lag query.",
        "# TYPE ipmarket_notify_broker_up gauge",
        f"ipmarket_notify_broker_up {0 if lag is None else 1}",
    ]
    return "\n".join(lines) + "\n"


def _label(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
