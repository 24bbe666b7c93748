from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from streams.ops.newsroom import link, render_newsroom
from streams.search import SearchHit, SearchResult

pytestmark = pytest.mark.unit

HOSTILE = '<script>window.__pwned=1</script> "عنوان"'


def result() -> SearchResult:
    hit = SearchHit("a1", 1.0, HOSTILE, "okaz", "2015-08-01", "نص <b>الخبر</b>", "a1", "e1")
    return SearchResult(1, [hit], {"entities": [("الرياض", 3)], "tags": [], "sources": [("okaz", 1)]})


def test_every_value_is_escaped_and_reads_in_its_direction() -> None:
    page = render_newsroom(
        {"q": "<img src=x>"},
        result(),
        [{"event_id": "e1", "label": HOSTILE, "article_count": 4, "outlets": ["a", "b"]}],
    )
    assert "<script>" not in page
    assert "<img src=x>" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "<b dir=auto>" in page
    assert "4 articles, 2 outlets" in page


def test_a_facet_link_keeps_the_search_and_adds_its_filter() -> None:
    url = link({"q": "النفط", "source": "okaz"}, entity="الرياض")
    assert parse_qs(urlsplit(url).query) == {"q": ["النفط"], "source": ["okaz"], "entity": ["الرياض"]}
    assert link({"q": "x", "entity": "الرياض"}, entity="") == "?q=x"  # the × of an active filter
    page = render_newsroom({"q": "النفط"}, result(), [])
    assert "href='?q=%D8%A7%D9%84%D9%86%D9%81%D8%B7&amp;entity=%D8%A7%D9%84%D8%B1%D9%8A%D8%A7%D8%B6'" in page
    assert "id=facet-tags" not in page  # an empty facet is left out


def test_the_timeline_draws_each_day_in_proportion_and_links_it() -> None:
    days = [("2015-08-01", 2), ("2015-08-02", 8), ("2015-08-04", 4)]
    page = render_newsroom({"entity": HOSTILE}, SearchResult(14, [], {}, days), [])
    bars = re.findall(r"<rect class=day data-day=([\d-]+) data-count=(\d+) [^>]* height=([\d.]+)", page)
    assert [(day, int(count)) for day, count, _ in bars] == days
    heights = [float(height) for *_, height in bars]
    assert heights[1] == max(heights)
    assert heights[0] == pytest.approx(heights[1] / 4, abs=0.1)
    assert "day=2015-08-02" in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page  # the entity in the chart's title
    assert "<script>" not in page
    assert "id=timeline" not in render_newsroom({}, result(), [])  # no counts, no chart
