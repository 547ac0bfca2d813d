"""Tests for the spiders, settings and runner: real Scrapy crawls of a small site
served by crawler.localserver on 127.0.0.1, one crawl per spawned process.

The site (written here) has RSS, Atom and a broken feed, a sitemap index that
lists itself, a Google News sitemap, a urlset with a 404, a 500, a PDF, a PNG,
an empty and a malformed page, a robots.txt that disallows /private/, link hubs
with javascript:/mailto:/data:/tel:, denied, non-HTML and offsite links.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.spidermiddlewares.httperror import HttpError

from conftest import NO_NLP_SETTINGS, free_port
from newsmon.crawler.localserver import LocalServer, Response
from newsmon.crawler.runs.runner import CrawlError, run_crawl_isolated
from newsmon.crawler.settings import build_settings, user_agent
from newsmon.crawler.sources import FollowRules, Source
from newsmon.crawler.spiders import SPIDERS
from newsmon.crawler.spiders.base import clean_url, failure_reason, is_stale, is_text
from newsmon.crawler.spiders.parsers import iso_date, parse_feed, parse_sitemap

CONTACT = "crawl-tests@newsmon.invalid"


# -- the collecting pipeline the crawls run with (imported by name in the child) ------
class CollectPipeline:
    """Writes every item as one JSON line to the TEST_ITEMS_FILE setting."""

    def __init__(self, path: str):
        self.path = path

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings["TEST_ITEMS_FILE"])

    def process_item(self, item):
        row = dataclasses.asdict(item)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")
        return item


def crawl(sources: list[Source], spider: str, tmp: Path, **overrides: Any
          ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run `spider` over `sources` in a child process; return (stats, items)."""
    items_file = tmp / f"items-{spider}.jsonl"
    settings = {
        "ITEM_PIPELINES": {f"{CollectPipeline.__module__}.CollectPipeline": 100},
        "TEST_ITEMS_FILE": str(items_file),
        "NEWSMON_CONTACT": CONTACT,
        "LOG_LEVEL": "WARNING",
        "DOWNLOAD_DELAY": 0.01,
        "AUTOTHROTTLE_START_DELAY": 0.01,
        "DOWNLOAD_TIMEOUT": 10,
        **overrides,
    }
    stats = run_crawl_isolated(sources, settings, spider, timeout=180)
    items = [json.loads(line) for line in items_file.read_text().splitlines()] \
        if items_file.exists() else []
    return stats, items


# -- the site ----------------------------------------------------------------------
def page(title: str, body: str = "") -> str:
    return (f"<!doctype html><html><head><title>{title}</title></head><body>"
            f"<h1>{title}</h1><p>Some text about {title}.</p>{body}"
            f'<a href="/">home</a></body></html>')


def rss(base: str, offsite: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Test</title><link>{base}/</link>
<item><title>Article one</title><link>{base}/2024/a1.html</link>
  <pubDate>Tue, 05 Mar 2024 09:30:00 +0100</pubDate></item>
<item><title>Article two</title><link>{base}/2024/a2.html?utm_source=rss&amp;utm_medium=feed</link>
  <dc:date>2024-03-06T10:00:00Z</dc:date></item>
<item><title>Secret</title><link>{base}/private/secret.html</link></item>
<item><title>Episode 7</title><link>{base}/media/episode7.mp3</link></item>
<item><title>Elsewhere</title><link>{offsite}/2024/feed-offsite.html</link></item>
</channel></rss>"""


def atom(base: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Test</title>
<entry><title>Article three</title>
  <link rel="edit" href="{base}/edit/3"/>
  <link rel="alternate" type="text/html" href="/2024/a3.html"/>
  <updated>2024-03-07T08:00:00Z</updated></entry>
</feed>"""


def sitemap_index(base: str) -> str:
    locs = ["/sitemap-news.xml", "/sitemap-pages.xml.gz", "/sitemap_index.xml"]
    inner = "".join(f"<sitemap><loc>{base}{p}</loc></sitemap>" for p in locs)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{inner}</sitemapindex>')


def news_sitemap(base: str) -> str:
    def url(path: str, title: str, day: str) -> str:
        return (f"<url><loc>{base}{path}</loc><news:news><news:publication>"
                f"<news:name>Test</news:name><news:language>en</news:language></news:publication>"
                f"<news:publication_date>{day}</news:publication_date>"
                f"<news:title>{title}</news:title></news:news></url>")
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            + url("/2024/a1.html", "News one", "2024-03-05T08:30:00+00:00")
            + url("/2024/a2.html", "News two", "2024-03-06")
            + url("/2024/a4.html", "News four", "2024-03-08T12:00:00Z")
            + "</urlset>")


