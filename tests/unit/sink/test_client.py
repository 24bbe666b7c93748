"""The Elasticsearch client gets every node of a comma-separated URL list, so a dead node is skipped."""

from __future__ import annotations

from pydantic import SecretStr

from streams.settings import Settings
from streams.sink.elasticsearch import create_client


async def test_every_listed_node_is_in_the_pool() -> None:
    urls = "https://127.0.0.1:19201, https://127.0.0.1:19202,https://127.0.0.1:19203"
    client = create_client(Settings(elasticsearch_url=urls, elasticsearch_password=SecretStr("x")))
    try:
        ports = sorted(node.config.port for node in client.transport.node_pool.all())
    finally:
        await client.close()
    assert ports == [19201, 19202, 19203]
