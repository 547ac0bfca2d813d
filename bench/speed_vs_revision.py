"""Speed of today's extractor against the extractor of an earlier commit, on the same texts.

Issue 15 asks the extractor to keep 0.8 of the words per second it had when the issue was
filed (commit ``871a064``). A ratio between two sittings means little on a shared machine
(the same code read 10,000 and 9,000 words per CPU second an hour apart), so this script
installs the earlier commit beside today's code and runs the two alternately, each round in
fresh processes, and prints each round's ratio:

* the earlier commit is taken with ``git archive`` (the working tree is not touched) and
  installed with ``pip install --no-deps --target`` under ``bench/.work/rev-<commit>``
  (kept for the next run); its process finds it first on ``PYTHONPATH``;
* today's code is the ``newsmon`` this interpreter imports (the editable install);
* each process loads ``newsmon.nlp.pipeline.load_pipeline()`` with its defaults, warms it
  and times ``nlp.pipe`` over the texts of ``bench/nlp_speed.py`` (the benchmark's English
  article bodies), ``--passes`` times; it reports its best pass in words per CPU second of
  its own (other jobs on the machine do not move that much, as they move wall-clock time).

    python bench/speed_vs_revision.py                      # against 871a064, 3 rounds
    python bench/speed_vs_revision.py --rev HEAD~3 --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work"
FILED = "871a064"  # the commit issue 15 was filed at


def install(rev: str) -> Path:
    """`rev`'s package, installed under ``bench/.work`` (once per commit)."""
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", rev], check=True,
                         capture_output=True, text=True).stdout.strip()
    target = WORK / f"rev-{sha}"
    if (target / "newsmon").is_dir():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", sha], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                        "--target", str(target), tmp], check=True, capture_output=True)  # setuptools' warnings
    return target


def measure(texts_file: Path, passes: int, path: Path | None) -> dict:
    """One process's best pass (``--worker``), with `path` first on its ``PYTHONPATH`` if given."""
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(path)] + [p for p in [env.get("PYTHONPATH")] if p])
    done = subprocess.run([sys.executable, __file__, "--worker", str(texts_file), "--passes", str(passes)],
                          env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker(texts_file: Path, passes: int) -> None:
    # only load_pipeline(), which every revision has: nlp_speed's helpers import today's API
    import newsmon.nlp.pipeline as pipeline

    texts = json.loads(texts_file.read_text(encoding="utf-8"))
    words = sum(len(t.split()) for t in texts)
    nlp = pipeline.load_pipeline()
    for _ in nlp.pipe(texts[:30], batch_size=32):  # warm-up: the check's encoder, word lists
        pass
    best = float("inf")
    for _ in range(passes):
        cpu = time.process_time()
        for _ in nlp.pipe(texts, batch_size=32):
            pass
        best = min(best, time.process_time() - cpu)
    print(json.dumps({"code": str(Path(pipeline.__file__).parents[1]), "words_per_cpu_second": words / best}))


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of 1 or more: {value!r}")
    return int(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default=FILED, help=f"the earlier commit (default {FILED}, issue 15's filing)")
    parser.add_argument("--rounds", type=_positive, default=3)
    parser.add_argument("--passes", type=_positive, default=3, help="timed passes per process (its best counts)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.passes)
        return 0

    sys.path.insert(0, str(ROOT / "bench"))
    from nlp_speed import CORPUS, english_texts

    if not CORPUS.exists():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 1
    try:
        earlier = install(args.rev)
    except subprocess.CalledProcessError as exc:
        said = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr or ""
        last = said.strip().splitlines()[-1:] or [str(exc)]  # git's or pip's own last line
        print(f"cannot install {args.rev}: {last[0]}", file=sys.stderr)
        return 1
    texts = english_texts()
    print(f"texts: {len(texts)} English article bodies, {sum(len(t.split()) for t in texts)} words; "
          f"{args.rev} installed in {earlier.relative_to(ROOT)}")
    ratios = []
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as handle:
        json.dump(texts, handle)
        handle.flush()
        for n in range(1, args.rounds + 1):
            before = measure(Path(handle.name), args.passes, earlier)
            now = measure(Path(handle.name), args.passes, None)
            ratios.append(now["words_per_cpu_second"] / before["words_per_cpu_second"])
            print(f"round {n}: {args.rev} {before['words_per_cpu_second']:8.0f} words per CPU s, "
                  f"today {now['words_per_cpu_second']:8.0f}, ratio {ratios[-1]:.3f}", flush=True)
    print(f"ratio today / {args.rev}: mean {statistics.mean(ratios):.3f}, median {statistics.median(ratios):.3f}, "
          f"range {min(ratios):.3f} to {max(ratios):.3f} over {len(ratios)} rounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
