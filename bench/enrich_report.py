"""Enrich-stage figures, measured in one run:

- enrich cost per SaudiNewsNet article (µs, median) and per 3 KB of body text (one core);
- NER sentences per second (ANERcorp sentences through the full recognizer);
- topic accuracy on the BBC categories (business->economy, politics, sport->sports, tech->technology,
  entertainment->culture).

    .venv/bin/python -m bench.enrich_report
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import orjson

from bench.report import publish
from streams.enrich.article import body_text, enrich_article
from streams.enrich.entities import recognize
from streams.enrich.keyphrases import keyphrases
from streams.enrich.ner.conll import read_conll
from streams.enrich.ner.model import default_recognizer
from streams.enrich.topics import BBC_CATEGORY_TOPICS, topic_scores
from streams.parse.article import parse_article
from streams.records import ParsedArticle
from streams.settings import Settings
from streams.sources.files import map_record

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SAUDI = SHARED / "articles/arabic/saudinewsnet/sample_2015-08-01_02.jsonl"
BBC = SHARED / "articles/english/bbc/bbc_fulltext.jsonl"
ANERCORP = SHARED / "ner/anercorp/train.txt"


def enrich_cost(count: int) -> dict[str, float]:
    fields = Settings().jsonl_fields
    records = [orjson.loads(line) for line in SAUDI.open("rb")]
    parsed = [parse_article(map_record(r, fields, "bench", datetime.now(UTC))) for r in records if r["content"].strip()]
    parsed = parsed[:count]
    enrich_article(parsed[0])  # load the model, gazetteer and lexicon
    timings = []
    for article in parsed:
        start = time.perf_counter()
        enrich_article(article)
        timings.append(time.perf_counter() - start)
    kilobytes = sum(len(body_text(a).encode("utf-8")) for a in parsed) / 1024
    stages: dict[str, Callable[[ParsedArticle], object]] = {
        "entities": lambda a: (recognize(a.title, a.language, "title"), recognize(body_text(a), a.language, "body")),
        "keyphrases": lambda a: keyphrases(a.title, a.body, a.language),
        "topics": lambda a: topic_scores(f"{a.title}\n{body_text(a)}"),
    }
    stage_us = {}
    for name, stage in stages.items():
        start = time.perf_counter()
        for article in parsed:
            stage(article)
        stage_us[f"{name}_mean_us"] = round((time.perf_counter() - start) / len(parsed) * 1e6)
    return {
        "articles": len(parsed),
        "median_us_per_article": round(statistics.median(timings) * 1e6),
        "ms_per_3kb": round(sum(timings) / kilobytes * 3 * 1e3, 2),
        "mean_kb_per_article": round(kilobytes / len(parsed), 2),
        **stage_us,
    }


def ner_speed() -> dict[str, float]:
    recognizer = default_recognizer()
    sentences = [" ".join(tokens) for tokens, _ in read_conll(ANERCORP)]
    start = time.perf_counter()
    for sentence in sentences:
        recognizer.entities(sentence)
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
