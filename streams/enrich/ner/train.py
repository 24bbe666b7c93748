"""Trains a language's tagger (``newsflow train ner``) from the shared corpora; needs the ``train`` extra
(gensim for the word vectors, JAX and optax for the network).

1. Word vectors: fastText (skip-gram with character n-grams, gensim) over unlabelled news, Arabic on
   clitic-stripped stems. Words of the labelled data that the news never had get their vector from
   their n-grams, so rare clitic forms and names are not unknown.
2. The BiLSTM-CRF of streams.enrich.ner.network, trained with Adam on the CRF's log-likelihood, with
   dropout, on sentence batches of similar length. The epoch with the best micro F1 on the development
   sentences is kept; with no development set, ``epochs`` fixes the count.

Single-threaded vector training and fixed seeds make a run repeatable on one machine.
"""

from __future__ import annotations

import io
import json
import random
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from streams.enrich.ner.conll import Sentence, score
from streams.enrich.ner.encoding import (
    PAD,
    EncodedSentence,
    Encoder,
    Vocabularies,
    Vocabulary,
    pad,
    token_parts,
)
from streams.enrich.ner.gazetteer import Gazetteer
from streams.enrich.ner.network import WEIGHT_NAMES, Tagger

_WORD = re.compile(r"\w+|[^\w\s]")
LENGTH_STEP = 16  # batches are padded to a multiple of this many tokens (few compiled shapes)


@dataclass(frozen=True, slots=True)
class Recipe:
    """What a training run does; the defaults are the shipped models'."""

    vector_size: int = 100
    vector_epochs: int = 5
    vector_min_count: int = 3
    char_size: int = 16
    char_filters: int = 30
    small_size: int = 10
    hidden: int = 64
    dropout: float = 0.5
    learning_rate: float = 2e-3
    batch_size: int = 16
    epochs: int = 20
    tune_words: bool = False  # fine-tune the word vectors too
    seed: int = 7


# -- unlabelled text and word vectors ---------------------------------------------------------------


def saudinewsnet_texts(folder: Path) -> Iterator[str]:
    for archive in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(archive) as bundle:
            for name in bundle.namelist():
                for record in json.load(io.TextIOWrapper(bundle.open(name), encoding="utf-8")):
                    yield from (record.get("content") or "").split("\n")


def jsonl_texts(path: Path, field: str = "text") -> Iterator[str]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield from str(json.loads(line).get(field) or "").split("\n")


def word_sentences(texts: Iterator[str], language: str) -> Iterator[list[str]]:
    """The embedding lookups of each paragraph's tokens (stems for Arabic), as the tagger looks them up."""
    for text in texts:
        words = [token_parts(t, language).word for t in _WORD.findall(text)]
        if len(words) > 3:
            yield words


def train_vectors(
    sentences: list[list[str]], labelled_words: set[str], recipe: Recipe
) -> tuple[list[str], np.ndarray[Any, np.dtype[np.float32]]]:
    """fastText vectors of the news vocabulary plus every word of the labelled data."""
    from gensim.models import FastText  # the train extra

    model = FastText(
        sentences,
        vector_size=recipe.vector_size,
        window=5,
        min_count=recipe.vector_min_count,
        workers=1,
        epochs=recipe.vector_epochs,
        seed=recipe.seed,
        sg=1,
        min_n=3,
        max_n=5,
        bucket=200_000,
    )
    words = list(model.wv.index_to_key)
    known = set(words)
    words += sorted(w for w in labelled_words if w not in known)
    vectors = np.stack([model.wv[w] for w in words]).astype(np.float32)
    return words, vectors


# -- labelled data ----------------------------------------------------------------------------------


