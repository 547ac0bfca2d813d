"""What every newsmon spider shares: sources, requests, page items, error counting.

It owns `NewsmonSpider`, the base class the feed, sitemap, link and combined
spiders build on (each of those adds a mixin with a `start_<mode>(source)`
method and its callbacks).  The base

* takes the `sources` spider argument (Source objects, or a sources file path
  when run by `scrapy crawl -a sources=FILE`), and sets `allowed_domains` to
  the union of the sources' domains so Scrapy's offsite filter applies;
* builds every request with the source's name, the mode it came from
  ("feed" | "sitemap" | "links"), hints and the request's kind ("feed" |
  "sitemap" | "article"; none on link hubs) in `request.meta` (crawler.meta),
  and with `on_error` as errback, so failures are counted, never raised;
* turns a candidate response into a `crawler.items.PageItem`;
* reports what only a spider knows as signals (crawler.signals): a failed
  request (`request_failed`) and what became of a feed or sitemap
  (`listing_read`).

A spider never touches the fetch record: the fetch record middleware
(crawler.fetchrecord) skips known pages, asks conditionally and handles 304s
before a callback runs, and listens to those signals.

Stats keys it writes: ``newsmon/pages/<via>`` (candidate pages yielded, by
mode), ``newsmon/source_pages/<source>``, ``newsmon/source_failed/<source>/<reason>``
and ``newsmon/source_first_failure/<source>`` (the first URL that failed), ``newsmon/pages_binary``, ``newsmon/pages_empty``,
``newsmon/fetch_failed/<reason>``, ``newsmon/too_old``, ``newsmon/skipped_extension``,
``newsmon/malformed_entries`` (feed/sitemap entries with a URL that cannot be
parsed or requested: skipped, the rest of the listing read), ``newsmon/stop/listings_cut``
(listings whose remaining entries were not requested because the crawl stopped).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Iterable, Iterator

import scrapy
from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError,
                               DownloadConnectionRefusedError, DownloadFailedError,
                               DownloadTimeoutError, IgnoreRequest, ResponseDataLossError,
                               UnsupportedURLSchemeError)
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.url import url_has_any_extension
from twisted.internet import defer, error as txerror

from newsmon.crawler import signals as newsmon_signals
from newsmon.crawler.identity import DEFAULT_RULES
from newsmon.crawler.items import PageItem
from newsmon.crawler.shutdown import stop_reason
from newsmon.crawler.meta import META_HINTS, META_KIND, META_SOURCE, META_VIA
from newsmon.crawler.sources import Source, load_sources
from newsmon.crawler.spiders.parsers import iso_date

logger = logging.getLogger(__name__)

_IGNORED_EXTENSIONS = {"." + ext for ext in IGNORED_EXTENSIONS}

# exception type -> reason in newsmon/fetch_failed/<reason>; first match wins
_FAILURE_REASONS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, txerror.TimeoutError, txerror.TCPTimedOutError), "timeout"),
    ((CannotResolveHostError, txerror.DNSLookupError), "dns"),
    ((DownloadConnectionRefusedError, txerror.ConnectionRefusedError), "connection_refused"),
    # Scrapy 2.19 cancels a download only for DOWNLOAD_MAXSIZE: announced by Content-Length,
    # or reached while streaming a body of unknown length (a bare cancel)
    ((DownloadCancelledError, defer.CancelledError), "too_large"),
    ((ResponseDataLossError,), "data_loss"),
    ((txerror.ConnectionLost, txerror.ConnectionDone, DownloadFailedError), "connection_lost"),
    ((txerror.ConnectError,), "connect_error"),
    ((UnsupportedURLSchemeError,), "unsupported_scheme"),
)


# IgnoreRequest messages -> reason (Scrapy raises IgnoreRequest for redirect chains
# and, in HttpCompressionMiddleware, for a body whose decompressed size exceeds
# DOWNLOAD_MAXSIZE: a gzip bomb); other IgnoreRequests (robots.txt, offsite) -> None
_IGNORE_REASONS: tuple[tuple[str, str], ...] = (
    ("max redirections", "too_many_redirects"),
    ("exceeded DOWNLOAD_MAXSIZE", "too_large"),
)


def failure_reason(exc: BaseException) -> str | None:
    """The stat reason for a failed request, None when it was deliberately skipped
    (robots.txt, offsite: Scrapy counts those itself).  An exception may name its
    own reason in `newsmon_reason` (crawler.middlewares.CountedIgnore)."""
    if getattr(exc, "newsmon_reason", None):
        return exc.newsmon_reason
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, IgnoreRequest):
        message = str(exc)
        return next((reason for fragment, reason in _IGNORE_REASONS if fragment in message),
                    None)
    for types, reason in _FAILURE_REASONS:
        if isinstance(exc, types):
            return reason
    return type(exc).__name__.lower()


def clean_url(url: str) -> str:
    """`url` by the default URL identity rules (crawler.identity): normalised, without
    its #fragment and tracking or navigation parameters, so the duplicate filter sees
    one URL where feeds, sitemaps and section pages decorate it."""
    return DEFAULT_RULES.clean(url)


def is_stale(hints: dict[str, Any], max_age_days: int, today: date) -> bool:
    """True when the entry's published/lastmod date is older than `max_age_days`
    (0 = no limit; entries without a readable date are never stale)."""
    if max_age_days <= 0:
        return False
    day = hints.get("published") or iso_date(hints.get("lastmod"))
    if not day:
        return False
    return (today - date.fromisoformat(day)).days > max_age_days


_TEXT_MARKERS = ("html", "xml", "json", "javascript", "text/")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UNLABELLED = ("", "application/octet-stream", "binary/octet-stream", "application/unknown")


def is_text(content_type: str, body: bytes) -> bool:
    """Whether a body is text to decode: by its Content-Type when that says text
    (or a binary type such as application/pdf or image/png), by sniffing when it
    says nothing useful; a NUL byte near the start means binary either way."""
    if b"\x00" in body[:1024] and not body.startswith(_UTF16_BOMS):
        return False
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime in _UNLABELLED:
        return not body.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8", b"PK\x03\x04"))
    return any(marker in mime for marker in _TEXT_MARKERS)


_LINK_CANONICAL = ("//link[contains(concat(' ', normalize-space(translate(@rel, 'CANONICAL',"
                   " 'canonical')), ' '), ' canonical ')]/@href")
_OG_URL = "//meta[@property='og:url' or @name='og:url']/@content"


def declared_urls(response: Response) -> tuple[str | None, str | None]:
    """The page's <link rel="canonical"> href and og:url, as written (None when absent)."""
    try:
        return response.xpath(_LINK_CANONICAL).get(), response.xpath(_OG_URL).get()
    except (ValueError, AttributeError):  # not HTML after all
        return None, None


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else None


