"""newsmon's downloader middlewares: what Scrapy's own ones leave to chance.

It owns

* `RetryAfterMiddleware`: a 429 (or 503) answer with a ``Retry-After`` header
  is retried only after the server's wait (seconds or an HTTP date), bounded by
  NEWSMON_MAX_RETRY_AFTER; a longer wait is not retried at all.  Scrapy's
  RetryMiddleware retries such answers at once, which is what got the crawler
  rate-limited in the first place.  Retries count against RETRY_TIMES like
  Scrapy's own.  Stats: ``newsmon/retry_after`` (retries after a wait),
  ``newsmon/retry_after_seconds`` (total wait), ``newsmon/retry_after_too_long``
  (given up: the wait was above the bound); the request then fails as
  ``newsmon/fetch_failed/http_<status>``.  A crawl that starts stopping
  (crawler.shutdown) ends the waits at once; those requests are not retried.
* `RedirectGuardMiddleware`: a redirect back to a URL already in the request's
  redirect chain (a loop that Scrapy's duplicate filter would swallow
  silently) or to a non-http(s) URL (``javascript:``, ``mailto:``, ``data:``,
  on which Scrapy raises a ValueError) ends the request with an
  `IgnoreRequest` that carries its reason, counted by the spiders' errback as
  ``newsmon/fetch_failed/redirect_loop`` and ``.../bad_redirect``.  Chains of
  new URLs are left to REDIRECT_MAX_TIMES (``.../too_many_redirects``).
* `CharsetMiddleware`: an HTML page whose declared charset is wrong, or that
  declares none, is decoded with the encoding its bytes show instead of
  Scrapy's choice (which keeps a wrong declaration and fills the text with
  U+FFFD, or guesses from too little text: a German Latin-1 page came out as
  cp775, "Müller" as "M³ller").  Declared UTF-8 that is not valid UTF-8 -> the
  page's <meta> charset, else the legacy encoding of the source's language
  (crawler/legacy_encodings.toml); declared Latin-1/ASCII/cp1252 that is valid
  UTF-8 with non-ASCII bytes -> UTF-8; nothing declared and not UTF-8 -> the
  legacy encoding; a <meta> (with no header charset) that says UTF-16 or UTF-32
  on bytes it could be read from as ASCII means UTF-8, as browsers read it
  (WHATWG encoding rules: `meta_encoding`).  A candidate is used only when the
  body decodes with it without error.  Stats: ``newsmon/charset/<why>``.

They are registered in crawler/settings.py DOWNLOADER_MIDDLEWARES: RetryAfter and
RedirectGuard above Scrapy's RetryMiddleware (550) and RedirectMiddleware (600) so
they see each response first (process_response runs from the highest number
down), Charset below HttpCompressionMiddleware (590) so it sees decoded bodies.
"""

from __future__ import annotations

import asyncio
import logging
import tomllib
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.asyncio import is_asyncio_available
from scrapy.utils.defer import maybe_deferred_to_future
from w3lib.encoding import (html_body_declared_encoding, http_content_type_encoding,
                            read_bom, resolve_encoding)
from w3lib.url import safe_url_string

from newsmon.crawler.shutdown import Stopped, stop_requested

logger = logging.getLogger(__name__)

_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_WEB_SCHEMES = frozenset({"http", "https"})
LEGACY_ENCODINGS_FILE = Path(__file__).with_name("legacy_encodings.toml")


