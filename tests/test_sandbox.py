"""The SQL sandbox (data/connection.py): user SQL reads the newsmon database and nothing else.

Every hostile statement runs through the real `newsmon sql` command (in-process)
against a real DuckDB file, in a folder that also holds a secret text file, a
Parquet file and a second DuckDB database.  Each must exit 2 with one line saying
why, and afterwards every file in the folder must be byte-for-byte as before
(same hashes and mtimes, nothing created), and no secret may reach the output.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from newsmon.crawler.cli import EXIT_USAGE, cli
from newsmon.data.connection import query_sandboxed, run_sandboxed, sandbox
from newsmon.data.errors import SandboxError
from newsmon.data.export import export_table
from newsmon.data.named import run_query
from digest_testdb import build_db

SECRET = "TOP-SECRET-7f3a"


@pytest.fixture(scope="module")
def sandbox_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sandbox")
    build_db(folder / "news.duckdb")
    (folder / "secret.txt").write_text(f"user,password\nroot,{SECRET}\n")
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT '{SECRET}' AS s) TO '{folder / 'secret.parquet'}' (FORMAT parquet)")
    with duckdb.connect(str(folder / "other.duckdb")) as con:
        con.execute("CREATE TABLE x AS SELECT 42 AS a")
    return folder


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under `folder`: content hash and mtime (nanoseconds)."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def sql(db: Path, *args: str):
    return CliRunner().invoke(cli, ["sql", "--db", str(db), *args], catch_exceptions=False)


def hostile_statements(d: Path) -> list[str]:
    db, other = d / "news.duckdb", d / "other.duckdb"
    return [
        # reading other files
        f"SELECT * FROM read_text('{d / 'secret.txt'}')",
        f"SELECT * FROM read_csv('{d / 'secret.txt'}')",
        f"SELECT * FROM read_csv_auto('{d / 'secret.txt'}')",
        f"SELECT * FROM read_blob('{d / 'secret.txt'}')",
        f"SELECT * FROM read_parquet('{d / 'secret.parquet'}')",
        f"SELECT * FROM parquet_metadata('{d / 'secret.parquet'}')",
        f"SELECT * FROM glob('{d}/*')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM read_text('/etc/passwd')",
        f"SELECT * FROM read_blob('{db}')",  # not even the database's own bytes
        "SELECT * FROM read_csv('https://example.org/x.csv')",
        # writing files
        f"COPY articles TO '{d / 'out.csv'}'",
        f"COPY (SELECT 1) TO '{db}'",  # replacing the database itself
        f"COPY (SELECT 1) TO '{db}' (USE_TMP_FILE false)",
        f"COPY (SELECT 1) TO '{db}.wal'",
        f"COPY (SELECT 1) TO '{db}.tmp/x.csv'",
        f"EXPORT DATABASE '{d / 'exported'}'",
        f"IMPORT DATABASE '{d / 'exported'}'",
        # other databases
        f"ATTACH '{d / 'new.duckdb'}' AS n",
        f"ATTACH '{other}' AS o (READ_WRITE)",
        f"ATTACH '{other}' AS o",
        f"ATTACH '{other}' AS o; DELETE FROM o.x",
        f"ATTACH '{db}' AS again (READ_WRITE)",
        "ATTACH ':memory:' AS m; CREATE TABLE m.t AS SELECT 1",
        # extensions
        "INSTALL httpfs",
        "LOAD httpfs",
        f"LOAD '{d / 'secret.txt'}'",  # (LOAD of the fts file newsmon loaded is a no-op)
        "FORCE INSTALL fts",
        # the sandbox's own settings, and others
        "SET enable_external_access = true",
        "RESET enable_external_access",
        "SET disabled_filesystems = ''",
        "RESET disabled_filesystems",
        "SET lock_configuration = false",
        "RESET lock_configuration",
        "SET allowed_directories = ['/']",
        "SET allowed_paths = ['/etc/passwd']",
        "SET autoload_known_extensions = true",
        f"SET temp_directory = '{d / 'tmpdir'}'",
        f"SET profiling_output = '{d / 'profile.json'}'",
        "SET threads = 1",
        # PRAGMAs that change settings or write
        "PRAGMA enable_profiling",
        "PRAGMA enable_profiling; SELECT 1",
        f"PRAGMA profiling_output = '{d / 'profile.json'}'",
        "PRAGMA threads = 1",
        "PRAGMA create_fts_index('articles', 'article_id', 'title', overwrite=1)",
        # logging slips past the lock; to a file it would abort the process at exit
        f"CALL enable_logging(storage='file', storage_path='{d / 'logs'}')",
        f"SELECT * FROM enable_logging(storage='file', storage_path='{d / 'logs'}')",
        "CALL enable_logging(storage='stdout'); SELECT 1",
        "CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
        # writes to the database
        "INSERT INTO articles (article_id, url, canonical_url, text_hash) VALUES (1, 'u', 'u', 'h')",
        "DELETE FROM articles",
        "UPDATE articles SET title = 'x'",
        "DROP TABLE mentions",
        "ALTER TABLE articles ADD COLUMN x INT",
        "CREATE TABLE t AS SELECT 1",
        "CREATE VIEW v AS SELECT 1",
        "SELECT 1; DELETE FROM articles",
    ]


def test_every_hostile_statement_is_refused_and_nothing_is_read_or_written(sandbox_dir):
    before = snapshot(sandbox_dir)
    for statement in hostile_statements(sandbox_dir):
        result = sql(sandbox_dir / "news.duckdb", statement)
        assert result.exit_code == EXIT_USAGE, (statement, result.exit_code, result.output)
        message = result.stderr.strip()
        assert message.startswith("Error: refused: ") and "\n" not in message, (statement, message)
        assert SECRET not in result.output and "root:" not in result.output, statement
        assert snapshot(sandbox_dir) == before, statement
    assert sorted(p.name for p in sandbox_dir.iterdir()) == \
        ["news.duckdb", "other.duckdb", "secret.parquet", "secret.txt"]
    with duckdb.connect(str(sandbox_dir / "other.duckdb"), read_only=True) as con:
        assert con.execute("SELECT a FROM x").fetchall() == [(42,)]


def test_a_file_name_as_a_table_is_just_an_unknown_table(sandbox_dir):
    # replacement scans are off with external access: DuckDB looks for a table of that name
    result = sql(sandbox_dir / "news.duckdb", f"SELECT * FROM '{sandbox_dir / 'secret.txt'}'")
    assert result.exit_code == 1 and "Table with name" in result.stderr
    assert SECRET not in result.output


def test_the_same_statements_piped_on_stdin_are_refused_too(sandbox_dir):
    before = snapshot(sandbox_dir)
    for statement in (f"COPY (SELECT 1) TO '{sandbox_dir / 'news.duckdb'}'",
                      f"SELECT * FROM read_text('{sandbox_dir / 'secret.txt'}')"):
        result = CliRunner().invoke(cli, ["sql", "--db", str(sandbox_dir / "news.duckdb")], input=statement)
        assert result.exit_code == EXIT_USAGE and "refused" in result.stderr
    assert snapshot(sandbox_dir) == before


def test_sql_staged_is_the_same_sandbox(sandbox_dir, tmp_path):
    staging = tmp_path / "staging"
    staging.mkdir()
    before = snapshot(sandbox_dir)
    for statement in (f"SELECT * FROM read_text('{sandbox_dir / 'secret.txt'}')",
                      f"COPY staged_articles TO '{tmp_path / 'out.csv'}'"):
        result = sql(sandbox_dir / "news.duckdb", "--staging", str(staging), statement)
        assert result.exit_code == EXIT_USAGE and "refused" in result.stderr, result.output
    assert sql(sandbox_dir / "news.duckdb", "--staging", str(staging),
               "SELECT count(*) AS n FROM staged_articles").exit_code == 0
    assert snapshot(sandbox_dir) == before and list(tmp_path.iterdir()) == [staging]


def test_reading_the_database_still_works(sandbox_dir):
    db = sandbox_dir / "news.duckdb"
    result = sql(db, "--format", "csv", "SELECT count(*) AS n FROM articles")
    assert result.exit_code == 0 and result.output.split() == ["n", "13"]
    result = sql(db, "PRAGMA table_info('articles')")  # DuckDB parses this one as a query
    assert result.exit_code == 0 and "canonical_url" in result.output
    for statement in ("SHOW TABLES", "DESCRIBE articles", "SUMMARIZE articles", "EXPLAIN SELECT 1",
                      "SET VARIABLE n = 2; SELECT getvariable('n') * 2 AS v",
                      "CREATE TEMP TABLE mine AS SELECT 1 AS a; SELECT * FROM mine"):
        assert sql(db, statement).exit_code == 0, statement


def test_a_query_too_big_for_memory_cannot_spill_to_disk_and_fails_cleanly(sandbox_dir):
    # the sandbox cannot write <db>.tmp/; the memory limit is set before the lock to show what
    # a user would meet with a query larger than memory: DuckDB's own error, not a refusal
    def small_memory(con):
        con.execute("SET memory_limit = '30MB'")

    with sandbox(sandbox_dir / "news.duckdb", setup=small_memory) as con:
        with pytest.raises(duckdb.OutOfMemoryException):
            run_sandboxed(con, "SELECT count(*) FROM (SELECT DISTINCT random()::VARCHAR || i AS x "
                               "FROM range(3000000) t(i) ORDER BY x)")
    assert not (sandbox_dir / "news.duckdb.tmp").exists()


def test_named_queries_run_in_the_sandbox(sandbox_dir, tmp_path):
    # a team's shared query folder is user SQL too
    (tmp_path / "evil.sql").write_text(
        f"-- name: evil\n-- about: reads a file\n-- row: one line\n"
        f"SELECT * FROM read_text('{sandbox_dir / 'secret.txt'}')\n")
    with pytest.raises(SandboxError, match="refused"):
        run_query(sandbox_dir / "news.duckdb", "evil", directory=tmp_path)


def test_query_sandboxed_refuses_and_reads(sandbox_dir):
    db = sandbox_dir / "news.duckdb"
    assert query_sandboxed(db, "SELECT count(*) AS n FROM articles")["n"].iloc[0] == 13
    with pytest.raises(SandboxError, match="read-only"):
        query_sandboxed(db, "DELETE FROM articles")


def test_export_writes_only_the_file_named(sandbox_dir, tmp_path):
    before = snapshot(sandbox_dir)
    out = tmp_path / "out"
    out.mkdir()
    assert export_table(sandbox_dir / "news.duckdb", "articles", "csv", out / "a.csv") == 13
    assert export_table(sandbox_dir / "news.duckdb", "figures", "parquet", out) > 0
    assert sorted(os.listdir(out)) == ["a.csv", "figures.parquet"]  # no partial file left
    assert snapshot(sandbox_dir) == before


def test_a_failed_export_leaves_no_file(sandbox_dir, tmp_path):
    target = tmp_path / "a.parquet"
    target.mkdir()  # a folder where the file should go: the rename fails
    (target / "articles.parquet").mkdir()
    result = CliRunner().invoke(cli, ["export", "articles", "--db", str(sandbox_dir / "news.duckdb"),
                                      "--out", str(target)])
    assert result.exit_code == EXIT_USAGE and "cannot write" in result.stderr
    assert [p.name for p in tmp_path.rglob("*")] == ["a.parquet", "articles.parquet"]
