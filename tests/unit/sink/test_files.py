"""The files sink on a real directory: hourly files per partition, a replay written once, a line a killed
writer left half-written cut off, and a partition another worker wrote meanwhile read again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from streams.dedup.story_records import StoryAssignment
from streams.records import KafkaPosition
from streams.retry import Backoff, Retrier
from streams.settings import Settings
from streams.sink.files import FilesSink
from streams.sink.protocol import SinkRecord, SinkSetup

pytestmark = pytest.mark.unit
SEVEN = datetime(2026, 12, 6, 7, 59, tzinfo=UTC)
EIGHT = datetime(2026, 12, 6, 8, 0, 1, tzinfo=UTC)


def record(offset: int, at: datetime = SEVEN, partition: int = 3) -> SinkRecord:
    story = StoryAssignment(f"d{offset}", f"d{offset}", None, 1.0, 1, at, at, (), ())
    position = KafkaPosition("t.articles.enriched", partition, offset)
    return SinkRecord(f"d{offset}", {"id": f"d{offset}", "title": "عنوان"}, story, position, at)


def sink(tmp_path: Path) -> FilesSink:
    settings = Settings(sink_files_dir=tmp_path, index_prefix="i")
    return FilesSink(SinkSetup(settings, Retrier(Backoff(0.01)), {}))


def ids(path: Path) -> list[str]:
    return [orjson.loads(line)["id"] for line in path.open("rb")]


HOUR_7 = Path("i-articles/dt=2026-12-06/hour=07/partition-3.jsonl")
HOUR_8 = Path("i-articles/dt=2026-12-06/hour=08/partition-3.jsonl")


async def test_records_roll_into_hourly_files_per_partition(tmp_path: Path) -> None:
    files = sink(tmp_path)
    await files.start()
    assert await files.write([record(1), record(2, EIGHT), record(3, EIGHT), record(1, partition=0)]) == []
    assert ids(tmp_path / HOUR_7) == ["d1"]
    assert ids(tmp_path / HOUR_8) == ["d2", "d3"]
    assert ids(tmp_path / "i-articles/dt=2026-12-06/hour=07/partition-0.jsonl") == ["d1"]
    line = orjson.loads((tmp_path / HOUR_8).read_bytes().splitlines()[0])
    assert line == {
        "id": "d2",
        "title": "عنوان",
        "_kafka": {"topic": "t.articles.enriched", "partition": 3, "offset": 2},
    }


async def test_a_replayed_batch_is_written_once_also_by_a_new_sink(tmp_path: Path) -> None:
    first = sink(tmp_path)
    await first.write([record(1), record(2)])
    await first.write([record(2), record(3)])  # the same sink reads 2 again
    restarted = sink(tmp_path)  # a worker that starts after a kill: it knows nothing yet
    await restarted.write([record(1), record(2), record(3), record(4)])
    assert ids(tmp_path / HOUR_7) == ["d1", "d2", "d3", "d4"]


async def test_a_half_written_line_is_cut_off_and_its_record_written_again(tmp_path: Path) -> None:
    await sink(tmp_path).write([record(1)])
    with (tmp_path / HOUR_7).open("ab") as handle:
        handle.write(b'{"id": "d2", "tit')  # the writer was killed mid-append
    await sink(tmp_path).write([record(2), record(3)])
    assert ids(tmp_path / HOUR_7) == ["d1", "d2", "d3"]


async def test_writes_of_another_worker_are_seen(tmp_path: Path) -> None:
    mine, other = sink(tmp_path), sink(tmp_path)
    await mine.write([record(1)])
    await other.write([record(1), record(2), record(3)])  # the partition moved, then came back
    await mine.write([record(2), record(3), record(4)])
    assert ids(tmp_path / HOUR_7) == ["d1", "d2", "d3", "d4"]
