"""Stage 1 (300): extraction, relevance and NLP of each page, in a pool of worker processes.

It owns `ProcessPipeline`, which hands each PageItem to
`crawler.pipelines.processing.process_page` (in a 'spawn' process pool, or in
this process when NEWSMON_NLP_WORKERS = 0) and turns the result into an
ArticleItem or a counted drop (crawler.pipelines.drops).  The article's
canonical URL is decided here, by the source's URL identity rules
(crawler.identity: ``newsmon/canonical/<link|og|page>``, ``.../off_host``),
not taken from the extractor's metadata.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor

from newsmon.crawler.identity import DEFAULT_RULES, choose_canonical
from newsmon.crawler.items import ArticleItem, PageItem
from newsmon.crawler.pipelines.drops import drop_for
from newsmon.crawler.pipelines.processing import ProcessingConfig, init_worker, process_page

logger = logging.getLogger(__name__)


class ProcessPipeline:
    """Runs `crawler.pipelines.processing.process_page` for each page in a process pool.

    Settings: NEWSMON_MODEL, NEWSMON_TOPIC, NEWSMON_THRESHOLD, NEWSMON_KEEP_ALL,
    NEWSMON_MIN_WORDS, NEWSMON_EXTRACT_FAST, NEWSMON_ANNOTATE (False: no spaCy, articles pass on
    unannotated, e.g. to `newsmon worker`), NEWSMON_NLP_WORKERS (0 = run in the reactor's process, for
    debugging and for the serial reference run).
    """

    def __init__(self, crawler, config: ProcessingConfig, workers: int):
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config
        self.workers = workers
        self.pool: Executor | None = None

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
        workers = s.getint("NEWSMON_NLP_WORKERS", -1)
        if workers < 0:
            workers = os.cpu_count() or 1
        return cls(crawler, config, workers)

    def open_spider(self) -> None:
        if self.workers == 0:
            init_worker(self.config)
            return
        ctx = multiprocessing.get_context("spawn")  # never fork a process running a reactor
        self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx,
                                        initializer=init_worker, initargs=(self.config,))
        # start the workers now, so spaCy loads while the first pages download
        for _ in range(self.workers):
            self.pool.submit(os.getpid)

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
            self.pool.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item: PageItem):
        if self.pool is None:
            processed = process_page(item.html, item.url, item.content_type, item.language)
        else:
            fut = self.pool.submit(process_page, item.html, item.url, item.content_type,
                                   item.language)
            processed = await asyncio.wrap_future(fut)
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
