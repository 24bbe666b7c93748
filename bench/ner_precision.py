"""Precision of the entities the pipeline writes, on a sample judged by hand, the shipped recognizer
beside the one it replaced.

Articles: ``--articles`` drawn (seeded) from the SaudiNewsNet days in ../shared, enriched whole
(``enrich``: tagger, review, gazetteer, proclitics off, short forms joined) by the current code and,
in a child process, by revision ``--reference`` (its ``enrich_article``). From each side's entities
``--sample`` are drawn (seeded). A judged entity is one line of ``bench/data/ner_judged.tsv``:

    side <TAB> article id <TAB> part <TAB> start <TAB> end <TAB> type <TAB> text <TAB> verdict

with verdict ``ok`` (a name, exactly its span, the right type) or what is wrong: ``span`` (a name,
cut or with extra words), ``type`` (a name of another type), ``no`` (not a name). The report gives
each side's precision over its judged entities and prints, with context, the sampled entities no line
judges yet (add a line for each, then run again).

    .venv/bin/python -m bench.ner_precision [--articles 60] [--sample 100] [--reference REV]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bench.ner_cost import REFERENCE
from bench.reference import run_at_revision
from bench.report import publish
from streams.enrich.article import body_text
from streams.enrich.enricher import enrich
from streams.parse.article import parse_article
from streams.pipeline.stages import enrichment_context
from streams.settings import Settings
from streams.sources.files import map_record

DAYS = Path(__file__).resolve().parent.parent.parent / "shared/data/articles/arabic/saudinewsnet"
JUDGED = Path(__file__).resolve().parent / "data" / "ner_judged.tsv"
CONTEXT = 40

# Runs inside the reference revision's package: SaudiNewsNet records as JSON on stdin.
REFERENCE_RUN = """
import sys, orjson
from datetime import UTC, datetime
from streams.enrich.article import enrich_article
from streams.parse.article import parse_article
from streams.settings import Settings
from streams.sources.files import map_record
fields = Settings().inputs.jsonl_fields
out = []
for record in orjson.loads(sys.stdin.buffer.read()):
    article = parse_article(map_record(record, fields, "bench", datetime.now(UTC)))
    for e in enrich_article(article).entities:
        out.append([article.id, e.found_by.rpartition(":")[2], e.start, e.end, e.type, e.text])
print(orjson.dumps(out).decode())
"""


def draw_records(count: int, seed: int) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for archive in sorted(DAYS.glob("*.zip")):
        with zipfile.ZipFile(archive) as bundle:
            for name in bundle.namelist():
                records += json.load(io.TextIOWrapper(bundle.open(name), encoding="utf-8"))
    records = [r for r in records if (r.get("content") or "").strip()]
    return random.Random(seed).sample(records, count)


def current_entities(records: list[dict[str, Any]]) -> tuple[list[list[Any]], dict[str, dict[str, str]]]:
    settings = Settings()
    fields = settings.inputs.jsonl_fields
    context = enrichment_context(settings.enrichment)
    found: list[list[Any]] = []
    texts: dict[str, dict[str, str]] = {}
    for record in records:
        article = parse_article(map_record(record, fields, "bench", datetime.now(UTC)))
        texts[article.id] = {"title": article.title, "body": body_text(article)}
        for e in enrich([article], context)[0].entities:
            found.append([article.id, e.found_by.rpartition(":")[2], e.start, e.end, e.type, e.text])
    return found, texts


def read_judged() -> dict[tuple[str, ...], str]:
    judged: dict[tuple[str, ...], str] = {}
    if JUDGED.exists():
        for line in JUDGED.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                side, article, part, start, end, kind, _, verdict = line.split("\t")
                judged[(side, article, part, start, end, kind)] = verdict
    return judged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--reference", default=REFERENCE)
    args = parser.parse_args()
    records = draw_records(args.articles, seed=20)
    current, texts = current_entities(records)
    reference = orjson.loads(run_at_revision(args.reference, REFERENCE_RUN, orjson.dumps(records)))
    judged = read_judged()
    report: dict[str, Any] = {"articles": args.articles, "reference_revision": args.reference}
    for side, entities in (("current", current), ("reference", reference)):
        sample = random.Random(21).sample(entities, min(args.sample, len(entities)))
        verdicts: Counter[str] = Counter()
        for article, part, start, end, kind, text in sample:
            verdict = judged.get((side, article, part, str(start), str(end), kind))
            if verdict is None:
                whole = texts[article][part]
                context = f"{whole[max(0, start - CONTEXT) : start]}[[{text}]]{whole[end : end + CONTEXT]}"
                print(f"{side}\t{article}\t{part}\t{start}\t{end}\t{kind}\t{text}\t?\t{context!r}")
            else:
                verdicts[verdict] += 1
        total = sum(verdicts.values())
        report[side] = {
            "entities_written": len(entities),
            "judged": total,
            "precision": round(verdicts["ok"] / total, 4) if total else None,
            "verdicts": dict(verdicts),
        }
    report["measured_at"] = datetime.now(UTC).isoformat()
    publish("ner_precision", report)


if __name__ == "__main__":
    main()
