"""Item pipeline stages: process pages in worker processes, then store in bulk.

ITEM_PIPELINES (crawler/settings.py) lists them by dotted path:

    crawler.pipelines.ProcessPipeline  300  PageItem -> ArticleItem, or a DropItem subclass
    crawler.pipelines.StorePipeline    800  buffers ArticleItems, writes batches to DuckDB

Every drop reason is its own `DropItem` subclass, so Scrapy's stats count them
(`item_dropped_reasons_count/<Class>`); `newsmon/dropped/<reason>` is counted
too, in the reason's own words.  A stage that is switched off by its setting
raises `NotConfigured`.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor

from scrapy.exceptions import DropItem, NotConfigured

from crawler.frames import annotation_rows, frames
from crawler.items import ArticleItem, PageItem
from crawler.processing import Processed, ProcessingConfig, init_worker, process_page

logger = logging.getLogger(__name__)


# -- drop reasons -------------------------------------------------------------
class NotAnArticle(DropItem):
    """The page is not an article (base class of the extraction reasons)."""
    reason = "not_article"


class NotHtml(NotAnArticle):
    reason = "not_html"


class EmptyPage(NotAnArticle):
    reason = "empty_page"


class Unparseable(NotAnArticle):
    reason = "unparseable"


class NoText(NotAnArticle):
    reason = "no_text"


class TooShort(NotAnArticle):
    reason = "too_short"


class IndexPage(NotAnArticle):
    reason = "index_page"


class OffTopic(DropItem):
    reason = "off_topic"


class ProcessingError(DropItem):
    reason = "processing_error"


DROP_REASONS: dict[str, type[DropItem]] = {
    cls.reason: cls for cls in (NotAnArticle, NotHtml, EmptyPage, Unparseable, NoText,
                                TooShort, IndexPage, OffTopic, ProcessingError)
}


def drop_for(processed: Processed) -> DropItem:
    cls = DROP_REASONS.get(processed.reason or "", NotAnArticle)
    return cls(f"{processed.reason}: {processed.url} {processed.detail}".strip())


# -- stage 1: extraction, relevance and NLP in worker processes ---------------------
class ProcessPipeline:
    """Runs `crawler.processing.process_page` for each page in a process pool.

    Settings: NEWSMON_MODEL, NEWSMON_TOPIC, NEWSMON_THRESHOLD, NEWSMON_KEEP_ALL,
    NEWSMON_MIN_WORDS, NEWSMON_NLP_WORKERS (0 = run in the reactor's process, for
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
        if processed.annotation is None:
            self.stats.inc_value(f"newsmon/unannotated/{article.language or 'unknown'}")
        if item.hints.get("published") and not article.published_at:
            article.published_at = item.hints["published"]
        self.stats.inc_value("newsmon/processed")
        return ArticleItem(page=item, article=article, relevance=processed.relevance,
                           annotation=processed.annotation, text_hash=processed.text_hash)


# -- stage 2: bulk writes to DuckDB ---------------------------------------------
class StorePipeline:
    """Buffers articles and writes them in batches: one transaction per batch.

    An article, its mentions and its figures always land in the same batch.
    The database connection is opened only for the write (short write windows),
    so readers can query between batches.

    Settings: NEWSMON_DB, NEWSMON_RUN_ID, NEWSMON_BATCH_SIZE, NEWSMON_FLUSH_SECONDS,
    NEWSMON_STORE (False switches the stage off).
    """

    def __init__(self, crawler, db_path: str, run_id: int | None, batch_size: int,
                 flush_seconds: float):
        from data.store import Store  # imported here: the stage may be switched off
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = Store(db_path)
        self.run_id = run_id
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.buffer: list[ArticleItem] = []
        self.last_flush = time.monotonic()
        self._lock = asyncio.Lock()

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("NEWSMON_STORE", True):
            raise NotConfigured("NEWSMON_STORE is off")
        run_id = s.get("NEWSMON_RUN_ID")
        return cls(crawler, s.get("NEWSMON_DB"), int(run_id) if run_id else None,
                   s.getint("NEWSMON_BATCH_SIZE", 50), s.getfloat("NEWSMON_FLUSH_SECONDS", 5.0))

    async def process_item(self, item: ArticleItem):
        self.buffer.append(item)
        due = time.monotonic() - self.last_flush >= self.flush_seconds
        if len(self.buffer) >= self.batch_size or due:
            await self.flush()
        return item

    async def close_spider(self) -> None:
        await self.flush()

    async def flush(self) -> None:
        async with self._lock:
            batch, self.buffer = self.buffer, []
            self.last_flush = time.monotonic()
            if not batch:
                return
            articles, mentions, figures = batch_frames(batch)
            counts = await asyncio.to_thread(self.store.write_batch, self.run_id,
                                             articles, mentions, figures)
        for key, n in counts.items():
            self.stats.inc_value(f"newsmon/stored/{key}", n)
        self.stats.inc_value("newsmon/stored/batches")
        logger.debug("stored batch of %d: %s", len(batch), counts)


def batch_frames(batch: list[ArticleItem]):
    """The articles, mentions and figures frames of a batch of ArticleItems."""
    arts, ments, figs = [], [], []
    for it in batch:
        a = it.article
        arts.append({
            "url": it.page.url, "canonical_url": a.canonical_url or it.page.url,
            "source": it.page.source, "title": a.title, "authors": list(a.authors or []),
            "published_at": a.published_at, "fetched_at": it.page.fetched_at,
            "language": a.language, "sitename": a.sitename, "description": a.description,
            "text": a.text, "text_hash": it.text_hash, "word_count": len(a.text.split()),
            "relevance": float(it.relevance.score) if it.relevance else None,
            "matched_terms": list(it.relevance.terms) if it.relevance else [],
            "annotated": it.annotation is not None,
        })
        m, f = annotation_rows(a.canonical_url or it.page.url, it.annotation)
        ments += m
        figs += f
    return frames(arts, ments, figs)
