-- 005 the ledger of staged batches (data/staging.py): workers write Parquet
-- batches into a staging folder and one loader merges them.  A batch's row here
-- commits in the SAME transaction as its articles, mentions, figures and pages,
-- so a batch met again (a loader killed between its commit and the deletion of
-- the batch folder, or a batch staged twice under one id) is skipped: loading
-- twice changes nothing.  Row counts are those of the batch files.

CREATE TABLE staged_batches (
    batch_id   VARCHAR PRIMARY KEY,   -- the batch folder's name; sorts by staging time
    staged_at  TIMESTAMP,             -- from the batch id (the stager's clock); NULL for custom ids
    loaded_at  TIMESTAMP NOT NULL,
    run_id     BIGINT,                -- the run the loader wrote the batch for, if any
    articles   INTEGER NOT NULL,
    mentions   INTEGER NOT NULL,
    figures    INTEGER NOT NULL,
    pages      INTEGER NOT NULL
);
