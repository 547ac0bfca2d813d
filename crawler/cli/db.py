"""CLI commands that manage the database or write from it: `db`, `runs`, `digest`, `export`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from newsmon.crawler.cli import EXIT_DATABASE, CliError, FiniteRange, cli, db_option, say
from newsmon.crawler.cli.changes import send_options, watchlist_option
from newsmon.crawler.cli.output import Rows, emit, format_option


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
    applied = migrate(db_path)  # then reads every table: a damaged file exits 4
    if applied:
        for m in applied:
            click.echo(f"applied {m.label}")
    else:
        click.echo("schema is up to date (every table read in full)")


@db.command("check")
@db_option
def db_check(db_path):
    """Verify the database without changing it: it opens as DuckDB, is as long
    as its blocks say, its migrations are ones this newsmon knows, and every
    table reads in full (every block's checksum) and every view resolves.

    Exits 0 when this newsmon can use it, 4 when it is damaged or was written by
    a newer newsmon.

    \b
    Example:
      newsmon db check --db data/newsmon.duckdb
    """
    from newsmon.data.migrate import check
    report = check(db_path)
    tables = [t for t in report.tables if t.kind == "table"]
    views = [t for t in report.tables if t.kind == "view"]
    click.echo(f"database: {db_path} ({report.size / 2**20:,.1f} MB)")
    click.echo(f"migrations: {len(report.applied)} applied, {len(report.pending)} pending"
               + (f", unknown to this newsmon: {', '.join(map(str, report.unknown))}"
                  if report.unknown else ""))
    unread = [t for t in tables if t.error and not t.fix]  # a table out of date was still read in full
    rows = sum(t.rows or 0 for t in tables if t not in unread)
    click.echo(f"tables: {len(tables) - len(unread)} of {len(tables)} "
               f"read in full ({rows:,} rows); views: {len(views) - sum(bool(v.error) for v in views)}"
               f" of {len(views)} resolve")
    for t in report.problems:
        click.echo(f"  {t.kind} {t.name}: {t.error}", err=True)
    if report.problems and all(t.fix for t in report.problems):
        raise CliError(f"{db_path} reads in full, but " + "; ".join(f"{t.name} is out of date ({t.fix})"
                                                                    for t in report.problems), EXIT_DATABASE)
    if report.problems:
        raise CliError(f"{db_path} is damaged: {len(report.problems)} table(s) or view(s) "
                       f"cannot be read; restore it from a backup", EXIT_DATABASE)
    if report.unknown:
        raise CliError(f"{db_path} was written by a newer newsmon (migration(s) "
                       f"{', '.join(map(str, report.unknown))}); upgrade newsmon to write to it",
                       EXIT_DATABASE)
    click.echo("ok" + (f" ({len(report.pending)} migration(s) to apply: newsmon db migrate)"
                       if report.pending else ""))


@db.command("reindex")
@click.option("--timeout", type=FiniteRange(0, 3600), default=30.0, show_default=True,
              help="Seconds to wait while a reader or writer holds the database.")
@db_option
def db_reindex(timeout, db_path):
    """Build the full-text search index (newsmon search) and the weekly counts
    (table entity_weeks, column mentions.week_start) from scratch.

    Crawls, loads and reannotate keep both current by themselves, reading only
    new and changed articles; rebuild them after a newsmon upgrade that says so,
    when `newsmon db check` finds the counts out of date (mentions written by
    other tools), or to re-sort the index. Takes the run lock like a crawl (exit 6
    while one runs).

    \b
    Example:
      newsmon db reindex --db data/newsmon.duckdb
    """
    from newsmon.data.connection import check_header
    from newsmon.data.lock import RunLock
    from newsmon.data.search import reindex
    from newsmon.data.store import Store

    check_header(Path(db_path))
    if not Path(db_path).exists():
        raise CliError(f"{db_path} does not exist; run a crawl or `newsmon demo` first", EXIT_DATABASE)
    with RunLock(db_path):
        report = reindex(db_path, timeout=timeout)
        weeks = Store(db_path, busy_timeout=timeout).recount_weeks()
    say(report.summary())
    say(f"weekly counts: {weeks:,} entity-weeks")


@db.command("status")
@format_option(choices=("table", "json"))
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
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=20, show_default=True)
@format_option
@db_option
def runs(limit, fmt, db_path):
    """List recent crawl runs with their status and main stats.

    \b
    Example:
      newsmon runs --limit 5
    """
    from newsmon.data.summary import recent_runs
    emit(Rows.from_frame(recent_runs(db_path, limit)), fmt)


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
@click.option("--timeout", type=FiniteRange(0, 3600), default=30.0, show_default=True,
              help="Seconds to wait while a crawl holds the write lock.")
@watchlist_option
@send_options
@db_option
def digest(week, topic, fmt, out, timeout, watchlist_path, send, recipients, db_path):
    """The weekly digest: the week's alerts and watched entities, top stories with their
    summaries, people and organisations, notable figures, articles per day and per source.

    \b
    Examples:
      newsmon digest --format html --out digest.html
      newsmon digest --week 2026-W46 --format md
      newsmon digest --format csv --out digest-data/
      newsmon digest --watchlist watchlist.toml --format html --out digest.html
      newsmon digest --send --to team@example.org      # SMTP settings: README, Delivery
    """
    from newsmon.data.digest import build_digest, render_html, render_markdown, write_digest

    filters = {}
    if topic:
        from newsmon.nlp.relevance import TopicProfile
        profile = TopicProfile.load(topic)
        filters = {"topic": profile.name, "terms": profile.term_names,
                   "min_relevance": profile.threshold}
    from newsmon.data.alerts import load_watchlist
    d = build_digest(db_path, week, timeout=timeout, watchlist=load_watchlist(watchlist_path), **filters)
    if send:
        from newsmon.crawler.cli.changes import send_digest
        send_digest(d, recipients)
        return
    if out is None and fmt in ("md", "html", "json"):
        if fmt == "json":
            from newsmon.data.digest.write import to_json_dict
            click.echo(json.dumps(to_json_dict(d), ensure_ascii=False, indent=2, default=str))
        else:
            click.echo(render_markdown(d) if fmt == "md" else render_html(d), nl=False)
        return
    paths = write_digest(d, fmt, out or f"digest-{d.week}")
    for p in paths:
        say(f"wrote {p}", err=True)


@cli.command()
@click.argument("table", type=click.Choice(["articles", "mentions", "figures", "fines", "entities"]))
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
      newsmon export fines --format csv --out fines.csv
    """
    from newsmon.data.export import export_table
    n = export_table(db_path, table, fmt, out, since=since, source=source)
    say(f"exported {n} rows of {table}", err=True)