def robots_sitemap(base: str) -> str:
    return ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{base}/2024/a9.html</loc></url></urlset>")


PAGES_IN_SITEMAP = ["/2024/a5.html", "/missing.html", "/error.html", "/doc", "/pixel",
                    "/empty.html", "/broken.html"]


def pages_sitemap(base: str) -> bytes:
    inner = "".join(f"<url><loc>{base}{p}</loc><lastmod>2024-03-09</lastmod></url>"
                    for p in PAGES_IN_SITEMAP)
    xml = ('<?xml version="1.0" encoding="UTF-8"?>'
           f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{inner}</urlset>')
    return gzip.compress(xml.encode())


HOME_LINKS = [
    "/2024/a1.html", "/2024/a6.html", "/section/", "/tag/politics/", "/private/p.html",
    "/file.pdf", "/logo.png", "javascript:void(0)", "mailto:desk@example.org",
    "data:text/html,<b>x</b>", "tel:+15555550100",
]
MALFORMED = "<html><head><title>Broken<body><p>unclosed <div><table><tr><td>cell<a href='/2024/a7.html'"


def site_routes(base: str, offsite: str, user_agents: list[str]) -> dict[str, Any]:
    def a1(request) -> Response:
        user_agents.append(request.headers.get("User-Agent", ""))
        return Response(body=page("Article one"))

    home_links = "".join(f'<a href="{h}">link {i}</a>' for i, h in enumerate(HOME_LINKS))
    home_links += f'<a href="{offsite}/2024/off.html">offsite</a>'
    home_links += '<a href="/2024/nofollow.html" rel="nofollow">nofollow</a>'
    routes: dict[str, Any] = {
        "/robots.txt": Response(body="User-agent: *\nDisallow: /private/\n"
                                     "Sitemap: /sitemap-robots.xml\n", content_type="text/plain"),
        "/sitemap-robots.xml": Response(body=robots_sitemap(base), content_type="text/xml"),
        "/": Response(body=page("Home", home_links)),
        "/section/": Response(body=page("Section", '<a href="/2024/a7.html">seven</a>'
                                                  '<a href="/section/deeper/">deeper</a>')),
        "/section/deeper/": Response(body=page("Deeper", '<a href="/2024/a8.html">eight</a>')),
        "/rss.xml": Response(body=rss(base, offsite), content_type="application/rss+xml"),
        "/atom.xml": Response(body=atom(base), content_type="application/atom+xml"),
        "/bad-feed.xml": Response(body="<html><body>this is not a feed</body></html>",
                                  content_type="text/html"),
        "/sitemap_index.xml": Response(body=sitemap_index(base), content_type="application/xml"),
        "/sitemap-news.xml": Response(body=news_sitemap(base), content_type="application/xml"),
        "/sitemap-pages.xml.gz": Response(body=pages_sitemap(base),
                                          content_type="application/octet-stream"),
        "/bad-sitemap.xml": Response(body="\x00\x01 definitely not xml",
                                     content_type="application/octet-stream"),
        "/2024/a1.html": a1,
        "/error.html": Response(500, "<html><body>oops</body></html>"),
        "/doc": Response(body=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
                         content_type="application/pdf"),
        "/pixel": Response(body=b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, content_type="image/png"),
        "/empty.html": Response(body=b""),
        "/broken.html": Response(body=MALFORMED),
    }
    for n in (2, 3, 4, 5, 6, 7, 8, 9):
        routes[f"/2024/a{n}.html"] = Response(body=page(f"Article {n}"))
    return routes


class Site:
    """The test site plus an 'offsite' server that nothing may reach."""

    def __init__(self):
        self.user_agents: list[str] = []
        self.offsite = LocalServer({"/robots.txt": Response(404)}).start()
        offsite_base = f"http://localhost:{self.offsite.port}"
        self.server = LocalServer()
        self.server.routes.update(site_routes(self.server.base_url, offsite_base,
                                              self.user_agents))
        self.server.start()

    @property
    def base(self) -> str:
        return self.server.base_url

    def stop(self) -> None:
        self.server.stop()
        self.offsite.stop()

    def source(self, name: str = "testsite", *, feeds=(), sitemaps=(), follow=True,
               concurrency: int = 4) -> Source:
        b = self.base
        rules = FollowRules(start=(f"{b}/",), allow=(r"/20\d\d/",), deny=("/tag/",), depth=2)
        return Source(name=name, homepage=f"{b}/", language="en",
                      feeds=tuple(b + f for f in feeds), sitemaps=tuple(b + s for s in sitemaps),
                      delay=0.0, concurrency=concurrency, follow=rules if follow else None)


def paths(items: list[dict[str, Any]]) -> list[str]:
    from urllib.parse import urlsplit
    return sorted(urlsplit(i["url"]).path for i in items)


def run_on_site(spider: str, tmp: Path, settings: dict[str, Any] | None = None,
                **source_kwargs) -> tuple[Site, dict, list[dict]]:
    site = Site()
    try:
        stats, items = crawl([site.source(**source_kwargs)], spider, tmp, **(settings or {}))
    finally:
        site.stop()
    return site, stats, items


@pytest.fixture(scope="module")
def feeds_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("feeds")
    dead = f"http://127.0.0.1:{free_port()}"
    site = Site()
    try:
        good = site.source(feeds=("/rss.xml", "/atom.xml", "/bad-feed.xml", "/no-feed.xml"),
                           follow=False)
        down = Source(name="down", homepage=f"{dead}/", feeds=(f"{dead}/rss.xml",), delay=0.0)
        stats, items = crawl([good, down], "feeds", tmp, RETRY_TIMES=0)
    finally:
        site.stop()
    return site, stats, items


@pytest.fixture(scope="module")
def sitemaps_run(tmp_path_factory):
    return run_on_site("sitemaps", tmp_path_factory.mktemp("sitemaps"),
                       {"NEWSMON_ROBOTS_SITEMAPS": True}, sitemaps=("/sitemap_index.xml", "/bad-sitemap.xml"), follow=False)


@pytest.fixture(scope="module")
def links_run(tmp_path_factory):
    return run_on_site("links", tmp_path_factory.mktemp("links"))


@pytest.fixture(scope="module")
def news_run(tmp_path_factory):
    return run_on_site("news", tmp_path_factory.mktemp("news"),
                       feeds=("/rss.xml", "/atom.xml"), sitemaps=("/sitemap_index.xml",))


# -- feeds ---------------------------------------------------------------------------
def test_feed_spider_finds_exactly_the_feed_articles(feeds_run):
    site, stats, items = feeds_run
    assert paths(items) == ["/2024/a1.html", "/2024/a2.html", "/2024/a3.html"]
    assert {i["via"] for i in items} == {"feed"}
    by_path = {p: i for p, i in zip(paths(items), sorted(items, key=lambda i: i["url"]))}
    one = by_path["/2024/a1.html"]
    assert one["hints"]["title"] == "Article one"
    assert one["hints"]["published"] == "2024-03-05"
    assert one["source"] == "testsite" and one["language"] == "en" and one["status"] == 200
    assert one["content_type"].startswith("text/html") and "Article one" in one["html"]
    assert one["fetched_at"].endswith("+00:00")
    assert by_path["/2024/a2.html"]["url"].endswith("/2024/a2.html")  # utm_* dropped
    assert by_path["/2024/a3.html"]["hints"]["published"] == "2024-03-07"
    assert site.server.hits["/edit/3"] == 0  # Atom rel="edit" is not the article
    assert site.server.hits["/media/episode7.mp3"] == 0


def test_feed_spider_counts_broken_feeds_and_failures(feeds_run):
    _, stats, _ = feeds_run
    assert stats["newsmon/bad_feed"] == 1
    assert stats["newsmon/fetch_failed/http_404"] == 1  # /no-feed.xml
    assert stats["newsmon/fetch_failed/connection_refused"] == 1  # the "down" source
    assert stats["newsmon/skipped_extension"] == 1  # the .mp3 entry, never requested
    assert stats["finish_reason"] == "finished"


def test_robots_disallow_is_obeyed(feeds_run):
    site, stats, _ = feeds_run
    assert site.server.hits["/robots.txt"] == 1
    assert site.server.hits["/private/secret.html"] == 0
    assert stats["robotstxt/forbidden"] >= 1


def test_offsite_feed_entries_are_not_fetched(feeds_run):
    site, stats, _ = feeds_run
    assert sum(site.offsite.hits.values()) == 0
    assert stats["offsite/filtered"] >= 1


def test_user_agent_names_newsmon_and_the_contact(feeds_run):
    site, _, _ = feeds_run
    assert site.user_agents, "the article handler was never called"
    ua = site.user_agents[0]
    assert ua.startswith("newsmon/") and CONTACT in ua


# -- sitemaps --------------------------------------------------------------------------
def test_sitemap_spider_follows_index_news_and_gzip_urlsets(sitemaps_run):
    site, stats, items = sitemaps_run
    expected = sorted(["/2024/a1.html", "/2024/a2.html", "/2024/a4.html", "/2024/a5.html",
                       "/2024/a9.html",  # from the sitemap named in robots.txt
                       "/doc", "/pixel", "/empty.html", "/broken.html"])
    assert paths(items) == expected
    hints = {p: i["hints"] for p, i in zip(paths(items), sorted(items, key=lambda i: i["url"]))}
    assert hints["/2024/a1.html"]["title"] == "News one"
    assert hints["/2024/a1.html"]["published"] == "2024-03-05"
    assert hints["/2024/a5.html"]["lastmod"] == "2024-03-09"
    assert hints["/2024/a5.html"]["sitemap"].endswith("/sitemap-pages.xml.gz")


def test_sitemap_index_that_lists_itself_is_fetched_once(sitemaps_run):
    site, stats, _ = sitemaps_run
    assert site.server.hits["/sitemap_index.xml"] == 1
    assert stats["newsmon/sitemap_cycle"] == 1
    assert stats["newsmon/bad_sitemap"] == 1  # /bad-sitemap.xml


def test_bad_pages_are_counted_not_fatal(sitemaps_run):
    site, stats, items = sitemaps_run
    assert stats["newsmon/fetch_failed/http_404"] == 1
    assert stats["newsmon/fetch_failed/http_500"] == 1
    assert site.server.hits["/error.html"] == 3  # retried twice, then given up
    assert stats["newsmon/pages_binary"] == 2  # the PDF and the PNG
    assert stats["newsmon/pages_empty"] == 1
    by_path = {p: i for p, i in zip(paths(items), sorted(items, key=lambda i: i["url"]))}
    assert by_path["/doc"]["html"] is None and by_path["/doc"]["content_type"] == "application/pdf"
    assert by_path["/pixel"]["html"] is None
    assert by_path["/empty.html"]["html"] == ""
    assert "unclosed" in by_path["/broken.html"]["html"]
    assert stats["finish_reason"] == "finished"
    assert "log_count/ERROR" not in stats  # failures are counted and logged, not errors


# -- links ---------------------------------------------------------------------------
def test_link_spider_finds_exactly_the_allowed_pages_within_depth(links_run):
    site, stats, items = links_run
    assert paths(items) == ["/2024/a1.html", "/2024/a6.html", "/2024/a7.html"]
    assert {i["via"] for i in items} == {"links"}
    assert site.server.hits["/section/deeper/"] == 1  # depth 2: fetched, not followed
    assert site.server.hits["/2024/a8.html"] == 0
    anchors = {i["hints"].get("anchor") for i in items}
    assert "seven" in anchors


def test_link_spider_skips_denied_non_html_nofollow_and_offsite_links(links_run):
    site, stats, _ = links_run
    for path in ("/tag/politics/", "/file.pdf", "/logo.png", "/2024/nofollow.html",
                 "/private/p.html"):
        assert site.server.hits[path] == 0, path
    assert sum(site.offsite.hits.values()) == 0
    assert not [p for p in site.server.hits if ":" in p or p.startswith(("javascript", "data"))]
    assert stats["robotstxt/forbidden"] == 1  # /private/p.html
    assert "newsmon/fetch_failed/unsupported_scheme" not in stats


# -- combined --------------------------------------------------------------------------
def test_news_spider_combines_modes_and_fetches_each_article_once(news_run):
    site, stats, items = news_run
    expected = sorted(["/2024/a1.html", "/2024/a2.html", "/2024/a3.html", "/2024/a4.html",
                       "/2024/a5.html", "/2024/a6.html", "/2024/a7.html",
                       "/doc", "/pixel", "/empty.html", "/broken.html"])
    assert paths(items) == expected  # each once
    # a1 is in the RSS feed, the news sitemap and linked from the home page
    assert site.server.hits["/2024/a1.html"] == 1
    assert site.server.hits["/2024/a2.html"] == 1  # feed URL carries utm_*, sitemap's does not
    assert site.server.hits["/"] == 1
    assert stats["dupefilter/filtered"] >= 2
    assert {i["via"] for i in items} == {"feed", "sitemap", "links"}


# -- politeness -------------------------------------------------------------------------
@pytest.mark.parametrize("concurrency", [2, 3])
def test_concurrency_limit_holds_with_zero_configured_delay(local_server, tmp_path, concurrency):
    """Scrapy 2.19 ignores a slot's concurrency when its delay is 0 (asyncio
    reactor); the settings clamp every delay above 0, so the limit holds."""
    n = 24
    routes: dict[str, Any] = {f"/p/{i}.html": Response(body=page(f"P{i}")) for i in range(n)}
    server = local_server(routes, min_latency=0.2)
    items_xml = "".join(f"<item><link>{server.url(f'/p/{i}.html')}</link></item>" for i in range(n))
    server.routes["/feed.xml"] = Response(body=f"<rss><channel>{items_xml}</channel></rss>",
                                          content_type="application/rss+xml")
    source = Source(name="slow", homepage=server.url("/"), feeds=(server.url("/feed.xml"),),
                    delay=0.0, concurrency=concurrency)
    stats, items = crawl([source], "feeds", tmp_path, DOWNLOAD_DELAY=0,
                         AUTOTHROTTLE_ENABLED=False)
    assert len(items) == n
    assert 2 <= server.max_in_flight <= concurrency


# -- runner ---------------------------------------------------------------------------
def test_runner_reports_unknown_spider(tmp_path):
    source = Source(name="x", homepage="http://127.0.0.1:9/", feeds=("http://127.0.0.1:9/f",))
    with pytest.raises(CrawlError, match="unknown spider 'nope'"):
        run_crawl_isolated([source], {}, "nope", timeout=60)


class EnvProbe:
    """An extension (imported by name in the crawl's process) that puts what that process
    sees into the crawl's stats."""

    @classmethod
    def from_crawler(cls, crawler):
        crawler.stats.set_value("probe/env", os.environ.get("NEWSMON_TEST_PROBE"))
        crawler.stats.set_value("probe/parent", os.getppid())
        return cls()


def test_an_isolated_crawl_forks_from_a_server_and_sees_the_callers_environment(monkeypatch, db):
    """run_crawl_isolated's child comes from a forkserver that imported the crawl's modules
    once, yet it sees the environment its caller has at the call, as a spawned one did: the
    variable is set after the server started, so only the call can have passed it on."""
    from newsmon.crawler.pipelines.pool import forkserver
    from newsmon.crawler.runs.runner import CRAWL_MODULES
    forkserver(CRAWL_MODULES, {})  # running now (or already), without the variable
    monkeypatch.setenv("NEWSMON_TEST_PROBE", "set after the server started")
    source = Source(name="x", homepage="http://127.0.0.1:9/", feeds=("http://127.0.0.1:9/f",))
    stats = run_crawl_isolated([source], {**NO_NLP_SETTINGS, "NEWSMON_DB": str(db),
                                          "RETRY_ENABLED": False,
                                          "EXTENSIONS": {"test_spiders.EnvProbe": 0}},
                               timeout=120)
    assert stats.get("probe/env") == "set after the server started"
    assert stats.get("probe/parent") not in (None, os.getpid())  # not a child of ours: forked


def test_spider_registry_names():
    assert set(SPIDERS) == {"news", "feeds", "sitemaps", "links"}
    s = Source(name="a", homepage="https://www.example.org/", feeds=("https://feeds.example.net/x",))
    spider = SPIDERS["news"](sources=[s])
    assert spider.allowed_domains == ["example.org", "feeds.example.net", "www.example.org"]


# -- settings ----------------------------------------------------------------------------
def test_build_settings_slots_user_agent_and_delay_floor():
    a = Source(name="a", homepage="https://example.org/", feeds=("https://example.org/f",),
               delay=0.0, concurrency=3)
    b = Source(name="b", homepage="https://www.example.org/", feeds=("https://example.org/g",),
               delay=5.0, concurrency=1)
    s = build_settings([a, b], {"NEWSMON_CONTACT": "ops@example.org", "DOWNLOAD_DELAY": 0})
    assert s["USER_AGENT"] == user_agent("ops@example.org")
    assert "newsmon/" in s["USER_AGENT"] and "ops@example.org" in s["USER_AGENT"]
    assert s.getfloat("DOWNLOAD_DELAY") > 0
    slots = s.getdict("DOWNLOAD_SLOTS")
    # both sources claim example.org and www.example.org: the stricter one wins
    assert slots["example.org"]["concurrency"] == 1 and slots["example.org"]["delay"] == 5.0
    assert s.getbool("ROBOTSTXT_OBEY") and not s.getbool("COOKIES_ENABLED")
    assert not s.getbool("TELNETCONSOLE_ENABLED") and not s.getbool("REMOTE_CONTROL_ENABLED")
    # not even loaded: Scrapy imports every listed extension, and the remote control's
    # module brings aiohttp's web server into every crawl process
    listed = " ".join(s.getwithbase("EXTENSIONS"))
    assert "TelnetConsole" not in listed and "RemoteControl" not in listed and "CoreStats" in listed
    alone = build_settings([a], {})
    assert alone.getdict("DOWNLOAD_SLOTS")["example.org"]["delay"] > 0  # clamped from 0
    assert alone.getdict("DOWNLOAD_SLOTS")["www.example.org"]["concurrency"] == 3
    assert build_settings([], {"USER_AGENT": "custom"})["USER_AGENT"] == "custom"


# -- pure helpers ---------------------------------------------------------------------------
def test_parse_feed_rss_atom_rdf_and_garbage():
    base = "https://example.org"
    rss_entries = parse_feed(rss(base, "https://other.example").encode(), base + "/rss.xml")
    assert [e.url for e in rss_entries][:2] == [f"{base}/2024/a1.html",
                                                f"{base}/2024/a2.html?utm_source=rss&utm_medium=feed"]
    assert rss_entries[1].hints["published"] == "2024-03-06"
    atom_entries = parse_feed(atom(base).encode(), base + "/feeds/atom.xml")
    assert [e.url for e in atom_entries] == [f"{base}/2024/a3.html"]
    rdf = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           b'xmlns="http://purl.org/rss/1.0/"><item rdf:about="https://example.org/r1">'
           b"<title>R</title><link>https://example.org/r1</link></item></rdf:RDF>")
    assert [e.url for e in parse_feed(rdf, base)] == ["https://example.org/r1"]
    for junk in (b"", b"   ", b"not xml at all", b"<html><body>x</body></html>",
                 news_sitemap(base).encode()):
        assert parse_feed(junk, base) is None


