"""Benchmark: speed and quality of nlp.extract.extract_article on the article-extraction benchmark.

Runs extract_article over the 181 real pages of ../shared/corpus/article-extraction-benchmark
in one process (pages are read and gunzipped before the clock starts) and prints pages/s and
the benchmark's F1/P/R, then the time the topic profile takes to score the extracted texts. With --compare it also scores plain trafilatura with its default
settings and with the settings extract_article uses, so the choice can be re-checked.

    cd /work/main && .venv/bin/python bench/extract_speed.py [--compare] [--repeat N]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura  # noqa: E402

from newsmon.nlp.extract import TRAFILATURA_OPTIONS, extract_article  # noqa: E402
from newsmon.nlp.extract_eval import DEFAULT_BENCHMARK_DIR, BenchmarkPage, evaluate, load_benchmark  # noqa: E402
from newsmon.nlp.records import Article  # noqa: E402
from newsmon.nlp.relevance import TopicProfile  # noqa: E402

CANDIDATE_SETTINGS: dict[str, dict] = {
    "trafilatura defaults": {},
    "include_comments=False": {"include_comments": False},
    "include_comments=False, favor_precision=True, include_tables=False":
        {"include_comments": False, "favor_precision": True, "include_tables": False},
    "include_comments=False, favor_recall=True": {"include_comments": False, "favor_recall": True},
    "newsmon settings (plain trafilatura)": {k: v for k, v in TRAFILATURA_OPTIONS.items() if k != "with_metadata"},
}


def time_extract_article(pages: list[BenchmarkPage], repeat: int, fast: bool = False) -> None:
    extract_article(pages[0].html, pages[0].url)  # warm-up: imports, compiled patterns, data files
    reasons: Counter[str] = Counter()
    label = "extract_article(fast=True)" if fast else "extract_article"

    def body(page: BenchmarkPage) -> str:
        result = extract_article(page.html, page.url, fast=fast)
        reasons["article" if isinstance(result, Article) else result.reason] += 1
        return result.text if isinstance(result, Article) else ""

    best = float("inf")
    for _ in range(repeat):
        reasons.clear()
        start = time.perf_counter()
        scores, _ = evaluate(pages, body)
        best = min(best, time.perf_counter() - start)
    megabytes = sum(len(p.html.encode("utf-8")) for p in pages) / 1e6
    print(f"{label}: {len(pages) / best:.1f} pages/s, {megabytes / best:.2f} MB/s "
          f"(best of {repeat}, one process, scoring included)")
    print(f"{label}: {scores}")
    print(f"outcomes: {dict(reasons)}")


def time_relevance(pages: list[BenchmarkPage], repeat: int) -> None:
    """Topic scoring runs on every extracted page too: time it on the benchmark's texts."""
    profile = TopicProfile.load("platform-regulation")
    articles = [a for a in (extract_article(p.html, p.url) for p in pages) if isinstance(a, Article)]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        relevant = sum(profile.score(a.title, a.text).score >= profile.threshold for a in articles)
        best = min(best, time.perf_counter() - start)
    print(f"relevance: {1000 * best / len(articles):.2f} ms/article over {len(articles)} texts "
          f"({relevant} above the {profile.threshold} threshold)")


def compare_settings(pages: list[BenchmarkPage]) -> None:
    for name, options in CANDIDATE_SETTINGS.items():
        def body(page: BenchmarkPage, options=options) -> str:
            doc = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True, **options)
            return (doc.text or "") if doc is not None else ""

        start = time.perf_counter()
        scores, _ = evaluate(pages, body)
        rate = len(pages) / (time.perf_counter() - start)
        print(f"{name:<70} {scores}  {rate:.1f} pages/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benchmark", type=Path, default=DEFAULT_BENCHMARK_DIR)
    parser.add_argument("--repeat", type=int, default=1, help="timed runs; the best is reported")
    parser.add_argument("--compare", action="store_true", help="also score plain trafilatura settings")
    parser.add_argument("--fast", action="store_true",
                        help="also time extract_article(fast=True) (NEWSMON_EXTRACT_FAST)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)  # trafilatura warns on every odd page
    if not (args.benchmark / "ground-truth.json").is_file():
        print(f"benchmark not found at {args.benchmark}", file=sys.stderr)
        return 2
    pages = list(load_benchmark(args.benchmark))
    print(f"{len(pages)} pages from {args.benchmark}")
    time_extract_article(pages, args.repeat)
    if args.fast:
        time_extract_article(pages, args.repeat, fast=True)
    time_relevance(pages, args.repeat)
    if args.compare:
        compare_settings(pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
