"""Keyphrase tags from an article's title and lead: phrases an editor would tag, not YAKE n-grams.

Candidates are read from the title and the first ``LEAD_CHARS`` of the body (news puts its subject
there). A candidate is a run of words between stop words, punctuation and line breaks
(``data/keyphrase_stopwords.yaml`` adds news verbs and fillers to the ``stop-words`` lists). In Arabic a
run is further cut into noun phrases by definiteness: a phrase is one head word followed by words with
the article ``ال`` (``وزارة الدفاع الأمريكية``, ``الأولويات الدفاعية والأمنية``), so an unknown name
after an adjective (``الجنوبي شين``) never joins it. Arabic phrases are head-first, so the candidates of
a phrase are its prefixes (and those of its modifiers, head dropped); other languages take every
sub-run. Heads that are imperfect verbs (``يطالب``) or open with an unsplittable ``ل`` (``لوزير``) are
skipped. A phrase has two words at least: lone words (``الحب``, ``المنطقة``, ``اللواء``) were rarely
what an editor would tag in a judged SaudiNewsNet sample (3 of 29).

The article's entities bound the candidates: a phrase may contain a whole name but never cut one, and a
phrase that is a name, or a piece of one found elsewhere, is dropped: names already become ``entity``
tags. Candidates are scored by how often they occur in the whole article (a leading proclitic
ignored), their length and how early they first occur; a phrase said once outside the title is not
kept. The best ones that overlap no better one, in the text or
as words, are kept. The label is the first occurrence as written, without a leading conjunction or
preposition.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal, Protocol

import yaml
from stop_words import StopWordError, get_stop_words

from streams.enrich.ner.encoding import split_clitics
from streams.records import Tag
from streams.text.clitics import ARTICLE, LETTERS, PARTICLES
from streams.text.normalize import key_with_offsets, matching_key

STOPWORDS = Path(__file__).resolve().parent / "data" / "keyphrase_stopwords.yaml"
LEAD_CHARS = 400
MAX_KEYPHRASES = 5
MAX_WORDS = 4
MIN_WORDS = 2
_LENGTH_WEIGHT = {2: 1.0, 3: 1.2, 4: 1.25}
_TITLE_WEIGHT = 1.5
_WORD = re.compile(r"\w+")
_NOT_WORD = re.compile(r"[^\w\s]+")
_DIGIT = re.compile(r"\d")
_PARTIAL_WORD = re.compile(r"\S*\Z")  # the word the lead's end cuts through
_DEFINITE = (ARTICLE, "و" + ARTICLE)  # may continue an Arabic phrase; "بال", "لل" open a prepositional phrase
_IMPERFECT = ("ي", "وي")

Part = Literal["title", "body"]


class Located(Protocol):
    """What keyphrases reads of an entity: its character span and where it was found."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def found_by(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Phrase:
    """A kept keyphrase: display label, matching key, and where its label is in the title or body."""

    label: str
    key: str
    part: Part
    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class _Word:
    key: str
    start: int  # display offsets, proclitic included
    end: int
    second: int  # display offset of the second letter, where the word starts without a proclitic


@cache
def stop_words(language: str) -> frozenset[str]:
    """The ``stop-words`` list for ``language`` plus the curated additions, all in matching-key form."""
    try:
        listed = get_stop_words(language)
    except StopWordError:
        return frozenset()
    curated: dict[str, list[str]] = yaml.safe_load(STOPWORDS.read_text(encoding="utf-8"))
    return frozenset(matching_key(w) for w in (*listed, *curated.get(language, ())))


@lru_cache(maxsize=100_000)
def _is_stop(word: str, language: str) -> bool:
    """Whether a key word ends a candidate (cached: most words of an article are common words)."""
    stops = stop_words(language)
    return word in stops or split_clitics(word)[1] in stops or _DIGIT.search(word) is not None or len(word) < 2


def runs(text: str, language: str) -> Iterator[list[_Word]]:
    """Runs of non-stop words of ``text`` not split by punctuation or a line break."""
    key, offsets = key_with_offsets(text)
    run: list[_Word] = []
    for match in _WORD.finditer(key):
        first, last = match.start(), match.end() - 1
        word = _Word(match.group(), offsets[first], offsets[last] + 1, offsets[min(first + 1, last)])
        joined = bool(run) and text[run[-1].end : word.start].isspace() and "\n" not in text[run[-1].end : word.start]
        if run and not joined:
            yield run
            run = []
        if _is_stop(word.key, language):
            if run:
                yield run
            run = []
        else:
            run.append(word)
    if run:
        yield run


def noun_phrases(run: list[_Word]) -> Iterator[list[_Word]]:
    """An Arabic run cut before every word that cannot continue a phrase (no article ``ال``)."""
    phrase: list[_Word] = []
    for word in run:
        if phrase and not word.key.startswith(_DEFINITE):
            yield phrase
            phrase = []
        phrase.append(word)
    if phrase:
        yield phrase


