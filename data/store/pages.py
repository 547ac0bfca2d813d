"""The fetch record (table `pages`, migration 003) as the store writes and reads it.

It owns the upsert of fetch-record rows (`write_pages`: one row per requested
URL, in the same transaction as the batch's articles; the rules are in
data/store/__init__.py) and reading the record of some sources back in chunks
(`known_page_chunks`), for a crawl deciding what to fetch (data.fetchrecord).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import duckdb
import pandas as pd

_STAGE_PAGES = """
CREATE OR REPLACE TEMP TABLE _pages AS
SELECT i.*,
    CASE
        WHEN p.url IS NULL THEN true
        WHEN i.kind = 'redirect' THEN i.redirect_to IS DISTINCT FROM p.redirect_to
        WHEN i.outcome = 'not_modified' OR i.outcome LIKE 'failed:%' THEN false
        WHEN b.change IS NOT NULL THEN b.change IN ('new', 'changed')
        WHEN i.etag IS NULL AND i.last_modified IS NULL THEN true
        ELSE (i.etag, i.last_modified) IS DISTINCT FROM (p.etag, p.last_modified)
    END AS changed
FROM in_pages i
LEFT JOIN pages p ON p.url = i.url
LEFT JOIN {changes} b ON i.outcome = 'stored' AND b.canonical_url = i.canonical_url
"""
_NO_CHANGES = "(SELECT NULL::VARCHAR AS canonical_url, NULL::VARCHAR AS change WHERE false)"
_BATCH_CHANGES = "(SELECT canonical_url, change FROM _batch)"

_UPSERT_PAGES = """
INSERT INTO pages (url, source, kind, status, etag, last_modified, lastmod, first_fetched_at,
    last_fetched_at, last_changed_at, outcome, canonical_url, run_id, redirect_to)
SELECT url, source, kind, status, etag, last_modified, lastmod, coalesce(fetched_at, $now),
    coalesce(fetched_at, $now), CASE WHEN changed THEN coalesce(fetched_at, $now) END,
    outcome, canonical_url, $run_id, redirect_to
FROM _pages
ON CONFLICT (url) DO UPDATE SET
    source = coalesce(excluded.source, pages.source),
    kind = excluded.kind,
    status = excluded.status,
    etag = CASE WHEN excluded.outcome = 'not_modified'
                THEN coalesce(excluded.etag, pages.etag) ELSE excluded.etag END,
    last_modified = CASE WHEN excluded.outcome = 'not_modified'
                THEN coalesce(excluded.last_modified, pages.last_modified) ELSE excluded.last_modified END,
    lastmod = coalesce(excluded.lastmod, pages.lastmod),
    last_fetched_at = greatest(pages.last_fetched_at, excluded.last_fetched_at),
    last_changed_at = coalesce(excluded.last_changed_at, pages.last_changed_at),
    outcome = excluded.outcome,
    canonical_url = CASE WHEN excluded.kind = 'redirect' THEN NULL
                ELSE coalesce(excluded.canonical_url, pages.canonical_url) END,
    run_id = excluded.run_id,
    redirect_to = excluded.redirect_to
"""

KNOWN_PAGES = """
SELECT url, kind, status, etag, last_modified, lastmod, last_fetched_at, outcome, canonical_url,
    {redirect_to} AS redirect_to
FROM pages
WHERE list_contains($sources, source) AND rowid >= $lo AND rowid < $hi
"""
_HAS_REDIRECT_TO = """
SELECT count(*) FROM duckdb_columns()
WHERE schema_name = 'main' AND table_name = 'pages' AND column_name = 'redirect_to'
"""


def known_page_chunks(con: duckdb.DuckDBPyConnection, sources: Iterable[str],
                      rows_per_chunk: int = 20_000) -> Iterator[pd.DataFrame]:
    """The fetch record of `sources` (url, kind, status, etag, last_modified, lastmod,
    last_fetched_at, outcome, canonical_url, redirect_to) in chunks read by rowid ranges,
    so a record of millions of pages is never in memory at once: DuckDB materialises a
    whole result, and a range of `rows_per_chunk` rowids is all one query holds.  Works
    on a read-only connection too, also on a database from before migration 011 (no
    redirects remembered yet)."""
    params = {"sources": sorted(set(sources))}
    low, high = con.execute("SELECT min(rowid), max(rowid) FROM pages").fetchone()
    if low is None:
        return
    has_redirects = con.execute(_HAS_REDIRECT_TO).fetchone()[0] > 0
    sql = KNOWN_PAGES.format(redirect_to="redirect_to" if has_redirects else "NULL::VARCHAR")
    for start in range(low, high + 1, rows_per_chunk):
        chunk = con.execute(sql, {**params, "lo": start, "hi": start + rows_per_chunk}).df()
        if not chunk.empty:
            yield chunk


def write_pages(con: duckdb.DuckDBPyConnection, run_id: int | None, now,
                 after_articles: bool) -> int:
    """Upsert in_pages into pages; a stored article's row is 'changed' by its _batch class."""
    con.execute(_STAGE_PAGES.format(changes=_BATCH_CHANGES if after_articles else _NO_CHANGES))
    return con.execute(_UPSERT_PAGES, {"now": now, "run_id": run_id}).fetchone()[0]

