"""CoNLL-style files (``token TAG`` per line, blank line between sentences) and span scoring."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

Sentence = tuple[list[str], list[str]]
SCORED_TYPES = ("PERS", "LOC", "ORG")


def read_conll(path: Path) -> Iterator[Sentence]:
    tokens: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if not parts:
                if tokens:
                    yield tokens, tags
                tokens, tags = [], []
                continue
            tokens.append(parts[0])
            tags.append(parts[-1] if len(parts) > 1 else "O")
    if tokens:
        yield tokens, tags


def unified(sentences: Iterable[Sentence]) -> list[Sentence]:
    """Tags with one name per class: CoNLL's and AQMAR's PER is PERS."""
    return [(tokens, [t[:-3] + "PERS" if t.endswith("-PER") else t for t in tags]) for tokens, tags in sentences]


def spans(tags: Sequence[str]) -> set[tuple[int, int, str]]:
    """Entity spans (start, end, type) of a BIO sequence; an I- without its B- opens a span."""
    found: set[tuple[int, int, str]] = set()
    start, kind = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, label = tag.partition("-")
        if kind and not (prefix == "I" and label == kind):
            found.add((start, i, kind))
            kind = ""
        if prefix == "B" or (prefix == "I" and not kind):
            start, kind = i, label
    return found


@dataclass(frozen=True, slots=True)
class TypeScore:
    precision: float
    recall: float
    f1: float
    support: int


def score(gold: Iterable[Sequence[str]], predicted: Iterable[Sequence[str]]) -> dict[str, TypeScore]:
    """Exact-span precision, recall and F1 per type, and ``micro`` over PERS, LOC and ORG."""
    true_positive: Counter[str] = Counter()
    gold_count: Counter[str] = Counter()
    predicted_count: Counter[str] = Counter()
    for gold_tags, predicted_tags in zip(gold, predicted, strict=True):
        gold_spans, predicted_spans = spans(gold_tags), spans(predicted_tags)
        for span in gold_spans:
            gold_count[span[2]] += 1
        for span in predicted_spans:
            predicted_count[span[2]] += 1
            true_positive[span[2]] += span in gold_spans
    result = {}
    for kind in sorted(set(gold_count) | set(predicted_count)):
        result[kind] = _score(true_positive[kind], predicted_count[kind], gold_count[kind])
    result["micro"] = _score(
        sum(true_positive[k] for k in SCORED_TYPES),
        sum(predicted_count[k] for k in SCORED_TYPES),
        sum(gold_count[k] for k in SCORED_TYPES),
    )
    return result


def _score(true_positive: int, predicted: int, gold: int) -> TypeScore:
    precision = true_positive / predicted if predicted else 0.0
    recall = true_positive / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return TypeScore(round(precision, 4), round(recall, 4), round(f1, 4), gold)
