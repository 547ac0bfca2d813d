-- 010 know what changed: the earlier versions of an edited article, and the alerts
-- already reported.
--
-- article_versions: when a re-fetched article's text changed (another text_hash),
-- the row it replaces is kept here first, in the same transaction
-- (data/store/versions.py): one row per earlier version, numbered from 1 (the
-- first text stored); the text in `articles` is the version after the last one
-- here.  `figures` and `entities` are compact snapshots of that version's
-- annotations (no sentences: the text is here); the columns after them describe
-- the change from this version to the next one, which the view article_changes
-- shows under clearer names.  Figures compare by kind, unit and value; entities
-- by entity_id (label and name when unresolved).  Figure and entity lists of a
-- change are empty when either side was stored without NLP.

CREATE TABLE article_versions (
    article_id        BIGINT NOT NULL,
    version           INTEGER NOT NULL,
    stored_at         TIMESTAMP NOT NULL,   -- when this text was first written
    last_fetched_at   TIMESTAMP NOT NULL,   -- the last fetch that still had this text
    replaced_at       TIMESTAMP NOT NULL,   -- when the next version replaced it
    run_id            BIGINT,               -- the run that replaced it
    text_hash         VARCHAR NOT NULL,
    title             VARCHAR,
    description       VARCHAR,
    text              VARCHAR NOT NULL,
    annotated         BOOLEAN NOT NULL,
    figures           STRUCT(kind VARCHAR, value DOUBLE, unit VARCHAR, object VARCHAR, text VARCHAR,
                             start_char INTEGER)[] NOT NULL,
    entities          STRUCT(label VARCHAR, entity_id BIGINT, name VARCHAR)[] NOT NULL,
    -- the change to the next version
    title_changed     BOOLEAN NOT NULL,
    words_added       INTEGER NOT NULL,
    words_removed     INTEGER NOT NULL,
    figures_added     STRUCT(kind VARCHAR, value DOUBLE, unit VARCHAR, text VARCHAR, sentence VARCHAR)[] NOT NULL,
    figures_removed   STRUCT(kind VARCHAR, value DOUBLE, unit VARCHAR, text VARCHAR, sentence VARCHAR)[] NOT NULL,
    entities_added    STRUCT(label VARCHAR, entity_id BIGINT, name VARCHAR, sentence VARCHAR)[] NOT NULL,
    entities_removed  STRUCT(label VARCHAR, entity_id BIGINT, name VARCHAR, sentence VARCHAR)[] NOT NULL,
    PRIMARY KEY (article_id, version)
);

-- The words of a text as a bag (white space separated, as word_count counts them).
CREATE MACRO version_word_bag(t) AS
    list_histogram(list_filter(string_split_regex(coalesce(t, ''), '\s+'), w -> w <> ''));

-- How many words bag `h_to` has beyond bag `h_from` (a multiset difference).
CREATE MACRO version_bag_gain(h_from, h_to) AS coalesce(list_sum(list_transform(map_entries(h_to),
    e -> greatest(e.value::BIGINT - coalesce(h_from[e.key], 0)::BIGINT, 0))), 0)::INTEGER;

-- What a figure and an entity are, for "appeared" and "disappeared".
CREATE MACRO version_figure_key(f) AS
    f.kind || '|' || coalesce(f.unit, '') || '|' || round(f.value, 6)::VARCHAR;

CREATE MACRO version_entity_key(e) AS
    coalesce(e.entity_id::VARCHAR, e.label || ':' || lower(e.name));

-- The figures (entities) of list `a` that list `b` does not have.
CREATE MACRO version_figures_missing(a, b) AS list_filter(a,
    f -> NOT list_contains(list_transform(b, g -> version_figure_key(g)), version_figure_key(f)));

CREATE MACRO version_entities_missing(a, b) AS list_filter(a,
    e -> NOT list_contains(list_transform(b, g -> version_entity_key(g)), version_entity_key(e)));

-- One row per change of an article's text: from version `from_version` to the next.
CREATE VIEW article_changes AS
SELECT v.article_id, a.canonical_url AS url, a.source, v.version AS from_version,
       v.version + 1 AS to_version, v.stored_at AS from_stored_at, v.replaced_at AS changed_at,
       v.run_id, v.title AS old_title, v.title_changed, v.words_added, v.words_removed,
       v.figures_added, v.figures_removed, v.entities_added, v.entities_removed,
       len(v.figures_added) + len(v.figures_removed) + len(v.entities_added)
           + len(v.entities_removed) > 0 AS facts_changed
FROM article_versions v
JOIN articles a USING (article_id);

-- alerts_reported: the alerts `newsmon alerts` has already reported, per channel
-- ('print': shown by alerts in text or json; 'mail': sent by alerts --send; 'feed':
-- written to an Atom feed, whose entries keep the time first written), so a
-- scheduled run reports only the new ones.  alert_id is stable (data/alerts/).
CREATE TABLE alerts_reported (
    alert_id     VARCHAR NOT NULL,
    channel      VARCHAR NOT NULL CHECK (channel IN ('print', 'mail', 'feed')),
    rule         VARCHAR NOT NULL,
    title        VARCHAR NOT NULL,
    reported_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (alert_id, channel)
);
