"""The articles of a batch and their annotations: the recrawl rule, in SQL.

It owns the statements that classify a batch's articles against the stored
ones (new, changed, unchanged), upsert them, and replace the mentions,
figures and fine reports of the articles that changed (`write_articles`), and
replacing the annotations of given articles (`write_annotations`, for
re-annotation).  The rule itself is described in data/store/__init__.py; the
texts it replaces are kept as versions (versions.py).  Each function runs
inside the caller's transaction, on tables the caller registered
(in_articles, in_mentions, in_figures, in_fines).
"""

from __future__ import annotations

import logging

import duckdb
import pandas as pd
import pyarrow as pa

from newsmon.data import entity_weeks
from newsmon.data.entities import resolve_entities
from newsmon.data.frames import to_arrow, with_article_id
from newsmon.data.store.versions import record_versions, snapshot_replaced
from newsmon.data.store.money import remember_fine_ids, write_money

logger = logging.getLogger(__name__)

_CLASSIFY = """
CREATE OR REPLACE TEMP TABLE _batch AS
SELECT i.*,
    CASE
        WHEN a.article_id IS NULL THEN 'new'
        WHEN a.source IS NOT NULL AND i.source IS NOT NULL AND a.source <> i.source THEN 'foreign'
        WHEN a.text_hash <> i.text_hash THEN 'changed'
        WHEN coalesce(i.annotated, false) AND NOT a.annotated THEN 'changed'
        ELSE 'unchanged'
    END AS change
FROM in_articles i
LEFT JOIN articles a ON a.article_id = i.article_id
"""

_TOUCH_UNCHANGED = """
UPDATE articles SET fetched_at = greatest(articles.fetched_at, coalesce(b.fetched_at, $now))
FROM _batch b
WHERE articles.article_id = b.article_id AND b.change = 'unchanged'
"""

_UPSERT_CHANGED = """
INSERT INTO articles (
    article_id, url, canonical_url, source, title, authors, published_at, fetched_at,
    first_seen_at, updated_at, language, sitename, description, text, text_hash,
    word_count, relevance, matched_terms, annotated, run_id)
SELECT
    article_id, url, canonical_url, source, title, coalesce(authors, []::VARCHAR[]),
    published_at, coalesce(fetched_at, $now), $now, $now, language, sitename, description,
    text, text_hash, word_count, relevance, coalesce(matched_terms, []::VARCHAR[]),
    coalesce(annotated, false), $run_id
FROM _batch
WHERE change IN ('new', 'changed')
ON CONFLICT (article_id) DO UPDATE SET
    url = excluded.url, source = excluded.source, title = excluded.title,
    authors = excluded.authors, published_at = excluded.published_at,
    fetched_at = excluded.fetched_at, updated_at = excluded.updated_at,
    language = excluded.language, sitename = excluded.sitename,
    description = excluded.description, text = excluded.text, text_hash = excluded.text_hash,
    word_count = excluded.word_count, relevance = excluded.relevance,
    matched_terms = excluded.matched_terms, annotated = excluded.annotated,
    run_id = excluded.run_id
"""

_DELETE_OLD_ANNOTATIONS = (
    "DELETE FROM mentions WHERE article_id IN (SELECT article_id FROM _targets)",
    "DELETE FROM figures WHERE article_id IN (SELECT article_id FROM _targets)",
    "DELETE FROM fine_reports WHERE article_id IN (SELECT article_id FROM _targets)",
)

_STAGE_MENTIONS = """
CREATE OR REPLACE TEMP VIEW _mentions AS
SELECT m.article_id, m.label, m.text,
    coalesce(nullif(trim(m.canonical), ''), m.text) AS canonical,
    m.start, m."end", m.sentence
FROM in_mentions m
SEMI JOIN _targets t ON t.article_id = m.article_id
"""

# the new mentions with their article's week, kept for a moment so entity_weeks counts them
_NEW_MENTIONS = f"""
CREATE OR REPLACE TEMP TABLE _new_mentions AS
SELECT DISTINCT m.article_id, m.label, m.text, m.canonical, e.entity_id, m.start, m."end", m.sentence,
    {entity_weeks.WEEK_START} AS week_start
FROM _mentions m
JOIN articles a ON a.article_id = m.article_id
LEFT JOIN _entity_of e ON e.label = m.label AND e.canonical = m.canonical
"""

_INSERT_MENTIONS = """
INSERT INTO mentions (article_id, label, text, canonical, entity_id, start_char, end_char, sentence, week_start)
SELECT * FROM _new_mentions
"""

_INSERT_FIGURES = """
INSERT INTO figures (article_id, kind, value, unit, object, text, start_char, end_char, sentence, role,
    party, party_label)
SELECT DISTINCT f.article_id, f.kind, f.value, f.unit, f.object, f.text, f.start, f."end", f.sentence, f.role,
    f.party, f.party_label
FROM in_figures f
SEMI JOIN _targets t ON t.article_id = f.article_id
"""


