"""Incremental crawling: the fetch record (table `pages`), conditional requests,
sitemap lastmod and the re-fetch age, proven with real crawls of a local site.

Each crawl runs the real spiders and pipelines (spaCy in the crawl process) in a
spawned child against a LocalServer on 127.0.0.1 that answers conditional GETs
and counts every request, into a real DuckDB file.  The site has a link hub
(always fetched), an RSS feed and a sitemap (both with ETags), three on-topic
articles and one off-topic article.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pandas as pd
import pytest

from conftest import NO_NLP_SETTINGS, ROOT
from newsmon.crawler.fetchrecord.policy import decide, is_settled
from newsmon.data.fetchrecord import KnownPage, read_known_pages
from newsmon.crawler.localserver import LocalServer, Response
from newsmon.crawler.runs.runner import run_crawl_isolated
from newsmon.crawler.sources import parse_sources
from newsmon.data.errors import WriteError
from newsmon.data.store import Store, query

# -- the site -------------------------------------------------------------------------
PAGE = """<html lang="en"><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>{body}</p></article></body></html>"""
ON_TOPIC = (
    "Ofcom opened an investigation under the Online Safety Act into the forum {forum} on Monday,",
    "saying the platform had failed to remove illegal content reported by {users} users.",
    "The regulator can fine companies up to £18m or 10% of their global turnover.",
    "{person}, a director at Ofcom, said content moderation at {forum} was inadequate.",
)
OFF_TOPIC = ("Slice the squash, roast it for forty minutes with thyme and garlic, then blend it "
             "with stock and a little cream until smooth. Season and serve with bread. ") * 6
ARTICLES = {  # path -> (title, forum, person)
    "/news/a1": ("Ofcom investigates Hearth", "Hearth", "Maria Lopez"),
    "/news/a2": ("Ofcom investigates Stashbox", "Stashbox", "Peter Okafor"),
    "/news/a3": ("Ofcom investigates Chirply", "Chirply", "Ines Carvalho"),
}
RECIPE = "/news/a9"
NEW = "/news/a4"


def article_body(forum: str, person: str, users: int = 120) -> str:
    return (" ".join(ON_TOPIC).format(forum=forum, person=person, users=users) + " ") * 3


def validated(body: str, modified: datetime, content_type: str = "text/html; charset=utf-8"
              ) -> Response:
    payload = body.encode("utf-8")
    return Response(body=payload, content_type=content_type, headers={
        "ETag": '"' + hashlib.sha1(payload).hexdigest()[:12] + '"',
        "Last-Modified": format_datetime(modified, usegmt=True)})


class Site:
    """The test site: article routes plus a hub, a feed and a sitemap listing them."""

    def __init__(self, server: LocalServer):
        self.server = server
        self.modified: dict[str, datetime] = {}
        self.listed: list[str] = []
        self.hub_lists: list[str] = []
        then = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
        for path, (title, forum, person) in ARTICLES.items():
            self.put(path, PAGE.format(title=title, body=article_body(forum, person)), then)
        self.put(RECIPE, PAGE.format(title="Winter squash soup", body=OFF_TOPIC), then)
        self.hub_lists = list(self.listed)
        self.publish()

    def put(self, path: str, html: str, modified: datetime, listed: bool = True) -> None:
        self.server.routes[path] = validated(html, modified)
        self.modified[path] = modified
        if listed and path not in self.listed:
            self.listed.append(path)

    def publish(self) -> None:
        """(Re)build the hub, the feed and the sitemap from the listed articles."""
        base = self.server.base_url
        links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in self.hub_lists)
        self.server.routes["/"] = Response(body=f"<html><body><ul>{links}</ul></body></html>")
        items = "".join(f"<item><title>{p}</title><link>{base}{p}</link></item>" for p in self.listed)
        newest = max(self.modified[p] for p in self.listed)
        self.server.routes["/rss.xml"] = validated(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}'
            "</channel></rss>", newest, "application/rss+xml")
        urls = "".join(f"<url><loc>{base}{p}</loc><lastmod>{self.modified[p].isoformat()}</lastmod></url>"
                       for p in self.listed)
        self.server.routes["/sitemap.xml"] = validated(
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{urls}</urlset>", newest, "application/xml")

    def sources_toml(self) -> str:
        base = self.server.base_url
        return f'''
[[source]]
name = "incremental-site"
homepage = "{base}/"
language = "en"
feeds = ["{base}/rss.xml"]
sitemaps = ["{base}/sitemap.xml"]
delay = 0.01
concurrency = 4
[source.follow]
start = ["{base}/"]
allow = ["/news/a\\\\d+$"]
depth = 1
'''

    def article_hits(self) -> dict[str, int]:
        return {p: self.server.hits[p] for p in self.modified if self.server.hits[p]}


# no spaCy (what is fetched and recorded is the point), but where a test checks that an
# update replaced an article's mentions: ANNOTATED, for both of its runs
SETTINGS = {**NO_NLP_SETTINGS, "LOG_LEVEL": "WARNING", "AUTOTHROTTLE_START_DELAY": 0.01,
            "DOWNLOAD_TIMEOUT": 20, "RETRY_TIMES": 0, "NEWSMON_FLUSH_SECONDS": 0.5}
ANNOTATED = {"NEWSMON_ANNOTATE": True}


def crawl(site: Site, db: Path, **overrides) -> dict:
    """One real crawl of `site` into `db` (in a spawned child); the server's counts
    are reset first, so afterwards they show this crawl's requests only."""
    site.server.reset_counts()
    stats = run_crawl_isolated(parse_sources(site.sources_toml()),
                               {**SETTINGS, "NEWSMON_DB": str(db), **overrides}, timeout=300)
    assert stats["finish_reason"] == "finished"
    assert stats.get("log_count/ERROR", 0) == 0
    return stats


