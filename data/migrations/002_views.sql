-- 002 views for the common questions.  An article is dated by published_at,
-- or by first_seen_at when the page gave no date.

CREATE VIEW mentions_per_entity_week AS
SELECT
    CAST(date_trunc('week', coalesce(a.published_at, a.first_seen_at)) AS DATE) AS week,
    e.label,
    e.name AS entity,
    e.entity_id,
    count(*) AS mentions,
    count(DISTINCT m.article_id) AS articles
FROM mentions m
JOIN entities e ON e.entity_id = m.entity_id
JOIN articles a ON a.article_id = m.article_id
GROUP BY ALL;

CREATE VIEW article_summary AS
WITH m AS (
    SELECT
        article_id,
        count(DISTINCT entity_id) FILTER (WHERE label = 'person') AS people,
        count(DISTINCT entity_id) FILTER (WHERE label = 'organisation') AS organisations,
        count(*) AS mentions
    FROM mentions
    GROUP BY article_id
), f AS (
    SELECT article_id, count(*) AS figures
    FROM figures
    GROUP BY article_id
)
SELECT
    a.article_id, a.canonical_url, a.url, a.source, a.title, a.published_at,
    a.fetched_at, a.language, a.word_count, a.relevance, a.matched_terms, a.annotated,
    coalesce(m.people, 0) AS people,
    coalesce(m.organisations, 0) AS organisations,
    coalesce(m.mentions, 0) AS mentions,
    coalesce(f.figures, 0) AS figures
FROM articles a
LEFT JOIN m ON m.article_id = a.article_id
LEFT JOIN f ON f.article_id = a.article_id;

CREATE VIEW figures_money AS
SELECT
    f.article_id, f.value, f.unit, f.object, f.text, f.sentence, f.start_char, f.end_char,
    a.title, a.canonical_url AS url, a.source, a.published_at
FROM figures f
JOIN articles a ON a.article_id = f.article_id
WHERE f.kind = 'money';

CREATE VIEW articles_per_source_day AS
SELECT
    source,
    CAST(coalesce(published_at, first_seen_at) AS DATE) AS day,
    count(*) AS articles,
    CAST(sum(word_count) AS BIGINT) AS words,
    avg(relevance) AS mean_relevance
FROM articles
GROUP BY ALL;
