"""Scoring of people, organisations and figures against hand-checked gold annotations.

Owns the scoring rules of ``/work/shared/gold/GUIDELINES.md`` ("How a system is
scored"), the gold JSONL loader, and the ``python -m newsmon.nlp.evaluate GOLD.jsonl``
command that runs the newsmon pipeline over a gold file and prints the table.

Predictions are one dict per document::

    {"id": ..., "people": [names], "organisations": [names],
     "figures": [{"kind", "value", "unit", "object", "text", "start", "end"}]}

Rules implemented here:

* people / organisations: a system name matches a gold item when it equals the
  item's ``name`` or any of its ``mentions`` after :func:`normalise_name`. Each gold
  item matches at most once (a maximum matching is used, so the order of the
  system's names cannot lose credit); a further system name matching an
  already-matched item is neither credited nor counted false.
* figures: kind and unit equal, values within 0.5 % relative to the gold value;
  each gold figure matches at most once, each system figure at most once.
* micro-averaged precision, recall and F1 per category over the documents annotated
  for it (a gold document without a ``figures`` key is not scored on figures);
  count-object accuracy over matched count figures.

A gold document may leave out its ``text`` and name a page of the extraction benchmark by
its ``id`` instead (``bench/gold/generalisation.jsonl``): the text is then read from
``<shared>/corpus/article-extraction-benchmark/ground-truth.json`` (``shared_dir``), so
third-party texts never enter the project. ``bench/gold/written.jsonl`` holds texts written
for the project, with their labels, in the file itself. A ``part`` field ("dev", "heldout", ..., "heldout5") splits a set,
and ``evaluate_sets`` scores each set and each part side by side.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

NAME_CATEGORIES = ("people", "organisations")
CATEGORIES = (*NAME_CATEGORIES, "figures")
RELATIVE_TOLERANCE = 0.005

BENCHMARK = Path("corpus") / "article-extraction-benchmark" / "ground-truth.json"
PROJECT_ROOT = Path(__file__).resolve().parents[1]  # the checkout, when installed from one
GENERALISATION_SET = PROJECT_ROOT / "bench" / "gold" / "generalisation.jsonl"
WRITTEN_SET = PROJECT_ROOT / "bench" / "gold" / "written.jsonl"  # our own texts, held in the file

_SPACE = re.compile(r"\s+")
_LEADING_THE = re.compile(r"^the\s+")
_TRAILING_POSSESSIVE = re.compile(r"['’]s$")


def normalise_name(name: str) -> str:
    """Fold a name for matching: case, leading "the", trailing 's / ’s, white space."""
    folded = _SPACE.sub(" ", name).strip().casefold()
    folded = _LEADING_THE.sub("", folded)
    folded = _TRAILING_POSSESSIVE.sub("", folded)
    return folded.strip()


def load_gold(path: str | Path) -> list[dict]:
    """Read a gold JSONL file: one document a line, blank lines skipped; a document without
    ``text`` gets the benchmark page's text of the same id."""
    docs = read_jsonl(path)
    if any("text" not in doc for doc in docs):
        texts = benchmark_texts()
        for doc in docs:
            if "text" not in doc:
                if doc.get("id") not in texts:
                    raise ValueError(f"{path}: {doc.get('id')!r} has no text and is no benchmark page")
                doc["text"] = texts[doc["id"]]
    return docs


