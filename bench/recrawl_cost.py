"""What does a second crawl of an unchanged site cost?  Requests and time, run 1 vs run 2.

Serves the bundled demo site (46 articles, RSS, a sitemap index with two
sitemaps, sections and a homepage) on 127.0.0.1 and crawls it three times into
one fresh DuckDB file: a first run, a second run over the unchanged site, and a
third with NEWSMON_REFETCH_DAYS=0 (every known article asked again,
conditionally).  For each run it prints the requests the server saw by kind
(article pages, feeds and sitemaps, hubs), how many it answered 304, the pages
handed to the NLP stage and the wall time.

    .venv/bin/python bench/recrawl_cost.py [--workers 1]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsmon.crawler.demo.site import ARTICLE_URL_PATTERN, demo_sources_file, serve_demo_site  # noqa: E402
from newsmon.crawler.runs.runner import run_crawl_isolated  # noqa: E402
from newsmon.crawler.sources import load_sources  # noqa: E402

LISTINGS = re.compile(r"\.xml$")
ARTICLE = re.compile(ARTICLE_URL_PATTERN)


def tally(counter) -> dict[str, int]:
    out = {"article": 0, "feed/sitemap": 0, "other": 0}
    for path, n in counter.items():
        key = "article" if ARTICLE.search(path) else "feed/sitemap" if LISTINGS.search(path) else "other"
        out[key] += n
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1, help="NLP worker processes")
    args = parser.parse_args()
    with serve_demo_site() as server, tempfile.TemporaryDirectory() as tmp:
        sources = load_sources(demo_sources_file(server.base_url, Path(tmp) / "sources.toml",
                                                 delay=0.01))
        db = Path(tmp) / "bench.duckdb"
        print(f"{'run':<28}{'article req':>12}{'feed/sitemap':>14}{'hubs':>6}{'304s':>6}"
              f"{'to NLP':>8}{'skipped':>9}{'seconds':>9}")
        for label, extra in (("1 first", {}), ("2 unchanged site", {}),
                             ("3 NEWSMON_REFETCH_DAYS=0", {"NEWSMON_REFETCH_DAYS": 0})):
            server.reset_counts()
            start = time.perf_counter()
            stats = run_crawl_isolated(sources, {"NEWSMON_DB": str(db), "LOG_LEVEL": "WARNING",
                                                 "NEWSMON_NLP_PROCESSES": args.workers,
                                                 "AUTOTHROTTLE_START_DELAY": 0.01, **extra},
                                       timeout=600)
            elapsed = time.perf_counter() - start
            hits, not_modified = tally(server.hits), sum(server.not_modified.values())
            to_nlp = sum(v for k, v in stats.items() if k.startswith("newsmon/pages/"))
            print(f"{label:<28}{hits['article']:>12}{hits['feed/sitemap']:>14}{hits['other']:>6}"
                  f"{not_modified:>6}{to_nlp:>8}{stats.get('newsmon/skipped_known', 0):>9}"
                  f"{elapsed:>9.1f}")


if __name__ == "__main__":
    main()
