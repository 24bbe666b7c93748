"""A reindexed document: today's enrichment with the live document's story fields, links and index time
(streams.jobs.reindex). The story log decided those; re-running it would only redo the same."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from streams.dedup.event_records import EventAssignment
from streams.dedup.story_records import StoryAssignment
from streams.records import EnrichedArticle
from streams.sink.documents import to_document, with_key_fields

STORY_FIELDS = (
    "story_id",
    "duplicate_of",
    "similarity",
    "seen_count",
    "first_seen",
    "last_seen",
    "sources",
    "event_id",
    "event_similarity",
)


def merged_story(*copies: dict[str, Any]) -> dict[str, Any]:
    """Story fields and links of one article from several copies of its document: the story fields of
    the copy that counted most deliveries (then the latest), the links of all (each once, in order)."""
    best = max(copies, key=lambda doc: (doc["seen_count"], doc["last_seen"]))
    links: list[dict[str, str]] = []
    for doc in (best, *copies):
        links += [link for link in doc.get("links", []) if link not in links]
    return {**{name: best[name] for name in STORY_FIELDS if name in best}, "links": links}  # event_* came later


def assignment_of(doc: dict[str, Any]) -> StoryAssignment:
    return StoryAssignment(
        doc_id=doc["id"],
        story_id=doc["story_id"],
        duplicate_of=doc["duplicate_of"],
        similarity=doc["similarity"],
        seen_count=doc["seen_count"],
        first_seen=datetime.fromisoformat(doc["first_seen"]),
        last_seen=datetime.fromisoformat(doc["last_seen"]),
        sources=tuple(doc["sources"]),
        links=tuple((link["headline"], link["id"]) for link in doc.get("links", [])),
        event=EventAssignment(doc["event_id"], doc.get("event_similarity") or 1.0) if doc.get("event_id") else None,
    )


def reenriched(enriched: EnrichedArticle, live: dict[str, Any], key_fields: bool) -> dict[str, Any]:
    """The new document: today's enrichment, the live document's story fields, links and index time."""
    document = to_document(enriched, datetime.fromisoformat(live["indexed_at"]), assignment_of(live))
    return with_key_fields(document) if key_fields else document
