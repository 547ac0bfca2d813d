"""Opening the database file safely; it owns the connection rules, not the schema.

* Header check first: an existing file must carry DuckDB's magic bytes b"DUCK"
  at offset 8 (the first 8 bytes are a checksum).  Anything else, including an
  empty file, raises NotADatabaseError before DuckDB touches the file, so a
  mistyped --db path never damages someone's SQLite file or notes.
* Lock retry: DuckDB lets one process write OR several read, never both.  A
  lock conflict is retried with a short jittered back-off until `timeout`
  seconds have passed, then DatabaseBusyError.  Writers keep their windows
  short (see store.py), so waiting is normally a fraction of a second.
* Damage and refusals: an existing file shorter than its own blocks say, or one
  DuckDB finds damaged, raises DamagedDatabaseError; a file system that refuses
  (read-only, full) raises a StorageError (data.integrity).
* `load_fts`: `INSTALL` needs the network, so the fts extension is loaded from
  the duckdb-extension-fts wheel when DuckDB's own extension directory lacks it.
* The SQL sandbox (`sandbox`, `run_sandboxed`): every connection that runs SQL
  a user wrote or chose (`sql`, named queries, the digest, search) reads the
  database and nothing else.  It is DuckDB's own settings, not a filter on the
  query text: the file is opened read-only, what the queries need (fts, temp
  macros, staged batches) is loaded first, then external access is switched
  off, the local file system disabled (external access alone still lets
  `COPY ... TO` overwrite the database's own file and WAL), extension
  autoloading and installing off, and finally the configuration locked.  A
  refused statement raises SandboxError with one line saying why.
"""

from __future__ import annotations

import importlib.util
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

from newsmon.data.errors import (
    DatabaseBusyError,
    DatabaseNotFoundError,
    DataError,
    NotADatabaseError,
    SandboxError,
)
from newsmon.data.integrity import check_size, storage_error

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


def connect(path: Path | str, *, read_only: bool, timeout: float,
            check: bool = True) -> duckdb.DuckDBPyConnection:
    """A raw connection (no migrations), retried on lock conflicts for `timeout` seconds.

    `check`: an existing file must be as long as its blocks say (data.integrity);
    a writer that checked at its first open passes False for its transactions
    (inside this process, blocks a transaction allocates may not be on disk yet).
    """
    path = Path(path)
    check_header(path)
    if read_only and not path.exists():
        raise DatabaseNotFoundError(f"{path} does not exist; run a crawl or `migrate` to create it")
    existed = path.exists()
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise (storage_error(exc, path.parent, "cannot create folder")
                   or DataError(f"cannot create {path.parent}: {exc}")) from exc
    deadline = time.monotonic() + timeout
    delay = _FIRST_DELAY
    waited = False
    while True:
        try:
            con = _quiet(duckdb.connect(str(path), read_only=read_only))
        except duckdb.Error as exc:
            if not is_busy_error(exc):
                raise (storage_error(exc, path, "cannot open")
                       or DataError(f"cannot open {path}: {exc}")) from exc
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
            continue
        if existed and check:
            try:
                check_size(con, path)  # a cut-off file fails here, before any work
            except BaseException:
                con.close()
                raise
        return con


def _quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    # DuckDB draws a progress bar on stdout (even into a file) for queries over 2 s: it
    # would land inside `newsmon sql --format csv > out.csv` or a cron mail
    con.execute("SET enable_progress_bar = false")
    return con


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
        con.execute(f"LOAD {_sql_literal(str(wheel_file))}")
    except duckdb.Error as exc:
        raise DataError(f"cannot load the fts extension from {wheel_file}: {exc}") from exc


# -- the SQL sandbox ------------------------------------------------------------------

# Applied in this order once the connection has everything it needs; the lock comes last.
SANDBOX_SETTINGS: tuple[tuple[str, str], ...] = (
    # no spilling to <db>.tmp/: a query larger than memory fails with DuckDB's Out of Memory
    # error instead of a refusal that would blame the user's SQL
    ("temp_directory", "''"),
    # no reading or writing of files, no network, no LOAD of extension files, no secrets
    ("enable_external_access", "false"),
    # external access off still allows the database's own paths (COPY ... TO the database
    # file or its WAL would replace them); with the local file system off, only the file
    # handle DuckDB already holds is read
    ("disabled_filesystems", "'LocalFileSystem'"),
    ("autoload_known_extensions", "false"),
    ("autoinstall_known_extensions", "false"),
    ("allow_community_extensions", "false"),
    ("allow_persistent_secrets", "false"),
    # no SET, RESET or PRAGMA can change any of the above (or any other setting) now
    ("lock_configuration", "true"),
)


def lock_down(con: duckdb.DuckDBPyConnection, *, writable: Path | None = None) -> None:
    """Apply the sandbox's settings to `con`, lock included.

    `writable`: the one file newsmon's own statement (an export's COPY) may
    write; the local file system then stays on, and external access is off for
    every other path but the database's own (no user SQL runs on such a connection).
    """
    if writable is not None:
        con.execute("SET allowed_paths = [" + _sql_literal(str(writable)) + "]")
    for name, value in SANDBOX_SETTINGS:
        if writable is not None and name == "disabled_filesystems":
            continue
        con.execute(f"SET {name} = {value}")


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_NO_FILES = "the SQL sandbox reads only the newsmon database: no other file, no network, no extension"
_NO_EXTENSIONS = "the SQL sandbox has the fts extension and no other"
_REFUSALS = (
    # (exception class, text in DuckDB's message or None for any, why, in the user's words)
    (duckdb.PermissionException, None, _NO_FILES),
    (duckdb.Error, "LocalFileSystem disabled", _NO_FILES),
    # a function or secret type of an extension that is not loaded: DuckDB suggests loading it
    (duckdb.Error, "autoload_known_extensions", _NO_EXTENSIONS),
    (duckdb.Error, "but it exists in the", _NO_EXTENSIONS),
    (duckdb.Error, "the configuration has been locked",
     "settings cannot be changed in the SQL sandbox"),
    (duckdb.Error, "attached in read-only mode",
     "the SQL sandbox is read-only: the database cannot be changed"),
    (duckdb.Error, "in read-only mode",
     "the SQL sandbox is read-only: no database can be attached or changed"),
)

