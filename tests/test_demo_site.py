"""Tests for the bundled demo news site (crawler/demo) and the default sources file.

They build the real site, serve it with LocalServer on 127.0.0.1 and fetch it
with urllib, parse every page and feed with lxml, and check the invented
articles keep the properties later tests rely on (counts, sections, dates,
syndicated pairs, the HTML-hostile headline).
"""

from __future__ import annotations

import json
import re
import tomllib
import urllib.error
import urllib.request
import urllib.robotparser
from collections import Counter
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree
from lxml import html as lxml_html

from newsmon.crawler.demo import build_site, demo_sources_file, load_articles, load_site_config, serve_demo_site
from newsmon.crawler.demo.content import DemoArticle
from newsmon.crawler.localserver import LocalServer

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCES = ROOT / "crawler" / "sources.toml"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
      "news": "http://www.google.com/schemas/sitemap-news/0.9",
      "dc": "http://purl.org/dc/elements/1.1/",
      "atom": "http://www.w3.org/2005/Atom"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
             "source", "track", "wbr"}
HOSTILE_MARK = "<script>"


# -- fixtures --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def config():
    return load_site_config()


@pytest.fixture(scope="module")
def articles(config) -> list[DemoArticle]:
    return load_articles(config=config)


@pytest.fixture(scope="module")
def server():
    srv = serve_demo_site()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def site(server) -> dict:
    return server.routes


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def xml_root(site: dict, path: str) -> etree._Element:
    return etree.fromstring(site[path].payload())  # strict XML parser: raises if malformed


def hostile_article(articles: list[DemoArticle]) -> DemoArticle:
    return next(a for a in articles if HOSTILE_MARK in a.title)