def test_parse_sitemap_kinds_and_garbage():
    base = "https://example.org"
    idx = parse_sitemap(sitemap_index(base).encode(), base)
    assert idx.kind == "sitemapindex" and len(idx.entries) == 3
    news = parse_sitemap(news_sitemap(base).encode(), base)
    assert news.kind == "urlset"
    assert news.entries[2].hints == {"title": "News four", "published": "2024-03-08",
                                     "published_raw": "2024-03-08T12:00:00Z"}
    assert parse_sitemap(b"<html><p>no</p></html>", base) is None
    assert parse_sitemap(b"\x1f\x8b\x08 not xml", base) is None
    assert parse_sitemap(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                         b"<urlset><url><loc>&e;</loc></url></urlset>", base).entries == []


def test_dates_urls_and_staleness():
    assert iso_date("Tue, 05 Mar 2024 23:30:00 -0500") == "2024-03-06"  # UTC
    assert iso_date("2024-03-05") == "2024-03-05"
    assert iso_date("yesterday") is None
    assert clean_url("https://x.org/a?id=3&utm_source=rss#c") == "https://x.org/a?id=3"
    assert clean_url("https://x.org/a?b=1&a=2") == "https://x.org/a?b=1&a=2"
    from datetime import date
    assert is_stale({"published": "2024-01-01"}, 30, date(2024, 3, 1))
    assert not is_stale({"lastmod": "2024-02-20T10:00:00Z"}, 30, date(2024, 3, 1))
    assert not is_stale({}, 30, date(2024, 3, 1))
    assert not is_stale({"published": "2000-01-01"}, 0, date(2024, 3, 1))


