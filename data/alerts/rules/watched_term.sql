-- rule: watched_term
-- A watched term appears, as whole words in any case, in the title or text of an article of
-- the period. One alert per term and article; the evidence is the first sentence holding it
-- (or the title).
-- params: $term, $pattern (the term as an RE2 pattern); the rule runs once per term (a
--   constant pattern compiles once, one from a column once per row) over the period's articles
--   that hold any of the terms (alert_term_articles, terms.sql)
WITH
hits AS (
    SELECT a.*,
           -- the sentence: from a line start or an end mark followed by a space, to the next such end
           nullif(trim(regexp_extract(a.text,
               '(?i)(?:^|\n|[.!?]["”’)]?\s+)((?:[^\n.!?]|[.!?][^\s"”’)])*?' || $pattern
                   || '(?:[^\n.!?]|[.!?][^\s"”’)])*[.!?]?["”’)]?)', 1)), '') AS sentence
    FROM alert_term_articles a
    WHERE regexp_matches(a.title, '(?i)' || $pattern) OR regexp_matches(a.text, '(?i)' || $pattern)
)
SELECT 'watched_term' AS rule, $term || ':' || article_id AS key, $term AS subject,
       '“' || $term || '” in “' || coalesce(title, '(untitled)') || '”' AS title,
       'In ' || coalesce(sitename, source) || '.' AS detail,
       article_at AS at,
       [{'title': title, 'url': canonical_url, 'source': coalesce(sitename, source),
         'sentence': coalesce(sentence, title), 'at': article_at}] AS evidence
FROM hits
