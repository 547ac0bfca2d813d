"""The role of a money figure: what the amount is for, read from its parsed sentence.

Owns `assign_roles`. The role is the one of the cue word nearest to the amount in the
sentence's dependency tree ("fined X €5m": the verb; "a penalty of €5m": the noun over
"of"; "revenue, which reached €412m": the noun the relative clause hangs on), with
cues only as nouns or verbs (so "fine weather" is not a fine) and never inside a name
("Competition Commission"). Then:

* an amount no strong cue reaches but that says what it is worth ("$160 billion of
  goods") is `other`, whatever weak cue ("impose", "order") is further off;
* per-unit amounts ("US$12.99 a month", "$0.002 per call") are prices unless a fine
  cue governs them ("€50,000 a day" in fines);
* a fine amount, or one with no cue, under "up to", "capped at", "maximum", a modal
  ("can reach", "could be fined") or a condition ("if") is a `maximum`;
* an amount that restates the one before it ("15.1 billion won ($11m)", "6% of its
  turnover, or roughly €680m") takes that one's role;
* otherwise `other`.

Word lists are data (nlp/resources/money.toml, `MoneyLexicon`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from spacy.tokens import Span, Token

from newsmon.nlp.money.lexicon import MoneyLexicon, is_any
from newsmon.nlp.money.parse import Parsed
from newsmon.nlp.records import Figure

MAX_TREE_DISTANCE = 7
_OPENING_WORDS = frozenset({"(", ",", "or", "—", "–"})
_PER_UNIT_FINE = 3  # a fine cue this close makes "€50,000 a day" a periodic penalty, not a price
_PERCENT_REACH = 15  # tokens between "6% of turnover" and the ", or roughly €680m" that restates it
_DETERMINERS = frozenset({"a", "an", "the"})


@dataclass
class Placed:
    """A figure of the sentence with its tokens in the parsed copy and what was decided."""
    figure: Figure
    span: Span
    role: str | None = None
    cue: Token | None = None  # the word that decided the role
    restates: "Placed | None" = None  # the amount this one converts or restates


def assign_roles(parsed: Parsed, figures: list[Figure], lex: MoneyLexicon,
                 names: set[int]) -> list[Placed]:
    """Set `role` on every money figure of the sentence; `names` are the parsed copy's
    token indices inside people's and organisations' names (never cues)."""
    placed = []
    for figure in figures:
        span = parsed.span(figure.start, figure.end)
        if span is not None and len(span):
            placed.append(Placed(figure, span))
    for item in placed:
        if item.figure.kind in ("money", "percent"):
            item.role, item.cue = role_of(item.span, lex, names)
    for n, item in enumerate(placed):
        if item.figure.kind == "money":
            item.restates = restated(placed[:n], item, lex)
            if item.restates is not None:
                item.role, item.cue = item.restates.role, item.restates.cue
    for first, second in zip(placed, placed[1:]):  # "between £0.15 and £0.40 per user"
        if second.role == "price" and first.role != "price" and _range(first, second):
            first.role, first.cue = second.role, second.cue
    for item in placed:
        if item.figure.kind == "money":
            item.figure.role = item.role or "other"
    return [p for p in placed if p.figure.kind == "money"]


def role_of(span: Span, lex: MoneyLexicon, names: set[int]) -> tuple[str | None, Token | None]:
    """The role of the amount at `span` and the cue that decided it (None, None: no cue)."""
    cue, distance = _in_what(span, lex, names), 1
    if cue is None:
        cue, distance = nearest_cue(span, lex, names, weak=False)
    if cue is None and _of_what(span, names) is not None:
        return "other", _of_what(span, names)  # "impose tariffs on $160 billion of goods"
    if cue is None:
        cue, distance = nearest_cue(span, lex, names, weak=True)
    role = lex.cue(cue) or lex.cue(cue, weak=True) if cue is not None else None
    if per_unit(span, lex) and not (role in ("fine", "compensation") and distance <= _PER_UNIT_FINE):
        return "price", cue  # "$1,150 an hour"; but "a fine of €50,000 a day" is a periodic penalty
    if role in (None, "fine") and is_maximum(span, cue, lex):
        return "maximum", cue
    return role, cue


def _in_what(span: Span, lex: MoneyLexicon, names: set[int]) -> Token | None:
    """"C$500,000 in costs", "$24bn in app store commissions", "£1.1 million in refunds": the
    noun after "in" says what the amount is, whatever the parse made of the phrase."""
    doc = span.doc
    if span.end >= len(doc) or doc[span.end].lower_ != "in":
        return None
    for tok in doc[span.end + 1:min(len(doc), span.end + 6)]:
        if tok.is_punct or tok.pos_ in ("VERB", "ADP", "AUX", "DET", "PRON"):
            return None  # "in its last funding round", "in the third quarter": when, not what
        if tok.i not in names and tok.pos_ in ("NOUN", "PROPN", "") and lex.cue(tok):
            return tok
    return None


def _of_what(span: Span, names: set[int]) -> Token | None:
    """"$160 billion of goods": the noun after "of" says what the amount is worth, which a
    weak cue ("impose", "order") further off does not override."""
    doc = span.doc
    if span.end >= len(doc) or doc[span.end].lower_ != "of":
        return None
    for tok in doc[span.end + 1:min(len(doc), span.end + 5)]:
        if tok.pos_ in ("DET", "ADJ", "NUM") or tok.dep_ in ("amod", "compound", "poss", "case"):
            continue
        return tok if tok.pos_ == "NOUN" and tok.i not in names else None
    return None


def nearest_cue(span: Span, lex: MoneyLexicon, names: set[int], weak: bool) -> tuple[Token | None, int]:
    """The cue word closest to the amount in the dependency tree (ties: the nearer word in
    the text) and its distance in the tree."""
    doc = span.doc
    if not doc.has_annotation("DEP"):
        return _nearest_in_order(span, lex, names, weak), 1
    inside = set(range(span.start, span.end))
    seen = set(inside)
    queue = deque((span.root, 0) for _ in (0,))
    best: tuple[int, int, Token] | None = None
    for tok in span:
        if tok.i not in names and lex.cue(tok, weak=weak):  # "£71.6million fee"
            return tok, 0
    while queue:
        tok, dist = queue.popleft()
        if best is not None and dist > best[0]:
            break
        if dist and tok.i not in names and lex.cue(tok, weak=weak):
            if best is None or (dist, abs(tok.i - span.start)) < best[:2]:
                best = (dist, abs(tok.i - span.start), tok)
            continue
        if dist >= MAX_TREE_DISTANCE:
            continue
        for nxt in (tok.head, *tok.children):
            if nxt.i not in seen:
                seen.add(nxt.i)
                queue.append((nxt, dist + 1))
    return (best[2], best[0]) if best else (None, 0)


def _nearest_in_order(span: Span, lex: MoneyLexicon, names: set[int], weak: bool) -> Token | None:
    """Without a parse: the nearest cue by word order, looking left first."""
    doc = span.doc
    for step in range(1, 12):
        for i in (span.start - step, span.end - 1 + step):
            if 0 <= i < len(doc) and i not in names and lex.cue(doc[i], weak=weak):
                return doc[i]
    return None


def _range(first: Placed, second: Placed) -> bool:
    """Two amounts of one currency joined as a range: "£0.15 and £0.40", "$40-50"."""
    if first.figure.kind != "money" or first.figure.unit != second.figure.unit:
        return False
    between = [t.lower_ for t in first.span.doc[first.span.end:second.span.start]]
    return between in (["and"], ["to"], ["-"], ["–"], ["or"])


def per_unit(span: Span, lex: MoneyLexicon) -> bool:
    """"$12.99 a month", "$0.002 per call", "£0.40 per user", "CHF 0.35 per transaction"."""
    doc = span.doc
    i = span.end
    if i < len(doc) and doc[i].lower_ in lex.per_words:
        j = i + 1
        while j < len(doc) and doc[j].lower_ in _DETERMINERS:
            j += 1
        return j < len(doc) and is_any(doc[j], lex.per_units)
    return False


def is_maximum(span: Span, cue: Token | None, lex: MoneyLexicon) -> bool:
    """Statutory or possible: "up to £18m", "capped at", "maximum penalty ... is", "can reach",
    "could be fined", "would be imposed ... if"."""
    if _maximum_phrase_before(span, lex):
        return True
    path = _path(span.root, cue) if cue is not None else [span.root]
    if cue is not None and cue.pos_ == "NOUN":
        path.append(cue.head)  # "could face a fine of", "penalties can reach"
    for tok in path:
        if is_any(tok, lex.maximum_words) or any(
                is_any(c, lex.maximum_words) for c in tok.children if c.dep_ in ("amod", "compound", "advmod")):
            return True
        if tok.pos_ in ("VERB", "AUX") and any(
                c.dep_ in ("aux", "auxpass") and c.lower_ in lex.modals for c in tok.children):
            return True
        if tok.pos_ == "VERB" and _conditional(tok, lex):
            return True
    return False


def _maximum_phrase_before(span: Span, lex: MoneyLexicon) -> bool:
    """"up to £18m", and with an article between: "up to a $250,000 fine"."""
    doc = span.doc
    words = [t.lower_ for t in doc[max(0, span.start - 6):span.start]]
    if words and words[-1] in _DETERMINERS:
        words = words[:-1]
    return any(tuple(words[-len(p):]) == p for p in lex.maximum_before if len(p) <= len(words))


def _conditional(verb: Token, lex: MoneyLexicon) -> bool:
    """The verb's clause depends on "if"/"unless" ("would be imposed ... if it fails")."""
    for tok in (verb, *verb.children):
        if tok.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in lex.conditional for c in tok.children):
            return True
    return any(c.dep_ == "mark" and c.lower_ in lex.conditional for c in verb.children) and any(
        c.lower_ == "would" for c in verb.children)


