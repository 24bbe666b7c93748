"""HTML: full pages through trafilatura (main text and metadata), feed-entry fragments through lxml."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import lxml.html
import trafilatura

_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "section", "article")
_LINES = re.compile(r"[ \t\r\f\v]*\n[\s]*")


@dataclass(frozen=True, slots=True)
class PageExtract:
    text: str
    title: str | None = None
    date: str | None = None
    authors: tuple[str, ...] = ()
    site_name: str | None = None
    domain: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


def domain_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None


def extract_page(html: str, url: str | None = None) -> PageExtract:
    """Main text (trafilatura's default extraction) and the page's metadata, from one parse of the page.

    trafilatura takes a parsed tree as well as a string; its text extraction works on a copy of the tree,
    so the metadata read afterwards sees the page as parsed. A page trafilatura cannot parse is passed on
    as the string, for both calls to handle as they do unparsed input.
    """
    tree = trafilatura.load_html(html)
    page = html if tree is None else tree
    text = trafilatura.extract(page, url=url) or ""
    meta = trafilatura.extract_metadata(page, default_url=url)
    page_url = url or (meta.url if meta else None)
    authors = tuple(a.strip() for a in (meta.author or "").split(";") if a.strip()) if meta else ()
    tags = tuple(dict.fromkeys([*(meta.categories or []), *(meta.tags or [])])) if meta else ()
    return PageExtract(
        text=text,
        title=meta.title if meta else None,
        date=meta.date if meta else None,
        authors=authors,
        site_name=meta.sitename if meta else None,
        domain=domain_of(page_url) or (meta.hostname if meta else None),
        url=page_url,
        tags=tags,
    )


def fragment_text(html: str) -> str:
    """Text of an HTML fragment (a feed entry's content), one line per block element."""
    if "<" not in html:
        return html
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return html
    for element in root.iter("br"):
        element.tail = "\n" + (element.tail or "")
    for element in root.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return _LINES.sub("\n", root.text_content()).strip()
