"""`make bench`: every figure of issue 6, measured in one run on one local mirror.

Builds the mirror (bench/mirror.py: the 181 real pages of ../shared/corpus
replicated to --pages pages, sitemaps and a feed, served by nginx on
127.0.0.1) and runs each stage in a process of its own, watching its process
tree in /proc (bench/procwatch.py: wall time, peak memory of all its
processes, CPU seconds):

  fetch       the `news` spider, no item pipelines: pages/s
  extract     extract_article over the saved pages, one process: pages/s
  nlp         en_core_web_sm, only `ner`, nlp.pipe over the extracted texts on
              every core: articles/s, words/s
  e2e         `newsmon crawl --keep-all` (crawl -> extract -> relevance -> NLP
              -> DuckDB) into a fresh database: articles/s, peak RSS of all its
              processes, rows written/s; then the same crawl again on that
              database (every page known): its peak RSS
  newsplease  news-please (its own virtualenv, installed on first use) on an
              evenly spread sample of the mirror's pages: articles/s
  digest      the weekly digest on a generated 1,000,000-article database

It writes bench/results.json and prints a table with the ratios the targets
are about (bench/bench.toml [targets]).  With --profile (py-spy in .venv) it
samples the end-to-end crawl's main process and one NLP worker for a while
and adds where their time goes.

    .venv/bin/python bench/run_all.py                      # what `make bench` runs
    .venv/bin/python bench/run_all.py --pages 1000 --skip-newsplease --skip-digest
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import pyspy  # noqa: E402
from mirror import CORPUS, WORK, Mirror, serve_mirror, write_listings  # noqa: E402
from procwatch import Watched, run_watched, tree  # noqa: E402
from stages import bench_settings, crawl_overrides  # noqa: E402

RESULTS = BENCH / "results.json"
NEWSPLEASE_VENV = WORK / "newsplease-venv"
NEWSMON = [sys.executable, "-c", "from newsmon.crawler.cli import main; main()"]
STAGES = BENCH / "stages.py"


def say(message: str) -> None:
    print(message, flush=True)


def watched_stage(name: str, args: list[str], **kwargs) -> tuple[dict, Watched]:
    """Run `bench/stages.py <name> ...` watched; its JSON result and the watch."""
    out = WORK / f"stage-{name}.json"
    out.unlink(missing_ok=True)
    watch = run_watched([sys.executable, str(STAGES), name, "--out", str(out), *args], cwd=ROOT,
                        **kwargs)
    if watch.returncode != 0 or not out.exists():
        raise RuntimeError(f"stage {name} failed ({watch.returncode}): {watch.stderr[-3000:]}")
    return json.loads(out.read_text(encoding="utf-8")), watch


def process_figures(watch: Watched) -> dict:
    return {"wall_s": round(watch.wall_s, 2), "cpu_s": round(watch.cpu_s, 1),
            "main_process_cpu_s": round(watch.root_cpu_s, 1),
            "cores_busy": round(watch.cpu_busy, 2), "processes": watch.processes,
            "peak_rss_mb": round(watch.peak_tree_rss_mb),
            "main_process_peak_rss_mb": round(watch.root_peak_rss_mb),
            "max_process_hwm_mb": round(watch.max_process_hwm_mb)}


# -- stages -------------------------------------------------------------------------
def run_fetch(mirror: Mirror) -> dict:
    say(f"fetch only: the news spider over {len(mirror.urls)} pages, no item pipelines ...")
    result, watch = watched_stage("fetch", ["--sources", str(mirror.sources_file)])
    return {**result, "process": process_figures(watch)}


def run_extract(mirror: Mirror, pages: int, texts: Path) -> dict:
    paths = mirror.layout.paths[:pages]
    paths_file = WORK / "extract-paths.json"
    paths_file.write_text(json.dumps(paths), encoding="utf-8")
    say(f"extraction only: extract_article over {len(paths)} saved pages, one process ...")
    result, watch = watched_stage("extract", [
        "--mirror", str(mirror.layout.root), "--base-url", mirror.base_url,
        "--paths", str(paths_file), "--texts", str(texts)])
    return {**result, "process": process_figures(watch)}


def run_nlp(texts: Path, count: int, processes: int, batch_size: int) -> dict:
    say(f"NLP only: ner over {count} extracted texts, n_process={processes} ...")
    result, watch = watched_stage("nlp", ["--texts", str(texts), "--count", str(count),
                                          "--processes", str(processes),
                                          "--batch-size", str(batch_size)])
    return {**result, "process": process_figures(watch)}


def crawl_command(mirror: Mirror, db: Path, extra_sets: list[str]) -> list[str]:
    sets = [arg for k, v in crawl_overrides().items() for arg in ("--set", f"{k}={v}")]
    sets += [arg for kv in extra_sets for arg in ("--set", kv)]
    return [*NEWSMON, "crawl", "--keep-all", "--sources", str(mirror.sources_file),
            "--db", str(db), *sets]


def run_e2e(mirror: Mirror, profile_seconds: int, extra_sets: list[str]) -> dict:
    db = WORK / "e2e.duckdb"
    for stale in WORK.glob("e2e.duckdb*"):
        stale.unlink()
    say(f"end to end: newsmon crawl --keep-all over {len(mirror.urls)} pages into {db.name} ...")
    profiler = Profiler(profile_seconds) if profile_seconds else None
    watch = run_watched(crawl_command(mirror, db, extra_sets), cwd=ROOT,
                        on_start=profiler.start if profiler else None)
    if watch.returncode != 0:
        raise RuntimeError(f"newsmon crawl failed ({watch.returncode}): {watch.stderr[-3000:]}")
    counts = db_counts(db)
    stats = counts.pop("stats")
    rows = counts["articles"] + counts["mentions"] + counts["figures"]
    out = {**counts, "seconds": round(watch.wall_s, 2),
           "articles_per_s": round(counts["articles"] / watch.wall_s, 2),
           "annotated_per_s": round(counts["annotated"] / watch.wall_s, 2),
           "rows_written": rows, "rows_per_s": round(rows / watch.wall_s, 1),
           "main_process_cpu_ms_per_article": _ms_per(watch.root_cpu_s, counts["articles"]),
           "other_processes_cpu_ms_per_article":
               _ms_per(watch.cpu_s - watch.root_cpu_s, counts["articles"]),
           "extra_settings": extra_sets,
           "process": process_figures(watch), "crawl_stats": stats}
    if profiler:
        out["profile"] = profiler.finish()
    out["rss_timeline"] = watch.timeline  # (s, all processes MB, main process MB)
    say("end to end, again on the same database (sitemaps changed, every page known) ...")
    write_listings(mirror.layout, mirror.base_url)  # new Last-Modified: urlsets are read again
    again = run_watched(crawl_command(mirror, db, extra_sets), cwd=ROOT)
    out["recrawl"] = {"process": process_figures(again), "returncode": again.returncode,
                      "known_pages": out["articles"], "crawl_stats": db_counts(db)["stats"]}
    return out


def _ms_per(seconds: float, n: int) -> float | None:
    return round(1000 * seconds / n, 1) if n else None


def db_counts(db: Path) -> dict:
    import duckdb
    with duckdb.connect(str(db), read_only=True) as con:
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        stats = one("select stats from crawl_runs order by run_id desc limit 1")
        return {"articles": one("select count(*) from articles"),
                "annotated": one("select count(*) from articles where annotated"),
                "mentions": one("select count(*) from mentions"),
                "figures": one("select count(*) from figures"),
                "distinct_texts": one("select count(distinct text_hash) from articles"),
                "stats": _crawl_stats(stats)}


def _crawl_stats(raw) -> dict:
    stats = json.loads(raw) if isinstance(raw, str) else dict(raw or {})
    keep = ("elapsed_time_seconds", "finish_reason", "newsmon/processed", "newsmon/skipped_known",
            "item_scraped_count", "response_received_count", "downloader/response_bytes")
    return {k: v for k, v in stats.items()
            if k in keep or k.startswith(("newsmon/pages/", "newsmon/dropped/", "newsmon/stored/",
                                          "newsmon/unannotated/", "newsmon/not_modified/"))}


class Profiler:
    """py-spy on the crawl's main process and one NLP worker, once the workers run."""

    def __init__(self, seconds: int, warmup: float = 20.0):
        self.seconds, self.warmup = seconds, warmup
        self.thread: threading.Thread | None = None
        self.result: dict = {}

    def start(self, pid: int) -> None:
        self.thread = threading.Thread(target=self._run, args=(pid,), daemon=True)
        self.thread.start()

    def _run(self, pid: int) -> None:
        time.sleep(self.warmup)  # spaCy loads, the first pages arrive
        workers = [p for p in tree(pid)[1:] if b"spawn_main" in _cmdline(p)]
        targets = {"main": pid, **({"worker": workers[0]} if workers else {})}
        procs = {name: (pyspy.record(p, self.seconds, WORK / f"profile-{name}.txt"), p)
                 for name, p in targets.items()}
        for name, (proc, p) in procs.items():
            _, err = proc.communicate()
            raw = WORK / f"profile-{name}.txt"
            self.result[name] = {"pid": p, "seconds": self.seconds, "raw": str(raw),
                                 **(pyspy.summarise(raw, self.seconds) if raw.exists()
                                    else {"error": err.strip()[-500:]})}

    def finish(self) -> dict:
        if self.thread is not None:
            self.thread.join(timeout=self.seconds + 60)
        return self.result


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def ensure_newsplease() -> Path:
    """The news-please virtualenv's python, installed from the pinned
    bench/newsplease-requirements.txt (again whenever that file changes)."""
    python = NEWSPLEASE_VENV / "bin" / "python"
    pins = Path(__file__).with_name("newsplease-requirements.txt")
    stamp = NEWSPLEASE_VENV / ".requirements"
    wanted = pins.read_text()
    ok = (python.exists() and stamp.exists() and stamp.read_text() == wanted
          and subprocess.run([str(python), "-c", "import newsplease"], capture_output=True).returncode == 0)
    if not ok:
        say(f"installing the pinned news-please into {NEWSPLEASE_VENV} ...")
        subprocess.run(["python3", "-m", "venv", "--clear", str(NEWSPLEASE_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(pins)], check=True)
        stamp.write_text(wanted)
    return python


def run_newsplease(mirror: Mirror, sample: int, batch: int) -> dict:
    """from_urls on `sample` pages (the headline figure), then from_url one by one on a third."""
    python = ensure_newsplease()
    urls = mirror.urls
    say(f"news-please: NewsPlease.from_urls on {min(sample, len(urls))} of the {len(urls)} pages "
        f"(batches of {batch}), then from_url one by one on {max(sample // 3, 1)} ...")
    result = _newsplease_pass(python, spread(urls, sample), ["--batch", str(batch)])
    result["extrapolated_to_mirror_s"] = round(len(urls) / max(result["articles_per_s"], 1e-9))
    result["sampled"] = sample < len(urls)
    result["sequential"] = _newsplease_pass(python, spread(urls, max(sample // 3, 1)),
                                            ["--sequential"])
    return result


def spread(items: list[str], n: int) -> list[str]:
    """`n` items evenly spread over `items` (all of them when n >= len)."""
    step = max(len(items) / n, 1.0)
    return [items[int(i * step)] for i in range(min(n, len(items)))]


def _newsplease_pass(python: Path, urls: list[str], extra: list[str]) -> dict:
    url_file = WORK / "newsplease-urls.txt"
    url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
    out = WORK / "stage-newsplease.json"
    out.unlink(missing_ok=True)
    watch = run_watched([str(python), str(BENCH / "newsplease_stage.py"), "--urls", str(url_file),
                         "--out", str(out), *extra], cwd=WORK)
    if watch.returncode != 0 or not out.exists():
        raise RuntimeError(f"news-please failed ({watch.returncode}): {watch.stderr[-3000:]}")
    return {**json.loads(out.read_text(encoding="utf-8")), "process": process_figures(watch)}


def run_digest(articles: int) -> dict:
    cached = (WORK / f"digest-{articles}.duckdb").exists()
    say(f"digest: build_digest on a {articles:,}-article database"
        f"{' (cached)' if cached else ' (generating it first: a few minutes, once)'} ...")
    result, watch = watched_stage("digest", ["--articles", str(articles)])
    return {**result, "process": process_figures(watch)}


# -- results ------------------------------------------------------------------------
def summary(r: dict, targets: dict) -> dict:
    """The top-level keys of results.json and the ratios."""
    top = {
        "cores": os.cpu_count(),
        "fetch_pages_per_s": r["fetch"]["pages_per_s"],
        "extract_pages_per_s": r["extract"]["pages_per_s"],
        "extract_pages_per_s_per_core": r["extract"]["pages_per_cpu_s"],
        "nlp_only_articles_per_s": r["nlp"]["articles_per_s"],
        "nlp_only_words_per_s": r["nlp"]["words_per_s"],
        "e2e_articles_per_s": r["e2e"]["articles_per_s"],
        "e2e_peak_rss_mb": r["e2e"]["process"]["peak_rss_mb"],
        "e2e_rows_per_s": r["e2e"]["rows_per_s"],
        "e2e_cores_busy": r["e2e"]["process"]["cores_busy"],
        "e2e_recrawl_peak_rss_mb": r["e2e"]["recrawl"]["process"]["peak_rss_mb"],
        "newsplease_articles_per_s": r.get("newsplease", {}).get("articles_per_s"),
        "newsplease_sequential_articles_per_s":
            r.get("newsplease", {}).get("sequential", {}).get("articles_per_s"),
        "digest_1m_seconds": r.get("digest", {}).get("median_s"),
    }
    # the machine is shared: CPU-seconds show what each stage costs whatever the load
    top["nlp_only_articles_per_cpu_s"] = _per_cpu(r["nlp"]["articles"], r["nlp"])
    top["e2e_articles_per_cpu_s"] = _per_cpu(r["e2e"]["articles"], r["e2e"])
    if "newsplease" in r:
        top["newsplease_articles_per_cpu_s"] = _per_cpu(r["newsplease"]["articles"], r["newsplease"])
    nlp, np_ = top["nlp_only_articles_per_s"], top["newsplease_articles_per_s"]
    top["ratio_e2e_vs_nlp_only"] = round(top["e2e_articles_per_s"] / nlp, 3) if nlp else None
    top["ratio_newsmon_vs_newsplease"] = (round(top["e2e_articles_per_s"] / np_, 2)
                                          if np_ else None)
    top["ratio_e2e_vs_nlp_only_per_cpu_s"] = round(
        top["e2e_articles_per_cpu_s"] / top["nlp_only_articles_per_cpu_s"], 3)
    # extraction + NLP, both unavoidable per article: what is left is the pipeline's own cost
    both_ms = 1000 / top["extract_pages_per_s_per_core"] + 1000 / top["nlp_only_articles_per_cpu_s"]
    top["ratio_e2e_vs_extract_plus_nlp_per_cpu_s"] = round(
        top["e2e_articles_per_cpu_s"] * both_ms / 1000, 3)
    if "newsplease" in r:
        top["ratio_newsmon_vs_newsplease_per_cpu_s"] = round(
            top["e2e_articles_per_cpu_s"] / top["newsplease_articles_per_cpu_s"], 2)
    top["targets"] = {
        "e2e_vs_nlp_only": _verdict(top["ratio_e2e_vs_nlp_only"], targets["e2e_vs_nlp_only"]),
        "newsmon_vs_newsplease": _verdict(top["ratio_newsmon_vs_newsplease"],
                                          targets["newsmon_vs_newsplease"]),
        "peak_rss_mb": _verdict(top["e2e_peak_rss_mb"], targets["peak_rss_mb"], below=True),
        "digest_seconds": _verdict(top["digest_1m_seconds"], targets["digest_seconds"], below=True),
    }
    return top


def _per_cpu(articles: int, stage: dict) -> float:
    return round(articles / stage["process"]["cpu_s"], 2) if stage["process"]["cpu_s"] else 0.0


def _verdict(value, target, below: bool = False) -> dict:
    if value is None:
        return {"value": None, "target": target, "met": None}
    met = value < target if below else value >= target
    return {"value": value, "target": f"{'<' if below else '>='} {target}", "met": met}


def print_table(top: dict, r: dict) -> None:
    e2e, nlp = r["e2e"], r["nlp"]
    rows = [
        ("fetch only (Scrapy, no processing)", f"{top['fetch_pages_per_s']} pages/s",
         f"{r['fetch']['pages']} pages, {r['fetch']['process']['cores_busy']} cores busy"),
        ("extraction only (1 process)", f"{top['extract_pages_per_s']} pages/s",
         f"{top['extract_pages_per_s_per_core']} pages per CPU-second"),
        ("NLP only (ner, n_process=%d)" % nlp["n_process"], f"{nlp['articles_per_s']} articles/s",
         f"{nlp['words_per_s']:,} words/s, {nlp['process']['cores_busy']} cores busy"),
        ("newsmon end to end", f"{e2e['articles_per_s']} articles/s",
         f"{e2e['articles']} articles, {e2e['process']['cores_busy']} cores busy, main process "
         f"{e2e['main_process_cpu_ms_per_article']} CPU-ms per article"),
        ("  peak RSS, all processes", f"{e2e['process']['peak_rss_mb']} MB",
         f"{e2e['process']['processes']} processes, main {e2e['process']['main_process_peak_rss_mb']}"
         f" MB; recrawl (all known) {e2e['recrawl']['process']['peak_rss_mb']} MB, main "
         f"{e2e['recrawl']['process']['main_process_peak_rss_mb']} MB"),
        ("  rows written", f"{e2e['rows_per_s']} rows/s",
         f"{e2e['articles']} articles + {e2e['mentions']} mentions + {e2e['figures']} figures"),
    ]
    if "newsplease" in r:
        npr = r["newsplease"]
        rows.append(("news-please (from_urls, batches)", f"{npr['articles_per_s']} articles/s",
                     f"{npr['articles']} of {npr['pages']} sampled pages, "
                     f"{npr['process']['cores_busy']} cores busy"))
        seq = npr["sequential"]
        rows.append(("news-please (from_url, one by one)", f"{seq['articles_per_s']} articles/s",
                     f"{seq['articles']} of {seq['pages']} sampled pages"))
    if "digest" in r:
        rows.append(("weekly digest, %s articles" % f"{r['digest']['articles']:,}",
                     f"{r['digest']['median_s']} s", f"cold {r['digest']['cold_s']} s"))
    say("")
    say(f"{'stage':<40} {'figure':>20}  detail")
    for name, figure, detail in rows:
        say(f"{name:<40} {figure:>20}  {detail}")
    say("")
    say(f"{'ratio':<40} {'value':>20}  target")
    for key, label in (("e2e_vs_nlp_only", "end to end / NLP only"),
                       ("newsmon_vs_newsplease", "newsmon / news-please"),
                       ("peak_rss_mb", "peak RSS of the crawl, MB"),
                       ("digest_seconds", "digest over 1M articles, s")):
        t = top["targets"][key]
        mark = {True: "met", False: "NOT met", None: "not measured"}[t["met"]]
        say(f"{label:<40} {str(t['value']):>20}  {t['target']}  {mark}")
    busy = (r["nlp"]["process"]["cores_busy"], r["e2e"]["process"]["cores_busy"])
    if abs(busy[0] - busy[1]) > 0.2 * max(busy):
        say(f"note: NLP only kept {busy[0]} cores busy, end to end {busy[1]}: other jobs took "
            f"different shares of the machine, so the wall-clock ratio is skewed; the per "
            f"CPU-second ratio below compares the work itself")
    say(f"{'(per CPU-second) end to end / NLP only':<40} "
        f"{top['ratio_e2e_vs_nlp_only_per_cpu_s']:>20}")
    say(f"{'(per CPU-second) e2e / (extract + NLP)':<40} "
        f"{top['ratio_e2e_vs_extract_plus_nlp_per_cpu_s']:>20}")
    if "ratio_newsmon_vs_newsplease_per_cpu_s" in top:
        say(f"{'(per CPU-second) newsmon / news-please':<40} "
            f"{top['ratio_newsmon_vs_newsplease_per_cpu_s']:>20}")


def print_profile(profile: dict) -> None:
    for name, p in profile.items():
        if "error" in p:
            say(f"profile {name}: {p['error']}")
            continue
        say(f"\nprofile of the crawl's {name} process (pid {p['pid']}, {p['seconds']} s, "
            f"busy {p['busy_pct']}% of one core in thread-samples)")
        for fn, pct in p["top_inclusive_pct"][:10]:
            say(f"  {pct:5.1f}%  incl  {fn}")
        for fn, pct in p["top_self_pct"][:8]:
            say(f"  {pct:5.1f}%  self  {fn}")


def main() -> int:
    conf = bench_settings()
    scale = conf["scale"]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=scale["pages"], help="mirror pages")
    ap.add_argument("--extract-pages", type=int, default=scale["extract_pages"])
    ap.add_argument("--newsplease-sample", type=int, default=scale["newsplease_sample"])
    ap.add_argument("--digest-articles", type=int, default=scale["digest_articles"])
    ap.add_argument("--skip-newsplease", action="store_true")
    ap.add_argument("--skip-digest", action="store_true")
    ap.add_argument("--profile", type=int, default=0, metavar="SECONDS",
                    help="py-spy the e2e crawl's main process and a worker for this long")
    ap.add_argument("--no-nginx", action="store_true", help="serve the mirror with LocalServer")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="extra setting for the end-to-end crawl (repeatable), e.g. "
                         "--set NEWSMON_BATCH_SIZE=250, to try a pipeline change")
    ap.add_argument("--only-e2e", action="store_true",
                    help="only the end-to-end crawl (and its recrawl): e.g. the memory of a "
                         "10,000-page crawl with --pages 10136 --out bench/.work/e2e-10k.json")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    if not CORPUS.exists():
        say(f"skipped: {CORPUS} is absent (the benchmark mirrors its pages)")
        return 0
    if args.profile and not pyspy.available():
        say("--profile needs py-spy: .venv/bin/pip install py-spy; profiling skipped")
        args.profile = 0
    WORK.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    started = time.monotonic()
    r: dict = {}
    texts = WORK / "extracted.jsonl"
    with serve_mirror(args.pages, use_nginx=not args.no_nginx) as mirror:
        say(f"mirror: {len(mirror.urls)} pages ({mirror.layout.copies} copies of "
            f"{mirror.layout.distinct}) at {mirror.base_url}/, served by {mirror.server}")
        if args.only_e2e:
            return only_e2e(mirror, args, started)
        r["mirror"] = {"pages": len(mirror.urls), "copies": mirror.layout.copies,
                       "distinct": mirror.layout.distinct, "server": mirror.server}
        r["fetch"] = run_fetch(mirror)
        r["extract"] = run_extract(mirror, min(args.extract_pages, args.pages), texts)
        kept = r["extract"]["outcomes"].get("article", 0) / r["extract"]["pages"]
        r["nlp"] = run_nlp(texts, round(kept * args.pages), cores, scale["nlp_batch_size"])
        r["e2e"] = run_e2e(mirror, args.profile, args.set)
        if not args.skip_newsplease:
            r["newsplease"] = run_newsplease(mirror, args.newsplease_sample,
                                             scale["newsplease_batch"])
    if not args.skip_digest:
        r["digest"] = run_digest(args.digest_articles)
    top = summary(r, conf["targets"])
    results = {**top, "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "machine": {"cores": cores, "python": platform.python_version(),
                           "load_avg_at_end": os.getloadavg()},
               "harness_seconds": round(time.monotonic() - started), "stages": r}
    args.out.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    print_table(top, r)
    if r["e2e"].get("profile"):
        print_profile(r["e2e"]["profile"])
    say(f"\nnews-please: {NEWSPLEASE_NOTE}" if "newsplease" in r else "")
    say(f"written: {args.out}")
    return 0


