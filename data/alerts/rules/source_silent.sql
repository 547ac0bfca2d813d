-- rule: source_silent
-- A source that has published nothing for longer than its usual interval: over its
-- articles of the last 180 days (at least 5, stored by at least 2 crawl runs, so we watched
-- it while it published), its usual gap is the 90th percentile of the gaps between the days
-- it published on (days, not articles: cheap, and a burst of articles on one day is one
-- day); silent when the newest article is older than
-- max($factor x that gap, $min_hours) and a crawl run that included the source started after
-- that point (so the silence is the source's, not ours). One alert per source and last article.
-- params: $now, $factor, $min_hours
WITH
recent AS (
    SELECT source, article_at AS t, run_id, sitename
    FROM articles_between($now - INTERVAL 180 DAY, 'infinity', 0, NULL)
    WHERE source IS NOT NULL
),
days AS (
    SELECT source, t::DATE AS day, count(*) AS articles, max(t) AS last,
           min(run_id) AS first_run, max(run_id) AS last_run
    FROM recent GROUP BY ALL
),
gaps AS (
    SELECT *, 86400 * (day - lag(day) OVER (PARTITION BY source ORDER BY day)) AS gap FROM days
),
-- stored by at least 2 crawl runs: its smallest and largest run differ
usual AS (
    SELECT source, sum(articles) AS articles, max(last) AS last, quantile_cont(gap, 0.9) AS p90,
           min(first_run) <> max(last_run) AS runs
    FROM gaps GROUP BY source
),
silent AS (
    SELECT u.*, greatest($factor * coalesce(u.p90, 0), $min_hours * 3600) AS limit_s
    FROM usual u
    WHERE u.articles >= 5 AND u.runs
),
-- the site's name, of the silent sources only
judged AS (
    SELECT s.*, (SELECT mode(r.sitename) FROM recent r WHERE r.source = s.source) AS sitename
    FROM silent s
    WHERE epoch($now) - epoch(s.last) > s.limit_s
)
SELECT 'source_silent' AS rule, j.source || ':' || strftime(j.last, '%Y-%m-%dT%H:%M:%S') AS key,
       coalesce(j.sitename, j.source) AS subject,
       'Source silent: ' || coalesce(j.sitename, j.source) || ', no new article since '
           || strftime(j.last, '%Y-%m-%d %H:%M') AS title,
       'It usually publishes at least every ' || round(coalesce(j.p90, 0) / 3600, 1) || ' h (90% of gaps); '
           || (SELECT count(*) FROM crawl_runs c WHERE list_contains(c.sources, j.source)
                 AND c.started_at > j.last + to_seconds(j.limit_s)) || ' crawl run(s) found nothing since. Source: '
           || j.source || '.' AS detail,
       j.last AS at,
       [{'title': a.title, 'url': a.canonical_url, 'source': coalesce(a.sitename, a.source),
         'sentence': 'its last article', 'at': j.last}] AS evidence
FROM judged j
JOIN articles a ON a.source = j.source AND article_time(a.published_at, a.first_seen_at) = j.last
WHERE EXISTS (SELECT 1 FROM crawl_runs c WHERE list_contains(c.sources, j.source)
              AND c.started_at > j.last + to_seconds(j.limit_s))
QUALIFY row_number() OVER (PARTITION BY j.source ORDER BY a.article_id) = 1
