"""The `newsmon_figures` spaCy component: amounts a text states, as `nlp.records.Figure`.

Owns deciding what an amount measures (money, percent, count, duration, quantity, age),
its normalised value and unit, the counted thing for counts, and what is not an amount at
all (dates, years, times, ordinals, model numbers, phone numbers, scores, "one" as a
pronoun). Reading the number itself is `nlp.numbers`; finding the counted noun is
`nlp.nouns`. All word lists and patterns are data in nlp/resources/.

Needs only the tokenizer; uses `ner` entities and sentence boundaries when present
(the tagger, parser and lemmatizer are never run). Usage:

    nlp.add_pipe("sentencizer", before="ner")
    nlp.add_pipe("newsmon_figures")
    doc._.figures  # list[Figure], in text order
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy
from spacy.attrs import LIKE_NUM, LOWER, SHAPE
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token

from newsmon.nlp.nouns import CountedHead, NounLexicon, find_counted
from newsmon.nlp.numbers import NumberVocab, ParsedNumber, parse_number_at, read_digits
from newsmon.nlp.records import Figure

log = logging.getLogger(__name__)

RESOURCES = Path(__file__).parent / "resources"
_HYPHENS = ("-", "‑", "–")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_LIST_SEPARATORS = ([","], [",", "and"], [",", "or"], ["-", "to", "-"], ["-", "to"], ["-", "and"], ["-", "or"])
_LIST_GAP = 6  # tokens between a percent and a bare number that inherits it ("15 percent X, and 7.3")
_PATTERN_PRIORITY = {"block": 0, "age": 1, "count": 2}
_WINDOW_BEFORE, _WINDOW_AFTER = 10, 8  # tokens around a number that context patterns may need
_NAMED_THINGS = ("PRODUCT", "LAW", "WORK_OF_ART", "FAC", "EVENT")  # "Boeing 787", "Article 13"

if not Doc.has_extension("figures"):
    Doc.set_extension("figures", default=None)


@Language.factory("newsmon_figures", default_config={"resources_dir": None})
def make_figures(nlp: Language, name: str, resources_dir: str | None) -> "FiguresComponent":
    return FiguresComponent(nlp, name, Path(resources_dir) if resources_dir else RESOURCES)


@dataclass(frozen=True)
class Mark:
    """What a context pattern says about the numbers inside its match."""
    action: str  # block | age | count
    pattern: str
    object: str | None = None


@dataclass
class Candidate:
    """A number on its way to becoming a Figure (or being rejected, with a reason)."""
    number: ParsedNumber
    start: int  # token span of the figure's text
    end: int
    value: float
    kind: str | None = None
    unit: str | None = None
    object: str | None = None
    bare: bool = False  # nothing of its own says what it measures
    reason: str = ""  # why it is not a figure
    mark: Mark | None = None

    def keep(self, kind: str, unit: str | None = None, obj: str | None = None,
             end: int | None = None, value: float | None = None) -> "Candidate":
        self.kind, self.unit, self.object = kind, unit, obj
        self.end = max(self.end, end or self.end)
        if value is not None:
            self.value = value
        return self

    def reject(self, reason: str) -> "Candidate":
        self.reason = reason
        return self


class PhraseTable(dict):
    """A dict keyed by lower-case phrases ("per cent", "km / h") that knows their first words."""

    def __init__(self, entries) -> None:
        super().__init__(entries)
        self.first_words = frozenset(key.split(" ")[0] for key in self)
        self.longest = max((key.count(" ") + 1 for key in self), default=1)


@dataclass
class Tables:
    """The data files, loaded once per component."""
    vocab: NumberVocab
    lex: NounLexicon
    currency_symbols: dict[str, str]
    currency_codes: dict[str, str]
    currency_words: dict[str, str]
    currency_qualified: PhraseTable
    currency_minor: dict[str, tuple[str, float]]
    ambiguous_money: frozenset[str]
    money_cues: frozenset[str]
    durations: PhraseTable  # word -> (unit, factor)
    quantities: PhraseTable  # word -> symbol
    glued_only: frozenset[str]
    percent: PhraseTable
    percent_glued: frozenset[str]
    months: frozenset[str]
    ambiguous_months: frozenset[str]
    weekdays: frozenset[str]
    year_range: tuple[int, int]
    time_words: frozenset[str]
    not_identifiers: frozenset[str]
    range_connectors: frozenset[str]
    score_words: frozenset[str]
    ellipsis_cues: frozenset[str]
    antecedent_chars: int
    no_antecedent_after: frozenset[str]
    temporal_modifiers: frozenset[str]
    patterns: list[dict] = field(default_factory=list)

    @classmethod
    def load(cls, folder: Path, nlp: Language) -> "Tables":
        cur, units, ctx = (_toml(folder / f) for f in ("currencies.toml", "units.toml", "figure_context.toml"))
        codes = {c: cur["code_aliases"].get(c, c) for c in cur["codes"]["names"]}
        with (folder / "figure_patterns.jsonl").open(encoding="utf-8") as fh:
            patterns = [json.loads(line) for line in fh if line.strip()]
        return cls(
            vocab=NumberVocab.from_file(folder / "numbers.toml"),
            lex=NounLexicon.load(folder / "nouns.toml", nlp),
            currency_symbols=dict(cur["symbols"]), currency_codes=codes,
            currency_words=dict(cur["words"]), currency_qualified=PhraseTable(cur["qualified"]),
            currency_minor={k: (v[0], float(v[1])) for k, v in cur["minor"].items()},
            ambiguous_money=frozenset(cur["ambiguous"]["words"]),
            money_cues=frozenset(cur["ambiguous"]["money_cues"]),
            durations=PhraseTable({k: (v[0], float(v[1])) for k, v in units["duration"].items()}),
            quantities=PhraseTable(units["quantity"]), glued_only=frozenset(units["glued_only"]["names"]),
            percent=PhraseTable(dict.fromkeys(units["percent"]["names"], "%")), percent_glued=frozenset(units["percent"]["glued"]),
            months=frozenset(ctx["dates"]["months"]), ambiguous_months=frozenset(ctx["dates"]["ambiguous_months"]),
            weekdays=frozenset(ctx["dates"]["weekdays"]),
            year_range=(ctx["dates"]["year_min"], ctx["dates"]["year_max"]),
            time_words=frozenset(ctx["times"]["after"]),
            not_identifiers=frozenset(ctx["names"]["not_identifiers"]),
            range_connectors=frozenset(ctx["ranges"]["connectors"]),
            score_words=frozenset(ctx["scores"]["words"]), ellipsis_cues=frozenset(ctx["ellipsis"]["cues"]),
            antecedent_chars=int(ctx["ellipsis"]["antecedent_chars"]),
            no_antecedent_after=frozenset(ctx["ellipsis"]["not_after"]),
            temporal_modifiers=frozenset(ctx["times"]["temporal_modifiers"]), patterns=patterns,
        )


def _toml(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


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


def classify(doc: Doc, number: ParsedNumber, t: Tables, marks: dict[int, Mark]) -> Candidate:
    """Decide what one number measures from the words around it."""
    c = Candidate(number, number.start, number.end, number.value)
    c.mark = next((marks[i] for i in range(number.start, number.end) if i in marks), None)
    if c.mark is not None and c.mark.action == "block":
        return c.reject(f"pattern {c.mark.pattern}")
    reason = not_an_amount(doc, number, t)
    if reason:
        return c.reject(reason)
    currency = _currency_before(doc, number, t)
    if currency is not None:
        code, first = currency
        c.start = first
        return _money(doc, c, code, t)
    if c.mark is not None and c.mark.action == "age" and not _other_time_unit(doc, number.end, t):
        return _age(c)
    if number.suffix is not None:
        return _glued_suffix(doc, c, t)
    return _after(doc, c, t)


def _money(doc: Doc, c: Candidate, code: str, t: Tables) -> Candidate:
    """Money with its currency before the number; scale suffixes count here ("£5m")."""
    number = c.number
    value = c.value
    if number.suffix is not None:
        scale = t.vocab.suffix_scales.get(number.suffix.lower())
        if scale is None:
            return c.reject(f"money with unknown suffix {number.suffix!r}")
        value = number.base * scale
    return c.keep("money", code, value=value)


def _other_time_unit(doc: Doc, i: int, t: Tables) -> bool:
    """"age of 48 months" is a length of time, not an age in years."""
    return i < len(doc) and doc[i].lower_ in t.durations and t.durations[doc[i].lower_][0] != "year"


def _age(c: Candidate) -> Candidate:
    if not c.number.is_integer or not 0 < c.value < 125:
        return c.reject("age out of range")
    return c.keep("age", "year")


def _glued_suffix(doc: Doc, c: Candidate, t: Tables) -> Candidate:
    """"100MW", "24h", "50p", "5pc", "1.5m users", "100m sprint"."""
    suffix = c.number.suffix or ""
    lower = suffix.lower()
    if lower in t.vocab.ambiguous_suffixes and suffix.islower():
        head = find_counted(doc, c.number.end, t.lex)
        if head is not None and head.plural and head.object:
            value = c.number.base * t.vocab.suffix_scales[lower]
            return c.keep("count", obj=head.object, end=head.end, value=value)
    if lower in t.percent_glued:
        return c.keep("percent", "%")
    if lower in t.currency_minor and c.number.base < t.currency_minor[lower][1]:
        code, factor = t.currency_minor[lower]  # "50p" is pence, "720p" a video resolution
        return c.keep("money", code, value=c.number.base / factor)
    if len(suffix) == 1 and not suffix.islower():
        return c.reject(f"identifier-like suffix {suffix!r}")
    if lower in t.durations:
        unit, factor = t.durations[lower]
        return c.keep("duration", unit, value=c.number.base * factor)
    if lower in t.quantities:
        return c.keep("quantity", t.quantities[lower])
    return c.reject(f"unknown suffix {suffix!r}")


def _after(doc: Doc, c: Candidate, t: Tables) -> Candidate:
    """Units, currencies, compounds and nouns after a plain number."""
    e = c.number.end
    found = _percent_after(doc, e, t)
    if found is not None:
        return c.keep("percent", "%", end=found)
    money = _currency_after(doc, c, t)
    if money is not None:
        return money
    if _is_year(c.number, t):
        return c.reject("year")
    if (e + 1 < len(doc) and doc[e].text in _HYPHENS and _glued(doc, e) and doc[e + 1].is_alpha
            and not t.vocab.is_number_word(doc[e + 1].lower_) and doc[e + 1].lower_ not in t.lex.stops):
        return _hyphen_compound(doc, c, t)
    unit = _unit_after(doc, c, t)
    if unit is not None:
        return unit
    return _count(doc, c, t)


def _count(doc: Doc, c: Candidate, t: Tables) -> Candidate:
    """A number followed by the noun it counts, or a bare number left for later."""
    number = c.number
    head = find_counted(doc, number.end, t.lex)
    if head is None and _name_follows(doc, number.end):
        return c.reject("followed by a name: a model or label")
    if head is None or head.antecedent:
        c.bare = True
        return c
    if head.not_counted:
        if c.mark is not None and c.mark.action == "count":
            return c.keep("count", obj=c.mark.object)
        return c.reject("not a count of things")
    if head.object and head.object.split()[-1] in t.durations:
        return _duration_with_modifiers(c, head, t)
    if not number.is_integer:
        c.bare = True
        return c
    if head.plural:
        if c.value == 1 and number.scale == 1:
            return c.reject("'one' with a plural: a pronoun")
        return c.keep("count", obj=head.object, end=head.end)
    return _singular_count(doc, c, head, t)


def _duration_with_modifiers(c: Candidate, head: CountedHead, t: Tables) -> Candidate:
    """"three full days" is a duration; "one last month" is a time reference."""
    if any(m in t.temporal_modifiers for m in head.modifiers) or not head.modifiers:
        return c.reject("time reference, not a length of time")
    unit, factor = t.durations[head.object.split()[-1]]
    return c.keep("duration", unit, end=head.end, value=c.value * factor)


def _singular_count(doc: Doc, c: Candidate, head: CountedHead, t: Tables) -> Candidate:
    """"one billionaire" and "12 freight" count; "the 777 program" and "737 Max jet" do not."""
    if c.value == 1:
        if head.direct and not head.via_of and c.number.scale == 1:
            return c.keep("count", obj=head.object, end=head.end)
        return c.reject("one without its own noun")
    if head.via_of:
        return c.keep("count", obj=head.object, end=head.end)
    if head.skipped_names:
        return c.reject("model name or number")
    prev = _prev_word(doc, c.number.start)
    if prev in t.lex.determiners and c.number.words:
        c.bare = True  # "the four go on": the four counted before
        return c
    if prev in t.lex.determiners:
        return c.reject("number names a thing")
    if prev in t.ellipsis_cues:
        c.bare = True
        return c
    if not t.lex.is_known_noun(head.object.split()[-1]):
        return c.reject(f"unknown singular word {head.object!r} after a number")
    if not _phrase_ends(doc, head.end, t):
        return c.reject("singular noun inside a longer phrase")
    return c.keep("count", obj=head.object, end=head.end)


def _phrase_ends(doc: Doc, i: int, t: Tables) -> bool:
    """"including 12 freight." ends at the noun; "17 need parental consent" does not."""
    return i >= len(doc) or doc[i].is_punct or doc[i].is_space or doc[i].lower_ in t.lex.stops


def _hyphen_compound(doc: Doc, c: Candidate, t: Tables) -> Candidate:
    """"five-year plan", "two-goal lead", "10-km race", "5-percent"."""
    e = c.number.end
    word = doc[e + 1].lower_
    if word in t.durations:
        unit, factor = t.durations[word]
        return c.keep("duration", unit, end=e + 2, value=c.number.value * factor)
    if word in t.quantities and word not in t.glued_only:
        return c.keep("quantity", t.quantities[word], end=e + 2)
    if word in t.percent:
        return c.keep("percent", "%", end=e + 2)
    lex = t.lex
    if word in lex.not_counted or lex.is_modifier(word) or not lex.is_noun(word):
        return c.reject(f"compound '-{word}' is not a count")
    if not c.number.is_integer:
        return c.reject("compound with a non-count number")
    return c.keep("count", obj=lex.singular(word) or word, end=e + 2)


# -- units and currencies ----------------------------------------------------------------

def _phrase_lookup(doc: Doc, start: int, table: PhraseTable) -> tuple[str, int] | None:
    """Longest phrase at start whose lower-case token texts, joined by spaces, are in table."""
    if start >= len(doc) or doc[start].lower_ not in table.first_words:
        return None
    for n in range(min(table.longest, len(doc) - start), 0, -1):
        key = " ".join(tok.lower_ for tok in doc[start:start + n])
        if key in table:
            return key, start + n
    return None


def _letter_case_fits(text: str, t: Tables) -> bool:
    """A one-letter unit must be written as its symbol: "5 g" grams, "5G" a network."""
    if len(text) != 1 or not text.isalpha():
        return True
    return text == text.lower() or text == t.quantities.get(text.lower())


def _percent_after(doc: Doc, e: int, t: Tables) -> int | None:
    found = _phrase_lookup(doc, e, t.percent)
    return found[1] if found else None


def _currency_before(doc: Doc, number: ParsedNumber, t: Tables) -> tuple[str, int] | None:
    """(ISO code, first token) when a symbol or code stands before the number."""
    if number.prefix is not None:
        code = t.currency_symbols.get(number.prefix)
        return (code, number.start) if code else None
    i = number.start - 1
    if i < 0:
        return None
    text = doc[i].text
    if text == "." and i > 0 and doc[i - 1].text + "." in t.currency_symbols:
        return t.currency_symbols[doc[i - 1].text + "."], i - 1
    if text in t.currency_symbols:
        return t.currency_symbols[text], i
    if text in t.currency_codes:
        return t.currency_codes[text], i
    return None


def _currency_after(doc: Doc, c: Candidate, t: Tables) -> Candidate | None:
    """"50 million won", "10 Canadian dollars", "5 million USD", "99 cents", "5,200 pounds"."""
    e = c.number.end
    if e >= len(doc):
        return None
    qualified = _phrase_lookup(doc, e, t.currency_qualified)
    if qualified is not None:
        return c.keep("money", t.currency_qualified[qualified[0]], end=qualified[1])
    tok = doc[e]
    lower = tok.lower_
    if tok.text in t.currency_codes:
        return c.keep("money", t.currency_codes[tok.text], end=e + 1)
    if tok.text in t.currency_symbols and not tok.is_alpha:  # "60,000₩", "50 €"
        return c.keep("money", t.currency_symbols[tok.text], end=e + 1)
    if lower in t.currency_minor and lower not in t.glued_only:
        code, factor = t.currency_minor[lower]
        return c.keep("money", code, end=e + 1, value=c.value / factor)
    if lower not in t.currency_words:
        return None
    if lower in t.ambiguous_money and _weight_not_money(doc, c.number, e, t):
        return None
    return c.keep("money", t.currency_words[lower], end=e + 1)


def _weight_not_money(doc: Doc, number: ParsedNumber, e: int, t: Tables) -> bool:
    """"5,200 pounds of water" is a weight, "fined 500 pounds" money; else NER decides."""
    if e + 1 < len(doc) and doc[e + 1].lower_ == "of":
        return True
    if any(tok.lower_ in t.money_cues for tok in doc[max(0, number.start - 5):number.start]):
        return False
    return doc[number.start].ent_type_ == "QUANTITY"


def _unit_after(doc: Doc, c: Candidate, t: Tables) -> Candidate | None:
    e = c.number.end
    glued = doc[e - 1].whitespace_ == "" and not c.number.words
    found = _phrase_lookup(doc, e, t.durations)
    if found is not None and (glued or found[0] not in t.glued_only):
        unit, factor = t.durations[found[0]]
        return c.keep("duration", unit, end=found[1], value=c.value * factor)
    found = _phrase_lookup(doc, e, t.quantities)
    if found is not None and (glued or found[0] not in t.glued_only) and _letter_case_fits(doc[e].text, t):
        return c.keep("quantity", t.quantities[found[0]], end=found[1])
    return None


# -- what is not an amount ---------------------------------------------------------------

def not_an_amount(doc: Doc, number: ParsedNumber, t: Tables) -> str:
    """Why this number is a date, time, identifier, phone number or score; "" if none."""
    if _next_word(doc, number.end) in t.time_words:
        return "time of day"
    if _is_date(doc, number, t):
        return "date"
    if not number.words and number.raw.startswith("0") and len(number.raw) > 1 and "." not in number.raw:
        return "identifier with a leading zero"
    if _is_identifier(doc, number, t):
        return "identifier"
    return _digit_pair(doc, number, t)


def _is_date(doc: Doc, number: ParsedNumber, t: Tables) -> bool:
    if number.words or not number.is_integer or number.value > 31:
        return False
    return _is_month(doc, number.start - 1, t) or _is_month(doc, number.end, t) or (
        number.start >= 2 and doc[number.start - 1].text == "." and _is_month(doc, number.start - 2, t))


def _is_month(doc: Doc, i: int, t: Tables) -> bool:
    if not 0 <= i < len(doc):
        return False
    tok = doc[i]
    if tok.lower_ not in t.months:
        return False
    return tok.lower_.rstrip(".") not in t.ambiguous_months or tok.text[0].isupper()


def _is_function_word(tok: Token, t: Tables) -> bool:
    """Words that may start a sentence before an amount ("About 200", "In 2019", "The 10")."""
    lower = tok.lower_
    return lower in t.not_identifiers or lower in t.lex.stops or lower in t.lex.modifiers


def _is_calendar_word(tok: Token, t: Tables) -> bool:
    lower = tok.lower_
    return lower in t.months or lower in t.weekdays


def _is_year(number: ParsedNumber, t: Tables) -> bool:
    low, high = t.year_range
    return (not number.words and number.raw.isdigit() and len(number.raw) == 4
            and low <= number.value <= high)


def _is_identifier(doc: Doc, number: ParsedNumber, t: Tables) -> bool:
    """"Boeing 787", "iPhone 11", "A350-900", "400 737 Max jets" (the 737)."""
    i = number.start - 1
    if i < 0 or number.prefix:
        return False
    prev, first = doc[i], doc[number.start]
    if first.ent_iob_ == "I" and first.ent_type_ in _NAMED_THINGS:
        return True
    if prev.text in _HYPHENS and _glued(doc, i) and i > 0:
        before = doc[i - 1].text
        return any(ch.isupper() for ch in before) or (any(ch.isdigit() for ch in before) and not before[0].isdigit())
    if i == 0 or _is_function_word(prev, t) or _is_calendar_word(prev, t):
        return False
    text = prev.text
    if text in t.currency_symbols or text in t.currency_codes:
        return False
    if any(ch.isupper() for ch in text) and any(ch.isalpha() for ch in text) and text[-1] not in ".,;:)":
        return True
    prev_digits = read_digits(text)
    if prev_digits is not None and prev.whitespace_ and not number.words:
        return len(number.raw) >= 3 or text.startswith("+")
    if prev.like_num and prev.is_alpha and not number.words and len(number.raw) >= 3:
        return True  # "five 787 Dreamliner sales"
    return text.startswith("+") and text[1:].isdigit()


def _digit_pair(doc: Doc, number: ParsedNumber, t: Tables) -> str:
    """"4-1" (score), "787-9" (model), "555-1234" (phone), "2019-11-19" (date): not ranges."""
    if number.words or not number.raw.replace(",", "").isdigit():
        return ""
    left = _glued_digits(doc, number.start - 2) if _is_glued_hyphen(doc, number.start - 1) else None
    right = _glued_digits(doc, number.end + 1) if _is_glued_hyphen(doc, number.end) else None
    if left is None and right is None:
        return ""
    if left is not None and right is not None:
        return "chain of digit groups"
    a, b = (left, number.raw) if left is not None else (number.raw, right)
    if len(a) == 3 and len(b) == 4 and "," not in a + b:
        return "phone number"
    if float(b.replace(",", "")) <= float(a.replace(",", "")):
        return "score or model number"
    window = doc[max(0, number.start - 4):min(len(doc), number.end + 5)]
    if any(tok.lower_ in t.score_words for tok in window):
        return "score"
    return ""


def _is_glued_hyphen(doc: Doc, i: int) -> bool:
    return 0 < i < len(doc) - 1 and doc[i].text in _HYPHENS and _glued(doc, i)


def _glued_digits(doc: Doc, i: int) -> str | None:
    if not 0 <= i < len(doc):
        return None
    digits = read_digits(doc[i].text)
    if digits is None or digits.prefix or digits.suffix or "." in digits.raw:
        return None
    return digits.raw


# -- ranges and bare numbers -------------------------------------------------------------

def link_ranges(doc: Doc, candidates: list[Candidate], t: Tables) -> None:
    """Ranges and lists ("242 to 330 passengers", "$40-50 billion", "5, 10 and 20 units"):
    a side without a unit of its own takes its neighbour's kind, unit, object and scale."""
    pairs = [(a, b) for a, b in zip(candidates, candidates[1:])
             if not a.reason and not b.reason and _is_range(doc, a, b, t)]
    for a, b in reversed(pairs):
        if a.kind is None and b.kind is not None:
            a.keep(b.kind, b.unit, b.object)
    for a, b in pairs:
        if b.kind is None and a.kind is not None:
            b.keep(a.kind, a.unit, a.object)
    for a, b in pairs:
        if a.kind is not None and a.kind == b.kind:
            a.value = _scaled_like(a, b)