def build_vocabularies(
    sentences: Sequence[Sentence], words: list[str], language: str, gazetteer: Gazetteer | None
) -> Vocabularies:
    chars: Counter[str] = Counter()
    clitics: Counter[str] = Counter()
    shapes: Counter[str] = Counter()
    tags: set[str] = set()
    for tokens, sentence_tags in sentences:
        for token in tokens:
            parts = token_parts(token, language)
            chars.update(parts.chars)
            clitics[parts.clitic] += 1
            shapes[parts.shape] += 1
        tags.update(sentence_tags)
    marks = [""]
    if gazetteer is not None:
        kinds = {"LOCATION", "ORG", "PERSON", "TITLE"}
        marks += [f"{p}-{k}" for k in sorted(kinds) for p in "BI"]
    ordered_tags = ("O", *sorted(t for t in tags if t != "O"))
    return Vocabularies(
        Vocabulary(words),
        Vocabulary(c for c, n in chars.most_common() if n >= 2),
        Vocabulary(c for c, _ in clitics.most_common()),
        Vocabulary(s for s, _ in shapes.most_common()),
        Vocabulary(marks),
        ordered_tags,
    )


# -- the network in JAX -----------------------------------------------------------------------------


def initial_weights(
    vocabularies: Vocabularies, vectors: np.ndarray[Any, np.dtype[np.float32]], recipe: Recipe
) -> dict[str, np.ndarray[Any, np.dtype[np.float32]]]:
    rng = np.random.default_rng(recipe.seed)

    def uniform(*shape: int) -> np.ndarray[Any, np.dtype[np.float32]]:
        bound = np.sqrt(6.0 / (shape[0] + shape[-1]))
        return rng.uniform(-bound, bound, shape).astype(np.float32)

    word_vectors = np.zeros((len(vocabularies.words), vectors.shape[1]), dtype=np.float32)
    word_vectors[2:] = vectors
    inputs = vectors.shape[1] + recipe.char_filters + 3 * recipe.small_size
    h, tags = recipe.hidden, len(vocabularies.tags)
    lstm_bias = np.zeros(4 * h, dtype=np.float32)
    lstm_bias[h : 2 * h] = 1.0  # forget gate open at the start
    weights = {
        "word_vectors": word_vectors,
        "char_embedding": uniform(len(vocabularies.chars), recipe.char_size),
        "char_conv": uniform(3 * recipe.char_size, recipe.char_filters),
        "char_bias": np.zeros(recipe.char_filters, dtype=np.float32),
        "clitic_embedding": uniform(len(vocabularies.clitics), recipe.small_size),
        "shape_embedding": uniform(len(vocabularies.shapes), recipe.small_size),
        "mark_embedding": uniform(len(vocabularies.marks), recipe.small_size),
        "forward_w": uniform(inputs, 4 * h),
        "forward_u": uniform(h, 4 * h),
        "forward_b": lstm_bias.copy(),
        "backward_w": uniform(inputs, 4 * h),
        "backward_u": uniform(h, 4 * h),
        "backward_b": lstm_bias.copy(),
        "output_w": uniform(2 * h, tags),
        "output_b": np.zeros(tags, dtype=np.float32),
        "transitions": np.zeros((tags, tags), dtype=np.float32),
        "start": np.zeros(tags, dtype=np.float32),
        "end": np.zeros(tags, dtype=np.float32),
    }
    for name in ("char_embedding", "clitic_embedding", "shape_embedding", "mark_embedding"):
        weights[name][PAD] = 0.0
    assert set(weights) == set(WEIGHT_NAMES)
    return weights


