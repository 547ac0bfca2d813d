"""Step 2 of the entity pass: the evidence for each candidate occurrence.

Owns the label corrections of one occurrence (acronyms, platforms the model calls products,
surnames of people named in full, words used as common nouns, product numbers, places,
organisation-shaped names, roles, cue words, lists) and the document's counted cues
(``nlp.entities.cues``) that overrule the model.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

from spacy.tokens import Doc

from newsmon.nlp.entities import patterns
from newsmon.nlp.entities.candidates import HEAD_BREAKS
from newsmon.nlp.entities.context import (
    BLOCKED, MODEL, ORG, OTHER, PATTERN, PERSON, QUOTES, RULE, STRONG, WEAK, Candidate, DocContext,
)
from newsmon.nlp.entities.cues import organisation_names, person_names

log = logging.getLogger(__name__)

_YEAR = re.compile(r"^(1[89]|2[01])\d\d$")


def gather_evidence(doc: Doc, ctx: DocContext, candidates: list[Candidate]) -> None:
    as_person = Counter((c.text, c.model_label == PERSON) for c in candidates if c.source == "model")
    ctx.learn_people([c.text for c in candidates if _full_person_name(doc, ctx, c)
                      and as_person[(c.text, True)] > as_person[(c.text, False)]])
    ctx.learn_organisations(set(organisation_names(ctx, candidates)))
    ctx.learn_person_names(set(person_names(ctx, candidates)))
    candidates += patterns.roles(doc, ctx, candidates)
    ctx.learn_people([c.text for c in candidates if c.label == PERSON and c.length > 1])
    candidates += patterns.cues(doc, ctx, candidates)
    for c in candidates:
        judge(doc, ctx, c)
    patterns.lists(doc, candidates)


def _full_person_name(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    if c.source != "model" or c.model_label != PERSON or c.length < 2:
        return False
    tokens = doc[c.start:c.end]
    rules = ctx.rules
    if tokens[0].text in rules.question_words and ctx.sentence_initial(c.start):
        return False
    return (all(t.text[:1].isupper() or t.text in rules.particles for t in tokens)
            and not any(ch.isdigit() for ch in c.text)
            and tokens[-1].text not in rules.place_heads
            and tokens[-1].text not in rules.product_heads
            and tokens[-1].text not in rules.strong_heads
            and not any(i in ctx.blocked for i in range(c.start, c.end)))


def judge(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    """Record this occurrence's evidence for PERSON, ORG or neither."""
    if any(i in ctx.blocked for i in range(c.start, c.end)):
        c.decide(OTHER, BLOCKED)
    elif c.source == "gazetteer":
        if c.length == 1 and ctx.names_person(c.text):
            c.decide(PERSON, PATTERN)  # "Bloomberg" when the text names Michael Bloomberg
    elif c.source in ("pattern", "role", "cue"):
        return
    elif c.fragment and c.length == 1 and not ctx.names_person(c.text):
        c.decide(OTHER, WEAK)  # one word cut from a run-on span ("Belgium (Group I")
    elif c.model_label == PERSON:
        _judge_person(doc, ctx, c)
    elif c.model_label == ORG:
        _judge_org(doc, ctx, c)
    else:
        _judge_other(doc, ctx, c)
    if c.source != "model":
        return
    if c.text in ctx.organisations:
        c.decide(ORG, STRONG)  # the document's organisation cues outweigh the model's label
        _take_corporate_suffix(doc, ctx, c)
    elif c.text in ctx.person_names:
        c.decide(PERSON, STRONG)  # and so do its person cues