def only_e2e(mirror: Mirror, args, started: float) -> int:
    """`--only-e2e`: the end-to-end crawl's throughput and memory, nothing else."""
    e2e = run_e2e(mirror, args.profile, args.set)
    proc = e2e["process"]
    results = {"cores": os.cpu_count(), "mirror_pages": len(mirror.urls),
               "e2e_articles_per_s": e2e["articles_per_s"], "e2e_peak_rss_mb": proc["peak_rss_mb"],
               "e2e_recrawl_peak_rss_mb": e2e["recrawl"]["process"]["peak_rss_mb"],
               "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "harness_seconds": round(time.monotonic() - started), "stages": {"e2e": e2e}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    say(f"end to end over {len(mirror.urls)} pages: {e2e['articles']} articles, "
        f"{e2e['articles_per_s']} articles/s, peak RSS {proc['peak_rss_mb']} MB (main "
        f"{proc['main_process_peak_rss_mb']} MB, {proc['processes']} processes); recrawl with "
        f"every page known: {results['e2e_recrawl_peak_rss_mb']} MB")
    if e2e.get("profile"):
        print_profile(e2e["profile"])
    say(f"written: {args.out}")
    return 0


NEWSPLEASE_NOTE = ("the headline figure is its library API NewsPlease.from_urls (threads fetch "
                   "a batch, a process pool on every core extracts it; images not fetched) on an "
                   "evenly spread sample of the mirror's pages: the fairest match for newsmon's "
                   "pool of workers, and it is handed the URLs (no feed or sitemap discovery), "
                   "which favours it.  from_url one by one (one core) is shown too; its CLI "
                   "crawler extracts in its single Scrapy process, so it cannot beat from_urls.")


if __name__ == "__main__":
    raise SystemExit(main())
