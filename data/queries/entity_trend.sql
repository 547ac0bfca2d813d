-- name: entity_trend
-- about: Weekly article counts, over the weeks up to the given one, of the week's
--   most mentioned people and organisations (the data behind the trend chart), or of
--   one person or organisation (`entity`).
-- param: week week = latest : ISO week YYYY-Www; latest week with articles when omitted
-- param: weeks int = 8 : how many weeks, ending with `week` (weeks before the first article that
--   passes the topic filter are left out: the trend starts where the data starts)
-- param: limit int = 5 : how many entities (the week's top ones, labels together)
-- param: entity entity = none : only this person or organisation (name or alias), whatever its rank
-- param: min_relevance float = 0 : topic filter: minimum article relevance
-- param: terms terms = none : topic filter: comma-separated matched terms, any of which must match
-- row: one entity in one week: entity, label, name, week (YYYY-Www), week_start (Monday),
--   articles (0 when none)
WITH
hits AS MATERIALIZED (
    SELECT * FROM mentions_between($week::DATE, $week::DATE + INTERVAL 7 DAY, $min_relevance, $terms)
),
ranked AS (
    SELECT h.label, h.entity_id, lower(h.canonical) AS name_key, mode(h.canonical) AS canonical,
           entity_key(h.label, h.entity_id, lower(h.canonical)) AS entity, count(DISTINCT h.article_id) AS articles
    FROM hits h LEFT JOIN entities e ON e.entity_id = h.entity_id
    WHERE $entity IS NULL
    GROUP BY h.label, h.entity_id, lower(h.canonical), e.name
    -- ties by name, as in top_entities: ids follow the order a (parallel) run stored articles
    -- in, and the digest's chart must not change between equal databases
    ORDER BY articles DESC, count(*) DESC, lower(coalesce(e.name, mode(h.canonical))), entity LIMIT $limit
),
-- the one entity asked for, mentioned this week or not: by id, or (no id) by its name
chosen AS (
    SELECT e.label, e.entity_id, lower(e.name) AS name_key, e.name AS canonical,
           entity_key(e.label, e.entity_id, lower(e.name)) AS entity, 0 AS articles
    FROM entities e WHERE list_contains($entity_ids, e.entity_id)
    UNION ALL
    SELECT DISTINCT m.label, NULL, lower(m.canonical), m.canonical,
           entity_key(m.label, NULL, lower(m.canonical)), 0
    FROM mentions m
    WHERE $entity IS NOT NULL AND m.entity_id IS NULL AND lower(m.canonical) = lower($entity)
),
top AS MATERIALIZED (SELECT * FROM ranked UNION ALL SELECT * FROM chosen),
span AS MATERIALIZED (
    SELECT article_id, date_trunc('week', article_at)::DATE AS week_start
    FROM articles_between($week::DATE - INTERVAL (7 * ($weeks - 1)) DAY, $week::DATE + INTERVAL 7 DAY,
                          $min_relevance, $terms)
),
-- every mention of the top entities, then only those in the span's articles
top_hits AS (
    SELECT m.article_id, m.entity_id::VARCHAR AS entity
    FROM mentions m
    WHERE m.entity_id IN (SELECT entity_id FROM top)
      AND in_weeks(m.week_start, $week::DATE - INTERVAL (7 * ($weeks - 1)) DAY, $week::DATE + INTERVAL 7 DAY)
    UNION ALL
    SELECT m.article_id, entity_key(m.label, NULL, lower(m.canonical))
    FROM mentions m
    WHERE m.entity_id IS NULL
      AND in_weeks(m.week_start, $week::DATE - INTERVAL (7 * ($weeks - 1)) DAY, $week::DATE + INTERVAL 7 DAY)
      AND entity_key(m.label, NULL, lower(m.canonical)) IN (SELECT entity FROM top WHERE entity_id IS NULL)
),
counts AS (
    SELECT h.entity, s.week_start, count(DISTINCT h.article_id) AS articles
    FROM top_hits h JOIN span s USING (article_id)
    GROUP BY ALL
),
first_week AS (
    SELECT date_trunc('week', min(article_time(published_at, first_seen_at)))::DATE AS week_start
    FROM articles WHERE in_topic(relevance, matched_terms, $min_relevance, $terms)
),
weeks AS (
    SELECT ($week::DATE - INTERVAL (7 * n) DAY)::DATE AS week_start FROM range($weeks) t(n)
    WHERE ($week::DATE - INTERVAL (7 * n) DAY)::DATE >= (SELECT week_start FROM first_week)
)
SELECT t.entity, t.label, coalesce(e.name, t.canonical) AS name, iso_week(w.week_start) AS week,
       w.week_start, coalesce(c.articles, 0) AS articles
FROM top t CROSS JOIN weeks w
LEFT JOIN counts c ON c.entity = t.entity AND c.week_start = w.week_start
LEFT JOIN entities e ON e.entity_id = t.entity_id
ORDER BY t.articles DESC, lower(coalesce(e.name, t.canonical)), t.entity, w.week_start;
