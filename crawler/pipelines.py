"""Item pipeline stages: process pages in worker processes, then store in bulk.

ITEM_PIPELINES (crawler/settings.py) lists them by dotted path:

    crawler.pipelines.ProcessPipeline  300  PageItem -> ArticleItem, or a DropItem subclass
    crawler.pipelines.StorePipeline    800  buffers ArticleItems, writes batches to DuckDB

Every drop reason is its own `DropItem` subclass, so Scrapy's stats count them
(`item_dropped_reasons_count/<Class>`); `newsmon/dropped/<reason>` is counted
too, in the reason's own words.  A stage that is switched off by its setting
raises `NotConfigured`.

The StorePipeline also keeps the fetch record (crawler.fetchlog): it attaches
the spider's FetchLog to the database when the spider opens, puts each stored
article's `pages` row in the article's own batch transaction, writes the rows
of dropped pages (from Scrapy's item_dropped signal), failures and 304s with
its batches (at least every NEWSMON_FLUSH_SECONDS), and the feed and sitemap
rows when the spider closes with reason 'finished'.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from newsmon.crawler.fetchlog import FetchLog, attach_spider_fetchlog, page_rows
from newsmon.crawler.items import ArticleItem, PageItem
from newsmon.crawler.knownpages import KnownPages
from newsmon.crawler.processing import Processed, ProcessingConfig, init_worker, process_page
from newsmon.data.errors import DatabaseBusyError, DataError
from newsmon.data.rows import batch_frames, pages_frame

logger = logging.getLogger(__name__)


# -- drop reasons -------------------------------------------------------------
class NotAnArticle(DropItem):
    """The page is not an article (base class of the extraction reasons)."""
    reason = "not_article"


class NotHtml(NotAnArticle):
    reason = "not_html"


class EmptyPage(NotAnArticle):
    reason = "empty_page"


class Unparseable(NotAnArticle):
    reason = "unparseable"


class NoText(NotAnArticle):
    reason = "no_text"


class TooShort(NotAnArticle):
    reason = "too_short"


class IndexPage(NotAnArticle):
    reason = "index_page"


class OffTopic(DropItem):
    reason = "off_topic"


class ProcessingError(DropItem):
    reason = "processing_error"


DROP_REASONS: dict[str, type[DropItem]] = {
    cls.reason: cls for cls in (NotAnArticle, NotHtml, EmptyPage, Unparseable, NoText,
                                TooShort, IndexPage, OffTopic, ProcessingError)
}


def drop_reason(exc: BaseException) -> str:
    """The reason word of a drop: the class's `reason`, else the class name."""
    return getattr(exc, "reason", None) or type(exc).__name__.lower()


def drop_for(processed: Processed) -> DropItem:
    cls = DROP_REASONS.get(processed.reason or "", NotAnArticle)
    return cls(f"{processed.reason}: {processed.url} {processed.detail}".strip())


# -- stage 1: extraction, relevance and NLP in worker processes ---------------------
class ProcessPipeline:
    """Runs `crawler.processing.process_page` for each page in a process pool.

    Settings: NEWSMON_MODEL, NEWSMON_TOPIC, NEWSMON_THRESHOLD, NEWSMON_KEEP_ALL,
    NEWSMON_MIN_WORDS, NEWSMON_EXTRACT_FAST, NEWSMON_ANNOTATE (False: no spaCy, articles pass on
    unannotated, e.g. to `newsmon worker`), NEWSMON_NLP_WORKERS (0 = run in the reactor's process, for
    debugging and for the serial reference run).
    """

    def __init__(self, crawler, config: ProcessingConfig, workers: int):
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config
        self.workers = workers
        self.pool: Executor | None = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        threshold = s.get("NEWSMON_THRESHOLD")
        config = ProcessingConfig(
            model=s.get("NEWSMON_MODEL"),
            topic=s.get("NEWSMON_TOPIC"),
            threshold=None if threshold in (None, "") else float(threshold),
            keep_all=s.getbool("NEWSMON_KEEP_ALL"),
            min_words=s.getint("NEWSMON_MIN_WORDS") or None,
            annotate=s.getbool("NEWSMON_ANNOTATE", True),
            fast_extraction=s.getbool("NEWSMON_EXTRACT_FAST", False),
        )
        workers = s.getint("NEWSMON_NLP_WORKERS", -1)
        if workers < 0:
            workers = os.cpu_count() or 1
        return cls(crawler, config, workers)

    def open_spider(self) -> None:
        if self.workers == 0:
            init_worker(self.config)
            return
        ctx = multiprocessing.get_context("spawn")  # never fork a process running a reactor
        self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx,
                                        initializer=init_worker, initargs=(self.config,))
        # start the workers now, so spaCy loads while the first pages download
        for _ in range(self.workers):
            self.pool.submit(os.getpid)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item: PageItem):
        if self.pool is None:
            processed = process_page(item.html, item.url, item.content_type, item.language)
        else:
            fut = self.pool.submit(process_page, item.html, item.url, item.content_type,
                                   item.language)
            processed = await asyncio.wrap_future(fut)
        if processed.reason:
            self.stats.inc_value(f"newsmon/dropped/{processed.reason}")
            raise drop_for(processed)
        article = processed.article
        if processed.annotation is None and self.config.annotate:
            self.stats.inc_value(f"newsmon/unannotated/{article.language or 'unknown'}")
        if item.hints.get("published") and not article.published_at:
            article.published_at = item.hints["published"]
        self.stats.inc_value("newsmon/processed")
        return ArticleItem(page=item, article=article, relevance=processed.relevance,
                           annotation=processed.annotation, text_hash=processed.text_hash)


