-- name: week_fines
-- about: The fines reported in the week's articles, largest first by their value in
--   euros (then amounts in currencies the ECB does not quote, largest first). One row per
--   fine (the view `fines`): a fine several articles report counts once.
-- param: week week = latest : ISO week YYYY-Www; latest week with articles when omitted
-- param: limit int = 10 : how many fines
-- param: min_relevance float = 0 : topic filter: minimum article relevance
-- param: terms terms = none : topic filter: comma-separated matched terms, any of which must match
-- param: reported_from date = none : only the fines first reported on or after this day (the
--   digest gives the first report's day of the week's fines: the same rows, and only the
--   articles from that day on are read)
-- row: one fine: rank, fine_id, authority, target, value, unit, value_eur, value_usd,
--   rate_date, status (imposed, proposed, agreed, reduced), basis, reports, sources,
--   text (of its lead report), sentence, url, title (of its first report), first_reported_on,
--   site (the first report's site by its own name, else its source's)
WITH week_ids AS MATERIALIZED (
    SELECT article_id FROM week_articles($week::DATE, $min_relevance, $terms)
),
week_fines AS (
    SELECT DISTINCT fine_id FROM fine_reports WHERE article_id IN (SELECT article_id FROM week_ids)
),
linked AS (
    SELECT fr.fine_id, a.canonical_url AS url,
        arg_min(coalesce(nullif(trim(a.sitename), ''), a.source), a.article_id) AS site
    FROM fine_reports fr
    JOIN articles_between(coalesce($reported_from::TIMESTAMP, '-infinity'), 'infinity', 0, NULL) a USING (article_id)
    WHERE fr.fine_id IN (SELECT fine_id FROM week_fines)
    GROUP BY ALL
)
SELECT
    row_number() OVER (ORDER BY f.value_eur DESC NULLS LAST, f.unit, f.value DESC, f.fine_id) AS rank,
    f.fine_id, f.authority, f.target, f.value, f.unit, f.value_eur, f.value_usd, f.rate_date,
    f.status, f.basis, f.reports, f.sources, f.text, f.sentence, f.url, f.title, f.first_reported_on,
    l.site
FROM fines_from($reported_from) f
SEMI JOIN week_fines w ON w.fine_id = f.fine_id
LEFT JOIN linked l ON l.fine_id = f.fine_id AND l.url = f.url
ORDER BY rank
LIMIT $limit;
