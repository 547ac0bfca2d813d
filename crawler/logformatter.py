"""Log lines for Scrapy events, short enough for a crawl of thousands of pages.

Scrapy's stock formatter logs every dropped item at WARNING with the whole item
(for newsmon, the page's HTML).  A drop is an ordinary outcome that the stats
count by reason, so it is logged at DEBUG as one line: the reason and the URL.
"""

from __future__ import annotations

import logging

from scrapy.logformatter import LogFormatter


class NewsmonLogFormatter(LogFormatter):
    def dropped(self, item, exception, response, spider):
        return {
            "level": logging.DEBUG,
            "msg": "dropped (%(reason)s): %(url)s",
            "args": {"reason": type(exception).__name__,
                     "url": getattr(item, "url", None) or getattr(getattr(item, "page", None), "url", "?")},
        }
