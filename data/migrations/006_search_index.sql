-- 006 the full-text search index (data/search/): BM25 over each article's title and text.
-- The words are those of DuckDB's fts extension: its default tokenizer (search_words below:
-- lower case, accents stripped, digits and punctuation separate words), its English stopword
-- list (copied into search_stopwords from the installed extension when the index is built)
-- and its Porter stemmer (the extension's stem()); scores are the formula of the extension's
-- match_bm25 (k = 1.2, b = 0.75).  Unlike PRAGMA create_fts_index, which can only rebuild
-- everything, these tables are brought up to date incrementally after every crawl, load
-- and reannotate (only new or changed articles are read), and rebuilt by
-- `newsmon db reindex`.

CREATE MACRO search_words(s) AS
    string_split(regexp_replace(lower(strip_accents(CAST(s AS VARCHAR))),
                                '[0-9!@#$%^&*()_+={}\[\]:;<>,.?~\\/\|''"`\s-]+', ' ', 'g'), ' ');

-- one row per indexed article: its length in indexed words, and the signature (a hash of
-- title and text_hash) of the version that was indexed
CREATE TABLE search_docs (
    article_id  BIGINT,
    len         INTEGER,
    signature   UBIGINT
);

-- one row per stemmed term and article: how often the term occurs (tf) and the article's
-- length (so a query needs no join to score).  termid is hash(term): the table is kept
-- sorted by it (integers sort four times faster than text), so a query reads only the row
-- groups that hold its terms.  Each refresh appends its rows sorted; when the appended,
-- unsorted rows grow large the table is rewritten sorted.
CREATE TABLE search_postings (
    termid      UBIGINT,
    term        VARCHAR,
    article_id  BIGINT,
    tf          INTEGER,
    len         INTEGER
);

CREATE TABLE search_stopwords (
    word        VARCHAR
);

CREATE TABLE search_state (
    built_at           TIMESTAMP,          -- last full build (newsmon db reindex)
    refreshed_at       TIMESTAMP,          -- last refresh that changed something
    unsorted_postings  BIGINT NOT NULL,    -- rows appended since the table was last sorted
    hash_check         UBIGINT             -- hash('newsmon') of the DuckDB that wrote termids
);
INSERT INTO search_state VALUES (NULL, NULL, 0, NULL);
