"""One recorded crawl: lock the database, open a run, crawl, close the run with its stats.

It owns the run's life cycle around `crawler.runs.runner.run_crawl`; the
status is `crawler.runs.outcome.judge`'s (a signal that arrives outside the
crawl also makes it `interrupted`).

The whole life cycle runs under the database's run lock (`data.lock`), so
a second crawl of the same database exits with `RunLockedError` before it
writes anything; holding the lock also proves that runs still marked
`running` belong to dead processes, so they are marked `interrupted` first.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

from newsmon.data.lock import RunLock
from newsmon.crawler.runs.outcome import Outcome, judge
from newsmon.crawler.runs.runner import run_crawl
from newsmon.crawler.sources import Source
from newsmon.crawler.settings import NEWSMON_MIN_FREE_MB
from newsmon.data.connection import check_header
from newsmon.data.errors import DataError
from newsmon.data.search import refresh_after_write
from newsmon.data.store import Store

logger = logging.getLogger(__name__)



def crawl_and_record(sources: Iterable[Source], db_path: str, overrides: dict[str, Any],
                     *, spider: str = "news", log_to_stderr: bool = False) -> Outcome:
    """Crawl `sources` into `db_path`, recorded as a row of crawl_runs.

    Raises RunLockedError (nothing written) when another run holds the
    database, NotADatabaseError (file untouched) when it is not DuckDB.
    """
    sources = list(sources)
    check_header(Path(db_path))  # before the lock file appears beside someone's file
    min_free = float(overrides.get("NEWSMON_MIN_FREE_MB", NEWSMON_MIN_FREE_MB))
    with RunLock(db_path), _sigterm_interrupts():
        # a damaged or newer database, a read-only or full disk: refused here, before fetching
        store = Store(db_path, min_free_mb=min_free)
        store.mark_interrupted_runs(all_running=True)
        store.sync_sources(sources_frame(sources))
        run_id = store.start_run([s.name for s in sources])
        settings = {**overrides, "NEWSMON_DB": str(db_path), "NEWSMON_RUN_ID": run_id}
        status, stats = "failed", {}

        def on_fuse(why: str) -> None:  # the process is about to end (crawler.shutdown)
            _finish(store, run_id, "interrupted", {"newsmon/stop/fuse": why})

        try:
            stats = run_crawl(sources, settings, spider, log_to_stderr=log_to_stderr,
                              on_fuse=on_fuse)
            status = judge(stats)
        except KeyboardInterrupt:  # SIGINT, or SIGTERM outside Scrapy's reactor
            status = "interrupted"
            raise
        finally:
            _finish(store, run_id, status, _jsonable(stats))
        if status != "interrupted" and not stats.get("newsmon/store_failed"):
            refresh_after_write(db_path)  # still under the run lock: the one writer
    outcome = Outcome(run_id, status, stats)
    logger.info("run %s %s: %d pages", run_id, status, outcome.pages)
    return outcome


def _finish(store: Store, run_id: int, status: str, stats: dict[str, Any]) -> None:
    """Close the run; when even that write fails (disk gone), say so: the next run marks
    it interrupted."""
    try:
        store.finish_run(run_id, status, stats)
    except DataError as exc:
        logger.error("run %s could not be recorded as %s: %s", run_id, status, exc)


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt (so the run is closed as interrupted) while
    no crawl runs; during the crawl Scrapy's own handler shuts it down gracefully."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


def sources_frame(sources: Iterable[Source]):
    import pandas as pd
    rows = []
    for s in sources:
        rows.append({
            "name": s.name, "homepage": s.homepage, "language": s.language,
            "feeds": list(s.feeds), "sitemaps": list(s.sitemaps),
            "config": {"delay": s.delay, "concurrency": s.concurrency,
                       "allowed_domains": list(s.allowed_domains),
                       "ignore_params": list(s.ignore_params),
                       "keep_params": list(s.keep_params),
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
