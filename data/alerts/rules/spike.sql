-- rule: spike
-- An entity's articles in an ISO week of the period against the same entity's weekly
-- articles in the $weeks weeks before it (weeks before the database's first article do not
-- count; at least 4 must remain): a spike when the week has at least $min_articles articles
-- and at least $ratio times the usual (mean, at least 1), the entity was named in at least one
-- of those earlier weeks (else it is new, see new_entity), and
-- z = (week - mean) / max(standard deviation, sqrt(mean), 1) >= $z (sqrt(mean): the noise of
-- a count, so a rarely named entity needs more than a lucky week). One alert per entity and
-- week; the evidence is up to five of the week's articles.
-- The counts of whole weeks are the writer's (entity_weeks), so a period that starts or ends
-- within a week judges the whole of it.
-- params: $since, $until, $weeks, $min_articles, $ratio, $z
WITH
first_week AS (
    SELECT date_trunc('week', min(article_time(published_at, first_seen_at)))::DATE AS week FROM articles
),
-- the weekly counts are the writer's (entity_weeks, migration 015): the period's weeks first,
-- only entities with enough articles in one of them are candidates
candidates AS MATERIALIZED (
    SELECT entity_id, week_start AS week, articles
    FROM entity_weeks
    WHERE week_start >= date_trunc('week', $since::TIMESTAMP)::DATE AND week_start <= $until::DATE
      AND articles >= $min_articles
),
-- then the weeks before, for the candidates only
counts AS MATERIALIZED (
    SELECT entity_id, week_start AS week, articles
    FROM entity_weeks
    WHERE entity_id IN (SELECT entity_id FROM candidates)
      AND week_start >= (date_trunc('week', $since::TIMESTAMP) - INTERVAL (7 * $weeks) DAY)::DATE
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
-- the evidence: the first five of the week's articles (alert_mentions, period.sql, holds the
-- mentions from the Monday of the period's first week on); the sentences of those mentions are
-- read by build.py
first_five AS MATERIALIZED (
    SELECT m.entity_id, a.week, arg_min(m.mention_row, m.start_char) AS mention_row, a.title, a.canonical_url,
           a.sitename, a.source, a.article_at, a.article_id
    FROM alert_mentions m
    JOIN alert_articles a USING (article_id)
    SEMI JOIN judged j ON j.entity_id = m.entity_id AND j.week = a.week
    GROUP BY m.entity_id, a.week, a.title, a.canonical_url, a.sitename, a.source, a.article_at, a.article_id
    QUALIFY row_number() OVER (PARTITION BY m.entity_id, a.week ORDER BY a.article_at, a.article_id) <= 5
),
evidence AS (
    SELECT f.entity_id, f.week,
           list({'title': f.title, 'url': f.canonical_url, 'source': coalesce(f.sitename, f.source),
                 'sentence': NULL::VARCHAR, 'at': f.article_at, 'mention_row': f.mention_row}
                ORDER BY f.article_at, f.article_id) AS evidence
    FROM first_five f
    GROUP BY f.entity_id, f.week
)
SELECT 'spike' AS rule, j.entity_id || ':' || iso_week(j.week) AS key, e.name AS subject,
       'Spike: ' || e.name || ' in ' || j.articles || ' articles in ' || iso_week(j.week)
           || ' (usually ' || round(j.mean, 1) || ' a week)' AS title,
       'Articles per week before: ' || array_to_string(j.history, ', ') || '; z = '
           || round((j.articles - j.mean) / greatest(j.sd, sqrt(j.mean), 1), 1) || '.' AS detail,
       j.week::TIMESTAMP AS at, v.evidence
FROM judged j JOIN entities e USING (entity_id) JOIN evidence v USING (entity_id, week)
