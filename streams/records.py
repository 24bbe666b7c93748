"""Typed records, one per stage: RawArticle -> ParsedArticle -> EnrichedArticle, and DeadLetter.

Records are frozen dataclasses, each defined once, here; orjson serializes them directly (tuples become
arrays, datetimes RFC 3339) and ``from_value`` rebuilds one from a decoded topic value that passed its
JSON Schema (``schemas/topics``; ``tests/unit/test_records.py`` checks the two agree), through
pydantic's validation of these same dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AliasChoices, Field, TypeAdapter

from streams.errors import DeadLetterReason, Stage

RECORD_SCHEMA_VERSION = 1

RawFormat = Literal["text", "record", "html", "feed"]
TitleSource = Literal["metadata", "first_sentence", "none"]
EntityType = Literal["PERSON", "ORG", "LOCATION", "MISC"]


@dataclass(frozen=True, slots=True)
class RawArticle:
    id: str
    format: RawFormat
    content: str
    fetched_at: datetime
    origin: str
    title: str | None = None
    url: str | None = None
    source_name: str | None = None
    published_at: str | None = None
    language: str | None = None
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    schema_version: int = RECORD_SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class Outlet:
    """The news outlet (publisher) an article came from."""

    name: str | None
    domain: str | None


@dataclass(frozen=True, slots=True)
class Link:
    """A linked headline from a trailer (read-also), with its URL where the page gave one."""

    title: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    id: str
    url: str | None
    canonical_url: str | None
    title: str
    title_source: TitleSource
    lead: str | None
    body: tuple[str, ...]
    source: Outlet  # the outlet that published it
    published_at: datetime | None
    fetched_at: datetime
    language: str | None
    authors: tuple[str, ...]
    page_tags: tuple[str, ...]
    related: tuple[Link, ...]
    similar: tuple[str, ...]
    word_count: int
    parse_warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Entity:
    """A name found in the title or body: ``text`` is exactly ``title_or_body[start:end]`` (proclitics
    excluded), ``label`` the name as people write it, ``key`` its matching key for grouping (shared by
    the spellings, the short forms and the learned aliases of one name)."""

    text: str
    type: EntityType
    start: int
    end: int
    key: str
    label: str
    # what found it and where: ``model:body``, ``gazetteer:title``, ``names:body``, ``alias:body``
    found_by: Annotated[str, Field(validation_alias=AliasChoices("found_by", "source"))]


TagKind = Literal["page", "entity", "keyphrase", "topic"]


@dataclass(frozen=True, slots=True)
class Tag:
    """A tag with its display label, its matching key (for grouping), where it came from and a 0-1 score;
    ``aliases``: the same tag's names in other languages (a topic's)."""

    label: str
    key: str
    kind: TagKind
    score: float
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EnrichedArticle:
    article: ParsedArticle
    tags: tuple[Tag, ...]
    entities: tuple[Entity, ...] = ()
    schema_version: int = RECORD_SCHEMA_VERSION
    enrichment_version: str | None = None  # streams.enrich.enricher; None in records written before it
    # document fields enrichers declared beyond the core ones, by name (streams.enrich.enricher)
    annotations: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class KafkaPosition:
    """Where in Kafka a record was read from (topic, partition, offset), for dead letters and replay."""

    topic: str | None = None
    partition: int | None = None
    offset: int | None = None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    stage: Stage
    reason: DeadLetterReason
    error_class: str
    error_message: str
    payload: str
    payload_encoding: Literal["utf-8", "base64"]
    position: Annotated[KafkaPosition, Field(validation_alias=AliasChoices("position", "source"))]
    failed_at: datetime
    attempts: int = 1
    # the record's Kafka key, as text (not a matching key)
    message_key: Annotated[str | None, Field(validation_alias=AliasChoices("message_key", "key"))] = None
    schema_version: int = RECORD_SCHEMA_VERSION
    extra: dict[str, Any] = field(default_factory=dict)


Record = TypeVar("Record")
_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def from_value(record: type[Record], data: dict[str, Any]) -> Record:
    """``record`` built from a decoded topic value (nested records, tuples and timestamps included);
    raises pydantic's ValidationError, a ValueError, for a value the record cannot hold."""
    if record is EnrichedArticle:
        data = with_keys(data)
    adapter = _ADAPTERS.get(record)
    if adapter is None:
        adapter = _ADAPTERS[record] = TypeAdapter(record)
    built: Record = adapter.validate_python(data)
    return built


def with_keys(data: dict[str, Any]) -> dict[str, Any]:
    """An enriched value written before entities and tags had ``key`` and ``label`` (they had
    ``canonical``, the same matching key; the label was the text), in today's shape."""
    if all("key" in item for item in (*data["entities"], *data["tags"])):
        return data
    entities = [
        item if "key" in item else {**item, "key": item["canonical"], "label": item["text"]}
        for item in data["entities"]
    ]
    tags = [item if "key" in item else {**item, "key": item["canonical"]} for item in data["tags"]]
    return {**data, "entities": entities, "tags": tags}
