"""Reads delivered articles from files: ``.txt`` scraped articles, ``.html`` pages, ``.jsonl`` records,
``.json`` files of one record or an array of them, ``.zip`` archives of such files (SaudiNewsNet's days)
and saved ``.rss``/``.atom``/``.xml`` feeds.

Each input becomes a RawArticle with a stable id, or an InputError that says what is wrong (the
producer dead-letters those). Field names of JSON records are mapped by ``Settings.jsonl_fields``.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import charset_normalizer
import orjson
from trafilatura.utils import decode_file

from streams.records import RawArticle
from streams.sources.feeds import FeedCursor, poll_feed
from streams.sources.inputs import InputError, stable_id

FEED_SUFFIXES = frozenset({".rss", ".atom", ".xml"})
RECORD_SUFFIXES = frozenset({".jsonl", ".json"})
SUFFIXES = frozenset({".txt", ".html", ".htm", ".zip", *RECORD_SUFFIXES, *FEED_SUFFIXES})


def decode_text(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), else the encoding charset-normalizer finds, else None."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(data).best()
        return None if best is None else str(best)


def read_text_file(path: Path) -> RawArticle | InputError:
    data = path.read_bytes()
    content = decode_text(data)
    if content is None:
        return InputError(str(path), "bad_encoding", "not text in any known encoding", data)
    if not content.strip():
        return InputError(str(path), "no_content", "empty file", data)
    return RawArticle(
        id=stable_id(content=content),
        format="text",
        content=content,
        fetched_at=datetime.fromtimestamp(path.stat().st_mtime, UTC),
        origin=str(path),
    )


def read_html_file(path: Path) -> RawArticle | InputError:
    """An HTML page; the charset comes from its bytes and meta tags (trafilatura's decoder)."""
    data = path.read_bytes()
    if not data.strip():
        return InputError(str(path), "no_content", "empty file", data)
    content = decode_file(data)
    return RawArticle(
        id=stable_id(url=canonical_url(content), content=content),
        format="html",
        content=content,
        fetched_at=datetime.fromtimestamp(path.stat().st_mtime, UTC),
        origin=str(path),
        url=canonical_url(content),
    )


_CANONICAL = re.compile(r"<link[^>]+rel=[\"']?canonical[\"']?[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"href=[\"']([^\"']+)[\"']", re.IGNORECASE)


def canonical_url(html: str) -> str | None:
    """The page's ``<link rel="canonical">`` URL, if it declares an absolute one."""
    tag = _CANONICAL.search(html[:200_000])
    href = _HREF.search(tag.group(0)) if tag else None
    return href.group(1) if href and href.group(1).startswith(("http://", "https://")) else None


def _first_named(record: Mapping[str, Any], names: Sequence[str]) -> str | None:
    """The first of ``names`` the record has a value for (not null, not empty)."""
    return next((n for n in names if record.get(n) not in (None, "")), None)


def _first(record: Mapping[str, Any], names: Sequence[str]) -> Any:
    name = _first_named(record, names)
    return None if name is None else record[name]


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)


def field_problems(record: Mapping[str, Any], fields: Mapping[str, Sequence[str]]) -> list[str]:
    """What is wrongly typed in a JSON record, by source field name: every mapped field is a string (an id
    may be an integer, authors a list of strings) and a URL is an absolute http(s) URL. Such a record is
    refused (reason ``schema``) rather than indexed with ``"12"`` as its title."""
    problems = []
    for target, names in fields.items():
        name = _first_named(record, names)
        if name is None:
            continue
        value = record[name]
        if target == "id" and isinstance(value, int) and not isinstance(value, bool):
            continue
        if target == "authors" and isinstance(value, list) and all(isinstance(a, str) for a in value):
            continue
        if not isinstance(value, str):
            expected = "a string or a list of strings" if target == "authors" else "a string"
            problems.append(f"{name}: {type(value).__name__} where {expected} belongs ({target})")
        elif target == "url" and not _is_web_url(value):
            problems.append(f"{name}: {value[:80]!r} is not an absolute http(s) URL")
    return problems


def _is_web_url(value: str) -> bool:
    parsed = urlsplit(value.strip())
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _timestamp(value: Any, default: datetime) -> datetime:
    if not isinstance(value, str):
        return default
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return default
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def map_record(
    record: Mapping[str, Any], fields: Mapping[str, Sequence[str]], origin: str, fetched_at: datetime
) -> RawArticle:
    """A JSON record -> RawArticle, each target field taken from the first present source field."""
    content = _as_text(_first(record, fields["content"])) or ""
    url = _as_text(_first(record, fields["url"]))
    authors = _first(record, fields["authors"])
    return RawArticle(
        id=stable_id(record_id=_as_text(_first(record, fields["id"])), url=url, content=content),
        format="record",
        content=content,
        fetched_at=_timestamp(_first(record, fields["fetched_at"]), fetched_at),
        origin=origin,
        title=_as_text(_first(record, fields["title"])),
        url=url,
        source_name=_as_text(_first(record, fields["source_name"])),
        published_at=_as_text(_first(record, fields["published_at"])),
        language=_as_text(_first(record, fields["language"])),
        authors=tuple(authors) if isinstance(authors, list) else tuple(a for a in [_as_text(authors)] if a),
    )


Record = tuple[str, Any, bytes]  # (origin, decoded JSON, its bytes)


def records_to_articles(
    records: Iterable[Record | InputError], fields: Mapping[str, Sequence[str]], fetched_at: datetime
) -> Iterator[RawArticle | InputError]:
    """An article per record, or an error for what is not an article record (errors pass through)."""
    for item in records:
        if isinstance(item, InputError):
            yield item
            continue
        origin, record, raw = item
        if not isinstance(record, dict):
            yield InputError(origin, "bad_json", f"record is a JSON {type(record).__name__}, not an object", raw)
            continue
        if problems := field_problems(record, fields):
            yield InputError(origin, "schema", "; ".join(problems), raw)
            continue
        article = map_record(record, fields, origin, fetched_at)
        if not article.content.strip():
            message = f"record has no content in any of {list(fields['content'])}"
            yield InputError(origin, "no_content", message, raw)
            continue
        yield article


def jsonl_records(lines: Iterable[bytes], name: str) -> Iterator[Record | InputError]:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                yield f"{name}:{number}", orjson.loads(line), line
            except orjson.JSONDecodeError as exc:
                yield InputError(f"{name}:{number}", "bad_json", f"line is not valid JSON: {exc}", line)


def json_records(data: bytes, name: str) -> Iterator[Record | InputError]:
    """A JSON file's records: the items of an array, or the one object."""
    try:
        decoded = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        yield InputError(name, "bad_json", f"file is not valid JSON: {exc}", data[:65536])
        return
    if isinstance(decoded, list):
        for number, record in enumerate(decoded):
            yield f"{name}[{number}]", record, orjson.dumps(record)
    else:
        yield name, decoded, data[:65536]


def file_records(path: Path) -> Iterator[Record | InputError]:
    """The JSON records of a ``.jsonl``, ``.json`` or ``.zip`` (of such files, in name order)."""
    if path.suffix == ".jsonl":
        with path.open("rb") as handle:
            yield from jsonl_records(handle, str(path))
    elif path.suffix == ".json":
        yield from json_records(path.read_bytes(), str(path))
    else:
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            yield InputError(str(path), "unsupported", f"not a zip archive: {exc}", b"")
            return
        with archive:
            for name in sorted(n for n in archive.namelist() if Path(n).suffix in RECORD_SUFFIXES):
                data, origin = archive.read(name), f"{path}!{name}"
                is_jsonl = name.endswith(".jsonl")
                yield from jsonl_records(data.splitlines(), origin) if is_jsonl else json_records(data, origin)


def read_record_file(path: Path, fields: Mapping[str, Sequence[str]]) -> Iterator[RawArticle | InputError]:
    fetched_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    yield from records_to_articles(file_records(path), fields, fetched_at)


def read_paths(paths: Sequence[Path], fields: Mapping[str, Sequence[str]]) -> Iterator[RawArticle | InputError]:
    """Every article in the given files and directories (recursively: *.txt, *.html, *.jsonl)."""
    for path in paths:
        if path.is_dir():
            yield from read_paths(sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES), fields)
        elif path.suffix in RECORD_SUFFIXES or path.suffix == ".zip":
            yield from read_record_file(path, fields)
        elif path.suffix == ".txt":
            yield read_text_file(path)
        elif path.suffix in {".html", ".htm"}:
            yield read_html_file(path)
        elif path.suffix in FEED_SUFFIXES:
            yield from read_feed_file(path)
        else:
            message = f"unsupported file type {path.suffix!r} (expected {sorted(SUFFIXES)})"
            yield InputError(str(path), "unsupported", message, b"")


