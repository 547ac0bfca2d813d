"""The database API: `open_db`, `connect_read`, `query` and the `Store` writer.

Concurrency: DuckDB allows one writing process OR several reading ones.  Every
`Store` method therefore opens the file, runs ONE transaction and closes it, so
readers get in between writes; both sides retry on a lock conflict for up to
their timeout (connection.py) instead of failing at once.

Writes are set-based: frames become typed Arrow tables (frames.py), are
registered on the connection and moved with INSERT ... SELECT / ON CONFLICT /
DELETE ... WHERE article_id IN (SELECT ...).  Nothing is written row by row.

Recrawl rule of `write_batch` (the key is canonical_url; article_id is derived
from it):
* a canonical_url not in the database            -> inserted;
* same text_hash as stored                       -> unchanged: only fetched_at
  moves forward; stored mentions and figures stay;
* different text_hash, or the stored row was not annotated and this one is
                                                 -> updated: the row is
  rewritten (first_seen_at kept, updated_at = now, run_id = this run) and its
  mentions and figures are REPLACED by the batch's;
* a canonical_url repeated within one batch      -> the last row wins.
Mentions and figures are matched to articles by canonical_url; rows of
unchanged articles are skipped, rows of articles not in the batch are dropped
with a warning.  Exact duplicate mention/figure rows collapse to one.
The whole batch (articles, mentions, figures, entities) commits or nothing does.

The fetch record (table `pages`, migration 003) rides in the same batches:
`write_batch(..., pages=frame)` upserts one row per requested URL in the SAME
transaction as the batch's articles, so a run killed between the two can never
mark a page fetched whose article is not stored.  Per url (the last row of a
batch wins): first_fetched_at is kept, last_fetched_at only moves forward;
etag/last_modified are replaced by the new response's (a 'not_modified' row
keeps the stored ones, a 'failed:*' row clears them, so the next request is
unconditional); last_changed_at moves when the page is new, when its stored
article was inserted or updated, or (other pages) when its validators changed
or it has none.  `known_pages(sources)` reads the record back for a crawl.

Staged batches (data/staging.py) ride in the same way: `write_batch(...,
batches=frame)` records the batch ids in `staged_batches` (migration 005) in
the SAME transaction, after checking none is there yet (AlreadyLoadedError,
nothing written), so a batch is loaded at most once.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from newsmon.data.connection import DEFAULT_DB_PATH, connect, utc_now
from newsmon.data.entities import resolve_entities
from newsmon.data.errors import AlreadyLoadedError, WriteError
from newsmon.data.frames import (
    ARTICLE_COLUMNS,
    BATCH_COLUMNS,
    FIGURE_COLUMNS,
    MENTION_COLUMNS,
    PAGE_COLUMNS,
    SOURCE_COLUMNS,
    last_per_article,
    last_per_url,
    to_arrow,
    with_article_id,
)
from newsmon.data.migrate import apply_migrations, pending

logger = logging.getLogger(__name__)

RUN_STATUSES = ("running", "ok", "failed", "interrupted")

_CLASSIFY = """
CREATE OR REPLACE TEMP TABLE _batch AS
SELECT i.*,
    CASE
        WHEN a.article_id IS NULL THEN 'new'
        WHEN a.text_hash <> i.text_hash THEN 'changed'
        WHEN coalesce(i.annotated, false) AND NOT a.annotated THEN 'changed'
        ELSE 'unchanged'
    END AS change
FROM in_articles i
LEFT JOIN articles a ON a.article_id = i.article_id
"""

_TOUCH_UNCHANGED = """
UPDATE articles SET fetched_at = greatest(articles.fetched_at, coalesce(b.fetched_at, $now))
FROM _batch b
WHERE articles.article_id = b.article_id AND b.change = 'unchanged'
"""

_UPSERT_CHANGED = """
INSERT INTO articles (
    article_id, url, canonical_url, source, title, authors, published_at, fetched_at,
    first_seen_at, updated_at, language, sitename, description, text, text_hash,
    word_count, relevance, matched_terms, annotated, run_id)
SELECT
    article_id, url, canonical_url, source, title, coalesce(authors, []::VARCHAR[]),
    published_at, coalesce(fetched_at, $now), $now, $now, language, sitename, description,
    text, text_hash, word_count, relevance, coalesce(matched_terms, []::VARCHAR[]),
    coalesce(annotated, false), $run_id
