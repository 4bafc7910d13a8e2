"""Idempotent event consumers.

A consumer handles each event in one database transaction together with recording its id in the
service's `processed_event` table, and commits the Kafka offset only after that: a redelivery
(after a crash or a rebalance) finds the id and is dropped. A message that is not JSON, fails its
schema, has an unknown type or keeps failing its handler goes to the dead-letter topic with the
reason and the original bytes, and the consumer goes on with the next one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping

from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition
from sqlalchemy.orm import Session, sessionmaker

from shared.db.bulk_insert import insert_ignoring_duplicates
from shared.events import Event, InvalidEvent, parse_event
from shared.messaging import kafka_io
from shared.messaging.group_membership import BrokerOutOfReach, CommitRefusals

log = logging.getLogger(__name__)

Handler = Callable[[Event, Session], None]
HANDLER_ATTEMPTS = 3
# An offset commit the broker has not confirmed after this long is sent again by an idle consumer.
COMMIT_RETRY_SECONDS = 1.0


class EventConsumer:
    def __init__(
        self,
        *,
        service: str,
        session_factory: sessionmaker[Session],
        processed_model,
        handlers: Mapping[str, Handler],
        streams: list[str],
        bootstrap: str | None = None,
        prefix: str | None = None,
        group_id: str | None = None,
        consumer_factory=kafka_io.make_consumer,
        producer_factory=kafka_io.make_producer,
        retry_pause: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.service = service
        self.session_factory = session_factory
        self.processed_model = processed_model
        self.handlers = dict(handlers)
        self.topics = [kafka_io.topic(s, prefix) for s in streams]
        self.dead_letter_topic = kafka_io.topic(kafka_io.DEAD_LETTER, prefix)
        self.group_id = group_id or f"{kafka_io.topic(service, prefix)}.consumer"
        self.bootstrap = bootstrap
        self._consumer_factory = consumer_factory
        self._producer_factory = producer_factory
        self._retry_pause = retry_pause  # between a failing handler's attempts
        self._producer = None
        self._clock = clock
        # Offsets handled and sent to the broker, not yet confirmed: partition → next offset.
        self._unconfirmed: dict[TopicPartition, int] = {}
        self._commit_again_at = 0.0
        self._refusals = CommitRefusals()
        self.counts = {"handled": 0, "duplicate": 0, "ignored": 0, "dead_lettered": 0}

    def run(self, stop: threading.Event) -> None:
        consumer = None
        try:
            while not stop.is_set():
                try:
                    if consumer is None:
                        consumer = self._consumer_factory(
                            self.group_id, self.topics, self.bootstrap
                        )
                    self._poll_once(consumer)
                except BrokerOutOfReach as exc:
                    # Nothing was fetched, so nothing is skipped: the same consumer keeps its
                    # member id and rejoins at once when the broker is back. A new one would
                    # wait there for the old member's session to end (8 s, seen in CI).
                    log.warning("consumer %s: %s; polling again", self.group_id, exc)
                    stop.wait(0.5)
                except Exception as exc:  # noqa: BLE001 - broker gone, rebalance, DLQ down
                    # Whatever was not committed is delivered again and dropped as a repeat.
                    log.warning("consumer %s: %s; reconnecting", self.group_id, exc)
                    if consumer is not None:
                        _close_quietly(consumer)
                        consumer = None
                    self._unconfirmed.clear()  # a new consumer starts from the broker's offsets
                    self._refusals = CommitRefusals()
                    stop.wait(1.0)
        finally:
            if consumer is not None:
                _commit_quietly(consumer)  # everything polled was handled: none comes back
                consumer.close()  # leaves the group at once so that a peer takes over
            if self._producer is not None:
                self._producer.close(timeout=5)

    def _poll_once(self, consumer) -> None:
        self._refusals.check(self._clock())
        try:
            batches = consumer.poll(timeout_ms=kafka_io.POLL_TIMEOUT_MS)
        except KafkaError as exc:
            if exc.retriable:
                raise BrokerOutOfReach(str(exc)) from exc
            raise
        if not batches:
            self._commit_unconfirmed(consumer)
            return
        # Every partition's messages in one transaction (each partition's in its order) and
        # one offset commit: a consumer of several partitions waits for one WAL flush and one
        # broker round trip per poll, not one per partition.
        self.handle_messages([m for messages in batches.values() for m in messages])
        # Handled and committed to the database: the offsets follow without waiting for the
        # broker's answer, so the next batch is not held up by a round trip.
        self._commit(
            consumer,
            {
                TopicPartition(tp.topic, tp.partition): messages[-1].offset + 1
                for tp, messages in batches.items()
            },
        )

    def _commit(self, consumer, offsets: dict[TopicPartition, int]) -> None:
        self._unconfirmed.update(offsets)
        self._commit_again_at = self._clock() + COMMIT_RETRY_SECONDS
        consumer.commit_async(
            {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in offsets.items()},
            callback=self._offsets_committed,
        )

    def _commit_unconfirmed(self, consumer) -> None:
        """Send again what the broker has not confirmed. A lost commit only brings its batch
        back after a restart (its events dropped as repeats), but until the partition's next
        message the group's offset would stay behind: its lag would never read zero to those
        who watch it, nor to anyone waiting for the consumers to catch up."""
        if not self._unconfirmed or self._clock() < self._commit_again_at:
            return
        owned = consumer.assignment()
        # A partition taken away in a rebalance is its new owner's to commit.
        self._unconfirmed = {tp: o for tp, o in self._unconfirmed.items() if tp in owned}
        if self._unconfirmed:
            self._commit(consumer, dict(self._unconfirmed))

    def _offsets_committed(self, offsets, answer) -> None:
        self._refusals.answered(answer, self._clock())
        if isinstance(answer, Exception):
            log.warning(
                "consumer %s: offsets not committed (sent again when idle): %s",
                self.group_id,
                answer,
            )
            return
        for tp, meta in offsets.items():
            if self._unconfirmed.get(tp) == meta.offset:  # not if a later one is on its way
                del self._unconfirmed[tp]

    def handle_messages(self, messages) -> None:
        """Handle a batch in one transaction (one commit, not one per event). If
        a handler fails, the batch is rolled back and handled one event at a time, so that only
        the failing event is retried and, in the end, dead-lettered."""
        work = [(m, e) for m in messages if (e := self._wanted_event(m)) is not None]
        if not work:
            return
        try:
            with self.session_factory() as session, session.begin():
                first_seen = self._record_processed(session, [event for _, event in work])
                outcomes = [self._handle_first(session, event, first_seen) for _, event in work]
        except Exception as exc:  # noqa: BLE001 - anything a handler raises
            log.warning(
                "consumer %s: batch of %d failed (%s); one at a time", self.group_id, len(work), exc
            )
            for message, event in work:
                self._handle_alone(message, event)
            return
        for (_, event), outcome in zip(work, outcomes):
            self._count(event, outcome)

    def _wanted_event(self, message) -> Event | None:
        """The message's event if this service handles it; a bad message is dead-lettered."""
        try:
            event = parse_event(message.value)
        except InvalidEvent as exc:
            self.dead_letter(message, str(exc))
            return None
        if event.type not in self.handlers:
            self.counts["ignored"] += 1  # a valid event this service does not need
            return None
        return event

    def _handle_alone(self, message, event: Event) -> None:
        for attempt in range(1, HANDLER_ATTEMPTS + 1):
            try:
                with self.session_factory() as session, session.begin():
                    outcome = self._handle_first(
                        session, event, self._record_processed(session, [event])
                    )
                self._count(event, outcome)
                return
            except Exception as exc:  # noqa: BLE001 - anything a handler raises
                log.warning(
                    "consumer %s: %s %s failed (attempt %d): %s",
                    self.group_id,
                    event.type,
                    event.id,
                    attempt,
                    exc,
                )
                if attempt == HANDLER_ATTEMPTS:
                    self.dead_letter(message, f"handler failed: {exc!r}")
                else:
                    self._retry_pause(0.2 * attempt)

    def _record_processed(self, session: Session, events: list[Event]) -> set[str]:
        """Record the batch's events as processed in one statement; return the ids recorded
        now, not before (one round trip per batch instead of one per event)."""
        table = self.processed_model.__table__
        rows = list({e.id: {"event_id": e.id, "event_type": e.type} for e in events}.values())
        return set(
            session.scalars(
                insert_ignoring_duplicates(session, table).returning(table.c.event_id), rows
            )
        )

    def _handle_first(self, session: Session, event: Event, first_seen: set[str]) -> str:
        """Run the handler of an event recorded by _record_processed, once: a repeat (from
        before, or twice in the batch) is dropped."""
        if event.id not in first_seen:
            return "duplicate"
        first_seen.discard(event.id)
        self.handlers[event.type](event, session)
        return "handled"

    def _count(self, event: Event, outcome: str) -> None:
        self.counts[outcome] += 1
        log.info(
            "consumer %s: %s %s %s",
            self.group_id,
            outcome,
            event.type,
            event.id,
            extra={"event_id": event.id, "event_type": event.type},
        )

    def dead_letter(self, message, reason: str) -> None:
        if self._producer is None:
            self._producer = self._producer_factory(self.bootstrap)
        headers = [
            ("dlq-reason", reason.encode()),
            ("dlq-topic", message.topic.encode()),
            ("dlq-partition", str(message.partition).encode()),
            ("dlq-offset", str(message.offset).encode()),
            ("dlq-group", self.group_id.encode()),
        ]
        # Wait for the acknowledgement: the offset is committed right after, and the message
        # must not be lost in between.
        self._producer.send(
            self.dead_letter_topic, key=message.key, value=message.value, headers=headers
        ).get(timeout=30)
        self.counts["dead_lettered"] += 1
        log.error(
            "consumer %s: dead-lettered %s[%d]@%d: %s",
            self.group_id,
            message.topic,
            message.partition,
            message.offset,
            reason,
        )


def _commit_quietly(consumer) -> None:
    try:
        consumer.commit()
    except Exception as exc:  # noqa: BLE001 - the broker may be gone; repeats are dropped
        log.warning("consumer: last offsets not committed: %s", exc)


def _close_quietly(consumer) -> None:
    try:
        consumer.close(autocommit=False)
    except Exception:  # noqa: BLE001 - a broken consumer may fail to close too
        pass
