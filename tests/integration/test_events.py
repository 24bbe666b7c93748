"""Events across workers and in the events index: wordings of one incident from several outlets, produced
onto different partitions and consumed by two workers, end in one event with one summary; merged event
ids resolve to the survivor on the real index, and an older summary never overwrites a newer one."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch

from streams.dedup.event_records import EventSketch
from streams.dedup.events import EventIndex
from streams.dedup.options import EventOptions
from streams.records import RawArticle
from streams.retry import Retrier
from streams.settings import Settings
from streams.sink.elasticsearch import BulkIndexer
from streams.sink.events import ensure_events_index, event_document, event_members, largest_events
from streams.sources.inputs import stable_id
from tests.integration.conftest import documents_when_all_indexed, produce_to_partitions, wait_for

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)
WORDINGS = {  # outlet -> (title, body): one incident
    "okaz": (
        "مقتل جنديين بمقذوفات حوثية على نجران",
        "قتل جنديان سعوديان اليوم إثر سقوط مقذوفات عسكرية أطلقتها ميليشيات الحوثي من داخل الأراضي اليمنية "
        "على مواقع حدودية في منطقة نجران، وأعلن الدفاع المدني أن فرقه باشرت الموقع ونقلت المصابين إلى المستشفى.",
    ),
    "sabq": (
        "استشهاد جنديين بمقذوفات حوثية في نجران",
        "استشهد جنديان في منطقة نجران إثر سقوط مقذوفات أطلقتها ميليشيات الحوثي من الأراضي اليمنية على مواقع "
        "حدودية، وقال الدفاع المدني إن فرقه نقلت المصابين إلى المستشفى وباشرت الموقع.",
    ),
    "alriyadh": (
        "الدفاع المدني: مقذوفات الحوثي على نجران تقتل جنديين",
        "أعلن الدفاع المدني أن جنديين قتلا في سقوط مقذوفات أطلقتها ميليشيات الحوثي على مواقع حدودية في منطقة "
        "نجران، وأن فرقه نقلت المصابين إلى المستشفى.",
    ),
}
OTHER = (
    "الأهلي يفوز على الهلال بثلاثة أهداف",
    "فاز فريق الأهلي على منافسه الهلال بثلاثة أهداف مقابل هدف في المباراة التي أقيمت مساء أمس على ملعب الجوهرة "
    "المشعة في جدة، وسجل أهداف الأهلي لاعب الوسط والمهاجم في الشوطين.",
)


def article(outlet: str, title: str, body: str) -> RawArticle:
    url = f"https://{outlet}.example/{stable_id(content=title)}"
    return RawArticle(
        id=stable_id(url=url),
        format="record",
        content=body,
        fetched_at=NOW,
        origin="test",
        title=title,
        url=url,
        source_name=outlet,
        language="ar",
    )


@pytest.mark.settings(topic_partitions=2)
@pytest.mark.timeout(300)
async def test_wordings_on_different_partitions_and_workers_end_in_one_event(
    settings: Settings, es: AsyncElasticsearch, worker_factory: Callable[[], subprocess.Popen[bytes]]
) -> None:
    reports = [article(outlet, *text) for outlet, text in WORDINGS.items()]
    other = article("alwatan", *OTHER)
    placed = [(reports[0], 0), (other, 1), (reports[1], 1), (reports[2], 0)]
    worker_factory()
    worker_factory()
    produce_to_partitions(settings, placed)
    docs = await documents_when_all_indexed(es, settings, len(placed))
    assert len({docs[r.id]["story_id"] for r in reports}) == 3  # three wordings: three stories ...
    events = {docs[r.id]["event_id"] for r in reports}
    assert len(events) == 1  # ... of one event
    (event_id,) = events
    assert event_id in {r.id for r in reports}
    assert docs[other.id]["event_id"] == other.id

    async def summary() -> list[dict[str, Any]] | None:
        await es.indices.refresh(index=settings.elasticsearch.events_index)
        found = await largest_events(es, settings, NOW - timedelta(days=1), 10)
        return found if found and found[0]["article_count"] == len(reports) else None

    largest, *rest = await wait_for(summary, timeout=60)
    assert largest["event_id"] == event_id
    assert largest["outlets"] == sorted(WORDINGS)
    assert largest["label"] in {title for title, _ in WORDINGS.values()}
    assert largest["revision"] == len(reports)
    assert [(e["event_id"], e["article_count"]) for e in rest] == [(other.id, 1)]


def words(*stems: int, minutes: int) -> EventSketch:
    return EventSketch(f"t{stems}", NOW + timedelta(minutes=minutes), tuple((s, 1) for s in stems), stems)


async def test_merged_events_resolve_and_older_summaries_never_win(settings: Settings, es: AsyncElasticsearch) -> None:
    index = EventIndex(EventOptions(0.6, 0.3, 0.0, timedelta(hours=24), timedelta(hours=72), timedelta(days=7)))
    opened = [index.apply("a", words(1, 2, 3, 4, minutes=0), "okaz", None)]
    opened.append(index.apply("b", words(3, 4, 5, 6, minutes=1), "sabq", None))
    bridge = index.apply("c", words(1, 2, 3, 4, 5, 6, minutes=2), "alriyadh", None)
    assert index.resolve("b") == "a"  # the bridging article merged b into a
    await ensure_events_index(es, settings)
    writer = BulkIndexer(es, settings.elasticsearch.events_index, settings.sink, Retrier(settings.retry.backoff))
    summaries = [s for answer in (*opened, bridge) for s in answer.changed]
    for batch in (summaries[2:], summaries[:2]):  # the newest first, then the older revisions
        written = await writer.write(
            [(s.event_id, event_document(s)) for s in batch], versions={s.event_id: s.revision for s in batch}
        )
        assert sorted(written.indexed) == sorted(s.event_id for s in batch)  # a stale write is a conflict: done
    await es.indices.refresh(index=settings.elasticsearch.events_index)

    stored = {e: (await es.get(index=settings.elasticsearch.events_index, id=e))["_source"] for e in ("a", "b")}
    assert (stored["a"]["article_count"], stored["a"]["merged_ids"]) == (3, ["b"])
    assert stored["b"]["merged_into"] == "a"
    assert await event_members(es, settings, "b") == ("a", "b")
    assert await event_members(es, settings, "a") == ("a", "b")
    assert await event_members(es, settings, "unknown") == ("unknown",)
    assert [e["event_id"] for e in await largest_events(es, settings, None, 10)] == ["a"]
