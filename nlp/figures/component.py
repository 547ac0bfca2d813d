"""The `newsmon_figures` spaCy component: finding the numbers of a doc and running the rules.

Owns the factory, the pattern marks (a Matcher over windows around numbers), the scan
for number expressions (`nlp.numbers`) and the order of the rules: `classify` each
number, `link_ranges`, `resolve_bare`, then turn the kept candidates into Figures.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy
from spacy.attrs import LIKE_NUM, LOWER, SHAPE
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token

from newsmon.nlp.figures.classify import Candidate, Mark, classify
from newsmon.nlp.figures.links import link_ranges, resolve_bare
from newsmon.nlp.figures.tables import RESOURCES, Tables
from newsmon.nlp.figures.tokens import sentence_text
from newsmon.nlp.numbers import NumberVocab, ParsedNumber, parse_number_at
from newsmon.nlp.records import Figure

log = logging.getLogger(__name__)

_PATTERN_PRIORITY = {"block": 0, "age": 1, "count": 2}
_WINDOW_BEFORE, _WINDOW_AFTER = 10, 8  # tokens around a number that context patterns may need

if not Doc.has_extension("figures"):
    Doc.set_extension("figures", default=None)


@Language.factory("newsmon_figures", default_config={"resources_dir": None})
def make_figures(nlp: Language, name: str, resources_dir: str | None) -> "FiguresComponent":
    return FiguresComponent(nlp, name, Path(resources_dir) if resources_dir else RESOURCES)


class FiguresComponent:
    """Sets doc._.figures to the list of Figure records found in the doc."""

    def __init__(self, nlp: Language, name: str, resources_dir: Path) -> None:
        self.name = name
        self.tables = Tables.load(resources_dir, nlp)
        self.matcher = Matcher(nlp.vocab)
        self.marks_by_key: dict[int, Mark] = {}
        for entry in self.tables.patterns:
            key = nlp.vocab.strings.add(f"{entry['action']}:{entry['id']}:{entry.get('object') or ''}")
            self.matcher.add(key, [entry["pattern"]])
            self.marks_by_key[key] = Mark(entry["action"], entry["id"], entry.get("object"))

    def __call__(self, doc: Doc) -> Doc:
        starts, anchors = number_starts(doc, self.tables.vocab)
        doc._.figures = find_figures(doc, self.tables, self._marks(doc, anchors), starts)
        return doc

    def _marks(self, doc: Doc, anchors: list[int]) -> dict[int, Mark]:
        """Token index -> the strongest pattern mark on a number token in a match. The
        matcher runs only on windows around possible numbers (most of a text has none)."""
        marks: dict[int, Mark] = {}
        adverbs = self.tables.vocab.adverbs
        for first, last in _windows(anchors, len(doc)):
            for key, start, end in self.matcher(doc[first:last]):
                mark = self.marks_by_key[key]
                for tok in doc[first + start:first + end]:
                    if not (tok.like_num or tok.lower_ in adverbs):
                        continue
                    held = marks.get(tok.i)
                    if held is None or _PATTERN_PRIORITY[mark.action] < _PATTERN_PRIORITY[held.action]:
                        marks[tok.i] = mark
        return marks


def number_starts(doc: Doc, vocab: NumberVocab) -> tuple[list[int], list[int]]:
    """(tokens a number may start at, tokens written as numbers or "once"/"twice": the
    anchors of the pattern windows). Works on arrays: this runs over every token."""
    if not len(doc):
        return [], []
    columns = doc.to_array([LIKE_NUM, LOWER, SHAPE])
    strings = doc.vocab.strings
    digit_shapes = [h for h in numpy.unique(columns[:, 2]) if "d" in strings[int(h)]]
    numeric = (columns[:, 0] == 1) | numpy.isin(columns[:, 2], digit_shapes)
    lower = columns[:, 1]
    leads = numpy.isin(lower, [strings.add(w) for w in vocab.lead_words])
    adverbs = numpy.isin(lower, [strings.add(w) for w in vocab.adverbs])
    return numpy.flatnonzero(numeric | leads).tolist(), numpy.flatnonzero(numeric | adverbs).tolist()


def _windows(starts: list[int], length: int) -> list[tuple[int, int]]:
    """Merged token windows [first, last) reaching _WINDOW_BEFORE/_WINDOW_AFTER around starts."""
    windows: list[tuple[int, int]] = []
    for i in starts:
        first, last = max(0, i - _WINDOW_BEFORE), min(length, i + _WINDOW_AFTER)
        if windows and first <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], last))
        else:
            windows.append((first, last))
    return windows


# -- the pipeline of rules -------------------------------------------------------------

def find_figures(doc: Doc, tables: Tables, marks: dict[int, Mark], starts: list[int] | None = None) -> list[Figure]:
    """All figures of a doc, in text order."""
    if starts is None:
        starts = number_starts(doc, tables.vocab)[0]
    candidates = [classify(doc, n, tables, marks) for n in scan_numbers(doc, tables, marks, starts)]
    link_ranges(doc, candidates, tables)
    resolve_bare(doc, candidates, tables)
    figures = []
    for c in candidates:
        if c.kind is None:
            log.debug("not a figure: %r at %d (%s)", doc[c.number.start:c.number.end].text,
                      doc[c.number.start].idx, c.reason or "bare")
            continue
        figures.append(_to_figure(doc, c))
    return figures


def scan_numbers(doc: Doc, tables: Tables, marks: dict[int, Mark], starts: list[int]) -> list[ParsedNumber]:
    """Every number expression starting at one of `starts`, left to right, without overlaps;
    adverbs ("twice") only where a count pattern asked for them."""
    numbers: list[ParsedNumber] = []
    covered = 0
    for i in starts:
        if i < covered:
            continue
        number = parse_number_at(doc, i, tables.vocab) or _adverb_number(doc[i], tables.vocab, marks)
        if number is not None:
            numbers.append(number)
            covered = number.end
    return numbers


def _adverb_number(tok: Token, vocab: NumberVocab, marks: dict[int, Mark]) -> ParsedNumber | None:
    mark = marks.get(tok.i)
    if mark is None or mark.action != "count" or tok.lower_ not in vocab.adverbs:
        return None
    value = float(vocab.adverbs[tok.lower_])
    return ParsedNumber(tok.i, tok.i + 1, value, value, 1.0, True, tok.text)



def _to_figure(doc: Doc, c: Candidate) -> Figure:
    span = doc[c.start:c.end]
    value = float(c.value)
    return Figure(kind=c.kind, value=round(value, 6), unit=c.unit, object=c.object,
                  text=span.text, start=span.start_char, end=span.end_char,
                  sentence=sentence_text(doc, c.start, c.end))
