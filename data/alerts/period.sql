-- The period's articles and their entity mentions, read once per find_alerts (temporary
-- tables on the rules' connection) and joined by the rules, instead of every rule scanning
-- all articles and all mentions again.  $shown is the period's start ($since), or, when the
-- spike rule runs, the Monday of its week (a spike is judged on whole weeks; the weeks before
-- come from entity_weeks, not from here): the articles from $shown on are in alert_articles
-- (in_period: from $since on), their mentions in alert_mentions.
-- mention_row is the mention's rowid: a rule gives it in its evidence for the sentence, which
-- build.py then reads once for all the rules' evidence (a string column: only those rows).
-- params: $shown, $since, $until
CREATE OR REPLACE TEMP TABLE alert_articles AS
SELECT article_id, canonical_url, source, sitename, title, article_at, date_trunc('week', article_at)::DATE AS week,
       article_at >= $since::TIMESTAMP AS in_period
FROM articles_between($shown, $until, 0, NULL);

-- a join, not IN (subquery): 0.12 instead of 0.3 CPU-s over 8M mentions (and no grouping
-- here: 0.45 CPU-s for 1.2M rows, while the rules group the few they keep); the filter on
-- week_start (migration 015) skips the storage of earlier weeks before the join
CREATE OR REPLACE TEMP TABLE alert_mentions AS
SELECT m.entity_id, m.article_id, m.rowid AS mention_row, m.start_char, s.week, s.in_period
FROM mentions m JOIN alert_articles s USING (article_id)
WHERE m.entity_id IS NOT NULL AND m.week_start >= date_trunc('week', $shown::TIMESTAMP)::DATE;
