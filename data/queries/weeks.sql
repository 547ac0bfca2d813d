-- name: weeks
-- about: The ISO weeks that have articles, latest first.
-- param: limit int = 12 : how many weeks
-- param: min_relevance float = 0 : topic filter: minimum article relevance
-- param: terms terms = none : topic filter: comma-separated matched terms, any of which must match
-- row: one week: week (YYYY-Www), week_start (Monday), articles, sources
SELECT iso_week(week_start) AS week, week_start, articles, sources
FROM (
    SELECT date_trunc('week', article_time(published_at, first_seen_at))::DATE AS week_start,
           count(*) AS articles, count(DISTINCT source) AS sources
    FROM articles
    WHERE in_topic(relevance, matched_terms, $min_relevance, $terms)
      AND article_time(published_at, first_seen_at) IS NOT NULL
    GROUP BY ALL
)
ORDER BY week_start DESC
LIMIT $limit;
