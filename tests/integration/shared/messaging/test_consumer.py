"""Consumers: idempotent handling, dead letters, and a broker that goes away and comes back."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from typing import NamedTuple

import pytest
import sqlalchemy as sa
from kafka.structs import TopicPartition

from ipmarket.broker import Broker, free_port
from ipmarket.cli import build_consumer
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from services.catalog.app import build_context
from services.licensing.app import build_context as licensing_context
from services.licensing.models import KnownOrganisation
from shared.events import new_event
from shared.messaging.kafka_io import DEAD_LETTER, create_topics, topic
from shared.messaging.outbox import OutboxRelay
from tests.integration.shared.messaging.test_outbox import org_updated
from tests.support import read_topic_to_end, wait_until


class CountingHandlers(dict):
    """The licensing service's real handlers, counting how often each event id reaches one."""

    def __init__(self, handlers):
        self.calls = Counter()
        super().__init__({t: self._counted(h) for t, h in handlers.items()})

    def _counted(self, handler):
        def counted(event, session):
            handler(event, session)
            self.calls[event.id] += 1

        return counted


class Message(NamedTuple):
    """What the consumer reads of a Kafka record."""

    topic: str
    partition: int
    offset: int
    key: bytes
    value: bytes


def committed_to_the_end(group_id: str, topic_name: str, bootstrap: str) -> bool:
    """Whether `group_id` has committed, on every partition of `topic_name` that holds
    messages, its end offset."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    probe = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        committed = admin.list_group_offsets(group_id)[group_id]
        partitions = [
            TopicPartition(topic_name, p) for p in probe.partitions_for_topic(topic_name) or ()
        ]
        ends = probe.end_offsets(partitions)
        return bool(partitions) and all(  # (an empty partition has nothing to commit)
            ends[p] == 0 or (p in committed and committed[p].offset >= ends[p]) for p in partitions
        )
    finally:
        probe.close()
        admin.close()


def start_licensing_consumer(**options):
    consumer = build_consumer("licensing", **options)
    consumer.handlers = CountingHandlers(consumer.handlers)
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    return consumer, stop, thread


def known_organisations() -> int:
    with licensing_context().session_factory() as session:
        return session.query(KnownOrganisation).count()


def test_malformed_messages_go_to_the_dead_letter_topic_and_the_next_is_handled(
    platform_env, kafka_broker
):
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap)
    catalog_topic = topic("catalog")
    wrong_schema = new_event(
        "ipmarket.api_key.revoked.v1",
        "/test",
        "org-1",
        {"key_id": "k", "organisation_id": "org-1", "revoked_at": "2026-11-24T00:00:00+00:00"},
    ).to_dict()
    wrong_schema["data"] = {"key_id": 42}  # a number where a string is due; fields missing
    unknown_type = {
        **wrong_schema,
        "id": str(uuid.uuid4()),
        "type": "ipmarket.nonsense.v1",
        "data": {},
    }
    bad = [
        b"\xff\x00 definitely not JSON",
        json.dumps(wrong_schema).encode(),
        json.dumps(unknown_type).encode(),
    ]
    for value in bad:
        producer.send(catalog_topic, key=b"org-1", value=value)
    good = new_event(
        "ipmarket.organisation.registered.v1",
        "/test",
        "org-1",
        {
            "organisation_id": "org-1",
            "legal_name_en": "Good Ltd",
            "legal_name_zh": "好公司",
            "country": "HK",
            "region": "hong_kong",
            "roles": ["licensee"],
            "locale": "zh-Hant",
            "timezone": "Asia/Hong_Kong",
            "contacts": [],
            "version": 1,
        },
    )
    producer.send(catalog_topic, key=b"org-1", value=good.to_json())
    producer.flush()
    producer.close()

    consumer, stop, thread = start_licensing_consumer()
    try:
        wait_until(
            lambda: consumer.handlers.calls[good.id] == 1,
            timeout=30,
            what="the good event to be handled",
        )
    finally:
        stop.set()
        thread.join(15)
    assert known_organisations() == 1
    # Each dead letter was acknowledged before its offset was committed: all are on the topic.
    dead = read_topic_to_end(kafka_broker.bootstrap, topic(DEAD_LETTER))
    assert [m.value for m in dead] == bad  # the original bytes, in order
    reasons = [dict(m.headers)["dlq-reason"].decode() for m in dead]
    assert reasons[0].startswith("not JSON")
    assert "does not match its schema" in reasons[1] and "key_id" in reasons[1]
    assert "unknown event type 'ipmarket.nonsense.v1'" in reasons[2]
    assert {dict(m.headers)["dlq-topic"] for m in dead} == {catalog_topic.encode()}
    assert consumer.counts["dead_lettered"] == 3


def test_a_redelivered_event_does_not_reach_the_handler_twice(platform_env, kafka_broker):
    good = new_event(
        "ipmarket.organisation.registered.v1",
        "/test",
        "org-2",
        {
            "organisation_id": "org-2",
            "legal_name_en": "Twice Ltd",
            "legal_name_zh": None,
            "country": "US",
            "region": "overseas",
            "roles": ["vendor"],
            "locale": "en",
            "timezone": "America/Los_Angeles",
            "contacts": [],
            "version": 1,
        },
    )
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap)
    for _ in range(2):  # what a relay crash between produce and commit looks like
        producer.send(topic("catalog"), key=b"org-2", value=good.to_json())
    producer.flush()
    producer.close()
    consumer, stop, thread = start_licensing_consumer()
    try:
        wait_until(
            lambda: consumer.counts["duplicate"] == 1,
            timeout=30,
            what="the repeat to be recognised",
        )
    finally:
        stop.set()
        thread.join(15)
    assert consumer.handlers.calls[good.id] == 1
    assert consumer.counts["handled"] == 1


@pytest.fixture
def own_broker(tmp_path, monkeypatch):
    """A broker of this test's own, since the test stops and restarts it."""
    broker = Broker(
        tmp_path / "kafka", port=free_port(), controller_port=free_port(), test_mode=True
    )
    broker.run()
    yield broker
    broker.stop()


