from __future__ import annotations

from datetime import date
from typing import Any

import orjson
import pytest

from streams.search import KEY_FIELDS, SERVER_FIELDS, SearchFilters, build_query, facet_label, text_query

pytestmark = pytest.mark.unit


def clauses_of(query: dict[str, Any]) -> str:
    return orjson.dumps(query).decode()


def test_words_match_by_key_or_by_stem() -> None:
    query = text_query("للولایات المتحدة")
    assert query is not None
    text = clauses_of(query)
    assert "للولايات المتحده" in text  # the key: Persian yeh and teh marbuta folded
    assert "ولا متحد" in text  # the stems


def test_with_server_analysis_the_node_gets_the_written_query() -> None:
    query = text_query('"كوريا الجنوبية" للولایات', SERVER_FIELDS)
    assert query is not None
    (phrase, words) = query["bool"]["must"]
    assert phrase["bool"]["should"] == [
        {"match_phrase": {"title": "كوريا الجنوبية"}},
        {"match_phrase": {"body": "كوريا الجنوبية"}},
    ]
    by_key, by_stem = words["bool"]["should"]
    assert by_key["multi_match"]["fields"] == ["title^3", "body"]
    assert by_stem["multi_match"]["fields"] == ["title.stem^2", "body.stem"]
    assert by_key["multi_match"]["query"].strip() == by_stem["multi_match"]["query"].strip() == "للولایات"
    assert query["bool"]["should"][0] == {"match_phrase": {"title": {"query": "كوريا الجنوبية للولایات", "boost": 4}}}
    same_shape = text_query('"كوريا الجنوبية" للولایات', KEY_FIELDS)
    assert same_shape is not None
    assert len(same_shape["bool"]["must"]) == 2
    highlight = build_query("للولایات", fields=SERVER_FIELDS)["highlight"]["fields"]
    assert highlight == {
        "body": {"fragment_size": 200, "number_of_fragments": 1, "matched_fields": ["body", "body.stem"]}
    }


def test_quoted_text_is_an_exact_phrase() -> None:
    query = text_query('"كوريا الجنوبية" أوستن')
    assert query is not None
    (phrase, words) = query["bool"]["must"]
    assert phrase["bool"]["should"][0] == {"match_phrase": {"title_key": "كوريا الجنوبيه"}}
    assert "اوستن" in clauses_of(words)
    assert "كوريا" not in clauses_of(words)


def test_filters_use_the_matching_key_for_names_and_tags() -> None:
    filters = SearchFilters(
        source="spa", entity="الولایات المتحدة", tag="كوريا", since=date(2015, 8, 1), until=date(2015, 8, 2)
    )
    body = build_query("", filters)
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert body["sort"][0] == {"date": {"order": "desc"}}
    assert {"term": {"entities.key": "الولايات المتحده"}} in body["query"]["bool"]["filter"]
    assert {"term": {"source.name": "spa"}} in body["query"]["bool"]["filter"]
    assert {"range": {"date": {"gte": "2015-08-01", "lte": "2015-08-02"}}} in body["query"]["bool"]["filter"]
    assert set(body["aggs"]) == {"entities", "tags", "sources", "days"}


def test_a_tag_filter_is_the_tags_key_as_its_facet_counts_it() -> None:
    (clause,) = build_query("", SearchFilters(tag="Defence"))["query"]["bool"]["filter"]
    assert clause == {"term": {"tags.key": "defence"}}


def test_a_day_is_one_utc_day_as_the_day_counts_group_them() -> None:
    body = build_query("", SearchFilters(day=date(2015, 8, 31)))
    assert {"range": {"date": {"gte": "2015-08-31", "lt": "2015-09-01"}}} in body["query"]["bool"]["filter"]
    histogram = body["aggs"]["days"]["date_histogram"]
    assert (histogram["field"], histogram["calendar_interval"], histogram.get("time_zone", "UTC")) == (
        "date",
        "day",
        "UTC",
    )


def test_no_facets_when_not_asked() -> None:
    assert "aggs" not in build_query("x", facets=False)


def test_entity_and_tag_facets_group_by_key_and_show_the_label() -> None:
    aggregation = build_query("x")["aggs"]["entities"]
    assert aggregation["terms"]["field"] == "entities.key"
    bucket = {
        "key": "لويد اوستن",
        "doc_count": 2,
        "example": {
            "hits": {
                "hits": [
                    {
                        "_source": {
                            "entities": [
                                {"key": "الولايات المتحده", "label": "الولايات المتحدة"},
                                {"key": "لويد اوستن", "label": "لويد أوستن"},
                            ]
                        }
                    }
                ]
            }
        },
    }
    assert facet_label(bucket, "entities") == "لويد أوستن"
    assert facet_label({"key": "spa", "doc_count": 1}, None) == "spa"
