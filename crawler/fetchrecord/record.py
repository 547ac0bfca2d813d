"""One crawl's fetch record: what it knows from earlier runs, and the rows it will write.

It owns `FetchRecord` (one per crawl, held by the fetch record middleware):
lookups in the known pages (data.fetchrecord.KnownPages, read when the spider
opens), the policy's decisions with their stats, redirect memory, and the
buffer of rows that go back to table `pages` through the delivering stage
(crawler.pipelines.deliver), plus `page_rows`, the rows of a fetched page.

Rows: an article page kept or dropped gets one row for its final URL (the
kept ones ride in their article's own batch); a URL that redirected gets a
'redirect' row naming the final URL (`redirected`); 304s and failures get
theirs; all but the stored ones are buffered here and taken with the next
batch (`take_rows`).  Feed and sitemap rows are kept apart (`listing_rows`)
and written only at the end of a run that finished normally; a listing with
an entry that failed transiently (or any listing after a batch that could not
be written) is written as 'incomplete' without validators, so the next run
reads it in full and meets the entries it missed.

Redirect memory: a URL whose row is a redirect is decided by the row of its
target (followed up to MAX_REDIRECT_HOPS rows): a known redirect is not
followed again while its target is known and settled, and is asked with the
target's validators when the target is due.  A link hub (a page of link mode
that is no candidate) is never recorded itself, but a hub that is a known
redirect to a known article page is skipped like that article.
"""

from __future__ import annotations

import logging
import weakref
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping, Protocol

from newsmon.crawler.fetchrecord.policy import (UNSETTLED_DROPS, Decision, IncrementalPolicy,
                                                announced_change, is_transient, utc_now)
from newsmon.crawler.items import PageItem
from newsmon.data.fetchrecord import KnownPage

logger = logging.getLogger(__name__)

MAX_REDIRECT_HOPS = 5

_records: "weakref.WeakKeyDictionary[Any, FetchRecord]" = weakref.WeakKeyDictionary()


def register(crawler: Any, record: "FetchRecord") -> "FetchRecord":
    """Make `record` the fetch record of `crawler` (the middleware does, at start)."""
    _records[crawler] = record
    return record


def record_of(crawler: Any) -> "FetchRecord | None":
    """The fetch record of `crawler`, None when the fetch record middleware is off."""
    return _records.get(crawler)


class Known(Protocol):
    def get(self, url: str) -> KnownPage | None: ...
    def __len__(self) -> int: ...


def page_rows(page: PageItem, outcome: str, canonical_url: str | None = None) -> list[dict]:
    """The fetch record row of a fetched candidate page (its final URL; the URLs that
    redirected to it get their rows from `FetchRecord.redirected`)."""
    return [{"url": page.url, "source": page.source, "kind": "article", "status": page.status,
             "etag": page.etag, "last_modified": page.last_modified,
             "lastmod": _iso(announced_change(page.hints)), "fetched_at": page.fetched_at,
             "outcome": outcome, "canonical_url": canonical_url, "redirect_to": None}]


def stored_page_rows(items: Iterable[Any]) -> list[dict]:
    """The rows of kept articles (crawler.items.ArticleItem; outcome 'stored')."""
    return [row for it in items
            for row in page_rows(it.page, "stored", it.article.canonical_url or it.page.url)]


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


