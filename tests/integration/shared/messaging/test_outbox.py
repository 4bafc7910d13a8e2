"""The transactional outbox and its relay, against real PostgreSQL and a real Kafka broker."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa

from services.catalog.app import build_context
from services.catalog.organisations import register_organisation
from shared.events import CONTENT_TYPE
from shared.messaging.kafka_io import topic
from shared.messaging.outbox import OutboxRelay
from tests.support import read_topic_to_end, wait_until


def register(context, name: str) -> str:
    with context.unit_of_work() as uow:
        org = register_organisation(uow, legal_name_en=name, country="HK", roles=["vendor"])
        uow.commit()
    return org.id


def test_committed_event_is_published_once_as_a_structured_cloudevent(platform_env, kafka_broker):
    context = build_context()
    org_id = register(context, "Pearl River Silicon Ltd")
    relay = OutboxRelay(context.engine, context.outbox_model.__table__)
    assert relay.publish_batch() == 1
    assert relay.publish_batch() == 0  # marked sent: never published again
    relay.close()

    # Read up to the topic's end after the relay marked the row: a second copy would be there.
    messages = read_topic_to_end(kafka_broker.bootstrap, topic("catalog"))
    assert len(messages) == 1
    message = messages[0]
    assert message.key == org_id.encode()
    assert dict(message.headers)["content-type"] == CONTENT_TYPE.encode()
    event = json.loads(message.value)
    assert event["specversion"] == "1.0"
    assert event["type"] == "ipmarket.organisation.registered.v1"
    assert event["subject"] == org_id
    assert event["source"] == "/ipmarket/catalog"
    assert event["datacontenttype"] == "application/json"
    assert event["data"]["legal_name_en"] == "Pearl River Silicon Ltd"
    assert event["data"]["region"] == "hong_kong"
    uuid.UUID(event["id"])


def test_rolled_back_transaction_publishes_nothing(platform_env, kafka_broker):
    context = build_context()
    with context.unit_of_work() as uow:
        register_organisation(uow, legal_name_en="Never Ltd", country="US", roles=["licensee"])
        uow.rollback()
    with pytest.raises(RuntimeError):
        with context.unit_of_work() as uow:
            register_organisation(
                uow, legal_name_en="Crashed Ltd", country="US", roles=["licensee"]
            )
            raise RuntimeError("the request failed before commit")
    register(context, "After Ltd")  # the one event that must appear

    relay = OutboxRelay(context.engine, context.outbox_model.__table__)
    assert relay.publish_batch() == 1
    relay.close()
    messages = read_topic_to_end(kafka_broker.bootstrap, topic("catalog"))
    assert [json.loads(m.value)["data"]["legal_name_en"] for m in messages] == ["After Ltd"]


def org_updated(uow, aggregate_id: str, version: int):
    """A valid organisation.updated event for `aggregate_id` at `version`."""
    return uow.publish(
        "ipmarket.organisation.updated.v1",
        aggregate_id,
        {
            "organisation_id": aggregate_id,
            "legal_name_en": f"Org {aggregate_id[:8]}",
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


def test_two_relay_processes_publish_each_row_once_in_per_aggregate_order(
    platform_env, kafka_broker, processes
):
    context = build_context()
    aggregates = [str(uuid.uuid4()) for _ in range(8)]
    processes.start("relay-a", "relay", "catalog")
    processes.start("relay-b", "relay", "catalog")
    expected = {}
    # Written while both relays run, a few events per transaction, interleaving aggregates.
    for version in range(1, 61):
        with context.unit_of_work() as uow:
            for aggregate_id in aggregates:
                event = org_updated(uow, aggregate_id, version)
                expected[event.id] = (aggregate_id, version)
            uow.commit()

    # Every row marked published, every copy of it is on the topic (a relay marks a row only
    # after the broker acknowledged it, and never produces a marked row again).
    outbox = context.outbox_model
    with context.engine.connect() as connection:
        wait_until(
            lambda: (
                connection.execute(
                    sa.select(sa.func.count()).where(outbox.published_at.is_(None))
                ).scalar()
                == 0
            ),
            timeout=30,
            what="both relays to publish every row",
        )
    messages = read_topic_to_end(kafka_broker.bootstrap, topic("catalog"))
    ids = [json.loads(m.value)["id"] for m in messages]
    assert len(ids) == len(expected) == 480
    assert set(ids) == set(expected)  # every row published, none twice
    versions_by_aggregate = {}
    for message in messages:
        event = json.loads(message.value)
        assert message.key.decode() == event["subject"]
        versions_by_aggregate.setdefault(event["subject"], []).append(event["data"]["version"])
    for aggregate_id in aggregates:
        assert versions_by_aggregate[aggregate_id] == list(range(1, 61))
    # Both relays took part or stood by; neither crashed.
    for name in ("relay-a", "relay-b"):
        assert processes.running[name].poll() is None, processes.log(name)
