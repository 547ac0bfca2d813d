"""One recorded crawl: open a run in the database, crawl, close the run with its stats.

It owns the run's life cycle around `crawler.runner.run_crawl` and the rule
that decides whether a crawl failed (what cron sees as the exit code):

- `failed`: Scrapy did not finish normally (shutdown, exception), or not one
  article page could be fetched although sources were given;
- `ok`: otherwise, even when every page was dropped as off-topic.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any, Iterable

from crawler.runner import run_crawl
from crawler.sources import Source
from data.store import Store

logger = logging.getLogger(__name__)


@dataclass
class CrawlOutcome:
    run_id: int
    status: str
    stats: dict[str, Any]

    @property
    def pages(self) -> int:
        return sum(v for k, v in self.stats.items() if k.startswith("newsmon/pages/")
                   and k.split("/")[-1] in ("feed", "sitemap", "links"))

    def dropped(self) -> dict[str, int]:
        prefix = "newsmon/dropped/"
        return {k[len(prefix):]: v for k, v in self.stats.items() if k.startswith(prefix)}

    def failures(self) -> dict[str, int]:
        prefix = "newsmon/fetch_failed/"
        return {k[len(prefix):]: v for k, v in self.stats.items() if k.startswith(prefix)}


def judge(stats: dict[str, Any]) -> str:
    """The run's status from its stats (see the module docstring)."""
    pages = sum(v for k, v in stats.items() if k.startswith("newsmon/pages/"))
    if stats.get("finish_reason") != "finished":
        return "failed"
    if pages == 0:
        return "failed"
    return "ok"


def crawl_and_record(sources: Iterable[Source], db_path: str, overrides: dict[str, Any],
                     *, spider: str = "news", log_to_stderr: bool = False) -> CrawlOutcome:
    """Crawl `sources` into `db_path`, recorded as a row of crawl_runs."""
    sources = list(sources)
    store = Store(db_path)
    store.sync_sources(sources_frame(sources))
    run_id = store.start_run([s.name for s in sources])
    settings = {**overrides, "NEWSMON_DB": str(db_path), "NEWSMON_RUN_ID": run_id}
    status, stats = "failed", {}
    try:
        stats = run_crawl(sources, settings, spider, log_to_stderr=log_to_stderr)
        status = judge(stats)
    except BaseException:
        status = "interrupted"
        raise
    finally:
        store.finish_run(run_id, status, _jsonable(stats))
    logger.info("run %s %s: %d pages", run_id, status, CrawlOutcome(run_id, status, stats).pages)
    return CrawlOutcome(run_id, status, stats)


def sources_frame(sources: Iterable[Source]):
    import pandas as pd
    rows = []
    for s in sources:
        rows.append({
            "name": s.name, "homepage": s.homepage, "language": s.language,
            "feeds": list(s.feeds), "sitemaps": list(s.sitemaps),
            "config": {"delay": s.delay, "concurrency": s.concurrency,
                       "allowed_domains": list(s.allowed_domains),
                       "follow": None if s.follow is None else {
                           "start": list(s.follow.start), "allow": list(s.follow.allow),
                           "deny": list(s.follow.deny), "depth": s.follow.depth}},
        })
    return pd.DataFrame(rows, columns=["name", "homepage", "language", "feeds", "sitemaps",
                                       "config"])


def _jsonable(stats: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in stats.items():
        out[k] = v if isinstance(v, (int, float, str, bool, type(None))) else str(v)
    out["pid"] = os.getpid()
    return out
