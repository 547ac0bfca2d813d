"""The shared frontier: the Redis connection, one run's key names, and `FrontierError`.

It owns how newsmon talks to Redis: `connect` (bounded timeouts and retries,
so a lost server is noticed within seconds), `open_frontier` (connect and
check, or a one-line `FrontierError` naming host:port and what was being done),
`RunKeys` (every key of a run lives under ``newsmon:<run>:``), the run name
(`default_run_name`, `check_run_name`) and the safety-net expiry of a run's keys.

Keys of run R (all under ``newsmon:R:``):

    requests            scrapy-redis's request queue (sorted set of JSON requests)
    dupefilter          scrapy-redis's duplicate filter (set of request fingerprints)
    seeder, seeded      who yields the start requests, and that they are all queued
    crawlers            crawl processes of the run; alive:<id> and busy:<id> are theirs
    done                set by the last crawl process to finish normally
    articles            extracted articles (JSON) waiting for an NLP worker
    workers             worker processes; worker:<id> is a worker's heartbeat and
                        processing:<id> the articles it has taken and not yet staged
    listings            feed and sitemap fetch-record rows, staged once the articles are
    dead                messages a worker could not read (kept for inspection)

Memory policy: the duplicate filter (one 40-character SHA-1 hex string per
request) and the request queue are per run and deleted when the run finishes
(the last crawl process to close normally deletes them), so Redis holds at most
one run's fingerprints per run name; the persistent fetch record in DuckDB, not
Redis, decides what the next run fetches.  As a safety net for runs that never
finish (every crawl process killed), each key of a run is given an EXPIRE of
NEWSMON_FRONTIER_RUN_TTL (7 days), renewed while the run is alive.  The small
control keys of a finished run linger NEWSMON_FRONTIER_DONE_TTL (10 minutes) so
that a crawl process joining late stops at once instead of starting the run again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

KEY_PREFIX = "newsmon"
RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
REDIS_ERRORS = (redis.exceptions.RedisError, OSError)
RETRIES = 3  # per command, with 0.2 s .. 2 s back-off: a lost server fails within seconds


class FrontierError(RuntimeError):
    """The Redis frontier is unreachable or was lost during a run."""


@dataclass(frozen=True)
class RunKeys:
    """The Redis key names of one run (module docstring)."""
    run: str

    def key(self, *parts: str) -> str:
        return ":".join((KEY_PREFIX, self.run, *parts))

    @property
    def requests(self) -> str:
        return self.key("requests")

    @property
    def dupefilter(self) -> str:
        return self.key("dupefilter")

    @property
    def seeder(self) -> str:
        return self.key("seeder")

    @property
    def seeded(self) -> str:
        return self.key("seeded")

    @property
    def crawlers(self) -> str:
        return self.key("crawlers")

    @property
    def done(self) -> str:
        return self.key("done")

    @property
    def articles(self) -> str:
        return self.key("articles")

    @property
    def workers(self) -> str:
        return self.key("workers")

    @property
    def listings(self) -> str:
        return self.key("listings")

    @property
    def dead(self) -> str:
        return self.key("dead")

    def alive(self, member: str) -> str:
        return self.key("alive", member)

    def busy(self, member: str) -> str:
        return self.key("busy", member)

    def worker(self, member: str) -> str:
        return self.key("worker", member)

    def processing(self, member: str) -> str:
        return self.key("processing", member)

    def run_keys(self) -> list[str]:
        """The keys that carry the run's safety-net EXPIRE (members' keys have their own)."""
        return [self.requests, self.dupefilter, self.seeder, self.seeded, self.crawlers,
                self.articles, self.workers, self.listings, self.dead]

    def control_keys(self) -> list[str]:
        """The small keys a finished run keeps for a while (NEWSMON_FRONTIER_DONE_TTL)."""
        return [self.seeder, self.seeded, self.crawlers, self.done]


def check_run_name(name: str) -> str:
    """`name` when it is a valid run name (letters, digits, '.', '_', '-'), else ValueError."""
    if not RUN_NAME.match(name or ""):
        raise ValueError(f"invalid run name {name!r}: use 1-80 letters, digits, '.', '_' or '-'")
    return name


def default_run_name(sources_path: str | Path, today: datetime | None = None) -> str:
    """``<sources file stem>-<8 hex of its content>-<YYYYMMDD UTC>``: the same on every
    machine that has the same sources file, on the same day."""
    path = Path(sources_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-._") or "sources"
    day = (today or datetime.now(timezone.utc)).strftime("%Y%m%d")
    return f"{stem[:40]}-{digest}-{day}"


def member_id() -> str:
    """A process's id within a run: host, pid and a random suffix (pids get reused)."""
    host = re.sub(r"[^A-Za-z0-9.-]+", "-", socket.gethostname())[:40] or "host"
    return f"{host}-{os.getpid()}-{secrets.token_hex(2)}"


