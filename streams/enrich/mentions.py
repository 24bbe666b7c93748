"""From recognised mentions to an article's entities: one key and one readable label per real-world name.

1. Proclitics come off the span (``وكوريا الجنوبية`` -> ``كوريا الجنوبية``; offsets move with it) when
   the spelling table says the first letters are a proclitic (streams.enrich.spellings).
2. The key is the matching key of the name as it reads without proclitics (``للولايات`` reads
   ``الولايات``); the label is the name in its most frequent spelling (``لويد أوستن``).
3. Within the article, a short form joins the full person name it abbreviates: a mention whose words
   are the last words of exactly one longer person name (a surname: ``أوستن`` -> ``لويد أوستن``; not
   the part after ``عبد``/``بن``/``آل``, and a single word only when it is not a common word), or the
   first two or more words of one, takes that name's key, label and type; surnames of full names that
   the recognizer left unmarked are added (found_by ``alias:*``).
4. Across articles, short forms learned that way (``NameDictionary.aliases``) map a lone person mention
   to the full name seen with it before.
5. Every mention of one key carries the same label: the most frequent among them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from streams.enrich.names import NO_NAMES, Alias, KnownNames
from streams.enrich.spellings import WORD, Spellings
from streams.records import Entity
from streams.text.normalize import matching_key, word_key

MIN_SURNAME_LETTERS = 3
# a single word stands for a full name only when it is rarer than this in the spelling table: common
# words that are also names (الله, صالح in لصالح, العربي, الشيخ) are too often something else
MAX_SURNAME_COUNT = 2000
# a word after these is part of a compound, father's or family name, not a short form of the full name
# (الله in عبد الله, عبدالعزيز in عبدالله بن عبدالعزيز, الشيخ in آل الشيخ)
LINKS = frozenset({"عبد", "بن", "ابن", "بنت", "ال", "ابو", "ابي", "ام"})


def part(entity: Entity) -> str:
    """``title`` or ``body``: which text the entity's offsets point into."""
    return entity.found_by.rpartition(":")[2]


def trimmed(entity: Entity, spellings: Spellings) -> Entity:
    """The entity without the proclitics of its first word, keyed and labelled as it then reads."""
    first = entity.text.split(maxsplit=1)[0] if entity.text.strip() else entity.text
    cut = spellings.proclitic_length(first)
    reading = spellings.without_proclitic(first) + entity.text[len(first) :]
    return replace(
        entity,
        text=entity.text[cut:],
        start=entity.start + cut,
        key=matching_key(reading),
        label=spellings.label(reading),
    )


def full_names(entities: Iterable[Entity]) -> dict[str, Entity]:
    """Person names of two or more words, by key (the first mention of each)."""
    found: dict[str, Entity] = {}
    for entity in entities:
        if entity.type == "PERSON" and len(entity.key.split()) >= 2:
            found.setdefault(entity.key, entity)
    return found


def is_surname(word: str, spellings: Spellings) -> bool:
    return len(word) >= MIN_SURNAME_LETTERS and spellings.count(word) < MAX_SURNAME_COUNT


def short_forms(names: Mapping[str, Entity], spellings: Spellings) -> dict[tuple[str, ...], set[str]]:
    """Word tuples that abbreviate a full name -> the keys of the names they may stand for."""
    forms: defaultdict[tuple[str, ...], set[str]] = defaultdict(set)
    for key in names:
        words = tuple(key.split())
        for size in range(1, len(words)):
            if words[-size - 1] not in LINKS and (size > 1 or is_surname(words[-1], spellings)):
                forms[words[-size:]].add(key)
            if size >= 2:
                forms[words[:size]].add(key)
    return forms


def joined(entities: Sequence[Entity], names: Mapping[str, Entity], spellings: Spellings) -> list[Entity]:
    """Short forms given the key, label and type of the one full name they abbreviate (their text stays
    the short form: streams.enrich.names.alias_pairs learns from that)."""
    forms = short_forms(names, spellings)
    result: list[Entity] = []
    for entity in entities:
        candidates = forms.get(tuple(entity.key.split()), set()) if entity.key not in names else set()
        single = len(entity.key.split()) == 1
        if len(candidates) == 1 and (entity.type == "PERSON" or single):
            target = names[next(iter(candidates))]
            entity = replace(entity, type="PERSON", key=target.key, label=target.label)
        result.append(entity)
    return result


def unmarked_surnames(
    texts: Mapping[str, str], entities: Sequence[Entity], names: Mapping[str, Entity], spellings: Spellings
) -> list[Entity]:
    """Mentions of a full name's surname that no entity covers (``وأضاف أوستن``)."""
    owners: defaultdict[str, set[str]] = defaultdict(set)
    for words, full_keys in short_forms(names, spellings).items():
        if len(words) == 1:
            owners[words[0]] |= full_keys
    added: list[Entity] = []
    surnames = tuple(owners)  # a word names one only when its key ends with it: the others are skipped
    if not surnames:
        return added
    for where, text in texts.items():
        covered = [(e.start, e.end) for e in entities if part(e) == where]
        for word in WORD.finditer(text):
            if not word_key(word.group(0)).endswith(surnames):
                continue
            cut = spellings.proclitic_length(word.group(0))
            start, end = word.start() + cut, word.end()
            owner = owners.get(matching_key(text[start:end]), set())
            if len(owner) != 1 or any(start < e and s < end for s, e in covered):
                continue
            target = names[next(iter(owner))]
            added.append(Entity(text[start:end], "PERSON", start, end, target.key, target.label, f"alias:{where}"))
    return added


def learned_aliases(entities: Sequence[Entity], aliases: Mapping[str, Alias]) -> list[Entity]:
    """Person mentions that are a short form learned in earlier articles, mapped to its full name (a
    place or organisation keeps its key: without the full name beside it, ميلانو is the city)."""
    result = []
    for entity in entities:
        alias = aliases.get(entity.key)
        if alias is not None and alias.full_key and entity.type == "PERSON":
            entity = replace(entity, key=alias.full_key, label=alias.label)
        result.append(entity)
    return result


def one_label_per_key(entities: Sequence[Entity]) -> list[Entity]:
    labels: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for entity in entities:
        labels[entity.key][entity.label] += 1
    chosen = {key: counts.most_common(1)[0][0] for key, counts in labels.items()}
    return [replace(e, label=chosen[e.key]) if e.label != chosen[e.key] else e for e in entities]


def resolve(
    found: Sequence[Entity], texts: Mapping[str, str], spellings: Spellings, names: KnownNames = NO_NAMES
) -> tuple[Entity, ...]:
    """The article's entities from what the recognizers found in its ``texts`` (``title``, ``body``)."""
    entities = [trimmed(e, spellings) for e in found]
    full = full_names(entities)
    entities = joined(entities, full, spellings)
    entities += unmarked_surnames(texts, entities, full, spellings)
    unjoined = [e for e in entities if e.key not in full]
    entities = [e for e in entities if e.key in full] + learned_aliases(unjoined, names.aliases)
    return tuple(sorted(one_label_per_key(entities), key=lambda e: (part(e) != "title", e.start)))
