"""Unit tests of crawler/middlewares.py and the failure reasons it feeds; the
end-to-end cases (real crawls) are in test_reliability.py."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from twisted.internet import defer

from newsmon.crawler.middlewares import (CountedIgnore, RedirectGuardMiddleware, choose_encoding,
                                 legacy_encoding, redirect_target, retry_after_seconds)
from newsmon.crawler.spiders.base import failure_reason

NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=timezone.utc)


def test_retry_after_seconds_reads_both_forms():
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(b" 0 ") == 0.0
    later = format_datetime(NOW + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(later, now=NOW) == 90.0
    past = format_datetime(NOW - timedelta(days=1), usegmt=True)
    assert retry_after_seconds(past, now=NOW) == 0.0
    for junk in (None, "", "soon", "-5", "1.5e3", "Mon, 99 Foo 2026"):
        assert retry_after_seconds(junk, now=NOW) is None, junk


LATIN = "<html><head><title>Müller</title></head><body><p>Jürgen Müller, £18m</p></body></html>"


@pytest.mark.parametrize("body, content_type, language, expected", [
    (LATIN.encode("latin-1"), "text/html; charset=utf-8", "en",
     ("cp1252", "declared_utf8_not_utf8")),
    (LATIN.encode("utf-8"), "text/html; charset=iso-8859-1", "en",
     ("utf-8", "utf8_declared_single_byte")),
    (LATIN.encode("latin-1"), "text/html", "en", ("cp1252", "undeclared_legacy")),
    ("<p>Привет, мир: закон о платформах</p>".encode("cp1251"), "text/html", "ru",
     ("cp1251", "undeclared_legacy")),
    ("<p>プラットフォーム規制の記事</p>".encode("shift_jis"), "text/html", "ja",
     ("cp932", "undeclared_legacy")),
    # declared right, or nothing to go on: Scrapy's choice stands
    (LATIN.encode("latin-1"), "text/html; charset=iso-8859-1", "en", None),
    (LATIN.encode("utf-8"), "text/html; charset=utf-8", "en", None),
    (LATIN.encode("utf-8"), "text/html", "en", None),
    (LATIN.encode("latin-1"), "text/html", None, None),
    (b"<p>plain ascii</p>", "text/html; charset=iso-8859-1", "en", None),
    (b"\xef\xbb\xbf" + LATIN.encode("utf-8"), "text/html; charset=iso-8859-1", "en", None),
])
def test_choose_encoding(body, content_type, language, expected):
    assert choose_encoding(body, content_type, language) == expected


def test_meta_charset_wins_over_a_wrong_utf8_header():
    body = ('<meta charset="iso-8859-1">' + LATIN).encode("latin-1")
    assert choose_encoding(body, "text/html; charset=UTF-8", None) == \
        ("cp1252", "declared_utf8_not_utf8")


def test_legacy_encoding_by_language():
    assert legacy_encoding("de") == "windows-1252"
    assert legacy_encoding("pt-BR") == "windows-1252"
    assert legacy_encoding("zh-TW") == "big5" and legacy_encoding("zh") == "gb18030"
    assert legacy_encoding("KO") == "euc-kr"
    assert legacy_encoding(None) is None


def _redirect(url: str, location: bytes, status: int = 302, **meta) -> tuple[Request, Response]:
    request = Request(url, meta=meta)
    return request, Response(url, status=status, headers={"Location": location}, request=request)


def test_redirect_guard_stops_loops_and_non_web_targets():
    guard = RedirectGuardMiddleware()
    request, response = _redirect("http://x.org/a", b"/b", redirect_urls=["http://x.org/b"])
    with pytest.raises(CountedIgnore) as err:
        guard.process_response(request, response)
    assert failure_reason(err.value) == "redirect_loop"
    request, response = _redirect("http://x.org/a", b"javascript:alert(1)")
    with pytest.raises(IgnoreRequest) as err:
        guard.process_response(request, response)
    assert failure_reason(err.value) == "bad_redirect"
    # an ordinary redirect, a 200, and a redirect the request asked to see pass through
    for request, response in (_redirect("http://x.org/a", b"https://x.org/a"),
                              _redirect("http://x.org/a", b"/a", dont_redirect=True)):
        assert guard.process_response(request, response) is response
    ok = HtmlResponse("http://x.org/a", body=b"<p>hi</p>")
    assert guard.process_response(Request("http://x.org/a"), ok) is ok


def test_redirect_target_resolves_like_scrapy():
    request, response = _redirect("https://x.org/a/b", b"//y.org/c")
    assert redirect_target(request, response) == "https://y.org/c"
    request, response = _redirect("https://x.org/a/b", b"c?d=1", status=301)
    assert redirect_target(request, response) == "https://x.org/a/c?d=1"
    request, response = _redirect("https://x.org/a", b"/c", status=304)
    assert redirect_target(request, response) is None


def test_size_limit_failures_are_too_large():
    assert failure_reason(IgnoreRequest(
        "Ignored <200 http://x/> because its body (1 B compressed, 9 B decompressed so far) "
        "exceeded DOWNLOAD_MAXSIZE (8 B) during decompression.")) == "too_large"
    assert failure_reason(DownloadCancelledError(
        "Expected to receive 9 bytes which is larger than download max size (8)")) == "too_large"
    assert failure_reason(defer.CancelledError()) == "too_large"
    assert failure_reason(IgnoreRequest("Forbidden by robots.txt")) is None
