"""Secrets never reach logs or error messages: the Elasticsearch password (right or wrong) is absent
from the worker's log at info level and from the CLI's error output."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from elasticsearch import AsyncElasticsearch

from streams.settings import Settings
from streams.sink import credentials
from tests.conftest import SEED_ARTICLE
from tests.integration.conftest import indexed_ids, wait_for

pytestmark = pytest.mark.integration

Cli = Callable[..., subprocess.CompletedProcess[bytes]]
WRONG = "not-the-password-5e1f0c"


def worker_logs(directory: Path) -> list[str]:
    return [path.read_text(errors="replace") for path in sorted(directory.glob("worker-*.log"))]


@pytest.mark.timeout(300)
async def test_passwords_never_appear_in_logs_or_errors(
    settings: Settings,
    es: AsyncElasticsearch,
    worker_factory: Callable[..., subprocess.Popen[bytes]],
    run_cli: Cli,
    tmp_path: Path,
) -> None:
    secret = credentials.password(settings)
    assert secret is not None
    password = secret.get_secret_value()
    worker_factory(loglevel="info", elasticsearch_password=secret)
    run_cli("produce", "--no-progress", str(SEED_ARTICLE))

    async def seed_indexed() -> bool:
        return len(await indexed_ids(es, settings)) == 1

    await wait_for(seed_indexed)
    failing = worker_factory(loglevel="info", elasticsearch_password=WRONG, app_id=f"{settings.worker.app_id}-wrong")
    await asyncio.sleep(15)  # it retries the rejected credentials and logs each failure
    assert failing.poll() is None
    searched = run_cli("search", "كوريا", check=False, env_overrides={"NEWSFLOW_ELASTICSEARCH_PASSWORD": WRONG})
    assert searched.returncode != 0
    errors = (searched.stdout + searched.stderr).decode()
    assert "401" in errors or "authentication" in errors.lower()
    logs = await asyncio.to_thread(worker_logs, tmp_path)
    assert any("security_exception" in log or "401" in log for log in logs)  # the failure was logged
    for text in [*logs, errors]:
        assert password not in text
        assert WRONG not in text
