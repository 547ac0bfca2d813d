"""Benchmark of staged loading (data/staging.py): stage many small batches, load them.

Run from the repository root:  .venv/bin/python bench/staging_load.py [--batches 200]
It stages `--batches` batches of `--articles` synthetic articles (with their
mentions, figures and pages rows) into a temporary folder, then loads them into
a fresh database with 1, 5, 20 and 50 batches per transaction, and prints
batches/s and rows/s (articles + mentions + figures + pages) for each.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from newsmon.data import query
from newsmon.data.staging import load_staged, stage_batch
from store_write import synthetic  # bench/ is on sys.path when run as a script


def page_rows(articles: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"url": articles["url"], "source": articles["source"], "kind": "article",
                         "status": 200, "etag": None, "last_modified": None, "lastmod": None,
                         "fetched_at": articles["fetched_at"], "outcome": "stored",
                         "canonical_url": articles["canonical_url"]})


def stage_all(folder: Path, n_batches: int, per_batch: int, mentions: int, figures: int) -> int:
    """Stage the synthetic data as `n_batches` batches; return the rows staged."""
    articles, ments, figs = synthetic(n_batches * per_batch, mentions, figures, version=1)
    rows = 0
    for b in range(n_batches):
        arts = articles.iloc[b * per_batch:(b + 1) * per_batch]
        urls = set(arts["canonical_url"])
        frames = {"articles": arts, "mentions": ments[ments["canonical_url"].isin(urls)],
                  "figures": figs[figs["canonical_url"].isin(urls)], "pages": page_rows(arts)}
        stage_batch(folder, **frames)
        rows += sum(len(f) for f in frames.values())
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--articles", type=int, default=25, help="articles per batch")
    parser.add_argument("--mentions", type=int, default=20, help="mentions per article")
    parser.add_argument("--figures", type=int, default=4, help="figures per article")
    parser.add_argument("--merge", type=int, nargs="+", default=[1, 5, 20, 50],
                        help="batches per transaction to measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        master = Path(tmp) / "master.staging"
        start = time.perf_counter()
        rows = stage_all(master, args.batches, args.articles, args.mentions, args.figures)
        seconds = time.perf_counter() - start
        print(f"{args.batches} batches x {args.articles} articles ({args.mentions} mentions, "
              f"{args.figures} figures, 1 page each): {rows:,} rows")
        print(f"{'stage':<34} {seconds:6.2f}s {args.batches / seconds:8.1f} batches/s "
              f"{rows / seconds:>10,.0f} rows/s")
        for merge in args.merge:
            folder = Path(tmp) / f"run{merge}.staging"
            shutil.copytree(master, folder)
            db = Path(tmp) / f"run{merge}.duckdb"
            create_db(db)
            start = time.perf_counter()
            report = load_staged(db, folder, batches_per_transaction=merge)
            seconds = time.perf_counter() - start
            assert report.batches_loaded == args.batches and not report.errors, report
            stored = query(db, "SELECT count(*) FROM articles").iloc[0, 0]
            print(f"{f'load, {merge} batch(es)/transaction':<34} {seconds:6.2f}s "
                  f"{args.batches / seconds:8.1f} batches/s {rows / seconds:>10,.0f} rows/s  "
                  f"({report.transactions} transactions, {stored} articles stored)")


def create_db(db: Path) -> None:
    """Create and migrate the database first, so the timing is the load alone."""
    from newsmon.data import migrate
    migrate(db)


if __name__ == "__main__":
    main()
