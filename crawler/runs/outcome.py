"""What a crawl came to: its status (what cron sees as the exit code) and its figures.

It owns `judge`, the one rule for a one-process crawl (crawler.runs.record) and
for each process of a frontier crawl (crawler.distributed.crawl), and
`Outcome`, the status with the stats it was judged from:

- `frontier_lost`: (frontier crawls) Redis went away or refused a command;
- `failed`: kept articles could not be delivered (`newsmon/store_failed`: a
  full disk, a damaged file, fetch-record rows that could not be staged; a
  crawl stops at the first failed write);
- `interrupted`: stopped by SIGINT/SIGTERM (crawler.shutdown: finish reason
  `shutdown`, or the reactor stopped at the stop timeout); what was already
  processed is stored;
- `failed`: Scrapy did not finish normally (an exception), or, for a
  one-process crawl (`require_pages`), not one article page was accounted for
  although sources were given: fetched, answered 304 or skipped as known (an
  incremental run that found every page known fetched what it had to, and is
  `ok`); a process of a frontier crawl may fetch nothing because the others
  did the work;
- `ok`: otherwise, even when every page was dropped as off-topic.

`article_pages(stats)` is the one count of article pages fetched
(``newsmon/pages/<via>``), reported by both kinds of crawl.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STAT_FRONTIER_ERROR = "newsmon/frontier_error"
FRONTIER_LOST = "frontier_lost"  # the finish reason and the status
SIGNALS = ("SIGTERM", "SIGINT")  # newsmon/stop_requested values that mean "interrupted"


def article_pages(stats: dict[str, Any]) -> int:
    """Article pages fetched (``newsmon/pages/feed|sitemap|links``)."""
    return sum(v for k, v in stats.items() if k.startswith("newsmon/pages/"))


def pages_accounted(stats: dict[str, Any]) -> int:
    """Article pages fetched, answered 304 or skipped as known (nothing left undone)."""
    return article_pages(stats) + sum(
        v for k, v in stats.items()
        if k.startswith("newsmon/not_modified/") or k == "newsmon/skipped_known")


def judge(stats: dict[str, Any], *, require_pages: bool = True) -> str:
    """The crawl's status from its stats (module docstring)."""
    reason = stats.get("finish_reason")
    if stats.get(STAT_FRONTIER_ERROR) or reason == FRONTIER_LOST:
        return "frontier_lost"
    if stats.get("newsmon/store_failed"):  # kept articles that could not be delivered
        return "failed"
    if reason == "shutdown" or stats.get("newsmon/stop_requested") in SIGNALS:
        return "interrupted"
    if reason != "finished":
        return "failed"
    if require_pages and pages_accounted(stats) == 0:
        return "failed"
    return "ok"


@dataclass
class Outcome:
    """A judged crawl: `run` is the crawl_runs id (one-process) or the run's name (frontier)."""
    run: int | str
    status: str  # ok | failed | interrupted | frontier_lost
    stats: dict[str, Any]

    @property
    def run_id(self) -> int | str:
        return self.run

    @property
    def pages(self) -> int:
        return article_pages(self.stats)

    @property
    def error(self) -> str | None:
        return self.stats.get(STAT_FRONTIER_ERROR)

    def dropped(self) -> dict[str, int]:
        return _under(self.stats, "newsmon/dropped/")

    def failures(self) -> dict[str, int]:
        return _under(self.stats, "newsmon/fetch_failed/")


def _under(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}
