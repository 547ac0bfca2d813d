"""Schema migrations: numbered .sql files in data/migrations/, applied in order.

A migration is a file `NNN_name.sql` (NNN = version, unique, ascending).  Its
statements run in ONE transaction together with its row in
`schema_migrations(version, name, applied_at)`, so a failing migration leaves
no trace and is retried next time.  Files must not contain BEGIN/COMMIT.
Applied migrations are never edited; change the schema with a new file.

A database that records a migration this code does not know was written by a
newer newsmon: writers refuse it (NewerSchemaError) before changing anything.

`open_db` (store.py) applies pending migrations on every writable open;
`migrate(path)` does it explicitly (and then reads every table: a damaged file is
never "up to date"), `status(path)` reports without writing and `check(path)`
verifies the file without writing (`newsmon db check`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from newsmon.data import entity_weeks
from newsmon.data.connection import DEFAULT_DB_PATH, connect, utc_now
from newsmon.data.errors import (DamagedDatabaseError, DatabaseNotFoundError, MigrationError,
                                 NewerSchemaError)
from newsmon.data.integrity import CheckReport, verify_tables

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_FILE_NAME = re.compile(r"^(?P<version>\d+)_(?P<name>\w+)\.sql$")
# The bookkeeping table itself is the one piece of DDL outside the .sql files:
# it must exist before any migration can be recorded.
_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    applied_at  TIMESTAMP NOT NULL
)"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def label(self) -> str:
        return f"{self.version:03d}_{self.name}"


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in `directory`, by version; malformed names are errors."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path}: migration files are named NNN_name.sql")
        migration = Migration(int(match["version"]), match["name"], path)
        if migration.version in found:
            other = found[migration.version].path.name
            raise MigrationError(f"{path}: version {migration.version} also used by {other}")
        found[migration.version] = migration
    return [found[v] for v in sorted(found)]


def applied_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    """Versions recorded in schema_migrations; empty when the table is absent."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations' AND schema_name = 'main'"
    ).fetchone()[0]
    if not exists:
        return set()
    return {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}


def pending(con: duckdb.DuckDBPyConnection, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    done = applied_versions(con)
    return [m for m in discover(directory) if m.version not in done]


def apply_migrations(con: duckdb.DuckDBPyConnection, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply every pending migration, each in its own transaction; return those applied."""
    known = discover(directory)
    con.execute(_BOOKKEEPING)
    done = applied_versions(con)
    unknown = done - {m.version for m in known}
    if unknown:
        raise NewerSchemaError(
            f"the database has migration(s) {', '.join(map(str, sorted(unknown)))} that this "
            f"newsmon does not know (a newer newsmon wrote it); it was left untouched: upgrade "
            f"newsmon to write to it")
    todo = [m for m in known if m.version not in done]
    for migration in todo:
        _apply_one(con, migration)
    return todo


def _apply_one(con: duckdb.DuckDBPyConnection, migration: Migration) -> None:
    sql = migration.path.read_text(encoding="utf-8")
    con.begin()
    try:
        con.execute(sql)
        con.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            [migration.version, migration.name, utc_now()],
        )
        con.commit()
    except duckdb.Error as exc:
        con.rollback()
        raise MigrationError(f"migration {migration.label} failed and was rolled back: {exc}") from exc
    logger.info("applied migration %s", migration.label)


def migrate(path: Path | str = DEFAULT_DB_PATH, directory: Path = MIGRATIONS_DIR,
            timeout: float = 30.0) -> list[Migration]:
    """Create the database if needed and apply pending migrations; return those applied.

    Then every table is read in full (data.integrity.verify_tables): a damaged file
    raises DamagedDatabaseError, never passes as up to date.
    """
    with connect(path, read_only=False, timeout=timeout) as con:
        applied = apply_migrations(con, directory)
        report = verify_tables(con, path)
    if not report.ok:
        bad = report.problems[0]
        raise DamagedDatabaseError(
            f"{path} is damaged: {bad.kind} {bad.name} cannot be read ({bad.error}); "
            f"{len(report.problems)} of {len(report.tables)} tables and views fail "
            f"(`newsmon db check` lists them)")
    return applied


def status(path: Path | str = DEFAULT_DB_PATH, directory: Path = MIGRATIONS_DIR, timeout: float = 30.0) -> dict:
    """Applied and pending migrations plus row counts per table, read-only.

    Returns {"path", "exists", "applied": [{version, name, applied_at}],
    "pending": [{version, name}], "unknown": [versions applied but not on disk],
    "tables": {table: rows}}.
    """
    path = Path(path)
    known = discover(directory)
    report: dict = {"path": str(path), "exists": path.exists(), "applied": [], "unknown": [], "tables": {}}
    if not path.exists():
        report["pending"] = [{"version": m.version, "name": m.name} for m in known]
        return report
    with connect(path, read_only=True, timeout=timeout) as con:
        done = applied_versions(con)
        if done:
            rows = con.execute("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").fetchall()
            report["applied"] = [{"version": v, "name": n, "applied_at": at} for v, n, at in rows]
        report["tables"] = _row_counts(con)
    report["pending"] = [{"version": m.version, "name": m.name} for m in known if m.version not in done]
    report["unknown"] = sorted(done - {m.version for m in known})
    return report


def check(path: Path | str = DEFAULT_DB_PATH, directory: Path = MIGRATIONS_DIR,
          timeout: float = 30.0) -> CheckReport:
    """`newsmon db check`, read-only: the file opens as DuckDB and is as long as its
    blocks say (DamagedDatabaseError/NotADatabaseError otherwise), then the schema's
    migrations are compared with this code's and every table and view is read
    (data.integrity.verify_tables).  Returns the report; `report.ok` and
    `report.unknown` tell whether this newsmon can write to it."""
    path = Path(path)
    if not path.exists():
        raise DatabaseNotFoundError(f"{path} does not exist")
    known = {m.version for m in discover(directory)}
    with connect(path, read_only=True, timeout=timeout) as con:
        done = applied_versions(con)
        report = verify_tables(con, path)
        _check_entity_weeks(con, report)
    report.applied = sorted(done & known)
    report.pending = sorted(known - done)
    report.unknown = sorted(done - known)
    return report


def _check_entity_weeks(con: duckdb.DuckDBPyConnection, report: CheckReport) -> None:
    """The writer-kept weekly counts (migration 015) against the mentions they count."""
    table = next((t for t in report.tables if t.name == "entity_weeks" and not t.error), None)
    if table is None or any(t.error for t in report.tables if t.name in ("mentions", "articles")):
        return
    try:
        counts, weeks = entity_weeks.drift(con)
    except duckdb.Error as exc:
        table.error = str(exc).strip().splitlines()[0]
        return
    if counts or weeks:
        table.error = (f"{counts} weekly counts differ from the mentions they count, {weeks} mentions "
                       "are not in their article's week")
        table.fix = "newsmon db reindex computes them again"


def _row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary ORDER BY table_name"
    ).fetchall()]
    return {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
