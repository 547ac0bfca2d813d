"""The fetch record a crawl decides from: read in chunks from DuckDB, kept on disk;
redirects remembered and decided by their target."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from newsmon.crawler.fetchrecord.policy import FullPolicy, IncrementalPolicy
from newsmon.crawler.fetchrecord.record import FetchRecord
from newsmon.data.fetchrecord import KnownPage, KnownPages, read_known_pages
from newsmon.data.store import Store, connect_read, known_page_chunks, query


def record(n: int, source: str = "s", start: int = 0) -> pd.DataFrame:
    return pd.DataFrame({
        "url": [f"http://x/{i}" for i in range(start, start + n)], "source": source,
        "kind": "article", "status": 200, "etag": [f'"{i}"' for i in range(start, start + n)],
        "last_modified": "Tue, 17 Nov 2026 10:00:00 GMT", "lastmod": None,
        "fetched_at": pd.Timestamp("2026-11-20 10:00:00.250000"),
        "outcome": "stored", "canonical_url": None,
    })


def test_chunks_cover_the_record_of_the_given_sources_only(tmp_path):
    store = Store(tmp_path / "k.duckdb")
    store.write_batch(None, None, None, None, record(2500, "s"))
    store.write_batch(None, None, None, None, record(700, "other", start=5000))
    with connect_read(tmp_path / "k.duckdb") as con:
        chunks = list(known_page_chunks(con, ["s"], rows_per_chunk=1000))
        assert len(chunks) >= 3 and max(len(c) for c in chunks) <= 1000
        urls = pd.concat(chunks)["url"]
        assert urls.is_unique and set(urls) == {f"http://x/{i}" for i in range(2500)}
        assert list(known_page_chunks(con, ["nobody"])) == []
    Store(tmp_path / "empty.duckdb").mark_interrupted_runs()  # a database without pages
    empty = read_known_pages(tmp_path / "empty.duckdb", ["s"])
    missing = read_known_pages(tmp_path / "missing.duckdb", ["s"])  # no database: empty too
    assert len(empty) == len(missing) == 0 and not (tmp_path / "missing.duckdb").exists()
    empty.close()
    missing.close()


def test_lookups_match_the_stored_rows_and_canonical_aliases(tmp_path):
    store = Store(tmp_path / "k.duckdb")
    rows = record(3)
    rows.loc[0, "canonical_url"] = "http://x/canonical-0"  # an article known by its canonical URL
    rows.loc[1, "canonical_url"] = "http://x/2"  # ...unless that URL has a row of its own
    rows.loc[2, ["etag", "last_modified", "outcome"]] = [None, None, "dropped:off_topic"]
    store.write_batch(None, None, None, None, rows)
    known = read_known_pages(tmp_path / "k.duckdb", ["s"])
    try:
        assert len(known) == 4
        first = known.get("http://x/0")
        assert first == KnownPage("article", datetime(2026, 11, 20, 10, 0, 0, 250000), "stored",
                                  '"0"', "Tue, 17 Nov 2026 10:00:00 GMT")
        assert known.get("http://x/canonical-0") == first
        assert known.get("http://x/2").outcome == "dropped:off_topic"
        assert known.get("http://x/2").etag is None
        assert known.get("http://x/404") is None and "http://x/404" not in known
    finally:
        known.close()
    assert not known._dir.exists()


def test_the_record_decides_from_the_disk_copy_and_deletes_it_when_closed(tmp_path):
    store = Store(tmp_path / "k.duckdb")
    store.write_batch(None, None, None, None, record(2))
    log = FetchRecord(IncrementalPolicy(refetch_days=100_000))
    log.attach(read_known_pages(tmp_path / "k.duckdb", ["s"]))
    folder = log.known._dir
    assert not log.article("http://x/1", {}).fetch  # known and settled: skipped
    assert log.article("http://x/9", {}).why == "new"
    log.close()
    assert not folder.exists()
    off = FetchRecord(FullPolicy())
    off.attach(None)  # incremental crawling off: nothing is read, nothing known
    assert off.article("http://x/1", {}).fetch and len(off.known) == 0
    off.close()


def _redirect(url: str, target: str) -> dict:
    return {"url": url, "source": "s", "kind": "redirect", "status": 301, "etag": None,
            "last_modified": None, "lastmod": None, "fetched_at": "2026-11-20T10:00:00",
            "outcome": "redirect", "canonical_url": None, "redirect_to": target}


def test_a_known_redirect_is_decided_by_its_target(tmp_path):
    db = tmp_path / "k.duckdb"
    store = Store(db)
    store.write_batch(None, None, None, None, record(1))  # http://x/0, stored
    chain = pd.DataFrame([_redirect("http://x/r", "http://x/old"),
                          _redirect("http://x/old", "http://x/0"),
                          _redirect("http://x/gone", "http://x/unknown"),
                          _redirect("http://x/loop", "http://x/loop2"),
                          _redirect("http://x/loop2", "http://x/loop")])
    assert store.write_batch(None, None, None, None, chain)["pages"] == 5
    rows = query(db, "select url, kind, redirect_to, canonical_url from pages order by url")
    assert rows.set_index("url").loc["http://x/r"].tolist() == ["redirect", "http://x/old", None]
    log = FetchRecord(IncrementalPolicy(refetch_days=100_000))
    log.attach(read_known_pages(db, ["s"]))
    try:
        assert log.lookup("http://x/r") == log.known.get("http://x/0")  # two hops
        assert not log.article("http://x/r", {}).fetch  # target known and settled: skipped
        assert not log.hub("http://x/r").fetch  # a hub redirecting to it: not read again
        assert log.hub("http://x/elsewhere").fetch  # any other hub: read every run
        assert log.article("http://x/gone", {}).why == "new"  # target unknown: followed
        assert log.hub("http://x/gone").fetch
        assert log.article("http://x/loop", {}).fetch  # a loop of redirect rows decides nothing
        assert log.landed_on_known("http://x/0", {}) and not log.landed_on_known("http://x/9", {})
        due = log.article("http://x/r", {"lastmod": "2100-01-01"})  # announced as changed
        assert due.fetch and due.headers == {"If-None-Match": '"0"',
                                             "If-Modified-Since": "Tue, 17 Nov 2026 10:00:00 GMT"}
    finally:
        log.close()
    # a URL that stops redirecting gets an ordinary row again
    page = record(1).assign(url="http://x/r", canonical_url="http://x/r")
    store.write_batch(None, None, None, None, page)
    row = query(db, "select kind, redirect_to from pages where url = 'http://x/r'")
    assert row.iloc[0].tolist() == ["article", None]


def test_a_later_listing_that_announces_a_change_revives_a_skipped_candidate():
    known = {u: KnownPage("article", datetime(2026, 11, 20), "stored", '"e"')
             for u in ("http://x/a", "http://x/b")}
    log = FetchRecord(IncrementalPolicy(refetch_days=100_000))
    log.attach(known)
    assert not log.article("http://x/a", {"feed": "http://x/rss"}).fetch
    assert not log.duplicate("http://x/a", {"sitemap": "http://x/s"})  # nothing new said
    assert log.duplicate("http://x/a", {"sitemap": "http://x/s", "lastmod": "2026-12-01"})
    assert not log.duplicate("http://x/a", {"lastmod": "2026-12-02"})  # already asked again
    again = log.article("http://x/a", {"sitemap": "http://x/s", "lastmod": "2026-12-01"})
    assert again.fetch and again.why == "lastmod"
    # a duplicate of a candidate still waiting in the queue lends it its announced change
    assert not log.duplicate("http://x/b", {"lastmod": "2026-12-01"})
    assert log.article("http://x/b", {}).why == "lastmod"


def test_redirect_rows_are_written_whatever_the_redirect_said(tmp_path):
    from newsmon.data.rows import pages_frame
    log = FetchRecord(IncrementalPolicy())
    log.attach({})
    log.redirected(["http://x/r", "http://x/m", "http://x/a"], "http://x/a", "s",
                   [301, "meta refresh"])  # a <meta http-equiv=refresh> has no status
    rows = log.take_rows()
    assert [(r["url"], r["status"], r["redirect_to"]) for r in rows] == [
        ("http://x/r", 301, "http://x/a"), ("http://x/m", None, "http://x/a")]
    counts = Store(tmp_path / "r.duckdb").write_batch(None, None, None, None, pages_frame(rows))
    assert counts["pages"] == 2
