"""The story index's members, one row each in numpy columns (streams.dedup.stories decides, this stores).

Per member: the MinHash signature (num_perm uint32), first/last seen (int64 microseconds and the UTC
offset in seconds, so the datetimes come back as they went in), similarity, whether it is a
duplicate, whether it is still in the window, a 64-bit hash of its first delivery and the id of its
first source (sources are a small vocabulary). The doc id is one string per row; what few members
have more (a story id other than their own, headlines, further deliveries and sources) is kept in
dicts by row. Lookups go through ``KeyRows`` (streams.dedup.keys): document id, fingerprint, title
and each LSH band, hashed to integers. A hash only narrows the search: the document id and band
values are compared exactly; fingerprints and titles by their 64-bit hash (for a million members the
chance of any collision is below 1e-7).

Forgotten members are only marked; rows are compacted (renumbered) once more than a sixteenth of them
are forgotten, so memory follows the window.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson
from datasketch import MinHashLSH

from streams.dedup.keys import KeyRows

if TYPE_CHECKING:
    from streams.dedup.story_records import StoryEntry

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NAIVE_EPOCH = datetime(1970, 1, 1)
MICROSECOND = timedelta(microseconds=1)
NAIVE = np.iinfo(np.int32).min  # the UTC-offset column's value for a datetime without a time zone
GROWTH = 1.125
MIN_ROWS = 64
# per-row columns (the signature matrix aside) and their types
COLUMNS = {
    "first_us": np.int64,
    "last_us": np.int64,
    "first_tz": np.int32,
    "last_tz": np.int32,
    "similarity": np.float64,
    "duplicate": np.bool_,
    "present": np.bool_,
    "delivery": np.uint64,
    "source": np.int32,
}
MAPS: dict[str, type[np.unsignedinteger[Any]]] = {
    "by_doc": np.uint64,
    "by_fingerprint": np.uint64,
    "by_title": np.uint64,
    "awaiting": np.uint64,
    "bands": np.uint32,
}
# for mixing a band's values into one key (any fixed odd constant does)
MIX = np.uint64(0x9E3779B97F4A7C15)
SHIFT = np.uint64(29)
HALF = np.uint64(32)


def hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def split_time(moment: datetime) -> tuple[int, int]:
    """(microseconds since the epoch, UTC offset in seconds or NAIVE)."""
    offset = moment.utcoffset()
    if offset is None:
        return (moment - NAIVE_EPOCH) // MICROSECOND, int(NAIVE)
    return (moment - EPOCH) // MICROSECOND, offset // timedelta(seconds=1)


def join_time(micros: int, offset: int) -> datetime:
    if offset == NAIVE:
        return NAIVE_EPOCH + timedelta(microseconds=micros)
    return (EPOCH + timedelta(microseconds=micros)).astimezone(timezone(timedelta(seconds=offset)))


@functools.cache
def band_mixing(bands: int, band_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """(a multiplier per value of a band, an offset per band)."""
    multipliers = np.arange(1, band_rows + 1, dtype=np.uint64) * MIX | np.uint64(1)
    return multipliers, np.arange(bands, dtype=np.uint64) * MIX


def band_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) as datasketch's MinHashLSH chooses them for these settings."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def pack(items: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    ends = np.cumsum([len(item) for item in items], dtype=np.int64)
    return np.frombuffer(b"".join(items), np.uint8), ends


def unpack(blob: np.ndarray, ends: np.ndarray) -> list[bytes]:
    data, stops = blob.tobytes(), ends.tolist()
    return [data[start:stop] for start, stop in zip([0, *stops], stops, strict=False)]


@dataclass(slots=True, eq=False)
class Members:
    bands: int
    band_rows: int
    signatures: np.ndarray
    first_us: np.ndarray
    last_us: np.ndarray
    first_tz: np.ndarray
    last_tz: np.ndarray
    similarity: np.ndarray
    duplicate: np.ndarray
    present: np.ndarray
    delivery: np.ndarray
    source: np.ndarray
    rows: int = 0
    present_count: int = 0
    applied: int = 0  # entries applied, for expiry every EXPIRE_EVERY
    watermark_us: int | None = None
    doc_ids: list[str] = field(default_factory=list)
    stories: dict[int, str] = field(default_factory=dict)  # rows whose story is another member's
    headline_lists: dict[int, bytes] = field(default_factory=dict)  # JSON list, rows with headlines
    more_deliveries: dict[int, set[int]] = field(default_factory=dict)
    more_sources: dict[int, list[int]] = field(default_factory=dict)
    source_names: list[str] = field(default_factory=list)
    source_ids: dict[str, int] = field(default_factory=dict)
    maps: dict[str, KeyRows] = field(default_factory=lambda: {name: KeyRows(t) for name, t in MAPS.items()})

    @classmethod
    def empty(cls, threshold: float, num_perm: int) -> Members:
        bands, band_rows = band_shape(threshold, num_perm)
        columns: dict[str, np.ndarray] = {name: np.zeros(MIN_ROWS, kind) for name, kind in COLUMNS.items()}
        return cls.with_columns(bands, band_rows, np.zeros((MIN_ROWS, num_perm), np.uint32), columns)

    @classmethod
    def with_columns(
        cls, bands: int, band_rows: int, signatures: np.ndarray, columns: dict[str, np.ndarray]
    ) -> Members:
        return cls(
            bands,
            band_rows,
            signatures,
            first_us=columns["first_us"],
            last_us=columns["last_us"],
            first_tz=columns["first_tz"],
            last_tz=columns["last_tz"],
            similarity=columns["similarity"],
            duplicate=columns["duplicate"],
            present=columns["present"],
            delivery=columns["delivery"],
            source=columns["source"],
        )

    @property
    def awaiting(self) -> KeyRows:
        """Title hash -> members listing that headline, not yet resolved."""
        return self.maps["awaiting"]

    # reading a row --------------------------------------------------------------------------
    def doc_id(self, row: int) -> str:
        return self.doc_ids[row]

    def story_id(self, row: int) -> str:
        return self.stories.get(row) or self.doc_ids[row]

    def seen_count(self, row: int) -> int:
        return 1 + len(self.more_deliveries.get(row, ()))

    def first_seen(self, row: int) -> datetime:
        return join_time(int(self.first_us[row]), int(self.first_tz[row]))

    def last_seen(self, row: int) -> datetime:
        return join_time(int(self.last_us[row]), int(self.last_tz[row]))

    def sources(self, row: int) -> tuple[str, ...]:
        first = int(self.source[row])
        ids = ([first] if first >= 0 else []) + self.more_sources.get(row, [])
        return tuple(self.source_names[i] for i in ids)

    def headlines(self, row: int) -> tuple[str, ...]:
        listed = self.headline_lists.get(row)
        return tuple(orjson.loads(listed)) if listed else ()

    def micros(self, moment: datetime) -> int:
        return split_time(moment)[0]

    def is_current(self, row: int, window: timedelta) -> bool:
        return self.watermark_us is None or int(self.last_us[row]) >= self.watermark_us - window // MICROSECOND

    # lookups ----------------------------------------------------------------------------------
    def row_of(self, doc_id: str) -> int | None:
        """The present member with this document id."""
        for row in self.maps["by_doc"].rows(hash64(doc_id)):
            if self.present[row] and self.doc_ids[row] == doc_id:
                return row
        return None

    def _first_present(self, name: str, key: int) -> int | None:
        return next((row for row in self.maps[name].rows(key) if self.present[row]), None)

    def fingerprinted(self, key: int) -> int | None:
        return self._first_present("by_fingerprint", key)

    def titled(self, key: int) -> int | None:
        return self._first_present("by_title", key)

    def band_keys(self, signature: np.ndarray) -> np.ndarray:
        """One uint32 key per band: its values mixed, and the band's number."""
        multipliers, offsets = band_mixing(self.bands, self.band_rows)
        values = signature[: self.bands * self.band_rows].reshape(self.bands, self.band_rows).astype(np.uint64)
        mixed = values @ multipliers + offsets
        mixed ^= mixed >> SHIFT
        mixed *= MIX
        keys: np.ndarray = (mixed >> HALF).astype(np.uint32)
        return keys

    def band_candidates(self, signature: np.ndarray, keys: np.ndarray) -> set[int]:
        """Present members sharing at least one whole band with ``signature`` (MinHashLSH's candidates);
        ``keys``: its ``band_keys``."""
        found = {row for row in self.maps["bands"].rows_of_any(keys) if self.present[row]}
        if not found:
            return found
        rows = np.fromiter(found, np.int64, len(found))
        width = self.bands * self.band_rows
        theirs = self.signatures[rows, :width].reshape(len(rows), self.bands, self.band_rows)
        ours = signature[:width].reshape(self.bands, self.band_rows)
        shared = (theirs == ours).all(axis=2).any(axis=1)
        return set(rows[shared].tolist())

    # changing ---------------------------------------------------------------------------------
    def append(self, entry: StoryEntry, band_keys: np.ndarray, story_id: str | None, similarity: float) -> int:
        if self.rows == len(self.present):
            self._resize(max(MIN_ROWS, int(self.rows * GROWTH) + 1))
        row = self.rows
        self.rows += 1
        self.signatures[row] = entry.signature
        self.first_us[row], self.first_tz[row] = split_time(entry.seen_at)
        self.last_us[row], self.last_tz[row] = self.first_us[row], self.first_tz[row]
        self.similarity[row] = similarity
        self.duplicate[row] = story_id is not None
        self.present[row] = True
        self.present_count += 1
        self.delivery[row] = hash64(entry.delivery)
        self.source[row] = self._source_id(entry.source) if entry.source else -1
        self.doc_ids.append(entry.doc_id)
        if story_id is not None:
            self.stories[row] = story_id
        if entry.headlines:
            self.headline_lists[row] = orjson.dumps(list(entry.headlines))
        self.maps["by_doc"].add(hash64(entry.doc_id), row)
        self.maps["bands"].add_all(band_keys.tolist(), row)
        fingerprint = hash64(entry.fingerprint)
        if self.fingerprinted(fingerprint) is None:
            self.maps["by_fingerprint"].add(fingerprint, row)
        if entry.title_key and self.titled(title := hash64(entry.title_key)) is None:
            self.maps["by_title"].add(title, row)
        return row

    def deliver(self, row: int, delivery: int, seen_at: datetime, source: str | None) -> None:
        """Count another delivery of the member at ``row`` (a replay of a counted one changes nothing)."""
        if delivery == int(self.delivery[row]) or delivery in self.more_deliveries.get(row, ()):
            return
        self.more_deliveries.setdefault(row, set()).add(delivery)
        micros, offset = split_time(seen_at)
        if micros < self.first_us[row]:
            self.first_us[row], self.first_tz[row] = micros, offset
        if micros > self.last_us[row]:
            self.last_us[row], self.last_tz[row] = micros, offset
        if source and source not in self.sources(row):
            self.more_sources.setdefault(row, []).append(self._source_id(source))

    def _source_id(self, name: str) -> int:
        if name not in self.source_ids:
            self.source_ids[name] = len(self.source_names)
            self.source_names.append(name)
        return self.source_ids[name]

    def expire(self, window: timedelta) -> int:
        """Mark members last seen more than ``window`` before the watermark as forgotten; returns how many."""
        if self.watermark_us is None:
            return 0
        stale = self.present[: self.rows] & (self.last_us[: self.rows] < self.watermark_us - window // MICROSECOND)
        count = int(np.count_nonzero(stale))
        self.present[: self.rows][stale] = False
        self.present_count -= count
        if self.rows - self.present_count > max(MIN_ROWS, self.present_count // 16):
            self.compact()
        return count

    def compact(self) -> None:
        """Drop forgotten rows and renumber the rest (in order)."""
        kept = self.present[: self.rows].copy()
        renumber = np.full(self.rows, -1, np.int32)
        renumber[kept] = np.arange(self.present_count, dtype=np.int32)
        new = renumber.tolist()
        self.signatures = self.signatures[: self.rows][kept]
        for name in COLUMNS:
            setattr(self, name, getattr(self, name)[: self.rows][kept])
        self.doc_ids = [doc_id for doc_id, keep in zip(self.doc_ids, kept.tolist(), strict=True) if keep]
        self.stories = {new[r]: v for r, v in self.stories.items() if new[r] >= 0}
        self.headline_lists = {new[r]: v for r, v in self.headline_lists.items() if new[r] >= 0}
        self.more_deliveries = {new[r]: v for r, v in self.more_deliveries.items() if new[r] >= 0}
        self.more_sources = {new[r]: v for r, v in self.more_sources.items() if new[r] >= 0}
        for rows in self.maps.values():
            rows.compact(renumber)
        self.rows = self.present_count
        self._prune_sources()
        self._resize(max(MIN_ROWS, int(self.rows * GROWTH) + 1))

    def _prune_sources(self) -> None:
        used = {int(s) for s in self.source[: self.rows] if s >= 0}
        used |= {s for more in self.more_sources.values() for s in more}
        renumber = np.full(len(self.source_names) + 1, -1, np.int32)  # the extra last entry maps -1 to -1
        ordered = sorted(used)
        renumber[ordered] = np.arange(len(ordered), dtype=np.int32)
        self.source[: self.rows] = renumber[self.source[: self.rows]]
        self.more_sources = {r: [int(renumber[s]) for s in v] for r, v in self.more_sources.items()}
        self.source_names = [self.source_names[i] for i in ordered]
        self.source_ids = {name: i for i, name in enumerate(self.source_names)}

    def _resize(self, capacity: int) -> None:
        self.signatures = _resized(self.signatures, capacity)
        for name in COLUMNS:
            setattr(self, name, _resized(getattr(self, name), capacity))

    # snapshots ----------------------------------------------------------------------------------
    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(JSON-able scalars, arrays): everything needed to rebuild this exactly (``from_state``)."""
        rows = self.rows
        arrays = {"signatures": self.signatures[:rows]} | {name: getattr(self, name)[:rows] for name in COLUMNS}
        arrays["doc_ids"], arrays["doc_id_ends"] = pack([d.encode("utf-8") for d in self.doc_ids])
        arrays["story_rows"] = np.fromiter(self.stories, np.int32, len(self.stories))
        arrays["stories"], arrays["story_ends"] = pack([s.encode("utf-8") for s in self.stories.values()])
        arrays["headline_rows"] = np.fromiter(self.headline_lists, np.int32, len(self.headline_lists))
        arrays["headlines"], arrays["headline_ends"] = pack(list(self.headline_lists.values()))
        pairs = [(r, d) for r, ds in self.more_deliveries.items() for d in ds]
        arrays["delivery_rows"] = np.array([r for r, _ in pairs], np.int32)
        arrays["deliveries"] = np.array([d for _, d in pairs], np.uint64)
        ordered = [(r, s) for r, ss in self.more_sources.items() for s in ss]
        arrays["source_rows"] = np.array([r for r, _ in ordered], np.int32)
        arrays["sources"] = np.array([s for _, s in ordered], np.int32)
        for name, keyed in self.maps.items():
            arrays[f"{name}_keys"], arrays[f"{name}_rows"] = keyed.arrays()
        scalars = {
            "rows": rows,
            "present_count": self.present_count,
            "applied": self.applied,
            "watermark_us": self.watermark_us,
            "bands": [self.bands, self.band_rows],
            "source_names": self.source_names,
        }
        return scalars, arrays

    @classmethod
    def from_state(cls, scalars: dict[str, Any], arrays: dict[str, np.ndarray]) -> Members:
        """Rebuild from ``state()``; raises ValueError (or KeyError) for inconsistent state."""
        rows = int(scalars["rows"])
        columns = {name: arrays[name] for name in COLUMNS}
        if any(len(c) != rows or c.dtype != np.dtype(COLUMNS[n]) for n, c in columns.items()):
            raise ValueError("columns of the wrong type or length")
        signatures = arrays["signatures"]
        if signatures.dtype != np.uint32 or signatures.ndim != 2 or len(signatures) != rows:
            raise ValueError("signatures of the wrong type or shape")
        doc_ids = [d.decode("utf-8") for d in unpack(arrays["doc_ids"], arrays["doc_id_ends"])]
        if len(doc_ids) != rows or int(np.count_nonzero(columns["present"])) != scalars["present_count"]:
            raise ValueError("members do not add up")
        bands, band_rows = scalars["bands"]
        loaded = cls.with_columns(bands, band_rows, signatures, columns)
        loaded.rows, loaded.present_count, loaded.applied = rows, int(scalars["present_count"]), int(scalars["applied"])
        loaded.watermark_us = scalars["watermark_us"]
        loaded.doc_ids = doc_ids
        stories = [s.decode("utf-8") for s in unpack(arrays["stories"], arrays["story_ends"])]
        loaded.stories = dict(zip(arrays["story_rows"].tolist(), stories, strict=True))
        headlines = unpack(arrays["headlines"], arrays["headline_ends"])
        loaded.headline_lists = dict(zip(arrays["headline_rows"].tolist(), headlines, strict=True))
        for row, delivery in zip(arrays["delivery_rows"].tolist(), arrays["deliveries"].tolist(), strict=True):
            loaded.more_deliveries.setdefault(row, set()).add(delivery)
        for row, source in zip(arrays["source_rows"].tolist(), arrays["sources"].tolist(), strict=True):
            loaded.more_sources.setdefault(row, []).append(source)
        loaded.source_names = list(scalars["source_names"])
        loaded.source_ids = {name: i for i, name in enumerate(loaded.source_names)}
        for name, kind in MAPS.items():
            loaded.maps[name] = KeyRows.from_arrays(kind, arrays[f"{name}_keys"], arrays[f"{name}_rows"])
        loaded._resize(max(MIN_ROWS, int(rows * GROWTH) + 1))
        return loaded


def _resized(array: np.ndarray, capacity: int) -> np.ndarray:
    grown = np.zeros((capacity, *array.shape[1:]), array.dtype)
    kept = min(capacity, len(array))
    grown[:kept] = array[:kept]
    return grown
