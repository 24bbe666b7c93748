"""Parse-stage figures, all measured in one run on the shared corpora:

- parse cost per article (µs, median of per-article timings) for scraped text, JSON records and HTML;
- extraction quality on the 495 trafilatura evaluation pages: share of ``with`` snippets kept and of
  ``without`` snippets excluded, newsflow's HTML path next to trafilatura alone;
- feed fixtures (feedparser's and rss-parser's): how many yield entries, how many a clear error;
- language identification accuracy on SaudiNewsNet (Arabic) and BBC (English).

    .venv/bin/python -m bench.parse_report
"""

from __future__ import annotations

import contextlib
import gzip
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import trafilatura
from trafilatura.utils import decode_file

from bench.report import publish
from streams.errors import PoisonRecordError
from streams.parse.article import parse_article
from streams.parse.language import detect_language
from streams.records import RawArticle
from streams.settings import Settings
from streams.sources.feeds import FeedCursor, poll_feed
from streams.sources.files import map_record

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SAUDI = SHARED / "articles/arabic/saudinewsnet/sample_2015-08-01_02.jsonl"
BBC = SHARED / "articles/english/bbc/bbc_fulltext.jsonl"
PAGES = SHARED / "extraction/trafilatura"
FEEDS = SHARED / "feeds"
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def median_micros(items: Iterable[RawArticle], parse: Callable[[RawArticle], Any]) -> tuple[float, int]:
    timings = []
    for item in items:
        start = time.perf_counter()
        with contextlib.suppress(PoisonRecordError):
            parse(item)
        timings.append(time.perf_counter() - start)
    return round(statistics.median(timings) * 1e6, 1), len(timings)


def parse_costs(records: list[dict[str, Any]], pages: list[str]) -> dict[str, Any]:
    fields = Settings().inputs.jsonl_fields
    as_records = [map_record(r, fields, "bench", NOW) for r in records]
    as_text = [
        RawArticle(id=r.id, format="text", content=r.content, fetched_at=NOW, origin="bench") for r in as_records
    ]
    as_html = [
        RawArticle(id=str(i), format="html", content=p, fetched_at=NOW, origin="bench") for i, p in enumerate(pages)
    ]
    parse_article(as_text[0])  # warm caches (language model, regexes)
    text_us, n_text = median_micros(as_text, parse_article)
    record_us, n_record = median_micros(as_records, parse_article)
    html_us, n_html = median_micros(as_html, parse_article)
    return {
        "scraped_text_us_per_article": text_us,
        "scraped_text_articles": n_text,
        "json_record_us_per_article": record_us,
        "json_record_articles": n_record,
        "html_us_per_page": html_us,
        "html_pages": n_html,
        "html_to_text_cost_ratio": round(html_us / text_us, 1),
    }


def extraction_quality(evaldata: dict[str, Any], pages: list[str]) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    for (url, case), html in zip(evaldata.items(), pages, strict=True):
        alone = trafilatura.extract(html) or ""
        try:
            parsed = parse_article(RawArticle(id="p", format="html", content=html, fetched_at=NOW, origin=url))
            ours = "\n".join(parsed.body)
        except PoisonRecordError:
            ours = ""
        for snippet in case.get("with", []):
            counts["with"] += 1
            counts["with_trafilatura"] += snippet in alone
            counts["with_newsflow"] += snippet in ours
        for snippet in case.get("without", []):
            counts["without"] += 1
            counts["without_trafilatura"] += snippet not in alone
            counts["without_newsflow"] += snippet not in ours
    return {
        "pages": len(pages),
        "with_snippets": counts["with"],
        "with_kept_trafilatura": round(counts["with_trafilatura"] / counts["with"], 4),
        "with_kept_newsflow": round(counts["with_newsflow"] / counts["with"], 4),
        "without_snippets": counts["without"],
        "without_excluded_trafilatura": round(counts["without_trafilatura"] / counts["without"], 4),
        "without_excluded_newsflow": round(counts["without_newsflow"] / counts["without"], 4),
    }


def feed_fixtures() -> dict[str, Any]:
    files = [*sorted((FEEDS / "feedparser/tests").rglob("*.*")), *sorted((FEEDS / "rss-parser/test/input").iterdir())]
    outcome: Counter[str] = Counter()
    for path in files:
        poll = poll_feed(str(path), FeedCursor(), timeout=0)
        outcome["yield_entries" if poll.items else "clear_error"] += 1
        outcome["entries"] += len(poll.items)
    return {"feeds": len(files), **outcome}


def language_accuracy() -> dict[str, Any]:
    result = {}
    for name, path, field, expected in (("saudinewsnet_ar", SAUDI, "content", "ar"), ("bbc_en", BBC, "text", "en")):
        texts = [t for t in (orjson.loads(line)[field] for line in path.open("rb")) if len(t) > 200]
        labels = Counter(detect_language(t) for t in texts)
        result[name] = {
            "articles": len(texts),
            "accuracy": round(labels[expected] / len(texts), 4),
            "labels": dict(labels.most_common(4)),
        }
    return result


def main() -> None:
    records = [r for r in (orjson.loads(line) for line in SAUDI.open("rb")) if r["content"].strip()][:2000]
    evaldata: dict[str, Any] = orjson.loads((PAGES / "evaldata.json").read_bytes())
    pages = [
        decode_file(gzip.decompress((PAGES / "pages" / f"{c['file']}.gz").read_bytes())) for c in evaldata.values()
    ]
    report = {
        "parse_cost": parse_costs(records, pages),
        "extraction_quality": extraction_quality(evaldata, pages),
        "feed_fixtures": feed_fixtures(),
        "language_id": language_accuracy(),
        "measured_at": datetime.now(UTC).isoformat(),
    }
    publish("parse_report", report)


if __name__ == "__main__":
    main()
