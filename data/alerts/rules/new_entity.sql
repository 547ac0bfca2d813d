-- rule: new_entity
-- An entity that no article dated before the period names is named in at least
-- $min_articles articles of at least $min_sources sources within it. One alert per entity,
-- ever; the evidence is up to five of those articles, earliest first.
-- params: $since, $until, $min_articles, $min_sources
WITH
arts AS MATERIALIZED (
    SELECT article_id, canonical_url, source, sitename, title, article_at
    FROM articles_between($since, $until, 0, NULL)
),
-- an entity created (first stored) more than 3 days before the period was named by an
-- article stored then, dated at most 2 days after it (article_time): not new; only the
-- younger ones are counted and checked against the articles before the period
young AS MATERIALIZED (
    SELECT entity_id FROM entities WHERE first_seen_at >= $since::TIMESTAMP - INTERVAL 3 DAY
),
hits AS MATERIALIZED (
    SELECT m.entity_id, m.article_id, arg_min(m.sentence, m.start_char) AS sentence
    FROM mentions m
    WHERE m.entity_id IN (SELECT entity_id FROM young) AND m.article_id IN (SELECT article_id FROM arts)
    GROUP BY ALL
),
counted AS MATERIALIZED (
    SELECT h.entity_id, count(*) AS articles, count(DISTINCT a.source) AS sources
    FROM hits h JOIN arts a USING (article_id)
    WHERE h.entity_id IN (SELECT entity_id FROM young)
    GROUP BY h.entity_id
    HAVING count(*) >= $min_articles AND count(DISTINCT a.source) >= $min_sources
),
seen_before AS (
    SELECT DISTINCT m.entity_id FROM mentions m
    WHERE m.entity_id IN (SELECT entity_id FROM counted)
      AND m.article_id IN (SELECT article_id FROM articles_between(TIMESTAMP '1800-01-01', $since, 0, NULL))
),
fresh AS (
    SELECT c.*, e.name, e.label FROM counted c JOIN entities e USING (entity_id)
    WHERE c.entity_id NOT IN (SELECT entity_id FROM seen_before)
)
SELECT 'new_entity' AS rule, f.entity_id::VARCHAR AS key, f.name AS subject,
       'New ' || f.label || ': ' || f.name || ', in ' || f.articles || ' articles of ' || f.sources || ' sources'
           AS title,
       'First named on ' || strftime(min(a.article_at), '%Y-%m-%d') || '; no earlier article names it.' AS detail,
       min(a.article_at) AS at,
       list({'title': a.title, 'url': a.canonical_url, 'source': coalesce(a.sitename, a.source),
             'sentence': h.sentence, 'at': a.article_at} ORDER BY a.article_at, a.article_id)[1:5] AS evidence
FROM fresh f JOIN hits h USING (entity_id) JOIN arts a USING (article_id)
GROUP BY f.entity_id, f.name, f.label, f.articles, f.sources
