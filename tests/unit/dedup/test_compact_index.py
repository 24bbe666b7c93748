"""The compact StoryIndex against the index it replaced (datasketch's MinHashLSH and one object per
member, kept as bench.dedup_reference): the same recorded story log gives identical assignments; and
a snapshot taken halfway gives the same answers as the index that never stopped."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from bench.dedup_reference import ReferenceStoryIndex
from streams.dedup.entries import decode_entry
from streams.dedup.keys import KeyRows
from streams.dedup.options import StoryOptions
from streams.dedup.snapshot import read_snapshot, write_snapshot
from streams.dedup.stories import StoryIndex
from streams.dedup.story_records import StoryAssignment
from tests.unit.dedup.recorded_log import NUM_PERM, recorded_log

OPTIONS = StoryOptions(threshold=0.5, num_perm=NUM_PERM, window=timedelta(days=1))
TOPIC = "test.stories.log"


@pytest.fixture(scope="module")
def story_log() -> list[bytes]:
    return recorded_log()


def answers(index: StoryIndex | ReferenceStoryIndex, log: list[bytes]) -> list[tuple[StoryAssignment, str, str]]:
    """Each assignment, with its datetimes as written (offset included)."""
    return [described(index.apply(decode_entry(value))) for value in log]


def described(story: StoryAssignment) -> tuple[StoryAssignment, str, str]:
    return (story, story.first_seen.isoformat(), story.last_seen.isoformat())


def test_the_compact_index_assigns_exactly_as_the_old_one(story_log: list[bytes]) -> None:
    compact = StoryIndex.configured(OPTIONS)
    reference = ReferenceStoryIndex.configured(OPTIONS)
    ours, theirs = answers(compact, story_log), answers(reference, story_log)
    assert ours == theirs
    assert len(compact) == len(reference)
    # the log exercised what could differ: copies, links both ways, re-deliveries, expiry and compaction
    stories = [story for story, *_ in ours]
    assert sum(s.duplicate_of is not None and s.similarity < 1 for s in stories) > 50
    assert sum(s.duplicate_of is not None and s.similarity == 1 for s in stories) > 50
    assert any(s.links for s in stories)
    assert any(s.backlinks for s in stories)
    assert max(s.seen_count for s in stories) >= 2
    assert len(compact) < len({s.doc_id for s in stories}) / 2
    assert compact.members.rows < compact.members.applied - 1000  # forgotten rows were compacted away


def test_a_snapshot_taken_halfway_answers_as_the_index_that_never_stopped(
    story_log: list[bytes], tmp_path: Path
) -> None:
    half = len(story_log) // 2
    running = StoryIndex.configured(OPTIONS)
    answers(running, story_log[:half])
    path = tmp_path / "snapshots" / f"{TOPIC}.npz"
    write_snapshot(path, running, OPTIONS, TOPIC, {0: half - 1})
    restored = read_snapshot(path, OPTIONS, TOPIC)
    assert restored is not None
    assert restored.offsets == {0: half - 1}
    assert answers(restored.index, story_log[half:]) == answers(running, story_log[half:])
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.parametrize("applied", [0, 1])
def test_a_snapshot_of_an_index_without_copies_or_headlines(
    story_log: list[bytes], tmp_path: Path, applied: int
) -> None:
    index = StoryIndex.configured(OPTIONS)
    answers(index, story_log[:applied])
    write_snapshot(tmp_path / "stories.npz", index, OPTIONS, TOPIC, {0: applied - 1})
    restored = read_snapshot(tmp_path / "stories.npz", OPTIONS, TOPIC)
    assert restored is not None
    assert len(restored.index) == applied
    assert answers(restored.index, story_log[applied : applied + 20]) == answers(
        index, story_log[applied : applied + 20]
    )


@pytest.mark.parametrize(
    ("options", "topic"),
    [
        pytest.param(StoryOptions(0.6, NUM_PERM, OPTIONS.window), TOPIC, id="threshold"),
        pytest.param(StoryOptions(0.5, 128, OPTIONS.window), TOPIC, id="num_perm"),
        pytest.param(StoryOptions(0.5, NUM_PERM, timedelta(days=2)), TOPIC, id="window"),
        pytest.param(OPTIONS, "other.stories.log", id="topic"),
    ],
)
def test_a_snapshot_made_under_other_settings_is_ignored(
    story_log: list[bytes], tmp_path: Path, options: StoryOptions, topic: str
) -> None:
    index = StoryIndex.configured(OPTIONS)
    answers(index, story_log[:50])
    path = tmp_path / "stories.npz"
    write_snapshot(path, index, OPTIONS, TOPIC, {0: 49})
    assert read_snapshot(path, OPTIONS, TOPIC) is not None
    assert read_snapshot(path, options, topic) is None


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage"])
def test_a_damaged_snapshot_is_never_loaded(story_log: list[bytes], tmp_path: Path, damage: str) -> None:
    index = StoryIndex.configured(OPTIONS)
    answers(index, story_log[:200])
    path = tmp_path / "stories.npz"
    write_snapshot(path, index, OPTIONS, TOPIC, {0: 199})
    data = bytearray(path.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "flipped":
        data[len(data) // 3] ^= 0xFF  # inside the signatures: the zip's CRC no longer matches
    else:
        data = bytearray(b"not a snapshot")
    path.write_bytes(bytes(data))
    assert read_snapshot(path, OPTIONS, TOPIC) is None


def test_key_rows_keep_order_across_merges_pops_and_compaction() -> None:
    rows = KeyRows(np.uint64)
    for row in range(2000):  # several merges into the sorted arrays
        rows.add(row % 7, row)
    rows.add(2**64 - 1, 5)
    assert rows.rows(3) == list(range(3, 2000, 7))
    assert rows.rows(2**64 - 1) == [5]
    assert rows.rows_of_any(np.array([1, 9, 2**64 - 1], np.uint64)) == [*range(1, 2000, 7), 5]
    assert rows.pop(3) == list(range(3, 2000, 7))
    assert rows.rows(3) == []
    renumber = np.where(np.arange(2000) % 2 == 0, np.arange(2000) // 2, -1).astype(np.int32)
    rows.compact(renumber)
    assert rows.rows(0) == [r // 2 for r in range(0, 2000, 14)]
    assert rows.rows(2**64 - 1) == []
