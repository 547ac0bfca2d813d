"""How the crawl processes of one run share it: who seeds, who is busy, when all stop.

It owns `CrawlMember` (one per crawl process: its id, Redis client and the
first frontier error), the spider middleware `SeedGate` and the extension
`FrontierExtension`.  The protocol, in keys of `crawler.distributed.frontier`:

* Seeding.  Every process tries ``SET seeder <id> NX``; the one that gets it
  yields the spiders' start requests (feeds, sitemaps, start pages) into the
  shared queue, then sets ``seeded``.  The others yield none and take requests
  from the queue.  The seeder renews its key while seeding; if it dies first,
  the key expires and a waiting process takes over (the shared duplicate
  filter drops what was already queued).
* Heartbeats.  Every NEWSMON_FRONTIER_POLL seconds each process renews
  ``alive:<id>`` (TTL NEWSMON_FRONTIER_ALIVE_TTL) and, while its engine has work
  (start requests, downloads, items in the pipelines), ``busy:<id>`` (TTL
  NEWSMON_FRONTIER_BUSY_TTL); the scheduler renews ``busy`` too whenever it
  queues or takes a request.
* Drain.  Scrapy would close an idle spider at once, although another process
  may still be parsing a sitemap that will queue thousands of requests.  So an
  idle process keeps its spider open (DontCloseSpider) and closes it only when
  the run is seeded, the shared queue is empty and no other process is busy, at
  two checks in a row NEWSMON_FRONTIER_POLL apart (or at once when the run is
  already ``done``).
* Leaving.  A closing process removes itself from ``crawlers`` when its engine
  stopped (after every spider_closed handler); the last one to leave after
  finishing normally sets ``done`` (which the NLP workers wait for)
  and deletes the request queue and the duplicate filter (memory policy:
  frontier.py).  A process that was interrupted leaves without marking the run
  done, so a new process with the same run name resumes the queue.

Any Redis error goes through `CrawlMember.lost`: it is logged once, kept in
the stats (``newsmon/frontier_error``) and closes the spider with reason
``frontier_lost``; the CLI turns that into FrontierError.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from typing import Any, AsyncIterator

from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider, NotConfigured

from newsmon.crawler.runs.outcome import FRONTIER_LOST, STAT_FRONTIER_ERROR
from newsmon.crawler.distributed.frontier import (REDIS_ERRORS, RunKeys, connect, expire_keys,
                                          live_members, lost_message, member_id)

logger = logging.getLogger(__name__)

LOST_REASON = FRONTIER_LOST  # the finish reason (crawler.runs.outcome judges it)
STAT_ERROR = STAT_FRONTIER_ERROR
STAT_DRAINED = "newsmon/frontier/drained"
DRAIN_CHECKS = 2  # consecutive checks that must find the run drained
EXPIRE_EVERY = 60.0  # seconds between renewals of the run keys' safety-net EXPIRE

_members: "weakref.WeakKeyDictionary[Any, CrawlMember]" = weakref.WeakKeyDictionary()


def member_for(crawler: Any) -> "CrawlMember":
    """The crawl process's one CrawlMember (shared by the scheduler, middleware,
    extension and pipeline of `crawler`)."""
    member = _members.get(crawler)
    if member is None:
        member = _members[crawler] = CrawlMember(crawler)
    return member


def frontier_configured(crawler: Any) -> bool:
    return bool(crawler.settings.get("NEWSMON_FRONTIER"))


class CrawlMember:
    """One crawl process's membership in a run (module docstring)."""

    def __init__(self, crawler: Any):
        s = crawler.settings
        self.crawler = crawler
        self.url: str = s.get("NEWSMON_FRONTIER")
        self.keys = RunKeys(s.get("NEWSMON_FRONTIER_RUN"))
        self.id = member_id()
        self.redis = connect(self.url, s.getfloat("NEWSMON_FRONTIER_TIMEOUT", 10.0))
        self.poll = s.getfloat("NEWSMON_FRONTIER_POLL", 1.0)
        self.busy_ttl = s.getint("NEWSMON_FRONTIER_BUSY_TTL", 5)
        self.alive_ttl = s.getint("NEWSMON_FRONTIER_ALIVE_TTL", 30)
        self.run_ttl = s.getint("NEWSMON_FRONTIER_RUN_TTL", 7 * 86400)
        self.done_ttl = s.getint("NEWSMON_FRONTIER_DONE_TTL", 600)
        self.error: str | None = None
        self.seeding = False
        self.drained = False  # set when this process closes because the run drained
        self._busy_at = 0.0

    # -- errors -------------------------------------------------------------------
    def lost(self, exc: BaseException, doing: str) -> None:
        """Record the first frontier error and close the spider (reason frontier_lost)."""
        if self.error is not None:
            return
        self.error = lost_message(self.url, doing, exc)
        logger.info("%s; closing the spider", self.error)  # the caller reports it (stats)
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value(STAT_ERROR, self.error)
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and engine.spider is not None:
            asyncio.ensure_future(engine.close_spider_async(reason=LOST_REASON))

    # -- marks --------------------------------------------------------------------
    def mark_busy(self) -> None:
        """Renew busy:<id> (at most twice per poll interval; called for every request)."""
        now = time.monotonic()
        if self.error is not None or now - self._busy_at < self.poll / 2:
            return
        self._busy_at = now
        try:
            self.redis.set(self.keys.busy(self.id), 1, ex=self.busy_ttl)
        except REDIS_ERRORS as exc:
            self.lost(exc, "marking this process busy")

    def heartbeat(self, busy: bool) -> None:
        """Renew alive:<id>, and busy:<id> (or drop it when idle), the seeder key while seeding."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(self.keys.alive(self.id), 1, ex=self.alive_ttl)
        if busy:
            pipe.set(self.keys.busy(self.id), 1, ex=self.busy_ttl)
            self._busy_at = time.monotonic()
        else:
            pipe.delete(self.keys.busy(self.id))
        if self.seeding:
            pipe.set(self.keys.seeder, self.id, ex=self.alive_ttl, xx=True)
        pipe.execute()

    def join(self) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.sadd(self.keys.crawlers, self.id)
        pipe.set(self.keys.alive(self.id), 1, ex=self.alive_ttl)
        pipe.set(self.keys.busy(self.id), 1, ex=self.busy_ttl)
        pipe.execute()
        self.expire_run()

    def expire_run(self) -> None:
        expire_keys(self.redis, self.keys.run_keys(), self.run_ttl)

    # -- seeding ------------------------------------------------------------------
    def seed_role(self) -> str | None:
        """"done" (the run finished), "join" (seeded by someone), "seed" (ours to seed),
        or None (someone else is seeding: ask again later)."""
        k = self.keys
        if self.redis.exists(k.done):
            return "done"
        if self.redis.exists(k.seeded):
            return "join"
        if self.redis.set(k.seeder, self.id, nx=True, ex=self.alive_ttl):
            self.seeding = True
            return "seed"
        return None

    def seeding_finished(self) -> None:
        self.seeding = False
        self.redis.set(self.keys.seeded, self.id, ex=self.run_ttl)
        logger.info("seeded run %s", self.keys.run)

    # -- drain ----------------------------------------------------------------------
    def run_done(self) -> bool:
        return bool(self.redis.exists(self.keys.done))

    def run_drained(self) -> bool:
        """Seeded, the shared queue empty, and no other crawl process busy."""
        k = self.keys
        pipe = self.redis.pipeline(transaction=False)
        pipe.exists(k.seeded)
        pipe.zcard(k.requests)
        pipe.smembers(k.crawlers)
        seeded, queued, members = pipe.execute()
        if not seeded or queued:
            return False
        others = [m.decode() for m in members if m.decode() != self.id]
        if not others:
            return True
        return not self.redis.exists(*[k.busy(m) for m in others])

    def leave(self, finished: bool) -> bool:
        """Leave the run; True when this process was the last and marked it done."""
        k = self.keys
        pipe = self.redis.pipeline(transaction=False)
        pipe.srem(k.crawlers, self.id)
        pipe.delete(k.busy(self.id), k.alive(self.id))
        pipe.execute()
        if not finished:
            return False
        live, dead = live_members(self.redis, k.crawlers, k.alive)
        if dead:
            self.redis.srem(k.crawlers, *dead)
        if live:
            return False
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(k.done, self.id, ex=self.done_ttl)
        pipe.delete(k.requests, k.dupefilter)
        for key in k.control_keys():
            pipe.expire(key, self.done_ttl)
        pipe.execute()
        logger.info("run %s done: request queue and duplicate filter deleted", k.run)
        return True


class SeedGate:
    """Spider middleware: only the run's seeder passes the spider's start requests on."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "SeedGate":
        if not frontier_configured(crawler):
            raise NotConfigured("no frontier")
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        member = member_for(self.crawler)
        role = await self._role(member)
        self.crawler.stats.set_value("newsmon/frontier/role", role)
        if role != "seed":
            logger.info("run %s: %s, taking requests from the shared queue",
                        member.keys.run, "already done" if role == "done" else "joined")
            return
        logger.info("run %s: this process seeds it", member.keys.run)
        async for item in start:
            yield item
            if member.error is not None:
                return
        try:
            member.seeding_finished()
        except REDIS_ERRORS as exc:
            member.lost(exc, "marking the run seeded")

    @staticmethod
    async def _role(member: CrawlMember) -> str:
        while member.error is None:
            try:
                role = member.seed_role()
            except REDIS_ERRORS as exc:
                member.lost(exc, "joining the run")
                break
            if role is not None:
                return role
            await asyncio.sleep(member.poll)
        return "lost"


