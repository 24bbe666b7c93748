"""Topic specs follow the replication settings: one copy on the single node, three with two in sync on a cluster."""

from __future__ import annotations

from streams.kafka.topics import topic_specs
from streams.settings import Settings


def test_single_node_defaults_need_one_replica() -> None:
    specs = topic_specs(Settings())
    assert {(s.replication_factor, s.config["min.insync.replicas"]) for s in specs} == {(1, "1")}


def test_cluster_settings_replicate_every_topic() -> None:
    specs = topic_specs(Settings(topic_partitions=6, topic_replication_factor=3, topic_min_insync_replicas=2))
    assert {(s.replication_factor, s.config["min.insync.replicas"]) for s in specs} == {(3, "2")}
    assert {s.name: s.partitions for s in specs}[Settings().topics.story_log] == 1  # the story log stays ordered
    assert all(s.partitions == 6 for s in specs if s.name != Settings().topics.story_log)
