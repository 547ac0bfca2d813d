"""The writer: `Store`, each method one short transaction on its own connection.

It owns the transaction around every write (register the Arrow tables, begin,
commit or roll back and raise WriteError) and the public write API; the SQL
of each job lives beside it (articles.py, pages.py, bookkeeping.py).
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

from newsmon.data import entity_weeks
from newsmon.data.connection import DEFAULT_DB_PATH, connect, utc_now
from newsmon.data.errors import WriteError
from newsmon.data.integrity import DEFAULT_MIN_FREE_MB, check_free_space, storage_error
from newsmon.data.frames import (
    ARTICLE_COLUMNS,
    BATCH_COLUMNS,
    FIGURE_COLUMNS,
    FINE_COLUMNS,
    MENTION_COLUMNS,
    PAGE_COLUMNS,
    SOURCE_COLUMNS,
    last_per_article,
    last_per_url,
    to_arrow,
    with_article_id,
)
from newsmon.data.rates import load_rates
from newsmon.data.store.articles import annotation_table, warn_orphans, write_annotations, write_articles
from newsmon.data.store.bookkeeping import (BATCHES_LOADED, RUN_STATUSES, UPSERT_SOURCES,
                                            process_alive, record_batches)
from newsmon.data.store.pages import write_pages
from newsmon.data.store.read import open_db

logger = logging.getLogger(__name__)


class Store:
    """The writer.  Each method is one short transaction on its own connection."""

    def __init__(self, path: Path | str = DEFAULT_DB_PATH, busy_timeout: float = 30.0,
                 min_free_mb: float = DEFAULT_MIN_FREE_MB) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.min_free = min_free_mb * 2**20  # bytes kept free on the disk (data.integrity)
        open_db(self.path, timeout=busy_timeout).close()  # create, check and migrate once

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @contextmanager
    def _transaction(self, what: str, tables: Mapping[str, pa.Table] | None = None, *,
                     reserve: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction; `reserve`: refuse (DiskFullError) when less than the
        reserve is free (the run bookkeeping that closes a run may use it).  A failure
        of the disk or the file is a StorageError/DamagedDatabaseError, of the
        statement a WriteError; either way nothing was written."""
        if reserve:
            check_free_space(self.path, self.min_free)
        con = connect(self.path, read_only=False, timeout=self.busy_timeout, check=False)
        failed = False
        try:
            for name, table in (tables or {}).items():
                con.register(name, table)
            con.begin()
            try:
                yield con
                con.commit()
            except duckdb.Error as exc:
                failed = True
                rollback_quietly(con)
                raise (storage_error(exc, self.path, f"{what}: cannot write")
                       or WriteError(f"{what} on {self.path} failed and was rolled back: {exc}")
                       ) from exc
            except BaseException:
                failed = True
                rollback_quietly(con)
                raise
        finally:
            try:
                con.close()  # may checkpoint: the disk can still refuse here
            except duckdb.Error as exc:
                if not failed:
                    raise (storage_error(exc, self.path, f"{what}: cannot write")
                           or WriteError(f"{what} on {self.path}: closing failed: {exc}")) from exc
                logger.debug("closing after a failed %s: %s", what, exc)

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
        with self._transaction("finish_run", reserve=False) as con:
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
        with self._transaction("mark_interrupted_runs", reserve=False) as con:
            rows = con.execute("SELECT run_id, pid FROM crawl_runs WHERE status = 'running'").fetchall()
            dead = [run_id for run_id, pid in rows
                    if all_running or pid is None or not process_alive(pid)]
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
            con.execute(UPSERT_SOURCES, {"now": utc_now()})
        return table.num_rows

    # -- articles ----------------------------------------------------------

    def write_batch(self, run_id: int | None, articles: pd.DataFrame | None,
                    mentions: pd.DataFrame | None, figures: pd.DataFrame | None,
                    pages: pd.DataFrame | None = None, *, fines: pd.DataFrame | None = None,
                    batches: pd.DataFrame | None = None) -> dict[str, int]:
        """Write one batch in ONE transaction by the recrawl rule (module docstring),
        with the fetch record rows in `pages` (PAGE_COLUMNS; may come without articles)
        and the staged batches it is made of in `batches` (BATCH_COLUMNS).

        Returns {"inserted", "updated", "unchanged", "mentions", "figures"} (the
        last two count rows written), plus "fines" (fine reports written) when fines
        were given and "pages" (rows upserted) when pages were given.  Raises WriteError (nothing written); AlreadyLoadedError
        when one of `batches` is already recorded.
        """
        counts = {"inserted": 0, "updated": 0, "unchanged": 0, "mentions": 0, "figures": 0}
        has_articles = articles is not None and not articles.empty
        has_pages = pages is not None and not pages.empty
        if pages is not None:
            counts["pages"] = 0
        if fines is not None:
            counts["fines"] = 0
        if not has_articles and not has_pages and batches is None:
            return counts
        tables: dict[str, pa.Table] = {}
        if has_articles:
            tables.update({
                "in_articles": to_arrow(last_per_article(with_article_id(articles, "articles")),
                                        ARTICLE_COLUMNS, "articles"),
                "in_mentions": annotation_table(mentions, MENTION_COLUMNS, "mentions"),
                "in_figures": annotation_table(figures, FIGURE_COLUMNS, "figures"),
                "in_fines": annotation_table(fines, FINE_COLUMNS, "fines"),
            })
        if has_pages:
            tables["in_pages"] = to_arrow(last_per_url(pages), PAGE_COLUMNS, "pages")
        if batches is not None:
            tables["in_batches"] = to_arrow(batches, BATCH_COLUMNS, "batches")
        now = utc_now()
        with self._transaction("write_batch", tables) as con:
            if batches is not None:
                record_batches(con, run_id, now)
            if has_articles:
                written = write_articles(con, run_id, now)
                counts.update(written if fines is not None else {k: v for k, v in written.items() if k != "fines"})
            if has_pages:
                counts["pages"] = write_pages(con, run_id, now, after_articles=has_articles)
        logger.info("batch written: %s", counts)
        return counts

    def loaded_batches(self, batch_ids: Iterable[str]) -> set[str]:
        """Which of `batch_ids` are recorded in staged_batches (one short read)."""
        ids = pa.table({"batch_id": pa.array(sorted(set(batch_ids)), type=pa.string())})
        with self._transaction("loaded_batches", {"in_batches": ids}, reserve=False) as con:
            return {row[0] for row in con.execute(BATCHES_LOADED).fetchall()}

    def replace_annotations(self, mentions: pd.DataFrame | None, figures: pd.DataFrame | None,
                            article_ids: Iterable[int], fines: pd.DataFrame | None = None) -> dict[str, int]:
        """Replace the mentions, figures and fines of `article_ids` (all of them, even
        those with no rows in the frames) and mark them annotated, in one transaction.

        Frames carry article_id or canonical_url plus the write_batch columns.
        Returns {"articles", "mentions", "figures"}, and "fines" when fines were given.
        """
        ids = pa.table({"article_id": pa.array(sorted(set(article_ids)), type=pa.int64())})
        tables = {
            "in_targets": ids,
            "in_mentions": annotation_table(mentions, MENTION_COLUMNS, "mentions"),
            "in_figures": annotation_table(figures, FIGURE_COLUMNS, "figures"),
            "in_fines": annotation_table(fines, FINE_COLUMNS, "fines"),
        }
        with self._transaction("replace_annotations", tables) as con:
            con.execute("CREATE OR REPLACE TEMP TABLE _targets AS SELECT t.article_id FROM in_targets t "
                        "SEMI JOIN articles a ON a.article_id = t.article_id")
            found = con.execute("SELECT count(*) FROM _targets").fetchone()[0]
            if found < ids.num_rows:
                logger.warning("replace_annotations: %d of %d article ids are not in the database",
                               ids.num_rows - found, ids.num_rows)
            warn_orphans(con, "_targets")
            counts = {"articles": found, **write_annotations(con, utc_now())}
            if fines is None:
                counts.pop("fines", None)
            con.execute("UPDATE articles SET annotated = true WHERE article_id IN (SELECT article_id FROM _targets)")
        return counts



    def recount_weeks(self) -> int:
        """Every mention's week and every entity's weekly counts computed again
        (data/entity_weeks.py), in one transaction; returns the entity-weeks."""
        with self._transaction("recount_weeks") as con:
            entity_weeks.rebuild(con)
            return int(con.execute("SELECT count(*) FROM entity_weeks").fetchone()[0])

    # -- currency rates ------------------------------------------------------

    def load_rates(self, rates: pd.DataFrame, source: str) -> dict:
        """Replace the currency rates (data.rates.parse_ecb rows) and convert every stored
        amount again, in one transaction."""
        with self._transaction("load_rates") as con:
            return load_rates(con, rates, source)


def rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.rollback()
    except duckdb.Error as exc:  # the failed statement may already have ended the transaction
        logger.debug("rollback: %s", exc)

