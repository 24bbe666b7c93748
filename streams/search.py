"""Full-text search over the article alias. Queries get the same matching key as documents, so
spelling variants (``الولایات`` / ``الولايات``) find the same articles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from elasticsearch import AsyncElasticsearch

from streams.normalize import matching_key
from streams.settings import Settings

SNIPPET_CHARS = 200


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: str
    score: float
    title: str
    source: str | None
    date: str | None
    snippet: str


def build_query(text: str, size: int = 10) -> dict[str, Any]:
    key = matching_key(text)
    return {
        "size": size,
        "query": {
            "bool": {
                "should": [
                    {"match_phrase": {"title_key": {"query": key, "boost": 4}}},
                    {"match_phrase": {"body_key": {"query": key, "boost": 2}}},
                    {"multi_match": {"query": key, "fields": ["title_key^3", "body_key"], "operator": "and"}},
                ],
                "minimum_should_match": 1,
            }
        },
        "highlight": {
            "pre_tags": ["«"],
            "post_tags": ["»"],
            "fields": {
                # The displayed body where the query's own spelling occurs, else the normalized key.
                "body": {
                    "fragment_size": SNIPPET_CHARS,
                    "number_of_fragments": 1,
                    "highlight_query": {"match": {"body": text}},
                },
                "body_key": {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 1},
            },
        },
        "_source": ["id", "title", "source", "published_at", "fetched_at", "lead"],
    }


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
    )


async def search_articles(client: AsyncElasticsearch, settings: Settings, text: str, size: int = 10) -> list[SearchHit]:
    response = await client.search(index=settings.articles_alias, **build_query(text, size))
    return [to_hit(hit) for hit in response["hits"]["hits"]]
