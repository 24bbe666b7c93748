"""Search with the text analyzed by the node (the newsflow-analysis plugin, streams.sink.analysis) on the
real node of deploy/local/services: the same SaudiNewsNet, BBC and seed articles indexed twice, once
analyzed by the node and once with newsflow's *_key/*_stem fields.

- ``newsflow search`` gives the same hits, in the same order with the same scores, either way;
- on the server-analyzed index, ``simple_query_string`` and ``query_string`` with no field names (the
  index's ``index.query.default_field``, what Kibana's search bar uses) give, for every spelling of a
  word, the hits ``newsflow search`` gives for any of its spellings;
- highlights mark the words as written, whatever spelling the query used.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import uuid4

import pytest
import pytest_asyncio
from elasticsearch import AsyncElasticsearch

from streams.enrich.article import body_text
from streams.enrich.enricher import EnrichmentContext
from streams.pipeline.process import offline_documents, process_raw
from streams.pipeline.stages import field_mappings
from streams.records import EnrichedArticle, RawArticle
from streams.retry import Retrier
from streams.search import search
from streams.settings import Settings
from streams.sink.analysis import KEY_ANALYZER
from streams.sink.elasticsearch import BulkIndexer, drop_index, ensure_index, open_client
from streams.sources.files import read_paths
from streams.text.stemming import stem_text
from tests.conftest import BBC, SAUDI_SAMPLE, SEED_ARTICLE

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

MODES: tuple[Literal["server"], Literal["key_fields"]] = ("server", "key_fields")
ALL = 1000  # more than the corpus: a search's hits are all its matches
# Spellings of one word (or name) that the matching key and the light stems make one.
FAMILIES = {
    "persian yeh": ["الولايات المتحدة", "الولایات المتحدة", "الولاىات المتحدة"],
    "keheh": ["كوريا", "کوريا"],
    "hamza forms": ["أمير", "امير", "إمير", "آمير"],
    "ta marbuta / ha": ["المملكة", "المملكه"],
    "alef maqsura": ["مستشفى", "مستشفي"],
    "tatweel": ["الرئيس", "الرئـــيس"],
    "diacritics": ["السعودية", "السُّعُودِيَّة"],
    "bidi and zero-width marks": ["الرياض", "\u200fالرياض\u200e", "الريا\u200cض"],
    "arabic-indic digits": ["2015", "٢٠١٥", "۲۰۱۵"],
    "proclitics": ["الانتخابات", "بالانتخابات", "والانتخابات", "للانتخابات"],
}
BODY_AND_STEMS = {"number_of_fragments": 0, "matched_fields": ["body", "body.stem"]}  # whole body, marks of both
_MARKED = re.compile("⟦([^⟧]*)⟧")
RANKING_QUERIES = [
    *itertools.chain.from_iterable(FAMILIES.values()),
    '"کوريا الجنوبية"',
    "كوريا الجنوبية",
    "elections",
    "prime minister",
    "وزارة الدفاع الأمريكية",
    "",
]


@pytest.fixture(scope="module")
def corpus(context: EnrichmentContext) -> list[EnrichedArticle]:
    settings = Settings()
    articles: list[EnrichedArticle] = []
    for path, count in ((SAUDI_SAMPLE, 400), (BBC, 100), (SEED_ARTICLE, 1)):
        raws = (i for i in read_paths([path], settings.inputs.jsonl_fields) if isinstance(i, RawArticle))
        articles.extend(process_raw(raw, context) for raw in itertools.islice(raws, count))
    return articles


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def indices(corpus: list[EnrichedArticle]) -> AsyncIterator[tuple[AsyncElasticsearch, dict[str, Settings]]]:
    unique = uuid4().hex[:12]
    by_mode: dict[str, Settings] = {
        mode: Settings(index_prefix=f"test-analysis-{mode.replace('_', '-')}-{unique}", text_analysis=mode)
        for mode in MODES
    }
    async with open_client(Settings()) as es:
        for settings in by_mode.values():
            index = await ensure_index(es, settings, field_mappings(settings.enrichment))
            documents = offline_documents(corpus, settings, datetime.now(UTC), not index.server_analysis)
            assert not (
                await BulkIndexer(
                    es, settings.elasticsearch.articles_alias, settings.sink, Retrier(settings.retry.backoff)
                ).write(documents)
            ).rejected
            await es.indices.refresh(index=settings.elasticsearch.articles_alias)
        yield es, by_mode
        for settings in by_mode.values():
            await drop_index(es, settings)


async def hit_ids(es: AsyncElasticsearch, settings: Settings, query: dict[str, Any]) -> set[str]:
    response = await es.search(index=settings.elasticsearch.articles_alias, query=query, size=ALL, source=False)
    assert response["hits"]["total"]["value"] < ALL
    return {hit["_id"] for hit in response["hits"]["hits"]}


@pytest.mark.parametrize("text", RANKING_QUERIES)
async def test_newsflow_search_ranks_alike_with_server_analysis_and_key_fields(
    indices: tuple[AsyncElasticsearch, dict[str, Settings]], text: str
) -> None:
    es, by_mode = indices
    server, key_fields = [await search(es, by_mode[mode], text, size=ALL) for mode in MODES]
    assert server.total == key_fields.total
    assert [h.id for h in server.hits] == [h.id for h in key_fields.hits]
    assert [h.score for h in server.hits] == pytest.approx([h.score for h in key_fields.hits], rel=1e-5)
    assert server.facets == key_fields.facets


@pytest.mark.parametrize("family", FAMILIES)
async def test_free_text_on_the_default_fields_finds_every_spelling_as_newsflow_search_does(
    indices: tuple[AsyncElasticsearch, dict[str, Settings]], family: str
) -> None:
    es, by_mode = indices
    settings = by_mode["server"]
    expected = {hit.id for hit in (await search(es, settings, FAMILIES[family][0], size=ALL)).hits}
    assert expected
    for spelling in FAMILIES[family]:
        assert {hit.id for hit in (await search(es, settings, spelling, size=ALL)).hits} == expected, spelling
        simple = {"simple_query_string": {"query": spelling, "default_operator": "and"}}
        assert await hit_ids(es, settings, simple) == expected, spelling
        lucene = {"query_string": {"query": spelling, "default_operator": "AND"}}
        assert await hit_ids(es, settings, lucene) == expected, spelling


async def test_highlights_mark_the_written_words(
    indices: tuple[AsyncElasticsearch, dict[str, Settings]], corpus: list[EnrichedArticle]
) -> None:
    es, by_mode = indices
    settings = by_mode["server"]
    bodies = {article.article.id: body_text(article.article) for article in corpus}
    for query, written in (("الولایات", "الولايات"), ("امير", "أمير"), ("بالانتخابات", "الانتخابات")):
        snippets = [hit.snippet for hit in (await search(es, settings, query, size=ALL)).hits]
        assert any(f"«{written}»" in snippet for snippet in snippets), query  # written unlike the query
        response = await es.search(
            index=settings.elasticsearch.articles_alias,
            query={"query_string": {"query": query}},
            highlight={"fields": {"body": BODY_AND_STEMS}, "pre_tags": ["⟦"], "post_tags": ["⟧"]},
            size=ALL,
        )
        marks = []
        for hit in response["hits"]["hits"]:
            for fragment in hit.get("highlight", {}).get("body", []):  # none when only the title matched
                assert fragment.replace("⟦", "").replace("⟧", "") == bodies[hit["_id"]]
                marks.extend(_MARKED.findall(fragment))
        assert written in marks, query
        assert {stem_text(mark) for mark in marks} == {stem_text(query)}, query


async def test_offsets_cover_the_written_word_with_its_marks(
    indices: tuple[AsyncElasticsearch, dict[str, Settings]],
) -> None:
    es, _ = indices
    text = "قال \u200fالرَّئِيـــسُ\u200e إنَّ ٢٠١٥ كان عاماً"
    tokens = (await es.indices.analyze(**KEY_ANALYZER, text=text))["tokens"]
    assert [(t["token"], text[t["start_offset"] : t["end_offset"]]) for t in tokens] == [
        ("قال", "قال"),
        ("الرئيس", "الرَّئِيـــسُ\u200e"),
        ("ان", "إنَّ"),
        ("2015", "٢٠١٥"),
        ("كان", "كان"),
        ("عاما", "عاماً"),
    ]
