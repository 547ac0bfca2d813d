"""The fetch record as a crawl uses it: what to skip, what to ask for
conditionally, and the rows that go back to the database (table `pages`,
data/migrations/003_fetch_log.sql; written by `data.store.Store.write_batch`).

It owns `FetchLog`, one per crawl: the spider asks it what to do with each
feed, sitemap and article candidate and tells it what happened; the
StorePipeline attaches it to the database at spider open (loading the record
of the crawled sources), writes its buffered rows with every batch and its
feed/sitemap rows at the end of the run.  Without a StorePipeline nothing is
attached: nothing is skipped and nothing recorded.

Article candidates (feed and sitemap entries, link-mode candidates)
* an unknown URL is fetched;
* a known URL whose last outcome is *settled* ('stored', 'not_modified',
  'dropped:<reason>' except processing_error and interrupted, 'failed:http_4xx' except 408 and
  429, 'failed:too_large|too_many_redirects|unsupported_scheme'), fetched less than NEWSMON_REFETCH_DAYS ago and not announced as changed
  since (a sitemap <lastmod> or a feed entry's updated date newer than its
  last_fetched_at) is skipped: ``newsmon/skipped_known``, once per URL and run;
* any other known URL is fetched again (``newsmon/refetch/<why>``: age,
  lastmod, unsettled).  When its last fetch brought a body (stored, dropped,
  not modified), its ETag / Last-Modified go out as If-None-Match /
  If-Modified-Since; a 304 (``newsmon/not_modified/article``) only moves
  last_fetched_at; a changed page is processed and stored by the recrawl rule
  (its text updated, its mentions and figures replaced).  After a failure the
  request is unconditional.
* NEWSMON_REFETCH_DAYS = 0 re-requests every known article, conditionally;
  NEWSMON_INCREMENTAL = False skips nothing and sends no validators (a full
  re-crawl, e.g. after changing the topic threshold); rows are still written.

Feeds and sitemaps are always requested, conditionally when the record holds
validators; a 304 (``newsmon/not_modified/feed|sitemap``) yields nothing.
Their rows can be trusted only once their entries were processed, so they are
written only at the end of a run that finished normally (`listing_rows`, on
spider_closed with reason 'finished').  A run killed or shut down earlier
leaves the previous rows: the old validators no longer match a changed feed, so
the next run reads it in full and meets the entries it missed.  A feed or
sitemap with an entry that failed transiently (5xx, 408, 429, timeout,
connection, processing error, a failed batch write) is written as
'incomplete' without validators, for the same reason.  A sitemap index is
written without validators ('index'): it is small, and its child sitemaps are
asked conditionally themselves.

Article rows: 'stored' rows are built with their article's batch
(crawler.pipelines) and commit in the same transaction; drops, failures and
304s are buffered here and go out with the StorePipeline's next batch.  A
redirected page gets a row for the URL requested and for the final URL.

The record of the crawled sources is read once when the crawl starts and kept
on disk (crawler.knownpages.KnownPages, a temporary SQLite file), so a crawl's
memory does not grow with the number of pages earlier runs fetched.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Mapping

import pandas as pd

from newsmon.crawler.items import PageItem
from newsmon.crawler.knownpages import KnownPage, KnownPages
from newsmon.crawler.spiders.parsers import parse_date

logger = logging.getLogger(__name__)

TRANSIENT_HTTP = frozenset({"http_408", "http_429"})
PERMANENT_FAILURES = frozenset({"too_large", "too_many_redirects", "unsupported_scheme"})
UNSETTLED_DROPS = frozenset({"processing_error", "interrupted"})
LISTING_TRUSTED = frozenset({"listed", "not_modified"})  # outcomes whose validators are sent


# -- pure rules -------------------------------------------------------------------------
@dataclass(frozen=True)
class Decision:
    """Whether to request a candidate, why, and the conditional headers to send."""
    fetch: bool
    why: str  # "new" | "full" | "unsettled" | "lastmod" | "age" | "known" (skipped)
    headers: dict[str, str] = field(default_factory=dict)


def is_transient(reason: str) -> bool:
    """A fetch failure worth retrying next run: not a definite 4xx answer, nor a page
    refused for its size, its redirect loop or its scheme."""
    if reason in PERMANENT_FAILURES:
        return False
    return not reason.startswith("http_4") or reason in TRANSIENT_HTTP


def is_settled(outcome: str) -> bool:
    """Whether the last fetch's outcome is final enough to skip the page for a while."""
    kind, _, reason = outcome.partition(":")
    if kind in ("stored", "not_modified"):
        return True
    if kind == "dropped":
        return reason not in UNSETTLED_DROPS
    if kind == "failed":
        return not is_transient(reason)
    return False


