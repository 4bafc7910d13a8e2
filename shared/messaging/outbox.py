"""Transactional outbox: events are rows written in the same transaction as the state change;
the relay publishes pending rows to Kafka and marks them sent.

Several relays may run against one database. On PostgreSQL each batch runs under a
transaction-scoped advisory lock, so one relay at a time publishes, rows go out in `seq` order,
and no row is published by two relays (a crash between produce and commit can publish a batch
again; consumers drop the repeat by event id). On SQLite, BEGIN IMMEDIATE serialises them.

An idle relay costs next to nothing: a commit that writes to the outbox wakes it (on PostgreSQL
by NOTIFY, elsewhere when the commit is in its own process), and between wake-ups it looks at
an empty outbox ever less often, up to IPMARKET_RELAY_IDLE_SECONDS apart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared import config
from shared.db.schema import utcnow
from shared.db.wake import WAKE_CHANNEL, listen, wake_event
from shared.events import CONTENT_TYPE, Event
from shared.messaging.kafka_io import make_producer, topic

log = logging.getLogger(__name__)

# Arbitrary constant: the advisory lock that makes one relay per database active at a time.
RELAY_LOCK_KEY = 0x1D_4D_A7_0B
# The PostgreSQL channel on which a commit that wrote to the outbox wakes the relays (NOTIFY
# reaches only listeners on the same database: one name serves every service).
OUTBOX_CHANNEL = "ipmarket_outbox"
FIRST_IDLE_SECONDS = 0.02  # the first wait after the outbox is found empty


class OutboxMixin:
    """Mix into a service's Base: `class OutboxMessage(OutboxMixin, Base): pass`."""

    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    stream: Mapped[str] = mapped_column(sa.String(32))
    event_type: Mapped[str] = mapped_column(sa.String(128))
    aggregate_id: Mapped[str] = mapped_column(sa.String(128))
    payload: Mapped[str] = mapped_column(sa.Text)  # the CloudEvent exactly as it will be sent
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)

    @declared_attr.directive
    def __table_args__(cls):
        return (
            sa.Index(
                "ix_outbox_pending",
                "seq",
                postgresql_where=sa.text("published_at IS NULL"),
                sqlite_where=sa.text("published_at IS NULL"),
            ),
            {"info": {WAKE_CHANNEL: OUTBOX_CHANNEL}},
        )

    @classmethod
    def for_event(cls, stream: str, event: Event):
        return cls(**cls.row_for(stream, event))

    @classmethod
    def row_for(cls, stream: str, event: Event) -> dict:
        return {
            "event_id": event.id,
            "stream": stream,
            "event_type": event.type,
            "aggregate_id": event.subject,
            "payload": event.to_json().decode(),
            "created_at": utcnow(),
        }


class ProcessedEventMixin:
    """Inbox: ids of events a consumer has handled, so a redelivery is recognised and dropped."""

    __tablename__ = "processed_event"

    event_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(sa.String(128))
    handled_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxRelay:
    """Publishes pending outbox rows of one database to Kafka, at least once, in order."""

    def __init__(
        self,
        engine: sa.Engine,
        outbox_table: sa.Table,
        *,
        bootstrap: str | None = None,
        prefix: str | None = None,
        batch_size: int | None = None,
        idle_seconds: float | None = None,
        first_idle_seconds: float = FIRST_IDLE_SECONDS,
        producer_factory: Callable = make_producer,
    ):
        self.engine = engine
        self.outbox = outbox_table
        self.bootstrap = bootstrap
        self.prefix = prefix
        self.batch_size = batch_size or config.get("IPMARKET_RELAY_BATCH")
        self.idle_seconds = idle_seconds or config.get("IPMARKET_RELAY_IDLE_SECONDS")
        self.first_idle_seconds = min(first_idle_seconds, self.idle_seconds)
        self._producer_factory = producer_factory
        self._producer = None
        self.published = 0
        self._wake = wake_event(OUTBOX_CHANNEL)  # set by a commit to the outbox
        self.listening = threading.Event()  # PostgreSQL announces those commits

    def run(self, stop: threading.Event) -> None:
        """Publish until `stop`. With the outbox empty, wait until a commit wakes the relay, or
        for the idle wait, which doubles from first_idle_seconds up to idle_seconds (on
        PostgreSQL, while listening, it is idle_seconds at once: every commit is announced)."""
        if self.engine.dialect.name == "postgresql":
            threading.Thread(
                target=listen,
                args=(self.engine, OUTBOX_CHANNEL, self._wake, stop),
                kwargs={"listening": self.listening, "who": "outbox relay"},
                daemon=True,
                name="relay-listen",
            ).start()
        threading.Thread(
            target=_set_when, args=(stop, self._wake), daemon=True, name="relay-stop"
        ).start()
        backoff, idle = 0.5, self.first_idle_seconds
        while not stop.is_set():
            self._wake.clear()
            try:
                sent = self.publish_batch()
            except Exception as exc:  # broker down, database restarting: wait and try again
                log.warning("outbox relay: batch failed, retrying in %.1fs: %s", backoff, exc)
                self._drop_producer()
                stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            backoff = 0.5
            if sent == self.batch_size:
                continue  # more may be waiting
            if sent:
                idle = self.first_idle_seconds
            self._wake.wait(self.idle_seconds if self.listening.is_set() else idle)
            idle = min(idle * 2, self.idle_seconds)
        self.close()

    def publish_batch(self) -> int:
        """Publish one batch in one transaction; return how many rows went out."""
        o = self.outbox.c
        with self.engine.begin() as conn:
            if (
                conn.dialect.name == "postgresql"
                and not conn.execute(
                    sa.select(sa.func.pg_try_advisory_xact_lock(RELAY_LOCK_KEY))
                ).scalar()
            ):
                return 0  # another relay is active
            rows = conn.execute(
                sa.select(o.seq, o.stream, o.aggregate_id, o.payload)
                .where(o.published_at.is_(None))
                .order_by(o.seq)
                .limit(self.batch_size)
            ).all()
            if not rows:
                return 0
            producer = self._get_producer()
            futures = [
                producer.send(
                    topic(row.stream, self.prefix),
                    key=row.aggregate_id.encode(),
                    value=row.payload.encode(),
                    headers=[("content-type", CONTENT_TYPE.encode())],
                )
                for row in rows
            ]
            producer.flush()
            for future in futures:
                future.get(timeout=0)  # raises if the broker did not acknowledge
            conn.execute(
                sa.update(self.outbox)
                .where(o.seq.in_([r.seq for r in rows]))
                .values(published_at=utcnow())
            )
        self.published += len(rows)
        log.info(
            "outbox relay: published %d events, seq %d to %d, to %s",
            len(rows),
            rows[0].seq,
            rows[-1].seq,
            ", ".join(sorted({topic(row.stream, self.prefix) for row in rows})),
        )
        return len(rows)

    def _get_producer(self):
        if self._producer is None:
            self._producer = self._producer_factory(self.bootstrap)
        return self._producer

    def _drop_producer(self):
        # An idempotent producer that saw a delivery time-out must not be reused: start afresh.
        if self._producer is not None:
            try:
                self._producer.close(timeout=1)
            except Exception:  # noqa: BLE001 - closing a broken producer may fail too
                pass
            self._producer = None

    def close(self):
        self._drop_producer()


def _set_when(done: threading.Event, event: threading.Event) -> None:
    done.wait()
    event.set()
