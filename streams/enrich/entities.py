"""Entities for any language: Arabic through the CRF and the gazetteer; other languages through the
gazetteer and capitalisation rules (no statistical model: the shared data has no non-Arabic gold)."""

from __future__ import annotations

import re

from streams.enrich.ner.gazetteer import Gazetteer, default_gazetteer
from streams.enrich.ner.model import default_recognizer
from streams.records import Entity, EntityType
from streams.text.normalize import key_with_offsets, matching_key

_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,4}")
_ORG_WORDS = frozenset(
    [
        "inc",
        "ltd",
        "corp",
        "plc",
        "party",
        "council",
        "ministry",
        "bank",
        "university",
        "association",
        "company",
        "group",
        "agency",
        "union",
        "committee",
        "commission",
        "court",
        "federation",
        "club",
        "league",
        "fund",
        "foundation",
        "institute",
        "office",
        "department",
    ]
)


def recognize(text: str, language: str | None, part: str, learned: Gazetteer | None = None) -> tuple[Entity, ...]:
    if not text.strip():
        return ()
    if language in (None, "ar", "fa", "ur"):
        return tuple(default_recognizer().entities(text, part, learned))
    return tuple(rule_entities(text, part))


def rule_entities(text: str, part: str) -> list[Entity]:
    """Gazetteer names, then runs of 2-4 capitalised words: ORG when the run ends in an organisation
    word, PERSON when a title precedes it or it is two words, MISC otherwise."""
    gazetteer = default_gazetteer()
    key, offsets = key_with_offsets(text)
    found: list[Entity] = []
    titles: list[tuple[int, int]] = []
    for match in gazetteer.find(key):
        begin, end = offsets[match.start], offsets[match.end - 1] + 1
        if match.kind == "TITLE":
            titles.append((begin, end))
        else:
            listed: EntityType = "ORG" if match.kind == "ORG" else "PERSON" if match.kind == "PERSON" else "LOCATION"
            mention = text[begin:end]
            found.append(Entity(mention, listed, begin, end, match.key, mention, f"gazetteer:{part}"))
    for run in _CAPITALISED_RUN.finditer(text):
        begin, end = run.start(), run.end()
        titled = False
        for t_begin, t_end in titles:  # "Prime Minister Tony Blair": the title is not part of the name
            if t_begin <= begin <= t_end:
                titled, begin = True, t_end
        words = text[begin:end].split()
        if not words or any(begin < e.end and e.start < end for e in found):
            continue
        begin = text.index(words[0], begin)
        kind: EntityType
        if words[-1].lower().strip(".") in _ORG_WORDS:
            kind = "ORG"
        elif titled or len(words) == 2:
            kind = "PERSON"
        elif len(words) >= 3:
            kind = "MISC"
        else:
            continue
        mention = text[begin:end]
        found.append(Entity(mention, kind, begin, end, matching_key(mention), mention, f"rules:{part}"))
    return sorted(found, key=lambda e: e.start)
