-- 003 the fetch record: one row per URL a crawl requested as a feed, a sitemap
-- or an article candidate, so the next run fetches only what is new or changed.
-- Written by data/store.py (Store.write_batch, bulk, never row by row); the
-- crawler decides from it what to skip and what to ask for conditionally
-- (crawler/fetchlog.py has the rules).  Timestamps are naive UTC.
--
-- outcome of the last fetch:
--   article  'stored' | 'dropped:<reason>' | 'not_modified' | 'failed:<reason>'
--   feed, sitemap  'listed' (entries processed) | 'index' (a sitemap index) |
--            'not_modified' | 'incomplete' (an entry failed; validators not kept) |
--            'bad_feed' | 'bad_sitemap' | 'failed:<reason>'

CREATE TABLE pages (
    url               VARCHAR PRIMARY KEY,    -- as requested (tracking parameters removed)
    source            VARCHAR,
    kind              VARCHAR NOT NULL CHECK (kind IN ('feed', 'sitemap', 'article')),
    status            INTEGER,                -- HTTP status of the last fetch; NULL: no response
    etag              VARCHAR,                -- validators of the last full response, sent back
    last_modified     VARCHAR,                --   as If-None-Match / If-Modified-Since
    lastmod           TIMESTAMP,              -- the sitemap's <lastmod> or the feed entry's updated date
    first_fetched_at  TIMESTAMP NOT NULL,
    last_fetched_at   TIMESTAMP NOT NULL,
    last_changed_at   TIMESTAMP,              -- last fetch that brought a new or changed content
    outcome           VARCHAR NOT NULL,
    canonical_url     VARCHAR,                -- the stored article's key, for outcome 'stored'
    run_id            BIGINT                  -- the run of the last fetch
);
