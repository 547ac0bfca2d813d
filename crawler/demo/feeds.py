"""The demo site's machine-readable files: RSS, Atom, sitemaps and robots.txt.

It owns rendering those documents from the loaded articles.  XML is built with
lxml element trees, so text such as a headline containing ``<script>`` or
``&`` is always escaped and every document is well-formed.  All URLs are
absolute, made from the server's base URL.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Iterable

from lxml import etree

from newsmon.crawler.demo.content import DemoArticle, SiteConfig

logger = logging.getLogger(__name__)

NS_ATOM = "http://www.w3.org/2005/Atom"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NS_NEWS = "http://www.google.com/schemas/sitemap-news/0.9"

ARTICLES_SITEMAP = "/sitemap-articles.xml"
NEWS_SITEMAP = "/sitemap-news.xml"


def rss_feed(articles: list[DemoArticle], config: SiteConfig, base_url: str) -> bytes:
    """RSS 2.0 with the newest `config.feed_items` articles (input is newest first)."""
    rss = etree.Element("rss", version="2.0", nsmap={"dc": NS_DC, "atom": NS_ATOM})
    channel = _sub(rss, "channel")
    _sub(channel, "title", config.name)
    _sub(channel, "link", base_url + "/")
    _sub(channel, "description", config.tagline)
    _sub(channel, "language", config.language)
    _sub(channel, f"{{{NS_ATOM}}}link", href=base_url + "/rss.xml", rel="self",
         type="application/rss+xml")
    items = articles[: config.feed_items]
    if items:
        _sub(channel, "lastBuildDate", format_datetime(newest_change(items)))
    for article in items:
        url = base_url + article.path
        item = _sub(channel, "item")
        _sub(item, "title", article.title)
        _sub(item, "link", url)
        _sub(item, "guid", url, isPermaLink="true")
        _sub(item, "pubDate", format_datetime(article.published))
        _sub(item, f"{{{NS_DC}}}creator", ", ".join(article.authors))
        _sub(item, "category", config.section(article.section).title)
        _sub(item, "description", article.description)
    return _xml(rss)


def atom_feed(articles: list[DemoArticle], config: SiteConfig, base_url: str) -> bytes:
    """Atom 1.0 with the same entries as the RSS feed."""
    feed = etree.Element(f"{{{NS_ATOM}}}feed", nsmap={None: NS_ATOM})
    _sub(feed, f"{{{NS_ATOM}}}title", config.name)
    _sub(feed, f"{{{NS_ATOM}}}subtitle", config.tagline)
    _sub(feed, f"{{{NS_ATOM}}}id", base_url + "/")
    _sub(feed, f"{{{NS_ATOM}}}link", href=base_url + "/")
    _sub(feed, f"{{{NS_ATOM}}}link", href=base_url + "/atom.xml", rel="self")
    items = articles[: config.feed_items]
    if items:
        _sub(feed, f"{{{NS_ATOM}}}updated", newest_change(items).isoformat())
    for article in items:
        url = base_url + article.path
        entry = _sub(feed, f"{{{NS_ATOM}}}entry")
        _sub(entry, f"{{{NS_ATOM}}}title", article.title)
        _sub(entry, f"{{{NS_ATOM}}}link", href=url, rel="alternate", type="text/html")
        _sub(entry, f"{{{NS_ATOM}}}id", url)
        _sub(entry, f"{{{NS_ATOM}}}published", article.published.isoformat())
        _sub(entry, f"{{{NS_ATOM}}}updated", article.modified.isoformat())
        for name in article.authors:
            author = _sub(entry, f"{{{NS_ATOM}}}author")
            _sub(author, f"{{{NS_ATOM}}}name", name)
        _sub(entry, f"{{{NS_ATOM}}}summary", article.description)
    return _xml(feed)


def sitemap_index(articles: list[DemoArticle], base_url: str) -> bytes:
    """The /sitemap.xml index pointing at the article and news sitemaps."""
    index = etree.Element(f"{{{NS_SITEMAP}}}sitemapindex", nsmap={None: NS_SITEMAP})
    lastmod = newest_change(articles).isoformat() if articles else None
    for path in (ARTICLES_SITEMAP, NEWS_SITEMAP):
        sitemap = _sub(index, f"{{{NS_SITEMAP}}}sitemap")
        _sub(sitemap, f"{{{NS_SITEMAP}}}loc", base_url + path)
        if lastmod:
            _sub(sitemap, f"{{{NS_SITEMAP}}}lastmod", lastmod)
    return _xml(index)


def articles_sitemap(articles: list[DemoArticle], base_url: str) -> bytes:
    """A urlset of every article with its last modification time."""
    urlset = etree.Element(f"{{{NS_SITEMAP}}}urlset", nsmap={None: NS_SITEMAP})
    for article in articles:
        url = _sub(urlset, f"{{{NS_SITEMAP}}}url")
        _sub(url, f"{{{NS_SITEMAP}}}loc", base_url + article.path)
        _sub(url, f"{{{NS_SITEMAP}}}lastmod", article.modified.isoformat())
    return _xml(urlset)


def news_sitemap(articles: list[DemoArticle], config: SiteConfig, base_url: str) -> bytes:
    """A Google News sitemap of the articles from the last `news_sitemap_days` days
    before the newest one (a real site would count back from today)."""
    urlset = etree.Element(f"{{{NS_SITEMAP}}}urlset",
                           nsmap={None: NS_SITEMAP, "news": NS_NEWS})
    for article in recent(articles, timedelta(days=config.news_sitemap_days)):
        url = _sub(urlset, f"{{{NS_SITEMAP}}}url")
        _sub(url, f"{{{NS_SITEMAP}}}loc", base_url + article.path)
        news = _sub(url, f"{{{NS_NEWS}}}news")
        publication = _sub(news, f"{{{NS_NEWS}}}publication")
        _sub(publication, f"{{{NS_NEWS}}}name", config.name)
        _sub(publication, f"{{{NS_NEWS}}}language", config.language)
        _sub(news, f"{{{NS_NEWS}}}publication_date", article.published.isoformat())
        _sub(news, f"{{{NS_NEWS}}}title", article.title)
    return _xml(urlset)


def robots_txt(base_url: str) -> str:
    return ("User-agent: *\n"
            "Disallow: /private/\n"
            "Allow: /\n"
            "\n"
            f"Sitemap: {base_url}/sitemap.xml\n")


def recent(articles: Iterable[DemoArticle], window: timedelta) -> list[DemoArticle]:
    """Articles published within `window` before the newest one, newest first."""
    ordered = sorted(articles, key=lambda a: a.published, reverse=True)
    if not ordered:
        return []
    cutoff = ordered[0].published - window
    return [a for a in ordered if a.published > cutoff]


def newest_change(articles: Iterable[DemoArticle]) -> datetime:
    return max(a.modified for a in articles)  # aware datetimes compare as instants


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str
         ) -> etree._Element:
    element = etree.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
