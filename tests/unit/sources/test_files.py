from __future__ import annotations

import itertools
from pathlib import Path

import orjson
import pytest

from streams.records import RawArticle
from streams.settings import Settings
from streams.sources.files import FileSource, count_inputs, read_paths
from streams.sources.inputs import InputError, stable_id
from tests.conftest import SAUDI_SAMPLE, SEED_ARTICLE

pytestmark = pytest.mark.unit

FIELDS = Settings().inputs.jsonl_fields


def test_seed_text_file_has_a_stable_content_id() -> None:
    first, second = list(read_paths([SEED_ARTICLE, SEED_ARTICLE], FIELDS))
    assert isinstance(first, RawArticle)
    assert isinstance(second, RawArticle)
    assert first.id == second.id
    assert len(first.id) == 32
    assert first.format == "text"
    assert first.fetched_at.tzinfo is not None


def test_saudinewsnet_records_are_mapped() -> None:
    items = list(itertools.islice(read_paths([SAUDI_SAMPLE], FIELDS), 50))
    articles = [i for i in items if isinstance(i, RawArticle)]
    assert len(articles) == 50
    first = orjson.loads(SAUDI_SAMPLE.open("rb").readline())
    assert articles[0].id == first["id"]
    assert articles[0].title == first["title"]
    assert articles[0].source_name == first["source"]
    assert articles[0].url == first["url"]
    assert articles[0].language == "ar"
    assert articles[0].fetched_at.isoformat().startswith(first["date_extracted"].replace(" ", "T"))


def test_bbc_style_fields_map_too(tmp_path: Path) -> None:
    path = tmp_path / "bbc.jsonl"
    path.write_bytes(
        orjson.dumps({"title": "Ad sales boost profits", "text": "Quarterly profits rose.", "category": "x"})
    )
    (article,) = read_paths([path], FIELDS)
    assert isinstance(article, RawArticle)
    assert (article.title, article.content) == ("Ad sales boost profits", "Quarterly profits rose.")
    assert article.id == stable_id(content="Quarterly profits rose.")


@pytest.mark.parametrize(
    ("line", "reason", "message"),
    [
        pytest.param(b"{not json", "bad_json", "not valid JSON", id="broken-json"),
        pytest.param(b"[1, 2]", "bad_json", "not an object", id="array"),
        pytest.param(b'{"title": "only a title"}', "no_content", "no content", id="no-content"),
    ],
)
def test_bad_jsonl_lines_are_input_errors(tmp_path: Path, line: bytes, reason: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(line + b"\n")
    (item,) = read_paths([path], FIELDS)
    assert isinstance(item, InputError)
    assert item.reason == reason
    assert message in item.message
    assert item.origin == f"{path}:1"
    assert item.payload == line + b"\n"


def test_text_in_a_legacy_encoding_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "cp1256.txt"
    text = "أعلنت الوزارة اليوم عن خطة جديدة للتعاون الاقتصادي بين البلدين."
    path.write_bytes(text.encode("cp1256"))
    (item,) = read_paths([path], FIELDS)
    assert isinstance(item, RawArticle)
    assert item.content == text


def test_directories_are_walked(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("نص", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.jsonl").write_text('{"content": "x"}\n{"content": "y"}\n', encoding="utf-8")
    (tmp_path / "ignored.csv").write_text("a,b", encoding="utf-8")
    assert count_inputs([tmp_path]) == 3
    assert len(list(read_paths([tmp_path], FIELDS))) == 3


SAUDI_DAY = SAUDI_SAMPLE.parent / "2015-08-07.zip"


def test_a_saudinewsnet_day_archive_is_read_as_its_records() -> None:
    items = list(read_paths([SAUDI_DAY], FIELDS))
    articles = [i for i in items if isinstance(i, RawArticle)]
    assert len(items) == count_inputs([SAUDI_DAY])
    assert len(articles) > 1000
    assert len({a.id for a in articles}) == len(articles)
    assert all(a.url and a.url.startswith("http") for a in articles)
    assert articles[0].origin.startswith(f"{SAUDI_DAY}!")
    assert articles[0].origin.endswith("[0]")


def test_a_json_file_holds_one_record_or_an_array(tmp_path: Path) -> None:
    one, many = tmp_path / "one.json", tmp_path / "many.json"
    one.write_bytes(orjson.dumps({"title": "t", "text": "Body one."}))
    many.write_bytes(orjson.dumps([{"title": "a", "text": "Body a."}, {"title": "b"}, 3]))
    items = list(read_paths([one, many], FIELDS))
    assert [type(i).__name__ for i in items] == ["RawArticle", "RawArticle", "InputError", "InputError"]
    assert [i.reason for i in items if isinstance(i, InputError)] == ["no_content", "bad_json"]
    assert count_inputs([one, many]) == 4


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        pytest.param("broken.json", b"[{", "bad_json", id="broken-json"),
        pytest.param("broken.zip", b"PK not a zip", "unsupported", id="broken-zip"),
    ],
)
def test_unreadable_record_files_are_input_errors(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    (item,) = read_paths([path], FIELDS)
    assert isinstance(item, InputError)
    assert (item.origin, item.reason) == (str(path), reason)


def test_a_file_source_reads_every_input_and_expects_at_most_that_many(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_bytes(b"{not json")
    source = FileSource([SEED_ARTICLE, tmp_path], FIELDS)
    items = list(source.read())
    assert source.expected() == len(items) == 2
    assert isinstance(items[0], RawArticle)
    assert isinstance(items[1], InputError)
    assert list(source.read()) == items  # files keep no cursor: a second read yields the same ids