class CountedIgnore(IgnoreRequest):
    """An IgnoreRequest whose `newsmon_reason` names the fetch_failed stat it counts as."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.newsmon_reason = reason


# -- Retry-After ------------------------------------------------------------------
def retry_after_seconds(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (>= 0); None when the
    header is absent or unreadable.  Accepts delta-seconds and HTTP dates."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max((when - now).total_seconds(), 0.0)


async def _sleep(seconds: float) -> None:
    """Wait without blocking the reactor (asyncio or plain Twisted)."""
    if is_asyncio_available():
        await asyncio.sleep(seconds)
        return
    from twisted.internet import reactor, task
    await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))


class RetryAfterMiddleware:
    """Retry 429/503 answers after their ``Retry-After`` wait (see the module docstring).

    Settings: NEWSMON_MAX_RETRY_AFTER (seconds; longer waits are not retried),
    NEWSMON_RETRY_AFTER_CODES (statuses whose Retry-After is honoured),
    RETRY_ENABLED / RETRY_TIMES and the ``dont_retry`` / ``max_retry_times`` meta keys.
    """

    def __init__(self, crawler: Any, max_wait: float, codes: set[int]):
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_wait = max_wait
        self.codes = codes
        self._waits: set[asyncio.Future] = set()
        self._stopping = False
        crawler.signals.connect(self._stop, signal=stop_requested)

    def _stop(self, reason: str) -> None:
        """A stopping crawl (crawler.shutdown) waits no more: the retries are given up."""
        self._stopping = True
        for wait in list(self._waits):
            wait.cancel()

    @classmethod
    def from_crawler(cls, crawler: Any) -> "RetryAfterMiddleware":
        s = crawler.settings
        if not s.getbool("RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is off")
        codes = {int(c) for c in s.getlist("NEWSMON_RETRY_AFTER_CODES", [429, 503])}
        return cls(crawler, s.getfloat("NEWSMON_MAX_RETRY_AFTER", 120.0), codes)

    async def process_response(self, request: Request, response: Response
                               ) -> Request | Response:
        if response.status not in self.codes or request.meta.get("dont_retry"):
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None:
            return response  # no usable header: Scrapy's RetryMiddleware decides
        if wait > self.max_wait:
            self.stats.inc_value("newsmon/retry_after_too_long")
            logger.warning("%s asks to retry after %.0f s (limit %.0f s); not retried",
                           request.url, wait, self.max_wait)
            return self._give_up(request, response)
        retry = get_retry_request(request, spider=self.crawler.spider,
                                  reason=f"retry_after_{response.status}",
                                  max_retry_times=request.meta.get("max_retry_times"))
        if retry is None:
            return self._give_up(request, response)
        self.stats.inc_value("newsmon/retry_after")
        self.stats.inc_value("newsmon/retry_after_seconds", round(wait, 3))
        logger.info("HTTP %d with Retry-After %.1f s: waiting before retrying %s",
                    response.status, wait, request.url)
        if not await self._wait(wait):
            raise Stopped(f"not retried: the crawl is stopping: {request.url}")
        return retry

    async def _wait(self, seconds: float) -> bool:
        """Sleep `seconds`; False when the crawl started stopping meanwhile."""
        if self._stopping:
            return False
        if not is_asyncio_available():
            await _sleep(seconds)
            return not self._stopping
        sleep = asyncio.ensure_future(asyncio.sleep(seconds))
        self._waits.add(sleep)
        try:
            await sleep
        except asyncio.CancelledError:
            if not self._stopping:
                raise
        finally:
            self._waits.discard(sleep)
        return not self._stopping

    @staticmethod
    def _give_up(request: Request, response: Response) -> Response:
        # Scrapy's RetryMiddleware must not retry at once what the server asked to defer
        request.meta["dont_retry"] = True
        return response


# -- redirects -----------------------------------------------------------------------
def _without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def redirect_target(request: Request, response: Response) -> str | None:
    """The absolute URL a 3xx response points to (as Scrapy resolves it), or None."""
    location = response.headers.get("Location")
    if response.status not in _REDIRECT_CODES or not location:
        return None
    target = safe_url_string(location)
    if location.startswith(b"//"):
        target = urlsplit(request.url).scheme + "://" + target.lstrip("/")
    return urljoin(request.url, target)


class RedirectGuardMiddleware:
    """End redirect loops and redirects to non-web URLs with a counted reason."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> "RedirectGuardMiddleware":
        if not crawler.settings.getbool("REDIRECT_ENABLED"):
            raise NotConfigured("REDIRECT_ENABLED is off")
        return cls()

    def process_response(self, request: Request, response: Response) -> Response:
        meta = request.meta
        if meta.get("dont_redirect") or meta.get("handle_httpstatus_all") \
                or response.status in meta.get("handle_httpstatus_list", ()):
            return response
        target = redirect_target(request, response)
        if target is None:
            return response
        scheme = urlsplit(target).scheme.lower()
        if scheme not in _WEB_SCHEMES:
            raise CountedIgnore("bad_redirect",
                                f"redirect to a {scheme or 'relative'}: URL from {request.url}")
        chain = {_without_fragment(u) for u in (*meta.get("redirect_urls", ()), request.url)}
        if _without_fragment(target) in chain:
            raise CountedIgnore("redirect_loop",
                                f"redirect loop: {request.url} -> {target} "
                                f"after {len(chain) - 1} redirect(s)")
        return response


