"""Duplicate-stage figures on the SaudiNewsNet days in ../shared/data, measured in one run:

- exact-duplicate groups: records whose normalized body is identical (fingerprint), and how many of
  those groups end in one story;
- near duplicates on constructed pairs: for articles of the last days, a copy edited the way outlets
  edit wire copy (byline added, last paragraph dropped, ی/ي and hamza spellings, a closing line,
  words dropped, the story cut short), applied after the whole corpus: recall = copies that joined
  their original's story, precision = of the copies that joined a story, the share that joined the
  original's;
- real near duplicates the index merged (not byte-identical), with a sample of title pairs to read;
- cost per article of the stage (sketch, and story assignment) and the index's memory per 100k
  articles (tracemalloc, scaled from the corpus), for the compact index and, side by side in the same
  run, the index it replaced (bench.dedup_reference: MinHashLSH and an object per member), with
  recall and precision of both and whether they assigned every article alike.

    .venv/bin/python -m bench.dedup_report
"""

from __future__ import annotations

import contextlib
import json
import random
import time
import tracemalloc
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.dedup_reference import ReferenceStoryIndex
from bench.report import publish
from streams.dedup.entries import story_entry
from streams.dedup.stories import StoryIndex
from streams.dedup.story_records import StoryAssignment, StoryEntry
from streams.errors import PoisonRecordError
from streams.parse.article import parse_article
from streams.pipeline.options import story_options
from streams.records import EnrichedArticle, RawArticle
from streams.settings import Settings
from streams.sources.files import map_record

DAYS = Path(__file__).resolve().parent.parent.parent / "shared/data/articles/arabic/saudinewsnet"
COPIES = 400
EDITS = ("byline", "drop_last", "spelling", "closing_line", "drop_words", "cut_short", "combined")
ROUNDS = 2  # assignment cost: the faster of alternating rounds
Index = StoryIndex | ReferenceStoryIndex


def corpus(settings: Settings) -> Iterator[EnrichedArticle]:
    """Every day's records, in fetch order, parsed (sketches need no enrichment)."""
    records = []
    for archive in sorted(DAYS.glob("*.zip")):
        with zipfile.ZipFile(archive) as zipped:
            records.extend(json.loads(zipped.read(zipped.namelist()[0])))
    records.sort(key=lambda r: r["date_extracted"])
    now = datetime.now(UTC)
    for record in records:
        raw = map_record(record, settings.inputs.jsonl_fields, "saudinewsnet", now)
        with contextlib.suppress(PoisonRecordError):  # no body: the pipeline dead-letters it
            yield EnrichedArticle(article=parse_article(raw), tags=())


def edit(content: str, kind: str, randomness: random.Random) -> str:
    paragraphs = [p for p in content.split("\n") if p.strip()]
    if kind == "byline":
        return "\n".join(["الرياض - واس", *paragraphs])
    if kind == "drop_last":
        return "\n".join(paragraphs[:-1] if len(paragraphs) > 2 else paragraphs)
    if kind == "spelling":
        return content.replace("ي ", "ی ").replace("أ", "ا").replace("إ", "ا")
    if kind == "closing_line":
        return "\n".join([*paragraphs, "تابعونا على حساباتنا في مواقع التواصل الاجتماعي لمزيد من الأخبار."])
    if kind == "drop_words":
        words = content.split(" ")
        return " ".join(w for w in words if randomness.random() > 0.05)
    if kind == "cut_short":
        return "\n".join(paragraphs[: max(1, round(len(paragraphs) * 0.7))])
    combined = edit(edit(edit(content, "byline", randomness), "drop_last", randomness), "spelling", randomness)
    return combined


