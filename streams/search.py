"""Search over the article alias, for the CLI and the worker's HTTP endpoint.

Queries get what documents got: the matching key (so ``الولایات``/``الولايات`` are one word) and light
stems (streams.text.stemming, so ``للولايات`` finds ``الولايات``). On an index with server-side analysis
(streams.sink.analysis) the node applies both to ``title``/``body`` and their ``.stem`` subfields, as it does
for Kibana's queries; otherwise newsflow normalizes the query itself for the ``*_key``/``*_stem``
copies. The query is the same either way. Text in double quotes is an exact phrase (on the key); the
rest must all match, by key or by stem, and an exact match of the whole query ranks first. Filters
narrow by source, language, date (published, else fetched; a range or one UTC day), entity, tag, story
and event (an event's articles also include those of events merged into it, oldest first); facets count
the top entities, tags and sources of the matches, and the matches per UTC day (a timeline): entities and
tags are grouped by their matching key and shown
by their label (the label of the key's entry in one matching document, since ``entities``/``tags`` are
plain object arrays).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch

from streams.settings import Settings
from streams.sink.analysis import index_has_server_analysis
from streams.sink.events import event_members
from streams.text.normalize import matching_key
from streams.text.stemming import stem_text

SNIPPET_CHARS = 200
FACET_SIZE = 10
TIMELINE_DAYS = 30  # the newest days with matches that the per-day counts keep
# facet -> (field grouped by, the object array holding the label of each group; None: the value is the label)
FACETS: dict[str, tuple[str, str | None]] = {
    "entities": ("entities.key", "entities"),
    "tags": ("tags.key", "tags"),
    "sources": ("source.name", None),
}
# matches per UTC day (the ``day`` filter's days)
DAYS_AGGREGATION = {
    "date_histogram": {"field": "date", "calendar_interval": "day", "min_doc_count": 1, "format": "yyyy-MM-dd"}
}
_PHRASE = re.compile(r'"([^"]+)"')


@dataclass(frozen=True, slots=True)
class SearchFilters:
    source: str | None = None
    language: str | None = None
    since: date | None = None  # on the document's ``date``: published, else fetched
    until: date | None = None
    day: date | None = None  # one UTC day, as the per-day counts group them
    entity: str | None = None
    tag: str | None = None
    story: str | None = None
    event: str | None = None  # an event id: its articles, also those of events merged into it
    event_ids: tuple[str, ...] = ()  # what ``event`` stands for (``search`` looks it up)

    def clauses(self) -> list[dict[str, Any]]:
        terms = {
            "source.name": self.source,
            "language": self.language,
            "entities.key": matching_key(self.entity) if self.entity else None,
            "tags.key": matching_key(self.tag) if self.tag else None,  # as the facet counts it
            "story_id": self.story,
        }
        clauses: list[dict[str, Any]] = [{"term": {name: value}} for name, value in terms.items() if value]
        if self.event:
            clauses.append({"terms": {"event_id": list(self.event_ids or (self.event,))}})
        if self.since or self.until:
            bounds = {"gte": self.since.isoformat() if self.since else None}
            bounds["lte"] = self.until.isoformat() if self.until else None
            clauses.append({"range": {"date": {k: v for k, v in bounds.items() if v}}})
        if self.day:
            next_day = self.day + timedelta(days=1)
            clauses.append({"range": {"date": {"gte": self.day.isoformat(), "lt": next_day.isoformat()}}})
        return clauses


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: str
    score: float
    title: str
    source: str | None
    date: str | None
    snippet: str
    story_id: str | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # matches per UTC day (YYYY-MM-DD, oldest first): the newest TIMELINE_DAYS days that have any
    days: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TextFields:
    """Where the key and the stems of title and body are searched, and what the query sends them."""

    title_key: str
    body_key: str
    title_stem: str
    body_stem: str
    server: bool  # the node analyzes the written query; else newsflow sends the key and the stems

    def key(self, text: str) -> str:
        return text if self.server else matching_key(text)

    def stems(self, text: str) -> str:
        return text if self.server else stem_text(text)


KEY_FIELDS = TextFields("title_key", "body_key", "title_stem", "body_stem", server=False)
SERVER_FIELDS = TextFields("title", "body", "title.stem", "body.stem", server=True)


def text_query(text: str, fields: TextFields = KEY_FIELDS) -> dict[str, Any] | None:
    """The relevance part of a query, or None when there is no text (filters only)."""
    phrases = [fields.key(p) for p in _PHRASE.findall(text) if matching_key(p)]
    rest = _PHRASE.sub(" ", text)
    must: list[dict[str, Any]] = [
        {
            "bool": {
                "should": [{"match_phrase": {f: p}} for f in (fields.title_key, fields.body_key)],
                "minimum_should_match": 1,
            }
        }
        for p in phrases
    ]
    if matching_key(rest):
        key_fields = [f"{fields.title_key}^3", fields.body_key]
        by_key = {"multi_match": {"query": fields.key(rest), "fields": key_fields, "operator": "and"}}
        stem_fields = [f"{fields.title_stem}^2", fields.body_stem]
        by_stem = {"multi_match": {"query": fields.stems(rest), "fields": stem_fields, "operator": "and"}}
        must.append({"bool": {"should": [by_key, by_stem], "minimum_should_match": 1}})
    if not must:
        return None
    whole = fields.key(_PHRASE.sub(r"\1", text))
    ranking = [
        {"match_phrase": {fields.title_key: {"query": whole, "boost": 4}}},
        {"match_phrase": {fields.body_key: {"query": whole, "boost": 2}}},
    ]
    return {"bool": {"must": must, "should": ranking}}


def _highlight(text: str, fields: TextFields) -> dict[str, Any]:
    if fields.server:  # offsets point into the written body: the variants the query matched are marked there
        body = {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 1, "matched_fields": ["body", "body.stem"]}
        return {"body": body}
    return {
        # The displayed body where the query's own spelling occurs, else the normalized key.
        "body": {
            "fragment_size": SNIPPET_CHARS,
            "number_of_fragments": 1,
            "highlight_query": {"match": {"body": _PHRASE.sub(r"\1", text) or "*"}},
        },
        "body_key": {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 1},
    }


def build_query(
    text: str,
    filters: SearchFilters | None = None,
    size: int = 10,
    facets: bool = True,
    fields: TextFields = KEY_FIELDS,
) -> dict[str, Any]:
    relevance = text_query(text, fields)
    query: dict[str, Any] = {"bool": {"filter": (filters or SearchFilters()).clauses()}}
    query["bool"]["must"] = [relevance] if relevance else [{"match_all": {}}]
    body: dict[str, Any] = {
        "size": size,
        "track_total_hits": True,
        "query": query,
        "highlight": {"pre_tags": ["«"], "post_tags": ["»"], "fields": _highlight(text, fields)},
        "_source": ["id", "title", "source", "published_at", "fetched_at", "lead", "story_id", "event_id"],
    }
    if relevance is None:  # newest first; an event's articles in the order they happened
        body["sort"] = [{"date": {"order": "asc" if filters and filters.event else "desc"}}, "_doc"]
    if facets:
        body["aggs"] = {name: facet_aggregation(field, array) for name, (field, array) in FACETS.items()}
        body["aggs"]["days"] = DAYS_AGGREGATION
    return body


def facet_aggregation(field: str, array: str | None) -> dict[str, Any]:
    terms: dict[str, Any] = {"terms": {"field": field, "size": FACET_SIZE}}
    if array is not None:
        terms["aggs"] = {"example": {"top_hits": {"size": 1, "_source": [f"{array}.key", f"{array}.label"]}}}
    return terms


def facet_label(bucket: dict[str, Any], array: str | None) -> str:
    """The label of a facet bucket: the label of the bucket key's entry in one matching document."""
    key = str(bucket["key"])
    if array is None:
        return key
    for hit in bucket["example"]["hits"]["hits"]:
        for item in hit["_source"].get(array) or []:
            if item.get("key") == key and item.get("label"):
                return str(item["label"])
    return key


