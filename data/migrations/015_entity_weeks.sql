-- 015 weekly counts that readers do not have to compute from every mention.
-- * mentions.week_start: the Monday of the mention's article's week (article_time,
--   migration 007), written with the mention.  An article's date changes only when its text
--   does, and then its mentions are written again, so it stays true.  Mentions are appended
--   as articles arrive, so a filter on it skips the storage of other weeks: reading a week's
--   mentions no longer probes all of them (0.19 -> 0.05 s for the last week of the 1M
--   benchmark's 8M mentions).
-- * entity_weeks: for each entity and week, the articles that name it and its mentions
--   (mentions with no entity are not counted), kept by the writer (data/entity_weeks.py) in
--   the transaction that changes the mentions, so the spike alert's trailing weeks and
--   mentions_per_entity_week read a few thousand rows instead of grouping every mention.
-- `newsmon db check` compares both with what they are computed from.
ALTER TABLE mentions ADD COLUMN week_start DATE;

UPDATE mentions SET week_start = x.week_start
FROM (SELECT article_id, date_trunc('week', article_time(published_at, first_seen_at))::DATE AS week_start
      FROM articles) x
WHERE mentions.article_id = x.article_id;

CREATE TABLE entity_weeks (
    entity_id   BIGINT  NOT NULL,
    week_start  DATE    NOT NULL,
    articles    INTEGER NOT NULL,
    mentions    INTEGER NOT NULL
);

INSERT INTO entity_weeks
SELECT entity_id, week_start, count(DISTINCT article_id), count(*)
FROM mentions
WHERE entity_id IS NOT NULL AND week_start IS NOT NULL
GROUP BY ALL
ORDER BY week_start, entity_id;

CREATE OR REPLACE VIEW mentions_per_entity_week AS
SELECT
    iso_week(w.week_start) AS week,
    w.week_start,
    e.label,
    e.name AS entity,
    e.entity_id,
    w.mentions::BIGINT AS mentions,
    w.articles::BIGINT AS articles
FROM entity_weeks w
JOIN entities e ON e.entity_id = w.entity_id;
