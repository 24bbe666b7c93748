"""The trafilatura evaluation pages, one case per page: newsflow's HTML path (trafilatura, then the
trailer logic) must keep every ``with`` snippet that trafilatura alone keeps and exclude every
``without`` snippet that trafilatura alone excludes. Totals are reported by bench/parse_quality.py."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import orjson
import pytest
import trafilatura
from trafilatura.utils import decode_file

from streams.parse.article import parse_article
from streams.parse.pages import extract_page
from streams.records import RawArticle
from tests.conftest import TRAFILATURA

pytestmark = pytest.mark.unit

EVALDATA: dict[str, dict[str, object]] = orjson.loads((TRAFILATURA / "evaldata.json").read_bytes())


def page_html(case: dict[str, object]) -> str:
    return str(decode_file(gzip.decompress((TRAFILATURA / "pages" / f"{case['file']}.gz").read_bytes())))


def newsflow_text(html: str, url: str) -> str:
    raw = RawArticle(id="p", format="html", content=html, fetched_at=datetime(2025, 1, 1, tzinfo=UTC), origin=url)
    try:
        parsed = parse_article(raw)
    except Exception:  # a page with no main text: nothing kept
        return ""
    return "\n".join([parsed.title, *parsed.body])


@pytest.mark.parametrize("url", list(EVALDATA))
def test_page_is_no_worse_than_trafilatura_alone(url: str) -> None:
    case = EVALDATA[url]
    html = page_html(case)
    alone = trafilatura.extract(html) or ""
    ours = newsflow_text(html, url)
    kept_by_trafilatura = [s for s in case.get("with", []) if s in alone]  # type: ignore[attr-defined]
    assert [s for s in kept_by_trafilatura if s not in ours] == []
    excluded_by_trafilatura = [s for s in case.get("without", []) if s not in alone]  # type: ignore[attr-defined]
    assert [s for s in excluded_by_trafilatura if s in "\n".join(ours.splitlines()[1:])] == []


@pytest.mark.parametrize("url", list(EVALDATA)[::25])
def test_one_parse_gives_what_two_parses_give(url: str) -> None:
    """extract_page parses a page once; trafilatura's own calls on the string (each parsing it) agree."""
    html = page_html(EVALDATA[url])
    page = extract_page(html, url)
    meta = trafilatura.extract_metadata(html, default_url=url)
    assert page.text == (trafilatura.extract(html, url=url) or "")
    assert (page.title, page.date, page.site_name) == (meta.title, meta.date, meta.sitename)
    assert page.tags == tuple(dict.fromkeys([*(meta.categories or []), *(meta.tags or [])]))
    assert page.authors == tuple(a.strip() for a in (meta.author or "").split(";") if a.strip())


def test_unparseable_page_gives_no_text() -> None:
    assert extract_page("", "https://example.org/a").text == ""
