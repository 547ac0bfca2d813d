-- name: articles_per_day
-- about: Articles per day of the week, days without articles included.
-- param: week week = latest : ISO week YYYY-Www; latest week with articles when omitted
-- param: min_relevance float = 0 : topic filter: minimum article relevance
-- param: terms terms = none : topic filter: comma-separated matched terms, any of which must match
-- row: one day: day (DATE), articles, sources (distinct)
WITH
days AS (SELECT ($week::DATE + INTERVAL (d) DAY)::DATE AS day FROM range(7) t(d) WHERE $week IS NOT NULL),
counts AS (
    SELECT article_at::DATE AS day, count(*) AS articles, count(DISTINCT source) AS sources
    FROM week_articles($week::DATE, $min_relevance, $terms) GROUP BY ALL
)
SELECT d.day, coalesce(c.articles, 0) AS articles, coalesce(c.sources, 0) AS sources
FROM days d LEFT JOIN counts c USING (day)
ORDER BY d.day;
