-- 013 the fines first reported on or after a day, without reading every article:
-- fines_from(day) is `SELECT * FROM fines WHERE first_reported_on >= day` (day NULL: every
-- fine), and the view `fines` is fines_from(NULL), so the rule of what a fine is stays in
-- one place.  A fine first reported from `day` on has every report from `day` on, so only
-- those articles are read: article_time as two plain column ranges, which the scan prunes by
-- its zone maps (the alerts' fine rule read the title and URL of all 1M articles of the
-- benchmark, 0.6 CPU-s, for the fines of one week).  A fine with an earlier report is left
-- out whole.  Same columns, same rows, same order of reports as migration 012's view.
CREATE MACRO fines_from(day) AS TABLE
-- the articles from `day` on (every article when day is NULL), in two branches whose plain
-- column ranges the scan prunes by zone maps; article_time is what each branch tests
WITH dated AS (
    SELECT article_id, published_at, first_seen_at, canonical_url, title, source
    FROM articles
    WHERE day IS NULL
    UNION ALL
    SELECT article_id, published_at, first_seen_at, canonical_url, title, source
    FROM articles
    WHERE day IS NOT NULL AND published_at >= day::TIMESTAMP AND published_at <= first_seen_at + INTERVAL 2 DAY
    UNION ALL
    SELECT article_id, published_at, first_seen_at, canonical_url, title, source
    FROM articles
    WHERE day IS NOT NULL AND first_seen_at >= day::TIMESTAMP
      AND (published_at IS NULL OR published_at > first_seen_at + INTERVAL 2 DAY)
), r AS (
    SELECT fr.*, CAST(article_time(d.published_at, d.first_seen_at) AS DATE) AS reported_on,
        d.canonical_url AS url, d.title, d.source
    FROM fine_reports fr
    JOIN dated d USING (article_id)
    -- a fine also reported before `day` is left out whole
    WHERE fr.fine_id NOT IN (
        SELECT e.fine_id FROM fine_reports e JOIN articles a USING (article_id)
        WHERE day IS NOT NULL AND article_time(a.published_at, a.first_seen_at) < day::TIMESTAMP)
), lead AS (
    SELECT * FROM r
    QUALIFY row_number() OVER (
        PARTITION BY fine_id
        ORDER BY status = 'reduced' DESC, status <> 'proposed' DESC, reported_on DESC,
                 precision NULLS LAST, article_id, start_char) = 1
), link AS (
    SELECT fine_id, url, title, sentence FROM r
    QUALIFY row_number() OVER (PARTITION BY fine_id ORDER BY reported_on, start_char, article_id) = 1
), agg AS (
    SELECT fine_id,
        min(reported_on) AS first_reported_on,
        max(reported_on) AS last_reported_on,
        count(*) AS reports,
        count(DISTINCT source) AS sources,
        list(DISTINCT article_id ORDER BY article_id) AS article_ids,
        list(DISTINCT url ORDER BY url) AS urls,
        first(authority ORDER BY reported_on) FILTER (WHERE authority IS NOT NULL) AS any_authority,
        first(authority_entity_id ORDER BY reported_on) FILTER (WHERE authority IS NOT NULL) AS any_authority_id,
        first(basis ORDER BY reported_on) FILTER (WHERE basis IS NOT NULL) AS any_basis
    FROM r
    GROUP BY fine_id
)
SELECT
    l.fine_id,
    coalesce(l.authority, agg.any_authority) AS authority,
    CASE WHEN l.authority IS NOT NULL THEN l.authority_entity_id ELSE agg.any_authority_id END AS authority_entity_id,
    l.target, l.target_label, l.target_entity_id,
    l.value, l.unit, l.value_eur, l.value_usd, l.rate_date,
    l.status,
    coalesce(l.basis, agg.any_basis) AS basis,
    l.text, k.sentence, k.url, k.title,
    agg.first_reported_on, agg.last_reported_on, agg.reports, agg.sources, agg.article_ids, agg.urls
FROM lead l
JOIN link k USING (fine_id)
JOIN agg USING (fine_id);

CREATE OR REPLACE VIEW fines AS SELECT * FROM fines_from(NULL);
