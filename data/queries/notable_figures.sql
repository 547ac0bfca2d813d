-- name: notable_figures
-- about: The week's largest figures of the given kinds: money per currency, counts, ...
--   Copies of the same figure (same kind, unit, value and object, as in syndicated
--   articles) appear once, from the most relevant article.  A money figure carries
--   its party (whose amount it is, as its sentence's structure says; NULL when it does
--   not say); other figures the mention nearest to them (by character distance).
-- param: week week = latest : ISO week YYYY-Www; latest week with articles when omitted
-- param: kind terms[money|count|percent|duration|quantity|age] = money : comma-separated kinds: money, count, percent, duration, quantity, age
-- param: limit int = 5 : how many per kind and unit (per currency for money)
-- param: roles terms = none : money roles to keep (fine, revenue, cost, funding, price,
--   compensation, maximum, other); all when omitted
-- param: min_relevance float = 0 : topic filter: minimum article relevance
-- param: terms terms = none : topic filter: comma-separated matched terms, any of which must match
-- row: one figure: kind, unit, rank (within kind and unit), value, role, value_eur, text, object, sentence,
--   article_id, title, url, source, published_at, entity (the money's party or the
--   nearest name, as the database's entity when it is one; or NULL), entity_label
WITH
week_ids AS MATERIALIZED (
    SELECT article_id, relevance, article_at FROM week_articles($week::DATE, $min_relevance, $terms)
),
-- numbers first, text later: only the winners' sentences are read
figs AS MATERIALIZED (
    SELECT f.article_id, f.kind, f.value, f.unit, f.object, f.start_char, f.role, f.value_eur,
        w.relevance, w.article_at
    FROM figures f JOIN week_ids w USING (article_id)
    WHERE list_contains($kind, f.kind) AND isfinite(f.value)
      AND ($roles IS NULL OR f.kind <> 'money' OR list_contains($roles, f.role))
    QUALIFY row_number() OVER (PARTITION BY f.kind, f.unit, f.value, f.object
                               ORDER BY w.relevance DESC NULLS LAST, w.article_at, f.article_id, f.start_char) = 1
),
top AS MATERIALIZED (
    SELECT *, row_number() OVER (PARTITION BY kind, unit ORDER BY value DESC, article_id, start_char) AS rank
    FROM figs QUALIFY rank <= $limit
),
detail AS MATERIALIZED (
    SELECT t.*, f.text, f.sentence, f.party, f.party_label
    FROM top t JOIN figures f USING (article_id, start_char, kind, value)
    WHERE f.article_id IN (SELECT article_id FROM top)
    QUALIFY row_number() OVER (PARTITION BY t.article_id, t.start_char ORDER BY f.end_char) = 1
),
-- the nearest mention by character distance; only numeric columns are scanned
-- (the name comes from entities, or canonical for the rare mention without an id)
near AS (
    SELECT d.article_id, d.start_char, m.entity_id, m.label, m.rowid AS mention_row
    FROM detail d
    JOIN mentions m ON m.article_id = d.article_id
    WHERE d.kind <> 'money' AND m.week_start = $week::DATE  -- the week's articles' (skips other weeks)
    QUALIFY row_number() OVER (PARTITION BY d.article_id, d.start_char
                               ORDER BY abs(m.start_char - d.start_char), m.start_char) = 1
),
nearest AS (
    SELECT n.article_id, n.start_char, coalesce(e.name, m.canonical) AS entity, n.label AS entity_label
    FROM near n
    LEFT JOIN entities e ON e.entity_id = n.entity_id
    LEFT JOIN (SELECT rowid AS mention_row, canonical FROM mentions WHERE entity_id IS NULL AND week_start = $week::DATE) m
        USING (mention_row)
),
-- a money figure's party, as the entity its name is an alias of
party AS (
    SELECT d.article_id, d.start_char, coalesce(e.name, d.party) AS entity, d.party_label AS entity_label
    FROM detail d
    LEFT JOIN entity_aliases ea ON ea.label = d.party_label AND ea.alias = alias_key(d.party_label, d.party)
    LEFT JOIN entities e ON e.entity_id = ea.entity_id
    WHERE d.kind = 'money' AND d.party IS NOT NULL
)
SELECT d.kind, d.unit, d.rank, d.value, d.role, d.value_eur, d.text, d.object, d.sentence, d.article_id, a.title,
       a.canonical_url AS url, a.source, d.article_at AS published_at,
       coalesce(p.entity, n.entity) AS entity, coalesce(p.entity_label, n.entity_label) AS entity_label
FROM detail d
-- the week's articles (zone maps: only their titles and URLs are read, not every article's)
JOIN week_articles($week::DATE, $min_relevance, $terms) a ON a.article_id = d.article_id
LEFT JOIN nearest n ON n.article_id = d.article_id AND n.start_char = d.start_char
LEFT JOIN party p ON p.article_id = d.article_id AND p.start_char = d.start_char
ORDER BY d.kind, d.unit NULLS LAST, d.rank;
