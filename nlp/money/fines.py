"""Fine records: the penalties an article reports, one record per distinct fine.

Owns `fine_candidates` (every money figure whose role is `fine`, with its status and
parties) and `consolidate` (folding the candidates of one article into records). The
rules, in order:

* status from the words that govern the amount: `proposed` ("proposes", "intends to",
  "provisional"), `agreed` ("agreed to pay", "to settle"), `reduced` ("cut the fine ...
  to €4.5m"); amounts that were only asked for ("prosecutors had sought"), an earlier
  figure replaced ("originally proposed", "reduced ... from €12m") and maxima are no
  records; a conversion ("15.1 billion won ($11m)") is the amount it converts;
* "X and Y were fined €10m each" gives one record per payer; "... ¥910 million and
  ¥430 million respectively" pairs payers and amounts in order;
* a total of other records ("a total of €112 million") and the parts of a record ("made
  up of €62m ... and €29m") are no records of their own (the arithmetic says which);
* a reduced fine replaces the larger amounts of the same payer;
* the same fine said again ("€5.1m" in the headline, "€5.125 million" below; same payer,
  currency and an amount equal to the precision written) is one record, with the most
  precise amount, the first authority and legal basis found, and the strongest status;
* a fine whose sentence names no authority takes the article's (its headline and first
  lines); one that names no payer takes the article's payer when the sentence's
  structure says someone pays (a verb of fining or paying); one with neither is dropped
  ("a fine of a million pounds sounds large").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from spacy.tokens import Span, Token

from newsmon.nlp.money.lexicon import MoneyLexicon
from newsmon.nlp.money.parse import Parsed
from newsmon.nlp.money.parties import Names, Party, find_parties, governing_verb
from newsmon.nlp.money.roles import Placed
from newsmon.nlp.records import Fine

_STATUS_ORDER = ("reduced", "agreed", "proposed", "imposed")
_DIGITS = re.compile(r"\d[\d,]*(?:\.(\d+))?")
_GOVERNING_DEPS = ("aux", "advmod", "amod", "xcomp", "acomp", "npadvmod", "prt", "neg")


@dataclass
class Candidate:
    placed: Placed
    parsed: Parsed
    status: str
    authority: Party | None
    target: Party | None
    someone_pays: bool  # a verb of fining or paying governs the amount
    basis: str | None = None
    unnamed_authority: bool = False  # the sentence says someone the text does not name imposed it

    @property
    def figure(self):
        return self.placed.figure

    @property
    def precision(self) -> float:
        return written_precision(self.figure.text, self.figure.value)


def written_precision(text: str, value: float) -> float:
    """The place value of the last digit written: "€5.1m" 100000, "$4,492,500" 1, "₹213 crore" 1e7."""
    m = _DIGITS.search(text)
    if m is None:
        return abs(value) * 0.1 or 1.0
    digits = float(m.group().replace(",", "")) or 1.0
    decimals = len(m.group(1) or "")
    return (value / digits) * 10 ** -decimals


def compatible(a: float, a_precision: float, b: float, b_precision: float) -> bool:
    """Equal as written: the difference is within half the coarser of the two precisions."""
    return abs(a - b) <= max(a_precision, b_precision) / 2 + 1e-9 * max(abs(a), abs(b))


# -- candidates ---------------------------------------------------------------------------

def fine_candidates(parsed: Parsed, placed: list[Placed], names: dict[int, Party],
                    lex: MoneyLexicon) -> list[Candidate]:
    """The fine amounts of one parsed sentence, with status and the parties the sentence names."""
    fines = [p for p in placed if p.figure.role == "fine" and p.restates is None]
    respectively = any(t.lower_ == "respectively" for t in parsed.doc)
    out: list[Candidate] = []
    for n, item in enumerate(fines):
        status = status_of(item.span, item.cue, lex)
        if status in ("superseded", "conditional"):
            continue
        parties = find_parties(parsed, item.span, item.cue, names, lex)
        verb = governing_verb(item.span, item.cue, lex)
        pays = verb is not None or parties.authority is not None  # "the fine imposed by X"
        targets = parties.targets
        nxt = item.span.doc[item.span.end] if item.span.end < len(item.span.doc) else None
        if nxt is not None and nxt.lower_ == "each":
            targets = [p for t in targets for p in _split_list(t)]  # "Kortex and Velda" as one name
        if nxt is not None and nxt.lower_ == "each" and len(targets) > 1:
            out += [Candidate(item, parsed, status, parties.authority, t, pays,
                              unnamed_authority=parties.unnamed_authority) for t in targets]
            continue
        if respectively and len(targets) == len(fines):
            targets = [targets[n]]
        elif not (respectively or nxt is not None and nxt.lower_ == "each"):
            before = _named_right_before(item.span, names)
            if before is not None and not before.authority:  # "Arcadeon €32.5 million"
                targets = [before]
        out.append(Candidate(item, parsed, status, parties.authority, targets[0] if targets else None, pays,
                             unnamed_authority=parties.unnamed_authority))
    return out


def _named_right_before(span: Span, names: dict[int, Party]) -> Party | None:
    """The name just before the amount: "fined Arcadeon €32.5 million", and a name that
    is a whole apposition, "fined Telvia £6m and its former boss, Anna Ruiz, £150,000" (not
    the end of a longer one: "fined Marla Finch, a former executive at Corvid, $90,000")."""
    doc, start = span.doc, span.start
    if start < 2 or doc[start - 1].text != ",":
        return names.get(start - 1)
    party = names.get(start - 2)
    if party is None:
        return None
    first = start - 2
    while first > 0 and names.get(first - 1) is party:
        first -= 1
    return party if first > 0 and doc[first - 1].text == "," else None


def _split_list(party: Party) -> list[Party]:
    parts = [p.strip() for p in re.split(r",|\band\b|&", party.name) if p.strip()]
    if len(parts) < 2:
        return [party]
    return [replace(party, name=p) for p in parts]


def status_of(span: Span, cue: Token | None, lex: MoneyLexicon) -> str:
    """imposed | proposed | agreed | reduced, or superseded / conditional (no record of its own)."""
    doc = span.doc
    before = doc[span.start - 1].lower_ if span.start else ""
    preceding = [t.lower_ for t in doc[max(0, span.start - 10):span.start]]
    if any(_contains(preceding, phrase) for phrase in lex.conditional_before):
        return "conditional"
    words = _governing_words(span, cue)
    if any(lex.is_status(t, "reduced") for t in words):
        return "superseded" if before == "from" else "reduced"
    if any(lex.is_status(t, "superseded") for t in words):
        return "superseded"
    for status in ("proposed", "agreed"):
        if any(lex.is_status(t, status) for t in words):
            return status
    return "imposed"


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(words[i:i + n]) == phrase for i in range(len(words) - n + 1))


def _governing_words(span: Span, cue: Token | None) -> list[Token]:
    chain = [span.root, *span.root.ancestors]
    if cue is not None and cue not in chain:
        chain.append(cue)
    words = list(chain)
    for tok in chain:
        words += [c for c in tok.children if c.dep_ in _GOVERNING_DEPS]
    return words


# -- one article's records ------------------------------------------------------------------

def consolidate(candidates: list[Candidate], names: Names, lead_end: int, headline_end: int) -> list[Candidate]:
    """The article's distinct fines (see the module docstring for the rules)."""
    main_target = next((c.target for c in candidates if c.target is not None and c.target.explicit), None)
    main_target = main_target or names.lead_party(False, lead_end) or names.most_named(False)
    main_authority = names.lead_party(True, lead_end) or names.most_named(True)
    filled, orphans = [], []
    for c in candidates:
        target = c.target or (main_target if c.someone_pays else None)
        authority = c.authority
        if authority is None and not c.unnamed_authority:
            authority = _sentence_authority(c, names) or main_authority
        if target is None and c.authority is None:
            orphans.append(c)  # no record of its own; it may still say the law of one
            continue
        filled.append(replace(c, target=target, authority=authority))
    filled = _without_totals_and_parts(filled)
    filled = _without_replaced(filled)
    return _merged(filled, headline_end, orphans)


