"""Speed of the newsmon extractor against the bare model's NER, on the same texts.

Texts: the English ``articleBody`` texts of
``../shared/corpus/article-extraction-benchmark/ground-truth.json`` (English by the
same function-word test as ``nlp.extract``). Prints words/s (whitespace words) of

* bare en_core_web_sm with only ``ner`` (single process),
* the full newsmon extractor, ``nlp.pipeline.load_pipeline`` (single process),
* their ratio (the target is >= 0.7),
* the extractor without the money roles and fines (``load_pipeline(money=False)``, what
  the extractor was before issue 14) and the ratio full / without (the target is >= 0.8:
  the parser runs on the sentences that hold money only),
* the extractor without the entity check (``load_pipeline(check=False)``: the sentence encoder
  that reads the names the rules keep, ``nlp/entities/check.py``) and the ratio full / without,
* the full extractor with ``n_process=2``.

Each pipeline is warmed up first; each single-process figure is the best of
``--repeats`` passes (other jobs on the machine only ever slow a pass down). The ratios
are also given per CPU second of this process, which other jobs on a shared, loaded
machine do not move (wall-clock ratios there swing by 20%).

    python bench/nlp_speed.py [--model NAME] [--repeats 3] [--batch-size 32]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsmon.nlp.extract import english_ratio  # noqa: E402
from newsmon.nlp.pipeline import DEFAULT_MODEL, load_ner_only, load_pipeline  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "article-extraction-benchmark" / "ground-truth.json"
ENGLISH_RATIO = 0.12


def english_texts(path: Path = CORPUS) -> list[str]:
    records = json.loads(path.read_text(encoding="utf-8"))
    texts = [r["articleBody"] for r in records.values() if r.get("articleBody")]
    return [t for t in texts if english_ratio(t)[0] >= ENGLISH_RATIO]


def words_per_second(nlp, texts: list[str], batch_size: int, n_process: int = 1) -> tuple[float, float]:
    rate, seconds, _ = timed(nlp, texts, batch_size, n_process)
    return rate, seconds


def timed(nlp, texts: list[str], batch_size: int, n_process: int = 1) -> tuple[float, float, float]:
    """Words per wall-clock second, the seconds, and words per CPU second of this process
    (what the pipeline costs whatever else the machine runs; single process only)."""
    words = sum(len(t.split()) for t in texts)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        pass
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    return words / seconds, seconds, words / cpu_seconds


def best_of(nlp, texts: list[str], batch_size: int, repeats: int) -> float:
    return max(words_per_second(nlp, texts, batch_size)[0] for _ in range(repeats))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 1

    texts = english_texts()
    words = sum(len(t.split()) for t in texts)
    print(f"texts: {len(texts)} English articleBody texts, {words} words")

    bare = load_ner_only(args.model)
    full = load_pipeline(args.model)
    no_money = load_pipeline(args.model, money=False)
    no_check = load_pipeline(args.model, check=False)
    print(f"bare ner pipeline: {bare.pipe_names}")
    print(f"newsmon pipeline:  {full.pipe_names}")
    for nlp in (bare, full, no_money, no_check):  # warm-up
        for _ in nlp.pipe(texts[:20], batch_size=args.batch_size):
            pass

    # Interleave the passes so that load from other jobs hits all alike.
    wall = {"bare": 0.0, "full": 0.0, "no_money": 0.0, "no_check": 0.0}
    cpu = dict(wall)
    for _ in range(args.repeats):
        for name, nlp in (("bare", bare), ("full", full), ("no_money", no_money), ("no_check", no_check)):
            rate, _, cpu_rate = timed(nlp, texts, args.batch_size)
            wall[name], cpu[name] = max(wall[name], rate), max(cpu[name], cpu_rate)
    bare_best, full_best, no_money_best = wall["bare"], wall["full"], wall["no_money"]
    print(f"bare en_core_web_sm (ner only), 1 process: {bare_best:10.0f} words/s")
    print(f"newsmon extractor,                1 process: {full_best:10.0f} words/s")
    print(f"ratio newsmon / bare ner:                    {full_best / bare_best:10.3f}  (target >= 0.7)")
    print(f"extractor without money roles and fines:     {no_money_best:10.0f} words/s")
    print(f"ratio with / without money roles and fines:  {full_best / no_money_best:10.3f}  (target >= 0.8)")
    # per CPU second of this process: other jobs on a shared machine do not move these
    print(f"extractor without the entity check:          {wall['no_check']:10.0f} words/s")
    print(f"ratio with / without the entity check:       {full_best / wall['no_check']:10.3f}")
    print(f"per CPU second: bare {cpu['bare']:.0f}, newsmon {cpu['full']:.0f}, without money "
          f"{cpu['no_money']:.0f}, without the check {cpu['no_check']:.0f} words")
    print(f"ratio newsmon / bare ner, per CPU second:    {cpu['full'] / cpu['bare']:10.3f}")
    print(f"ratio with / without money, per CPU second:  {cpu['full'] / cpu['no_money']:10.3f}")
    print(f"ratio with / without check, per CPU second:  {cpu['full'] / cpu['no_check']:10.3f}")

    rate, seconds = words_per_second(full, texts, args.batch_size, n_process=2)
    print(f"newsmon extractor,               2 processes: {rate:10.0f} words/s  ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
