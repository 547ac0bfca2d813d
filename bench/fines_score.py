"""Scores of the money roles and fine records on our own enforcement reports.

Runs `nlp.pipeline.load_pipeline()` over tests/data/fines/dev.jsonl (developed against)
and tests/data/fines/heldout.jsonl (never developed against) and prints, for each, fine
precision/recall/F1, target, authority, status and basis accuracy over the matched fines,
and the share of money amounts read with the right scale and given the right role
(nlp/money/scoring.py has the rules). Targets of issue 14 on the held-out part: fine F1
>= 0.90, target >= 0.85, authority >= 0.85, scale >= 0.98.

    python bench/fines_score.py [--errors dev|heldout|all] [--only dev]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = {"dev": ROOT / "tests" / "data" / "fines" / "dev.jsonl",
        "heldout": ROOT / "tests" / "data" / "fines" / "heldout.jsonl"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", choices=["dev", "heldout", "all"], help="list the errors of a part")
    parser.add_argument("--only", choices=sorted(SETS), help="score one part only")
    args = parser.parse_args()
    from newsmon.nlp.money.scoring import evaluate_file, format_scores
    from newsmon.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    for name, path in SETS.items():
        if args.only and name != args.only:
            continue
        scores = evaluate_file(nlp, path)
        print(format_scores(name, scores))
        if args.errors in (name, "all"):
            for line in scores["errors"]:
                print("   ", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
