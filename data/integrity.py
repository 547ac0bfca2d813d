"""Telling a usable database file from a damaged one, and a write that can fit from one that cannot.

It owns what newsmon checks before it works on a database, and the full check of
`newsmon db check` (`check_database`):

* `check_size`: a DuckDB file is three 4 KiB headers followed by its blocks of
  `block_size` bytes; it holds at least `used_blocks` of them (``PRAGMA
  database_size``; `total_blocks` also counts free blocks that DuckDB may already
  have cut from the end of the file).  A shorter file was cut off (a copy that stopped, a disk that filled while copying): DamagedDatabaseError
  before any work, instead of an I/O error in the middle of a crawl.  One pragma,
  so `connection.connect` runs it on every open of an existing file.
* `storage_error`: a DuckDB or OS error that says the file system refused a write
  (disk full, read-only) or that the file is damaged (checksum mismatch, short
  read) -> the typed error (DiskFullError, ReadOnlyStorageError, StorageError,
  DamagedDatabaseError) with one line naming the file; None for anything else.
* `check_free_space`: a writer refuses to start a transaction when the database's
  file system has less than `min_free` bytes left (DiskFullError).  A commit that
  runs out of space half way is rolled back by DuckDB, but a checkpoint that does
  may leave a WAL it cannot replay; the reserve keeps writes away from that edge.
* `verify_tables`: every table read to its last row and column (every block's
  checksum is verified on the way) and every view resolved.

This module never writes to the database.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from newsmon.data.errors import (DamagedDatabaseError, DiskFullError, ReadOnlyStorageError,
                                 StorageError)

logger = logging.getLogger(__name__)

HEADER_BYTES = 3 * 4096  # DuckDB's main header and its two database headers
#: free bytes a writer keeps on the database's file system (a batch, its WAL and a checkpoint)
DEFAULT_MIN_FREE_MB = 64.0

_DAMAGED = ("Corrupt database file", "Could not read enough bytes", "checksum",
            "not a valid DuckDB database file", "Failed to read database header")
_FULL = ("No space left on device", "Disk quota exceeded", "File too large")
_READ_ONLY = ("Read-only file system",)
_REFUSED = ("Permission denied", "Cannot open file", "Could not write file",
            "database has been invalidated")


def check_size(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Raise DamagedDatabaseError when `path` is shorter than its own blocks say."""
    row = con.execute("SELECT block_size, used_blocks FROM pragma_database_size() "
                      "WHERE database_name = current_database()").fetchone()
    if row is None:
        return
    block_size, used_blocks = int(row[0]), int(row[1])
    expected = HEADER_BYTES + block_size * used_blocks
    actual = path.stat().st_size
    if actual < expected:
        raise DamagedDatabaseError(
            f"{path} is damaged: the file has {actual:,} bytes but its {used_blocks} blocks in use "
            f"need at least {expected:,} (it was cut off); it was left untouched: restore it from a "
            f"backup, or use another database path")


def storage_error(exc: BaseException, path: Path | str, doing: str) -> StorageError | DamagedDatabaseError | None:
    """The typed error for a failure of the file system or of the file, or None."""
    text = str(exc)
    code = getattr(exc, "errno", None)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    if code in (errno.ENOSPC, errno.EDQUOT) or any(m in text for m in _FULL):
        return DiskFullError(f"{doing} {path}: the disk is full ({first}); free some space "
                             f"and run again: what was stored before is intact")
    if code == errno.EROFS or any(m in text for m in _READ_ONLY):
        return ReadOnlyStorageError(f"{doing} {path}: the file system is read-only ({first})")
    if any(m in text for m in _DAMAGED):
        return DamagedDatabaseError(f"{path} is damaged ({first}); it was left untouched: "
                                    f"`newsmon db check` tells what is readable")
    if code in (errno.EACCES, errno.EPERM, errno.EIO) or (
            isinstance(exc, duckdb.Error) and any(m in text for m in _REFUSED)):
        return StorageError(f"{doing} {path}: {first}")
    return None


def free_bytes(path: Path | str) -> int:
    """Free bytes (for this user) on the file system holding `path` (or its nearest parent)."""
    folder = Path(path).resolve()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder if folder.is_dir() else folder.parent).free


def check_free_space(path: Path | str, min_free: float) -> None:
    """Raise DiskFullError when `path`'s file system has fewer than `min_free` bytes free."""
    if min_free <= 0:
        return
    try:
        free = free_bytes(path)
    except OSError as exc:
        logger.debug("free space of %s unknown: %s", path, exc)
        return
    if free < min_free:
        raise DiskFullError(
            f"only {free / 2**20:.1f} MB free on the disk of {path}; newsmon keeps "
            f"{min_free / 2**20:.0f} MB free to write safely (NEWSMON_MIN_FREE_MB): free some "
            f"space and run again; what was stored before is intact")


@dataclass
class TableCheck:
    name: str
    kind: str  # "table" | "view"
    rows: int | None = None
    error: str | None = None
    fix: str | None = None  # when the table reads but is wrong in a way a command repairs


@dataclass
class CheckReport:
    """What `verify_tables` found; `ok` when every table and view could be read."""
    path: str
    size: int = 0
    tables: list[TableCheck] = field(default_factory=list)
    applied: list[int] = field(default_factory=list)  # migrations (set by migrate.check)
    pending: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)  # written by a newer newsmon

    @property
    def problems(self) -> list[TableCheck]:
        return [t for t in self.tables if t.error]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_tables(con: duckdb.DuckDBPyConnection, path: Path | str) -> CheckReport:
    """Read every table of the main schema in full and resolve every view."""
    report = CheckReport(str(path), os.path.getsize(path) if os.path.exists(path) else 0)
    objects = con.execute(
        "SELECT table_name, table_type FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_catalog = current_database() "
        "ORDER BY table_type, table_name").fetchall()
    for name, table_type in objects:
        quoted = '"' + name.replace('"', '""') + '"'
        check = TableCheck(name, "view" if table_type == "VIEW" else "table")
        try:
            if check.kind == "table":  # hashing every column reads every block of the table
                check.rows = con.execute(
                    f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {quoted}").fetchone()[0]
            else:
                con.execute(f"SELECT * FROM {quoted} LIMIT 0").fetchall()
        except duckdb.Error as exc:
            check.error = str(exc).strip().splitlines()[0]
        report.tables.append(check)
    return report
