"""Many writers, one DuckDB: staged Parquet batches and the loader that merges them.

It owns the staging folder (`<db>.staging` next to the database unless told
otherwise), its layout, and the three operations on it:

* `stage_batch` (any process, any machine sharing the folder): writes one
  batch = a folder `<staging>/<batch_id>/` holding articles.parquet,
  mentions.parquet, figures.parquet and pages.parquet, typed by the write
  contract of data/frames.py (fixed types even for empty frames).  The files
  are written and fsync'ed under `.tmp-<batch_id>/`, which is then renamed to
  `<batch_id>/` (atomic on one filesystem) and the folder fsync'ed: a batch
  folder without a leading dot is always complete.  Batch ids sort by creation
  time (nanoseconds first) and are unique across processes and machines.
* `load_staged` (the loader): for each complete batch, in id order, ONE
  transaction runs `Store.write_batch` and records the batch id in
  `staged_batches` (migration 005); only after the commit is the folder
  renamed to `.done-<id>` and removed.  A batch whose id is recorded is skipped
  and removed, so a loader killed between commit and removal, or a batch
  staged twice under one id, changes nothing.  Small batches are merged into
  one transaction (at most `batches_per_transaction` batches and
  `articles_per_transaction` articles), but never two batches that share a
  canonical_url or a page url: those go to separate transactions in id order,
  so the result equals loading one batch at a time (the newer batch applied
  last).  Entity resolution sees a merged transaction as one batch, as it sees
  any crawl batch.  A batch that cannot be read or that the database refuses
  (bad Parquet, missing file, wrong columns, a value breaking a constraint) is
  moved to `<staging>/rejected/<id>/` with a REJECTED.txt and counted; it never
  blocks the others.  Database trouble that is not the batch's fault (busy,
  I/O, not a database) raises: what was committed stays, the rest stays staged.
* `staged_views` / `query_staged` (readers): TEMP views `staged_articles`,
  `staged_mentions`, `staged_figures`, `staged_pages` (plus a `batch_id`
  column) over the batch folders, so staged rows can be queried before they
  are loaded; they work on read-only connections.

Folders starting with a dot are never batches: `.tmp-*` are being written
(one left by a killed writer is removed by the loader after an hour) and
`.done-*` are loaded (removed by the loader).  `rejected/` is skipped too.

ONE LOADER AT A TIME.  DuckDB takes one writing process; the loader is that
writer.  The CLI (`newsmon load`) runs it under the run lock (crawler/lock.py),
like a crawl; a worker may call `load_staged` opportunistically only after
taking the same lock non-blocking, and skip loading when it is held.  Even so,
the staged_batches check inside each transaction keeps a batch from being
loaded twice.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsmon.data.errors import AlreadyLoadedError, BadBatchError, StagingError, WriteError
from newsmon.data.frames import (
    ARTICLE_COLUMNS,
    FIGURE_COLUMNS,
    MENTION_COLUMNS,
    PAGE_COLUMNS,
    Column,
    to_arrow,
    with_article_id,
)
from newsmon.data.store import Store, connect_read

logger = logging.getLogger(__name__)

STAGING_SUFFIX = ".staging"
TMP_PREFIX = ".tmp-"
DONE_PREFIX = ".done-"
REJECTED_DIR = "rejected"
REJECTED_NOTE = "REJECTED.txt"
STALE_TMP_SECONDS = 3600.0
BATCHES_PER_TRANSACTION = 50  # bench/staging_load.py: 3.6 batches/s alone, 55 merged by 50
ARTICLES_PER_TRANSACTION = 2000

# table name -> its columns in the write contract; one <name>.parquet per batch
TABLES: dict[str, tuple[Column, ...]] = {
    "articles": ARTICLE_COLUMNS,
    "mentions": MENTION_COLUMNS,
    "figures": FIGURE_COLUMNS,
    "pages": PAGE_COLUMNS,
}
KEYED_BY_ARTICLE = ("articles", "mentions", "figures")
_BATCH_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,199}$")
_UNSAFE = re.compile(r"[^0-9A-Za-z_]+")
# database errors that are not the batch's fault: stop loading instead of rejecting
_NOT_THE_BATCH = (duckdb.IOException, duckdb.OutOfMemoryException, duckdb.FatalException,
                  duckdb.InternalException, duckdb.TransactionException,
                  duckdb.PermissionException, duckdb.InterruptException)


# -- names ----------------------------------------------------------------------------

def default_staging_dir(db_path: Path | str) -> Path:
    """The staging folder of database `db_path`: `<db path>.staging`, beside it."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + STAGING_SUFFIX)


