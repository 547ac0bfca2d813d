"""Stage 1 (300): extraction, relevance and NLP of each page, in the NLP pool of processes.

It owns `ProcessPipeline`, which hands each PageItem to
`crawler.pipelines.processing.process_page` (in the NLP pool of processes, or in
this process when NEWSMON_NLP_PROCESSES = 0) and turns the result into an
ArticleItem or a counted drop (crawler.pipelines.drops).  The article's
canonical URL is decided here, by the source's URL identity rules
(crawler.identity: ``newsmon/canonical/<link|og|page>``, ``.../off_host``),
not taken from the extractor's metadata.
"""

from __future__ import annotations

import asyncio
import logging
import os

from newsmon.crawler.identity import DEFAULT_RULES, choose_canonical
from newsmon.crawler.items import ArticleItem, PageItem
from newsmon.crawler.pipelines.drops import drop_for
from newsmon.crawler.pipelines.pool import PagePool, PageTimedOut, PoolStopped, ProcessDied
from newsmon.crawler.pipelines.processing import (Processed, ProcessingConfig, init_process,
                                                  preload, process_page)
from newsmon.crawler.shutdown import stop_requested

logger = logging.getLogger(__name__)


class ProcessPipeline:
    """Runs `crawler.pipelines.processing.process_page` for each page in a process pool.

    Settings: NEWSMON_MODEL, NEWSMON_TOPIC, NEWSMON_THRESHOLD, NEWSMON_KEEP_ALL,
    NEWSMON_MIN_WORDS, NEWSMON_EXTRACT_FAST, NEWSMON_ANNOTATE (False: no spaCy, articles pass on
    unannotated, e.g. to `newsmon worker`), NEWSMON_NLP_PROCESSES (0 = run in the reactor's process, for
    debugging and for the serial reference run), NEWSMON_PAGE_TIMEOUT (seconds a pool process may
    spend on one page: past it the page is dropped as ``page_timeout`` and the process
    replaced; no limit in-process), NEWSMON_STOP_GRACE (crawler.shutdown).
    """

    def __init__(self, crawler, config: ProcessingConfig, processes: int,
                 page_timeout: float = 60.0, stop_grace: float = 2.0):
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config
        self.processes = processes
        self.page_timeout = page_timeout
        self.stop_grace = stop_grace
        self.pool: PagePool | None = None
        self._stopping: asyncio.Future | None = None
        crawler.signals.connect(self.stop, signal=stop_requested)

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        threshold = s.get("NEWSMON_THRESHOLD")
        config = ProcessingConfig(
            model=s.get("NEWSMON_MODEL"),
            topic=s.get("NEWSMON_TOPIC"),
            threshold=None if threshold in (None, "") else float(threshold),
            keep_all=s.getbool("NEWSMON_KEEP_ALL"),
            min_words=s.getint("NEWSMON_MIN_WORDS") or None,
            annotate=s.getbool("NEWSMON_ANNOTATE", True),
            fast_extraction=s.getbool("NEWSMON_EXTRACT_FAST", False),
        )
        processes = s.getint("NEWSMON_NLP_PROCESSES", -1)
        if processes < 0:
            processes = os.cpu_count() or 1
        return cls(crawler, config, processes, s.getfloat("NEWSMON_PAGE_TIMEOUT", 60.0),
                   s.getfloat("NEWSMON_STOP_GRACE", 2.0))

    def open_spider(self) -> None:
        if self.processes == 0:
            init_process(self.config)
            return
        self.pool = PagePool(self.processes, init_process, (self.config,), self.page_timeout,
                             preload=preload(self.config))

    async def _in_pool(self, item: PageItem) -> Processed:
        """The page processed by a pool process, or a counted drop (crawler.pipelines.pool)."""
        try:
            return await self.pool.run(process_page, item.html, item.url, item.content_type,
                                       item.language)
        except PageTimedOut as exc:
            processed = Processed(url=item.url, reason="page_timeout", detail=str(exc))
            logger.warning("page dropped: processing %s took %s", item.url, exc)
        except ProcessDied as exc:
            processed = Processed(url=item.url, reason="processing_error", detail=str(exc))
            logger.warning("page dropped: processing %s failed: %s", item.url, exc)
        except PoolStopped as exc:
            processed = Processed(url=item.url, reason="interrupted", detail=str(exc))
        return processed

    def _canonical(self, item: PageItem) -> str:
        """The URL the article is stored under (crawler.identity.choose_canonical)."""
        spider = self.crawler.spider
        source = getattr(spider, "by_name", {}).get(item.source)
        owns = source.owns if source is not None else (lambda url: False)
        rules = source.url_rules if source is not None else DEFAULT_RULES
        canonical = choose_canonical(item.url, item.link_canonical, item.og_url, owns, rules)
        for foreign in canonical.off_host:
            self.stats.inc_value("newsmon/canonical/off_host")
            logger.info("canonical on another host ignored: %s names %s", item.url, foreign)
        self.stats.inc_value(f"newsmon/canonical/{canonical.origin}")
        return canonical.url

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.close()

    def stop(self, reason: str) -> None:
        """Signal handler (crawler.shutdown): pages under way get NEWSMON_STOP_GRACE s."""
        if self.pool is not None:
            self._stopping = asyncio.ensure_future(self.pool.stop(self.stop_grace))

    async def process_item(self, item: PageItem):
        if self.pool is None:  # in this process: no time limit (NEWSMON_NLP_PROCESSES = 0)
            processed = process_page(item.html, item.url, item.content_type, item.language)
        else:
            processed = await self._in_pool(item)
        if processed.reason:
            self.stats.inc_value(f"newsmon/dropped/{processed.reason}")
            raise drop_for(processed)
        article = processed.article
        if processed.annotation is None and self.config.annotate:
            self.stats.inc_value(f"newsmon/unannotated/{article.language or 'unknown'}")
        if item.hints.get("published") and not article.published_at:
            article.published_at = item.hints["published"]
        article.canonical_url = self._canonical(item)
        self.stats.inc_value("newsmon/processed")
        return ArticleItem(page=item, article=article, relevance=processed.relevance,
                           annotation=processed.annotation, text_hash=processed.text_hash)
