"""Scores the whole recognizer (tagger, review, gazetteer) on gold data (``newsflow eval ner``): each
sentence's text goes through it as an article would, and its entities are mapped back onto the gold
tokens."""

from __future__ import annotations

from collections.abc import Sequence

from streams.enrich.ner.conll import Sentence, TypeScore, score
from streams.enrich.ner.model import EntityRecognizer

GOLD_TYPES = {"PERSON": "PERS", "LOCATION": "LOC", "ORG": "ORG", "MISC": "MISC"}
SENTENCES_PER_CALL = 256  # sentences recognised in one call (one batched tagger pass)


def predicted_tags(recognizer: EntityRecognizer, token_lists: Sequence[Sequence[str]]) -> list[list[str]]:
    """Run the recognizer on each sentence's text (tokens joined by single spaces) and turn its entities
    back into BIO tags over the gold tokens; an entity whose edges fall inside a token keeps only the
    tokens it fully covers, labelled MISALIGNED (so it cannot count as an exact match)."""
    texts = {str(i): " ".join(tokens) for i, tokens in enumerate(token_lists)}
    by_part: dict[str, list[str]] = {part: ["O"] * len(token_lists[int(part)]) for part in texts}
    starts_of = {}
    for part, tokens in zip(texts, token_lists, strict=True):
        starts, position = [], 0
        for token in tokens:
            starts.append(position)
            position += len(token) + 1
        starts_of[part] = starts
    for entity in recognizer.entities(texts):
        part = entity.found_by.rpartition(":")[2]
        tokens, starts, tags = token_lists[int(part)], starts_of[part], by_part[part]
        inside = [i for i, start in enumerate(starts) if entity.start <= start and start + len(tokens[i]) <= entity.end]
        aligned = (
            inside and starts[inside[0]] == entity.start and starts[inside[-1]] + len(tokens[inside[-1]]) == entity.end
        )
        for n, i in enumerate(inside):
            label = GOLD_TYPES[entity.type] if aligned else "MISALIGNED"
            tags[i] = ("B-" if n == 0 else "I-") + label
    return [by_part[part] for part in texts]


def evaluate(recognizer: EntityRecognizer, sentences: Sequence[Sentence]) -> dict[str, TypeScore]:
    predicted: list[list[str]] = []
    for first in range(0, len(sentences), SENTENCES_PER_CALL):
        chunk = sentences[first : first + SENTENCES_PER_CALL]
        predicted += predicted_tags(recognizer, [tokens for tokens, _ in chunk])
    return score([tags for _, tags in sentences], predicted)
