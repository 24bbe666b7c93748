"""Server-side analysis (the newsflow-analysis plugin) vs newsflow's *_key/*_stem fields, same run, same
articles: the seconds to make the documents (the key and stem copies are Python work), to bulk-index
them (the plugin's analysis is the node's work), the indexing throughput of both together, and the
index's size on disk once merged to one segment.

    .venv/bin/python -m bench.text_analysis [--articles 2000] [--rounds 2]

Needs the local services with the plugin (deploy/local/services up) and the NEWSFLOW_* environment they
print. Modes alternate each round on fresh indices, which are deleted afterwards. Prints and writes
bench/results/text_analysis-*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import uuid4

from bench.end_to_end import load_articles
from bench.report import publish
from streams.pipeline.process import offline_documents, process_raw
from streams.pipeline.stages import enrichment_context, field_mappings
from streams.records import EnrichedArticle
from streams.retry import Retrier
from streams.settings import Settings
from streams.sink.elasticsearch import BulkIndexer, drop_index, ensure_index, open_client

Mode = Literal["server", "key_fields"]
MODES: tuple[Mode, Mode] = ("server", "key_fields")


async def run_mode(settings: Settings, enriched: list[EnrichedArticle]) -> dict[str, float]:
    async with open_client(settings) as client:
        index = await ensure_index(client, settings, field_mappings(settings.enrichment))
        assert index.server_analysis == (settings.elasticsearch.text_analysis == "server")
        try:
            start = time.monotonic()
            documents = offline_documents(enriched, settings, datetime.now(UTC), not index.server_analysis)
            made = time.monotonic()
            indexer = BulkIndexer(
                client, settings.elasticsearch.articles_alias, settings.sink, Retrier(settings.retry.backoff)
            )
            for offset in range(0, len(documents), settings.sink.batch_size):
                outcome = await indexer.write(documents[offset : offset + settings.sink.batch_size])
                assert not outcome.rejected
            await client.indices.refresh(index=settings.elasticsearch.articles_alias)
            indexed = time.monotonic()
            await client.indices.forcemerge(index=settings.elasticsearch.articles_alias, max_num_segments=1, flush=True)
            stats = await client.indices.stats(index=settings.elasticsearch.articles_alias, metric="store")
            return {
                "documents_seconds": made - start,
                "bulk_seconds": indexed - made,
                "total_seconds": indexed - start,
                "store_bytes": float(stats["_all"]["primaries"]["store"]["size_in_bytes"]),
            }
        finally:
            await drop_index(client, settings)


def summary(runs: list[dict[str, float]], articles: int) -> dict[str, Any]:
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    return {
        "articles_per_s": round(articles / median["total_seconds"], 1),
        "documents_seconds": round(median["documents_seconds"], 2),
        "bulk_seconds": round(median["bulk_seconds"], 2),
        "index_mib": round(median["store_bytes"] / 2**20, 2),
        "rounds": [{k: round(v, 2) for k, v in run.items()} for run in runs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    unique = uuid4().hex[:8]
    base = Settings()
    context = enrichment_context(base.enrichment)
    enriched = [process_raw(raw, context) for raw in load_articles(base, args.articles)]
    runs: dict[Mode, list[dict[str, float]]] = {mode: [] for mode in MODES}
    for round_number in range(args.rounds):
        for mode in MODES if round_number % 2 == 0 else MODES[::-1]:
            prefix = f"bench-{unique}-{mode.replace('_', '-')}-{round_number}"
            settings = base.replace(**{"index_prefix": prefix, "text_analysis": mode})
            runs[mode].append(asyncio.run(run_mode(settings, enriched)))
    server, key_fields = (summary(runs[mode], len(enriched)) for mode in MODES)
    result = {
        "articles": len(enriched),
        "server_analysis": server,
        "key_fields": key_fields,
        "throughput_server_over_key_fields": round(server["articles_per_s"] / key_fields["articles_per_s"], 3),
        "size_server_over_key_fields": round(server["index_mib"] / key_fields["index_mib"], 3),
        "measured_at": datetime.now(UTC).isoformat(),
    }
    publish(f"text_analysis-{unique}", result)


if __name__ == "__main__":
    main()
