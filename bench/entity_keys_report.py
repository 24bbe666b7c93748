"""One entity per real-world name, measured on the SaudiNewsNet sample (2,599 articles of 2015-08-01/02,
in file order, through parse + enrich with one learned-name dictionary, as ``newsflow process`` runs):

- person mentions, how many are a single word, and how many of those were joined to a full name:
  within their article (a surname beside the full name, or one the recognizer left unmarked) or
  through an alias learned from an earlier article;
- fragmentation: distinct person keys against distinct person mentions as written (one key per
  spelling, no joining: what the index held before keys and aliases);
- spans that began with a proclitic before trimming, and labels that differ from the key;
- ``bench/results/entity_joins.tsv``: a fixed random sample of joins (seed 7) with their sentence, to
  judge by hand.

    .venv/bin/python -m bench.entity_keys_report
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import orjson

from bench.report import RESULTS, publish
from streams.enrich.article import body_text
from streams.enrich.enricher import enrich
from streams.enrich.names import NameDictionary
from streams.parse.article import parse_article
from streams.pipeline.stages import enrichment_context
from streams.records import EnrichedArticle, Entity
from streams.settings import Settings
from streams.sources.files import map_record
from streams.text.normalize import matching_key

SAUDI_SAMPLE = (
    Path(__file__).resolve().parent.parent.parent
    / "shared/data/articles/arabic/saudinewsnet/sample_2015-08-01_02.jsonl"
)
SAMPLE_JOINS = 60


def enriched_sample() -> list[EnrichedArticle]:
    """Each article enriched with the names learned from those before it, then learned from."""
    settings = Settings()
    fields = settings.inputs.jsonl_fields
    enrichment = enrichment_context(settings.enrichment)
    names = NameDictionary()
    records = [orjson.loads(line) for line in SAUDI_SAMPLE.open("rb")]
    enriched: list[EnrichedArticle] = []
    for record in records:
        if record["content"].strip():
            article = parse_article(map_record(record, fields, "bench", datetime.now(UTC)))
            enriched.append(enrich([article], enrichment, names.known())[0])
            names.learn(enriched[-1])
    return enriched


def context(article: EnrichedArticle, entity: Entity) -> str:
    text = article.article.title if entity.found_by.endswith(":title") else body_text(article.article)
    return " ".join(text[max(0, entity.start - 60) : entity.end + 60].split())


def has_full_name(article: EnrichedArticle, entity: Entity) -> bool:
    return any(other.key == entity.key and len(other.text.split()) > 1 for other in article.entities)


def main() -> None:
    articles = enriched_sample()
    people = [(a, e) for a in articles for e in a.entities if e.type == "PERSON"]
    single = [(a, e) for a, e in people if len(e.text.split()) == 1]
    within = [(a, e) for a, e in single if e.found_by.startswith("alias:") or has_full_name(a, e)]
    learned = [(a, e) for a, e in single if e.key != matching_key(e.text) and (a, e) not in within]
    report = {
        "articles": len(articles),
        "person_mentions": len(people),
        "single_word_person_mentions": len(single),
        "joined_within_article": len(within),
        "joined_by_learned_alias": len(learned),
        "added_unmarked_surnames": sum(e.found_by.startswith("alias:") for _, e in people),
        "distinct_person_keys": len({e.key for _, e in people}),
        "distinct_person_mentions_as_written": len({matching_key(e.text) for _, e in people}),
        "entities": sum(len(a.entities) for a in articles),
        "labels_differing_from_key": sum(e.label != e.key for a in articles for e in a.entities),
        "measured_at": datetime.now(UTC).isoformat(),
    }
    joins = random.Random(7).sample(within + learned, min(SAMPLE_JOINS, len(within) + len(learned)))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "entity_joins.tsv").write_text(
        "".join(
            f"{e.text}\t{e.label}\t{'learned' if (a, e) in learned else 'within'}\t{context(a, e)}\n" for a, e in joins
        ),
        encoding="utf-8",
    )
    publish("entity_keys_report", report)


if __name__ == "__main__":
    main()
