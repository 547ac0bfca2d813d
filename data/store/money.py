"""Money in a write: converted amounts and fine reports, in the caller's transaction.

It owns `write_money`, run by `write_annotations` after the figures of the articles in
temp table `_targets` were inserted: it converts their money figures to EUR and USD
(data/rates.py, loading the package's ECB rates the first time money is stored),
inserts the articles' fine reports from `in_fines` with their payer's and authority's
entity ids and converted values, and gives each new report its fine_id:

1. the fine of a stored report of the same payer (entity, else name) and currency whose
   amount is equal as written (within half the coarser precision) and reported within
   28 days of it -- or, for a reduction, a larger amount of the same payer reported before;
2. else a new fine, named after its first report (the earliest of the batch's matching
   new reports): the first 16 hex digits of md5(report_id). A fine keeps its id as later
   reports of it come.

A re-annotated article's report keeps the fine_id it had when it says the same (same
report_id, payer, currency and amount): `remember_fine_ids` notes them before the old
reports are deleted, so ids do not depend on the order articles were stored in.
"""

from __future__ import annotations

import duckdb

from newsmon.data.rates import convert, ensure_rates

SAME_FINE_DAYS = 28

_INSERT_REPORTS = """
INSERT INTO fine_reports (report_id, fine_id, article_id, authority, authority_label, authority_entity_id,
    target, target_label, target_entity_id, value, unit, precision, status, basis, text,
    start_char, end_char, sentence)
SELECT DISTINCT ON (f.article_id, f.start)
    CAST(f.article_id AS VARCHAR) || ':' || CAST(f.start AS VARCHAR), '', f.article_id,
    f.authority, f.authority_label, au.entity_id,
    f.target, f.target_label, ta.entity_id,
    f.value, f.unit, f.precision, f.status, f.basis, f.text, f.start, f."end", f.sentence
FROM in_fines f
SEMI JOIN _targets t ON t.article_id = f.article_id
LEFT JOIN entity_aliases au ON au.label = f.authority_label
    AND au.alias = alias_key(f.authority_label, f.authority)
LEFT JOIN entity_aliases ta ON ta.label = f.target_label
    AND ta.alias = alias_key(f.target_label, f.target)
"""

# the payer of a report: its entity, else its name, else the report itself (never merged)
_PAYER = ("coalesce('entity:' || CAST(f.target_entity_id AS VARCHAR), 'name:' || lower(f.target), "
          "'report:' || f.report_id)")

_NEW = f"""
CREATE OR REPLACE TEMP TABLE _new_fines AS
SELECT f.rowid AS rid, f.report_id, f.article_id, f.start_char, f.value, f.unit,
    coalesce(f.precision, 0) AS precision, f.status, {_PAYER} AS payer,
    CAST(article_time(a.published_at, a.first_seen_at) AS DATE) AS day
FROM fine_reports f JOIN articles a USING (article_id)
WHERE f.fine_id = ''
"""

_JOIN_STORED = f"""
UPDATE fine_reports SET fine_id = m.fine_id
FROM (
    WITH stored AS (
        SELECT f.fine_id, f.value, f.unit, coalesce(f.precision, 0) AS precision, {_PAYER} AS payer,
            CAST(article_time(a.published_at, a.first_seen_at) AS DATE) AS day
        FROM fine_reports f JOIN articles a USING (article_id)
        WHERE f.fine_id <> '' AND {_PAYER} IN (SELECT payer FROM _new_fines)
    )
    SELECT n.rid, first(s.fine_id ORDER BY abs(datediff('day', s.day, n.day)), s.fine_id) AS fine_id
    FROM _new_fines n
    JOIN stored s ON s.payer = n.payer AND s.unit = n.unit AND (
        (abs(s.value - n.value) <= greatest(s.precision, n.precision) / 2 + 1e-9 * s.value
         AND abs(datediff('day', s.day, n.day)) <= {SAME_FINE_DAYS})
        OR (n.status = 'reduced' AND s.value > n.value AND s.day <= n.day))
    GROUP BY n.rid
) AS m
WHERE fine_reports.rowid = m.rid
"""

_NEW_FINES = f"""
UPDATE fine_reports SET fine_id = m.fine_id
FROM (
    WITH open AS (SELECT n.* FROM _new_fines n JOIN fine_reports f ON f.rowid = n.rid WHERE f.fine_id = '')
    SELECT n.rid, first(substr(md5(l.report_id), 1, 16) ORDER BY l.day, l.article_id, l.start_char) AS fine_id
    FROM open n
    JOIN open l ON l.payer = n.payer AND l.unit = n.unit
        AND abs(l.value - n.value) <= greatest(l.precision, n.precision) / 2 + 1e-9 * l.value
        AND abs(datediff('day', l.day, n.day)) <= {SAME_FINE_DAYS}
    GROUP BY n.rid
) AS m
WHERE fine_reports.rowid = m.rid
"""

_IN_TARGETS = "s.article_id IN (SELECT article_id FROM _targets)"

_REMEMBER = """
CREATE OR REPLACE TEMP TABLE _old_fine_ids AS
SELECT report_id, fine_id, value, unit, lower(coalesce(target, '')) AS target
FROM fine_reports WHERE article_id IN (SELECT article_id FROM _targets)
"""

_SAME_AS_BEFORE = """
UPDATE fine_reports SET fine_id = o.fine_id
FROM _old_fine_ids o
WHERE fine_reports.fine_id = '' AND fine_reports.report_id = o.report_id AND fine_reports.unit = o.unit
  AND fine_reports.value = o.value AND lower(coalesce(fine_reports.target, '')) = o.target
"""


def remember_fine_ids(con: duckdb.DuckDBPyConnection) -> None:
    """Note the fine ids of the reports of the articles in _targets, before they are replaced."""
    con.execute(_REMEMBER)


def write_money(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Convert the new money figures, insert the fine reports and give them fine ids."""
    money = con.execute("SELECT count(*) FROM figures WHERE kind = 'money' AND article_id IN "
                        "(SELECT article_id FROM _targets)").fetchone()[0]
    fines = con.execute("SELECT count(*) FROM in_fines SEMI JOIN _targets USING (article_id)").fetchone()[0]
    if not money and not fines:
        return {"fines": 0}
    ensure_rates(con)
    convert(con, "figures", f"s.kind = 'money' AND {_IN_TARGETS}")
    if not fines:
        return {"fines": 0}
    written = con.execute(_INSERT_REPORTS).fetchone()[0]
    convert(con, "fine_reports", _IN_TARGETS)
    con.execute(_SAME_AS_BEFORE)
    con.execute(_NEW)
    con.execute(_JOIN_STORED)
    con.execute(_NEW_FINES)
    return {"fines": written}
