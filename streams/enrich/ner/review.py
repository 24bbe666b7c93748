"""A second look at every span the tagger proposes, before it becomes an entity a reader can click.

- Edges: a title, a reporting verb, a function word or a word with tanween (an adverb: ``مجدداً``) at
  either edge of a span is not part of the name (``احتفل الزميل سلطان بن عبدالله`` -> ``سلطان بن
  عبدالله``); a name that ends in ``آل`` takes the next
  word (``سلمان بن عبدالعزيز آل سعود``); a name whose head is a dual (``المحيطين``) takes the second of
  its two coordinated adjectives (``المحيطين الهندي والهادئ``).
- Dropped: what is left with no word of three letters or more, or only function words, digits and
  punctuation (``وي``, ``في``); a lone word the data file lists as a common word the tagger confuses
  with a name (``عقوبة``, ``بفيروس``).
- Retyped: a person span that is exactly a listed organisation is one (``فرانس برس`` and ``وكالة
  الأنباء السعودية`` are news agencies, never persons).

The word lists are in ``data/review.yaml``; titles come from the gazetteer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from streams.enrich.ner.encoding import split_clitics
from streams.enrich.ner.gazetteer import Gazetteer
from streams.text.normalize import matching_key, word_key

DATA = Path(__file__).resolve().parent / "data" / "review.yaml"
FAMILY = "ال"  # the matching key of آل (family of), which always takes the family name after it
DEFINITE = "ال"
DUAL = "ين"  # the oblique dual ending: المحيطين, البحرين (a name head that governs two adjectives)
LISTED_KINDS = {"PERSON": "PERS", "LOCATION": "LOC", "ORG": "ORG"}
MIN_LETTERS = 3
TANWEEN = ("\u064b", "\u064c", "\u064d")


@dataclass(frozen=True, slots=True)
class Span:
    """Tokens ``start`` to ``end`` (exclusive) of a sentence, of tag class ``kind`` (PERS, LOC, ORG, MISC)."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True, slots=True)
class Lists:
    edges: frozenset[str]  # matching keys that are never the first or last word of a name
    common: frozenset[str]  # matching keys that are never a name on their own


@cache
def lists(path: Path = DATA) -> Lists:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Lists(
        frozenset(matching_key(w) for w in data["edges"]),
        frozenset(matching_key(w) for w in data["common"]),
    )


def _is_edge(key: str, gazetteer: Gazetteer, listed: Lists) -> bool:
    if key in listed.edges or split_clitics(key)[1] in listed.edges:
        return True
    return any(m.kind == "TITLE" and m.start == 0 and m.end == len(key) for m in gazetteer.find(key))


def _is_adverb(word: str) -> bool:
    """A word written with tanween (``مجدداً``, ``أيضاً``): an indefinite adverb or noun, never part of a name."""
    return any(mark in word for mark in TANWEEN)


def _takes_second_adjective(keys: Sequence[str], span: Span) -> bool:
    """A two-word span ``<dual noun> <adjective>`` followed by ``و<adjective>``: the dual governs both."""
    if span.end - span.start != 2 or span.end >= len(keys):
        return False
    head, adjective, following = keys[span.start], keys[span.start + 1], keys[span.end]
    return (
        head.startswith(DEFINITE)
        and head.endswith(DUAL)
        and adjective.startswith(DEFINITE)
        and following.startswith("و" + DEFINITE)
        and _is_word(following[3:])
    )


def _is_word(key: str) -> bool:
    return sum(c.isalpha() for c in key) >= MIN_LETTERS


def reviewed(words: Sequence[str], candidates: Sequence[Span], language: str, gazetteer: Gazetteer) -> Iterator[Span]:
    """The spans worth writing, trimmed, extended and retyped as the module says."""
    keys = [word_key(w) for w in words]
    listed = lists()
    taken = 0
    for candidate in candidates:
        span = candidate
        if span.start < taken:
            continue
        while span.end < len(words) and keys[span.end - 1] == FAMILY and _is_word(keys[span.end]):
            span = replace(span, end=span.end + 1)
        if _takes_second_adjective(keys, span):
            span = replace(span, end=span.end + 1)
        while span.end > span.start and (
            _is_edge(keys[span.start], gazetteer, listed) or _is_adverb(words[span.start])
        ):
            span = replace(span, start=span.start + 1)
        while span.end > span.start and (
            _is_edge(keys[span.end - 1], gazetteer, listed) or _is_adverb(words[span.end - 1])
        ):
            span = replace(span, end=span.end - 1)
        inside = keys[span.start : span.end]
        if not any(_is_word(k) for k in inside):
            continue
        if len(inside) == 1 and (inside[0] in listed.common or split_clitics(inside[0])[1] in listed.common):
            continue
        taken = span.end
        if span.kind == "PERS" and _listed_kind(" ".join(inside), gazetteer) == "ORG":
            span = replace(span, kind="ORG")
        yield span


def _listed_kind(key: str, gazetteer: Gazetteer) -> str | None:
    """The gazetteer's kind for a span that is exactly one listed name (proclitics allowed)."""
    matches = gazetteer.find(key)
    if len(matches) == 1 and matches[0].start == 0 and matches[0].end == len(key):
        return LISTED_KINDS.get(matches[0].kind)
    return None