def _scaled_like(a: Candidate, b: Candidate) -> float:
    """"40" in "$40-50 billion" is 40 billion: take b's scale when a has none."""
    if a.number.scale == 1 and b.number.scale > 1 and a.number.base <= b.number.base and a.number.base < 1000:
        return a.number.base * b.number.scale
    return a.value


def _is_range(doc: Doc, a: Candidate, b: Candidate, t: Tables) -> bool:
    """Only a range connector ("-", "to", "between .. and") or a list separator (",",
    ", and") between a and b."""
    if b.number.start - a.end > 3:
        return False
    between = [tok.lower_ for tok in doc[a.end:b.number.start]
               if tok.text not in t.currency_symbols and tok.text not in t.currency_codes]
    if len(between) == 1 and between[0] in t.range_connectors:
        return True
    return between in _LIST_SEPARATORS


def resolve_bare(doc: Doc, candidates: list[Candidate], t: Tables) -> None:
    """Numbers with no unit or noun of their own: a count pattern's object, the percent
    list they close ("15.36 percent Hispanic, and 7.3 of another race"), or the thing
    counted just before ("Seven suspects, six of whom", "Of the two")."""
    last_count: Candidate | None = None
    last_kept: Candidate | None = None
    for c in candidates:
        if c.reason:
            continue
        if c.kind is None and c.bare:
            _resolve_one(doc, c, last_count, last_kept, t)
        if c.kind is not None:
            last_kept = c
            if c.kind == "count" and c.object:
                last_count = c


