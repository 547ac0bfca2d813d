"""Full-text search at scale: query latency, and what keeping the index current costs a crawl.

Generates a database with digest_bench's generator (the real migrations, SQL-only
data, reproducible), but with a vocabulary closer to news text: the 75 domain
words of digest_bench drawn 20 times as often as each of 6,000 rarer made-up
words, so a domain word ("fine", "platform") is in about 40% of the articles and
a rare one in about 3%.  Then it prints:

* the full build (`newsmon db reindex`): wall and CPU seconds, and the index's
  size on disk;
* query latency of two-word queries (common+common, common+rare, rare+rare) and
  with filters, through data.search.search (sandbox, fts, snippets: what
  `newsmon search` costs) and the median of several runs; goal < 300 ms;
* the index's cost to a crawl: `refresh_index` after a crawl added 1,000 new
  articles and changed 100 (the refresh every crawl, load and reannotate runs),
  a refresh with nothing to do, and the latency after 20 such refreshes (20
  unsorted appends) and after the compaction that re-sorts them;
* with --extension N: PRAGMA create_fts_index on the first N articles, for
  comparison (it can only rebuild everything).

    .venv/bin/python bench/search_bench.py                       # 1,000,000 articles
    .venv/bin/python bench/search_bench.py --articles 100000 --keep /tmp/bench
    .venv/bin/python bench/search_bench.py --db data/newsmon.duckdb --queries "fine ofcom"
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb  # noqa: E402

import digest_bench  # noqa: E402
from newsmon.data.connection import load_fts, sandbox  # noqa: E402
from newsmon.data.search import index as search_index  # noqa: E402
from newsmon.data.search import refresh_index, reindex, search  # noqa: E402

_SYLLABLES = "ka lo mi ren tus var bel dor quin zep fra gil hom nax pel rud sor tim vex wal".split()
RARE = ["".join(p) for p in itertools.product(_SYLLABLES, repeat=3)][:6000]
QUERIES = {
    "common + common": "fine platform",
    "common + rare": "penalty kalomi",
    "rare + rare": "renvar tusdorwal",
}


def generate(path: Path, articles: int) -> float:
    digest_bench._WORDS = tuple(w for w in digest_bench._WORDS for _ in range(20)) + tuple(RARE)
    start = time.perf_counter()
    digest_bench.generate(path, articles)
    return time.perf_counter() - start


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measured(fn):
    wall, c = time.perf_counter(), cpu()
    result = fn()
    return result, time.perf_counter() - wall, cpu() - c


def latency(db: Path, query: str, repeat: int = 5, **filters) -> tuple[float, int]:
    times, hits = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        hits = len(search(db, query, limit=20, **filters).hits)
        times.append(time.perf_counter() - start)
    return statistics.median(times), hits


def ranking_latency(db: Path, query: str, repeat: int = 5) -> float:
    """The ranking query alone (search.sql), on one open sandbox connection."""
    from newsmon.data.named import prepare
    from newsmon.data.search.query import _TERMS, SEARCH_SQL
    with sandbox(db, setup=prepare) as con:
        terms = con.execute(_TERMS, {"query": query}).fetchone()[0]
        sql = SEARCH_SQL.replace("{filter}", "")
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            con.execute(sql, {"terms": terms, "limit": 20}).fetchall()
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def _open_sandbox(db: Path) -> None:
    with sandbox(db):
        pass


def crawl_like_changes(db: Path, new: int, changed: int, seed: int) -> None:
    """What a crawl writes: `new` articles (copies of random ones under new ids and URLs,
    dated now) and `changed` articles with a new text."""
    with duckdb.connect(str(db)) as con:
        con.execute(f"""
            INSERT INTO articles
            SELECT * REPLACE (
                (hash(article_id, {seed}) >> 1)::BIGINT AS article_id,
                url || '?crawl={seed}' AS url, canonical_url || '?crawl={seed}' AS canonical_url,
                now()::TIMESTAMP AS first_seen_at, now()::TIMESTAMP AS published_at)
            FROM articles USING SAMPLE {new} ROWS (reservoir, {seed})""")
        con.execute(f"""
            UPDATE articles SET text = text || ' Update {seed}: the regulator appealed.',
                                text_hash = md5(text_hash || '{seed}')
            WHERE article_id IN (SELECT article_id FROM articles USING SAMPLE {changed} ROWS (reservoir, {seed + 1}))""")


def size_mb(db: Path) -> float:
    return db.stat().st_size / 2 ** 20


def bench(db: Path, queries: dict[str, str], work: Path, extension: int | None) -> dict:
    figures: dict = {}
    with duckdb.connect(str(db), read_only=True) as con:
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        indexed = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'search_docs'").fetchone()[0]
        if indexed:
            indexed = con.execute("SELECT count(*) FROM search_docs").fetchone()[0]
    print(f"database of {articles:,} articles, {size_mb(db):,.0f} MiB")
    figures["articles"] = articles

    if indexed != articles:
        before = size_mb(db)
        report, wall, c = measured(lambda: reindex(db, timeout=600))
        print(f"  full build (db reindex)                  {wall:8.1f} s wall, {c:8.1f} s CPU; "
              f"{report.postings:,} postings; file {before:,.0f} -> {size_mb(db):,.0f} MiB")
        figures.update(build_s=wall, build_cpu_s=c, postings=report.postings,
                       index_mib=size_mb(db) - before)

    print("  query latency (median of 5, limit 20): the ranking query on an open sandbox connection;"
          " search() = what `newsmon search` costs after start-up (sandbox, fts, snippets):")
    for label, q in queries.items():
        sql_seconds = ranking_latency(db, q)
        seconds, hits = latency(db, q)
        print(f"    {label:<22} {q!r:<26} query {sql_seconds * 1000:6.0f} ms, search() "
              f"{seconds * 1000:6.0f} ms  ({hits} hits)")
        figures[f"query_ms[{label}]"] = sql_seconds * 1000
        figures[f"search_ms[{label}]"] = seconds * 1000
    (_, wall, c) = measured(lambda: _open_sandbox(db))
    print(f"    opening the sandbox (connect, load fts, lock)  {wall * 1000:6.0f} ms wall, {c * 1000:4.0f} ms CPU")
    figures["sandbox_open_ms"] = wall * 1000
    first = next(iter(queries.values()))
    with duckdb.connect(str(db), read_only=True) as con:
        source = con.execute("SELECT source FROM articles LIMIT 1").fetchone()[0]
        entity = con.execute("SELECT name FROM entities ORDER BY entity_id LIMIT 1").fetchone()
        since = con.execute("SELECT (max(published_at) - INTERVAL 30 DAY)::DATE FROM articles").fetchone()[0]
    for label, filters in (("--since (last 30 days)", {"since": since}), ("--source", {"source": source}),
                           ("--entity", {"entity": entity[0]} if entity else None)):
        if filters:
            seconds, hits = latency(db, first, **filters)
            print(f"    {label:<22} {first!r:<26} {seconds * 1000:8.0f} ms  ({hits} hits)")
            figures[f"query_ms[{label}]"] = seconds * 1000

    print("  the index's cost to a crawl (refresh_index after the crawl's writes):")
    _, wall, c = measured(lambda: refresh_index(db, timeout=600))
    print(f"    nothing to do                          {wall:8.2f} s wall, {c:6.2f} s CPU")
    figures["refresh_noop_s"] = wall
    crawl_like_changes(db, 1000, 100, seed=1)
    report, wall, c = measured(lambda: refresh_index(db, timeout=600))
    print(f"    1,000 new + 100 changed articles       {wall:8.2f} s wall, {c:6.2f} s CPU "
          f"({report.indexed} indexed, {report.postings:,} postings)")
    figures.update(refresh_1000_s=wall, refresh_1000_cpu_s=c)
    for seed in range(2, 21):
        crawl_like_changes(db, 1000, 0, seed=seed * 10)
        refresh_index(db, timeout=600)
    for label, q in queries.items():
        seconds, _ = latency(db, q)
        print(f"    after 20 refreshes (unsorted appends): {label:<18} {seconds * 1000:8.0f} ms")
        figures[f"query_ms_after_20_refreshes[{label}]"] = seconds * 1000
    with duckdb.connect(str(db)) as con:
        con.begin()
        _, wall, c = measured(lambda: search_index._compact(con))
        con.commit()
    print(f"    compaction (re-sort every posting)     {wall:8.2f} s wall, {c:6.2f} s CPU")
    figures.update(compact_s=wall, compact_cpu_s=c)
    for label, q in queries.items():
        seconds, _ = latency(db, q)
        print(f"    after compaction: {label:<35} {seconds * 1000:8.0f} ms")

    if extension:
        ext = work / "extension.duckdb"
        with duckdb.connect(str(ext)) as con:
            con.execute(f"ATTACH '{db}' AS src (READ_ONLY)")
            con.execute(f"CREATE TABLE articles AS SELECT article_id, title, text FROM src.articles LIMIT {extension}")
            con.execute("DETACH src")
            load_fts(con)
            _, wall, c = measured(lambda: con.execute(
                "PRAGMA create_fts_index('articles', 'article_id', 'title', 'text', overwrite=1)"))
        print(f"  PRAGMA create_fts_index on {extension:,} articles: {wall:8.1f} s wall, {c:6.1f} s CPU "
              f"(x{articles / extension:.0f} for the whole database)")
        figures.update(extension_articles=extension, extension_build_s=wall, extension_build_cpu_s=c)
    print(f"  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="an existing database (a copy is measured; it is left as is)")
    parser.add_argument("--keep", type=Path, help="directory to keep the generated database in (reused)")
    parser.add_argument("--queries", nargs="*", help="queries to time instead of the generated ones")
    parser.add_argument("--extension", type=int, default=None,
                        help="also time PRAGMA create_fts_index on this many articles")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    queries = {q: q for q in args.queries} if args.queries else QUERIES
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        work = Path(tmp)
        if args.db:
            db = work / "copy.duckdb"
            shutil.copy(args.db, db)
        else:
            source = (args.keep or work) / f"search-bench-{args.articles}.duckdb"
            if not source.exists():
                seconds = generate(source, args.articles)
                print(f"generated {args.articles:,} articles in {seconds:.0f} s")
            db = work / "bench.duckdb"
            shutil.copy(source, db)  # the refreshes below change it: keep the generated one clean
        print(f"on {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} at start)")
        figures = bench(db, queries, work, args.extension)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
