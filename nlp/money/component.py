"""The `newsmon_money` spaCy component: a role for every money figure, and the fine records.

Runs after `newsmon_figures` and `newsmon_entities`. Per batch of docs it collects the
sentences that hold money, parses only those (`parse.SentenceParser`, the model's own
tagger, parser and lemmatizer, loaded disabled), sets `Figure.role` on every money
figure (`roles`) and `doc._.fines` to the article's fine records (`fines`, with the
parties from `parties` and the legal basis from `basis`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from newsmon.nlp.money.basis import LawFinder, basis_in, basis_near
from newsmon.nlp.money.fines import consolidate, fine_candidates, to_fine
from newsmon.nlp.money.lexicon import DEFAULT_LEXICON, MoneyLexicon
from newsmon.nlp.money.parse import PARSE_COMPONENTS, SentenceParser
from newsmon.nlp.money.parties import Names, owner_of
from newsmon.nlp.money.roles import assign_roles
from newsmon.nlp.records import Figure

log = logging.getLogger(__name__)

LEAD_SENTENCES = 3  # the headline and the first two sentences name the article's parties

if not Doc.has_extension("fines"):
    Doc.set_extension("fines", default=None)


@Language.factory("newsmon_money", default_config={"lexicon": None, "parse": True})
def make_money(nlp: Language, name: str, lexicon: str | None, parse: bool) -> "MoneyComponent":
    return MoneyComponent(nlp, name, Path(lexicon) if lexicon else DEFAULT_LEXICON, parse)


class MoneyComponent:
    """Sets Figure.role on money figures and doc._.fines (list of nlp.records.Fine)."""

    def __init__(self, nlp: Language, name: str, lexicon: Path, parse: bool) -> None:
        self.name = name
        self.lex = MoneyLexicon.load(lexicon)
        self.parser = SentenceParser(nlp, PARSE_COMPONENTS if parse else ())
        self.laws = LawFinder(self.lex)

    def __call__(self, doc: Doc) -> Doc:
        self._process([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        for batch in minibatch(docs, batch_size):
            self._process(batch)
            yield from batch

    def _process(self, docs: list[Doc]) -> None:
        jobs = []
        for doc in docs:
            doc._.fines = []
            figures = doc._.figures or []
            if any(f.kind == "money" for f in figures):
                jobs.append((doc, _money_sentences(doc, figures)))
        sentences = [sent for _, found in jobs for sent, _ in found]
        parsed = iter(self.parser.parse(sentences))
        for doc, found in jobs:
            self._annotate(doc, [(next(parsed), figs) for _, figs in found])

    def _annotate(self, doc: Doc, parsed_sentences: list) -> None:
        amounts = [(f.start, f.end) for f in doc._.figures if f.kind in ("money", "percent", "count")]
        names = Names(doc.text, doc._.mentions or [], self.lex, amounts)
        laws = self.laws.find_laws(doc.text, names.authority_spans())
        candidates, spans = [], []
        company = names.most_named(False, label="organisation")
        for parsed, figures in parsed_sentences:
            name_tokens = names.token_indices(parsed)
            placed = assign_roles(parsed, figures, self.lex, set(name_tokens))
            for item in placed:
                if item.figure.role not in ("fine", "maximum"):
                    owner = owner_of(item.span, item.cue, name_tokens, self.lex, company)
                    if owner is not None:
                        item.figure.party, item.figure.party_label = owner.name, owner.label
            for c in fine_candidates(parsed, placed, name_tokens, self.lex):
                end = parsed.sent.start_char + len(parsed.sent.text.rstrip())  # not its paragraph break
                candidates.append(c)
                spans.append((parsed.sent.start_char, end))
        for c, (start, end) in zip(candidates, spans):
            c.basis = basis_near(laws, doc.text, start, end, other_fines=spans)
        for f in doc._.figures:
            if f.kind == "money" and f.role is None:
                f.role = "other"
        _headline_roles_from_body(doc._.figures, _lead_end(doc, 1))
        fines = consolidate(candidates, names, _lead_end(doc, LEAD_SENTENCES), _lead_end(doc, 1))
        fines = [c if c.basis is not None or c.authority is None
                 else replace(c, basis=basis_in(laws, _sentences_naming(doc, names, c.authority.name)))
                 for c in fines]
        doc._.fines = [to_fine(c) for c in fines]
        _fine_parties(doc._.figures, fines)


def _sentences_naming(doc: Doc, names: Names, name: str) -> list[tuple[int, int]]:
    """The char spans of the sentences that name `name`: as a mention in any of its forms
    ("the DPC"), or as written (a described body: "the Finnish data protection ombudsman")."""
    starts = [m.start for p, m in zip(names.parties, names.mentions) if p.name == name]
    starts += [m.start() for m in re.finditer(re.escape(name), doc.text)]
    if not starts or not doc.has_annotation("SENT_START"):
        return []
    return [(s.start_char, s.end_char) for s in doc.sents
            if any(s.start_char <= start < s.end_char for start in starts)]


def _fine_parties(figures: list[Figure], fines: list) -> None:
    """A fine's amounts belong to its payer (every mention of it, conversions included)."""
    for c in fines:
        for f in figures:
            if f.kind == "money" and f.role == "fine" and f.party is None and f.unit == c.figure.unit \
                    and f.value == c.figure.value and c.target is not None:
                f.party, f.party_label = c.target.name, c.target.label


def _headline_roles_from_body(figures: list[Figure], headline_end: int) -> None:
    """A headline is too short to parse well ("Ticket seller Encorely to pay C$3.5 million over
    drip pricing"): an amount it shares with the body takes the body's role."""
    body = [f for f in figures if f.kind == "money" and f.start >= headline_end]
    for f in figures:
        if f.kind == "money" and f.end <= headline_end:
            same = next((b for b in body if b.unit == f.unit and b.value == f.value), None)
            if same is not None:
                f.role = same.role


def _money_sentences(doc: Doc, figures: list[Figure]) -> list[tuple[Span, list[Figure]]]:
    """The sentences holding a money figure, each with its money and percent figures."""
    whole = doc[0:len(doc)]
    by_start: dict[int, tuple[Span, list[Figure]]] = {}
    money_in: set[int] = set()
    for f in figures:
        if f.kind not in ("money", "percent"):
            continue
        span = doc.char_span(f.start, f.end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        sent = span.sent if doc.has_annotation("SENT_START") else whole
        by_start.setdefault(sent.start, (sent, []))[1].append(f)
        if f.kind == "money":
            money_in.add(sent.start)
    return [by_start[s] for s in sorted(money_in)]


def _lead_end(doc: Doc, sentences: int) -> int:
    """Where the first `sentences` sentences end (1: the headline, when the text has one)."""
    if not doc.has_annotation("SENT_START"):
        return len(doc.text) if sentences > 1 else 0
    end = 0
    for n, sent in enumerate(doc.sents):
        end = sent.end_char
        if n + 1 >= sentences:
            break
    return end
