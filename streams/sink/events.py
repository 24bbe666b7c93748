"""Events as people open them: summaries in the events index (schemas/elasticsearch), written by the index
stage as articles join events, and the queries over it (the largest recent events; the ids an event
stands for after merges, to list its articles)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, NotFoundError

from streams.dedup.event_records import EventSummary
from streams.schemas import events_index_template
from streams.settings import Settings

RECENT = timedelta(days=2)  # what the newsroom page calls recent
MAX_MERGE_HOPS = 20  # a chain of merged_into longer than this is a bug, not data


def event_document(summary: EventSummary) -> dict[str, Any]:
    return {
        "event_id": summary.event_id,
        "revision": summary.revision,
        "label": summary.label,
        "first_seen": summary.first_seen.isoformat(),
        "last_seen": summary.last_seen.isoformat(),
        "article_count": summary.article_count,
        "outlets": list(summary.outlets),
        "entities": list(summary.entities),
        "tags": list(summary.tags),
        "merged_ids": list(summary.merged_ids),
        "merged_into": summary.merged_into,
    }


def newest(summaries: Iterable[EventSummary]) -> list[EventSummary]:
    """The newest summary of each event among ``summaries`` (a batch changes an event many times)."""
    latest: dict[str, EventSummary] = {}
    for summary in summaries:
        known = latest.get(summary.event_id)
        if known is None or summary.revision > known.revision:
            latest[summary.event_id] = summary
    return list(latest.values())


async def ensure_events_index(client: AsyncElasticsearch, settings: Settings) -> None:
    """Install the template and create the index; idempotent."""
    index = settings.elasticsearch.events_index
    await client.indices.put_index_template(
        name=index, **events_index_template(index, settings.elasticsearch.index_replicas)
    )
    if not await client.indices.exists(index=index):
        try:
            await client.indices.create(index=index)
        except ApiError as exc:
            if exc.meta.status != 400 or "resource_already_exists" not in str(exc):
                raise


async def event_members(client: AsyncElasticsearch, settings: Settings, event_id: str) -> tuple[str, ...]:
    """The event ids whose articles belong to ``event_id`` now: the event it was merged into (if it was)
    and every event merged into that one; just ``event_id`` when the index does not know it."""
    current = event_id
    for _ in range(MAX_MERGE_HOPS):
        try:
            found = await client.get(index=settings.elasticsearch.events_index, id=current)
        except NotFoundError:
            return (current,)
        source = found["_source"]
        if not source.get("merged_into"):
            return (current, *source.get("merged_ids", ()))
        current = source["merged_into"]
    raise RuntimeError(f"event {event_id}: merged_into does not end after {MAX_MERGE_HOPS} hops")


async def largest_events(
    client: AsyncElasticsearch, settings: Settings, since: datetime | None, size: int
) -> list[dict[str, Any]]:
    """Events (not merged away) seen since ``since``, the most articles first."""
    filters: list[dict[str, Any]] = [{"bool": {"must_not": {"exists": {"field": "merged_into"}}}}]
    if since is not None:
        filters.append({"range": {"last_seen": {"gte": since.isoformat()}}})
    response = await client.search(
        index=settings.elasticsearch.events_index,
        query={"bool": {"filter": filters}},
        sort=[{"article_count": "desc"}, {"last_seen": "desc"}],
        size=size,
        ignore_unavailable=True,
    )
    return [hit["_source"] for hit in response["hits"]["hits"]]


async def recent_events(
    client: AsyncElasticsearch, settings: Settings, size: int, window: timedelta = RECENT
) -> list[dict[str, Any]]:
    """The largest events of the ``window`` before the newest event's last article (the feed's "now", which
    for a backfill of old articles is not the clock's)."""
    response = await client.search(
        index=settings.elasticsearch.events_index,
        size=0,
        aggs={"newest": {"max": {"field": "last_seen"}}},
        ignore_unavailable=True,
    )
    newest = (response.get("aggregations") or {}).get("newest", {}).get("value")
    if newest is None:
        return []
    since = datetime.fromtimestamp(newest / 1000, UTC) - window
    return await largest_events(client, settings, since, size)
