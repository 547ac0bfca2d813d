"""Running one crawl: sources + setting overrides in, Scrapy's stats out.

It owns `run_crawl`, which runs a spider over the given sources in this
process with Scrapy's CrawlerProcess and returns the crawl's stats, and
`run_crawl_isolated`, which does the same in a child process.
A Twisted reactor cannot be restarted, so a process can run `run_crawl` once;
callers that crawl more than once (tests, a long-running caller) use
`run_crawl_isolated`.  Its children are forked from a 'forkserver'
(`crawler.pipelines.pool.forkserver`) that imported the crawl's modules once
(`CRAWL_MODULES`: Scrapy, Twisted, trafilatura, pandas, DuckDB and newsmon's
crawl path, about 1.4 CPU-seconds that a 'spawn' child paid on every call).
Those imports install no reactor and start no thread, so each child is as
fresh as a spawned one, and it takes the caller's environment as it is at the
call.  A process has one forkserver: where an NLP pool (`newsmon reannotate`)
started it first, the crawls fork from that one and import what it lacks.
Neither configures logging unless asked
(`log_to_stderr=True`, for the CLI).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import time
import traceback
from typing import Any, Callable, Iterable

from scrapy.crawler import CrawlerProcess

from newsmon.crawler.pipelines.pool import forkserver
from newsmon.crawler.settings import build_settings
from newsmon.crawler.shutdown import StopOnSignals
from newsmon.crawler.sources import Source

logger = logging.getLogger(__name__)

# what a crawl imports, imported once by run_crawl_isolated's forkserver (not spaCy: the
# crawl's own process never annotates unless told to, and its NLP pool has its own server)
CRAWL_MODULES = ("newsmon.crawler.runs.runner", "newsmon.crawler.spiders",
                 "newsmon.crawler.pipelines.process", "newsmon.crawler.pipelines.deliver",
                 "newsmon.data.store", "newsmon.data.search")


class CrawlError(RuntimeError):
    """The crawl could not run (bad spider name, crashed or hung child process)."""


def run_crawl(sources: Iterable[Source], settings_overrides: dict[str, Any] | None = None,
              spider: str = "news", *, log_to_stderr: bool = False,
              install_signal_handlers: bool = True,
              on_fuse: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Crawl `sources` with spider `spider` ("news", "feeds", "sitemaps" or "links").

    Blocks until the crawl ends and returns its stats (``newsmon/...`` keys and
    Scrapy's own).  Once per process: the reactor cannot restart.  With
    `log_to_stderr`, Scrapy installs its root log handler (LOG_LEVEL etc.).
    With `install_signal_handlers`, SIGTERM/SIGINT stop the crawl within a bound
    (crawler.shutdown.StopOnSignals; `on_fuse` runs before the last-resort exit).
    """
    from newsmon.crawler.spiders import SPIDERS  # imported late: the child process needs nothing else
    if spider not in SPIDERS:
        raise CrawlError(f"unknown spider {spider!r}; known: {', '.join(sorted(SPIDERS))}")
    sources = list(sources)
    settings = build_settings(sources, settings_overrides or {})
    settings.set("LOG_INSTALL_ROOT_HANDLER", log_to_stderr, priority="cmdline")
    process = CrawlerProcess(settings)
    if not log_to_stderr:
        # Scrapy's logging defaults set its loggers to DEBUG; follow the caller's level
        logging.getLogger("scrapy").setLevel(logging.getLogger().getEffectiveLevel())
    crawler = process.create_crawler(SPIDERS[spider])
    process.crawl(crawler, sources=sources)
    stopper = None
    if install_signal_handlers:
        from twisted.internet import reactor
        stopper = StopOnSignals(process, settings.getfloat("NEWSMON_STOP_TIMEOUT"),
                                settings.getfloat("NEWSMON_STOP_FUSE"), on_fuse)
        reactor.addSystemEventTrigger("after", "startup", stopper.install)
    try:
        process.start(install_signal_handlers=False)
    finally:
        if stopper is not None:
            stopper.uninstall()
    stats = dict(crawler.stats.get_stats() if crawler.stats else {})
    logger.info("crawl %s finished: %s", spider, stats.get("finish_reason"))
    return stats


def _child(out: "multiprocessing.Queue", sources: list[Source], overrides: dict[str, Any],
           spider: str, environment: dict[str, str]) -> None:
    os.environ.clear()  # the caller's, not the forkserver's from when it started
    os.environ.update(environment)
    try:
        out.put(("ok", run_crawl(sources, overrides, spider)))
    except BaseException as exc:  # report everything: the parent must not hang
        out.put(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


def run_crawl_isolated(sources: Iterable[Source], settings_overrides: dict[str, Any] | None = None,
                       spider: str = "news", *, timeout: float = 300.0) -> dict[str, Any]:
    """`run_crawl` in a fresh child process (so it can be called many times; module
    docstring).

    Everything passed must be picklable, and settings that name classes (e.g.
    ITEM_PIPELINES) must name importable ones.  Raises `CrawlError` when the
    child fails or runs longer than `timeout` seconds (it is then terminated).
    """
    ctx = forkserver(CRAWL_MODULES, {})
    out = ctx.Queue()
    # not a daemon: the crawl may start its own worker processes (NLP pool)
    proc = ctx.Process(target=_child, args=(out, list(sources), dict(settings_overrides or {}),
                                            spider, dict(os.environ)))
    proc.start()
    try:
        status, payload = _wait_for_result(out, proc, timeout)
    finally:
        proc.join(timeout=10)
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout=5)
    if status != "ok":
        raise CrawlError(f"crawl failed in child process: {payload}")
    return payload


def _wait_for_result(out: "multiprocessing.Queue", proc: Any, timeout: float) -> tuple[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return out.get(timeout=0.5)
        except queue.Empty:
            pass
        if not proc.is_alive():
            try:
                return out.get(timeout=1.0)
            except queue.Empty:
                raise CrawlError(f"crawl process died (exit code {proc.exitcode})") from None
        if time.monotonic() > deadline:
            raise CrawlError(f"crawl did not finish within {timeout:.0f} s")
