"""Distributed crawling and NLP workers on a real Redis (crawler/distributed/).

Each test that needs Redis starts its own `redis-server` on a free port
(tests/redis_server.py) and stops it after; without `redis-server` they skip.
The end-to-end tests run the real `newsmon crawl --frontier` and `newsmon
worker` command lines as subprocesses against a generated local site
(tests/generated_site.py), then read the real DuckDB file.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import scrapy

import redis_server
from conftest import ROOT, free_port, invoke_newsmon
from generated_site import serve_generated_site, write_sources
from redis_server import RedisServer

needs_redis = pytest.mark.skipif(not redis_server.available(),
                                 reason="redis-server is not installed "
                                        "(.ci/run installs the Debian package)")
CLI = [sys.executable, "-c", "from newsmon.crawler.cli import main; main()"]


# -- helpers ------------------------------------------------------------------------------
@pytest.fixture
def redis_srv(tmp_path):
    with RedisServer(tmp_path / "redis") as server:
        yield server


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([*CLI, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def crawl_args(server: RedisServer, run: str, sources: Path, db: Path, *extra: str) -> list[str]:
    return ["crawl", "--frontier", server.url, "--run", run, "--sources", str(sources),
            "--keep-all", "--workers", "1", "--db", str(db), *extra]


def worker_args(server: RedisServer, run: str, db: Path, model: str, *extra: str) -> list[str]:
    return ["worker", "--frontier", server.url, "--run", run, "--db", str(db),
            "--model", model, *extra]


def article_hits(site) -> dict[str, int]:
    """Requests per article path (robots.txt, feeds, sitemaps and hubs aside)."""
    return {p: n for p, n in site.hits.items() if p.count("/") >= 5}


def db_counts(db: Path) -> tuple[int, int, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select count(*), count(distinct canonical_url), "
                           "count(*) filter (where annotated) from articles").fetchone()


def store_one_article(db: Path) -> tuple[int, int, int]:
    """Stage and load one article (as a worker would), so the database has content."""
    from newsmon.crawler.distributed.messages import ArticleMessage, staged_frames
    from newsmon.data.staging import load_staged, stage_batch
    row = {"url": "https://example.org/kept", "canonical_url": "https://example.org/kept",
           "source": "newsmon-demo", "title": "Kept", "authors": [], "published_at": None,
           "fetched_at": "2026-01-01T00:00:00+00:00", "language": "en", "sitename": None,
           "description": None, "text": "Ofcom fined Hearth.", "text_hash": "h",
           "word_count": 3, "relevance": 0.9, "matched_terms": ["Ofcom"], "annotated": False}
    frames = staged_frames([ArticleMessage(row, [])], [None])
    staging = db.with_name(db.name + ".staging")
    stage_batch(staging, **frames)
    load_staged(db, staging)
    return db_counts(db)


def wait_for(condition, timeout: float, what: str, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def pause_holding(proc: subprocess.Popen, condition, timeout: float, what: str) -> None:
    """SIGSTOP `proc` as soon as `condition()` is true, polled every 10 ms; if it is no
    longer true once stopped, SIGCONT and keep polling.  Fails if `proc` ends first."""
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None, f"exited ({proc.returncode}) before {what}"
        if condition():
            proc.send_signal(signal.SIGSTOP)
            time.sleep(0.05)  # the stop lands; a Redis reply in flight arrives
            if condition():
                return
            proc.send_signal(signal.SIGCONT)
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def crawl_site(server: RedisServer, site, tmp_path: Path, run: str, db: Path) -> int:
    """One frontier crawl of `site`; the number of articles it queued."""
    sources = write_sources(site, tmp_path / "sources.toml", delay=0.01, concurrency=8)
    code, out, err = finish(start(*crawl_args(server, run, sources, db)))
    assert code == 0, out + err[-3000:]
    return server.client().llen(f"newsmon:{run}:articles")


# -- units ----------------------------------------------------------------------------------
class _Spider(scrapy.Spider):
    name = "probe"

    def parse(self, response):
        pass

    def on_error(self, failure):
        pass


def test_queued_requests_are_json_and_round_trip_exactly():
    from scrapy.utils.request import request_from_dict

    from newsmon.crawler.distributed import serializer
    spider = _Spider()
    request = scrapy.Request("https://example.org/a?x=1", callback=spider.parse,
                             errback=spider.on_error, method="POST", body=b"\x00\xffbody",
                             headers={"If-None-Match": '"abc"'}, priority=7,
                             meta={"newsmon_source": "s", "newsmon_hints": {"lastmod": "2026"},
                                   "handle_httpstatus_list": [304], "depth": 2})
    raw = serializer.dumps(request.to_dict(spider=spider))
    assert b"pickle" not in raw and raw.startswith(b"{")
    back = request_from_dict(serializer.loads(raw), spider=spider)
    assert (back.url, back.method, back.body, back.priority) == \
        (request.url, "POST", b"\x00\xffbody", 7)
    assert back.headers.get("If-None-Match") == b'"abc"'
    assert back.meta == request.meta and back.callback == spider.parse
    with pytest.raises(TypeError, match="as JSON"):
        serializer.dumps({"meta": {"thing": object()}})


def test_article_messages_round_trip_into_staged_frames():
    from newsmon.crawler.distributed.messages import MessageError, decode, encode_items, staged_frames
    from newsmon.crawler.items import ArticleItem, PageItem
    from newsmon.nlp.records import Annotation, Article, Mention, Relevance
    page = PageItem(url="https://example.org/a", source="s", status=200,
                    content_type="text/html", html="<html/>", fetched_at="2026-01-02T03:04:05+00:00",
                    via="sitemap", hints={"lastmod": "2026-01-01", "redirected_from": "https://example.org/old"},
                    etag='"e"')
    article = Article(url=page.url, canonical_url="https://example.org/a", title="T",
                      authors=["Ann Author"], published_at="2026-01-01", language="en",
                      sitename=None, description=None, text="Ofcom fined Hearth.")
    item = ArticleItem(page=page, article=article, relevance=Relevance(0.8, ["Ofcom"]),
                       annotation=None, text_hash="h1")
    [raw] = encode_items([item])
    message = decode(raw)
    assert message.article["annotated"] is False and message.article["relevance"] == 0.8
    # the page's own row (the URL it was redirected from is the fetch record middleware's)
    assert [p["url"] for p in message.pages] == ["https://example.org/a"]
    mention = Mention(label="organisation", text="Ofcom", canonical="Ofcom", start=0, end=5,
                      sentence="Ofcom fined Hearth.")
    frames = staged_frames([message], [Annotation([mention], [])])
    articles, mentions, figures, pages = (frames[t] for t in ("articles", "mentions", "figures", "pages"))
    assert articles.loc[0, "annotated"] and articles.loc[0, "authors"] == ["Ann Author"]
    assert mentions.loc[0, "canonical_url"] == "https://example.org/a" and figures.empty
    assert pages["outcome"].tolist() == ["stored"] and pages["kind"].tolist() == ["article"]
    for bad in (b"not json", b'{"v": 1}', b'{"v": 2, "article": {}}', b"[1, 2]"):
        with pytest.raises(MessageError):
            decode(bad)


def test_run_names_are_derived_from_the_sources_file_and_checked(tmp_path):
    from datetime import datetime

    from newsmon.crawler.distributed.frontier import check_run_name, default_run_name
    sources = tmp_path / "my sources.toml"
    sources.write_text("[defaults]\n")
    day = datetime(2026, 3, 4)
    name = default_run_name(sources, day)
    assert name.startswith("my-sources-") and name.endswith("-20260304")
    assert check_run_name(name) == name
    sources.write_text("[defaults]\nlanguage = 'en'\n")
    assert default_run_name(sources, day) != name  # another file: another run
    for bad in ("", "a b", "x%y", "-lead", "a" * 81):
        with pytest.raises(ValueError):
            check_run_name(bad)


@pytest.mark.parametrize("command", ["crawl", "worker"])
def test_an_unreachable_frontier_is_a_clear_error_with_exit_7(tmp_path, command):
    port = free_port()  # nothing listens there
    url = f"redis://127.0.0.1:{port}/0"
    args = (["crawl", "--sources", str(ROOT / "crawler" / "sources.toml")]
            if command == "crawl" else ["worker"])
    started = time.monotonic()
    done = invoke_newsmon(*args, "--frontier", url, "--run", "r1",
                          "--db", str(tmp_path / "x.duckdb"))
    assert done.returncode == 7, done.stdout + done.stderr[-2000:]
    assert f"cannot reach the frontier at 127.0.0.1:{port}/0" in done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - started < 60
    assert not (tmp_path / "x.duckdb").exists()


# -- end to end -------------------------------------------------------------------------------
@needs_redis
@pytest.mark.slow
@pytest.mark.reliability
def test_two_crawlers_share_2000_pages_and_workers_store_each_article_once(
        redis_srv, tmp_path, tiny_model):
    site = serve_generated_site(copies=54)  # 37 x 54 on-topic + 9 off-topic = 2,007 articles
    try:
        sources = write_sources(site, tmp_path / "sources.toml", delay=0.01, concurrency=8)
        db = tmp_path / "news.duckdb"
        # trafilatura without its fallbacks: the demo pages need none, and extraction is
        # most of the cost of 2,000 pages
        crawlers = [start(*crawl_args(redis_srv, "big", sources, db,
                                      "--set", "NEWSMON_EXTRACT_FAST=true")) for _ in range(2)]
        results = [finish(p) for p in crawlers]
        hits = article_hits(site)
    finally:
        site.stop()
    for code, out, err in results:
        assert code == 0, out + err[-3000:]
    assert len(hits) >= 2000
    assert max(hits.values()) == 1, [p for p, n in hits.items() if n > 1][:5]
    fetched = [int(out.split(" article pages fetched")[0].rsplit(" ", 1)[-1])
               for _, out, _ in results]
    assert sum(fetched) == len(hits) and min(fetched) > 0, fetched  # the work was shared
    r = redis_srv.client()
    assert r.llen("newsmon:big:articles") == len(hits)
    assert not r.exists("newsmon:big:dupefilter", "newsmon:big:requests")  # freed at the end
    assert r.exists("newsmon:big:done") and 0 < r.ttl("newsmon:big:done") <= 600

    workers = [start(*worker_args(redis_srv, "big", db, tiny_model, "--batch", "64",
                                 "--load-every", "60"))
               for _ in range(2)]
    for code, out, err in (finish(w) for w in workers):
        assert code == 0, out + err[-3000:]
    total, distinct, annotated = db_counts(db)
    assert total == distinct == len(hits) and annotated == len(hits)
    with duckdb.connect(str(db), read_only=True) as con:
        stored, listings = con.execute(
            "select count(*) filter (where kind = 'article' and outcome = 'stored'), "
            "count(*) filter (where kind in ('feed', 'sitemap')) from pages").fetchone()
    assert stored == len(hits) and listings > 0
    assert r.llen("newsmon:big:articles") == 0 and not r.keys("newsmon:big:processing:*")


@needs_redis
@pytest.mark.slow
@pytest.mark.reliability
def test_a_killed_worker_loses_nothing_and_the_next_run_is_incremental(redis_srv, tmp_path,
                                                                       tiny_model):
    site = serve_generated_site(copies=5)
    try:
        db = tmp_path / "news.duckdb"
        queued = crawl_site(redis_srv, site, tmp_path, "kill", db)
        assert queued == 194
        r = redis_srv.client()
        victim = start(*worker_args(redis_srv, "kill", db, tiny_model, "--batch", "8"))
        pattern = f"newsmon:kill:processing:*-{victim.pid}-*"
        # the victim is stopped (SIGSTOP) while it holds a batch, so it still holds it when
        # it is killed, however fast its model; the survivor works meanwhile
        pause_holding(victim, lambda: sum(r.llen(k) for k in r.keys(pattern)), 120,
                      "the victim to hold articles")
        survivor = start(*worker_args(redis_srv, "kill", db, tiny_model, "--batch", "8"))
        mine = f"newsmon:kill:processing:*-{survivor.pid}-*"
        wait_for(lambda: any(r.llen(k) for k in r.keys(mine)) or survivor.poll() is not None,
                 120, "the survivor to be at work too", every=0.01)
        assert any(r.llen(k) for k in r.keys(pattern)), "the stopped victim holds articles"
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        held = sum(r.llen(k) for k in r.keys(pattern))  # stays until its heartbeat expires
        code, out, err = finish(survivor)
        print(f"victim held {held} articles when killed; survivor: {out.strip()}")
        assert code == 0, out + err[-3000:]
        assert held > 0 and f"; {held} taken over from stopped workers" in out
        total, distinct, annotated = db_counts(db)
        assert total == distinct == queued and annotated == queued
        assert r.llen("newsmon:kill:articles") == 0 and not r.keys("newsmon:kill:processing:*")

        # the fetch record the workers loaded drives the next run: nothing is fetched again
        before = dict(article_hits(site))
        code, out, err = finish(start(*crawl_args(redis_srv, "kill-2", tmp_path / "sources.toml",
                                                  db)))
        assert code == 0, out + err[-3000:]
        assert " 0 article pages fetched" in out and f"{queued} known pages skipped" in out, out
        assert article_hits(site) == before
    finally:
        site.stop()


@needs_redis
@pytest.mark.slow
@pytest.mark.reliability
def test_redis_stopped_mid_crawl_is_a_clear_error_and_staged_rows_stay_loadable(
        redis_srv, tmp_path):
    site = serve_generated_site(copies=5, min_latency=0.05)
    db = tmp_path / "news.duckdb"
    before = store_one_article(db)
    try:
        sources = write_sources(site, tmp_path / "sources.toml", delay=0.05, concurrency=1)
        crawl = start(*crawl_args(redis_srv, "lost", sources, db))
        r = redis_srv.client()
        wait_for(lambda: r.llen("newsmon:lost:articles") >= 20 or crawl.poll() is not None,
                 120, "the crawl to queue articles")
        redis_srv.stop()
        stopped = time.monotonic()
        code, out, err = finish(crawl, timeout=120)
        took = time.monotonic() - stopped
    finally:
        site.stop()
    print(f"exit {code} {took:.1f} s after Redis stopped:", out, err[-3000:])
    assert code == 7, out + err[-3000:]
    assert f"lost the frontier at 127.0.0.1:{redis_srv.port}/0 while" in err
    assert took < 60, took
    done = invoke_newsmon("load", "--db", str(db))  # what was staged loads cleanly
    assert done.returncode == 0, done.stdout + done.stderr
    assert db_counts(db) == before  # a frontier crawl never writes the database itself


@needs_redis
@pytest.mark.slow
@pytest.mark.reliability
def test_redis_stopped_mid_worker_keeps_what_was_stored(redis_srv, tmp_path, tiny_model):
    site = serve_generated_site(copies=5)
    try:
        db = tmp_path / "news.duckdb"
        queued = crawl_site(redis_srv, site, tmp_path, "cut", db)
    finally:
        site.stop()
    r = redis_srv.client()
    worker = start(*worker_args(redis_srv, "cut", db, tiny_model, "--batch", "8"))
    # stopped (SIGSTOP) once it has taken 40, so Redis goes away mid-run however fast
    # its model; it meets the lost frontier once it runs on (SIGCONT)
    pause_holding(worker, lambda: r.llen("newsmon:cut:articles") <= queued - 40, 120,
                  "the worker to stage some batches")
    redis_srv.stop()
    worker.send_signal(signal.SIGCONT)
    stopped = time.monotonic()
    code, out, err = finish(worker, timeout=120)
    print(f"exit {code} {time.monotonic() - stopped:.1f} s after Redis stopped:", out, err[-3000:])
    assert code == 7, out + err[-3000:]
    assert f"lost the frontier at 127.0.0.1:{redis_srv.port}/0 while" in err
    assert time.monotonic() - stopped < 60
    total, distinct, _ = db_counts(db)  # the worker loaded what it had staged before exiting
    assert 40 <= total == distinct < queued
    done = invoke_newsmon("load", "--db", str(db))
    assert done.returncode == 0, done.stdout + done.stderr
    assert db_counts(db)[0] == total  # nothing was left half-staged


def test_a_worker_loads_the_entity_check_s_encoder_before_its_first_batch(tmp_path):
    # loaded in the first batch, its import and load (long calls into C, which a signal waits
    # for) took a SIGTERM past the stop bound (tests/test_faults.py)
    from newsmon.crawler.distributed.worker import Worker, WorkerConfig

    worker = Worker(WorkerConfig(frontier="redis://127.0.0.1:9/0", run="warm", db_path=tmp_path / "news.duckdb",
                                 staging_dir=tmp_path / "staging"))
    worker.load_nlp()
    check = worker._nlp.get_pipe("newsmon_entities").check
    assert check is not None and check._encoder is not None
