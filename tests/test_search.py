"""Full-text search (data/search/): the same scores as the fts extension's match_bm25, an
index kept current incrementally that equals one built from scratch, snippets that mark
the words that matched (stemmed), filters, and the `search` / `db reindex` commands."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsmon.crawler.cli import EXIT_USAGE, cli
from newsmon.data.connection import load_fts
from newsmon.data.errors import QueryParamError, SearchIndexError
from newsmon.data.search import refresh_index, reindex, search
from newsmon.data.search import index as search_index
from newsmon.data.search.snippet import snippet
from newsmon.data.store import open_db
from digest_testdb import build_db

QUERIES = ["fine", "fined investigation", "Telegram commission", "age verification",
           "Ofcom's penalties", "weather", "the european COMMISSION fined", "réguläteur"]


@pytest.fixture(scope="module")
def indexed_db(tmp_path_factory) -> Path:
    path = build_db(tmp_path_factory.mktemp("search") / "news.duckdb")
    refresh_index(path)
    return path


@pytest.fixture(scope="module")
def fts_copy(indexed_db, tmp_path_factory) -> Path:
    """A copy of the database with the fts extension's own index (PRAGMA create_fts_index)."""
    copy = tmp_path_factory.mktemp("fts") / "copy.duckdb"
    shutil.copy(indexed_db, copy)
    with duckdb.connect(str(copy)) as con:
        load_fts(con)
        con.execute("PRAGMA create_fts_index('articles', 'article_id', 'title', 'text', overwrite=1)")
    return copy


@pytest.mark.parametrize("query", QUERIES)
def test_scores_equal_those_of_the_fts_extension(indexed_db, fts_copy, query):
    with duckdb.connect(str(fts_copy), read_only=True) as con:
        load_fts(con)
        expected = dict(con.execute(
            "SELECT article_id, score FROM (SELECT article_id, fts_main_articles.match_bm25(article_id, $q) "
            "AS score FROM articles) WHERE score IS NOT NULL", {"q": query}).fetchall())
    ours = {h.article_id: h.score for h in search(indexed_db, query, limit=1000).hits}
    assert ours.keys() == expected.keys()
    for article_id, score in expected.items():
        assert ours[article_id] == pytest.approx(score, rel=1e-9)


def test_hits_are_ranked_and_carry_what_a_reader_needs(indexed_db):
    result = search(indexed_db, "fined investigation")
    assert result.terms == ["fine", "investig"]
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True) and len(scores) >= 4
    top = result.hits[0]
    assert top.url.startswith("https://") and top.title and top.source and top.published
    assert "**fines**" in top.snippet and "**investigation**" in top.snippet  # stems, as written


def test_filters(indexed_db):
    def titles(**filters):
        return sorted(h.title for h in search(indexed_db, "commission", limit=100, **filters).hits)

    everything = titles()
    assert len(everything) >= 4
    only_beta = titles(source="beta")
    assert only_beta and set(only_beta) < set(everything)
    assert all(h.source == "beta" for h in search(indexed_db, "commission", source="beta").hits)
    assert all(str(h.published) >= "2025-03-10" for h in search(indexed_db, "commission", since="2025-03-10").hits)
    assert len(titles(since="2025-03-10")) < len(everything)
    durov = titles(entity="Pavel Durov")
    assert durov and all("Telegram" in t or "telegram" in t.lower() for t in durov)
    assert titles(entity="pavel  DUROV") == durov  # the alias key folds case and spaces
    assert titles(source="beta", since="2099-01-01") == []


@pytest.mark.parametrize("filters, message", [
    ({"source": "gama"}, "did you mean gamma"),
    ({"entity": "Pavel Durow"}, "did you mean Pavel Durov"),
    ({"entity": " "}, "--entity wants a name"),
    ({"since": "last week"}, "--since wants a date"),
])
def test_unknown_filters_are_errors_that_help(indexed_db, filters, message):
    with pytest.raises(QueryParamError, match=message):
        search(indexed_db, "fine", **filters)


