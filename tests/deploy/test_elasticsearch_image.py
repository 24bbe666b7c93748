"""deploy/container/elasticsearch.Dockerfile: hadolint finds nothing; the plugin is built from the
repository's sources against the Elasticsearch version the image runs, and that version is the one the
plugin's build, compose and ECK name (a stable plugin matches its node exactly); only the plugin's sources
reach the build context."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import ROOT
from tests.deploy.test_container import ignored_by
from tests.deploy.tools import hadolint_findings

pytestmark = pytest.mark.deploy

DOCKERFILE = ROOT / "deploy" / "container" / "elasticsearch.Dockerfile"
IGNORE = DOCKERFILE.with_name("elasticsearch.Dockerfile.dockerignore")


def instructions() -> list[tuple[str, str]]:
    logical = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = (line.strip() for line in logical.splitlines())
    return [
        (k.upper(), rest.strip()) for k, _, rest in (line.partition(" ") for line in lines if line and line[0] != "#")
    ]


def test_hadolint_finds_nothing() -> None:
    assert hadolint_findings(DOCKERFILE) == ""


def test_one_elasticsearch_version_everywhere() -> None:
    args = dict(a.split("=", 1) for k, a in instructions() if k == "ARG" and "=" in a)
    version = args["ES_VERSION"]
    pom = (ROOT / "deploy" / "elasticsearch-plugin" / "pom.xml").read_text()
    assert f"<elasticsearch.version>{version}</elasticsearch.version>" in pom
    compose = (ROOT / "deploy" / "compose" / "compose.yaml").read_text()
    assert f"${{ES_VERSION:-{version}}}" in compose
    assert f"newsflow-elasticsearch:{version}" in compose
    (eck, _kibana) = yaml.safe_load_all((ROOT / "deploy" / "kubernetes" / "elasticsearch.yaml").read_text())
    assert eck["spec"]["version"] == version
    assert eck["spec"]["image"] == f"newsflow-elasticsearch:{version}"


def test_the_plugin_is_built_for_that_version_and_installed() -> None:
    froms = [a for k, a in instructions() if k == "FROM"]
    assert froms[-1] == "docker.elastic.co/elasticsearch/elasticsearch:${ES_VERSION}"
    build = next(a for k, a in instructions() if k == "RUN" and "mvn" in a)
    assert '-Delasticsearch.version="${ES_VERSION}"' in build
    install = next(a for k, a in instructions() if k == "RUN" and "elasticsearch-plugin install" in a)
    assert "--batch file:///tmp/newsflow-analysis.zip" in install


def test_only_the_plugin_sources_reach_the_build() -> None:
    sources = [a.split()[0] for k, a in instructions() if k == "COPY" and "--from=" not in a]
    assert sources == ["deploy/elasticsearch-plugin/"]
    assert (ROOT / sources[0] / "pom.xml").exists()
    assert not ignored_by(IGNORE, "deploy/elasticsearch-plugin/pom.xml")
    assert not ignored_by(IGNORE, "deploy/elasticsearch-plugin/src/main/java")
    assert ignored_by(IGNORE, "streams")
    assert ignored_by(IGNORE, ".git")
