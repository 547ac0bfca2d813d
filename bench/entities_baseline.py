"""People and organisations: newsmon's extractor against the bare model, part by part.

What the rules add over plain spaCy NER is the question every rule of issue 15 must answer on
text it was not written from. This prints, for ``../shared/gold/dev.jsonl`` and each part of
our generalisation set (``bench/gold/generalisation.jsonl``: dev, heldout, ..., heldout5)
and of our written set (``bench/gold/written.jsonl``: study, blind, blind2, ..., blind30), the
F1 of

* the bare model: its PERSON and ORG entities as they come, each distinct text once;
* the newsmon extractor (``nlp.pipeline.load_pipeline``), as ``newsmon eval`` scores it;

and the difference. Both are scored by ``nlp.evaluate.score`` (the rules of
``../shared/gold/GUIDELINES.md``).

    python bench/entities_baseline.py [--model NAME] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys

import spacy

from newsmon.nlp.evaluate import GENERALISATION_SET, WRITTEN_SET, load_gold, part_order, predict, score, shared_dir
from newsmon.nlp.models import DEFAULT_MODEL
from newsmon.nlp.pipeline import load_pipeline


def bare_pipeline(model: str):
    """The model's own entities: its ``ner`` and what ``ner`` needs, nothing of newsmon."""
    return spacy.load(model, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger"])


def bare_predictions(docs: list[dict], nlp) -> list[dict]:
    out = []
    for gold, doc in zip(docs, nlp.pipe((d["text"] for d in docs), batch_size=16)):
        people = sorted({e.text for e in doc.ents if e.label_ == "PERSON"})
        orgs = sorted({e.text for e in doc.ents if e.label_ == "ORG"})
        out.append({"id": gold["id"], "people": people, "organisations": orgs})
    return out


def columns() -> list[tuple[str, list[dict]]]:
    sets = [("dev.jsonl", load_gold(shared_dir() / "gold" / "dev.jsonl"))]
    general = load_gold(GENERALISATION_SET)
    for part in sorted({d["part"] for d in general}):
        sets.append((f"gen {part}", [d for d in general if d["part"] == part]))
    written = load_gold(WRITTEN_SET)
    for part in sorted({d["part"] for d in written}, key=part_order):  # blind9 before blind10
        sets.append((f"written {part}", [d for d in written if d["part"] == part]))
    return sets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    nlp, bare_nlp = load_pipeline(args.model), bare_pipeline(args.model)
    rows = []
    for name, docs in columns():
        bare = score(docs, bare_predictions(docs, bare_nlp))
        ours = score(docs, predict(docs, nlp))
        rows.append({"set": name, "documents": len(docs), **{
            f"{who}_{cat}": round(result[cat]["f1"], 3)
            for who, result in (("bare", bare), ("newsmon", ours)) for cat in ("people", "organisations")}})
    if args.json:
        json.dump(rows, sys.stdout, indent=1)
        print()
        return 0
    print(f"{'set':<15}{'docs':>5}   {'people: bare  newsmon   diff':<30}{'organisations: bare  newsmon   diff'}")
    for r in rows:
        print(f"{r['set']:<15}{r['documents']:>5}   "
              f"{r['bare_people']:>12.3f}{r['newsmon_people']:>9.3f}{r['newsmon_people'] - r['bare_people']:>+7.3f}   "
              f"{r['bare_organisations']:>19.3f}{r['newsmon_organisations']:>9.3f}"
              f"{r['newsmon_organisations'] - r['bare_organisations']:>+7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
