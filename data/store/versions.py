"""Article versions: the text a re-fetch replaces is kept, with what changed.

It owns the two statements the recrawl rule (articles.py) runs around the
upsert of a batch: `snapshot_replaced` copies, before anything is written,
every stored article whose text the batch changes (another text_hash) with
its figures and entities into temp table _replaced; `record_versions`, after
the new text and annotations are written, compares the two and inserts one
row per replaced text into article_versions (migration 010 describes the
table and the comparison macros).  Both run inside the caller's transaction,
so a version is kept exactly when its replacement is written.  A batch that
only adds annotations to the same text (annotated false -> true) keeps no
version.
"""

from __future__ import annotations

import duckdb

def _figure_lists(ids: str, fields: str) -> str:
    """Per article of `ids` (a query of article_ids), its figures as one list of structs."""
    return f"""
    SELECT article_id, list({{{fields}}} ORDER BY start_char, kind) AS figures
    FROM figures WHERE article_id IN ({ids})
    GROUP BY article_id"""


def _entity_lists(ids: str) -> str:
    """Per article of `ids`, its distinct entities (label, entity_id, name, first sentence)."""
    return f"""
    SELECT article_id,
           list({{'label': label, 'entity_id': entity_id, 'name': name, 'sentence': sentence}}
                ORDER BY first_char, name) AS entities
    FROM (
        SELECT m.article_id, m.label, m.entity_id, coalesce(any_value(e.name), min(m.canonical)) AS name,
               arg_min(m.sentence, m.start_char) AS sentence, min(m.start_char) AS first_char
        FROM mentions m LEFT JOIN entities e USING (entity_id)
        WHERE m.article_id IN ({ids})
        GROUP BY m.article_id, m.label, m.entity_id,
                 CASE WHEN m.entity_id IS NULL THEN lower(m.canonical) END
    )
    GROUP BY article_id"""


def distinct_by(expr: str, key_macro: str) -> str:
    """SQL: the list `expr` without the items whose key (`key_macro`) an earlier item has."""
    return (f"list_filter({expr}, (x, i) -> list_position(list_transform({expr}, g -> {key_macro}(g)), "
            f"{key_macro}(x)) = i)")


_ALL_FIELDS = ("'kind': kind, 'value': value, 'unit': unit, 'object': object, 'text': text, "
               "'start_char': start_char, 'sentence': sentence")
_CHANGE_FIELDS = "'kind': kind, 'value': value, 'unit': unit, 'text': text, 'sentence': sentence"

_SNAPSHOT = f"""
CREATE OR REPLACE TEMP TABLE _replaced AS
WITH ids AS (
    SELECT b.article_id FROM _batch b JOIN articles a USING (article_id)
    WHERE b.change = 'changed' AND a.text_hash <> b.text_hash
),
figs AS ({_figure_lists("SELECT article_id FROM ids", _ALL_FIELDS)}),
ents AS ({_entity_lists("SELECT article_id FROM ids")})
SELECT a.article_id,
       coalesce((SELECT max(v.version) FROM article_versions v WHERE v.article_id = a.article_id), 0) + 1
           AS version,
       a.updated_at AS stored_at, a.fetched_at AS last_fetched_at, a.text_hash, a.title,
       a.description, a.text, a.annotated,
       coalesce(f.figures, []) AS figures, coalesce(n.entities, []) AS entities
FROM articles a
JOIN ids USING (article_id)
LEFT JOIN figs f USING (article_id)
LEFT JOIN ents n USING (article_id)
"""

# what appeared and disappeared: each figure (entity) once, at its first occurrence
_ADDED_FIGURES = distinct_by("version_figures_missing(new_figures, old_figures)", "version_figure_key")
_REMOVED_FIGURES = distinct_by("version_figures_missing(old_figures, new_figures)", "version_figure_key")
_ADDED_ENTITIES = distinct_by("version_entities_missing(new_entities, entities)", "version_entity_key")
_REMOVED_ENTITIES = distinct_by("version_entities_missing(entities, new_entities)", "version_entity_key")

_RECORD = f"""
INSERT INTO article_versions
WITH figs AS ({_figure_lists("SELECT article_id FROM _replaced", _CHANGE_FIELDS)}),
ents AS ({_entity_lists("SELECT article_id FROM _replaced")}),
pairs AS (
    SELECT r.*, a.title AS new_title, a.text AS new_text, r.annotated AND a.annotated AS both_annotated,
           list_transform(r.figures, f -> {{'kind': f.kind, 'value': f.value, 'unit': f.unit,
                                           'text': f.text, 'sentence': f.sentence}}) AS old_figures,
           coalesce(f.figures, []) AS new_figures,
           coalesce(n.entities, []) AS new_entities
    FROM _replaced r
    JOIN articles a USING (article_id)
    LEFT JOIN figs f USING (article_id)
    LEFT JOIN ents n USING (article_id)
)
SELECT article_id, version, stored_at, last_fetched_at, $now, $run_id, text_hash, title, description,
       text, annotated,
       list_transform(figures, f -> {{'kind': f.kind, 'value': f.value, 'unit': f.unit, 'object': f.object,
                                     'text': f.text, 'start_char': f.start_char}}),
       list_transform(entities, e -> {{'label': e.label, 'entity_id': e.entity_id, 'name': e.name}}),
       title IS DISTINCT FROM new_title,
       version_bag_gain(version_word_bag(text), version_word_bag(new_text)),
       version_bag_gain(version_word_bag(new_text), version_word_bag(text)),
       CASE WHEN both_annotated THEN {_ADDED_FIGURES} ELSE [] END,
       CASE WHEN both_annotated THEN {_REMOVED_FIGURES} ELSE [] END,
       CASE WHEN both_annotated THEN {_ADDED_ENTITIES} ELSE [] END,
       CASE WHEN both_annotated THEN {_REMOVED_ENTITIES} ELSE [] END
FROM pairs
"""


def snapshot_replaced(con: duckdb.DuckDBPyConnection) -> int:
    """Copy the stored articles whose text temp table _batch changes into temp table
    _replaced (before the upsert); return how many."""
    con.execute(_SNAPSHOT)
    return con.execute("SELECT count(*) FROM _replaced").fetchone()[0]


def record_versions(con: duckdb.DuckDBPyConnection, now, run_id: int | None) -> int:
    """Insert one article_versions row per article in _replaced, with the change to
    the text and annotations now stored; return how many."""
    return con.execute(_RECORD, {"now": now, "run_id": run_id}).fetchone()[0]
