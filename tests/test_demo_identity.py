"""The demo's articles keep their identity from run to run: the site is named
http://newsmon-demo.invalid whatever port serves it (crawler/demo/routing.py, the
LocalServer answering for its site name as an HTTP proxy)."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import datetime, timezone

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from conftest import invoke_newsmon, run_newsmon
from newsmon.crawler.demo.routing import HostRouteMiddleware
from newsmon.crawler.demo.content import DemoContentError, apply_edits, load_articles
from newsmon.crawler.demo.site import DEMO_SITE_URL, demo_routes, edited_urls, serve_demo_site
from newsmon.data.store import query


def fetch_via(proxy: str, url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_the_site_answers_for_its_name_and_for_nothing_else():
    with serve_demo_site(site_url=DEMO_SITE_URL) as server:
        assert server.base_url == DEMO_SITE_URL and server.address.startswith("http://127.0.0.1:")
        status, body = fetch_via(server.address, f"{DEMO_SITE_URL}/rss.xml")
        assert status == 200 and f"{DEMO_SITE_URL}/20".encode() in body  # links name the site
        assert b"127.0.0.1" not in body
        assert server.hits["/rss.xml"] == 1
        status, _ = fetch_via(server.address, "http://example.org/")  # never a way out
        assert status == 502
        status, _ = fetch_via(server.address, f"{DEMO_SITE_URL}/no-such-page")
        assert status == 404
        assert demo_routes(server) == {"newsmon-demo.invalid": server.address}


def test_routed_requests_go_through_the_sites_server():
    middleware = HostRouteMiddleware({"newsmon-demo.invalid": "http://127.0.0.1:5555"})
    routed = Request(f"{DEMO_SITE_URL}/rss.xml")
    other = Request("https://example.org/")
    middleware.process_request(routed)
    middleware.process_request(other)
    assert routed.meta["proxy"] == "http://127.0.0.1:5555" and routed.url == f"{DEMO_SITE_URL}/rss.xml"
    assert "proxy" not in other.meta
    with pytest.raises(NotConfigured):
        HostRouteMiddleware.from_crawler(get_crawler(settings_dict={"NEWSMON_ROUTES": {}}))


@pytest.mark.slow
def test_running_the_demo_twice_leaves_the_same_articles(tmp_path, tiny_model):
    db = tmp_path / "demo.duckdb"
    for _ in range(2):  # each run serves the site on another free port
        # identity is the point, not entities: the session's tiny pipeline, in the crawl process
        out = run_newsmon("demo", "--db", str(db), "--workers", "0", "--model", tiny_model)
        assert out.returncode == 0, out.stderr[-2000:]
    articles = query(db, "SELECT canonical_url FROM articles")["canonical_url"]
    assert 30 <= len(articles) == articles.nunique()
    assert all(url.startswith(f"{DEMO_SITE_URL}/") for url in articles)
    runs = query(db, "SELECT coalesce(json_extract(stats, '$.\"newsmon/stored/inserted\"')::INT, 0) AS new "
                     "FROM crawl_runs ORDER BY run_id")["new"]
    assert list(runs) == [len(articles), 0]

    # the site after an edit: that article alone is fetched again, its old text kept as a
    # version, and the demo names the `newsmon diff` to run
    out = run_newsmon("demo", "--edited", "--db", str(db), "--workers", "0", "--model", tiny_model)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "stored: 0 new, 1 updated" in out.stdout, out.stdout
    (url,) = edited_urls(DEMO_SITE_URL)
    assert f"newsmon diff --db {db} {url}" in out.stdout
    versions = query(db, "SELECT a.canonical_url FROM article_versions v JOIN articles a USING (article_id)")
    assert list(versions["canonical_url"]) == [url]
    diff = invoke_newsmon("diff", "--db", str(db), url)
    assert diff.returncode == 0, diff.stderr[-2000:]
    assert "[-45-]{+60+}" in diff.stdout and "+ The Ministry of Science and ICT said" in diff.stdout


def test_the_edited_demo_on_a_new_database_says_to_run_the_plain_demo_first(tmp_path, tiny_model):
    db = tmp_path / "demo.duckdb"
    out = run_newsmon("demo", "--edited", "--db", str(db), "--workers", "0", "--model", tiny_model)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "newsmon diff" not in out.stdout and "run `newsmon demo` first" in out.stdout


def test_an_edit_that_no_longer_matches_its_article_fails_loudly(tmp_path):
    edits = tmp_path / "edits.toml"
    edits.write_text('[[edit]]\nslug = "whisperline-hash-matching-rooms-closed"\n'
                     'replace = [["no such words", "other words"]]\n')
    with pytest.raises(DemoContentError, match="occurs 0 times"):
        apply_edits(load_articles(), datetime.now(timezone.utc), edits)
    edits.write_text('[[edit]]\nslug = "no-such-article"\n')
    with pytest.raises(DemoContentError, match="no article with slug"):
        apply_edits(load_articles(), datetime.now(timezone.utc), edits)