# -- stage 2: bulk writes to DuckDB ---------------------------------------------
class StorePipeline:
    """Buffers articles and writes them in batches: one transaction per batch.

    An article, its mentions and its figures always land in the same batch.
    The database connection is opened only for the write (short write windows),
    so readers can query between batches.  Fetch record rows ride in the same
    batches (module docstring).

    Readers holding the file past NEWSMON_BUSY_TIMEOUT seconds never lose a batch:
    it goes back to the buffer (`newsmon/store_busy`) and the next flush retries
    it; at the end of the crawl the flush is retried for up to
    CLOSE_BUSY_ATTEMPTS busy timeouts before the crawl fails (`newsmon/store_failed`).

    Settings: NEWSMON_DB, NEWSMON_RUN_ID, NEWSMON_BATCH_SIZE, NEWSMON_FLUSH_SECONDS,
    NEWSMON_BUSY_TIMEOUT, NEWSMON_STORE (False switches the stage off).
    """

    CLOSE_BUSY_ATTEMPTS = 10

    def __init__(self, crawler, db_path: str, run_id: int | None, batch_size: int,
                 flush_seconds: float, busy_timeout: float = 30.0):
        from newsmon.data.store import Store  # imported here: the stage may be switched off
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = Store(db_path, busy_timeout=busy_timeout)
        self._carried_rows: list[dict] = []  # fetch record rows of a batch that found the db busy
        self.run_id = run_id
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.buffer: list[ArticleItem] = []
        self.last_flush = time.monotonic()
        self._lock = asyncio.Lock()
        self.fetchlog: FetchLog | None = None
        self._ticker: asyncio.Task | None = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("NEWSMON_STORE", True):
            raise NotConfigured("NEWSMON_STORE is off")
        run_id = s.get("NEWSMON_RUN_ID")
        pipe = cls(crawler, s.get("NEWSMON_DB"), int(run_id) if run_id else None,
                   s.getint("NEWSMON_BATCH_SIZE", 250), s.getfloat("NEWSMON_FLUSH_SECONDS", 10.0),
                   s.getfloat("NEWSMON_BUSY_TIMEOUT", 30.0))
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

    async def close_spider(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        await self.flush()
        for _ in range(self.CLOSE_BUSY_ATTEMPTS):  # readers kept the file: keep trying
            if not (self.buffer or self._carried_rows):
                return
            await self.flush()
        if self.buffer:
            self.stats.inc_value("newsmon/store_failed")
            raise DatabaseBusyError(f"{len(self.buffer)} articles could not be stored: "
                                    f"{self.store.path} stayed busy; the next run fetches them again")

    async def spider_closed(self, spider, reason: str) -> None:
        """Signal handler: the feed and sitemap rows, only for a run that finished."""
        if self.fetchlog is None:
            return
        try:
            await self._write_listing_rows(reason)
        finally:
            self.fetchlog.close()

    async def _write_listing_rows(self, reason: str) -> None:
        if reason != "finished":
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
            try:
                counts = await asyncio.to_thread(self.store.write_batch, self.run_id, **frames)
            except DatabaseBusyError as exc:  # keep it all in memory for the next flush
                self.buffer[:0] = batch
                self._carried_rows = rows
                self.stats.inc_value("newsmon/store_busy")
                logger.warning("%s; %d articles wait in memory for the next flush",
                               exc, len(self.buffer))
                return
            except DataError:
                self.stats.inc_value("newsmon/store_failed")
                if self.fetchlog is not None:
                    self.fetchlog.write_failed()
                raise
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
