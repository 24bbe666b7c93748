from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from streams.dedup.entries import decode_entry, encode_entry
from streams.dedup.sketch import body_tokens, fingerprint, signature
from streams.dedup.stories import StoryIndex
from streams.dedup.story_records import StoryAssignment, StoryEntry
from streams.text.normalize import matching_key

pytestmark = pytest.mark.unit

NUM_PERM = 64  # the default (Settings.dedup_num_perm)
T0 = datetime(2015, 7, 21, 8, 0, tzinfo=UTC)
PARAGRAPHS = (
    "أعلنت وزارة الدفاع الأمريكية أن وزير الدفاع ناقش مع نظيره الكوري الجنوبي الأولويات الدفاعية والأمنية المشتركة.",
    "وقال البيان إن الجانبين بحثا تعزيز التعاون العسكري بين الولايات المتحدة وكوريا الجنوبية في مواجهة التهديدات.",
    "وأكد الوزيران التزامهما بالعمل المشترك من أجل السلام والاستقرار في شبه الجزيرة الكورية والمنطقة كلها.",
    "وأشار البيان إلى أن الاجتماع المقبل سيعقد في سيول خلال الأشهر القادمة لمتابعة ما تم الاتفاق عليه اليوم.",
)
OTHER = (
    "فاز فريق الأهلي على منافسه الهلال بثلاثة أهداف مقابل هدف في المباراة التي أقيمت مساء أمس على ملعب الجوهرة.",
    "وسجل أهداف الأهلي لاعب الوسط في الشوط الأول، قبل أن يضيف المهاجم هدفين في الشوط الثاني من المباراة.",
)

MakeEntry = Callable[..., StoryEntry]


@pytest.fixture
def make_entry() -> MakeEntry:
    """Factory: a StoryEntry for ``paragraphs``, any field overridable."""

    def make(doc_id: str, paragraphs: Sequence[str] = PARAGRAPHS, **overrides: object) -> StoryEntry:
        tokens = body_tokens(paragraphs)
        fields: dict[str, object] = {
            "doc_id": doc_id,
            "delivery": "d1",
            "seen_at": T0,
            "source": "spa",
            "fingerprint": fingerprint(tokens),
            "signature": signature(tokens, NUM_PERM),
            "title_key": matching_key(f"title of {doc_id}"),
        }
        fields.update(overrides)
        return StoryEntry(**fields)  # type: ignore[arg-type]

    return make


def new_index() -> StoryIndex:
    return StoryIndex(threshold=0.5, num_perm=NUM_PERM, window=timedelta(days=7))


def test_first_article_is_its_own_story(make_entry: MakeEntry) -> None:
    story = new_index().apply(make_entry("a"))
    assert (story.story_id, story.duplicate_of, story.similarity, story.seen_count) == ("a", None, 1.0, 1)


def test_exact_copy_from_another_outlet_joins_the_story(make_entry: MakeEntry) -> None:
    index = new_index()
    index.apply(make_entry("a"))
    copy = index.apply(make_entry("b", source="okaz", seen_at=T0 + timedelta(hours=1)))
    assert (copy.story_id, copy.duplicate_of, copy.similarity) == ("a", "a", 1.0)


@pytest.mark.parametrize(
    "edited",
    [
        pytest.param(PARAGRAPHS[:-1], id="dropped-paragraph"),
        pytest.param((*PARAGRAPHS, "وكانت الوزارة قد أعلنت الأسبوع الماضي عن الزيارة."), id="added-paragraph"),
        pytest.param(tuple(p.replace("ي", "ی").replace("أ", "ا") for p in PARAGRAPHS), id="persian-yeh-no-hamza"),
        pytest.param((PARAGRAPHS[0].replace("ناقش", "بحث"), *PARAGRAPHS[1:]), id="one-word-changed"),
    ],
)
def test_near_copy_joins_the_story(make_entry: MakeEntry, edited: Sequence[str]) -> None:
    index = new_index()
    index.apply(make_entry("a"))
    copy = index.apply(make_entry("b", edited))
    assert copy.story_id == "a"
    assert copy.duplicate_of == "a"
    assert 0.5 <= copy.similarity <= 1.0


