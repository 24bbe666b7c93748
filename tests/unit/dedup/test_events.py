from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from streams.dedup.entries import text_event_sketch
from streams.dedup.event_records import EventSketch
from streams.dedup.events import EventIndex
from streams.dedup.options import EventOptions
from streams.pipeline.options import event_options
from streams.settings import Settings

pytestmark = pytest.mark.unit

T0 = datetime(2015, 7, 21, 8, 0, tzinfo=UTC)
OPTIONS = event_options(Settings())  # the shipped thresholds
# three wordings of one incident, and other news of the same day
ATTACK = (
    "مقتل جنديين في قصف حوثي على نجران",
    "قتل جنديان سعوديان اليوم إثر سقوط مقذوفات أطلقتها ميليشيات الحوثي على مواقع في منطقة نجران",
)
ATTACK_2 = (
    "استشهاد جنديين بمقذوفات حوثية على نجران",
    "استشهد جنديان إثر سقوط مقذوفات عسكرية أطلقتها ميليشيات الحوثي من داخل الأراضي اليمنية على نجران",
)
ATTACK_3 = (
    "الدفاع المدني: مقذوفات الحوثي على نجران تقتل جنديين",
    "أعلن الدفاع المدني أن جنديين قتلا في سقوط مقذوفات أطلقها الحوثي على مواقع حدودية في نجران",
)
MATCH = (
    "الأهلي يفوز على الهلال بثلاثة أهداف",
    "فاز فريق الأهلي على منافسه الهلال بثلاثة أهداف مقابل هدف في المباراة التي أقيمت مساء أمس على ملعب الجوهرة",
)
MARKET = (
    "الأسهم السعودية تغلق على ارتفاع",
    "أغلق مؤشر سوق الأسهم السعودية تعاملات اليوم مرتفعا بدعم من قطاع المصارف والبتروكيماويات",
)

MakeSketch = Callable[..., EventSketch]


@pytest.fixture
def make_sketch() -> MakeSketch:
    """Factory: the sketch of (title, lead) as streams.dedup.entries builds it, fields overridable."""

    def make(text: tuple[str, str], at: datetime = T0, **overrides: object) -> EventSketch:
        return dataclasses.replace(text_event_sketch(text[0], [text[1]], "ar", at), **overrides)  # type: ignore[arg-type]

    return make


ENGLISH = {
    "attack": (
        "Two soldiers killed as rebels shell border town",
        "Two soldiers were killed on Tuesday when rebel shells hit army posts near the border town of Najran, "
        "the civil defence said, adding that the wounded were taken to hospital.",
    ),
    "attack_2": (
        "Rebel shelling kills two soldiers near Najran",
        "Shells fired by rebels across the border killed two soldiers at army posts near Najran on Tuesday, "
        "according to the civil defence, which said the wounded were in hospital.",
    ),
    "attack_3": (
        "Civil defence: two soldiers die in border shelling",
        "The civil defence said two soldiers died when rebel shells struck army posts close to the border town "
        "of Najran; the wounded were taken to hospital.",
    ),
    "match": (
        "Chelsea beat Arsenal three goals to one",
        "Chelsea beat Arsenal three goals to one on Saturday evening at Stamford Bridge, with two goals from "
        "the striker and one from the midfielder in the second half.",
    ),
    "market": (
        "Shares close higher on bank gains",
        "The stock index closed higher on Monday, led by banks and petrochemical companies, as trading volumes rose.",
    ),
}
ARABIC = {"attack": ATTACK, "attack_2": ATTACK_2, "attack_3": ATTACK_3, "match": MATCH, "market": MARKET}


@pytest.mark.parametrize(("language", "texts"), [("ar", ARABIC), ("en", ENGLISH)])
def test_wordings_of_one_incident_share_an_event_and_other_news_does_not(
    language: str, texts: dict[str, tuple[str, str]]
) -> None:
    def sketch(name: str) -> EventSketch:
        return text_event_sketch(texts[name][0], [texts[name][1]], language, T0)

    index = EventIndex(OPTIONS)
    first = index.apply("a", sketch("attack"), "okaz", None)
    index.apply("m", sketch("match"), "sabq", None)
    index.apply("k", sketch("market"), "aleqt", None)
    second = index.apply("b", sketch("attack_2"), "sabq", None)
    third = index.apply("c", sketch("attack_3"), "alriyadh", None)
    assert first.event_id == second.event_id == third.event_id == "a"
    assert index.event_of("m") == "m"
    assert index.event_of("k") == "k"
    summary = third.changed[0]
    assert (summary.event_id, summary.article_count, summary.outlets) == ("a", 3, ("alriyadh", "okaz", "sabq"))
    assert summary.label in {texts[name][0] for name in ("attack", "attack_2", "attack_3")}
    assert summary.revision == 3


def test_shared_entities_add_to_the_score(make_sketch: MakeSketch) -> None:
    plain, named = EventIndex(OPTIONS), EventIndex(OPTIONS)
    for index, entities in ((plain, ()), (named, ("نجران", "الحوثي"))):
        index.apply("a", make_sketch(ATTACK, entities=entities), "okaz", None)
    scores = [
        index.apply("b", make_sketch(ATTACK_3, entities=entities), "sabq", None).similarity
        for index, entities in ((plain, ()), (named, ("نجران", "الحوثي")))
    ]
    assert scores[1] == pytest.approx(scores[0] + 2 * OPTIONS.entity_weight, abs=1e-3)


