"""Feed mode: RSS and Atom feeds -> article candidates.

It owns `FeedMixin` (start requests for a source's feeds, and the callback that
turns each entry into a candidate request with the entry's title and published
date as hints) and `FeedSpider` ("feeds"), the spider that only does this.
A response that is not a feed counts as ``newsmon/bad_feed``; the crawl goes on.
Entries are read and requested one at a time (a stop ends the feed there), a
malformed one is skipped and counted (``newsmon/malformed_entries``).
The fetch record middleware (crawler.fetchrecord) asks for feeds conditionally;
a 304 never reaches the callback.
"""

from __future__ import annotations

import logging
from typing import Iterator

import scrapy
from scrapy.http import Response

from newsmon.crawler.sources import Source
from newsmon.crawler.spiders.base import NewsmonSpider
from newsmon.crawler.spiders.parsers import read_feed

logger = logging.getLogger(__name__)


class FeedMixin:
    """Mode "feeds" for a `NewsmonSpider`."""

    def start_feeds(self: NewsmonSpider, source: Source) -> Iterator[scrapy.Request]:
        for url in source.feeds:
            yield self.listing_request(url, source, "feed", self.parse_feed)

    def parse_feed(self: NewsmonSpider, response: Response) -> Iterator[scrapy.Request]:
        source = self.source_of(response)
        listing = read_feed(response.body, response.url)
        self.listing_read(response, "listed" if listing is not None else "bad_feed")
        if listing is None:
            self.count("newsmon/bad_feed")
            logger.warning("not an RSS/Atom feed, skipped: %s (source %s)", response.url, source.name)
            return
        yield from self.candidate_requests(self.counted(listing, "newsmon/feed_entries"),
                                           source, "feed", response.url)
        self.count_malformed(listing, response.url)


class FeedSpider(FeedMixin, NewsmonSpider):
    """Fetch every source's feeds and each entry they list."""

    name = "feeds"
    modes = ("feeds",)