def _resolve_one(doc: Doc, c: Candidate, last_count: Candidate | None,
                 last_kept: Candidate | None, t: Tables) -> None:
    if c.mark is not None and c.mark.action == "count":
        c.keep("count", obj=c.mark.object)
    elif last_kept is not None and last_kept.kind == "percent" and _same_list(doc, last_kept, c):
        c.keep("percent", "%")
    elif not c.number.is_integer or c.value in (0, 1):
        c.reject("bare fraction, zero or 'one'")
    elif _in_table_or_score(doc, c):
        c.reject("bare number among numbers")
    elif _prev_word(doc, c.start) in t.no_antecedent_after and not _part_of_whole(doc, c.start):
        c.reject("bare number is a value, not a count")
    elif last_count is not None and doc[c.start].idx - doc[last_count.start].idx <= t.antecedent_chars:
        c.keep("count", obj=last_count.object)
    else:
        c.reject("nothing counted")


def _part_of_whole(doc: Doc, i: int) -> bool:
    """"lost four of five", "seven out of eight": the whole counts the same things."""
    if i < 2 or doc[i - 1].lower_ != "of":
        return False
    before = doc[i - 2]
    return before.like_num or before.lower_ == "out"


def _in_table_or_score(doc: Doc, c: Candidate) -> bool:
    """"5040 5 1 17" (a table row), "7-6 (5)" (a tie-break), "(27, 28)" (citations),
    "3. Practice" (a list item), "6-4" with no unit."""
    before = doc[c.start - 1] if c.start > 0 else None
    after = doc[c.end] if c.end < len(doc) else None
    for tok in (before, after):
        if tok is not None and (tok.like_num or any(ch.isdigit() for ch in tok.text)):
            return True
    if any(_is_glued_hyphen(doc, i) for i in (c.start - 1, c.end)):
        return True
    if (before is None or before.is_space) and after is not None and after.text in (".", ")"):
        return True
    return _in_number_brackets(doc, c.start, c.end)


