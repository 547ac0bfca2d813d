"""Sellers: the shop a shopping text sends its reader to is an organisation.

Owns one convention of deals round-ups and reviews that the NER model does not know: a name
right after a price and "at" or "from" ("£249 at John Lewis", "$79.99 from Best Buy"), or
after a phrase of selling ("available at Argos", "in stock at Currys", "Buy now at Dell") or
an affiliate link ("See it now: Wyze"), is the retailer or maker that sells the thing,
whatever the model calls it (it reads "John Lewis" as a person and misses "Argos" and
"Currys"). Not taken: a country, region or large city ("from Korea"), a calendar word
("available from April"), a title, a venue ("£45 at Wembley Arena"), or the surname of a
person the text names in full.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from newsmon.nlp.entities.context import ORG, OTHER, PERSON, RULE, STRONG, Candidate, DocContext, make_candidate
from newsmon.nlp.entities.patterns import taken_tokens

# A price ("£249", "$79.99", "€1,099", "Rs 4,999") or a phrase of selling, then "at"/"from"
# (a phrase also ":", as affiliate links write it: "See it now: Wyze"), then a capitalised word
# on the same line.
_SELLER = re.compile(
    r"(?:(?:[$£€¥₹]|\bRs\.?[ \t]?)\d[\d,.]*\)?[ \t]+(?:at|from)"
    r"|\b(?P<phrase>(?i:available|sold|stocked|in stock|exclusively|exclusive"
    r"|(?:buy|shop|order|pre-order)(?: it| one)?(?: now)?|(?:see|get) it(?: now)?))\b[ \t]+(?:at|from)"
    r"|\b(?P<link>(?i:(?:see|get) it(?: now)?)):)[ \t]+(?:the[ \t]+)?(?=[A-Z])(?!Rs\.?[ \t]?\d)")
RULE_NAME = "pattern: named as the seller ({cue!r})"
# What the model calls a shop: a body, a person ("John Lewis"), a building ("Sport Chek") or a
# town ("Argos"; a large place is never taken, ``_may_sell``).
_SHOP_LABELS = frozenset({ORG, PERSON, "FAC", "GPE", "LOC"})


def sellers(doc: Doc, ctx: DocContext, candidates: list[Candidate]) -> list[Candidate]:
    """Candidates the seller pattern makes or relabels as organisations: the new ones. Each
    seller joins the document's organisations, so its other mentions ("John Lewis said") are
    the shop too."""
    text = ctx.text
    if not any(word in text for word in ("at ", "from ", " it: ", " it now: ")):
        return []
    by_start = {c.start: c for c in candidates}
    taken = taken_tokens(doc, candidates)
    created = []
    for match in _SELLER.finditer(text):
        span = doc.char_span(match.end(), match.end() + 1, alignment_mode="expand")
        if span is None:
            continue
        i = span.start
        phrase = "phrase" if match.group("phrase") else "link" if match.group("link") else None
        rule = RULE_NAME.format(cue=match.group(0).strip() if phrase else "a price")
        if phrase:
            _not_names(doc, candidates, match.start(phrase), match.end(phrase))
        existing = by_start.get(i)
        if existing is not None:
            if (existing.source == "model" and existing.model_label in _SHOP_LABELS and " and " not in existing.text
                    and _may_sell(doc, ctx, existing.start, existing.end)):
                existing.decide(ORG, RULE, rule)
                ctx.learn_organisations({existing.text})
            continue
        run = ctx.title_run_starting_at(i, max_len=4)
        if run is None:
            continue
        end = next((k for k in range(*run) if taken[k]), run[1])
        while end > i and doc[end - 1].text in ctx.rules.calendar_words:
            end -= 1
        if end > i and _may_sell(doc, ctx, i, end):
            created.append(make_candidate(doc, i, end, "cue", label=ORG, strength=RULE, rule=rule))
            ctx.learn_organisations({doc[i:end].text})
            taken[i:end] = b"\x01" * (end - i)
    return created


def _not_names(doc: Doc, candidates: list[Candidate], start_char: int, end_char: int) -> None:
    """The words of the selling phrase name nothing ("Buy now at Dell": the model calls "Buy" a
    person)."""
    for c in candidates:
        if c.source == "model" and doc[c.start].idx < end_char and doc[c.end - 1].idx >= start_char:
            c.decide(OTHER, STRONG, "not a name: the words of a selling phrase")


def _may_sell(doc: Doc, ctx: DocContext, start: int, end: int) -> bool:
    """The words may name a shop: no calendar word or title first, no venue's last word, no
    country, region or city of 100,000 people, not the surname of a person named in full."""
    first, name = doc[start].text, doc[start:end].text
    if (first in ctx.rules.calendar_words or first in ctx.rules.title_words or ctx.names_person(name)
            or doc[end - 1].text in ctx.rules.venue_heads):
        return False  # "from March"; "£45 at Wembley Arena": a venue
    return ctx.knowledge is None or ctx.knowledge.major_place(name) is None
