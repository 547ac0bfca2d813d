"""Reading the database: `open_db`, `connect_read` and `query`.

It owns how a connection to the database is opened: a writable open creates
the file and applies pending migrations, a read-only one warns when the file
lacks migrations; both wait for a writer to finish (data.connection).
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pandas as pd

from newsmon.data.connection import DEFAULT_DB_PATH, connect
from newsmon.data.migrate import apply_migrations, pending

logger = logging.getLogger(__name__)


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

