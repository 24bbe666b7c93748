"""Publication dates: metadata strings in any common form (ISO 8601, RFC 822, Arabic month and weekday
names) via dateparser, and relative mentions in Arabic bodies (``اليوم الأربعاء``) resolved against
the time the article was fetched. Time zones given in the input are preserved."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime, timedelta

import dateparser

from streams.text.normalize import matching_key

DATE_LANGUAGES = ["ar", "en", "fr", "de", "es", "fa", "ur", "he"]

# Python weekday numbers (Monday = 0) of Arabic weekday names, on the matching key.
_WEEKDAYS = {
    matching_key(name): number
    for name, number in (
        ("الاثنين", 0),
        ("الإثنين", 0),
        ("الثلاثاء", 1),
        ("الأربعاء", 2),
        ("الخميس", 3),
        ("الجمعة", 4),
        ("السبت", 5),
        ("الأحد", 6),
    )
}
_DAYS_BACK = {"اليوم": 0, "الليله": 0, "مساء اليوم": 0, "صباح اليوم": 0, "امس": 1}
_RELATIVE = re.compile(rf"(?:^|\s)({'|'.join(_DAYS_BACK)})\s+({'|'.join(_WEEKDAYS)})(?=\s|[،,.]|$)")


def parse_date(value: str, relative_to: datetime | None = None) -> tuple[datetime | None, list[str]]:
    """A timezone-aware datetime and warnings; naive values are taken as UTC (and say so)."""
    text = value.strip()
    if not text:
        return None, []
    try:
        parsed: datetime | None = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = rfc822(text) or dateparser.parse(
            text,
            languages=DATE_LANGUAGES,
            settings={
                "RELATIVE_BASE": (relative_to or datetime.now(UTC)).replace(tzinfo=None),
                "PREFER_DATES_FROM": "past",
            },
        )
    if parsed is None:
        return None, ["published_at_unparsed"]
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC), ["published_at_naive_assumed_utc"]
    return parsed, []


def rfc822(text: str) -> datetime | None:
    """RSS dates (``Wed, 26 Nov 2025 08:30:00 +0300``), the common case, without dateparser's cost."""
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def date_from_body(paragraphs: list[str], fetched_at: datetime) -> datetime | None:
    """The day a lead like ``... اليوم الأربعاء ...`` refers to: the latest such weekday on or before
    the fetch day (one day earlier for ``أمس``), at midnight in the fetch time's zone."""
    for paragraph in paragraphs[:3]:
        match = _RELATIVE.search(matching_key(paragraph))
        if match is None:
            continue
        day = fetched_at - timedelta(days=_DAYS_BACK[match.group(1)])
        day -= timedelta(days=(day.weekday() - _WEEKDAYS[match.group(2)]) % 7)
        return day.replace(hour=0, minute=0, second=0, microsecond=0)
    return None
