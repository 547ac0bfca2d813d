"""Opening the database file safely; it owns the connection rules, not the schema.

* Header check first: an existing file must carry DuckDB's magic bytes b"DUCK"
  at offset 8 (the first 8 bytes are a checksum).  Anything else, including an
  empty file, raises NotADatabaseError before DuckDB touches the file, so a
  mistyped --db path never damages someone's SQLite file or notes.
* Lock retry: DuckDB lets one process write OR several read, never both.  A
  lock conflict is retried with a short jittered back-off until `timeout`
  seconds have passed, then DatabaseBusyError.  Writers keep their windows
  short (see store.py), so waiting is normally a fraction of a second.
* `load_fts`: `INSTALL` needs the network, so the fts extension is loaded from
  the duckdb-extension-fts wheel when DuckDB's own extension directory lacks it.
"""

from __future__ import annotations

import importlib.util
import logging
import random
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from newsmon.data.errors import DatabaseBusyError, DatabaseNotFoundError, DataError, NotADatabaseError

logger = logging.getLogger(__name__)

# relative to the working directory (never inside the installed package); $NEWSMON_DB or --db
# override it at the CLI
DEFAULT_DB_PATH = Path("data") / "newsmon.duckdb"

DUCKDB_MAGIC = b"DUCK"
MAGIC_OFFSET = 8
_BUSY_MARKERS = (
    "Could not set lock on file",  # another process holds the file
    "different configuration than existing connections",  # this process holds it the other way
)
_FIRST_DELAY = 0.02
_MAX_DELAY = 0.25


def utc_now() -> datetime:
    """The current UTC time as a naive datetime (the schema stores UTC TIMESTAMPs)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def check_header(path: Path) -> None:
    """Raise NotADatabaseError unless `path` is absent or starts like a DuckDB file.

    Only reads the first 12 bytes; the file is never opened for writing.
    """
    if not path.exists():
        return
    if path.is_dir():
        raise NotADatabaseError(f"{path} is a directory, not a DuckDB database file")
    with path.open("rb") as fh:
        head = fh.read(MAGIC_OFFSET + len(DUCKDB_MAGIC))
    if head[MAGIC_OFFSET:] == DUCKDB_MAGIC:
        return
    what = "an empty file" if not head else _describe(head)
    raise NotADatabaseError(
        f"{path} is {what}, not a DuckDB database (no {DUCKDB_MAGIC!r} at byte {MAGIC_OFFSET}); "
        "it was left untouched: choose another database path or move the file away"
    )


def _describe(head: bytes) -> str:
    if head.startswith(b"SQLite format"):
        return "a SQLite database"
    if head.startswith(b"PAR1"):
        return "a Parquet file"
    return "some other file"


def is_busy_error(exc: BaseException) -> bool:
    """True when DuckDB refused a connection because of another connection's lock."""
    return isinstance(exc, duckdb.Error) and any(m in str(exc) for m in _BUSY_MARKERS)


def connect(path: Path | str, *, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    """A raw connection (no migrations), retried on lock conflicts for `timeout` seconds."""
    path = Path(path)
    check_header(path)
    if read_only and not path.exists():
        raise DatabaseNotFoundError(f"{path} does not exist; run a crawl or `migrate` to create it")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    delay = _FIRST_DELAY
    waited = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if not is_busy_error(exc):
                raise DataError(f"cannot open {path}: {exc}") from exc
            if time.monotonic() + delay > deadline:
                mode = "read" if read_only else "write"
                raise DatabaseBusyError(
                    f"{path} stayed locked by another process for {timeout:g}s, cannot {mode}: {exc}"
                ) from exc
            if not waited:
                logger.info("database %s is busy; waiting up to %gs for the lock", path, timeout)
                waited = True
            time.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, _MAX_DELAY)


def fts_extension_file() -> Path | None:
    """The fts extension shipped by the duckdb-extension-fts wheel, if installed."""
    spec = importlib.util.find_spec("duckdb_extension_fts")
    if spec is None or spec.origin is None:
        return None
    candidate = Path(spec.origin).parent / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    return candidate if candidate.is_file() else None


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load DuckDB's full-text-search extension into `con` without network access."""
    try:
        con.execute("LOAD fts")
        return
    except duckdb.Error as exc:
        logger.debug("LOAD fts from the extension directory failed: %s", exc)
    wheel_file = fts_extension_file()
    if wheel_file is None:
        raise DataError("the fts extension is unavailable: install duckdb-extension-fts")
    try:
        quoted = str(wheel_file).replace("'", "''")
        con.execute(f"LOAD '{quoted}'")
    except duckdb.Error as exc:
        raise DataError(f"cannot load the fts extension from {wheel_file}: {exc}") from exc