def pages(db: Path) -> pd.DataFrame:
    return query(db, "select * from pages order by url").set_index("url")


@pytest.fixture
def site(local_server) -> Site:
    return Site(local_server())


@pytest.fixture
def first_run(site, tmp_path, request) -> tuple[Site, Path, dict]:
    """The first crawl of the site (with the setting overrides a test passes indirectly)."""
    db = tmp_path / "inc.duckdb"
    stats = crawl(site, db, **getattr(request, "param", {}))
    assert site.article_hits() == {p: 1 for p in [*ARTICLES, RECIPE]}
    return site, db, stats


# -- the rules, without a crawl ---------------------------------------------------------
def _known(outcome: str, hours_ago: float, etag: str | None = '"e"') -> KnownPage:
    fetched = datetime(2026, 11, 20, 12, 0) - timedelta(hours=hours_ago)
    return KnownPage("article", fetched, outcome, etag, "Thu, 19 Nov 2026 08:00:00 GMT")


@pytest.mark.parametrize("outcome, hours_ago, changed, days, fetch, why, conditional", [
    (None, 0, None, 7, True, "new", False),
    ("stored", 1, None, 7, False, "known", False),
    ("dropped:off_topic", 1, None, 7, False, "known", False),
    ("not_modified", 1, None, 7, False, "known", False),
    ("failed:http_404", 1, None, 7, False, "known", False),
    ("stored", 8 * 24, None, 7, True, "age", True),
    ("stored", 1, None, 0, True, "age", True),
    ("stored", 1, datetime(2026, 11, 20, 11, 30), 7, True, "lastmod", True),
    ("stored", 1, datetime(2026, 11, 20, 10, 30), 7, False, "known", False),
    ("failed:http_503", 1, None, 7, True, "unsettled", False),
    ("failed:timeout", 1, None, 7, True, "unsettled", False),
    ("failed:http_429", 1, None, 7, True, "unsettled", False),
    ("dropped:processing_error", 1, None, 7, True, "unsettled", False),
])
def test_decide_rules(outcome, hours_ago, changed, days, fetch, why, conditional):
    known = None if outcome is None else _known(outcome, hours_ago)
    decision = decide(known, changed, datetime(2026, 11, 20, 12, 0), days)
    assert (decision.fetch, decision.why) == (fetch, why)
    assert ("If-None-Match" in decision.headers) == conditional
    if known is not None:
        assert is_settled(outcome) == (why not in ("unsettled",))


