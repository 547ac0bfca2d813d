"""Would retraining the model's ``ner`` on our annotations help on real news? A measurement.

newsmon's rules sit on en_core_web_sm's entities, and most of the people and organisations it
still gets wrong are the model's (bench/gold/README.md). The obvious next step is to fine-tune
the model's ``ner`` on the texts we have labelled by ../shared/gold/GUIDELINES.md. This script
measures what that would buy on real pages the training never saw, by two-fold
cross-validation over the real annotated pages:

* training texts: our written set (``bench/gold/written.jsonl``, all parts) plus one fold of
  the real pages (fold A: generalisation ``dev`` and ``heldout``; fold B: ``heldout2`` to
  ``heldout5`` and ``../shared/gold/dev.jsonl``); each text's gold people and organisations
  are its PERSON and ORG entities, every other entity of the base model (dates, money,
  places ...) is kept as it is, so the model does not forget them;
* the model: the base model's ``ner`` updated for ``--epochs`` passes (``nlp.update``, the
  other components untouched), saved to a temporary folder;
* the score: the newsmon extractor (``nlp.pipeline.load_pipeline``, all rules) on the other
  fold, with the base model and with the fine-tuned one, scored by ``nlp.evaluate.score``.

It prints people and organisations F1 per fold for both models, and the fine-tuned model's
F1 on the written set's last three parts (which it trained on: how much it fits its
training). On this project's data (December 2026), fold A / fold B: people 0.943 -> 0.938
and 0.802 -> 0.829, organisations 0.802 -> 0.818 and 0.653 -> 0.654, while on the written
parts themselves organisations rose by 0.06: the texts we write do not teach the model real
pages, so newsmon keeps the model as published (README, "Retraining the model's ner").

    python bench/ner_finetune.py [--epochs 8] [--model NAME]

Takes about 15 minutes on two cores.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import spacy
from spacy.tokens import DocBin, Span
from spacy.training import Example
from spacy.util import filter_spans, minibatch

from newsmon.nlp.evaluate import GENERALISATION_SET, WRITTEN_SET, load_gold, predict, score, shared_dir
from newsmon.nlp.models import DEFAULT_MODEL
from newsmon.nlp.pipeline import load_pipeline

FOLD_A = ("dev", "heldout")
NON_NER = ("tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


def folds() -> tuple[list[dict], list[dict]]:
    """The real annotated pages in two folds (texts read from ../shared)."""
    general = load_gold(GENERALISATION_SET)
    a = [d for d in general if d["part"] in FOLD_A]
    b = [d for d in general if d["part"] not in FOLD_A] + load_gold(shared_dir() / "gold" / "dev.jsonl")
    return a, b


def training_docs(base, records: list[dict]) -> list:
    """Docs whose entities are the gold people and organisations (every occurrence of every
    mention) and the base model's other entities where they do not overlap them."""
    docs = []
    for record, doc in zip(records, base.pipe((r["text"] for r in records), batch_size=16)):
        gold = []
        for key, label in (("people", "PERSON"), ("organisations", "ORG")):
            for item in record.get(key, []):
                for mention in {*item["mentions"], item["name"]}:
                    for match in re.finditer(r"(?<!\w)" + re.escape(mention) + r"(?!\w)", record["text"]):
                        span = doc.char_span(match.start(), match.end(), label=label, alignment_mode="expand")
                        if span is not None:
                            gold.append(span)
        gold = filter_spans(gold)
        taken = {i for span in gold for i in range(span.start, span.end)}
        silver = [Span(doc, e.start, e.end, label=e.label_) for e in doc.ents
                  if e.label_ not in ("PERSON", "ORG") and not taken & set(range(e.start, e.end))]
        doc.set_ents(filter_spans(gold + silver), default="outside")
        docs.append(doc)
    return docs


def fine_tune(model: str, docs: list, epochs: int, out: Path) -> None:
    random.seed(0)
    spacy.util.fix_random_seed(0)
    nlp = spacy.load(model)
    examples = [Example(nlp.make_doc(d.text), d) for d in docs]
    optimizer = nlp.resume_training()
    others = [name for name in nlp.pipe_names if name != "ner"]
    for epoch in range(epochs):
        random.shuffle(examples)
        losses: dict[str, float] = {}
        started = time.perf_counter()
        for batch in minibatch(examples, size=8):
            nlp.update(batch, drop=0.2, sgd=optimizer, losses=losses, exclude=others)
        print(f"  epoch {epoch + 1}: loss {losses['ner']:.0f} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    nlp.to_disk(out)


def f1(docs: list[dict], model: str | Path) -> tuple[float, float]:
    result = score(docs, predict(docs, load_pipeline(str(model))))
    return result["people"]["f1"], result["organisations"]["f1"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--epochs", type=int, default=8)
    args = parser.parse_args(argv)
    base = spacy.load(args.model, exclude=list(NON_NER))
    written = load_gold(WRITTEN_SET)
    fold_a, fold_b = folds()
    last_parts = sorted({d["part"] for d in written if d["part"].startswith("blind")},
                        key=lambda p: int(p[5:] or 1))[-3:]
    check = [d for d in written if d["part"] in last_parts]
    print(f"{'held-out fold':<16}{'docs':>5}   {'people: base  tuned':<22}{'organisations: base  tuned'}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, train_fold, test_fold in (("A", fold_b, fold_a), ("B", fold_a, fold_b)):
            out = Path(tmp) / f"model-{name}"
            print(f"training on the written set and fold {'B' if name == 'A' else 'A'} ...", file=sys.stderr)
            fine_tune(args.model, training_docs(base, written + train_fold), args.epochs, out)
            (bp, bo), (tp, to) = f1(test_fold, args.model), f1(test_fold, out)
            print(f"{'real, fold ' + name:<16}{len(test_fold):>5}   {bp:>12.3f}{tp:>7.3f}   {bo:>19.3f}{to:>7.3f}")
            (bp, bo), (tp, to) = f1(check, args.model), f1(check, out)
            print(f"{'written (seen)':<16}{len(check):>5}   {bp:>12.3f}{tp:>7.3f}   {bo:>19.3f}{to:>7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
