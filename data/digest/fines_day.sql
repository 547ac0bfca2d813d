-- The first report's day of the fines reported in the digest's week (an earlier week's
-- article may have reported one first), or NULL: week_fines reads the fines first reported
-- from that day on, fines_from (migration 013), instead of every fine.  Numeric columns only.
-- params: $week (Monday), $min_relevance, $terms
SELECT min(article_time(a.published_at, a.first_seen_at))::DATE
FROM fine_reports r JOIN articles a USING (article_id)
WHERE r.fine_id IN (SELECT fine_id FROM fine_reports
                    WHERE article_id IN (SELECT article_id FROM week_articles($week::DATE, $min_relevance, $terms)))
