"""What is not an amount: dates, times, identifiers, model and phone numbers, scores.

Owns `not_an_amount` (the reason a number is not a figure, or "") and `is_year`.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from newsmon.nlp.figures.tables import Tables
from newsmon.nlp.figures.tokens import HYPHENS, glued, is_glued_hyphen, next_word
from newsmon.nlp.numbers import ParsedNumber, read_digits

_NAMED_THINGS = ("PRODUCT", "LAW", "WORK_OF_ART", "FAC", "EVENT")  # "Boeing 787", "Article 13"


def not_an_amount(doc: Doc, number: ParsedNumber, t: Tables, currency_follows: bool = False) -> str:
    """Why this number is a date, time, identifier, phone number or score; "" if none.
    A number with a currency after it is never an identifier ("Whisperline 4.2 billion won")."""
    if next_word(doc, number.end) in t.time_words:
        return "time of day"
    if _is_date(doc, number, t):
        return "date"
    if not number.words and number.raw.startswith("0") and len(number.raw) > 1 and "." not in number.raw:
        return "identifier with a leading zero"
    if not currency_follows and _is_identifier(doc, number, t):
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


def is_year(number: ParsedNumber, t: Tables) -> bool:
    low, high = t.year_range
    return (not number.words and number.raw.isdigit() and len(number.raw) == 4
            and low <= number.value <= high)


def _is_identifier(doc: Doc, number: ParsedNumber, t: Tables) -> bool:
    """"Boeing 787", "iPhone 11", "A350-900", "400 737 Max jets" (the 737)."""
    i = number.start - 1
    if i < 0 or number.prefix:
        return False
    prev, first = doc[i], doc[number.start]
    if prev.text in t.currency_symbols or prev.text in t.currency_codes:
        return False  # "GBP 181,681", "USD 574.5 mn": money, whatever the NER guessed
    if first.ent_iob_ == "I" and first.ent_type_ in _NAMED_THINGS:
        return True
    if prev.text in HYPHENS and glued(doc, i) and i > 0:
        before = doc[i - 1].text
        return any(ch.isupper() for ch in before) or (any(ch.isdigit() for ch in before) and not before[0].isdigit())
    if i == 0 or _is_function_word(prev, t) or _is_calendar_word(prev, t):
        return False
    text = prev.text
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
    left = _glued_digits(doc, number.start - 2) if is_glued_hyphen(doc, number.start - 1) else None
    right = _glued_digits(doc, number.end + 1) if is_glued_hyphen(doc, number.end) else None
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


def _glued_digits(doc: Doc, i: int) -> str | None:
    if not 0 <= i < len(doc):
        return None
    digits = read_digits(doc[i].text)
    if digits is None or digits.prefix or digits.suffix or "." in digits.raw:
        return None
    return digits.raw
