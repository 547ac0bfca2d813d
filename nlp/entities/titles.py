"""Capitals that say nothing of a name: titles of works, headlines and headings.

Owns the readings used by ``judge`` where title case is typography, not a name's mark: a
quoted title of a work ("Takin' It to the Streets", a whole quotation "Mary Poppins"); a
headline in title case that the model took for a name ("Diner Owner Arrested After Flood"): a
participle before a capitalised preposition, or capitalised function words, which names do
not have; and a name found only on lines written in title case (headings, headlines, table
heads).
"""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from newsmon.nlp.entities.context import QUOTES, Candidate, DocContext, line_bounds
from newsmon.nlp.entities.cues import occurrences

TITLE_FUNCTION_WORDS = frozenset({"a", "an", "the", "of", "to", "in", "on", "and", "or", "for", "with", "at", "by"})


def headline(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """The words that make a title-case span of three or more words a headline, not a name: a
    capitalised participle in -ed before a capitalised function word ("Arrested After"), or two
    capitalised function words ("To Be", "After ... Into"); None for a name ("Doctors Without
    Borders": one such word). The pipeline has no tagger (it would cost the speed budget), so
    the words are read from their form and spaCy's stop words."""
    if c.length < 3:
        return None
    tokens = doc[c.start:c.end]
    connectors = ctx.rules.connectors
    function_at = [t.i for t in tokens[1:] if t.is_title and t.is_stop and t.lower_ not in connectors
                   and t.lower_ != "the"]
    for t in tokens[1:-1]:
        if t.is_title and t.is_alpha and len(t) > 4 and t.lower_.endswith("ed") and t.i + 1 in function_at:
            return f"{t.text} {doc[t.i + 1].text}"
    if len(function_at) >= 2:
        return " ... ".join(doc[i].text for i in function_at)
    return None


_LINE_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def title_case_lines_only(ctx: DocContext, name: str) -> bool:
    """Every line that writes `name` is written in title case: four words or more, each
    capitalised but for stop words, and no sentence stop inside -- a heading, a headline, a
    table's head -- where capitals say nothing of a name ("Man Shot at Dallas Gas Station Dies
    at Hospital", "Ticker Security Last Change Change %")."""
    text, found = ctx.text, False
    for start, end in occurrences(text, name):
        first, last = line_bounds(text, start, end)
        line = text[first:last]
        words = _LINE_WORD.findall(line)
        if len(words) < 4 or ". " in line or any(w[0].islower() and w.lower() not in STOP_WORDS for w in words):
            return False
        found = True
    return found


def in_quoted_title(doc: Doc, c: Candidate) -> bool:
    """Inside a short quotation of capitalised words: a title ("Takin' It to the Streets")."""
    left = c.start - 1
    while left >= 0 and c.start - left <= 8 and doc[left].text not in QUOTES and doc[left].text not in ".!?\n":
        left -= 1
    right = c.end
    while right < len(doc) and right - c.end <= 8 and doc[right].text not in QUOTES and doc[right].text not in ".!?\n":
        right += 1
    if left < 0 or right >= len(doc) or doc[left].text not in QUOTES or doc[right].text not in QUOTES:
        return False
    if not (_opening(doc, left) and _closing(doc, right)):
        return False  # '"Parasite" and Sean Baker's "Anora"': between two quotations, not in one
    words = [t for t in doc[left + 1:right] if t.is_alpha]
    return len(words) >= 2 and all(t.text[:1].isupper() or t.lower_ in TITLE_FUNCTION_WORDS for t in words)


def _opening(doc: Doc, i: int) -> bool:
    """The quotation mark at ``i`` opens a quotation: “, or a straight one after a space (or
    at the start) and before a word."""
    mark = doc[i].text
    if mark in ("”", "»"):
        return False
    return mark in ("“", "«") or ((i == 0 or bool(doc[i - 1].whitespace_) or doc[i - 1].text in "([")
                                  and not doc[i].whitespace_)


def _closing(doc: Doc, i: int) -> bool:
    """The quotation mark at ``i`` closes one: ”, or a straight one right after a word."""
    mark = doc[i].text
    if mark in ("“", "«"):
        return False
    return mark in ("”", "»") or (i > 0 and not doc[i - 1].whitespace_)


def quoted(doc: Doc, c: Candidate) -> bool:
    """The whole quotation: a title of a work ("Mary Poppins")."""
    if c.start == 0 or c.end >= len(doc) or doc[c.start - 1].text not in QUOTES:
        return False
    after = doc[c.end].text
    return after in QUOTES or (after in (",", ".") and c.end + 1 < len(doc) and doc[c.end + 1].text in QUOTES)
