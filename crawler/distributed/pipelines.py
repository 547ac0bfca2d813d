"""The item pipeline stage of a frontier crawl: articles to Redis, fetch record to staging.

It owns `ArticleQueuePipeline` (order 800, in place of StorePipeline, which
must not run in frontier mode: many processes, one DuckDB writer).  Before it,
ProcessPipeline (300) runs with NEWSMON_ANNOTATE=False: extraction, relevance
and the topic filter, no spaCy.  This stage

* attaches the spider's FetchLog to the fetch record read from DuckDB
  read-only at spider open (waiting while a loader writes), so the incremental
  rules apply as in a one-process crawl; no database yet means no record;
* buffers kept articles and pushes them, as JSON messages
  (crawler.distributed.messages), onto the run's ``articles`` list at least
  every NEWSMON_FRONTIER_POLL seconds and at close; each message carries the
  article's own fetch-record rows, so a worker stages both together;
* stages the fetch-record rows of dropped pages, failures and 304s itself, as
  small pages-only batches (data.staging.stage_batch) at least every
  NEWSMON_FLUSH_SECONDS and at close;
* when the process closes because the run drained, pushes its feed and sitemap
  rows onto the run's ``listings`` list; the NLP worker that sees the run
  finished stages them after every article (crawler.fetchlog: those rows may
  only be trusted once the listed articles are stored).

An article that cannot be pushed (frontier lost) is dropped as `NotQueued`
and gets no fetch-record row, so the next run fetches it again.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import duckdb
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from newsmon.crawler.distributed.coordination import CrawlMember, frontier_configured, member_for
from newsmon.crawler.distributed.frontier import REDIS_ERRORS
from newsmon.crawler.distributed.messages import encode_items, pages_only
from newsmon.crawler.fetchlog import FetchLog, attach_spider_fetchlog
from newsmon.crawler.items import ArticleItem, PageItem
from newsmon.crawler.knownpages import KnownPages
from newsmon.crawler.pipelines.drops import drop_reason
from newsmon.data.errors import DatabaseNotFoundError, DataError
from newsmon.data.rows import pages_frame
from newsmon.data.staging import default_staging_dir, stage_batch
from newsmon.data.store import connect_read, known_page_chunks

logger = logging.getLogger(__name__)



class NotQueued(DropItem):
    """The article could not be handed to the workers (the frontier was lost)."""
    reason = "not_queued"


class ArticleQueuePipeline:
    """Kept articles -> the run's articles list; fetch-record rows -> staging."""

    def __init__(self, crawler: Any, member: CrawlMember, db_path: str, staging_dir: Path,
                 batch_size: int, stage_seconds: float, busy_timeout: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.member = member
        self.db_path = db_path
        self.staging_dir = staging_dir
        self.batch_size = batch_size
        self.stage_seconds = stage_seconds
        self.busy_timeout = busy_timeout
        self.buffer: list[ArticleItem] = []
        self.fetchlog: FetchLog | None = None
        self._rows: list[dict] = []  # fetch-record rows waiting to be staged
        self._tickers: list[asyncio.Task] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ArticleQueuePipeline":
        if not frontier_configured(crawler):
            raise NotConfigured("no frontier")
        s = crawler.settings
        db_path = s.get("NEWSMON_DB")
        staging = s.get("NEWSMON_STAGING_DIR") or default_staging_dir(db_path)
        pipe = cls(crawler, member_for(crawler), db_path, Path(staging),
                   s.getint("NEWSMON_BATCH_SIZE", 250), s.getfloat("NEWSMON_FLUSH_SECONDS", 10.0),
                   s.getfloat("NEWSMON_BUSY_TIMEOUT", 30.0))
        crawler.signals.connect(pipe.item_dropped, signal=signals.item_dropped)
        return pipe

    # -- life cycle -----------------------------------------------------------------
    async def open_spider(self) -> None:
        self.fetchlog = await attach_spider_fetchlog(self.crawler.spider, self._known_pages)
        self._tickers = [asyncio.ensure_future(self._every(self.member.poll, self._push)),
                         asyncio.ensure_future(self._every(self.stage_seconds, self._stage))]

    async def close_spider(self) -> None:
        for task in self._tickers:
            task.cancel()
        self._push()
        if self.member.drained and self.member.error is None:
            self._push_listings()
        await self._stage()
        if self.fetchlog is not None:
            self.fetchlog.close()
        if self._rows:
            self.stats.inc_value("newsmon/store_failed")
            logger.error("%d fetch-record rows could not be staged in %s; the next run "
                         "fetches those pages again", len(self._rows), self.staging_dir)

    # -- items ------------------------------------------------------------------------
    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        if self.member.error is not None:
            self.stats.inc_value("newsmon/frontier/articles_lost")
            raise NotQueued(f"frontier lost: {item.page.url}")
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self._push()
        return item

    def item_dropped(self, item: Any, response: Any, exception: BaseException,
                     spider: Any) -> None:
        """Signal handler: a dropped page still gets its fetch-record row."""
        if (self.fetchlog is not None and isinstance(item, PageItem)
                and not isinstance(exception, NotQueued)):
            self.fetchlog.dropped(item, drop_reason(exception))

    # -- hand-off ---------------------------------------------------------------------
    def _push(self) -> None:
        batch, self.buffer = self.buffer, []
        if not batch:
            return
        if self.member.error is None:
            try:
                self.member.redis.lpush(self.member.keys.articles, *encode_items(batch))
                self.stats.inc_value("newsmon/frontier/articles_queued", len(batch))
                return
            except REDIS_ERRORS as exc:
                self.member.lost(exc, f"queueing {len(batch)} articles for the workers")
        self.stats.inc_value("newsmon/frontier/articles_lost", len(batch))
        if self.fetchlog is not None:
            self.fetchlog.write_failed()  # their listings must be read in full next run

    def _push_listings(self) -> None:
        if self.fetchlog is None:
            return
        rows = self.fetchlog.listing_rows()
        if not rows:
            return
        try:
            self.member.redis.rpush(self.member.keys.listings, pages_only(rows))
            self.stats.inc_value("newsmon/frontier/listing_rows", len(rows))
        except REDIS_ERRORS as exc:
            self.member.lost(exc, "handing over the feed and sitemap rows")

    async def _stage(self) -> None:
        if self.fetchlog is not None:
            self._rows += self.fetchlog.take_rows()
        rows, self._rows = self._rows, []
        if not rows:
            return
        try:
            await asyncio.to_thread(stage_batch, self.staging_dir, pages=pages_frame(rows))
        except DataError as exc:
            self._rows = rows + self._rows
            logger.error("%s", exc)
            if self.fetchlog is not None:
                self.fetchlog.write_failed()
            return
        self.stats.inc_value("newsmon/staged/pages", len(rows))

    async def _every(self, seconds: float, action: Any) -> None:
        while True:
            await asyncio.sleep(seconds)
            result = action()
            if asyncio.iscoroutine(result):
                await asyncio.shield(result)

    # -- the fetch record ---------------------------------------------------------------
    def _known_pages(self, sources: list[str]) -> KnownPages:
        """The record of `sources`, read-only (retried while a loader writes) and copied
        to disk in chunks (crawler.knownpages); no database yet: an empty record."""
        try:
            with connect_read(self.db_path, timeout=self.busy_timeout) as con:
                return KnownPages.from_frames(known_page_chunks(con, sources))
        except DatabaseNotFoundError:
            logger.info("no database at %s yet: every page is new", self.db_path)
        except duckdb.CatalogException as exc:
            logger.warning("%s has no fetch record yet (%s): every page is new", self.db_path, exc)
        return KnownPages.from_frames(None)

