"""The consumer's dispatch with fake Kafka records: each event handled once, repeats dropped,
bad messages and failing handlers dead-lettered, offsets committed after handling (SQLite in
memory for the inbox; no broker)."""

from __future__ import annotations

import threading

import pytest
from kafka.errors import KafkaConnectionError, RebalanceInProgressError
from kafka.structs import TopicPartition

from shared.events import new_event
from shared.messaging.consumer import (
    COMMIT_RETRY_SECONDS,
    HANDLER_ATTEMPTS,
    EventConsumer,
)
from shared.messaging.group_membership import STALLED_GROUP_SECONDS
from tests.unit.shared.messaging.fakes import (
    FakeKafkaConsumer,
    FakeProducer,
    ProcessedEvent,
    record,
    service_database,
)

TOPIC = "t.catalog"


def registered(org: str):
    return new_event(
        "ipmarket.organisation.registered.v1",
        "/ipmarket/catalog",
        org,
        {
            "organisation_id": org,
            "legal_name_en": f"Org {org}",
            "legal_name_zh": None,
            "country": "HK",
            "region": "hong_kong",
            "roles": ["vendor"],
            "locale": "en",
            "timezone": "Asia/Hong_Kong",
            "contacts": [],
            "version": 1,
        },
    )


@pytest.fixture
def consumer():
    engine, sessions, _ = service_database()
    handled: list[str] = []
    failing: set[str] = set()

    def handle(event, session):
        if event.subject in failing:
            raise RuntimeError(f"cannot handle {event.subject}")
        handled.append(event.id)

    producer = FakeProducer()
    now = [0.0]
    consumer = EventConsumer(
        service="licensing",
        session_factory=sessions,
        processed_model=ProcessedEvent,
        handlers={"ipmarket.organisation.registered.v1": handle},
        streams=["catalog"],
        prefix="t",
        producer_factory=lambda bootstrap: producer,
        retry_pause=lambda s: None,
        clock=lambda: now[0],
    )
    consumer.fake, consumer.now = producer, now
    consumer.handled, consumer.failing = handled, failing
    yield consumer
    engine.dispose()


def test_each_event_is_handled_once_however_often_it_comes(consumer):
    first, second = registered("a"), registered("b")
    consumer.handle_messages(
        [
            record(TOPIC, 0, 0, first.to_json()),
            record(TOPIC, 0, 1, first.to_json()),  # twice in one batch
            record(TOPIC, 1, 0, second.to_json()),
        ]
    )
    consumer.handle_messages([record(TOPIC, 0, 0, first.to_json())])  # redelivered later
    assert consumer.handled == [first.id, second.id]
    assert consumer.counts == {"handled": 2, "duplicate": 2, "ignored": 0, "dead_lettered": 0}


def test_an_event_this_service_does_not_need_is_ignored(consumer):
    other = new_event(
        "ipmarket.api_key.revoked.v1",
        "/ipmarket/catalog",
        "a",
        {"organisation_id": "a", "key_id": "k", "revoked_at": "2026-01-01T00:00:00+00:00"},
    )
    consumer.handle_messages([record(TOPIC, 0, 0, other.to_json())])
    assert consumer.counts["ignored"] == 1 and consumer.handled == []


def test_a_message_that_is_no_event_is_dead_lettered_with_where_it_came_from(consumer):
    consumer.handle_messages([record(TOPIC, 2, 7, b"{not json")])
    [sent] = consumer.fake.sent
    headers = dict(sent["headers"])
    assert sent["topic"] == "t.deadletter" and sent["value"] == b"{not json"
    assert headers["dlq-topic"] == TOPIC.encode() and headers["dlq-partition"] == b"2"
    assert headers["dlq-offset"] == b"7" and headers["dlq-reason"]
    assert consumer.counts["dead_lettered"] == 1


def test_a_failing_handler_costs_only_its_own_event(consumer):
    good, bad = registered("good"), registered("bad")
    consumer.failing.add("bad")
    consumer.handle_messages(
        [record(TOPIC, 0, 0, bad.to_json()), record(TOPIC, 0, 1, good.to_json())]
    )
    assert consumer.handled == [good.id]  # the batch rolled back, then one at a time
    [sent] = consumer.fake.sent
    assert dict(sent["headers"])["dlq-reason"].startswith(b"handler failed")
    assert consumer.counts["dead_lettered"] == 1 and consumer.counts["handled"] == 1
    assert HANDLER_ATTEMPTS == 3


def test_offsets_are_committed_after_handling_one_past_each_partitions_last(consumer):
    a, b, c = registered("a"), registered("b"), registered("c")
    kafka = FakeKafkaConsumer(
        [
            {
                TopicPartition(TOPIC, 0): [
                    record(TOPIC, 0, 4, a.to_json()),
                    record(TOPIC, 0, 5, b.to_json()),
                ],
                TopicPartition(TOPIC, 1): [record(TOPIC, 1, 9, c.to_json())],
            }
        ]
    )
    consumer._poll_once(kafka)
    [offsets] = kafka.committed
    assert {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items()} == {
        ("t.catalog", 0): 6,
        ("t.catalog", 1): 10,
    }
    assert consumer.handled == [a.id, b.id, c.id]


def committed_offsets(commit: dict) -> dict:
    return {(tp.topic, tp.partition): meta.offset for tp, meta in commit.items()}


