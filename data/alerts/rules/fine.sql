-- rule: fine
-- A fine of at least $threshold euros (the fines record, migration 009: one row per fine
-- across the articles that report it, converted with the ECB rate of its day) first reported
-- in the period. One alert per fine (fine_id); the evidence is the sentence of its first
-- report and up to four more articles that report it. A fine in a currency without a rate
-- (value_eur NULL) is never one. A fine that only edits brought (every article reporting it
-- had an earlier version whose edit removed a money figure: "€14.5m" became "€18.5m") is the
-- edit rule's alert, not a new fine.
-- params: $since, $until, $threshold
WITH
-- fines_from (migration 013): the fines first reported from that day on, reading only the
-- articles from that day on
candidates AS MATERIALIZED (
    SELECT * FROM fines_from($since::DATE)
    WHERE value_eur >= $threshold
      AND first_reported_on >= $since::DATE AND first_reported_on < $until::TIMESTAMP
),
money_edited AS (
    SELECT DISTINCT article_id FROM article_versions
    WHERE list_contains(list_transform(figures_removed, f -> f.kind), 'money')
),
big AS (
    SELECT * FROM candidates WHERE fine_id IN (
        SELECT c.fine_id FROM candidates c, unnest(c.article_ids) AS u(article_id)
        WHERE u.article_id NOT IN (SELECT article_id FROM money_edited))
),
-- every report of such a fine is dated from the period's first day on
reports AS (
    SELECT b.fine_id, a.canonical_url AS url, a.title, coalesce(a.sitename, a.source) AS source,
           a.article_at AS at
    FROM big b, unnest(b.article_ids) AS u(article_id)
    JOIN articles_between($since::DATE, 'infinity', 0, NULL) a ON a.article_id = u.article_id
)
SELECT 'fine' AS rule, b.fine_id::VARCHAR AS key,
       coalesce(b.target, b.authority, 'a fine') AS subject,
       'Fine: ' || coalesce(b.authority, 'an authority not named') || ' → '
           || coalesce(b.target, 'a payer not named') || ', ' || b.text
           || CASE WHEN b.unit <> 'EUR' THEN ' (≈ €' || format('{:,}', round(b.value_eur)::BIGINT) || ')' ELSE '' END
           AS title,
       concat_ws(' ', 'Status: ' || b.status || '.', 'Basis: ' || b.basis || '.',
                 'Reported by ' || b.reports || ' article' || CASE WHEN b.reports = 1 THEN '' ELSE 's' END
                     || ' from ' || strftime(b.first_reported_on, '%Y-%m-%d') || '.') AS detail,
       b.first_reported_on::TIMESTAMP AS at,
       list_concat(
           [{'title': b.title, 'url': b.url, 'source': (SELECT any_value(r.source) FROM reports r
                                                         WHERE r.fine_id = b.fine_id AND r.url = b.url),
             'sentence': b.sentence, 'at': b.first_reported_on::TIMESTAMP}],
           (SELECT list({'title': r.title, 'url': r.url, 'source': r.source, 'sentence': NULL::VARCHAR,
                         'at': r.at} ORDER BY r.at, r.url)[1:4]
            FROM reports r WHERE r.fine_id = b.fine_id AND r.url <> b.url)) AS evidence
FROM big b
