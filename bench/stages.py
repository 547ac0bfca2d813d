"""The benchmark's stages, each run by bench/run_all.py in a process of its own.

It owns what one stage measures; the orchestrator watches the process (wall
time, memory, CPU) and collects the JSON each stage writes to ``--out``:

  fetch    the `news` spider over the mirror with ITEM_PIPELINES = {} (no
           processing): pages/s
  extract  nlp.extract.extract_article over mirror pages read from disk (decoded
           as Scrapy decodes them, before the clock starts), one process:
           pages/s; writes the extracted texts for the NLP stage
  nlp      en_core_web_sm with only `ner` (nlp.pipeline.load_ner_only), nlp.pipe
           with n_process = cores over the extracted texts: articles/s, words/s
  digest   build_digest on a generated database (bench/digest_bench.generate,
           cached under bench/.work): seconds, cold and warm

    .venv/bin/python bench/stages.py nlp --texts bench/.work/extracted.jsonl --count 5000 --out r.json
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

logger = logging.getLogger(__name__)

SETTINGS_FILE = ROOT / "bench" / "bench.toml"
WORK = ROOT / "bench" / ".work"


def bench_settings() -> dict:
    return tomllib.loads(SETTINGS_FILE.read_text(encoding="utf-8"))


def crawl_overrides() -> dict:
    """The Scrapy/newsmon overrides the fetch-only and end-to-end crawls share."""
    return dict(bench_settings()["crawl"])


# -- fetch only ---------------------------------------------------------------------
def fetch(sources_file: Path) -> dict:
    from newsmon.crawler.runs.runner import run_crawl
    from newsmon.crawler.sources import load_sources
    sources = load_sources(sources_file)
    overrides = {**crawl_overrides(), "ITEM_PIPELINES": {}, "NEWSMON_SINK": None}
    start = time.perf_counter()
    stats = run_crawl(sources, overrides, "news")
    seconds = time.perf_counter() - start
    pages = sum(v for k, v in stats.items() if k.startswith("newsmon/pages/"))
    return {"pages": pages, "seconds": round(seconds, 2),
            "pages_per_s": round(pages / seconds, 1),
            "responses": stats.get("response_received_count", 0),
            "megabytes": round(stats.get("downloader/response_bytes", 0) / 1e6, 1),
            "finish_reason": stats.get("finish_reason")}


# -- extraction only ----------------------------------------------------------------
def load_pages(root: Path, base_url: str, paths: list[str]) -> list[tuple[str, str]]:
    """(url, decoded html) of mirror pages, decoded as Scrapy decodes a text/html body."""
    from w3lib.encoding import html_to_unicode
    pages = []
    for path in paths:
        _, text = html_to_unicode("text/html", (root / path.lstrip("/")).read_bytes())
        pages.append((base_url + path, text))
    return pages


def extract(root: Path, base_url: str, paths: list[str], texts_out: Path) -> dict:
    from newsmon.nlp.extract import extract_article
    from newsmon.nlp.records import Article
    pages = load_pages(root, base_url, paths)
    extract_article(pages[0][1], pages[0][0])  # warm-up: imports, data files, compiled patterns
    outcomes: dict[str, int] = {}
    articles: list[dict] = []
    cpu0, start = time.process_time(), time.perf_counter()
    for url, html in pages:
        result = extract_article(html, url, content_type="text/html")
        if isinstance(result, Article):
            outcomes["article"] = outcomes.get("article", 0) + 1
            articles.append({"url": url, "canonical_url": result.canonical_url,
                             "language": result.language, "text": result.text})
        else:
            outcomes[result.reason] = outcomes.get(result.reason, 0) + 1
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu0
    with texts_out.open("w", encoding="utf-8") as out:
        for a in articles:
            out.write(json.dumps(a, ensure_ascii=False) + "\n")
    megabytes = sum(len(h.encode("utf-8")) for _, h in pages) / 1e6
    return {"pages": len(pages), "seconds": round(seconds, 2), "cpu_s": round(cpu, 2),
            "pages_per_s": round(len(pages) / seconds, 2),
            "pages_per_cpu_s": round(len(pages) / cpu, 2), "mb_per_s": round(megabytes / seconds, 2),
            "outcomes": outcomes,
            "canonical_is_page_url": sum(a["canonical_url"] == a["url"] for a in articles),
            "languages": _count(a["language"] or "unknown" for a in articles)}


def _count(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


# -- NLP only -----------------------------------------------------------------------
def nlp_only(texts_file: Path, count: int, processes: int, batch_size: int) -> dict:
    from newsmon.nlp.pipeline import load_ner_only
    records = [json.loads(line) for line in texts_file.read_text(encoding="utf-8").splitlines()]
    extracted = [r["text"] for r in records]
    texts = [extracted[i % len(extracted)] for i in range(count)]
    words = sum(len(t.split()) for t in texts)
    nlp = load_ner_only()
    for _ in nlp.pipe(extracted[:8]):  # warm-up in this process (the forked workers inherit it)
        pass
    start = time.perf_counter()
    entities = 0
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=processes):
        entities += len(doc.ents)
    seconds = time.perf_counter() - start
    return {"articles": len(texts), "extracted_texts": len(extracted), "words": words,
            "pipe_names": nlp.pipe_names, "n_process": processes, "batch_size": batch_size,
            "seconds": round(seconds, 2), "articles_per_s": round(len(texts) / seconds, 2),
            "words_per_s": round(words / seconds), "entities": entities}


# -- digest -------------------------------------------------------------------------
def digest(articles: int, repeat: int = 3) -> dict:
    from digest_bench import generate
    from newsmon.data.digest import build_digest
    from newsmon.data.store import open_db
    db = WORK / f"digest-{articles}.duckdb"
    generated_s = None
    if not db.exists():
        start = time.perf_counter()
        generate(db, articles)
        generated_s = round(time.perf_counter() - start, 1)
    open_db(db).close()  # apply migrations added since the database was generated
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = build_digest(db)
        times.append(time.perf_counter() - start)
    return {"articles": articles, "db": str(db), "db_mb": round(db.stat().st_size / 2**20),
            "generated_s": generated_s, "week": result.week,
            "week_articles": int(result.total_articles), "cold_s": round(times[0], 3),
            "median_s": round(statistics.median(times), 3), "runs_s": [round(t, 3) for t in times]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stage", choices=["fetch", "extract", "nlp", "digest"])
    ap.add_argument("--out", type=Path, required=True, help="write the stage's JSON here")
    ap.add_argument("--sources", type=Path, help="fetch: the mirror's sources file")
    ap.add_argument("--mirror", type=Path, help="extract: the mirror directory")
    ap.add_argument("--base-url", help="extract: the mirror's base URL")
    ap.add_argument("--paths", type=Path, help="extract: JSON list of page paths")
    ap.add_argument("--texts", type=Path, help="extract: write texts here; nlp: read them")
    ap.add_argument("--count", type=int, help="nlp: texts to annotate (the extracted ones, cycled)")
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--articles", type=int, default=1_000_000, help="digest: database size")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.stage == "fetch":
        result = fetch(args.sources)
    elif args.stage == "extract":
        paths = json.loads(args.paths.read_text(encoding="utf-8"))
        result = extract(args.mirror, args.base_url, paths, args.texts)
    elif args.stage == "nlp":
        result = nlp_only(args.texts, args.count, args.processes, args.batch_size)
    else:
        result = digest(args.articles)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
