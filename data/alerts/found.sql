-- The alerts the rules found in one find_alerts, gathered in a temporary table and read back
-- flat.  build.py creates alert_found (the first statement), inserts each rule's rows into it
-- (INSERT INTO alert_found <the rule's SELECT>), then reads the alerts and their evidence as
-- plain columns (the last two statements): a list of structs per row costs the Python client
-- far more to convert (0.78 CPU-s for the 64,000 alerts of 4 weeks of the 1M benchmark, 0.33
-- read flat).  A rule's evidence struct may leave out mention_row (DuckDB casts structs by
-- field name, a field the rule does not give is NULL).
CREATE OR REPLACE TEMP TABLE alert_found (
    rule      VARCHAR,
    key       VARCHAR,
    subject   VARCHAR,
    title     VARCHAR,
    detail    VARCHAR,
    "at"      TIMESTAMP,
    evidence  STRUCT(title VARCHAR, url VARCHAR, source VARCHAR, sentence VARCHAR, "at" TIMESTAMP,
                     mention_row BIGINT)[]
);

-- the alerts, in the order the rules gave them (alert_row: the alert's rowid here)
SELECT rowid AS alert_row, rule, key, subject, title, detail, "at" FROM alert_found ORDER BY rowid;

-- their evidence, each alert's in its own order
SELECT alert_row, e.title, e.url, e.source, e.sentence, e."at", e.mention_row
FROM (SELECT rowid AS alert_row, unnest(evidence) AS e, unnest(range(len(evidence))) AS pos FROM alert_found)
ORDER BY alert_row, pos
