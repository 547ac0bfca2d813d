"""The weeks of the mentions: mentions.week_start and the table entity_weeks (migration 015).

It owns keeping both true as the writer changes the mentions:

* `mentions.week_start` is the Monday of the mention's article's week (article_time);
  the writer gives it to every mention it inserts (`WEEK_START`, joined on articles).
  An article's date changes only with its text, and then its mentions are written
  again.  Readers filter on it to skip the storage of other weeks.
* `entity_weeks` holds, for each entity and week, the articles that name it and its
  mentions, changed in the transaction that changes the mentions: `take_out` before
  some articles' mentions are deleted, `put_in` after new ones are inserted, and
  `recount` after a merge or a split moves mentions between entities (an article
  naming both would otherwise count twice).  An article's mentions are always
  replaced together, so its entities' article counts change by exactly one.

`rebuild` computes both again, for mentions written around the Store (a bulk load,
a generated benchmark database); `drift` compares them with what they are computed
from (`newsmon db check`).
"""

from __future__ import annotations

import logging
from typing import Iterable

import duckdb

logger = logging.getLogger(__name__)

# the week of article `a` (a row of articles), as mentions.week_start holds it
WEEK_START = "date_trunc('week', article_time(a.published_at, a.first_seen_at))::DATE"

_COUNTS = """
SELECT entity_id, week_start, count(DISTINCT article_id) AS articles, count(*) AS mentions
FROM {rows}
WHERE entity_id IS NOT NULL AND week_start IS NOT NULL
GROUP BY ALL
"""

_APPLY = (
    """UPDATE entity_weeks w SET articles = w.articles + d.articles, mentions = w.mentions + d.mentions
       FROM _entity_weeks_delta d WHERE w.entity_id = d.entity_id AND w.week_start = d.week_start""",
    """INSERT INTO entity_weeks
       SELECT d.entity_id, d.week_start, d.articles, d.mentions FROM _entity_weeks_delta d
       ANTI JOIN entity_weeks w ON w.entity_id = d.entity_id AND w.week_start = d.week_start
       WHERE d.articles > 0""",
    """DELETE FROM entity_weeks w USING _entity_weeks_delta d
       WHERE w.entity_id = d.entity_id AND w.week_start = d.week_start AND w.articles <= 0""",
)

_DRIFT = f"""
WITH live AS ({_COUNTS.format(rows="mentions")})
SELECT (SELECT count(*) FROM live l
        FULL JOIN entity_weeks w ON w.entity_id = l.entity_id AND w.week_start = l.week_start
        WHERE l.articles IS DISTINCT FROM w.articles OR l.mentions IS DISTINCT FROM w.mentions),
       (SELECT count(*) FROM mentions m JOIN articles a USING (article_id)
        WHERE m.week_start IS DISTINCT FROM {WEEK_START})
"""


def _apply(con: duckdb.DuckDBPyConnection, rows: str, sign: int) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE _entity_weeks_delta AS "
                f"SELECT entity_id, week_start, $sign * articles AS articles, $sign * mentions AS mentions "
                f"FROM ({_COUNTS.format(rows=rows)})", {"sign": sign})
    for statement in _APPLY:
        con.execute(statement)


def take_out(con: duckdb.DuckDBPyConnection, articles: str) -> None:
    """Subtract the stored mentions of the articles that the query `articles` selects
    (one column, article_id), before they are deleted; nothing to read when it selects none
    (a batch of new articles)."""
    if not con.execute(f"SELECT EXISTS ({articles})").fetchone()[0]:
        return
    _apply(con, f"(SELECT * FROM mentions WHERE article_id IN ({articles}))", -1)


def put_in(con: duckdb.DuckDBPyConnection, rows: str) -> None:
    """Add the mentions in the table `rows` (entity_id, article_id, week_start), just inserted."""
    _apply(con, rows, 1)


def recount(con: duckdb.DuckDBPyConnection, entity_ids: Iterable[int]) -> None:
    """Count the entities `entity_ids` again from the mentions (one gone is dropped)."""
    ids = sorted({int(i) for i in entity_ids})
    if not ids:
        return
    con.execute("DELETE FROM entity_weeks WHERE list_contains($ids, entity_id)", {"ids": ids})
    con.execute("INSERT INTO entity_weeks " + _COUNTS.format(
        rows="(SELECT * FROM mentions WHERE list_contains($ids, entity_id))"), {"ids": ids})


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Every mention's week_start and every entity's weekly counts computed again."""
    con.execute(f"""UPDATE mentions SET week_start = x.week_start
                    FROM (SELECT article_id, {WEEK_START} AS week_start FROM articles a) x
                    WHERE mentions.article_id = x.article_id""")
    con.execute("DELETE FROM entity_weeks")
    con.execute("INSERT INTO entity_weeks " + _COUNTS.format(rows="mentions") + " ORDER BY week_start, entity_id")


def drift(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(entity_weeks rows that differ from the mentions' counts, mentions whose week_start
    is not their article's week): (0, 0) when both are kept."""
    counts, weeks = con.execute(_DRIFT).fetchone()
    return int(counts), int(weeks)