def test_local_server_answers_conditional_gets(local_server):
    modified = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    server = local_server({"/p": validated("<p>hello</p>", modified)})
    etag = server.routes["/p"].headers["ETag"]

    def get(**headers) -> tuple[int, bytes]:
        req = urllib.request.Request(server.url("/p"), headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:  # urllib raises for 304
            return exc.code, exc.read()

    assert get() == (200, b"<p>hello</p>")
    assert get(**{"If-None-Match": etag}) == (304, b"")
    assert get(**{"If-None-Match": '"other", W/' + etag}) == (304, b"")
    assert get(**{"If-None-Match": '"other"'})[0] == 200
    assert get(**{"If-Modified-Since": format_datetime(modified, usegmt=True)})[0] == 304
    assert get(**{"If-Modified-Since": format_datetime(modified - timedelta(seconds=1),
                                                       usegmt=True)})[0] == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    assert get(**{"If-None-Match": '"other"',
                  "If-Modified-Since": format_datetime(modified, usegmt=True)})[0] == 200
    assert server.hits["/p"] == 7 and server.not_modified["/p"] == 3


def test_page_rows_commit_with_their_articles_or_not_at_all(tmp_path):
    store = Store(tmp_path / "tx.duckdb")
    good = pd.DataFrame([{"url": "http://x/a", "canonical_url": "http://x/a", "text": "t",
                          "text_hash": "h"}])
    bad = good.assign(word_count="many")  # not an integer: the batch is refused
    rows = pd.DataFrame([{"url": "http://x/a", "kind": "article", "outcome": "stored",
                          "fetched_at": "2026-11-20T10:00:00", "canonical_url": "http://x/a"}])
    with pytest.raises(WriteError):
        store.write_batch(1, bad, None, None, rows)
    assert query(store.path, "select count(*) n from pages")["n"].iloc[0] == 0
    counts = store.write_batch(1, good, None, None, rows)
    assert counts["inserted"] == 1 and counts["pages"] == 1
    known = read_known_pages(store.path, ["nobody"])
    assert len(known) == 0  # only the given sources' pages are loaded
    known.close()


# -- real crawls (slow: one spawned crawl each, spaCy included) ----------------------------
@pytest.mark.slow
def test_first_run_records_every_fetch(first_run):
    site, db, stats = first_run
    record = pages(db)
    base = site.server.base_url
    assert record.loc[[base + p for p in ARTICLES], "outcome"].tolist() == ["stored"] * 3
    assert record.loc[base + RECIPE, "outcome"] == "dropped:off_topic"
    assert record.loc[base + "/rss.xml", "outcome"] == "listed"
    assert record.loc[base + "/sitemap.xml", "outcome"] == "listed"
    assert record.loc[base + "/rss.xml", "etag"] == site.server.routes["/rss.xml"].headers["ETag"]
    assert base + "/" not in record.index  # link hubs are fetched every run, never recorded
    a1 = record.loc[base + "/news/a1"]
    assert a1["etag"] == site.server.routes["/news/a1"].headers["ETag"] and a1["status"] == 200
    assert a1["canonical_url"] == base + "/news/a1" and a1["kind"] == "article"
    assert stats["newsmon/stored/inserted"] == 3
    assert stats["newsmon/stored/pages"] == 6  # 4 articles, then the feed and the sitemap


@pytest.mark.slow
def test_second_run_over_an_unchanged_site_fetches_no_article_page(first_run):
    site, db, _ = first_run
    articles = query(db, "select url, text, fetched_at from articles order by url")
    stats = crawl(site, db)
    assert site.article_hits() == {}, "no article page is requested again"
    assert site.server.not_modified["/rss.xml"] == 1 == site.server.hits["/rss.xml"]
    assert site.server.not_modified["/sitemap.xml"] == 1 == site.server.hits["/sitemap.xml"]
    assert site.server.hits["/"] == 1  # the hub is read, its known links skipped
    assert stats["newsmon/skipped_known"] == 4
    assert stats["newsmon/not_modified/feed"] == 1 and stats["newsmon/not_modified/sitemap"] == 1
    assert not any(k.startswith("newsmon/pages/") for k in stats)
    pd.testing.assert_frame_equal(
        query(db, "select url, text, fetched_at from articles order by url"), articles)
    record = pages(db)
    assert record.loc[site.server.url("/rss.xml"), "outcome"] == "not_modified"
    assert record.loc[site.server.url("/rss.xml"), "etag"] == site.server.routes["/rss.xml"].headers["ETag"]


@pytest.mark.slow
def test_a_new_article_in_the_feed_is_the_only_page_fetched(first_run):
    site, db, _ = first_run
    site.put(NEW, PAGE.format(title="Ofcom investigates Pinbo", body=article_body("Pinbo", "Dana Whitfield")),
             datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc))
    site.publish()  # the feed and the sitemap list it (new ETags); the hub does not
    stats = crawl(site, db)
    assert site.article_hits() == {NEW: 1}
    assert site.server.not_modified["/rss.xml"] == 0  # changed feed: read in full
    assert stats["newsmon/skipped_known"] == 4
    assert stats["newsmon/stored/inserted"] == 1
    assert query(db, "select count(*) n from articles")["n"].iloc[0] == 4
    assert pages(db).loc[site.server.url(NEW), "outcome"] == "stored"


