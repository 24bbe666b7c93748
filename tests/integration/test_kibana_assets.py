"""The Kibana saved objects (deploy/kibana/newsflow.ndjson) against the real index: every field they use
is in the index mapping (and aggregatable where they aggregate, sort or time-filter on it), each
visualization's aggregation finds the SaudiNewsNet sample, each saved search is free text that selects
exactly the articles it should (through the node's newsflow-analysis plugin), and the dashboard shows
the visualizations of the file. Kibana cannot run here, so tests.kibana rebuilds
its requests; the sample is indexed the way the index agent writes it, without Kafka."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch

from streams.enrich.enricher import EnrichmentContext
from streams.enrich.spellings import default_spellings
from streams.pipeline.process import offline_documents, process_raw
from streams.records import RawArticle
from streams.retry import Retrier
from streams.settings import ElasticsearchSettings, Settings
from streams.sink.analysis import index_has_server_analysis
from streams.sink.elasticsearch import BulkIndexer
from streams.sources.files import read_paths
from streams.text.normalize import matching_key
from streams.text.stemming import stem_text
from tests.conftest import SAUDI_SAMPLE
from tests.kibana import SavedObject, aggregation_request, field_uses, free_text_query, load

pytestmark = pytest.mark.integration

ARTICLES = 300
NUMERIC = {"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long"}
AGGREGATABLE = frozenset({"keyword", "date", "date_nanos", "boolean", *NUMERIC})
DEFAULT_PREFIX: str = ElasticsearchSettings.model_fields["index_prefix"].default
OBJECTS = load()
Documents = list[tuple[str, dict[str, Any]]]


def of_type(kind: str) -> list[SavedObject]:
    return [obj for obj in OBJECTS if obj.type == kind]


def object_id(obj: SavedObject) -> str:
    return obj.id


(DATA_VIEW,) = of_type("index-pattern")
(DASHBOARD,) = of_type("dashboard")
SEARCHES = of_type("search")
VISUALIZATIONS = of_type("visualization")


def index_pattern(settings: Settings) -> str:
    """The data view's title for this test's index prefix (the file is written for the default prefix)."""
    assert DATA_VIEW.title.startswith(f"{DEFAULT_PREFIX}-")
    return settings.elasticsearch.index_prefix + DATA_VIEW.title.removeprefix(DEFAULT_PREFIX)


def mapped_type(properties: dict[str, Any], field: str) -> str | None:
    """The mapped type of a dotted field, multi-fields (``title.raw``) included; None if unmapped or an object."""
    node: dict[str, Any] = {"properties": properties}
    for part in field.split("."):
        children = {**node.get("properties", {}), **node.get("fields", {})}
        if part not in children:
            return None
        node = children[part]
    kind = node.get("type")
    return str(kind) if kind is not None else None


def values(node: Any, path: list[str]) -> list[Any]:
    """The values at a dotted path of a document, through arrays of objects (as Elasticsearch flattens them)."""
    if isinstance(node, list):
        return [value for item in node for value in values(item, path)]
    if not path:
        return [] if node is None else [node]
    return values(node.get(path[0]), path[1:]) if isinstance(node, dict) else []


def docs_per_value(documents: Documents, field: str) -> Counter[Any]:
    """How many documents hold each value of ``field``: what a terms bucket counts."""
    return Counter(value for _, doc in documents for value in set(values(doc, field.split("."))))


@pytest.fixture(scope="module")
def documents(context: EnrichmentContext) -> Documents:
    """The first SaudiNewsNet articles as the index agent writes them: parse + enrich, story, document."""
    settings = Settings()
    raws = (item for item in read_paths([SAUDI_SAMPLE], settings.inputs.jsonl_fields) if isinstance(item, RawArticle))
    written = offline_documents(
        (process_raw(raw, context) for raw in itertools.islice(raws, ARTICLES)), settings, datetime.now(UTC), False
    )
    assert len(written) == ARTICLES
    return written


@pytest.fixture
async def indexed(settings: Settings, es: AsyncElasticsearch, documents: Documents) -> str:
    """This test's index holding the sample; returns the data view's pattern for it."""
    assert await index_has_server_analysis(es, settings.elasticsearch.articles_alias), (
        "the node lacks the newsflow-analysis plugin"
    )
    outcome = await BulkIndexer(
        es, settings.elasticsearch.articles_alias, settings.sink, Retrier(settings.retry.backoff)
    ).write(documents, refresh=True)
    assert not outcome.rejected
    assert len(outcome.indexed) == len(documents)
    return index_pattern(settings)


async def test_data_view_pattern_covers_exactly_the_article_index(settings: Settings, es: AsyncElasticsearch) -> None:
    behind_pattern = await es.indices.get(index=index_pattern(settings))
    behind_alias = await es.indices.get_alias(name=settings.elasticsearch.articles_alias)
    assert set(behind_pattern) == set(behind_alias) == {f"{settings.elasticsearch.articles_alias}-000001"}


@pytest.mark.parametrize("obj", [o for o in OBJECTS if o.type != "dashboard"], ids=object_id)
async def test_fields_are_in_the_index_mapping(obj: SavedObject, settings: Settings, es: AsyncElasticsearch) -> None:
    uses = field_uses(obj)
    assert uses
    if obj.type == "search":
        assert not any(use.role == "query" for use in uses), "a saved search is free text, with no field names"
    mappings = await es.indices.get_mapping(index=index_pattern(settings))
    (mapping,) = mappings.values()
    properties = mapping["mappings"]["properties"]
    for use in uses:
        kind = mapped_type(properties, use.field)
        assert kind is not None, f"{use.role} field {use.field!r} is not in the index mapping"
        if use.aggregatable:
            assert kind in AGGREGATABLE, f"{use.role} field {use.field!r} is {kind}, which cannot be aggregated on"


@pytest.mark.parametrize("obj", OBJECTS, ids=object_id)
def test_references_point_at_objects_of_the_file(obj: SavedObject) -> None:
    present = {(o.type, o.id) for o in OBJECTS}
    for ref in obj.references:
        assert (ref.type, ref.id) in present, f"{ref.name} -> missing {ref.type} {ref.id}"
    if obj.type in {"search", "visualization"}:
        view = obj.data_view()
        assert (view.type, view.id) == ("index-pattern", DATA_VIEW.id)


def test_dashboard_shows_every_visualization_once() -> None:
    panels = [(ref.type, ref.id) for ref in DASHBOARD.panels()]
    assert sorted(panels) == sorted(("visualization", vis.id) for vis in VISUALIZATIONS)


@pytest.mark.parametrize("vis", VISUALIZATIONS, ids=object_id)
async def test_visualization_buckets_match_the_documents(
    vis: SavedObject, indexed: str, es: AsyncElasticsearch, documents: Documents
) -> None:
    request = aggregation_request(vis)
    ((agg_id, node),) = request.items()
    ((agg_type, body),) = ((k, v) for k, v in node.items() if k != "aggs")
    response = await es.search(index=indexed, size=0, aggs=request)
    buckets = response["aggregations"][agg_id]["buckets"]
    assert buckets
    per_value = docs_per_value(documents, body["field"])
    if agg_type == "date_histogram":
        assert sum(b["doc_count"] for b in buckets) == sum(per_value.values())
    else:
        expected = {value: n for value, n in per_value.items() if n >= body.get("min_doc_count", 1)}
        assert buckets[0]["doc_count"] == max(expected.values())
        assert all(expected.get(b["key"]) == b["doc_count"] for b in buckets)


async def test_story_panel_lists_only_stories_with_copies(indexed: str, es: AsyncElasticsearch) -> None:
    (vis,) = [v for v in VISUALIZATIONS if any(a["params"].get("field") == "story_id" for a in v.aggs())]
    request = aggregation_request(vis)
    response = await es.search(index=indexed, size=0, aggs=request)
    buckets = response["aggregations"][next(iter(request))]["buckets"]
    assert buckets
    assert all(bucket["doc_count"] >= 2 for bucket in buckets)


def stems(document: dict[str, Any]) -> list[str]:
    """The stems of each default field of a document (title, lead, body), space-separated."""
    return [stem_text(document[field] or "") for field in ("title", "lead", "body")]


@pytest.mark.parametrize("search", SEARCHES, ids=object_id)
async def test_saved_search_is_free_text_that_selects_the_right_articles(
    search: SavedObject, indexed: str, es: AsyncElasticsearch, documents: Documents
) -> None:
    query = search.search_source()["query"]
    assert query["language"] == "kuery"
    response = await es.search(
        index=indexed,
        query=free_text_query(query["query"]),
        sort=[{field: {"order": order}} for field, order in search.attributes["sort"]],
        size=len(documents),
        source=False,
    )
    text = query["query"].strip('"')
    if query["query"].startswith('"'):  # a phrase: its stems in a row, in one field
        expected = {i for i, doc in documents if any(f" {stem_text(text)} " in f" {s} " for s in stems(doc))}
    else:  # any of its words, in any spelling or with clitics
        wanted = set(stem_text(text).split())
        expected = {i for i, doc in documents if any(wanted & set(s.split()) for s in stems(doc))}
    assert 0 < len(expected) < len(documents)
    assert {hit["_id"] for hit in response["hits"]["hits"]} == expected
    as_typed = re.compile(rf"(?<!\w){re.escape(text)}(?!\w)")
    written = {i for i, doc in documents if any(as_typed.search(doc[f] or "") for f in ("title", "lead", "body"))}
    assert expected - written  # it finds articles that write the words otherwise (spelling, clitics)


@pytest.mark.parametrize("array", ["entities", "tags"])
async def test_label_charts_group_as_the_matching_keys_do(
    array: str, indexed: str, es: AsyncElasticsearch, documents: Documents
) -> None:
    """Kibana charts entities and tags by ``label`` (readable); newsflow groups by ``key``. On the top
    buckets both must give the same groups: one key per label and one label per key, and each label
    is written in its usual spelling, never as a matching key."""
    (vis,) = [v for v in VISUALIZATIONS if any(a["params"].get("field") == f"{array}.label" for a in v.aggs())]
    request = aggregation_request(vis)
    response = await es.search(index=indexed, size=0, aggs=request)
    labels = [b["key"] for b in response["aggregations"][next(iter(request))]["buckets"]]
    pairs = {(item["key"], item["label"]) for _, doc in documents for item in doc[array] if item["label"] in labels}
    keys_of = Counter(label for _, label in pairs)
    labels_of = Counter(key for key, _ in pairs)
    assert len(labels) >= 10
    assert max(keys_of.values()) == 1, pairs
    assert max(labels_of.values()) == 1, pairs
    for key, label in pairs:
        assert matching_key(label) == key
        assert default_spellings().label(label) == label or array == "tags"  # keyphrases keep their writing
    by_key = await es.search(index=indexed, size=0, aggs={"k": {"terms": {"field": f"{array}.key", "size": 10}}})
    key_counts = {b["key"]: b["doc_count"] for b in by_key["aggregations"]["k"]["buckets"]}
    label_counts = dict(
        zip(labels, [b["doc_count"] for b in response["aggregations"][next(iter(request))]["buckets"]], strict=True)
    )
    for key, label in pairs:
        if key in key_counts:
            assert label_counts[label] == key_counts[key]