def _in_number_brackets(doc: Doc, start: int, end: int, reach: int = 8) -> bool:
    """Inside brackets that hold nothing but numbers: "(4)", "(10, 11)", "(27, 28, 29)"."""
    left = next((i for i in range(start - 1, max(-1, start - reach), -1) if not _list_filler(doc[i])), None)
    right = next((i for i in range(end, min(len(doc), end + reach)) if not _list_filler(doc[i])), None)
    return (left is not None and right is not None and doc[left].text in ("(", "[")
            and doc[right].text in (")", "]"))


def _list_filler(tok: Token) -> bool:
    return tok.like_num or tok.text in (",", "-", "–", "and", ";")


def _same_list(doc: Doc, prev: Candidate, c: Candidate) -> bool:
    if c.number.start - prev.end > _LIST_GAP:
        return False
    return not any(tok.text in (".", "!", "?", "\n") or tok.is_space for tok in doc[prev.end:c.number.start])


# -- small helpers -----------------------------------------------------------------------

def _glued(doc: Doc, i: int) -> bool:
    """Token i touches the tokens on both sides ("5-7", "two-goal")."""
    return i > 0 and doc[i - 1].whitespace_ == "" and doc[i].whitespace_ == ""


def _name_follows(doc: Doc, i: int) -> bool:
    """"the 11 Pro Max", "151 PS": a capitalised word right after the number."""
    return i < len(doc) and doc[i].is_alpha and doc[i].text[0].isupper() and not doc[i].is_sent_start


def _next_word(doc: Doc, i: int) -> str:
    return doc[i].lower_ if i < len(doc) else ""


def _prev_word(doc: Doc, i: int) -> str:
    return doc[i - 1].lower_ if i > 0 else ""


def _sentence(doc: Doc, start: int, end: int) -> str:
    if doc.has_annotation("SENT_START"):
        return doc[start].sent.text.strip()
    first, last = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
    text = doc.text
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, first)), default=0)
    right = next((m.start() for m in _SENTENCE_END.finditer(text, last)), len(text))
    return text[left:right].strip()


def _to_figure(doc: Doc, c: Candidate) -> Figure:
    span = doc[c.start:c.end]
    value = float(c.value)
    return Figure(kind=c.kind, value=round(value, 6), unit=c.unit, object=c.object,
                  text=span.text, start=span.start_char, end=span.end_char,
                  sentence=_sentence(doc, c.start, c.end))
