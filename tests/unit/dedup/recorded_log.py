"""A story log recorded from the SaudiNewsNet sample (../shared/data), as the story-log topic carries it
(encoded StoryEntry values): articles five minutes apart over about five days, near and exact copies
from other outlets, re-deliveries from other sources and replays of counted deliveries, headlines
naming earlier and later articles' titles, and two UTC offsets."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

import orjson

from streams.dedup.entries import encode_entry, text_event_sketch
from streams.dedup.sketch import body_tokens, fingerprint, signature
from streams.dedup.story_records import StoryEntry
from streams.text.normalize import matching_key
from tests.conftest import SAUDI_SAMPLE

NUM_PERM = 64
START = datetime(2015, 8, 1, tzinfo=UTC)
RIYADH = timezone(timedelta(hours=3))


def entry(
    doc_id: str,
    paragraphs: Sequence[str],
    title: str,
    seen_at: datetime,
    delivery: str,
    source: str | None,
    **more: object,
) -> StoryEntry:
    tokens = body_tokens(paragraphs)
    return StoryEntry(
        doc_id=doc_id,
        delivery=delivery,
        seen_at=seen_at,
        source=source,
        fingerprint=fingerprint(tokens),
        signature=signature(tokens, NUM_PERM),
        title_key=matching_key(title),
        headlines=more.get("headlines", ()),  # type: ignore[arg-type]
        event=text_event_sketch(title, paragraphs, "ar", seen_at),
    )


def recorded_log(articles: int = 1400) -> list[bytes]:
    lines = SAUDI_SAMPLE.read_bytes().splitlines()[:articles]
    records = [orjson.loads(line) for line in lines]
    randomness = random.Random(7)
    titles = [record["title"] for record in records]
    log: list[StoryEntry] = []
    for n, record in enumerate(records):
        seen = START + timedelta(minutes=5 * n)
        seen = seen.astimezone(RIYADH) if n % 2 else seen
        paragraphs = [p for p in record["content"].split("\n") if p.strip()] or [record["title"]]
        headlines = tuple(randomness.sample(titles, 2)) if n % 7 == 0 else ()
        log.append(
            entry(record["id"], paragraphs, record["title"], seen, f"d{n}", record["source"], headlines=headlines)
        )
        if n % 5 == 0:
            edited = [p.replace("ي ", "ی ") for p in paragraphs[:-1] or paragraphs]
            log.append(entry(f"near-{n}", edited, record["title"], seen + timedelta(minutes=9), f"n{n}", "copy-outlet"))
        if n % 11 == 0:
            log.append(entry(f"exact-{n}", paragraphs, "", seen + timedelta(minutes=3), f"e{n}", None))
        if n % 13 == 0 and n:
            earlier = randomness.randint(max(0, n - 300), n - 1)
            again = log[[e.doc_id for e in log].index(records[earlier]["id"])]
            redelivered = StoryEntry(
                again.doc_id,
                f"r{n}",
                seen,
                f"mirror-{n % 3}",
                again.fingerprint,
                again.signature,
                again.title_key,
                event=again.event,
            )
            log += [redelivered, redelivered]  # the second is a replay of a counted delivery
    return [encode_entry(e) for e in log]
