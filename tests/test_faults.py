"""Fault injection: damaged databases, full and read-only disks, hostile SQL, signals at any
point, stuck pages, hostile feeds and out-of-range input.

Each case runs the real command (a `newsmon` subprocess when signals or a crawl are
involved, the click command in-process otherwise) against a copy of a real database,
and asserts three things: the exit code the README documents, that nothing stored
before was lost or changed (every row of the seeded tables, or the file's bytes), and
the time bound the case promises (10 s after SIGTERM/SIGINT).  The full disk and the
read-only file system are real: a small tmpfs mounted for the test, which needs root
(skipped with the reason otherwise).  `pytest -m reliability` runs them with the
other hostile-input suites; the crawls are also marked slow.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from conftest import NO_NLP, ROOT, run_newsmon
from digest_testdb import build_db
from newsmon.crawler.cli import EXIT_CRAWL, EXIT_DATABASE, EXIT_USAGE, cli
from newsmon.crawler.localserver import LocalServer, Request, Response
from newsmon.data.store import query

pytestmark = pytest.mark.reliability

STOP_BOUND = 10.0  # seconds from SIGTERM/SIGINT to exit (issue 13)
BODY = ("Ofcom opened an investigation under the Online Safety Act into the forum Hearth on "
        "Monday, saying the platform had failed to remove illegal content reported by 120 users. "
        "The regulator can fine companies up to £18m or 10% of their global turnover. Maria Lopez, "
        "a director at Ofcom, said content moderation at Hearth was inadequate. ")


def page(title: str, body: str = BODY, head: str = "") -> str:
    return (f'<!doctype html><html lang="en"><head>{head}<title>{title}</title></head><body>'
            f"<article><h1>{title}</h1><p>{title}: the regulator set out its case.</p>"
            f"<p>{body}</p></article></body></html>")


def rss(base: str, links: list[str]) -> str:
    items = "".join(f"<item><title>e{i}</title><link>{u if ':' in u else base + u}</link></item>"
                    for i, u in enumerate(links))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


def urlset(base: str, links: list[str]) -> str:
    urls = "".join(f"<url><loc>{u if ':' in u else base + u}</loc></url>" for u in links)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def sources_file(path: Path, base: str, *, feeds=("/rss.xml",), sitemaps=(), delay: float = 0.01,
                 name: str = "hostile", homepage: str | None = None) -> Path:
    urls = lambda paths: ", ".join(f'"{base}{p}"' for p in paths)  # noqa: E731
    path.write_text(f'[[source]]\nname = "{name}"\nhomepage = "{homepage or base + "/"}"\n'
                    f'language = "en"\nfeeds = [{urls(feeds)}]\nsitemaps = [{urls(sitemaps)}]\n'
                    f"delay = {delay}\nconcurrency = 4\n")
    return path


# -- the seeded database and what "intact" means ------------------------------------------
TABLES = ("articles", "mentions", "figures", "crawl_runs", "entities")


def rows(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: sorted(con.execute(f"select * from {t}").fetchall(), key=repr) for t in TABLES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Path:
    """A database written through the real Store: 13 articles with mentions and figures."""
    db = build_db(tmp_path_factory.mktemp("seed") / "seed.duckdb")
    with duckdb.connect(str(db)) as con:  # one finished run, so crawl_runs is not empty
        con.execute("insert into crawl_runs (started_at, finished_at, status, sources, pid) "
                    "values (now(), now(), 'ok', ['seed'], 1)")
    return db


class Seeded:
    def __init__(self, seed: Path, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(seed, path)
        self.path = path
        self.before = rows(path)
        self.runs_before = max(row[0] for row in self.before["crawl_runs"])

    def assert_intact(self) -> None:
        after = rows(self.path)
        for table in TABLES:  # every row as it was (a crawl may add rows, never change one)
            if table == "crawl_runs":
                after_runs = {row[0]: row for row in after[table]}
                assert all(after_runs.get(row[0]) == row for row in self.before[table])
            else:
                assert set(map(repr, self.before[table])) <= set(map(repr, after[table])), table

    def new_runs(self) -> list[tuple]:
        return query(self.path, "select status, stats from crawl_runs where run_id > $n "
                     "order by run_id", {"n": self.runs_before}).itertuples(index=False)


@pytest.fixture
def seeded(seed, tmp_path) -> Seeded:
    return Seeded(seed, tmp_path / "db" / "news.duckdb")


def one_line_error(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr[-3000:]
    assert [line for line in stderr.splitlines() if line.startswith("Error: ")], stderr[-2000:]


def newsmon(*args: str) -> tuple[int, str]:
    """The click command in-process (for commands that end before a crawl starts):
    (exit code, everything it printed); an exception that escaped is re-raised."""
    result = CliRunner().invoke(cli, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


# -- damaged and newer databases: refused before any work (exit 4), file untouched -----------
def newer(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("insert into schema_migrations values (999, 'from_the_future', now())")


def truncated(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[:len(data) // 2])


def corrupt_a_table_block(db: Path) -> None:
    """Overwrite 4 KiB inside a block that holds table data, not the catalog: the file
    still opens, a table fails its checksum (the last such block of the file)."""
    from newsmon.data.integrity import HEADER_BYTES, verify_tables
    data, block = db.read_bytes(), 262_144
    for index in range((len(data) - HEADER_BYTES) // block - 1, -1, -1):
        at = HEADER_BYTES + index * block + 8192
        db.write_bytes(data[:at] + random.Random(index).randbytes(4096) + data[at + 4096:])
        try:
            with duckdb.connect(str(db), read_only=True) as con:
                if not verify_tables(con, db).ok:
                    return
        except duckdb.Error:
            continue
    db.write_bytes(data)
    pytest.fail("no block of the seed holds table data alone")


@pytest.mark.parametrize("damage, says", [(newer, "newer newsmon"), (truncated, "damaged")])
def test_a_damaged_or_newer_database_is_refused_before_fetching(damage, says, seeded, tmp_path,
                                                                local_server):
    server = local_server({"/rss.xml": Response(body=rss("", []))})
    damage(seeded.path)
    before = seeded.path.read_bytes()
    src = sources_file(tmp_path / "s.toml", server.base_url)
    started = time.monotonic()
    code, output = newsmon("crawl", "--sources", str(src), "--db", str(seeded.path), "--workers", "0")
    assert code == EXIT_DATABASE, output
    one_line_error(output)
    assert says in output
    assert sum(server.hits.values()) == 0  # nothing fetched
    assert seeded.path.read_bytes() == before
    assert time.monotonic() - started < 60
    for command in (["db", "check"], ["db", "migrate"]):  # never "up to date"
        result = CliRunner().invoke(cli, [*command, "--db", str(seeded.path)])
        assert result.exit_code == EXIT_DATABASE, result.output
        assert "up to date" not in result.output
    assert seeded.path.read_bytes() == before


def test_db_check_names_the_table_a_damaged_block_breaks(seeded):
    assert CliRunner().invoke(cli, ["db", "check", "--db", str(seeded.path)]).exit_code == 0
    corrupt_a_table_block(seeded.path)
    before = seeded.path.read_bytes()
    result = CliRunner().invoke(cli, ["db", "check", "--db", str(seeded.path)])
    assert result.exit_code == EXIT_DATABASE, result.output
    assert "damaged" in result.output and "cannot be read" in result.output
    migrate = CliRunner().invoke(cli, ["db", "migrate", "--db", str(seeded.path)])
    assert migrate.exit_code == EXIT_DATABASE and "up to date" not in migrate.output
    assert seeded.path.read_bytes() == before


# -- hostile SQL: refused (exit 2), the database and the files beside it unchanged ------------
def test_hostile_sql_cannot_overwrite_or_empty_a_database(seeded, tmp_path):
    other = tmp_path / "db" / "other.duckdb"
    shutil.copyfile(seeded.path, other)
    before = {p: p.read_bytes() for p in (seeded.path, other)}
    for statement in (f"COPY (SELECT 1) TO '{seeded.path}' (FORMAT csv)",
                      f"COPY (SELECT 1) TO '{seeded.path}.wal' (FORMAT csv)",
                      f"ATTACH '{other}' AS o (READ_WRITE); DELETE FROM o.articles",
                      "DELETE FROM articles", "DROP TABLE mentions"):
        result = CliRunner().invoke(cli, ["sql", "--db", str(seeded.path), statement])
        assert result.exit_code == EXIT_USAGE, (statement, result.output)
    assert {p: p.read_bytes() for p in before} == before
    assert sorted(p.name for p in other.parent.iterdir()) == ["news.duckdb", "other.duckdb"]
    seeded.assert_intact()


# -- full and read-only disks: a real tmpfs ------------------------------------------------------
@pytest.fixture
def tmpfs(tmp_path) -> Callable[[str], Path]:
    """mount(size) -> a fresh tmpfs of that size (root only; unmounted after the test)."""
    if os.geteuid() != 0:
        pytest.skip("a full or read-only disk needs a tmpfs mount, which needs root")
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def test_a_database_on_a_read_only_disk_is_refused_and_still_readable(seed, tmpfs, tmp_path,
                                                                      local_server):
    mnt = tmpfs("16m")
    db = Seeded(seed, mnt / "news.duckdb")
    subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
    server = local_server({"/rss.xml": Response(body=rss("", []))})
    src = sources_file(tmp_path / "s.toml", server.base_url)
    for command in (["crawl", "--sources", str(src), "--workers", "0"], ["load"],
                    ["db", "migrate"]):
        code, output = newsmon(*command, "--db", str(db.path))
        assert code == EXIT_DATABASE, (command, output)
        one_line_error(output)
        assert "read-only" in output
    assert sum(server.hits.values()) == 0
    code, output = newsmon("sql", "--db", str(db.path), "select count(*) as n from articles")
    assert code == 0 and "13" in output, output
    db.assert_intact()


def test_a_full_disk_before_the_crawl_refuses_to_start(seed, tmpfs, tmp_path, local_server):
    mnt = tmpfs("16m")
    db = Seeded(seed, mnt / "news.duckdb")
    server = local_server({"/rss.xml": Response(body=rss("", []))})
    src = sources_file(tmp_path / "s.toml", server.base_url)
    before = db.path.read_bytes()
    code, output = newsmon("crawl", "--sources", str(src), "--db", str(db.path), "--workers", "0")
    assert code == EXIT_DATABASE, output  # 16 MB < the 64 MB reserve
    one_line_error(output)
    assert "free" in output and sum(server.hits.values()) == 0
    assert db.path.read_bytes() == before


@pytest.mark.slow
def test_a_disk_that_fills_during_the_crawl_stops_it_as_failed(seed, tmpfs, tmp_path,
                                                               local_server):
    mnt = tmpfs("24m")
    db = Seeded(seed, mnt / "news.duckdb")
    filler = mnt / "filler"

    def article(request: Request) -> Response:
        if not request.path.startswith("/news/"):
            return Response(404, "not here")
        n = int(request.path.rsplit("/", 1)[1])
        if n == 12 and not filler.exists():  # another program fills the disk mid-crawl
            free = shutil.disk_usage(mnt).free
            with filler.open("wb") as fh:
                fh.write(b"\0" * max(free - 1_500_000, 0))
        # from then on the site answers at a web site's pace (0.25 s), so a crawl that went on
        # would fetch the other 27 pages in about 3.5 s: that it stops is then no race against
        # how fast the NLP annotates (a faster extractor fetched all 40 here)
        return Response(body=page(f"Ofcom fines Hearth, part {n}"), delay=0.25 if filler.exists() else 0.0)

    server = local_server(default=article)
    links = [f"/news/{n}" for n in range(40)]
    server.routes["/rss.xml"] = Response(body=rss(server.base_url, links))
    src = sources_file(tmp_path / "s.toml", server.base_url)
    # the real model on purpose: with the tiny one all 40 pages were fetched before the
    # failed write stopped the crawl (seen on an idle machine, before the site's pace above)
    out = run_newsmon("crawl", "--sources", str(src), "--db", str(db.path), "--workers", "0",
                      "--set", "NEWSMON_MIN_FREE_MB=4", "--set", "NEWSMON_BATCH_SIZE=4",
                      "--set", "NEWSMON_FLUSH_SECONDS=1", "--set", "AUTOTHROTTLE_START_DELAY=0.01",
                      "--set", "CONCURRENT_REQUESTS=2")
    assert out.returncode == EXIT_CRAWL, out.stderr[-3000:]
    one_line_error(out.stderr)
    assert "disk" in out.stderr and "free" in out.stderr
    assert filler.exists()
    (status, stats), = db.new_runs()
    stats = json.loads(stats)
    assert status == "failed" and stats["newsmon/store_failed"] >= 1
    assert sum(server.hits.get(p, 0) for p in links) < len(links)  # it stopped fetching
    db.assert_intact()
    stored = stats.get("newsmon/stored/inserted", 0)  # what was committed stays
    assert len(rows(db.path)["articles"]) == 13 + stored


# -- signals: exit within the bound, the run interrupted, what was processed stored ---------------
def start_crawl(src: Path, db: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "from newsmon.crawler.cli import main; main()", "crawl",
         "--sources", str(src), "--db", str(db), *extra,
         "--set", "AUTOTHROTTLE_START_DELAY=0.01", "--set", "NEWSMON_FLUSH_SECONDS=1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the crawl never got there"
        time.sleep(0.05)


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> tuple[int, str, float]:
    """Send `sig`; (exit code, stderr, seconds until the process exited)."""
    sent = time.monotonic()
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, err, time.monotonic() - sent


def assert_interrupted_and_stored(db: Seeded, code: int, err: str, took: float) -> dict:
    assert took < STOP_BOUND, f"took {took:.1f} s to stop\n{err[-3000:]}"
    assert code == EXIT_CRAWL, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    (status, stats), = db.new_runs()
    stats = json.loads(stats)
    assert status == "interrupted", stats
    stored = sum(stats.get(f"newsmon/stored/{k}", 0) for k in ("inserted", "updated", "unchanged"))
    assert stats.get("newsmon/processed", 0) == stored  # everything processed is stored
    db.assert_intact()
    return stats


@pytest.mark.slow
def test_sigterm_does_not_wait_out_a_forty_second_delay(seeded, tmp_path, local_server):
    server = local_server({f"/news/{n}": Response(body=page(f"Story {n}")) for n in range(20)})
    server.routes["/rss.xml"] = Response(body=rss(server.base_url, [f"/news/{n}" for n in range(20)]))
    src = sources_file(tmp_path / "s.toml", server.base_url, delay=40)
    proc = start_crawl(src, seeded.path, *NO_NLP)  # what is stopped is a download wait
    wait_for(lambda: server.hits.get("/robots.txt", 0) >= 1)
    time.sleep(1)  # the feed's request now waits behind the 40 s delay
    stats = assert_interrupted_and_stored(seeded, *stop(proc))
    assert stats.get("newsmon/stop/queued_requests_dropped", 0) >= 1


@pytest.mark.slow
def test_sigterm_while_a_60000_url_sitemap_is_read(seeded, tmp_path, local_server):
    server = local_server(default=lambda request: Response(body=page(request.path)))
    links = [f"/news/{n}" for n in range(60_000)]
    server.routes["/sitemap.xml"] = Response(body=urlset(server.base_url, links),
                                             content_type="application/xml")
    src = sources_file(tmp_path / "s.toml", server.base_url, feeds=(), sitemaps=("/sitemap.xml",))
    proc = start_crawl(src, seeded.path, *NO_NLP, "--set", "DOWNLOAD_MAXSIZE=8000000")
    wait_for(lambda: sum(server.hits.get(p, 0) for p in links[:2000]) >= 3)  # being read
    stats = assert_interrupted_and_stored(seeded, *stop(proc))
    assert stats.get("downloader/request_count", 0) < 1000


HUGE_TEXT = "\n\n".join(f"Paragraph {n}. " + BODY * 4 for n in range(1500))  # ~1.9 M characters


@pytest.mark.slow
def test_a_stuck_page_is_dropped_at_the_time_limit_and_its_worker_replaced(seeded, tmp_path,
                                                                         local_server):
    server = local_server({"/news/huge": Response(body=page("A very long Ofcom report", HUGE_TEXT)),
                           "/news/ok": Response(body=page("Ofcom fines Hearth £2m"))})
    server.routes["/rss.xml"] = Response(body=rss(server.base_url, ["/news/huge", "/news/ok"]))
    src = sources_file(tmp_path / "s.toml", server.base_url)
    started = time.monotonic()
    out = run_newsmon("crawl", "--sources", str(src), "--db", str(seeded.path), "--workers", "1",
                      "--set", "NEWSMON_PAGE_TIMEOUT=4", "--set", "AUTOTHROTTLE_START_DELAY=0.01")
    assert out.returncode == 0, out.stderr[-3000:]
    (status, stats), = seeded.new_runs()
    stats = json.loads(stats)
    assert stats["newsmon/dropped/page_timeout"] == 1
    assert stats["item_dropped_reasons_count/PageTimeout"] == 1
    titles = set(query(seeded.path, "select title from articles")["title"])
    assert "Ofcom fines Hearth £2m" in titles  # processed by the new worker
    assert "A very long Ofcom report" not in titles
    assert time.monotonic() - started < 180
    seeded.assert_intact()


@pytest.mark.slow
def test_sigterm_during_a_stuck_page_stops_within_the_bound(seeded, tmp_path, local_server):
    server = local_server({"/news/ok": Response(body=page("Ofcom fines Hearth £2m")),
                           "/news/huge": Response(body=page("A very long Ofcom report", HUGE_TEXT))})
    server.routes["/rss.xml"] = Response(body=rss(server.base_url, ["/news/ok", "/news/huge"]))
    src = sources_file(tmp_path / "s.toml", server.base_url)
    proc = start_crawl(src, seeded.path, "--workers", "1", "--set", "CONCURRENT_REQUESTS=1")
    wait_for(lambda: server.hits.get("/news/huge", 0) >= 1)
    time.sleep(4)  # the worker is deep in the huge page (minutes of work)
    stats = assert_interrupted_and_stored(seeded, *stop(proc))
    assert stats.get("newsmon/dropped/interrupted", 0) >= 1


@pytest.mark.slow
@pytest.mark.parametrize("sig, seed_", [(signal.SIGTERM, 1), (signal.SIGINT, 2), (signal.SIGTERM, 3)])
def test_a_signal_at_a_random_point_of_a_crawl(sig, seed_, seeded, tmp_path, local_server):
    server = local_server(default=lambda request: Response(
        body=page(f"Ofcom story {request.path}"), delay=random.uniform(0, 0.3)))
    links = [f"/news/{n}" for n in range(150)]
    server.routes["/rss.xml"] = Response(body=rss(server.base_url, links[:100]))
    server.routes["/sitemap.xml"] = Response(body=urlset(server.base_url, links[50:]),
                                             content_type="application/xml")
    src = sources_file(tmp_path / "s.toml", server.base_url, sitemaps=("/sitemap.xml",))
    proc = start_crawl(src, seeded.path, "--workers", "1", "--set", "NEWSMON_BATCH_SIZE=7")
    wait_for(lambda: server.hits.get("/robots.txt", 0) >= 1)  # the run is recorded and crawling
    time.sleep(random.Random(seed_).uniform(0.0, 10.0))
    code, err, took = stop(proc, sig)
    if code == 0:  # it had finished: nothing to interrupt
        pytest.skip("the crawl ended before the signal")
    assert_interrupted_and_stored(seeded, code, err, took)


@pytest.mark.slow
def test_sigterm_stops_a_load_between_transactions(seeded, tmp_path):
    from newsmon.data.rows import batch_frames
    from newsmon.data.staging import list_batches, stage_batch
    from digest_testdb import build_articles

    staging = tmp_path / "staging"
    articles, mentions, figures, _fines = build_articles()
    for n in range(300):
        a, m, f = (df.copy() for df in (articles, mentions, figures))
        for df in (a, m, f):
            df["canonical_url"] = df["canonical_url"] + f"?copy={n}"
        a["url"] = a["url"] + f"?copy={n}"
        stage_batch(staging, articles=a, mentions=m, figures=f)
    proc = subprocess.Popen([sys.executable, "-c", "from newsmon.crawler.cli import main; main()",
                             "load", "--db", str(seeded.path), "--staging", str(staging)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: len(list_batches(staging)) <= 250)  # a transaction or more committed
    code, err, took = stop(proc)
    assert took < STOP_BOUND, err[-2000:]
    assert "Traceback" not in err
    left = len(list_batches(staging))
    loaded = query(seeded.path, "select count(*) as n from staged_batches")["n"].iloc[0]
    if code == 0:
        pytest.skip("the load ended before the signal")
    assert code == EXIT_CRAWL, err[-2000:]
    assert loaded + left == 300  # every batch either loaded or still staged, none half
    assert len(rows(seeded.path)["articles"]) == 13 + loaded * 13
    seeded.assert_intact()


# -- hostile feeds and pages ----------------------------------------------------------------------
@pytest.mark.slow
def test_malformed_entries_and_a_wrong_meta_charset_lose_nothing_else(seeded, tmp_path,
                                                                     local_server):
    server = local_server({
        "/news/a": Response(body=page("Ofcom names Hearth's moderators")),
        "/news/b": Response(body=page("Ofcom fines Hearth £2m")),
        "/news/utf16": Response(  # UTF-8 bytes whose <meta> says utf-16 (browsers: UTF-8)
            body=page("Jürgen Müller of Ofcom meets Hearth", head='<meta charset="utf-16">'
                      ).encode("utf-8"), content_type="text/html"),
    })
    base = server.base_url
    server.routes["/rss.xml"] = Response(body=rss(base, ["http://[::1/news/x", "/news/a",
                                                         "/news/utf16"]))
    server.routes["/sitemap.xml"] = Response(
        body=urlset(base, ["http://[::1/news/y", "http://exa mple.org/z", "/news/b"]),
        content_type="application/xml")
    src = sources_file(tmp_path / "s.toml", base, sitemaps=("/sitemap.xml",))
    out = run_newsmon("crawl", "--sources", str(src), "--db", str(seeded.path), "--workers", "0",
                      "--set", "AUTOTHROTTLE_START_DELAY=0.01", "--set", "NEWSMON_ANNOTATE=false")
    assert out.returncode == 0, out.stderr[-3000:]
    (status, stats), = seeded.new_runs()
    stats = json.loads(stats)
    assert stats["newsmon/malformed_entries"] >= 2
    assert stats["newsmon/charset/meta_utf16_is_utf8"] == 1
    text = query(seeded.path, "select text from articles where title like 'Jürgen Müller%'")
    assert len(text) == 1 and "\ufffd" not in text["text"].iloc[0]
    assert {"/news/a", "/news/b", "/news/utf16"} <= set(server.hits)
    seeded.assert_intact()


# -- out-of-range input: exit 2 with one line, before a run is recorded -----------------------------
@pytest.mark.parametrize("args, says", [
    (["crawl", "--set", "DOWNLOAD_DELAY=5s"], "DOWNLOAD_DELAY"),
    (["crawl", "--set", "DOWNLOAD_DELAY=inf"], "DOWNLOAD_DELAY"),
    (["crawl", "--set", "RETRY_TIMES=-3"], "RETRY_TIMES"),
    (["crawl", "--set", "NEWSMON_STOP_FUSE=3600"], "NEWSMON_STOP_FUSE"),
    (["digest", "--week", "9999-W52"], "9998-W52"),
    (["digest", "--week", "2025-W60"], "no ISO week"),
    (["sql", "--timeout", "nan", "select 1"], "finite"),
    (["runs", "--limit", "99999999999999999999"], "range"),
    (["load", "--keep-going", "--every", "inf"], "range"),
    (["schedule", "--every", "99999999d", "--max-runs", "1"], "at most"),
])
def test_out_of_range_input_is_a_usage_error(args, says, seeded):
    result = CliRunner().invoke(cli, [*args, "--db", str(seeded.path)])
    assert result.exit_code == EXIT_USAGE, result.output
    assert says in result.output and "Traceback" not in result.output
    seeded.assert_intact()
    assert rows(seeded.path)["crawl_runs"] == seeded.before["crawl_runs"]  # no run recorded


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "40000", '"5s"'])
def test_a_sources_file_delay_out_of_range_is_refused(value, seeded, tmp_path):
    src = sources_file(tmp_path / "s.toml", "http://127.0.0.1:9")
    src.write_text(src.read_text().replace("delay = 0.01", f"delay = {value}"))
    result = CliRunner().invoke(cli, ["crawl", "--sources", str(src), "--db", str(seeded.path)])
    assert result.exit_code == EXIT_USAGE, result.output
    assert "s.toml:7" in result.output and "delay" in result.output
    assert rows(seeded.path)["crawl_runs"] == seeded.before["crawl_runs"]


def test_texts_are_cleaned_and_cut_into_pieces_that_keep_their_offsets():
    from newsmon.nlp.annotate import MAX_PIECE, clean_text, split_text
    assert clean_text("a\ud800b\U0001F600") == "a\ufffdb\U0001F600"
    rng = random.Random(5)
    words = ["Ofcom", "fined", "Hearth.", "\n\n", "\n", "regulator", "x" * 300]
    for _ in range(10):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 30_000)))
        pieces = split_text(text, 10_000)
        assert "".join(piece for _, piece in pieces) == text
        assert all(text[offset:offset + len(piece)] == piece and len(piece) <= 10_000
                   for offset, piece in pieces)
    assert MAX_PIECE < 1_000_000  # below spaCy's max_length


@given(st.lists(st.integers(0, 120), max_size=40), st.integers(1, 8), st.integers(1, 300))
def test_batches_keep_every_text_in_order_within_both_limits(lengths, size, chars):
    from newsmon.nlp.annotate import batches
    texts = ["x" * n + str(i) for i, n in enumerate(lengths)]
    out = list(batches(texts, size, chars))
    assert [t for batch in out for t in batch] == texts
    for batch in out:
        assert 1 <= len(batch) <= size
        assert len(batch) == 1 or sum(map(len, batch)) <= chars  # a longer text goes alone
    for first, second in zip(out, out[1:]):  # a batch closes only when the next text would not fit
        assert len(first) == size or sum(map(len, first)) + len(second[0]) > chars


@pytest.mark.slow
def test_annotate_takes_lone_surrogates_and_texts_over_spacys_limit(tmp_path, tiny_model):
    """`newsmon annotate` on a lone surrogate and on texts longer than one piece: the real
    model on a text of three pieces (names made canonical across pieces), the tiny
    pipeline on a text over spaCy's own limit of 1,000,000 characters (the splitting and
    the offsets do not depend on the model).  The text is a realistic density of names
    and figures: a paragraph of plain sentences around one fine; the same sentence
    repeated 20,000 times took newsmon's pipeline five minutes (its money and entity
    components are quadratic in the mentions of one piece), not a test of the splitting."""
    from newsmon.nlp.annotate import MAX_PIECE

    paragraph = ("The committee met again and the hearing went on into the evening. " * 30
                 + "Ofcom fined Streamly £18m on Monday, Maria Lopez said.\n\n")
    pieces_text = paragraph * 60
    long_text = paragraph * 500
    assert 2 * MAX_PIECE < len(pieces_text) and len(long_text) > 1_000_000
    infile = tmp_path / "in.jsonl"
    infile.write_text("\n".join([
        json.dumps({"id": "s\ud800", "text": "Ofcom fined Streamly \udc00 £18m, Maria Lopez said."}),
        json.dumps({"id": "pieces", "text": pieces_text})]) + "\n", encoding="utf-8")
    out = run_newsmon("annotate", str(infile), timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    assert first["people"] == ["Maria Lopez"] and "Ofcom" in first["organisations"]
    assert second["people"] == ["Maria Lopez"]
    last = max(second["figures"], key=lambda f: f["start"])
    assert last["start"] > 2 * MAX_PIECE and pieces_text[last["start"]:last["end"]] == last["text"]

    infile.write_text(json.dumps({"id": "long", "text": long_text}) + "\n", encoding="utf-8")
    out = run_newsmon("annotate", str(infile), "--model", tiny_model, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    (whole,) = (json.loads(line) for line in out.stdout.splitlines())
    assert len(whole["figures"]) == 500
    last = max(whole["figures"], key=lambda f: f["start"])
    assert last["start"] > 1_000_000 and long_text[last["start"]:last["end"]] == last["text"]


@pytest.mark.slow
def test_a_page_of_another_source_naming_a_stored_article_as_canonical_changes_nothing(
        seeded, tmp_path, local_server, tiny_model):
    """Item 1 of issue 13, end to end (the rule is crawler.identity's, issue 12); the tiny
    pipeline annotates (the rows are compared, not which entities they name)."""
    from newsmon.crawler.runs.runner import run_crawl_isolated
    from newsmon.crawler.sources import load_sources

    server = local_server()
    base = server.base_url
    original = page("Ofcom fines Hearth £2m", BODY)
    server.routes.update({
        "/news/x": Response(body=original),
        "/copy/x": Response(body=page("Hearth fined, a rewrite", BODY + " A copy's own sentence.",
                                      head=f'<link rel="canonical" href="{base}/news/x">')),
        "/a.xml": Response(body=rss(base, ["/news/x"])),
        "/b.xml": Response(body=rss(base, ["/copy/x"])),
    })
    first = sources_file(tmp_path / "a.toml", base, feeds=("/a.xml",), name="wire")
    second = sources_file(tmp_path / "b.toml", base, feeds=("/b.xml",), name="copycat")
    settings = {"NEWSMON_NLP_PROCESSES": 0, "NEWSMON_DB": str(seeded.path), "LOG_LEVEL": "WARNING",
                "AUTOTHROTTLE_START_DELAY": 0.01, "NEWSMON_MODEL": tiny_model}
    run_crawl_isolated(load_sources(first), settings, timeout=300)
    stored = query(seeded.path, "select * from articles where url = $u", {"u": f"{base}/news/x"})
    assert len(stored) == 1 and stored["source"].iloc[0] == "wire"
    stats = run_crawl_isolated(load_sources(second), settings, timeout=300)
    assert stats.get("newsmon/stored/conflicts", 0) == 1, stats
    after = query(seeded.path, "select * from articles where url = $u", {"u": f"{base}/news/x"})
    assert after.drop(columns=["fetched_at"]).equals(stored.drop(columns=["fetched_at"]))
    seeded.assert_intact()


@pytest.mark.slow
def test_sigterm_stops_a_worker_stuck_in_a_batch_and_its_articles_go_back(seeded, tmp_path):
    import redis_server
    if not redis_server.available():
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    from newsmon.crawler.distributed.frontier import RunKeys
    from redis_server import RedisServer

    keys = RunKeys("stuck")
    message = json.dumps({"v": 1, "article": {
        "url": "http://example.org/huge", "canonical_url": "http://example.org/huge",
        "source": "example", "language": "en", "title": "A very long report",
        "text": HUGE_TEXT, "text_hash": "h"}, "pages": []})
    with RedisServer(tmp_path / "redis") as server:
        client = server.client()
        client.lpush(keys.articles, message)
        proc = subprocess.Popen(
            [sys.executable, "-c", "from newsmon.crawler.cli import main; main()", "worker",
             "--frontier", server.url, "--run", "stuck", "--db", str(seeded.path),
             "--staging", str(tmp_path / "staging"), "--forever"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: client.llen(keys.articles) == 0)  # taken: annotating minutes of text
        time.sleep(2)
        code, err, took = stop(proc)
        assert took < STOP_BOUND, err[-2000:]
        assert code == EXIT_CRAWL and "Traceback" not in err, err[-2000:]
        assert client.llen(keys.articles) == 1  # back in the queue for another worker
    seeded.assert_intact()
