"""The fast crawl stores exactly what the plain serial crawl stores.

The same local site is crawled twice with every page kept (NEWSMON_KEEP_ALL),
each time into a fresh DuckDB file through `run_crawl_isolated`:

  serial  NEWSMON_NLP_PROCESSES=0: extraction, relevance and spaCy in the crawl's
          own process, one page after the other;
  pool    NEWSMON_NLP_PROCESSES=2: worker processes, pages finishing in any order,
          small batches (NEWSMON_BATCH_SIZE) so batch boundaries differ too.

The articles, mentions and figures rows must be identical once sorted, leaving
out what differs by design: timestamps of the fetch and the write, run ids, and
`mentions.entity_id` (database-wide identities are numbered in arrival order,
and whether "Durov" becomes an alias of "Pavel Durov" depends on which article
arrived first; see data/entities.py).  Two sites: the bundled demo site
(always) and real pages of ../shared/corpus (skipped when it is absent).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import SHARED
from newsmon.crawler.demo import build_site, demo_sources_file
from newsmon.crawler.localserver import LocalServer, Response
from newsmon.crawler.runs.runner import run_crawl_isolated
from newsmon.crawler.sources import Source, load_sources, parse_sources

pytestmark = pytest.mark.slow

CORPUS = SHARED / "corpus" / "article-extraction-benchmark" / "html"
CORPUS_PAGES = 30  # spread over the corpus: several languages, real-world markup

TIME_AND_RUN = {"fetched_at", "first_seen_at", "updated_at", "run_id"}
QUERIES = {
    "articles": "select * from articles order by article_id",
    "mentions": "select * exclude (entity_id) from mentions "
                "order by article_id, start_char, end_char, label, text",
    "figures": "select * from figures order by article_id, start_char, end_char, kind, value",
}


def crawl(sources: list[Source], db: Path, workers: int) -> dict:
    stats = run_crawl_isolated(sources, {
        "NEWSMON_DB": str(db), "NEWSMON_KEEP_ALL": True, "NEWSMON_NLP_PROCESSES": workers,
        "NEWSMON_BATCH_SIZE": 4, "LOG_LEVEL": "WARNING", "AUTOTHROTTLE_START_DELAY": 0.01,
    }, timeout=900)
    assert stats["finish_reason"] == "finished", stats
    return stats


def rows(db: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(db), read_only=True) as con:
        out = {}
        for table, sql in QUERIES.items():
            df = con.execute(sql).df()
            out[table] = df.drop(columns=[c for c in df.columns if c in TIME_AND_RUN])
        return out


def assert_same_rows(serial_db: Path, pool_db: Path) -> dict[str, int]:
    serial, pool = rows(serial_db), rows(pool_db)
    for table in QUERIES:
        pd.testing.assert_frame_equal(serial[table].reset_index(drop=True),
                                      pool[table].reset_index(drop=True), check_exact=True,
                                      obj=f"{table} rows")
    return {table: len(df) for table, df in serial.items()}


def crawl_both_ways(sources: list[Source], tmp_path: Path) -> tuple[dict, dict, dict[str, int]]:
    serial = crawl(sources, tmp_path / "serial.duckdb", workers=0)
    pool = crawl(sources, tmp_path / "pool.duckdb", workers=2)
    counts = assert_same_rows(tmp_path / "serial.duckdb", tmp_path / "pool.duckdb")
    return serial, pool, counts


def test_demo_site_rows_are_the_same_serial_and_pooled(tmp_path):
    server = LocalServer()
    server.routes.update(build_site(server.base_url))
    with server:
        sources = load_sources(demo_sources_file(server.base_url, tmp_path / "sources.toml",
                                                 delay=0.01))
        serial, pool, counts = crawl_both_ways(sources, tmp_path)
    # the comparison is not vacuous: the demo site's articles, people and figures are there
    assert counts["articles"] >= 40
    assert counts["mentions"] >= 200 and counts["figures"] >= 50
    assert serial["newsmon/processed"] == pool["newsmon/processed"] == counts["articles"]


@pytest.mark.skipif(not CORPUS.exists(), reason=f"{CORPUS} is absent (../shared not beside the repo)")
def test_real_pages_rows_are_the_same_serial_and_pooled(tmp_path):
    files = sorted(CORPUS.glob("*.html.gz"))
    chosen = files[:: max(len(files) // CORPUS_PAGES, 1)][:CORPUS_PAGES]
    server = LocalServer()
    paths = [f"/news/2024/05/{i + 1:02d}/{f.name.split('.')[0][:16]}.html" for i, f in enumerate(chosen)]
    for path, f in zip(paths, chosen):
        server.routes[path] = Response(body=gzip.open(f, "rb").read())
    items = "".join(f"<item><link>{server.base_url}{p}</link></item>" for p in paths)
    server.routes["/rss.xml"] = Response(
        body=f'<?xml version="1.0"?><rss version="2.0"><channel><title>corpus</title>{items}'
             f'</channel></rss>', content_type="application/rss+xml")
    with server:
        sources = parse_sources(f'[[source]]\nname = "corpus"\nhomepage = "{server.base_url}/"\n'
                                f'feeds = ["{server.base_url}/rss.xml"]\ndelay = 0.01\n'
                                f'concurrency = 4\n')
        serial, pool, counts = crawl_both_ways(sources, tmp_path)
    assert counts["articles"] >= CORPUS_PAGES - 3  # a stub or two may be dropped, alike
    assert counts["mentions"] >= 300
    unannotated = {k: v for k, v in serial.items() if k.startswith("newsmon/unannotated/")}
    assert unannotated == {k: v for k, v in pool.items() if k.startswith("newsmon/unannotated/")}
