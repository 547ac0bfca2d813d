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
3. Otherwise a new entity named by the most frequent spelling in the batch, a spelling
   without a leading "The" first ("Data Protection Board of India", not the "The Data
   Protection Board of India" that starts a sentence); an organisation entity named with
   a leading "The" takes the name without it once a mention spells it so.

4. Acronyms: an organisation mention written as an acronym whose article spells it out
   ("Ministry of Internal Affairs and Communications (MIC)": text "MIC", canonical the
   expansion) makes the acronym an alias of the expansion's entity; an entity that was
   only ever that acronym is merged into it ("EU" into "European Union").

Organisation keys (alias_key, migrations 004 and 008) fold a corporate suffix, a leading
"the" and a country or union prefix ("EU General Court" is "General Court").  The
analyst's decisions (`merge`, `split`) move aliases and mentions and are recorded in
entity_decisions; since aliases outlive re-annotation, a reannotate keeps them, and a
split spelling is never merged back by rule 4.  Known limits: a surname seen
BEFORE its full name stays its own entity (no retroactive merging), and a
surname shared by two entities ("Durov" with Pavel and Nikolai) becomes an
entity of its own.  An entity merged into another (rule 4 or the analyst's `merge`) is
removed once its aliases, mentions and fine reports point at the one it joined, so
`entities` lists each real-world thing once (migration 014 cleaned older databases).
"""

from __future__ import annotations

import logging
from datetime import datetime

import duckdb

from newsmon.data import entity_weeks

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
SELECT label, key, first(canonical ORDER BY canonical ILIKE 'the %', n DESC, canonical) AS canonical
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

# "The X" -> "X" when a mention of the batch spells the organisation without its "The".
_DROP_THE = """
UPDATE entities e SET name = x.canonical
FROM (SELECT entity_id, min(canonical) AS canonical FROM _entity_of
      WHERE label = 'organisation' AND NOT canonical ILIKE 'the %' GROUP BY entity_id) x
WHERE e.entity_id = x.entity_id AND e.label = 'organisation' AND lower(e.name) = 'the ' || lower(x.canonical)
"""


def resolve_entities(con: duckdb.DuckDBPyConnection, names: str, now: datetime) -> dict[str, int]:
    """Give every (label, canonical) in table `names` an entity, inside the caller's transaction.

    Leaves temp table `_entity_of(label, canonical, entity_id)` for the caller
    to join mentions on.  Returns {"new_entities", "surname_aliases", "acronym_aliases"}.
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
    con.execute(_DROP_THE)
    acronym_aliases = _acronym_aliases(con, names)
    if new_entities or surname_aliases or acronym_aliases:
        logger.debug("entities: %d new, %d surname aliases, %d acronym aliases",
                     new_entities, surname_aliases, acronym_aliases)
    return {"new_entities": new_entities, "surname_aliases": surname_aliases, "acronym_aliases": acronym_aliases}


# Acronyms spelled out in their article: text "MIC", canonical its expansion.
_ACRONYMS = """
CREATE OR REPLACE TEMP TABLE _acronyms AS
SELECT DISTINCT ON (alias_key(n.label, n.text)) alias_key(n.label, n.text) AS key, n.label, n.text, e.entity_id
FROM {names} n
JOIN _entity_of e ON e.label = n.label AND e.canonical = n.canonical
WHERE n.label = 'organisation' AND regexp_matches(n.text, '^[A-Z][A-Z&.]{{1,9}}$')
  AND alias_key(n.label, n.text) <> alias_key(n.label, n.canonical)
  AND NOT EXISTS (SELECT 1 FROM entity_decisions d
                  WHERE d.action = 'split' AND d.label = n.label AND name_key(d.other) = name_key(n.text))
ORDER BY alias_key(n.label, n.text), e.entity_id
"""

# Entities that were only ever the acronym ("EU" before an article spelled out "European Union").
_ACRONYM_ENTITIES = """
CREATE OR REPLACE TEMP TABLE _acronym_merges AS
SELECT a.entity_id AS old_id, x.entity_id AS new_id, x.label
FROM _acronyms x
JOIN entity_aliases a ON a.alias = x.key AND a.label = x.label AND a.entity_id <> x.entity_id
JOIN entities e ON e.entity_id = a.entity_id AND alias_key(e.label, e.name) = x.key
"""


def _acronym_aliases(con: duckdb.DuckDBPyConnection, names: str) -> int:
    con.execute(_ACRONYMS.format(names=names))
    con.execute(_ACRONYM_ENTITIES)
    for old_id, new_id, _label in con.execute("SELECT * FROM _acronym_merges").fetchall():
        _move(con, old_id, new_id)
    added = con.execute("""
        INSERT INTO entity_aliases (alias, label, entity_id)
        SELECT key, label, entity_id FROM _acronyms ON CONFLICT DO NOTHING""").fetchone()[0]
    if con.execute("SELECT count(*) FROM _acronym_merges").fetchone()[0]:
        con.execute(_ENTITY_OF)
    return int(added or 0)


# --- the analyst's decisions ---------------------------------------------------------------


class EntityNotFound(LookupError):
    """A name that is no entity's name or alias."""


def find_entity(con: duckdb.DuckDBPyConnection, name: str, label: str | None = None) -> tuple[int, str, str]:
    """(entity_id, label, name) of the entity that `name` names; an ambiguous name needs `label`."""
    rows = con.execute("""
        SELECT DISTINCT e.entity_id, e.label, e.name FROM entity_aliases a JOIN entities e USING (entity_id)
        WHERE a.alias = alias_key(a.label, $name) AND ($label::VARCHAR IS NULL OR a.label = $label::VARCHAR)
        ORDER BY e.entity_id""", {"name": name, "label": label}).fetchall()
    if not rows:
        raise EntityNotFound(f"no {label or 'entity'} named {name!r}")
    if len(rows) > 1:
        raise EntityNotFound(f"{name!r} names {len(rows)} entities ({', '.join(f'{r[2]} [{r[1]}]' for r in rows)});"
                             " say which with --label")
    return rows[0]


def describe_entity(con: duckdb.DuckDBPyConnection, entity_id: int, label: str,
                    name: str) -> tuple[list[str], int, list[tuple]]:
    """An entity's spellings, its number of mentions, and the analyst's decisions about
    it (decided_at, action, name, other), oldest first (`newsmon entities show`)."""
    spellings = [r[0] for r in con.execute(
        "SELECT DISTINCT canonical FROM mentions WHERE entity_id = ? ORDER BY 1", [entity_id]).fetchall()]
    mentions = con.execute("SELECT count(*) FROM mentions WHERE entity_id = ?", [entity_id]).fetchone()[0]
    decisions = con.execute(
        "SELECT decided_at, action, name, other FROM entity_decisions WHERE label = ? AND (name = ? OR other = ?)"
        " ORDER BY decision_id", [label, name, name]).fetchall()
    return spellings, mentions, decisions


def _move(con: duckdb.DuckDBPyConnection, old_id: int, new_id: int) -> None:
    """Every alias, mention and fine report of entity `old_id` now belongs to `new_id`,
    and `old_id` is gone."""
    ids = {"new": new_id, "old": old_id}
    con.execute("UPDATE entity_aliases SET entity_id = $new WHERE entity_id = $old", ids)
    con.execute("UPDATE mentions SET entity_id = $new WHERE entity_id = $old", ids)
    con.execute("UPDATE fine_reports SET authority_entity_id = $new WHERE authority_entity_id = $old", ids)
    con.execute("UPDATE fine_reports SET target_entity_id = $new WHERE target_entity_id = $old", ids)
    con.execute("DELETE FROM entities WHERE entity_id = $old", {"old": old_id})
    entity_weeks.recount(con, (old_id, new_id))


def merge_entities(con: duckdb.DuckDBPyConnection, keep: str, other: str, now: datetime,
                   label: str | None = None) -> dict:
    """Merge the entity named `other` into the one named `keep` (same label); recorded."""
    keep_id, keep_label, keep_name = find_entity(con, keep, label)
    other_id, other_label, other_name = find_entity(con, other, label or keep_label)
    if other_label != keep_label:
        raise EntityNotFound(f"{keep_name!r} is a {keep_label}, {other_name!r} a {other_label}")
    if keep_id == other_id:
        return {"entity": keep_name, "moved_mentions": 0, "already": True}
    moved = con.execute("SELECT count(*) FROM mentions WHERE entity_id = ?", [other_id]).fetchone()[0]
    _move(con, other_id, keep_id)
    con.execute("INSERT INTO entity_decisions (decided_at, action, label, name, other) VALUES (?, 'merge', ?, ?, ?)",
                [now, keep_label, keep_name, other_name])
    return {"entity": keep_name, "merged": other_name, "moved_mentions": int(moved), "already": False}


def split_entity(con: duckdb.DuckDBPyConnection, name: str, spelling: str, now: datetime,
                 label: str | None = None) -> dict:
    """Take the spelling `spelling` (an alias) out of the entity named `name` into an entity
    of its own, with the mentions written so; recorded."""
    entity_id, entity_label, entity_name = find_entity(con, name, label)
    key = con.execute("SELECT alias_key(?, ?)", [entity_label, spelling]).fetchone()[0]
    if key == con.execute("SELECT alias_key(?, ?)", [entity_label, entity_name]).fetchone()[0]:
        raise EntityNotFound(f"{spelling!r} is {entity_name!r}'s own name; split another spelling from it")
    owner = con.execute("SELECT entity_id FROM entity_aliases WHERE alias = ? AND label = ?",
                        [key, entity_label]).fetchone()
    if owner is None or owner[0] != entity_id:
        raise EntityNotFound(f"{spelling!r} is not a spelling of {entity_name!r}")
    new_id = con.execute("SELECT nextval('entities_seq')").fetchone()[0]
    con.execute("INSERT INTO entities (entity_id, label, name, first_seen_at) VALUES (?, ?, ?, ?)",
                [new_id, entity_label, spelling, now])
    con.execute("UPDATE entity_aliases SET entity_id = ? WHERE alias = ? AND label = ?", [new_id, key, entity_label])
    moved = con.execute("""UPDATE mentions SET entity_id = $new
                           WHERE entity_id = $old AND alias_key(label, canonical) = $key""",
                        {"new": new_id, "old": entity_id, "key": key}).fetchone()[0]
    entity_weeks.recount(con, (entity_id, new_id))
    con.execute("INSERT INTO entity_decisions (decided_at, action, label, name, other) VALUES (?, 'split', ?, ?, ?)",
                [now, entity_label, entity_name, spelling])
    return {"entity": entity_name, "split": spelling, "moved_mentions": int(moved or 0)}


def _insert_fresh(con: duckdb.DuckDBPyConnection, create_fresh: str, now: datetime) -> int:
    con.execute(create_fresh)
    con.execute(_INSERT_FRESH_ENTITIES, {"now": now})
    con.execute(_INSERT_FRESH_ALIASES)
    return con.execute("SELECT count(*) FROM _fresh").fetchone()[0]
