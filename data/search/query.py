"""Searching: `search(db_path, "query words", ...)` -> ranked hits with snippets (the reader side).

Runs in the SQL sandbox (data.connection), like every query a user writes.  The
query is cut, folded, stripped of stopwords and stemmed by the same rules as the
index (in SQL, with the fts extension's stem()); an article matches when it
holds any of the terms, and ranks by BM25 (search.sql).  Filters: `since` (the
article's date, as the digest dates it, on or after), `source` (exact name) and
`entity` (articles that mention a person or organisation of that name or alias).
A source or entity that the database does not know is a QueryParamError naming
the closest known ones, not an empty result.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from newsmon.data.connection import run_sandboxed, sandbox
from newsmon.data.errors import QueryParamError, SearchIndexError
from newsmon.data.named import entity_ids, prepare
from newsmon.data.search.index import HASH_CHECK, STEMMER
from newsmon.data.search.snippet import MARK, distinct_words, snippet

logger = logging.getLogger(__name__)

SEARCH_SQL = (Path(__file__).with_name("search.sql")).read_text(encoding="utf-8")

_FILTER = """
    WHERE s.article_id IN (
        SELECT article_id FROM articles
        WHERE ($since IS NULL OR article_time(published_at, first_seen_at) >= $since)
          AND ($source IS NULL OR source = $source)
          AND ($entity_ids IS NULL OR article_id IN (
                SELECT article_id FROM mentions
                WHERE list_contains($entity_ids, entity_id)
                   OR (entity_id IS NULL AND lower(canonical) = lower($entity)))))"""

_TERMS = f"""
    SELECT coalesce(list(DISTINCT stem(w, '{STEMMER}') ORDER BY stem(w, '{STEMMER}')), [])
    FROM (SELECT unnest(search_words($query)) AS w)
    WHERE len(w) > 0 AND w NOT IN (SELECT word FROM search_stopwords)"""

# each distinct word of the hits' texts, folded and stemmed as the index does
_STEMS = f"""
    SELECT w, CASE WHEN f IN (SELECT word FROM search_stopwords) THEN NULL
                   ELSE stem(f, '{STEMMER}') END
    FROM (SELECT w, search_words(w)[1] AS f FROM (SELECT unnest($words) AS w))"""


@dataclass(frozen=True)
class Hit:
    article_id: int
    score: float
    published: date | None
    source: str | None
    title: str | None
    url: str
    snippet: str


@dataclass
class SearchResult:
    query: str
    terms: list[str]
    hits: list[Hit] = field(default_factory=list)
    not_indexed: int = 0   # articles added since the index was last brought up to date


def search(db_path: Path | str, query: str, *, since: date | str | None = None,
           source: str | None = None, entity: str | None = None, limit: int = 20,
           timeout: float = 30.0, mark: tuple[str, str] = MARK) -> SearchResult:
    """The `limit` best articles for `query` (module docstring)."""
    since = _since(since)
    with sandbox(db_path, timeout, setup=prepare) as con:
        terms = run_sandboxed(con, _TERMS, {"query": query}, fetch=lambda c: c.fetchone()[0]) or []
        if not terms:
            raise QueryParamError(f"nothing to search for in {query!r}: only stopwords, digits "
                                  "or punctuation (search words like: fine ofcom)")
        result = SearchResult(query, terms)
        articles, indexed, same_hash = con.execute(
            f"SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM search_docs), "
            f"(SELECT hash_check IS NOT DISTINCT FROM {HASH_CHECK} FROM search_state)").fetchone()
        if articles and not indexed:
            raise SearchIndexError(f"{db_path} has no search index yet: run `newsmon db reindex` "
                                   f"(the first build reads all {articles:,} articles)")
        if indexed and not same_hash:
            raise SearchIndexError(f"the search index of {db_path} was built by another DuckDB "
                                   "version: run `newsmon db reindex`")
        result.not_indexed = max(0, articles - indexed)
        params = {"terms": terms, "limit": int(limit)}
        filtered = since is not None or source is not None or entity is not None
        if filtered:
            params.update(since=since, source=_check_source(con, source),
                          entity=entity, entity_ids=_entity_ids(con, entity))
        sql = SEARCH_SQL.replace("{filter}", _FILTER if filtered else "")
        rows = run_sandboxed(con, sql, params, fetch=lambda c: c.fetchall())
        marked = _matcher(con, [r[7] for r in rows], set(terms))
    for article_id, score, _matched, published, src, title, url, text in rows:
        result.hits.append(Hit(article_id, float(score), published, src, title, url,
                               snippet(_without_title(text or "", title), marked, mark=mark)))
    return result


def _matcher(con: duckdb.DuckDBPyConnection, texts: list[str], terms: set[str]):
    """word -> the query term it stems to (None for other words), for the hits' texts."""
    words = distinct_words(texts)
    stems = dict(run_sandboxed(con, _STEMS, {"words": words}, fetch=lambda c: c.fetchall())) if words else {}
    return lambda word: stems.get(word) if stems.get(word) in terms else None


def _without_title(text: str, title: str | None) -> str:
    """The text without the copy of the title that extraction often leaves at its start
    (the title is shown beside the snippet already)."""
    stripped = text.lstrip()
    if title and stripped.startswith(title.strip()):
        rest = stripped[len(title.strip()):]
        return rest if rest.strip() else text
    return text


def _since(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise QueryParamError(f"--since wants a date like 2026-03-01, got {value!r}") from exc


def _entity_ids(con: duckdb.DuckDBPyConnection, entity: str | None) -> list[int] | None:
    if entity is None:
        return None
    if not entity.strip():
        raise QueryParamError("--entity wants a name, e.g. --entity Ofcom")
    return entity_ids(con, entity)


def _check_source(con: duckdb.DuckDBPyConnection, source: str | None) -> str | None:
    if source is None:
        return None
    known = [r[0] for r in con.execute(
        "SELECT name FROM sources UNION SELECT DISTINCT source FROM articles WHERE source IS NOT NULL "
        "ORDER BY 1").fetchall()]
    if source in known:
        return source
    close = difflib.get_close_matches(source, known, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(known[:12])}" + (
        ", ..." if len(known) > 12 else "")
    raise QueryParamError(f"no source named {source!r}; {hint}")
