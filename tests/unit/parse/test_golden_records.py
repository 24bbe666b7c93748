"""250 real SaudiNewsNet records through the record path, one case per record."""

from __future__ import annotations

import itertools

import orjson
import pytest

from streams.parse.article import parse_article
from streams.parse.cleaning import clean_text
from streams.parse.trailer import MAX_ITEM_CHARS
from streams.settings import Settings
from streams.sources.files import map_record
from tests.conftest import SAUDI_SAMPLE

pytestmark = pytest.mark.unit

RECORDS = [orjson.loads(line) for line in itertools.islice(SAUDI_SAMPLE.open("rb"), 300)]
WITH_CONTENT = [r for r in RECORDS if r["content"].strip()][:250]
FIELDS = Settings().inputs.jsonl_fields


@pytest.mark.parametrize("record", WITH_CONTENT, ids=[r["id"] for r in WITH_CONTENT])
def test_saudinewsnet_record(record: dict[str, str]) -> None:
    raw = map_record(record, FIELDS, "sample", fetched_at=None)  # type: ignore[arg-type]
    parsed = parse_article(raw)
    assert parsed.id == record["id"]
    assert parsed.title == record["title"].strip()
    assert parsed.title_source == "metadata"
    assert parsed.source.name == record["source"]
    assert parsed.url == record["url"]
    assert parsed.source.domain is not None
    assert parsed.fetched_at.isoformat().startswith(record["date_extracted"].replace(" ", "T"))
    assert parsed.fetched_at.tzinfo is not None
    assert parsed.language == "ar"
    assert parsed.word_count > 0
    # The body is the content, paragraph by paragraph, less bidi controls, separator lines (no letter
    # or digit, e.g. "***") and any trailer.
    lines = [clean_text(line)[0].strip() for line in record["content"].splitlines()]
    content_lines = [line for line in lines if any(ch.isalnum() for ch in line)]
    assert list(parsed.body) == content_lines[: len(parsed.body)]
    assert parsed.body[0] == parsed.lead
    trailer = content_lines[len(parsed.body) :]
    assert all(len(line) <= MAX_ITEM_CHARS for line in trailer)
