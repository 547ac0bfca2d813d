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
-- the evidence: the first five of the week's articles, looked up among the period's
-- articles only (an entity named all year has millions of mentions)
period_hits AS MATERIALIZED (
    SELECT m.entity_id, m.article_id, arg_min(m.sentence, m.start_char) AS sentence
    FROM mentions m
    WHERE m.entity_id IN (SELECT entity_id FROM judged)
      AND m.article_id IN (SELECT article_id FROM span WHERE week >= date_trunc('week', $since::TIMESTAMP)::DATE)
    GROUP BY ALL
),
first_five AS (
    SELECT h.entity_id, s.week, h.sentence, s.title, s.canonical_url, s.sitename, s.source, s.article_at,
           s.article_id
    FROM period_hits h
    JOIN span s USING (article_id)
    SEMI JOIN judged j ON j.entity_id = h.entity_id AND j.week = s.week
    QUALIFY row_number() OVER (PARTITION BY h.entity_id, s.week ORDER BY s.article_at, s.article_id) <= 5
),
evidence AS (
    SELECT entity_id, week,
           list({'title': title, 'url': canonical_url, 'source': coalesce(sitename, source),
                 'sentence': sentence, 'at': article_at} ORDER BY article_at, article_id) AS evidence
    FROM first_five
    GROUP BY entity_id, week
)
SELECT 'spike' AS rule, j.entity_id || ':' || iso_week(j.week) AS key, e.name AS subject,
       'Spike: ' || e.name || ' in ' || j.articles || ' articles in ' || iso_week(j.week)
           || ' (usually ' || round(j.mean, 1) || ' a week)' AS title,
       'Articles per week before: ' || array_to_string(j.history, ', ') || '; z = '
           || round((j.articles - j.mean) / greatest(j.sd, sqrt(j.mean), 1), 1) || '.' AS detail,
       j.week::TIMESTAMP AS at, v.evidence
FROM judged j JOIN entities e USING (entity_id) JOIN evidence v USING (entity_id, week)
