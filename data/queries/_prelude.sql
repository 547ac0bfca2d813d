-- Temporary macros shared by the named queries; data/named.py runs this once
-- per connection before any query.  Not a named query itself (leading "_").
-- Queries get $week as a DATE (a Monday): the runner resolves "latest" with
-- latest_week() before running them, so week bounds are constants the scan can use.

-- article_time(published_at, first_seen_at) and iso_week(ts) are the database's own
-- macros (migration 007): when an article happened, and its week, as the views date them.

-- The topic filter a caller resolves from a topic profile: a minimum relevance
-- and, optionally, matched terms of which at least one must be present.
CREATE OR REPLACE TEMP MACRO in_topic(relevance, matched_terms, min_relevance, terms) AS
    coalesce(relevance, 0) >= coalesce(min_relevance, 0)
    AND (terms IS NULL OR len(terms) = 0 OR list_has_any(coalesce(matched_terms, []), terms));

-- Monday of the latest ISO week that has (topic) articles.
CREATE OR REPLACE TEMP MACRO latest_week(min_relevance, terms) AS (
    SELECT date_trunc('week', max(article_time(published_at, first_seen_at)))::DATE
    FROM articles
    WHERE in_topic(relevance, matched_terms, min_relevance, terms)
);

-- Whether a mention's week_start (migration 015) is the week of a time in [start, stop):
-- a filter on the column alone, which the scan of mentions prunes its storage by.
CREATE OR REPLACE TEMP MACRO in_weeks(week_start, start, stop) AS
    week_start >= date_trunc('week', start::TIMESTAMP)::DATE AND week_start < stop::TIMESTAMP;

-- The topic-filtered articles dated (as article_time does) in [start, stop), with
-- that time as `article_at`.  Two branches instead of one article_time() test:
-- plain column ranges are pushed into the scan (zone maps, and the text of
-- other rows is never read), which makes a week of 1M articles fast.
CREATE OR REPLACE TEMP MACRO articles_between(start, stop, min_relevance, terms) AS TABLE
    SELECT *, published_at AS article_at
    FROM articles
    WHERE published_at >= start::TIMESTAMP AND published_at < stop::TIMESTAMP
      AND published_at <= first_seen_at + INTERVAL 2 DAY
      AND in_topic(relevance, matched_terms, min_relevance, terms)
    UNION ALL
    SELECT *, first_seen_at AS article_at
    FROM articles
    WHERE first_seen_at >= start::TIMESTAMP AND first_seen_at < stop::TIMESTAMP
      AND (published_at IS NULL OR published_at > first_seen_at + INTERVAL 2 DAY)
      AND in_topic(relevance, matched_terms, min_relevance, terms);

-- The topic-filtered articles of the ISO week starting on Monday `week_start`.
CREATE OR REPLACE TEMP MACRO week_articles(week_start, min_relevance, terms) AS TABLE
    SELECT * FROM articles_between(week_start, week_start::TIMESTAMP + INTERVAL 7 DAY, min_relevance, terms);

-- The mentions in the topic-filtered articles dated in [start, stop).  Only the
-- cheap columns are read; `canonical` (a string column) only for the rare
-- mention without an entity id, else NULL.  The filter on week_start (the Monday
-- of the article's week, migration 015) skips the storage of other weeks first.
CREATE OR REPLACE TEMP MACRO mentions_between(start, stop, min_relevance, terms) AS TABLE
    WITH ids AS (SELECT article_id FROM articles_between(start, stop, min_relevance, terms))
    SELECT m.article_id, m.label, m.entity_id, NULL::VARCHAR AS canonical
    FROM mentions m
    WHERE m.entity_id IS NOT NULL AND in_weeks(m.week_start, start, stop)
      AND m.article_id IN (SELECT article_id FROM ids)
    UNION ALL
    SELECT m.article_id, m.label, NULL, m.canonical
    FROM mentions m
    WHERE m.entity_id IS NULL AND in_weeks(m.week_start, start, stop)
      AND m.article_id IN (SELECT article_id FROM ids);

-- An entity's identity across articles: its database-wide id when the
-- entity resolver gave one, else the label and the document-level canonical form.
CREATE OR REPLACE TEMP MACRO entity_key(label, entity_id, canonical) AS
    coalesce(entity_id::VARCHAR, label || ':' || lower(canonical));