def test_a_lost_offset_commit_is_sent_again_once_the_consumer_is_idle(consumer):
    a, b = registered("a"), registered("b")
    kafka = FakeKafkaConsumer(
        [
            {TopicPartition(TOPIC, 0): [record(TOPIC, 0, 4, a.to_json())]},
            {TopicPartition(TOPIC, 1): [record(TOPIC, 1, 7, b.to_json())]},
        ],
        commit_answers=[RuntimeError("the group is rebalancing")],
        partitions={TopicPartition(TOPIC, 0), TopicPartition(TOPIC, 1)},
    )
    consumer._poll_once(kafka)  # partition 0's commit is lost
    consumer._poll_once(kafka)  # partition 1's is confirmed
    consumer._poll_once(kafka)  # idle, but too soon to send again
    assert [committed_offsets(c) for c in kafka.committed] == [
        {("t.catalog", 0): 5},
        {("t.catalog", 1): 8},
    ]
    consumer.now[0] += COMMIT_RETRY_SECONDS
    consumer._poll_once(kafka)
    consumer.now[0] += COMMIT_RETRY_SECONDS
    consumer._poll_once(kafka)  # confirmed the second time: nothing more to send
    assert [committed_offsets(c) for c in kafka.committed][2:] == [{("t.catalog", 0): 5}]


def test_a_lost_commit_of_a_partition_taken_away_is_left_to_its_new_owner(consumer):
    a = registered("a")
    kafka = FakeKafkaConsumer(
        [{TopicPartition(TOPIC, 0): [record(TOPIC, 0, 4, a.to_json())]}],
        commit_answers=[RuntimeError("the group has rebalanced")],
        partitions={TopicPartition(TOPIC, 1)},
    )
    consumer._poll_once(kafka)
    consumer.now[0] += COMMIT_RETRY_SECONDS
    consumer._poll_once(kafka)
    consumer.now[0] += COMMIT_RETRY_SECONDS
    consumer._poll_once(kafka)
    assert len(kafka.committed) == 1


def test_a_consumer_whose_commits_fail_for_too_long_is_made_anew(consumer):
    """kafka-python once kept a member "undergoing a rebalance" for minutes: every commit
    refused. The run loop then closes that consumer and joins with a new one."""
    a = registered("a")
    stuck = FakeKafkaConsumer(
        [{TopicPartition(TOPIC, 0): [record(TOPIC, 0, 4, a.to_json())]}],
        commit_answers=[RebalanceInProgressError()] * 100,
        partitions={TopicPartition(TOPIC, 0)},
    )
    fresh = FakeKafkaConsumer([], partitions={TopicPartition(TOPIC, 0)})
    made = [stuck, fresh]
    consumer._consumer_factory = lambda group, topics, bootstrap: made.pop(0)
    stop = threading.Event()
    polls = []

    def step(kafka):
        polls.append(kafka)
        consumer.now[0] += COMMIT_RETRY_SECONDS
        if kafka is fresh:
            stop.set()

    stuck.on_poll = fresh.on_poll = step
    consumer.run(stop)

    assert stuck.closed and fresh.closed
    assert polls.count(stuck) == STALLED_GROUP_SECONDS / COMMIT_RETRY_SECONDS + 1
    assert polls[-1] is fresh and consumer.handled == [a.id]


def test_one_confirmed_commit_ends_a_run_of_failed_ones(consumer):
    a, b = registered("a"), registered("b")
    kafka = FakeKafkaConsumer(
        [
            {TopicPartition(TOPIC, 0): [record(TOPIC, 0, 4, a.to_json())]},
            {TopicPartition(TOPIC, 0): [record(TOPIC, 0, 5, b.to_json())]},
        ],
        commit_answers=[RebalanceInProgressError(), None],
        partitions={TopicPartition(TOPIC, 0)},
    )
    consumer._poll_once(kafka)  # refused: the group was rebalancing
    consumer.now[0] += STALLED_GROUP_SECONDS - 1
    consumer._poll_once(kafka)  # confirmed
    consumer.now[0] += STALLED_GROUP_SECONDS
    consumer._poll_once(kafka)  # idle, and nothing failing: no reason to join anew


def test_a_broker_out_of_reach_keeps_the_same_consumer_and_its_place_in_the_group(consumer):
    """A new consumer would wait at the broker, once it is back, for the old member's session
    to end; the same one rejoins at once."""
    a = registered("a")
    kafka = FakeKafkaConsumer(
        [{TopicPartition(TOPIC, 0): [record(TOPIC, 0, 4, a.to_json())]}],
        partitions={TopicPartition(TOPIC, 0)},
    )
    made = []
    consumer._consumer_factory = lambda group, topics, bootstrap: made.append(kafka) or kafka
    stop, polls = threading.Event(), []

    def step(kafka):
        polls.append(len(polls))
        if len(polls) <= 2:
            raise KafkaConnectionError("111 ECONNREFUSED")
        stop.set()

    kafka.on_poll = step
    consumer.run(stop)

    assert len(made) == 1 and len(polls) == 3
    assert consumer.handled == [a.id]


def test_commits_refused_for_want_of_a_broker_do_not_count_as_a_stalled_membership(consumer):
    a = registered("a")
    kafka = FakeKafkaConsumer(
        [{TopicPartition(TOPIC, 0): [record(TOPIC, 0, 4, a.to_json())]}],
        commit_answers=[KafkaConnectionError("111 ECONNREFUSED")] * 100,
        partitions={TopicPartition(TOPIC, 0)},
    )
    for _ in range(2 * int(STALLED_GROUP_SECONDS)):
        consumer._poll_once(kafka)
        consumer.now[0] += COMMIT_RETRY_SECONDS
    assert len(kafka.committed) > STALLED_GROUP_SECONDS  # still sending it again, still there
