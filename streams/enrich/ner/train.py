"""Rebuilds the NER model files in ``data/`` from the shared corpora (``newsflow train ner``), and
cross-validates the recipe (``newsflow eval ner --folds K``).

1. Word clusters: word2vec over the clitic-stripped stems of the SaudiNewsNet articles (unlabelled),
   then k-means; each stem's cluster id is a CRF feature, which helps with names unseen in training.
   Needs the ``train`` extra (gensim, scikit-learn); runs single-threaded with fixed seeds.
2. The CRF (python-crfsuite, L-BFGS with L1+L2) over ``features.sentence_features`` on ANERcorp.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pycrfsuite

from streams.enrich.ner.conll import Sentence, TypeScore, read_conll, score
from streams.enrich.ner.features import sentence_features, split_clitics
from streams.enrich.ner.gazetteer import Gazetteer
from streams.enrich.ner.model import EntityRecognizer
from streams.text.normalize import matching_key

CRF_PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 200, "feature.possible_transitions": True}
CLUSTERS = 1000
_WORD = re.compile(r"\w+")


def stem_sentences(saudinewsnet: Path) -> Iterator[list[str]]:
    for archive in sorted(saudinewsnet.glob("*.zip")):
        with zipfile.ZipFile(archive) as bundle:
            for name in bundle.namelist():
                for record in json.load(io.TextIOWrapper(bundle.open(name), encoding="utf-8")):
                    for paragraph in (record.get("content") or "").split("\n"):
                        stems = [split_clitics(k)[1] for k in _WORD.findall(matching_key(paragraph))]
                        if len(stems) > 3:
                            yield stems


def build_clusters(saudinewsnet: Path, out: Path, clusters: int = CLUSTERS) -> int:
    """Write ``stem<TAB>cluster`` lines; returns the vocabulary size."""
    from gensim.models import Word2Vec  # the train extra
    from sklearn.cluster import MiniBatchKMeans

    vectors = Word2Vec(
        list(stem_sentences(saudinewsnet)), vector_size=100, window=5, min_count=3, workers=1, epochs=5, seed=7
    ).wv
    labels = (
        MiniBatchKMeans(n_clusters=clusters, random_state=7, batch_size=4096, n_init=3).fit(vectors.vectors).labels_
    )
    out.write_text("".join(f"{w}\t{c}\n" for w, c in zip(vectors.index_to_key, labels, strict=True)), encoding="utf-8")
    return len(vectors.index_to_key)


def train_crf(sentences: Sequence[Sentence], out: Path, gazetteer: Gazetteer, clusters: Mapping[str, str]) -> None:
    trainer = pycrfsuite.Trainer(verbose=False)
    for tokens, tags in sentences:
        trainer.append(sentence_features(tokens, gazetteer, clusters), tags)
    trainer.set_params(CRF_PARAMS)
    trainer.train(str(out))


GOLD_TYPES = {"PERSON": "PERS", "LOCATION": "LOC", "ORG": "ORG", "MISC": "MISC"}


def predicted_tags(recognizer: EntityRecognizer, tokens: Sequence[str]) -> list[str]:
    """Run the full recognizer on the sentence text (tokens joined by single spaces) and turn its
    entities back into BIO tags over the gold tokens; an entity whose edges fall inside a token keeps
    only the tokens it fully covers (so it cannot count as an exact match)."""
    starts, position = [], 0
    for token in tokens:
        starts.append(position)
        position += len(token) + 1
    tags = ["O"] * len(tokens)
    for entity in recognizer.entities(" ".join(tokens), "eval"):
        inside = [i for i, start in enumerate(starts) if entity.start <= start and start + len(tokens[i]) <= entity.end]
        aligned = (
            inside and starts[inside[0]] == entity.start and starts[inside[-1]] + len(tokens[inside[-1]]) == entity.end
        )
        for n, i in enumerate(inside):
            label = GOLD_TYPES[entity.type] if aligned else "MISALIGNED"
            tags[i] = ("B-" if n == 0 else "I-") + label
    return tags


def evaluate(recognizer: EntityRecognizer, sentences: Sequence[Sentence]) -> dict[str, TypeScore]:
    return score([tags for _, tags in sentences], [predicted_tags(recognizer, tokens) for tokens, _ in sentences])


def cross_validate(
    conll: Path, folds: int, workdir: Path, gazetteer: Gazetteer, clusters: Mapping[str, str]
) -> dict[str, TypeScore]:
    """K contiguous folds (the corpus is ordered by document, so documents stay together except at fold
    edges): train on K-1, run the full recognizer on the held-out fold; scores pooled over all folds."""
    sentences = list(read_conll(conll))
    gold: list[Sequence[str]] = []
    predicted: list[list[str]] = []
    for fold in range(folds):
        low, high = len(sentences) * fold // folds, len(sentences) * (fold + 1) // folds
        model = workdir / f"fold{fold}.crfsuite"
        train_crf(sentences[:low] + sentences[high:], model, gazetteer, clusters)
        recognizer = EntityRecognizer(model, gazetteer, clusters)
        for tokens, tags in sentences[low:high]:
            predicted.append(predicted_tags(recognizer, tokens))
            gold.append(tags)
    return score(gold, predicted)
