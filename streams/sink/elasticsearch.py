"""Bulk writes to Elasticsearch with the official async client and its bulk helper.

Each item's result is classified: acknowledged (created, updated, or a version conflict on an idempotent
write), retryable (429, 5xx, connection trouble: the items left are sent again under the one retry
policy, streams.retry, for as long as it takes, which holds the batch and so pauses consumption; a 429,
Elasticsearch throttling us, is a BackpressureError, counted apart), or permanent (mapping and parsing
errors: returned to the caller for the dead-letter topic). The client itself does not retry
(``max_retries=0``): this is the one layer that waits for Elasticsearch, and it counts its waits.
Anything else (a document that cannot be serialized, a request Elasticsearch refuses whole) is raised.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, AsyncElasticsearch
from elasticsearch.helpers import async_streaming_bulk
from elasticsearch.serializer import OrjsonSerializer

from streams.errors import BackpressureError, ConfigurationError, TransientError
from streams.retry import Cause, Retrier, retrying
from streams.schemas import articles_index_template
from streams.settings import Settings, SinkSettings
from streams.sink import credentials
from streams.sink.analysis import PLUGIN, choose_server_analysis, index_has_server_analysis, with_server_analysis

log = logging.getLogger(__name__)

TOO_MANY_REQUESTS = 429
RETRYABLE_STATUS = frozenset({TOO_MANY_REQUESTS, 500, 502, 503, 504})
CONFLICT = 409
NOT_FOUND = 404
FIRST_INDEX_SUFFIX = "-000001"


def connection_options(settings: Settings) -> dict[str, Any]:
    """The CA file and credentials a client of this deployment connects with (async or sync)."""
    connection = settings.elasticsearch
    options: dict[str, Any] = {}
    ca = credentials.ca_file(settings)
    if ca is not None:
        options["ca_certs"] = str(ca)
    secret = credentials.password(settings)
    if connection.api_key is not None:
        options["api_key"] = connection.api_key.get_secret_value()
    elif connection.username and secret is not None:
        options["basic_auth"] = (connection.username, secret.get_secret_value())
    return options


def node_urls(settings: Settings) -> list[str]:
    """The configured nodes (several: a dead one is skipped)."""
    return [url.strip() for url in settings.elasticsearch.url.split(",")]


def create_client(settings: Settings) -> AsyncElasticsearch:
    return AsyncElasticsearch(
        node_urls(settings),
        request_timeout=settings.elasticsearch.request_timeout,
        max_retries=0,
        serializer=OrjsonSerializer(),  # the bulk helper serializes every action: the default is stdlib json
        **connection_options(settings),
    )


@asynccontextmanager
async def open_client(settings: Settings) -> AsyncIterator[AsyncElasticsearch]:
    client = create_client(settings)
    try:
        yield client
    finally:
        await client.close()


async def drop_index(client: AsyncElasticsearch, settings: Settings) -> None:
    """Delete the article indices (behind the alias or left by a reindex), a reindex's state, the events
    index and their templates (tests, benchmarks, resets)."""
    alias = settings.elasticsearch.articles_alias
    found = await client.indices.get(index=f"{alias}-*,{alias}.reindex", ignore_unavailable=True, allow_no_indices=True)
    if found:  # by name: the node refuses wildcard deletes
        await client.indices.delete(index=",".join(found))
    await client.indices.delete_index_template(name=settings.elasticsearch.articles_alias)
    await client.indices.delete(index=settings.elasticsearch.events_index, ignore_unavailable=True)
    await client.options(ignore_status=NOT_FOUND).indices.delete_index_template(
        name=settings.elasticsearch.events_index
    )


@dataclass(frozen=True, slots=True)
class ArticleIndex:
    alias: str
    server_analysis: bool  # text analyzed by the node's plugin; documents carry no *_key/*_stem copies

    def describe(self) -> str:
        if self.server_analysis:
            return f"{self.alias}, text analyzed by the node ({PLUGIN} plugin)"
        return (
            f"{self.alias}, text analysis in newsflow (*_key/*_stem fields): the {PLUGIN} plugin is not on every "
            "node, the index predates it, or NEWSFLOW_TEXT_ANALYSIS=key_fields; Kibana and query_string searches "
            "do not fold Arabic spellings"
        )


async def ensure_index(
    client: AsyncElasticsearch, settings: Settings, fields: Mapping[str, Mapping[str, Any]]
) -> ArticleIndex:
    """Install the index template and create the first index behind the alias; idempotent. ``fields``:
    the mappings of the document fields the enrichers in use add (streams.pipeline.stages), merged into the
    shipped mapping. A new index analyzes text on the node when every node has the plugin
    (streams.sink.analysis); an existing one keeps its mode."""
    alias = settings.elasticsearch.articles_alias
    exists = await client.indices.exists_alias(name=alias)
    if exists:
        server = await index_has_server_analysis(client, alias)
    else:
        server = await choose_server_analysis(client, settings)
    body = articles_index_template(f"{alias}-*", settings.elasticsearch.index_replicas)
    properties = body["template"]["mappings"]["properties"]
    clashes = set(fields) & set(properties)
    if clashes:
        raise ConfigurationError(f"enricher fields {sorted(clashes)} are already in the article mapping")
    properties.update({name: dict(mapping) for name, mapping in fields.items()})
    if server:
        body = with_server_analysis(body)
    await client.indices.put_index_template(name=alias, **body)
    if not exists:
        try:
            await client.indices.create(index=alias + FIRST_INDEX_SUFFIX, aliases={alias: {"is_write_index": True}})
        except ApiError as exc:
            if exc.meta.status != 400 or "resource_already_exists" not in str(exc):
                raise
    else:  # an index made by an older newsflow: add the fields this version writes (additions only)
        await client.indices.put_mapping(index=alias, properties=body["template"]["mappings"]["properties"])
    return ArticleIndex(alias, server)


MAPPING_ERRORS = ("mapper_parsing_exception", "document_parsing_exception", "strict_dynamic_mapping_exception")


@dataclass(frozen=True, slots=True)
class Rejected:
    """A document Elasticsearch will never accept as it is."""

    doc_id: str
    status: int
    reason: str

    @property
    def mapping(self) -> bool:
        """Refused for its fields (a dead letter with reason ``mapping``), not for another 4xx cause."""
        return self.reason.startswith(MAPPING_ERRORS)


@dataclass(slots=True)
class BulkOutcome:
    indexed: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # partial updates whose document never appeared
    retries: int = 0
    throttled: bool = False  # the last attempt met a 429


def _item_error(info: dict[str, Any]) -> tuple[str, int, str]:
    item = next(iter(info.values()))
    error = item.get("error")
    reason = error.get("reason", "") if isinstance(error, dict) else str(error or "")
    kind = error.get("type", "") if isinstance(error, dict) else ""
    return str(item.get("_id")), int(item.get("status", 0)), f"{kind}: {reason}".strip(": ")


class BulkIndexer:
    """Writes batches of (id, document) to one index or alias until each is acked or rejected."""

    def __init__(self, client: AsyncElasticsearch, index: str, batching: SinkSettings, retrier: Retrier) -> None:
        self._client = client
        self._index = index
        self._retrier = retrier
        self._chunk_size = batching.batch_size
        self._chunk_bytes = batching.batch_max_bytes

    async def write(
        self,
        documents: Sequence[tuple[str, dict[str, Any]]],
        refresh: bool = False,
        partial: bool = False,
        wait_missing: float = 0.0,
        versions: Mapping[str, int] | None = None,
    ) -> BulkOutcome:
        """Index whole documents, or with ``partial`` update fields of existing ones. A document to update
        that is not there (yet: another worker may not have flushed it) is tried again, under the same
        backoff, for up to ``wait_missing`` seconds, then listed in ``missing``. ``versions``: external
        versions of whole documents; a write older than the stored document is a conflict, so acked."""
        outcome = BulkOutcome()
        pending = dict(documents)
        deadline = time.monotonic() + wait_missing

        async def send_pending() -> None:
            nonlocal pending
            outcome.throttled = False
            retry, missing = await self._write_once(pending, outcome, partial, versions or {})
            if time.monotonic() < deadline:
                retry += missing
            else:
                outcome.missing.extend(missing)
            pending = {doc_id: pending[doc_id] for doc_id in retry}
            if pending and outcome.throttled:
                raise BackpressureError(f"elasticsearch throttles (429): {len(pending)} documents to send again")
            if pending:
                raise TransientError(f"elasticsearch: {len(pending)} documents to send again")

        def count(what: str, cause: Cause) -> None:
            outcome.retries += 1
            self._retrier.on_retry(what, cause)

        if pending:
            await retrying("indexing" if not partial else "updating", send_pending, self._retrier.backoff, count)
        if refresh:
            await self._client.indices.refresh(index=self._index)
        return outcome

    async def _write_once(
        self, pending: dict[str, dict[str, Any]], outcome: BulkOutcome, partial: bool, versions: Mapping[str, int]
    ) -> tuple[list[str], list[str]]:
        """One bulk pass: (ids to send again, ids of documents to update that do not exist)."""
        actions = (
            {"_op_type": "update", "_index": self._index, "_id": i, "doc": d, "retry_on_conflict": 3}
            if partial
            else {"_op_type": "index", "_index": self._index, "_id": i, "_source": d}
            | ({"version": versions[i], "version_type": "external"} if i in versions else {})
            for i, d in pending.items()
        )
        retry: list[str] = []
        missing: list[str] = []
        seen: set[str] = set()
        try:
            async for ok, info in async_streaming_bulk(
                self._client,
                actions,
                chunk_size=self._chunk_size,
                max_chunk_bytes=self._chunk_bytes,
                raise_on_error=False,
                raise_on_exception=True,
                max_retries=0,
            ):
                doc_id, status, reason = _item_error(info)
                seen.add(doc_id)
                if ok or status == CONFLICT:
                    outcome.indexed.append(doc_id)
                elif partial and status == NOT_FOUND:
                    missing.append(doc_id)
                elif status in RETRYABLE_STATUS:
                    retry.append(doc_id)
                    outcome.throttled |= status == TOO_MANY_REQUESTS
                else:
                    outcome.rejected.append(Rejected(doc_id, status, reason))
        except (TransportConnectionError, ConnectionTimeout) as exc:
            log.warning("elasticsearch unreachable: %s", type(exc).__name__)
        except ApiError as exc:
            if exc.meta.status not in RETRYABLE_STATUS:
                raise
            outcome.throttled |= exc.meta.status == TOO_MANY_REQUESTS
            log.warning("elasticsearch bulk answered %s", exc.meta.status)
        retry.extend(doc_id for doc_id in pending if doc_id not in seen and doc_id not in retry)
        return retry, missing
