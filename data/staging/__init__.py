"""Many writers, one DuckDB: staged Parquet batches and the loader that merges them.

    batches.py  names, layout, `stage_batch` (write one batch) and `read_batch`
    load.py     `load_staged`, the loader, and the folder's housekeeping
    views.py    `staged_views` / `query_staged`: staged rows for readers

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
writer.  The CLI (`newsmon load`) runs it under the run lock (data/lock.py),
like a crawl; a worker may call `load_staged` opportunistically only after
taking the same lock non-blocking, and skip loading when it is held.  Even so,
the staged_batches check inside each transaction keeps a batch from being
loaded twice.
"""

from newsmon.data.staging.batches import (
    ARTICLES_PER_TRANSACTION,
    BATCHES_PER_TRANSACTION,
    REJECTED_DIR,
    REJECTED_NOTE,
    TABLES,
    StagedBatch,
    check_batch_id,
    default_staging_dir,
    list_batches,
    new_batch_id,
    read_batch,
    stage_batch,
    staged_at,
)
from newsmon.data.staging.load import BatchError, LoadReport, group_batches, load_staged
from newsmon.data.staging.views import query_staged, staged_views

__all__ = [
    "ARTICLES_PER_TRANSACTION", "BATCHES_PER_TRANSACTION", "REJECTED_DIR", "REJECTED_NOTE",
    "TABLES", "BatchError", "LoadReport", "StagedBatch", "check_batch_id",
    "default_staging_dir", "group_batches", "list_batches", "load_staged", "new_batch_id",
    "query_staged", "read_batch", "stage_batch", "staged_at", "staged_views",
]