def read_feed_file(path: Path) -> Iterator[RawArticle | InputError]:
    """Every entry of a saved RSS/Atom file (no state: use ``produce --feed`` to poll live feeds)."""
    poll = poll_feed(str(path), FeedCursor(), timeout=0)
    if poll.error is not None:
        yield InputError(str(path), "unsupported", poll.error, path.read_bytes()[:65536])
    yield from poll.items


def count_inputs(paths: Sequence[Path]) -> int:
    """How many articles ``read_paths`` will yield at most (lines of JSONL, one per text file)."""
    total = 0
    for path in paths:
        if path.is_dir():
            total += count_inputs([p for p in path.rglob("*") if p.suffix in SUFFIXES])
        elif path.suffix == ".jsonl":
            with path.open("rb") as handle:
                total += sum(1 for line in handle if line.strip())
        elif path.suffix in {".json", ".zip"}:
            total += sum(1 for _ in file_records(path))
        else:
            total += 1
    return total


class FileSource:
    """Files and directories read once (recursively: text, HTML, JSON/JSONL, ZIP, saved feeds)."""

    remark = None

    def __init__(self, paths: Sequence[Path], fields: Mapping[str, Sequence[str]]) -> None:
        self.paths = list(paths)
        self.fields = fields

    @property
    def name(self) -> str:
        return ", ".join(str(p) for p in self.paths[:3]) + (f" (+{len(self.paths) - 3})" if len(self.paths) > 3 else "")

    def expected(self) -> int | None:
        return count_inputs(self.paths)

    def read(self) -> Iterator[RawArticle | InputError]:
        return read_paths(self.paths, self.fields)

    def acknowledged(self) -> None:
        """Files keep no cursor: producing them again yields the same ids (the index keeps one copy)."""
