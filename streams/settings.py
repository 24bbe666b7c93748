"""The one settings object: explicit arguments > ``NEWSFLOW_*`` environment > defaults.

Built once (``Settings()``) at the edge (CLI, worker, tests) and passed down; nothing reads the
environment anywhere else. Settings come in groups by concern (``settings.kafka``, ``settings.topics``,
``settings.worker``, ``settings.elasticsearch``, ``settings.sink``, ``settings.retry``,
``settings.stories``, ``settings.events``, ``settings.enrichment``, ``settings.inputs``); code that
needs one concern takes its group. Every setting also has one flat name, the same in the environment
(``NEWSFLOW_KAFKA_BOOTSTRAP_SERVERS``) and as an explicit argument (``Settings(kafka_bootstrap_servers=...)``,
``settings.replace(...)``): a group's prefix and the field's name, unless the field names another
(``setting(env=...)``). docs/settings.md is generated from these declarations (``newsflow settings``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar, Literal, Self, get_origin

import orjson
from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from streams.retry import Backoff

ENV_PREFIX = "NEWSFLOW_"
SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
TextAnalysis = Literal["auto", "server", "key_fields"]


def setting(default: Any = ..., *, env: str | None = None, description: str | None = None, **rules: Any) -> Any:
    """A field of a settings group; ``env``: its flat name when it is not the group's prefix + its name."""
    extra: dict[str, Any] | None = {"env": env} if env else None
    if callable(default):
        return Field(default_factory=default, description=description, json_schema_extra=extra, **rules)
    return Field(default, description=description, json_schema_extra=extra, **rules)


class Group(BaseModel):
    """A group of settings; ``prefix``: the start of its fields' flat names."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    prefix: ClassVar[str] = ""


class KafkaSettings(Group):
    """How to reach the brokers (every Kafka client maps these in streams.kafka.security)."""

    prefix = "kafka_"
    bootstrap_servers: str = "127.0.0.1:9092"
    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None


class TopicSettings(Group):
    prefix = "topic_"
    name_prefix: str = setting("newsflow", env="topic_prefix", description="start of every topic's name")
    partitions: int = setting(4, ge=1)
    replication_factor: int = setting(1, ge=1)
    min_insync_replicas: int = setting(
        1, ge=1, description="replicas that must have a write before acks=all succeeds (2 on the local cluster)"
    )
    article_retention_ms: int = setting(7 * 24 * 3600 * 1000, env="article_retention_ms")
    # The raw topic is the archive `newsflow reindex` re-reads: kept forever (-1) by default, so every
    # indexed article can be re-enriched; a finite value bounds the disk and the history a reindex redoes.
    raw_retention_ms: int = setting(-1, ge=-1, env="raw_retention_ms", description="-1: forever")
    dead_letter_retention_ms: int = setting(30 * 24 * 3600 * 1000, env="dead_letter_retention_ms")

    @property
    def raw(self) -> str:
        return f"{self.name_prefix}.articles.raw"

    @property
    def enriched(self) -> str:
        return f"{self.name_prefix}.articles.enriched"

    @property
    def dead_letters(self) -> str:
        return f"{self.name_prefix}.dead-letters"

    @property
    def names(self) -> str:
        """Compacted topic of learned names and aliases (streams.kafka.shared_names)."""
        return f"{self.name_prefix}.entity-names"

    @property
    def story_log(self) -> str:
        """Single-partition log that orders every article's sketch (streams.kafka.story_log)."""
        return f"{self.name_prefix}.stories.log"


class WorkerSettings(Group):
    prefix = "worker_"
    app_id: str = setting("newsflow", env="app_id", description="Faust app id: consumer group and state names")
    web_enabled: bool = True
    web_host: str = setting("127.0.0.1", description="0.0.0.0 in a container: probes and scrapes")
    web_port: int = 6066
    data_dir: Path | None = setting(None, description="default: <home>/state/worker/<app_id>")
    session_timeout_seconds: float = setting(
        10.0, gt=0, env="consumer_session_timeout_seconds", description="a dead worker's partitions move after this"
    )
    processes: int = setting(
        lambda: len(os.sched_getaffinity(0)),
        ge=1,
        description="processes parsing and enriching (1: a thread beside the event loop); default: the cores given",
    )
    stall_seconds: float = setting(
        120.0, gt=0, env="stall_seconds", description="a held partition waiting this long makes the worker unhealthy"
    )
    batch_size: int = setting(200, ge=1, env="process_batch_size", description="records parsed and enriched at once")
    batch_seconds: float = setting(0.5, gt=0, env="process_batch_seconds")


