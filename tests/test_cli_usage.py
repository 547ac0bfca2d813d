"""A CLI for cron: every wrong usage is exit 2 and one line, never a traceback; -q prints
only errors; --set/-s is checked before a crawl starts; a failed source is one line.

The walk finds every command registered on the click group, so a new command is
covered without touching this file.  Its invocations all fail in click's own
parsing, before a command body runs (nothing crawls, nothing is written).
"""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from conftest import NO_NLP, free_port, run_newsmon
from newsmon.crawler.cli import EXIT_CRAWL, EXIT_ERROR, EXIT_USAGE, cli
from newsmon.crawler.settings import SettingsError, check_overrides


def leaves(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from leaves(command, (*prefix, name))
        else:
            yield [*prefix, name], command


COMMANDS = list(leaves(cli))
GROUPS = [[name] for name, c in cli.commands.items() if isinstance(c, click.Group)]


def malformed(param: click.Parameter) -> str | None:
    """A value click itself refuses for `param`, or None when any text is valid."""
    kind = param.type
    if isinstance(kind, click.Choice):
        return "no-such-choice"
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        return "twelve"
    if isinstance(kind, click.DateTime):
        return "yesterday-ish"
    return None


def cases():
    for path, command in COMMANDS:
        yield pytest.param(path, ["--no-such-option"], id=" ".join(path) + " unknown option")
        if any(p.required for p in command.params):
            yield pytest.param(path, [], id=" ".join(path) + " missing")
        for param in command.params:
            if not isinstance(param, click.Option) or param.is_flag or param.count:
                continue
            bad = malformed(param)
            if bad is not None:
                yield pytest.param(path, [param.opts[0], bad], id=f"{' '.join(path)} {param.opts[0]} {bad}")
            yield pytest.param(path, [param.opts[0]], id=f"{' '.join(path)} {param.opts[0]} without value")
    for path in GROUPS:
        yield pytest.param(path, [], id=f"{path[0]} without its command")


@pytest.mark.parametrize("path, args", list(cases()))
def test_wrong_usage_is_exit_2_in_one_line(path, args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # whatever happened, nothing lands in the checkout
    monkeypatch.delenv("NEWSMON_FRONTIER", raising=False)
    result = CliRunner().invoke(cli, [*path, *args])
    assert "Traceback" not in result.output
    assert result.exit_code == EXIT_USAGE, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "--help" in lines[0]  # where to read more
    assert list(tmp_path.iterdir()) == []  # nothing ran


def test_the_walk_sees_every_command():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"crawl", "worker", "sql", "search", "db reindex", "export", "schedule"} <= names
    assert len(list(cases())) > 3 * len(COMMANDS)


def test_worker_without_frontier_is_a_usage_error():
    result = CliRunner().invoke(cli, ["worker"], env={"NEWSMON_FRONTIER": None})
    assert result.exit_code == EXIT_USAGE and "Missing option '--frontier'" in result.stderr


def test_a_bug_is_one_line_too(monkeypatch, tmp_path):
    import newsmon.data.search as search

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(search, "search", broken)
    result = CliRunner().invoke(cli, ["search", "--db", str(tmp_path / "x.duckdb"), "fine"])
    assert result.exit_code == EXIT_ERROR and "Traceback" not in result.output
    assert result.stderr.strip() == ("Error: unexpected RuntimeError: boom (a bug: run again with -v "
                                     "for the traceback, and report it)")


# -- --set / -s ------------------------------------------------------------------------

@pytest.mark.parametrize("pair, message", [
    ("NEWSMON_REFETCH_DAYS=abc", "NEWSMON_REFETCH_DAYS='abc': wants a whole number (default: 7)"),
    ("DOWNLOAD_DELAY=5s", "wants a number (seconds: 5, not 5s)"),
    ("ROBOTSTXT_OBEY=maybe", "wants true or false"),
    ("DOWNLOAD_DELY=5", "unknown setting 'DOWNLOAD_DELY'; did you mean DOWNLOAD_DELAY"),
    ("NEWSMON_REFETCH_DAY=3", "did you mean NEWSMON_REFETCH_DAYS"),
    ("DOWNLOAD_SLOTS=[1]", "wants a JSON object"),
    ("=5", "expected KEY=VALUE"),
])
@pytest.mark.parametrize("flag", ["--set", "-s"])
def test_a_wrong_setting_is_refused_before_any_run_is_recorded(tmp_path, pair, message, flag):
    db = tmp_path / "never.duckdb"
    result = CliRunner().invoke(cli, ["crawl", "--db", str(db), flag, pair])
    assert result.exit_code == EXIT_USAGE and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not db.exists()  # no crawl_runs row: not even a database


def test_settings_get_their_types():
    assert check_overrides({"DOWNLOAD_DELAY": "0.5", "RETRY_TIMES": "0", "ROBOTSTXT_OBEY": "False",
                            "NEWSMON_THRESHOLD": "0.3", "RETRY_HTTP_CODES": "500,502",
                            "DOWNLOAD_SLOTS": '{"a.example": {"delay": 2}}', "USER_AGENT": "x"}) == {
        "DOWNLOAD_DELAY": 0.5, "RETRY_TIMES": 0, "ROBOTSTXT_OBEY": False, "NEWSMON_THRESHOLD": 0.3,
        "RETRY_HTTP_CODES": ["500", "502"], "DOWNLOAD_SLOTS": {"a.example": {"delay": 2}},
        "USER_AGENT": "x"}
    with pytest.raises(SettingsError):
        check_overrides({"NEWSMON_BATCH_SIZE": "1e3"})


# -- a failed source, for cron -----------------------------------------------------------

def dead_sources(tmp_path):
    port = free_port()  # nothing listens there
    src = tmp_path / "sources.toml"
    src.write_text(f'[[source]]\nname = "dead"\nhomepage = "http://127.0.0.1:{port}/"\n'
                   f'feeds = ["http://127.0.0.1:{port}/rss.xml"]\ndelay = 0.01\n')
    return src, port


@pytest.mark.slow
def test_a_dead_source_is_one_line_and_quiet_is_quiet(tmp_path):
    src, port = dead_sources(tmp_path)
    db = tmp_path / "dead.duckdb"
    # nothing is fetched, so nothing to annotate: the crawl never loads spaCy (NO_NLP)
    args = ("crawl", "--sources", str(src), "--db", str(db), "-s", "RETRY_TIMES=0", *NO_NLP)
    out = run_newsmon(*args)
    assert out.returncode == EXIT_CRAWL
    assert "Traceback" not in out.stderr + out.stdout
    assert len(out.stderr.splitlines()) <= 4, out.stderr  # Scrapy's one-liners and the error
    assert f"failed source dead: nothing fetched; failed: connection_refused 1 (first: " \
           f"http://127.0.0.1:{port}/rss.xml)" in out.stdout
    assert len(out.stdout.splitlines()) <= 5 and "Top people" not in out.stdout, out.stdout

    out = run_newsmon("-q", *args)
    assert out.returncode == EXIT_CRAWL and out.stdout == ""
    (line,) = out.stderr.splitlines()
    assert line.startswith("Error: crawl failed: 0 article pages fetched") and "dead: nothing fetched" in line


def test_quiet_prints_nothing_but_results_and_errors(tmp_path):
    from digest_testdb import build_db
    db = build_db(tmp_path / "news.duckdb")
    runner = CliRunner()
    result = runner.invoke(cli, ["-q", "sql", "--db", str(db), "select count(*) as n from articles"])
    assert result.exit_code == 0 and result.stderr == "" and "13" in result.stdout
    result = runner.invoke(cli, ["-q", "sql", "--db", str(db), "--format", "csv", "select 1 as a where false"])
    assert result.exit_code == 0 and result.stderr == "" and result.stdout == "a\n"
    result = runner.invoke(cli, ["-q", "export", "articles", "--db", str(db), "--out", str(tmp_path)])
    assert result.exit_code == 0 and result.output == "" and (tmp_path / "articles.parquet").exists()
    result = runner.invoke(cli, ["-q", "sql", "--db", str(db), "delete from articles"])
    assert result.exit_code == EXIT_USAGE and result.stderr.startswith("Error: refused")
    result = runner.invoke(cli, ["export", "articles", "--db", str(db), "--out", str(tmp_path)])
    assert "exported 13 rows" in result.stderr  # without -q it says so