def new_batch_id() -> str:
    """A batch id that sorts by creation time and is unique across processes and machines."""
    host = _UNSAFE.sub("_", socket.gethostname()).strip("_")[:40] or "host"
    return f"{time.time_ns():020d}-{host}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def staged_at(batch_id: str) -> datetime | None:
    """The creation time (naive UTC) a `new_batch_id` carries; None for other ids."""
    head = batch_id.split("-", 1)[0]
    if len(head) != 20 or not head.isdigit():
        return None
    return datetime.fromtimestamp(int(head) / 1e9, tz=timezone.utc).replace(tzinfo=None)


def check_batch_id(batch_id: str) -> str:
    """`batch_id` if it can name a batch folder; StagingError otherwise."""
    if not _BATCH_ID.match(batch_id) or batch_id == REJECTED_DIR:
        raise StagingError(f"bad batch id {batch_id!r}: use letters, digits, '_', '-', '.' "
                           "(not first), at most 200 characters")
    return batch_id


def list_batches(staging_dir: Path | str) -> list[str]:
    """The complete batches in `staging_dir`, oldest id first (dot folders and rejected/ skipped)."""
    staging_dir = Path(staging_dir)
    if not staging_dir.is_dir():
        return []
    return sorted(entry.name for entry in os.scandir(staging_dir)
                  if entry.is_dir() and not entry.name.startswith(".") and entry.name != REJECTED_DIR)


# -- writing a batch ------------------------------------------------------------------

