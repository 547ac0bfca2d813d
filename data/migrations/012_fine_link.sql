-- 012 the link of a fine (url, title, sentence of the view `fines`) is its first report: the
-- earliest article that reports it, there the first place naming it.  Migration 009 took the
-- report with the smallest character offset in any article, so a later article whose headline
-- names the fine sooner won ("Streamly appeals €1.2bn EU fine" instead of the decision's own
-- report two weeks earlier), and the fine alert's "sentence of its first report" was not.
-- Only the ORDER BY of `link` changes.

-- One row per fine across articles.  Its amount, status and authority are those of its lead
-- report: a reduction first (the final amount counts), then a decision over a proposal, then
-- the latest report, then the most precise.  Its link (url, title, sentence) is its first
-- report: the earliest article's, there the first place that names it (a headline's).
CREATE OR REPLACE VIEW fines AS
WITH r AS (
    SELECT fr.*, CAST(article_time(a.published_at, a.first_seen_at) AS DATE) AS reported_on,
        a.canonical_url AS url, a.title, a.source
    FROM fine_reports fr
    JOIN articles a USING (article_id)
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
