"""The NLP pool: the processing stage's processes, bounded work per page, a bounded stop.

It owns `PagePool`, a pool of processes (pebble.ProcessPool: a task that runs
past its timeout has its process terminated and a new one started, which a
concurrent.futures pool cannot do) and the outcome of a page sent to it:

* done in time -> its `Processed` record;
* over `page_timeout` seconds -> `PageTimedOut` (the process, stuck in a
  pathological page, is replaced; the pool keeps its other processes);
* its process died (crashed, killed by the OOM killer) -> `ProcessDied` (a new
  process takes its place);
* the pool is stopping -> `PoolStopped`.

`stop(grace)` cancels the pages not started, gives those under way `grace`
seconds, then terminates the processes: a stop never waits for a stuck page.
pebble's processes ignore SIGINT, so Ctrl-C on a terminal reaches the crawl
process only, which stops them itself.

The processes are forked from a 'forkserver' (`forkserver()`, also the context of
`newsmon reannotate`'s pool): a fresh process (the crawl's own
process runs Twisted's reactor and threads, and is never forked) that imports
the `preload` modules once (`newsmon.nlp.preload`: spaCy, the components, the
knowledge tables, the crawl's model); each pool process, and each one that
replaces a process, starts from a copy of it, its pages shared copy-on-write
with its siblings. With 'spawn' every process paid those imports, tables and
its model itself, about 3 CPU-seconds each.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.forkserver
import os
from concurrent.futures import CancelledError, Future
from typing import Any, Callable

from pebble import ProcessExpired, ProcessPool

logger = logging.getLogger(__name__)


class PageTimedOut(Exception):
    """The page took longer than the per-page limit; its process was replaced."""


class ProcessDied(Exception):
    """The pool process died while on the page; a new process took its place."""


class PoolStopped(Exception):
    """The pool is stopping; the page was not (or not completely) processed."""


class PagePool:
    def __init__(self, processes: int, initializer: Callable, initargs: tuple,
                 page_timeout: float,
                 preload: tuple[tuple[str, ...], dict[str, str]] = ((), {})):
        self.page_timeout = page_timeout if page_timeout and page_timeout > 0 else None
        self.stopping = False
        self._futures: set[Future] = set()
        self._pool = ProcessPool(max_workers=processes, initializer=initializer,
                                 initargs=initargs, context=forkserver(*preload))
        for _ in range(processes):  # start them now: spaCy loads while the first pages download
            self._pool.schedule(os.getpid)

    async def run(self, function: Callable, *args: Any) -> Any:
        """`function(*args)` in a pool process, within the page timeout (module docstring)."""
        if self.stopping:
            raise PoolStopped("the pool is stopping")
        future = self._pool.schedule(function, args=args, timeout=self.page_timeout)
        self._futures.add(future)
        try:
            return await asyncio.wrap_future(future)
        except TimeoutError:
            raise PageTimedOut(f"over {self.page_timeout:g} s; its process was replaced") from None
        except (CancelledError, asyncio.CancelledError):
            if self.stopping:
                raise PoolStopped("the pool stopped before the page was done") from None
            raise
        except ProcessExpired as exc:
            if self.stopping:
                raise PoolStopped("the pool stopped before the page was done") from None
            raise ProcessDied(f"pool process exited with code {exc.exitcode}") from None
        finally:
            self._futures.discard(future)

    async def stop(self, grace: float) -> None:
        """Stop: cancel what has not started, wait up to `grace` s for the rest, terminate."""
        if self.stopping:
            return
        self.stopping = True
        waiting = [f for f in self._futures if not f.running() and not f.done()]
        for future in waiting:
            future.cancel()
        running = [asyncio.wrap_future(f) for f in self._futures if not f.done()]
        if running and grace > 0:
            await asyncio.wait(running, timeout=grace)
        left = sum(not f.done() for f in self._futures)
        if left:
            logger.warning("stopping: %d page(s) still being processed after %g s are dropped",
                           left, grace)
        self._pool.stop()

    def close(self, wait: bool = True) -> None:
        """Release the processes: after the pages under way (`wait`), or at once."""
        if self.stopping or not wait:
            self._pool.stop()
        else:
            self._pool.close()
        try:
            self._pool.join(timeout=5 if self.stopping or not wait else None)
        except TimeoutError:
            logger.warning("NLP pool processes did not exit within 5 s")


def forkserver(modules: tuple[str, ...], environment: dict[str, str]) -> multiprocessing.context.BaseContext:
    """The 'forkserver' context, its server started now, importing `modules` with
    `environment` added to this process's (module docstring). A process has one
    forkserver: a later call reuses it as it is. This process's own environment is
    left as it was."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(modules))
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)  # the server inherits the environment at its start
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return context
