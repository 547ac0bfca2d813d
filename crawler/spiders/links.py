"""Link mode: follow links from a source's start pages -> article candidates.

It owns `LinkMixin` and `LinkSpider` ("links").  From each start page (depth
0) it follows links with Scrapy's LinkExtractor up to `follow.depth`, only to
hosts the source owns (`Source.owns`: its domains and their subdomains), never
to URLs matching `follow.deny`, never rel="nofollow", never to non-HTML file
extensions (LinkExtractor's IGNORED_EXTENSIONS) and only over http(s), so
javascript:, mailto:, data: and tel: links are dropped.  A followed page is an
article candidate when it matches `follow.allow` (any page when `allow` is
empty); start pages are hubs, never candidates.  A link that does not match
`allow` but redirects to a page that does (``/r/x -> /news/x``) lands on a
candidate: the page is judged by its final URL.  Hubs are fetched every run
(unless the fetch record knows one as a redirect to a known article); a
candidate the fetch record knows (crawler.fetchrecord) is skipped or asked for
conditionally like a feed entry, so its own links are not followed then.
"""

from __future__ import annotations

import logging
from typing import Any, Iterator
from urllib.parse import urlsplit

import scrapy
from scrapy.http import HtmlResponse, Response
from scrapy.linkextractors import LinkExtractor

from newsmon.crawler.items import PageItem
from newsmon.crawler.sources import Source
from newsmon.crawler.spiders.base import NewsmonSpider

logger = logging.getLogger(__name__)

META_DEPTH = "newsmon_depth"
META_CANDIDATE = "newsmon_candidate"


def followable(url: str, source: Source) -> bool:
    """An http(s) URL on the source's hosts that its deny patterns let through."""
    return (urlsplit(url).scheme in ("http", "https") and source.owns(url)
            and not (source.follow and source.follow.is_denied(url)))


class LinkMixin:
    """Mode "links" for a `NewsmonSpider`."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._extractors: dict[str, LinkExtractor] = {}

    def start_links(self: NewsmonSpider, source: Source) -> Iterator[scrapy.Request]:
        if source.follow is None:
            return
        for url in dict.fromkeys(source.follow.start):
            yield self.make_request(url, source, "links", self.parse_link_page,
                                    **{META_DEPTH: 0, META_CANDIDATE: False})

    def parse_link_page(self: NewsmonSpider, response: Response
                        ) -> Iterator[PageItem | scrapy.Request]:
        source = self.source_of(response)
        candidate = response.meta.get(META_CANDIDATE) or (
            response.meta.get("redirect_urls") and source.follow is not None
            and source.follow.is_candidate(response.url))
        if candidate:
            yield self.page_item(response)
        depth = response.meta.get(META_DEPTH, 0)
        if source.follow is None or depth >= source.follow.depth:
            return
        if not isinstance(response, HtmlResponse):
            return
        yield from self._follow(response, source, depth + 1)

    def _follow(self: NewsmonSpider, response: HtmlResponse, source: Source, depth: int
                ) -> Iterator[scrapy.Request]:
        assert source.follow is not None
        for link in self._extractor(source).extract_links(response):
            if link.nofollow or not followable(link.url, source):
                continue
            hints = {"anchor": " ".join(link.text.split())[:300]} if link.text.strip() else {}
            meta = {META_DEPTH: depth, META_CANDIDATE: source.follow.is_candidate(link.url)}
            if not meta[META_CANDIDATE]:
                yield self.make_request(link.url, source, "links", self.parse_link_page, hints,
                                        **meta)
                continue
            yield self.candidate_request(link.url, source, "links", self.parse_link_page,
                                         hints, **meta)

    def _extractor(self: NewsmonSpider, source: Source) -> LinkExtractor:
        if source.name not in self._extractors:
            deny = source.follow.deny if source.follow else ()
            self._extractors[source.name] = LinkExtractor(deny=deny, unique=True)
        return self._extractors[source.name]


class LinkSpider(LinkMixin, NewsmonSpider):
    """Follow links from every source's start pages; yield pages matching `allow`."""

    name = "links"
    modes = ("links",)
