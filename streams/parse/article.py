"""RawArticle -> ParsedArticle: body, trailer sections, title and metadata."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from streams.errors import PoisonRecordError
from streams.parse.tags import page_tags
from streams.parse.trailer import split_trailer
from streams.records import Link, ParsedArticle, RawArticle, Source, TitleSource

_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")
_URL = re.compile(r"https?://\S+")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
MAX_TITLE_WORDS = 20


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


def script_language(text: str) -> str | None:
    """First-cut language guess by script: 'ar' for mostly Arabic letters, 'en' for Latin, else None."""
    arabic = len(_ARABIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    if arabic + latin == 0:
        return None
    return "ar" if arabic >= latin else "en"


def parse_timestamp(value: str | None, warnings: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        warnings.append("published_at_unparsed")
        return None
    if parsed.tzinfo is None:
        warnings.append("published_at_naive_assumed_utc")
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def parse_article(raw: RawArticle) -> ParsedArticle:
    """Parse one delivered article. Raises PoisonRecordError when nothing usable is left."""
    body_lines, trailer = split_trailer(raw.content)
    paragraphs = [line.strip() for line in body_lines if line.strip()]
    if not paragraphs:
        raise PoisonRecordError("parse", "article has no body text")
    warnings = list(trailer.warnings)
    if raw.title and raw.title.strip():
        title, title_source = raw.title.strip(), "metadata"
    else:
        title, title_source = derive_title(paragraphs)
        warnings.append(f"title_from_{title_source}")
    tags, tag_warnings = page_tags(trailer.tags_text, [title, *paragraphs])
    warnings.extend(tag_warnings)
    text = "\n".join(paragraphs)
    return ParsedArticle(
        id=raw.id,
        url=raw.url,
        title=title,
        title_source=title_source,  # type: ignore[arg-type]
        lead=paragraphs[0],
        body=tuple(paragraphs),
        source=Source(name=trailer.source or raw.source_name, domain=None),
        published_at=parse_timestamp(raw.published_at, warnings),
        fetched_at=raw.fetched_at,
        language=raw.language or script_language(text),
        authors=raw.authors,
        page_tags=tuple(tags),
        related=tuple(split_link(item) for item in trailer.read_also),
        similar=trailer.similar,
        word_count=len(text.split()),
        parse_warnings=tuple(warnings),
    )
