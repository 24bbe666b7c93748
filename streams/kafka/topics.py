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
    durable = {"min.insync.replicas": str(settings.topics.min_insync_replicas)}
    articles = {"retention.ms": str(settings.topics.article_retention_ms), "cleanup.policy": "delete", **durable}
    raw = {"retention.ms": str(settings.topics.raw_retention_ms), "cleanup.policy": "delete", **durable}
    letters = {"retention.ms": str(settings.topics.dead_letter_retention_ms), "cleanup.policy": "delete", **durable}
    names = {"cleanup.policy": "compact", **durable}
    # the story log must hold at least the story window; a day more for articles fetched late
    stories = {
        "retention.ms": str(int((settings.stories.window_hours + 24) * 3600 * 1000)),
        "cleanup.policy": "delete",
        **durable,
    }
    return [
        TopicSpec(settings.topics.raw, settings.topics.partitions, settings.topics.replication_factor, raw),
        TopicSpec(settings.topics.enriched, settings.topics.partitions, settings.topics.replication_factor, articles),
        TopicSpec(
            settings.topics.dead_letters, settings.topics.partitions, settings.topics.replication_factor, letters
        ),
        TopicSpec(settings.topics.names, settings.topics.partitions, settings.topics.replication_factor, names),
        TopicSpec(settings.topics.story_log, 1, settings.topics.replication_factor, stories),
    ]


def create_topics(settings: Settings) -> list[str]:
    """Create missing topics; returns the names that were created."""
    admin = KafkaAdminClient(**kafka_python_options(settings.kafka), client_id=f"{settings.worker.app_id}-admin")
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
