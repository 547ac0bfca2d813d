-- rule: watched_entity
-- A watched entity (its name or any alias, with the label when the watchlist gives one) is
-- mentioned in an article of the period. One alert per entity and article; the evidence is
-- the article and the first sentence that names the entity.
-- params: $since, $until, $entity_ids (BIGINT[]: the watched entities, as watched_ids.sql
--   resolves the watchlist's names and labels)
WITH
ids AS MATERIALIZED (
    SELECT entity_id, name FROM entities WHERE list_contains($entity_ids::BIGINT[], entity_id)
),
arts AS MATERIALIZED (
    SELECT article_id, canonical_url, source, sitename, title, article_at
    FROM articles_between($since, $until, 0, NULL)
),
hits AS (
    SELECT m.entity_id, m.article_id, arg_min(m.sentence, m.start_char) AS sentence, count(*) AS mentions
    FROM mentions m
    WHERE list_contains($entity_ids::BIGINT[], m.entity_id) AND m.article_id IN (SELECT article_id FROM arts)
    GROUP BY ALL
)
SELECT 'watched_entity' AS rule, h.entity_id || ':' || h.article_id AS key, i.name AS subject,
       i.name || ' in “' || coalesce(a.title, '(untitled)') || '”' AS title,
       'Named ' || h.mentions || ' time' || CASE WHEN h.mentions = 1 THEN '' ELSE 's' END || ' by '
           || coalesce(a.sitename, a.source) || '.' AS detail,
       a.article_at AS at,
       [{'title': a.title, 'url': a.canonical_url, 'source': coalesce(a.sitename, a.source),
         'sentence': h.sentence, 'at': a.article_at}] AS evidence
FROM hits h JOIN ids i USING (entity_id) JOIN arts a USING (article_id)
