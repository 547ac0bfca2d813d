"""Queries during crawls: readers never fail with a lock error, and never break the crawl.

A real `newsmon crawl` runs in another process against a slow generated site
(194 article pages, batches of 10) while this test runs `newsmon sql` and
`newsmon digest` in subprocesses over and over, as users would.  Every call
must exit 0 (at worst after waiting for a batch to commit), and the article
counts they see must never go down.  The reverse: a reader that keeps the
database open for several seconds, longer than the writer's busy timeout,
must not make the crawl lose a batch or fail.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import NO_NLP, ROOT, run_newsmon
from newsmon.data.errors import DatabaseNotFoundError, NotADatabaseError
from newsmon.data.store import connect_read, query
from generated_site import serve_generated_site, write_sources

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

NEWSMON = [sys.executable, "-c", "from newsmon.crawler.cli import main; main()"]
LOCK_WORDS = re.compile(r"lock|busy|Traceback|Error", re.IGNORECASE)


@dataclass
class Call:
    what: str
    seconds: float
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def slow_site(tmp_path):
    server = serve_generated_site(min_latency=0.15)
    yield write_sources(server, tmp_path / "sources.toml", concurrency=2)
    server.stop()


def start_crawl(sources: Path, db: Path, *extra: str) -> subprocess.Popen:
    """A crawl that writes batches of 10, never loads spaCy and extracts without
    trafilatura's fallbacks (these tests check the readers and the writer, not what the
    articles say)."""
    return subprocess.Popen([*NEWSMON, "crawl", "--sources", str(sources), "--db", str(db),
                             "--set", "NEWSMON_BATCH_SIZE=10", *NO_NLP,
                             "--set", "NEWSMON_EXTRACT_FAST=true", *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_articles(db: Path, crawl: subprocess.Popen, timeout: float = 180) -> int:
    """Block until the crawl stored its first batch; return the count then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert crawl.poll() is None, f"the crawl ended early: {crawl.communicate()}"
        try:
            n = int(query(db, "select count(*) n from articles")["n"].iloc[0])
        except (DatabaseNotFoundError, NotADatabaseError):
            n = 0
        if n:
            return n
        time.sleep(0.2)
    raise AssertionError("no batch was stored in time")


def read_repeatedly(what: str, args: list[str], crawl: subprocess.Popen,
                    calls: list[Call], first: int, then: float) -> None:
    """Run `newsmon <args>` until the crawl ends (and once more after): the first `first`
    calls 0.5 s apart (so the counts the test needs are met early, however fast the
    crawl), then one call every `then` seconds (each call is a new process)."""
    while True:
        running = crawl.poll() is None
        began = time.monotonic()
        out = run_newsmon(*args, timeout=120)
        calls.append(Call(what, time.monotonic() - began, out.returncode, out.stdout, out.stderr))
        if not running:
            return
        pause_until = time.monotonic() + (0.5 if len(calls) < first else then)
        while time.monotonic() < pause_until and crawl.poll() is None:
            time.sleep(0.1)  # the call after the crawl comes as soon as it ends


def probe_repeatedly(db: Path, crawl: subprocess.Popen, waits: list[float]) -> None:
    """Open the database read-only in this process until the crawl ends; record how
    long each open-and-count took (the wait for a batch to commit, without start-up costs)."""
    while crawl.poll() is None:
        began = time.monotonic()
        query(db, "select count(*) from articles")
        waits.append(time.monotonic() - began)
        time.sleep(0.5)


def test_sql_and_digest_work_while_a_crawl_writes(slow_site, tmp_path):
    db = tmp_path / "live.duckdb"
    crawl = start_crawl(slow_site, db)
    try:
        first = wait_for_articles(db, crawl)
        sql_calls: list[Call] = []
        digest_calls: list[Call] = []
        waits: list[float] = []
        readers = [
            threading.Thread(target=probe_repeatedly, args=(db, crawl, waits)),
            threading.Thread(target=read_repeatedly, args=(
                "sql", ["sql", "--db", str(db), "--format", "csv",
                        "select count(*) as n from articles"], crawl, sql_calls, 6, 5.0)),
            threading.Thread(target=read_repeatedly, args=(
                "digest", ["digest", "--db", str(db), "--format", "md"], crawl, digest_calls,
                3, 10.0)),
        ]
        for t in readers:
            t.start()
        out, err = crawl.communicate(timeout=600)
        for t in readers:
            t.join(timeout=300)
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()
    assert crawl.returncode == 0, err[-3000:]

    calls = sql_calls + digest_calls
    failed = [c for c in calls if c.returncode != 0 or LOCK_WORDS.search(c.stderr)]
    assert not failed, [(c.what, c.returncode, c.stderr[-500:]) for c in failed]
    counts = [int(c.stdout.split()[-1]) for c in sql_calls]
    assert counts == sorted(counts), f"counts went down: {counts}"
    during = len(sql_calls) - 1  # the last call ran after the crawl ended
    assert during >= 5 and len(digest_calls) - 1 >= 2, (len(sql_calls), len(digest_calls))
    assert len(set(counts[:-1])) >= 2, "the readers should have seen batches land"
    total = int(query(db, "select count(*) n from articles")["n"].iloc[0])
    assert counts[-1] == total
    assert all(c.stdout.startswith("# ") for c in digest_calls)
    quiet = [c.seconds for c in calls[-2:]]  # after the crawl: the cost of a call alone
    print(f"\nconcurrent reads during the crawl: {during} sql + {len(digest_calls) - 1} digest, "
          f"all exit 0; counts seen {first}..{counts[-2]} of {total}; slowest sql call "
          f"{max(c.seconds for c in sql_calls):.2f} s, slowest digest "
          f"{max(c.seconds for c in digest_calls):.2f} s (alone after the crawl: "
          f"{', '.join(f'{s:.2f}' for s in quiet)} s); in-process read-only opens: "
          f"{len(waits)}, longest {max(waits):.2f} s, median {sorted(waits)[len(waits) // 2]:.3f} s")


def test_a_long_reader_does_not_make_the_crawl_lose_a_batch(slow_site, tmp_path):
    db = tmp_path / "held.duckdb"
    # the writer gives up an attempt after 2 s; the reader holds the file for 8 s
    crawl = start_crawl(slow_site, db, "--set", "NEWSMON_BUSY_TIMEOUT=2")
    try:
        wait_for_articles(db, crawl)
        with connect_read(db, timeout=60) as con:  # waits out a batch being written
            held_at = con.execute("select count(*) from articles").fetchone()[0]
            time.sleep(8)
        out, err = crawl.communicate(timeout=600)
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()
    assert crawl.returncode == 0, err[-3000:]
    stats = json.loads(query(db, "select stats from crawl_runs")["stats"].iloc[0])
    kept, stored = stats.get("newsmon/processed", 0), stats.get("newsmon/stored/inserted", 0)
    total = int(query(db, "select count(*) n from articles")["n"].iloc[0])
    print(f"\nreader held the database for 8 s at {held_at} articles; the crawl kept {kept}, "
          f"stored {stored} (busy retries: {stats.get('newsmon/store_busy', 0)})")
    assert kept == stored == total > held_at
