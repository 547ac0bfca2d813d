"""Stopping a crawl within a bound: what happens between SIGTERM (or SIGINT) and exit.

It owns the `stop_requested` signal, `StopOnSignals` (the crawl process's
signal handlers), the `FastStop` extension, `StoppableHTTPDownloadHandler` and
`stop_within` (the same bound for `load` and `worker`).
Scrapy's own graceful shutdown waits for every request the downloader holds:
each queued one waits out its slot's delay first (a source with `delay = 40`
kept a crawl 40 s after SIGTERM), a slow server keeps its download up to
DOWNLOAD_TIMEOUT, a Retry-After wait runs out, and pages already downloaded are
all processed.  Here, the first signal sends `stop_requested` (once per crawl,
also sent when the store fails: `request_stop`), and

* `FastStop` fails the requests queued in the downloader's slots at once
  (IgnoreRequest: not fetched, not recorded; the next run fetches them);
* `StoppableHTTPDownloadHandler` cancels the downloads in flight;
* the spiders stop yielding requests from feeds and sitemaps
  (crawler.spiders.base: `stopping`), middlewares end their waits
  (crawler.middlewares.RetryAfterMiddleware);
* the NLP pool gives pages under way NEWSMON_STOP_GRACE seconds, then its
  processes are stopped and those pages dropped as ``interrupted``
  (crawler.pipelines.process); everything already processed is handed to the
  sink by the delivering stage's last flush (crawler.pipelines.deliver), and
  the run is recorded `interrupted`.

`StopOnSignals` then lets Scrapy's graceful stop run.  If the reactor has not
stopped NEWSMON_STOP_TIMEOUT seconds after the signal, it is stopped (the
store's unflushed buffer is lost; nothing half written: the next run fetches
it); a second signal does that at once.  A last fuse, a thread, ends the
process at NEWSMON_STOP_FUSE seconds (after the caller's `on_fuse`, which
records the run) in case the reactor itself is stuck.

`stop_within` is the same bound for the commands without a reactor (`load`,
`worker`): the first signal asks them to end after the step in hand, and
StopNow is raised in them if they are still running `bound` seconds later.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

#: Scrapy signal, sent once per crawl when it must stop soon (kwargs: reason)
stop_requested = object()
_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopped(IgnoreRequest):
    """A request given up because the crawl is stopping (not a fetch failure)."""


def request_stop(crawler: Any, reason: str) -> None:
    """Send `stop_requested` to `crawler`'s components, once."""
    if getattr(crawler, "newsmon_stop_reason", None):
        return
    crawler.newsmon_stop_reason = reason
    logger.info("stopping the crawl (%s)", reason)
    if crawler.stats is not None:
        crawler.stats.set_value("newsmon/stop_requested", reason)
    crawler.signals.send_catch_log(stop_requested, reason=reason)


def stop_reason(crawler: Any) -> str | None:
    """Why `crawler` is stopping; None while it is not."""
    return getattr(crawler, "newsmon_stop_reason", None)


class FastStop:
    """On `stop_requested`: fail every request waiting in a downloader slot."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        crawler.signals.connect(self.stop, signal=stop_requested)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "FastStop":
        return cls(crawler)

    def stop(self, reason: str) -> None:
        engine = self.crawler.engine
        downloader = getattr(engine, "downloader", None)
        cancelled = 0
        for slot in list(getattr(downloader, "slots", {}).values()):
            queue = getattr(slot, "queue", None)
            while queue:
                request, deferred = queue.popleft()
                deferred.errback(Failure(Stopped(f"not fetched: the crawl is stopping ({reason})")))
                cancelled += 1
        if cancelled:
            self.crawler.stats.inc_value("newsmon/stop/queued_requests_dropped", cancelled)
            logger.info("stopping: %d queued requests dropped (the next run fetches them)",
                        cancelled)


class StoppableHTTPDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler whose downloads in flight end on `stop_requested`."""

    def __init__(self, crawler: Any):
        super().__init__(crawler)
        self._tasks: set[asyncio.Task] = set()
        self._stopping = False
        crawler.signals.connect(self._stop, signal=stop_requested)

    async def download_request(self, request: Any) -> Any:
        if self._stopping:
            raise Stopped(f"not fetched: the crawl is stopping: {request.url}")
        task = asyncio.ensure_future(super().download_request(request))
        self._tasks.add(task)
        try:
            return await task
        except asyncio.CancelledError:
            if self._stopping and task.cancelled():
                raise Stopped(f"download cut short: the crawl is stopping: {request.url}") from None
            raise
        finally:
            self._tasks.discard(task)

    def _stop(self, reason: str) -> None:
        self._stopping = True
        running = [t for t in self._tasks if not t.done()]
        for task in running:
            task.cancel()
        if running:
            self._crawler.stats.inc_value("newsmon/stop/downloads_cut", len(running))


