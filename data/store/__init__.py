"""The database API: `open_db`, `connect_read`, `query` and the `Store` writer.

    read.py         open_db, connect_read, query: connections and one-shot reads
    writer.py       Store: one short transaction per method
    articles.py     the recrawl rule for articles, mentions and figures (SQL)
    versions.py     the texts the recrawl rule replaces, kept with what changed
    pages.py        the fetch record: upsert rows, read a crawl's known pages in chunks
    bookkeeping.py  crawl runs, the sources table, the staged-batch ledger

Concurrency: DuckDB allows one writing process OR several reading ones.  Every
`Store` method therefore opens the file, runs ONE transaction and closes it, so
readers get in between writes; both sides retry on a lock conflict for up to
their timeout (connection.py) instead of failing at once.

Writes are set-based: frames become typed Arrow tables (frames.py), are
registered on the connection and moved with INSERT ... SELECT / ON CONFLICT /
DELETE ... WHERE article_id IN (SELECT ...).  Nothing is written row by row.

Recrawl rule of `write_batch` (the key is canonical_url; article_id is derived
from it):
* a canonical_url not in the database            -> inserted;
* same text_hash as stored                       -> unchanged: only fetched_at
  moves forward; stored mentions and figures stay;
* different text_hash, or the stored row was not annotated and this one is
                                                 -> updated: the row is
  rewritten (first_seen_at kept, updated_at = now, run_id = this run) and its
  mentions and figures are REPLACED by the batch's; when the text changed,
  the replaced row is kept first in article_versions with its figures and
  entities and a summary of the change (versions.py, migration 010);
* a canonical_url another source stored first    -> a conflict: nothing of the
  row is written (an article belongs to the source that first stored it; a
  page of another source whose canonical names it never replaces its source,
  title, text or mentions), counted in "conflicts" and logged;
* a canonical_url repeated within one batch      -> the last row wins (of the
  first row's source: data.rows keeps other sources' rows out of a batch).
Mentions and figures are matched to articles by canonical_url; rows of
unchanged articles are skipped, rows of articles not in the batch are dropped
with a warning.  Exact duplicate mention/figure rows collapse to one.
The whole batch (articles, mentions, figures, entities) commits or nothing does.

The fetch record (table `pages`, migration 003) rides in the same batches:
`write_batch(..., pages=frame)` upserts one row per requested URL in the SAME
transaction as the batch's articles, so a run killed between the two can never
mark a page fetched whose article is not stored.  Per url (the last row of a
batch wins): first_fetched_at is kept, last_fetched_at only moves forward;
etag/last_modified are replaced by the new response's (a 'not_modified' row
keeps the stored ones, a 'failed:*' row clears them, so the next request is
unconditional); last_changed_at moves when the page is new, when its stored
article was inserted or updated, or (other pages) when its validators changed
or it has none; a 'redirect' row (migration 011) names its final URL in
redirect_to.  `data.fetchrecord.read_known_pages` reads the record back for a crawl.

Staged batches (data/staging.py) ride in the same way: `write_batch(...,
batches=frame)` records the batch ids in `staged_batches` (migration 005) in
the SAME transaction, after checking none is there yet (AlreadyLoadedError,
nothing written), so a batch is loaded at most once.
"""

from newsmon.data.store.bookkeeping import RUN_STATUSES
from newsmon.data.store.pages import known_page_chunks
from newsmon.data.store.read import connect_read, open_db, query
from newsmon.data.store.writer import Store

__all__ = ["RUN_STATUSES", "Store", "connect_read", "known_page_chunks", "open_db", "query"]
