"""Entities for any language: Arabic and English through their taggers and the gazetteer; other
languages through the gazetteer and capitalisation rules (the shared data has no gold for them)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from streams.enrich.ner.gazetteer import Gazetteer
from streams.enrich.ner.model import EntityRecognizer
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


TAGGER_OF_LANGUAGE = {"ar": "ar", "fa": "ar", "ur": "ar", "en": "en"}


Recognizers = Mapping[str, EntityRecognizer]  # by the language its tagger reads


def tagger_language(language: str | None, recognizers: Recognizers) -> str | None:
    """Which tagger reads text in ``language`` (unknown: Arabic, the pipeline's first language); None:
    no tagger, the rules."""
    tagger = TAGGER_OF_LANGUAGE.get(language or "ar")
    return tagger if tagger in recognizers else None


def tagged_entities(
    articles: Sequence[tuple[Mapping[str, str], str | None]], recognizers: Recognizers
) -> list[list[Entity]]:
    """The taggers' entities of many articles (texts, language), each tagger run once over all of its
    articles' sentences; articles that no tagger reads get none here."""
    found: list[list[Entity]] = [[] for _ in articles]
    by_tagger: dict[str, list[int]] = {}
    for n, (_, language) in enumerate(articles):
        tagger = tagger_language(language, recognizers)
        if tagger is not None:
            by_tagger.setdefault(tagger, []).append(n)
    for tagger, members in by_tagger.items():
        tagged = recognizers[tagger].tagged([articles[n][0] for n in members])
        for n, entities in zip(members, tagged, strict=True):
            found[n] = entities
    return found


def recognize(
    texts: Mapping[str, str],
    language: str | None,
    recognizers: Recognizers,
    gazetteer: Gazetteer,
    learned: Gazetteer | None = None,
    tagged: Sequence[Entity] | None = None,
) -> tuple[Entity, ...]:
    """Entities of each text (``part`` -> text, e.g. title and body) of one article in ``language``;
    ``tagged``: its taggers' entities when a batch already computed them (``tagged_entities``); a
    language no tagger reads goes through ``gazetteer`` and the capitalisation rules."""
    texts = {part: text for part, text in texts.items() if text.strip()}
    tagger = tagger_language(language, recognizers)
    if tagger is None:
        return tuple(e for part, text in texts.items() for e in rule_entities(text, part, gazetteer))
    if tagged is None:
        tagged = tagged_entities([(texts, language)], recognizers)[0]
    return tuple(recognizers[tagger].with_listed(texts, tagged, learned))


def rule_entities(text: str, part: str, gazetteer: Gazetteer) -> list[Entity]:
    """Gazetteer names, then runs of 2-4 capitalised words: ORG when the run ends in an organisation
    word, PERSON when a title precedes it or it is two words, MISC otherwise."""
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