class NewsmonSpider(scrapy.Spider):
    """Base of the newsmon spiders; subclasses list their `modes` in start order."""

    modes: tuple[str, ...] = ()

    def __init__(self, sources: Iterable[Source] | str | Path = (), *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if isinstance(sources, (str, Path)):
            sources = load_sources(sources)
        self.sources: list[Source] = list(sources)
        if not all(isinstance(s, Source) for s in self.sources):
            raise TypeError("sources must be crawler.sources.Source objects or a sources file path")
        self.by_name: dict[str, Source] = {s.name: s for s in self.sources}
        self.allowed_domains = sorted({d for s in self.sources for d in s.domains})

    # -- start -----------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        if not self.sources:
            logger.warning("%s: no sources to crawl", self.name)
        for mode in self.modes:
            starter = getattr(self, f"start_{mode}")
            for source in self.sources:
                for request in starter(source):
                    yield request

    # -- requests ----------------------------------------------------------------
    def make_request(self, url: str, source: Source, via: str, callback: Any,
                     hints: dict[str, Any] | None = None, **meta: Any) -> scrapy.Request:
        """A request for `url` (cleaned by the source's URL rules) tagged with its
        source, mode and hints, whose failures are counted."""
        return scrapy.Request(source.url_rules.clean(url), callback=callback, errback=self.on_error,
                              meta={META_SOURCE: source.name, META_VIA: via,
                                    META_HINTS: dict(hints or {}), **meta})

    def listing_request(self, url: str, source: Source, kind: str, callback: Any,
                        **meta: Any) -> scrapy.Request:
        """A feed or sitemap request."""
        return self.make_request(url, source, kind, callback, **{META_KIND: kind, **meta})

    def candidate_request(self, url: str, source: Source, via: str, callback: Any,
                          hints: dict[str, Any], **meta: Any) -> scrapy.Request:
        """An article-candidate request."""
        return self.make_request(url, source, via, callback, hints,
                                 **{META_KIND: "article", **meta})

    def candidate_requests(self, entries: Iterable[Any], source: Source, via: str,
                           origin: str) -> Iterator[scrapy.Request]:
        """Article-candidate requests for feed/sitemap entries, skipping stale ones and
        links to files that are no web pages (podcast enclosures, images, archives)."""
        max_age = self.settings.getint("NEWSMON_MAX_AGE_DAYS", 0)
        today = datetime.now(timezone.utc).date()
        for entry in entries:
            if self.stopping:  # made one at a time: a stop ends the listing here
                self.count("newsmon/stop/listings_cut")
                return
            if is_stale(entry.hints, max_age, today):
                self.count("newsmon/too_old")
                continue
            try:
                if url_has_any_extension(entry.url, _IGNORED_EXTENSIONS):  # media, archives...
                    self.count("newsmon/skipped_extension")
                    continue
                hints = {**entry.hints, via: origin}
                request = self.candidate_request(entry.url, source, via, self.parse_page, hints)
            except ValueError as exc:  # a URL no request can be made of: this entry only
                self.count("newsmon/malformed_entries")
                logger.info("malformed entry skipped in %s: %s", origin, exc)
                continue
            yield request

    @property
    def stopping(self) -> bool:
        """True once the crawl is stopping (crawler.shutdown): callbacks yield no more
        requests.  Set from the signal handler itself, so a long callback sees it at once."""
        crawler = getattr(self, "crawler", None)
        return bool(getattr(crawler, "newsmon_signal", None) or stop_reason(crawler))

    def source_of(self, response: Response) -> Source:
        return self.by_name[response.meta[META_SOURCE]]

    # -- responses ---------------------------------------------------------------
    def parse_page(self, response: Response) -> Iterator[PageItem]:
        """Callback for article candidates."""
        yield self.page_item(response)

    def listing_read(self, response: Response, outcome: str) -> None:
        """Report what became of a feed or sitemap response (crawler.signals)."""
        self.crawler.signals.send_catch_log(newsmon_signals.listing_read, response=response,
                                            outcome=outcome)

    def page_item(self, response: Response) -> PageItem:
        source = self.source_of(response)
        via = response.meta.get(META_VIA, "")
        content_type = (_header(response, "Content-Type") or "").lower()
        text = isinstance(response, TextResponse) and is_text(content_type, response.body)
        html = response.text if text else None
        self.count(f"newsmon/pages/{via}")
        self.count(f"newsmon/source_pages/{source.name}")
        if html is None:
            self.count("newsmon/pages_binary")
        elif not html.strip():
            self.count("newsmon/pages_empty")
        hints = dict(response.meta.get(META_HINTS) or {})
        redirects = response.meta.get("redirect_urls")
        if redirects:
            hints["redirected_from"] = redirects[0]
            hints["redirect_chain"] = list(redirects)
        link_canonical, og_url = declared_urls(response) if html else (None, None)
        return PageItem(
            url=response.url,
            source=source.name,
            status=response.status,
            content_type=content_type,
            html=html,
            fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            via=via,
            language=source.language,
            hints=hints,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            link_canonical=link_canonical,
            og_url=og_url,
        )

    def on_error(self, failure: Any) -> None:
        """Errback of every request: count the failure, log it, carry on."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        reason = failure_reason(failure.value)
        if reason is None:
            logger.debug("skipped %s: %s", url, failure.value)
            return
        self.count(f"newsmon/fetch_failed/{reason}")
        logger.info("fetch failed (%s): %s", reason, url)
        source = request.meta.get(META_SOURCE) if request is not None else None
        if source:  # the summary's line per failed source (crawler/runs/report.py)
            self.count(f"newsmon/source_failed/{source}/{reason}")
            first = f"newsmon/source_first_failure/{source}"
            if self.crawler.stats.get_value(first) is None:
                self.crawler.stats.set_value(first, url)
        if request is not None:
            response = getattr(failure.value, "response", None)
            self.crawler.signals.send_catch_log(newsmon_signals.request_failed, request=request,
                                                reason=reason,
                                                status=getattr(response, "status", None))

    # -- helpers -------------------------------------------------------------------
    def count(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(key, n)

    def counted(self, items: Iterable[Any], key: str) -> Iterator[Any]:
        """`items`, counting each one in stat `key` as it passes."""
        for item in items:
            self.count(key)
            yield item

    def count_malformed(self, listing: Any, url: str) -> None:
        """Count the entries a listing (parsers.Listing) skipped as malformed."""
        if listing.malformed:
            self.count("newsmon/malformed_entries", listing.malformed)
            logger.warning("%d malformed entries skipped in %s; the others were read",
                           listing.malformed, url)
