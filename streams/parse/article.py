"""RawArticle -> ParsedArticle for every delivered shape: scraped text with a trailer, JSON records,
HTML pages and feed entries. Each shape is first reduced to text plus whatever metadata it carries;
the trailer, title, date, tag and language logic is then the same for all."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from courlan import normalize_url

from streams.errors import PoisonRecordError
from streams.parse.cleaning import clean_text
from streams.parse.dates import date_from_body, parse_date
from streams.parse.language import UNDETERMINED, detect_language
from streams.parse.pages import domain_of, extract_page, fragment_text
from streams.parse.tags import split_tag_lines
from streams.parse.trailer import split_trailer
from streams.records import Link, Outlet, ParsedArticle, RawArticle, TitleSource

_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")
_URL = re.compile(r"https?://\S+")
MAX_TITLE_WORDS = 20


@dataclass(frozen=True, slots=True)
class Extracted:
    """What a delivered shape yields before the shared logic runs."""

    text: str
    title: str | None
    published: str | None
    authors: tuple[str, ...]
    source_name: str | None
    url: str | None
    domain: str | None
    tags: tuple[str, ...]


def extract(raw: RawArticle) -> Extracted:
    if raw.format == "html":
        page = extract_page(raw.content, raw.url)
        return Extracted(
            text=page.text,
            title=raw.title or page.title,
            published=raw.published_at or page.date,
            authors=raw.authors or page.authors,
            source_name=raw.source_name or page.site_name,
            url=page.url,
            domain=page.domain,
            tags=(*raw.tags, *page.tags),
        )
    text = fragment_text(raw.content) if raw.format == "feed" else raw.content
    return Extracted(
        text=text,
        title=raw.title,
        published=raw.published_at,
        authors=raw.authors,
        source_name=raw.source_name,
        url=raw.url,
        domain=domain_of(raw.url),
        tags=raw.tags,
    )


def normalized_url(url: str | None) -> str | None:
    """The URL with scheme and host lower-cased, default port, fragment and tracking parameters dropped."""
    if not url:
        return None
    try:
        return str(normalize_url(url, strict=True))
    except ValueError:
        return url


def derive_title(paragraphs: list[str]) -> tuple[str, TitleSource]:
    """The first sentence of the first paragraph, cut to MAX_TITLE_WORDS words."""
    if not paragraphs:
        return "", "none"
    sentence = _SENTENCE_END.split(paragraphs[0], maxsplit=1)[0].strip()
    words = sentence.split()
    if len(words) > MAX_TITLE_WORDS:
        sentence = " ".join(words[:MAX_TITLE_WORDS]) + "…"
    return sentence, "first_sentence"


def split_link(item: str) -> Link:
    """A trailer headline, with the URL it carries (if any) split off."""
    match = _URL.search(item)
    if match is None:
        return Link(title=item)
    title = (item[: match.start()] + item[match.end() :]).strip(" -–|()")
    return Link(title=title or match.group(0), url=match.group(0))


def published_at(
    extracted: Extracted, paragraphs: list[str], fetched_at: datetime, warnings: list[str]
) -> datetime | None:
    if extracted.published:
        parsed, date_warnings = parse_date(extracted.published, fetched_at)
        warnings.extend(date_warnings)
        if parsed is not None:
            return parsed
    from_body = date_from_body(paragraphs, fetched_at)
    if from_body is not None:
        warnings.append("published_at_from_body_weekday")
    return from_body


def parse_article(raw: RawArticle) -> ParsedArticle:
    """Parse one delivered article. Raises PoisonRecordError when nothing usable is left."""
    extracted = extract(raw)
    text, had_controls = clean_text(extracted.text)
    body_lines, trailer = split_trailer(text)
    paragraphs = [line.strip() for line in body_lines if any(ch.isalnum() for ch in line)]
    if not paragraphs:
        raise PoisonRecordError("parse", "no_content", f"no body text in this {raw.format} article")
    warnings = list(trailer.warnings)
    if had_controls:
        warnings.append("control_characters_removed")
    title_text = clean_text(extracted.title or "")[0].strip()
    if title_text:
        title, title_source = title_text, "metadata"
    else:
        title, title_source = derive_title(paragraphs)
        warnings.append(f"title_from_{title_source}")
    trailer_tags, tag_warnings = split_tag_lines(trailer.tags_text, [title, *paragraphs])
    warnings.extend(tag_warnings)
    body_text = "\n".join(paragraphs)
    return ParsedArticle(
        id=raw.id,
        url=extracted.url,
        canonical_url=normalized_url(extracted.url),
        title=title,
        title_source=title_source,  # type: ignore[arg-type]
        lead=paragraphs[0],
        body=tuple(paragraphs),
        source=Outlet(name=trailer.source or extracted.source_name, domain=extracted.domain),
        published_at=published_at(extracted, paragraphs, raw.fetched_at, warnings),
        fetched_at=raw.fetched_at,
        language=detect_language(f"{title}\n{body_text}") or raw.language or UNDETERMINED,
        authors=extracted.authors,
        page_tags=(*trailer_tags, *extracted.tags),
        related=tuple(split_link(item) for item in trailer.read_also),
        similar=trailer.similar,
        word_count=len(body_text.split()),
        parse_warnings=tuple(warnings),
    )
