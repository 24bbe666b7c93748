"""Wires the Faust application from settings. No module-level app: call ``create_app(settings)``."""

from __future__ import annotations

from dataclasses import replace

from streams.enrich.names import NameDictionary
from streams.kafka.security import faust_credentials
from streams.kafka.shared_names import SharedNames
from streams.kafka.story_log import StoryLog
from streams.ops.history import SAMPLE_SECONDS
from streams.ops.liveness import Liveness, PartitionWatch
from streams.ops.telemetry import Telemetry
from streams.ops.web import OpsViews
from streams.pipeline.options import story_options
from streams.pipeline.stages import field_mappings, sinks
from streams.retry import Retrier
from streams.settings import Settings
from streams.sink.protocol import SinkSetup
from streams.worker.acks import FinishedOnlyConsumer, NewsflowApp
from streams.worker.agents import make_process_agent
from streams.worker.index_agent import make_index_agent
from streams.worker.processing import BatchProcessor

LIVENESS_CHECK_SECONDS = 1.0


def create_app(settings: Settings) -> NewsflowApp:
    settings.worker_dir.parent.mkdir(parents=True, exist_ok=True)
    app = NewsflowApp(
        settings.worker.app_id,
        broker=f"kafka://{settings.kafka.bootstrap_servers}",
        broker_credentials=faust_credentials(settings.kafka),
        store="memory://",
        datadir=str(settings.worker_dir),
        autodiscover=False,
        web_enabled=settings.worker.web_enabled,
        web_bind=settings.worker.web_host,
        web_port=settings.worker.web_port,
        topic_partitions=settings.topics.partitions,
        topic_replication_factor=settings.topics.replication_factor,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=settings.worker.session_timeout_seconds,
        broker_heartbeat_interval=settings.worker.session_timeout_seconds / 4,
        broker_rebalance_timeout=settings.worker.session_timeout_seconds * 3,
        producer_acks=-1,
    )
    raw = app.topic(settings.topics.raw, key_serializer="raw", value_serializer="raw", internal=False)
    enriched = app.topic(settings.topics.enriched, key_serializer="raw", value_serializer="raw", internal=False)
    dead_letters = app.topic(settings.topics.dead_letters, key_serializer="raw", value_serializer="raw", internal=False)
    names_topic = app.topic(settings.topics.names, key_serializer="raw", value_serializer="raw", internal=False)
    names = NameDictionary()
    shared = SharedNames(settings, names, names_topic)
    story_log = app.topic(settings.topics.story_log, key_serializer="raw", value_serializer="raw", internal=False)
    stories = StoryLog(settings, story_options(settings), story_log)
    telemetry = Telemetry()
    processor = BatchProcessor(settings.worker.processes, settings.inputs.max_payload_bytes, settings.enrichment)
    app.add_context(processor)  # its children end when the app stops, after the agents
    process = make_process_agent(settings, enriched, dead_letters, shared, processor, telemetry)
    app.agent(raw, name=f"{settings.worker.app_id}.process", concurrency=settings.worker.processes)(process)
    setup = SinkSetup(settings, Retrier(settings.retry.backoff, telemetry.retried), field_mappings(settings.enrichment))
    outputs = sinks(settings.sink, replace(setup, on_bulk=telemetry.bulk))
    index = make_index_agent(settings, dead_letters, stories, outputs, telemetry)
    app.agent(enriched, name=f"{settings.worker.app_id}.index")(index)
    app.task(shared.read_forever)
    app.task(stories.read_forever)
    liveness = Liveness(PartitionWatch(settings.worker.stall_seconds), telemetry)

    async def check_liveness() -> None:
        consumer = app.consumer
        if isinstance(consumer, FinishedOnlyConsumer):
            liveness.check(consumer)

    app.timer(LIVENESS_CHECK_SECONDS)(check_liveness)

    async def sample_history() -> None:
        telemetry.history.take(telemetry.metrics)

    app.timer(SAMPLE_SECONDS)(sample_history)
    OpsViews(settings, telemetry, stories, liveness).register(app)
    return app