class ElasticsearchSettings(Group):
    """The connection (password and CA file: deploy/local/services' by default, streams.sink.elasticsearch)."""

    prefix = "elasticsearch_"
    url: str = "https://127.0.0.1:9200"
    username: str | None = "elastic"
    password: SecretStr | None = None
    password_file: Path | None = None
    api_key: SecretStr | None = None
    ca_file: Path | None = None
    request_timeout: float = 30.0
    index_prefix: str = setting("newsflow", env="index_prefix")
    index_replicas: int = setting(0, ge=0, env="index_replicas")
    text_analysis: TextAnalysis = setting(
        "auto",
        env="text_analysis",
        description="server: the newsflow-analysis plugin analyzes text; key_fields: newsflow writes *_key/*_stem "
        "copies; auto: server when every node has the plugin",
    )

    @property
    def articles_alias(self) -> str:
        """Read and write alias of the article index; the concrete index is ``<alias>-000001``."""
        return f"{self.index_prefix}-articles"

    @property
    def events_index(self) -> str:
        """One document per event (streams.sink.events)."""
        return f"{self.index_prefix}-events"


class SinkSettings(Group):
    """Where enriched articles go and how they are batched (a bulk request carries at most ``batch_size``
    documents and ``batch_max_bytes``)."""

    prefix = "sink_"
    targets: tuple[str, ...] = setting(
        ("elasticsearch",), description="sinks every enriched article is written to (streams.pipeline.stages)"
    )
    batch_size: int = setting(500, ge=1)
    batch_seconds: float = setting(1.0, gt=0)
    batch_max_bytes: int = setting(10 * 2**20, ge=1024, description="a bulk request carries at most this")
    link_wait_seconds: float = setting(
        60.0, ge=0, env="link_wait_seconds", description="how long a headline link waits for its target to be indexed"
    )
    files_dir: Path | None = setting(None, description="the files sink's directory; default: <home>/sink-files")


class RetrySettings(Group):
    """The one retry policy (streams.retry) every stage uses for transient failures."""

    prefix = "retry_"
    max_backoff_seconds: float = setting(30.0, gt=0, env="sink_max_backoff_seconds")

    @property
    def backoff(self) -> Backoff:
        return Backoff(self.max_backoff_seconds)


class StorySettings(Group):
    """Near copies and stories (streams.dedup)."""

    prefix = "story_"
    threshold: float = setting(0.5, gt=0, le=1, env="dedup_threshold", description="estimated Jaccard for a near copy")
    num_perm: int = setting(64, ge=16, env="dedup_num_perm", description="MinHash permutations")
    window_hours: float = setting(7 * 24, gt=0, description="stories older than this are forgotten")
    wait_seconds: float = setting(30.0, gt=0, description="longest wait for the story reader to progress")
    snapshot_dir: Path | None = setting(None, description="default: <worker data dir>/stories")
    snapshot_seconds: float = setting(
        300.0, ge=0, description="how often a worker snapshots its story index; 0: never (full replay)"
    )

    @property
    def window(self) -> timedelta:
        return timedelta(hours=self.window_hours)


class EventSettings(Group):
    """Event assignment (streams.dedup.events)."""

    prefix = "event_"
    threshold: float = setting(0.475, gt=0, description="score for an article to join an event")
    merge_threshold: float = setting(0.6, gt=0, le=1, description="centroid cosine to merge two events")
    entity_weight: float = setting(0.05, ge=0, description="score per shared entity (up to three)")
    gap_hours: float = setting(24, gt=0, description="an event closes after this long without articles")
    span_hours: float = setting(72, gt=0, description="an event takes articles this long after its first")


class EnrichmentSettings(Group):
    prefix = ""
    enrichers: tuple[str, ...] | None = setting(
        None, description="the enrichers to run (streams.pipeline.stages); default: every one newsflow has"
    )
    topic_lexicon_file: Path | None = setting(None, description="None: the lexicon shipped in the package")


