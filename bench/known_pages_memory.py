"""Does a crawl's memory grow with the pages earlier runs fetched?  Peak RSS, 0 vs N known.

Seeds a fresh DuckDB file with N fetch-record rows (`pages`) of the demo source
(URLs the site does not list, so they change no decision), then runs
`newsmon crawl` over the bundled demo site (served on 127.0.0.1) as a child
process and reads its peak memory from /proc (bench/procwatch.py): the crawl
process itself, which holds the fetch record, and the whole tree with the NLP
worker. It does so for each N of --known and prints the growth per 100,000
known pages; for comparison it also builds the record the way crawls did
before data/fetchrecord.py KnownPages (a dict of KnownPage objects) and prints what that
would have held.

    .venv/bin/python bench/known_pages_memory.py [--known 0,1000000]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from newsmon.crawler.demo.site import DEMO_SOURCE_NAME, demo_sources_file, serve_demo_site  # noqa: E402
from newsmon.data.fetchrecord import KnownPage  # noqa: E402
from newsmon.data import Store, query  # noqa: E402
from procwatch import run_watched  # noqa: E402

NEWSMON = str(ROOT / ".venv" / "bin" / "newsmon")


def known_frame(n: int, start: int = 0) -> pd.DataFrame:
    fetched = pd.Timestamp("2026-01-01")
    return pd.DataFrame({
        "url": [f"https://archive.example.org/story/{i}" for i in range(start, start + n)],
        "source": DEMO_SOURCE_NAME, "kind": "article", "status": 200,
        "etag": [f'"{i:x}"' for i in range(start, start + n)], "last_modified": None,
        "lastmod": None, "fetched_at": fetched, "outcome": "stored", "canonical_url": None,
    })


def seed(db: Path, n: int, chunk: int = 250_000) -> float:
    store = Store(db)
    start = time.perf_counter()
    for first in range(0, n, chunk):
        store.write_batch(None, None, None, None, known_frame(min(chunk, n - first), first))
    return time.perf_counter() - start


def crawl(db: Path, sources: Path) -> dict:
    cmd = [NEWSMON, "-q", "crawl", "--sources", str(sources), "--db", str(db), "--keep-all",
           "--workers", "1"]
    w = run_watched(cmd, interval=0.1)
    if w.returncode != 0:
        raise SystemExit(f"crawl failed ({w.returncode}): {w.stderr[-2000:]}")
    stored = int(query(db, "SELECT count(*) FROM articles").iloc[0, 0])
    return {"wall_s": round(w.wall_s, 2), "articles": stored,
            "crawl_process_peak_rss_mb": round(w.root_peak_rss_mb),
            "tree_peak_rss_mb": round(w.peak_tree_rss_mb)}


def dict_cost(n: int) -> float:
    """MB a dict url -> KnownPage of n pages held (the design before KnownPages)."""
    frame = known_frame(n)
    gc.collect()
    before = _rss_mb()
    known = {row.url: KnownPage(row.kind, row.fetched_at.to_pydatetime(), row.outcome, row.etag)
             for row in frame.itertuples(index=False)}
    grown = _rss_mb() - before
    del known
    return grown


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--known", default="0,1000000", help="known pages to seed, comma-separated")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    counts = [int(x) for x in args.known.split(",")]
    results = []
    with serve_demo_site() as server, tempfile.TemporaryDirectory() as tmp:
        sources = demo_sources_file(server.base_url, Path(tmp) / "sources.toml", delay=0.01)
        for n in counts:
            db = Path(tmp) / f"known-{n}.duckdb"
            seeded = seed(db, n)
            row = {"known_pages": n, "seed_s": round(seeded, 1), **crawl(db, sources)}
            results.append(row)
            print(f"known {n:>9,}: crawl {row['wall_s']:5.1f}s, {row['articles']} articles, "
                  f"crawl process peak {row['crawl_process_peak_rss_mb']} MB, "
                  f"whole tree {row['tree_peak_rss_mb']} MB")
    if len(results) > 1 and results[-1]["known_pages"] > results[0]["known_pages"]:
        first, last = results[0], results[-1]
        per = 1e5 / (last["known_pages"] - first["known_pages"])
        growth = (last["crawl_process_peak_rss_mb"] - first["crawl_process_peak_rss_mb"]) * per
        print(f"growth of the crawl process: {growth:+.1f} MB per 100,000 known pages")
        held = dict_cost(min(last["known_pages"], 1_000_000))
        print(f"the same record as a dict of KnownPage objects: {held:.0f} MB for "
              f"{min(last['known_pages'], 1_000_000):,} pages")
        results.append({"growth_mb_per_100k_known": round(growth, 1),
                        "dict_design_mb": round(held)})
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
