"""The loader: staged batches into the database, oldest first, each at most once.

It owns `load_staged` (group small batches into one transaction, record their
ids in `staged_batches` in the same transaction, remove them after the commit,
reject a batch the database refuses) and the folder's housekeeping (removing
loaded batches and stale `.tmp-` folders, moving rejected ones aside).  One
loader at a time: see data/staging/__init__.py.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from newsmon.data.errors import AlreadyLoadedError, BadBatchError, WriteError
from newsmon.data.staging.batches import (ARTICLES_PER_TRANSACTION, BATCHES_PER_TRANSACTION,
                                          DONE_PREFIX, REJECTED_DIR, REJECTED_NOTE,
                                          STALE_TMP_SECONDS, TABLES, TMP_PREFIX, StagedBatch,
                                          list_batches, read_batch, staged_at)
from newsmon.data.search import refresh_after_write
from newsmon.data.store import Store

logger = logging.getLogger(__name__)

# database errors that are not the batch's fault: stop loading instead of rejecting
_NOT_THE_BATCH = (duckdb.IOException, duckdb.OutOfMemoryException, duckdb.FatalException,
                  duckdb.InternalException, duckdb.TransactionException,
                  duckdb.PermissionException, duckdb.InterruptException)


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
    fines: int = 0
    pages: int = 0
    conflicts: int = 0  # articles another source stored first (data/store/__init__.py)
    errors: list[BatchError] = field(default_factory=list)  # one per rejected batch
    stopped: bool = False  # asked to stop before every batch was loaded

    @property
    def batches_rejected(self) -> int:
        return len(self.errors)

    def add(self, counts: dict[str, int], batches: int) -> None:
        self.batches_loaded += batches
        self.transactions += 1
        for key in ("inserted", "updated", "unchanged", "mentions", "figures", "fines", "pages",
                    "conflicts"):
            setattr(self, key, getattr(self, key) + counts.get(key, 0))

    def merge(self, other: "LoadReport") -> None:
        for key in ("batches_loaded", "batches_skipped", "transactions", "inserted", "updated",
                    "unchanged", "mentions", "figures", "fines", "pages", "conflicts"):
            setattr(self, key, getattr(self, key) + getattr(other, key))
        self.errors.extend(other.errors)

    def summary(self) -> str:
        return (f"batches: {self.batches_loaded} loaded, {self.batches_skipped} skipped "
                f"(already loaded), {self.batches_rejected} rejected; articles: {self.inserted} "
                f"inserted, {self.updated} updated, {self.unchanged} unchanged; "
                f"{self.mentions} mentions, {self.figures} figures, {self.fines} fines, {self.pages} pages "
                f"in {self.transactions} transaction(s)"
                + (f"; {self.conflicts} conflict(s): canonical URLs another source stored first"
                   if self.conflicts else ""))


def load_staged(db_path: Path | str, staging_dir: Path | str, *, run_id: int | None = None,
                busy_timeout: float = 30.0, max_batches: int | None = None,
                batches_per_transaction: int = BATCHES_PER_TRANSACTION,
                articles_per_transaction: int = ARTICLES_PER_TRANSACTION,
                stop: Callable[[], bool] | None = None) -> LoadReport:
    """Load the complete batches of `staging_dir` into `db_path`, oldest first (module docstring).

    The caller must be the only loader (hold the run lock).  Returns a
    LoadReport; rejected batches are in its `errors`.  Raises DataError
    subclasses (DatabaseBusyError, NotADatabaseError, WriteError for a
    database I/O failure): batches committed before stay committed and removed.
    `stop()` is asked before each transaction; when it says True the load ends there.
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
        if stop is not None and stop():  # between transactions: the rest stays staged
            report.stopped = True
            logger.info("load stopped; the batches not loaded yet stay staged")
            break
        _load_group(store, staging_dir, group, run_id, report)
    logger.info("load from %s: %s", staging_dir, report.summary())
    if report.batches_loaded:
        refresh_after_write(db_path, timeout=busy_timeout)
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
        counts = store.write_batch(run_id, **_merged_frames(group), batches=_ledger(group))
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


def _merged_frames(group: list[StagedBatch]) -> dict[str, pd.DataFrame]:
    """{table: frame} of the group (articles, mentions, figures, pages, fines), in batch id order."""
    return {name: pa.concat_tables([batch.tables[name] for batch in group]).to_pandas()
            for name in TABLES}


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
