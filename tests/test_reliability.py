"""Hostile and broken input, end to end: each case is a real crawl of a small site on
127.0.0.1 through the whole pipeline (Scrapy, trafilatura, spaCy) into a real DuckDB
file, or the real `newsmon crawl` command (run in-process: it ends before any crawl)
that must refuse to start.

Every case ends with a COUNTED reason in the crawl's stats (or a clear error and
exit code), and loses nothing already stored: each crawl writes into a copy of a
database seeded by an earlier crawl, and the seeded articles, mentions, figures
and runs must be exactly as they were.  `pytest -m reliability` runs them.
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import NO_NLP_SETTINGS, invoke_newsmon, run_newsmon
from newsmon.crawler.cli import EXIT_DATABASE, EXIT_USAGE
from newsmon.crawler.localserver import LocalServer, Request, Response
from newsmon.crawler.runs.runner import run_crawl_isolated
from newsmon.crawler.settings import REDIRECT_MAX_TIMES
from newsmon.crawler.sources import Source, parse_sources
from newsmon.data.store import connect_read, query

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

# -- pages ---------------------------------------------------------------------------
ARTICLE = """<!doctype html><html lang="en"><head>{head}<title>{title}</title></head>
<body><nav><a href="/">Home</a></nav><article><h1>{title}</h1>
<p>{lead}</p><p>{body}</p></article><footer>Example News</footer></body></html>"""
BODY = " ".join([
    "Ofcom opened an investigation under the Online Safety Act into the forum Hearth on Monday,",
    "saying the platform had failed to remove illegal content reported by 120 users.",
    "The regulator can fine companies up to £18m or 10% of their global turnover.",
    "Maria Lopez, a director at Ofcom, said content moderation at Hearth was inadequate",
    "and that the platform had 30 days to answer the regulator's questions.",
    "The European Commission is looking at similar complaints under the Digital Services Act,",
    "and officials in Brussels said the findings would be shared with national regulators.",
])


def article(title: str, lead: str = "", head: str = "") -> str:
    """An on-topic article page that the pipeline keeps (unique by its title)."""
    lead = lead or f"{title}: the regulator set out its case against the platform."
    return ARTICLE.format(title=title, lead=lead, body=BODY, head=head)


def rss(base: str, links: list[str]) -> str:
    items = "".join(f"<item><title>entry {i}</title><link>{link if ':' in link else base + link}"
                    f"</link></item>" for i, link in enumerate(links))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Example</title><link>{base}/</link>{items}</channel></rss>")


def urlset(base: str, paths: list[str]) -> str:
    urls = "".join(f"<url><loc>{p if ':' in p else base + p}</loc></url>" for p in paths)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def sitemap_index(base: str, paths: list[str]) -> str:
    maps = "".join(f"<sitemap><loc>{base}{p}</loc></sitemap>" for p in paths)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>'


def chunked(data: bytes, size: int = 64 * 1024) -> bytes:
    """`data` in HTTP/1.1 chunked framing: a body whose length is not announced."""
    parts = [b"%x\r\n%s\r\n" % (len(data[i:i + size]), data[i:i + size])
             for i in range(0, len(data), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def publish(server: LocalServer, pages: dict[str, Any], feed: list[str] | None = None,
            robots: str | None = None, **source: Any) -> list[Source]:
    """Serve `pages` and /rss.xml listing `feed` (default: every page); return the one
    source ("hostile") that covers the site (`source`: see `sources_toml`)."""
    server.routes.update(pages)
    server.routes["/rss.xml"] = Response(
        body=rss(server.base_url, list(pages) if feed is None else feed),
        content_type="application/rss+xml")
    if robots is not None:
        server.routes["/robots.txt"] = Response(body=robots, content_type="text/plain")
    return parse_sources(sources_toml(server.base_url, **source))


def sources_toml(base: str, feeds: tuple[str, ...] = ("/rss.xml",), sitemaps: tuple[str, ...] = (),
                 follow: str = "") -> str:
    """The sources file of the one source; `follow` is the body of [source.follow]."""
    def urls(paths: tuple[str, ...]) -> str:
        return ", ".join(f'"{base}{p}"' for p in paths)
    text = f'''[[source]]
name = "hostile"
homepage = "{base}/"
language = "en"
feeds = [{urls(feeds)}]
sitemaps = [{urls(sitemaps)}]
delay = 0.01
concurrency = 4
'''
    return text + (f"[source.follow]\n{follow}\n" if follow else "")


# -- crawls and the database -----------------------------------------------------------
# no spaCy: these crawls check what reaches the database, never which entities are found
# (NO_NLP_SETTINGS: extraction and relevance in the crawl process); the seed crawl
# annotates (with the tiny pipeline: its rows must stay intact, whichever entities they
# name), and test_newsmon_crawl_records_every_reason_in_the_run uses the NLP pool
FAST = {**NO_NLP_SETTINGS, "LOG_LEVEL": "WARNING", "AUTOTHROTTLE_START_DELAY": 0.01,
        "DOWNLOAD_TIMEOUT": 10, "RETRY_TIMES": 1, "NEWSMON_CONTACT": "reliability@newsmon.invalid"}
CLI_FAST = ("--set", "AUTOTHROTTLE_START_DELAY=0.01")


def crawl(sources: list[Source], db: Path, **overrides: Any) -> dict[str, Any]:
    """One real crawl of `sources` into `db`, in a child process; its stats."""
    stats = run_crawl_isolated(sources, {**FAST, "NEWSMON_DB": str(db), **overrides},
                               timeout=120)
    assert stats["finish_reason"] == "finished", stats
    assert stats.get("log_count/ERROR", 0) == 0, "an error was logged"
    return stats


def counted(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    """The stats under `prefix` (e.g. "newsmon/fetch_failed/"), keyed by the rest."""
    return {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}


def titles(db: Path) -> list[str]:
    return sorted(query(db, "select title from articles")["title"])


def stored_urls(db: Path, server: LocalServer) -> list[str]:
    rows = query(db, "select url from articles where url like $p", {"p": server.base_url + "%"})
    return sorted(u[len(server.base_url):] for u in rows["url"])


SNAPSHOT = {  # every row that belongs to the seeded articles and runs (table: query)
    "articles": "select * from articles where list_contains($articles, article_id)",
    "mentions": "select * from mentions where list_contains($articles, article_id)",
    "figures": "select * from figures where list_contains($articles, article_id)",
    "crawl_runs": "select * from crawl_runs where list_contains($runs, run_id)",
    "pages": "select * from pages where list_contains($runs, run_id)",  # the fetch record
}


def snapshot(db: Path, article_ids: list[int], run_ids: list[int]) -> dict[str, list[tuple]]:
    """Every stored row of the seeded articles (and of their runs), exactly."""
    con = connect_read(db)
    try:
        tables = {t for (t,) in con.sql("select table_name from information_schema.tables")
                  .fetchall()}
        params = {"articles": article_ids, "runs": run_ids}
        return {table: sorted(con.execute(sql, {k: v for k, v in params.items()
                                                if f"${k}" in sql}).fetchall(), key=repr)
                for table, sql in SNAPSHOT.items() if table in tables}
    finally:
        con.close()


SEED_TITLES = ["Ofcom fines Hearth £2m over illegal content",
               "Commission opens DSA proceedings against Streamly"]


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory, tiny_model) -> Path:
    """A database written by one real `newsmon crawl` of a good site (two on-topic
    articles, one recorded run)."""
    tmp = tmp_path_factory.mktemp("seed")
    db, src = tmp / "seed.duckdb", tmp / "sources.toml"
    with LocalServer() as server:
        publish(server, {f"/seed/{i}": Response(body=article(t))
                         for i, t in enumerate(SEED_TITLES)})
        src.write_text(sources_toml(server.base_url))
        out = run_newsmon("crawl", "--sources", str(src), "--db", str(db), "--workers", "0",
                          "--model", tiny_model, *CLI_FAST)
    assert out.returncode == 0, out.stderr[-3000:]
    assert titles(db) == sorted(SEED_TITLES)
    return db


class Seeded:
    """A copy of the seed database for one test, and what it held before the crawl."""

    def __init__(self, seed: Path, path: Path):
        shutil.copyfile(seed, path)
        self.path = path
        self.article_ids = [int(i) for i in query(path, "select article_id from articles")
                            ["article_id"]]
        self.run_ids = [int(i) for i in query(path, "select run_id from crawl_runs")["run_id"]]
        self.before = snapshot(path, self.article_ids, self.run_ids)
        assert all(self.before.values()), {k: len(v) for k, v in self.before.items()}

    def assert_intact(self) -> None:
        """Nothing stored before the crawl was lost or changed."""
        assert snapshot(self.path, self.article_ids, self.run_ids) == self.before


@pytest.fixture
def seeded(seed_db, tmp_path) -> Seeded:
    return Seeded(seed_db, tmp_path / "newsmon.duckdb")


# -- the cases ---------------------------------------------------------------------------
def test_malformed_html_is_extracted_or_dropped_with_a_reason(local_server, seeded):
    server = local_server()
    broken = article("Ofcom warns Hearth over moderation").replace("</p>", "")  # unclosed
    broken = broken.replace("<article>", "<article><div><table><tr><td><<>>&&&;</span>")
    deep = ("<html><body>" + "<div>" * 50_000 + f"<p>{BODY}</p>" + "</div>" * 50_000
            + "</body></html>")  # nesting far beyond lxml's depth limit
    sources = publish(server, {
        "/news/broken-markup": Response(body=broken),
        "/news/tag-soup": Response(body="<html><<<div>>></p></td><b><i></b></i>&#xZZ; <!-- "),
        "/news/unclosed-comment": Response(body="<html><body><!-- " + "x " * 500),
        "/news/deep": Response(body=deep),
    })
    stats = crawl(sources, seeded.path)
    assert stored_urls(seeded.path, server) == ["/news/broken-markup"]
    text = query(seeded.path, "select text from articles where title = $t",
                 {"t": "Ofcom warns Hearth over moderation"})["text"].iloc[0]
    assert "illegal content reported by 120 users" in text
    dropped = counted(stats, "newsmon/dropped/")
    assert sum(dropped.values()) == 3, dropped  # each garbage page with its reason
    seeded.assert_intact()


def test_binary_data_served_as_text_html_is_counted_not_decoded(local_server, seeded):
    server = local_server()
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40
    noise = random.Random(4).randbytes(20_000)
    sources = publish(server, {
        "/news/image": Response(body=png, content_type="text/html; charset=utf-8"),
        "/news/noise": Response(body=noise, content_type="text/html"),
        "/news/good": Response(body=article("Ofcom names Hearth's moderators")),
    })
    stats = crawl(sources, seeded.path)
    assert stored_urls(seeded.path, server) == ["/news/good"]
    assert stats["newsmon/pages_binary"] == 2
    assert counted(stats, "newsmon/dropped/") == {"not_html": 2}
    seeded.assert_intact()


def test_a_response_larger_than_the_size_limit_is_cut_off(local_server, seeded):
    server = local_server()
    big = ("<html><body>" + "<p>padding</p>" * 40_000 + "</body></html>").encode()  # ~560 kB
    sources = publish(server, {
        "/news/announced": Response(body=big),  # Content-Length says it is too large
        "/news/streamed": Response(body=chunked(big), headers={"Transfer-Encoding": "chunked"}),
        "/news/good": Response(body=article("Ofcom sets a deadline for Hearth")),
    })
    stats = crawl(sources, seeded.path, DOWNLOAD_MAXSIZE=200_000, DOWNLOAD_WARNSIZE=100_000)
    assert stats["newsmon/fetch_failed/too_large"] == 2
    assert server.hits["/news/announced"] == 1 and server.hits["/news/streamed"] == 1  # no retry
    assert stored_urls(seeded.path, server) == ["/news/good"]
    seeded.assert_intact()


def test_a_gzip_bomb_is_stopped_at_the_size_limit(local_server, seeded):
    server = local_server()
    bomb = gzip.compress(b"<html><body>" + b"A" * (64 * 2**20), compresslevel=9)  # 64 MiB
    assert len(bomb) < 200_000
    sources = publish(server, {
        "/news/bomb": Response(body=bomb, headers={"Content-Encoding": "gzip"}),
        "/sitemap.xml.gz": Response(body=bomb, content_type="application/x-gzip"),
        "/news/good": Response(body=article("Ofcom fines Hearth again")),
    }, feed=["/news/bomb", "/news/good"], sitemaps=("/sitemap.xml.gz",))
    stats = crawl(sources, seeded.path, DOWNLOAD_MAXSIZE=8 * 2**20)
    assert stats["newsmon/fetch_failed/too_large"] == 1  # Content-Encoding: gzip
    assert stats["newsmon/bad_sitemap"] == 1  # a .gz sitemap that inflates past the limit
    assert server.hits["/news/bomb"] == 1
    assert stored_urls(seeded.path, server) == ["/news/good"]
    seeded.assert_intact()


def test_endless_redirects_and_redirect_loops_are_counted(local_server, seeded):
    def endless(request: Request) -> Response:
        if request.path.startswith("/news/chain/"):
            step = int(request.path.rsplit("/", 1)[1])
            return Response(302, "", headers={"Location": f"/news/chain/{step + 1}"})
        return Response(404, "not here")

    server = local_server(default=endless)
    sources = publish(server, {
        "/news/a": Response(301, "", headers={"Location": "/news/b"}),
        "/news/b": Response(302, "", headers={"Location": "/news/a"}),
        "/news/self": Response(307, "", headers={"Location": "/news/self#again"}),
        "/news/good": Response(body=article("Ofcom fines Hearth for the loop")),
    }, feed=["/news/chain/0", "/news/a", "/news/self", "/news/good"])
    stats = crawl(sources, seeded.path)
    failed = counted(stats, "newsmon/fetch_failed/")
    assert failed["too_many_redirects"] == 1
    assert failed["redirect_loop"] == 2  # a -> b -> a, and self -> self
    chain_hits = sum(n for path, n in server.hits.items() if path.startswith("/news/chain/"))
    assert chain_hits == REDIRECT_MAX_TIMES + 1
    assert server.hits["/news/a"] == 1 and server.hits["/news/b"] == 1
    assert server.hits["/news/self"] == 1
    assert stored_urls(seeded.path, server) == ["/news/good"]
    seeded.assert_intact()


def test_a_stalling_server_times_out(local_server, seeded):
    server = local_server()
    sources = publish(server, {
        "/news/stall": Response(body=article("Never arrives"), delay=6),
        "/news/good": Response(body=article("Ofcom answers quickly")),
    })
    stats = crawl(sources, seeded.path, DOWNLOAD_TIMEOUT=2, RETRY_TIMES=1)
    assert stats["newsmon/fetch_failed/timeout"] == 1
    assert server.hits["/news/stall"] == 2  # retried once, then given up
    assert stored_urls(seeded.path, server) == ["/news/good"]
    seeded.assert_intact()


NAMED = "Jürgen Müller of Ofcom meets Hearth"


def charset_page(title: str, encoding: str, meta: str = "") -> bytes:
    return article(title, lead=f"{title}: a fine of £18m was discussed.", head=meta
                   ).encode(encoding)


def assert_clean_text(db: Path, title: str) -> None:
    row = query(db, "select title, text from articles where title = $t", {"t": title})
    assert len(row) == 1, f"{title!r} not stored as written: {titles(db)}"
    text = row["text"].iloc[0]
    assert "Müller" in text and "£18m" in text
    assert "\ufffd" not in text and "Ã" not in text and "Â" not in text


def test_a_wrong_charset_is_corrected_by_the_bytes(local_server, seeded):
    server = local_server()
    sources = publish(server, {
        "/news/latin1-says-utf8": Response(  # declared UTF-8, is Latin-1
            body=charset_page(NAMED, "latin-1"), content_type="text/html; charset=utf-8"),
        "/news/utf8-says-latin1": Response(  # declared Latin-1, is UTF-8
            body=charset_page(NAMED + " again", "utf-8"),
            content_type="text/html; charset=iso-8859-1"),
        "/news/meta-knows-better": Response(  # header UTF-8, <meta> right: Latin-1
            body=charset_page(NAMED + " a third time", "latin-1",
                              '<meta charset="iso-8859-1">'),
            content_type="text/html; charset=UTF-8"),
    })
    stats = crawl(sources, seeded.path)
    assert counted(stats, "newsmon/charset/") == {"declared_utf8_not_utf8": 2,
                                                   "utf8_declared_single_byte": 1}
    for title in (NAMED, NAMED + " again", NAMED + " a third time"):
        assert_clean_text(seeded.path, title)
    seeded.assert_intact()


def test_a_missing_charset_is_found_and_a_correct_one_is_kept(local_server, seeded):
    server = local_server()
    sources = publish(server, {
        "/news/latin1-undeclared": Response(body=charset_page(NAMED, "latin-1"),
                                            content_type="text/html"),
        "/news/utf8-undeclared": Response(body=charset_page(NAMED + " again", "utf-8"),
                                          content_type="text/html"),
        "/news/latin1-declared": Response(body=charset_page(NAMED + " a third time", "latin-1"),
                                          content_type="text/html; charset=ISO-8859-1"),
        "/news/cp1252-in-meta": Response(
            body=charset_page(NAMED + " – in cp1252", "cp1252",
                              '<meta http-equiv="Content-Type" content="text/html; '
                              'charset=windows-1252">'), content_type="text/html"),
    })
    stats = crawl(sources, seeded.path)
    assert counted(stats, "newsmon/charset/") == {"undeclared_legacy": 1}
    for title in (NAMED, NAMED + " again", NAMED + " a third time", NAMED + " – in cp1252"):
        assert_clean_text(seeded.path, title)
    seeded.assert_intact()


def test_429_with_retry_after_waits_then_succeeds_and_a_longer_wait_is_not_retried(
        local_server, seeded):
    seen: list[float] = []

    def rate_limited(request: Request) -> Response:
        seen.append(time.monotonic())
        if len(seen) == 1:
            return Response(429, "slow down", headers={"Retry-After": "2"})
        return Response(body=article("Ofcom fines Hearth after a pause"))

    server = local_server()
    sources = publish(server, {
        "/news/limited": rate_limited,
        "/news/come-back-tomorrow": Response(429, "later", headers={"Retry-After": "86400"}),
        "/news/maintenance": Response(503, "down", headers={
            "Retry-After": "Fri, 31 Dec 2100 23:59:59 GMT"}),
    })
    stats = crawl(sources, seeded.path, NEWSMON_MAX_RETRY_AFTER=60, RETRY_TIMES=2)
    assert len(seen) == 2 and seen[1] - seen[0] >= 2.0  # waited as long as it was told
    assert stats["newsmon/retry_after"] == 1
    assert stats["newsmon/retry_after_too_long"] == 2
    assert counted(stats, "newsmon/fetch_failed/") == {"http_429": 1, "http_503": 1}
    assert server.hits["/news/come-back-tomorrow"] == 1  # not hammered with instant retries
    assert server.hits["/news/maintenance"] == 1
    assert stored_urls(seeded.path, server) == ["/news/limited"]
    seeded.assert_intact()


def test_5xx_then_success_is_retried_and_stored_once(local_server, seeded):
    answers = iter([Response(500, "oops"), Response(503, "busy")])

    def flaky(request: Request) -> Response:
        return next(answers, None) or Response(body=article("Ofcom fines Hearth at last"))

    server = local_server()
    sources = publish(server, {
        "/news/flaky": flaky,
        "/news/down": Response(502, "bad gateway"),
        "/news/cut": Response(body=article("Cut short")[:200],  # fewer bytes than announced
                              headers={"Content-Length": "50000", "Connection": "close"}),
    })
    stats = crawl(sources, seeded.path, RETRY_TIMES=2)
    assert server.hits["/news/flaky"] == 3  # 500, 503, 200
    assert server.hits["/news/down"] == 3 and server.hits["/news/cut"] == 3  # then given up
    assert counted(stats, "newsmon/fetch_failed/") == {"http_502": 1, "data_loss": 1}
    assert stored_urls(seeded.path, server) == ["/news/flaky"]
    assert stats["newsmon/stored/inserted"] == 1
    seeded.assert_intact()


def test_robots_txt_disallow_is_obeyed(local_server, seeded):
    server = local_server()
    sources = publish(server, {
        "/private/leak": Response(body=article("Ofcom's private memo")),
        "/news/good": Response(body=article("Ofcom publishes its memo")),
    }, robots="User-agent: *\nDisallow: /private/\n")
    stats = crawl(sources, seeded.path)
    assert server.hits["/private/leak"] == 0
    assert stats["robotstxt/forbidden"] == 1
    assert stored_urls(seeded.path, server) == ["/news/good"]
    seeded.assert_intact()


def test_a_feed_that_is_not_valid_xml_is_counted(local_server, seeded):
    server = local_server()
    broken = {
        "/feeds/html": Response(body="<html><body><h1>Our feeds</h1></body></html>"),
        "/feeds/binary": Response(body=random.Random(7).randbytes(4000),
                                  content_type="application/rss+xml"),
        "/feeds/not-a-feed.xml": Response(body='<?xml version="1.0"?><note>hi</note>',
                                          content_type="application/xml"),
        "/feeds/empty.xml": Response(body="", content_type="application/rss+xml"),
    }
    server.routes.update(broken)
    sources = publish(server, {"/news/good": Response(body=article("Ofcom's feed works"))},
                      feeds=("/rss.xml", *broken))
    stats = crawl(sources, seeded.path)
    assert stats["newsmon/bad_feed"] == len(broken)
    assert stored_urls(seeded.path, server) == ["/news/good"]
    seeded.assert_intact()


def test_a_sitemap_index_that_points_to_itself_is_fetched_once(local_server, seeded):
    server = local_server()
    base = server.base_url
    server.routes.update({
        "/sitemap_index.xml": Response(body=sitemap_index(
            base, ["/sitemap_index.xml", "/sitemap-more.xml", "/sitemap-news.xml"]),
            content_type="application/xml"),
        "/sitemap-more.xml": Response(body=sitemap_index(base, ["/sitemap_index.xml"]),
                                      content_type="application/xml"),
        "/sitemap-news.xml": Response(body=urlset(base, ["/news/good"]),
                                      content_type="application/xml"),
    })
    sources = publish(server, {"/news/good": Response(body=article("Ofcom maps its site"))},
                      feed=[], sitemaps=("/sitemap_index.xml",))
    stats = crawl(sources, seeded.path)
    assert server.hits["/sitemap_index.xml"] == 1 and server.hits["/sitemap-more.xml"] == 1
    assert stats["newsmon/sitemap_cycle"] == 2
    assert stored_urls(seeded.path, server) == ["/news/good"]
    seeded.assert_intact()


def test_javascript_mailto_and_data_links_are_never_requested(local_server, seeded):
    server = local_server()
    base = server.base_url
    odd = ["javascript:alert(1)", " JavaScript:void(0)", "mailto:desk@example.org",
           "data:text/html;base64,PGgxPmhpPC9oMT4=", "tel:+441234567", "vbscript:msgbox(1)",
           "ftp://127.0.0.1/file"]
    hub = "<html><body>" + "".join(f'<a href="{u}">odd {i}</a>' for i, u in enumerate(odd)) \
        + '<a href="/news/good">good</a><a href="/news/to-js">to js</a></body></html>'
    server.routes["/sitemap.xml"] = Response(body=urlset(base, odd[:4] + ["/news/good"]),
                                             content_type="application/xml")
    sources = publish(server, {
        "/hub": Response(body=hub),
        "/news/good": Response(body=article("Ofcom links to its rules")),
        "/news/to-js": Response(302, "", headers={"Location": "javascript:alert(document.cookie)"}),
    }, feed=odd + ["/news/good"], sitemaps=("/sitemap.xml",),
        follow=f'start = ["{base}/hub"]\nallow = ["/news/"]\ndepth = 1')
    stats = crawl(sources, seeded.path)
    assert set(server.hits) <= {"/robots.txt", "/rss.xml", "/sitemap.xml", "/hub",
                                "/news/good", "/news/to-js"}
    assert stats["downloader/request_count"] == sum(server.hits.values())  # none elsewhere
    assert stats["newsmon/fetch_failed/bad_redirect"] == 1
    assert stats["newsmon/feed_entries"] == 1 and stats["newsmon/sitemap_entries"] == 1
    assert stored_urls(seeded.path, server) == ["/news/good"]
    seeded.assert_intact()


# -- refusing to start -------------------------------------------------------------------
def test_a_sources_file_with_a_typo_names_the_line(local_server, seeded, tmp_path):
    server = local_server()
    publish(server, {"/news/good": Response(body=article("Never fetched"))})
    text = sources_toml(server.base_url).replace("concurrency = 4", "concurency = 4")
    line = text.splitlines().index("concurency = 4") + 1
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    before = seeded.path.read_bytes()
    out = invoke_newsmon("crawl", "--sources", str(bad), "--db", str(seeded.path), "--workers", "1")
    assert out.returncode == EXIT_USAGE, out.stderr[-2000:]
    assert f"bad.toml:{line}" in out.stderr and "concurrency" in out.stderr  # where, and the fix
    assert "Traceback" not in out.stderr
    assert sum(server.hits.values()) == 0
    assert seeded.path.read_bytes() == before


def test_a_database_file_that_is_not_duckdb_is_left_untouched(local_server, tmp_path):
    server = local_server()
    publish(server, {"/news/good": Response(body=article("Never fetched"))})
    src = tmp_path / "sources.toml"
    src.write_text(sources_toml(server.base_url))
    notdb = tmp_path / "notes.duckdb"
    notdb.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)
    before = notdb.read_bytes()
    out = invoke_newsmon("crawl", "--sources", str(src), "--db", str(notdb), "--workers", "1")
    assert out.returncode == EXIT_DATABASE, out.stderr[-2000:]
    assert "not a DuckDB database" in out.stderr and "Traceback" not in out.stderr
    assert notdb.read_bytes() == before
    assert sum(server.hits.values()) == 0  # no crawl was started
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("notes")) \
        == ["notes.duckdb"]  # no WAL or side file either


# -- the real command over a hostile site -------------------------------------------------
def test_newsmon_crawl_records_every_reason_in_the_run(local_server, seeded):
    server = local_server()
    bomb = gzip.compress(b" " * (16 * 2**20), compresslevel=9)
    publish(server, {
        "/news/good": Response(body=article("Ofcom survives the hostile site")),
        "/news/bomb": Response(body=bomb, headers={"Content-Encoding": "gzip"}),
        "/news/loop": Response(302, "", headers={"Location": "/news/loop"}),
        "/news/binary": Response(body=b"\x00\x01" * 500, content_type="text/html"),
        "/news/gone": Response(404, "gone"),
    })
    src = seeded.path.with_name("sources.toml")
    src.write_text(sources_toml(server.base_url))
    # the NLP pool (one process) extracts and scores; no spaCy: no entity is checked here
    out = run_newsmon("crawl", "--sources", str(src), "--db", str(seeded.path), "--workers", "1",
                      *CLI_FAST, "--set", "NEWSMON_ANNOTATE=false",
                      "--set", "RETRY_TIMES=0", "--set", "DOWNLOAD_MAXSIZE=4000000")
    assert out.returncode == 0, out.stderr[-3000:]
    run = query(seeded.path, "select status, stats from crawl_runs order by run_id desc limit 1")
    assert run["status"].iloc[0] == "ok"
    stats = json.loads(run["stats"].iloc[0])
    assert counted(stats, "newsmon/fetch_failed/") == {"too_large": 1, "redirect_loop": 1,
                                                       "http_404": 1}
    assert stats["newsmon/dropped/not_html"] == 1
    assert stored_urls(seeded.path, server) == ["/news/good"]
    seeded.assert_intact()
