"""The run lock: at most one crawl (crawl, run, demo) writes to a database at a time.

It owns `RunLock`, an exclusive `fcntl.flock` on a lock file next to the
database (`<db>.lock`), and `RunLockedError`, raised when another process holds
it.  The kernel drops a flock when its holder exits for any reason, SIGKILL
included, so a lock file left behind by a dead run never blocks the next one:
the file's presence means nothing, only the flock does.  The file holds the
holder's pid and start time as text, for the message the second run prints.

Readers (`sql`, `digest`, `export`) never take the lock; DuckDB's own file lock
and the short write windows of `data.store` keep them working during a crawl.
The lock file is never deleted: unlinking it would let a third process lock a
fresh inode while a second still waits on the old one.
"""

from __future__ import annotations

import fcntl
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from newsmon.data.connection import utc_now
from newsmon.data.errors import StorageError
from newsmon.data.integrity import storage_error

logger = logging.getLogger(__name__)

LOCK_SUFFIX = ".lock"


class RunLockedError(RuntimeError):
    """Another newsmon run holds the database's run lock."""


@dataclass(frozen=True)
class LockHolder:
    pid: int | None
    started: str | None

    def describe(self) -> str:
        return f"pid {self.pid or 'unknown'}, started {self.started or 'at an unknown time'}"


def lock_path(db_path: Path | str) -> Path:
    """The lock file of database `db_path`: its real path with `.lock` appended."""
    db_path = Path(db_path).resolve()  # one lock per file, however the path is spelled
    return db_path.with_name(db_path.name + LOCK_SUFFIX)


def parse_holder(text: str) -> LockHolder:
    """Read `pid=N` / `started=T` lines; anything missing or malformed is None."""
    fields = dict(line.partition("=")[::2] for line in text.splitlines() if "=" in line)
    pid = fields.get("pid", "").strip()
    return LockHolder(int(pid) if pid.isdigit() else None, fields.get("started", "").strip() or None)


class RunLock:
    """An exclusive, non-blocking run lock on database `db_path`.

    >>> with RunLock("data/newsmon.duckdb"):
    ...     crawl()
    """

    def __init__(self, db_path: Path | str):
        self.db_path = Path(db_path)
        self.path = lock_path(db_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> "RunLock":
        """Take the lock or raise RunLockedError naming the holder; never waits."""
        if self._fd is not None:
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:  # read-only file system, no permission, full disk...
            raise (storage_error(exc, self.path, "cannot create the run lock")
                   or StorageError(f"cannot create the run lock {self.path}: {exc}")) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = parse_holder(_read_all(fd))
            os.close(fd)
            raise RunLockedError(
                f"another newsmon run ({holder.describe()}) is using {self.db_path}; exiting"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        try:
            _rewrite(fd, f"pid={os.getpid()}\nstarted={utc_now():%Y-%m-%d %H:%M:%S} UTC\n")
        except OSError as exc:  # a full disk: the lock holds, only the note is missing
            logger.warning("could not write the holder into %s: %s", self.path, exc)
        logger.debug("run lock %s taken by pid %d", self.path, os.getpid())
        return self

    def release(self) -> None:
        """Drop the lock (the file stays, emptied); safe to call twice."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
        except OSError as exc:  # the lock goes with the fd anyway
            logger.debug("could not empty %s: %s", self.path, exc)
        finally:
            os.close(fd)  # closing the last fd of the open file releases the flock
        logger.debug("run lock %s released", self.path)

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read_all(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 4096).decode("utf-8", "replace")


def _rewrite(fd: int, text: str) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, text.encode("utf-8"))
