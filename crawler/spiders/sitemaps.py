"""Sitemap mode: sitemap indexes, urlsets and Google News sitemaps -> candidates.

It owns `SitemapMixin` and `NewsSpider`'s sitemap half, `NewsSitemapSpider`
("sitemaps").  It keeps Scrapy's SitemapSpider behaviour (gzip bodies within
DOWNLOAD_MAXSIZE, robots.txt ``Sitemap:`` lines, index recursion) but parses
with `crawler.spiders.parsers.read_sitemap`, which keeps the Google News
fields (news:title, news:publication_date) that Scrapy's `Sitemap` flattens
away; they and <lastmod> become hints.  Index recursion is guarded: a sitemap
already requested in this crawl (an index pointing at itself, or a cycle) is
not requested again (``newsmon/sitemap_cycle``) and nesting stops at
NEWSMON_SITEMAP_MAX_DEPTH (``newsmon/sitemap_too_deep``).  A response that is
not a sitemap counts as ``newsmon/bad_sitemap``.  Entries are read and requested
one at a time (a stop ends the sitemap there), a malformed one is skipped and
counted (``newsmon/malformed_entries``).  Urlsets are requested
conditionally by the fetch record middleware (crawler.fetchrecord), a 304 never
reaches the callback; indexes are always read in full (their children are asked
conditionally).

NEWSMON_ROBOTS_SITEMAPS = True also reads the ``Sitemap:`` lines of each
source homepage's robots.txt.
"""

from __future__ import annotations

import logging
import struct
from typing import Any, Iterator
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import sitemap_urls_from_robots

from newsmon.crawler.sources import Source
from newsmon.crawler.spiders.base import NewsmonSpider, clean_url
from newsmon.crawler.spiders.parsers import read_sitemap

logger = logging.getLogger(__name__)

META_SITEMAP_DEPTH = "newsmon_sitemap_depth"


class SitemapMixin:
    """Mode "sitemaps" for a `NewsmonSpider`."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._sitemaps_requested: set[str] = set()

    def start_sitemaps(self: NewsmonSpider, source: Source) -> Iterator[scrapy.Request]:
        for url in source.sitemaps:
            yield from self._sitemap_request(url, source, depth=0)
        if self.settings.getbool("NEWSMON_ROBOTS_SITEMAPS"):
            yield self.make_request(urljoin(source.homepage, "/robots.txt"), source, "sitemap",
                                    self.parse_robots_sitemaps, handle_httpstatus_all=True)

    def _sitemap_request(self: NewsmonSpider, url: str, source: Source, depth: int
                         ) -> Iterator[scrapy.Request]:
        key = clean_url(url)
        if key in self._sitemaps_requested:
            self.count("newsmon/sitemap_cycle")
            logger.info("sitemap already requested, not again: %s", url)
            return
        self._sitemaps_requested.add(key)
        yield self.listing_request(url, source, "sitemap", self.parse_sitemap,
                                   **{META_SITEMAP_DEPTH: depth})

    def parse_robots_sitemaps(self: NewsmonSpider, response: Response
                              ) -> Iterator[scrapy.Request]:
        source = self.source_of(response)
        if response.status >= 400:  # no robots.txt: no sitemaps to learn, nothing failed
            logger.debug("no robots.txt (HTTP %d): %s", response.status, response.url)
            return
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            yield from self._sitemap_request(url, source, depth=0)

    def parse_sitemap(self: NewsmonSpider, response: Response) -> Iterator[scrapy.Request]:
        source = self.source_of(response)
        body = self._sitemap_body(response)
        doc = read_sitemap(body, response.url) if body is not None else None
        self.listing_read(response, "bad_sitemap" if doc is None
                          else "index" if doc.kind == "sitemapindex" else "listed")
        if doc is None:
            self.count("newsmon/bad_sitemap")
            logger.warning("not a sitemap, skipped: %s (source %s)", response.url, source.name)
            return
        if doc.kind == "sitemapindex":
            depth = response.meta.get(META_SITEMAP_DEPTH, 0) + 1
            if depth > self.settings.getint("NEWSMON_SITEMAP_MAX_DEPTH", 3):
                self.count("newsmon/sitemap_too_deep")
                logger.warning("sitemap index nested deeper than %d, not followed: %s",
                               depth - 1, response.url)
                return
            for entry in doc:
                if self.stopping:
                    break
                yield from self._sitemap_request(entry.url, source, depth)
            self.count_malformed(doc, response.url)
            return
        yield from self.candidate_requests(self.counted(doc, "newsmon/sitemap_entries"),
                                           source, "sitemap", response.url)
        self.count_malformed(doc, response.url)

    def _sitemap_body(self: NewsmonSpider, response: Response) -> bytes | None:
        """The XML of a sitemap response, gunzipped when it is a .gz file."""
        if not gzip_magic_number(response):
            return response.body
        max_size = response.meta.get("download_maxsize", self.settings.getint("DOWNLOAD_MAXSIZE"))
        try:
            return gunzip(response.body, max_size=max_size)
        except _DecompressionMaxSizeExceeded:
            logger.warning("gzipped sitemap larger than %d bytes: %s", max_size, response.url)
        except (OSError, EOFError, struct.error):
            logger.warning("corrupt gzip sitemap: %s", response.url)
        return None


class NewsSitemapSpider(SitemapMixin, NewsmonSpider):
    """Fetch every source's sitemaps (following indexes) and each URL they list."""

    name = "sitemaps"
    modes = ("sitemaps",)