def jax_functions(recipe: Recipe) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """(emissions, loss) in JAX: the same computation as streams.enrich.ner.network, plus dropout."""
    import jax
    import jax.numpy as jnp

    def dropout(key: Any, x: Any, train: bool) -> Any:
        if not train or recipe.dropout == 0:
            return x
        keep = jax.random.bernoulli(key, 1 - recipe.dropout, x.shape)
        return jnp.where(keep, x / (1 - recipe.dropout), 0.0)

    def lstm(w: Any, u: Any, b: Any, inputs: Any) -> Any:
        projected = jnp.swapaxes(inputs @ w + b, 0, 1)
        zeros = jnp.zeros((inputs.shape[0], u.shape[0]), dtype=inputs.dtype)

        def step(carry: Any, gates_in: Any) -> Any:
            hidden, cell = carry
            i, f, g, o = jnp.split(gates_in + hidden @ u, 4, axis=-1)
            cell = jax.nn.sigmoid(f) * cell + jax.nn.sigmoid(i) * jnp.tanh(g)
            hidden = jax.nn.sigmoid(o) * jnp.tanh(cell)
            return (hidden, cell), hidden

        _, outputs = jax.lax.scan(step, (zeros, zeros), projected)
        return jnp.swapaxes(outputs, 0, 1)

    def emissions(weights: Any, batch: Any, key: Any, train: bool) -> Any:
        words = weights["word_vectors"]
        if not recipe.tune_words:
            words = jax.lax.stop_gradient(words)
        chars = batch["chars"]
        embedded = weights["char_embedding"][chars]
        padded = jnp.pad(embedded, ((0, 0), (0, 0), (1, 1), (0, 0)))
        windows = jnp.concatenate([padded[:, :, :-2], padded[:, :, 1:-1], padded[:, :, 2:]], axis=-1)
        convolved = jnp.tanh(windows @ weights["char_conv"] + weights["char_bias"])
        char_features = jnp.where((chars > 0)[..., None], convolved, -1.0).max(axis=2)
        inputs = jnp.concatenate(
            [
                words[batch["words"]],
                char_features,
                weights["clitic_embedding"][batch["clitics"]],
                weights["shape_embedding"][batch["shapes"]],
                weights["mark_embedding"][batch["marks"]],
            ],
            axis=-1,
        )
        keys = jax.random.split(key, 2)
        inputs = dropout(keys[0], inputs, train)
        lengths = batch["lengths"]
        steps = jnp.arange(inputs.shape[1])[None, :]
        index = jnp.where(steps < lengths[:, None], lengths[:, None] - 1 - steps, steps)[..., None]
        forward = lstm(weights["forward_w"], weights["forward_u"], weights["forward_b"], inputs)
        backward = jnp.take_along_axis(
            lstm(
                weights["backward_w"],
                weights["backward_u"],
                weights["backward_b"],
                jnp.take_along_axis(inputs, index, axis=1),
            ),
            index,
            axis=1,
        )
        hidden = dropout(keys[1], jnp.concatenate([forward, backward], axis=-1), train)
        return hidden @ weights["output_w"] + weights["output_b"]

    def loss(weights: Any, batch: Any, key: Any) -> Any:
        """Mean negative log-likelihood of the gold tags under the CRF, over the batch's sentences."""
        scores = emissions(weights, batch, key, True)
        tags, lengths = batch["tags"], batch["lengths"]
        mask = (jnp.arange(tags.shape[1])[None, :] < lengths[:, None]).astype(scores.dtype)
        transitions, start, end = weights["transitions"], weights["start"], weights["end"]
        emitted = jnp.take_along_axis(scores, tags[..., None], axis=-1)[..., 0]
        last = jnp.take_along_axis(tags, jnp.maximum(lengths - 1, 0)[:, None], axis=1)[:, 0]
        gold = (
            start[tags[:, 0]]
            + (emitted * mask).sum(axis=1)
            + (transitions[tags[:, :-1], tags[:, 1:]] * mask[:, 1:]).sum(axis=1)
            + end[last]
        )

        def step(alpha: Any, inputs: Any) -> Any:
            step_scores, step_mask = inputs
            stepped = jax.nn.logsumexp(alpha[:, :, None] + transitions[None], axis=1) + step_scores
            return jnp.where(step_mask[:, None] > 0, stepped, alpha), None

        alpha, _ = jax.lax.scan(
            step,
            start[None, :] + scores[:, 0],
            (jnp.swapaxes(scores[:, 1:], 0, 1), jnp.swapaxes(mask[:, 1:], 0, 1)),
        )
        log_partition = jax.nn.logsumexp(alpha + end[None, :], axis=-1)
        real = (lengths > 0).astype(scores.dtype)
        return ((log_partition - gold) * real).sum() / jnp.maximum(real.sum(), 1.0)

    return emissions, loss