def read_jsonl(path: str | Path) -> list[dict]:
    """One JSON object a line, blank lines skipped; a file that is no UTF-8 text or a line that
    is no JSON is a ValueError naming it."""
    docs = []
    with open(path, encoding="utf-8") as handle:
        try:
            for line_no, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        docs.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise ValueError(f"{path}:{line_no}: not JSON: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise ValueError(f"{path}: not UTF-8 text ({exc.reason})") from None
    return docs


def shared_dir() -> Path:
    """``$NEWSMON_SHARED``, else ``../shared`` beside the working directory or the checkout."""
    if os.environ.get("NEWSMON_SHARED"):
        return Path(os.environ["NEWSMON_SHARED"])
    for candidate in (Path.cwd().parent / "shared", PROJECT_ROOT.parent / "shared"):
        if candidate.is_dir():
            return candidate
    return PROJECT_ROOT.parent / "shared"


def benchmark_texts() -> dict[str, str]:
    """The extraction benchmark's article texts by page id."""
    path = shared_dir() / BENCHMARK
    if not path.exists():
        raise ValueError(f"benchmark texts not found: {path} (set NEWSMON_SHARED)")
    records = json.loads(path.read_text(encoding="utf-8"))
    return {key: record.get("articleBody") or "" for key, record in records.items()}


def default_gold_sets() -> list[Path]:
    """The dev set of ../shared, our own generalisation set (benchmark pages) and our own
    written set (texts written for the project), where they exist."""
    candidates = (shared_dir() / "gold" / "dev.jsonl", GENERALISATION_SET, WRITTEN_SET)
    return [p for p in candidates if p.exists()]


# --- matching ---------------------------------------------------------------------


def _max_matching(n_system: int, candidates: Callable[[int], Sequence[int]]) -> dict[int, int]:
    """Maximum bipartite matching system -> gold (augmenting paths, Kuhn's algorithm).

    ``candidates(i)`` lists the gold indices system item ``i`` may match, best first;
    earlier system items and earlier candidates win ties.
    """
    gold_owner: dict[int, int] = {}

    def augment(i: int, visited: set[int]) -> bool:
        for g in candidates(i):
            if g in visited:
                continue
            visited.add(g)
            if g not in gold_owner or augment(gold_owner[g], visited):
                gold_owner[g] = i
                return True
        return False

    for i in range(n_system):
        augment(i, set())
    return {i: g for g, i in gold_owner.items()}


@dataclass
class Tally:
    """True positives, false positives, false negatives, and what they were."""
    tp: int = 0
    fp: int = 0
    fn: int = 0
    missed: list[Any] = field(default_factory=list)
    spurious: list[Any] = field(default_factory=list)

    def add(self, other: "Tally") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def summary(self) -> dict[str, float | int]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": precision, "recall": recall, "f1": f1}


def score_names(gold_items: Sequence[dict], system_names: Iterable[str]) -> Tally:
    """Score one document's people (or organisations) by the guideline rules."""
    gold_keys = [
        {normalise_name(item["name"]), *(normalise_name(m) for m in item.get("mentions", []))}
        for item in gold_items
    ]
    names = [n for n in system_names if n and n.strip()]
    folded = [normalise_name(n) for n in names]

    def candidates(i: int) -> list[int]:
        return [g for g, keys in enumerate(gold_keys) if folded[i] in keys]

    matching = _max_matching(len(names), candidates)
    tally = Tally(tp=len(matching))
    for i, name in enumerate(names):
        if i not in matching and not candidates(i):
            tally.fp += 1
            tally.spurious.append(name)
    matched_gold = set(matching.values())
    for g, item in enumerate(gold_items):
        if g not in matched_gold:
            tally.fn += 1
            tally.missed.append(item["name"])
    return tally


def figures_match(gold: dict, system: dict) -> bool:
    """Kind and unit equal, values within 0.5 % of the gold value."""
    if gold.get("kind") != system.get("kind") or (gold.get("unit") or None) != (system.get("unit") or None):
        return False
    try:
        gold_value, system_value = float(gold["value"]), float(system["value"])
    except (KeyError, TypeError, ValueError):
        return False
    return abs(gold_value - system_value) <= RELATIVE_TOLERANCE * abs(gold_value)


def _fold_object(obj: str | None) -> str | None:
    return _SPACE.sub(" ", obj).strip().casefold() if obj else None


def _figure_preference(gold: dict, system: dict) -> tuple:
    """Sort key among matching gold figures: same object, then same text, then closest value."""
    same_object = _fold_object(gold.get("object")) == _fold_object(system.get("object"))
    same_text = normalise_name(gold.get("text") or "") == normalise_name(system.get("text") or "")
    distance = abs(float(gold["value"]) - float(system["value"]))
    return (not same_object, not same_text, distance)


@dataclass
class FigureTally(Tally):
    count_matched: int = 0
    count_object_correct: int = 0
    object_errors: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    def add(self, other: "Tally") -> None:
        super().add(other)
        if isinstance(other, FigureTally):
            self.count_matched += other.count_matched
            self.count_object_correct += other.count_object_correct


def score_figures(gold_figures: Sequence[dict], system_figures: Sequence[dict]) -> FigureTally:
    """Score one document's figures, and the objects of matched count figures."""

    def candidates(i: int) -> list[int]:
        found = [g for g, gold in enumerate(gold_figures) if figures_match(gold, system_figures[i])]
        return sorted(found, key=lambda g: _figure_preference(gold_figures[g], system_figures[i]))

    matching = _max_matching(len(system_figures), candidates)
    tally = FigureTally(tp=len(matching))
    for i, system in enumerate(system_figures):
        if i not in matching:
            tally.fp += 1
            tally.spurious.append(_describe_figure(system))
    matched_gold = set(matching.values())
    for g, gold in enumerate(gold_figures):
        if g not in matched_gold:
            tally.fn += 1
            tally.missed.append(_describe_figure(gold))
    for i, g in matching.items():
        gold = gold_figures[g]
        if gold.get("kind") != "count":
            continue
        tally.count_matched += 1
        if _fold_object(gold.get("object")) == _fold_object(system_figures[i].get("object")):
            tally.count_object_correct += 1
        else:
            tally.object_errors.append((gold.get("text", ""), gold.get("object"), system_figures[i].get("object")))
    return tally


def _describe_figure(figure: dict) -> str:
    unit = f" {figure['unit']}" if figure.get("unit") else ""
    obj = f" ({figure['object']})" if figure.get("object") else ""
    return f"{figure.get('text', '')!r} {figure.get('kind')} {figure.get('value')}{unit}{obj}"


# --- whole runs -------------------------------------------------------------------


def score(gold_docs: Sequence[dict], predictions: Iterable[dict]) -> dict:
    """Micro-averaged P/R/F1 per category, count-object accuracy, and per-document errors.

    A gold document without a prediction counts as predicting nothing; predictions
    for ids not in the gold set are ignored (and logged).
    """
    by_id = {}
    for prediction in predictions:
        by_id[prediction["id"]] = prediction
    unknown = set(by_id) - {doc["id"] for doc in gold_docs}
    if unknown:
        log.warning("ignoring %d predictions for ids not in the gold set", len(unknown))

    totals: dict[str, Tally] = {"people": Tally(), "organisations": Tally(), "figures": FigureTally()}
    scored: set[str] = set()
    per_doc = []
    for doc in gold_docs:
        prediction = by_id.get(doc["id"], {})
        if not prediction:
            log.warning("no prediction for gold document %s", doc["id"])
        doc_tallies: dict[str, Tally] = {
            category: score_names(doc[category], prediction.get(category, []))
            for category in NAME_CATEGORIES if category in doc
        }
        if "figures" in doc:
            doc_tallies["figures"] = score_figures(doc["figures"], prediction.get("figures", []))
        for category, tally in doc_tallies.items():
            totals[category].add(tally)
            scored.add(category)
        per_doc.append(_doc_report(doc["id"], doc_tallies))

    figures = totals["figures"]
    assert isinstance(figures, FigureTally)
    result: dict[str, Any] = {category: totals[category].summary() if category in scored else None
                              for category in CATEGORIES}
    result["count_object_accuracy"] = (
        figures.count_object_correct / figures.count_matched if figures.count_matched else 0.0
    )
    result["count_objects"] = {"matched": figures.count_matched, "correct": figures.count_object_correct}
    result["documents"] = len(gold_docs)
    result["per_doc"] = per_doc
    return result


def _doc_report(doc_id: str, tallies: dict[str, Tally]) -> dict:
    report: dict[str, Any] = {"id": doc_id}
    for category, tally in tallies.items():
        report[category] = {**tally.summary(), "missed": tally.missed, "spurious": tally.spurious}
        if isinstance(tally, FigureTally):
            report[category]["object_errors"] = tally.object_errors
    return report


def predict(gold_docs: Sequence[dict], nlp: Any, batch_size: int = 16) -> list[dict]:
    """Run a newsmon pipeline over the gold texts and return predictions."""
    from newsmon.nlp.pipeline import annotate, to_prediction

    annotations = annotate(nlp, (doc["text"] for doc in gold_docs), batch_size=batch_size)
    return [to_prediction(doc["id"], annotation) for doc, annotation in zip(gold_docs, annotations)]


def evaluate(gold_path: str | Path, nlp: Any) -> dict:
    """Score the pipeline ``nlp`` (from ``nlp.pipeline.load_pipeline``) on a gold file."""
    gold_docs = load_gold(gold_path)
    return score(gold_docs, predict(gold_docs, nlp))


def part_order(part: str) -> tuple:
    """"blind10" after "blind9": a part's name with its number read as a number."""
    return tuple(int(piece) if piece.isdigit() else piece for piece in re.split(r"(\d+)", part))


def evaluate_sets(gold_paths: Sequence[str | Path], nlp: Any) -> dict[str, dict]:
    """Each gold file's scores, and each of its parts' ("name:dev", "name:heldout"), by column name."""
    results = {}
    for path in gold_paths:
        gold_docs = load_gold(path)
        predictions = predict(gold_docs, nlp)
        name = Path(path).stem
        results[name] = score(gold_docs, predictions)
        parts = sorted({doc["part"] for doc in gold_docs if doc.get("part")}, key=part_order)  # blind9 < blind10
        for part in parts if len(parts) > 1 else ():
            ids = {doc["id"] for doc in gold_docs if doc.get("part") == part}
            results[f"{name}:{part}"] = score([d for d in gold_docs if d["id"] in ids],
                                              [p for p in predictions if p["id"] in ids])
    return results


# --- command line -------------------------------------------------------------------


def format_table(result: dict) -> str:
    """The scores as a plain-text table."""
    lines = [f"{'category':<24}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}"]
    for category in CATEGORIES:
        s = result[category]
        if s is None:
            lines.append(f"{category:<24}{'(not annotated)':>21}")
            continue
        lines.append(f"{category:<24}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}"
                     f"{s['tp']:>6}{s['fp']:>6}{s['fn']:>6}")
    objects = result["count_objects"]
    if result["figures"] is not None:
        lines.append(f"{'count-object accuracy':<24}{result['count_object_accuracy']:>21.3f}"
                     f"   ({objects['correct']}/{objects['matched']})")
    lines.append(f"documents: {result['documents']}")
    return "\n".join(lines)


def format_side_by_side(results: dict[str, dict]) -> str:
    """One row per gold set (or part): P / R / F1 per category, and the documents."""
    width = max(14, *(len(n) + 2 for n in results))
    lines = [f"{'':<{width}}" + "".join(f"{c:>21}" for c in CATEGORIES) + f"{'documents':>11}",
             f"{'':<{width}}" + f"{'P':>7}{'R':>7}{'F1':>7}" * len(CATEGORIES)]
    for name, result in results.items():
        cells = "".join(f"{'-':>21}" if (s := result[c]) is None else
                        f"{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}" for c in CATEGORIES)
        lines.append(f"{name:<{width}}{cells}{result['documents']:>11}")
    return "\n".join(lines)


def format_errors(result: dict) -> str:
    """Every document's misses and spurious items, for error analysis."""
    lines = []
    for doc in result["per_doc"]:
        parts = []
        for category in CATEGORIES:
            entry = doc.get(category)
            if entry is None:
                continue
            if entry["missed"]:
                parts.append(f"  {category} missed:   {entry['missed']}")
            if entry["spurious"]:
                parts.append(f"  {category} spurious: {entry['spurious']}")
            for text, gold_obj, sys_obj in entry.get("object_errors", []):
                parts.append(f"  object {text!r}: gold {gold_obj!r}, system {sys_obj!r}")
        if parts:
            lines.append(doc["id"])
            lines.extend(parts)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m newsmon.nlp.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("gold", help="gold JSONL file")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--errors", action="store_true", help="also print every document's errors")
    parser.add_argument("--predictions", help="score this predictions JSONL instead of running the pipeline")
    parser.add_argument("--model", default=None, help="spaCy model name (default: the pipeline's)")
    args = parser.parse_args(argv)

    gold_docs = load_gold(args.gold)
    if args.predictions:
        predictions = read_jsonl(args.predictions)
    else:
        from newsmon.nlp.pipeline import DEFAULT_MODEL, load_pipeline

        predictions = predict(gold_docs, load_pipeline(args.model or DEFAULT_MODEL))
    result = score(gold_docs, predictions)
    if args.json:
        print(json.dumps(result if args.errors else {k: v for k, v in result.items() if k != "per_doc"},
                         indent=2, ensure_ascii=False))
    else:
        print(format_table(result))
        if args.errors:
            print(format_errors(result))
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    raise SystemExit(main())
