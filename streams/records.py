"""Typed records, one per stage: RawArticle -> ParsedArticle -> EnrichedArticle, and DeadLetter.

Records are frozen dataclasses; orjson serializes them directly (tuples become arrays, datetimes
RFC 3339). ``from_dict`` rebuilds them from a decoded topic value that already passed its JSON Schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from streams.errors import DeadLetterReason, Stage

RECORD_SCHEMA_VERSION = 1

RawFormat = Literal["text", "record", "html", "feed"]
TitleSource = Literal["metadata", "first_sentence", "none"]
EntityType = Literal["PERSON", "ORG", "LOCATION", "MISC"]


def parse_timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value)


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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RawArticle:
        return cls(
            id=data["id"],
            format=data["format"],
            content=data["content"],
            fetched_at=parse_timestamp(data["fetched_at"]),
            origin=data["origin"],
            title=data.get("title"),
            url=data.get("url"),
            source_name=data.get("source_name"),
            published_at=data.get("published_at"),
            language=data.get("language"),
            authors=tuple(data.get("authors") or ()),
            tags=tuple(data.get("tags") or ()),
            schema_version=data["schema_version"],
        )


@dataclass(frozen=True, slots=True)
class Source:
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
    source: Source
    published_at: datetime | None
    fetched_at: datetime
    language: str | None
    authors: tuple[str, ...]
    page_tags: tuple[str, ...]
    related: tuple[Link, ...]
    similar: tuple[str, ...]
    word_count: int
    parse_warnings: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedArticle:
        published = data.get("published_at")
        return cls(
            id=data["id"],
            url=data.get("url"),
            canonical_url=data.get("canonical_url"),
            title=data["title"],
            title_source=data["title_source"],
            lead=data.get("lead"),
            body=tuple(data["body"]),
            source=Source(name=data["source"]["name"], domain=data["source"]["domain"]),
            published_at=parse_timestamp(published) if published else None,
            fetched_at=parse_timestamp(data["fetched_at"]),
            language=data.get("language"),
            authors=tuple(data.get("authors") or ()),
            page_tags=tuple(data["page_tags"]),
            related=tuple(Link(title=r["title"], url=r.get("url")) for r in data["related"]),
            similar=tuple(data["similar"]),
            word_count=data["word_count"],
            parse_warnings=tuple(data["parse_warnings"]),
        )


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
    source: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        """Also reads records written before labels existed (``canonical``, no ``key``/``label``)."""
        key = data["key"] if "key" in data else data["canonical"]
        label = data.get("label") or data["text"]
        return cls(data["text"], data["type"], data["start"], data["end"], key, label, data["source"])


TagKind = Literal["page", "entity", "keyphrase", "topic"]


@dataclass(frozen=True, slots=True)
class Tag:
    """A tag with its display label, its matching key (for grouping), where it came from and a 0-1 score."""

    label: str
    key: str
    kind: TagKind
    score: float

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tag:
        """Also reads records written before the matching key was named ``key`` (``canonical``)."""
        return cls(data["label"], data["key"] if "key" in data else data["canonical"], data["kind"], data["score"])


@dataclass(frozen=True, slots=True)
class EnrichedArticle:
    article: ParsedArticle
    tags: tuple[Tag, ...]
    entities: tuple[Entity, ...] = ()
    schema_version: int = RECORD_SCHEMA_VERSION

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EnrichedArticle:
        return cls(
            article=ParsedArticle.from_dict(data["article"]),
            tags=tuple(Tag.from_dict(t) for t in data["tags"]),
            entities=tuple(Entity.from_dict(e) for e in data["entities"]),
            schema_version=data["schema_version"],
        )


@dataclass(frozen=True, slots=True)
class SourcePosition:
    """Where a record was read from, for dead letters and replay."""

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
    source: SourcePosition
    failed_at: datetime
    attempts: int = 1
    key: str | None = None
    schema_version: int = RECORD_SCHEMA_VERSION
    extra: dict[str, Any] = field(default_factory=dict)
