"""The tagger's forward pass and decoding in numpy: a BiLSTM-CRF over pretrained subword word vectors, a
character CNN and small embeddings of proclitics, shape and gazetteer marks (Lample et al. 2016; Ma &
Hovy 2016). Training (streams.enrich.ner.train, the ``train`` extra) computes the same function in JAX
and writes its weights here as one ``.npz``; a unit test checks the two agree.

Sentences are tagged in batches of similar length, so the per-step cost of the recurrent layer is paid
once for many sentences; the token-level part of the input is computed once per distinct token. BLAS
runs on one thread here: these matrices are small, and a second thread mostly spins (it doubled the
CPU time per article in bench.ner_cost).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from streams.enrich.ner.encoding import Batch, EncodedSentence, Vocabularies, concatenated, pad

Array = npt.NDArray[np.float32]
SENTENCES_PER_BATCH = 256
MAX_CACHED_TOKENS = 100_000  # character features kept (30 floats each)
WEIGHT_NAMES = (
    "word_vectors",
    "char_embedding",
    "char_conv",
    "char_bias",
    "clitic_embedding",
    "shape_embedding",
    "mark_embedding",
    "forward_w",
    "forward_u",
    "forward_b",
    "backward_w",
    "backward_u",
    "backward_b",
    "output_w",
    "output_b",
    "transitions",
    "start",
    "end",
)


def sigmoid(x: Array) -> Array:
    result: Array = 0.5 * (np.tanh(0.5 * x) + 1.0)
    return result


def char_features(weights: Mapping[str, Array], chars: npt.NDArray[np.int32]) -> Array:
    """Max over each token's characters of a width-3 convolution (tanh): (tokens, filters)."""
    tokens, width = chars.shape
    embedding = weights["char_embedding"]
    padded = np.zeros((tokens, width + 2, embedding.shape[1]), dtype=np.float32)
    padded[:, 1:-1] = embedding[chars]
    windows = np.concatenate([padded[:, :-2], padded[:, 1:-1], padded[:, 2:]], axis=-1)
    convolved = np.tanh(windows.reshape(tokens * width, -1) @ weights["char_conv"] + weights["char_bias"])
    convolved = np.where((chars > 0).reshape(-1, 1), convolved, -1.0)
    result: Array = convolved.reshape(tokens, width, -1).max(axis=1)
    return result


@dataclass(frozen=True, slots=True)
class Projections:
    """Both LSTM directions' input projections (8 * hidden columns) of tokens given as one row, kept as a
    projection per distinct token plus one per gazetteer mark: a batch of sentences gathers its rows
    (``rows``), so the (tokens, 8 * hidden) array of a whole worker batch is never built."""

    distinct: Array  # (distinct tokens, 8 * hidden)
    marks: Array  # (marks, 8 * hidden), the bias included
    token_rows: npt.NDArray[np.intp]  # each token's row in ``distinct``
    token_marks: npt.NDArray[np.int32]  # each token's mark

    def rows(self, positions: npt.NDArray[np.intp], columns: slice) -> Array:
        """The projections of the tokens at ``positions`` (any shape), ``columns`` of them."""
        result: Array = (
            self.distinct[self.token_rows[positions], columns] + self.marks[self.token_marks[positions], columns]
        )
        return result


def projected_inputs(
    weights: Mapping[str, Array],
    tokens: Batch,
    characters: Callable[[npt.NDArray[np.int32]], Array] | None = None,
) -> Projections:
    """The input projections of ``tokens`` given as one row of length N. The token-level part (word,
    characters, proclitics, shape) is computed once per distinct token; only the gazetteer mark depends on
    the context. ``characters``: the character features of token rows (default: ``char_features``)."""
    w = np.concatenate([weights["forward_w"], weights["backward_w"]], axis=1)
    b = np.concatenate([weights["forward_b"], weights["backward_b"]])
    _, first, inverse = np.unique(tokens.tokens.reshape(-1), return_index=True, return_inverse=True)
    token_part = np.concatenate(
        [
            weights["word_vectors"][tokens.words[0, first]],
            (characters or (lambda rows: char_features(weights, rows)))(tokens.chars[0, first]),
            weights["clitic_embedding"][tokens.clitics[0, first]],
            weights["shape_embedding"][tokens.shapes[0, first]],
        ],
        axis=1,
    )
    marks = weights["mark_embedding"]
    return Projections(
        token_part @ w[: -marks.shape[1]],
        marks @ w[-marks.shape[1] :] + b,
        inverse.reshape(-1),
        tokens.marks.reshape(-1),
    )


def lstm(u: Array, projected: Array) -> Array:
    """One LSTM direction over input projections (sentences, tokens, 4 * hidden), gates in the order i, f, g,
    o."""
    sentences, length, _ = projected.shape
    hidden_size = u.shape[0]
    hidden = np.zeros((sentences, hidden_size), dtype=np.float32)
    cell = np.zeros_like(hidden)
    outputs = np.empty((sentences, length, hidden_size), dtype=np.float32)
    for t in range(length):
        gates = projected[:, t] + hidden @ u
        opened = sigmoid(gates)  # i, f and o are read from it; g goes through tanh instead
        cell = opened[:, hidden_size : 2 * hidden_size] * cell
        cell += opened[:, :hidden_size] * np.tanh(gates[:, 2 * hidden_size : 3 * hidden_size])
        hidden = opened[:, 3 * hidden_size :] * np.tanh(cell)
        outputs[:, t] = hidden
    return outputs