SettingsSnapshot = dict[str, Any]
_baselines: dict[int, SettingsSnapshot] = {}  # each open sandbox's settings once it was locked


@contextmanager
def sandbox(path: Path | str | None, timeout: float = 30.0,
            setup: Callable[[duckdb.DuckDBPyConnection], None] | None = None, *, fts: bool = True
            ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to `path` that can read that database and nothing else.

    `setup(con)` runs before the lock, for what the queries need from outside
    (temp macros, views over staged batches).  `path` None: an empty in-memory
    database.  Run user SQL on it with `run_sandboxed`.  `fts` False: without the
    full-text-search extension, for newsmon's own queries that use none (the alerts, the
    digest): loading it is a tenth of a second of the alerts' two.
    """
    con = connect(path, read_only=True, timeout=timeout) if path is not None else _quiet(duckdb.connect())
    try:
        if path is not None:
            _warn_if_behind(con, path)
        if fts:
            load_fts(con)
        if setup is not None:
            setup(con)
        lock_down(con)
        _baselines[id(con)] = settings_snapshot(con)
    except BaseException:
        con.close()
        raise
    try:
        yield con
    finally:
        _baselines.pop(id(con), None)
        _close_sandbox(con)


def _warn_if_behind(con: duckdb.DuckDBPyConnection, path: Path | str) -> None:
    """A database an older newsmon wrote may lack what the queries use (macros, views):
    say so once, since a read-only connection cannot migrate it."""
    from newsmon.data.migrate import pending  # migrate imports this module

    behind = pending(con)
    if behind:
        logger.warning("%s lacks %d migration(s) (%s): queries may fail until `newsmon db migrate` "
                       "(or the next crawl) applies them", path, len(behind),
                       ", ".join(m.label for m in behind))


def _close_sandbox(con: duckdb.DuckDBPyConnection) -> None:
    # `CALL enable_logging(storage='file', ...)` slips past the lock (DuckDB 1.5.5) and then
    # makes DuckDB abort the process when the connection closes and flushes the log it cannot
    # write: switch logging off first (it fails on the same flush, after which closing is safe)
    try:
        con.execute("CALL disable_logging()")
    except duckdb.Error:
        pass
    con.close()


def settings_snapshot(con: duckdb.DuckDBPyConnection) -> SettingsSnapshot:
    return dict(con.execute("SELECT name, value FROM duckdb_settings()").fetchall())


def run_sandboxed(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None,
                  fetch: Callable[[duckdb.DuckDBPyConnection], Any] = lambda c: c.df()) -> Any:
    """Run `sql` on a `sandbox` connection and return `fetch(result)`.

    A statement the sandbox refuses raises SandboxError (one line: why, then
    DuckDB's own words); other DuckDB errors (bad SQL) pass through.  A few
    statements change session settings despite the lock (DuckDB 1.5.5): PRAGMAs
    that are not queries (`PRAGMA enable_profiling` prints plans on stdout;
    DuckDB's parser turns `PRAGMA table_info(...)` into a SELECT, which stays
    allowed) are refused before anything runs, and a statement that changed any
    setting anyway (`CALL enable_logging(...)`) is refused after it ran.
    """
    try:
        # parsing may read files already (IMPORT DATABASE reads the export's schema.sql)
        if any(st.type == duckdb.StatementType.PRAGMA for st in con.extract_statements(sql)):
            raise SandboxError("refused: settings cannot be changed in the SQL sandbox (a PRAGMA "
                               "that is not a query; PRAGMA table_info and the like are allowed)")
        before = _baselines.get(id(con)) or settings_snapshot(con)
        result = fetch(con.execute(sql, params))
        after = settings_snapshot(con)
    except duckdb.Error as exc:
        why = refusal(exc)
        if why is None:
            raise
        raise SandboxError(f"refused: {why} ({first_line(exc)})") from exc
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if changed:
        raise SandboxError(f"refused: settings cannot be changed in the SQL sandbox "
                           f"(the statement changed {', '.join(changed)})")
    return result


def refusal(exc: BaseException) -> str | None:
    """Why the sandbox refused a statement, when `exc` is such a refusal; else None."""
    text = str(exc)
    for cls, marker, why in _REFUSALS:
        if isinstance(exc, cls) and (marker is None or marker in text):
            return why
    return None


def first_line(exc: BaseException) -> str:
    """DuckDB's message without its context lines (LINE 1: ..., the caret)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def query_sandboxed(path: Path | str, sql: str, params: Any = None, timeout: float = 30.0,
                    fetch: Callable[[duckdb.DuckDBPyConnection], Any] = lambda c: c.df()) -> Any:
    """Run SQL a user wrote in the SQL sandbox of the database at `path`; `fetch(result)`."""
    with sandbox(path, timeout) as con:
        return run_sandboxed(con, sql, params, fetch)