def _sentence_authority(c: Candidate, names: Names) -> Party | None:
    sent = c.parsed.sent
    found = [p for p, m in zip(names.parties, names.mentions)
             if sent.start_char <= m.start < sent.end_char and p.authority]
    if not found:
        return None
    amount = c.figure.start
    return replace(min(found, key=lambda p: abs(p.start - amount)), explicit=False)


def _key(c: Candidate) -> str:
    return c.target.name.lower() if c.target is not None else ""


def _without_totals_and_parts(cands: list[Candidate]) -> list[Candidate]:
    """A total of two or more other records of other payers goes; so do two or more amounts
    of one sentence that add up to a record of the same payer (its parts)."""
    drop: set[int] = set()
    for i, c in enumerate(cands):
        others = [o for j, o in enumerate(cands) if j != i and o.figure.unit == c.figure.unit
                  and o.figure.value < c.figure.value]
        payers = {_key(o) for o in others}
        distinct = _distinct_amounts(others)
        if len(payers - {_key(c)}) >= 2 and _sums_to(distinct, c):
            drop.add(i)
    for i, c in enumerate(cands):
        same_sentence: dict[int, list[int]] = {}
        for j, o in enumerate(cands):
            if j != i and o.figure.unit == c.figure.unit and _key(o) in ("", _key(c)) \
                    and o.figure.value < c.figure.value:
                same_sentence.setdefault(o.parsed.sent.start, []).append(j)
        for group in same_sentence.values():
            if len(group) >= 2 and _sums_to([cands[j] for j in group], c):
                drop.update(group)
    return [c for i, c in enumerate(cands) if i not in drop]


