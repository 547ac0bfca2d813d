-- The ranked hits of one query (data/search/query.py runs it in the SQL sandbox).
-- $terms: the query's stemmed terms; $limit; the filter placeholder in `top` is empty or the fixed clause of
-- query.py that keeps the articles passing --since, --source and --entity.
-- BM25 as the fts extension's match_bm25 computes it: k = 1.2, b = 0.75,
-- idf = log10((N - df + 0.5) / (df + 0.5) + 1), with N and the mean length taken over
-- every indexed article.  search_postings is sorted by termid = hash(term): only the row
-- groups holding the terms are read.
WITH
stats AS (SELECT count(*) AS n, avg(len) AS avgdl FROM search_docs),
postings AS MATERIALIZED (
    SELECT term, article_id, tf, len
    FROM search_postings
    WHERE termid IN (SELECT hash(t) FROM unnest($terms) AS u(t)) AND term IN (SELECT unnest($terms))
),
idf AS (
    SELECT p.term, log((any_value(stats.n) - count(*) + 0.5) / (count(*) + 0.5) + 1) AS idf
    FROM postings p, stats
    GROUP BY p.term
),
scores AS (
    SELECT p.article_id,
           sum(i.idf * p.tf * (1.2 + 1) / (p.tf + 1.2 * (1 - 0.75 + 0.75 * p.len / stats.avgdl))) AS score,
           count(*) AS matched_terms
    FROM postings p JOIN idf i USING (term), stats
    GROUP BY p.article_id
),
top AS (
    SELECT s.article_id, s.score, s.matched_terms
    FROM scores s
    {filter}
    ORDER BY s.score DESC, s.article_id
    LIMIT $limit
)
SELECT t.article_id, t.score, t.matched_terms,
       article_time(a.published_at, a.first_seen_at)::DATE AS published,
       a.source, a.title, a.canonical_url AS url, a.text
FROM top t JOIN articles a USING (article_id)
ORDER BY t.score DESC, t.article_id;
