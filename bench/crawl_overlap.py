"""Does NLP stall the downloads?  A crawl with NLP in the reactor's process vs in a pool.

Serves the 181 real pages of ../shared/corpus/article-extraction-benchmark
(plus an RSS feed listing them) on 127.0.0.1 and crawls them twice with every
page kept (--keep-all), into a fresh DuckDB file each time:

  in-process  NEWSMON_NLP_PROCESSES=0: extraction and spaCy run in the reactor's
              thread, so while a page is processed nothing downloads;
  pool        NEWSMON_NLP_PROCESSES=<cores>: worker processes do that work while
              the reactor keeps fetching.

For each it prints the wall time, articles/s, and when (seconds after the first
request) the server answered its last page: the downloads' span.  With the
pool the downloads finish long before the NLP does; in-process they cannot.

    .venv/bin/python bench/crawl_overlap.py [--workers 2] [--copies 1]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsmon.crawler.localserver import LocalServer, Request, Response  # noqa: E402
from newsmon.crawler.runs.runner import run_crawl_isolated  # noqa: E402
from newsmon.crawler.sources import parse_sources  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "article-extraction-benchmark"


class TimedServer(LocalServer):
    """Records when each page was answered."""

    def __init__(self, routes):
        super().__init__(routes)
        self.times: list[float] = []
        self._tlock = threading.Lock()

    def resolve(self, request: Request) -> Response:
        resp = super().resolve(request)
        if request.path.startswith("/a/"):
            with self._tlock:
                self.times.append(time.monotonic())
        return resp


def build_routes(base: str, copies: int) -> dict[str, Response]:
    pages = sorted((CORPUS / "html").glob("*.html.gz"))
    routes: dict[str, Response] = {}
    items = []
    for c in range(copies):
        for p in pages:
            path = f"/a/{c}/{p.name.split('.')[0]}/"
            routes[path] = Response(body=gzip.open(p, "rb").read())
            items.append(f"<item><title>{path}</title><link>{base}{path}</link></item>")
    routes["/rss.xml"] = Response(
        body=f'<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>'
             f'{"".join(items)}</channel></rss>', content_type="application/rss+xml")
    return routes


def run(mode: str, workers: int, copies: int) -> dict:
    server = TimedServer({})
    server.routes.update(build_routes(server.base_url, copies))
    server.start()
    try:
        sources = parse_sources(f'[[source]]\nname = "bench"\nhomepage = "{server.base_url}/"\n'
                                f'feeds = ["{server.base_url}/rss.xml"]\ndelay = 0.01\n'
                                f'concurrency = 8\n')
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.monotonic()
            stats = run_crawl_isolated(sources, {
                "NEWSMON_DB": os.path.join(tmp, "bench.duckdb"), "NEWSMON_KEEP_ALL": True,
                "NEWSMON_NLP_PROCESSES": workers, "AUTOTHROTTLE_ENABLED": False,
                "CONCURRENT_REQUESTS": 16}, timeout=3600)
            wall = time.monotonic() - t0
    finally:
        server.stop()
    first, last = min(server.times), max(server.times)
    kept = stats.get("newsmon/processed", 0)
    return {"mode": mode, "workers": workers, "pages": len(server.times), "kept": kept,
            "wall_s": round(wall, 2), "articles_per_s": round(kept / wall, 2),
            "downloads_span_s": round(last - first, 2),
            "downloads_done_at_pct": round(100 * (last - t0) / wall, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--copies", type=int, default=1, help="serve the corpus this many times")
    args = ap.parse_args()
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} is absent", file=sys.stderr)
        return 0
    results = [run("in-process", 0, args.copies), run("pool", args.workers, args.copies)]
    print(f"{'mode':<11} {'workers':>7} {'pages':>6} {'kept':>5} {'wall s':>7} "
          f"{'art/s':>6} {'downloads span s':>17} {'downloads done at':>18}")
    for r in results:
        print(f"{r['mode']:<11} {r['workers']:>7} {r['pages']:>6} {r['kept']:>5} "
              f"{r['wall_s']:>7} {r['articles_per_s']:>6} {r['downloads_span_s']:>17} "
              f"{r['downloads_done_at_pct']:>17}%")
    speedup = results[1]["articles_per_s"] / max(results[0]["articles_per_s"], 1e-9)
    print(f"pool / in-process articles/s: {speedup:.2f}x")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
