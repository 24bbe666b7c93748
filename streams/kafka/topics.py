"""Creates the pipeline's topics with explicit partitions, replication and retention (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from streams.kafka.security import kafka_python_options
from streams.settings import Settings


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    config: dict[str, str]


def topic_specs(settings: Settings) -> list[TopicSpec]:
    durable = {"min.insync.replicas": str(settings.topic_min_insync_replicas)}
    articles = {"retention.ms": str(settings.article_retention_ms), "cleanup.policy": "delete", **durable}
    raw = {"retention.ms": str(settings.raw_retention_ms), "cleanup.policy": "delete", **durable}
    letters = {"retention.ms": str(settings.dead_letter_retention_ms), "cleanup.policy": "delete", **durable}
    names = {"cleanup.policy": "compact", **durable}
    # the story log must hold at least the story window; a day more for articles fetched late
    stories = {
        "retention.ms": str(int((settings.story_window_hours + 24) * 3600 * 1000)),
        "cleanup.policy": "delete",
        **durable,
    }
    return [
        TopicSpec(settings.raw_topic, settings.topic_partitions, settings.topic_replication_factor, raw),
        TopicSpec(settings.enriched_topic, settings.topic_partitions, settings.topic_replication_factor, articles),
        TopicSpec(settings.dead_letter_topic, settings.topic_partitions, settings.topic_replication_factor, letters),
        TopicSpec(settings.names_topic, settings.topic_partitions, settings.topic_replication_factor, names),
        TopicSpec(settings.story_log_topic, 1, settings.topic_replication_factor, stories),
    ]


def create_topics(settings: Settings) -> list[str]:
    """Create missing topics; returns the names that were created."""
    admin = KafkaAdminClient(**kafka_python_options(settings.kafka), client_id=f"{settings.app_id}-admin")
    try:
        existing = set(admin.list_topics())
        created = []
        for spec in topic_specs(settings):
            if spec.name in existing:
                continue
            try:
                admin.create_topics(
                    [NewTopic(spec.name, spec.partitions, spec.replication_factor, topic_configs=spec.config)]
                )
                created.append(spec.name)
            except TopicAlreadyExistsError:
                pass
        return created
    finally:
        admin.close()
