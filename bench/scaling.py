"""Scaling of the distributed run: NLP worker throughput with 1 and 2 processes, and
what the shared frontier costs in Redis memory.

It serves the benchmark mirror (bench/mirror.py: real pages of ../shared's
corpus, nginx or LocalServer) with `--pages` pages, starts a private
redis-server (tests/redis_server.py), and

1. runs one `newsmon crawl --frontier` over the mirror (extraction only), which
   fills the run's articles list; the list is snapshotted (DUMP) once;
2. for each worker count, restores the list (RESTORE) and the run's `done`
   mark, starts that many `newsmon worker --no-load` processes with the real
   spaCy model, and times them: throughput is articles / (last ack - first
   take), polled in Redis every 20 ms, so model loading is not counted (the wall
   time with start-up is printed too);
3. measures Redis memory (INFO memory used_memory, before/after) per queued
   request and per duplicate-filter fingerprint, with requests built by the real
   spider code for the mirror's URLs and queued by the real scheduler
   serializer, and per queued article (the articles list the crawl left).

Figures are printed and written to bench/scaling_results.json.

    .venv/bin/python bench/scaling.py                 # 1,000 pages, workers 1 and 2
    .venv/bin/python bench/scaling.py --pages 400 --workers 1,2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from mirror import CORPUS, serve_mirror  # noqa: E402
from redis_server import RedisServer, available  # noqa: E402
from stages import crawl_overrides  # noqa: E402
from newsmon.nlp.models import DEFAULT_MODEL  # noqa: E402

RESULTS = ROOT / "bench" / "scaling_results.json"
RUN = "bench-scaling"
NEWSMON = [sys.executable, "-c", "from newsmon.crawler.cli import main; main()"]
MODEL = DEFAULT_MODEL


def used_memory(client) -> int:
    return int(client.info("memory")["used_memory"])


# -- 1. fill the queue ----------------------------------------------------------------
def frontier_crawl(url: str, sources: Path, db: Path, staging: Path) -> dict:
    sets = [arg for k, v in crawl_overrides().items() for arg in ("--set", f"{k}={v}")]
    start = time.perf_counter()
    done = subprocess.run([*NEWSMON, "crawl", "--frontier", url, "--run", RUN, "--keep-all",
                           "--sources", str(sources), "--db", str(db), "--staging", str(staging),
                           *sets], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"frontier crawl failed ({done.returncode}): {done.stderr[-3000:]}")
    return {"seconds": round(seconds, 2), "summary": done.stdout.strip()}


# -- 2. workers -------------------------------------------------------------------------
def time_workers(server: RedisServer, snapshot: bytes, count: int, db: Path, staging: Path,
                 batch: int) -> dict:
    r = server.client()
    articles = f"newsmon:{RUN}:articles"
    r.delete(articles)
    r.restore(articles, 0, snapshot)
    r.set(f"newsmon:{RUN}:done", "bench", ex=3600)
    queued = r.llen(articles)
    shutil.rmtree(staging, ignore_errors=True)
    load_before = os.getloadavg()[0]
    cpu_before = _children_cpu()
    started = time.perf_counter()
    procs = [subprocess.Popen([*NEWSMON, "worker", "--frontier", server.url, "--run", RUN,
                               "--db", str(db), "--staging", str(staging), "--model", MODEL,
                               "--batch", str(batch), "--no-load"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(count)]
    first_take = last_ack = None
    while any(p.poll() is None for p in procs):
        left = r.llen(articles)
        held = sum(r.llen(k) for k in r.keys(f"newsmon:{RUN}:processing:*"))
        now = time.perf_counter()
        if first_take is None and left < queued:
            first_take = now
        if first_take is not None and left == 0 and held == 0 and last_ack is None:
            last_ack = now
        time.sleep(0.02)
    wall = time.perf_counter() - started
    outputs = [p.communicate() for p in procs]
    for p, (out, err) in zip(procs, outputs):
        if p.returncode != 0:
            raise RuntimeError(f"worker failed ({p.returncode}): {err[-3000:]}")
    cpu = _children_cpu() - cpu_before
    last_ack = last_ack or time.perf_counter()
    busy = last_ack - (first_take or started)
    return {"workers": count, "articles": queued, "seconds": round(busy, 2),
            "articles_per_s": round(queued / busy, 2), "wall_seconds_with_startup": round(wall, 2),
            "cpu_seconds_with_startup": round(cpu, 1),
            "articles_per_cpu_s": round(queued / cpu, 2),
            "load_avg_1min_before": round(load_before, 2),
            "summaries": [out.strip() for out, _ in outputs]}


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's reaped children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# -- 3. memory ----------------------------------------------------------------------------
def request_memory(server: RedisServer, sources_file: Path, urls: list[str]) -> dict:
    """used_memory per queued request and per fingerprint, for the mirror's URLs."""
    from scrapy_redis.dupefilter import RFPDupeFilter
    from scrapy_redis.queue import PriorityQueue

    from newsmon.crawler.distributed import serializer
    from newsmon.crawler.sources import load_sources
    from newsmon.crawler.spiders.news import NewsSpider

    sources = load_sources(sources_file)
    spider = NewsSpider(sources=sources)
    source = sources[0]
    r = server.client()
    queue = PriorityQueue(r, spider, f"newsmon:{RUN}:mem:requests", serializer=serializer)
    dupefilter = RFPDupeFilter(r, f"newsmon:{RUN}:mem:dupefilter")
    requests = [spider.make_request(u, source, "sitemap", spider.parse_page,
                                    {"lastmod": "2024-01-01", "sitemap": source.sitemaps[0]},
                                    newsmon_kind="article") for u in urls]
    before = used_memory(r)
    for request in requests:
        queue.push(request)
    queued = used_memory(r)
    for request in requests:
        dupefilter.request_seen(request)
    seen = used_memory(r)
    sizes = [len(queue._encode_request(q)) for q in requests[:200]]
    r.delete(queue.key, dupefilter.key)
    n = len(requests)
    return {"requests": n,
            "bytes_per_queued_request": round((queued - before) / n, 1),
            "bytes_per_fingerprint": round((seen - queued) / n, 1),
            "mean_serialized_request_bytes": round(sum(sizes) / len(sizes), 1)}


