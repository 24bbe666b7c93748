"""Records that are nearly right are refused at the edge: a wrongly typed field or a URL that is not one
gives an InputError with reason ``schema`` that names the field (the producer dead-letters it, ``newsflow
process`` reports it), never an article with ``"12"`` as its title."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from streams.cli import cli
from streams.records import RawArticle
from streams.settings import Settings
from streams.sources.files import read_paths
from streams.sources.inputs import InputError

pytestmark = pytest.mark.unit

FIELDS = Settings().inputs.jsonl_fields
GOOD = {
    "id": "a1",
    "url": "https://example.org/news/1",
    "title": "افتتاح معرض الكتاب في الرياض",
    "content": "افتتح اليوم معرض الرياض الدولي للكتاب بمشاركة أكثر من ألف دار نشر من أنحاء العالم.",
    "source": "spa",
    "author": "مراسل",
    "date_extracted": "2015-07-21 10:00:00",
    "lang": "ar",
}
JSON_INTEGERS = st.integers(min_value=-(2**63), max_value=2**63 - 1)  # what orjson writes as numbers
WRONG = st.one_of(
    JSON_INTEGERS,
    st.floats(allow_nan=False, allow_infinity=False),  # orjson writes NaN and infinities as null
    st.booleans(),
    st.lists(st.text(max_size=5), min_size=1, max_size=3),
    st.dictionaries(st.text(max_size=3), JSON_INTEGERS, min_size=1, max_size=2),
)


def read_one(tmp_path: Path, record: dict[str, Any]) -> RawArticle | InputError:
    path = tmp_path / "record.jsonl"
    path.write_bytes(orjson.dumps(record) + b"\n")
    (item,) = read_paths([path], FIELDS)
    return item


def test_the_good_record_is_an_article(tmp_path: Path) -> None:
    assert isinstance(read_one(tmp_path, GOOD), RawArticle)
    assert isinstance(read_one(tmp_path, {**GOOD, "id": 12, "author": ["a", "b"]}), RawArticle)  # allowed shapes


@settings(max_examples=200, deadline=None)
@given(
    field=st.sampled_from(["url", "title", "content", "source", "date_extracted", "lang", "author", "id"]),
    value=WRONG,
)
def test_a_wrongly_typed_field_is_refused_by_name(
    tmp_path_factory: pytest.TempPathFactory, field: str, value: Any
) -> None:
    if field == "id" and isinstance(value, int) and not isinstance(value, bool):
        value = [value]  # an integer id is allowed
    if field == "author" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = {"name": value}  # a list of names is allowed
    item = read_one(tmp_path_factory.mktemp("r"), {**GOOD, field: value})
    assert isinstance(item, InputError)
    assert item.reason == "schema"
    assert item.message.startswith(f"{field}: ")


@pytest.mark.parametrize("url", ["5", "example.org/news/1", "ftp://example.org/f", "javascript:alert(1)", "https://"])
def test_a_url_that_is_not_a_web_url_is_refused(tmp_path: Path, url: str) -> None:
    item = read_one(tmp_path, {**GOOD, "url": url})
    assert isinstance(item, InputError)
    assert (item.reason, item.message.split(":")[0]) == ("schema", "url")


def test_process_refuses_them_too_and_prints_nothing_for_them(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    bad = {"title": 12, "content": ["a", "b"], "url": 5}
    path.write_bytes(orjson.dumps(bad) + b"\n" + orjson.dumps(GOOD) + b"\n")

    result = CliRunner().invoke(cli, ["process", str(path)])

    assert result.exit_code == 1
    (printed,) = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert printed["article"]["id"] == GOOD["id"]
    assert "schema" in result.stderr
    assert "title: int" in result.stderr
