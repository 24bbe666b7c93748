"""Keyphrase tags from an article's title and lead, extracted by YAKE (unsupervised, with Arabic and
English stop-word lists) over the matching key, so that spelling variants count as one phrase.

YAKE's lists lack the reporting verbs that open Arabic news sentences, so ``data/keyphrase_stopwords.yaml``
adds them; a phrase may not start or end with a stop word, also after its proclitics are split off.
Only the title and the first ``LEAD_CHARS`` of the body are read: news puts its subject there, and
YAKE's cost grows with the text. The label is the phrase as first written in the article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import yake
import yaml

from streams.enrich.ner.features import split_clitics
from streams.normalize import key_with_offsets, matching_key
from streams.records import Tag

STOPWORDS = Path(__file__).resolve().parent / "data" / "keyphrase_stopwords.yaml"
LEAD_CHARS = 400
MAX_KEYPHRASES = 5
_CANDIDATES = 15
_WORD = re.compile(r"\w+")


@cache
def stop_words(language: str) -> frozenset[str]:
    """YAKE's list for ``language`` plus the curated additions, all in matching-key form."""
    listed = yake.KeywordExtractor(lan=language).stopword_set
    curated: dict[str, list[str]] = yaml.safe_load(STOPWORDS.read_text(encoding="utf-8"))
    return frozenset(matching_key(w) for w in (*listed, *curated.get(language, ())))


@cache
def extractor(language: str) -> yake.KeywordExtractor:
    return yake.KeywordExtractor(lan=language, n=3, top=_CANDIDATES, dedup_lim=0.7, stopwords=set(stop_words(language)))


def _is_stop(word: str, stops: frozenset[str]) -> bool:
    return word in stops or split_clitics(word)[1] in stops or word.isdigit() or len(word) < 2


def lead(title: str, paragraphs: Sequence[str]) -> str:
    """The title and the opening paragraphs, each ended as a sentence so no phrase spans two of them."""
    parts = [title]
    size = 0
    for paragraph in paragraphs:
        if size >= LEAD_CHARS:
            break
        parts.append(paragraph[: LEAD_CHARS - size])
        size += len(parts[-1])
    return ".\n".join(parts)


def keyphrases(title: str, paragraphs: Sequence[str], language: str | None) -> list[Tag]:
    if language is None:  # no stop-word list to extract with
        return []
    display = lead(title, paragraphs)
    key, offsets = key_with_offsets(display)
    stops = stop_words(language)
    tags: list[Tag] = []
    for phrase, score in extractor(language).extract_keywords(key):
        words = _WORD.findall(phrase)
        if not words or _is_stop(words[0], stops) or _is_stop(words[-1], stops):
            continue
        canonical = " ".join(words)
        if any(f" {canonical} " in f" {t.key} " or f" {t.key} " in f" {canonical} " for t in tags):
            continue  # the same phrase, or one overlapping a better-ranked phrase
        found = re.search(rf"(?<!\w){re.escape(canonical)}(?!\w)", key)
        if found is None:  # the words are split by punctuation or a line break: not one phrase
            continue
        label = display[offsets[found.start()] : offsets[found.end() - 1] + 1]
        tags.append(Tag(label=label, key=canonical, kind="keyphrase", score=round(1 / (1 + float(score)), 3)))
        if len(tags) == MAX_KEYPHRASES:
            break
    return tags
