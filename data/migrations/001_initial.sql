-- 001 initial schema: sources, crawl runs, articles, their mentions and figures,
-- and the database-wide entity identities.  All timestamps are naive UTC.
-- No foreign keys: DuckDB implements updates of referenced rows badly; the
-- writer (data/store.py) keeps article_id references consistent instead.

-- The case-folded, space-normalised form of a name: the key of entity_aliases.
CREATE MACRO name_key(s) AS lower(trim(regexp_replace(s, '\s+', ' ', 'g')));

CREATE TABLE sources (
    name        VARCHAR PRIMARY KEY,
    homepage    VARCHAR,
    language    VARCHAR,
    feeds       VARCHAR[],
    sitemaps    VARCHAR[],
    config      JSON,
    updated_at  TIMESTAMP NOT NULL
);

CREATE SEQUENCE crawl_runs_seq START 1;

CREATE TABLE crawl_runs (
    run_id       BIGINT PRIMARY KEY DEFAULT nextval('crawl_runs_seq'),
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    status       VARCHAR NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),
    sources      VARCHAR[],
    stats        JSON,
    pid          INTEGER
);

-- article_id = first 63 bits of md5(canonical_url) (data.frames.article_id_for).
CREATE TABLE articles (
    article_id     BIGINT PRIMARY KEY,
    url            VARCHAR NOT NULL,
    canonical_url  VARCHAR NOT NULL UNIQUE,
    source         VARCHAR,
    title          VARCHAR,
    authors        VARCHAR[] NOT NULL,
    published_at   TIMESTAMP,
    fetched_at     TIMESTAMP NOT NULL,     -- last fetch, even when the text did not change
    first_seen_at  TIMESTAMP NOT NULL,     -- first write of this canonical_url
    updated_at     TIMESTAMP NOT NULL,     -- last write of a changed text
    language       VARCHAR,
    sitename       VARCHAR,
    description    VARCHAR,
    text           VARCHAR NOT NULL,
    text_hash      VARCHAR NOT NULL,
    word_count     INTEGER,
    relevance      DOUBLE,
    matched_terms  VARCHAR[] NOT NULL,
    annotated      BOOLEAN NOT NULL,
    run_id         BIGINT                  -- the run that last wrote the text
);

CREATE SEQUENCE entities_seq START 1;

CREATE TABLE entities (
    entity_id      BIGINT PRIMARY KEY,
    label          VARCHAR NOT NULL CHECK (label IN ('person', 'organisation')),
    name           VARCHAR NOT NULL,
    first_seen_at  TIMESTAMP NOT NULL
);

-- Every entity's own name_key is an alias too, so lookups are one join.
CREATE TABLE entity_aliases (
    alias      VARCHAR NOT NULL,           -- name_key(...) of a canonical name
    label      VARCHAR NOT NULL CHECK (label IN ('person', 'organisation')),
    entity_id  BIGINT NOT NULL,
    PRIMARY KEY (alias, label)
);

CREATE TABLE mentions (
    article_id  BIGINT NOT NULL,
    label       VARCHAR NOT NULL CHECK (label IN ('person', 'organisation')),
    text        VARCHAR NOT NULL,
    canonical   VARCHAR NOT NULL,
    entity_id   BIGINT,
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL,
    sentence    VARCHAR
);

CREATE TABLE figures (
    article_id  BIGINT NOT NULL,
    kind        VARCHAR NOT NULL,          -- money | percent | count | duration | quantity | age
    value       DOUBLE NOT NULL,
    unit        VARCHAR,
    object      VARCHAR,
    text        VARCHAR NOT NULL,
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL,
    sentence    VARCHAR
);
