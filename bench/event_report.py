"""Event-stage figures on hand-judged pairs (bench/data/event_pairs.tsv, see its header), in one run:

- pairwise precision, recall and F1 of events on the judged pairs of each set (``tune``: the days the
  options were chosen on; ``test``: other days, not tuned on), with the settings' options and, with
  ``--grid``, for every combination of the thresholds and entity weights given;
- copies: of the article pairs the story stage puts in one story, the share that also share an event;
- events per article, the largest events with their labels, merges;
- cost per article of event assignment beside story assignment (the same entries, applied twice), and
  the event index's memory per 100k articles in the window (tracemalloc, scaled).

The days are read with the pipeline's own file reader, parsed and enriched once (cached under
``--cache``), ordered by fetch time and applied as one stream per set, as a worker would.

    .venv/bin/python -m bench.event_report [--sets tune test] [--grid]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import pickle
import time
import tracemalloc
from collections import Counter, defaultdict
from dataclasses import asdict, replace
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from bench.report import publish
from streams.dedup.entries import story_entry
from streams.dedup.events import EventIndex
from streams.dedup.options import EventOptions
from streams.dedup.stories import StoryIndex
from streams.dedup.story_records import StoryEntry
from streams.enrich.enricher import EnrichmentContext
from streams.enrich.names import NameDictionary
from streams.kafka.codec import encode
from streams.pipeline.options import event_options, story_options
from streams.pipeline.process import process_values
from streams.pipeline.stages import enrichment_context
from streams.records import DeadLetter, EnrichedArticle, KafkaPosition, RawArticle
from streams.settings import EnrichmentSettings, Settings
from streams.sources.files import read_paths

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "bench/data/event_pairs.tsv"
DAYS = ROOT.parent / "shared/data/articles/arabic/saudinewsnet"
BATCH = 256


def judged_pairs(path: Path = PAIRS) -> dict[str, list[tuple[str, str, str, bool]]]:
    """set -> (day, url_a, url_b, same event)."""
    pairs: dict[str, list[tuple[str, str, str, bool]]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        for row in rows:
            pairs[row["set"]].append((row["day"], row["url_a"], row["url_b"], row["verdict"] == "same"))
    return pairs


@cache
def loaded_context(settings: EnrichmentSettings) -> EnrichmentContext:
    """The enrichment context, loaded once for all the days not cached yet."""
    return enrichment_context(settings)


def enriched_day(day: str, settings: Settings, cache: Path) -> list[EnrichedArticle]:
    """The day's articles that the pipeline indexes, parsed and enriched in batches as the worker does."""
    cached = cache / f"{day}.pickle"
    if cached.exists():
        loaded: list[EnrichedArticle] = pickle.loads(cached.read_bytes())
        return loaded
    raws = [
        item for item in read_paths([DAYS / f"{day}.zip"], settings.inputs.jsonl_fields) if isinstance(item, RawArticle)
    ]
    names, context = NameDictionary(), loaded_context(settings.enrichment)
    articles: list[EnrichedArticle] = []
    for start in range(0, len(raws), BATCH):
        batch = raws[start : start + BATCH]
        records = [(raw.id.encode(), encode(raw), KafkaPosition()) for raw in batch]
        articles += [
            o
            for o in process_values(records, context, settings.inputs.max_payload_bytes, names)
            if not isinstance(o, DeadLetter)
        ]
    cache.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(pickle.dumps(articles))
    return articles


def stream_entries(days: list[str], settings: Settings, cache: Path) -> tuple[list[StoryEntry], dict[str, str]]:
    """The days' story entries in fetch order, and url -> doc_id."""
    articles = [a for day in sorted(days) for a in enriched_day(day, settings, cache)]
    articles.sort(key=lambda e: e.article.fetched_at)
    urls = {a.article.url: a.article.id for a in articles if a.article.url}
    return [story_entry(a, settings.stories.num_perm) for a in articles], urls


def assign(
    entries: list[StoryEntry], settings: Settings, options: EventOptions
) -> tuple[StoryIndex, dict[str, tuple[str, str]]]:
    """doc_id -> (story_id, event_id) after applying every entry in order."""
    index = StoryIndex.configured(replace(story_options(settings), events=options))
    found: dict[str, tuple[str, str]] = {}
    for entry in entries:
        answer = index.apply(entry)
        assert answer.event is not None
        found[entry.doc_id] = (answer.story_id, answer.event.event_id)
    assert index.events is not None
    return index, {doc: (story, index.events.resolve(event)) for doc, (story, event) in found.items()}


