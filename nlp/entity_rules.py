"""Loading of the word lists in ``nlp/resources/entity_rules.toml``.

Owns turning the TOML file into an immutable ``EntityRules`` of frozensets and
token-sequence tuples that the entity corrections look up in constant time.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent / "resources"
DEFAULT_RULES = RESOURCES / "entity_rules.toml"


@dataclass(frozen=True)
class EntityRules:
    titles: tuple[tuple[str, ...], ...]  # longest first
    title_words: frozenset[str]  # first words of the titles
    suffixes: frozenset[str]
    product_heads: frozenset[str]
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
        suffixes=frozenset(person["suffixes"]),
        product_heads=frozenset(person["product_heads"]),
        particles=frozenset(person["particles"]),
        question_words=frozenset(person["question_words"]),
        roles=frozenset(r.split()[-1].lower() for r in person["roles"]),
        role_modifiers=frozenset(m.lower() for m in person["role_modifiers"]),
        org_heads=frozenset(org["heads"]),
        strong_heads=frozenset(org["strong_heads"]),
        org_prefixes=_sequences(org["prefixes"]),
        cue_words=frozenset(w.lower() for w in org["cue_words"]),
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
    )
