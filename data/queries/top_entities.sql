-- name: top_entities
-- about: People and organisations most mentioned in the week, counted in distinct
--   articles, against the previous week; "new" means no article before this week
--   mentioned them.  Returns, per label, the top `limit` entities (with both labels, up
--   to twice `limit` rows) and, when `new` > 0, up to `new` more that are new.
-- param: week week = latest : ISO week YYYY-Www; latest week with articles when omitted
-- param: label text[person|organisation] = none : person or organisation; both when omitted
-- param: limit int = 10 : how many per label
-- param: new int = 0 : also up to this many new entities per label ranked below `limit`
-- param: min_relevance float = 0 : topic filter: minimum article relevance
-- param: terms terms = none : topic filter: comma-separated matched terms, any of which must match
-- row: one entity: label, entity (its key: entity_id, or label:canonical), name, articles,
--   sources, mentions, prev_articles (the week before), change (articles - prev_articles),
--   is_new, rank (by articles within the label, then mentions, then name)
WITH
week_ids AS MATERIALIZED (
    SELECT article_id, source, true AS this_week FROM week_articles($week::DATE, $min_relevance, $terms)
    UNION ALL
    SELECT article_id, source, false FROM week_articles($week::DATE - INTERVAL 7 DAY, $min_relevance, $terms)
),
-- mentions of this week and the one before
hits AS MATERIALIZED (
    SELECT * FROM mentions_between($week::DATE - INTERVAL 7 DAY, $week::DATE + INTERVAL 7 DAY, $min_relevance, $terms)
    WHERE $label IS NULL OR label = $label
),
-- one row per entity and article first, so the distinct counts below are cheap
per_article AS (
    SELECT label, entity_id, lower(canonical) AS name_key, article_id, count(*) AS n,
           any_value(canonical) AS canonical
    FROM hits GROUP BY label, entity_id, lower(canonical), article_id
),
counted AS MATERIALIZED (
    SELECT p.label, entity_key(p.label, p.entity_id, p.name_key) AS entity, p.entity_id,
           mode(p.canonical) AS canonical,
           count(*) FILTER (WHERE w.this_week) AS articles,
           count(DISTINCT w.source) FILTER (WHERE w.this_week) AS sources,
           sum(p.n) FILTER (WHERE w.this_week) AS mentions,
           count(*) FILTER (WHERE NOT w.this_week) AS prev_articles
    FROM per_article p JOIN week_ids w USING (article_id)
    GROUP BY p.label, p.entity_id, p.name_key
    HAVING count(*) FILTER (WHERE w.this_week) > 0
),
-- the week's entities that an earlier article already mentioned: those of the
-- previous week for free, the others looked up (few: mostly rare names) among the
-- mentions of articles dated before the week (week_start, migration 015)
unsure AS (SELECT entity, entity_id FROM counted WHERE prev_articles = 0),
seen_before AS (
    SELECT entity FROM counted WHERE prev_articles > 0
    UNION ALL
    SELECT m.entity_id::VARCHAR
    FROM mentions m
    WHERE m.entity_id IN (SELECT entity_id FROM unsure) AND m.week_start < $week::DATE
    GROUP BY m.entity_id
    UNION ALL
    SELECT DISTINCT entity_key(m.label, NULL, m.canonical)
    FROM mentions m
    WHERE m.entity_id IS NULL AND m.week_start < $week::DATE
      AND entity_key(m.label, NULL, m.canonical) IN (SELECT entity FROM unsure WHERE entity_id IS NULL)
),
ranked AS (
    SELECT c.label, c.entity, coalesce(e.name, c.canonical) AS name, c.articles, c.sources, c.mentions,
           c.prev_articles, c.articles - c.prev_articles AS change,
           s.entity IS NULL AS is_new,
           -- ties by name, not by the entity's key: ids follow the order articles were stored in,
           -- which a parallel run does not fix, and the digest must not change between equal databases
           row_number() OVER (PARTITION BY c.label ORDER BY c.articles DESC, c.mentions DESC,
                              lower(coalesce(e.name, c.canonical)), c.entity) AS rank,
           row_number() OVER (PARTITION BY c.label, s.entity IS NULL
                              ORDER BY c.articles DESC, c.mentions DESC,
                                       lower(coalesce(e.name, c.canonical)), c.entity) AS rank_in_group
    FROM counted c
    LEFT JOIN entities e ON e.entity_id = c.entity_id
    LEFT JOIN seen_before s ON s.entity = c.entity
)
SELECT label, entity, name, articles, sources, mentions, prev_articles, change, is_new, rank
FROM ranked
WHERE rank <= $limit OR (is_new AND rank_in_group <= $new)
ORDER BY label, rank;
