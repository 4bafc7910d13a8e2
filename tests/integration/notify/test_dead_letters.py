"""Dead letters through the real broker: a message the notify consumer cannot handle goes to the
dead-letter topic, does not block its partition, and shows in the admin API."""

from __future__ import annotations

import base64
import threading

import pytest

from ipmarket.cli import build_consumer
from kafka import KafkaProducer
from services.notify.app import create_app
from services.notify.dead_letters import DeadLetterRecorder
from services.notify.models import DeadLetter, ProcessedEvent
from shared.messaging.kafka_io import topic
from tests.integration.notify.conftest import organisation_event
from tests.support import wait_until


@pytest.fixture
def running(notify_context):
    stop = threading.Event()
    threads = [
        threading.Thread(target=worker.run, args=(stop,), daemon=True)
        for worker in (build_consumer("notify"), DeadLetterRecorder(notify_context.session_factory))
    ]
    for thread in threads:
        thread.start()
    yield
    stop.set()
    for thread in threads:
        thread.join(15)


def test_an_unreadable_message_is_dead_lettered_listed_and_does_not_block(
    platform_env, kafka_broker, notify_context, organisation, running
):
    _, admin_key = organisation("ipmarket operator", country="CN", roles=["admin"])
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap)
    garbage = b"\xff not an event"
    producer.send(topic("catalog"), key=b"org-9", value=garbage).get(timeout=10)
    valid = organisation_event(
        "org-9",
        name="After Ltd",
        country="US",
        roles=["licensee"],
        locale="en",
        timezone="UTC",
        contacts=[],
    )
    producer.send(topic("catalog"), key=b"org-9", value=valid.to_json()).get(timeout=10)
    producer.close()

    def handled():
        with notify_context.session_factory() as session:
            return session.get(ProcessedEvent, valid.id) and session.query(DeadLetter).count()

    wait_until(handled, timeout=30, what="the next message handled and the bad one recorded")
    client = create_app().test_client()
    listed = client.get(
        "/v1/admin/dead-letters", headers={"Authorization": f"Bearer {admin_key}"}
    ).json
    assert listed["next"] is None
    [letter] = listed["items"]
    assert base64.b64decode(letter["value"]) == garbage
    assert base64.b64decode(letter["key"]) == b"org-9"
    assert letter["source_topic"] == topic("catalog") and letter["source_offset"] == 0
    assert "not JSON" in letter["reason"]
    assert letter["topic"] == topic("deadletter")
