"""URL identity (crawler/identity.py) and the rule that an article belongs to the source
that first stored it, in the one-process store path and in the staged loader path;
and the trap site (tests/trap_site.py) crawled twice."""

from __future__ import annotations

import json

import pytest

from conftest import run_newsmon
from newsmon.crawler.identity import UrlRules, choose_canonical
from newsmon.crawler.sources import parse_sources
from newsmon.data import Store, query
from newsmon.data.rows import annotation_frames, batch_frames
from newsmon.data.staging import load_staged, stage_batch
from test_store import article, mention
from trap_site import FOREIGN, SLUGS, TrapSite


# -- the rules ------------------------------------------------------------------------
def test_clean_strips_tracking_navigation_fragments_and_default_ports():
    rules = UrlRules()
    assert rules.clean("HTTP://News.Example:80/a?utm_source=x&id=3&ref=section#c") == \
        "http://news.example/a?id=3"
    assert rules.clean("https://x.org/a?b=1&a=2") == "https://x.org/a?b=1&a=2"  # order kept
    assert rules.clean("https://x.org/a/?fbclid=1&gclid=2") == "https://x.org/a/"  # slash kept
    assert rules.clean("https://x.org/s?page=2") == "https://x.org/s?page=2"  # pagination stays


def test_a_source_can_ignore_or_keep_a_parameter():
    rules = UrlRules.of(ignore=["section"], keep=["ref"])
    assert rules.clean("https://x.org/a?section=tech&ref=7&q=1") == "https://x.org/a?ref=7&q=1"
    source = parse_sources('[[source]]\nname = "s"\nhomepage = "https://x.org/"\n'
                           'feeds = ["https://x.org/f"]\nignore_params = ["section"]\n'
                           'keep_params = ["ref"]\n')[0]
    assert source.url_rules == rules


def test_canonical_link_first_then_og_url_and_never_another_host():
    owns = lambda url: "news.example" in url  # noqa: E731
    page = "https://news.example/story?utm_source=feed"
    chosen = choose_canonical(page, "/story/full", "https://news.example/og", owns)
    assert (chosen.url, chosen.origin) == ("https://news.example/story/full", "link")
    chosen = choose_canonical(page, None, "https://news.example/og#x", owns)
    assert (chosen.url, chosen.origin) == ("https://news.example/og", "og")
    chosen = choose_canonical(page, "https://wire.example/orig", "https://wire.example/o", owns)
    assert (chosen.url, chosen.origin) == ("https://news.example/story", "page")
    assert chosen.off_host == ("https://wire.example/orig", "https://wire.example/o")
    chosen = choose_canonical(page, "https://news.example/", None, owns)  # template error
    assert chosen.origin == "page"


# -- first stored, first owner ------------------------------------------------------------
def _other_source_copy(n: int) -> dict:
    return article(n, text=f"A copy of article {n}, rewritten by another site.",
                   source="copycat", title=f"Copied {n}")


def _two_batches():
    """Article 1 of source example with a mention, then another source's copy of it."""
    first = batch_frames([article(1)])
    first.update(annotation_frames({"mentions": [mention(1, "Ada Lovelace")]}))
    copy = batch_frames([_other_source_copy(1)])
    copy.update(annotation_frames({"mentions": [mention(1, "Someone Else")]}))
    return first, copy


def _assert_owned_by_example(db) -> None:
    rows = query(db, "select source, title, text from articles")
    assert rows.to_dict("records") == [{"source": "example", "title": "Title 1",
                                        "text": "Article 1 about the Digital Services Act."}]
    names = query(db, "select canonical from mentions order by 1")["canonical"].tolist()
    assert names == ["Ada Lovelace"]


def test_a_page_of_another_source_never_replaces_the_stored_article(tmp_path, caplog):
    db = tmp_path / "own.duckdb"
    store = Store(db)
    first, copy = _two_batches()
    assert store.write_batch(None, **first)["inserted"] == 1
    counts = store.write_batch(None, **copy)
    assert counts["conflicts"] == 1 and counts["inserted"] == counts["updated"] == 0
    assert "belongs to source example" in caplog.text
    _assert_owned_by_example(db)
    # within one batch the first source owns it too, and the conflict is reported
    both = batch_frames([article(2), _other_source_copy(2)])
    assert both.conflicts == [("https://news.example/a/2", "example", "copycat")]
    assert both["articles"]["source"].tolist() == ["example"]


def test_the_staged_loader_keeps_the_first_owner_too(tmp_path):
    db, staging = tmp_path / "staged.duckdb", tmp_path / "staging"
    first, copy = _two_batches()
    stage_batch(staging, **first)
    stage_batch(staging, **copy)
    report = load_staged(db, staging)
    assert report.batches_loaded == 2 and report.inserted == 1 and report.conflicts == 1
    _assert_owned_by_example(db)


# -- the trap site, crawled twice ----------------------------------------------------------------
@pytest.mark.slow
def test_the_trap_site_crawled_twice_stores_each_article_once_under_its_canonical_url(tmp_path):
    db = tmp_path / "trap.duckdb"
    with TrapSite() as site:
        sources = site.sources_toml(tmp_path / "sources.toml")
        args = ("crawl", "--sources", str(sources), "--db", str(db), "--keep-all",
                "--workers", "0", "--set", "NEWSMON_ANNOTATE=False",
                "--set", "DOWNLOAD_DELAY=0.05")
        for run in (1, 2):
            done = run_newsmon(*args, timeout=300)
            assert done.returncode == 0, (run, done.stdout[-3000:], done.stderr[-3000:])
            if run == 1:
                first = site.article_hits()
        second = site.article_hits()
        rows = query(db, "select url, canonical_url, source from articles order by 1")
        assert rows["canonical_url"].tolist() == sorted(site.canonical(s) for s in SLUGS)
        assert (rows["url"] == rows["canonical_url"]).all()
        assert not any(FOREIGN in u or "?" in u for u in rows["canonical_url"])
        # every article page fetched once over both runs (a8: once more after its 503)
        for page in [f"/news/{s}" for s in SLUGS if s not in ("a4", "a6")] + ["/news/a5/amp"]:
            expected = 2 if page == "/news/a8" else 1
            assert second.get(page) == expected, (page, first, second)
        assert second.get("/news/a6") == 2  # the mirror's copy and the main one, once each
        # the redirecting link /r/a4 (no allow match) is remembered with its target: the
        # first run follows the chain once, the second requests none of /r/a4, /old/a4, /news/a4
        assert first.get("/r/a4") == first.get("/old/a4") == first.get("/news/a4") == 1, first
        assert (second.get("/r/a4"), second.get("/old/a4"), second.get("/news/a4")) == (1, 1, 1)
        assert second == first  # nothing at all fetched again
        redirects = query(db, "select url, redirect_to from pages where kind = 'redirect'")
        assert dict(zip(redirects["url"], redirects["redirect_to"])) == {
            site.base + "/r/a4": site.canonical("a4"), site.base + "/old/a4": site.canonical("a4")}
        assert not any(p.startswith("/private/") for p in site.main.hits)  # robots.txt
        assert site.main.max_in_flight <= 2 and site.mirror.max_in_flight <= 2
        stats = query(db, "select stats from crawl_runs order by run_id")["stats"].tolist()
        # a1 names itself first (its foreign og:url is never reached); a2 has only a foreign og:url
        assert json.loads(stats[0]).get("newsmon/canonical/off_host") == 1, stats[0]
