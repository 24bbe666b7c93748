"""Gazetteer lookup with an Aho-Corasick automaton over the matching key.

Names come from maintained data where it exists (Babel/CLDR: country and territory names and the
exemplar cities of time zones, in Arabic and English) plus ``data/gazetteer.yaml`` for organisations,
extra places and person titles. Every name is entered with its clitic forms (و ف ب ل ك and their
combinations; ``لل`` for a name starting with ``ال``), so ``للولايات المتحدة`` and ``بالرياض`` match.
Matches are longest-first, non-overlapping, and aligned to word boundaries of the key.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import ahocorasick
import yaml
from babel import Locale
from babel.dates import get_timezone_location

from streams.text.clitics import ARTICLE, ELIDED_ARTICLE, PARTICLES
from streams.text.normalize import matching_key

DATA = Path(__file__).resolve().parent / "data" / "gazetteer.yaml"


@dataclass(frozen=True, slots=True)
class GazetteerMatch:
    start: int  # in the key
    end: int
    kind: str  # ORG, LOCATION, PERSON or TITLE
    key: str  # the name's matching key, without proclitics


def cldr_names() -> Iterator[tuple[str, str]]:
    for language in ("ar", "en"):
        locale = Locale(language)
        for code, name in locale.territories.items():
            if code.isalpha():  # skip numeric regions such as "001" (world)
                yield "LOCATION", name
        for zone in zoneinfo.available_timezones():
            if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "US/")):
                try:
                    yield "LOCATION", str(get_timezone_location(zone, locale=locale, return_city=True))
                except (LookupError, ValueError):
                    continue


def curated_names(path: Path = DATA) -> Iterator[tuple[str, str]]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    for kind, names in data.items():
        for name in names or []:
            yield kind, str(name)


def clitic_forms(key: str) -> Iterator[str]:
    yield key
    for particles in PARTICLES:
        yield particles + key
    if key.startswith(ARTICLE):
        for particles in ELIDED_ARTICLE:
            yield particles + key[len(ARTICLE) :]


class Gazetteer:
    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        self._automaton = ahocorasick.Automaton()
        self.size = 0
        for kind, name in names:
            self.add(kind, name)
        self._automaton.make_automaton()

    def add(self, kind: str, name: str) -> None:
        key = matching_key(name)
        if len(key) < 2:
            return
        for form in clitic_forms(key):
            existing = self._automaton.get(form, None)
            # Curated kinds win over CLDR (added later), and an exact name over a clitic reading.
            if existing is None or form == key:
                self._automaton.add_word(form, (len(form), kind, key))
        self.size += 1

    def find(self, key: str) -> list[GazetteerMatch]:
        """Longest non-overlapping whole-word matches in ``key`` (a matching key)."""
        candidates = []
        for end_index, (length, kind, name_key) in self._automaton.iter(key):
            start, end = end_index - length + 1, end_index + 1
            if (start == 0 or not key[start - 1].isalnum()) and (end == len(key) or not key[end].isalnum()):
                candidates.append(GazetteerMatch(start, end, kind, name_key))
        candidates.sort(key=lambda m: (-(m.end - m.start), m.start))
        taken: list[GazetteerMatch] = []
        for match in candidates:
            if all(match.end <= t.start or match.start >= t.end for t in taken):
                taken.append(match)
        return sorted(taken, key=lambda m: m.start)


@cache
def default_gazetteer() -> Gazetteer:
    """CLDR names, then the curated file (whose kinds win on a clash)."""
    return Gazetteer([*cldr_names(), *curated_names()])
