"""Integer keys -> member rows, stored compactly for StoryIndex.

A ``KeyRows`` is a multimap from unsigned integer keys (hashes of band values, of document ids, of
titles, ...) to int32 rows. Most pairs sit in two sorted numpy arrays (keys, rows: 8 or 12 bytes a
pair, looked up by binary search); pairs added since the last merge sit in a small dict, merged into
the arrays once it holds more than a 16th of them, so an addition costs amortised constant copying
and the dict's per-object overhead stays a small share. Removing a key marks its rows -1; rows of
forgotten members are dropped by ``compact``.
"""

from __future__ import annotations

import numpy as np

MIN_RECENT = 512
RECENT_SHARE = 16  # merge when the dict holds more than 1/16 of the sorted pairs: each merge copies them all


class KeyRows:
    def __init__(self, dtype: type[np.unsignedinteger]) -> None:
        self.dtype = np.dtype(dtype)
        self._type = self.dtype.type
        self._keys = np.empty(0, self.dtype)
        self._rows = np.empty(0, np.int32)
        self._recent: dict[int, list[int]] = {}
        self._recent_pairs = 0

    def add(self, key: int, row: int) -> None:
        self.add_all([key], row)

    def rows(self, key: int) -> list[int]:
        """Rows stored under ``key``, oldest first."""
        found: list[int] = []
        keys = self._keys
        if len(keys):
            probe = self._type(key)
            low = int(keys.searchsorted(probe))
            if low < len(keys) and keys[low] == probe:
                high = int(keys.searchsorted(probe, "right"))
                found = [row for row in self._rows[low:high].tolist() if row >= 0]
        recent = self._recent.get(key)
        return found + recent if recent else found

    def add_all(self, keys: list[int], row: int) -> None:
        for key in keys:
            self._recent.setdefault(key, []).append(row)
        self._recent_pairs += len(keys)
        if self._recent_pairs > max(MIN_RECENT, len(self._keys) // RECENT_SHARE):
            self.merge()

    def rows_of_any(self, keys: np.ndarray) -> list[int]:
        """Rows stored under any of ``keys`` (one binary search for all of them; may repeat a row)."""
        found: list[int] = []
        stored = self._keys
        if len(stored):
            low = stored.searchsorted(keys)
            hit = stored[np.minimum(low, len(stored) - 1)] == keys
            if hit.any():
                high = stored.searchsorted(keys[hit], "right")
                for start, end in zip(low[hit].tolist(), high.tolist(), strict=True):
                    found.extend(row for row in self._rows[start:end].tolist() if row >= 0)
        if self._recent:
            recent = self._recent
            for key in keys.tolist():
                if key in recent:
                    found.extend(recent[key])
        return found

    def pop(self, key: int) -> list[int]:
        """Remove ``key``; returns the rows it had."""
        found = self.rows(key)
        if len(self._keys):
            probe = self._type(key)
            self._rows[self._keys.searchsorted(probe) : self._keys.searchsorted(probe, "right")] = -1
        self._recent_pairs -= len(self._recent.pop(key, ()))
        return found

    def merge(self) -> None:
        """Move the recent pairs into the sorted arrays."""
        if not self._recent:
            return
        keys = np.fromiter(
            (key for key, rows in self._recent.items() for _ in rows), self.dtype, count=self._recent_pairs
        )
        rows = np.fromiter((row for found in self._recent.values() for row in found), np.int32, self._recent_pairs)
        order = np.argsort(keys, kind="stable")
        keys, rows = keys[order], rows[order]
        at = np.searchsorted(self._keys, keys, "right")  # after equal keys: older rows stay first
        self._keys = np.insert(self._keys, at, keys)
        self._rows = np.insert(self._rows, at, rows)
        self._recent.clear()
        self._recent_pairs = 0

    def compact(self, new_rows: np.ndarray) -> None:
        """Renumber rows through ``new_rows`` (old row -> new row, -1 = dropped) and drop the -1 pairs."""
        self.merge()
        renumbered = np.where(self._rows >= 0, new_rows[np.maximum(self._rows, 0)], -1).astype(np.int32)
        kept = renumbered >= 0
        self._keys = self._keys[kept]
        self._rows = renumbered[kept]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(keys, rows), for a snapshot."""
        self.merge()
        return self._keys, self._rows

    @classmethod
    def from_arrays(cls, dtype: type[np.unsignedinteger], keys: np.ndarray, rows: np.ndarray) -> KeyRows:
        loaded = cls(dtype)
        if keys.dtype != loaded.dtype or rows.dtype != np.int32 or len(keys) != len(rows):
            raise ValueError("key arrays of the wrong type or length")
        if len(keys) > 1 and bool((keys[1:] < keys[:-1]).any()):
            raise ValueError("key array not sorted")
        loaded._keys, loaded._rows = keys, rows
        return loaded
