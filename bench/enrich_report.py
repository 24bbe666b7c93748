"""Enrich-stage figures, measured in one run:

- enrich cost per SaudiNewsNet article (µs, median) and per 3 KB of body text (one core), parse + enrich
  per article (median), and each stage's median cost per article: parse, language ID, entities,
  keyphrases, topics and the whole enrich;
- NER sentences per second (ANERcorp sentences through the full recognizer);
- topic accuracy on the BBC categories (business->economy, politics, sport->sports, tech->technology,
  entertainment->culture).

    .venv/bin/python -m bench.enrich_report
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson

from bench.report import publish
from streams.enrich.article import article_texts, body_text
from streams.enrich.enricher import Enricher, EnrichmentContext, enrich
from streams.enrich.entities import recognize
from streams.enrich.keyphrases import keyphrases
from streams.enrich.ner.conll import read_conll
from streams.enrich.ner.model import default_recognizer
from streams.enrich.standard import EntityEnricher, TopicEnricher
from streams.enrich.topics import BBC_CATEGORY_TOPICS, topic_scores
from streams.parse.article import parse_article
from streams.parse.language import detect_language
from streams.pipeline.stages import enrichment_context
from streams.records import EnrichedArticle, Entity, ParsedArticle
from streams.settings import Settings
from streams.sources.files import map_record

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SAUDI = SHARED / "articles/arabic/saudinewsnet/sample_2015-08-01_02.jsonl"
BBC = SHARED / "articles/english/bbc/bbc_fulltext.jsonl"
ANERCORP = SHARED / "ner/anercorp/train.txt"
T = TypeVar("T")
E = TypeVar("E", bound=Enricher)


def median_us(items: Sequence[T], stage: Callable[[T], object]) -> int:
    """Median wall time of ``stage`` per item, in µs."""
    timings = []
    for item in items:
        start = time.perf_counter()
        stage(item)
        timings.append(time.perf_counter() - start)
    return round(statistics.median(timings) * 1e6)


def enricher_of(context: EnrichmentContext, kind: type[E]) -> E:
    """The context's enricher of ``kind`` (its models and tables, loaded once with the context)."""
    found = next((e for e in context.enrichers if isinstance(e, kind)), None)
    if found is None:
        raise SystemExit(f"the enrichment settings leave out {kind.__name__}, which this benchmark measures")
    return found


def enrich_one(article: ParsedArticle, context: EnrichmentContext) -> EnrichedArticle:
    """One article through every enricher of ``context`` (no learned names)."""
    return enrich([article], context)[0]


def enrich_cost(count: int, context: EnrichmentContext) -> dict[str, Any]:
    fields = Settings().inputs.jsonl_fields
    records = [orjson.loads(line) for line in SAUDI.open("rb")]
    raws = [map_record(r, fields, "bench", datetime.now(UTC)) for r in records if r["content"].strip()][:count]
    parsed = [parse_article(raw) for raw in raws]
    enrich_one(parsed[0], context)  # the first call's one-off costs
    whole: list[float] = []
    for raw in raws:  # parse + enrich of one article, the budget
        start = time.perf_counter()
        enrich_one(parse_article(raw), context)
        whole.append(time.perf_counter() - start)
    timings = []
    for article in parsed:
        start = time.perf_counter()
        enrich_one(article, context)
        timings.append(time.perf_counter() - start)
    kilobytes = sum(len(body_text(a).encode("utf-8")) for a in parsed) / 1024
    recognizer = enricher_of(context, EntityEnricher)
    table = enricher_of(context, TopicEnricher).lexicon
    entities = {a.id: entities_of(a, recognizer) for a in parsed}
    stages: dict[str, Callable[[ParsedArticle], object]] = {
        "language_id": lambda a: detect_language(f"{a.title}\n" + "\n".join(a.body)),
        "entities": lambda a: entities_of(a, recognizer),
        "keyphrases": lambda a: keyphrases(a.title, a.body, a.language, entities[a.id]),
        "topics": lambda a: topic_scores(f"{a.title}\n{body_text(a)}", table),
        "enrich": lambda a: enrich_one(a, context),
    }
    return {
        "articles": len(parsed),
        "parse_plus_enrich_median_us": round(statistics.median(whole) * 1e6),
        "median_us_per_article": round(statistics.median(timings) * 1e6),
        "ms_per_3kb": round(sum(timings) / kilobytes * 3 * 1e3, 2),
        "mean_kb_per_article": round(kilobytes / len(parsed), 2),
        "stage_median_us": {
            "parse": median_us(raws, parse_article),
            **{name: median_us(parsed, stage) for name, stage in stages.items()},
        },
    }


def entities_of(article: ParsedArticle, entities: EntityEnricher) -> tuple[Entity, ...]:
    """The recognizers' entities of one article (the taggers, the gazetteer and the rules, no learned
    names; before mentions are resolved)."""
    return recognize(article_texts(article), article.language, entities.recognizers, entities.gazetteer)


def ner_speed() -> dict[str, float]:
    """ANERcorp sentences through the whole recognizer, 200 sentences a call (as a worker batch would)."""
    recognizer = default_recognizer("ar")
    sentences = [" ".join(tokens) for tokens, _ in read_conll(ANERCORP)]
    start = time.perf_counter()
    for first in range(0, len(sentences), 200):
        chunk = sentences[first : first + 200]
        for texts, tagged in zip(chunk, recognizer.tagged([{"body": s} for s in chunk]), strict=True):
            recognizer.with_listed({"body": texts}, tagged)
    return {"sentences": len(sentences), "sentences_per_s": round(len(sentences) / (time.perf_counter() - start))}


def topic_accuracy(context: EnrichmentContext) -> dict[str, float]:
    table = enricher_of(context, TopicEnricher).lexicon
    records = [orjson.loads(line) for line in BBC.open("rb")]
    predicted = [topic_scores(f"{r['title']}\n{r['text']}", table) for r in records]
    correct = sum(
        bool(p) and p[0][0] == BBC_CATEGORY_TOPICS[r["category"]] for p, r in zip(predicted, records, strict=True)
    )
    return {
        "articles": len(records),
        "top_topic_accuracy": round(correct / len(records), 4),
        "no_topic": sum(not p for p in predicted),
    }


def main() -> None:
    context = enrichment_context(Settings().enrichment)  # the models and tables, loaded once
    report = {
        "enrich": enrich_cost(2000, context),
        "ner": ner_speed(),
        "topics_bbc": topic_accuracy(context),
        "measured_at": datetime.now(UTC).isoformat(),
    }
    publish("enrich_report", report)


if __name__ == "__main__":
    main()