def pairwise(
    pairs: list[tuple[str, str, str, bool]], urls: dict[str, str], events: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    for _, url_a, url_b, same in pairs:
        a, b = urls.get(url_a), urls.get(url_b)
        if a is None or b is None:
            counts["missing"] += 1
            continue
        predicted = events[a][1] == events[b][1]
        counts[("t" if predicted == same else "f") + ("p" if predicted else "n")] += 1
    precision = counts["tp"] / ((counts["tp"] + counts["fp"]) or 1)
    recall = counts["tp"] / ((counts["tp"] + counts["fn"]) or 1)
    f1 = 2 * precision * recall / ((precision + recall) or 1)
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3), **counts}


def copies_in_one_event(events: dict[str, tuple[str, str]]) -> float:
    stories: dict[str, list[str]] = defaultdict(list)
    for story, event in events.values():
        stories[story].append(event)
    pairs = together = 0
    for members in stories.values():
        for a, b in itertools.combinations(members, 2):
            pairs += 1
            together += a == b
    return round(together / (pairs or 1), 4)


def cost_and_memory(entries: list[StoryEntry], settings: Settings, rounds: int = 5) -> dict[str, Any]:
    """Milliseconds per article of story assignment alone and with events, and the event index's memory
    per 100k articles in its window in a steady state: the set's sketches streamed ``rounds`` times, each
    round shifted two days later (new ids), so events close and days leave the window as in a long run."""
    timings = {}
    for name, options in (("stories", None), ("stories_and_events", event_options(settings))):
        index = StoryIndex.configured(replace(story_options(settings), events=options))
        start = time.perf_counter()
        for entry in entries:
            index.apply(entry)
        timings[name] = (time.perf_counter() - start) / len(entries)
    sketches = [(e.doc_id, e.event, e.source) for e in entries if e.event is not None]
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    events = EventIndex(event_options(settings))
    for n in range(rounds):
        shift = timedelta(days=2 * n)
        for doc_id, sketch, source in sketches:
            events.apply(f"{doc_id}.{n}", replace(sketch, at=sketch.at + shift), source, None)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {
        "story_ms_per_article": round(timings["stories"] * 1000, 3),
        "event_ms_per_article": round((timings["stories_and_events"] - timings["stories"]) * 1000, 3),
        "event_index_mib_per_100k_in_window": round(used / events.documents * 100_000 / 2**20, 1),
        "articles_in_window_at_end": events.documents,
        "events_kept_at_end": len(events),
        "events_open_at_end": len(events.open),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", default=["tune", "test"])
    parser.add_argument("--grid", action="store_true", help="also every threshold x entity weight below")
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.4, 0.45, 0.475, 0.5, 0.55])
    parser.add_argument("--entity-weights", type=float, nargs="+", default=[0.0, 0.05])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/newsflow-event-report"))
    args = parser.parse_args()
    settings = Settings()
    pairs = judged_pairs()
    report: dict[str, Any] = {"options": {k: str(v) for k, v in asdict(event_options(settings)).items()}}
    for name in args.sets:
        days = sorted({day for day, *_ in pairs[name]})
        entries, urls = stream_entries(days, settings, args.cache)
        index, events = assign(entries, settings, event_options(settings))
        assert index.events is not None
        sizes = Counter(event for _, event in events.values())
        largest = [
            {"articles": n, "label": index.events.events[e].label(), "outlets": len(index.events.events[e].outlets)}
            for e, n in sizes.most_common(8)
        ]
        section: dict[str, Any] = {
            "days": days,
            "articles": len(entries),
            "events": len(sizes),
            "events_with_2_or_more": sum(1 for n in sizes.values() if n > 1),
            "merges": sum(len(e.merged_ids) for e in index.events.events.values()),
            "pairs": pairwise(pairs[name], urls, events),
            "copies_in_one_event": copies_in_one_event(events),
            "largest": largest,
            **cost_and_memory(entries, settings),
        }
        if args.grid:
            grid = []
            for threshold, weight in itertools.product(args.thresholds, args.entity_weights):
                options = replace(event_options(settings), threshold=threshold, entity_weight=weight)
                grid.append(
                    {
                        "threshold": threshold,
                        "entity_weight": weight,
                        **pairwise(pairs[name], urls, assign(entries, settings, options)[1]),
                    }
                )
            section["grid"] = grid
        report[name] = section
    publish("event_report", report)


if __name__ == "__main__":
    main()