def emissions(
    weights: Mapping[str, Array], forward_inputs: Array, backward_inputs: Array, lengths: npt.NDArray[np.int32]
) -> Array:
    """Per-token tag scores (sentences, tokens, tags) of a padded batch, from each direction's input
    projections; ``backward_inputs`` has each sentence reversed within its length."""
    forward = lstm(weights["forward_u"], forward_inputs)
    backward_reversed = lstm(weights["backward_u"], backward_inputs)
    backward = np.zeros_like(backward_reversed)
    for row, length in enumerate(lengths):
        backward[row, :length] = backward_reversed[row, length - 1 :: -1] if length else 0.0
    result: Array = np.concatenate([forward, backward], axis=-1) @ weights["output_w"] + weights["output_b"]
    return result


def viterbi(
    scores: Array, lengths: npt.NDArray[np.int32], transitions: Array, start: Array, end: Array
) -> list[list[int]]:
    """The best tag sequence of each sentence under the CRF's transition scores."""
    sentences, length, tags = scores.shape
    best = start[None, :] + scores[:, 0]
    pointers = np.zeros((sentences, length, tags), dtype=np.int32)
    for t in range(1, length):
        candidates = best[:, :, None] + transitions[None, :, :]
        pointers[:, t] = candidates.argmax(axis=1)
        stepped = candidates.max(axis=1) + scores[:, t]
        best = np.where((t < lengths)[:, None], stepped, best)
    best = best + end[None, :]
    paths = []
    for row in range(sentences):
        n = int(lengths[row])
        tag = int(best[row].argmax())
        path = [tag]
        for t in range(n - 1, 0, -1):
            tag = int(pointers[row, t, tag])
            path.append(tag)
        paths.append(path[::-1])
    return paths


class Tagger:
    """Weights and vocabularies of one language's tagger, loaded from its ``.npz`` (no pickle)."""

    def __init__(self, weights: Mapping[str, Array], vocabularies: Vocabularies) -> None:
        self.weights = dict(weights)
        self.vocabularies = vocabularies
        self._characters: dict[bytes, Array] = {}

    @classmethod
    def load(cls, path: Path) -> Tagger:
        with np.load(path, allow_pickle=False) as arrays:
            weights = {name: arrays[name].astype(np.float32) for name in WEIGHT_NAMES}
            vocabularies = Vocabularies.from_arrays({k: arrays[k] for k in arrays.files if k.startswith("vocabulary")})
        return cls(weights, vocabularies)

    def save(self, path: Path) -> None:
        arrays: dict[str, npt.NDArray[np.generic]] = {
            name: self.weights[name].astype(np.float16 if name == "word_vectors" else np.float32)
            for name in WEIGHT_NAMES
        }
        arrays.update(self.vocabularies.as_arrays())
        with path.open("wb") as handle:
            np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]

    def _batches(
        self, sentences: Sequence[EncodedSentence]
    ) -> Iterator[tuple[list[int], npt.NDArray[np.int32], Array]]:
        """(sentence indexes, lengths, tag scores) for batches of sentences of similar length."""
        if not sentences:
            return
        projections = projected_inputs(self.weights, pad([concatenated(sentences)]), self._char_features)
        half = projections.distinct.shape[1] // 2
        starts = np.cumsum([0, *(len(s) for s in sentences)])[:-1]
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        for first in range(0, len(order), SENTENCES_PER_BATCH):
            rows = order[first : first + SENTENCES_PER_BATCH]
            lengths = np.array([len(sentences[i]) for i in rows], dtype=np.int32)
            steps = np.arange(int(lengths.max()))
            inside = steps[None, :] < lengths[:, None]
            begin = starts[rows][:, None]
            forward_positions = np.where(inside, begin + steps[None, :], 0)
            backward_positions = np.where(inside, begin + lengths[:, None] - 1 - steps[None, :], 0)
            forward = projections.rows(forward_positions, slice(None, half)) * inside[..., None]
            backward = projections.rows(backward_positions, slice(half, None)) * inside[..., None]
            yield rows, lengths, emissions(self.weights, forward, backward, lengths)

    def _char_features(self, chars: npt.NDArray[np.int32]) -> Array:
        """``char_features`` of token rows, each row computed once and kept (news repeats its words)."""
        keys = [row.tobytes() for row in chars]
        missing = [i for i, key in enumerate(keys) if key not in self._characters]
        if len(self._characters) + len(missing) > MAX_CACHED_TOKENS:
            self._characters.clear()  # start again: every row of this call is then missing
            missing = list(range(len(keys)))
        if missing:
            for i, features in zip(missing, char_features(self.weights, chars[missing]), strict=True):
                self._characters[keys[i]] = features
        return np.stack([self._characters[key] for key in keys]) if keys else np.zeros((0, 0), np.float32)

    def scores(self, sentences: Sequence[EncodedSentence]) -> list[Array]:
        """Per-token tag scores of every sentence, (tokens, tags) each."""
        result: list[Array] = [np.empty(0, dtype=np.float32)] * len(sentences)
        with threadpool_limits(limits=1, user_api="blas"):
            for rows, lengths, batch_scores in self._batches(sentences):
                for n, i in enumerate(rows):
                    result[i] = batch_scores[n, : lengths[n]]
        return result

    def tag(self, sentences: Sequence[EncodedSentence]) -> list[list[str]]:
        """BIO tags of every sentence."""
        w, tags = self.weights, self.vocabularies.tags
        result: list[list[str]] = [[] for _ in sentences]
        with threadpool_limits(limits=1, user_api="blas"):
            for rows, lengths, batch_scores in self._batches(sentences):
                paths = viterbi(batch_scores, lengths, w["transitions"], w["start"], w["end"])
                for i, path in zip(rows, paths, strict=True):
                    result[i] = [tags[t] for t in path]
        return result
