"""The newsmon spiders, all driven by the sources file (`crawler.sources`).

base      NewsmonSpider: sources, request tagging, PageItem building, error counting
parsers   pure RSS/Atom and sitemap parsers
feeds     FeedSpider "feeds"
sitemaps  NewsSitemapSpider "sitemaps"
links     LinkSpider "links"
news      NewsSpider "news": all three modes with one duplicate filter

`SPIDERS` maps spider names to classes for `crawler.runs.runner.run_crawl`.
"""

from __future__ import annotations

from newsmon.crawler.spiders.feeds import FeedSpider
from newsmon.crawler.spiders.links import LinkSpider
from newsmon.crawler.spiders.news import NewsSpider
from newsmon.crawler.spiders.sitemaps import NewsSitemapSpider

SPIDERS = {cls.name: cls for cls in (NewsSpider, FeedSpider, NewsSitemapSpider, LinkSpider)}

__all__ = ["SPIDERS", "FeedSpider", "LinkSpider", "NewsSitemapSpider", "NewsSpider"]