def test_different_event_is_another_story(make_entry: MakeEntry) -> None:
    index = new_index()
    index.apply(make_entry("a"))
    other = index.apply(make_entry("b", OTHER))
    assert (other.story_id, other.duplicate_of) == ("b", None)


def test_redelivery_counts_and_a_replay_does_not(make_entry: MakeEntry) -> None:
    index = new_index()
    index.apply(make_entry("a"))
    again = index.apply(make_entry("a", delivery="d2", source="feed2", seen_at=T0 + timedelta(hours=3)))
    assert (again.seen_count, again.sources, again.first_seen, again.last_seen) == (
        2,
        ("spa", "feed2"),
        T0,
        T0 + timedelta(hours=3),
    )
    replay = index.apply(make_entry("a", delivery="d2", seen_at=T0 + timedelta(hours=3)))
    assert replay == again
    assert len(index) == 1


def test_stories_outside_the_window_are_forgotten(make_entry: MakeEntry) -> None:
    index = new_index()
    index.apply(make_entry("a"))
    index.apply(make_entry("b", OTHER, seen_at=T0 + timedelta(days=8)))
    late_copy = index.apply(make_entry("c", seen_at=T0 + timedelta(days=8, hours=1)))
    assert late_copy.story_id == "c"
    assert index.expire() == 1  # "a" only: "c" and "b" are current
    assert len(index) == 2


def test_every_worker_applying_the_same_log_agrees(make_entry: MakeEntry) -> None:
    log = [
        make_entry("a"),
        make_entry("b", OTHER),
        make_entry("c", PARAGRAPHS[:3], seen_at=T0 + timedelta(minutes=5)),
        make_entry("d", OTHER[:1] + PARAGRAPHS[2:], seen_at=T0 + timedelta(minutes=6)),
        make_entry("a", delivery="d2"),
    ]
    first, second = new_index(), new_index()
    assert [first.apply(e) for e in log] == [second.apply(e) for e in log]


def test_headlines_link_to_indexed_titles(make_entry: MakeEntry) -> None:
    index = new_index()
    index.apply(make_entry("a", title_key=matching_key("الولایات المتحدة تدعم كوريا")))
    story: StoryAssignment = index.apply(make_entry("b", OTHER, headlines=("الولايات المتحدة تدعم كوريا", "عنوان آخر")))
    assert story.links == (("الولايات المتحدة تدعم كوريا", "a"),)
    assert story.backlinks == {}


def test_a_later_article_is_linked_from_the_earlier_ones_that_named_it(make_entry: MakeEntry) -> None:
    index = new_index()
    first = index.apply(make_entry("a", headlines=("خبر لاحق عن الطاقة", "عنوان آخر")))
    assert first.links == ()
    later = index.apply(make_entry("b", OTHER, title_key=matching_key("خبر لاحق عن الطاقه")))
    assert later.backlinks == {"a": (("خبر لاحق عن الطاقة", "b"),)}
    again = index.apply(make_entry("a", delivery="d2", headlines=("خبر لاحق عن الطاقة", "عنوان آخر")))
    assert again.links == (("خبر لاحق عن الطاقة", "b"),)  # a redelivery carries the link too
    assert index.apply(make_entry("c", OTHER[:1], title_key=matching_key("خبر لاحق عن الطاقة"))).backlinks == {}


def test_entry_round_trips_through_its_schema(make_entry: MakeEntry) -> None:
    entry = make_entry("a", headlines=("x",))
    decoded = decode_entry(encode_entry(entry))
    assert decoded == entry
    assert (decoded.signature == entry.signature).all()
