"""A one-line live progress display for crawls on a terminal.

It owns the `ProgressExtension` (enabled by NEWSMON_PROGRESS, which the CLI
sets only when stderr is a terminal): every half second it shows pages
fetched, articles kept and dropped, from the crawl's stats.  Off a terminal it
raises NotConfigured, so cron mail stays quiet.
"""

from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from newsmon.crawler.runs.outcome import article_pages


class ProgressExtension:
    def __init__(self, crawler):
        from rich.console import Console
        self.crawler = crawler
        self.console = Console(stderr=True)
        self.status = None
        self.loop = task.LoopingCall(self.update)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NEWSMON_PROGRESS"):
            raise NotConfigured  # silently: off is the normal case (not a terminal)
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def line(self) -> str:
        st = self.crawler.stats.get_stats()
        pages = article_pages(st)
        dropped = sum(v for k, v in st.items() if k.startswith("newsmon/dropped/"))
        failed = sum(v for k, v in st.items() if k.startswith("newsmon/fetch_failed/"))
        return (f"crawling: {pages} pages, {st.get('newsmon/processed', 0)} kept, "
                f"{dropped} dropped, {failed} failed, "
                f"{st.get('newsmon/stored/inserted', 0)} new in database")

    def opened(self, spider) -> None:
        self.status = self.console.status(self.line())
        self.status.start()
        self.loop.start(0.5, now=False)

    def update(self) -> None:
        if self.status is not None:
            self.status.update(self.line())

    def closed(self, spider) -> None:
        if self.loop.running:
            self.loop.stop()
        if self.status is not None:
            self.status.stop()
            self.status = None
