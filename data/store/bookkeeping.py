"""The store's bookkeeping tables: crawl runs, sources and the staged-batch ledger.

It owns the run statuses, the upsert of the sources table, the check and
record of staged batches in `staged_batches` (migration 005: a batch is loaded
at most once) and whether a run's process is still alive.
"""

from __future__ import annotations

import os

import duckdb

from newsmon.data.errors import AlreadyLoadedError

RUN_STATUSES = ("running", "ok", "failed", "interrupted")

UPSERT_SOURCES = """
INSERT INTO sources (name, homepage, language, feeds, sitemaps, config, updated_at)
SELECT name, homepage, language, coalesce(feeds, []::VARCHAR[]), coalesce(sitemaps, []::VARCHAR[]),
    CAST(config AS JSON), $now
FROM in_sources
ON CONFLICT (name) DO UPDATE SET
    homepage = excluded.homepage, language = excluded.language, feeds = excluded.feeds,
    sitemaps = excluded.sitemaps, config = excluded.config,
    updated_at = CASE
        WHEN (sources.homepage, sources.language, sources.feeds, sources.sitemaps, CAST(sources.config AS VARCHAR))
            IS DISTINCT FROM
            (excluded.homepage, excluded.language, excluded.feeds, excluded.sitemaps, CAST(excluded.config AS VARCHAR))
        THEN excluded.updated_at ELSE sources.updated_at END
"""

BATCHES_LOADED = "SELECT batch_id FROM in_batches SEMI JOIN staged_batches USING (batch_id) ORDER BY batch_id"

_RECORD_BATCHES = """
INSERT INTO staged_batches (batch_id, staged_at, loaded_at, run_id, articles, mentions, figures, pages)
SELECT batch_id, staged_at, $now, $run_id, articles, mentions, figures, pages FROM in_batches
"""


def record_batches(con: duckdb.DuckDBPyConnection, run_id: int | None, now) -> None:
    """Record in_batches in staged_batches, or raise AlreadyLoadedError if one is there."""
    loaded = [row[0] for row in con.execute(BATCHES_LOADED).fetchall()]
    if loaded:
        raise AlreadyLoadedError(f"{len(loaded)} staged batch(es) already loaded: {', '.join(loaded[:5])}",
                                 loaded)
    con.execute(_RECORD_BATCHES, {"now": now, "run_id": run_id})



def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