FROM _batch
WHERE change <> 'unchanged'
ON CONFLICT (article_id) DO UPDATE SET
    url = excluded.url, source = excluded.source, title = excluded.title,
    authors = excluded.authors, published_at = excluded.published_at,
    fetched_at = excluded.fetched_at, updated_at = excluded.updated_at,
    language = excluded.language, sitename = excluded.sitename,
    description = excluded.description, text = excluded.text, text_hash = excluded.text_hash,
    word_count = excluded.word_count, relevance = excluded.relevance,
    matched_terms = excluded.matched_terms, annotated = excluded.annotated,
    run_id = excluded.run_id
"""

_DELETE_OLD_ANNOTATIONS = (
    "DELETE FROM mentions WHERE article_id IN (SELECT article_id FROM _targets)",
    "DELETE FROM figures WHERE article_id IN (SELECT article_id FROM _targets)",
)

_STAGE_MENTIONS = """
CREATE OR REPLACE TEMP VIEW _mentions AS
SELECT m.article_id, m.label, m.text,
    coalesce(nullif(trim(m.canonical), ''), m.text) AS canonical,
    m.start, m."end", m.sentence
FROM in_mentions m
SEMI JOIN _targets t ON t.article_id = m.article_id
"""

_INSERT_MENTIONS = """
INSERT INTO mentions (article_id, label, text, canonical, entity_id, start_char, end_char, sentence)
SELECT DISTINCT m.article_id, m.label, m.text, m.canonical, e.entity_id, m.start, m."end", m.sentence
FROM _mentions m
LEFT JOIN _entity_of e ON e.label = m.label AND e.canonical = m.canonical
"""

_INSERT_FIGURES = """
INSERT INTO figures (article_id, kind, value, unit, object, text, start_char, end_char, sentence)
SELECT DISTINCT f.article_id, f.kind, f.value, f.unit, f.object, f.text, f.start, f."end", f.sentence
FROM in_figures f
SEMI JOIN _targets t ON t.article_id = f.article_id
"""

_UPSERT_SOURCES = """
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


_STAGE_PAGES = """
CREATE OR REPLACE TEMP TABLE _pages AS
SELECT i.*,
    CASE
        WHEN p.url IS NULL THEN true
        WHEN i.outcome = 'not_modified' OR i.outcome LIKE 'failed:%' THEN false
        WHEN b.change IS NOT NULL THEN b.change <> 'unchanged'
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
    last_fetched_at, last_changed_at, outcome, canonical_url, run_id)
SELECT url, source, kind, status, etag, last_modified, lastmod, coalesce(fetched_at, $now),
    coalesce(fetched_at, $now), CASE WHEN changed THEN coalesce(fetched_at, $now) END,
    outcome, canonical_url, $run_id
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
    canonical_url = coalesce(excluded.canonical_url, pages.canonical_url),
    run_id = excluded.run_id
"""

_BATCHES_LOADED = "SELECT batch_id FROM in_batches SEMI JOIN staged_batches USING (batch_id) ORDER BY batch_id"

_RECORD_BATCHES = """
INSERT INTO staged_batches (batch_id, staged_at, loaded_at, run_id, articles, mentions, figures, pages)
SELECT batch_id, staged_at, $now, $run_id, articles, mentions, figures, pages FROM in_batches
"""

_KNOWN_PAGES = """
SELECT url, kind, status, etag, last_modified, lastmod, last_fetched_at, outcome, canonical_url
FROM pages
WHERE list_contains($sources, source)
"""


def known_page_chunks(con: duckdb.DuckDBPyConnection, sources: Iterable[str],
                      rows_per_chunk: int = 20_000) -> Iterator[pd.DataFrame]:
    """The fetch record of `sources` (the columns of `Store.known_pages`) in chunks read
    by rowid ranges, so a record of millions of pages is never in memory at once: DuckDB
    materialises a whole result, and a range of `rows_per_chunk` rowids is all one query
    holds.  Works on a read-only connection too."""
    params = {"sources": sorted(set(sources))}
    low, high = con.execute("SELECT min(rowid), max(rowid) FROM pages").fetchone()
    if low is None:
        return
    for start in range(low, high + 1, rows_per_chunk):
        chunk = con.execute(_KNOWN_PAGES + " AND rowid >= $lo AND rowid < $hi",
                            {**params, "lo": start, "hi": start + rows_per_chunk}).df()
        if not chunk.empty:
            yield chunk


