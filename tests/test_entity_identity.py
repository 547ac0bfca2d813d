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


def entity_rows(db) -> list[str]:
    """The names in `entities` itself, what `select name from entities` shows a reader."""
    return sorted(query(db, "SELECT name FROM entities").name)


def test_leading_the_and_a_country_prefix_name_the_same_body(store, db):
    store.write_batch(1, frame([article(1)]), frame([org(1, "Data Protection Board of India"),
                                                     org(1, "General Court", 40)]), None)
    store.write_batch(2, frame([article(2)]), frame([org(2, "The Data Protection Board of India"),
                                                     org(2, "EU General Court", 40),
                                                     org(2, "US Army", 80), org(2, "UK Army", 90)]), None)
    assert names(db) == {"Data Protection Board of India": 2, "General Court": 2, "US Army": 1, "UK Army": 1}


def test_an_organisation_first_seen_with_a_leading_the_drops_it_once_spelled_without(store, db):
    # a sentence that starts with the name gives it a capital "The"; the name is the body's
    store.write_batch(1, frame([article(1)]), frame([org(1, "The Data Protection Board of India")]), None)
    assert entity_rows(db) == ["The Data Protection Board of India"]
    store.write_batch(2, frame([article(2)]), frame([org(2, "Data Protection Board of India")]), None)
    assert entity_rows(db) == ["Data Protection Board of India"]
    assert names(db) == {"Data Protection Board of India": 2}
    # both spellings in one batch: the name without "The", whichever is more frequent
    store.write_batch(3, frame([article(3)]), frame([org(3, "The Hearth Trust"), org(3, "The Hearth Trust", 30),
                                                     org(3, "Hearth Trust", 60)]), None)
    assert "Hearth Trust" in entity_rows(db) and "The Hearth Trust" not in entity_rows(db)


def test_an_acronym_spelled_out_anywhere_joins_its_expansion(store, db):
    store.write_batch(1, frame([article(1)]), frame([org(1, "MIC"), org(1, "EU", 10)]), None)
    assert names(db) == {"MIC": 1, "EU": 1}
    store.write_batch(2, frame([article(2)]), frame([
        org(2, "Ministry of Internal Affairs and Communications", 0),
        org(2, "Ministry of Internal Affairs and Communications", 60, text="MIC"),
        org(2, "European Union", 90), org(2, "European Union", 120, text="EU")]), None)
    assert names(db) == {"Ministry of Internal Affairs and Communications": 3, "European Union": 3}
    # the acronyms' own entities are gone, not left behind with no mention
    assert entity_rows(db) == ["European Union", "Ministry of Internal Affairs and Communications"]
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
    assert entity_rows(db) == ["Kang Yoon-ah"]
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


def test_migration_014_removes_entities_left_behind_by_merges_and_repoints_their_fines(tmp_path, db):
    import shutil

    import duckdb

    from newsmon.data.migrate import MIGRATIONS_DIR, migrate
    older = tmp_path / "older"
    older.mkdir()
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if int(path.name[:3]) < 14:
            shutil.copy(path, older)
    migrate(db, directory=older)
    con = duckdb.connect(str(db))
    # what 013's code left: "EU" (id 1) merged into "European Union" (id 2), a fine by "EU"
    # reported while it was its own entity, and a body first named with a capital "The"
    con.execute("""
        INSERT INTO entities VALUES (1, 'organisation', 'EU', now()), (2, 'organisation', 'European Union', now()),
            (3, 'organisation', 'The Data Protection Board of India', now());
        INSERT INTO entity_aliases VALUES ('eu', 'organisation', 2), ('european union', 'organisation', 2),
            (alias_key('organisation', 'The Data Protection Board of India'), 'organisation', 3);
        INSERT INTO mentions (article_id, label, text, canonical, entity_id, start_char, end_char) VALUES
            (1, 'organisation', 'EU', 'European Union', 2, 0, 2),
            (1, 'organisation', 'Data Protection Board of India', 'Data Protection Board of India', 3, 10, 40);
        INSERT INTO fine_reports (report_id, fine_id, article_id, authority, authority_label, authority_entity_id,
                                  value, unit, status, text, start_char, end_char)
            VALUES ('1:50', 'f1', 1, 'EU', 'organisation', 1, 1e6, 'EUR', 'imposed', '€1m', 50, 53)""")
    con.close()
    assert [m.version for m in migrate(db)][0] == 14  # and the later ones
    con = duckdb.connect(str(db))
    assert con.execute("SELECT entity_id, name FROM entities ORDER BY 1").fetchall() == [
        (2, "European Union"), (3, "Data Protection Board of India")]
    assert con.execute("SELECT authority_entity_id FROM fine_reports").fetchall() == [(2,)]
