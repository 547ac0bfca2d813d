"""The `newsmon` command line as a user runs it: output formats, errors and exit codes.

Every command runs against real DuckDB files, in this process through click's
CliRunner (conftest `invoke_newsmon`: the same exit codes, stdout and stderr); the
crawls, one Scrapy reactor each, run in a subprocess against a site served on 127.0.0.1.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import NO_NLP, free_port, invoke_newsmon, run_newsmon
from newsmon.crawler.cli import EXIT_CRAWL, EXIT_DATABASE, EXIT_USAGE
from newsmon.crawler.localserver import Response
from newsmon.data.store import Store, query


@pytest.fixture
def small_db(tmp_path):
    """A database with two articles written through the real store."""
    import pandas as pd

    from newsmon.data.rows import batch_frames
    db = tmp_path / "small.duckdb"
    rows = [{"url": f"https://example.org/{i}", "canonical_url": f"https://example.org/{i}",
             "source": "example", "title": title, "authors": ["A. Writer"],
             "published_at": "2026-11-10", "fetched_at": "2026-11-11T00:00:00+00:00",
             "language": "en", "sitename": "Example", "description": None, "text": "text " * 60,
             "text_hash": f"h{i}", "word_count": 60, "relevance": 0.5 + i / 10,
             "matched_terms": ["Ofcom", "online safety"], "annotated": True}
            for i, title in enumerate(["First story", "=HYPERLINK(\"http://x\")"])]
    frames = batch_frames(rows)
    Store(db).write_batch(None, **frames)
    assert isinstance(frames["articles"], pd.DataFrame)
    return db


def _commands(group, prefix=()):
    """Every leaf command of the CLI, as argument lists (new commands are covered too)."""
    import click
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield [*prefix, name]


def test_help_of_every_command_has_an_example():
    from click.testing import CliRunner

    from newsmon.crawler.cli import cli
    commands = list(_commands(cli))
    assert ["crawl"] in commands and ["db", "migrate"] in commands and ["load"] in commands
    for cmd in commands:  # in-process: a help page runs no command
        out = CliRunner().invoke(cli, [*cmd, "--help"], prog_name="newsmon")
        assert out.exit_code == 0, (cmd, out.output)
        assert "Example" in out.output, cmd


def test_sql_formats(small_db):
    out = invoke_newsmon("sql", "--db", str(small_db), "--format", "json",
                      "select title, relevance, authors from articles order by relevance")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)  # one JSON array
    assert [r["title"] for r in rows] == ["First story", "=HYPERLINK(\"http://x\")"]
    assert rows[0]["authors"] == ["A. Writer"]
    out = invoke_newsmon("sql", "--db", str(small_db), "--format", "jsonl",
                      "select title, relevance, authors from articles order by relevance")
    assert [json.loads(line) for line in out.stdout.splitlines()] == rows

    out = invoke_newsmon("sql", "--db", str(small_db), "--format", "csv",
                      input="select title, authors from articles order by relevance")
    assert out.returncode == 0, out.stderr
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    assert table[1]["title"].startswith("'=")  # a formula cannot run in a spreadsheet
    assert table[0]["authors"] == "A. Writer"

    out = invoke_newsmon("sql", "--db", str(small_db), "select count(*) as n from articles")
    assert out.returncode == 0 and out.stdout.split() == ["n", "─", "2"]  # header, rule, the count
    assert out.stderr.strip() == "1 row"


def test_sql_errors_are_clear(small_db, tmp_path):
    out = invoke_newsmon("sql", "--db", str(small_db), "selec 1")
    assert out.returncode == 1 and "syntax error" in out.stderr.lower()
    out = invoke_newsmon("sql", "--db", str(small_db), "--query", "no_such_query")
    assert out.returncode == EXIT_USAGE and "no_such_query" in out.stderr
    out = invoke_newsmon("sql", "--db", str(small_db), "--format", "yaml", "select 1")
    assert out.returncode == EXIT_USAGE
    out = invoke_newsmon("sql", "--db", str(tmp_path / "absent.duckdb"), "select 1")
    assert out.returncode == EXIT_DATABASE and "absent.duckdb" in out.stderr
    assert not (tmp_path / "absent.duckdb").exists()


def test_sql_is_read_only(small_db):
    out = invoke_newsmon("sql", "--db", str(small_db), "delete from articles")
    assert out.returncode != 0
    assert query(small_db, "select count(*) n from articles")["n"].iloc[0] == 2


def test_a_file_that_is_not_duckdb_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_bytes(b"my notes, not a database\n" * 10)
    before = path.read_bytes()
    for args in (["sql", "select 1"], ["db", "migrate"], ["db", "status"],
                 ["crawl", "--sources", str(tmp_path / "none.toml")]):
        out = invoke_newsmon(*args, "--db", str(path))
        assert out.returncode in (EXIT_DATABASE, EXIT_USAGE), (args, out.stderr)
        assert "Traceback" not in out.stderr
    assert path.read_bytes() == before
    out = invoke_newsmon("db", "migrate", "--db", str(path))
    assert out.returncode == EXIT_DATABASE and "not a DuckDB database" in out.stderr


def test_db_migrate_and_status(tmp_path):
    db = tmp_path / "new.duckdb"
    out = invoke_newsmon("db", "status", "--db", str(db))
    assert out.returncode == 0 and "not created yet" in out.stdout and not db.exists()
    out = invoke_newsmon("db", "migrate", "--db", str(db))
    assert out.returncode == 0 and "applied 001" in out.stdout
    out = invoke_newsmon("db", "migrate", "--db", str(db))
    assert out.returncode == 0 and "up to date" in out.stdout
    out = invoke_newsmon("db", "status", "--db", str(db), "--format", "json")
    status = json.loads(out.stdout)
    assert status["pending"] == [] and status["tables"]["articles"] == 0


def test_sources_list_and_a_typo_in_the_sources_file(tmp_path):
    out = invoke_newsmon("sources", "list")
    assert out.returncode == 0 and "ofcom" in out.stdout
    bad = tmp_path / "sources.toml"
    bad.write_text('[[source]]\nname = "x"\nhomepage = "https://example.org/"\n'
                   'feedz = ["https://example.org/rss"]\n')
    out = invoke_newsmon("sources", "list", "--sources", str(bad))
    assert out.returncode == EXIT_USAGE
    assert "sources.toml:4" in out.stderr and "feeds" in out.stderr


def test_unknown_flag_and_bad_topic(tmp_path):
    assert invoke_newsmon("crawl", "--no-such-flag").returncode == EXIT_USAGE
    out = invoke_newsmon("crawl", "--topic", "no-such-topic", "--db", str(tmp_path / "x.duckdb"))
    assert out.returncode == EXIT_USAGE and "no-such-topic" in out.stderr


@pytest.mark.parametrize("command", [["crawl"], ["annotate"],
                                     ["worker", "--frontier", "redis://127.0.0.1:9/0"]])
def test_a_model_that_is_not_installed_is_a_usage_error(command, tmp_path):
    if command[0] in ("crawl", "worker"):
        command = [*command, "--db", str(tmp_path / "x.duckdb")]
    out = invoke_newsmon(*command, "--model", "no_such_pipeline", input='{"id": 1, "text": "x"}\n')
    assert out.returncode == EXIT_USAGE, out.stderr[-2000:]
    assert "'no_such_pipeline' is not installed" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "x.duckdb").exists()  # nothing was created or crawled


@pytest.mark.slow
def test_crawl_of_a_dead_site_fails_for_cron(tmp_path):
    port = free_port()  # nothing listens there
    src = tmp_path / "sources.toml"
    src.write_text(f'[[source]]\nname = "dead"\nhomepage = "http://127.0.0.1:{port}/"\n'
                   f'feeds = ["http://127.0.0.1:{port}/rss.xml"]\ndelay = 0.01\n')
    db = tmp_path / "dead.duckdb"
    out = run_newsmon("crawl", "--sources", str(src), "--db", str(db), "--set", "RETRY_TIMES=0",
                      *NO_NLP)
    assert out.returncode == EXIT_CRAWL, out.stderr[-2000:]
    runs = query(db, "select status from crawl_runs")
    assert list(runs["status"]) == ["failed"]


@pytest.mark.slow
def test_crawl_command_against_a_local_site(local_server, tmp_path):
    from newsmon.crawler.demo import build_site
    server = local_server()
    server.routes.update(build_site(server.base_url))
    src = tmp_path / "sources.toml"
    src.write_text(f'[[source]]\nname = "local"\nhomepage = "{server.base_url}/"\n'
                   f'feeds = ["{server.base_url}/rss.xml"]\ndelay = 0.01\nconcurrency = 4\n')
    db = tmp_path / "local.duckdb"
    out = run_newsmon("crawl", "--sources", str(src), "--db", str(db), *NO_NLP)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "newsmon run 1: ok" in out.stdout
    n = query(db, "select count(*) n from articles where source = 'local'")["n"].iloc[0]
    assert n >= 20  # the feed lists the newest 30; the off-topic ones are dropped
    assert server.hits["/private/"] == 0
    ua = invoke_newsmon("runs", "--db", str(db), "--format", "json")
    assert json.loads(ua.stdout)[0]["status"] == "ok"


def test_annotate_reads_and_writes_json_lines():
    lines = "\n".join(json.dumps(d) for d in [
        {"id": "a", "text": "Ofcom fined the forum Hearth £18m on Monday. Maria Lopez, 41, "
                            "a director at Ofcom, said 120 users had complained. Lopez said more."},
        {"id": "b", "text": "Nothing to see here."},
    ])
    out = invoke_newsmon("annotate", input=lines + "\n")
    assert out.returncode == 0, out.stderr
    a, b = [json.loads(x) for x in out.stdout.splitlines()]
    assert a["id"] == "a" and b["id"] == "b"
    assert "Maria Lopez" in a["people"] and "Lopez" not in a["people"]
    assert "Ofcom" in a["organisations"]
    money = [f for f in a["figures"] if f["kind"] == "money"]
    assert money and money[0]["value"] == 18_000_000 and money[0]["unit"] == "GBP"
    assert {"text", "start", "end", "kind", "value", "unit", "object"} <= set(money[0])
    assert b["people"] == [] and b["figures"] == []


def test_annotate_names_the_bad_line():
    out = invoke_newsmon("annotate", input='{"id": 1, "text": "fine"}\n{not json}\n')
    assert out.returncode == EXIT_USAGE and "<stdin>:2" in out.stderr


@pytest.mark.parametrize("command", ["annotate", "eval"])
def test_a_file_that_is_not_utf8_is_a_usage_error(tmp_path, command):
    """A binary file given to `annotate` or `eval`: one line naming it, exit 2, no traceback."""
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_bytes(b'{"id": 1, "text": "fine"}\n\x00\xff\xfe garbage\n')
    out = invoke_newsmon(command, str(damaged))
    assert out.returncode == EXIT_USAGE
    assert f"{damaged}: not UTF-8 text" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_summary_numbers_read_like_a_newspaper():
    from newsmon.crawler.runs.report import human_number
    assert human_number(38_700_000_000) == "38.7bn"
    assert human_number(2_500_000) == "2.5m"
    assert human_number(1384) == "1,384"
    assert human_number(3.5) == "3.5"
