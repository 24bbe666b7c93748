"""deploy/prometheus: the configuration and the alert rules pass Prometheus' own checks (promtool, from
Debian's `prometheus` package), and every rule has unit tests that pass `promtool test rules`."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from tests.conftest import ROOT

pytestmark = pytest.mark.deploy

PROMETHEUS = ROOT / "deploy" / "prometheus"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    assert tool, "promtool is missing: apt-get install prometheus (.ci/run does)"
    return subprocess.run([tool, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120)


def test_configuration_and_rules_are_valid() -> None:
    checked = promtool("check", "config", "prometheus.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout


def test_every_alert_rule_is_unit_tested_and_passes() -> None:
    rules = {
        rule["alert"]
        for group in yaml.safe_load((PROMETHEUS / "alerts.yaml").read_text())["groups"]
        for rule in group["rules"]
    }
    tests = yaml.safe_load((PROMETHEUS / "alerts.test.yaml").read_text())["tests"]
    tested = {case["alertname"] for test in tests for case in test.get("alert_rule_test", [])}
    assert rules == tested
    # each rule is seen firing in at least one case, not only staying quiet
    firing = {case["alertname"] for test in tests for case in test.get("alert_rule_test", []) if case.get("exp_alerts")}
    assert rules == firing
    result = promtool("test", "rules", "alerts.test.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_the_rules_cover_what_operations_needs() -> None:
    exprs = " ".join(
        rule["expr"]
        for group in yaml.safe_load((PROMETHEUS / "alerts.yaml").read_text())["groups"]
        for rule in group["rules"]
    )
    for needed in (
        "up{",
        "newsflow_consumer_lag",
        "newsflow_dead_letters_total",
        "newsflow_retries_total",
        'stage="index"',
        'newsflow_records_total{stage="index", outcome="out"}',
    ):
        assert needed in exprs