def test_a_query_of_stopwords_only_is_refused(indexed_db):
    with pytest.raises(QueryParamError, match="nothing to search for"):
        search(indexed_db, "the of and 2024 --")


def test_no_index_yet_says_how_to_build_it(tmp_path):
    path = build_db(tmp_path / "fresh.duckdb")
    with pytest.raises(SearchIndexError, match="newsmon db reindex"):
        search(path, "fine")


# -- keeping the index current ---------------------------------------------------------

def index_tables(path: Path) -> tuple[list, list]:
    with duckdb.connect(str(path), read_only=True) as con:
        postings = con.execute("SELECT termid, term, article_id, tf, len FROM search_postings "
                               "ORDER BY ALL").fetchall()
        docs = con.execute("SELECT article_id, len, signature FROM search_docs ORDER BY ALL").fetchall()
    return postings, docs


VOCAB = ["fine", "fined", "fines", "platform", "Ofcom", "regulator's", "court", "appeal", "the", "a",
         "Commission", "données", "privacy", "children", "age-verification", "2024", "€5m"]
texts = st.lists(st.sampled_from(VOCAB), min_size=0, max_size=12).map(" ".join)
operations = st.lists(st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 9), texts, texts),
    st.tuples(st.just("update"), st.integers(0, 9), texts, texts),
    st.tuples(st.just("delete"), st.integers(0, 9), st.just(""), st.just("")),
    st.tuples(st.just("refresh"), st.integers(1, 3), st.just(""), st.just("")),
), min_size=1, max_size=12)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_an_incrementally_kept_index_equals_one_built_from_scratch(tmp_path_factory, ops):
    folder = tmp_path_factory.mktemp("incremental")
    path = folder / "db.duckdb"
    with open_db(path) as con:
        pass
    for op, n, title, text in ops:
        with duckdb.connect(str(path)) as con:
            if op == "insert":
                con.execute("INSERT INTO articles (article_id, url, canonical_url, title, text, text_hash, "
                            "authors, fetched_at, first_seen_at, updated_at, matched_terms, annotated) "
                            "SELECT $id, $u, $u, $t, $x, md5($x), [], now(), now(), now(), [], false "
                            "WHERE $id NOT IN (SELECT article_id FROM articles)",
                            {"id": n, "u": f"https://x.example/{n}", "t": title, "x": text})
            elif op == "update":
                con.execute("UPDATE articles SET title = $t, text = $x, text_hash = md5($x) WHERE article_id = $id",
                            {"id": n, "t": title, "x": text})
            elif op == "delete":
                con.execute("DELETE FROM articles WHERE article_id = $id", {"id": n})
        if op == "refresh":
            refresh_index(path, chunk=n)
    refresh_index(path, chunk=2)
    fresh = folder / "fresh.duckdb"
    shutil.copy(path, fresh)
    reindex(fresh)
    assert index_tables(path) == index_tables(fresh)


