"""Staged rows for readers: TEMP views over the batch folders, and one-shot queries.

It owns `staged_views` (staged_articles, staged_mentions, staged_figures,
staged_pages, each with a batch_id column) and `query_staged` (`newsmon sql
--staged`); both work on read-only connections.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from newsmon.data.frames import Column
from newsmon.data.staging.batches import TABLES
from newsmon.data.store import connect_read

logger = logging.getLogger(__name__)


def staged_views(con: duckdb.DuckDBPyConnection, staging_dir: Path | str) -> None:
    """Create TEMP views staged_articles, staged_mentions, staged_figures, staged_pages.

    Each has the table's contract columns plus `batch_id`, over the complete
    batches present when a query runs (also on a read-only connection).  With
    no batch, the views exist and are empty.  A batch may still show for a
    moment after its commit, until the loader removes it (staged_batches says);
    a corrupt batch file makes them fail until a load rejects its batch.
    """
    staging_dir = Path(staging_dir)
    for name, columns in TABLES.items():
        pattern = f"[!.]*/{name}.parquet"
        if staging_dir.is_dir() and any(staging_dir.glob(pattern)):
            glob = str(staging_dir.resolve() / pattern).replace("'", "''")
            body = (f"SELECT * EXCLUDE (filename), "
                    f"regexp_extract(filename, '([^/\\\\]+)[/\\\\][^/\\\\]+$', 1) AS batch_id "
                    f"FROM read_parquet('{glob}', union_by_name = true, filename = true)")
        else:
            body = _empty_select(con, columns)
        con.execute(f"CREATE OR REPLACE TEMP VIEW staged_{name} AS {body}")


def _empty_select(con: duckdb.DuckDBPyConnection, columns: tuple[Column, ...]) -> str:
    empty = pa.Table.from_arrays([pa.array([], type=c.type) for c in columns],
                                 names=[c.name for c in columns])
    types = con.from_arrow(empty).types
    casts = ", ".join(f'CAST(NULL AS {t}) AS "{c.name}"' for c, t in zip(columns, types))
    return f"SELECT {casts}, CAST(NULL AS VARCHAR) AS batch_id WHERE false"


def query_staged(db_path: Path | str, staging_dir: Path | str, sql: str,
                 params: list | dict | None = None, timeout: float = 30.0) -> pd.DataFrame:
    """Run one read-only query with the staged_* views defined.

    The database is opened read-only (an in-memory one stands in when the file
    does not exist yet).  If the loader removes batches while the query reads
    them, it runs once more.
    """
    try:
        return _query_once(db_path, staging_dir, sql, params, timeout)
    except duckdb.IOException as exc:
        logger.info("staged batches moved during the query (%s); running it again", exc)
    return _query_once(db_path, staging_dir, sql, params, timeout)


def _query_once(db_path: Path | str, staging_dir: Path | str, sql: str,
                params: list | dict | None, timeout: float) -> pd.DataFrame:
    con = connect_read(db_path, timeout=timeout) if Path(db_path).exists() else duckdb.connect()
    try:
        staged_views(con, staging_dir)
        return con.execute(sql, params).df()
    finally:
        con.close()
