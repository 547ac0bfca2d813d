-- rule: new_entity
-- An entity that no article dated before the period names is named in at least
-- $min_articles articles of at least $min_sources sources within it. One alert per entity,
-- ever; the evidence is up to five of those articles, earliest first.
-- params: $since, $min_articles, $min_sources; the period's articles and mentions are period.sql's
WITH
-- an entity created (first stored) more than 3 days before the period was named by an
-- article stored then, dated at most 2 days after it (article_time): not new; only the
-- younger ones are counted and checked against the articles before the period
young AS MATERIALIZED (
    SELECT entity_id FROM entities WHERE first_seen_at >= $since::TIMESTAMP - INTERVAL 3 DAY
),
hits AS MATERIALIZED (
    SELECT m.entity_id, m.article_id, arg_min(m.mention_row, m.start_char) AS mention_row
    FROM alert_mentions m
    WHERE m.in_period AND m.entity_id IN (SELECT entity_id FROM young)
    GROUP BY ALL
),
counted AS MATERIALIZED (
    SELECT h.entity_id, count(*) AS articles, count(DISTINCT a.source) AS sources
    FROM hits h JOIN alert_articles a USING (article_id)
    GROUP BY h.entity_id
    HAVING count(*) >= $min_articles AND count(DISTINCT a.source) >= $min_sources
),
-- the counted entities named in an article dated before the period: in one not dated from
-- its start on (a mention lives and dies with its article); no scan when none is counted
seen_before AS (
    SELECT DISTINCT m.entity_id
    FROM mentions m
    WHERE m.entity_id IN (SELECT entity_id FROM counted)
      AND m.week_start <= date_trunc('week', $since::TIMESTAMP)::DATE
      AND m.article_id NOT IN (SELECT article_id FROM articles_between($since, 'infinity', 0, NULL))
),
fresh AS (
    SELECT c.*, e.name, e.label FROM counted c JOIN entities e USING (entity_id)
    WHERE c.entity_id NOT IN (SELECT entity_id FROM seen_before)
),
first_five AS MATERIALIZED (
    SELECT f.entity_id, f.name, f.label, f.articles, f.sources, h.mention_row, a.title, a.canonical_url,
           a.sitename, a.source, a.article_at, a.article_id,
           min(a.article_at) OVER (PARTITION BY f.entity_id) AS first_at
    FROM fresh f JOIN hits h USING (entity_id) JOIN alert_articles a USING (article_id)
    QUALIFY row_number() OVER (PARTITION BY f.entity_id ORDER BY a.article_at, a.article_id) <= 5
)
SELECT 'new_entity' AS rule, f.entity_id::VARCHAR AS key, f.name AS subject,
       'New ' || f.label || ': ' || f.name || ', in ' || f.articles || ' articles of ' || f.sources || ' sources'
           AS title,
       'First named on ' || strftime(any_value(f.first_at), '%Y-%m-%d') || '; no earlier article names it.'
           AS detail,
       any_value(f.first_at) AS at,
       list({'title': f.title, 'url': f.canonical_url, 'source': coalesce(f.sitename, f.source),
             'sentence': NULL::VARCHAR, 'at': f.article_at, 'mention_row': f.mention_row}
            ORDER BY f.article_at, f.article_id) AS evidence
FROM first_five f
GROUP BY f.entity_id, f.name, f.label, f.articles, f.sources