def _path(start: Token, end: Token) -> list[Token]:
    """Tokens on the tree path from start to end (both included)."""
    up_start = [start, *start.ancestors]
    up_end = [end, *end.ancestors]
    common = next((t for t in up_start if t in up_end), None)
    if common is None:
        return [start, end]
    left = up_start[:up_start.index(common) + 1]
    right = up_end[:up_end.index(common)]
    return left + list(reversed(right))


def restated(earlier: list[Placed], item: Placed, lex: MoneyLexicon) -> Placed | None:
    """The earlier figure that `item` restates in another currency or as money, if any:
    "15.1 billion won ($11m)", "2.6 billion lira, about $68 million", and "up to 6% of its
    turnover, which was €11.4bn last year, or roughly €680m" (the 6%, not the €11.4bn)."""
    doc = item.span.doc
    j, words = item.span.start, []
    while j > 0 and doc[j - 1].lower_ in lex.conversion_between and len(words) < 4:
        j -= 1
        words.append(doc[j].lower_)
    if not _OPENING_WORDS & set(words):
        return None
    for other in reversed(earlier):
        if other.span.end > j:
            continue
        gap = j - other.span.end
        if other.figure.kind == "percent":
            return other if gap <= _PERCENT_REACH else None
        if other.figure.kind == "money" and other.figure.unit != item.figure.unit:
            return other if gap == 0 else None
    return None