class FetchRecord:
    """One crawl's view of the fetch record and its buffer of rows to write."""

    def __init__(self, policy: IncrementalPolicy | None = None,
                 count: Callable[..., Any] | None = None):
        self.policy = policy or IncrementalPolicy()
        self.count = count or (lambda key, n=1: None)
        self.attached = False
        self.known: Any = {}  # url -> KnownPage (.get), a KnownPages once attached
        self._rows: list[dict] = []
        self._listings: dict[str, dict] = {}
        self._unsettled: set[str] = set()  # feeds/sitemaps with an entry that failed transiently
        self._all_unsettled = False
        self._origins: dict[str, set[str]] = {}  # requested URL -> feeds/sitemaps listing it
        self._unsettled_urls: set[str] = set()  # candidates that failed transiently this run
        self._skipped: set[str] = set()
        self._requested: set[str] = set()
        self._announced: dict[str, datetime] = {}  # newest change announced by a duplicate
        self._reissued: set[str] = set()  # skipped, then requested again for a duplicate

    def attach(self, known: Known | None) -> None:
        """Start recording; decide from `known` (data.fetchrecord.KnownPages) too."""
        self.close()
        self.known = known if known is not None else {}
        self.attached = True
        logger.info("fetch record: %d known page(s), re-fetch after %d day(s)%s",
                    len(self.known), self.policy.refetch_days,
                    "" if self.policy.incremental else " (incremental crawling off)")

    def close(self) -> None:
        """Delete the known pages' temporary file (the crawl is over)."""
        close = getattr(self.known, "close", None)
        if close is not None:
            close()
        self.known = {}

    # -- lookups ----------------------------------------------------------------------
    def lookup(self, url: str) -> KnownPage | None:
        """The row deciding about `url`: its own, or its redirect target's (None when the
        URL, or the target of its redirect, is unknown)."""
        known = self.known.get(url)
        for _ in range(MAX_REDIRECT_HOPS):
            if known is None or known.kind != "redirect" or not known.redirect_to:
                break
            known = self.known.get(known.redirect_to)
        return None if known is not None and known.kind == "redirect" else known

    # -- decisions ------------------------------------------------------------------
    def article(self, url: str, hints: Mapping[str, Any]) -> Decision:
        """Whether to request article candidate `url` (counted in the stats)."""
        if not self.attached:
            return Decision(True, "full")
        changed = _newest(announced_change(hints), self._announced.get(url))
        decision = self.policy.article(self.lookup(url), changed)
        if decision.fetch:
            self._note_origin(url, hints)
        self._count(url, decision)
        return decision

    def hub(self, url: str) -> Decision:
        """Whether to request link hub `url`: skipped only when it is a known redirect to
        an article page the policy would skip (counted like one)."""
        own = self.known.get(url) if self.attached else None
        if own is None or own.kind != "redirect":
            return Decision(True, "hub")
        target = self.lookup(url)
        if target is None or target.kind != "article":
            return Decision(True, "hub")
        decision = self.policy.article(target, None)
        self._count(url, decision)
        return decision

    def landed_on_known(self, url: str, hints: Mapping[str, Any]) -> bool:
        """A redirect arrived at `url`: True when `url` is a known article the policy
        would skip (the chain is then not followed to its end)."""
        if not self.attached:
            return False
        known = self.lookup(url)
        if known is None or known.kind != "article":
            return False
        changed = _newest(announced_change(hints), self._announced.get(url))
        return not self.policy.article(known, changed).fetch

    def listing_headers(self, url: str) -> dict[str, str]:
        """Conditional headers for a feed or sitemap request ({} when none apply)."""
        return self.policy.listing(self.lookup(url)) if self.attached else {}

    def duplicate(self, url: str, hints: Mapping[str, Any]) -> bool:
        """Another listing named candidate `url` after its first request was scheduled
        (Scrapy's duplicate filter dropped this one).  Its feed or sitemap is noted and
        its announced change kept for the decision; True when the first request was
        skipped but this listing says the page changed since: request it after all."""
        if not self.attached:
            return False
        changed = announced_change(hints)
        if url in self._skipped and url not in self._requested and url not in self._reissued:
            if self.policy.article(self.lookup(url), changed).fetch:
                self._reissued.add(url)
                return True
            return False
        if changed is not None:
            self._announced[url] = _newest(changed, self._announced.get(url))
        self._note_origin(url, hints)
        return False

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
        if decision.why not in ("new", "full", "hub"):
            self.count(f"newsmon/refetch/{decision.why}")

    # -- what happened ----------------------------------------------------------------
    def redirected(self, chain: Iterable[str], target: str, source: str | None,
                   statuses: Iterable[int] = ()) -> None:
        """The URLs of `chain` redirected (with `statuses`) to `target`: remember it."""
        if not self.attached:
            return
        now = utc_now().isoformat()
        codes = [c if isinstance(c, int) else None for c in statuses]  # or "meta refresh"
        for k, url in enumerate(dict.fromkeys(chain)):
            if url == target:
                continue
            self._rows.append({"url": url, "source": source, "kind": "redirect",
                               "status": codes[k] if k < len(codes) else None,
                               "etag": None, "last_modified": None, "lastmod": None,
                               "fetched_at": now, "outcome": "redirect",
                               "canonical_url": None, "redirect_to": target})

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
                                   "redirect_to": None, "origin": origin or url}

    def not_modified(self, url: str, source: str | None, kind: str,
                     hints: Mapping[str, Any]) -> None:
        """A 304 for `url` (the final URL, after redirects)."""
        self.count(f"newsmon/not_modified/{kind}")
        if kind == "article":
            self._buffer(url, source, kind, 304, "not_modified", hints)
        else:
            self.listed(url, source or "", kind, 304, None, None, "not_modified")

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
        """The buffered rows (and forget them)."""
        rows, self._rows = self._rows, []
        return rows

    def listing_rows(self) -> list[dict]:
        """The feed and sitemap rows, for the end of a run that finished normally."""
        rows = []
        for row in self._listings.values():
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
                               "canonical_url": None, "redirect_to": None})

    def _note_origin(self, url: str, hints: Mapping[str, Any]) -> None:
        """Remember which feed or sitemap listed a requested URL (the duplicate filter
        may drop all but the first request, so every listing is noted)."""
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


def _newest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)
