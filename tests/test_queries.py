"""Named queries (data/named.py + data/queries/*.sql) against a real DuckDB file built by the real writer."""

from __future__ import annotations

from datetime import date

import pytest

from newsmon.data.errors import QueryError, QueryParamError, UnknownQueryError
from newsmon.data.named import (
    QUERY_DIR,
    get_query,
    list_queries,
    parse_param_args,
    parse_week,
    run_query,
    week_label,
)

EXPECTED = {"articles_per_day", "articles_per_source", "entity_trend", "notable_figures", "top_entities",
            "top_stories", "week_fines", "weeks"}


def test_every_query_file_is_listed_with_its_documented_header():
    infos = {q.name: q for q in list_queries()}
    assert set(infos) == EXPECTED
    assert len(list(QUERY_DIR.glob("[!_]*.sql"))) == len(infos)
    for info in infos.values():
        assert info.path.exists() and info.path.stem == info.name
        assert info.row_doc.startswith("one "), info.name  # "-- row: one story: ..."
        assert info.about, info.name
        for param in info.params:
            assert param.help, (info.name, param.name)
    stories = infos["top_stories"]
    assert [p.name for p in stories.params][:2] == ["week", "limit"]
    assert stories.param("limit").default == 10 and not stories.param("limit").required
    assert stories.param("week").default is None  # "latest"


def test_unknown_query_names_the_known_ones(sample_db):
    with pytest.raises(UnknownQueryError) as err:
        run_query(sample_db, "top_storeys")
    assert "top_stories" in str(err.value)


def test_unknown_parameter_is_refused_with_the_accepted_ones(sample_db):
    with pytest.raises(QueryParamError) as err:
        run_query(sample_db, "top_stories", {"wek": "2025-W11"})
    assert "wek" in str(err.value) and "week" in str(err.value)


@pytest.mark.parametrize("params", [{"week": "2025-13"}, {"week": "2025-W54"}, {"limit": "ten"},
                                    {"min_relevance": "high"}])
def test_badly_typed_values_are_refused(sample_db, params):
    with pytest.raises(QueryParamError):
        run_query(sample_db, "top_stories", params)


def test_parse_param_args():
    assert parse_param_args(["week=2025-W11", "terms=a,b", "limit = 3"]) == {
        "week": "2025-W11", "terms": "a,b", "limit": "3"}
    with pytest.raises(QueryParamError):
        parse_param_args(["week"])


def test_week_parsing():
    assert parse_week("2025-W11") == date(2025, 3, 10)
    assert parse_week("2025w11") == date(2025, 3, 10)
    assert parse_week(date(2025, 3, 13)) == date(2025, 3, 10)
    assert parse_week("latest") is None
    assert week_label(date(2024, 12, 30)) == "2025-W01"  # ISO year differs from the calendar year
    with pytest.raises(ValueError):
        parse_week("March")


def test_weeks_lists_weeks_with_articles_latest_first(sample_db):
    weeks = run_query(sample_db, "weeks")
    assert list(weeks["week"]) == ["2025-W11", "2025-W10", "2025-W09"]
    assert list(weeks["articles"]) == [9, 3, 1]
    assert list(run_query(sample_db, "weeks", {"limit": "1"})["week"]) == ["2025-W11"]


def test_string_params_from_the_command_line_are_converted(sample_db):
    stories = run_query(sample_db, "top_stories", parse_param_args(["week=2025-W10", "limit=2"]))
    assert len(stories) == 2
    assert all(t.startswith("Commission questions marketplace") for t in stories["title"])


def test_latest_week_is_the_default(sample_db):
    latest = run_query(sample_db, "articles_per_day")
    explicit = run_query(sample_db, "articles_per_day", {"week": "2025-W11"})
    assert latest.equals(explicit)
    assert latest["articles"].sum() == 9


def test_terms_filter_takes_a_comma_separated_list(sample_db):
    stories = run_query(sample_db, "top_stories", {"terms": "online safety act, weather"})
    assert set(stories["title"]) == {"Ofcom opens first Online Safety Act case", "Sunny weekend ahead"}


def test_latest_week_follows_the_topic_filter(sample_db):
    per_day = run_query(sample_db, "articles_per_day", {"terms": "political ads"})  # only a W09 article matches
    assert per_day["day"].min().date() == date(2025, 2, 24) and per_day["articles"].sum() == 1
    assert run_query(sample_db, "articles_per_day", {"min_relevance": "0.99"})["articles"].sum() == 0


def test_an_empty_week_gives_empty_results_not_errors(sample_db):
    assert run_query(sample_db, "top_stories", {"week": "2025-W01"}).empty
    assert run_query(sample_db, "top_entities", {"week": "2025-W01"}).empty
    assert run_query(sample_db, "articles_per_day", {"week": "2025-W01"})["articles"].sum() == 0


def test_a_malformed_header_is_a_query_error(tmp_path):
    (tmp_path / "broken.sql").write_text("-- name: broken\n-- param: limit integer-ish\nSELECT 1\n")
    with pytest.raises(QueryError):
        list_queries(tmp_path)


def test_a_query_whose_header_names_another_file_is_refused(tmp_path):
    (tmp_path / "one.sql").write_text("-- name: two\n-- row: one row\nSELECT 1\n")
    with pytest.raises(QueryError):
        get_query("one", tmp_path)


def test_queries_in_another_directory_run_with_their_params(sample_db, tmp_path):
    (tmp_path / "count_source.sql").write_text(
        "-- name: count_source\n-- about: articles of one source\n"
        "-- param: source text : the source name\n-- row: one count\n"
        "SELECT count(*) AS n FROM articles WHERE source = $source\n")
    with pytest.raises(QueryParamError):  # required and missing
        run_query(sample_db, "count_source", {}, directory=tmp_path)
    assert run_query(sample_db, "count_source", {"source": "gamma"}, directory=tmp_path)["n"].iloc[0] == 2
    # the value is bound, never pasted into the SQL
    assert run_query(sample_db, "count_source", {"source": "x' OR '1'='1"}, directory=tmp_path)["n"].iloc[0] == 0


def test_entities_tied_in_counts_rank_by_name_whatever_order_they_were_stored_in(tmp_path):
    """Two databases with the same articles, stored in opposite orders (as a parallel run may
    store them), give the same ranking: ties by name, not by the entities' ids."""
    import pandas as pd

    from digest_testdb import _article, _mention
    from newsmon.data.store import Store

    text = "Zeta Platforms and Alpha Media were fined by the regulator on Monday."
    rows = [(f"https://example.org/{name[0].lower()}", name) for name in ("Zeta Platforms", "Alpha Media")]
    ranks, trends = [], []
    for order in (rows, rows[::-1]):
        db = tmp_path / f"{order[0][1][0]}.duckdb"
        store = Store(db)
        run_id = store.start_run(["alpha"])
        for url, name in order:
            article = _article(url, "alpha", name, text, "2025-03-11", 0.9)
            store.write_batch(run_id, pd.DataFrame([article]),
                              pd.DataFrame([_mention(url, text, name, "organisation")]), pd.DataFrame())
        store.finish_run(run_id, "ok", {"articles": 2})
        ranks.append(list(run_query(db, "top_entities", {"label": "organisation"})["name"]))
        trends.append(list(run_query(db, "entity_trend", {"limit": 1})["name"].unique()))
    assert ranks[0] == ranks[1] == ["Alpha Media", "Zeta Platforms"]
    assert trends[0] == trends[1] == ["Alpha Media"]  # the digest's trend chart too