class TagBalance(HTMLParser):
    """Fails on any end tag that does not close the innermost open element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> while open: {self.stack[-3:]}")
        else:
            self.stack.pop()


def assert_balanced(page: str) -> None:
    checker = TagBalance()
    checker.feed(page)
    checker.close()
    assert not checker.errors, checker.errors[:3]
    assert not checker.stack, f"unclosed: {checker.stack}"


# -- the articles as data --------------------------------------------------------------
def test_article_collection_has_the_promised_shape(articles, config):
    on_topic = {s.slug for s in config.sections if s.on_topic}
    assert len(articles) >= 45
    assert sum(a.section in on_topic for a in articles) >= 30
    assert sum(a.section not in on_topic for a in articles) >= 8
    assert 4 <= len(config.sections) <= 6
    assert len({a.section for a in articles}) == len(config.sections)
    assert len({name for a in articles for name in a.authors}) >= 6
    assert any(len(a.authors) > 1 for a in articles)


def test_article_lengths_and_dates(articles):
    for a in articles:
        assert 250 <= a.word_count <= 700, (a.slug, a.word_count)
        assert a.published.tzinfo is not None
        assert (a.published.year, a.published.month) == (2026, 11), a.slug
    span = max(a.published for a in articles) - min(a.published for a in articles)
    assert timedelta(days=14) <= span <= timedelta(days=21)
    weeks = Counter(a.published.isocalendar().week for a in articles)
    assert len(weeks) >= 3 and min(weeks.values()) >= 10
    assert len({a.published.utcoffset() for a in articles}) >= 5  # datelines around the world


def test_syndicated_pairs_are_near_duplicates_under_other_urls(articles):
    by_slug = {a.slug: a for a in articles}
    copies = [a for a in articles if a.syndication_of]
    assert len(copies) >= 2
    for copy in copies:
        original = by_slug[copy.syndication_of]
        assert copy.path != original.path and copy.title != original.title
        assert shingle_overlap(copy.text, original.text) > 0.3
        assert copy.published > original.published
    unrelated = [a for a in articles if not a.syndication_of][:2]
    assert shingle_overlap(unrelated[0].text, unrelated[1].text) < 0.05


def shingle_overlap(a: str, b: str, n: int = 3) -> float:
    def grams(text: str) -> set[tuple[str, ...]]:
        words = text.lower().split()
        return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}
    ga, gb = grams(a), grams(b)
    return len(ga & gb) / len(ga | gb)


# -- HTML pages ------------------------------------------------------------------------
def test_every_article_page_is_well_formed_with_metadata(site, server, articles, config):
    base = server.base_url
    for a in articles:
        response = site[a.path]
        page = response.payload().decode("utf-8")
        assert_balanced(page)
        doc = lxml_html.fromstring(page)
        meta = {m.get("property") or m.get("name"): m.get("content")
                for m in doc.iter("meta") if m.get("content") is not None}
        assert doc.get("lang") == "en"
        assert doc.findtext(".//title").startswith(a.title)
        assert meta["og:title"] == a.title and meta["og:type"] == "article"
        assert meta["description"] == a.description
        assert datetime.fromisoformat(meta["article:published_time"]) == a.published
        assert meta["author"] == ", ".join(a.authors)
        assert doc.xpath("//link[@rel='canonical']/@href") == [base + a.path]
        assert doc.xpath("string(//article//h1)") == a.title
        body = doc.xpath("//div[@class='story-body']/p")
        assert [p.text_content() for p in body] == [p for p in a.paragraphs if not p.startswith("## ")]
        assert doc.xpath("//nav//a[@href='/section/regulation/']")
        assert doc.xpath("//aside//a[starts-with(@href, '/2026/')]")  # related links
        assert config.copyright in doc.xpath("string(//footer)")
        assert "ETag" in response.headers and "Last-Modified" in response.headers


def test_listing_pages_link_their_articles(site, articles, config):
    home = lxml_html.fromstring(site["/"].payload())
    home_links = set(home.xpath("//main//a/@href"))
    assert {a.path for a in articles[: config.homepage_headlines]} <= home_links
    assert "/private/" in home.xpath("//a/@href")
    for section in config.sections:
        doc = lxml_html.fromstring(site[section.path].payload())
        links = set(doc.xpath("//main//h2/a/@href"))
        assert links == {a.path for a in articles if a.section == section.slug}
    for path in ("/", "/about/", "/private/", *(s.path for s in config.sections)):
        assert_balanced(site[path].payload().decode("utf-8"))


# -- feeds and sitemaps ----------------------------------------------------------------
def test_rss_feed_lists_the_latest_30(site, server, articles):
    channel = xml_root(site, "/rss.xml").find("channel")
    items = channel.findall("item")
    assert len(items) == 30
    for item, a in zip(items, articles):
        assert item.findtext("title") == a.title
        assert item.findtext("link") == server.base_url + a.path == item.findtext("guid")
        assert parsedate_to_datetime(item.findtext("pubDate")) == a.published
        assert item.findtext("dc:creator", namespaces=NS) == ", ".join(a.authors)
        assert item.findtext("description") == a.description


def test_atom_feed_matches_rss(site, server, articles):
    entries = xml_root(site, "/atom.xml").findall("atom:entry", NS)
    assert [e.find("atom:link", NS).get("href") for e in entries] == \
        [server.base_url + a.path for a in articles[:30]]


def test_sitemaps_cover_every_article(site, server, articles, config):
    index = xml_root(site, "/sitemap.xml")
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    assert index.xpath("sm:sitemap/sm:loc/text()", namespaces=NS) == [
        server.url("/sitemap-articles.xml"), server.url("/sitemap-news.xml")]
    urlset = xml_root(site, "/sitemap-articles.xml")
    locs = urlset.xpath("sm:url/sm:loc/text()", namespaces=NS)
    assert sorted(locs) == sorted(server.base_url + a.path for a in articles)
    assert len(urlset.xpath("sm:url/sm:lastmod", namespaces=NS)) == len(articles)
    news = xml_root(site, "/sitemap-news.xml")
    news_locs = news.xpath("sm:url/sm:loc/text()", namespaces=NS)
    assert 5 <= len(news_locs) < len(articles) and set(news_locs) <= set(locs)
    newest = articles[0].published
    for date in news.xpath("sm:url/news:news/news:publication_date/text()", namespaces=NS):
        assert newest - datetime.fromisoformat(date) <= timedelta(days=config.news_sitemap_days)


def test_every_feed_and_sitemap_url_is_absolute_and_served(site, server):
    urls: set[str] = set()
    urls.update(xml_root(site, "/rss.xml").xpath("//item/link/text() | //item/guid/text()"))
    urls.update(xml_root(site, "/atom.xml").xpath("//atom:link/@href", namespaces=NS))
    for path in ("/sitemap.xml", "/sitemap-articles.xml", "/sitemap-news.xml"):
        urls.update(xml_root(site, path).xpath("//sm:loc/text()", namespaces=NS))
    assert len(urls) > 45
    for url in sorted(urls):
        assert url.startswith(server.base_url + "/"), url
        status, content_type, body = fetch(url)
        assert status == 200, url
        assert body and ("html" in content_type or "xml" in content_type)
    assert fetch(server.url("/no/such/page/"))[0] == 404


# -- robots and the hostile headline ----------------------------------------------------
def test_robots_txt_disallows_private_only(server):
    status, content_type, body = fetch(server.url("/robots.txt"))
    assert status == 200 and content_type.startswith("text/plain")
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(body.decode().splitlines())
    assert not robots.can_fetch("newsmon", server.url("/private/"))
    assert robots.can_fetch("newsmon", server.url("/"))
    assert robots.can_fetch("newsmon", server.url("/2026/11/02/whisperline-deepfake-chatrooms-kcsc/"))
    assert robots.site_maps() == [server.url("/sitemap.xml")]


def test_hostile_headline_is_escaped_everywhere(site, articles):
    a = hostile_article(articles)
    assert "&" in a.title and '"' in a.title and HOSTILE_MARK in a.text
    page = site[a.path].payload().decode("utf-8")
    assert "<script>alert" not in page and "<SCRIPT>" not in page and "<img src=x" not in page
    doc = lxml_html.fromstring(page)
    assert [s.get("type") for s in doc.iter("script")] == ["application/ld+json"]
    assert doc.xpath("string(//h1)") == a.title
    assert doc.findtext(".//title").startswith(a.title)
    ld = json.loads(doc.xpath("string(//script)"))
    assert ld["headline"] == a.title
    body_text = doc.xpath("string(//div[@class='story-body'])")
    assert "<script>alert(1)</script>" in body_text and '<img src=x onerror="alert' in body_text
    for path in ("/rss.xml", "/atom.xml", "/sitemap-articles.xml"):
        assert b"<script>" not in site[path].payload()
    titles = xml_root(site, "/rss.xml").xpath("//item/title/text()")
    assert a.title in titles
    assert "<script>alert" not in site["/"].payload().decode()


# -- helpers for other engineers ---------------------------------------------------------
def test_build_site_uses_the_given_base_url(articles):
    routes = build_site("http://example.test:8080/")
    assert b"http://example.test:8080/2026/" in routes["/rss.xml"].payload()
    assert b"127.0.0.1" not in routes["/sitemap-articles.xml"].payload()
    assert len([p for p in routes if p.startswith("/2026/")]) == len(articles)


def test_serve_demo_site_works_as_context_manager():
    with serve_demo_site() as srv:
        assert isinstance(srv, LocalServer)
        assert fetch(srv.url("/"))[0] == 200
        assert srv.hits["/"] == 1
    srv.stop()  # a second stop is harmless
    with serve_demo_site(port=srv.port) as again:  # the port is free again after stop
        assert again.port == srv.port and fetch(again.url("/about/"))[0] == 200


def test_demo_sources_file(tmp_path, server, articles, config):
    path = demo_sources_file(server.base_url, tmp_path / "demo.toml")
    data = tomllib.loads(path.read_text())
    (source,) = data["source"]
    assert source["name"] == "newsmon-demo"
    assert source["feeds"] == [server.url("/rss.xml")]
    assert source["sitemaps"] == [server.url("/sitemap.xml")]
    assert source["delay"] == 0.05 and source["concurrency"] == 4
    allow = re.compile(source["follow"]["allow"][0])
    assert all(allow.search(server.base_url + a.path) for a in articles)
    assert not any(allow.search(server.url(p)) for p in ("/", "/about/", "/private/",
                                                          *(s.path for s in config.sections)))
    loader = pytest.importorskip("newsmon.crawler.sources")
    (loaded,) = loader.load_sources(path)
    assert loaded.name == "newsmon-demo" and loaded.follow is not None


def test_default_sources_file_is_real_and_polite():
    data = tomllib.loads(DEFAULT_SOURCES.read_text(encoding="utf-8"))
    defaults = data.get("defaults", {})
    sources = data["source"]
    assert len(sources) >= 18
    assert len({s["name"] for s in sources}) == len(sources)
    languages = Counter(s.get("language", defaults.get("language")) for s in sources)
    assert languages["en"] >= 12 and len(languages) >= 4
    for s in sources:
        assert s.get("delay", defaults.get("delay", 0)) >= 2.0, s["name"]
        assert 1 <= s.get("concurrency", defaults.get("concurrency", 0)) <= 2, s["name"]
        assert s.get("feeds") or s.get("sitemaps") or s.get("follow"), s["name"]
        if s.get("feeds"):
            assert "follow" not in s, f"{s['name']}: follow rules only where no feed exists"
        for url in [s["homepage"], *s.get("feeds", []), *s.get("sitemaps", [])]:
            assert urlsplit(url).scheme == "https" and "127.0.0.1" not in url, url
    loader = pytest.importorskip("newsmon.crawler.sources")
    assert len(loader.load_sources(DEFAULT_SOURCES)) >= 18
