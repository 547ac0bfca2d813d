"""The fetch record a crawl decides from: read in chunks from DuckDB, kept on disk."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from newsmon.crawler.fetchlog import FetchLog
from newsmon.crawler.knownpages import KnownPage, KnownPages
from newsmon.data.store import Store


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
    chunks = list(store.iter_known_pages(["s"], rows_per_chunk=1000))
    assert len(chunks) >= 3 and max(len(c) for c in chunks) <= 1000
    urls = pd.concat(chunks)["url"]
    assert urls.is_unique and set(urls) == {f"http://x/{i}" for i in range(2500)}
    assert list(store.iter_known_pages(["nobody"])) == []
    assert list(Store(tmp_path / "empty.duckdb").iter_known_pages(["s"])) == []


def test_lookups_match_the_stored_rows_and_canonical_aliases(tmp_path):
    store = Store(tmp_path / "k.duckdb")
    rows = record(3)
    rows.loc[0, "canonical_url"] = "http://x/canonical-0"  # an article known by its canonical URL
    rows.loc[1, "canonical_url"] = "http://x/2"  # ...unless that URL has a row of its own
    rows.loc[2, ["etag", "last_modified", "outcome"]] = [None, None, "dropped:off_topic"]
    store.write_batch(None, None, None, None, rows)
    known = KnownPages.from_frames(store.iter_known_pages(["s"]))
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


def test_fetchlog_decides_from_the_disk_record_and_deletes_it_when_closed(tmp_path):
    store = Store(tmp_path / "k.duckdb")
    store.write_batch(None, None, None, None, record(2))
    log = FetchLog(refetch_days=100_000)
    log.attach(store.iter_known_pages(["s"]))
    folder = log.known._dir
    assert not log.check_article("http://x/1", {}).fetch  # known and settled: skipped
    assert log.check_article("http://x/9", {}).why == "new"
    log.close()
    assert not folder.exists()
    off = FetchLog(incremental=False)
    off.attach(store.iter_known_pages(["s"]))  # incremental crawling off: nothing is known
    assert off.check_article("http://x/1", {}).fetch and len(off.known) == 0
    off.close()
