from __future__ import annotations

import base64

import pytest

from streams.kafka.dead_letters import StoredDeadLetter, matches

pytestmark = pytest.mark.unit


def test_payload_comes_back_as_the_original_bytes() -> None:
    binary = StoredDeadLetter(0, 1, {"payload": base64.b64encode(b"\xff\x00").decode(), "payload_encoding": "base64"})
    text = StoredDeadLetter(2, 3, {"payload": "نص", "payload_encoding": "utf-8"})
    assert binary.payload() == b"\xff\x00"
    assert text.payload() == "نص".encode()
    assert text.position == "2:3"


@pytest.mark.parametrize(
    ("stage", "error", "expected"),
    [
        (None, None, True),
        ("decode", None, True),
        ("parse", None, False),
        (None, "OVER THE LIMIT", True),
        (None, "PoisonRecord", True),
        ("decode", "mapping", False),
    ],
)
def test_filters(stage: str | None, error: str | None, expected: bool) -> None:
    letter = {"stage": "decode", "error_class": "PoisonRecordError", "error_message": "payload is over the limit"}
    assert matches(letter, stage, error) is expected
