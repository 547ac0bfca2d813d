"""CLI commands that read or manage the database: `sql`, `db`, `runs`, `digest`, `export`."""

from __future__ import annotations

import json
import sys

import click
import pandas as pd
from rich.console import Console

from newsmon.crawler.cli import EXIT_USAGE, CliError, cli, db_option, staging_option


# -- output -----------------------------------------------------------------------
def emit(df: pd.DataFrame, fmt: str, out=None) -> None:
    """Write a result frame as a table, CSV (formula-safe) or JSON lines."""
    out = out or sys.stdout
    if fmt == "csv":
        from newsmon.data.csvsafe import neutralise_frame
        neutralise_frame(_flatten_lists(df)).to_csv(out, index=False)
    elif fmt == "json":
        for rec in json.loads(df.to_json(orient="records", date_format="iso", default_handler=str)):
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    else:
        if out.isatty():
            from rich.table import Table
            table = Table(show_lines=False)
            for col in df.columns:
                table.add_column(str(col), overflow="fold")
            for row in df.itertuples(index=False):
                table.add_row(*("" if _isnull(v) else str(v) for v in row))
            Console().print(table)
            Console(stderr=True).print(f"{len(df)} rows")
        else:
            with pd.option_context("display.max_rows", None, "display.max_columns", None,
                                   "display.width", 200, "display.max_colwidth", 80):
                out.write(df.to_string(index=False) + "\n")


def _flatten_lists(df: pd.DataFrame) -> pd.DataFrame:
    """List cells (authors, matched_terms) as "a; b" text, for CSV readers."""
    import numpy as np
    listy = (list, tuple, np.ndarray)
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, listy)).any():
            out[col] = out[col].map(lambda v: "; ".join(map(str, v))
                                    if isinstance(v, listy) else v)
    return out


def _isnull(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def format_option(func):
    return click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]),
                        default="table", show_default=True,
                        help="Output: aligned table, CSV, or JSON lines.")(func)


def parse_params(pairs) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected key=value, got {pair!r}", param_hint="--param")
        params[key.strip()] = value
    return params


# -- sql --------------------------------------------------------------------------
@cli.command()
@click.argument("statement", required=False)
@click.option("--query", "query_name", metavar="NAME", help="Run a named query from data/queries/.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Parameter of the named query (repeatable).")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and exit.")
@click.option("--timeout", type=float, default=30.0, show_default=True,
              help="Seconds to wait while a crawl holds the write lock.")
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
    from newsmon.data import named

    if list_queries:
        infos = named.list_queries()
        df = pd.DataFrame([{"name": q.name, "params": ", ".join(p.name for p in q.params),
                            "row": q.row_doc} for q in infos])
        emit(df, fmt)
        return
    given = click.get_current_context().get_parameter_source("staging_dir")
    staged = staged or given is click.core.ParameterSource.COMMANDLINE
    if query_name:
        if statement:
            raise CliError("give either a SQL statement or --query, not both", EXIT_USAGE)
        if staged:
            raise CliError("--staged and --staging go with a SQL statement, not --query", EXIT_USAGE)
        emit(named.run_query(db_path, query_name, parse_params(params), timeout=timeout), fmt)
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
                          timeout=timeout), fmt)
        return
    from newsmon.data.connection import query_sandboxed
    emit(query_sandboxed(db_path, statement, timeout=timeout), fmt)


# -- db -------------------------------------------------------------------------------
@cli.group()
def db():
    """Create, migrate and inspect the database."""


@db.command("migrate")
@db_option
def db_migrate(db_path):
    """Apply pending schema migrations (also done on first use).

    \b
    Example:
      newsmon db migrate --db data/newsmon.duckdb
    """
    from newsmon.data.migrate import migrate
    applied = migrate(db_path)
    if applied:
        for m in applied:
            click.echo(f"applied {m.label}")
    else:
        click.echo("schema is up to date")


