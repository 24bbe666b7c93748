"""A random sample of keyphrase tags on SaudiNewsNet, written out for judging by hand.

Articles of ``sample_2015-08-01_02.jsonl`` are drawn with a fixed seed, parsed and enriched as
``bench.enrich_report`` does, and one of each article's keyphrase tags is drawn with the same generator
until ``--size`` phrases are collected. Each line of the output (JSON lines) holds the phrase, its key,
the article id and title, and the lead with the phrase's first occurrence in [[brackets]], ready for a
judge to add a verdict. The script only uses ``enrich`` with the enrichment context of the settings, so
the same file run against another checkout with that API (``PYTHONPATH=../other``) samples that
checkout's extractor with the same articles drawn first.

    .venv/bin/python -m bench.keyphrase_sample --out /tmp/keyphrases.jsonl
"""

from __future__ import annotations

import argparse
import random
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from streams.enrich.article import body_text
from streams.enrich.enricher import enrich
from streams.parse.article import parse_article
from streams.pipeline.stages import enrichment_context
from streams.settings import Settings
from streams.sources.files import map_record

SAUDI = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "articles/arabic/saudinewsnet"
SAMPLE = SAUDI / "sample_2015-08-01_02.jsonl"
CONTEXT_CHARS = 600


def in_context(title: str, body: str, label: str) -> str:
    """Title and lead with the label's first occurrence bracketed (title first, as the extractor reads)."""
    text = f"{title}\n\n{body[:CONTEXT_CHARS]}"
    found = re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text)
    return text if found is None else f"{text[: found.start()]}[[{label}]]{text[found.end() :]}"


def sample(size: int, seed: int) -> list[dict[str, Any]]:
    settings = Settings()
    fields = settings.inputs.jsonl_fields
    context = enrichment_context(settings.enrichment)
    records = [r for r in (orjson.loads(line) for line in SAMPLE.open("rb")) if r["content"].strip()]
    rng = random.Random(seed)
    order = rng.sample(range(len(records)), len(records))
    drawn: list[dict[str, Any]] = []
    for index in order:
        article = parse_article(map_record(records[index], fields, "bench", datetime.now(UTC)))
        tags = [t for t in enrich([article], context)[0].tags if t.kind == "keyphrase"]
        if not tags:
            continue
        tag = rng.choice(tags)
        drawn.append(
            {
                "n": len(drawn) + 1,
                "phrase": tag.label,
                "key": tag.key,
                "article": article.id,
                "title": article.title,
                "context": in_context(article.title, body_text(article), tag.label),
            }
        )
        if len(drawn) == size:
            break
    return drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="JSON-lines file to write the sample to")
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    drawn = sample(args.size, args.seed)
    args.out.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in drawn))
    print(f"{len(drawn)} keyphrases from {SAMPLE.name} (seed {args.seed}) -> {args.out}")


if __name__ == "__main__":
    main()
