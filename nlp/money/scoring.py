"""Scoring money roles and fine records against an annotated set (tests/data/fines/).

Owns `score_fines` (predictions vs gold, by the rules in tests/data/fines/README.md) and
`evaluate_file` (run a pipeline over a JSON-lines set and score it). Scores:

* fines: precision, recall and F1 of the records, a record matching a gold fine of the
  same currency whose value differs by at most 0.5% (the one with the same payer first);
* target, authority, status and basis: accuracy over the matched records (a name is
  right when it equals one of the gold names after folding case, a leading "the" and a
  leading possessive such as "Belgium's"; a law by its full name or its acronym);
* scale: the share of the gold money amounts found with their value (a power of a
  thousand off, or not found, is wrong); role: the share with the gold role.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from spacy.language import Language

from newsmon.nlp.money.lexicon import MoneyLexicon
from newsmon.nlp.pipeline import annotate

_POSSESSIVE = re.compile(r"^[\w.-]+(?:'s|’s)\s+")


def normalise(name: str | None) -> str | None:
    if name is None:
        return None
    name = " ".join(name.casefold().split())
    name = re.sub(r"^the\s+", "", name)
    name = _POSSESSIVE.sub("", name)
    return re.sub(r"(?:'s|’s)$", "", name)


def _law(name: str | None, acronyms: dict[str, str]) -> str | None:
    if name is None:
        return None
    return normalise(acronyms.get(name, name))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.005 * max(abs(a), abs(b))


def score_fines(gold_docs: list[dict], predictions: list[dict], lex: MoneyLexicon | None = None) -> dict:
    """Scores of `predictions` ({"fines": [...], "figures": [...]} per document, in order)."""
    acronyms = (lex or MoneyLexicon.load()).basis_acronyms
    tp = fp = fn = 0
    right = {"target": 0, "authority": 0, "status": 0, "basis": 0}
    amounts = scale_right = role_right = 0
    errors: list[str] = []
    for gold, pred in zip(gold_docs, predictions):
        used: set[int] = set()
        for p in pred["fines"]:
            hits = [i for i, g in enumerate(gold["fines"]) if i not in used and g["unit"] == p["unit"]
                    and _close(g["value"], p["value"])]
            hits.sort(key=lambda i: normalise(p["target"]) not in {normalise(t) for t in gold["fines"][i]["target"]})
            if not hits:
                fp += 1
                errors.append(f"{gold['id']}: spurious fine {p['value']:g} {p['unit']} on {p['target']}")
                continue
            g = gold["fines"][hits[0]]
            used.add(hits[0])
            tp += 1
            checks = {
                "target": normalise(p["target"]) in {normalise(t) for t in g["target"]},
                "authority": normalise(p["authority"]) in {normalise(a) for a in g["authority"]},
                "status": p.get("status") == g["status"],
                "basis": _law(p.get("basis"), acronyms) == _law(g["basis"], acronyms),
            }
            for what, ok in checks.items():
                right[what] += ok
                if not ok:
                    errors.append(f"{gold['id']}: {what} of {g['value']:g} {g['unit']}: "
                                  f"{p.get(what)!r}, gold {g[what]!r}")
        for i, g in enumerate(gold["fines"]):
            if i not in used:
                fn += 1
                errors.append(f"{gold['id']}: missed fine {g['value']:g} {g['unit']} on {g['target'][0]}")
        money = {f["start"]: f for f in pred["figures"] if f["kind"] == "money"}
        for g in gold["money"]:
            amounts += 1
            f = money.get(g["start"])
            if f is not None and f["unit"] == g["unit"] and _close(f["value"], g["value"]):
                scale_right += 1
            else:
                errors.append(f"{gold['id']}: amount {g['text']!r} read as {f and (f['value'], f['unit'])}")
            if f is not None and f.get("role") == g["role"]:
                role_right += 1
            elif f is not None:
                errors.append(f"{gold['id']}: role of {g['text']!r}: {f.get('role')}, gold {g['role']}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "documents": len(gold_docs), "fines": tp + fn,
        "fine": {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn},
        **{what: n / tp if tp else 0.0 for what, n in right.items()},
        "scale": scale_right / amounts if amounts else 0.0,
        "role": role_right / amounts if amounts else 0.0,
        "amounts": amounts,
        "errors": errors,
    }


def evaluate_file(nlp: Language, path: str | Path) -> dict:
    """Run `nlp` over an annotated JSON-lines set and score it."""
    with Path(path).open(encoding="utf-8") as fh:
        gold = [json.loads(line) for line in fh if line.strip()]
    predictions = []
    for annotation in annotate(nlp, [g["text"] for g in gold]):
        predictions.append({
            "fines": [{"authority": f.authority, "target": f.target, "value": f.value, "unit": f.unit,
                       "status": f.status, "basis": f.basis} for f in annotation.fines],
            "figures": [{"kind": f.kind, "value": f.value, "unit": f.unit, "role": f.role, "start": f.start}
                        for f in annotation.figures],
        })
    return score_fines(gold, predictions)


def format_scores(name: str, scores: dict) -> str:
    f = scores["fine"]
    return (f"{name:9} docs {scores['documents']:3}  fines {scores['fines']:3}  "
            f"fine P {f['precision']:.3f} R {f['recall']:.3f} F1 {f['f1']:.3f}  "
            f"target {scores['target']:.3f}  authority {scores['authority']:.3f}  "
            f"status {scores['status']:.3f}  basis {scores['basis']:.3f}  "
            f"scale {scores['scale']:.3f}  role {scores['role']:.3f} ({scores['amounts']} amounts)")
