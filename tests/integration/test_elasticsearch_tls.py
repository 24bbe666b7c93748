"""The local node serves HTTPS with a certificate from the CA deploy/local/services makes; clients
verify it with the CA file from settings, and a client that does not trust that CA is refused."""

from __future__ import annotations

from pathlib import Path

import certifi
import pytest
from elastic_transport import TlsError

from streams.settings import Settings
from streams.sink import credentials
from streams.sink.elasticsearch import open_client

pytestmark = pytest.mark.integration


async def test_https_with_the_ca_file_is_verified(settings: Settings) -> None:
    assert settings.elasticsearch.url.startswith("https://")
    assert credentials.ca_file(settings) is not None
    async with open_client(settings) as client:
        assert (await client.cluster.health())["status"] in {"green", "yellow"}
    public_roots_only = settings.replace(**{"elasticsearch_ca_file": Path(certifi.where())})
    async with open_client(public_roots_only) as client:
        with pytest.raises(TlsError) as refused:
            await client.cluster.health()
        assert "certificate verify failed" in refused.value.message
