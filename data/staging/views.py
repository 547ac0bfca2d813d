"""Staged rows for readers: TEMP views over the batch folders, and one-shot queries.

It owns `staged_views` (staged_articles, staged_mentions, staged_figures,
staged_pages, each with a batch_id column) and `query_staged` (`newsmon sql
--staged`); both work on read-only connections, and the views in the SQL
sandbox (data.connection): pyarrow reads the batch files, not DuckDB.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from newsmon.data.connection import run_sandboxed, sandbox
from newsmon.data.frames import STR, Column
from newsmon.data.staging.batches import TABLES, list_batches

logger = logging.getLogger(__name__)


def staged_views(con: duckdb.DuckDBPyConnection, staging_dir: Path | str) -> None:
    """Create TEMP views staged_articles, staged_mentions, staged_figures, staged_pages,
    staged_fines.

    Each has the table's contract columns plus `batch_id`, over the complete
    batches present when the views are made (also on a read-only connection).
    With no batch, the views exist and are empty.  A batch may still show for a
    moment after its commit, until the loader removes it (staged_batches says);
    a corrupt batch file makes them fail until a load rejects its batch.  The
    files are read by pyarrow, not by DuckDB, so the views work in the SQL
    sandbox, where DuckDB itself cannot open a file.
    """
    import pyarrow.dataset as ds

    staging_dir = Path(staging_dir)
    batches = list_batches(staging_dir)
    for name, columns in TABLES.items():
        files = [str(staging_dir / b / f"{name}.parquet") for b in batches
                 if (staging_dir / b / f"{name}.parquet").is_file()]
        if files:
            schema = pa.schema([pa.field(c.name, c.type) for c in columns])
            data = ds.dataset(files, format="parquet", schema=schema.append(pa.field("batch_id", STR)),
                              partitioning=ds.DirectoryPartitioning(pa.schema([("batch_id", STR)])),
                              partition_base_dir=str(staging_dir))
            con.register(f"_staged_{name}_files", data)
            body = f"SELECT * FROM _staged_{name}_files"
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
                 params: list | dict | None = None, timeout: float = 30.0,
                 fetch: Callable[[duckdb.DuckDBPyConnection], Any] = lambda c: c.df()) -> pd.DataFrame | Any:
    """Run one query in the SQL sandbox (data.connection) with the staged_* views defined.

    An in-memory database stands in when the file does not exist yet.  If the
    loader removes batches while the query reads them, it runs once more.
    """
    batches = list_batches(staging_dir)
    try:
        return _query_once(db_path, staging_dir, sql, params, timeout, fetch)
    except duckdb.Error as exc:
        if list_batches(staging_dir) == batches:
            raise
        logger.info("staged batches moved during the query (%s); running it again", exc)
    return _query_once(db_path, staging_dir, sql, params, timeout, fetch)


def _query_once(db_path: Path | str, staging_dir: Path | str, sql: str,
                params: list | dict | None, timeout: float, fetch) -> pd.DataFrame | Any:
    path = db_path if Path(db_path).exists() else None
    with sandbox(path, timeout, setup=lambda con: staged_views(con, staging_dir)) as con:
        return run_sandboxed(con, sql, params, fetch)
