"""The fetch record: what earlier runs fetched, so a crawl fetches only what is new or changed.

One concept, one name: the *fetch record* is one row per URL a crawl requested
as a feed, a sitemap or an article candidate, or that redirected (table
`pages`, data/migrations/003_fetch_log.sql and 011_redirects.sql; read by
data.fetchrecord, written by data.store).  This package applies it to a crawl,
built like Scrapy's httpcache (a policy plus a storage, wired by settings):

    policy.py      the pure rules: skip, ask conditionally, or fetch (NEWSMON_FETCH_POLICY)
    record.py      FetchRecord: one crawl's lookups, decisions, redirect memory and rows
    middleware.py  FetchRecordMiddleware: the downloader middleware that applies them

The storage is `data.fetchrecord.read_known_pages` (NEWSMON_FETCH_STORAGE):
the record of the crawled sources, read once when the crawl starts and kept
in a temporary SQLite file.  The rows a crawl adds go out through the
delivering stage (crawler.pipelines.deliver) with its batches.

The rules, for an article candidate (a feed or sitemap entry, a link matching
the source's `allow`):

* an unknown URL is fetched;
* a known URL whose last outcome is settled ('stored', 'not_modified',
  'dropped:<reason>' except processing_error and interrupted, 'failed:http_4xx' except 408 and
  429, 'failed:too_large|too_many_redirects|unsupported_scheme'), fetched less
  than NEWSMON_REFETCH_DAYS ago and not announced as changed since (a sitemap
  <lastmod> or a feed entry's updated date newer than its last fetch) is
  skipped: ``newsmon/skipped_known``, once per URL and run;
* any other known URL is fetched again (``newsmon/refetch/<why>``: age,
  lastmod, unsettled).  When its last fetch brought a body, its ETag /
  Last-Modified go out as If-None-Match / If-Modified-Since; a 304
  (``newsmon/not_modified/article``) only moves its last fetch time; a changed
  page is processed and stored by the recrawl rule.  After a failure the
  request is unconditional.
* A URL that redirected is remembered with its target (kind 'redirect'): it
  is decided by its target's row, so a known redirect is not followed again
  while its target is known and not due, and a link hub that redirects to a
  known article is not read again either.
* NEWSMON_REFETCH_DAYS = 0 re-requests every known article, conditionally;
  NEWSMON_INCREMENTAL = False skips nothing and sends no validators (a full
  re-crawl, e.g. after changing the topic threshold); rows are still written.

Feeds and sitemaps are always requested, conditionally when the record holds
validators; a 304 (``newsmon/not_modified/feed|sitemap``) yields nothing.
Their rows can be trusted only once their entries were processed, so they are
written only at the end of a run that finished normally.  A run killed or shut
down earlier leaves the previous rows: the old validators no longer match a
changed feed, so the next run reads it in full and meets the entries it
missed.  A feed or sitemap with an entry that failed transiently (5xx, 408,
429, timeout, connection, processing error, a failed batch write) is written
as 'incomplete' without validators, for the same reason.  A sitemap index is
written without validators ('index'): it is small, and its child sitemaps are
asked conditionally themselves.
"""
