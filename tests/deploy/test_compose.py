"""deploy/compose/compose.yaml, loaded as `docker compose config` loads it (compose-go: the Compose
specification's schema, interpolation, merge keys, dependency consistency), then checked for what the
single-host stack needs: the services, health checks, secrets from files, the image's build."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.deploy.tools import parse_cli, run, tool, unknown_settings

pytestmark = pytest.mark.deploy

COMPOSE = ROOT / "deploy" / "compose" / "compose.yaml"
ONE_SHOT = {"es-setup", "kibana-password", "newsflow-setup"}


def compose_config(path: Path) -> Any:
    return run(tool("compose-config"), path)


@cache
def project() -> dict[str, Any]:
    result = compose_config(COMPOSE)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = yaml.safe_load(result.stdout)
    return loaded


def test_the_stack_has_every_service() -> None:
    services = set(project()["services"])
    assert services == {
        "kafka-1", "kafka-2", "kafka-3", "es01", "es02", "es03", "kibana", "prometheus", "grafana",
        "worker", "producer",
    } | ONE_SHOT  # fmt: skip


def test_every_long_running_service_has_a_health_check() -> None:
    for name, service in project()["services"].items():
        if name in ONE_SHOT - {"es-setup"}:
            continue
        assert service.get("healthcheck", {}).get("test"), name


def test_kafka_is_a_three_node_kraft_quorum() -> None:
    services = project()["services"]
    voters = {services[f"kafka-{n}"]["environment"]["KAFKA_CONTROLLER_QUORUM_VOTERS"] for n in (1, 2, 3)}
    assert voters == {"1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093"}
    assert {services[f"kafka-{n}"]["environment"]["KAFKA_NODE_ID"] for n in (1, 2, 3)} == {"1", "2", "3"}
    assert services["worker"]["environment"]["NEWSFLOW_TOPIC_REPLICATION_FACTOR"] == "3"


def test_secrets_come_from_files_and_never_from_the_environment() -> None:
    loaded = project()
    secret_files = {name: Path(secret["file"]) for name, secret in loaded["secrets"].items()}
    made = re.search(r"for name in ([^;]*);", (ROOT / "deploy" / "compose" / "make-secrets").read_text())
    assert made is not None
    assert {path.name for path in secret_files.values()} == set(made.group(1).split())
    assert all(path.parent == COMPOSE.parent / "secrets" for path in secret_files.values())
    tracked = run("git", "ls-files", "deploy/compose/secrets").stdout
    assert tracked == ""  # generated, never committed
    for name, service in loaded["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if "PASSWORD" in key:
                assert key.endswith("_FILE"), (name, key)
                assert str(value).startswith("/run/secrets/"), (name, key)
    for name in ("worker", "producer", "newsflow-setup"):
        assert (
            loaded["services"][name]["environment"]["NEWSFLOW_ELASTICSEARCH_PASSWORD_FILE"]
            == "/run/secrets/elastic_password"
        )


def test_the_newsflow_services_build_the_container_image() -> None:
    for name in ("worker", "producer", "newsflow-setup"):
        build = project()["services"][name]["build"]
        assert Path(build["context"]) == ROOT
        assert build["dockerfile"] == "deploy/container/Dockerfile"
    assert project()["services"]["producer"]["command"][:2] == ["produce", "--no-progress"]


def test_the_elasticsearch_nodes_run_the_image_with_the_analysis_plugin() -> None:
    for name in ("es01", "es02", "es03"):
        build = project()["services"][name]["build"]
        assert Path(build["context"]) == ROOT
        assert build["dockerfile"] == "deploy/container/elasticsearch.Dockerfile"
        assert project()["services"][name]["image"].startswith("newsflow-elasticsearch:")


def test_prometheus_and_grafana_get_the_deploy_files() -> None:
    services = project()["services"]
    sources = {Path(v["source"]) for v in services["prometheus"]["volumes"] if v["type"] == "bind"}
    assert ROOT / "deploy" / "prometheus" in sources
    grafana = {Path(v["source"]) for v in services["grafana"]["volumes"] if v["type"] == "bind"}
    assert ROOT / "deploy" / "grafana" / "newsflow-dashboard.json" in grafana
    for path in grafana:
        assert path.exists(), path


def test_the_loader_refuses_mistakes(tmp_path: Path) -> None:
    text = COMPOSE.read_text()
    (tmp_path / "instances.yml").write_text("")
    copy = tmp_path / "compose.yaml"
    copy.write_text(text)
    assert compose_config(copy).returncode == 0  # the copy as such loads: what fails below is the mistake
    for broken in (
        text.replace('    command: ["setup"]', '    commmand: ["setup"]'),  # unknown key
        text.replace("es01: {condition: service_healthy}", "es04: {condition: service_healthy}", 1),  # no such service
    ):
        assert broken != text
        copy.write_text(broken)
        assert compose_config(copy).returncode != 0


def test_the_newsflow_commands_and_settings_are_ones_newsflow_has() -> None:
    services = project()["services"]
    producer = parse_cli(services["producer"]["command"])
    assert producer["metrics_port"] == 9108
    assert producer["metrics_host"] == "0.0.0.0"
    assert producer["feed"]
    assert parse_cli(services["worker"]["command"])["loglevel"] == "info"
    parse_cli(services["newsflow-setup"]["command"])
    for name in ("worker", "producer", "newsflow-setup"):
        assert unknown_settings(services[name]["environment"]) == set(), name


def test_make_secrets_writes_each_secret_once(tmp_path: Path) -> None:
    script = tmp_path / "make-secrets"
    script.write_bytes((COMPOSE.parent / "make-secrets").read_bytes())
    script.chmod(0o755)
    assert run(script).returncode == 0
    written = {path.name: path.read_text() for path in (tmp_path / "secrets").iterdir()}
    assert set(written) == {Path(s["file"]).name for s in project()["secrets"].values()}
    assert len(set(written.values())) == len(written)
    assert all(re.fullmatch(r"[0-9a-f]{48}", value) for value in written.values())
    assert (tmp_path / "secrets").stat().st_mode & 0o077 == 0  # closed to other users of the host
    assert run(script).returncode == 0  # a second run keeps them
    assert {path.name: path.read_text() for path in (tmp_path / "secrets").iterdir()} == written