# -- charsets ----------------------------------------------------------------------
# what Latin-1, ASCII and cp1252 labels resolve to (WHATWG: all are windows-1252)
_SINGLE_BYTE_WESTERN = frozenset({"cp1252", "iso8859-15"})


@lru_cache(maxsize=1)
def _legacy_table(path: Path = LEGACY_ENCODINGS_FILE) -> tuple[str, dict[str, str]]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return data["default"], {k.lower(): v for k, v in data.get("languages", {}).items()}


def legacy_encoding(language: str | None) -> str | None:
    """The encoding an undeclared page in `language` most likely uses (None: unknown
    language, so no better guess than Scrapy's)."""
    if not language:
        return None
    default, table = _legacy_table()
    lang = language.lower().replace("_", "-")
    return table.get(lang) or table.get(lang.split("-")[0]) or default


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def meta_encoding(label: str) -> str | None:
    """The encoding a <meta charset> label means (WHATWG, "prescan a byte stream"): a page
    whose <meta> could be read as ASCII is not UTF-16 (nor UTF-32), so those labels mean
    UTF-8, and x-user-defined means windows-1252."""
    resolved = resolve_encoding(label)
    if resolved and resolved.replace("_", "-").startswith(("utf-16", "utf-32")):
        return "utf-8"
    if label.strip().lower() == "x-user-defined":
        return "cp1252"
    return resolved


def choose_encoding(body: bytes, content_type: str, language: str | None
                    ) -> tuple[str, str] | None:
    """(encoding, why) when the page's bytes contradict its declared charset or it
    declares none and is not UTF-8; None when Scrapy's choice stands."""
    if read_bom(body)[0]:
        return None
    header = http_content_type_encoding(content_type)
    meta = html_body_declared_encoding(body)
    if meta and not header:
        meant = meta_encoding(meta)
        if meant != resolve_encoding(meta):  # e.g. <meta charset=utf-16> on ASCII bytes
            if _decodes(body, meant):
                return meant, "meta_utf16_is_utf8" if meant == "utf-8" else "meta_relabelled"
            meta = meant
    declared = resolve_encoding(header or meta or "") or None
    if declared == "utf-8":
        if _decodes(body, "utf-8"):
            return None
        candidates = [(meta, "declared_utf8_not_utf8"),
                      (legacy_encoding(language), "declared_utf8_not_utf8")]
    elif declared in _SINGLE_BYTE_WESTERN:
        if body.isascii() or not _decodes(body, "utf-8"):
            return None
        candidates = [("utf-8", "utf8_declared_single_byte")]
    elif declared is None:
        if _decodes(body, "utf-8"):
            return None
        candidates = [(legacy_encoding(language), "undeclared_legacy")]
    else:
        return None
    for encoding, why in candidates:
        resolved = resolve_encoding(encoding) if encoding else None
        if resolved and resolved != declared and _decodes(body, resolved):
            return resolved, why
    return None


class CharsetMiddleware:
    """Decode HTML pages with the encoding their bytes show (see `choose_encoding`)."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> "CharsetMiddleware":
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse) or not response.body:
            return response
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        choice = choose_encoding(response.body, content_type, self._language(request))
        if choice is None:
            return response
        encoding, why = choice
        self.stats.inc_value(f"newsmon/charset/{why}")
        logger.info("%s: decoding as %s, not %s (%s)", response.url, encoding,
                    response.encoding, why)
        return response.replace(encoding=encoding)

    def _language(self, request: Request) -> str | None:
        """The language of the request's source (crawler.spiders.base.META_SOURCE)."""
        sources = getattr(self.crawler.spider, "by_name", {})
        source = sources.get(request.meta.get("newsmon_source"))
        return getattr(source, "language", None)
