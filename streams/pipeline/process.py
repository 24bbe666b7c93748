"""The one code path from a raw topic value to an enriched record, shared by the Faust agent and
``newsflow process``. Never raises for a bad record: it returns a DeadLetter instead."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from streams.dedup.entries import story_entry
from streams.dedup.stories import StoryIndex
from streams.enrich.article import enrich_article, tag_articles
from streams.enrich.names import NameDictionary
from streams.enrich.version import Enrichment
from streams.errors import PoisonRecordError, Stage
from streams.kafka.codec import dead_letter, decode_raw
from streams.parse.article import parse_article
from streams.pipeline.options import story_options
from streams.records import DeadLetter, EnrichedArticle, Entity, KafkaPosition, ParsedArticle, RawArticle
from streams.settings import Settings
from streams.sink.documents import document_id, to_document

log = logging.getLogger(__name__)


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
    return process_values([(message_key, value, position)], max_bytes, names, enrichment)[0]


def process_values(
    records: Sequence[tuple[bytes | None, bytes, KafkaPosition]],
    max_bytes: int | None = None,
    names: NameDictionary | None = None,
    enrichment: Enrichment | None = None,
) -> list[EnrichedArticle | DeadLetter]:
    """Each (message key, value, position) decoded, parsed and enriched in order, its entities tagged in
    one pass over the whole batch; a record that fails any step becomes its dead letter."""
    parsed = [_parsed(value, position, message_key, max_bytes) for message_key, value, position in records]
    articles = [p for p in parsed if isinstance(p, ParsedArticle)]
    try:
        tagged: list[list[Entity] | None] = list(tag_articles(articles))
    except Exception:  # one article breaks the batched pass: tag each alone, so only it is dead-lettered
        log.exception("batched tagging failed; tagging the batch's %d articles one by one", len(articles))
        tagged = [None] * len(articles)
    entities = iter(tagged)
    outcomes: list[EnrichedArticle | DeadLetter] = []
    for (message_key, value, position), article in zip(records, parsed, strict=True):
        if not isinstance(article, ParsedArticle):
            outcomes.append(article)  # its dead letter
            continue
        try:
            outcomes.append(enrich_article(article, names, enrichment, next(entities)))
        except PoisonRecordError as exc:
            outcomes.append(dead_letter(exc.stage, exc, value, position, message_key))
        except Exception as exc:  # a bug on one record must not stop the stream: dead-letter it
            outcomes.append(dead_letter("enrich", exc, value, position, message_key))
    return outcomes


def _parsed(
    value: bytes, position: KafkaPosition, message_key: bytes | None, max_bytes: int | None
) -> ParsedArticle | DeadLetter:
    stage: Stage = "decode"
    if max_bytes is not None and len(value) > max_bytes:
        message = f"payload is {len(value):,} bytes, over the limit of {max_bytes:,}"
        error = PoisonRecordError(stage, "too_large", message)
        return dead_letter(stage, error, value, position, message_key)
    try:
        raw = decode_raw(value)
        stage = "parse"
        return parse_article(raw)
    except PoisonRecordError as exc:
        return dead_letter(exc.stage, exc, value, position, message_key)
    except Exception as exc:  # a bug on one record must not stop the stream: dead-letter it
        return dead_letter(stage, exc, value, position, message_key)


def indexed_documents(
    articles: Iterable[EnrichedArticle], stories: StoryIndex, num_perm: int, indexed_at: datetime, key_fields: bool
) -> list[tuple[str, dict[str, Any]]]:
    """(id, document) as the index agent writes them, with stories and events from ``stories`` applied in
    the articles' order instead of the shared story log (offline runs, benchmarks, tests); ``key_fields``
    as the target index needs them (``not ArticleIndex.server_analysis``)."""
    return [
        (document_id(e), to_document(e, indexed_at, stories.apply(story_entry(e, num_perm)), key_fields))
        for e in articles
    ]


def offline_documents(
    articles: Iterable[EnrichedArticle], settings: Settings, indexed_at: datetime, key_fields: bool
) -> list[tuple[str, dict[str, Any]]]:
    """``indexed_documents`` with a new story index."""
    stories = StoryIndex.configured(story_options(settings))
    return indexed_documents(articles, stories, settings.stories.num_perm, indexed_at, key_fields)
