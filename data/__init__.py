"""newsmon.data: DuckDB storage. It owns the database file, its schema and every write.

errors      typed errors the CLI turns into messages in one place
connection  opening the file safely: header check, lock retry, the fts extension, the SQL sandbox
migrate     numbered .sql migrations, `migrate(path)` and `status(path)`
frames      the write contract: every table's columns, defined once; DataFrames -> typed Arrow
rows        records -> rows -> the frames of one batch (the one place that shapes a batch)
entities    database-wide canonical identities for people and organisations
store/      `open_db`, `connect_read`, `query` and the `Store` writer (articles, fetch record, runs)
staging/    many writers, one database: staged Parquet batches and their loader
lock        the run lock: one writing run per database file
summary     the reads behind the end-of-run summary

The default database is data/newsmon.duckdb (git-ignored).  This package never
imports `crawler` or `nlp`.
"""

import importlib

from newsmon.data.connection import DEFAULT_DB_PATH, load_fts
from newsmon.data.errors import (
    DatabaseBusyError,
    DatabaseNotFoundError,
    DataError,
    MigrationError,
    NotADatabaseError,
    WriteError,
)
from newsmon.data.migrate import migrate, status

# the names whose modules load pandas and the writer, imported on first use (PEP 562), so
# that a command needing only the connection or the migrations (the CLI's default path,
# `newsmon --help`) starts without them
_EXPORTS = {"article_id_for": "frames", "Store": "store", "connect_read": "store",
            "open_db": "store", "query": "store"}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_DB_PATH",
    "DataError",
    "DatabaseBusyError",
    "DatabaseNotFoundError",
    "MigrationError",
    "NotADatabaseError",
    "Store",
    "WriteError",
    "article_id_for",
    "connect_read",
    "load_fts",
    "migrate",
    "open_db",
    "query",
    "status",
]