def test_is_text_by_content_type_and_sniffing():
    assert is_text("text/html; charset=utf-8", b"<p>x</p>")
    assert is_text("application/xhtml+xml", b"<p>x</p>")
    assert is_text("", b"<html><p>x</p></html>")
    assert is_text("text/html", "<p>x</p>".encode("utf-16"))  # BOM, then NULs
    assert not is_text("application/pdf", b"%PDF-1.4 text-looking body")
    assert not is_text("image/png", b"\x89PNG\r\n")
    assert not is_text("application/octet-stream", b"%PDF-1.4")
    assert not is_text("text/html", b"GIF89a\x00\x00\x01")  # mislabelled binary


def test_failure_reasons():
    resp = HtmlResponse("https://x.org/", status=404, body=b"")
    assert failure_reason(HttpError(resp)) == "http_404"
    assert failure_reason(DownloadTimeoutError()) == "timeout"
    assert failure_reason(CannotResolveHostError()) == "dns"
    assert failure_reason(IgnoreRequest("Forbidden by robots.txt")) is None
    assert failure_reason(IgnoreRequest("max redirections reached")) == "too_many_redirects"
    assert failure_reason(ValueError("x")) == "valueerror"


def test_spider_page_item_from_binary_and_text_responses():
    from scrapy.http import Response as ScrapyResponse
    src = Source(name="s", homepage="https://example.org/", feeds=("https://example.org/f",),
                 language="de")
    spider = SPIDERS["feeds"](sources=[src])

    class _Stats:
        def inc_value(self, *a, **k):
            pass

    spider.crawler = type("C", (), {"stats": _Stats()})()
    req = Request("https://example.org/x", meta={"newsmon_source": "s", "newsmon_via": "feed",
                                                 "newsmon_hints": {"title": "T"}})
    binary = ScrapyResponse("https://example.org/x", body=b"\x00\x01",
                            headers={"Content-Type": "image/PNG", "ETag": '"abc"'}, request=req)
    item = spider.page_item(binary)
    assert item.html is None and item.content_type == "image/png" and item.etag == '"abc"'
    assert item.language == "de" and item.hints == {"title": "T"} and item.via == "feed"
    text = HtmlResponse("https://example.org/x", body="<p>caf\xe9</p>".encode("latin-1"),
                        headers={"Content-Type": "text/html; charset=iso-8859-1"}, request=req)
    assert spider.page_item(text).html == "<p>caf\xe9</p>"


