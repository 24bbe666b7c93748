"""Nearly-right records at the edge, on the real broker: ``newsflow produce`` refuses every record with a
wrongly typed field or a URL that is not one as a ``schema`` dead letter naming the field, and puts
nothing of them on the raw topic (so nothing can be indexed)."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from streams.kafka.reader import topic_bounds
from streams.settings import Settings
from tests.integration.conftest import read_topic

pytestmark = pytest.mark.integration

GOOD = {"url": "https://example.org/a", "title": "عنوان الخبر", "content": "نص الخبر الكامل هنا.", "source": "spa"}
NEARLY_RIGHT = [
    {"title": 12, "content": ["a", "b"], "url": 5},  # the issue's record
    {**GOOD, "title": 12},
    {**GOOD, "content": ["فقرة", "فقرة"]},
    {**GOOD, "url": 5},
    {**GOOD, "url": "not a url"},
    {**GOOD, "source": {"name": "spa"}},
    {**GOOD, "date_extracted": 1437465600},
    {**GOOD, "lang": True},
    {**GOOD, "author": [1, 2]},
    {**GOOD, "id": 1.5},
]


def test_wrongly_typed_records_are_dead_lettered_as_schema_and_never_produced(
    settings: Settings, run_cli: Callable[..., subprocess.CompletedProcess[bytes]], tmp_path: Path
) -> None:
    path = tmp_path / "nearly.jsonl"
    path.write_bytes(b"".join(orjson.dumps(record) + b"\n" for record in NEARLY_RIGHT))

    run_cli("produce", "--no-progress", str(path))

    letters = [orjson.loads(r.value) for r in read_topic(settings, settings.topics.dead_letters, len(NEARLY_RIGHT))]
    assert len(letters) == len(NEARLY_RIGHT)
    assert {(letter["stage"], letter["reason"]) for letter in letters} == {("produce", "schema")}
    messages = [letter["error_message"].removeprefix(f"{path}:").split(": ", 1)[1] for letter in letters]
    named = sorted(message.split(":")[0] for message in messages)  # "<file>:<line>: <field>: ...", first fault
    assert named == sorted(
        ["url", "title", "content", "url", "url", "source", "date_extracted", "lang", "author", "id"]
    )
    (issue,) = [message for message in messages if message.count(";") == 2]
    assert ("url: int" in issue, "title: int" in issue, "content: list" in issue) == (True, True, True)
    bounds = asyncio.run(topic_bounds(settings, settings.topics.raw))
    assert all(high == 0 for _, high in bounds.values())  # not one record reached the raw topic