def _take_corporate_suffix(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    """"Vantor" + "Inc." -> "Vantor Inc." (the mention is the fullest form the text gives)."""
    if c.end < len(doc) and doc[c.end].text in ctx.rules.org_cues.corporate_suffixes and not ctx.ent_tokens[c.end]:
        c.end += 1
        c.text = doc[c.start:c.end].text


def _junk(doc: Doc, c: Candidate) -> bool:
    """Handles, links, single letters, lone function words: never a name."""
    text = c.text
    return (len(text) < 2 or text[:1] in ("@", "#") or "http" in text or "www." in text
            or (c.length == 1 and doc[c.start].is_stop)
            or any(t.like_url or t.like_email for t in doc[c.start:c.end]))


def _judge_person(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    rules = ctx.rules
    _strip_sentence_word(doc, ctx, c)
    text = c.text
    if (_junk(doc, c) or any(ch.isdigit() for ch in text) or text in rules.non_entity_acronyms
            or not text[0].isupper() or _after_number(doc, c)):
        c.decide(OTHER, STRONG)
    elif ctx.names_person(text, first_names=True):
        c.decide(PERSON, STRONG)
    elif c.length == 1 and text.isupper() and len(text) > 1:
        c.decide(PERSON, STRONG) if ctx.names_person(text.title()) else c.decide(ORG, RULE)
    elif _org_shaped(doc, ctx, c, strong=True):
        c.decide(ORG, RULE)
    elif (c.length == 1 and ctx.common_word(text)) or _place_like(doc, ctx, c):
        c.decide(OTHER, STRONG)
    elif c.length > 1 and (doc[c.end - 1].text in rules.place_heads or doc[c.end - 1].text in rules.product_heads):
        c.decide(OTHER, STRONG)
    elif _quoted(doc, c):
        c.decide(OTHER, RULE)
    else:
        c.decide(PERSON, MODEL if c.length > 1 and not c.fragment else WEAK)


def _strip_sentence_word(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    """"Will Warren ...?", "Questioning Vindman's ...": a sentence-initial word glued to a surname."""
    first = doc[c.start]
    starts_clause = ctx.sentence_initial(c.start) or (c.start > 0 and not doc[c.start - 1].is_alpha)
    if c.length < 2 or c.text in ctx.people or not starts_clause:
        return
    if not (first.text in ctx.rules.question_words or ctx.common_word(first.text) or first.lower_.endswith("ing")):
        return
    rest = doc[c.start + 1:c.end].text
    if rest in ctx.people or ctx.names_person(rest):
        c.start, c.text = c.start + 1, rest


def _judge_org(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    rules, text = ctx.rules, c.text
    head = _head(doc, c)
    if (not any(ch.isupper() for ch in text) or not text[0].isalpha() or _junk(doc, c)
            or text in rules.non_entity_acronyms or text.endswith("+") or _event_or_document(doc, ctx, c)):
        c.decide(OTHER, STRONG)
    elif text in ctx.people or ctx.names_person(text):
        c.decide(PERSON, STRONG)
    elif _place_like(doc, ctx, c):
        c.decide(OTHER, STRONG)
    elif c.length == 1 and ctx.common_word(text) and ctx.sentence_initial(c.start):
        c.decide(OTHER, RULE)
    else:
        strong_form = c.length > 1 or head in rules.org_heads or text.isupper()
        c.decide(ORG, MODEL if strong_form and not c.fragment else WEAK)


def _judge_other(doc: Doc, ctx: DocContext, c: Candidate) -> None:
    if c.model_label not in ("NORP", "LANGUAGE") and not _junk(doc, c) and (
            c.text in ctx.people or ctx.names_person(c.text)):
        c.decide(PERSON, STRONG)
    elif _org_shaped(doc, ctx, c, strong=c.model_label in ("GPE", "NORP")):
        c.decide(ORG, RULE)
    else:
        c.decide(OTHER, WEAK)


def _head(doc: Doc, c: Candidate) -> str:
    """The head word of a name: before its first "of/on/for/in", else its last word."""
    for i in range(c.start + 1, c.end - 1):
        if doc[i].lower_ in HEAD_BREAKS and doc[i].is_lower:
            return doc[i - 1].text
    return doc[c.end - 1].text


def _event_or_document(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """Named events, laws, reports, places: "the Dubai Air Show", "National Survey on Drug Use"."""
    rules = ctx.rules
    head = _head(doc, c)
    if head in rules.non_org_heads:
        return True
    return head not in rules.org_heads and doc[c.end - 1].text in rules.non_org_heads


def _org_shaped(doc: Doc, ctx: DocContext, c: Candidate, strong: bool) -> bool:
    """Ends in an organisation word ("Co.", "Airlines") or starts like one ("Air", "Ministry of")."""
    rules = ctx.rules
    head = _head(doc, c)
    if head in rules.non_org_heads or c.length < 2:
        return False
    if any(t.is_lower and t.text not in rules.connectors for t in doc[c.start:c.end]):
        return False  # "Cruise Line or Well Water Drilling Service": a phrase, not a name
    if head in (rules.strong_heads if strong else rules.org_heads):
        return True
    words = tuple(t.text for t in doc[c.start:c.end])
    return any(words[:len(p)] == p and len(words) > len(p) for p in rules.org_prefixes)


def _place_like(doc: Doc, ctx: DocContext, c: Candidate) -> bool:
    """Used as a place: "Logar province", "the area of Sarkh", "atop Mauna Kea", "in KeyBank Center"."""
    rules = ctx.rules
    if c.text in ctx.placeish:
        return True
    if c.end < len(doc) and doc[c.end].is_lower and doc[c.end].lower_ in rules.place_nouns:
        return True
    if c.start == 0:
        return False
    before = doc[c.start - 1].lower_
    if before in rules.place_prepositions:
        return True
    if before == "of" and c.start > 1 and doc[c.start - 2].lower_ in rules.place_nouns:
        return True
    return before in rules.facility_prepositions and doc[c.end - 1].text in rules.facility_heads


def _after_number(doc: Doc, c: Candidate) -> bool:
    """Right after a number that is not a year: a model or product ("737 Max")."""
    if c.start == 0:
        return False
    prev = doc[c.start - 1]
    return prev.like_num and not _YEAR.match(prev.text) and any(ch.isdigit() for ch in prev.text)


def _quoted(doc: Doc, c: Candidate) -> bool:
    """The whole quotation: a title of a work ("Mary Poppins")."""
    if c.start == 0 or c.end >= len(doc) or doc[c.start - 1].text not in QUOTES:
        return False
    after = doc[c.end].text
    return after in QUOTES or (after in (",", ".") and c.end + 1 < len(doc) and doc[c.end + 1].text in QUOTES)
