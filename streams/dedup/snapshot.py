"""Snapshots of a worker's story index, so that a restarted worker replays only the story log's tail.

A snapshot is one local ``.npz`` file (numpy's zip of arrays, read without pickle): the index's
columns and key arrays, the event index's state as JSON (streams.dedup.events), and a JSON header with
the format version, the settings the indexes depend on (threshold, permutations, bands, window, expiry
period, event options, story-log topic) and the story-log offset of the last entry applied, per
partition. It is written to a temporary file in the same
directory, fsynced and renamed over the previous one, so the file at the path is always a whole
snapshot; reading checks the header, the zip's CRCs and the arrays' shapes, and anything that does
not fit (another format or setting, a damaged file) is ignored: the worker then replays the whole log.

A local file rather than a compacted topic: the index is tens to hundreds of megabytes (far over
Kafka's default message size, so a topic would need chunking and a second consistency protocol),
every worker already rebuilds the same index from the same log (nothing to share), and a worker
without a snapshot (a new host) loses nothing but time.
"""

from __future__ import annotations

import logging
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from streams.dedup.events import EventIndex
from streams.dedup.members import MICROSECOND, Members, band_shape
from streams.dedup.options import StoryOptions
from streams.dedup.stories import EXPIRE_EVERY, StoryIndex

log = logging.getLogger(__name__)

FORMAT = 2  # 2: the event index beside the story index


@dataclass(frozen=True, slots=True)
class Snapshot:
    index: StoryIndex
    offsets: dict[int, int]  # story-log partition -> offset of the last entry the index has applied


def settings_fingerprint(options: StoryOptions, topic: str) -> dict[str, Any]:
    """What a snapshot must agree on with the worker loading it."""
    return {
        "format": FORMAT,
        "topic": topic,
        "threshold": options.threshold,
        "num_perm": options.num_perm,
        "bands": list(band_shape(options.threshold, options.num_perm)),
        "window_us": options.window // MICROSECOND,
        "expire_every": EXPIRE_EVERY,
        "events": None
        if options.events is None
        else {
            "threshold": options.events.threshold,
            "merge_threshold": options.events.merge_threshold,
            "entity_weight": options.events.entity_weight,
            "gap_us": options.events.gap // MICROSECOND,
            "span_us": options.events.span // MICROSECOND,
        },
    }


def write_snapshot(path: Path, index: StoryIndex, options: StoryOptions, topic: str, offsets: dict[int, int]) -> None:
    """Write atomically: a reader finds the previous snapshot or this one, never a part."""
    scalars, state = index.members.state()
    arrays: dict[str, Any] = {**state}
    if index.events is not None:
        arrays["events"] = np.frombuffer(orjson.dumps(index.events.state()), np.uint8)
    header = {
        "settings": settings_fingerprint(options, topic),
        "offsets": {str(partition): offset for partition, offset in offsets.items()},
        "state": scalars,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as out:
            arrays["header"] = np.frombuffer(orjson.dumps(header), np.uint8)
            np.savez(out, **arrays)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)


def read_snapshot(path: Path, options: StoryOptions, topic: str) -> Snapshot | None:
    """The snapshot at ``path`` if it is whole and was made under the same settings, else None."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            header = orjson.loads(data["header"].tobytes())
            if header["settings"] != settings_fingerprint(options, topic):
                log.warning("ignoring story snapshot %s: made with other settings (%s)", path, header["settings"])
                return None
            arrays = {name: data[name] for name in data.files if name not in ("header", "events")}
            events = (
                EventIndex.from_state(options.events, orjson.loads(data["events"].tobytes()))
                if options.events is not None
                else None
            )
        members = Members.from_state(header["state"], arrays)
        offsets = {int(partition): int(offset) for partition, offset in header["offsets"].items()}
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("ignoring unreadable story snapshot %s: %s", path, exc)
        return None
    return Snapshot(StoryIndex(options.threshold, options.num_perm, options.window, members, events), offsets)