def test_broker_down_then_up_loses_nothing_and_handles_each_event_once(
    platform_env, own_broker, monkeypatch
):
    monkeypatch.setenv("IPMARKET_KAFKA_BOOTSTRAP", own_broker.bootstrap)
    create_topics(own_broker.bootstrap, platform_env["IPMARKET_TOPIC_PREFIX"], 3, 1)
    catalog = build_context()
    relay = OutboxRelay(catalog.engine, catalog.outbox_model.__table__)
    relay_stop = threading.Event()
    relay_thread = threading.Thread(target=relay.run, args=(relay_stop,), daemon=True)
    relay_thread.start()
    consumer, consumer_stop, consumer_thread = start_licensing_consumer()
    written = []

    def write(n: int):
        for _ in range(n):
            with catalog.unit_of_work() as uow:
                written.append(org_updated(uow, str(uuid.uuid4()), 1).id)
                uow.commit()

    try:
        write(20)
        wait_until(
            lambda: len(consumer.handlers.calls) == 20, timeout=30, what="the first 20 events"
        )
        own_broker.stop()
        write(30)  # the API keeps answering: writes succeed with Kafka down
        assert len(written) == 50
        own_broker.start()
        own_broker.wait_ready()
        wait_until(
            lambda: len(consumer.handlers.calls) == 50,
            timeout=90,
            what="every event after the broker came back",
        )
    finally:
        relay_stop.set()
        consumer_stop.set()
        relay_thread.join(15)
        consumer_thread.join(15)
    assert set(consumer.handlers.calls) == set(written)
    assert max(consumer.handlers.calls.values()) == 1  # no duplicate reached the handler
    assert known_organisations() == 50


def test_sigterm_stops_a_consumer_process_cleanly(platform_env, processes):
    consumer = processes.start("consumer", "consume", "licensing")
    processes.start("relay", "relay", "catalog")
    catalog = build_context()
    with catalog.unit_of_work() as uow:
        event = org_updated(uow, str(uuid.uuid4()), 1)
        uow.commit()
    wait_until(
        lambda: event.id in processes.log("consumer"),
        timeout=30,
        what="the consumer process to handle an event",
    )
    assert consumer.poll() is None
    assert processes.stop("consumer") == 0  # SIGTERM: finish, commit, leave the group