@pytest.mark.slow
@pytest.mark.parametrize("first_run", [ANNOTATED], indirect=True)
def test_a_changed_article_is_refetched_by_sitemap_lastmod_and_updated(first_run):
    site, db, _ = first_run
    base = site.server.base_url
    a2 = base + "/news/a2"
    old_id, = query(db, "select article_id from articles where url = $u", {"u": a2})["article_id"]
    time.sleep(1.1)  # lastmod must be later than the first run's fetch
    changed_at = datetime.now(timezone.utc).replace(microsecond=0)
    site.put("/news/a2", PAGE.format(title="Ofcom fines Stashbox",
                                     body=article_body("Stashbox", "Ruth Abernethy", users=450)),
             changed_at)
    site.publish()
    stats = crawl(site, db, **ANNOTATED)
    assert site.article_hits() == {"/news/a2": 1}
    assert stats["newsmon/refetch/lastmod"] == 1 and stats["newsmon/skipped_known"] == 3
    assert stats["newsmon/stored/updated"] == 1
    row = query(db, "select article_id, title, text from articles where url = $u", {"u": a2}).iloc[0]
    assert row["article_id"] == old_id and row["title"] == "Ofcom fines Stashbox"
    assert "450 users" in row["text"] and "120 users" not in row["text"]
    people = set(query(db, "select canonical from mentions where article_id = $i and label = 'person'",
                       {"i": int(old_id)})["canonical"])
    assert "Ruth Abernethy" in people and "Peter Okafor" not in people  # mentions replaced
    figures = set(query(db, "select value from figures where article_id = $i and kind = 'count'",
                        {"i": int(old_id)})["value"])
    assert 450 in figures and 120 not in figures
    record = pages(db).loc[a2]
    assert record["last_changed_at"] > record["first_fetched_at"]


@pytest.mark.slow
def test_refetch_days_zero_asks_again_conditionally_and_304_keeps_the_article(first_run):
    site, db, _ = first_run
    before = pages(db)
    articles = query(db, "select url, text, updated_at, text_hash from articles order by url")
    stats = crawl(site, db, NEWSMON_REFETCH_DAYS=0)
    # the hub lists the four known articles: each is asked with its validators, and answered 304
    assert site.article_hits() == {p: 1 for p in [*ARTICLES, RECIPE]}
    assert {p: site.server.not_modified[p] for p in [*ARTICLES, RECIPE]} == \
        {p: 1 for p in [*ARTICLES, RECIPE]}
    assert stats["newsmon/not_modified/article"] == 4 and stats["newsmon/refetch/age"] == 4
    assert stats.get("newsmon/processed", 0) == 0
    pd.testing.assert_frame_equal(
        query(db, "select url, text, updated_at, text_hash from articles order by url"), articles)
    after = pages(db)
    a1 = site.server.url("/news/a1")
    assert after.loc[a1, "outcome"] == "not_modified" and after.loc[a1, "status"] == 304
    assert after.loc[a1, "last_fetched_at"] > before.loc[a1, "last_fetched_at"]
    assert after.loc[a1, "etag"] == before.loc[a1, "etag"]  # kept for the next conditional GET
    assert after.loc[a1, "last_changed_at"] == before.loc[a1, "last_changed_at"]