def stage_batch(staging_dir: Path | str, *, articles: pd.DataFrame | None = None,
                mentions: pd.DataFrame | None = None, figures: pd.DataFrame | None = None,
                pages: pd.DataFrame | None = None, batch_id: str | None = None) -> str:
    """Write one batch atomically into `staging_dir` and return its id.

    Frames have the columns of crawler/frames.py (articles, mentions, figures:
    keyed by canonical_url or article_id) and of crawler/fetchlog.py (pages);
    None stands for an empty frame.  A frame that breaks the write contract
    raises WriteError before anything is written; a batch id already staged, or
    a folder that cannot be written, raises StagingError (no batch left behind).
    Give `batch_id` to make a retried stage idempotent (an id already loaded is
    skipped by the loader); it should start with the time to keep batches in
    creation order.
    """
    staging_dir = Path(staging_dir)
    batch_id = check_batch_id(batch_id) if batch_id else new_batch_id()
    frames = {"articles": articles, "mentions": mentions, "figures": figures, "pages": pages}
    tables = {name: _typed(frames[name], TABLES[name], name) for name in TABLES}
    final = staging_dir / batch_id
    tmp = staging_dir / f"{TMP_PREFIX}{batch_id}"
    try:
        staging_dir.mkdir(parents=True, exist_ok=True)
        if final.exists():
            raise StagingError(f"batch {batch_id} is already staged in {staging_dir}")
        tmp.mkdir()
        for name, table in tables.items():
            _write_parquet(table, tmp / f"{name}.parquet")
        _fsync_dir(tmp)
        os.rename(tmp, final)
        _fsync_dir(staging_dir)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StagingError(f"cannot stage batch {batch_id} in {staging_dir}: {exc}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.debug("staged batch %s: %s", batch_id, {n: t.num_rows for n, t in tables.items()})
    return batch_id


def _typed(df: pd.DataFrame | None, columns: tuple[Column, ...], what: str) -> pa.Table:
    if df is None or (df.empty and not {"article_id", "canonical_url"} & set(df.columns)):
        return to_arrow(pd.DataFrame(), columns, what)
    if what in KEYED_BY_ARTICLE:
        df = with_article_id(df, what)
    return to_arrow(df, columns, what)


def _write_parquet(table: pa.Table, path: Path) -> None:
    with open(path, "wb") as fh:
        pq.write_table(table, fh)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- reading a batch ------------------------------------------------------------------

@dataclass(frozen=True)
class StagedBatch:
    """One batch read back: its four tables in the contract's types."""
    batch_id: str
    tables: dict[str, pa.Table]

    def rows(self, name: str) -> int:
        return self.tables[name].num_rows

    @property
    def article_ids(self) -> set[int]:
        return set(self.tables["articles"].column("article_id").to_pylist())

    @property
    def page_urls(self) -> set[str]:
        return set(self.tables["pages"].column("url").to_pylist())


def read_batch(staging_dir: Path | str, batch_id: str) -> StagedBatch:
    """Read and check a staged batch; BadBatchError says what is wrong with it.

    Mentions and figures of articles outside the batch are dropped (logged),
    as write_batch would drop them, so merged batches load the same.
    """
    folder = Path(staging_dir) / batch_id
    tables = {name: _read_table(folder / f"{name}.parquet", columns, f"{batch_id}/{name}")
              for name, columns in TABLES.items()}
    ids = tables["articles"].column("article_id")
    for name in ("mentions", "figures"):
        table = tables[name]
        kept = table.filter(pc.is_in(table.column("article_id"), value_set=ids))
        if kept.num_rows < table.num_rows:
            logger.warning("batch %s: %d %s row(s) name an article outside the batch; dropped",
                           batch_id, table.num_rows - kept.num_rows, name)
        tables[name] = kept
    return StagedBatch(batch_id, tables)


def _read_table(path: Path, columns: tuple[Column, ...], what: str) -> pa.Table:
    try:
        table = pq.read_table(str(path))
    except FileNotFoundError:
        raise BadBatchError(f"{what}: {path.name} is missing") from None
    except (pa.ArrowException, OSError) as exc:
        raise BadBatchError(f"{what}: {path.name} is not readable Parquet: {exc}") from exc
    return _conform(table, columns, what)


def _conform(table: pa.Table, columns: tuple[Column, ...], what: str) -> pa.Table:
    """`table` with exactly `columns`, cast to their types; BadBatchError if it cannot be."""
    arrays = []
    for column in columns:
        if column.name not in table.column_names:
            if column.required and table.num_rows:
                raise BadBatchError(f"{what}: required column {column.name!r} is missing")
            arrays.append(pa.nulls(table.num_rows, type=column.type))
            continue
        array = table.column(column.name)
        try:
            arrays.append(array if array.type == column.type else array.cast(column.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise BadBatchError(f"{what}: column {column.name!r} is {array.type}, "
                                f"not {column.type}: {exc}") from exc
    return pa.Table.from_arrays(arrays, names=[c.name for c in columns])


# -- loading --------------------------------------------------------------------------

@dataclass(frozen=True)
class BatchError:
    batch_id: str
    reason: str


@dataclass
class LoadReport:
    """What one `load_staged` call did."""
    batches_loaded: int = 0
    batches_skipped: int = 0  # already recorded in staged_batches: removed, nothing written
    transactions: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    mentions: int = 0
    figures: int = 0
    pages: int = 0
    errors: list[BatchError] = field(default_factory=list)  # one per rejected batch

    @property
    def batches_rejected(self) -> int:
        return len(self.errors)

    def add(self, counts: dict[str, int], batches: int) -> None:
        self.batches_loaded += batches
        self.transactions += 1
        for key in ("inserted", "updated", "unchanged", "mentions", "figures", "pages"):
            setattr(self, key, getattr(self, key) + counts.get(key, 0))

    def merge(self, other: "LoadReport") -> None:
        for key in ("batches_loaded", "batches_skipped", "transactions", "inserted", "updated",
                    "unchanged", "mentions", "figures", "pages"):
            setattr(self, key, getattr(self, key) + getattr(other, key))
        self.errors.extend(other.errors)

    def summary(self) -> str:
        return (f"batches: {self.batches_loaded} loaded, {self.batches_skipped} skipped "
                f"(already loaded), {self.batches_rejected} rejected; articles: {self.inserted} "
                f"inserted, {self.updated} updated, {self.unchanged} unchanged; "
                f"{self.mentions} mentions, {self.figures} figures, {self.pages} pages "
                f"in {self.transactions} transaction(s)")


def load_staged(db_path: Path | str, staging_dir: Path | str, *, run_id: int | None = None,
                busy_timeout: float = 30.0, max_batches: int | None = None,
                batches_per_transaction: int = BATCHES_PER_TRANSACTION,
                articles_per_transaction: int = ARTICLES_PER_TRANSACTION) -> LoadReport:
    """Load the complete batches of `staging_dir` into `db_path`, oldest first (module docstring).

    The caller must be the only loader (hold the run lock).  Returns a
    LoadReport; rejected batches are in its `errors`.  Raises DataError
    subclasses (DatabaseBusyError, NotADatabaseError, WriteError for a
    database I/O failure): batches committed before stay committed and removed.
    """
    report = LoadReport()
    staging_dir = Path(staging_dir)
    _sweep(staging_dir)
    batch_ids = list_batches(staging_dir)[:max_batches]
    if not batch_ids:
        return report
    store = Store(db_path, busy_timeout=busy_timeout)
    loaded = store.loaded_batches(batch_ids)
    for batch_id in batch_ids:
        if batch_id in loaded:
            logger.info("batch %s was loaded before; removing it", batch_id)
            _discard(staging_dir, batch_id)
            report.batches_skipped += 1
    fresh = (batch_id for batch_id in batch_ids if batch_id not in loaded)
    batches = _readable(staging_dir, fresh, report)
    for group in group_batches(batches, batches_per_transaction, articles_per_transaction):
        _load_group(store, staging_dir, group, run_id, report)
    logger.info("load from %s: %s", staging_dir, report.summary())
    return report


def group_batches(batches: Iterable[StagedBatch], max_batches: int,
                  max_articles: int) -> Iterator[list[StagedBatch]]:
    """Consecutive batches per transaction: at most `max_batches` and (unless one
    batch alone is larger) `max_articles`, and no canonical_url or page url twice."""
    group: list[StagedBatch] = []
    ids: set[int] = set()
    urls: set[str] = set()
    articles = 0
    for batch in batches:
        batch_ids, batch_urls = batch.article_ids, batch.page_urls
        full = (len(group) >= max_batches or articles + batch.rows("articles") > max_articles
                or not ids.isdisjoint(batch_ids) or not urls.isdisjoint(batch_urls))
        if group and full:
            yield group
            group, ids, urls, articles = [], set(), set(), 0
        group.append(batch)
        ids |= batch_ids
        urls |= batch_urls
        articles += batch.rows("articles")
    if group:
        yield group


def _readable(staging_dir: Path, batch_ids: Iterable[str], report: LoadReport) -> Iterator[StagedBatch]:
    for batch_id in batch_ids:
        try:
            yield read_batch(staging_dir, batch_id)
        except BadBatchError as exc:
            _reject(staging_dir, batch_id, str(exc), report)


def _load_group(store: Store, staging_dir: Path, group: list[StagedBatch], run_id: int | None,
                report: LoadReport) -> None:
    """Write `group` in one transaction, then remove its folders; split or reject on refusal."""
    try:
        counts = store.write_batch(run_id, *_merged_frames(group), batches=_ledger(group))
    except AlreadyLoadedError as exc:  # another loader ran without the lock
        done = set(exc.batch_ids)
        for batch in group:
            if batch.batch_id in done:
                _discard(staging_dir, batch.batch_id)
                report.batches_skipped += 1
        rest = [batch for batch in group if batch.batch_id not in done]
        if rest:
            _load_group(store, staging_dir, rest, run_id, report)
        return
    except WriteError as exc:
        if isinstance(exc.__cause__, _NOT_THE_BATCH):
            raise
        if len(group) > 1:  # find the culprit: one transaction per batch
            logger.info("merged load of %d batches refused (%s); loading them one by one",
                        len(group), exc)
            for batch in group:
                _load_group(store, staging_dir, [batch], run_id, report)
            return
        _reject(staging_dir, group[0].batch_id, str(exc), report)
        return
    report.add(counts, len(group))
    for batch in group:
        _discard(staging_dir, batch.batch_id)


def _merged_frames(group: list[StagedBatch]) -> tuple[pd.DataFrame, ...]:
    """articles, mentions, figures, pages of the group, in batch id order."""
    return tuple(pa.concat_tables([batch.tables[name] for batch in group]).to_pandas()
                 for name in TABLES)


def _ledger(group: list[StagedBatch]) -> pd.DataFrame:
    return pd.DataFrame([{"batch_id": b.batch_id, "staged_at": staged_at(b.batch_id),
                          **{name: b.rows(name) for name in TABLES}} for b in group])


# -- folder housekeeping ----------------------------------------------------------------

def _discard(staging_dir: Path, batch_id: str) -> None:
    """Remove a loaded batch: rename it out of the readers' sight, then delete it."""
    gone = staging_dir / f"{DONE_PREFIX}{batch_id}"
    try:
        if gone.exists():
            shutil.rmtree(gone)
        os.rename(staging_dir / batch_id, gone)
        shutil.rmtree(gone)
    except OSError as exc:  # it is recorded as loaded: the next load skips and removes it
        logger.warning("could not remove loaded batch %s: %s", batch_id, exc)


def _reject(staging_dir: Path, batch_id: str, reason: str, report: LoadReport) -> None:
    """Move a batch to rejected/ with a note saying why, and count it."""
    logger.error("staged batch %s rejected: %s", batch_id, reason)
    report.errors.append(BatchError(batch_id, reason))
    rejected = staging_dir / REJECTED_DIR
    target = rejected / batch_id
    suffix = 1
    while target.exists():
        target = rejected / f"{batch_id}.{suffix}"
        suffix += 1
    try:
        rejected.mkdir(exist_ok=True)
        os.rename(staging_dir / batch_id, target)
        (target / REJECTED_NOTE).write_text(reason + "\n", encoding="utf-8")
    except OSError as exc:
        logger.error("could not move rejected batch %s to %s: %s", batch_id, rejected, exc)


def _sweep(staging_dir: Path) -> None:
    """Remove `.done-*` folders (loaded) and `.tmp-*` folders idle for an hour (dead writers)."""
    if not staging_dir.is_dir():
        return
    now = time.time()
    for entry in os.scandir(staging_dir):
        if not entry.is_dir():
            continue
        stale_tmp = (entry.name.startswith(TMP_PREFIX)
                     and now - _newest_mtime(Path(entry.path)) > STALE_TMP_SECONDS)
        if entry.name.startswith(DONE_PREFIX) or stale_tmp:
            logger.info("removing %s", entry.path)
            shutil.rmtree(entry.path, ignore_errors=True)


def _newest_mtime(folder: Path) -> float:
    try:
        return max([folder.stat().st_mtime, *(p.stat().st_mtime for p in folder.iterdir())])
    except OSError:  # vanished meanwhile: its writer renamed it
        return time.time()


# -- reading staged rows ----------------------------------------------------------------

def staged_views(con: duckdb.DuckDBPyConnection, staging_dir: Path | str) -> None:
    """Create TEMP views staged_articles, staged_mentions, staged_figures, staged_pages.

    Each has the table's contract columns plus `batch_id`, over the complete
    batches present when a query runs (also on a read-only connection).  With
    no batch, the views exist and are empty.  A batch may still show for a
    moment after its commit, until the loader removes it (staged_batches says);
    a corrupt batch file makes them fail until a load rejects its batch.
    """
    staging_dir = Path(staging_dir)
    for name, columns in TABLES.items():
        pattern = f"[!.]*/{name}.parquet"
        if staging_dir.is_dir() and any(staging_dir.glob(pattern)):
            glob = str(staging_dir.resolve() / pattern).replace("'", "''")
            body = (f"SELECT * EXCLUDE (filename), "
                    f"regexp_extract(filename, '([^/\\\\]+)[/\\\\][^/\\\\]+$', 1) AS batch_id "
                    f"FROM read_parquet('{glob}', union_by_name = true, filename = true)")
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
                 params: list | dict | None = None, timeout: float = 30.0) -> pd.DataFrame:
    """Run one read-only query with the staged_* views defined.

    The database is opened read-only (an in-memory one stands in when the file
    does not exist yet).  If the loader removes batches while the query reads
    them, it runs once more.
    """
    try:
        return _query_once(db_path, staging_dir, sql, params, timeout)
    except duckdb.IOException as exc:
        logger.info("staged batches moved during the query (%s); running it again", exc)
    return _query_once(db_path, staging_dir, sql, params, timeout)


def _query_once(db_path: Path | str, staging_dir: Path | str, sql: str,
                params: list | dict | None, timeout: float) -> pd.DataFrame:
    con = connect_read(db_path, timeout=timeout) if Path(db_path).exists() else duckdb.connect()
    try:
        staged_views(con, staging_dir)
        return con.execute(sql, params).df()
    finally:
        con.close()