def article_memory(server: RedisServer, snapshot: bytes) -> dict:
    r = server.client()
    key = f"newsmon:{RUN}:mem:articles"
    before = used_memory(r)
    r.restore(key, 0, snapshot)
    after = used_memory(r)
    n = r.llen(key)
    sizes = [len(m) for m in r.lrange(key, 0, -1)]
    r.delete(key)
    return {"articles": n, "bytes_per_queued_article": round((after - before) / n, 1),
            "mean_message_bytes": round(sum(sizes) / n, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--workers", default="1,2", help="worker counts to time (comma separated)")
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} is absent", file=sys.stderr)
        return 0
    if not available():
        print("skipped: redis-server is not installed", file=sys.stderr)
        return 0
    counts = [int(c) for c in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="newsmon-scaling-") as tmp_name:
        tmp = Path(tmp_name)
        db, staging = tmp / "bench.duckdb", tmp / "staging"
        with serve_mirror(args.pages) as mirror, RedisServer(tmp / "redis") as server:
            r = server.client()
            baseline = used_memory(r)
            print(f"frontier crawl of {len(mirror.urls)} mirror pages ({mirror.server}) ...")
            crawl = frontier_crawl(server.url, mirror.sources_file, db, staging)
            print(f"  {crawl['summary']} in {crawl['seconds']} s")
            snapshot = r.dump(f"newsmon:{RUN}:articles")
            after_crawl = used_memory(r)
            memory = {**request_memory(server, mirror.sources_file, mirror.urls),
                      **article_memory(server, snapshot),
                      "used_memory_after_crawl_minus_baseline": after_crawl - baseline}
            runs = []
            for count in counts:
                print(f"{count} worker(s) ...")
                run = time_workers(server, snapshot, count, db, staging / str(count), args.batch)
                print(f"  {run['articles']} articles in {run['seconds']} s: "
                      f"{run['articles_per_s']} articles/s, {run['articles_per_cpu_s']} per "
                      f"CPU second (wall with model loading {run['wall_seconds_with_startup']} s; "
                      f"load average before {run['load_avg_1min_before']})")
                runs.append(run)
    by_count = {run["workers"]: run["articles_per_s"] for run in runs}
    ratio = round(by_count[2] / by_count[1], 2) if 1 in by_count and 2 in by_count else None
    result = {"pages": args.pages, "cores": os.cpu_count(), "model": MODEL, "batch": args.batch,
              "crawl": crawl, "workers": runs, "scaling_ratio_2_vs_1": ratio,
              "redis_memory": memory, "load_avg_at_end": list(os.getloadavg()),
              "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"scaling 2 workers vs 1: x{ratio}")
    print("redis: " + ", ".join(f"{k} {v}" for k, v in memory.items()))
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
