"""Recovery after `kill -9`, measured against real processes, a real broker and PostgreSQL:
how long a killed consumer's partitions stall, and how soon consumers resume after the broker
comes back. Each figure is printed (run with -s to see it) and held to its target with margin."""
from __future__ import annotations

import threading
import time
import uuid

import pytest
from kafka.errors import KafkaError

from ipmarket.broker import Broker, free_port
from kafka import KafkaAdminClient, KafkaProducer
from shared.events import new_event
from shared.kafka import create_topics, topic
from tests.shared.test_consumer import known_organisations, start_licensing_consumer
from tests.support import wait_until

PARTITIONS = 3


def organisation_registered(org_id: str):
    return new_event("ipmarket.organisation.registered.v1", "/test", org_id, {
        "organisation_id": org_id, "legal_name_en": f"Org {org_id[:8]}", "legal_name_zh": None,
        "country": "SG", "region": "overseas", "roles": ["licensee"], "locale": "en",
        "timezone": "Asia/Singapore", "contacts": [], "version": 1})


def send_to_every_partition(bootstrap: str) -> list[str]:
    """One event on each partition of the catalog topic; their ids."""
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    ids = []
    try:
        for partition in range(PARTITIONS):
            event = organisation_registered(str(uuid.uuid4()))
            producer.send(topic("catalog"), key=event.subject.encode(), value=event.to_json(),
                          partition=partition)
            ids.append(event.id)
        producer.flush(10)
    finally:
        producer.close()
    return ids


def group_members(bootstrap: str, group: str) -> list[dict]:
    """The members of a stable group (none while it rebalances)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        description = admin.describe_groups([group])[group]
    except KafkaError:  # no coordinator yet: nobody has joined
        return []
    finally:
        admin.close()
    # Stable: every member has its assignment.
    return description["members"] if description["group_state"] == "Stable" else []


def test_a_killed_consumers_partitions_are_taken_over_within_15_s(platform_env, kafka_broker,
                                                                   processes):
    group = f"{topic('licensing')}.consumer"
    processes.start("consumer-a", "consume", "licensing")
    processes.start("consumer-b", "consume", "licensing")
    wait_until(lambda: len(group_members(kafka_broker.bootstrap, group)) == 2, timeout=40,
               interval=0.5, what="both consumers to hold partitions")
    send_to_every_partition(kafka_broker.bootstrap)
    wait_until(lambda: known_organisations() == PARTITIONS, timeout=20, what="the first events")

    killed = time.monotonic()
    processes.stop("consumer-a", sig="kill")
    send_to_every_partition(kafka_broker.bootstrap)  # one waits on the dead member's partition
    wait_until(lambda: known_organisations() == 2 * PARTITIONS, timeout=40, interval=0.1,
               what="the survivor to take the dead consumer's partitions over")
    stalled = time.monotonic() - killed
    print(f"\nconsumer kill -9 → its partitions handled by the survivor: {stalled:.1f} s")
    assert stalled < 15


@pytest.fixture
def own_broker(tmp_path, monkeypatch, platform_env):
    """A broker of this test's own, since the test stops and restarts it."""
    broker = Broker(tmp_path / "kafka", port=free_port(), controller_port=free_port(),
                    test_mode=True)
    broker.run()
    monkeypatch.setenv("IPMARKET_KAFKA_BOOTSTRAP", broker.bootstrap)
    create_topics(broker.bootstrap, platform_env["IPMARKET_TOPIC_PREFIX"], PARTITIONS, 1)
    yield broker
    broker.stop()


def test_consumers_resume_within_5_s_of_the_broker_coming_back(platform_env, own_broker):
    consumer, stop, thread = start_licensing_consumer()
    try:
        send_to_every_partition(own_broker.bootstrap)
        wait_until(lambda: known_organisations() == PARTITIONS, timeout=30,
                   what="the first events")
        own_broker.process.kill()  # kill -9: no controlled shutdown
        own_broker.process.wait()
        # Down long enough for the client's reconnect back-off to grow as in a real outage.
        outage = threading.Event()
        outage.wait(20)
        own_broker.start()
        own_broker.wait_ready()
        back = time.monotonic()
        send_to_every_partition(own_broker.bootstrap)
        wait_until(lambda: known_organisations() == 2 * PARTITIONS, timeout=60, interval=0.1,
                   what="the consumer to resume")
        resumed = time.monotonic() - back
    finally:
        stop.set()
        thread.join(15)
    print(f"\nbroker back → consumer handling again: {resumed:.1f} s")
    assert resumed < 5
