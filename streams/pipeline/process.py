"""The one code path from a raw topic value to an enriched record, shared by the Faust agent and
``newsflow process``. Never raises for a bad record: it returns a DeadLetter instead."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from streams.dedup.entries import story_entry
from streams.dedup.stories import StoryIndex
from streams.enrich.enricher import EnrichmentContext, enrich
from streams.enrich.names import NO_NAMES, NameDictionary
from streams.errors import PoisonRecordError, Stage
from streams.kafka.codec import dead_letter, decode_raw
from streams.parse.article import parse_article
from streams.pipeline.options import story_options
from streams.records import DeadLetter, EnrichedArticle, KafkaPosition, ParsedArticle, RawArticle
from streams.settings import Settings
from streams.sink.documents import document_id, to_document, with_key_fields

log = logging.getLogger(__name__)


def process_raw(raw: RawArticle, context: EnrichmentContext) -> EnrichedArticle:
    """One raw article parsed and enriched (no learned names)."""
    return enrich([parse_article(raw)], context)[0]


def process_value(
    value: bytes,
    position: KafkaPosition,
    context: EnrichmentContext,
    message_key: bytes | None = None,
    max_bytes: int | None = None,
    names: NameDictionary | None = None,
) -> EnrichedArticle | DeadLetter:
    return process_values([(message_key, value, position)], context, max_bytes, names)[0]


def process_values(
    records: Sequence[tuple[bytes | None, bytes, KafkaPosition]],
    context: EnrichmentContext,
    max_bytes: int | None = None,
    names: NameDictionary | None = None,
) -> list[EnrichedArticle | DeadLetter]:
    """Each (message key, value, position) decoded, parsed and enriched in order, every enricher running
    once over the whole batch with the names known when the batch began; a record that fails any step
    becomes its dead letter. Then, as its own step, ``names`` learns from the enriched articles in order."""
    parsed = [_parsed(value, position, message_key, max_bytes) for message_key, value, position in records]
    known = names.known() if names is not None else NO_NAMES
    articles = {n: context.start(p) for n, p in enumerate(parsed) if isinstance(p, ParsedArticle)}
    failed: dict[int, Exception] = {}
    for enricher in context.enrichers:
        before = articles
        try:
            articles = dict(zip(before, enricher.enrich(list(before.values()), known), strict=True))
        except Exception:  # one article breaks the batched pass: enrich each alone, so only it fails
            log.exception("enricher %s failed on a batch of %d; enriching one by one", enricher.name, len(before))
            articles = {}
            for n, article in before.items():
                try:
                    articles[n] = enricher.enrich([article], known)[0]
                except Exception as exc:
                    failed[n] = exc
    outcomes: list[EnrichedArticle | DeadLetter] = []
    for n, ((message_key, value, position), item) in enumerate(zip(records, parsed, strict=True)):
        if isinstance(item, DeadLetter):  # from decoding or parsing
            outcomes.append(item)
        elif n in failed:
            error = failed[n]
            stage: Stage = error.stage if isinstance(error, PoisonRecordError) else "enrich"
            outcomes.append(dead_letter(stage, error, value, position, message_key))
        else:
            outcomes.append(articles[n])
    if names is not None:
        for outcome in outcomes:
            if isinstance(outcome, EnrichedArticle):
                names.learn(outcome)
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
        (document_id(e), with_key_fields(document) if key_fields else document)
        for e in articles
        for document in [to_document(e, indexed_at, stories.apply(story_entry(e, num_perm)))]
    ]


def offline_documents(
    articles: Iterable[EnrichedArticle], settings: Settings, indexed_at: datetime, key_fields: bool
) -> list[tuple[str, dict[str, Any]]]:
    """``indexed_documents`` with a new story index."""
    stories = StoryIndex.configured(story_options(settings))
    return indexed_documents(articles, stories, settings.stories.num_perm, indexed_at, key_fields)
