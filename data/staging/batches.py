"""One staged batch: its name, its folder layout, writing it atomically and reading it back.

It owns the staging folder's names (batch ids, `.tmp-`, `.done-`, `rejected/`),
`stage_batch` (any process: write the four Parquet files under `.tmp-<id>/`,
fsync, rename) and `read_batch` (check a batch against the write contract).
The layout and its guarantees are described in data/staging/__init__.py.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsmon.data.errors import BadBatchError, StagingError
from newsmon.data.frames import (
    ARTICLE_COLUMNS,
    FIGURE_COLUMNS,
    FINE_COLUMNS,
    MENTION_COLUMNS,
    PAGE_COLUMNS,
    Column,
    to_arrow,
    with_article_id,
)

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
    "fines": FINE_COLUMNS,
}
KEYED_BY_ARTICLE = ("articles", "mentions", "figures", "fines")
# tables a batch staged by an older newsmon may lack: read as empty
OPTIONAL_TABLES = ("fines",)
_BATCH_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,199}$")
_UNSAFE = re.compile(r"[^0-9A-Za-z_]+")
# database errors that are not the batch's fault: stop loading instead of rejecting


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
                pages: pd.DataFrame | None = None, fines: pd.DataFrame | None = None,
                batch_id: str | None = None) -> str:
    """Write one batch atomically into `staging_dir` and return its id.

    Frames have the columns of data.rows (articles, mentions, figures, fines:
    keyed by canonical_url or article_id) and pages (PAGE_FIELDS);
    None stands for an empty frame.  A frame that breaks the write contract
    raises WriteError before anything is written; a batch id already staged, or
    a folder that cannot be written, raises StagingError (no batch left behind).
    Give `batch_id` to make a retried stage idempotent (an id already loaded is
    skipped by the loader); it should start with the time to keep batches in
    creation order.
    """
    staging_dir = Path(staging_dir)
    batch_id = check_batch_id(batch_id) if batch_id else new_batch_id()
    frames = {"articles": articles, "mentions": mentions, "figures": figures, "pages": pages,
              "fines": fines}
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
    """One batch read back: its tables in the contract's types."""
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

    Mentions, figures and fines of articles outside the batch are dropped (logged),
    as write_batch would drop them, so merged batches load the same. A batch staged
    before fines were stored has no fines.parquet: it has no fines.
    """
    folder = Path(staging_dir) / batch_id
    tables = {name: _read_table(folder / f"{name}.parquet", columns, f"{batch_id}/{name}",
                                optional=name in OPTIONAL_TABLES)
              for name, columns in TABLES.items()}
    ids = tables["articles"].column("article_id")
    for name in ("mentions", "figures", "fines"):
        table = tables[name]
        kept = table.filter(pc.is_in(table.column("article_id"), value_set=ids))
        if kept.num_rows < table.num_rows:
            logger.warning("batch %s: %d %s row(s) name an article outside the batch; dropped",
                           batch_id, table.num_rows - kept.num_rows, name)
        tables[name] = kept
    return StagedBatch(batch_id, tables)


def _read_table(path: Path, columns: tuple[Column, ...], what: str, optional: bool = False) -> pa.Table:
    try:
        table = pq.read_table(str(path))
    except FileNotFoundError:
        if optional:
            return to_arrow(pd.DataFrame(), columns, what)
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
