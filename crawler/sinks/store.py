"""The DuckDB sink of a one-process crawl: one transaction per batch.

It owns `StoreSink`: each batch of kept articles (with their mentions and
figures, data.rows) and fetch-record rows (with the 'stored' rows of its own
articles, crawler.fetchrecord.record.stored_page_rows) is written by
`data.store.Store.write_batch` in ONE transaction, so a page is never recorded
as fetched without its article.  The connection is opened only for the write,
so readers can query between batches.  A database held by readers past
NEWSMON_BUSY_TIMEOUT (STOP_BUSY_TIMEOUT once the crawl is stopping) raises
`SinkBusy` (``newsmon/store_busy``): the delivering stage keeps the batch and
offers it again.  Any other write error (a full or read-only disk, less than
NEWSMON_MIN_FREE_MB free, a damaged file: data.errors) raises `SinkFailed`,
which stops the crawl; what was committed before stays.

Stats: ``newsmon/stored/<inserted|updated|unchanged|mentions|figures|pages|conflicts>``,
``newsmon/stored/batches``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Sequence

from scrapy.exceptions import NotConfigured

from newsmon.crawler.fetchrecord.record import FetchRecord, stored_page_rows
from newsmon.crawler.items import ArticleItem
from newsmon.crawler.sinks import SinkBusy, SinkFailed
from newsmon.data.errors import DatabaseBusyError, DataError
from newsmon.data.integrity import DEFAULT_MIN_FREE_MB
from newsmon.data.rows import batch_frames, pages_frame

logger = logging.getLogger(__name__)

STOP_BUSY_TIMEOUT = 2.0  # seconds the last flush of a stopping crawl waits for readers


class StoreSink:
    """Batches -> DuckDB (module docstring).  Settings: NEWSMON_DB, NEWSMON_RUN_ID,
    NEWSMON_FLUSH_SECONDS, NEWSMON_BUSY_TIMEOUT, NEWSMON_MIN_FREE_MB."""

    def __init__(self, crawler: Any, db_path: str, run_id: int | None, flush_seconds: float,
                 busy_timeout: float = 30.0, min_free_mb: float = DEFAULT_MIN_FREE_MB):
        from newsmon.data.store import Store
        self.stats = crawler.stats
        self.store = Store(db_path, busy_timeout=busy_timeout, min_free_mb=min_free_mb)
        self.run_id = run_id
        self.flush_seconds = flush_seconds
        self.record: FetchRecord | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StoreSink":
        s = crawler.settings
        if not s.get("NEWSMON_DB"):
            raise NotConfigured("no NEWSMON_DB")
        run_id = s.get("NEWSMON_RUN_ID")
        return cls(crawler, s.get("NEWSMON_DB"), int(run_id) if run_id else None,
                   s.getfloat("NEWSMON_FLUSH_SECONDS", 10.0), s.getfloat("NEWSMON_BUSY_TIMEOUT", 30.0),
                   s.getfloat("NEWSMON_MIN_FREE_MB", DEFAULT_MIN_FREE_MB))

    async def open(self, record: FetchRecord | None) -> None:
        self.record = record

    def refuse(self, item: ArticleItem) -> str | None:
        return None

    def stop(self) -> None:
        self.store.busy_timeout = min(self.store.busy_timeout, STOP_BUSY_TIMEOUT)

    async def write(self, items: Sequence[ArticleItem], rows: list[dict]) -> None:
        frames = batch_frames([it.row() for it in items], [it.annotation for it in items],
                              rows + stored_page_rows(items))
        if frames.conflicts:
            self.stats.inc_value("newsmon/stored/conflicts", len(frames.conflicts))
        try:
            counts = await asyncio.to_thread(self.store.write_batch, self.run_id, **frames)
        except DatabaseBusyError as exc:
            self.stats.inc_value("newsmon/store_busy")
            raise SinkBusy(str(exc)) from exc
        except DataError as exc:  # the disk is full or read-only, the file damaged...
            raise SinkFailed(str(exc)) from exc
        for key, n in counts.items():
            self.stats.inc_value(f"newsmon/stored/{key}", n)
        if items:
            self.stats.inc_value("newsmon/stored/batches")
        logger.debug("stored batch of %d: %s", len(items), counts)

    async def write_listings(self, rows: list[dict]) -> None:
        """The feed and sitemap rows; when they cannot be written the old ones stay,
        and the next run reads those listings in full (safe, so no failure)."""
        try:
            counts = await asyncio.to_thread(self.store.write_batch, self.run_id, None, None,
                                             None, pages_frame(rows))
        except DataError as exc:
            logger.warning("feed and sitemap rows not recorded (%s): the next run reads "
                           "them in full", exc)
            return
        self.stats.inc_value("newsmon/stored/pages", counts.get("pages", 0))

    async def close(self) -> None:
        return None
