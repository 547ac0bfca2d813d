-- 007 one date and one week for an article, the same in the views, the named queries
-- (data/queries/), search and the digest.  An article happened at its publication time,
-- unless that is missing or more than two days after we first saw the page (a bogus
-- future date), then when we first saw it.  Its week is the ISO week of that time,
-- written 'YYYY-Www' ('2026-W47', Monday to Sunday), as --week and the digest write it.
-- (The named queries had these as temporary macros and the views dated articles by
-- coalesce(published_at, first_seen_at) and gave `week` as a DATE: a filter
-- `week = '2026-W47'` failed, and a bogus future date put an article in another week.)

CREATE MACRO article_time(published_at, first_seen_at) AS
    coalesce(CASE WHEN published_at <= first_seen_at + INTERVAL 2 DAY THEN published_at END, first_seen_at);

CREATE MACRO iso_week(ts) AS strftime(ts, '%G-W%V');

CREATE OR REPLACE VIEW mentions_per_entity_week AS
SELECT
    iso_week(article_time(a.published_at, a.first_seen_at)) AS week,
    CAST(date_trunc('week', article_time(a.published_at, a.first_seen_at)) AS DATE) AS week_start,
    e.label,
    e.name AS entity,
    e.entity_id,
    count(*) AS mentions,
    count(DISTINCT m.article_id) AS articles
FROM mentions m
JOIN entities e ON e.entity_id = m.entity_id
JOIN articles a ON a.article_id = m.article_id
GROUP BY ALL;

CREATE OR REPLACE VIEW articles_per_source_day AS
SELECT
    source,
    CAST(article_time(published_at, first_seen_at) AS DATE) AS day,
    count(*) AS articles,
    CAST(sum(word_count) AS BIGINT) AS words,
    avg(relevance) AS mean_relevance
FROM articles
GROUP BY ALL;
