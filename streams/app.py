"""Wires the Faust application from settings. No module-level app: call ``create_app(settings)``."""

from __future__ import annotations

import faust

from streams.agents import make_index_agent, make_process_agent
from streams.settings import Settings


def create_app(settings: Settings) -> faust.App:
    settings.worker_dir.parent.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        settings.app_id,
        broker=f"kafka://{settings.kafka_bootstrap_servers}",
        store="memory://",
        datadir=str(settings.worker_dir),
        autodiscover=False,
        web_enabled=settings.worker_web_enabled,
        web_bind="127.0.0.1",
        web_port=settings.worker_web_port,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication_factor,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
    )
    raw = app.topic(settings.raw_topic, key_serializer="raw", value_serializer="raw", internal=False)
    enriched = app.topic(settings.enriched_topic, key_serializer="raw", value_serializer="raw", internal=False)
    dead_letters = app.topic(settings.dead_letter_topic, key_serializer="raw", value_serializer="raw", internal=False)
    names = app.GlobalTable(
        "entity_names", key_type=str, value_type=str, partitions=settings.topic_partitions, use_partitioner=True
    )
    app.agent(raw, name=f"{settings.app_id}.process")(make_process_agent(settings, enriched, dead_letters, names))
    app.agent(enriched, name=f"{settings.app_id}.index")(make_index_agent(settings, dead_letters))
    return app