def test_a_failing_handler_costs_only_its_own_event_not_the_batch(platform_env, kafka_broker):
    events = [
        new_event(
            "ipmarket.organisation.registered.v1",
            "/test",
            f"org-{i}",
            {
                "organisation_id": f"org-{i}",
                "legal_name_en": f"Batch {i} Ltd",
                "legal_name_zh": None,
                "country": "SG",
                "region": "overseas",
                "roles": ["licensee"],
                "locale": "en",
                "timezone": "Asia/Singapore",
                "contacts": [],
                "version": 1,
            },
        )
        for i in range(3)
    ]
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap)
    for event in events:  # one key: one partition, one batch
        producer.send(topic("catalog"), key=b"same", value=event.to_json())
    producer.flush()
    producer.close()
    poison = events[1].id
    consumer = build_consumer("licensing")
    handlers = dict(consumer.handlers)
    real = handlers["ipmarket.organisation.registered.v1"]

    def fails_on_poison(event, session):
        real(event, session)
        if event.id == poison:
            raise RuntimeError("this one cannot be handled")

    handlers["ipmarket.organisation.registered.v1"] = fails_on_poison
    consumer.handlers = CountingHandlers(handlers)
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(
            lambda: consumer.counts["dead_lettered"] == 1,
            timeout=30,
            what="the failing event to be dead-lettered",
        )
    finally:
        stop.set()
        thread.join(15)
    assert consumer.counts["handled"] == 2
    assert known_organisations() == 2  # the poison event's changes were rolled back
    dead = read_topic_to_end(kafka_broker.bootstrap, topic(DEAD_LETTER))
    assert json.loads(dead[0].value)["id"] == poison
    assert "cannot be handled" in dict(dead[0].headers)["dlq-reason"].decode()


def test_a_batch_records_its_events_in_one_statement_and_drops_every_repeat(platform_env):
    def registered(n: int):
        return new_event(
            "ipmarket.organisation.registered.v1",
            "/test",
            f"org-{n}",
            {
                "organisation_id": f"org-{n}",
                "legal_name_en": f"Repeat {n} Ltd",
                "legal_name_zh": None,
                "country": "HK",
                "region": "hong_kong",
                "roles": ["licensee"],
                "locale": "zh-Hant",
                "timezone": "Asia/Hong_Kong",
                "contacts": [],
                "version": 1,
            },
        )

    def messages(*events):
        return [
            Message(topic("catalog"), 0, offset, b"k", event.to_json())
            for offset, event in enumerate(events)
        ]

    earlier, new = registered(1), registered(2)
    consumer = build_consumer("licensing")
    consumer.handlers = CountingHandlers(consumer.handlers)
    consumer.handle_messages(messages(earlier))
    engine, statements = consumer.session_factory.kw["bind"], []

    def note(_connection, _cursor, statement, *_):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", note)
    # A redelivery of the earlier batch with a new event, which itself comes twice.
    consumer.handle_messages(messages(earlier, new, new))
    sa.event.remove(engine, "before_cursor_execute", note)

    assert consumer.handlers.calls == {earlier.id: 1, new.id: 1}
    assert consumer.counts["handled"] == 2 and consumer.counts["duplicate"] == 2
    assert sum("INSERT INTO processed_event" in s for s in statements) == 1
    assert known_organisations() == 2


def test_handled_offsets_are_committed_so_a_restarted_consumer_starts_after_them(
    platform_env, kafka_broker
):
    events = [
        new_event(
            "ipmarket.organisation.registered.v1",
            "/test",
            f"org-{i}",
            {
                "organisation_id": f"org-{i}",
                "legal_name_en": f"Restart {i} Ltd",
                "legal_name_zh": None,
                "country": "TW",
                "region": "overseas",
                "roles": ["licensee"],
                "locale": "zh-Hant",
                "timezone": "Asia/Taipei",
                "contacts": [],
                "version": 1,
            },
        )
        for i in range(4)
    ]
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap)

    def publish(*batch):
        for event in batch:
            producer.send(topic("catalog"), key=event.subject.encode(), value=event.to_json())
        producer.flush()

    publish(*events[:3])
    consumer, stop, thread = start_licensing_consumer()
    wait_until(lambda: consumer.counts["handled"] == 3, timeout=30, what="the first three")
    stop.set()
    thread.join(15)
    publish(events[3])
    consumer, stop, thread = start_licensing_consumer()  # the same group
    try:
        wait_until(lambda: consumer.counts["handled"] == 1, timeout=30, what="the fourth")
        # Not a pause: until the group's committed offsets reach the topic's end, after which
        # every message was either handled or dropped as a repeat, and the counts are final.
        wait_until(
            lambda: committed_to_the_end(
                consumer.group_id, topic("catalog"), kafka_broker.bootstrap
            ),
            timeout=30,
            what="the consumer's offsets at the end of the topic",
        )
    finally:
        stop.set()
        thread.join(15)
        producer.close()
    assert consumer.counts["duplicate"] == 0  # nothing handled before came again
    assert set(consumer.handlers.calls) == {events[3].id}
