"""Stage 2 (800): kept articles and fetch-record rows, written to DuckDB in batches.

It owns `StorePipeline` (see its docstring and crawler/pipelines/__init__.py
for the batching and busy-database rules) and the fetch-record rows of stored
articles (`stored_page_rows`).
"""

from __future__ import annotations

import asyncio
import logging
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import _schedule_coro

from newsmon.crawler.fetchlog import FetchLog, attach_spider_fetchlog, page_rows
from newsmon.crawler.items import ArticleItem, PageItem
from newsmon.crawler.knownpages import KnownPages
from newsmon.crawler.pipelines.drops import drop_reason
from newsmon.crawler.shutdown import request_stop, stop_requested
from newsmon.data.errors import DatabaseBusyError, DataError
from newsmon.data.integrity import DEFAULT_MIN_FREE_MB
from newsmon.data.rows import batch_frames, pages_frame

logger = logging.getLogger(__name__)

STOP_BUSY_TIMEOUT = 2.0  # seconds the last flush of a stopping crawl waits for readers


class StorePipeline:
    """Buffers articles and writes them in batches: one transaction per batch.

    An article, its mentions and its figures always land in the same batch.
    The database connection is opened only for the write (short write windows),
    so readers can query between batches.  Fetch record rows ride in the same
    batches (module docstring).

    Readers holding the file past NEWSMON_BUSY_TIMEOUT seconds never lose a batch:
    it goes back to the buffer (`newsmon/store_busy`) and the next flush retries
    it; at the end of the crawl the flush is retried for up to
    CLOSE_BUSY_ATTEMPTS busy timeouts before the crawl fails (`newsmon/store_failed`),
    once and for STOP_BUSY_TIMEOUT when the crawl is stopping (crawler.shutdown).

    Any other write failure (a full or read-only disk, a damaged file: data.errors)
    stops the crawl at once (`request_stop`, spider closed with reason
    ``store_failed``): `newsmon/store_failed` counts the articles not stored and
    `newsmon/store_error` says why.  What was committed before stays.

    Settings: NEWSMON_DB, NEWSMON_RUN_ID, NEWSMON_BATCH_SIZE, NEWSMON_FLUSH_SECONDS,
    NEWSMON_BUSY_TIMEOUT, NEWSMON_STORE (False switches the stage off).
    """

    CLOSE_BUSY_ATTEMPTS = 10

    def __init__(self, crawler, db_path: str, run_id: int | None, batch_size: int,
                 flush_seconds: float, busy_timeout: float = 30.0,
                 min_free_mb: float = DEFAULT_MIN_FREE_MB):
        from newsmon.data.store import Store  # imported here: the stage may be switched off
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = Store(db_path, busy_timeout=busy_timeout, min_free_mb=min_free_mb)
        self._carried_rows: list[dict] = []  # fetch record rows of a batch that found the db busy
        self.run_id = run_id
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.buffer: list[ArticleItem] = []
        self.last_flush = time.monotonic()
        self._lock = asyncio.Lock()
        self.fetchlog: FetchLog | None = None
        self._ticker: asyncio.Task | None = None
        self.stopping = False
        self.failed: DataError | None = None  # the write error that stopped the crawl
        crawler.signals.connect(self.stop, signal=stop_requested)

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("NEWSMON_STORE", True):
            raise NotConfigured("NEWSMON_STORE is off")
        run_id = s.get("NEWSMON_RUN_ID")
        pipe = cls(crawler, s.get("NEWSMON_DB"), int(run_id) if run_id else None,
                   s.getint("NEWSMON_BATCH_SIZE", 250), s.getfloat("NEWSMON_FLUSH_SECONDS", 10.0),
                   s.getfloat("NEWSMON_BUSY_TIMEOUT", 30.0), s.getfloat("NEWSMON_MIN_FREE_MB"))
        crawler.signals.connect(pipe.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    async def open_spider(self) -> None:
        self.fetchlog = await attach_spider_fetchlog(self.crawler.spider, self._known_pages)
        self._ticker = asyncio.ensure_future(self._flush_periodically())

    def _known_pages(self, names: list[str]) -> KnownPages:
        """The fetch record of the crawled sources, copied to disk (crawler.knownpages)."""
        return KnownPages.from_frames(self.store.iter_known_pages(names))

    async def process_item(self, item: ArticleItem):
        self.buffer.append(item)
        due = time.monotonic() - self.last_flush >= self.flush_seconds
        if len(self.buffer) >= self.batch_size or due:
            await self.flush()
        return item

    def item_dropped(self, item, response, exception, spider) -> None:
        """Signal handler: a dropped page still gets its fetch record row."""
        if self.fetchlog is not None and isinstance(item, PageItem):
            self.fetchlog.dropped(item, drop_reason(exception))

    def stop(self, reason: str) -> None:
        """Signal handler (crawler.shutdown): the last flush waits for readers briefly."""
        self.stopping = True
        self.store.busy_timeout = min(self.store.busy_timeout, STOP_BUSY_TIMEOUT)

    async def close_spider(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        if self.failed is not None:  # the disk or the file refused: nothing more goes in
            self._give_up()
            return
        await self.flush()
        attempts = 1 if self.stopping else self.CLOSE_BUSY_ATTEMPTS
        for _ in range(attempts):  # readers kept the file: keep trying
            if not (self.buffer or self._carried_rows) or self.failed is not None:
                break
            await self.flush()
        if self.failed is not None:
            self._give_up()
            return
        if self.buffer:
            message = (f"{len(self.buffer)} articles could not be stored: {self.store.path} "
                       f"stayed busy; the next run fetches them again")
            self.stats.inc_value("newsmon/store_failed", len(self.buffer))
            self.stats.set_value("newsmon/store_error", message)
            logger.error("%s", message)
            self.buffer, self._carried_rows = [], []

    def _failed(self, exc: DataError, batch: list[ArticleItem]) -> None:
        """A batch could not be written: count it, keep nothing more, stop the crawl
        (its pages have no fetch record, so the next run fetches them again)."""
        self.stats.inc_value("newsmon/store_failed", max(len(batch), 1))
        if self.failed is None:
            self.failed = exc
            self.stats.set_value("newsmon/store_error", str(exc))
            logger.error("%s; the crawl stops", exc)
            if self.fetchlog is not None:
                self.fetchlog.write_failed()
            request_stop(self.crawler, "store_failed")
            engine = self.crawler.engine
            if engine is not None and engine.spider is not None:
                _schedule_coro(engine.close_spider_async(reason="store_failed"))

    def _give_up(self) -> None:
        lost = len(self.buffer)
        self.buffer, self._carried_rows = [], []
        if lost:
            self.stats.inc_value("newsmon/store_failed", lost)
            logger.error("%d processed articles not stored (%s); the next run fetches them",
                         lost, self.failed)

    async def spider_closed(self, spider, reason: str) -> None:
        """Signal handler: the feed and sitemap rows, only for a run that finished."""
        if self.fetchlog is None:
            return
        try:
            await self._write_listing_rows(reason)
        finally:
            self.fetchlog.close()

    async def _write_listing_rows(self, reason: str) -> None:
        if reason != "finished" or self.failed is not None:
            logger.info("crawl ended (%s): feeds and sitemaps stay as recorded before", reason)
            return
        rows = self.fetchlog.listing_rows() + self.fetchlog.take_rows()
        if rows:
            counts = await asyncio.to_thread(self.store.write_batch, self.run_id, None, None,
                                             None, pages_frame(rows))
            self.stats.inc_value("newsmon/stored/pages", counts.get("pages", 0))

    async def _flush_periodically(self) -> None:
        """Flush at least every NEWSMON_FLUSH_SECONDS while rows wait (drops, 304s...).
        A flush under way is shielded: cancelling the ticker never cuts a write short."""
        while True:
            await asyncio.sleep(self.flush_seconds)
            if (self.buffer or self._carried_rows
                    or (self.fetchlog is not None and self.fetchlog.pending())):
                try:
                    await asyncio.shield(self.flush())
                except DataError as exc:
                    logger.error("%s", exc)

    async def flush(self) -> None:
        async with self._lock:
            batch, self.buffer = self.buffer, []
            rows = self._carried_rows + (self.fetchlog.take_rows() if self.fetchlog is not None else [])
            self._carried_rows = []
            self.last_flush = time.monotonic()
            if not batch and not rows:
                return
            frames = item_frames(batch, rows + stored_page_rows(batch))
            if frames.conflicts:
                self.stats.inc_value("newsmon/stored/conflicts", len(frames.conflicts))
            try:
                counts = await asyncio.to_thread(self.store.write_batch, self.run_id, **frames)
            except DatabaseBusyError as exc:  # keep it all in memory for the next flush
                self.buffer[:0] = batch
                self._carried_rows = rows
                self.stats.inc_value("newsmon/store_busy")
                logger.warning("%s; %d articles wait in memory for the next flush",
                               exc, len(self.buffer))
                return
            except DataError as exc:  # the disk is full or read-only, the file damaged...
                self._failed(exc, batch)
                return
        for key, n in counts.items():
            self.stats.inc_value(f"newsmon/stored/{key}", n)
        if batch:
            self.stats.inc_value("newsmon/stored/batches")
        logger.debug("stored batch of %d: %s", len(batch), counts)


def stored_page_rows(batch: list[ArticleItem]) -> list[dict]:
    """The fetch record rows of a batch's articles (outcome 'stored')."""
    return [row for it in batch
            for row in page_rows(it.page, "stored", it.article.canonical_url or it.page.url)]


def item_frames(batch: list[ArticleItem], pages: list[dict] = ()) -> dict:
    """The frames of a batch of ArticleItems and fetch-record rows (data.rows)."""
    return batch_frames([it.row() for it in batch], [it.annotation for it in batch], pages)
