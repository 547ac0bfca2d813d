-- rule: watched_entity
-- A watched entity (its name or any alias, with the label when the watchlist gives one) is
-- mentioned in an article of the period. One alert per entity and article; the evidence is
-- the article and the first sentence that names the entity (its mention_row: build.py reads it).
-- params: $entity_ids (BIGINT[]: the watched entities, as watched_ids.sql resolves the
--   watchlist's names and labels); the period's articles and mentions are period.sql's
WITH
ids AS MATERIALIZED (
    SELECT entity_id, name FROM entities WHERE list_contains($entity_ids::BIGINT[], entity_id)
),
hits AS MATERIALIZED (
    SELECT entity_id, article_id, arg_min(mention_row, start_char) AS mention_row, count(*) AS mentions
    FROM alert_mentions
    WHERE in_period AND list_contains($entity_ids::BIGINT[], entity_id)
    GROUP BY ALL
)
SELECT 'watched_entity' AS rule, h.entity_id || ':' || h.article_id AS key, i.name AS subject,
       i.name || ' in “' || coalesce(a.title, '(untitled)') || '”' AS title,
       'Named ' || h.mentions || ' time' || CASE WHEN h.mentions = 1 THEN '' ELSE 's' END || ' by '
           || coalesce(a.sitename, a.source) || '.' AS detail,
       a.article_at AS at,
       [{'title': a.title, 'url': a.canonical_url, 'source': coalesce(a.sitename, a.source),
         'sentence': NULL::VARCHAR, 'at': a.article_at, 'mention_row': h.mention_row}] AS evidence
FROM hits h JOIN ids i USING (entity_id) JOIN alert_articles a USING (article_id)
