"""The fetch record as a crawl reads it: the known pages of its sources, on disk.

It owns `read_known_pages`, the one reader of the fetch record (table `pages`)
for a crawl, and `KnownPages`, what it returns: the record's rows of the
crawled sources copied into a private, temporary SQLite file indexed by URL, so
a crawl's memory does not grow with the number of pages earlier runs fetched.
Held as Python objects, a known page cost ~400 bytes (100k pages: ~40 MB; 1M:
~400 MB); here SQLite's page cache (a few MB) is all that stays in memory, and
a lookup costs a few microseconds.

Why a copy and not DuckDB itself: DuckDB lets one process write or several
read; a crawl that kept the database open for lookups would lock out
`newsmon sql` and `digest` for the whole run.  The copy is read once, in
chunks, inside one short read-only connection (`known_page_chunks`), waiting
while another process writes.  No database yet (a first run, a frontier crawl
before any load) means an empty record.

A stored article is also known by its canonical URL, unless that URL has a
row of its own.  The rules that decide from these rows are the crawler's
(crawler/fetchrecord/).
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from newsmon.data.errors import DatabaseNotFoundError
from newsmon.data.store.pages import known_page_chunks
from newsmon.data.store.read import connect_read

logger = logging.getLogger(__name__)


def read_known_pages(db_path: Path | str, sources: Iterable[str],
                     timeout: float = 30.0) -> "KnownPages":
    """The fetch record of `sources` in `db_path`, copied to disk (module docstring);
    an empty record when there is no database or no fetch record yet."""
    try:
        with connect_read(db_path, timeout=timeout) as con:
            return KnownPages.from_frames(known_page_chunks(con, sources))
    except DatabaseNotFoundError:
        logger.info("no database at %s yet: every page is new", db_path)
    except duckdb.CatalogException as exc:
        logger.warning("%s has no fetch record yet (%s): every page is new", db_path, exc)
    return KnownPages.from_frames(None)


@dataclass(frozen=True)
class KnownPage:
    """What the record says about one URL."""
    kind: str
    last_fetched_at: datetime  # naive UTC
    outcome: str
    etag: str | None = None
    last_modified: str | None = None
    redirect_to: str | None = None  # kind 'redirect': the URL the redirect chain ended at


_SCHEMA = """
CREATE TABLE known (url TEXT PRIMARY KEY, kind TEXT, last_fetched_at INTEGER, outcome TEXT,
                    etag TEXT, last_modified TEXT, redirect_to TEXT) WITHOUT ROWID;
CREATE TABLE alias (url TEXT, kind TEXT, last_fetched_at INTEGER, outcome TEXT,
                    etag TEXT, last_modified TEXT, redirect_to TEXT);
"""
_EPOCH = datetime(1970, 1, 1)


class KnownPages:
    """url -> KnownPage, on a temporary SQLite file; `close()` deletes it."""

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="newsmon-known-"))
        # used by the thread that fills it and then by the reactor's thread, never at once
        self._con = sqlite3.connect(self._dir / "known.sqlite", check_same_thread=False,
                                    isolation_level=None)
        self._con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                                "PRAGMA cache_size=-4096;" + _SCHEMA)
        self._count = 0

    @classmethod
    def from_frames(cls, chunks: Iterable[pd.DataFrame] | pd.DataFrame | None) -> "KnownPages":
        """Fill from `known_page_chunks` chunks (or one frame, or None: empty)."""
        known = cls()
        try:
            if chunks is not None:
                for chunk in [chunks] if isinstance(chunks, pd.DataFrame) else chunks:
                    known.add(chunk)
            known.finish()
        except BaseException:
            known.close()
            raise
        return known

    def add(self, frame: pd.DataFrame) -> None:
        """Add one chunk of fetch record rows (the columns of `known_page_chunks`)."""
        if frame.empty:
            return
        rows = list(zip(frame["url"].tolist(), frame["kind"].tolist(),
                        _micros_column(frame["last_fetched_at"]), frame["outcome"].tolist(),
                        _text_column(frame["etag"]), _text_column(frame["last_modified"]),
                        _text_column(frame["redirect_to"]) if "redirect_to" in frame
                        else [None] * len(frame)))
        self._con.execute("BEGIN")
        self._con.executemany("INSERT OR REPLACE INTO known VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        aliases = [(canonical, *row[1:]) for row, canonical
                   in zip(rows, _text_column(frame["canonical_url"]))
                   if canonical and canonical != row[0]]
        self._con.executemany("INSERT INTO alias VALUES (?, ?, ?, ?, ?, ?, ?)", aliases)
        self._con.execute("COMMIT")

    def finish(self) -> None:
        """Give canonical URLs without a row of their own their article's record."""
        self._con.execute("INSERT OR IGNORE INTO known SELECT * FROM alias")
        self._con.execute("DELETE FROM alias")
        self._count = self._con.execute("SELECT count(*) FROM known").fetchone()[0]

    def get(self, url: str) -> KnownPage | None:
        row = self._con.execute(
            "SELECT kind, last_fetched_at, outcome, etag, last_modified, redirect_to FROM known"
            " WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        kind, fetched, outcome, etag, last_modified, redirect_to = row
        return KnownPage(kind=kind, last_fetched_at=_EPOCH + timedelta(microseconds=fetched),
                         outcome=outcome, etag=etag, last_modified=last_modified,
                         redirect_to=redirect_to)

    def __contains__(self, url: str) -> bool:
        return self._con.execute("SELECT 1 FROM known WHERE url = ?", (url,)).fetchone() is not None

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        try:
            self._con.close()
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)

    def __del__(self) -> None:  # a crawl that never closed it still leaves no file behind
        if self._dir.exists():
            self.close()


def _micros_column(series: pd.Series) -> list[int]:
    """Naive UTC timestamps as microseconds since the epoch (what SQLite stores)."""
    return pd.to_datetime(series).astype("datetime64[us]").astype("int64").tolist()


def _text_column(series: pd.Series) -> list[str | None]:
    return [v if isinstance(v, str) and v else None for v in series.tolist()]
