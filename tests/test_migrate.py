"""Migrations and safe opening of the database file (data.migrate, data.connection)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import duckdb
import pytest

from newsmon.data import (
    DatabaseNotFoundError,
    MigrationError,
    NotADatabaseError,
    Store,
    connect_read,
    migrate,
    open_db,
    query,
    status,
)
from newsmon.data.migrate import MIGRATIONS_DIR, discover

EXPECTED_TABLES = {"sources", "crawl_runs", "articles", "mentions", "figures", "entities",
                   "entity_aliases", "schema_migrations", "pages"}
EXPECTED_VIEWS = {"mentions_per_entity_week", "article_summary", "figures_money", "articles_per_source_day"}


def _recorded(path: Path) -> list[tuple]:
    return query(path, "SELECT version, name, applied_at FROM schema_migrations ORDER BY version").itertuples(index=False, name=None)


def test_migrate_applies_every_file_once_and_records_it(tmp_path):
    db = tmp_path / "new.duckdb"
    applied = migrate(db)
    on_disk = discover()
    assert [m.version for m in applied] == [m.version for m in on_disk]
    recorded = list(_recorded(db))
    assert [(v, n) for v, n, _ in recorded] == [(m.version, m.name) for m in on_disk]

    assert migrate(db) == []  # second run is a no-op
    assert list(_recorded(db)) == recorded  # same rows, same applied_at
    open_db(db).close()  # and so is open_db
    assert list(_recorded(db)) == recorded


def test_schema_has_the_tables_and_views(tmp_path):
    db = tmp_path / "s.duckdb"
    migrate(db)
    objects = query(db, "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'main'")
    tables = set(objects.loc[objects.table_type == "BASE TABLE", "table_name"])
    views = set(objects.loc[objects.table_type == "VIEW", "table_name"])
    assert EXPECTED_TABLES <= tables
    assert EXPECTED_VIEWS <= views


def test_open_db_migrates_on_first_use_and_creates_parent_dirs(tmp_path):
    db = tmp_path / "deep" / "er" / "n.duckdb"
    with open_db(db) as con:
        versions = [r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()]
    assert sorted(versions) == [m.version for m in discover()]


def test_status_reports_pending_then_applied_with_row_counts(tmp_path):
    db = tmp_path / "st.duckdb"
    before = status(db)
    assert before["exists"] is False
    assert [p["version"] for p in before["pending"]] == [m.version for m in discover()]
    assert not db.exists()  # status never creates the file

    Store(db).start_run(["a"])
    after = status(db)
    assert after["pending"] == []
    assert [a["version"] for a in after["applied"]] == [m.version for m in discover()]
    assert after["tables"]["crawl_runs"] == 1
    assert after["tables"]["articles"] == 0
    assert set(after["tables"]) >= EXPECTED_TABLES


def _copy_migrations(tmp_path: Path) -> Path:
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, directory)
    return directory


def test_failing_migration_is_rolled_back_and_not_recorded(tmp_path):
    directory = _copy_migrations(tmp_path)
    last = discover(directory)[-1].version
    bad = directory / f"{last + 1:03d}_broken.sql"
    bad.write_text("CREATE TABLE half_done (x INTEGER);\nSELECT * FROM no_such_table;\n")
    db = tmp_path / "m.duckdb"

    with pytest.raises(MigrationError, match="broken"):
        migrate(db, directory)
    report = status(db, directory)
    assert [p["name"] for p in report["pending"]] == ["broken"]
    assert "half_done" not in report["tables"]  # its first statement was rolled back too
    assert report["tables"]["schema_migrations"] == len(discover(directory)) - 1  # the good ones stay applied

    bad.write_text("CREATE TABLE half_done (x INTEGER);\n")
    assert [m.name for m in migrate(db, directory)] == ["broken"]
    assert status(db, directory)["pending"] == []


def test_malformed_or_duplicate_migration_names_are_errors(tmp_path):
    directory = _copy_migrations(tmp_path)
    (directory / "add_things.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNN_name"):
        discover(directory)
    (directory / "add_things.sql").unlink()
    (directory / "001_again.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="version 1"):
        discover(directory)


def _sqlite_file(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.execute("INSERT INTO t VALUES (1)")
    con.commit()
    con.close()


@pytest.mark.parametrize("kind", ["text", "sqlite", "empty"])
def test_a_file_that_is_not_duckdb_is_refused_and_left_untouched(tmp_path, kind):
    path = tmp_path / "newsmon.duckdb"
    if kind == "text":
        path.write_text("my notes, not a database\n" * 20)
    elif kind == "sqlite":
        _sqlite_file(path)
    else:
        path.write_bytes(b"")
    before = path.read_bytes()

    for attempt in (lambda: open_db(path), lambda: connect_read(path, timeout=1), lambda: Store(path),
                    lambda: migrate(path), lambda: status(path)):
        with pytest.raises(NotADatabaseError, match="not a DuckDB database"):
            attempt()
    assert path.read_bytes() == before
    assert not (tmp_path / "newsmon.duckdb.wal").exists()
    if kind == "sqlite":
        assert sqlite3.connect(path).execute("SELECT x FROM t").fetchall() == [(1,)]


def test_a_real_duckdb_file_passes_the_header_check(tmp_path):
    path = tmp_path / "plain.duckdb"
    duckdb.connect(str(path)).close()  # DuckDB's own empty database
    with open_db(path) as con:  # gets migrated
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (0,)


def test_read_only_open_of_a_missing_file_does_not_create_it(tmp_path):
    path = tmp_path / "absent.duckdb"
    with pytest.raises(DatabaseNotFoundError):
        connect_read(path, timeout=1)
    assert not path.exists()