def batch_arrays(sentences: Sequence[EncodedSentence], tags: Sequence[Sequence[int]], size: int) -> dict[str, Any]:
    longest = max(len(s) for s in sentences)
    length = -(-longest // LENGTH_STEP) * LENGTH_STEP
    batch = pad(sentences, length, size)
    tag_array = np.zeros((size, length), dtype=np.int32)
    for row, sentence_tags in enumerate(tags):
        tag_array[row, : len(sentence_tags)] = sentence_tags
    return {
        "words": batch.words,
        "chars": batch.chars,
        "clitics": batch.clitics,
        "shapes": batch.shapes,
        "marks": batch.marks,
        "lengths": batch.lengths,
        "tags": tag_array,
    }


def batches(count: int, recipe: Recipe, lengths: Sequence[int], rng: random.Random) -> list[list[int]]:
    """Shuffled batches of sentences of similar length (sorted within windows of 20 batches)."""
    order = list(range(count))
    rng.shuffle(order)
    window = recipe.batch_size * 20
    result = []
    for first in range(0, count, window):
        chunk = sorted(order[first : first + window], key=lambda i: lengths[i])
        result += [chunk[i : i + recipe.batch_size] for i in range(0, len(chunk), recipe.batch_size)]
    rng.shuffle(result)
    return result


@dataclass(frozen=True, slots=True)
class TrainingResult:
    tagger: Tagger
    epoch: int  # the epoch kept (1-based)
    history: list[float]  # micro F1 on the development sentences after each epoch (empty without them)


def train_tagger(
    train: Sequence[Sentence],
    dev: Sequence[Sentence],
    vocabularies: Vocabularies,
    vectors: np.ndarray[Any, np.dtype[np.float32]],
    language: str,
    gazetteer: Gazetteer | None,
    recipe: Recipe,
    log: Callable[[str], None] = lambda _: None,
) -> TrainingResult:
    import jax
    import optax

    _, loss = jax_functions(recipe)
    weights = {k: jax.numpy.asarray(v) for k, v in initial_weights(vocabularies, vectors, recipe).items()}
    optimizer = optax.chain(optax.clip_by_global_norm(5.0), optax.adam(recipe.learning_rate))
    state = optimizer.init(weights)

    @jax.jit
    def update(weights: Any, state: Any, batch: Any, key: Any) -> Any:
        value, grads = jax.value_and_grad(loss)(weights, batch, key)
        updates, state = optimizer.update(grads, state, weights)
        return optax.apply_updates(weights, updates), state, value

    tag_ids = {t: i for i, t in enumerate(vocabularies.tags)}
    encoder = Encoder(vocabularies, language, gazetteer)
    encoded = [encoder.encode(tokens) for tokens, _ in train]
    gold = [[tag_ids[t] for t in tags] for _, tags in train]
    dev_encoded = [encoder.encode(tokens) for tokens, _ in dev]
    rng, key = random.Random(recipe.seed), jax.random.PRNGKey(recipe.seed)
    best: tuple[float, int, dict[str, Any]] = (-1.0, 0, {})
    history: list[float] = []
    for epoch in range(1, recipe.epochs + 1):
        total = 0.0
        for rows in batches(len(encoded), recipe, [len(s) for s in encoded], rng):
            key, step_key = jax.random.split(key)
            arrays = batch_arrays([encoded[i] for i in rows], [gold[i] for i in rows], recipe.batch_size)
            weights, state, value = update(weights, state, arrays, step_key)
            total += float(value)
        snapshot = {k: np.asarray(v) for k, v in weights.items()}
        snapshot["word_vectors"] = snapshot["word_vectors"].astype(np.float16).astype(np.float32)  # as saved
        if dev:
            predicted = Tagger(snapshot, vocabularies).tag(dev_encoded)
            micro = score([tags for _, tags in dev], predicted)["micro"].f1
            history.append(micro)
            log(f"epoch {epoch}: loss {total:.1f}, dev micro F1 {micro:.4f}")
            if micro > best[0]:
                best = (micro, epoch, snapshot)
        else:
            log(f"epoch {epoch}: loss {total:.1f}")
            best = (0.0, epoch, snapshot)
    return TrainingResult(Tagger(best[2], vocabularies), best[1], history)


def labelled_words(sentences: Sequence[Sentence], language: str) -> set[str]:
    return {token_parts(t, language).word for tokens, _ in sentences for t in tokens}