def _distinct_amounts(cands: list[Candidate]) -> list[Candidate]:
    """One candidate per (payer, amount): repetitions of a fine are not more fines."""
    seen: list[Candidate] = []
    for c in cands:
        if not any(_key(s) == _key(c) and compatible(s.figure.value, s.precision, c.figure.value, c.precision)
                   for s in seen):
            seen.append(c)
    return seen


def _sums_to(parts: list[Candidate], whole: Candidate) -> bool:
    total = sum(p.figure.value for p in parts)
    precision = max([whole.precision, *(p.precision for p in parts)])
    return len(parts) >= 2 and compatible(total, precision, whole.figure.value, whole.precision)


def _without_replaced(cands: list[Candidate]) -> list[Candidate]:
    """A reduced fine replaces the larger amounts of the same payer and currency."""
    reduced = [c for c in cands if c.status == "reduced"]
    return [c for c in cands if c.status == "reduced" or not any(
        _key(r) == _key(c) and r.figure.unit == c.figure.unit and c.figure.value > r.figure.value
        for r in reduced)]


def _merged(cands: list[Candidate], headline_end: int, orphans: list[Candidate] = ()) -> list[Candidate]:
    """Repetitions of one fine become one; a headline's fine that names its payer differently
    from the body ("Former Crestline executive fined $250,000") is the body's fine of that
    amount; a mention of a fine that names no one joins the one fine of its amount, if any."""
    groups: list[list[Candidate]] = []
    for c in cands:
        for group in groups:
            if _same_fine(group[0], c):
                group.append(c)
                break
        else:
            groups.append([c])
    body = [g for g in groups if any(c.figure.start >= headline_end for c in g)]
    kept = []
    for group in groups:
        if group not in body:
            same = [b for b in body if _same_amount(b[0], group[0])]
            if len(same) == 1:
                same[0].extend(group)
                continue
        kept.append(group)
    for orphan in orphans:
        same = [g for g in kept if _same_amount(g[0], orphan)]
        if len(same) == 1:
            same[0].append(replace(orphan, target=same[0][0].target, authority=None))
    return [_one(group) for group in kept]


def _same_amount(a: Candidate, b: Candidate) -> bool:
    return a.figure.unit == b.figure.unit and compatible(a.figure.value, a.precision, b.figure.value, b.precision)


def _same_fine(a: Candidate, b: Candidate) -> bool:
    return _key(a) == _key(b) and _same_amount(a, b)


def _one(group: list[Candidate]) -> Candidate:
    """One record of a fine's mentions: the body's most precise amount, the authority that a
    sentence's structure names (the body's before the headline's), else none if a sentence
    says it is someone unnamed, else the article's."""
    body = [c for c in group if c.target is not None and c.target.explicit] or group
    best = min(body, key=lambda c: (c.precision, c.parsed.sent.start == 0))  # the body's, at equal precision
    ordered = sorted(group, key=lambda c: c.parsed.sent.start == 0)  # the headline's last
    authority = next((c.authority for c in ordered if c.authority is not None and c.authority.explicit), None)
    if authority is None and not any(c.unnamed_authority for c in group):
        authority = next((c.authority for c in ordered if c.authority is not None), None)
    basis = next((c.basis for c in group if c.basis), None)
    status = min((c.status for c in group), key=_STATUS_ORDER.index)
    return replace(best, authority=authority, basis=basis, status=status)


def to_fine(c: Candidate) -> Fine:
    f = c.figure
    return Fine(authority=c.authority.name if c.authority else None,
                target=c.target.name if c.target else None,
                value=f.value, unit=f.unit, status=c.status, basis=c.basis, text=f.text,
                start=f.start, end=f.end, sentence=f.sentence,
                authority_label=c.authority.label if c.authority else None,
                target_label=c.target.label if c.target else None,
                precision=c.precision)
