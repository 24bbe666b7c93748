"""Unit tests see no ``NEWSFLOW_*`` variable of the shell that runs them: settings are what the test says."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def no_newsflow_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in os.environ:
        if name.startswith("NEWSFLOW_"):
            monkeypatch.delenv(name)