class InputSettings(Group):
    prefix = ""
    max_payload_bytes: int = setting(900_000, ge=1024, description="larger raw records are dead-lettered")
    feed_state_file: Path | None = setting(None, description="default: <home>/state/feeds.json")
    feed_timeout_seconds: float = 30.0
    produce_linger_ms: int = 20
    jsonl_fields: dict[str, list[str]] = setting(
        lambda: {
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
        description="target field -> source field names tried in order, for .jsonl/.json inputs",
    )


def default_home() -> Path:
    """Where deploy/local/services keeps downloads and state (the same rule as the script)."""
    if os.geteuid() == 0:
        return Path("/var/lib/newsflow")
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "newsflow"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="forbid")

    home: Path = Field(default_factory=default_home, description="downloads and state of the local services")
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    topics: TopicSettings = Field(default_factory=TopicSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    elasticsearch: ElasticsearchSettings = Field(default_factory=ElasticsearchSettings)
    sink: SinkSettings = Field(default_factory=SinkSettings)
    retry: RetrySettings = Field(default_factory=RetrySettings)
    stories: StorySettings = Field(default_factory=StorySettings)
    events: EventSettings = Field(default_factory=EventSettings)
    enrichment: EnrichmentSettings = Field(default_factory=EnrichmentSettings)
    inputs: InputSettings = Field(default_factory=InputSettings)

    def __init__(self, **values: Any) -> None:
        """``values`` by flat name (``kafka_bootstrap_servers=...``) or by group (``kafka={...}``)."""
        super().__init__(**values)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        explicit = init_settings.init_kwargs  # type: ignore[attr-defined]
        return FlatNames(settings_cls, explicit, parse=False), FlatNames(settings_cls, _environment(), parse=True)

    @property
    def worker_dir(self) -> Path:
        return self.worker.data_dir or self.home / "state" / "worker" / self.worker.app_id

    @property
    def story_snapshot_file(self) -> Path | None:
        """Where a worker keeps its story index between runs; None: no snapshots."""
        if self.stories.snapshot_seconds <= 0:
            return None
        return (self.stories.snapshot_dir or self.worker_dir / "stories") / f"{self.topics.story_log}.npz"

    @property
    def feed_state_path(self) -> Path:
        return self.inputs.feed_state_file or self.home / "state" / "feeds.json"

    @property
    def sink_files_dir(self) -> Path:
        return self.sink.files_dir or self.home / "sink-files"

    def replace(self, **changes: Any) -> Self:
        """These settings with some changed (flat names or groups), validated again."""
        values = self.model_dump()
        for group, fields in _nested(changes).items():
            if isinstance(fields, dict) and isinstance(values.get(group), dict):
                values[group] = {**values[group], **fields}
            else:
                values[group] = fields
        return type(self)(**values)

    def to_environment(self, base: Mapping[str, str]) -> dict[str, str]:
        """``base`` with its NEWSFLOW_* variables replaced by these settings, for a child process."""
        env = {k: v for k, v in base.items() if not k.startswith(ENV_PREFIX)}
        for flat, (group, field) in flat_names().items():
            value = getattr(getattr(self, group), field) if field else getattr(self, group)
            if value is None:
                continue
            text = value.get_secret_value() if isinstance(value, SecretStr) else value
            encoded = orjson.dumps(text).decode() if isinstance(text, dict | list | tuple) else str(text)
            env[f"{ENV_PREFIX}{flat.upper()}"] = encoded
        return env


def groups() -> Iterator[tuple[str, FieldInfo, type[Group] | None]]:
    """(name, field, group class or None for a top-level setting) in declaration order."""
    for name, info in Settings.model_fields.items():
        kind = info.annotation
        yield name, info, kind if isinstance(kind, type) and issubclass(kind, Group) else None


def flat_names() -> dict[str, tuple[str, str | None]]:
    """Flat name (lower case, without NEWSFLOW_) -> (group, field in it; None for a top-level setting)."""
    names: dict[str, tuple[str, str | None]] = {}
    for name, _, group in groups():
        if group is None:
            names[name] = (name, None)
            continue
        for field, info in group.model_fields.items():
            extra = info.json_schema_extra
            env = extra.get("env") if isinstance(extra, dict) else None
            names[str(env) if env else f"{group.prefix}{field}"] = (name, field)
    return names


def _nested(values: Mapping[str, Any]) -> dict[str, Any]:
    """Flat names mapped into their groups; other keys (a group, a top-level name, a typo) kept as given."""
    names = flat_names()
    nested: dict[str, Any] = {}
    for key, value in values.items():
        group, field = names.get(key, (key, None))
        if field is None:
            nested[group] = value
        else:
            nested.setdefault(group, {})[field] = value
    return nested


def _environment() -> dict[str, str]:
    return {k[len(ENV_PREFIX) :].lower(): v for k, v in os.environ.items() if k.upper().startswith(ENV_PREFIX)}


class FlatNames(PydanticBaseSettingsSource):
    """Settings given by flat name (explicit arguments, or the environment with ``parse``: JSON for
    structured values) as the nested groups; unknown names pass through, so ``extra="forbid"`` names them."""

    def __init__(self, settings_cls: type[BaseSettings], values: Mapping[str, Any], parse: bool) -> None:
        super().__init__(settings_cls)
        self.values = values
        self.parse = parse

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        raise NotImplementedError  # __call__ maps every name at once

    def __call__(self) -> dict[str, Any]:
        if not self.parse:
            return _nested(self.values)
        names = flat_names()
        known = {k: v for k, v in self.values.items() if k in names}
        return _nested({k: _parsed(v, *names[k]) for k, v in known.items()})


def _parsed(text: str, group: str, field: str | None) -> Any:
    info = Settings.model_fields[group] if field is None else _group_field(group, field)
    origin = get_origin(info.annotation) or info.annotation
    if origin is dict or text.lstrip().startswith("["):
        return orjson.loads(text)
    return [part.strip() for part in text.split(",") if part.strip()] if origin in (list, tuple) else text


def _group_field(group: str, field: str) -> FieldInfo:
    kinds = {name: kind for name, _, kind in groups() if kind is not None}
    return kinds[group].model_fields[field]