@db.command("status")
@format_option
@db_option
def db_status(fmt, db_path):
    """Show applied and pending migrations and the row count of each table.

    \b
    Example:
      newsmon db status
    """
    from newsmon.data.migrate import status
    st = status(db_path)
    if fmt == "json":
        click.echo(json.dumps(st, default=str, indent=2))
        return
    click.echo(f"database: {db_path}" + ("" if st.get("exists", True) else " (not created yet)"))
    applied = st.get("applied") or []
    click.echo("applied migrations: " + (", ".join(
        f"{m['version']:03d} {m['name']}" for m in applied) or "none"))
    pending = st.get("pending") or []
    click.echo("pending migrations: " + (", ".join(
        f"{m['version']:03d} {m['name']}" if isinstance(m, dict) else str(m) for m in pending)
        or "none"))
    for m in st.get("unknown") or []:
        click.echo(f"warning: the database has migration {m} that this newsmon does not know")
    tables = st.get("tables") or {}
    if tables:
        click.echo("rows:")
        for name, n in tables.items():
            click.echo(f"  {name:<20} {n:>12,}")


@cli.command()
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
@format_option
@db_option
def runs(limit, fmt, db_path):
    """List recent crawl runs with their status and main stats.

    \b
    Example:
      newsmon runs --limit 5
    """
    from newsmon.data.store import query
    df = query(db_path, """
        select run_id, started_at, finished_at, status, array_to_string(sources, ',') as sources,
               coalesce(json_extract(stats, '$."newsmon/processed"')::int, 0) as kept,
               coalesce(json_extract(stats, '$."newsmon/stored/inserted"')::int, 0) as new,
               coalesce(json_extract(stats, '$."newsmon/stored/updated"')::int, 0) as updated
        from crawl_runs order by run_id desc limit $limit""", {"limit": limit})
    emit(df, fmt)


# -- digest and export ------------------------------------------------------------------
@cli.command()
@click.option("--week", default=None, metavar="YYYY-Www",
              help="ISO week, e.g. 2026-W47 (default: the latest week with articles).")
@click.option("--topic", default=None, metavar="NAME",
              help="Only articles matching this topic profile (nlp/topics/NAME.toml) "
                   "at its threshold.")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json", "csv", "parquet"]),
              default="md", show_default=True)
@click.option("--out", type=click.Path(), default=None,
              help="File or folder to write (default: md/html/json to stdout, "
                   "csv/parquet to ./digest-<week>/).")
@click.option("--timeout", type=float, default=30.0, show_default=True,
              help="Seconds to wait while a crawl holds the write lock.")
@db_option
def digest(week, topic, fmt, out, timeout, db_path):
    """The weekly digest: top stories, people and organisations, notable figures,
    articles per day and per source.

    \b
    Examples:
      newsmon digest --format html --out digest.html
      newsmon digest --week 2026-W46 --format md
      newsmon digest --format csv --out digest-data/
    """
    from newsmon.data.digest import build_digest, render_html, render_markdown, write_digest

    filters = {}
    if topic:
        from newsmon.nlp.relevance import TopicProfile
        profile = TopicProfile.load(topic)
        filters = {"topic": profile.name, "terms": profile.term_names,
                   "min_relevance": profile.threshold}
    d = build_digest(db_path, week, timeout=timeout, **filters)
    if out is None and fmt in ("md", "html", "json"):
        if fmt == "json":
            from newsmon.data.digest.write import to_json_dict
            click.echo(json.dumps(to_json_dict(d), ensure_ascii=False, indent=2, default=str))
        else:
            click.echo(render_markdown(d) if fmt == "md" else render_html(d), nl=False)
        return
    paths = write_digest(d, fmt, out or f"digest-{d.week}")
    for p in paths:
        click.echo(f"wrote {p}", err=True)


@cli.command()
@click.argument("table", type=click.Choice(["articles", "mentions", "figures", "entities"]))
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet",
              show_default=True)
@click.option("--out", type=click.Path(), default=".", show_default=True,
              help="File, or folder for TABLE.FORMAT.")
@click.option("--since", default=None, metavar="YYYY-MM-DD",
              help="Only articles published (or first seen) on or after this date.")
@click.option("--source", default=None, metavar="NAME", help="Only this source's articles.")
@db_option
def export(table, fmt, out, since, source, db_path):
    """Stream a table to Parquet or CSV (formula-safe) without loading it into memory.

    \b
    Examples:
      newsmon export articles --format parquet --out articles.parquet
      newsmon export figures --format csv --since 2026-11-01 --source ofcom-online-safety
    """
    from newsmon.data.export import export_table
    n = export_table(db_path, table, fmt, out, since=since, source=source)
    click.echo(f"exported {n} rows of {table}", err=True)
