"""Database-wide identities for people and organisations, so counts per entity add up.

Each mention carries the fullest name its own article gives (`canonical`).
Within a write transaction, every new (label, canonical) is resolved to an
entity by this rule, on the name key alias_key(label, canonical) = lower case, trimmed,
inner whitespace collapsed (name_key, migration 001), and for organisations without a
trailing corporate suffix, so "Vantor Inc." and "Vantor" are one entity (migration 004):

1. Known: the key is an alias of an entity with the same label -> that entity.
   Every entity's own name is one of its aliases.
2. Surname: a PERSON key that is a trailing word sequence of the name (or an
   alias) of exactly one person entity ("durov" ends "pavel durov"; "von der
   leyen" ends "ursula von der leyen") becomes an alias of that entity.  Full
   names new in the same batch count as entities here, so the order of
   mentions within a batch does not matter.
3. Otherwise a new entity named by the most frequent spelling in the batch.

Organisations only ever match exactly (rule 1).  Known limits: a surname seen
BEFORE its full name stays its own entity (no retroactive merging), and a
surname shared by two entities ("Durov" with Pavel and Nikolai) becomes an
entity of its own.  Entities are never deleted; a stale one simply has no mentions.
"""

from __future__ import annotations

import logging
from datetime import datetime

import duckdb

logger = logging.getLogger(__name__)

# {names} is a table/view with columns (label, canonical); keys are computed
# once per distinct spelling, not per mention.
_SPELLINGS = """
CREATE OR REPLACE TEMP TABLE _spellings AS
SELECT label, canonical, alias_key(label, canonical) AS key, count(*) AS n
FROM {names}
GROUP BY label, canonical
"""

_NAMES = """
CREATE OR REPLACE TEMP TABLE _names AS
SELECT label, key, first(canonical ORDER BY n DESC, canonical) AS canonical
FROM _spellings
GROUP BY label, key
"""

_UNKNOWN = """
CREATE OR REPLACE TEMP TABLE _unknown AS
SELECT n.* FROM _names n
ANTI JOIN entity_aliases a ON a.alias = n.key AND a.label = n.label
"""

# Shorter word suffixes of person names ("von der leyen", "der leyen", "leyen" for
# "ursula von der leyen"): of every person alias (each entity's name is one) and of
# the new names, limited to names whose last word ends some new person name.
_PERSON_SUFFIXES = """
CREATE OR REPLACE TEMP TABLE _person_suffixes AS
WITH last_words AS (
    SELECT DISTINCT string_split(key, ' ')[-1] AS word FROM _unknown WHERE label = 'person'
), names AS (
    SELECT alias AS key, entity_id FROM entity_aliases WHERE label = 'person'
    UNION ALL
    SELECT key, NULL FROM _unknown WHERE label = 'person'
), words AS (
    SELECT key, entity_id, string_split(key, ' ') AS w FROM names
    SEMI JOIN last_words ON last_words.word = string_split(names.key, ' ')[-1]
)
SELECT array_to_string(w[i:], ' ') AS suffix, key, entity_id
FROM (SELECT key, entity_id, w, unnest(range(2, len(w) + 1)) AS i FROM words)
"""

_SURNAME_CANDIDATES = """
CREATE OR REPLACE TEMP TABLE _surnames AS
SELECT u.* FROM _unknown u
SEMI JOIN _person_suffixes p ON p.suffix = u.key
WHERE u.label = 'person'
"""

_FRESH_FULL_NAMES = """
CREATE OR REPLACE TEMP TABLE _fresh AS
SELECT nextval('entities_seq') AS entity_id, u.label, u.key, u.canonical
FROM _unknown u
ANTI JOIN _surnames s ON s.label = u.label AND s.key = u.key
"""

# After the fresh full names became entities: which entities does each surname end?
_SURNAME_HITS = """
CREATE OR REPLACE TEMP TABLE _surname_hits AS
SELECT s.label, s.key, s.canonical,
    count(DISTINCT coalesce(p.entity_id, a.entity_id)) AS hits,
    min(coalesce(p.entity_id, a.entity_id)) AS entity_id
FROM _surnames s
JOIN _person_suffixes p ON p.suffix = s.key
LEFT JOIN entity_aliases a ON p.entity_id IS NULL AND a.alias = p.key AND a.label = 'person'
GROUP BY ALL
"""

_SURNAME_ALIASES = """
INSERT INTO entity_aliases (alias, label, entity_id)
SELECT key, label, entity_id FROM _surname_hits WHERE hits = 1
"""

_FRESH_AMBIGUOUS = """
CREATE OR REPLACE TEMP TABLE _fresh AS
SELECT nextval('entities_seq') AS entity_id, label, key, canonical
FROM _surname_hits WHERE hits <> 1
"""

_INSERT_FRESH_ENTITIES = """
INSERT INTO entities (entity_id, label, name, first_seen_at)
SELECT entity_id, label, canonical, $now FROM _fresh
"""

_INSERT_FRESH_ALIASES = """
INSERT INTO entity_aliases (alias, label, entity_id)
SELECT key, label, entity_id FROM _fresh
"""


_ENTITY_OF = """
CREATE OR REPLACE TEMP TABLE _entity_of AS
SELECT s.label, s.canonical, a.entity_id
FROM _spellings s
JOIN entity_aliases a ON a.alias = s.key AND a.label = s.label
"""


def resolve_entities(con: duckdb.DuckDBPyConnection, names: str, now: datetime) -> dict[str, int]:
    """Give every (label, canonical) in table `names` an entity, inside the caller's transaction.

    Leaves temp table `_entity_of(label, canonical, entity_id)` for the caller
    to join mentions on.  Returns {"new_entities", "surname_aliases"}.
    """
    con.execute(_SPELLINGS.format(names=names))
    con.execute(_NAMES)
    con.execute(_UNKNOWN)
    con.execute(_PERSON_SUFFIXES)
    con.execute(_SURNAME_CANDIDATES)
    new_entities = _insert_fresh(con, _FRESH_FULL_NAMES, now)
    con.execute(_SURNAME_HITS)
    surname_aliases = con.execute("SELECT count(*) FROM _surname_hits WHERE hits = 1").fetchone()[0]
    con.execute(_SURNAME_ALIASES)
    new_entities += _insert_fresh(con, _FRESH_AMBIGUOUS, now)
    con.execute(_ENTITY_OF)
    if new_entities or surname_aliases:
        logger.debug("entities: %d new, %d surname aliases", new_entities, surname_aliases)
    return {"new_entities": new_entities, "surname_aliases": surname_aliases}


def _insert_fresh(con: duckdb.DuckDBPyConnection, create_fresh: str, now: datetime) -> int:
    con.execute(create_fresh)
    con.execute(_INSERT_FRESH_ENTITIES, {"now": now})
    con.execute(_INSERT_FRESH_ALIASES)
    return con.execute("SELECT count(*) FROM _fresh").fetchone()[0]
