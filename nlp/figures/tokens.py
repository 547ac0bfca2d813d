"""Token-level facts the figure rules share: glued hyphens, neighbouring words, sentences."""

from __future__ import annotations

import re

from spacy.tokens import Doc

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