@pytest.mark.slow
def test_incremental_off_refetches_everything_in_full(first_run):
    site, db, _ = first_run
    stats = crawl(site, db, NEWSMON_INCREMENTAL=False)
    assert site.article_hits() == {p: 1 for p in [*ARTICLES, RECIPE]}
    assert sum(site.server.not_modified.values()) == 0
    assert stats["newsmon/stored/unchanged"] == 3 and "newsmon/skipped_known" not in stats


@pytest.mark.slow
def test_an_entry_that_failed_transiently_makes_its_feed_be_read_again(site, tmp_path):
    db = tmp_path / "retry.duckdb"
    good = site.server.routes["/news/a3"]
    site.server.routes["/news/a3"] = Response(503, "<html><body>busy</body></html>")
    stats = crawl(site, db)
    assert stats["newsmon/fetch_failed/http_503"] == 1
    record = pages(db)
    base = site.server.base_url
    assert record.loc[base + "/news/a3", "outcome"] == "failed:http_503"
    for listing in ("/rss.xml", "/sitemap.xml"):  # their entries were not all settled
        assert record.loc[base + listing, "outcome"] == "incomplete"
        assert pd.isna(record.loc[base + listing, "etag"])
    site.server.routes["/news/a3"] = good
    crawl(site, db)
    assert site.server.hits["/rss.xml"] == 1 and site.server.not_modified["/rss.xml"] == 0
    assert site.article_hits() == {"/news/a3": 1}
    assert query(db, "select count(*) n from articles")["n"].iloc[0] == 3
    assert pages(db).loc[base + "/rss.xml", "outcome"] == "listed"


@pytest.mark.slow
def test_a_killed_run_leaves_its_feeds_to_be_read_again(first_run, tmp_path):
    """SIGKILL during a crawl that read a changed feed: the feed's row keeps the old
    validators, so the next run reads the feed in full and fetches the new article."""
    site, db, _ = first_run
    old_etag = pages(db).loc[site.server.url("/rss.xml"), "etag"]
    fresh = PAGE.format(title="Ofcom investigates Pinbo", body=article_body("Pinbo", "Dana Whitfield"))
    site.put(NEW, fresh, datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc))
    site.server.routes[NEW].delay = 60  # the crawl hangs on the new article...
    site.publish()
    sources = tmp_path / "sources.toml"
    sources.write_text(site.sources_toml())
    site.server.reset_counts()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from newsmon.crawler.cli import main; main()", "crawl", "--db", str(db),
         "--sources", str(sources), "--workers", "0", "--set", "NEWSMON_ANNOTATE=false",
         "--set", "AUTOTHROTTLE_START_DELAY=0.01",
         "--set", "RETRY_TIMES=0"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 120
        while site.server.hits[NEW] == 0:  # ...which it has requested: the feed was read
            assert proc.poll() is None and time.monotonic() < deadline, "crawl ended early"
            time.sleep(0.05)
        time.sleep(1.0)  # let the known entries be skipped and the periodic flush run
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert site.server.hits["/rss.xml"] == 1 and site.server.not_modified["/rss.xml"] == 0
    assert pages(db).loc[site.server.url("/rss.xml"), "etag"] == old_etag
    site.server.routes[NEW].delay = 0
    stats = crawl(site, db)
    assert site.server.not_modified["/rss.xml"] == 0, "the feed is read in full again"
    assert site.article_hits() == {NEW: 1}
    assert stats["newsmon/stored/inserted"] == 1
    assert query(db, "select count(*) n from articles")["n"].iloc[0] == 4
    dup = query(db, "select canonical_url, count(*) from articles group by 1 having count(*) > 1")
    assert dup.empty
