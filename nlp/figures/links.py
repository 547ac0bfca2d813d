"""Figures that take their meaning from a neighbour: ranges, lists and bare numbers.

Owns `link_ranges` ("$40-50 billion", "242 to 330 passengers") and `resolve_bare`
(a number with no unit of its own: a count pattern's object, the percent list it
closes, or the thing counted just before).
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from newsmon.nlp.figures.classify import Candidate
from newsmon.nlp.figures.tables import Tables
from newsmon.nlp.figures.tokens import is_glued_hyphen, prev_word

_LIST_SEPARATORS = ([","], [",", "and"], [",", "or"], ["-", "to", "-"], ["-", "to"], ["-", "and"], ["-", "or"])
_LIST_GAP = 6  # tokens between a percent and a bare number that inherits it ("15 percent X, and 7.3")


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
    elif prev_word(doc, c.start) in t.no_antecedent_after and not _part_of_whole(doc, c.start):
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
    if any(is_glued_hyphen(doc, i) for i in (c.start - 1, c.end)):
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
