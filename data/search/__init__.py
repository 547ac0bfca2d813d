"""Full-text search over the articles: the BM25 index, keeping it current, and queries.

    index.py    refresh_index (incremental, after every crawl, load and reannotate) and
                reindex (from scratch, `newsmon db reindex`); the writer side
    query.py    search: ranked hits with filters, in the SQL sandbox; the reader side
    snippet.py  the passage of a hit that best shows the matched words, words marked

The index (tables search_docs, search_postings, search_stopwords, search_state;
migration 006) uses the words of DuckDB's fts extension: its default tokenizer
(macro search_words), its English stopwords and its Porter stemmer, loaded from
the duckdb-extension-fts wheel; scores are the extension's match_bm25 formula.
It does not use `PRAGMA create_fts_index` itself: that can only rebuild the
whole index, which took 169 s for 100,000 generated articles on the build
machine (about half an hour at 1,000,000), while a crawl adds a few hundred
articles; here a refresh reads only new and changed articles
(bench/search_bench.py has the figures).  tests/test_search.py checks that
the scores equal match_bm25's on the same articles.
"""

from newsmon.data.search.index import (
    RefreshReport,
    index_status,
    refresh_after_write,
    refresh_index,
    reindex,
)
from newsmon.data.search.query import Hit, search

__all__ = ["Hit", "RefreshReport", "index_status", "refresh_after_write", "refresh_index", "reindex",
           "search"]
