"""The sink of a frontier crawl: articles to Redis for the NLP workers, rows to staging.

It owns `ArticleQueueSink` (NEWSMON_SINK of `newsmon crawl --frontier`: many
crawl processes, so none may write DuckDB).  Before it, ProcessPipeline runs
with NEWSMON_ANNOTATE=False: extraction, relevance and the topic filter, no
spaCy.  This sink

* pushes each batch of kept articles, as JSON messages
  (crawler.distributed.messages), onto the run's ``articles`` list; each
  message carries the article's own fetch-record row, so a worker stages both
  together; the delivering stage hands batches over every NEWSMON_FRONTIER_POLL
  seconds;
* stages the other fetch-record rows (drops, failures, 304s, redirects) itself,
  as small pages-only batches (data.staging.stage_batch), at least every
  NEWSMON_FLUSH_SECONDS and at close;
* pushes the feed and sitemap rows of a run that drained onto the run's
  ``listings`` list; the NLP worker that sees the run finished stages them
  after every article (those rows may only be trusted once the listed
  articles are stored).

An article that cannot be pushed (frontier lost) is lost
(``newsmon/frontier/articles_lost``); later ones are refused (dropped as
NotDelivered, no fetch-record row), so the next run fetches them again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any, Sequence

from scrapy.exceptions import NotConfigured

from newsmon.crawler.distributed.coordination import CrawlMember, frontier_configured, member_for
from newsmon.crawler.distributed.frontier import REDIS_ERRORS
from newsmon.crawler.distributed.messages import encode_items, pages_only
from newsmon.crawler.fetchrecord.record import FetchRecord
from newsmon.crawler.items import ArticleItem
from newsmon.data.errors import DataError
from newsmon.data.rows import pages_frame
from newsmon.data.staging import default_staging_dir, stage_batch

logger = logging.getLogger(__name__)


class ArticleQueueSink:
    """Kept articles -> the run's articles list; fetch-record rows -> staging.
    Settings: NEWSMON_FRONTIER*, NEWSMON_DB, NEWSMON_STAGING_DIR, NEWSMON_FLUSH_SECONDS."""

    def __init__(self, crawler: Any, member: CrawlMember, staging_dir: Path,
                 stage_seconds: float):
        self.stats = crawler.stats
        self.member = member
        self.staging_dir = staging_dir
        self.stage_seconds = stage_seconds
        self.flush_seconds = member.poll
        self.record: FetchRecord | None = None
        self._rows: list[dict] = []  # fetch-record rows waiting to be staged
        self._staged_at = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ArticleQueueSink":
        if not frontier_configured(crawler):
            raise NotConfigured("no frontier")
        s = crawler.settings
        staging = s.get("NEWSMON_STAGING_DIR") or default_staging_dir(s.get("NEWSMON_DB"))
        return cls(crawler, member_for(crawler), Path(staging),
                   s.getfloat("NEWSMON_FLUSH_SECONDS", 10.0))

    async def open(self, record: FetchRecord | None) -> None:
        self.record = record

    def refuse(self, item: ArticleItem) -> str | None:
        if self.member.error is None:
            return None
        self.stats.inc_value("newsmon/frontier/articles_lost")
        return "frontier lost"

    def stop(self) -> None:
        return None

    async def write(self, items: Sequence[ArticleItem], rows: list[dict]) -> None:
        if items:
            self._push(items)
        self._rows += rows
        if time.monotonic() - self._staged_at >= self.stage_seconds:
            await self._stage()

    def _push(self, items: Sequence[ArticleItem]) -> None:
        if self.member.error is None:
            try:
                self.member.redis.lpush(self.member.keys.articles, *encode_items(items))
                self.stats.inc_value("newsmon/frontier/articles_queued", len(items))
                return
            except REDIS_ERRORS as exc:
                self.member.lost(exc, f"queueing {len(items)} articles for the workers")
        self.stats.inc_value("newsmon/frontier/articles_lost", len(items))
        if self.record is not None:
            self.record.write_failed()  # their listings must be read in full next run

    async def write_listings(self, rows: list[dict]) -> None:
        if self.member.error is not None:
            return
        try:
            self.member.redis.rpush(self.member.keys.listings, pages_only(rows))
            self.stats.inc_value("newsmon/frontier/listing_rows", len(rows))
        except REDIS_ERRORS as exc:
            self.member.lost(exc, "handing over the feed and sitemap rows")

    async def close(self) -> None:
        await self._stage()
        if self._rows:
            self.stats.inc_value("newsmon/store_failed")
            logger.error("%d fetch-record rows could not be staged in %s; the next run "
                         "fetches those pages again", len(self._rows), self.staging_dir)

    async def _stage(self) -> None:
        self._staged_at = time.monotonic()
        rows, self._rows = self._rows, []
        if not rows:
            return
        try:
            await asyncio.to_thread(stage_batch, self.staging_dir, pages=pages_frame(rows))
        except DataError as exc:
            self._rows = rows + self._rows
            logger.error("%s", exc)
            if self.record is not None:
                self.record.write_failed()
            return
        self.stats.inc_value("newsmon/staged/pages", len(rows))
