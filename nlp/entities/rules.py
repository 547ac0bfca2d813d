"""Loading of the word lists in ``nlp/resources/entity_rules.toml``.

Owns turning the TOML file into an immutable ``EntityRules`` of frozensets and
token-sequence tuples that the entity corrections look up in constant time, with the
one-word unit names of ``units.toml`` (the figures' units: "GW", "fps" are no names) and
the currency symbols and codes of ``currencies.toml`` ("Tk", "BDT" before a number are no names).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
DEFAULT_RULES = RESOURCES / "entity_rules.toml"
UNITS = RESOURCES / "units.toml"
CURRENCIES = RESOURCES / "currencies.toml"


@dataclass(frozen=True)
class CueWords:
    """One tier (strong or weak) of the organisation cues of ``[org_evidence]``."""
    descriptors: tuple[str, ...]  # "the marketplace X", "X, the marketplace", "X, one of ... marketplaces"
    possessed: tuple[str, ...]  # "X's app store"
    attributive: tuple[str, ...]  # "X shareholders"
    preceding: tuple[str, ...]  # "the chief executive of X"
    following: tuple[str, ...]  # "X, which"


@dataclass(frozen=True)
class OrgCues:
    """Counted evidence that a name is an organisation (``[org_evidence]``)."""
    threshold: int
    suffix_weight: int
    strong_weight: int
    weak_weight: int
    corporate_suffixes: tuple[str, ...]
    verb_context: tuple[str, ...]  # words after which a descriptor is a verb ("they label")
    strong: CueWords
    weak: CueWords


@dataclass(frozen=True)
class PersonCues:
    """Counted evidence that a name is a person (``[person_evidence]``)."""
    threshold: int
    strong_weight: int
    weak_weight: int
    roles: tuple[str, ...]  # "Ferrule's lawyer, X", "X, the founder of"
    possessed: tuple[str, ...]  # "X's wife"
    following: tuple[str, ...]  # weak: "X said he"


@dataclass(frozen=True)
class TeamCues:
    """Words that show a sport report and a club named after its place (``nlp.entities.teams``)."""
    sport_words: frozenset[str]
    min_sport_words: int
    club_words: frozenset[str]  # "United", "City" after a place
    side_before: tuple[str, ...]  # "beat", "against", "at home to" before a side
    side_after: tuple[str, ...]  # "beat", "host", "drew" after a side
    club_people: tuple[str, ...]  # "coach", "fans" after a club
    stat_nouns: frozenset[str] = frozenset()  # "points", "rebounds" in a player's stat line
    positions: tuple[str, ...] = ()  # "LB", "CB", "GK" before a player in a roster or an injury report


@dataclass(frozen=True)
class EntityRules:
    titles: tuple[tuple[str, ...], ...]  # longest first
    title_words: frozenset[str]  # first words of the titles
    trailing_titles: frozenset[str]  # one-word titles cut from the end of a body's name
    byline_words: frozenset[str]  # a byline's role or a credit's word after a desk or an agency
    desk_words: frozenset[str]  # a byline's last word naming a newsroom ("By Reuters Staff")
    context_names: tuple[tuple[str, str, frozenset[str]], ...]  # (name, head, context names)
    personal_titles: tuple[str, ...]  # "Mr", "Dr.": a name after one is a person
    suffixes: frozenset[str]
    post_nominals: frozenset[str]  # cut from the end of a person's span: "KC", "OBE"
    product_heads: frozenset[str]
    eponym_nouns: frozenset[str]  # "the Trump administration": a leader's name before them
    event_heads: frozenset[str]  # last words of events' names ("Cup"), never surnames
    particles: frozenset[str]
    question_words: frozenset[str]
    roles: frozenset[str]  # lower case, last word of each role
    role_modifiers: frozenset[str]
    org_heads: frozenset[str]
    strong_heads: frozenset[str]
    org_prefixes: tuple[tuple[str, ...], ...]
    cue_words: frozenset[str]
    connectors: frozenset[str]
    non_org_heads: frozenset[str]
    office_titles: tuple[str, ...]
    non_entity_acronyms: frozenset[str]
    place_nouns: frozenset[str]
    place_heads: frozenset[str]
    place_prepositions: frozenset[str]
    facility_heads: frozenset[str]
    facility_prepositions: frozenset[str]
    calendar_words: frozenset[str]
    compound_endings: frozenset[str]  # "-based", "-trained": a hyphen and one of these end no name
    thing_nouns: frozenset[str]  # "the COTS program": a name before one is no organisation
    compass_points: frozenset[str]  # "AFC West", "Eastern Conference": a grouping of teams
    grouping_heads: frozenset[str]
    org_cues: OrgCues
    person_cues: PersonCues
    teams: TeamCues
    unit_words: frozenset[str] = frozenset()  # lower case: "gw", "kwh", "fps" (units.toml, [quantity])
    currency_marks: frozenset[str] = frozenset()  # "Tk", "Rs.", "BDT" (currencies.toml): money before a number
    venue_heads: frozenset[str] = frozenset()  # last words of facilities: "Observatory", "Telescope"
    venue_modifiers: frozenset[str] = frozenset()  # "Music", "Arts" before a venue_word: "Music Center"
    venue_words: frozenset[str] = frozenset()  # "Center", "Centre", "Hall" after a venue_modifier
    source_before: tuple[tuple[str, ...], ...] = ()  # lower case: "told", "according to" before a source
    source_after: tuple[tuple[str, ...], ...] = ()  # lower case: "reported" after a source


def _cue_words(table: dict) -> CueWords:
    return CueWords(**{key: tuple(dict.fromkeys(table.get(key, []))) for key in CueWords.__dataclass_fields__})


def _org_cues(table: dict) -> OrgCues:
    weights = table["weights"]
    return OrgCues(
        threshold=table["threshold"],
        suffix_weight=weights["suffix"],
        strong_weight=weights["strong"],
        weak_weight=weights["weak"],
        corporate_suffixes=tuple(dict.fromkeys(table["corporate_suffixes"])),
        verb_context=tuple(dict.fromkeys(table["verb_context"])),
        strong=_cue_words(table["strong"]),
        weak=_cue_words(table["weak"]),
    )


def _person_cues(table: dict) -> PersonCues:
    return PersonCues(
        threshold=table["threshold"],
        strong_weight=table["weights"]["strong"],
        weak_weight=table["weights"]["weak"],
        roles=tuple(dict.fromkeys(table["roles"])),
        possessed=tuple(dict.fromkeys(table["possessed"])),
        following=tuple(dict.fromkeys(table["following"])),
    )


def _one_words(phrases: list[str]) -> list[str]:
    """The phrases of one word ("chain", not "search engine")."""
    return [p for p in phrases if " " not in p]


def _sequences(phrases: list[str]) -> tuple[tuple[str, ...], ...]:
    unique = {tuple(p.split()) for p in phrases if p.strip()}
    return tuple(sorted(unique, key=len, reverse=True))


@lru_cache(maxsize=8)
def load_rules(path: str | Path = DEFAULT_RULES) -> EntityRules:
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    person, org, not_entity = data["person"], data["organisation"], data["not_entity"]
    return EntityRules(
        titles=_sequences(person["titles"]),
        title_words=frozenset(t.split()[0] for t in person["titles"] if t.strip()),
        trailing_titles=frozenset(org["trailing_titles"]),
        byline_words=frozenset(org["byline_words"]),
        desk_words=frozenset(org.get("desk_words", [])),
        context_names=tuple((name, entry["head"], frozenset(entry["context"]))
                            for name, entry in org.get("context_names", {}).items()),
        personal_titles=tuple(dict.fromkeys(person["personal_titles"])),
        suffixes=frozenset(person["suffixes"]),
        post_nominals=frozenset(person["post_nominals"]),
        product_heads=frozenset(person["product_heads"]),
        eponym_nouns=frozenset(person.get("eponym_nouns", [])),
        event_heads=frozenset(person["event_heads"]),
        particles=frozenset(person["particles"]),
        question_words=frozenset(person["question_words"]),
        roles=frozenset(r.split()[-1].lower() for r in person["roles"]),
        role_modifiers=frozenset(m.lower() for m in person["role_modifiers"]),
        org_heads=frozenset(org["heads"]),
        strong_heads=frozenset(org["strong_heads"]),
        org_prefixes=_sequences(org["prefixes"]),
        cue_words=frozenset(w.lower() for w in [*org["cue_words"],
                                                *_one_words(data["org_evidence"]["strong"]["descriptors"])]),
        connectors=frozenset(org["connectors"]),
        non_org_heads=frozenset(org["non_org_heads"]),
        office_titles=tuple(sorted(set(org["office_titles"]), key=len, reverse=True)),
        non_entity_acronyms=frozenset(not_entity["acronyms"]),
        place_nouns=frozenset(w.lower() for w in not_entity["place_nouns"]),
        place_heads=frozenset(not_entity["place_heads"]),
        place_prepositions=frozenset(w.lower() for w in not_entity["place_prepositions"]),
        facility_heads=frozenset(not_entity["facility_heads"]),
        facility_prepositions=frozenset(not_entity["facility_prepositions"]),
        calendar_words=frozenset(not_entity["calendar_words"]),
        compound_endings=frozenset(not_entity["compound_endings"]),
        thing_nouns=frozenset(not_entity["thing_nouns"]),
        compass_points=frozenset(not_entity["compass_points"]),
        grouping_heads=frozenset(not_entity["grouping_heads"]),
        org_cues=_org_cues(data["org_evidence"]),
        person_cues=_person_cues(data["person_evidence"]),
        teams=_team_cues(data["teams"]),
        unit_words=_unit_words(),
        currency_marks=_currency_marks(),
        venue_heads=frozenset(not_entity.get("venue_heads", [])),
        venue_modifiers=frozenset(not_entity.get("venue_modifiers", [])),
        venue_words=frozenset(not_entity.get("venue_words", [])),
        source_before=_sequences(org.get("source_before", [])),
        source_after=_sequences(org.get("source_after", [])),
    )


def _team_cues(table: dict) -> TeamCues:
    return TeamCues(
        sport_words=frozenset(w.lower() for w in table["sport_words"]),
        min_sport_words=int(table["min_sport_words"]),
        club_words=frozenset(table["club_words"]),
        side_before=tuple(table["side_before"]),
        side_after=tuple(table["side_after"]),
        club_people=tuple(table["club_people"]),
        stat_nouns=frozenset(table.get("stat_nouns", [])),
        positions=tuple(table.get("positions", [])),
    )


def _currency_marks() -> frozenset[str]:
    with open(CURRENCIES, "rb") as handle:
        table = tomllib.load(handle)
    return frozenset(k for k in [*table["symbols"], *table["codes"]["names"]] if k[:1].isalpha())


def _unit_words() -> frozenset[str]:
    with open(UNITS, "rb") as handle:
        quantity = tomllib.load(handle)["quantity"]
    return frozenset(k for k in quantity if k.isalnum())
