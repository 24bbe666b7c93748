"""The pipeline over the broker's SASL_PLAINTEXT listener with SCRAM-SHA-512 (deploy/local/services
opens it on 127.0.0.1:9094, NEWSFLOW_KAFKA_SASL_PORT): the producer (kafka-python), the worker
(Faust and its aiokafka readers) and the CLI authenticate from settings; a wrong password is refused."""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Callable
from uuid import uuid4

import pytest
from elasticsearch import AsyncElasticsearch
from kafka.admin import KafkaAdminClient, ScramMechanism, UserScramCredentialUpsertion
from kafka.errors import KafkaError
from pydantic import SecretStr

from streams.kafka.security import kafka_python_options
from streams.settings import Settings
from streams.sources.producer import create_producer
from tests.conftest import SEED_ARTICLE
from tests.integration.conftest import indexed_ids, wait_for

pytestmark = pytest.mark.integration

SASL_ADDRESS = f"127.0.0.1:{os.environ.get('NEWSFLOW_KAFKA_SASL_PORT', '9094')}"


def scram_user(settings: Settings) -> tuple[str, str]:
    """A new SCRAM-SHA-512 user, created through the admin API on the plain listener."""
    user, password = f"newsflow-test-{uuid4().hex[:8]}", secrets.token_urlsafe(18)
    admin = KafkaAdminClient(**kafka_python_options(settings.kafka))
    try:
        errors = admin.alter_user_scram_credentials(
            [UserScramCredentialUpsertion(user, ScramMechanism.SCRAM_SHA_512, password)]
        )
    finally:
        admin.close()
    assert not any(errors.values()), errors
    return user, password


@pytest.mark.timeout(300)
async def test_the_pipeline_runs_over_sasl_scram(
    settings: Settings,
    es: AsyncElasticsearch,
    worker_factory: Callable[..., subprocess.Popen[bytes]],
    run_cli: Callable[..., subprocess.CompletedProcess[bytes]],
) -> None:
    user, password = scram_user(settings)
    sasl = {
        "kafka_bootstrap_servers": SASL_ADDRESS,
        "kafka_security_protocol": "SASL_PLAINTEXT",
        "kafka_sasl_mechanism": "SCRAM-SHA-512",
        "kafka_sasl_username": user,
    }
    worker_factory(**sasl, kafka_sasl_password=password)
    environment = {f"NEWSFLOW_{k.upper()}": v for k, v in sasl.items()} | {"NEWSFLOW_KAFKA_SASL_PASSWORD": password}
    run_cli("produce", "--no-progress", str(SEED_ARTICLE), env_overrides=environment)

    async def seed_indexed() -> bool:
        return len(await indexed_ids(es, settings)) == 1

    await wait_for(seed_indexed, timeout=120)
    wrong = settings.replace(**{**sasl, "kafka_sasl_password": SecretStr("wrong")})
    with pytest.raises(KafkaError):
        create_producer(wrong).close()