class FrontierExtension:
    """Heartbeats, the drain check, and leaving the run (module docstring)."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.member = member_for(crawler)
        self._task: asyncio.Task | None = None
        self._streak = 0
        self._closing = False
        self._finished = False
        self._expired_at = 0.0

    @classmethod
    def from_crawler(cls, crawler: Any) -> "FrontierExtension":
        if not frontier_configured(crawler):
            raise NotConfigured("no frontier")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_opened(self, spider: Any) -> None:
        try:
            self.member.join()
        except REDIS_ERRORS as exc:
            self.member.lost(exc, "joining the run")
            return
        self.crawler.stats.set_value("newsmon/frontier/member", self.member.id)
        self._expired_at = time.monotonic()
        self._task = asyncio.ensure_future(self._loop())

    def spider_idle(self, spider: Any) -> None:
        if self.member.error is not None:
            raise CloseSpider(LOST_REASON)
        if not self._closing:
            raise DontCloseSpider

    def spider_closed(self, spider: Any, reason: str) -> None:
        self._finished = reason == "finished"

    def engine_stopped(self) -> None:
        """Leave the run once every spider_closed handler ran (the delivering stage
        hands over the feed and sitemap rows in its own, before `done` is set)."""
        if self._task is not None:
            self._task.cancel()
        if self.member.error is not None:
            return
        try:
            self.member.leave(finished=self._finished)
        except REDIS_ERRORS as exc:
            self.member.lost(exc, "leaving the run")

    async def _loop(self) -> None:
        """Until engine_stopped cancels it: heartbeats also while the spider is closing."""
        while self.member.error is None:
            try:
                self._tick()
            except REDIS_ERRORS as exc:
                self.member.lost(exc, "renewing this process's heartbeat")
                return
            await asyncio.sleep(self.member.poll)

    def _tick(self) -> None:
        engine = self.crawler.engine
        if engine is None or engine.spider is None:
            return
        if self._closing:  # still alive (workers wait for it), no longer busy
            self.member.heartbeat(busy=False)
            return
        idle = engine.spider_is_idle()
        self.member.heartbeat(busy=not idle)
        if time.monotonic() - self._expired_at > EXPIRE_EVERY:
            self._expired_at = time.monotonic()
            self.member.expire_run()
        _wake(engine)  # take requests other processes queued, without waiting 5 s
        if not idle:
            self._streak = 0
            return
        if self.member.run_done():
            self._close(engine, "the run is already done")
            return
        self._streak = self._streak + 1 if self.member.run_drained() else 0
        if self._streak >= DRAIN_CHECKS:
            self._close(engine, "the shared queue has drained")

    def _close(self, engine: Any, why: str) -> None:
        logger.info("run %s: %s; closing", self.member.keys.run, why)
        self._closing = True
        self.member.drained = True
        self.crawler.stats.set_value(STAT_DRAINED, 1)
        asyncio.ensure_future(engine.close_spider_async(reason="finished"))


def _wake(engine: Any) -> None:
    """Ask the engine to look at the scheduler now rather than at its next 5-second
    heartbeat (Scrapy has no public call for this; without it, only slower)."""
    slot = getattr(engine, "_slot", None)
    nextcall = getattr(slot, "nextcall", None)
    if nextcall is not None:
        nextcall.schedule()
