"""Unattended use: durations and slots, `newsmon run` and `schedule`, and the run lock.

Real processes throughout: `newsmon` commands in subprocesses crawling sites
served on 127.0.0.1 into real DuckDB files, and real lock holders killed with
SIGKILL.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import NO_NLP, ROOT, invoke_newsmon, run_newsmon
from newsmon.crawler.cli import EXIT_LOCKED, EXIT_USAGE
from newsmon.crawler.demo import build_site, demo_sources_file, load_articles, load_site_config
from newsmon.data.lock import RunLock, RunLockedError, lock_path, parse_holder
from newsmon.crawler.runs.schedule import format_duration, next_slot, parse_duration
from newsmon.data.store import query
from generated_site import serve_generated_site, write_sources

NEWSMON = [sys.executable, "-c", "from newsmon.crawler.cli import main; main()"]


# -- durations and slots ------------------------------------------------------------
@pytest.mark.parametrize("text, seconds", [
    ("90s", 90), ("30m", 1800), ("6h", 21600), ("1d", 86400), ("1h30m", 5400),
    ("2s", 2), ("45", 45), (" 6H ", 21600), ("0.5h", 1800), ("1d12h", 129600),
])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "6x", "h", "-5m", "0s", "0", "6h later", "1.2.3h"])
def test_parse_duration_refuses_nonsense(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_format_duration_round_trips():
    for text in ("90s", "30m", "6h", "1d", "1h30m"):
        assert parse_duration(format_duration(parse_duration(text))) == parse_duration(text)
    assert format_duration(5400) == "1h30m"


def test_next_slot_does_not_drift_and_skips_overrun_slots():
    start, every = 1000.0, 60.0
    assert next_slot(start, every, 1000.0) == (1, 1060.0)
    assert next_slot(start, every, 1059.9) == (1, 1060.0)
    assert next_slot(start, every, 1060.0) == (2, 1120.0)  # a slot is never "now"
    # a cycle that ran 150 s from the first slot: slots 1 and 2 are gone, 3 is next
    assert next_slot(start, every, 1150.0) == (3, 1180.0)
    # slot k is start + k*every however long the cycles took: no accumulated drift
    assert next_slot(start, every, 1000.0 + 1000 * 60 + 59.5) == (1001, 1000.0 + 1001 * 60)


def test_run_and_schedule_have_help_with_examples():
    for cmd in ("run", "schedule"):
        out = invoke_newsmon(cmd, "--help")
        assert out.returncode == 0 and "Example" in out.stdout, out.stderr
        assert "--digest-dir" in out.stdout and "--sources" in out.stdout


def test_schedule_passes_the_given_options_to_each_cycle(monkeypatch):
    from newsmon.crawler.cli.run import option_argv, run_cycle, schedule
    for var in ("NEWSMON_DB", "NEWSMON_CONTACT", "NEWSMON_SOURCES", "NEWSMON_MODEL"):
        monkeypatch.delenv(var, raising=False)
    args = ["--every", "1h", "--max-runs", "3", "--keep-all", "--source", "a", "--source", "b",
            "--set", "X=1", "--threshold", "0.3", "--db", "x.duckdb", "--digest-dir", "out"]
    ctx = schedule.make_context("schedule", args)
    assert option_argv(ctx, run_cycle, ctx.params) == [
        "--source", "a", "--source", "b", "--set", "X=1", "--threshold", "0.3", "--keep-all",
        "--db", "x.duckdb", "--digest-dir", "out"]  # not --every/--max-runs, no defaults


def test_schedule_refuses_a_bad_duration():
    out = invoke_newsmon("schedule", "--every", "soon")
    assert out.returncode == EXIT_USAGE
    assert "not a duration" in out.stderr


# -- the lock ---------------------------------------------------------------------
def _hold_lock(db: Path) -> subprocess.Popen:
    """A real process that takes the run lock of `db` and sleeps; returns once it holds it."""
    proc = subprocess.Popen([sys.executable, "-c",
                             "import sys, time; from newsmon.data.lock import RunLock; "
                             "RunLock(sys.argv[1]).acquire(); print('held', flush=True); "
                             "time.sleep(120)", str(db)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_the_lock_names_its_holder_and_dies_with_it(tmp_path):
    db = tmp_path / "x.duckdb"
    holder = _hold_lock(db)
    try:
        with pytest.raises(RunLockedError) as err:
            RunLock(db).acquire()
        assert f"another newsmon run (pid {holder.pid}, started " in str(err.value)
        assert str(db) in str(err.value)
        # the same file however the path is spelled
        with pytest.raises(RunLockedError):
            RunLock(tmp_path / "." / "x.duckdb").acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert lock_path(db).exists()  # the file stays behind ...
    with RunLock(db) as lock:      # ... but the kernel dropped the flock with the process
        assert lock.held
        assert parse_holder(lock.path.read_text()).pid is not None
    assert lock_path(db).read_text() == ""


def test_a_stale_lock_file_does_not_block_a_crawl(local_server, tmp_path):
    server = local_server()
    server.routes.update(build_site(server.base_url, _few_articles()))
    sources = demo_sources_file(server.base_url, tmp_path / "sources.toml")
    db = tmp_path / "stale.duckdb"
    lock_path(db).write_text("pid=999999\nstarted=2020-01-01 00:00:00 UTC\n")  # no flock held
    out = run_newsmon("crawl", "--sources", str(sources), "--db", str(db), *NO_NLP)
    assert out.returncode == 0, out.stderr[-2000:]
    assert query(db, "select count(*) n from articles")["n"].iloc[0] > 0


def test_parse_holder_tolerates_garbage():
    assert parse_holder("").pid is None
    assert parse_holder("pid=abc\nstarted=\n") == parse_holder("")
    assert parse_holder("pid=42\nstarted=2026-01-01 00:00:00 UTC\n").pid == 42


@pytest.mark.slow
def test_a_second_run_on_the_same_database_exits_6_and_writes_nothing(tmp_path):
    # pages slow enough (some 2 minutes for the site) that the first crawl is still running
    # when the SIGTERM comes, however long the locked-out commands take on a loaded machine
    server = serve_generated_site(min_latency=2.0)
    try:
        sources = write_sources(server, tmp_path / "sources.toml")
        db = tmp_path / "busy.duckdb"
        first = subprocess.Popen([*NEWSMON, "crawl", "--sources", str(sources), "--db", str(db),
                                  "--set", "NEWSMON_BATCH_SIZE=5", *NO_NLP],
                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            _wait_for(lambda: server.hits["/robots.txt"] == 1, 60, first)  # crawling now
            assert f"pid={first.pid}" in lock_path(db).read_text()
            for args in (["crawl", "--sources", str(sources)], ["run", "--sources", str(sources)],
                         ["demo"]):
                out = invoke_newsmon(*args, "--db", str(db))  # refused before any work
                assert out.returncode == EXIT_LOCKED, (args, out.stderr[-2000:])
                assert (f"another newsmon run (pid {first.pid}, started " in out.stderr
                        and f"is using {db}; exiting" in out.stderr), out.stderr
                assert "newsmon run" not in out.stdout  # no summary: nothing was crawled
            # readers are not locked out
            out = invoke_newsmon("sql", "--db", str(db), "select count(*) from crawl_runs")
            assert out.returncode == 0, out.stderr
            assert server.hits["/robots.txt"] == 1  # the locked-out crawls fetched nothing
            first.send_signal(signal.SIGTERM)  # a graceful stop: recorded as interrupted
            _, err = first.communicate(timeout=120)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
        assert first.returncode == 3, err[-2000:]
        assert "crawl interrupted" in err
        runs = query(db, "select status, stats from crawl_runs")
        assert list(runs["status"]) == ["interrupted"]  # the locked-out runs left no row
    finally:
        server.stop()


# -- run and schedule ------------------------------------------------------------------
def _few_articles():
    """Six on-topic demo articles: enough for a real crawl, quick to process."""
    on_topic = {s.slug for s in load_site_config().sections if s.on_topic}
    return [a for a in load_articles() if a.section in on_topic][:6]


@pytest.mark.slow
def test_schedule_runs_cycles_and_writes_the_digest(local_server, tmp_path):
    server = local_server()
    server.routes.update(build_site(server.base_url, _few_articles()))
    sources = demo_sources_file(server.base_url, tmp_path / "sources.toml")
    db, digests = tmp_path / "sched.duckdb", tmp_path / "digests"
    out = run_newsmon("schedule", "--every", "2s", "--max-runs", "2", "--sources", str(sources),
                      "--db", str(db), *NO_NLP, "--digest-dir", str(digests),
                      "--digest-format", "md", timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "cycle 1 exited 0" in out.stderr and "cycle 2 exited 0" in out.stderr
    runs = query(db, "select status from crawl_runs order by run_id")
    assert list(runs["status"]) == ["ok", "ok"]
    n = query(db, "select count(*) n from articles")["n"].iloc[0]
    assert n == 6  # the second cycle found the same six, nothing twice
    written = list(digests.glob("digest-*.md"))
    assert len(written) == 1 and "# " in written[0].read_text()


@pytest.mark.slow
def test_schedule_stops_on_sigterm_and_passes_it_to_the_cycle(tmp_path):
    server = serve_generated_site(min_latency=0.3)
    try:
        sources = write_sources(server, tmp_path / "sources.toml")
        db = tmp_path / "stop.duckdb"
        sched = subprocess.Popen([*NEWSMON, "schedule", "--every", "1h", "--sources", str(sources),
                                  "--db", str(db), "--set", "NEWSMON_BATCH_SIZE=5", *NO_NLP],
                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        try:
            _wait_for(lambda: server.hits["/robots.txt"] == 1, 60, sched)  # crawling now
            assert "pid=" in lock_path(db).read_text()
            sched.send_signal(signal.SIGTERM)
            _, err = sched.communicate(timeout=120)
        finally:
            if sched.poll() is None:
                sched.kill()
                sched.wait()
        assert sched.returncode == 0, err[-3000:]
        assert "cycle 1 exited 3" in err and "stopped after 1 cycle(s)" in err
        runs = query(db, "select status from crawl_runs")
        assert list(runs["status"]) == ["interrupted"]
        with RunLock(db):  # the cycle is gone: nothing holds the lock
            pass
    finally:
        server.stop()


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def _wait_for(condition, timeout: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"the process ended early: {proc.communicate()}"
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)
