"""What marks a name as a product's, whatever the model's label: a model designation, and a
maker the text names on its own before a name the model calls a person.

Owns two readings used by ``judge``, for shopping and review texts, where the model calls
products people ("Meta Quest", "Mario Kart") and organisations ("GoPro Hero 9"):

* a model designation right after the span, or inside it after its first word: a number
  ("PlayStation 5", "Quest 2"; not a year, not a score "2-1" or "2 to 1", not before a
  count's noun) or a short mix of letters and digits ("Galaxy S10", "WH-1000XM4", "V3");
  people and bodies are not numbered, while a TV station ("Fox 5") is written with an
  organisation word or an all-capital name ("NBC 4") and keeps its label;
* a name the model calls a person whose first word the model calls an organisation on its
  own elsewhere in the text ("Razer" ... "Razer BlackWidow"): the maker's line, not a person,
  unless that word is a given name (gender-guesser) or in a person the text names in full.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from newsmon.nlp.entities.context import PERSON, Candidate, DocContext

_YEAR = re.compile(r"^(1[89]|2[01])\d\d$")
_NUMBER = re.compile(r"^\d{1,4}$")
_MODEL = re.compile(r"^(?=[A-Za-z0-9.\-]*[A-Za-z])(?=[A-Za-z0-9.\-]*\d)[A-Za-z0-9][A-Za-z0-9.\-]{1,9}$")
_SCORE_NEXT = frozenset({"-", "–", "—", ":", "/", "to", "of", "x", "×"})


def product(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """Why the span names a product, or None."""
    if (designation := model_designation(doc, ctx, c)) is not None:
        return f"a product: its model designation {designation!r}"
    if (maker := maker_line(doc, ctx, c)) is not None:
        return f"a product: the line of {maker!r}, which the text names as a body on its own"
    return None


def model_designation(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """The number or letters-and-digits token that designates a model, after the span or inside
    it after its first word; None for a name of a body that carries a number ("Channel 4")."""
    rules = ctx.rules
    first = doc[c.start]
    if first.is_upper or first.text in rules.org_heads or doc[c.end - 1].text in rules.org_heads:
        return None  # "NBC 4", "Channel 4": a station's name
    if c.start > 0 and _NUMBER.match(doc[c.start - 1].text):
        return None  # "Arsenal 2 Chelsea 1": a score
    for t in doc[c.start + 1:c.end]:
        if _designation(doc, t.i, inside=True):
            return t.text
    if c.end < len(doc) and _designation(doc, c.end, inside=False):
        return doc[c.end].text
    return None


def _designation(doc: Doc, i: int, inside: bool) -> bool:
    token = doc[i]
    text = token.text
    if _YEAR.match(text) or token.is_space:
        return False
    if _NUMBER.match(text):
        if i > 0 and doc[i - 1].text in ("No", "No."):
            return False
        if i + 1 < len(doc):
            after = doc[i + 1]
            if after.lower_ in _SCORE_NEXT or after.like_num or after.text == "," or (
                    not inside and after.is_lower and after.is_alpha and after.lower_ not in _PRODUCT_NEXT):
                return False  # "2-1", "3 points", "30 years": a score or a count, not a model
        return True
    return bool(_MODEL.match(text)) and not text.isdigit() and not text.lower().endswith(("th", "st", "nd", "rd", "s"))


#: lower-case words that may follow a model number ("Quest 2 headset", "Series 5 watch"): what a
#: product is, never what a count counts
_PRODUCT_NEXT = frozenset({
    "headset", "headphones", "earbuds", "speaker", "speakers", "console", "controller", "phone",
    "smartphone", "tablet", "laptop", "camera", "watch", "smartwatch", "tv", "monitor", "keyboard",
    "mouse", "router", "charger", "drone", "bundle", "edition", "model", "version", "update",
    "game", "sedan", "suv", "coupe", "truck", "chip", "processor", "is", "was", "has", "comes",
    "costs", "and", "or", "with", "for", "at", "in", "on", "from", "deluxe",
})


def maker_line(doc: Doc, ctx: DocContext, c: Candidate) -> str | None:
    """The maker's name that opens a span the model calls a person ("Razer BlackWidow")."""
    if c.model_label != PERSON or not 2 <= c.length <= 3:
        return None
    maker = doc[c.start].text
    if (not maker[:1].isupper() or ctx.names_person(c.text) or any(maker in name.split() for name in ctx.people)
            or (ctx.knowledge is not None and ctx.knowledge.given_name(maker) is not None)):
        return None  # "Dale" ... "Dale Ford": a given name the model once took for a body
    return maker if maker in ctx.model_orgs else None
