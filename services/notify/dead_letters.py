"""Dead letters: messages some consumer could not handle (not JSON, wrong schema, handler kept
failing). shared.consumer sends them to `<prefix>.deadletter` with the reason and where they came
from in headers; this recorder keeps each one in a table an operator lists through the API."""
from __future__ import annotations

import base64
import logging
import threading

import sqlalchemy as sa
from kafka.structs import OffsetAndMetadata, TopicPartition
from sqlalchemy.orm import Session, sessionmaker

from services.notify.models import DeadLetter
from shared import kafka as kafka_plumbing

log = logging.getLogger(__name__)


def dead_letter_row(message) -> dict:
    headers = {name: value.decode("utf-8", "replace") for name, value in (message.headers or [])}

    def number(name):
        value = headers.get(name)
        return int(value) if value and value.lstrip("-").isdigit() else None

    return {
        "topic": message.topic, "partition": message.partition, "offset": message.offset,
        "source_topic": headers.get("dlq-topic"), "source_partition": number("dlq-partition"),
        "source_offset": number("dlq-offset"), "consumer_group": headers.get("dlq-group"),
        "reason": headers.get("dlq-reason", "unknown"),
        "key": base64.b64encode(message.key).decode() if message.key is not None else None,
        "value": base64.b64encode(message.value or b"").decode(),
    }


class DeadLetterRecorder:
    """Copies the dead-letter topic into the `dead_letter` table; offsets are committed after
    the rows, and a repeat (same topic, partition, offset) is ignored."""

    def __init__(self, session_factory: sessionmaker[Session], *, bootstrap: str | None = None,
                 prefix: str | None = None, consumer_factory=kafka_plumbing.make_consumer):
        self.session_factory = session_factory
        self.topic = kafka_plumbing.topic(kafka_plumbing.DEAD_LETTER, prefix)
        self.group_id = f"{kafka_plumbing.topic('notify', prefix)}.deadletters"
        self.bootstrap = bootstrap
        self._consumer_factory = consumer_factory
        self.recorded = 0

    def run(self, stop: threading.Event) -> None:
        consumer = None
        try:
            while not stop.is_set():
                if consumer is None:
                    try:
                        consumer = self._consumer_factory(self.group_id, [self.topic],
                                                          self.bootstrap)
                    except Exception as exc:  # broker not up yet
                        log.warning("dead letters: cannot connect: %s", exc)
                        stop.wait(1.0)
                        continue
                for tp, messages in consumer.poll(timeout_ms=200).items():
                    self.record(messages)
                    consumer.commit({TopicPartition(tp.topic, tp.partition):
                                     OffsetAndMetadata(messages[-1].offset + 1, "", -1)})
        finally:
            if consumer is not None:
                consumer.close()

    def record(self, messages) -> None:
        with self.session_factory() as session, session.begin():
            if session.get_bind().dialect.name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert
            session.execute(insert(DeadLetter.__table__).on_conflict_do_nothing(),
                            [dead_letter_row(m) for m in messages])
        self.recorded += len(messages)


def dead_letters(session: Session, *, limit: int = 100, before_id: int | None = None
                 ) -> list[DeadLetter]:
    query = sa.select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(DeadLetter.id < before_id)
    return list(session.scalars(query))
