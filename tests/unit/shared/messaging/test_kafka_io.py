"""Kafka plumbing that is pure logic: the relay's partitioner places keys as Kafka's own does."""

from __future__ import annotations

import uuid

from kafka.cluster import ClusterMetadata
from kafka.partitioner.default import DefaultPartitioner

from shared.messaging.kafka_io import KeyedPartitioner


class Cluster(ClusterMetadata):
    def __init__(self, partitions: int):
        super().__init__()
        self._partitions = set(range(partitions))

    def topics(self, exclude_internal_topics=True):
        return {"t"}

    def partitions_for_topic(self, topic):
        return self._partitions

    def available_partitions_for_topic(self, topic):
        return self._partitions


def test_keyed_partitioner_agrees_with_the_default_murmur2_placement():
    for count in (1, 3, 7, 12):
        cluster = Cluster(count)
        for _ in range(500):
            key = str(uuid.uuid4()).encode()
            expected = DefaultPartitioner().partition("t", key, key, b"v", b"v", cluster)
            assert KeyedPartitioner().partition("t", key, key, b"v", b"v", cluster) == expected
            # and again, now from the cache
            assert KeyedPartitioner().partition("t", key, key, b"v", b"v", cluster) == expected
