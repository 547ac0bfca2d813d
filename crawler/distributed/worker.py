"""One NLP worker (`newsmon worker --frontier URL`): articles from Redis -> spaCy -> staging.

It owns `Worker`, a reliable-queue consumer of a run's ``articles`` list:

* take: BLMOVE moves up to `batch` messages from ``articles`` to the worker's
  own ``processing:<id>`` list, atomically, so a message is always in exactly
  one of them;
* annotate: with `nlp.annotate.annotate_texts` (the crawl's own entry point:
  languages the pipeline does not annotate, and texts that break it, are
  staged unannotated, as in a one-process crawl);
* stage: one Parquet batch (data.staging.stage_batch: articles, mentions,
  figures and the articles' fetch-record rows), then ack (delete its
  processing list);
* load: after a staged batch, at most every `load_every` seconds, it tries the
  database's run lock without waiting and, when it gets it, runs
  `data.staging.load_staged` (every staged batch, whoever staged it); at exit
  it waits up to `lock_wait` seconds for the lock to load what is left.

A heartbeat thread renews ``worker:<id>`` (TTL `heartbeat_ttl`).  A worker
whose heartbeat has expired (killed, machine gone) has its processing list
pushed back onto ``articles`` by any other worker: at-least-once delivery; a
message processed twice is staged twice and the idempotent loader stores the
article once.  Unreadable messages go to the run's ``dead`` list.

When the crawl is finished (frontier.crawl_finished) and the articles list
and every processing list are empty, the worker stages the run's feed and
sitemap rows (after every article: crawler.fetchrecord's rule) and stops; with
`forever` it goes on waiting for the next run of the same name.  `stop()` (SIGTERM) lets it finish the
batch in hand, and the final load then ends STOP_LOAD_SECONDS after the stop
(what is not loaded stays staged; the CLI cuts a batch that takes longer short:
crawler.shutdown.stop_within, its articles go back to the queue).  Losing Redis raises FrontierError; staged batches stay staged.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from newsmon.crawler.distributed.frontier import (REDIS_ERRORS, FrontierError, RunKeys,
                                          crawl_finished, live_members, lost_message,
                                          member_id, open_frontier)
from newsmon.crawler.distributed.messages import (ArticleMessage, MessageError, decode, decode_pages,
                                          staged_frames)
from newsmon.data.errors import DatabaseBusyError, DataError
from newsmon.data.lock import RunLock, RunLockedError
from newsmon.data.rows import pages_frame
from newsmon.data.staging import LoadReport, list_batches, load_staged, stage_batch
from newsmon.nlp.models import DEFAULT_MODEL

logger = logging.getLogger(__name__)

RECOVER_EVERY = 5.0  # seconds between looks for dead workers' processing lists
STOP_LOAD_SECONDS = 4.0  # after stop(): the final load waits for the lock and loads this long


@dataclass
class WorkerConfig:
    frontier: str
    run: str
    db_path: Path
    staging_dir: Path
    model: str = DEFAULT_MODEL
    batch: int = 32
    forever: bool = False
    load: bool = True  # load staged batches into the database when the run lock is free
    lock_wait: float = 120.0  # seconds to wait for the run lock at exit
    load_every: float = 10.0  # seconds between a worker's loads during the run
    heartbeat_ttl: int = 15
    run_ttl: int = 7 * 86400  # EXPIRE of the worker's keys (frontier.py's safety net)
    poll: float = 1.0  # seconds a take waits for an article
    timeout: float = 10.0  # seconds a Redis command may take


@dataclass
class WorkerReport:
    worker: str = ""
    articles: int = 0
    annotated: int = 0
    batches: int = 0
    recovered: int = 0  # messages pushed back from dead workers
    unreadable: int = 0
    listing_rows: int = 0
    load: LoadReport = field(default_factory=LoadReport)
    left_staged: int = 0  # batches still staged at exit because the run lock stayed taken


class Worker:
    """A worker of run `config.run` (module docstring)."""

    def __init__(self, config: WorkerConfig, nlp: Any = None):
        self.config = config
        self.keys = RunKeys(config.run)
        self.id = member_id()
        self.report = WorkerReport(worker=self.id)
        self._nlp = nlp
        self._stop = threading.Event()
        self._stop_by: float | None = None  # set by stop(): when the final load must end
        self._beat_error: BaseException | None = None
        self._crawl_done = False
        self._recovered_at = 0.0
        self._loaded_at = time.monotonic()
        self.redis: Any = None

    @property
    def stopped(self) -> bool:
        """True once stop() was called (a signal, not the end of the run)."""
        return self._stop_by is not None

    def stop(self) -> None:
        """Finish the batch in hand, then stop (signal-handler safe); the final load
        then gets until STOP_LOAD_SECONDS after this call."""
        if self._stop_by is None:
            self._stop_by = time.monotonic() + STOP_LOAD_SECONDS
        self._stop.set()

    def load_nlp(self) -> None:
        """Load the NLP pipeline (unless given) and what it loads on first use: the entity
        check's encoder loads here, not in the first batch, where its import and load (long
        calls into C, which a signal waits for) took a SIGTERM past the stop bound."""
        if self._nlp is None:
            from newsmon.nlp.pipeline import load_pipeline, warm
            self._nlp = load_pipeline(self.config.model)
            warm(self._nlp)

    # -- the run --------------------------------------------------------------------
    def run(self) -> WorkerReport:
        self.redis = open_frontier(self.config.frontier, f"starting worker for run {self.config.run}",
                                   self.config.timeout)
        self.load_nlp()
        doing = "registering this worker"
        beat = threading.Thread(target=self._heartbeat, name="worker-heartbeat", daemon=True)
        try:
            self._beat()
            beat.start()
            doing = "taking articles"
            self._loop()
            doing = "leaving the run"
            self._leave()
        except REDIS_ERRORS as exc:
            raise FrontierError(lost_message(self.config.frontier, doing, exc)) from None
        except BaseException:
            self._requeue_own()
            raise
        finally:
            self._stop.set()
            self._final_load(quiet=sys.exc_info()[0] is not None)
        return self.report

    def _loop(self) -> None:
        while not self._stop.is_set():
            if self._beat_error is not None:
                raise self._beat_error
            if time.monotonic() - self._recovered_at > RECOVER_EVERY:
                self._recover()
            raws = self._take()
            if raws:
                self._process(raws)
                if time.monotonic() - self._loaded_at >= self.config.load_every:
                    self._load(wait=0.0)
            elif self._finished():
                self._stage_listings()
                if not self.config.forever:
                    return

    # -- queue ----------------------------------------------------------------------
    def _take(self) -> list[bytes]:
        k, mine = self.keys, self.keys.processing(self.id)
        first = self.redis.blmove(k.articles, mine, self.config.poll, "RIGHT", "LEFT")
        if first is None:
            return []
        raws = [first]
        while len(raws) < self.config.batch:
            raw = self.redis.lmove(k.articles, mine, "RIGHT", "LEFT")
            if raw is None:
                break
            raws.append(raw)
        return raws

    def _ack(self) -> None:
        self.redis.delete(self.keys.processing(self.id))

    def _recover(self) -> None:
        """Push dead workers' processing lists back onto the articles list."""
        self._recovered_at = time.monotonic()
        k = self.keys
        _, dead = live_members(self.redis, k.workers, k.worker)
        for member in dead:
            moved = 0
            while self.redis.lmove(k.processing(member), k.articles, "RIGHT", "RIGHT") is not None:
                moved += 1
            self.redis.srem(k.workers, member)
            if moved:
                logger.warning("worker %s stopped answering; %d articles it held go back "
                               "to the queue", member, moved)
                self.report.recovered += moved

    def _finished(self) -> bool:
        k = self.keys
        done = crawl_finished(self.redis, k)
        if not self.config.forever:  # a run that finished stays finished (its marks expire)
            done = self._crawl_done = self._crawl_done or done
        if not done or self.redis.llen(k.articles):
            return False
        self._recover()
        members = [m.decode() for m in self.redis.smembers(k.workers)]
        return not any(self.redis.llen(k.processing(m)) for m in members) \
            and not self.redis.llen(k.articles)

    # -- work -------------------------------------------------------------------------
    def _process(self, raws: list[bytes]) -> None:
        messages = self._readable(raws)
        if messages:
            annotations = self._annotate(messages)
            stage_batch(self.config.staging_dir, **staged_frames(messages, annotations))
            self.report.articles += len(messages)
            self.report.annotated += sum(a is not None for a in annotations)
            self.report.batches += 1
        self._ack()

    def _readable(self, raws: list[bytes]) -> list[ArticleMessage]:
        """Decoded messages, one per canonical URL (the last of the first source wins, with
        every message's fetch-record rows); unreadable ones to ``dead``."""
        by_url: dict[str, ArticleMessage] = {}
        for raw in raws:
            try:
                message = decode(raw)
            except MessageError as exc:
                logger.warning("unreadable message moved to %s: %s", self.keys.dead, exc)
                self.redis.lpush(self.keys.dead, raw)
                self.report.unreadable += 1
                continue
            earlier = by_url.pop(message.canonical_url, None)
            if earlier is not None:
                pages = {p["url"]: p for p in earlier.pages + message.pages}
                owner = earlier.article.get("source")
                # the first source owns the article (data.rows); its last row wins
                winner = (earlier if owner and message.article.get("source") not in (None, owner)
                          else message)
                message = ArticleMessage(winner.article, list(pages.values()))
            by_url[message.canonical_url] = message
        return list(by_url.values())

    def _annotate(self, messages: list[ArticleMessage]) -> list[Any]:
        from newsmon.nlp.annotate import annotate_texts
        return annotate_texts(self._nlp, [m.text for m in messages],
                              [m.language for m in messages], batch_size=self.config.batch)

    def _stage_listings(self) -> None:
        """Stage the run's feed and sitemap rows (the first worker to take them)."""
        k = self.keys
        mine = k.key("listings", self.id)
        if not self.redis.exists(k.listings):
            return
        try:
            self.redis.rename(k.listings, mine)
        except redis.exceptions.ResponseError:  # another worker took them first
            return
        rows = [row for raw in self.redis.lrange(mine, 0, -1) for row in decode_pages(raw)]
        if rows:
            stage_batch(self.config.staging_dir, pages=pages_frame(rows))
            self.report.listing_rows += len(rows)
        self.redis.delete(mine)

    # -- membership -------------------------------------------------------------------
    def _beat(self) -> None:
        k = self.keys
        pipe = self.redis.pipeline(transaction=False)
        pipe.sadd(k.workers, self.id)
        pipe.set(k.worker(self.id), 1, ex=self.config.heartbeat_ttl)
        for key in (k.workers, k.processing(self.id)):  # safety net: frontier.py
            pipe.expire(key, self.config.run_ttl)
        pipe.execute()

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.config.heartbeat_ttl / 3):
            try:
                self._beat()
            except REDIS_ERRORS as exc:
                self._beat_error = exc
                return

    def _requeue_own(self) -> None:
        """Failing with articles in hand: put them back for the other workers (best effort)."""
        k = self.keys
        try:
            while self.redis.lmove(k.processing(self.id), k.articles, "RIGHT", "RIGHT") is not None:
                pass
        except REDIS_ERRORS as exc:
            logger.debug("could not put articles back: %s", exc)

    def _leave(self) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.srem(self.keys.workers, self.id)
        pipe.delete(self.keys.worker(self.id))
        pipe.execute()

    # -- loading ----------------------------------------------------------------------
    def _load(self, wait: float) -> bool:
        """Load staged batches if the run lock can be had within `wait` seconds."""
        if not self.config.load:
            return False
        self._loaded_at = time.monotonic()
        lock = RunLock(self.config.db_path)
        deadline = time.monotonic() + wait
        if self._stop_by is not None:  # stopping: within the stop's bound, what fits
            deadline = min(deadline, self._stop_by)
        while True:
            try:
                lock.acquire()
                break
            except RunLockedError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.5)
        stop_by = self._stop_by
        try:
            self.report.load.merge(load_staged(
                self.config.db_path, self.config.staging_dir,
                stop=None if stop_by is None else (lambda: time.monotonic() > stop_by)))
        except DatabaseBusyError as exc:
            if wait:
                raise
            logger.warning("%s; the batches stay staged for the next load", exc)
            return False
        finally:
            lock.release()
        return True

    def _final_load(self, quiet: bool) -> None:
        """Load what is left; when already failing, only log a load failure."""
        loaded = False
        try:
            if self.config.load and list_batches(self.config.staging_dir):
                loaded = self._load(wait=self.config.lock_wait)
            else:
                loaded = True  # nothing of this worker's left to load
        except DataError as exc:
            if not quiet:
                raise
            logger.error("the staged batches stay in %s: %s", self.config.staging_dir, exc)
        # batches staged after a successful final load belong to processes still running
        # (e.g. the worker staging the run's feed rows), which load them at their own exit
        self.report.left_staged = 0 if loaded else len(list_batches(self.config.staging_dir))

