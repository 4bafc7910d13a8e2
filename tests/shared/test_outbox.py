"""The transactional outbox and its relay, against real PostgreSQL and a real Kafka broker."""
from __future__ import annotations

import json
import threading
import uuid

import pytest
from kafka import KafkaConsumer

from services.catalog.app import build_context
from services.catalog.organisations import register_organisation
from shared.events import CONTENT_TYPE
from shared.kafka import topic
from shared.outbox import OutboxRelay


def read_topic(bootstrap: str, name: str, expected: int, timeout_ms: int = 15000) -> list:
    consumer = KafkaConsumer(name, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, group_id=None,
                             consumer_timeout_ms=timeout_ms)
    messages = []
    try:
        for message in consumer:
            messages.append(message)
            if len(messages) >= expected:
                # Linger briefly so that an extra (duplicate) message would be seen too.
                more = consumer.poll(timeout_ms=500)
                messages.extend(m for batch in more.values() for m in batch)
                break
    finally:
        consumer.close()
    return messages


def register(context, name: str) -> str:
    with context.unit_of_work() as uow:
        org = register_organisation(uow, legal_name_en=name, country="HK", roles=["vendor"])
        uow.commit()
    return org.id


def test_committed_event_is_published_once_as_a_structured_cloudevent(platform_env,
                                                                       kafka_broker):
    context = build_context()
    org_id = register(context, "Pearl River Silicon Ltd")
    relay = OutboxRelay(context.engine, context.outbox_model.__table__)
    assert relay.publish_batch() == 1
    assert relay.publish_batch() == 0  # marked sent: never published again
    relay.close()

    messages = read_topic(kafka_broker.bootstrap, topic("catalog"), expected=1)
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
            register_organisation(uow, legal_name_en="Crashed Ltd", country="US",
                                  roles=["licensee"])
            raise RuntimeError("the request failed before commit")
    register(context, "After Ltd")  # the one event that must appear

    relay = OutboxRelay(context.engine, context.outbox_model.__table__)
    assert relay.publish_batch() == 1
    relay.close()
    messages = read_topic(kafka_broker.bootstrap, topic("catalog"), expected=1)
    assert [json.loads(m.value)["data"]["legal_name_en"] for m in messages] == ["After Ltd"]
