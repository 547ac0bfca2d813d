-- The sentences of the mentions the alerts quote (the temporary table alert_quoted holds their
-- rowids) whose rowid lies between $lo and $hi.  build.py runs it once per cluster of nearby
-- rowids: the rowid range is a filter the scan prunes row groups by, so only the row groups
-- that hold quoted mentions decompress their sentences.  One join over the whole table reads
-- every sentence of the table (0.35 CPU-s over 8M mentions for 1,760 quoted ones; the join's
-- own min/max rowid filter spans the table when the period's mentions lie in several runs).
-- params: $lo, $hi (rowids)
SELECT m.rowid AS mention_row, m.sentence
FROM mentions m
WHERE m.rowid BETWEEN $lo AND $hi AND m.rowid IN (SELECT mention_row FROM alert_quoted)