def write_articles(con: duckdb.DuckDBPyConnection, run_id: int | None, now) -> dict[str, int]:
    """The recrawl rule for in_articles/in_mentions/in_figures; leaves temp table _batch."""
    con.execute(_CLASSIFY)
    counts = change_counts(con)
    replaced = snapshot_replaced(con)  # the texts about to be replaced, kept as versions
    con.execute(_TOUCH_UNCHANGED, {"now": now})
    con.execute(_UPSERT_CHANGED, {"now": now, "run_id": run_id})
    con.execute("CREATE OR REPLACE TEMP TABLE _targets AS "
                "SELECT article_id FROM _batch WHERE change IN ('new', 'changed')")
    log_conflicts(con)
    warn_orphans(con, "_batch")
    counts.update(write_annotations(con, now, stored="SELECT article_id FROM _batch WHERE change = 'changed'"))
    if replaced:
        counts["versions"] = record_versions(con, now, run_id)
    return counts



def annotation_table(df: pd.DataFrame | None, columns, what: str) -> pa.Table:
    if df is None or (df.empty and "article_id" not in df.columns and "canonical_url" not in df.columns):
        df = pd.DataFrame({"article_id": pd.Series([], dtype="int64")})
    return to_arrow(with_article_id(df, what), columns, what)


def change_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = dict(con.execute("SELECT change, count(*) FROM _batch GROUP BY change").fetchall())
    counts = {"inserted": rows.get("new", 0), "updated": rows.get("changed", 0),
              "unchanged": rows.get("unchanged", 0)}
    if rows.get("foreign"):  # only then: callers compare the usual keys
        counts["conflicts"] = rows["foreign"]
    return counts


def log_conflicts(con: duckdb.DuckDBPyConnection) -> None:
    """Log the batch's articles whose canonical URL another source stored first."""
    for url, source, owner in con.execute(
            "SELECT b.canonical_url, b.source, a.source FROM _batch b JOIN articles a "
            "USING (article_id) WHERE b.change = 'foreign' ORDER BY 1 LIMIT 20").fetchall():
        logger.warning("%s belongs to source %s, which stored it first; the page of %s that "
                       "names it as canonical does not replace it", url, owner, source)


def warn_orphans(con: duckdb.DuckDBPyConnection, scope: str) -> None:
    """Log annotation rows whose article is not in `scope` (they are dropped)."""
    for table in ("in_mentions", "in_figures", "in_fines"):
        orphans = con.execute(
            f"SELECT count(*) FROM {table} x ANTI JOIN {scope} s ON s.article_id = x.article_id"
        ).fetchone()[0]
        if orphans:
            logger.warning("%s: %d row(s) name an article outside the batch; dropped", table[3:], orphans)


def write_annotations(con: duckdb.DuckDBPyConnection, now,
                      stored: str = "SELECT article_id FROM _targets") -> dict[str, int]:
    """Replace mentions, figures and fine reports of the articles in temp table _targets
    (money converted, fines grouped: data/store/money.py), and their entities' weekly
    counts (data/entity_weeks.py); `stored` selects those that may have mentions already."""
    remember_fine_ids(con)
    entity_weeks.take_out(con, stored)
    for statement in _DELETE_OLD_ANNOTATIONS:
        con.execute(statement)
    con.execute(_STAGE_MENTIONS)
    resolve_entities(con, "_mentions", now)
    con.execute(_NEW_MENTIONS)
    mentions = con.execute(_INSERT_MENTIONS).fetchone()[0]
    entity_weeks.put_in(con, "_new_mentions")
    figures = con.execute(_INSERT_FIGURES).fetchone()[0]
    return {"mentions": mentions, "figures": figures, **write_money(con)}



# -- reading articles back for re-annotation ------------------------------------------------
_ANNOTATABLE = """
FROM articles
WHERE list_contains($langs::VARCHAR[], lower(coalesce(substr(language, 1, 2), '')))
  AND ($source::VARCHAR IS NULL OR source = $source::VARCHAR)
"""


def count_annotatable(con: duckdb.DuckDBPyConnection, languages: list[str],
                      source: str | None) -> int:
    """How many stored articles are in `languages` (and of `source`, if given)."""
    return int(con.execute("SELECT count(*) " + _ANNOTATABLE,
                           {"langs": languages, "source": source}).fetchone()[0])


def annotatable_page(con: duckdb.DuckDBPyConnection, languages: list[str], source: str | None,
                     after: int, n: int) -> pd.DataFrame:
    """The next `n` such articles after article_id `after` (keyset pagination):
    article_id, canonical_url, language, text."""
    return con.execute("SELECT article_id, canonical_url, language, text " + _ANNOTATABLE
                       + " AND article_id > $after ORDER BY article_id LIMIT $n",
                       {"langs": languages, "source": source, "after": after, "n": n}).df()