def had_body(outcome: str) -> bool:
    """Whether the last fetch brought a body that was fully processed (validators usable)."""
    return is_settled(outcome) and not outcome.startswith("failed:")


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def announced_change(hints: Mapping[str, Any]) -> datetime | None:
    """When the listing says the page last changed (sitemap lastmod, feed updated), naive UTC."""
    for key in ("lastmod", "updated"):
        dt = parse_date(hints.get(key))
        if dt is not None:
            return dt.replace(tzinfo=None)
    return None


def decide(known: KnownPage | None, changed_at: datetime | None, now: datetime,
           refetch_days: int) -> Decision:
    """The rule for an article candidate (module docstring); `now` is naive UTC."""
    if known is None:
        return Decision(True, "new")
    headers = (conditional_headers(known.etag, known.last_modified)
               if had_body(known.outcome) else {})
    if not is_settled(known.outcome):
        return Decision(True, "unsettled", headers)
    if changed_at is not None and changed_at > known.last_fetched_at:
        return Decision(True, "lastmod", headers)
    if refetch_days > 0 and now - known.last_fetched_at < timedelta(days=refetch_days):
        return Decision(False, "known")
    return Decision(True, "age", headers)


def page_rows(page: PageItem, outcome: str, canonical_url: str | None = None) -> list[dict]:
    """The fetch record rows of a fetched candidate page (two when it was redirected)."""
    row = {"url": page.url, "source": page.source, "kind": "article", "status": page.status,
           "etag": page.etag, "last_modified": page.last_modified,
           "lastmod": _iso(announced_change(page.hints)), "fetched_at": page.fetched_at,
           "outcome": outcome, "canonical_url": canonical_url}
    origin = page.hints.get("redirected_from")
    return [row, {**row, "url": origin}] if origin and origin != page.url else [row]


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


async def attach_spider_fetchlog(spider: Any, read_known: Callable[[list[str]], KnownPages]
                                 ) -> "FetchLog | None":
    """Attach the spider's FetchLog (if it has one) to the record of its sources, read
    by `read_known(source names)` in a thread; return it."""
    fetchlog = getattr(spider, "fetchlog", None)
    if not isinstance(fetchlog, FetchLog):
        return None
    names = [source.name for source in getattr(spider, "sources", ())]
    fetchlog.attach(await asyncio.to_thread(read_known, names))
    return fetchlog


