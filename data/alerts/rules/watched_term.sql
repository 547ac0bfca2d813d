-- rule: watched_term
-- A watched term appears, as whole words in any case, in the title or text of an article of
-- the period. One alert per term and article; the evidence is the first sentence holding it
-- (or the title).
-- params: $since, $until, $term, $pattern (the term as an RE2 pattern); the rule runs once per
--   term (a constant pattern compiles once)
WITH
arts AS MATERIALIZED (
    SELECT article_id, canonical_url, source, sitename, title, text, article_at
    FROM articles_between($since, $until, 0, NULL)
),
hits AS (
    SELECT a.*,
           -- the sentence: from a line start or an end mark followed by a space, to the next such end
           nullif(trim(regexp_extract(a.text,
               '(?i)(?:^|\n|[.!?]["”’)]?\s+)((?:[^\n.!?]|[.!?][^\s"”’)])*?' || $pattern
                   || '(?:[^\n.!?]|[.!?][^\s"”’)])*[.!?]?["”’)]?)', 1)), '') AS sentence
    FROM arts a
    -- the pattern alone: RE2 over a week of 1M articles' texts takes 0.14 CPU-s, a "cheaper"
    -- lower()+LIKE or contains() test first took 0.25-0.3 and let most texts through anyway
    WHERE regexp_matches(a.title, '(?i)' || $pattern) OR regexp_matches(a.text, '(?i)' || $pattern)
)
SELECT 'watched_term' AS rule, $term || ':' || article_id AS key, $term AS subject,
       '“' || $term || '” in “' || coalesce(title, '(untitled)') || '”' AS title,
       'In ' || coalesce(sitename, source) || '.' AS detail,
       article_at AS at,
       [{'title': title, 'url': canonical_url, 'source': coalesce(sitename, source),
         'sentence': coalesce(sentence, title), 'at': article_at}] AS evidence
FROM hits
