"""Fakes of the Kafka clients and a throw-away service database (SQLite in memory), for unit tests
of the relay and the consumer: no broker, no PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy.pool import StaticPool

from shared.db.engine import create_engine
from shared.db.schema import make_base
from shared.db.session import session_factory
from shared.messaging.outbox import OutboxMixin, ProcessedEventMixin
from shared.messaging.unit_of_work import UnitOfWork

Base = make_base()


class OutboxMessage(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


def service_database():
    """(engine, sessions, unit_of_work()) of a fresh in-memory SQLite database with an outbox
    and an inbox: one connection shared by every session (StaticPool), nothing on disk."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    sessions = session_factory(engine)
    return engine, sessions, lambda: UnitOfWork(sessions, OutboxMessage, "catalog")


def organisation_updated(uow, organisation_id: str, version: int):
    return uow.publish(
        "ipmarket.organisation.updated.v1",
        organisation_id,
        {
            "organisation_id": organisation_id,
            "legal_name_en": f"Org {organisation_id}",
            "legal_name_zh": None,
            "country": "CN",
            "region": "mainland_china",
            "roles": ["licensee"],
            "locale": "zh-Hans",
            "timezone": "Asia/Shanghai",
            "contacts": [],
            "version": version,
        },
    )


class Acknowledged:
    def __init__(self, error: Exception | None = None):
        self.error = error

    def get(self, timeout=None):
        if self.error is not None:
            raise self.error
        return None


@dataclass
class FakeProducer:
    """Records what is sent; `refuse` makes every acknowledgement fail."""

    refuse: Exception | None = None
    sent: list[dict] = field(default_factory=list)
    flushes: int = 0
    closed: bool = False

    def send(self, topic, key=None, value=None, headers=None):
        self.sent.append({"topic": topic, "key": key, "value": value, "headers": headers})
        return Acknowledged(self.refuse)

    def flush(self):
        self.flushes += 1

    def close(self, timeout=None):
        self.closed = True


def record(topic: str, partition: int, offset: int, value: bytes, key: bytes = b"k"):
    """A fetched Kafka message as kafka-python's ConsumerRecord has it."""
    return SimpleNamespace(topic=topic, partition=partition, offset=offset, key=key, value=value)


@dataclass
class FakeKafkaConsumer:
    """Hands out the batches it is given, one per poll; records the offsets committed and
    answers each commit with the next of `commit_answers` (an exception for a lost commit),
    else confirms it."""

    batches: list[dict]
    committed: list[dict] = field(default_factory=list)
    commit_answers: list = field(default_factory=list)
    partitions: set = field(default_factory=set)
    on_poll: object = None  # called with the consumer before each poll
    closed: bool = False

    def poll(self, timeout_ms=0):
        if self.on_poll is not None:
            self.on_poll(self)
        return self.batches.pop(0) if self.batches else {}

    def assignment(self):
        return set(self.partitions)

    def commit_async(self, offsets, callback=None):
        self.committed.append(offsets)
        if callback is not None:
            callback(offsets, self.commit_answers.pop(0) if self.commit_answers else None)

    def commit(self):
        pass

    def close(self, autocommit=True):
        self.closed = True
