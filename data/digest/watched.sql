-- The watched entities of the digest's week: for each entity of the watchlist (by name or
-- alias, with its label when given), its articles in the week and the week before, and its
-- latest article of the week.  A watched name no article names yet still gets its row.
-- params: $week (Monday), $names, $labels, $min_relevance, $terms
WITH
watch AS (
    SELECT unnest($names::VARCHAR[]) AS watched, unnest($labels::VARCHAR[]) AS label,
           unnest(range(len($names::VARCHAR[]))) AS pos
),
ids AS MATERIALIZED (
    SELECT DISTINCT w.pos, e.entity_id, e.name
    FROM watch w
    JOIN entity_aliases x ON x.alias = alias_key(x.label, w.watched) AND (w.label IS NULL OR x.label = w.label)
    JOIN entities e ON e.entity_id = x.entity_id
),
arts AS MATERIALIZED (
    SELECT article_id, canonical_url, source, sitename, title, article_at,
           article_at >= $week::TIMESTAMP AS this_week
    FROM articles_between($week::DATE - INTERVAL 7 DAY, $week::DATE + INTERVAL 7 DAY, $min_relevance, $terms)
),
hits AS (
    SELECT DISTINCT m.entity_id, m.article_id FROM mentions m
    WHERE m.entity_id IN (SELECT entity_id FROM ids) AND m.article_id IN (SELECT article_id FROM arts)
      AND m.week_start >= $week::DATE - INTERVAL 7 DAY AND m.week_start <= $week::DATE  -- skips other weeks
)
SELECT w.pos, w.watched, coalesce(any_value(i.name), w.watched) AS name, w.label,
       count(DISTINCT a.article_id) FILTER (WHERE a.this_week) AS articles,
       count(DISTINCT a.article_id) FILTER (WHERE NOT a.this_week) AS prev_articles,
       arg_max(a.title, a.article_at) FILTER (WHERE a.this_week) AS latest_title,
       arg_max(a.canonical_url, a.article_at) FILTER (WHERE a.this_week) AS latest_url,
       arg_max(coalesce(a.sitename, a.source), a.article_at) FILTER (WHERE a.this_week) AS latest_site,
       max(a.article_at) FILTER (WHERE a.this_week) AS latest_at
FROM watch w
LEFT JOIN ids i USING (pos)
LEFT JOIN hits h ON h.entity_id = i.entity_id
LEFT JOIN arts a ON a.article_id = h.article_id
GROUP BY w.pos, w.watched, w.label
ORDER BY w.pos
