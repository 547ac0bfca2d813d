"""Stage 2 (800): kept articles and fetch-record rows, handed to the sink in batches.

It owns `DeliverPipeline`, the one end of the item path, whatever the sink
(NEWSMON_SINK, crawler/sinks/): it buffers kept articles, and hands them with
the fetch record's waiting rows (crawler.fetchrecord) to the sink when
NEWSMON_BATCH_SIZE articles wait or, from one ticker, at least every
`sink.flush_seconds` while anything waits.

* A batch the sink cannot take now (`SinkBusy`: readers hold the database)
  stays in memory for the next hand-over; at the end of the crawl the
  hand-over is retried CLOSE_BUSY_ATTEMPTS times (once, after the sink's
  short stop wait, when the crawl is stopping: crawler.shutdown) before the
  articles count as lost (``newsmon/store_failed``, ``newsmon/store_error``:
  the next run fetches those pages again).
* A batch the sink refuses for good (`SinkFailed`: a full or read-only disk, a
  damaged file) stops the crawl at once (`request_stop`, spider closed with
  reason ``store_failed``): ``newsmon/store_failed`` counts the articles not
  stored, ``newsmon/store_error`` says why; what was committed before stays,
  and no feed or sitemap row is trusted (`FetchRecord.write_failed`).
* When the crawl finished normally (spider_closed with reason 'finished') the
  feed and sitemap rows follow (`FetchRecord.listing_rows`).
* An item the sink refuses (e.g. the frontier was lost) is dropped as
  `NotDelivered`, which gets no fetch-record row.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import _schedule_coro
from scrapy.utils.misc import load_object

from newsmon.crawler.fetchrecord.record import FetchRecord, record_of
from newsmon.crawler.items import ArticleItem
from newsmon.crawler.pipelines.drops import NotDelivered
from newsmon.crawler.shutdown import request_stop, stop_requested
from newsmon.crawler.sinks import SinkBusy, SinkFailed

logger = logging.getLogger(__name__)


class DeliverPipeline:
    """Batches to the sink (module docstring).  Settings: NEWSMON_SINK (None: off),
    NEWSMON_BATCH_SIZE, and the sink's own."""

    CLOSE_BUSY_ATTEMPTS = 10

    def __init__(self, crawler: Any, sink: Any, batch_size: int):
        self.crawler = crawler
        self.stats = crawler.stats
        self.sink = sink
        self.batch_size = batch_size
        self.buffer: list[ArticleItem] = []
        self.record: FetchRecord | None = None
        self.stopping = False
        self.failed: SinkFailed | None = None  # the write error that stopped the crawl
        self._carried_rows: list[dict] = []  # fetch-record rows of a batch the sink refused
        self._lock = asyncio.Lock()
        self._last = time.monotonic()
        self._ticker: asyncio.Task | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "DeliverPipeline":
        s = crawler.settings
        if not s.get("NEWSMON_SINK"):
            raise NotConfigured("NEWSMON_SINK is off")
        sink = load_object(s["NEWSMON_SINK"]).from_crawler(crawler)
        pipe = cls(crawler, sink, s.getint("NEWSMON_BATCH_SIZE", 250))
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipe.stop, signal=stop_requested)
        return pipe

    async def open_spider(self) -> None:
        self.record = record_of(self.crawler)
        await self.sink.open(self.record)
        self._ticker = asyncio.ensure_future(self._tick())

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        why = "the crawl stopped on a failed write" if self.failed else self.sink.refuse(item)
        if why:
            raise NotDelivered(f"{why}: {item.page.url}")
        self.buffer.append(item)
        if (len(self.buffer) >= self.batch_size
                or time.monotonic() - self._last >= self.sink.flush_seconds):
            await self.flush()
        return item

    def stop(self, reason: str) -> None:
        """Signal handler (crawler.shutdown): the last hand-over waits only briefly."""
        self.stopping = True
        self.sink.stop()

    async def _tick(self) -> None:
        """Hand over at least every `sink.flush_seconds` while anything waits.  A
        hand-over under way is shielded: cancelling the ticker never cuts it short."""
        while True:
            await asyncio.sleep(self.sink.flush_seconds)
            if self._waiting():
                await asyncio.shield(self.flush())

    def _waiting(self) -> bool:
        return bool(self.buffer or self._carried_rows
                    or (self.record is not None and self.record.pending()))

    async def flush(self) -> bool:
        """Hand what waits to the sink; False when it was busy (all kept for later)."""
        async with self._lock:
            if self.failed is not None:
                return True
            batch, self.buffer = self.buffer, []
            rows = self._carried_rows + (self.record.take_rows() if self.record else [])
            self._carried_rows = []
            self._last = time.monotonic()
            if not batch and not rows:
                return True
            try:
                await self.sink.write(batch, rows)
            except SinkBusy as exc:
                self.buffer[:0] = batch
                self._carried_rows = rows
                logger.warning("%s; %d articles wait in memory for the next flush",
                               exc, len(self.buffer))
                return False
            except SinkFailed as exc:
                self._failed(exc, batch)
        return True

    def _failed(self, exc: SinkFailed, batch: list[ArticleItem]) -> None:
        """A batch could not be written: count it, keep nothing more, stop the crawl
        (its pages have no fetch-record row, so the next run fetches them again)."""
        self.stats.inc_value("newsmon/store_failed", max(len(batch), 1))
        if self.failed is not None:
            return
        self.failed = exc
        self.stats.set_value("newsmon/store_error", str(exc))
        logger.error("%s; the crawl stops", exc)
        if self.record is not None:
            self.record.write_failed()
        request_stop(self.crawler, "store_failed")
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            _schedule_coro(engine.close_spider_async(reason="store_failed"))

    async def close_spider(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        attempts = 1 if self.stopping else self.CLOSE_BUSY_ATTEMPTS
        for _ in range(attempts + 1):  # readers kept the file: keep trying
            if await self.flush():
                break
        lost = len(self.buffer)
        self.buffer, self._carried_rows = [], []
        if lost and self.failed is not None:
            self.stats.inc_value("newsmon/store_failed", lost)
            logger.error("%d processed articles not stored (%s); the next run fetches them",
                         lost, self.failed)
        elif lost:
            message = (f"{lost} articles could not be delivered: the sink stayed busy; "
                       f"the next run fetches them again")
            self.stats.inc_value("newsmon/store_failed", lost)
            self.stats.set_value("newsmon/store_error", message)
            logger.error("%s", message)
            if self.record is not None:  # their feeds must be read in full next run
                self.record.write_failed()
        await self.sink.close()

    async def spider_closed(self, spider: Any, reason: str) -> None:
        """The feed and sitemap rows, only for a run that finished normally."""
        if self.record is None:
            return
        if reason != "finished" or self.failed is not None:
            logger.info("crawl ended (%s): feeds and sitemaps stay as recorded before", reason)
            return
        rows = self.record.listing_rows() + self.record.take_rows()
        if rows:
            await self.sink.write_listings(rows)