class StopOnSignals:
    """SIGTERM/SIGINT handlers of a crawl process (see the module docstring).

    Used around `CrawlerProcess.start(install_signal_handlers=False)`: `install`
    once the reactor runs, `uninstall` after.  `on_fuse` runs in a thread when the
    process outlives NEWSMON_STOP_FUSE seconds after the signal; the process then
    exits with `fuse_exit_code`.
    """

    def __init__(self, process: Any, timeout: float, fuse: float,
                 on_fuse: Callable[[str], None] | None = None, fuse_exit_code: int = 3):
        # the fuse runs on after `uninstall` once lit, so `on_fuse` may run while the
        # caller records the run itself: both record it interrupted
        self.process = process
        self.timeout = timeout
        self.fuse = max(fuse, timeout)
        self.on_fuse = on_fuse
        self.fuse_exit_code = fuse_exit_code
        self.signal_name: str | None = None
        self.signalled_at: float | None = None
        self._previous: dict[int, Any] = {}
        self._done = threading.Event()

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in _SIGNALS:
            self._previous[sig] = signal.signal(sig, self._handle)

    def uninstall(self) -> None:
        """Give the signals back; a fuse already lit keeps burning: the rest of the
        command (recording the run, its summary, the interpreter's exit) is in the bound."""
        if self.signal_name is None:
            self._done.set()
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def _handle(self, signum: int, frame: Any) -> None:
        from twisted.internet import reactor
        if self.signal_name is not None:  # the second signal: stop now
            reactor.callFromThread(self._stop_reactor, "a second signal")
            return
        self.signal_name = signal.Signals(signum).name
        self.signalled_at = time.monotonic()
        for crawler in list(self.process.crawlers):  # flags first: callbacks see them at once
            crawler.newsmon_signal = self.signal_name
        reactor.callFromThread(self._begin)
        threading.Thread(target=self._fuse, name="stop-fuse", daemon=True).start()

    def _begin(self) -> None:
        from twisted.internet import reactor
        logger.warning("received %s: stopping within %g s; what was processed is stored",
                       self.signal_name, self.timeout)
        for crawler in list(self.process.crawlers):
            request_stop(crawler, self.signal_name or "signal")
        reactor.callLater(self.timeout, self._stop_reactor, f"{self.timeout:g} s passed")
        d = self.process.stop()
        d.addBoth(lambda _: self._stop_reactor(None))

    def _stop_reactor(self, why: str | None) -> None:
        from twisted.internet import reactor
        if why:
            logger.error("the crawl did not stop in time (%s): stopping it now; the articles "
                         "not yet written are fetched again next run", why)
            for crawler in list(self.process.crawlers):
                if crawler.stats is not None:
                    crawler.stats.set_value("newsmon/stop/forced", why)
        if reactor.running:
            try:
                reactor.stop()
            except RuntimeError:  # already stopping
                pass

    def _fuse(self) -> None:
        if self._done.wait(self.fuse):
            return
        why = f"still running {self.fuse:g} s after {self.signal_name}"
        try:
            if self.on_fuse is not None:
                self.on_fuse(why)
        except BaseException as exc:  # the fuse must go off whatever happens
            logger.error("before exiting: %s", exc)
        finally:
            logging.shutdown()
            os._exit(self.fuse_exit_code)


class StopNow(KeyboardInterrupt):
    """Raised in the main thread of `load` or `worker` when it outlives its stop bound."""


@contextmanager
def stop_within(on_stop: Callable[[], None], bound: float) -> Iterator[None]:
    """Bounded stop for the commands without a reactor (`load`, `worker`).

    The first SIGTERM/SIGINT calls `on_stop()` (the command finishes the step in hand
    and ends) and arms a timer: `bound` seconds later, or at a second signal, StopNow
    is raised wherever the main thread is (a transaction under way rolls back).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signalled: list[str] = []

    def on_alarm(signum: int, frame: Any) -> None:
        raise StopNow(f"still running {bound:g} s after {signalled[0]}")

    def on_signal(signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        if signalled:
            raise StopNow(f"{name} received twice")
        signalled.append(name)
        on_stop()
        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, bound)

    previous = {sig: signal.signal(sig, on_signal) for sig in (*_SIGNALS, signal.SIGALRM)}
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