def main() -> None:
    settings = Settings()
    randomness = random.Random(11)
    articles = list(corpus(settings))

    # cost, without tracing
    start = time.perf_counter()
    entries = [story_entry(a, settings.stories.num_perm) for a in articles]
    sketch_us = (time.perf_counter() - start) / len(articles) * 1e6
    assign_us: dict[str, float] = {}
    answers: dict[str, list[StoryAssignment]] = {}
    for _ in range(ROUNDS):
        for name, kind in KINDS.items():
            index = kind.configured(story_options(settings))
            start = time.perf_counter()
            answers[name] = [index.apply(e) for e in entries]
            spent = (time.perf_counter() - start) / len(articles) * 1e6
            assign_us[name] = min(spent, assign_us.get(name, spent))
    stories = answers["compact"]

    # exact groups
    groups: dict[str, list[int]] = defaultdict(list)
    for position, entry in enumerate(entries):
        groups[entry.fingerprint].append(position)
    exact = [members for members in groups.values() if len(members) > 1]
    found = sum(len({stories[m].story_id for m in members}) == 1 for members in exact)
    # a copy published more than the story window after the first is a new story by design
    within = [
        m for m in exact if max(entries[i].seen_at for i in m) - min(entries[i].seen_at for i in m) <= index.window
    ]
    found_within = sum(len({stories[m].story_id for m in members}) == 1 for members in within)

    # real near duplicates merged (not byte-identical to their representative)
    position_of = {e.doc_id: i for i, e in enumerate(entries)}
    near = [
        (position_of[s.story_id], i)
        for i, s in enumerate(stories)
        if s.duplicate_of and entries[i].fingerprint != entries[position_of[s.story_id]].fingerprint
    ]
    sample = [
        {
            "similarity": stories[i].similarity,
            "representative": articles[r].article.title,
            "member": articles[i].article.title,
        }
        for r, i in randomness.sample(near, min(12, len(near)))
    ]

    # constructed near duplicates: originals from the last two days (inside the window), long enough
    last_seen = entries[-1].seen_at
    candidates = [
        i
        for i, a in enumerate(articles)
        if entries[i].seen_at > last_seen - timedelta(days=2)
        and len(a.article.body) >= 3
        and a.article.word_count > 120
    ]
    chosen = randomness.sample(candidates, min(COPIES, len(candidates)))
    copies = []
    for number, position in enumerate(chosen):
        original = articles[position].article
        raw = RawArticle(
            id=f"copy-{number}",
            format="record",
            content=edit("\n".join(original.body), EDITS[number % len(EDITS)], randomness),
            fetched_at=entries[position].seen_at + timedelta(hours=1),
            origin="constructed",
            title=original.title,
            source_name="copy-outlet",
        )
        copies.append(story_entry(EnrichedArticle(parse_article(raw), ()), settings.stories.num_perm))
    constructed = {name: constructed_copies(kind, settings, entries, chosen, copies) for name, kind in KINDS.items()}
    by_edit = constructed["compact"]
    joined = sum(v[0] for v in by_edit.values())
    wrong = sum(v[1] for v in by_edit.values())

    memory = {name: memory_per_100k(kind, settings, articles) for name, kind in KINDS.items()}

    publish(
        "dedup_report",
        {
            "articles": len(articles),
            "days": len(list(DAYS.glob("*.zip"))),
            "threshold": settings.stories.threshold,
            "num_perm": settings.stories.num_perm,
            "exact_groups_present": len(exact),
            "exact_groups_in_one_story": found,
            "exact_groups_within_window": len(within),
            "exact_groups_within_window_in_one_story": found_within,
            "exact_duplicate_articles": sum(len(m) - 1 for m in exact),
            "real_near_duplicates_merged": len(near),
            "near_duplicate_sample": sample,
            "constructed_copies": len(chosen),
            "constructed_by_edit": {
                kind: dict(zip(("joined", "joined_other", "alone"), counts, strict=True))
                for kind, counts in by_edit.items()
            },
            "constructed_recall": round(joined / len(chosen), 4),
            "constructed_precision": round(joined / (joined + wrong), 4) if joined + wrong else None,
            "sketch_us_per_article": round(sketch_us),
            "index_members": len(index),
            "compact_vs_reference": {
                name: {
                    "assign_us_per_article": round(assign_us[name]),
                    "index_mb_per_100k_articles": round(memory[name], 1),
                    **recall_precision(constructed[name], len(chosen)),
                }
                for name in KINDS
            },
            "identical_assignments": answers["compact"] == answers["reference"]
            and constructed["compact"] == constructed["reference"],
        },
    )


KINDS: dict[str, type[Index]] = {"compact": StoryIndex, "reference": ReferenceStoryIndex}


def constructed_copies(
    kind: type[Index], settings: Settings, entries: list[StoryEntry], chosen: list[int], copies: list[StoryEntry]
) -> dict[str, list[int]]:
    """Per edit: [copies that joined their original's story, joined another story, stayed alone]."""
    index = kind.configured(story_options(settings))
    stories = [index.apply(e) for e in entries]
    by_edit: dict[str, list[int]] = {kind: [0, 0, 0] for kind in EDITS}
    for number, (position, entry) in enumerate(zip(chosen, copies, strict=True)):
        copy = index.apply(entry)
        outcome = 0 if copy.story_id == stories[position].story_id else 1 if copy.duplicate_of else 2
        by_edit[EDITS[number % len(EDITS)]][outcome] += 1
    return by_edit


def recall_precision(by_edit: dict[str, list[int]], copies: int) -> dict[str, float | None]:
    joined = sum(v[0] for v in by_edit.values())
    wrong = sum(v[1] for v in by_edit.values())
    return {
        "constructed_recall": round(joined / copies, 4),
        "constructed_precision": round(joined / (joined + wrong), 4) if joined + wrong else None,
    }


def memory_per_100k(kind: type[Index], settings: Settings, articles: list[EnrichedArticle]) -> float:
    """The index's traced memory after the corpus, per 100k members (entries made while tracing, as a
    worker makes them from the log)."""
    tracemalloc.start()
    traced = kind.configured(story_options(settings))
    for article in articles:
        traced.apply(story_entry(article, settings.stories.num_perm))
    state_bytes, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return state_bytes / len(traced) * 100_000 / 2**20


if __name__ == "__main__":
    main()
