"""Differential test of the Elasticsearch analysis plugin (deploy/elasticsearch-plugin) against the
Python it reproduces, over every distinct Arabic token of ../shared/data (the tokens of the Lucene
differential test), through ``_analyze`` on the real node that deploy/local/services runs:

- the ``newsflow_matching_key`` token filter and char filter give ``matching_key(token)``;
- the ``newsflow_stem`` chain (key char filter, ``newsflow_word`` tokenizer, ``newsflow_light_stem``)
  gives the tokens of ``stem_text(token)``, on those tokens and on every distinct Latin word of the BBC
  corpus (Snowball English, which the plugin implements itself);
- the ``newsflow_key`` chain (key char filter, standard tokenizer, lowercase) on the written token gives
  what the standard tokenizer and lowercase give on its key (today's ``*_key`` fields).
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from elasticsearch import AsyncElasticsearch

from streams.settings import Settings
from streams.sink.analysis import KEY_ANALYZER, STEM_ANALYZER
from streams.sink.elasticsearch import open_client
from streams.text.normalize import key_tokens, matching_key
from streams.text.stemming import stem_text
from tests.conftest import BBC
from tests.differential.test_lucene_arabic_normalizer import distinct_tokens

pytestmark = pytest.mark.integration

BATCH = 2000  # tokens per _analyze request (the node allows 10,000 output tokens)
WHOLE_KEY = {"tokenizer": "newsflow_whole", "filter": ["newsflow_matching_key"]}
CHAR_FILTER_KEY = {"char_filter": ["newsflow_matching_key"], "tokenizer": "newsflow_whole"}
STANDARD = {"tokenizer": "standard", "filter": ["lowercase"]}
LATIN = re.compile("[a-z]")


def english_words() -> list[str]:
    words: set[str] = set()
    with BBC.open("rb") as handle:
        for line in handle:
            for value in orjson.loads(line).values():
                if isinstance(value, str):
                    words.update(t for t in key_tokens(value) if LATIN.search(t))
    return sorted(words)


async def analyze(client: AsyncElasticsearch, chain: dict[str, Any], texts: list[str]) -> list[list[str]]:
    """The tokens of each text (the node analyzes a list of texts one after another, offsets running on)."""
    response = await client.indices.analyze(**chain, text=texts)
    starts, position = [], 0
    for text in texts:
        starts.append(position)
        position += len(text.encode("utf-16-le")) // 2 + 1  # Java string offsets, and an offset gap of one
    grouped: list[list[str]] = [[] for _ in texts]
    index = 0
    for token in response["tokens"]:
        while index + 1 < len(texts) and token["start_offset"] >= starts[index + 1]:
            index += 1
        grouped[index].append(token["token"])
    return grouped


async def compare(
    client: AsyncElasticsearch,
    tokens: list[str],
    chain: dict[str, Any],
    expected: Callable[[str], list[str]],
    text_of: Callable[[str], str] = lambda token: token,
) -> tuple[int, list[tuple[str, list[str], list[str]]]]:
    differences = []
    for start in range(0, len(tokens), BATCH):
        batch = tokens[start : start + BATCH]
        for token, got in zip(batch, await analyze(client, chain, [text_of(t) for t in batch]), strict=True):
            if got != expected(token):
                differences.append((token, got, expected(token)))
    return len(tokens), differences


def test_the_plugin_reproduces_the_matching_key_and_the_stems_on_every_corpus_token() -> None:
    tokens = distinct_tokens()
    assert len(tokens) >= 400_000
    words = english_words()
    assert len(words) > 20_000

    async def run() -> dict[str, tuple[int, list[tuple[str, list[str], list[str]]]]]:
        async with open_client(Settings()) as client:
            standard_of_key: dict[str, list[str]] = {}
            keys = sorted({matching_key(t) for t in tokens} - {""})
            for start in range(0, len(keys), BATCH):
                batch = keys[start : start + BATCH]
                standard_of_key.update(zip(batch, await analyze(client, STANDARD, batch), strict=True))
            return {
                "key token filter": await compare(client, tokens, WHOLE_KEY, lambda t: [matching_key(t)]),
                "key char filter": await compare(client, tokens, CHAR_FILTER_KEY, lambda t: [matching_key(t)]),
                "stems": await compare(client, tokens, STEM_ANALYZER, lambda t: stem_text(t).split()),
                "english stems": await compare(client, words, STEM_ANALYZER, lambda t: stem_text(t).split()),
                "key analyzer": await compare(
                    client, tokens, KEY_ANALYZER, lambda t: standard_of_key.get(matching_key(t), [])
                ),
            }

    results = asyncio.run(run())
    counts = Counter({name: len(diff) for name, (_, diff) in results.items()})
    print("\nanalysis plugin vs Python:", {n: f"{c} tokens, {counts[n]} differences" for n, (c, _) in results.items()})
    assert {name: diff[:5] for name, (_, diff) in results.items()} == {name: [] for name in results}
