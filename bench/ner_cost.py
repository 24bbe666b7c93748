"""Entity recognition cost per article, the shipped recognizer beside the one it replaced, in one run.

The same SaudiNewsNet articles (parsed once) go through:

- **current**: the taggers as the worker runs them, one batched pass per batch of ``--batch``
  articles (``tagged_entities``), then each article's review, gazetteer and learned-name matches;
- **reference**: the recognizer of git revision ``--reference`` (default: the CRF, before the taggers),
  article by article as that revision's worker ran it, in a child process on that revision's
  ``streams/`` package (needs python-crfsuite, which the dev extra brings).

CPU seconds (``time.process_time``) per article for each, and their ratio, are printed and written
to ``bench/results/ner_cost.json``.

    .venv/bin/python -m bench.ner_cost [--articles 2000] [--batch 200] [--reference REV]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from typing import Any

import orjson

from bench.enrich_report import SAUDI
from bench.reference import run_at_revision
from bench.report import publish
from streams.enrich.article import article_texts
from streams.enrich.entities import recognize, tagged_entities
from streams.enrich.standard import EntityEnricher
from streams.parse.article import parse_article
from streams.records import Entity, ParsedArticle
from streams.settings import Settings
from streams.sources.files import map_record

REFERENCE = "1334129"  # main before the taggers: the CRF over clitic-aware features

# Runs inside the reference revision's package: reads article texts (title, body) as JSON on stdin.
REFERENCE_RUN = """
import sys, time, orjson
from streams.enrich.entities import recognize
articles = orjson.loads(sys.stdin.buffer.read())
recognize(articles[0]["title"], "ar", "title")  # load the model
start = time.process_time()
found = sum(len(recognize(a["title"], a["language"], "title")) + len(recognize(a["body"], a["language"], "body"))
            for a in articles)
print(orjson.dumps({"cpu_s": time.process_time() - start, "entities": found}).decode())
"""


def load_articles(count: int) -> list[ParsedArticle]:
    fields = Settings().inputs.jsonl_fields
    articles = []
    with SAUDI.open("rb") as handle:
        for line in handle:
            record = orjson.loads(line)
            if record["content"].strip():
                articles.append(parse_article(map_record(record, fields, "bench", datetime.now(UTC))))
            if len(articles) == count:
                break
    return articles


def tag_articles(articles: list[ParsedArticle], entities: EntityEnricher) -> list[list[Entity]]:
    """The taggers' entities of a batch of articles in one pass, as the entity enricher tags a batch."""
    return tagged_entities([(article_texts(a), a.language) for a in articles], entities.recognizers)


def current_cost(articles: list[ParsedArticle], batch: int) -> dict[str, Any]:
    entities = EntityEnricher.load()  # the taggers, gazetteer and spellings, as the enrichment context loads them
    tag_articles(articles[:1], entities)  # the first call's one-off costs
    found = 0
    start = time.process_time()
    for first in range(0, len(articles), batch):
        chunk = articles[first : first + batch]
        for article, tagged in zip(chunk, tag_articles(chunk, entities), strict=True):
            texts = article_texts(article)
            found += len(recognize(texts, article.language, entities.recognizers, entities.gazetteer, tagged=tagged))
    return {"cpu_s": time.process_time() - start, "entities": found}


def reference_cost(articles: list[ParsedArticle], revision: str) -> dict[str, Any]:
    texts = [{**article_texts(a), "language": a.language} for a in articles]
    result: dict[str, Any] = orjson.loads(run_at_revision(revision, REFERENCE_RUN, orjson.dumps(texts)))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=Settings().worker.batch_size)
    parser.add_argument("--reference", default=REFERENCE)
    args = parser.parse_args()
    articles = load_articles(args.articles)
    current = current_cost(articles, args.batch)
    reference = reference_cost(articles, args.reference)
    per_article = {
        name: round(figures["cpu_s"] / len(articles) * 1e3, 3)
        for name, figures in (("current", current), ("reference", reference))
    }
    publish(
        "ner_cost",
        {
            "articles": len(articles),
            "batch": args.batch,
            "reference_revision": args.reference,
            "cpu_ms_per_article": per_article,
            "ratio_current_to_reference": round(per_article["current"] / per_article["reference"], 3),
            "entities": {"current": current["entities"], "reference": reference["entities"]},
            "measured_at": datetime.now(UTC).isoformat(),
        },
    )


if __name__ == "__main__":
    main()
