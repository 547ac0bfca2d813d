"""Deciding what one number measures, from the words around it.

Owns the `Candidate` (a number on its way to becoming a Figure, or rejected with a
reason), `classify` and its rules: money with a currency before or after the number,
glued suffixes ("100MW", "50p"), percentages, durations, quantities, ages and counts
with the counted noun (`nlp.nouns`).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

from newsmon.nlp.figures.reject import is_year, not_an_amount
from newsmon.nlp.figures.tables import PhraseTable, Tables
from newsmon.nlp.figures.tokens import HYPHENS, glued, name_follows, prev_word
from newsmon.nlp.nouns import CountedHead, find_counted
from newsmon.nlp.numbers import ParsedNumber


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


def classify(doc: Doc, number: ParsedNumber, t: Tables, marks: dict[int, Mark]) -> Candidate:
    """Decide what one number measures from the words around it."""
    c = Candidate(number, number.start, number.end, number.value)
    c.mark = next((marks[i] for i in range(number.start, number.end) if i in marks), None)
    if c.mark is not None and c.mark.action == "block":
        return c.reject(f"pattern {c.mark.pattern}")
    reason = not_an_amount(doc, number, t, currency_follows=_currency_follows(doc, number, t))
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
    if is_year(c.number, t):
        return c.reject("year")
    if (e + 1 < len(doc) and doc[e].text in HYPHENS and glued(doc, e) and doc[e + 1].is_alpha
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
    if head is None and name_follows(doc, number.end):
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
    prev = prev_word(doc, c.number.start)
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


def _currency_follows(doc: Doc, number: ParsedNumber, t: Tables) -> bool:
    """A currency code, symbol or word (not a minor unit) right after the number: then a
    capitalised word before it is the payer, not a model name ("fines Whisperline 4.2
    billion won", "fined Streamly 500 pounds"). A word that is also a verb ("won") counts
    only after a number with a scale or separators."""
    e = number.end
    if e >= len(doc):
        return False
    text, lower = doc[e].text, doc[e].lower_
    if lower in t.currency_verbs:
        return number.scale > 1 or "," in number.raw or "." in number.raw
    return (_phrase_lookup(doc, e, t.currency_qualified) is not None or text in t.currency_codes
            or (text in t.currency_symbols and not doc[e].is_alpha) or lower in t.currency_words)


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
    """"5,200 pounds of water" is a weight, "fined 500 pounds" and "2 million pounds in
    penalties" money; else NER decides."""
    if e + 1 < len(doc) and doc[e + 1].lower_ == "of":
        return True
    around = [*doc[max(0, number.start - 8):number.start], *doc[e + 1:min(len(doc), e + 4)]]
    if any(tok.lower_ in t.money_cues for tok in around):
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
