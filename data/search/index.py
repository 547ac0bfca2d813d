"""Keeping the search index current: `refresh_index` and `reindex` (the writer side).

An article is indexed under a signature, a hash of its title and text_hash.  A
refresh compares signatures with the articles table and touches only what
differs: articles that are new or whose title or text changed are (re)indexed,
articles that are gone are dropped.  It works in chunks of `chunk` articles,
each ONE short write transaction (its old postings out, its new ones in, its
search_docs rows with their signatures), so a refresh killed half-way leaves a
consistent index that the next refresh completes, and readers get in between
chunks.  Each chunk appends its postings sorted by term; once the appended,
unsorted rows outgrow COMPACT_SHARE of the table (and COMPACT_MIN_ROWS), the
table is rewritten sorted by term, so a query keeps reading only the row groups
that hold its terms.

The caller must be the only writer (hold the run lock: crawl, load, reannotate
and `db reindex` do).  Nothing here reads anything but the database and the fts
extension, which is loaded from the duckdb-extension-fts wheel, only into the
connections that stem words (the chunks): loading it checks the signature of an
11 MB file, 40 ms of CPU each time.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from newsmon.data.connection import connect, load_fts, utc_now
from newsmon.data.errors import DataError
from newsmon.data.store import open_db

logger = logging.getLogger(__name__)

CHUNK = 5_000               # articles per write transaction
COMPACT_SHARE = 0.2         # rewrite sorted when unsorted rows exceed this share of the table ...
COMPACT_MIN_ROWS = 1_000_000  # ... and this many rows (small tables are fast to scan anyway)
STEMMER = "porter"

# what an indexed article looked like: a change of either means it is indexed again
SIGNATURE = "hash(coalesce(a.title, ''), a.text_hash)"

_CHANGED = f"""
    SELECT a.article_id
    FROM articles a LEFT JOIN search_docs d USING (article_id)
    WHERE d.article_id IS NULL OR d.signature <> {SIGNATURE}
    ORDER BY a.article_id"""

_GONE = "SELECT article_id FROM search_docs ANTI JOIN articles USING (article_id)"

# the fts extension's build, per chunk: words of title and text, minus empty words and
# stopwords, counted per article and word, each distinct word stemmed once, counted per
# article and term; each row carries its article's length (in indexed words)
_POSTINGS = f"""
    WITH words AS (
        SELECT a.article_id, unnest(search_words(a.title)) AS w
        FROM articles a JOIN search_chunk c USING (article_id)
        UNION ALL
        SELECT a.article_id, unnest(search_words(a.text)) AS w
        FROM articles a JOIN search_chunk c USING (article_id)
    ),
    kept AS (
        SELECT article_id, w FROM words
        WHERE w IS NOT NULL AND len(w) > 0 AND w NOT IN (SELECT word FROM search_stopwords)
    ),
    per_word AS (SELECT article_id, w, count(*) AS n FROM kept GROUP BY article_id, w),
    stems AS (SELECT w, stem(w, '{STEMMER}') AS term FROM (SELECT DISTINCT w FROM per_word)),
    counted AS (
        SELECT s.term, p.article_id, sum(p.n)::INTEGER AS tf
        FROM per_word p JOIN stems s USING (w)
        GROUP BY s.term, p.article_id
    ),
    lengths AS (SELECT article_id, sum(tf)::INTEGER AS len FROM counted GROUP BY article_id)
    SELECT hash(c.term) AS termid, c.term, c.article_id, c.tf, l.len
    FROM counted c JOIN lengths l USING (article_id)"""
_SORTED = " ORDER BY termid, article_id"
# termids are DuckDB's hash(): a DuckDB whose hash() differs must rebuild the index
HASH_CHECK = "hash('newsmon')"


@dataclass
class RefreshReport:
    indexed: int = 0          # articles (re)indexed
    dropped: int = 0          # articles no longer in the database
    postings: int = 0         # rows appended to search_postings
    compacted: bool = False   # search_postings rewritten sorted
    seconds: float = 0.0

    def summary(self) -> str:
        if not (self.indexed or self.dropped):
            return f"search index up to date ({self.seconds:.2f} s)"
        return (f"search index: {self.indexed} articles indexed, {self.dropped} dropped"
                + (", postings re-sorted" if self.compacted else "") + f" in {self.seconds:.2f} s")


def refresh_index(db_path: Path | str, *, timeout: float = 30.0, chunk: int = CHUNK) -> RefreshReport:
    """Bring the search index of `db_path` up to date with its articles (module docstring)."""
    return _refresh(db_path, timeout, chunk, sort=True)


def _refresh(db_path: Path | str, timeout: float, chunk: int, sort: bool) -> RefreshReport:
    start = time.perf_counter()
    report = RefreshReport()
    with open_db(db_path, timeout=timeout) as con:  # applies migration 006 to an older database
        _ensure_stopwords(con)
        _check_hash(con)
        changed = [row[0] for row in con.execute(_CHANGED).fetchall()]
        gone = [row[0] for row in con.execute(_GONE).fetchall()]
    if gone:
        with _transaction(db_path, timeout) as con:
            con.execute("CREATE TEMP TABLE search_gone AS SELECT unnest($ids) AS article_id", {"ids": gone})
            con.execute("DELETE FROM search_postings WHERE article_id IN (SELECT article_id FROM search_gone)")
            con.execute("DELETE FROM search_docs WHERE article_id IN (SELECT article_id FROM search_gone)")
        report.dropped = len(gone)
    for i in range(0, len(changed), chunk):
        report.postings += _index_chunk(db_path, timeout, changed[i:i + chunk], sort)
        report.indexed += len(changed[i:i + chunk])
        if len(changed) > chunk:
            logger.info("search index: %d of %d articles indexed", report.indexed, len(changed))
    if report.indexed or report.dropped:
        with _transaction(db_path, timeout) as con:
            report.compacted = _compact_if_needed(con)
            con.execute("UPDATE search_state SET refreshed_at = $now", {"now": utc_now()})
    report.seconds = time.perf_counter() - start
    logger.info("%s", report.summary())
    return report


def refresh_after_write(db_path: Path | str, *, timeout: float = 30.0) -> RefreshReport | None:
    """`refresh_index` after a crawl, load or reannotate: a failure is a warning (the
    articles are stored; the next refresh or `newsmon db reindex` catches up), not an error."""
    try:
        return refresh_index(db_path, timeout=timeout)
    except DataError as exc:
        logger.warning("search index not brought up to date (the next crawl or "
                       "`newsmon db reindex` will): %s", exc)
        return None


def reindex(db_path: Path | str, *, timeout: float = 30.0, chunk: int = CHUNK) -> RefreshReport:
    """Build the search index from scratch (`newsmon db reindex`)."""
    with _transaction(db_path, timeout, migrate=True) as con:
        for table in ("search_postings", "search_docs", "search_stopwords"):
            con.execute(f"DELETE FROM {table}")
        con.execute(f"UPDATE search_state SET unsorted_postings = 0, hash_check = {HASH_CHECK}")
    report = _refresh(db_path, timeout, chunk, sort=False)  # the compaction below sorts
    with _transaction(db_path, timeout) as con:
        if not report.compacted:
            _compact(con)
            report.compacted = True
        con.execute("UPDATE search_state SET built_at = $now", {"now": utc_now()})
    return report


def index_status(con: duckdb.DuckDBPyConnection) -> dict:
    """How current the index is, on any connection (the sandbox's too): articles, indexed,
    not_indexed (new or changed since the last refresh), built_at, refreshed_at."""
    row = con.execute(f"""
        SELECT (SELECT count(*) FROM articles),
               (SELECT count(*) FROM search_docs),
               (SELECT count(*) FROM articles a LEFT JOIN search_docs d USING (article_id)
                WHERE d.article_id IS NULL OR d.signature <> {SIGNATURE}),
               built_at, refreshed_at
        FROM search_state""").fetchone()
    keys = ("articles", "indexed", "not_indexed", "built_at", "refreshed_at")
    return dict(zip(keys, row)) if row else dict.fromkeys(keys)


# -- the pieces ---------------------------------------------------------------------

@contextmanager
def _transaction(db_path: Path | str, timeout: float, migrate: bool = False, fts: bool = False
                 ) -> Iterator[duckdb.DuckDBPyConnection]:
    """One short write transaction on its own connection (as data.store's writer does);
    `fts`: with the fts extension loaded (for its stem())."""
    con = open_db(db_path, timeout=timeout) if migrate else connect(db_path, read_only=False,
                                                                     timeout=timeout)
    try:
        if fts:
            load_fts(con)
        con.begin()
        try:
            yield con
            con.commit()
        except BaseException as exc:
            try:
                con.rollback()
            except duckdb.Error:
                pass
            if isinstance(exc, duckdb.Error):
                raise DataError(f"search index of {db_path} not updated: {exc}") from exc
            raise
    finally:
        con.close()


def _index_chunk(db_path: Path | str, timeout: float, ids: list[int], sort: bool = True) -> int:
    """(Re)index the articles `ids` in one transaction, from their rows as they are now;
    `sort`: append the postings sorted by term (not worth it when a compaction follows)."""
    with _transaction(db_path, timeout, fts=True) as con:
        con.execute("CREATE TEMP TABLE search_chunk AS SELECT unnest($ids) AS article_id", {"ids": ids})
        # checked inside the transaction: another refresh may have indexed some meanwhile
        if con.execute("SELECT count(*) FROM search_docs WHERE article_id IN "
                       "(SELECT article_id FROM search_chunk)").fetchone()[0]:
            con.execute("DELETE FROM search_postings WHERE article_id IN "
                        "(SELECT article_id FROM search_chunk)")
            con.execute("DELETE FROM search_docs WHERE article_id IN (SELECT article_id FROM search_chunk)")
        con.execute(f"CREATE TEMP TABLE search_new AS {_POSTINGS}{_SORTED if sort else ''}")
        appended = con.execute("INSERT INTO search_postings SELECT * FROM search_new").fetchone()[0]
        con.execute(f"""
            INSERT INTO search_docs
            SELECT a.article_id, coalesce(n.len, 0), {SIGNATURE}
            FROM articles a JOIN search_chunk c USING (article_id)
            LEFT JOIN (SELECT article_id, any_value(len) AS len FROM search_new GROUP BY article_id) n
                USING (article_id)""")
        con.execute("UPDATE search_state SET unsorted_postings = unsorted_postings + $n", {"n": appended})
    return int(appended)


def _compact_if_needed(con: duckdb.DuckDBPyConnection) -> bool:
    unsorted, total = con.execute(
        "SELECT unsorted_postings, (SELECT count(*) FROM search_postings) FROM search_state").fetchone()
    if unsorted > max(COMPACT_MIN_ROWS, COMPACT_SHARE * total):
        _compact(con)
        return True
    return False


def _compact(con: duckdb.DuckDBPyConnection) -> None:
    start = time.perf_counter()
    con.execute("CREATE OR REPLACE TABLE search_postings AS "
                "SELECT * FROM search_postings ORDER BY termid, article_id")
    con.execute("UPDATE search_state SET unsorted_postings = 0")
    logger.info("search postings rewritten sorted in %.1f s", time.perf_counter() - start)


def _check_hash(con: duckdb.DuckDBPyConnection) -> None:
    """Record which hash() wrote the termids; drop an index another DuckDB's hash() wrote
    (its termids would never match), so this refresh rebuilds it."""
    stored, current = con.execute(f"SELECT hash_check, {HASH_CHECK} FROM search_state").fetchone()
    if stored == current:
        return
    con.begin()
    if stored is not None:
        logger.warning("the search index was written by a DuckDB with another hash(); rebuilding it")
        con.execute("DELETE FROM search_postings")
        con.execute("DELETE FROM search_docs")
        con.execute("UPDATE search_state SET unsorted_postings = 0")
    con.execute(f"UPDATE search_state SET hash_check = {HASH_CHECK}")
    con.commit()


def _ensure_stopwords(con: duckdb.DuckDBPyConnection) -> None:
    """Fill search_stopwords with the fts extension's English list, once."""
    if con.execute("SELECT count(*) FROM search_stopwords").fetchone()[0]:
        return
    words = list(extension_stopwords())
    con.execute("INSERT INTO search_stopwords SELECT unnest($w)", {"w": words})


@functools.cache
def extension_stopwords() -> tuple[str, ...]:
    """The English stopwords of the installed fts extension (from an index it builds on an
    empty in-memory table: the list ships inside the extension, not as a file); read once
    a process."""
    with duckdb.connect() as mem:
        load_fts(mem)
        mem.execute("CREATE TABLE empty_docs (id INTEGER, body VARCHAR)")
        mem.execute("PRAGMA create_fts_index('empty_docs', 'id', 'body', stopwords='english')")
        return tuple(r[0] for r in mem.execute("SELECT sw FROM fts_main_empty_docs.stopwords").fetchall())
