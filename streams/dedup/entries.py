"""EnrichedArticle -> StoryEntry (pure), and StoryEntry <-> story-log values (schemas/topics)."""

from __future__ import annotations

import base64
import itertools
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import orjson

from streams.dedup.event_records import EventSketch
from streams.dedup.members import hash64
from streams.dedup.sketch import body_tokens, fingerprint, signature
from streams.dedup.story_records import StoryEntry
from streams.enrich.keyphrases import stop_words
from streams.errors import PoisonRecordError
from streams.records import RECORD_SCHEMA_VERSION, EnrichedArticle
from streams.schemas import validation_errors
from streams.text.normalize import key_tokens, matching_key
from streams.text.stemming import stem

LEAD_WORDS = 100  # the body's first words describe the event (news puts the facts first)
EVENT_ENTITY_TYPES = frozenset({"PERSON", "ORG", "LOCATION"})


def headlines(enriched: EnrichedArticle) -> tuple[str, ...]:
    """The article's read-also and similar headlines, one per matching key, in page order."""
    article = enriched.article
    titles = (*(link.title for link in article.related), *article.similar)
    kept: dict[str, str] = {}
    for title in titles:
        key = matching_key(title)
        if key and key not in kept:
            kept[key] = title
    return tuple(kept.values())


def event_stems(text: str, language: str | None, words: int | None = None) -> list[int]:
    """Hashed stems of ``text``'s first ``words`` key words, stop words, digits and letters left out."""
    stops = stop_words(language or "")
    kept = (w for w in key_tokens(text) if len(w) > 1 and w not in stops and not w.isdigit())
    return [hash64(stem(w)) for w in itertools.islice(kept, words)]


def event_sketch(enriched: EnrichedArticle) -> EventSketch:
    article = enriched.article
    return text_event_sketch(
        article.title,
        article.body,
        article.language,
        article.published_at or article.fetched_at,
        entities=sorted({e.key for e in enriched.entities if e.type in EVENT_ENTITY_TYPES and e.key}),
        tags=sorted({t.key for t in enriched.tags if t.kind == "page" and t.key}),
    )


def text_event_sketch(
    title: str,
    paragraphs: Sequence[str],
    language: str | None,
    at: datetime,
    entities: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> EventSketch:
    """The sketch of a title and body: stems of the title (counted twice) and of the lead's words."""
    title_stems = event_stems(title, language)
    lead = event_stems(" ".join(paragraphs), language, LEAD_WORDS)
    return EventSketch(
        title=title,
        at=at,
        terms=tuple(Counter(title_stems + title_stems + lead).items()),
        title_terms=tuple(dict.fromkeys(title_stems)),
        entities=tuple(entities),
        tags=tuple(tags),
    )


def story_entry(enriched: EnrichedArticle, num_perm: int, seen_at: datetime | None = None) -> StoryEntry:
    """``seen_at``: when the pipeline received this delivery (the raw record's Kafka timestamp, which a
    replay of the same record keeps); without it, the fetch time."""
    article = enriched.article
    tokens = body_tokens(article.body)
    seen = seen_at or article.fetched_at
    return StoryEntry(
        doc_id=article.id,
        delivery=seen.isoformat(),
        seen_at=seen,
        source=article.source.name or article.source.domain,
        fingerprint=fingerprint(tokens),
        signature=signature(tokens, num_perm),
        title_key=matching_key(article.title),
        headlines=headlines(enriched),
        event=event_sketch(enriched),
    )


def encode_event(sketch: EventSketch) -> dict[str, Any]:
    return {
        "title": sketch.title,
        "at": sketch.at.isoformat(),
        "terms": [list(pair) for pair in sketch.terms],
        "title_terms": list(sketch.title_terms),
        "entities": list(sketch.entities),
        "tags": list(sketch.tags),
    }


def decode_event(data: dict[str, Any]) -> EventSketch:
    return EventSketch(
        title=data["title"],
        at=datetime.fromisoformat(data["at"]),
        terms=tuple((int(stem), int(count)) for stem, count in data["terms"]),
        title_terms=tuple(data["title_terms"]),
        entities=tuple(data["entities"]),
        tags=tuple(data["tags"]),
    )


def encode_entry(entry: StoryEntry) -> bytes:
    return orjson.dumps(
        {
            "schema_version": RECORD_SCHEMA_VERSION,
            "doc_id": entry.doc_id,
            "delivery": entry.delivery,
            "seen_at": entry.seen_at.isoformat(),
            "source": entry.source,
            "fingerprint": entry.fingerprint,
            "signature": base64.b64encode(entry.signature.astype("<u4").tobytes()).decode("ascii"),
            "title_key": entry.title_key,
            "headlines": list(entry.headlines),
            **({"event": encode_event(entry.event)} if entry.event is not None else {}),
        }
    )


def decode_entry(value: bytes) -> StoryEntry:
    try:
        data: Any = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise PoisonRecordError("dedup", "bad_json", f"story entry is not valid JSON: {exc}") from exc
    errors = validation_errors("story_entry", data)
    if errors:
        raise PoisonRecordError("dedup", "schema", "story entry violates its schema: " + "; ".join(errors[:3]))
    return StoryEntry(
        doc_id=data["doc_id"],
        delivery=data["delivery"],
        seen_at=datetime.fromisoformat(data["seen_at"]),
        source=data["source"],
        fingerprint=data["fingerprint"],
        signature=np.frombuffer(base64.b64decode(data["signature"]), dtype="<u4").astype(np.uint32),
        title_key=data["title_key"],
        headlines=tuple(data["headlines"]),
        event=decode_event(data["event"]) if "event" in data else None,
    )
