"""The outbox relay with a fake producer: what it sends, in which order, and that a batch the
broker did not acknowledge stays pending (SQLite in memory; no broker)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from shared.events import CONTENT_TYPE
from shared.messaging.outbox import OutboxRelay
from tests.unit.shared.messaging.fakes import (
    FakeProducer,
    OutboxMessage,
    organisation_updated,
    service_database,
)


@pytest.fixture
def database():
    engine, sessions, unit_of_work = service_database()
    yield engine, unit_of_work
    engine.dispose()


def pending(engine) -> int:
    table = OutboxMessage.__table__
    with engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.count()).where(table.c.published_at.is_(None))
        ).scalar()


def relay_with(engine, producer, **options) -> OutboxRelay:
    return OutboxRelay(
        engine,
        OutboxMessage.__table__,
        prefix="t",
        batch_size=3,
        idle_seconds=1,
        producer_factory=lambda bootstrap: producer,
        **options,
    )


def test_rows_go_out_in_seq_order_keyed_by_aggregate_then_are_marked_sent(database):
    engine, unit_of_work = database
    with unit_of_work() as uow:
        events = [organisation_updated(uow, org, 1) for org in ("b", "a", "c", "a")]
        uow.commit()
    producer = FakeProducer()
    relay = relay_with(engine, producer)
    assert relay.publish_batch() == 3  # the batch size
    assert relay.publish_batch() == 1
    assert relay.publish_batch() == 0  # nothing pending: nothing sent again
    assert [json.loads(m["value"])["id"] for m in producer.sent] == [e.id for e in events]
    assert [m["key"] for m in producer.sent] == [b"b", b"a", b"c", b"a"]
    assert {m["topic"] for m in producer.sent} == {"t.catalog"}
    assert all(m["headers"] == [("content-type", CONTENT_TYPE.encode())] for m in producer.sent)
    assert pending(engine) == 0 and relay.published == 4


def test_a_batch_the_broker_did_not_acknowledge_stays_pending(database):
    engine, unit_of_work = database
    with unit_of_work() as uow:
        organisation_updated(uow, "a", 1)
        uow.commit()
    relay = relay_with(engine, FakeProducer(refuse=TimeoutError("no acknowledgement")))
    with pytest.raises(TimeoutError):
        relay.publish_batch()
    assert pending(engine) == 1  # sent again by the next batch; consumers drop the repeat
    producer = FakeProducer()
    relay = relay_with(engine, producer)
    assert relay.publish_batch() == 1 and pending(engine) == 0


def test_a_rolled_back_unit_of_work_leaves_nothing_to_publish(database):
    engine, unit_of_work = database
    with unit_of_work() as uow:
        organisation_updated(uow, "a", 1)
        uow.rollback()
    assert relay_with(engine, FakeProducer()).publish_batch() == 0