def open_db(path: Path | str = DEFAULT_DB_PATH, read_only: bool = False,
            timeout: float = 30.0) -> duckdb.DuckDBPyConnection:
    """A connection to the database; writable opens create it and apply pending migrations.

    Raises NotADatabaseError (file left untouched), DatabaseNotFoundError
    (read-only open of a missing file), DatabaseBusyError, MigrationError.
    The caller closes the connection (it is a context manager); keep it short.
    """
    con = connect(path, read_only=read_only, timeout=timeout)
    try:
        if read_only:
            _warn_if_behind(con, path)
        else:
            apply_migrations(con)
    except BaseException:
        con.close()
        raise
    return con


def _warn_if_behind(con: duckdb.DuckDBPyConnection, path: Path | str) -> None:
    behind = pending(con)
    if behind:
        logger.warning("%s lacks %d migration(s) (%s); open it for writing to apply them",
                       path, len(behind), ", ".join(m.label for m in behind))


def connect_read(path: Path | str = DEFAULT_DB_PATH, timeout: float = 30.0) -> duckdb.DuckDBPyConnection:
    """A read-only connection, waiting up to `timeout` seconds for a writer to finish."""
    return open_db(path, read_only=True, timeout=timeout)


def query(path: Path | str, sql: str, params: list | dict | None = None, timeout: float = 30.0) -> pd.DataFrame:
    """Run one read-only query and return its result as a DataFrame."""
    with connect_read(path, timeout=timeout) as con:
        return con.execute(sql, params).df()


