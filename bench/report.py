"""Writes a benchmark's report to bench/results/NAME.json and prints it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

RESULTS = Path(__file__).resolve().parent / "results"


def publish(name: str, report: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    text = orjson.dumps(report, option=orjson.OPT_INDENT_2)
    (RESULTS / f"{name}.json").write_bytes(text)
    print(text.decode())
