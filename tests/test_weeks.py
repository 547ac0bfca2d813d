"""One week everywhere (migration 007): the views, the named queries and the digest date an
article alike and name its week 'YYYY-Www'; named-query parameters are checked against what
they allow; limits limit; entity_trend follows one entity."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newsmon.crawler.cli import EXIT_USAGE, cli
from newsmon.data import entity_weeks
from newsmon.data.digest import build_digest
from newsmon.data.errors import QueryParamError
from newsmon.data.named import run_query, week_label
from newsmon.data.store import open_db, query

WEEK = re.compile(r"^\d{4}-W\d\d$")


def test_the_view_names_weeks_as_the_queries_and_the_digest_do(sample_db):
    view = query(sample_db, "SELECT DISTINCT week, week_start FROM mentions_per_entity_week ORDER BY 1")
    assert all(WEEK.match(w) for w in view["week"])
    assert all(week_label(d.date() if isinstance(d, datetime) else d) == w
               for w, d in zip(view["week"], view["week_start"]))
    named = set(run_query(sample_db, "weeks", {"limit": 100})["week"])
    assert set(view["week"]) <= named
    digest = build_digest(sample_db)
    assert digest.week in set(view["week"])
    rows = query(sample_db, f"SELECT entity, articles FROM mentions_per_entity_week WHERE week = '{digest.week}'")
    assert len(rows) > 0  # a week written as the digest writes it is a filter, not a conversion error


def test_a_bogus_future_date_is_dated_alike_everywhere(tmp_path):
    """Published 60 days after we first saw it: dated by first_seen_at, in every place."""
    path = tmp_path / "db.duckdb"
    seen = datetime(2025, 3, 12, 9, 0)
    with open_db(path) as con:
        con.execute("""
            INSERT INTO articles (article_id, url, canonical_url, source, title, authors, published_at,
                                  fetched_at, first_seen_at, updated_at, text, text_hash, relevance,
                                  matched_terms, annotated)
            VALUES (1, 'https://x.example/1', 'https://x.example/1', 'x', 'A fine', [],
                    $seen + INTERVAL 60 DAY, $seen, $seen, $seen, 'Ofcom fined a platform.', 'h', 0.9,
                    [], true)""", {"seen": seen})
        con.execute("INSERT INTO entities VALUES (7, 'organisation', 'Ofcom', $seen)", {"seen": seen})
        con.execute("INSERT INTO mentions (article_id, label, text, canonical, entity_id, start_char, "
                    "end_char, sentence) VALUES (1, 'organisation', 'Ofcom', 'Ofcom', 7, 0, 5, 'x')")
        entity_weeks.rebuild(con)  # mentions written around the Store: their weekly counts too
    expected = week_label(seen.date())  # 2025-W11, not the week of the bogus date
    assert list(query(path, "SELECT week FROM mentions_per_entity_week")["week"]) == [expected]
    assert list(run_query(path, "weeks")["week"]) == [expected]
    assert build_digest(path).week == expected
    assert [str(d)[:10] for d in query(path, "SELECT day FROM articles_per_source_day")["day"]] == ["2025-03-12"]
    assert list(run_query(path, "entity_trend", {"entity": "Ofcom", "weeks": 1})["articles"]) == [1]


@settings(max_examples=5, deadline=None)
@given(st.lists(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), min_size=1, max_size=200))
def test_iso_week_in_sql_is_pythons_iso_week(tmp_path_factory, days):
    path = tmp_path_factory.mktemp("iso") / "db.duckdb"
    with open_db(path) as con:
        got = con.execute("SELECT iso_week(d) FROM unnest($days) AS t(d)", {"days": days}).fetchall()
    assert [g[0] for g in got] == [f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in days]


def test_the_year_boundary_week(tmp_path):
    path = tmp_path / "db.duckdb"
    with open_db(path) as con:
        assert con.execute("SELECT iso_week(DATE '2024-12-30'), iso_week(DATE '2021-01-03')").fetchone() == \
            ("2025-W01", "2020-W53")


# -- parameters ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, params, message", [
    ("top_entities", {"label": "org"}, "label must be one of person, organisation; got 'org'"),
    ("top_entities", {"limit": "-1"}, "whole number >= 0"),
    ("top_entities", {"limit": "ten"}, "wants a int"),
    ("notable_figures", {"kind": "money,fines"}, "kind must be some of money, count"),
    ("entity_trend", {"entity": "Pavel Durow"}, "did you mean Pavel Durov"),
    ("entity_trend", {"entity": "  "}, "empty name"),
    ("weeks", {"week": "2025-W11"}, "has no parameter week"),
])
def test_bad_parameters_are_refused_with_what_is_allowed(sample_db, name, params, message):
    with pytest.raises(QueryParamError, match=re.escape(message)):
        run_query(sample_db, name, params)


def test_a_bad_label_on_the_command_line_is_exit_2_in_one_line(sample_db):
    result = CliRunner().invoke(cli, ["sql", "--db", str(sample_db), "--query", "top_entities",
                                      "--param", "label=org"])
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.count("\n") == 1 and "person, organisation" in result.stderr


def test_limits_limit(sample_db):
    people = run_query(sample_db, "top_entities", {"label": "person", "limit": 1})
    assert len(people) == 1 and set(people["label"]) == {"person"}
    both = run_query(sample_db, "top_entities", {"limit": 1})
    assert len(both) == 2 and sorted(both["label"]) == ["organisation", "person"]
    with_new = run_query(sample_db, "top_entities", {"limit": 1, "new": 5})
    assert len(with_new) > 2 and with_new[with_new["rank"] > 1]["is_new"].all()
    assert len(run_query(sample_db, "top_stories", {"limit": 2})) == 2
    assert len(run_query(sample_db, "weeks", {"limit": 1})) == 1


def test_entity_trend_follows_one_entity(sample_db):
    meta = run_query(sample_db, "entity_trend", {"entity": "meta", "weeks": 3})
    assert set(meta["name"]) == {"Meta"} and len(meta) == 3
    assert list(meta["week"]) == ["2025-W09", "2025-W10", "2025-W11"]
    assert list(meta["articles"]) == [1, 0, 3]
    ofcom = run_query(sample_db, "entity_trend", {"entity": "Ofcom", "week": "2025-W10", "weeks": 2})
    assert set(ofcom["name"]) == {"Ofcom"} and ofcom["articles"].sum() == 0  # named only in W11
    top = run_query(sample_db, "entity_trend", {"limit": 2, "weeks": 2})
    assert top["entity"].nunique() == 2 and len(top) == 4