class Store:
    """The writer.  Each method is one short transaction on its own connection."""

    def __init__(self, path: Path | str = DEFAULT_DB_PATH, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        open_db(self.path, timeout=busy_timeout).close()  # create and migrate once

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @contextmanager
    def _transaction(self, what: str,
                     tables: Mapping[str, pa.Table] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect(self.path, read_only=False, timeout=self.busy_timeout)
        try:
            for name, table in (tables or {}).items():
                con.register(name, table)
            con.begin()
            try:
                yield con
                con.commit()
            except duckdb.Error as exc:
                _rollback_quietly(con)
                raise WriteError(f"{what} on {self.path} failed and was rolled back: {exc}") from exc
            except BaseException:
                _rollback_quietly(con)
                raise
        finally:
            con.close()

    # -- crawl runs -------------------------------------------------------

    def start_run(self, sources: list[str]) -> int:
        """Record a crawl run as 'running' and return its run_id."""
        with self._transaction("start_run") as con:
            return con.execute(
                "INSERT INTO crawl_runs (started_at, status, sources, pid) "
                "VALUES ($now, 'running', $sources, $pid) RETURNING run_id",
                {"now": utc_now(), "sources": list(sources), "pid": os.getpid()},
            ).fetchone()[0]

    def finish_run(self, run_id: int, status: str, stats: dict) -> None:
        """Close a run with a final status and its stats (stored as JSON)."""
        if status not in RUN_STATUSES:
            raise WriteError(f"finish_run: status must be one of {RUN_STATUSES}, not {status!r}")
        with self._transaction("finish_run") as con:
            updated = con.execute(
                "UPDATE crawl_runs SET finished_at = $now, status = $status, stats = CAST($stats AS JSON) "
                "WHERE run_id = $run_id RETURNING run_id",
                {"now": utc_now(), "status": status, "run_id": run_id,
                 "stats": json.dumps(stats, sort_keys=True, default=str)},
            ).fetchall()
            if not updated:
                raise WriteError(f"finish_run: there is no crawl run {run_id}")

    def mark_interrupted_runs(self, *, all_running: bool = False) -> int:
        """Mark 'running' runs whose process (on this machine) is gone as 'interrupted'.

        `all_running`: the caller holds the run lock, so every 'running' run is
        dead even if its pid was reused (containers restart with the same pids).
        """
        with self._transaction("mark_interrupted_runs") as con:
            rows = con.execute("SELECT run_id, pid FROM crawl_runs WHERE status = 'running'").fetchall()
            dead = [run_id for run_id, pid in rows
                    if all_running or pid is None or not _process_alive(pid)]
            if dead:
                con.execute(
                    "UPDATE crawl_runs SET status = 'interrupted', finished_at = $now "
                    "WHERE list_contains($ids, run_id)",
                    {"now": utc_now(), "ids": dead},
                )
        if dead:
            logger.info("marked %d crawl run(s) as interrupted: %s", len(dead), dead)
        return len(dead)

    # -- sources -----------------------------------------------------------

    def sync_sources(self, df: pd.DataFrame) -> int:
        """Upsert sources by name (updated_at moves only when a field changed); return rows given."""
        if df is None or df.empty:
            return 0
        df = df.drop_duplicates("name", keep="last") if "name" in df.columns else df
        table = to_arrow(df, SOURCE_COLUMNS, "sources")
        with self._transaction("sync_sources", {"in_sources": table}) as con:
            con.execute(_UPSERT_SOURCES, {"now": utc_now()})
        return table.num_rows

    # -- articles ----------------------------------------------------------

    def write_batch(self, run_id: int | None, articles: pd.DataFrame | None,
                    mentions: pd.DataFrame | None, figures: pd.DataFrame | None,
                    pages: pd.DataFrame | None = None, *,
                    batches: pd.DataFrame | None = None) -> dict[str, int]:
        """Write one batch in ONE transaction by the recrawl rule (module docstring),
        with the fetch record rows in `pages` (PAGE_COLUMNS; may come without articles)
        and the staged batches it is made of in `batches` (BATCH_COLUMNS).

        Returns {"inserted", "updated", "unchanged", "mentions", "figures"} (the
        last two count rows written), plus "pages" (rows upserted) when pages
        were given.  Raises WriteError (nothing written); AlreadyLoadedError
        when one of `batches` is already recorded.
        """
        counts = {"inserted": 0, "updated": 0, "unchanged": 0, "mentions": 0, "figures": 0}
        has_articles = articles is not None and not articles.empty
        has_pages = pages is not None and not pages.empty
        if pages is not None:
            counts["pages"] = 0
        if not has_articles and not has_pages and batches is None:
            return counts
        tables: dict[str, pa.Table] = {}
        if has_articles:
            tables.update({
                "in_articles": to_arrow(last_per_article(with_article_id(articles, "articles")),
                                        ARTICLE_COLUMNS, "articles"),
                "in_mentions": _annotation_table(mentions, MENTION_COLUMNS, "mentions"),
                "in_figures": _annotation_table(figures, FIGURE_COLUMNS, "figures"),
            })
        if has_pages:
            tables["in_pages"] = to_arrow(last_per_url(pages), PAGE_COLUMNS, "pages")
        if batches is not None:
            tables["in_batches"] = to_arrow(batches, BATCH_COLUMNS, "batches")
        now = utc_now()
        with self._transaction("write_batch", tables) as con:
            if batches is not None:
                _record_batches(con, run_id, now)
            if has_articles:
                counts.update(_write_articles(con, run_id, now))
            if has_pages:
                counts["pages"] = _write_pages(con, run_id, now, after_articles=has_articles)
        logger.info("batch written: %s", counts)
        return counts

    def loaded_batches(self, batch_ids: Iterable[str]) -> set[str]:
        """Which of `batch_ids` are recorded in staged_batches (one short read)."""
        ids = pa.table({"batch_id": pa.array(sorted(set(batch_ids)), type=pa.string())})
        with self._transaction("loaded_batches", {"in_batches": ids}) as con:
            return {row[0] for row in con.execute(_BATCHES_LOADED).fetchall()}

    def known_pages(self, sources: Iterable[str]) -> pd.DataFrame:
        """The fetch record of `sources`: url, kind, status, etag, last_modified,
        lastmod, last_fetched_at, outcome, canonical_url (one short read)."""
        with self._transaction("known_pages") as con:
            return con.execute(_KNOWN_PAGES, {"sources": sorted(set(sources))}).df()

    def iter_known_pages(self, sources: Iterable[str],
                         rows_per_chunk: int = 20_000) -> Iterator[pd.DataFrame]:
        """`known_pages` in chunks (`known_page_chunks`), in one transaction: consume
        the chunks promptly."""
        with self._transaction("known_pages") as con:
            yield from known_page_chunks(con, sources, rows_per_chunk)

    def replace_annotations(self, mentions: pd.DataFrame | None, figures: pd.DataFrame | None,
                            article_ids: Iterable[int]) -> dict[str, int]:
        """Replace the mentions and figures of `article_ids` (all of them, even those
        with no rows in the frames) and mark them annotated, in one transaction.

        Frames carry article_id or canonical_url plus the write_batch columns.
        Returns {"articles", "mentions", "figures"}.
        """
        ids = pa.table({"article_id": pa.array(sorted(set(article_ids)), type=pa.int64())})
        tables = {
            "in_targets": ids,
            "in_mentions": _annotation_table(mentions, MENTION_COLUMNS, "mentions"),
            "in_figures": _annotation_table(figures, FIGURE_COLUMNS, "figures"),
        }
        with self._transaction("replace_annotations", tables) as con:
            con.execute("CREATE OR REPLACE TEMP TABLE _targets AS SELECT t.article_id FROM in_targets t "
                        "SEMI JOIN articles a ON a.article_id = t.article_id")
            found = con.execute("SELECT count(*) FROM _targets").fetchone()[0]
            if found < ids.num_rows:
                logger.warning("replace_annotations: %d of %d article ids are not in the database",
                               ids.num_rows - found, ids.num_rows)
            _warn_orphans(con, "_targets")
            counts = {"articles": found, **_write_annotations(con, utc_now())}
            con.execute("UPDATE articles SET annotated = true WHERE article_id IN (SELECT article_id FROM _targets)")
        return counts


def _write_articles(con: duckdb.DuckDBPyConnection, run_id: int | None, now) -> dict[str, int]:
    """The recrawl rule for in_articles/in_mentions/in_figures; leaves temp table _batch."""
    con.execute(_CLASSIFY)
    counts = _change_counts(con)
    con.execute(_TOUCH_UNCHANGED, {"now": now})
    con.execute(_UPSERT_CHANGED, {"now": now, "run_id": run_id})
    con.execute("CREATE OR REPLACE TEMP TABLE _targets AS "
                "SELECT article_id FROM _batch WHERE change <> 'unchanged'")
    _warn_orphans(con, "_batch")
    counts.update(_write_annotations(con, now))
    return counts


def _record_batches(con: duckdb.DuckDBPyConnection, run_id: int | None, now) -> None:
    """Record in_batches in staged_batches, or raise AlreadyLoadedError if one is there."""
    loaded = [row[0] for row in con.execute(_BATCHES_LOADED).fetchall()]
    if loaded:
        raise AlreadyLoadedError(f"{len(loaded)} staged batch(es) already loaded: {', '.join(loaded[:5])}",
                                 loaded)
    con.execute(_RECORD_BATCHES, {"now": now, "run_id": run_id})


def _write_pages(con: duckdb.DuckDBPyConnection, run_id: int | None, now,
                 after_articles: bool) -> int:
    """Upsert in_pages into pages; a stored article's row is 'changed' by its _batch class."""
    con.execute(_STAGE_PAGES.format(changes=_BATCH_CHANGES if after_articles else _NO_CHANGES))
    return con.execute(_UPSERT_PAGES, {"now": now, "run_id": run_id}).fetchone()[0]


def _annotation_table(df: pd.DataFrame | None, columns, what: str) -> pa.Table:
    if df is None or (df.empty and "article_id" not in df.columns and "canonical_url" not in df.columns):
        df = pd.DataFrame({"article_id": pd.Series([], dtype="int64")})
    return to_arrow(with_article_id(df, what), columns, what)


def _change_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = dict(con.execute("SELECT change, count(*) FROM _batch GROUP BY change").fetchall())
    return {"inserted": rows.get("new", 0), "updated": rows.get("changed", 0), "unchanged": rows.get("unchanged", 0)}


def _warn_orphans(con: duckdb.DuckDBPyConnection, scope: str) -> None:
    """Log annotation rows whose article is not in `scope` (they are dropped)."""
    for table in ("in_mentions", "in_figures"):
        orphans = con.execute(
            f"SELECT count(*) FROM {table} x ANTI JOIN {scope} s ON s.article_id = x.article_id"
        ).fetchone()[0]
        if orphans:
            logger.warning("%s: %d row(s) name an article outside the batch; dropped", table[3:], orphans)


def _write_annotations(con: duckdb.DuckDBPyConnection, now) -> dict[str, int]:
    """Replace mentions and figures of the articles in temp table _targets."""
    for statement in _DELETE_OLD_ANNOTATIONS:
        con.execute(statement)
    con.execute(_STAGE_MENTIONS)
    resolve_entities(con, "_mentions", now)
    mentions = con.execute(_INSERT_MENTIONS).fetchone()[0]
    figures = con.execute(_INSERT_FIGURES).fetchone()[0]
    return {"mentions": mentions, "figures": figures}


def _rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.rollback()
    except duckdb.Error as exc:  # the failed statement may already have ended the transaction
        logger.debug("rollback: %s", exc)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
