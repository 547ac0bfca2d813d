"""Crash safety: a crawl killed with SIGKILL loses nothing stored and resumes without duplicates.

A generated site of 194 article pages (185 on topic) is crawled once cleanly
into a reference database.  Then the same site is crawled into a fresh
database by a real `newsmon crawl` process with batches of 10, which is
killed with SIGKILL once a given share of the articles is stored (the
database is polled read-only meanwhile, as a user's query would).  One
on-topic article page is held back by the server until the kill, so the
killed crawl cannot finish (and close its run) between the poll that sees the
share and the kill landing, however late that poll's read gets in.  The
killed database must open, hold only complete articles (text, mentions and
figures identical to the reference), and a second normal crawl must bring it
to exactly the reference: zero lost, zero duplicated, and not one stored
article processed again (it picks up where the killed run stopped).

Every crawl annotates with the session's tiny pipeline (conftest `tiny_model`):
the comparison is of each article's rows with the reference's, whatever entities
a model finds, and the tiny one finds them several times faster.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, run_newsmon
from newsmon.data.errors import DatabaseNotFoundError, NotADatabaseError
from newsmon.data.store import query
from generated_site import serve_generated_site, write_sources
from newsmon.crawler.localserver import LocalServer

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

BATCH = ["--set", "NEWSMON_BATCH_SIZE=10"]
PER_ARTICLE = """
select a.canonical_url, a.text_hash, a.annotated,
       (select count(*) from mentions m where m.article_id = a.article_id) as mentions,
       (select count(*) from figures f where f.article_id = a.article_id) as figures
from articles a order by a.canonical_url
"""


@pytest.fixture(scope="module")
def server():
    """The generated site (one server for the module, so URLs match the reference)."""
    server = serve_generated_site(min_latency=0.02)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(server, tmp_path_factory) -> Path:
    """The sources file naming `server`."""
    return write_sources(server, tmp_path_factory.mktemp("site") / "sources.toml")


@contextmanager
def held_back(server: LocalServer, url: str):
    """While inside, the server answers the page at `url` only when the block ends
    (or after 5 minutes): a crawl that requested it cannot finish meanwhile."""
    path = url.removeprefix(server.base_url)
    route, gate = server.routes[path], threading.Event()

    def hold(request):
        gate.wait(timeout=300)
        return route(request) if callable(route) else route

    server.routes[path] = hold
    try:
        yield
    finally:
        gate.set()
        server.routes[path] = route


@pytest.fixture(scope="module")
def crawl_args(tiny_model) -> list[str]:
    """Every crawl here: batches of 10, the tiny pipeline, and an NLP pool of one process
    (the pool's processes must follow a killed crawl; one is enough to show it)."""
    return [*BATCH, "--model", tiny_model, "--processes", "1"]


@pytest.fixture(scope="module")
def reference(site, crawl_args, tmp_path_factory) -> pd.DataFrame:
    """Per-article text hash, mention and figure counts of a clean crawl."""
    db = tmp_path_factory.mktemp("reference") / "reference.duckdb"
    out = run_newsmon("crawl", "--sources", str(site), "--db", str(db), *crawl_args)
    assert out.returncode == 0, out.stderr[-3000:]
    ref = query(db, PER_ARTICLE)
    assert len(ref) > 150, "the reference crawl should keep most of the 185 on-topic articles"
    # the tiny pipeline still gives rows (gazetteer names, figures), so a half-written
    # article is seen in its counts
    assert (ref["mentions"] > 0).mean() > 0.5 and (ref["figures"] > 0).mean() > 0.5, \
        ref[["mentions", "figures"]].describe()
    return ref.set_index("canonical_url")


def stored_count(db: Path) -> int:
    """Articles in `db`, read as any user would (read-only); 0 while it does not exist yet."""
    try:
        return int(query(db, "select count(*) as n from articles")["n"].iloc[0])
    except (DatabaseNotFoundError, NotADatabaseError):  # not created yet / being created
        return 0


def crawl_and_kill(sources: Path, db: Path, at_least: int, args: list[str],
                   timeout: float = 300) -> tuple[int, list[int]]:
    """Start `newsmon crawl`, SIGKILL it once `at_least` articles are stored; return
    the count seen just before the kill and the pids of its process group still
    alive 15 s after it (its NLP workers must follow it).  Fails if the crawl
    ended by itself first."""
    log = (db.parent / "killed-crawl.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from newsmon.crawler.cli import main; main()", "crawl",
         "--sources", str(sources), "--db", str(db), *args],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        seen = 0
        while seen < at_least and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.25)  # as often as a user re-running a query; each read waits for the writer
            seen = stored_count(db)
        assert proc.poll() is None, f"the crawl ended (exit {proc.returncode}) before the kill"
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
        survivors = _group_members(proc.pid)
        for _ in range(150):
            if not survivors:
                break
            time.sleep(0.1)
            survivors = _group_members(proc.pid)
        return seen, survivors
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        _kill_group(proc.pid)  # the crawl's NLP workers, orphaned by the kill
        log.close()


def _group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group `pgid`, from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.mark.parametrize("share", [0.1, 0.5, 0.8])
def test_kill_and_resume_loses_nothing_and_duplicates_nothing(server, site, reference,
                                                             crawl_args, tmp_path, share):
    total = len(reference)
    db = tmp_path / "killed.duckdb"
    with held_back(server, reference.index[-1]):
        seen, survivors = crawl_and_kill(site, db, at_least=int(total * share), args=crawl_args)
    assert not survivors, f"processes of the killed crawl still running: {survivors}"

    # the killed database opens; every article in it is complete
    partial = query(db, PER_ARTICLE).set_index("canonical_url")
    before = len(partial)
    assert before >= seen > 0
    assert partial.index.isin(reference.index).all()
    assert partial["annotated"].all()
    expected = reference.loc[partial.index, ["text_hash", "mentions", "figures"]]
    half_written = (partial[["text_hash", "mentions", "figures"]] != expected).any(axis=1)
    assert not half_written.any(), partial[half_written].join(expected, rsuffix="_reference")
    runs = query(db, "select status from crawl_runs order by run_id")
    assert list(runs["status"]) == ["running"]  # the killed run could not close itself

    # a normal run over the same site finishes the job
    out = run_newsmon("crawl", "--sources", str(site), "--db", str(db), *crawl_args)
    assert out.returncode == 0, out.stderr[-3000:]
    after = query(db, PER_ARTICLE).set_index("canonical_url")
    distinct = int(query(db, "select count(distinct canonical_url) n from articles")["n"].iloc[0])
    lost = len(reference.index.difference(after.index))
    duplicated = len(after) - distinct
    print(f"\nkill at >= {int(total * share)} stored: {before} stored before the kill, "
          f"{len(after)} after the resume (reference {total}), lost {lost}, duplicated {duplicated}")
    assert lost == 0 and duplicated == 0
    assert len(after) == total
    pd.testing.assert_frame_equal(after[["text_hash", "mentions", "figures"]],
                                  reference[["text_hash", "mentions", "figures"]])
    runs = query(db, "select status, stats from crawl_runs order by run_id")
    assert list(runs["status"]) == ["interrupted", "ok"]
    resumed = json.loads(runs["stats"].iloc[1])
    # it picked up where the killed run stopped: no stored article was processed again
    assert resumed.get("newsmon/stored/inserted", 0) == total - before
    assert resumed.get("newsmon/stored/unchanged", 0) == 0
