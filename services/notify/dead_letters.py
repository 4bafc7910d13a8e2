"""Dead letters: messages some consumer could not handle (not JSON, wrong schema, handler kept
failing). shared.consumer sends them to `<prefix>.deadletter` with the reason and where they came
from in headers; this recorder keeps each one in a table an operator lists through the API."""

from __future__ import annotations

import base64
import logging
import threading

import sqlalchemy as sa
from kafka.structs import TopicPartition
from sqlalchemy.orm import Session, sessionmaker

from kafka import KafkaConsumer
from services.notify.listing import newest_first, page
from services.notify.models import DeadLetter
from shared import config
from shared.db.bulk_insert import insert_ignoring_duplicates
from shared.messaging import kafka_io

log = logging.getLogger(__name__)


def dead_letter_row(message) -> dict:
    headers = {name: value.decode("utf-8", "replace") for name, value in (message.headers or [])}

    def number(name):
        value = headers.get(name)
        return int(value) if value and value.lstrip("-").isdigit() else None

    return {
        "topic": message.topic,
        "partition": message.partition,
        "offset": message.offset,
        "source_topic": headers.get("dlq-topic"),
        "source_partition": number("dlq-partition"),
        "source_offset": number("dlq-offset"),
        "consumer_group": headers.get("dlq-group"),
        "reason": headers.get("dlq-reason", "unknown"),
        "key": base64.b64encode(message.key).decode() if message.key is not None else None,
        "value": base64.b64encode(message.value or b"").decode(),
    }


class DeadLetterRecorder:
    """Copies the dead-letter topic into the `dead_letter` table.

    Its position is the table itself (the highest offset recorded per partition), not a consumer
    group: no rebalance to wait for when a worker restarts, and a repeat after a crash is ignored
    by the unique (topic, partition, offset)."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        bootstrap: str | None = None,
        prefix: str | None = None,
    ):
        self.session_factory = session_factory
        self.topic = kafka_io.topic(kafka_io.DEAD_LETTER, prefix)
        self.bootstrap = bootstrap or config.get("IPMARKET_KAFKA_BOOTSTRAP")
        self.recorded = 0

    def run(self, stop: threading.Event) -> None:
        consumer = None
        try:
            while not stop.is_set():
                if consumer is None:
                    consumer = self._connect()
                    if consumer is None:
                        stop.wait(1.0)
                        continue
                for messages in consumer.poll(timeout_ms=kafka_io.POLL_TIMEOUT_MS).values():
                    self.record(messages)
        finally:
            if consumer is not None:
                consumer.close()

    def _connect(self) -> KafkaConsumer | None:
        try:
            consumer = KafkaConsumer(
                bootstrap_servers=self.bootstrap,
                group_id=None,
                enable_auto_commit=False,
                client_id="ipmarket-deadletters",
                request_timeout_ms=5000,
                bootstrap_timeout_ms=5000,  # kafka-python's default first wait is 30 s
                **kafka_io.RECONNECT,
            )
            partitions = consumer.partitions_for_topic(self.topic)
        except Exception as exc:  # noqa: BLE001 - broker not up yet
            log.warning("dead letters: cannot connect: %s", exc)
            return None
        if not partitions:
            consumer.close()
            log.warning("dead letters: topic %s not found yet", self.topic)
            return None
        assigned = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        with self.session_factory() as session:
            recorded = dict(
                session.execute(
                    sa.select(DeadLetter.partition, sa.func.max(DeadLetter.offset))
                    .where(DeadLetter.topic == self.topic)
                    .group_by(DeadLetter.partition)
                ).all()
            )
        for tp in assigned:
            if tp.partition in recorded:
                consumer.seek(tp, recorded[tp.partition] + 1)
            else:
                consumer.seek_to_beginning(tp)
        return consumer

    def record(self, messages) -> None:
        with self.session_factory() as session, session.begin():
            session.execute(
                insert_ignoring_duplicates(session, DeadLetter.__table__),
                [dead_letter_row(m) for m in messages],
            )
        self.recorded += len(messages)


def dead_letters(session: Session, *, limit: int = 100, cursor: str | None = None) -> dict:
    """A page of the dead letters, newest first."""
    query = newest_first(
        sa.select(DeadLetter), DeadLetter.received_at, DeadLetter.id, cursor, limit
    )
    return page(list(session.scalars(query)), limit, lambda letter: (letter.received_at, letter.id))
