"""How each language's shipped tagger is made (``newsflow train ner``), from the shared corpora only.

1. fastText vectors over the language's unlabelled news and the labelled text.
2. Teachers: a few taggers trained on the gold data, with different seeds and with the word vectors
   frozen or fine-tuned (streams.enrich.ner.train).
3. Silver data: the teachers' averaged tag scores, decoded once, on sentences of unlabelled news the
   gold data does not have (knowledge distillation from an ensemble, and self-training on the news).
4. The student, one tagger trained on gold plus silver: it keeps most of the ensemble's gain at the
   cost of one tagger at run time.

Development sentences are the language's development file (English: CoNLL-2003 dev) or, with
``dev_fraction``, the last share of the gold sentences (Arabic, whose shared data has no dev file).
Every tagger then keeps its best epoch on them, and the whole recognizer is scored on them at the
end; without them the epoch counts are the recipe's (chosen on the split).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from streams.enrich.ner.conll import Sentence, TypeScore, read_conll, unified
from streams.enrich.ner.encoding import Encoder, token_parts
from streams.enrich.ner.evaluation import evaluate
from streams.enrich.ner.gazetteer import default_gazetteer
from streams.enrich.ner.model import EntityRecognizer, sentences, tokenize
from streams.enrich.ner.network import Tagger, viterbi
from streams.enrich.ner.train import (
    Recipe,
    build_vocabularies,
    jsonl_texts,
    labelled_words,
    saudinewsnet_texts,
    train_tagger,
    train_vectors,
    word_sentences,
)


@dataclass(frozen=True, slots=True)
class LanguageRecipe:
    language: str
    labelled: tuple[str, ...]  # gold files (or folders of them) under the shared data folder
    dev: str | None  # a development file there, for picking epochs (else ``dev_fraction`` of the gold)
    texts: Callable[[Path], Iterator[str]]  # the unlabelled text, given the shared data folder
    recipe: Recipe
    teachers: tuple[tuple[int, bool], ...]  # (seed, fine-tune the word vectors) of each teacher
    teacher_epochs: int
    student_epochs: int
    silver_sentences: int


def _saudinewsnet(shared: Path) -> Iterator[str]:
    return saudinewsnet_texts(shared / "articles/arabic/saudinewsnet")


def _bbc(shared: Path) -> Iterator[str]:
    return jsonl_texts(shared / "articles/english/bbc/bbc_fulltext.jsonl")


RECIPES = {
    "ar": LanguageRecipe(
        "ar",
        ("ner/anercorp/train.txt",),
        None,
        _saudinewsnet,
        Recipe(),
        teachers=((7, False), (8, False), (9, True), (10, True)),
        teacher_epochs=13,
        student_epochs=10,
        silver_sentences=20_000,
    ),
    "en": LanguageRecipe(
        "en",
        ("ner/conll2003/train.txt",),
        "ner/conll2003/dev.txt",
        _bbc,
        Recipe(vector_epochs=10, vector_min_count=2, tune_words=True),
        teachers=((7, True), (8, True)),
        teacher_epochs=6,
        student_epochs=6,
        silver_sentences=20_000,
    ),
}


@dataclass(frozen=True, slots=True)
class TrainedLanguage:
    tagger: Tagger
    epoch: int
    dev_scores: dict[str, TypeScore]  # the whole recognizer on the held-out split (empty without one)


def gold_sentences(shared: Path, paths: Sequence[str]) -> list[Sentence]:
    found: list[Sentence] = []
    for name in paths:
        path = shared / name
        for file in sorted(path.glob("*.txt")) if path.is_dir() else [path]:
            found += unified(read_conll(file))
    return found


def news_sentences(texts: Iterator[str], count: int, seed: int) -> list[list[str]]:
    """``count`` sentences (5 to 60 tokens) from a seeded shuffle of the paragraphs of ``texts``."""
    paragraphs = [p for p in texts if len(p) > 40]
    random.Random(seed).shuffle(paragraphs)
    found: list[list[str]] = []
    for paragraph in paragraphs:
        found += [[t.text for t in s] for s in sentences(tokenize(paragraph)) if 5 <= len(s) <= 60]
        if len(found) >= count:
            break
    return found[:count]


def ensemble_labels(teachers: Sequence[Tagger], encoder: Encoder, token_lists: list[list[str]]) -> list[Sentence]:
    """Each sentence with the tags that the teachers' averaged scores and transitions decode to."""
    encoded = [encoder.encode(tokens) for tokens in token_lists]
    scores = [teacher.scores(encoded) for teacher in teachers]
    averaged = {name: np.mean([t.weights[name] for t in teachers], axis=0) for name in ("transitions", "start", "end")}
    tags = teachers[0].vocabularies.tags
    labelled: list[Sentence] = []
    for i, tokens in enumerate(token_lists):
        mean = np.mean([s[i] for s in scores], axis=0)[None]
        path = viterbi(mean, np.array([len(tokens)], dtype=np.int32), **averaged)[0]
        labelled.append((tokens, [tags[t] for t in path]))
    return labelled


def train_language(
    language: LanguageRecipe, shared: Path, dev_fraction: float, log: Callable[[str], None]
) -> TrainedLanguage:
    gold = gold_sentences(shared, language.labelled)
    if language.dev is not None:
        train, dev = gold, gold_sentences(shared, (language.dev,))
    else:
        cut = len(gold) - round(len(gold) * dev_fraction)
        train, dev = gold[:cut], gold[cut:]
    code = language.language
    corpus = list(word_sentences(language.texts(shared), code))
    corpus += [[token_parts(t, code).word for t in tokens] for tokens, _ in gold]
    log(f"word vectors: {len(corpus)} paragraphs")
    words, vectors = train_vectors(corpus, labelled_words(gold, code), language.recipe)
    gazetteer = default_gazetteer()
    vocabularies = build_vocabularies(train, words, code, gazetteer)
    teachers = []
    for seed, tune in language.teachers:
        recipe = replace(language.recipe, seed=seed, tune_words=tune, epochs=language.teacher_epochs)
        log(f"teacher seed={seed} tune_words={tune}")
        teachers.append(train_tagger(train, dev, vocabularies, vectors, code, gazetteer, recipe, log).tagger)
    encoder = Encoder(vocabularies, code, gazetteer)
    news = news_sentences(language.texts(shared), language.silver_sentences, language.recipe.seed)
    silver = ensemble_labels(teachers, encoder, news)
    log(f"student on {len(train)} gold and {len(silver)} silver sentences")
    recipe = replace(language.recipe, epochs=language.student_epochs)
    student = train_tagger(train + silver, dev, vocabularies, vectors, code, gazetteer, recipe, log)
    scores = evaluate(EntityRecognizer(student.tagger, code, gazetteer), dev) if dev else {}
    return TrainedLanguage(student.tagger, student.epoch, scores)
