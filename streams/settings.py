"""The one settings object: explicit arguments > ``NEWSFLOW_*`` environment > local defaults.

Built once (``Settings()``) at the edge (CLI, worker, tests) and passed down; nothing reads the
environment anywhere else. The environment names stay flat (``NEWSFLOW_KAFKA_BOOTSTRAP_SERVERS``);
code that needs one concern gets its group, not the whole object: ``settings.kafka`` (connection and
security), ``settings.elasticsearch`` (connection, credentials resolved), ``settings.sink`` (bulk
batching), ``settings.stories`` (duplicate detection), ``settings.backoff`` (the one retry policy's).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal

import orjson
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from streams.errors import ConfigurationError
from streams.retry import Backoff

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


@dataclass(frozen=True, slots=True)
class KafkaConnection:
    bootstrap_servers: str
    security_protocol: SecurityProtocol
    sasl_mechanism: SaslMechanism | None
    sasl_username: str | None
    sasl_password: SecretStr | None
    ssl_cafile: Path | None


@dataclass(frozen=True, slots=True)
class ElasticsearchConnection:
    url: str
    username: str | None
    password: SecretStr | None
    api_key: SecretStr | None
    ca_file: Path | None
    request_timeout: float


@dataclass(frozen=True, slots=True)
class SinkBatching:
    """A bulk request carries at most ``size`` documents and ``max_bytes``."""

    size: int
    seconds: float
    max_bytes: int


@dataclass(frozen=True, slots=True)
class EventOptions:
    """Event assignment (streams.dedup.events): join an open event at ``threshold`` (TF-IDF cosine plus
    ``entity_weight`` per shared entity), merge two at ``merge_threshold`` (centroid cosine); an event
    closes after ``gap`` without articles and takes none ``span`` after its first; ``window`` as stories."""

    threshold: float
    merge_threshold: float
    entity_weight: float
    gap: timedelta
    span: timedelta
    window: timedelta


@dataclass(frozen=True, slots=True)
class StoryOptions:
    """``snapshot_file``: where a worker keeps its story index between runs (None: no snapshots),
    written every ``snapshot_seconds`` while the story log moves (streams.dedup.snapshot)."""

    threshold: float
    num_perm: int
    window: timedelta
    snapshot_file: Path | None = None
    snapshot_seconds: float = 0.0
    events: EventOptions | None = None  # None: stories only


def default_home() -> Path:
    """Where deploy/local/services keeps downloads and state (the same rule as the script)."""
    if os.geteuid() == 0:
        return Path("/var/lib/newsflow")
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "newsflow"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_", frozen=True, extra="forbid")

    home: Path = Field(default_factory=default_home)

    # Kafka
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    topic_prefix: str = "newsflow"
    topic_partitions: int = Field(default=4, ge=1)
    topic_replication_factor: int = Field(default=1, ge=1)
    topic_min_insync_replicas: int = Field(
        default=1, ge=1, description="replicas that must have a write before acks=all succeeds (2 on the local cluster)"
    )
    kafka_security_protocol: SecurityProtocol = "PLAINTEXT"
    kafka_sasl_mechanism: SaslMechanism | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = None
    article_retention_ms: int = 7 * 24 * 3600 * 1000
    # The raw topic is the archive `newsflow reindex` re-reads: kept forever (-1) by default, so every
    # indexed article can be re-enriched; a finite value bounds the disk and the history a reindex redoes.
    raw_retention_ms: int = Field(default=-1, ge=-1, description="-1: forever")
    dead_letter_retention_ms: int = 30 * 24 * 3600 * 1000

    # Faust worker
    app_id: str = "newsflow"
    worker_web_enabled: bool = True
    worker_web_host: str = Field(default="127.0.0.1", description="0.0.0.0 in a container: probes and scrapes")
    worker_web_port: int = 6066
    worker_data_dir: Path | None = None
    consumer_session_timeout_seconds: float = Field(
        default=10.0, gt=0, description="a dead worker's partitions move after this"
    )
    worker_processes: int = Field(
        default_factory=lambda: len(os.sched_getaffinity(0)),
        ge=1,
        description="processes parsing and enriching (1: a thread beside the event loop); default: the cores given",
    )
    stall_seconds: float = Field(
        default=120.0, gt=0, description="a held partition whose records wait this long makes the worker unhealthy"
    )
    process_batch_size: int = Field(default=200, ge=1)
    process_batch_seconds: float = Field(default=0.5, gt=0)

    # Elasticsearch
    elasticsearch_url: str = "https://127.0.0.1:9200"
    elasticsearch_username: str | None = "elastic"
    elasticsearch_password: SecretStr | None = None
    elasticsearch_password_file: Path | None = None
    elasticsearch_api_key: SecretStr | None = None
    elasticsearch_ca_file: Path | None = None
    elasticsearch_request_timeout: float = 30.0
    index_prefix: str = "newsflow"
    index_replicas: int = Field(default=0, ge=0)
    # How title/lead/body are made searchable across Arabic spellings: "server" = analyzed by the node's
    # newsflow-analysis plugin (deploy/elasticsearch-plugin), "key_fields" = newsflow writes *_key/*_stem
    # copies, "auto" = server when every node has the plugin (streams.sink.analysis).
    text_analysis: Literal["auto", "server", "key_fields"] = "auto"

    # Sink batching
    sink_batch_size: int = Field(default=500, ge=1)
    sink_batch_seconds: float = Field(default=1.0, gt=0)
    sink_batch_max_bytes: int = Field(default=10 * 2**20, ge=1024, description="a bulk request carries at most this")
    sink_max_backoff_seconds: float = Field(default=30.0, gt=0)

    # Duplicates and stories (streams.dedup)
    dedup_threshold: float = Field(default=0.5, gt=0, le=1, description="estimated Jaccard for a near copy")
    dedup_num_perm: int = Field(default=64, ge=16, description="MinHash permutations")
    story_window_hours: float = Field(default=7 * 24, gt=0, description="stories older than this are forgotten")
    story_wait_seconds: float = Field(default=30.0, gt=0, description="longest wait for the story reader to progress")
    story_snapshot_dir: Path | None = Field(default=None, description="default: <worker_dir>/stories")
    story_snapshot_seconds: float = Field(
        default=300.0, ge=0, description="how often a worker snapshots its story index; 0: never (full replay)"
    )

    event_threshold: float = Field(default=0.475, gt=0, description="score for an article to join an event")
    event_merge_threshold: float = Field(default=0.6, gt=0, le=1, description="centroid cosine to merge two events")
    event_entity_weight: float = Field(default=0.05, ge=0, description="score per shared entity (up to three)")
    event_gap_hours: float = Field(default=24, gt=0, description="an event closes after this long without articles")
    event_span_hours: float = Field(default=72, gt=0, description="an event takes articles this long after its first")

    link_wait_seconds: float = Field(
        default=60.0, ge=0, description="how long a headline link waits for its target document to be indexed"
    )

    # Enrichment data (streams.enrich.version); None: the files shipped in the package
    topic_lexicon_file: Path | None = None

    # Inputs
    max_payload_bytes: int = Field(default=900_000, ge=1024, description="larger raw records are dead-lettered")
    feed_state_file: Path | None = None
    feed_timeout_seconds: float = 30.0

    # Producers
    produce_linger_ms: int = 20
    jsonl_fields: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "id": ["id"],
            "url": ["url", "link"],
            "title": ["title", "headline"],
            "content": ["content", "text", "body"],
            "source_name": ["source"],
            "authors": ["authors", "author"],
            "fetched_at": ["date_extracted", "fetched_at"],
            "published_at": ["published_at", "published", "date"],
            "language": ["lang", "language"],
        },
        description="target field -> source field names tried in order, for .jsonl inputs",
    )

    # Groups by concern ------------------------------------------------------------------------
    @property
    def kafka(self) -> KafkaConnection:
        return KafkaConnection(
            self.kafka_bootstrap_servers,
            self.kafka_security_protocol,
            self.kafka_sasl_mechanism,
            self.kafka_sasl_username,
            self.kafka_sasl_password,
            self.kafka_ssl_cafile,
        )

    @property
    def elasticsearch(self) -> ElasticsearchConnection:
        """The connection with the password and CA file resolved (deploy/local/services' files by default)."""
        return ElasticsearchConnection(
            self.elasticsearch_url,
            self.elasticsearch_username,
            self.resolved_elasticsearch_password(),
            self.elasticsearch_api_key,
            self.resolved_elasticsearch_ca_file(),
            self.elasticsearch_request_timeout,
        )

    @property
    def sink(self) -> SinkBatching:
        return SinkBatching(self.sink_batch_size, self.sink_batch_seconds, self.sink_batch_max_bytes)

    @property
    def stories(self) -> StoryOptions:
        snapshots = self.story_snapshot_dir or self.worker_dir / "stories"
        snapshot_file = snapshots / f"{self.story_log_topic}.npz" if self.story_snapshot_seconds > 0 else None
        return StoryOptions(
            self.dedup_threshold,
            self.dedup_num_perm,
            self.story_window,
            snapshot_file,
            self.story_snapshot_seconds,
            self.events,
        )

    @property
    def events(self) -> EventOptions:
        return EventOptions(
            self.event_threshold,
            self.event_merge_threshold,
            self.event_entity_weight,
            timedelta(hours=self.event_gap_hours),
            timedelta(hours=self.event_span_hours),
            self.story_window,
        )

    @property
    def backoff(self) -> Backoff:
        return Backoff(self.sink_max_backoff_seconds)

    # Topics -------------------------------------------------------------------------------
    @property
    def raw_topic(self) -> str:
        return f"{self.topic_prefix}.articles.raw"

    @property
    def enriched_topic(self) -> str:
        return f"{self.topic_prefix}.articles.enriched"

    @property
    def dead_letter_topic(self) -> str:
        return f"{self.topic_prefix}.dead-letters"

    @property
    def names_topic(self) -> str:
        """Compacted topic of learned names (matching key -> entity type) and aliases (streams.kafka.shared_names)."""
        return f"{self.topic_prefix}.entity-names"

    @property
    def story_log_topic(self) -> str:
        """Single-partition log that orders every article's sketch (streams.dedup.log)."""
        return f"{self.topic_prefix}.stories.log"

    @property
    def story_window(self) -> timedelta:
        return timedelta(hours=self.story_window_hours)

    # Elasticsearch names --------------------------------------------------------------------
    @property
    def articles_alias(self) -> str:
        """Read and write alias of the article index; the concrete index is ``<alias>-000001``."""
        return f"{self.index_prefix}-articles"

    @property
    def events_index(self) -> str:
        """One document per event (streams.sink.events)."""
        return f"{self.index_prefix}-events"

    @property
    def feed_state_path(self) -> Path:
        return self.feed_state_file or self.home / "state" / "feeds.json"

    @property
    def worker_dir(self) -> Path:
        return self.worker_data_dir or self.home / "state" / "worker" / self.app_id

    def to_environment(self, base: Mapping[str, str]) -> dict[str, str]:
        """``base`` with its NEWSFLOW_* variables replaced by these settings, for a child process."""
        env = {k: v for k, v in base.items() if not k.startswith("NEWSFLOW_")}
        for name, value in self.model_dump(exclude_none=True).items():
            text = value.get_secret_value() if isinstance(value, SecretStr) else value
            env[f"NEWSFLOW_{name.upper()}"] = orjson.dumps(text).decode() if isinstance(text, dict) else str(text)
        return env

    def resolved_elasticsearch_ca_file(self) -> Path | None:
        """The explicit CA file, else the local CA deploy/local/services made, for an https URL."""
        if self.elasticsearch_ca_file is not None:
            if not self.elasticsearch_ca_file.exists():
                raise ConfigurationError(f"elasticsearch CA file {self.elasticsearch_ca_file} does not exist")
            return self.elasticsearch_ca_file
        local = self.home / "state" / "elasticsearch" / "ca.crt"
        return local if self.elasticsearch_url.startswith("https:") and local.exists() else None

    def resolved_elasticsearch_password(self) -> SecretStr | None:
        """The explicit password, else the one deploy/local/services generated into its state dir."""
        if self.elasticsearch_password is not None:
            return self.elasticsearch_password
        path = self.elasticsearch_password_file or self.home / "state" / "elasticsearch" / "elastic.password"
        if not path.exists():
            if self.elasticsearch_password_file is not None:
                raise ConfigurationError(f"elasticsearch password file {path} does not exist")
            return None
        return SecretStr(path.read_text(encoding="utf-8").strip())
