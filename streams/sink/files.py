"""The files sink: every document as a JSON line, in files rolled per hour, for a warehouse to load.

Layout under ``sink.files_dir`` (default ``<home>/sink-files``)::

    <articles alias>/dt=2026-12-06/hour=07/partition-3.jsonl

The hour is the enriched record's Kafka timestamp (UTC), so a record read again lands in the file it was
written to the first time; a file holds the records of one partition of the enriched topic, in offset
order, and each line carries its Kafka position (``_kafka``: topic, partition, offset). That is what makes
a replay harmless: before appending to a partition's file, the sink knows the highest offset written for
that partition and skips records at or below it. It learns that offset from the files themselves (the
last line of each of the partition's files) when it first writes the partition and whenever a file it
appends to changed behind its back (another worker owned the partition meanwhile); a line a killed worker
left half-written is cut off first. Appends are flushed and fsynced before ``write`` returns, and offsets
are committed only after that, so nothing is lost and nothing is written twice.

Hive-style ``dt=``/``hour=`` folders are what Spark, DuckDB, Athena/Presto and BigQuery external tables
read as partition columns.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from streams.sink.protocol import Refused, SinkRecord, SinkSetup

FILE_GLOB = "dt=*/hour=*/partition-{partition}.jsonl"
TAIL_BYTES = 1 << 20  # a line is one document: far smaller


@dataclass(slots=True)
class Written:
    """What this sink knows of one partition: the highest offset on disk and the size it left each file at."""

    offset: int
    sizes: dict[Path, int]


def last_line(path: Path) -> bytes | None:
    """The file's last complete line; a half-written line after it is cut off (its writer was killed)."""
    with path.open("rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        start = max(0, size - TAIL_BYTES)
        handle.seek(start)
        tail = handle.read()
        end = tail.rfind(b"\n")
        if end + 1 < len(tail):  # bytes after the last newline: an append cut short
            handle.truncate(start + end + 1)
            os.fsync(handle.fileno())
        if end < 0:
            return None
        return tail[tail.rfind(b"\n", 0, end) + 1 : end]


class FilesSink:
    name = "files"

    def __init__(self, setup: SinkSetup) -> None:
        self.root = setup.settings.sink_files_dir / setup.settings.elasticsearch.articles_alias
        self.retrier = setup.retrier
        self.written: dict[int, Written] = {}

    async def start(self) -> None:
        await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)

    async def stop(self) -> None:
        """Nothing stays open between batches."""

    async def write(self, records: Sequence[SinkRecord]) -> list[Refused]:
        await self.retrier.run("writing the files sink", lambda: asyncio.to_thread(self._append, records))
        return []

    def path(self, record: SinkRecord) -> Path:
        at = record.received_at
        return self.root / f"dt={at:%Y-%m-%d}" / f"hour={at:%H}" / f"partition-{record.position.partition}.jsonl"

    def _append(self, records: Sequence[SinkRecord]) -> None:
        by_file: dict[tuple[int, Path], list[SinkRecord]] = {}
        for record in sorted(records, key=lambda r: (r.position.partition or 0, r.position.offset or 0)):
            by_file.setdefault((record.position.partition or 0, self.path(record)), []).append(record)
        for (partition, path), batch in by_file.items():
            known = self._known(partition, path)
            fresh = [r for r in batch if (r.position.offset or 0) > known.offset]
            if not fresh:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("ab") as handle:
                handle.write(b"".join(self._line(r) for r in fresh))
                handle.flush()
                os.fsync(handle.fileno())
                known.sizes[path] = handle.tell()
            known.offset = max(known.offset, *(r.position.offset or 0 for r in fresh))

    def _known(self, partition: int, path: Path) -> Written:
        """What is on disk for ``partition``, read again unless ``path`` is as this sink left it."""
        known = self.written.get(partition)
        size = path.stat().st_size if path.exists() else 0
        if known is not None and known.sizes.get(path, 0) == size:
            return known
        known = self.written[partition] = Written(-1, {})
        for found in self.root.glob(FILE_GLOB.format(partition=partition)):
            line = last_line(found)
            known.sizes[found] = found.stat().st_size
            if line is not None:
                known.offset = max(known.offset, int(orjson.loads(line)["_kafka"]["offset"]))
        return known

    @staticmethod
    def _line(record: SinkRecord) -> bytes:
        position = {
            "topic": record.position.topic,
            "partition": record.position.partition,
            "offset": record.position.offset,
        }
        return orjson.dumps({**record.document, "_kafka": position}) + b"\n"
