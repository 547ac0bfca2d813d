"""Streaming exports of whole tables: articles, mentions, figures, fines, entities to Parquet or CSV.

It owns `export_table`.  Rows never pass through Python: DuckDB's
`COPY (SELECT ...) TO file` streams them, so a database larger than memory
exports fine.  The table name and format come from whitelists; --source and
--since are bound parameters, never pasted into SQL; the output path is the
one literal, quoted.  CSV text cells are neutralised in SQL (data.csvsafe) so
no cell runs as a spreadsheet formula.

Only the file the user named is written.  The COPY runs on a read-only
connection whose one writable path is a hidden partial file beside the
target (DuckDB's `allowed_paths`, then external access off and the
configuration locked, as in the SQL sandbox of data.connection); the partial
file is renamed to the target when the COPY succeeded and removed otherwise.

Filters: `since` keeps articles dated (published_at, else first_seen_at, as
the named queries date them) on or after that day; `source` keeps one source.
Mentions and figures follow their article, a fine any article that reports it;
entities are those mentioned by a selected article (all entities when there is
no filter).
"""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

import duckdb

from newsmon.data.connection import connect, lock_down
from newsmon.data.csvsafe import sql_neutralise
from newsmon.data.errors import ExportError
from newsmon.data.named import prepare

logger = logging.getLogger(__name__)

TABLES = ("articles", "mentions", "figures", "fines", "entities")
FORMATS = ("parquet", "csv")

# the articles that pass --since/--source; articles_between (data/queries/_prelude.sql)
# dates them as the digest does and lets the scan skip other rows' text
_ARTICLES = """
    SELECT * EXCLUDE (article_at)
    FROM articles_between(coalesce($since::TIMESTAMP, '-infinity'::TIMESTAMP), 'infinity'::TIMESTAMP,
                          '-infinity'::DOUBLE, NULL)
    WHERE $source IS NULL OR source = $source"""

_SELECTS = {
    "articles": _ARTICLES,
    "mentions": f"SELECT m.* FROM mentions m WHERE $since IS NULL AND $source IS NULL "
                f"OR m.article_id IN (SELECT article_id FROM ({_ARTICLES}))",
    "figures": f"SELECT f.* FROM figures f WHERE $since IS NULL AND $source IS NULL "
               f"OR f.article_id IN (SELECT article_id FROM ({_ARTICLES}))",
    "fines": f"SELECT f.* FROM fines f WHERE $since IS NULL AND $source IS NULL "
             f"OR f.fine_id IN (SELECT fine_id FROM fine_reports WHERE article_id IN (SELECT article_id FROM ({_ARTICLES})))",
    "entities": f"""SELECT e.* FROM entities e WHERE $since IS NULL AND $source IS NULL OR e.entity_id IN (
        SELECT m.entity_id FROM mentions m WHERE m.article_id IN (SELECT article_id FROM ({_ARTICLES})))""",
}


def export_table(db_path: str | Path, table: str, fmt: str, out: str | Path, since: date | str | None = None,
                 source: str | None = None, timeout: float = 30.0) -> int:
    """Stream `table` to `out` as parquet or csv and return the number of rows written.

    `out` may be a directory: the file is then <table>.<fmt> inside it.
    Raises ExportError for an unknown table or format, a bad date or an unwritable path.
    """
    if table not in TABLES:
        raise ExportError(f"cannot export {table!r}; tables: {', '.join(TABLES)}")
    if fmt not in FORMATS:
        raise ExportError(f"cannot export as {fmt!r}; formats: {', '.join(FORMATS)}")
    params = {"since": _since(since), "source": source}
    target = _target(Path(out), table, fmt)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    con = connect(db_path, read_only=True, timeout=timeout)
    try:
        prepare(con)
        lock_down(con, writable=partial)
        select = _select(con, table, fmt, params)
        options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER"
        rows = con.execute(f"COPY ({select}) TO {_literal(str(partial))} ({options}, USE_TMP_FILE false)",
                           params).fetchone()[0]
        os.replace(partial, target)
    except (duckdb.IOException, duckdb.PermissionException, OSError) as exc:
        raise ExportError(f"cannot write {target}: {exc}") from exc
    finally:
        con.close()
        partial.unlink(missing_ok=True)
    logger.info("exported %d %s rows to %s", rows, table, target)
    return int(rows)


def _select(con: duckdb.DuckDBPyConnection, table: str, fmt: str, params: dict) -> str:
    """The table's filtered SELECT, with CSV text columns neutralised."""
    base = _SELECTS[table]  # no ORDER BY: a sort would stop the stream; insertion order is kept
    if fmt != "csv":
        return base
    columns = con.execute(f"DESCRIBE {base}", params).fetchall()
    projected = [
        f"{sql_neutralise(_ident(name))} AS {_ident(name)}" if type_ == "VARCHAR" else _ident(name)
        for name, type_, *_ in columns
    ]
    return f"SELECT {', '.join(projected)} FROM ({base})"


def _since(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ExportError(f"--since wants a date like 2025-03-01, got {value!r}") from exc


def _target(out: Path, table: str, fmt: str) -> Path:
    target = out / f"{table}.{fmt}" if out.is_dir() else out
    if not target.parent.is_dir():
        raise ExportError(f"cannot write {target}: {target.parent} is not a directory")
    return target


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
