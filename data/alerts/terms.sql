-- The period's articles whose title or text holds any watched term (as whole words, in any
-- case), read once per find_alerts into a temporary table that the watched_term rule then
-- searches once per term.  One pass of RE2 over the period's texts for all the terms: $any is
-- the terms' patterns as one alternation, a constant compiled once, and costs about what one
-- term did (0.17 CPU-s over a week of the 1M benchmark's texts); a "cheaper" lower()+LIKE or
-- contains() test first took 0.25-0.3 and let most texts through anyway.
-- params: $since, $until, $any
CREATE OR REPLACE TEMP TABLE alert_term_articles AS
SELECT article_id, canonical_url, source, sitename, title, text, article_at
FROM articles_between($since, $until, 0, NULL)
WHERE regexp_matches(title, '(?i)' || $any) OR regexp_matches(text, '(?i)' || $any)
