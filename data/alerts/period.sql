-- The period's articles and their entity mentions, read once per find_alerts (temporary
-- tables on the rules' connection) and joined by the rules, instead of every rule scanning
-- all articles and all mentions again.  $from is the period's start, or, when the spike rule
-- runs, the Monday $weeks weeks before the week of the start (its trailing weeks): the
-- articles from $from on are in alert_span, their mentions in alert_mentions (in_period:
-- from $since on, one row per entity and article); the articles from $shown on (the period's, and for the spike rule those of
-- the period's first week before it) with the columns an alert shows in alert_articles.
-- mention_row is the mention's rowid: a rule reads a sentence (a string column) only for the
-- mentions it quotes.
-- params: $from, $shown, $since, $until
CREATE OR REPLACE TEMP TABLE alert_span AS
SELECT article_id, date_trunc('week', article_at)::DATE AS week, article_at >= $since::TIMESTAMP AS in_period
FROM articles_between($from, $until, 0, NULL);

CREATE OR REPLACE TEMP TABLE alert_articles AS
SELECT article_id, canonical_url, source, sitename, title, article_at, date_trunc('week', article_at)::DATE AS week,
       article_at >= $since::TIMESTAMP AS in_period
FROM articles_between($shown, $until, 0, NULL);

-- one row per entity and article: its first mention (mention_row) and how many there are; a
-- join, not IN (subquery): 0.12 instead of 0.3 CPU-s over 8M mentions
CREATE OR REPLACE TEMP TABLE alert_mentions AS
SELECT m.entity_id, m.article_id, arg_min(m.rowid, m.start_char) AS mention_row, count(*) AS mentions,
       any_value(s.week) AS week, any_value(s.in_period) AS in_period
FROM mentions m JOIN alert_span s USING (article_id)
WHERE m.entity_id IS NOT NULL
GROUP BY m.entity_id, m.article_id;

-- the sentences of the shown articles' mentions, once for every rule that quotes one (a
-- string column: scanned once here, not once per rule)
CREATE OR REPLACE TEMP TABLE alert_sentences AS
SELECT m.rowid AS mention_row, m.sentence
FROM mentions m JOIN alert_articles a USING (article_id)
WHERE m.entity_id IS NOT NULL;
