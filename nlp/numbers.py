"""Number reading for the figures extractor: token sequences -> numeric values.

Owns how an amount is *written*: digits with separators ("5,200", "0.90"), digits with a
glued prefix or suffix ("HK$5", "1.2bn", "100MW"), number words ("seven", "twenty-five",
"two hundred and fifty"), groups ("a dozen"), fractions of a scale ("half a million") and
scale words or suffixes ("10 million", "$3 bn"). It does not decide what the amount
measures; that is `nlp.figures`. The vocabulary lives in resources/numbers.toml.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc

log = logging.getLogger(__name__)

_HYPHENS = ("-", "‑")

# digits with thousands separators or a decimal part, optionally glued to a currency
# prefix ("HK$", "€") and to a letter suffix ("bn", "MW", "th")
_DIGITS = re.compile(
    r"^(?P<prefix>[A-Z]{0,3}\$|[€£¥₹₩₽₺₦₱₪₫₴])?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<suffix>[A-Za-z°²%'’.]+)?-?$"  # a trailing hyphen: "13- to 15-year-olds"
)


@dataclass(frozen=True)
class DigitToken:
    """What one token written with digits holds."""
    value: float
    raw: str  # the digits as written, separators included
    prefix: str | None  # glued currency prefix ("HK$")
    suffix: str | None  # glued letters ("bn", "MW", "p")


@dataclass(frozen=True)
class ParsedNumber:
    """A number expression over tokens [start, end) of a Doc."""
    start: int
    end: int
    value: float  # scale applied
    base: float  # the value before the scale ("40" in "40 billion")
    scale: float  # 1 when no scale word or suffix
    words: bool  # spelled out ("seven")
    raw: str  # digits as written for digit numbers, else the words
    prefix: str | None = None  # glued currency prefix
    suffix: str | None = None  # glued or adjacent suffix that is not a plain scale

    @property
    def is_integer(self) -> bool:
        return float(self.value).is_integer()


class NumberVocab:
    """Number words, scales and suffix rules from numbers.toml."""

    def __init__(self, table: dict) -> None:
        self.words: dict[str, int] = dict(table["words"])
        self.tens: dict[str, int] = dict(table["tens"])
        self.scales: dict[str, float] = dict(table["scales"])
        self.suffix_scales: dict[str, float] = dict(table["suffix_scales"])
        self.ambiguous_suffixes: frozenset[str] = frozenset(table["ambiguous_suffixes"]["names"])
        self.groups: dict[str, int] = dict(table["groups"])
        self.fractions: dict[str, float] = dict(table["fractions"])
        self.adverbs: dict[str, int] = dict(table["adverbs"])
        blocked = table["not_amount_suffixes"]
        self.not_amount_suffixes: frozenset[str] = frozenset(
            s for group in blocked.values() for s in group)
        # words other than digits and number words that may open a number or a count
        # pattern: "a dozen", "half a million", "scored twice"
        self.lead_words: frozenset[str] = frozenset(
            {"a", "an", *self.fractions, *self.adverbs, *self.words, *self.tens})

    @classmethod
    def from_file(cls, path: Path) -> "NumberVocab":
        with path.open("rb") as fh:
            return cls(tomllib.load(fh))

    def is_number_word(self, lower: str) -> bool:
        return lower in self.words or lower in self.tens


def read_digits(text: str) -> DigitToken | None:
    """Parse one digit token ("5,200", "$6.99" is two tokens, "HK$5", "1.2bn"); None if not one."""
    m = _DIGITS.match(text)
    if not m:
        return None
    raw = m.group("num")
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        return None
    return DigitToken(value, raw, m.group("prefix"), m.group("suffix"))


def parse_number_at(doc: Doc, i: int, vocab: NumberVocab) -> ParsedNumber | None:
    """The longest number expression starting at token i, or None if none starts there."""
    lead = _parse_lead(doc, i, vocab)
    if lead is None:
        return None
    value, end, words, raw, prefix, suffix = lead
    if suffix is not None and suffix.lower() in vocab.not_amount_suffixes:
        return None
    scale = 1.0
    glued_scale = (vocab.suffix_scales.get(suffix.lower()) or vocab.scales.get(suffix.lower())) if suffix else None
    if glued_scale and suffix.lower() not in vocab.ambiguous_suffixes:
        scale, suffix = glued_scale, None
    else:
        value, end = _and_a_half(doc, end, value)
        more_scale, end, suffix = _scale_after(doc, end, vocab, suffix)
        scale = more_scale
    if words and scale == 1.0 and value == 0:
        return None
    return ParsedNumber(i, end, value * scale, value, scale, words, raw, prefix, suffix)


def _parse_lead(doc: Doc, i: int, vocab: NumberVocab):
    """The number proper at i: (value, end, words, raw, prefix, suffix) or None."""
    tok = doc[i]
    digits = read_digits(tok.text)
    if digits is not None:
        return digits.value, i + 1, False, digits.raw, digits.prefix, digits.suffix
    lower = tok.lower_
    if vocab.is_number_word(lower):
        value, end = _read_words(doc, i, vocab)
        return value, end, True, doc[i:end].text, None, None
    nxt = doc[i + 1].lower_ if i + 1 < len(doc) else ""
    if lower in ("a", "an") and (nxt in vocab.groups or nxt in vocab.scales):
        factor = vocab.groups.get(nxt) or vocab.scales[nxt]
        return float(factor), i + 2, True, doc[i:i + 2].text, None, None
    if lower in vocab.fractions and nxt in ("a", "an") and i + 2 < len(doc):
        scale = doc[i + 2].lower_
        if scale in vocab.scales or scale in vocab.groups:
            factor = vocab.groups.get(scale) or vocab.scales[scale]
            return vocab.fractions[lower] * factor, i + 3, True, doc[i:i + 3].text, None, None
    return None


def _read_words(doc: Doc, i: int, vocab: NumberVocab) -> tuple[float, int]:
    """Read "twenty - five", "two hundred and fifty"; stop at "three four". Scales come after."""
    current, j, last = 0.0, i, ""
    while j < len(doc):
        lower = doc[j].lower_
        if lower in vocab.tens and last in ("", "hundred", "and"):
            current += vocab.tens[lower]
            last = "tens"
        elif lower in vocab.words and last in ("", "tens", "hundred", "and"):
            current += vocab.words[lower]
            last = "unit"
        elif lower == "hundred" and last in ("unit", "tens"):
            current *= 100
            last = "hundred"
        elif lower in vocab.groups and last in ("unit", "tens"):
            current *= vocab.groups[lower]
            last = "group"
        elif lower in _HYPHENS and last == "tens" and _glued(doc, j):
            last = "tens"
        elif lower == "and" and last == "hundred" and j + 1 < len(doc) and vocab.is_number_word(doc[j + 1].lower_):
            last = "and"
        else:
            break
        j += 1
    # a trailing hyphen or "and" that led nowhere is not part of the number
    while j > i + 1 and doc[j - 1].lower_ in ("-", "‑", "and"):
        j -= 1
    return current, j


def _glued(doc: Doc, j: int) -> bool:
    """True when token j touches both neighbours (no spaces: "twenty-five")."""
    return doc[j - 1].whitespace_ == "" and doc[j].whitespace_ == "" and j + 1 < len(doc)


def _and_a_half(doc: Doc, end: int, value: float) -> tuple[float, int]:
    """"two and a half (years/million)" or "five-and-a-half" -> 2.5, 5.5."""
    words, j = [], end
    while j < len(doc) and len(words) < 3:
        if doc[j].text in _HYPHENS and _glued(doc, j):
            j += 1
            continue
        words.append(doc[j].lower_)
        j += 1
    if words == ["and", "a", "half"]:
        return value + 0.5, j
    return value, end


def _scale_after(doc: Doc, end: int, vocab: NumberVocab, suffix: str | None) -> tuple[float, int, str | None]:
    """Scale words after the number ("million", "bn"); an ambiguous "m" is kept as suffix."""
    scale = 1.0
    if suffix is not None and suffix.lower() in vocab.ambiguous_suffixes:
        return scale, end, suffix
    while end < len(doc):
        if doc[end].text in _HYPHENS and _glued(doc, end) and doc[end + 1].lower_ in vocab.scales:
            end += 1  # "a 13.8-billion-year period"
        lower = doc[end].lower_
        if lower in vocab.scales and vocab.scales[lower] > 1 and not (lower == "hundred" and scale > 1):
            scale *= vocab.scales[lower]
            end += 1
        elif suffix is None and lower in vocab.suffix_scales and scale == 1.0:
            if lower in vocab.ambiguous_suffixes:
                if doc[end - 1].whitespace_ == "":
                    suffix = doc[end].text
                    end += 1
                break
            scale *= vocab.suffix_scales[lower]
            end += 1
        else:
            break
    return scale, end, suffix