# -- the per-crawl state ------------------------------------------------------------------
class FetchLog:
    """One crawl's view of the fetch record and its buffer of rows to write."""

    def __init__(self, refetch_days: int = 7, incremental: bool = True,
                 count: Callable[..., Any] | None = None):
        self.refetch_days = max(int(refetch_days), 0)
        self.incremental = incremental
        self.count = count or (lambda key, n=1: None)
        self.attached = False
        self.known: KnownPages | dict[str, KnownPage] = {}  # url -> KnownPage (.get)
        self._rows: list[dict] = []
        self._listings: dict[str, dict] = {}
        self._unsettled: set[str] = set()  # feeds/sitemaps with an entry that failed transiently
        self._all_unsettled = False
        self._origins: dict[str, set[str]] = {}  # requested URL -> feeds/sitemaps listing it
        self._unsettled_urls: set[str] = set()  # candidates that failed transiently this run
        self._skipped: set[str] = set()
        self._requested: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> "FetchLog":
        s = crawler.settings
        return cls(s.getint("NEWSMON_REFETCH_DAYS", 7), s.getbool("NEWSMON_INCREMENTAL", True),
                   lambda key, n=1: crawler.stats.inc_value(key, n))  # stats exist once it runs

    def attach(self, known_pages: KnownPages | pd.DataFrame | Iterable[pd.DataFrame] | None) -> None:
        """Start recording; with NEWSMON_INCREMENTAL, decide from `known_pages` too
        (a KnownPages, or the frame or chunks of Store.known_pages/iter_known_pages)."""
        if not self.incremental:
            known_pages = None
        self.close()
        self.known = (known_pages if isinstance(known_pages, KnownPages)
                      else KnownPages.from_frames(known_pages))
        self.attached = True
        logger.info("fetch record: %d known page(s), re-fetch after %d day(s)%s",
                    len(self.known), self.refetch_days,
                    "" if self.incremental else " (incremental crawling off)")

    def close(self) -> None:
        """Delete the known pages' temporary file (the crawl is over)."""
        if isinstance(self.known, KnownPages):
            self.known.close()
        self.known = {}

    # -- decisions ------------------------------------------------------------------
    def check_article(self, url: str, hints: Mapping[str, Any]) -> Decision:
        """Whether to request article candidate `url` (counted in the stats)."""
        if not self.attached:
            return Decision(True, "full")
        decision = (decide(self.known.get(url), announced_change(hints), utc_now(),
                           self.refetch_days)
                    if self.incremental else Decision(True, "full"))
        if decision.fetch:
            self._note_origin(url, hints)
        self._count(url, decision)
        return decision

    def _count(self, url: str, decision: Decision) -> None:
        """Count each URL once however often it is listed: skipped_known counts the
        URLs not requested at all (one skipped from a hub but then requested for a
        sitemap's newer lastmod is a refetch)."""
        if url in self._requested:
            return
        if not decision.fetch:
            if url not in self._skipped:
                self._skipped.add(url)
                self.count("newsmon/skipped_known")
            return
        self._requested.add(url)
        if url in self._skipped:
            self._skipped.discard(url)
            self.count("newsmon/skipped_known", -1)
        if decision.why not in ("new", "full"):
            self.count(f"newsmon/refetch/{decision.why}")

    def listing_headers(self, url: str) -> dict[str, str]:
        """Conditional headers for a feed or sitemap request ({} when none apply)."""
        known = self.known.get(url) if self.attached else None
        if known is None or known.outcome not in LISTING_TRUSTED:
            return {}
        return conditional_headers(known.etag, known.last_modified)

    # -- what happened ----------------------------------------------------------------
    def listed(self, url: str, source: str, kind: str, status: int | None,
               etag: str | None, last_modified: str | None, outcome: str,
               origin: str | None = None) -> None:
        """A feed or sitemap response and what became of it (written at the end);
        `origin` is the URL its entries name as their listing (the final URL)."""
        if self.attached:
            if outcome != "listed":  # only a processed listing's validators are worth sending
                etag = last_modified = None
            self._listings[url] = {"url": url, "source": source, "kind": kind, "status": status,
                                   "etag": etag, "last_modified": last_modified,
                                   "lastmod": None, "fetched_at": utc_now().isoformat(),
                                   "outcome": outcome, "canonical_url": None,
                                   "origin": origin or url}

    def not_modified(self, urls: Iterable[str], source: str, kind: str,
                     hints: Mapping[str, Any]) -> None:
        """A 304 for `urls` (the requested URL, and the final one after a redirect)."""
        self.count(f"newsmon/not_modified/{kind}")
        for url in dict.fromkeys(urls):
            if kind == "article":
                self._buffer(url, source, kind, 304, "not_modified", hints)
            else:
                self.listed(url, source, kind, 304, None, None, "not_modified")

    def failed(self, url: str, source: str | None, kind: str, reason: str,
               hints: Mapping[str, Any], status: int | None = None) -> None:
        """A request of `kind` that ended with fetch failure `reason`."""
        if kind != "article":
            self.listed(url, source or "", kind, status, None, None, f"failed:{reason}")
            return
        if is_transient(reason):
            self._unsettle(url)
        self._buffer(url, source, kind, status, f"failed:{reason}", hints)

    def dropped(self, page: PageItem, reason: str) -> None:
        """A fetched candidate the pipeline did not keep."""
        if not self.attached:
            return
        if reason in UNSETTLED_DROPS:
            self._unsettle(page.hints.get("redirected_from") or page.url)
        self._rows.extend(page_rows(page, f"dropped:{reason}"))

    def write_failed(self) -> None:
        """A batch could not be written: no feed or sitemap is trusted at the end."""
        self._all_unsettled = True

    # -- rows to write ----------------------------------------------------------------
    def pending(self) -> int:
        return len(self._rows)

    def take_rows(self) -> list[dict]:
        """The buffered article rows (and forget them)."""
        rows, self._rows = self._rows, []
        return rows

    def listing_rows(self) -> list[dict]:
        """The feed and sitemap rows, for the end of a run that finished normally."""
        rows = []
        for url, row in self._listings.items():
            unsettled = self._all_unsettled or row["origin"] in self._unsettled
            if unsettled and row["outcome"] == "listed":
                row = {**row, "etag": None, "last_modified": None, "outcome": "incomplete"}
            rows.append(row)
        return rows

    # -- helpers ----------------------------------------------------------------------
    def _buffer(self, url: str, source: str | None, kind: str, status: int | None,
                outcome: str, hints: Mapping[str, Any]) -> None:
        if self.attached:
            self._rows.append({"url": url, "source": source, "kind": kind, "status": status,
                               "etag": None, "last_modified": None,
                               "lastmod": _iso(announced_change(hints)),
                               "fetched_at": utc_now().isoformat(), "outcome": outcome,
                               "canonical_url": None})

    def _note_origin(self, url: str, hints: Mapping[str, Any]) -> None:
        """Remember which feed or sitemap listed a requested URL (the duplicate filter
        may drop all but the first request, so every listing is noted here)."""
        origin = hints.get("feed") or hints.get("sitemap")
        if not origin:
            return
        if url in self._unsettled_urls:
            self._unsettled.add(origin)
        else:
            self._origins.setdefault(url, set()).add(origin)

    def _unsettle(self, url: str) -> None:
        """Candidate `url` failed transiently: no feed or sitemap listing it is trusted."""
        self._unsettled_urls.add(url)
        self._unsettled.update(self._origins.pop(url, ()))
