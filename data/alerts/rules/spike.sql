-- rule: spike
-- An entity's articles in an ISO week of the period against the same entity's weekly
-- articles in the $weeks weeks before it (weeks before the database's first article do not
-- count; at least 4 must remain): a spike when the week has at least $min_articles articles
-- and at least $ratio times the usual (mean, at least 1), the entity was named in at least one
-- of those earlier weeks (else it is new, see new_entity), and
-- z = (week - mean) / max(standard deviation, sqrt(mean), 1) >= $z (sqrt(mean): the noise of
-- a count, so a rarely named entity needs more than a lucky week). One alert per entity and
-- week; the evidence is up to five of the week's articles.
-- params: $since, $until, $weeks, $min_articles, $ratio, $z
WITH
first_week AS (
    SELECT date_trunc('week', min(article_time(published_at, first_seen_at)))::DATE AS week FROM articles
),
span AS MATERIALIZED (
    SELECT article_id, canonical_url, source, sitename, title, article_at,
           date_trunc('week', article_at)::DATE AS week
    FROM articles_between(date_trunc('week', $since::TIMESTAMP) - INTERVAL (7 * $weeks) DAY,
                          $until, 0, NULL)
),
-- the period's weeks first: only entities with enough articles in one of them are candidates
candidates AS MATERIALIZED (
    SELECT m.entity_id, s.week, count(DISTINCT m.article_id) AS articles
    FROM mentions m JOIN span s USING (article_id)
    WHERE m.entity_id IS NOT NULL AND s.week >= date_trunc('week', $since::TIMESTAMP)::DATE
    GROUP BY ALL
    HAVING count(DISTINCT m.article_id) >= $min_articles
),
-- then the weeks before, for the candidates only
counts AS MATERIALIZED (
    SELECT m.entity_id, s.week, count(DISTINCT m.article_id) AS articles
    FROM mentions m JOIN span s USING (article_id)
    WHERE m.entity_id IN (SELECT DISTINCT entity_id FROM candidates)
    GROUP BY ALL
),
earlier AS (
    SELECT c.entity_id, c.week, c.articles, r.k, coalesce(t.articles, 0) AS n
    FROM candidates c
    CROSS JOIN range(1, $weeks + 1) r(k)
    LEFT JOIN counts t ON t.entity_id = c.entity_id AND t.week = (c.week - INTERVAL (7 * r.k) DAY)::DATE
    WHERE (c.week - INTERVAL (7 * r.k) DAY)::DATE >= (SELECT week FROM first_week)
),
judged AS (
    SELECT entity_id, week, any_value(articles) AS articles, count(*) AS weeks, avg(n) AS mean,
           stddev_pop(n) AS sd, list(n ORDER BY k DESC) AS history
    FROM earlier GROUP BY entity_id, week
    HAVING count(*) >= 4 AND avg(n) > 0
       AND any_value(articles) >= $ratio * greatest(avg(n), 1)
       AND (any_value(articles) - avg(n)) / greatest(stddev_pop(n), sqrt(avg(n)), 1) >= $z
),
evidence AS (
    SELECT j.entity_id, j.week,
           list({'title': s.title, 'url': s.canonical_url, 'source': coalesce(s.sitename, s.source),
                 'sentence': m.sentence, 'at': s.article_at} ORDER BY s.article_at, s.article_id)[1:5] AS evidence
    FROM judged j
    JOIN (SELECT entity_id, article_id, arg_min(sentence, start_char) AS sentence FROM mentions
          WHERE entity_id IN (SELECT entity_id FROM judged) GROUP BY ALL) m ON m.entity_id = j.entity_id
    JOIN span s ON s.article_id = m.article_id AND s.week = j.week
    GROUP BY j.entity_id, j.week
)
SELECT 'spike' AS rule, j.entity_id || ':' || iso_week(j.week) AS key, e.name AS subject,
       'Spike: ' || e.name || ' in ' || j.articles || ' articles in ' || iso_week(j.week)
           || ' (usually ' || round(j.mean, 1) || ' a week)' AS title,
       'Articles per week before: ' || array_to_string(j.history, ', ') || '; z = '
           || round((j.articles - j.mean) / greatest(j.sd, sqrt(j.mean), 1), 1) || '.' AS detail,
       j.week::TIMESTAMP AS at, v.evidence
FROM judged j JOIN entities e USING (entity_id) JOIN evidence v USING (entity_id, week)
