"""Topic labels from the documented lexicon in ``data/topics.yaml`` (no training data needed; its
accuracy on the BBC categories is measured by bench/enrich_report.py and a unit test)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from streams.enrich.ner.encoding import split_clitics
from streams.text.normalize import matching_key

LEXICON = Path(__file__).resolve().parent / "data" / "topics.yaml"
_WORD = re.compile(r"\w+")
MIN_HITS = 3
MIN_SHARE = 0.25
MAX_CACHED_WORDS = 500_000
# How the BBC corpus's categories map to these topics, for measuring the lexicon's accuracy.
BBC_CATEGORY_TOPICS = {
    "business": "economy",
    "politics": "politics",
    "sport": "sports",
    "tech": "technology",
    "entertainment": "culture",
}


@dataclass(frozen=True, slots=True)
class TopicLexicon:
    exact: dict[str, str]
    prefixes: tuple[tuple[int, dict[str, str]], ...]  # (length, prefix -> topic), the longest first
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # topic -> language -> its name
    _seen: dict[str, str | None] = field(default_factory=dict)  # word -> topic, filled as words are met

    def topic_of(self, word: str) -> str | None:
        if word in self._seen:
            return self._seen[word]
        topic = self._lookup(word) or self._lookup(split_clitics(word)[1])
        if len(self._seen) < MAX_CACHED_WORDS:
            self._seen[word] = topic
        return topic

    def label(self, topic: str, language: str | None) -> str:
        """The topic's name in ``language`` (an Arabic article's topic tag reads Arabic), else its id."""
        return self.labels.get(topic, {}).get(language or "", topic)

    def aliases(self, topic: str, language: str | None) -> tuple[str, ...]:
        """The topic's names in the other languages (an Arabic article's ``دفاع وأمن`` is also ``defence``)."""
        primary = self.label(topic, language)
        names = self.labels.get(topic, {})
        return tuple(dict.fromkeys(names[lang] for lang in sorted(names) if names[lang] != primary))

    def _lookup(self, word: str) -> str | None:
        topic = self.exact.get(word)
        if topic is None:
            topic = next((found for n, table in self.prefixes if (found := table.get(word[:n]))), None)
        return topic


@cache
def lexicon(path: Path = LEXICON) -> TopicLexicon:
    data: dict[str, dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    exact: dict[str, str] = {}
    prefixes: defaultdict[int, dict[str, str]] = defaultdict(dict)
    labels = {topic: dict(languages.get("label", {})) for topic, languages in data.items()}
    for topic, languages in data.items():
        for language, words in languages.items():
            if language == "label":
                continue
            for word in words:
                key = matching_key(str(word))
                if key.endswith("*"):
                    prefixes[len(key) - 1].setdefault(key[:-1], topic)
                else:
                    exact.setdefault(key, topic)
    return TopicLexicon(exact, tuple(sorted(prefixes.items(), reverse=True)), labels)


def topic_scores(text: str, table: TopicLexicon) -> list[tuple[str, float]]:
    """Topics whose share of the lexicon hits in ``table`` is at least MIN_SHARE, best first."""
    words = _WORD.findall(matching_key(text))
    hits: Counter[str] = Counter()
    for word in words:
        topic = table.topic_of(word)
        if topic is not None:
            hits[topic] += 1
    total = sum(hits.values())
    if total < MIN_HITS:
        return []
    return [(topic, round(count / total, 3)) for topic, count in hits.most_common() if count / total >= MIN_SHARE]
