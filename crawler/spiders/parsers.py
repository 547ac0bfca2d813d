"""Pure parsers for what the spiders read before articles: feeds and sitemaps.

It owns turning the bytes of an RSS 2.0 / RSS 1.0 (RDF) / Atom feed, a sitemap
index, a urlset or a Google News sitemap into plain entries, and normalising
the dates they carry.  Parsing is namespace-agnostic (by local tag name), never
resolves entities or fetches anything, and returns None (after logging why)
for bytes that are not such a document.  `read_feed`/`read_sitemap` give a
`Listing` whose entries are made while it is iterated, one malformed entry
skipped and counted without losing the others; `parse_feed`/`parse_sitemap`
the same as lists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Iterable, Iterator
from urllib.parse import urljoin, urlsplit

from lxml import etree

logger = logging.getLogger(__name__)

FEED_ROOTS = {"rss", "feed", "RDF"}
SITEMAP_ROOTS = {"urlset", "sitemapindex"}


@dataclass
class Entry:
    """One article link from a feed or sitemap, with what it says about it."""
    url: str
    hints: dict[str, str] = field(default_factory=dict)


@dataclass
class SitemapDoc:
    kind: str  # "urlset" | "sitemapindex"
    entries: list[Entry]


class Listing:
    """A feed or sitemap being read: its kind, and its entries made one at a time
    as it is iterated (a 60,000-URL sitemap is never a list of requests).  An entry
    whose URL cannot be parsed (``http://[::1/news/x``) is skipped and counted in
    `malformed`; the others are read."""

    def __init__(self, kind: str, elements: Iterable[etree._Element],
                 make: Callable[[etree._Element], Entry | None]):
        self.kind = kind
        self._elements = elements
        self._make = make
        self.malformed = 0

    def __iter__(self) -> Iterator[Entry]:
        for el in self._elements:
            try:
                entry = self._make(el)
            except ValueError as exc:  # one bad entry, never the whole listing
                self.malformed += 1
                logger.debug("malformed entry skipped: %s", exc)
                continue
            if entry:
                yield entry


def _parser() -> etree.XMLParser:
    return etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                           remove_comments=True, remove_pis=True, huge_tree=False)


def parse_xml(body: bytes) -> etree._Element | None:
    """The root element of `body`, or None when it is not XML at all."""
    if not body or not body.strip():
        return None
    try:
        root = etree.fromstring(body.lstrip(), parser=_parser())
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


def local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def _children(el: etree._Element, name: str) -> Iterator[etree._Element]:
    return (c for c in el if local(c) == name)


def _text(el: etree._Element, *names: str) -> str | None:
    """Stripped text of the first child called one of `names` that has any."""
    for name in names:
        for child in _children(el, name):
            text = "".join(child.itertext()).strip()
            if text:
                return text
    return None


def _http_url(value: str | None, base_url: str | None) -> str | None:
    """An absolute http(s) URL; relative ones are resolved against `base_url` if given."""
    if not value:
        return None
    url = urljoin(base_url, value.strip()) if base_url else value.strip()
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.hostname else None


# -- dates -----------------------------------------------------------------------
def parse_date(value: str | None) -> datetime | None:
    """An RFC 822 (RSS) or ISO 8601 (Atom, sitemaps) date; naive times count as UTC."""
    if not value:
        return None
    value = value.strip()
    dt: datetime | None = None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            dt = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def iso_date(value: str | None) -> str | None:
    """`value` as an ISO date "YYYY-MM-DD" (UTC), None when unreadable."""
    dt = parse_date(value)
    return dt.date().isoformat() if dt else None


def _date_hints(raw: str | None, key: str) -> dict[str, str]:
    """{key: YYYY-MM-DD, key+"_raw": as written} for a readable date, else {}."""
    day = iso_date(raw)
    return {key: day, f"{key}_raw": raw.strip()} if day and raw else {}


# -- feeds -----------------------------------------------------------------------
def read_feed(body: bytes, base_url: str) -> Listing | None:
    """The entries of an RSS 2.0, RSS 1.0 or Atom feed, lazily; None when `body` is not a feed."""
    root = parse_xml(body)
    if root is None:
        logger.debug("not XML: feed %s", base_url)
        return None
    kind = local(root)
    if kind not in FEED_ROOTS:
        logger.debug("not a feed (root <%s>): %s", kind, base_url)
        return None
    if kind == "feed":
        elements = (el for el in root if local(el) == "entry")
        return Listing(kind, elements, lambda el: _atom_entry(el, base_url))
    elements = (el for el in root.iter() if local(el) == "item")
    return Listing(kind, elements, lambda el: _rss_item(el, base_url))


def parse_feed(body: bytes, base_url: str) -> list[Entry] | None:
    """`read_feed`, as a list."""
    listing = read_feed(body, base_url)
    return None if listing is None else list(listing)


def _rss_item(item: etree._Element, base_url: str) -> Entry | None:
    link = _text(item, "link")
    about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    guid = next(_children(item, "guid"), None)
    guid_link = None
    if guid is not None and (guid.get("isPermaLink") or "true").lower() == "true":
        guid_link = (guid.text or "").strip()
    url = _http_url(link, base_url) or _http_url(about, base_url) or _http_url(guid_link, base_url)
    if not url:
        return None
    hints: dict[str, str] = {}
    title = _text(item, "title")
    if title:
        hints["title"] = title
    hints.update(_date_hints(_text(item, "pubDate", "date", "published", "updated"), "published"))
    _add_updated(hints, _text(item, "updated", "modified"))
    return Entry(url, hints)


def _atom_entry(entry: etree._Element, base_url: str) -> Entry | None:
    url = None
    for link in _children(entry, "link"):
        if (link.get("rel") or "alternate") == "alternate":
            url = _http_url(link.get("href"), base_url)
            if url:
                break
    if not url:
        return None
    hints: dict[str, str] = {}
    title = _text(entry, "title")
    if title:
        hints["title"] = title
    hints.update(_date_hints(_text(entry, "published", "updated", "issued", "modified"),
                             "published"))
    _add_updated(hints, _text(entry, "updated", "modified"))
    return Entry(url, hints)


def _add_updated(hints: dict[str, str], raw: str | None) -> None:
    """hints["updated"]: when the entry says it last changed, as written (if readable)."""
    if raw and parse_date(raw) is not None:
        hints["updated"] = raw.strip()


# -- sitemaps ----------------------------------------------------------------------
def read_sitemap(body: bytes, base_url: str) -> Listing | None:
    """A sitemap index or urlset (with Google News fields), its entries read lazily;
    None when it is neither."""
    root = parse_xml(body)
    if root is None:
        logger.debug("not XML: sitemap %s", base_url)
        return None
    kind = local(root)
    if kind not in SITEMAP_ROOTS:
        logger.debug("not a sitemap (root <%s>): %s", kind, base_url)
        return None
    child = "sitemap" if kind == "sitemapindex" else "url"
    return Listing(kind, _children(root, child), _sitemap_entry)


def parse_sitemap(body: bytes, base_url: str) -> SitemapDoc | None:
    """`read_sitemap`, as a list."""
    listing = read_sitemap(body, base_url)
    return None if listing is None else SitemapDoc(listing.kind, list(listing))


def _sitemap_entry(el: etree._Element) -> Entry | None:
    url = _http_url(_text(el, "loc"), None)  # sitemaps must give absolute URLs
    if not url:
        return None
    hints: dict[str, str] = {}
    lastmod = _text(el, "lastmod")
    if lastmod:
        hints["lastmod"] = lastmod
    for news in _children(el, "news"):
        title = _text(news, "title")
        if title:
            hints["title"] = title
        hints.update(_date_hints(_text(news, "publication_date"), "published"))
    return Entry(url, hints)
