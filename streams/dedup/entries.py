"""EnrichedArticle -> StoryEntry (pure), and StoryEntry <-> story-log values (schemas/topics)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import numpy as np
import orjson

from streams.dedup.sketch import body_tokens, fingerprint, signature
from streams.dedup.stories import StoryEntry
from streams.errors import PoisonRecordError
from streams.records import RECORD_SCHEMA_VERSION, EnrichedArticle
from streams.schemas import validation_errors
from streams.text.normalize import matching_key


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
    )
