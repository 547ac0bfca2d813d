"""Token-level facts about amounts: the `newsmon_amount_tokens` splitter, and the small
facts the figure rules share (glued hyphens, neighbouring words, sentences)."""

from __future__ import annotations

import re

import numpy
from spacy.attrs import SHAPE
from spacy.language import Language
from spacy.tokens import Doc, Token

HYPHENS = ("-", "‑", "–")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def glued(doc: Doc, i: int) -> bool:
    """Token i touches the tokens on both sides ("5-7", "two-goal")."""
    return i > 0 and doc[i - 1].whitespace_ == "" and doc[i].whitespace_ == ""


def is_glued_hyphen(doc: Doc, i: int) -> bool:
    return 0 < i < len(doc) - 1 and doc[i].text in HYPHENS and glued(doc, i)


def name_follows(doc: Doc, i: int) -> bool:
    """"the 11 Pro Max", "151 PS": a capitalised word right after the number."""
    return i < len(doc) and doc[i].is_alpha and doc[i].text[0].isupper() and not doc[i].is_sent_start


def next_word(doc: Doc, i: int) -> str:
    return doc[i].lower_ if i < len(doc) else ""


def prev_word(doc: Doc, i: int) -> str:
    return doc[i - 1].lower_ if i > 0 else ""


def sentence_text(doc: Doc, start: int, end: int) -> str:
    if doc.has_annotation("SENT_START"):
        return doc[start].sent.text.strip()
    first, last = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
    text = doc.text
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, first)), default=0)
    right = next((m.start() for m in _SENTENCE_END.finditer(text, last)), len(text))
    return text[left:right].strip()


# -- the amount-token splitter -----------------------------------------------------------

# A shape (spaCy's SHAPE: "dd.dX.", "x.") that may hide a sentence's full stop inside an
# amount's last token: digits and letters then a dot ("18M." one token), or one to three
# letters then a dot ("m.", a special case of the tokenizer's) right after digits.
_GLUED_SUFFIX_DOT = re.compile(r"^.*d[xX]{1,4}\.$")
_LETTERS_DOT = re.compile(r"^[xX]{1,3}\.$")
_DIGITS_LETTERS_DOT = re.compile(r"^\S*\d[A-Za-z]{1,4}\.$")


@Language.factory("newsmon_amount_tokens")
def make_amount_tokens(nlp: Language, name: str) -> "AmountTokens":
    return AmountTokens()


class AmountTokens:
    """Gives back the full stop that the tokenizer glued to an amount's scale suffix.

    spaCy's English tokenizer keeps "m." (and every single letter with a dot) as one
    token, for initials, so "fined £18m." ends with the tokens "18", "m." while "£18m,"
    gives "18", "m", ",": the suffix is not read and the sentence does not end. The
    same happens to "18M." (one token). This component, run first, splits such a token
    into the suffix and ".", so the amount reads alike at the end of a sentence and
    anywhere else, and the sentencizer and the NER see the sentence end.
    """

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        shapes = doc.to_array(SHAPE)
        strings = doc.vocab.strings
        suspects = [h for h in numpy.unique(shapes) if _may_hide_a_stop(strings[int(h)])]
        if not suspects:
            return doc
        hits = [doc[int(i)] for i in numpy.flatnonzero(numpy.isin(shapes, suspects))]
        to_split = [tok for tok in hits if _stop_after_amount(doc, tok)]
        if to_split:
            with doc.retokenize() as retokenizer:
                for tok in to_split:
                    retokenizer.split(tok, [tok.text[:-1], "."], heads=[(tok, 0), (tok, 0)])
        return doc


def _may_hide_a_stop(shape: str) -> bool:
    return bool(_GLUED_SUFFIX_DOT.match(shape) or _LETTERS_DOT.match(shape))


def _stop_after_amount(doc: Doc, tok: Token) -> bool:
    """"18M." itself, or "m." glued to the digits before it ("18" "m.")."""
    if _DIGITS_LETTERS_DOT.match(tok.text):
        return True
    if not tok.text[:-1].isalpha() or tok.i == 0:
        return False
    before = doc[tok.i - 1]
    return before.whitespace_ == "" and before.text[-1:].isdigit()
