"""The numpy tagger computes what the JAX training computes, training learns from gold data, and a
saved tagger tags as it did before saving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from streams.enrich.ner import network
from streams.enrich.ner.conll import Sentence, read_conll, score, unified
from streams.enrich.ner.encoding import Encoder
from streams.enrich.ner.gazetteer import default_gazetteer
from streams.enrich.ner.model import MODEL_PATHS, default_recognizer
from streams.enrich.ner.network import Tagger
from tests.conftest import SHARED

jax = pytest.importorskip("jax", reason="needs the train extra, which make install brings")
train = pytest.importorskip("streams.enrich.ner.train")

ANERCORP = SHARED / "data/ner/anercorp/train.txt"
TINY = {"vector_size": 8, "char_size": 6, "char_filters": 7, "small_size": 3, "hidden": 6}


def small_setup(count: int) -> tuple[list[Sentence], Encoder, Any]:
    sentences = unified(read_conll(ANERCORP))[:count]
    words = sorted(train.labelled_words(sentences, "ar"))
    vectors = np.random.default_rng(0).normal(size=(len(words), TINY["vector_size"])).astype(np.float32)
    gazetteer = default_gazetteer()
    vocabularies = train.build_vocabularies(sentences, words, "ar", gazetteer)
    return sentences, Encoder(vocabularies, "ar", gazetteer), vectors


def test_numpy_scores_equal_the_jax_network() -> None:
    sentences, encoder, vectors = small_setup(40)
    recipe = train.Recipe(**TINY)
    rng = np.random.default_rng(1)
    weights = {
        name: (value + rng.normal(scale=0.3, size=value.shape)).astype(np.float32)
        for name, value in train.initial_weights(encoder.vocabularies, vectors, recipe).items()
    }
    encoded = [encoder.encode(tokens) for tokens, _ in sentences]
    arrays = train.batch_arrays(encoded, [[0] * len(e) for e in encoded], len(encoded))
    jax_emissions, _ = train.jax_functions(recipe)
    expected = np.asarray(jax_emissions(weights, arrays, jax.random.PRNGKey(0), False))

    got = Tagger(weights, encoder.vocabularies).scores(encoded)
    assert len(got) == len(encoded)
    for i, scores in enumerate(got):
        np.testing.assert_allclose(scores, expected[i, : len(encoded[i])], rtol=1e-4, atol=1e-4)


def test_training_learns_the_gold_tags_and_a_saved_tagger_tags_the_same(tmp_path: Path) -> None:
    sentences, encoder, vectors = small_setup(150)
    recipe = train.Recipe(**TINY, epochs=12, dropout=0.0, learning_rate=1e-2)
    result = train.train_tagger(sentences, [], encoder.vocabularies, vectors, "ar", default_gazetteer(), recipe)
    encoded = [encoder.encode(tokens) for tokens, _ in sentences]
    predicted = result.tagger.tag(encoded)
    assert score([tags for _, tags in sentences], predicted)["micro"].f1 >= 0.6

    result.tagger.save(tmp_path / "tagger.npz")
    loaded = Tagger.load(tmp_path / "tagger.npz")
    assert loaded.vocabularies.tags == result.tagger.vocabularies.tags
    assert loaded.tag(encoded) == predicted


def test_a_full_character_cache_starts_again_and_tags_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    sentences = unified(read_conll(ANERCORP))[:60]
    encoder = default_recognizer("ar").encoder
    encoded = [encoder.encode(tokens) for tokens, _ in sentences]
    expected = Tagger.load(MODEL_PATHS["ar"]).scores(encoded)
    monkeypatch.setattr(network, "MAX_CACHED_TOKENS", 50)  # overflows many times within one call
    small = Tagger.load(MODEL_PATHS["ar"])
    for half in (encoded[:30], encoded):  # the second call finds part of its rows cached, then clears
        got = small.scores(half)
        for scores, wanted in zip(got, expected, strict=False):
            np.testing.assert_allclose(scores, wanted, rtol=1e-5, atol=1e-5)