def describe(url: str) -> str:
    """``host:port/db`` (or the socket path) of a Redis URL, never its password."""
    try:
        kwargs = redis.connection.parse_url(url)
    except ValueError:
        return url.rsplit("@", 1)[-1]
    if kwargs.get("path"):
        return f"{kwargs['path']} (db {kwargs.get('db', 0)})"
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"


def connect(url: str, timeout: float = 10.0) -> redis.Redis:
    """A Redis client for `url` with bounded timeouts and retries (lazy: no I/O yet).

    Raises FrontierError for a URL Redis cannot parse.
    """
    try:
        return redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=min(timeout, 5.0),
            retry=Retry(ExponentialBackoff(cap=2.0, base=0.2), RETRIES),
            health_check_interval=30)
    except ValueError as exc:
        raise FrontierError(f"bad frontier URL {describe(url)!r}: {exc} "
                            "(expected redis://HOST:PORT/DB)") from None


def open_frontier(url: str, doing: str, timeout: float = 10.0) -> redis.Redis:
    """A connected client, or FrontierError("cannot reach the frontier at h:p/db (doing): why")."""
    client = connect(url, timeout)
    try:
        client.ping()
    except REDIS_ERRORS as exc:
        raise FrontierError(f"cannot reach the frontier at {describe(url)} ({doing}): "
                            f"{reason(exc)}") from None
    return client


def lost_message(url: str, doing: str, exc: BaseException) -> str:
    """The one-line message for a frontier lost during a run."""
    return f"lost the frontier at {describe(url)} while {doing}: {reason(exc)}"


def reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def expire_keys(client: redis.Redis, keys: Iterable[str], ttl: int) -> None:
    """(Re)set the EXPIRE of `keys` (those that exist) to `ttl` seconds, in one round trip."""
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.expire(key, int(ttl))
    pipe.execute()


def live_members(client: redis.Redis, members_key: str,
                 alive_key: Callable[[str], str]) -> tuple[list[str], list[str]]:
    """The members of set `members_key` whose `alive_key(member)` exists, and the others."""
    members = sorted(m.decode() if isinstance(m, bytes) else m
                     for m in client.smembers(members_key))
    if not members:
        return [], []
    pipe = client.pipeline(transaction=False)
    for member in members:
        pipe.exists(alive_key(member))
    flags = pipe.execute()
    live = [m for m, f in zip(members, flags) if f]
    return live, [m for m, f in zip(members, flags) if not f]


def crawl_finished(client: redis.Redis, keys: RunKeys) -> bool:
    """Whether no crawl process will queue more articles: the run is marked done, or
    it was seeded, its request queue is empty and no crawl process is alive (all of
    them died before one could mark it done)."""
    if client.exists(keys.done):
        return True
    if not client.exists(keys.seeded) or client.zcard(keys.requests):
        return False
    live, _ = live_members(client, keys.crawlers, keys.alive)
    return not live
