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
from streams.enrich.article import article_texts, body_text, enrich_article
from streams.enrich.entities import recognize
from streams.enrich.keyphrases import keyphrases
from streams.enrich.ner.conll import read_conll
from streams.enrich.ner.model import default_recognizer
from streams.enrich.topics import BBC_CATEGORY_TOPICS, topic_scores
from streams.parse.article import parse_article
from streams.parse.language import detect_language
from streams.records import Entity, ParsedArticle
from streams.settings import Settings
from streams.sources.files import map_record

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SAUDI = SHARED / "articles/arabic/saudinewsnet/sample_2015-08-01_02.jsonl"
BBC = SHARED / "articles/english/bbc/bbc_fulltext.jsonl"
ANERCORP = SHARED / "ner/anercorp/train.txt"
T = TypeVar("T")


def median_us(items: Sequence[T], stage: Callable[[T], object]) -> int:
    """Median wall time of ``stage`` per item, in µs."""
    timings = []
    for item in items:
        start = time.perf_counter()
        stage(item)
        timings.append(time.perf_counter() - start)
    return round(statistics.median(timings) * 1e6)


def enrich_cost(count: int) -> dict[str, Any]:
    fields = Settings().inputs.jsonl_fields
    records = [orjson.loads(line) for line in SAUDI.open("rb")]
    raws = [map_record(r, fields, "bench", datetime.now(UTC)) for r in records if r["content"].strip()][:count]
    parsed = [parse_article(raw) for raw in raws]
    enrich_article(parsed[0])  # load the model, gazetteer and lexicon
    whole: list[float] = []
    for raw in raws:  # parse + enrich of one article, the budget
        start = time.perf_counter()
        enrich_article(parse_article(raw))
        whole.append(time.perf_counter() - start)
    timings = []
    for article in parsed:
        start = time.perf_counter()
        enrich_article(article)
        timings.append(time.perf_counter() - start)
    kilobytes = sum(len(body_text(a).encode("utf-8")) for a in parsed) / 1024
    entities = {a.id: entities_of(a) for a in parsed}
    stages: dict[str, Callable[[ParsedArticle], object]] = {
        "language_id": lambda a: detect_language(f"{a.title}\n" + "\n".join(a.body)),
        "entities": entities_of,
        "keyphrases": lambda a: keyphrases(a.title, a.body, a.language, entities[a.id]),
        "topics": lambda a: topic_scores(f"{a.title}\n{body_text(a)}"),
        "enrich": enrich_article,
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


def entities_of(article: ParsedArticle) -> tuple[Entity, ...]:
    return recognize(article_texts(article), article.language)


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


def topic_accuracy() -> dict[str, float]:
    records = [orjson.loads(line) for line in BBC.open("rb")]
    predicted = [topic_scores(f"{r['title']}\n{r['text']}") for r in records]
    correct = sum(
        bool(p) and p[0][0] == BBC_CATEGORY_TOPICS[r["category"]] for p, r in zip(predicted, records, strict=True)
    )
    return {
        "articles": len(records),
        "top_topic_accuracy": round(correct / len(records), 4),
        "no_topic": sum(not p for p in predicted),
    }


def main() -> None:
    report = {
        "enrich": enrich_cost(2000),
        "ner": ner_speed(),
        "topics_bbc": topic_accuracy(),
        "measured_at": datetime.now(UTC).isoformat(),
    }
    publish("enrich_report", report)


if __name__ == "__main__":
    main()