def candidates(run: list[_Word], language: str) -> Iterator[list[_Word]]:
    if language != "ar":
        for begin in range(len(run)):
            for end in range(begin + MIN_WORDS, min(begin + MAX_WORDS, len(run)) + 1):
                yield run[begin:end]
        return
    for phrase in noun_phrases(run):
        for begin in range(min(2, len(phrase))):  # the phrase, or its modifiers without the head
            if phrase[begin].key.startswith(_IMPERFECT):  # a verb ("يطالب"), not a noun phrase's head
                continue
            for end in range(begin + MIN_WORDS, min(begin + MAX_WORDS, len(phrase)) + 1):
                yield phrase[begin:end]


def _particle(word: str, counted: str) -> int:
    """Length of the proclitic to drop from a phrase's first word (0: keep it as written)."""
    if word.startswith(LETTERS) and len(word) > 3 and not word.startswith("لل"):  # "لل": "ل" + "ال"
        rest = word[1:]
        if rest.startswith("ال") or f" {rest} " in counted:  # "والأمن"; "وكوريا" where "كوريا" occurs
            return 1
    return 0


def _preposition(key: str, dropped: int) -> bool:
    """Whether a phrase starts with "ل" (to, for) that could not be split off: "للطاقة", "لوزير الصحة"."""
    return key.startswith("لل") or (not dropped and key.startswith("ل") and len(key.split(" ", 1)[0]) > 4)


def frequency(key: str, counted: str) -> int:
    """Occurrences of the phrase ``key`` in the article, its first word with or without a proclitic."""
    total = sum(counted.count(f" {p}{key} ") for p in ("", *PARTICLES))
    if key.startswith("ال"):  # "لل" is "ل" + "ال"
        total += sum(counted.count(f" {p}{key[2:]} ") for p in ("لل", "ولل", "فلل"))
    return total


def _cuts(begin: int, end: int, names: Sequence[tuple[int, int]]) -> bool:
    """Whether the span overlaps a name without containing it whole."""
    return any(begin < n_end and n_begin < end and not (begin <= n_begin and n_end <= end) for n_begin, n_end in names)


def _overlaps(a: Phrase, b: Phrase) -> bool:
    same_text = a.part == b.part and a.start < b.end and b.start < a.end
    return same_text or f" {a.key} " in f" {b.key} " or f" {b.key} " in f" {a.key} "


def lead(body: str) -> str:
    """The first ``LEAD_CHARS`` of the body, without the word the cut goes through."""
    return body if len(body) <= LEAD_CHARS else _PARTIAL_WORD.sub("", body[: LEAD_CHARS + 1])


def extract(
    title: str, paragraphs: Sequence[str], language: str | None, entities: Sequence[Located] = ()
) -> list[Phrase]:
    """The article's keyphrases, best first; entity offsets refer to the title or the joined body."""
    if not language or not stop_words(language):  # no stop-word list to cut phrases with
        return []
    body = "\n\n".join(paragraphs)
    texts: dict[Part, str] = {"title": title, "body": lead(body)}
    article = matching_key(f"{title}\n{body}")
    counted = f" {_NOT_WORD.sub(' . ', article)} "  # punctuation is a word, so no phrase spans it
    names: dict[Part, list[tuple[int, int]]] = {"title": [], "body": []}
    named = " | "  # every name's key, so a phrase that is a name or a piece of one is found in it
    for entity in entities:
        part: Part = "title" if entity.found_by.endswith(":title") else "body"
        names[part].append((entity.start, entity.end))
        name = matching_key((title if part == "title" else body)[entity.start : entity.end])
        named += f"{name[_particle(name, counted) :]} | "
    found: dict[str, Phrase] = {}
    for part, text in texts.items():
        for run in runs(text, language):
            for words in candidates(run, language):
                drop = _particle(words[0].key, counted)
                begin, end = words[0].second if drop else words[0].start, words[-1].end
                if _cuts(begin, end, names[part]):  # the label's span, so a name's proclitic is no exception
                    continue
                key = " ".join(w.key for w in words)[drop:]
                if key in found or f" {key} " in named or _preposition(key, drop):
                    continue
                position = _TITLE_WEIGHT if part == "title" else 1.0 - 0.5 * begin / LEAD_CHARS
                count = frequency(key, counted)
                if count < (2 if part == "body" else 1):  # not what the article is about
                    continue
                score = count * _LENGTH_WEIGHT[len(words)] * position
                found[key] = Phrase(text[begin:end], key, part, begin, end, score)
    kept: list[Phrase] = []
    for phrase in sorted(found.values(), key=lambda p: -p.score):
        if not any(_overlaps(phrase, other) for other in kept):
            kept.append(phrase)
            if len(kept) == MAX_KEYPHRASES:
                break
    return kept


def keyphrases(
    title: str, paragraphs: Sequence[str], language: str | None, entities: Sequence[Located] = ()
) -> list[Tag]:
    """Keyphrase tags: the label as written, the matching key second, a 0-1 score."""
    return [
        Tag(label=p.label, key=p.key, kind="keyphrase", score=round(p.score / (1 + p.score), 3))
        for p in extract(title, paragraphs, language, entities)
    ]
