"""Names listed together: "Astrobotic, Deep Space Systems, Draper, Lockheed Martin and Moon Express".

Owns reading a run of names joined by commas, "and" or "or" as one list whose members are of
one kind. Where a list has three members or more, at least two of them organisations and more
organisations than members of another label (members the model missed have no say), the
others are organisations too, unless a strong rule or a person's given name says otherwise or they name a
known place: a member the model missed becomes a candidate ("Deep Space Systems"), a member it
labelled a place or left unsure becomes an organisation ("Astrobotic"), and a member it split
into two names ("Lockheed" + "Martin") is joined into one. A list member is whole: the tokens
between two separators are all name tokens, so "Yesterday Google" is no member.
"""

from __future__ import annotations

import logging

from spacy.tokens import Doc

from newsmon.nlp.entities.context import (
    ORG, PERSON, RULE, STRONG, Candidate, DocContext, is_name_token, make_candidate,
)

log = logging.getLogger(__name__)

MIN_MEMBERS = 3  # "A and B" says too little about the kind of either
SEPARATORS = ((",", "and"), (",", "or"), (",",), ("and",), ("or",))
NAME_JOINERS = frozenset({"&", "-"})  # inside a name when written without spaces: "Nano-Satellite"
RULE_NAME = "pattern:listed with organisations"


def lists(doc: Doc, ctx: DocContext, candidates: list[Candidate]) -> None:
    """Make the members of mostly-organisation lists organisations (``candidates`` is changed
    in place: members added, split members joined)."""
    by_start = {c.start: c for c in candidates}
    i, n = 0, len(doc)
    while i < n:
        members = _members_from(doc, ctx, i, by_start)
        if not members:
            i += 1
            continue
        if len(members) >= MIN_MEMBERS:
            _decide(doc, ctx, members, candidates, by_start)
        i = members[-1][1]


def _members_from(doc: Doc, ctx: DocContext, i: int, by_start: dict[int, Candidate]) -> list[tuple[int, int]]:
    """The list starting at token ``i``: (start, end) of each member, or [] when no name starts there."""
    if i > 0 and _in_name(doc, ctx, i - 1, by_start):
        return []  # the middle of a name
    members = []
    start = i
    while True:
        end = _member_end(doc, ctx, start, by_start)
        if end is None:
            break
        members.append((start, end))
        gap = _separator_after(doc, end)
        if gap is None:
            break
        start = end + gap
    return members


def _member_end(doc: Doc, ctx: DocContext, i: int, by_start: dict[int, Candidate]) -> int | None:
    """The end of the name run starting at ``i`` (candidates and unmarked name tokens), if any."""
    j = i
    while j < len(doc):
        c = by_start.get(j)
        if c is not None:
            j = c.end
        elif is_name_token(doc[j]) and j not in ctx.blocked:
            j += 1
        elif (doc[j].text in NAME_JOINERS and j > i and not doc[j - 1].whitespace_ and not doc[j].whitespace_
              and j + 1 < len(doc) and is_name_token(doc[j + 1])):
            j += 1
        else:
            break
    return j if j > i else None


def _in_name(doc: Doc, ctx: DocContext, i: int, by_start: dict[int, Candidate]) -> bool:
    return is_name_token(doc[i]) and not ctx.sentence_initial(i)


def _separator_after(doc: Doc, end: int) -> int | None:
    for gap in SEPARATORS:
        if tuple(t.lower_ for t in doc[end:end + len(gap)]) == gap:
            return len(gap)
    return None


def _decide(doc: Doc, ctx: DocContext, members: list[tuple[int, int]], candidates: list[Candidate],
            by_start: dict[int, Candidate]) -> None:
    parts = [_parts(start, end, by_start) for start, end in members]
    orgs = sum(1 for p in parts if any(c.label == ORG for c in p))
    others = sum(1 for p in parts if p and not any(c.label == ORG for c in p))
    if orgs < 2 or orgs <= others:
        return  # the members the model missed have no say
    text = doc[members[0][0]:members[-1][1]].text
    for (start, end), inside in zip(members, parts):
        if len(inside) == 1 and inside[0].label == ORG:
            continue
        if not _may_be_organisation(doc, ctx, start, end, inside):
            continue
        if len(inside) == 1 and inside[0].start == start and inside[0].end == end:
            inside[0].decide(ORG, RULE, f"{RULE_NAME}: {text!r}")
            continue
        if any(c.source != "model" for c in inside) or sum(c.length for c in inside) not in (0, end - start):
            continue  # only the model's pieces of one name are joined, never a name and a stray word
        joined = make_candidate(doc, start, end, "cue", label=ORG, strength=RULE, rule=f"{RULE_NAME}: {text!r}")
        for c in inside:
            joined.note(f"span: joined {c.text!r} ({c.label}, {'; '.join(c.trace)})")
            candidates.remove(c)
        candidates.append(joined)
        by_start[start] = joined


def _parts(start: int, end: int, by_start: dict[int, Candidate]) -> list[Candidate]:
    """The candidates inside a member (an unmarked token between them is left out)."""
    found, j = [], start
    while j < end:
        c = by_start.get(j)
        if c is not None and c.end <= end:
            found.append(c)
            j = c.end
        else:
            j += 1
    return found


def _may_be_organisation(doc: Doc, ctx: DocContext, start: int, end: int, inside: list[Candidate]) -> bool:
    """No strong rule, no person's given name, no known place speaks against it."""
    for c in inside:
        if c.strength >= STRONG or (c.label == PERSON and c.strength >= RULE):
            return False
    text = doc[start:end].text
    if ctx.names_person(text):  # part of a person the text names in full
        return False
    knowledge = ctx.knowledge
    if knowledge is not None:
        if (knowledge.major_place(text) if end - start == 1 else knowledge.place(text)) is not None:
            return False
        if end - start > 1 and doc[start].is_title and knowledge.given_name(doc[start].text) is not None \
                and not ctx.common_word(doc[start].text) and all(t.is_title for t in doc[start:end]) \
                and end - start <= 3 and not inside and doc[end - 1].text not in ctx.rules.org_heads:
            return False  # an unmarked "Reilly Opelka" in a list of clubs is a player
    return True
