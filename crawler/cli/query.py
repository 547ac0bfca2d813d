"""CLI commands that answer questions from the database: `sql` and `search`.

Both run in the SQL sandbox (data.connection): they read the database and
nothing else.  Their rows are printed by crawler.cli.output.
"""

from __future__ import annotations

import sys

import click

from newsmon.crawler.cli import EXIT_USAGE, CliError, FiniteRange, cli, db_option, say, staging_option
from newsmon.crawler.cli.output import Rows, emit, format_option


def parse_params(pairs) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected key=value, got {pair!r}", param_hint="--param")
        params[key.strip()] = value
    return params


def timeout_option(func):
    return click.option("--timeout", type=FiniteRange(0, 3600), default=30.0, show_default=True,
                        help="Seconds to wait while a crawl holds the write lock.")(func)


@cli.command()
@click.argument("statement", required=False)
@click.option("--query", "query_name", metavar="NAME", help="Run a named query from data/queries/.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Parameter of the named query (repeatable).")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and exit.")
@timeout_option
@click.option("--staged", is_flag=True,
              help="Also query the batches staged but not loaded yet (<db>.staging), as views "
                   "staged_articles, staged_mentions, staged_figures, staged_pages.")
@staging_option(help="Staging folder for --staged (implies it).")
@format_option
@db_option
def sql(statement, query_name, params, list_queries, timeout, staged, staging_dir, fmt, db_path):
    """Run SQL against the database in a read-only sandbox: an argument, stdin, or a
    named query. The sandbox reads the database and nothing else: statements that would
    read or write other files, use the network, load extensions, change settings or
    write to the database are refused (exit 2).

    \b
    Examples:
      newsmon sql "select source, count(*) from articles group by 1"
      echo "select * from mentions_per_entity_week limit 10" | newsmon sql --format csv
      newsmon sql --list
      newsmon sql --query top_entities --param week=2026-W47 --param label=person
      newsmon sql --staged "select batch_id, count(*) from staged_articles group by 1"
    """
    if list_queries:
        from newsmon.data import named  # pandas: only for the named queries
        rows = [(q.name, ", ".join(p.name for p in q.params), q.about) for q in named.list_queries()]
        emit(Rows(["name", "params", "about"], ["VARCHAR"] * 3, rows), fmt)
        return
    given = click.get_current_context().get_parameter_source("staging_dir")
    staged = staged or given is click.core.ParameterSource.COMMANDLINE
    if query_name:
        if statement:
            raise CliError("give either a SQL statement or --query, not both", EXIT_USAGE)
        if staged:
            raise CliError("--staged and --staging go with a SQL statement, not --query", EXIT_USAGE)
        from newsmon.data import named
        emit(named.run_query(db_path, query_name, parse_params(params), timeout=timeout,
                             fetch=Rows.from_result), fmt)
        return
    if params:
        raise CliError("--param goes with --query", EXIT_USAGE)
    if not statement:
        if sys.stdin.isatty():
            raise CliError("no SQL given: pass a statement, pipe one on stdin, or use --query",
                           EXIT_USAGE)
        statement = sys.stdin.read()
    if not statement.strip():
        raise CliError("the SQL statement is empty", EXIT_USAGE)
    if staged:
        from newsmon.data.staging import default_staging_dir, query_staged
        emit(query_staged(db_path, staging_dir or default_staging_dir(db_path), statement,
                          timeout=timeout, fetch=Rows.from_result), fmt)
        return
    from newsmon.data.connection import query_sandboxed
    emit(query_sandboxed(db_path, statement, timeout=timeout, fetch=Rows.from_result), fmt)


@cli.command()
@click.argument("query")
@click.option("--since", default=None, metavar="YYYY-MM-DD",
              help="Only articles dated on or after this day.")
@click.option("--source", default=None, metavar="NAME", help="Only this source's articles.")
@click.option("--entity", default=None, metavar="NAME",
              help="Only articles that mention this person or organisation (name or alias).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@timeout_option
@format_option
@db_option
def search(query, since, source, entity, limit, timeout, fmt, db_path):
    """Full-text search (BM25) over the articles' titles and texts.

    Words are matched by their stem ("fine" finds fined, fines); an article
    matches when it holds any of the words, and ranks higher the more of them it
    holds and the rarer they are. Each hit has its date, source, score, title,
    URL and the passage that matched, the matched words marked **like this**.

    \b
    Examples:
      newsmon search "fine"
      newsmon search "age verification" --since 2026-01-01 --source ofcom-news
      newsmon search "investigation" --entity Ofcom --format json
    """
    from newsmon.data.search import search as run_search

    tty = sys.stdout.isatty() and fmt == "table"
    result = run_search(db_path, query, since=since, source=source, entity=entity, limit=limit,
                        timeout=timeout, mark=("\x00", "\x01") if tty else ("**", "**"))
    if result.not_indexed:
        say(f"note: {result.not_indexed} articles are not in the search index yet "
            "(the next crawl or `newsmon db reindex` adds them)", err=True)
    columns = ["score", "published", "source", "title", "url", "snippet"]
    types = ["DOUBLE", "DATE", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"]
    rows = [(round(h.score, 3), h.published, h.source, h.title, h.url, h.snippet) for h in result.hits]
    emit(Rows(columns, types, rows), fmt, bold=("\x00", "\x01") if tty else None)
