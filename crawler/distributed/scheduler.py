"""scrapy-redis's Scheduler as a newsmon crawl process uses it.

It owns `FrontierScheduler`: scrapy_redis.scheduler.Scheduler (the shared
request queue and RFPDupeFilter duplicate filter) built on the crawl member's
Redis client (bounded timeouts, see frontier.connect) and with these changes:

* a Redis error never escapes into Scrapy's engine loop (where it would be
  logged and retried forever): it goes to `CrawlMember.lost`, which closes the
  spider with reason ``frontier_lost``, and the call answers "nothing";
* queueing or taking a request renews the process's ``busy`` mark, so a
  process parsing a long sitemap is seen as busy by the others (coordination.py);
* the queue and the duplicate filter always persist when a process closes
  (SCHEDULER_PERSIST semantics): other processes still use them; the last one
  to leave a finished run deletes them.

Settings read: SCHEDULER_QUEUE_KEY, SCHEDULER_QUEUE_CLASS,
SCHEDULER_DUPEFILTER_KEY, SCHEDULER_SERIALIZER, DUPEFILTER_DEBUG (set by
crawler.distributed.crawl.frontier_settings).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from scrapy.utils.misc import load_object
from scrapy_redis import defaults
from scrapy_redis.scheduler import Scheduler

from newsmon.crawler.distributed.coordination import CrawlMember, member_for
from newsmon.crawler.distributed.frontier import REDIS_ERRORS

logger = logging.getLogger(__name__)

BAD_REQUESTS_IN_A_ROW = 10  # unreadable queue entries skipped per call before giving up


class FrontierScheduler(Scheduler):
    """The shared queue and duplicate filter of a run (module docstring)."""

    member: CrawlMember
    crawler_stats: Any

    @classmethod
    def from_crawler(cls, crawler: Any) -> "FrontierScheduler":
        s = crawler.settings
        member = member_for(crawler)
        dupefilter_cls = load_object(s.get("DUPEFILTER_CLASS", defaults.SCHEDULER_DUPEFILTER_CLASS))
        scheduler = cls(
            server=member.redis,
            persist=True,
            queue_key=s.get("SCHEDULER_QUEUE_KEY", member.keys.requests),
            queue_cls=s.get("SCHEDULER_QUEUE_CLASS", defaults.SCHEDULER_QUEUE_CLASS),
            dupefilter=dupefilter_cls(member.redis, key=s.get("SCHEDULER_DUPEFILTER_KEY",
                                                              member.keys.dupefilter),
                                      debug=s.getbool("DUPEFILTER_DEBUG")),
            serializer=importlib.import_module(s.get("SCHEDULER_SERIALIZER",
                                                     "newsmon.crawler.distributed.serializer")),
        )
        scheduler.stats = None  # scrapy-redis counts with a deprecated argument; see _count
        scheduler.crawler_stats = crawler.stats
        scheduler.member = member
        return scheduler

    def open(self, spider: Any) -> None:
        try:
            super().open(spider)
        except REDIS_ERRORS as exc:
            self.member.lost(exc, "opening the shared request queue")

    def close(self, reason: str) -> None:
        """Keep the queue and duplicate filter: other processes of the run use them."""

    def enqueue_request(self, request: Any) -> bool:
        if self.member.error is not None:
            return False
        try:
            queued = super().enqueue_request(request)
        except REDIS_ERRORS as exc:
            self.member.lost(exc, f"queueing {request.url}")
            return False
        if queued:
            self.crawler_stats.inc_value("scheduler/enqueued/redis")
            self.member.mark_busy()
        return queued

    def next_request(self) -> Any:
        for _ in range(BAD_REQUESTS_IN_A_ROW):
            if self.member.error is not None:
                return None
            try:
                request = super().next_request()
            except REDIS_ERRORS as exc:
                self.member.lost(exc, "taking a request from the shared queue")
                return None
            except (ValueError, TypeError, KeyError, AttributeError) as exc:  # not ours
                logger.warning("skipped an unreadable request in the shared queue: %s", exc)
                self.crawler_stats.inc_value("newsmon/frontier/bad_requests")
                continue
            if request is not None:
                self.crawler_stats.inc_value("scheduler/dequeued/redis")
                self.member.mark_busy()
            return request
        return None

    def has_pending_requests(self) -> bool:
        if self.member.error is not None:
            return False
        try:
            return super().has_pending_requests()
        except REDIS_ERRORS as exc:
            self.member.lost(exc, "reading the shared queue's length")
            return False