def test_a_refresh_killed_between_chunks_leaves_a_consistent_index(indexed_db, tmp_path, monkeypatch):
    path = tmp_path / "db.duckdb"
    shutil.copy(indexed_db, path)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE articles SET text = text || ' Appeal lodged.', text_hash = md5(text || 'x')")
    calls = []
    real = search_index._index_chunk

    def dies_on_the_third_chunk(*args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(search_index, "_index_chunk", dies_on_the_third_chunk)
    with pytest.raises(KeyboardInterrupt):
        refresh_index(path, chunk=2)
    monkeypatch.undo()
    postings, docs = index_tables(path)
    assert {p[2] for p in postings} <= {a for a, _, _ in docs}  # no posting without its doc
    assert search(path, "appeal").not_indexed == 0  # changed articles stay indexed (old version)
    assert len(search(path, "appeal", limit=100).hits) == 4  # two chunks done
    refresh_index(path)
    assert len(search(path, "appeal", limit=100).hits) == 13


def test_the_index_is_compacted_when_the_unsorted_tail_grows(tmp_path, indexed_db, monkeypatch):
    path = tmp_path / "db.duckdb"
    shutil.copy(indexed_db, path)
    monkeypatch.setattr(search_index, "COMPACT_MIN_ROWS", 10)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE articles SET text_hash = md5(text_hash)")  # every article changed
    report = refresh_index(path)
    assert report.indexed == 13 and report.compacted
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT unsorted_postings FROM search_state").fetchone() == (0,)
        termids = [r[0] for r in con.execute("SELECT termid FROM search_postings").fetchall()]
    assert termids == sorted(termids)


def test_an_index_written_by_another_hash_is_refused_then_rebuilt(indexed_db, tmp_path):
    path = tmp_path / "db.duckdb"
    shutil.copy(indexed_db, path)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE search_state SET hash_check = 42")
    with pytest.raises(SearchIndexError, match="another DuckDB version"):
        search(path, "fine")
    assert refresh_index(path).indexed == 13
    assert search(path, "fine").hits


def test_loading_staged_batches_refreshes_the_index(tmp_path):
    from test_staging import batch  # the staging tests' batch builder
    from newsmon.data.staging import load_staged, stage_batch
    path = tmp_path / "db.duckdb"
    staging = tmp_path / "staging"
    stage_batch(staging, **batch([1, 2]))
    load_staged(path, staging)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM search_docs").fetchone() == (2,)


# -- snippets --------------------------------------------------------------------------

def test_snippet_marks_the_words_whose_stem_matched():
    text = ("The regulator said on Monday that it had fined the platform. Fines of this size are rare; "
            "the company will appeal the fine.") * 3
    stems = {"fined": "fine", "fines": "fine", "fine": "fine", "Fines": "fine"}
    out = snippet(text, lambda w: stems.get(w), width=12)
    assert "**fined**" in out and "**Fines**" in out
    assert out.startswith("…") and out.endswith("…")


@given(st.lists(st.sampled_from(VOCAB + ["\n", "  ", "--", "(", ")"]), max_size=80).map(" ".join))
def test_a_snippet_is_the_text_itself_with_marks(text):
    out = snippet(text, lambda w: "x" if w.lower().startswith("fine") else None, width=10)
    plain = out.replace("**", "").strip("…")
    assert plain in " ".join(text.split())
    marked = re.findall(r"\*\*([^*]+)\*\*", out)
    assert all(m.lower().startswith("fine") for m in marked)


# -- command line ----------------------------------------------------------------------

def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_search_command(indexed_db):
    result = run("search", "--db", str(indexed_db), "fined", "--format", "json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert hits and set(hits[0]) == {"score", "published", "source", "title", "url", "snippet"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", hits[0]["published"])
    result = run("search", "--db", str(indexed_db), "fined")
    assert result.exit_code == 0 and "**fined**" in result.stdout
    result = run("search", "--db", str(indexed_db), "fine", "--source", "gama")
    assert result.exit_code == EXIT_USAGE and "did you mean gamma" in result.stderr
    result = run("search", "--db", str(indexed_db), "zzzunknownword")
    assert result.exit_code == 0 and "no rows" in result.stdout


def test_db_reindex_command(indexed_db, tmp_path):
    path = tmp_path / "db.duckdb"
    shutil.copy(indexed_db, path)
    before = index_tables(path)
    result = run("db", "reindex", "--db", str(path))
    assert result.exit_code == 0 and "13 articles indexed" in result.stdout
    assert index_tables(path) == before
    result = run("db", "reindex", "--db", str(tmp_path / "absent.duckdb"))
    assert result.exit_code == 4 and not (tmp_path / "absent.duckdb").exists()


@pytest.mark.slow
def test_search_on_the_demo_database(demo_db):
    """The demo crawl keeps the index current by itself: no reindex needed."""
    result = run("search", "--db", str(demo_db), "fine", "--format", "json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) >= 5
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert all("**" in h["snippet"] for h in hits)
    assert "note:" not in result.stderr  # nothing left unindexed
