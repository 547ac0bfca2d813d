"""Benchmark of the DuckDB writer: bulk write_batch throughput and view query time.

Run from the repository root:  .venv/bin/python bench/store_write.py [--articles 5000]
It writes synthetic batches into a temporary database and prints rows/s for a
fresh insert, an unchanged rewrite, a full text change (annotations replaced)
and the time of a few view queries; then the CPU cost per article of crawl-sized
batches (--batch-sizes), which is what NEWSMON_BATCH_SIZE trades against.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from newsmon.data import Store, query

SURNAMES = [f"Surname{i}" for i in range(400)]
ORGS = [f"Organisation {i}" for i in range(300)]


def synthetic(n_articles: int, mentions_per: int, figures_per: int, version: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    urls = [f"https://bench.example/{i}" for i in range(n_articles)]
    texts = [f"Version {version} of article {i}. " + "Words about regulation. " * 40 for i in range(n_articles)]
    articles = pd.DataFrame({
        "url": urls, "canonical_url": urls, "source": [f"src{i % 20}" for i in range(n_articles)],
        "title": [f"Title {i}" for i in range(n_articles)], "authors": [["A. Writer"]] * n_articles,
        "published_at": [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(n_articles)],
        "fetched_at": "2024-12-31T12:00:00Z", "language": "en", "sitename": "Bench", "description": None,
        "text": texts, "text_hash": [hashlib.sha1(t.encode()).hexdigest() for t in texts],
        "word_count": 243, "relevance": rng.random(n_articles), "matched_terms": [["dsa"]] * n_articles,
        "annotated": True,
    })
    rows = n_articles * mentions_per
    person = rng.random(rows) < 0.5
    first = rng.integers(0, 50, rows)
    last = rng.integers(0, len(SURNAMES), rows)
    names = np.where(person, [f"First{f} {SURNAMES[s]}" for f, s in zip(first, last)],
                     [ORGS[s % len(ORGS)] for s in last])
    starts = np.tile(np.arange(mentions_per) * 20, n_articles)
    mentions = pd.DataFrame({
        "canonical_url": np.repeat(urls, mentions_per), "label": np.where(person, "person", "organisation"),
        "text": names, "canonical": names, "start": starts, "end": starts + 12, "sentence": "A sentence.",
    })
    frows = n_articles * figures_per
    fstarts = np.tile(np.arange(figures_per) * 30, n_articles)
    figures = pd.DataFrame({
        "canonical_url": np.repeat(urls, figures_per), "kind": "money", "value": rng.random(frows) * 1e6,
        "unit": "EUR", "object": None, "text": "€1m", "start": fstarts, "end": fstarts + 3, "sentence": "Fined.",
    })
    return articles, mentions, figures


def timed(fn) -> tuple[object, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def report_write(label: str, rows: int, fn) -> None:
    counts, seconds = timed(fn)
    print(f"{label:<30} {seconds:6.2f}s {rows / seconds:>11,.0f} rows/s  {counts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--mentions", type=int, default=60, help="mentions per article")
    parser.add_argument("--figures", type=int, default=4, help="figures per article")
    parser.add_argument("--batch-sizes", default="33,250",
                        help="crawl-sized batches to time (comma-separated articles per batch)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        store = Store(db)
        batch = synthetic(args.articles, args.mentions, args.figures, version=1)
        rows = sum(len(f) for f in batch)
        print(f"{args.articles} articles, {len(batch[1])} mentions, {len(batch[2])} figures per batch")
        report_write("insert (new articles)", rows, lambda: store.write_batch(1, *batch))
        report_write("rewrite (unchanged)", rows, lambda: store.write_batch(2, *batch))
        changed = synthetic(args.articles, args.mentions, args.figures, version=2)
        report_write("rewrite (all texts changed)", rows, lambda: store.write_batch(3, *changed))
        print(f"entities: {query(db, 'SELECT count(*) FROM entities').iloc[0, 0]}")
        for view in ("mentions_per_entity_week", "article_summary", "figures_money", "articles_per_source_day"):
            n, seconds = timed(lambda v=view: len(query(db, f"SELECT * FROM {v}")))
            print(f"query {view:<24} {seconds:6.2f}s {n:>9} rows")
        print(f"database size: {db.stat().st_size / 1e6:.1f} MB")
        small_batches(store, args)


def small_batches(store: Store, args) -> None:
    """CPU per batch and per article of many small batches: the fixed cost of a batch
    (open, commit, checkpoint on close) against the per-row cost."""
    n = min(args.articles, 2000)
    for version, size in enumerate(int(x) for x in args.batch_sizes.split(",")):
        arts, ments, figs = synthetic(n, args.mentions, args.figures, version=10 + version)
        cpu, batches = time.process_time(), 0
        for start in range(0, n, size):
            a = arts.iloc[start:start + size]
            urls = set(a["canonical_url"])
            store.write_batch(4, a, ments[ments["canonical_url"].isin(urls)],
                              figs[figs["canonical_url"].isin(urls)])
            batches += 1
        cpu = time.process_time() - cpu
        print(f"batches of {size:<4} {batches:4d} writes  {cpu / batches * 1000:6.0f} ms CPU/batch"
              f"  {cpu / n * 1000:5.1f} ms CPU/article")


if __name__ == "__main__":
    main()
