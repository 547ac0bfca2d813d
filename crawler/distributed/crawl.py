"""One process of a frontier crawl (`newsmon crawl --frontier URL`).

It owns `frontier_settings` (the overlay that turns a newsmon crawl into a
member of a shared run: scrapy-redis's scheduler and duplicate filter on
namespaced keys, JSON-queued requests, extraction without spaCy, the
ArticleQueueSink instead of the StoreSink, the seed gate and the drain
extension) and `frontier_crawl` (check the frontier, run the spiders, judge
the process's exit status by crawler.runs.outcome.judge: `ok` even when this
process fetched nothing, since others did the work).

A frontier crawl never writes DuckDB (it reads the fetch record, read-only);
the NLP workers stage what it hands over and load it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterable

from newsmon.crawler import settings as base
from newsmon.crawler.distributed.frontier import FrontierError, RunKeys, describe, open_frontier
from newsmon.crawler.runs.outcome import Outcome, judge
from newsmon.crawler.runs.runner import run_crawl
from newsmon.crawler.sources import Source
from newsmon.data.connection import check_header

logger = logging.getLogger(__name__)

QUEUE_SINK = "newsmon.crawler.sinks.queue.ArticleQueueSink"
EXTENSION = "newsmon.crawler.distributed.coordination.FrontierExtension"
SEED_GATE = "newsmon.crawler.distributed.coordination.SeedGate"


def frontier_settings(frontier: str, run: str, staging_dir: str | Path | None,
                      overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Setting overrides for a crawl process of run `run` on Redis `frontier`."""
    keys = RunKeys(run)
    overrides = dict(overrides or {})
    extensions = {**base.EXTENSIONS, EXTENSION: 100}
    middlewares = {**getattr(base, "SPIDER_MIDDLEWARES", {}), SEED_GATE: 950}
    return {
        **overrides,
        "NEWSMON_FRONTIER": frontier,
        "NEWSMON_FRONTIER_RUN": run,
        "NEWSMON_STAGING_DIR": str(staging_dir) if staging_dir else None,
        "NEWSMON_ANNOTATE": False,  # spaCy runs in `newsmon worker` processes
        "NEWSMON_SINK": QUEUE_SINK,
        "EXTENSIONS": extensions,
        "SPIDER_MIDDLEWARES": middlewares,
        "SCHEDULER": "newsmon.crawler.distributed.scheduler.FrontierScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "SCHEDULER_SERIALIZER": "newsmon.crawler.distributed.serializer",
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": frontier,
    }


def frontier_crawl(sources: Iterable[Source], db_path: str | Path, overrides: dict[str, Any],
                   *, frontier: str, run: str, staging_dir: str | Path | None = None,
                   spider: str = "news", log_to_stderr: bool = False) -> Outcome:
    """Run this process's share of run `run`; FrontierError when Redis is unreachable."""
    check_header(Path(db_path))  # a file that is not DuckDB: fail before crawling
    client = open_frontier(frontier, f"starting crawl run {run}")
    client.close()
    settings = frontier_settings(frontier, run, staging_dir,
                                 {**overrides, "NEWSMON_DB": str(db_path)})
    stats = run_crawl(list(sources), settings, spider, log_to_stderr=log_to_stderr)
    status = judge(stats, require_pages=False)
    logger.info("frontier crawl %s on %s: %s", run, describe(frontier), status)
    return Outcome(run, status, stats)


def raise_if_lost(outcome: Outcome) -> None:
    if outcome.status == "frontier_lost":
        raise FrontierError(outcome.error or f"lost the frontier during run {outcome.run}")