def test_autothrottle_floor_is_the_source_delay():
    from types import SimpleNamespace

    from scrapy import Spider
    from scrapy.core.downloader import Slot
    from scrapy.extensions.throttle import AutoThrottle
    from scrapy.signalmanager import SignalManager

    from newsmon.crawler.throttle import SourceAutoThrottle

    def delay_after_fast_responses(ext_cls, source_delay: float, download_delay: float) -> float:
        src = Source(name="s", homepage="https://example.org/", feeds=("https://example.org/f",),
                     delay=source_delay, concurrency=2)
        settings = build_settings([src], {"DOWNLOAD_DELAY": download_delay})
        slot = Slot(2, source_delay, 0.0)
        downloader = SimpleNamespace(_delay=download_delay, slots={"example.org": slot})
        crawler = SimpleNamespace(settings=settings, signals=SignalManager(),
                                  engine=SimpleNamespace(downloader=downloader))
        ext = ext_cls(crawler)
        spider = Spider("t")
        ext._spider_opened(spider)
        for _ in range(8):  # answers in 1 ms each
            req = Request("https://example.org/a",
                          meta={"download_slot": "example.org", "download_latency": 0.001})
            ext._response_downloaded(HtmlResponse(req.url, body=b"<p>x</p>", request=req),
                                     req, spider)
        return slot.delay

    # a fast server: the stock extension speeds a 0.5 s source up to DOWNLOAD_DELAY ...
    assert delay_after_fast_responses(AutoThrottle, 0.5, 0.01) < 0.1
    assert delay_after_fast_responses(SourceAutoThrottle, 0.5, 0.01) == 0.5
    # ... and slows a 0.05 s source (the demo) down to DOWNLOAD_DELAY
    assert delay_after_fast_responses(AutoThrottle, 0.05, 1.0) == 1.0
    assert delay_after_fast_responses(SourceAutoThrottle, 0.05, 1.0) == 0.05
