-- rule: source_blocked
-- A source whose fetches in its latest crawl run turned into refusals: at least
-- $share of that run's fetches of the source (pages.run_id) answered 403 or 429, while
-- earlier the source delivered (an article stored before that run, or a page fetched with
-- 200 or 304 in an earlier run). One alert per source and blocking episode: the episode is
-- named by the source's last successful article fetch, which stays put while it is blocked.
-- params: $share
WITH
latest AS (
    SELECT source, max(run_id) AS run_id FROM pages WHERE source IS NOT NULL AND run_id IS NOT NULL GROUP BY source
),
last_run AS (
    SELECT p.source, l.run_id, count(*) AS fetches,
           count(*) FILTER (WHERE p.status IN (403, 429) OR p.outcome IN ('failed:http_403', 'failed:http_429'))
               AS refused,
           list(DISTINCT p.status) FILTER (WHERE p.status IN (403, 429)) AS codes,
           arg_max(p.url, p.last_fetched_at) FILTER (WHERE p.status IN (403, 429)) AS sample_url,
           max(p.last_fetched_at) AS at
    FROM pages p JOIN latest l ON l.source = p.source AND l.run_id = p.run_id
    GROUP BY p.source, l.run_id
    -- the history below only for the sources refused now (it reads their articles and pages)
    HAVING count(*) FILTER (WHERE p.status IN (403, 429) OR p.outcome IN ('failed:http_403', 'failed:http_429'))
        >= greatest($share * count(*), 1)
),
history AS (
    SELECT r.source, r.run_id,
           (SELECT max(a.fetched_at) FROM articles a WHERE a.source = r.source) AS last_article_fetch,
           (SELECT started_at FROM crawl_runs c WHERE c.run_id = r.run_id) AS run_started,
           (SELECT count(*) FROM pages p WHERE p.source = r.source AND p.run_id < r.run_id
                AND p.status IN (200, 304)) AS earlier_ok
    FROM last_run r
)
SELECT 'source_blocked' AS rule,
       r.source || ':' || coalesce(strftime(h.last_article_fetch, '%Y-%m-%dT%H:%M:%S'), 'never') AS key,
       coalesce((SELECT mode(sitename) FROM articles a WHERE a.source = r.source), r.source) AS subject,
       'Source blocked: ' || coalesce((SELECT mode(sitename) FROM articles a WHERE a.source = r.source), r.source)
           || ' answered ' || array_to_string(list_sort(r.codes), '/') || ' to ' || r.refused || ' of '
           || r.fetches || ' fetches' AS title,
       'In run ' || r.run_id || ' (' || strftime(r.at, '%Y-%m-%d %H:%M') || '); it delivered before'
           || coalesce(' (last article fetched ' || strftime(h.last_article_fetch, '%Y-%m-%d %H:%M') || ')', '')
           || '. Source: ' || r.source || '.' AS detail,
       r.at AS at,
       [{'title': 'refused: ' || r.sample_url, 'url': r.sample_url, 'source': r.source,
         'sentence': NULL::VARCHAR, 'at': r.at}] AS evidence
FROM last_run r JOIN history h USING (source, run_id)
WHERE r.refused > 0 AND r.refused >= $share * r.fetches
  AND (h.last_article_fetch < h.run_started OR h.earlier_ok > 0)
