"""The one code path from a raw topic value to an enriched record, shared by the Faust agent and
``newsflow process``. Never raises for a bad record: it returns a DeadLetter instead."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from streams.dedup.entries import story_entry
from streams.dedup.stories import StoryIndex
from streams.enrich.article import enrich_article
from streams.enrich.names import NameDictionary
from streams.enrich.version import Enrichment
from streams.errors import PoisonRecordError, Stage
from streams.kafka.codec import dead_letter, decode_raw
from streams.parse.article import parse_article
from streams.records import DeadLetter, EnrichedArticle, KafkaPosition, RawArticle
from streams.settings import Settings
from streams.sink.documents import document_id, to_document


def process_raw(raw: RawArticle) -> EnrichedArticle:
    return enrich_article(parse_article(raw))


def process_value(
    value: bytes,
    position: KafkaPosition,
    message_key: bytes | None = None,
    max_bytes: int | None = None,
    names: NameDictionary | None = None,
    enrichment: Enrichment | None = None,
) -> EnrichedArticle | DeadLetter:
    stage: Stage = "decode"
    if max_bytes is not None and len(value) > max_bytes:
        message = f"payload is {len(value):,} bytes, over the limit of {max_bytes:,}"
        error = PoisonRecordError(stage, "too_large", message)
        return dead_letter(stage, error, value, position, message_key)
    try:
        raw = decode_raw(value)
        stage = "parse"
        parsed = parse_article(raw)
        stage = "enrich"
        return enrich_article(parsed, names, enrichment)
    except PoisonRecordError as exc:
        return dead_letter(exc.stage, exc, value, position, message_key)
    except Exception as exc:  # a bug on one record must not stop the stream: dead-letter it
        return dead_letter(stage, exc, value, position, message_key)


def offline_documents(
    articles: Iterable[EnrichedArticle], settings: Settings, indexed_at: datetime, key_fields: bool
) -> list[tuple[str, dict[str, Any]]]:
    """(id, document) as the index agent writes them, with stories from an in-memory StoryIndex in
    the articles' order instead of the shared story log (benchmarks, tests, offline runs); ``key_fields``
    as the target index needs them (``not ArticleIndex.server_analysis``)."""
    stories = StoryIndex.configured(settings.stories)
    return [
        (document_id(e), to_document(e, indexed_at, stories.apply(story_entry(e, settings.dedup_num_perm)), key_fields))
        for e in articles
    ]
