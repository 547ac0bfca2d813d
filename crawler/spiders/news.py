"""The combined spider `newsmon crawl` runs: feeds, sitemaps and links per source.

It owns `NewsSpider` ("news"), which is the three modes' mixins on one base:
one spider, one scheduler, so one duplicate filter.  An article listed in a
feed and in a sitemap (and linked from a start page) is fetched once; the
request scheduled first decides its `via` and hints.  Start pages are requested
first, so a start page that a sitemap also lists is still used as a hub.
"""

from __future__ import annotations

from newsmon.crawler.spiders.base import NewsmonSpider
from newsmon.crawler.spiders.feeds import FeedMixin
from newsmon.crawler.spiders.links import LinkMixin
from newsmon.crawler.spiders.sitemaps import SitemapMixin


class NewsSpider(LinkMixin, FeedMixin, SitemapMixin, NewsmonSpider):
    """Every mode of every source, sharing one duplicate filter."""

    name = "news"
    modes = ("links", "feeds", "sitemaps")
