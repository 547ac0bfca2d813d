"""The fetch record's policy: whether to request a URL, and with which validators.

It owns the pure rules (no I/O, no Scrapy), as Scrapy's httpcache policies do:

* `decide(known, changed_at, now, refetch_days)` for an article candidate:
  unknown -> fetch ("new"); last outcome not settled -> fetch ("unsettled");
  announced as changed since its last fetch -> fetch ("lastmod"); fetched less
  than `refetch_days` ago -> skip ("known"); otherwise -> fetch ("age").  A
  fetch of a page whose last fetch brought a body carries its ETag /
  Last-Modified as If-None-Match / If-Modified-Since.
* `is_settled(outcome)`: 'stored', 'not_modified', 'dropped:<reason>' except
  processing_error, 'failed:http_4xx' except 408 and 429, and
  'failed:too_large|too_many_redirects|unsupported_scheme' are final enough to
  skip a page for a while; anything else is asked again next run.
* `IncrementalPolicy` (NEWSMON_FETCH_POLICY, the default) applies them with
  NEWSMON_REFETCH_DAYS; `FullPolicy` (NEWSMON_INCREMENTAL = False) fetches
  everything without validators, for a full re-crawl.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from newsmon.crawler.spiders.parsers import parse_date
from newsmon.data.fetchrecord import KnownPage

TRANSIENT_HTTP = frozenset({"http_408", "http_429"})
PERMANENT_FAILURES = frozenset({"too_large", "too_many_redirects", "unsupported_scheme"})
UNSETTLED_DROPS = frozenset({"processing_error", "interrupted"})
LISTING_TRUSTED = frozenset({"listed", "not_modified"})  # outcomes whose validators are sent


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


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class IncrementalPolicy:
    """Skip what is known and settled, ask conditionally for the rest (module docstring)."""

    incremental = True  # whether the record of earlier runs is read at all

    def __init__(self, refetch_days: int = 7):
        self.refetch_days = max(int(refetch_days), 0)

    @classmethod
    def from_settings(cls, settings: Any) -> "IncrementalPolicy":
        return cls(settings.getint("NEWSMON_REFETCH_DAYS", 7))

    def article(self, known: KnownPage | None, changed_at: datetime | None) -> Decision:
        return decide(known, changed_at, utc_now(), self.refetch_days)

    def listing(self, known: KnownPage | None) -> dict[str, str]:
        """Conditional headers for a feed or sitemap ({} when none apply)."""
        if known is None or known.outcome not in LISTING_TRUSTED:
            return {}
        return conditional_headers(known.etag, known.last_modified)


class FullPolicy(IncrementalPolicy):
    """Fetch everything in full (a re-crawl, e.g. after changing the topic threshold);
    the fetch record is still written."""

    incremental = False

    def article(self, known: KnownPage | None, changed_at: datetime | None) -> Decision:
        return Decision(True, "full")

    def listing(self, known: KnownPage | None) -> dict[str, str]:
        return {}