def to_hit(raw: dict[str, Any]) -> SearchHit:
    source = raw["_source"]
    highlight = raw.get("highlight", {})
    fragments = highlight.get("body") or highlight.get("body_key") or [(source.get("lead") or "")[:SNIPPET_CHARS]]
    return SearchHit(
        id=raw["_id"],
        score=float(raw.get("_score") or 0.0),
        title=source.get("title", ""),
        source=(source.get("source") or {}).get("name"),
        date=source.get("published_at") or source.get("fetched_at"),
        snippet=fragments[0],
        story_id=source.get("story_id"),
        event_id=source.get("event_id"),
    )


async def search(
    client: AsyncElasticsearch,
    settings: Settings,
    text: str,
    filters: SearchFilters | None = None,
    size: int = 10,
    facets: bool = True,
) -> SearchResult:
    server = await index_has_server_analysis(client, settings.elasticsearch.articles_alias)
    if filters is not None and filters.event:
        filters = replace(filters, event_ids=await event_members(client, settings, filters.event))
    body = build_query(text, filters, size, facets, SERVER_FIELDS if server else KEY_FIELDS)
    response = await client.search(index=settings.elasticsearch.articles_alias, **body)
    aggregations = response.get("aggregations") or {}
    return SearchResult(
        total=int(response["hits"]["total"]["value"]),
        hits=[to_hit(hit) for hit in response["hits"]["hits"]],
        facets={
            name: [(facet_label(b, array), int(b["doc_count"])) for b in aggregations[name]["buckets"]]
            for name, (_, array) in FACETS.items()
            if name in aggregations
        },
        days=[
            (str(b["key_as_string"]), int(b["doc_count"]))
            for b in (aggregations.get("days") or {}).get("buckets", [])[-TIMELINE_DAYS:]
        ],
    )


async def search_articles(client: AsyncElasticsearch, settings: Settings, text: str, size: int = 10) -> list[SearchHit]:
    """Just the hits of a text search (no filters, no facets)."""
    return (await search(client, settings, text, size=size, facets=False)).hits
