from __future__ import annotations

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
