"""The pure parts of the reindex: the next index name and how story fields of two copies merge."""

from __future__ import annotations

from typing import Any

import pytest

from streams.jobs.reindex import next_index_name
from streams.jobs.reindexed_documents import merged_story

pytestmark = pytest.mark.unit


def story(seen: int, last: str, links: list[dict[str, str]], story_id: str = "s") -> dict[str, Any]:
    return {
        "story_id": story_id,
        "duplicate_of": None,
        "similarity": 1.0,
        "seen_count": seen,
        "first_seen": "2025-01-01T00:00:00+00:00",
        "last_seen": last,
        "sources": ["a"],
        "links": links,
    }


def test_next_index_name_counts_past_the_highest() -> None:
    assert next_index_name("n-articles", ["n-articles-000001"]) == "n-articles-000002"
    assert next_index_name("n-articles", ["n-articles-000001", "n-articles-000007"]) == "n-articles-000008"
    assert next_index_name("n-articles", []) == "n-articles-000001"


def test_merged_story_takes_the_most_deliveries_and_every_link() -> None:
    a = {"headline": "h1", "id": "x"}
    b = {"headline": "h2", "id": "y"}
    old = story(3, "2025-01-03T00:00:00+00:00", [a], story_id="old")
    new = story(2, "2025-01-02T00:00:00+00:00", [b], story_id="new")
    merged = merged_story(old, new)
    assert merged["story_id"] == "old"
    assert merged["seen_count"] == 3
    assert merged["links"] == [a, b]
    assert merged_story(new, old) == merged  # the order of the copies does not matter for the fields
    assert merged_story(old) == {k: v for k, v in old.items()}
