-- name: articles_per_source
-- about: Articles per source in the week, busiest first.
-- param: week week = latest : ISO week YYYY-Www; latest week with articles when omitted
-- param: limit int = 1000 : how many sources
-- param: min_relevance float = 0 : topic filter: minimum article relevance
-- param: terms terms = none : topic filter: comma-separated matched terms, any of which must match
-- row: one source: source, site (the site's own name, as its pages give it; the source's name
--   when none does), articles, share (of the week's articles, 0-1), max_relevance, last_published
SELECT source, coalesce(mode(nullif(trim(sitename), '')), source) AS site, count(*) AS articles, round(count(*) / sum(count(*)) OVER (), 4) AS share,
       max(relevance) AS max_relevance, max(article_at) AS last_published
FROM week_articles($week::DATE, $min_relevance, $terms)
GROUP BY source
ORDER BY articles DESC, source
LIMIT $limit;
