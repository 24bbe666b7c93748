"""Splits a scraped article into body lines and the site's trailer.

Scraped pages end with a trailer: the source line (``المصدر:``), keyword tags (``كلمات دلالية:``),
read-also headlines (``إقرأ أيضاً:``), similar-article headlines (``مقالات مشابهة``) and share/follow
lines. The trailer is the longest suffix of the text that starts at a section marker and in which
every other line is a short item of a list section; so a body paragraph that merely mentions one of
these words (mid-sentence, or followed by more body) stays in the body.

Markers are compared on the matching key (``streams.text.normalize``), so ``إقرأ أيضاً``, ``اقرأ أيضا`` and
``اقرا ايضا`` are one marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from streams.text.normalize import matching_key

SectionKind = Literal["source", "tags", "read_also", "similar", "social"]

_MARKERS: dict[SectionKind, tuple[str, ...]] = {
    "source": ("المصدر", "مصدر الخبر", "source"),
    "tags": (
        "كلمات دلالية",
        "الكلمات الدلالية",
        "الكلمات المفتاحية",
        "كلمات مفتاحية",
        "وسوم",
        "الوسوم",
        "سمات",
        "tags",
        "keywords",
    ),
    "read_also": ("إقرأ أيضاً", "اقرأ أيضا", "اقرأ كذلك", "read also", "read more"),
    "similar": (
        "مقالات مشابهة",
        "مواضيع ذات صلة",
        "أخبار ذات صلة",
        "مقالات ذات صلة",
        "اخبار متعلقة",
        "related articles",
        "related stories",
        "related",
    ),
}
_MARKER_KINDS = {matching_key(m): kind for kind, names in _MARKERS.items() for m in names}
_SOCIAL_PREFIXES = tuple(
    matching_key(p) for p in ("تابعونا على", "تابعونا عبر", "شارك", "رابط الخبر", "رابط مختصر", "share", "follow us")
)
_LIST_SECTIONS = frozenset({"tags", "read_also", "similar"})

BULLET = re.compile(r"^[\s\u200e\u200f\u061c•\-*–—·▪●◦►]+")
_COLON = re.compile(r"\s*[:：]\s*")
MAX_ITEM_CHARS = 300
MAX_SOURCE_CHARS = 100
MAX_SOCIAL_CHARS = 160


@dataclass(frozen=True, slots=True)
class Marker:
    kind: SectionKind
    rest: str


@dataclass(frozen=True, slots=True)
class Trailer:
    source: str | None = None
    tags_text: tuple[str, ...] = ()
    read_also: tuple[str, ...] = ()
    similar: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def strip_bullet(line: str) -> str:
    return BULLET.sub("", line).strip()


def classify(line: str) -> Marker | None:
    """The section marker this line opens, with the text after it, or None for an ordinary line."""
    text = strip_bullet(line)
    if not text:
        return None
    key = matching_key(text)
    if len(text) <= MAX_SOCIAL_CHARS and any(key == p or key.startswith((p + " ", p + ":")) for p in _SOCIAL_PREFIXES):
        return Marker("social", "")
    parts = _COLON.split(text, maxsplit=1)
    head, rest = (parts[0], parts[1]) if len(parts) == 2 else (text, "")
    kind = _MARKER_KINDS.get(matching_key(head).rstrip(" .،"))
    if kind is None and len(parts) == 1 and len(text) <= MAX_ITEM_CHARS:
        # "سمات أحمد العرفج النقد الموضوعي": a tag marker and its tags with no colon between them.
        first, _, remainder = text.partition(" ")
        if _MARKER_KINDS.get(matching_key(first)) == "tags" and remainder.strip():
            return Marker("tags", remainder.strip())
    if kind is None:
        return None
    if kind == "source" and not (rest and len(rest) <= MAX_SOURCE_CHARS):
        return None
    return Marker(kind, rest.strip())


def _is_valid_trailer(lines: list[str], markers: list[Marker | None], start: int) -> bool:
    section: SectionKind | None = None
    for line, marker in zip(lines[start:], markers[start:], strict=True):
        if marker is not None:
            section = marker.kind
        elif line.strip() and (section not in _LIST_SECTIONS or len(strip_bullet(line)) > MAX_ITEM_CHARS):
            return False
    return True


def _dedupe(items: list[str], section: str, warnings: list[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    kept: list[str] = []
    for item in items:
        key = matching_key(item)
        if key in seen:
            warnings.append(f"{section}_repeated_entry")
            continue
        seen.add(key)
        kept.append(item)
    return tuple(kept)


def split_trailer(text: str) -> tuple[list[str], Trailer]:
    """Body lines (the text before the trailer) and the parsed trailer."""
    lines = text.splitlines()
    markers = [classify(line) for line in lines]
    start = next(
        (i for i, m in enumerate(markers) if m is not None and _is_valid_trailer(lines, markers, i)),
        None,
    )
    if start is None:
        return lines, Trailer()
    sections: dict[SectionKind, list[str]] = {"tags": [], "read_also": [], "similar": []}
    source: str | None = None
    warnings: list[str] = []
    current: SectionKind | None = None
    for line, marker in zip(lines[start:], markers[start:], strict=True):
        if marker is not None:
            current = marker.kind
            if marker.kind == "source":
                if source is not None:
                    warnings.append("source_repeated")
                source = source or marker.rest.rstrip(" .،")
            elif marker.kind in sections and marker.rest:
                sections[marker.kind].append(marker.rest)
        elif current in sections and (item := strip_bullet(line)):
            sections[current].append(item)
    trailer = Trailer(
        source=source,
        tags_text=tuple(sections["tags"]),
        read_also=_dedupe(sections["read_also"], "read_also", warnings),
        similar=_dedupe(sections["similar"], "similar", warnings),
        warnings=tuple(warnings),
    )
    return lines[:start], trailer