def test_a_copy_joins_its_representatives_event(make_sketch: MakeSketch) -> None:
    index = EventIndex(OPTIONS)
    index.apply("a", make_sketch(MATCH), "okaz", None)
    copy = index.apply("b", make_sketch(MARKET), "sabq", "a")  # the story stage says b copies a
    assert (copy.event_id, copy.similarity) == ("a", 1.0)


def test_a_redelivery_changes_nothing(make_sketch: MakeSketch) -> None:
    index = EventIndex(OPTIONS)
    first = index.apply("a", make_sketch(ATTACK), "okaz", None)
    again = index.apply("a", make_sketch(ATTACK), "okaz", None)
    assert (again.event_id, again.changed) == ("a", first.changed)  # the same summary, to write again
    assert index.events["a"].count == 1


def test_an_event_takes_no_articles_after_its_gap_or_span(make_sketch: MakeSketch) -> None:
    index = EventIndex(OPTIONS)
    index.apply("a", make_sketch(ATTACK), "okaz", None)
    late = index.apply("b", make_sketch(ATTACK_2, at=T0 + timedelta(hours=30)), "sabq", None)
    assert late.event_id == "b"  # the gap closed "a": a new event, not a longer one
    spanning = EventIndex(OPTIONS)
    for hours in range(0, 96, 12):  # a topic reported every 12 hours for four days
        spanning.apply(f"s{hours}", make_sketch(ATTACK, at=T0 + timedelta(hours=hours)), "okaz", None)
    assert spanning.event_of("s0") == "s0"
    assert spanning.event_of("s84") != "s0"


def words(*stems: int, at: datetime = T0) -> EventSketch:
    """A sketch of explicit stems (one each), to place articles exactly."""
    return EventSketch(title=f"title {stems}", at=at, terms=tuple((s, 1) for s in stems), title_terms=stems)


def test_a_bridging_article_merges_similar_events_and_old_ids_resolve() -> None:
    index = EventIndex(EventOptions(0.6, 0.3, 0.0, timedelta(hours=24), timedelta(hours=72), timedelta(days=7)))
    index.apply("a", words(1, 2, 3, 4), "okaz", None)
    index.apply("b", words(3, 4, 5, 6, at=T0 + timedelta(minutes=1)), "sabq", None)  # about 0.5 to a: its own
    assert index.event_of("b") == "b"
    bridge = index.apply("c", words(1, 2, 3, 4, 5, 6, at=T0 + timedelta(minutes=2)), "alriyadh", None)
    assert bridge.event_id == "a"  # above 0.6 to both; equal sizes: the older survives
    assert index.resolve("b") == "a"
    assert index.event_of("b") == index.event_of("c") == "a"
    summaries = {s.event_id: s for s in bridge.changed}
    assert summaries["b"].merged_into == "a"
    assert summaries["a"].merged_ids == ("b",)
    assert summaries["a"].article_count == 3
    assert "b" not in index.open
    assert "b" not in index.postings.get(5, set())  # b is no candidate any more


def test_a_merge_needs_the_stricter_test() -> None:
    index = EventIndex(EventOptions(0.6, 0.9, 0.0, timedelta(hours=24), timedelta(hours=72), timedelta(days=7)))
    index.apply("a", words(1, 2, 3, 4), "okaz", None)
    index.apply("b", words(3, 4, 5, 6), "sabq", None)
    bridge = index.apply("c", words(1, 2, 3, 4, 5, 6), "alriyadh", None)  # joins one; a and b stay apart
    assert bridge.event_id in ("a", "b")
    assert index.event_of("a") == "a"
    assert index.event_of("b") == "b"
    assert index.aliases == {}
    assert len(bridge.changed) == 1


def test_old_articles_and_events_are_forgotten(make_sketch: MakeSketch) -> None:
    index = EventIndex(OPTIONS)
    index.apply("a", make_sketch(ATTACK), "okaz", None)
    index.apply("b", make_sketch(MATCH, at=T0 + timedelta(days=8)), "okaz", None)
    assert index.event_of("a") is None
    assert "a" not in index.events
    assert len(index) == 1


def test_state_round_trips_to_the_same_answers(make_sketch: MakeSketch) -> None:
    texts = [ATTACK, MATCH, ATTACK_2, MARKET, ATTACK_3]
    whole = EventIndex(OPTIONS)
    for n, text in enumerate(texts[:3]):
        whole.apply(f"d{n}", make_sketch(text, at=T0 + timedelta(minutes=n)), "okaz", None)
    restored = EventIndex.from_state(OPTIONS, orjson.loads(orjson.dumps(whole.state())))
    for n, text in enumerate(texts[3:], start=3):
        sketch = make_sketch(text, at=T0 + timedelta(minutes=n))
        assert restored.apply(f"d{n}", sketch, "sabq", None) == whole.apply(f"d{n}", sketch, "sabq", None)
    assert restored.state() == whole.state()
