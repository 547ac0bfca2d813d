"""One entity per real-world thing across the database (data/entities.py, migration 008) and
the analyst's merges and splits (newsmon entities), on real DuckDB files."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from newsmon.crawler.cli import cli
from newsmon.data import Store, query
from test_store import article, frame, mention


@pytest.fixture
def store(db):
    return Store(db)


def names(db) -> dict[str, int]:
    rows = query(db, "SELECT e.name, count(*) AS n FROM mentions m JOIN entities e USING (entity_id) GROUP BY ALL")
    return dict(zip(rows.name, rows.n))


def org(n, canonical, start=0, text=None):
    return mention(n, canonical, start, "organisation", text)


def test_leading_the_and_a_country_prefix_name_the_same_body(store, db):
    store.write_batch(1, frame([article(1)]), frame([org(1, "Data Protection Board of India"),
                                                     org(1, "General Court", 40)]), None)
    store.write_batch(2, frame([article(2)]), frame([org(2, "The Data Protection Board of India"),
                                                     org(2, "EU General Court", 40),
                                                     org(2, "US Army", 80), org(2, "UK Army", 90)]), None)
    assert names(db) == {"Data Protection Board of India": 2, "General Court": 2, "US Army": 1, "UK Army": 1}


def test_an_acronym_spelled_out_anywhere_joins_its_expansion(store, db):
    store.write_batch(1, frame([article(1)]), frame([org(1, "MIC"), org(1, "EU", 10)]), None)
    assert names(db) == {"MIC": 1, "EU": 1}
    store.write_batch(2, frame([article(2)]), frame([
        org(2, "Ministry of Internal Affairs and Communications", 0),
        org(2, "Ministry of Internal Affairs and Communications", 60, text="MIC"),
        org(2, "European Union", 90), org(2, "European Union", 120, text="EU")]), None)
    assert names(db) == {"Ministry of Internal Affairs and Communications": 3, "European Union": 3}
    store.write_batch(3, frame([article(3)]), frame([org(3, "MIC")]), None)
    assert names(db)["Ministry of Internal Affairs and Communications"] == 4


def test_two_people_who_share_a_surname_stay_two(store, db):
    store.write_batch(1, frame([article(1)]), frame([mention(1, "Chad Thomas"), mention(1, "Tavierre Thomas", 20)]),
                      None)
    store.write_batch(2, frame([article(2)]), frame([mention(2, "Thomas")]), None)
    assert names(db) == {"Chad Thomas": 1, "Tavierre Thomas": 1, "Thomas": 1}


def test_merge_and_split_are_recorded_and_survive_a_rewrite(store, db):
    store.write_batch(1, frame([article(1)]), frame([mention(1, "Kang Yoon"), mention(1, "Kang Yoon-ah", 20)]), None)
    runner = CliRunner()
    run = runner.invoke(cli, ["entities", "merge", "Kang Yoon-ah", "Kang Yoon", "--db", str(db)])
    assert run.exit_code == 0, run.output
    assert "merged 'Kang Yoon' into 'Kang Yoon-ah' (1 mentions)" in run.output
    assert names(db) == {"Kang Yoon-ah": 2}
    # a reannotate replaces the article's mentions: the merge holds
    store.write_batch(2, frame([article(1, text="Kang Yoon spoke. Kang Yoon-ah left.")]),
                      frame([mention(1, "Kang Yoon"), mention(1, "Kang Yoon-ah", 20)]), None)
    assert names(db) == {"Kang Yoon-ah": 2}
    run = runner.invoke(cli, ["entities", "split", "Kang Yoon-ah", "Kang Yoon", "--db", str(db)])
    assert run.exit_code == 0, run.output
    assert names(db) == {"Kang Yoon-ah": 1, "Kang Yoon": 1}
    store.write_batch(3, frame([article(1, text="Kang Yoon spoke again. Kang Yoon-ah left.")]),
                      frame([mention(1, "Kang Yoon"), mention(1, "Kang Yoon-ah", 20)]), None)
    assert names(db) == {"Kang Yoon-ah": 1, "Kang Yoon": 1}
    shown = runner.invoke(cli, ["entities", "show", "Kang Yoon-ah", "--db", str(db)])
    assert shown.exit_code == 0 and "merge: Kang Yoon-ah / Kang Yoon" in shown.output
    assert "split: Kang Yoon-ah / Kang Yoon" in shown.output
    decisions = query(db, "SELECT action FROM entity_decisions ORDER BY decision_id")
    assert list(decisions.action) == ["merge", "split"]


def test_a_split_acronym_is_not_merged_back(store, db):
    store.write_batch(1, frame([article(1)]), frame([org(1, "European Union"), org(1, "European Union", 30, "EU")]),
                      None)
    run = CliRunner().invoke(cli, ["entities", "split", "European Union", "EU", "--db", str(db)])
    assert run.exit_code == 0, run.output
    store.write_batch(2, frame([article(2)]), frame([org(2, "European Union"), org(2, "European Union", 30, "EU")]),
                      None)
    assert query(db, "SELECT count(*) AS n FROM entities WHERE name = 'EU'").n[0] == 1


@pytest.mark.parametrize("args, message", [
    (["merge", "Nobody", "Kang Yoon"], "no entity named 'Nobody'"),
    (["merge", "Telegram", "Kang Yoon"], "no organisation named 'Kang Yoon'"),
    (["split", "Kang Yoon", "Telegram"], "is not a spelling of"),
    (["split", "Kang Yoon", "Kang Yoon"], "own name"),
])
def test_wrong_names_are_one_line_usage_errors_and_change_nothing(store, db, args, message):
    store.write_batch(1, frame([article(1)]), frame([mention(1, "Kang Yoon"), org(1, "Telegram", 20)]), None)
    before = names(db)
    run = CliRunner().invoke(cli, ["entities", *args, "--db", str(db)])
    assert run.exit_code == 2 and message in run.output and "Traceback" not in run.output
    assert names(db) == before
