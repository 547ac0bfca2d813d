-- 011 the fetch record remembers redirects: a URL that redirected gets a row of
-- kind 'redirect' (outcome 'redirect') naming its final URL in redirect_to, so a
-- later run does not follow a known redirect again while its target is known
-- (crawler/fetchrecord/ has the rules).  DuckDB cannot change a CHECK constraint
-- in place, so the table is rebuilt with the same rows; redirect_to is NULL for
-- every existing row.

CREATE TABLE pages_011 (
    url               VARCHAR PRIMARY KEY,
    source            VARCHAR,
    kind              VARCHAR NOT NULL CHECK (kind IN ('feed', 'sitemap', 'article', 'redirect')),
    status            INTEGER,
    etag              VARCHAR,
    last_modified     VARCHAR,
    lastmod           TIMESTAMP,
    first_fetched_at  TIMESTAMP NOT NULL,
    last_fetched_at   TIMESTAMP NOT NULL,
    last_changed_at   TIMESTAMP,
    outcome           VARCHAR NOT NULL,
    canonical_url     VARCHAR,
    run_id            BIGINT,
    redirect_to       VARCHAR               -- kind 'redirect': the URL the chain ended at
);

INSERT INTO pages_011
SELECT url, source, kind, status, etag, last_modified, lastmod, first_fetched_at,
       last_fetched_at, last_changed_at, outcome, canonical_url, run_id, NULL
FROM pages;

DROP TABLE pages;

ALTER TABLE pages_011 RENAME TO pages;
