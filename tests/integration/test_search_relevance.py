"""Search relevance on the shared corpora, through the real index: SaudiNewsNet (Arabic) and BBC
(English) articles made into documents by the pipeline's own functions and bulk-indexed once for this
module (read-only queries share one unique index), once with the text analyzed by the node's
newsflow-analysis plugin and once with newsflow's own *_key/*_stem fields (streams.sink.analysis): the same
checks hold for both. Each check states its right answer."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import uuid4

import pytest
import pytest_asyncio
from elasticsearch import AsyncElasticsearch

from streams.enrich.enricher import EnrichmentContext
from streams.pipeline.process import offline_documents, process_raw
from streams.pipeline.stages import field_mappings
from streams.records import EnrichedArticle, RawArticle
from streams.retry import Retrier
from streams.search import SearchFilters, SearchResult, search
from streams.settings import Settings
from streams.sink.elasticsearch import BulkIndexer, drop_index, ensure_index, open_client
from streams.sources.files import read_paths
from streams.text.normalize import matching_key
from tests.conftest import BBC, SAUDI_SAMPLE, SEED_ARTICLE

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

PER_CORPUS = 400


@pytest.fixture(scope="module")
def corpus(context: EnrichmentContext) -> list[EnrichedArticle]:
    settings = Settings()
    articles: list[EnrichedArticle] = []
    for path in (SAUDI_SAMPLE, BBC, SEED_ARTICLE):
        raws = (i for i in read_paths([path], settings.inputs.jsonl_fields) if isinstance(i, RawArticle))
        articles.extend(process_raw(raw, context) for raw in itertools.islice(raws, PER_CORPUS))
    return articles


@pytest.fixture(scope="module", params=["server", "key_fields"])
def search_settings(request: pytest.FixtureRequest) -> Settings:
    return Settings(index_prefix=f"test-search-{uuid4().hex[:12]}", text_analysis=request.param)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(search_settings: Settings, corpus: list[EnrichedArticle]) -> AsyncIterator[AsyncElasticsearch]:
    async with open_client(search_settings) as es:
        index = await ensure_index(es, search_settings, field_mappings(search_settings.enrichment))
        assert index.server_analysis == (search_settings.elasticsearch.text_analysis == "server")
        documents = offline_documents(corpus, search_settings, datetime.now(UTC), not index.server_analysis)
        outcome = await BulkIndexer(
            es,
            search_settings.elasticsearch.articles_alias,
            search_settings.sink,
            Retrier(search_settings.retry.backoff),
        ).write(documents)
        assert not outcome.rejected
        await es.indices.refresh(index=search_settings.elasticsearch.articles_alias)
        yield es
        await drop_index(es, search_settings)


async def query(
    client: AsyncElasticsearch, settings: Settings, text: str, size: int = 50, **filters: str
) -> SearchResult:
    return await search(client, settings, text, SearchFilters(**filters), size=size)  # type: ignore[arg-type]


def ids(result: SearchResult) -> set[str]:
    return {hit.id for hit in result.hits}


@pytest.mark.parametrize("position", [0, 57, 213, PER_CORPUS + 3, PER_CORPUS + 150, PER_CORPUS + 321])
async def test_a_title_finds_its_article_first(
    client: AsyncElasticsearch, search_settings: Settings, corpus: list[EnrichedArticle], position: int
) -> None:
    article = corpus[position].article
    result = await query(client, search_settings, article.title, size=5)
    assert matching_key(result.hits[0].title) == matching_key(article.title)  # syndicated copies share titles
    assert article.id in ids(result)


async def test_spellings_and_clitics_of_a_name_find_the_same_articles(
    client: AsyncElasticsearch, search_settings: Settings
) -> None:
    plain, persian, clitic = [
        await query(client, search_settings, q) for q in ("الولايات المتحدة", "الولایات المتحدة", "للولايات المتحدة")
    ]
    assert plain.total >= 5
    assert persian.total == plain.total
    assert ids(persian) == ids(plain)
    assert clitic.total == plain.total  # by stem: ل+ال and ال share the stem


async def test_light_stemming_widens_arabic_recall(client: AsyncElasticsearch, search_settings: Settings) -> None:
    bare, with_clitic = (
        await query(client, search_settings, "الانتخابات"),
        await query(client, search_settings, "بالانتخابات"),
    )
    assert bare.total > 0
    assert with_clitic.total == bare.total
    hamza, no_hamza = await query(client, search_settings, "أمير"), await query(client, search_settings, "امير")
    assert hamza.total == no_hamza.total > 0


async def test_english_stemming(client: AsyncElasticsearch, search_settings: Settings) -> None:
    plural, singular = (
        await query(client, search_settings, "elections"),
        await query(client, search_settings, "election"),
    )
    assert plural.total == singular.total > 0


async def test_quoted_text_is_an_exact_phrase(client: AsyncElasticsearch, search_settings: Settings) -> None:
    phrase = await query(client, search_settings, '"کوريا الجنوبية"', size=100)
    words = await query(client, search_settings, "كوريا الجنوبية", size=100)
    assert 0 < phrase.total <= words.total
    response = await client.search(
        index=search_settings.elasticsearch.articles_alias, query={"terms": {"_id": sorted(ids(phrase))}}, size=100
    )
    for hit in response["hits"]["hits"]:
        assert "كوريا الجنوبيه" in matching_key(hit["_source"]["title"] + "\n" + hit["_source"]["body"])


async def test_filters_agree_with_the_facets(client: AsyncElasticsearch, search_settings: Settings) -> None:
    everything = await query(client, search_settings, "")
    source, count = everything.facets["sources"][0]
    by_source = await query(client, search_settings, "", source=source)
    assert by_source.total == count
    assert {hit.source for hit in by_source.hits} == {source}
    entity, count = everything.facets["entities"][0]
    assert (await query(client, search_settings, "", entity=entity)).total == count
    tag, count = everything.facets["tags"][0]
    assert (await query(client, search_settings, "", tag=tag)).total == count
    english = await query(client, search_settings, "", language="en")
    assert english.total == PER_CORPUS


async def test_the_seed_is_found_by_entity_and_story(client: AsyncElasticsearch, search_settings: Settings) -> None:
    (hit,) = (await query(client, search_settings, "أوستن", entity="كوريا الجنوبية")).hits
    assert hit.title.startswith("أعلنت وزارة الدفاع الأمريكية")
    assert hit.story_id is not None
    assert hit.id in ids(await query(client, search_settings, "", story=hit.story_id))
