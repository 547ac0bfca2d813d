"""The downloader middleware that makes a crawl incremental: the fetch record's one door.

It owns `FetchRecordMiddleware`, built like Scrapy's HttpCacheMiddleware: a
policy object (NEWSMON_FETCH_POLICY, crawler.fetchrecord.policy) decides,
a storage (NEWSMON_FETCH_STORAGE, data.fetchrecord.read_known_pages) holds
what earlier runs fetched, and the middleware applies them to every request
the spiders yield, which never see the fetch record themselves:

* at spider open it reads the record of the crawled sources, when the crawl
  has a delivering stage (crawler.pipelines.deliver: without one nothing is
  skipped and nothing recorded);
* `process_request`: an article candidate (``meta["newsmon_kind"]``) known and
  settled is skipped (`SkippedKnown`, an IgnoreRequest), one that is due gets
  If-None-Match / If-Modified-Since; feeds and sitemaps get their validators;
  a link hub is skipped only when it is a known redirect to a page that would
  be skipped; a redirect that arrives at a known page that would be skipped
  stops there (``newsmon/redirect/known_target``);
* `process_response`: the URLs a response was redirected from are remembered
  with their target; a 304 is recorded (``newsmon/not_modified/<kind>``) and
  ends the request (`NotModified`, an IgnoreRequest), so no callback sees it;
* signals: Scrapy's ``request_dropped`` (the duplicate filter dropped a second
  listing of a candidate: its feed and announced change still count, and a
  candidate skipped earlier in the run is requested after all when this
  listing says it changed), ``item_dropped`` (a dropped page's row), newsmon's
  ``request_failed`` and ``listing_read`` (crawler.signals), ``spider_closed``
  (the temporary copy of the record is deleted).

It sits at DOWNLOADER_MIDDLEWARES 50: its process_request runs first (a
skipped request costs no robots.txt lookup) and its process_response last,
after retries, redirects and decompression, so it sees what the spider will.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.misc import load_object

from newsmon.crawler import signals as newsmon_signals
from newsmon.crawler.fetchrecord.policy import FullPolicy
from newsmon.crawler.fetchrecord.record import FetchRecord, register
from newsmon.crawler.items import PageItem
from newsmon.crawler.meta import META_HINTS, META_KIND, META_SOURCE
from newsmon.crawler.pipelines.deliver import DeliverPipeline
from newsmon.crawler.pipelines.drops import NotDelivered, drop_reason

logger = logging.getLogger(__name__)

META_CONDITIONAL = "newsmon_conditional"  # the request carries validators from the record


class SkippedKnown(IgnoreRequest):
    """Not requested: the fetch record knows the page and it is not due."""


class NotModified(IgnoreRequest):
    """The server answered 304 to a conditional request (recorded, nothing to parse)."""


class FetchRecordMiddleware:
    """Skip known pages, ask conditionally, record what happened (module docstring).

    Settings: NEWSMON_FETCH_POLICY (None switches it off), NEWSMON_FETCH_STORAGE,
    NEWSMON_INCREMENTAL (False: the full policy), NEWSMON_REFETCH_DAYS,
    NEWSMON_DB, NEWSMON_BUSY_TIMEOUT.
    """

    def __init__(self, crawler: Any, record: FetchRecord, read_known: Any):
        self.crawler = crawler
        self.record = record
        self._read_known = read_known
        self._opening: asyncio.Future | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "FetchRecordMiddleware":
        s = crawler.settings
        if not s.get("NEWSMON_FETCH_POLICY"):
            raise NotConfigured("NEWSMON_FETCH_POLICY is off")
        policy_cls = load_object(s["NEWSMON_FETCH_POLICY"])
        if not s.getbool("NEWSMON_INCREMENTAL", True):
            policy_cls = FullPolicy
        policy = policy_cls.from_settings(s)
        record = FetchRecord(policy, lambda key, n=1: crawler.stats.inc_value(key, n))
        mw = cls(crawler, register(crawler, record), load_object(s["NEWSMON_FETCH_STORAGE"]))
        for handler, signal in ((mw.spider_opened, signals.spider_opened),
                                (mw.spider_closed, signals.spider_closed),
                                (mw.item_dropped, signals.item_dropped),
                                (mw.request_dropped, signals.request_dropped),
                                (mw.request_failed, newsmon_signals.request_failed),
                                (mw.listing_read, newsmon_signals.listing_read)):
            crawler.signals.connect(handler, signal=signal)
        return mw

    # -- life cycle -------------------------------------------------------------------
    def spider_opened(self, spider: Any) -> None:
        if self.crawler.get_item_pipeline(DeliverPipeline) is None:
            logger.debug("no delivering stage: the fetch record is not used")
            return
        self._opening = asyncio.ensure_future(self._attach(spider))

    async def _attach(self, spider: Any) -> None:
        s = self.crawler.settings
        names = [source.name for source in getattr(spider, "sources", ())]
        known = None
        if self.record.policy.incremental:
            known = await asyncio.to_thread(self._read_known, s.get("NEWSMON_DB"), names,
                                            s.getfloat("NEWSMON_BUSY_TIMEOUT", 30.0))
        self.record.attach(known)

    async def _ready(self) -> bool:
        if self._opening is None:
            return False
        if not self._opening.done():
            await self._opening
        return self.record.attached

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.record.close()

    # -- requests -----------------------------------------------------------------------
    async def process_request(self, request: Request) -> None:
        meta = request.meta
        if META_SOURCE not in meta or not await self._ready():
            return None
        kind = meta.get(META_KIND)
        hints = meta.get(META_HINTS) or {}
        if meta.get("redirect_urls"):  # a hop of a redirect chain: decided at its start
            if kind in ("article", None) and self.record.landed_on_known(request.url, hints):
                self._remember_redirect(request, request.url)
                self.crawler.stats.inc_value("newsmon/redirect/known_target")
                raise SkippedKnown(f"redirect to a known page: {request.url}")
            return None
        if kind in ("feed", "sitemap"):
            self._ask_conditionally(request, self.record.listing_headers(request.url))
            return None
        decision = (self.record.article(request.url, hints) if kind == "article"
                    else self.record.hub(request.url))
        if not decision.fetch:
            raise SkippedKnown(f"known, not due: {request.url}")
        self._ask_conditionally(request, decision.headers)
        return None

    @staticmethod
    def _ask_conditionally(request: Request, headers: dict[str, str]) -> None:
        if headers:
            for name, value in headers.items():
                request.headers[name] = value
            request.meta[META_CONDITIONAL] = True

    def process_response(self, request: Request, response: Response) -> Response:
        meta = request.meta
        if META_SOURCE not in meta or not self.record.attached:
            return response
        if meta.get("redirect_urls"):
            self._remember_redirect(request, response.url)
        if response.status == 304 and meta.get(META_CONDITIONAL):
            self.record.not_modified(response.url, meta.get(META_SOURCE),
                                     meta.get(META_KIND) or "article", meta.get(META_HINTS) or {})
            logger.debug("not modified: %s", response.url)
            raise NotModified(f"not modified: {response.url}")
        return response

    def _remember_redirect(self, request: Request, target: str) -> None:
        self.record.redirected(request.meta.get("redirect_urls", ()), target,
                               request.meta.get(META_SOURCE),
                               request.meta.get("redirect_reasons", ()))

    # -- signals --------------------------------------------------------------------------
    def request_dropped(self, request: Request, spider: Any = None) -> None:
        """The scheduler dropped `request` (a duplicate of one already scheduled)."""
        meta = request.meta
        if not self.record.attached or META_SOURCE not in meta:
            return
        if meta.get("redirect_urls"):  # a redirect to a page this run already requested
            self._remember_redirect(request, request.url)
            return
        if meta.get(META_KIND) != "article":
            return
        if self.record.duplicate(request.url, meta.get(META_HINTS) or {}):
            logger.debug("listed again as changed, requested after all: %s", request.url)
            again = request.replace(dont_filter=True)
            asyncio.get_running_loop().call_soon(self.crawler.engine.crawl, again)

    def item_dropped(self, item: Any, response: Any, exception: BaseException,
                     spider: Any = None) -> None:
        """A dropped page still gets its row; one the sink could not take does not, so
        the next run fetches it again."""
        if isinstance(item, PageItem) and not isinstance(exception, NotDelivered):
            self.record.dropped(item, drop_reason(exception))

    def request_failed(self, request: Request, reason: str, status: int | None = None) -> None:
        kind = request.meta.get(META_KIND)
        if kind and self.record.attached:
            requested = request.meta.get("redirect_urls", [request.url])[0]
            self.record.failed(requested, request.meta.get(META_SOURCE), kind, reason,
                               request.meta.get(META_HINTS) or {}, status)

    def listing_read(self, response: Response, outcome: str) -> None:
        meta = response.meta
        self.record.listed(response.url, meta.get(META_SOURCE), meta.get(META_KIND),
                           response.status, _header(response, "ETag"),
                           _header(response, "Last-Modified"), outcome, origin=response.url)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else None
