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

Names the text gives to a person are never clubs. The answer maps each club name to the
cue that decided it, so ``newsmon annotate --explain`` can show it.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from newsmon.nlp.entities.context import ORG, STRONG, Candidate, DocContext
from newsmon.nlp.entities.cues import occurrences

log = logging.getLogger(__name__)

_WORD = re.compile(r"[a-z][a-z-]*")
_ORDINAL = (r"(?:top|bottom|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
            r"twelfth|\d{1,2}(?:st|nd|rd|th))")
_SCORE = r"\d{1,3}\s?[-–]\s?\d{1,3}\b"


def sport_report(ctx: DocContext) -> bool:
    """The text uses enough distinct sport words to be a sport report."""
    teams = ctx.rules.teams
    words = set(_WORD.findall(ctx.text.lower()))
    return len(words & teams.sport_words) >= teams.min_sport_words


def team_names(ctx: DocContext, candidates: list[Candidate]) -> dict[str, str]:
    """Names of clubs named after their place -> the cue that shows it (empty outside sport reports)."""
    knowledge = ctx.knowledge
    if knowledge is None:
        return {}
    doc, club_words = ctx.doc, ctx.rules.teams.club_words
    names = {c.text for c in candidates if c.source == "model" and c.text[:1].isupper()}
    model_people = {c.text for c in candidates if c.source == "model" and c.model_label == "PERSON"}
    names |= {doc[c.start:c.end + 1].text for c in candidates  # "Newcastle" + "United"
              if c.source == "model" and c.end < len(doc) and doc[c.end].text in club_words}
    if not names or not sport_report(ctx):
        return {}
    rules = ctx.rules
    teams = rules.teams
    before, after = _cue_patterns(teams.side_before, teams.side_after, teams.club_people)
    found = {}
    for name in sorted(names):
        if ctx.names_person(name, first_names=True):
            continue
        words = name.split()
        if (len(words) > 1 and words[-1] in teams.club_words and knowledge.place(name) is None
                and knowledge.place(" ".join(words[:-1])) is not None):
            found[name] = f"a place and the club word {words[-1]!r}"
            continue
        if (name not in model_people and 2 <= len(words) <= 3 and knowledge.place(name) is None
                and words[0] not in rules.compass_points and words[-1] not in rules.grouping_heads
                and words[-1] not in rules.event_heads and words[-1] not in rules.facility_heads
                and words[-1] not in rules.place_heads
                and (home := knowledge.major_place(" ".join(words[:-1]))) is not None and home.kind != "country"
                and words[-1][:1].isupper() and (words[-1].endswith("s") or knowledge.common_word(words[-1]))):
            found[name] = f"a {home.kind} and a nickname {words[-1]!r}"  # "Orlando Magic", "Charlotte Hornets"
            continue
        fact = knowledge.place(name)
        if fact is None or fact.kind in ("country", "place-code"):
            continue
        for start, end in occurrences(ctx.text, name):
            cue = before.search(ctx.text, max(0, start - 40), start) or after.match(ctx.text, end)
            if cue:
                found[name] = f"a {fact.kind} used as a side: {cue.group().strip()!r}"
                break
    if found:
        log.debug("clubs named after places: %s", found)
    return found


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
