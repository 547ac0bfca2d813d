"""CLI commands that crawl: `crawl`, `demo`, and `sources list` (their options: options.py)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click
from rich.console import Console

from newsmon.crawler.cli import EXIT_CRAWL, CliError, cli, db_option, quiet
from newsmon.crawler.cli.options import (crawl_options, crawl_overrides, frontier_options,
                                          parse_sets, sources_option, target_options)


@cli.command()
@target_options
@sources_option
@crawl_options
@frontier_options
@db_option
def crawl(names, spider, contact, extra, sources_path, topic, threshold, keep_all, model,
          processes, frontier, run_name, staging_dir, db_path):
    """Crawl the configured sources into the database.

    Exits 3 when the crawl failed or fetched no article page (for cron), 6 when
    another newsmon run is using the database. With --frontier, this process
    is one of any number sharing the run through Redis: extracted articles go
    to `newsmon worker` processes, and it exits 7 when Redis is unreachable or lost.

    \b
    Examples:
      newsmon crawl                          # every enabled source
      newsmon crawl --source ofcom-news --source cnil
      newsmon crawl --sources my-sources.toml --contact me@example.org
      newsmon crawl --frontier redis://10.0.0.5:6379/0 --run nightly   # on each machine
    """
    from newsmon.crawler.runs.record import crawl_and_record
    from newsmon.crawler.runs.report import print_summary
    from newsmon.crawler.sources import DEFAULT_SOURCES, load_sources, select

    settings = parse_sets(extra)  # a wrong -s/--set is exit 2 before anything runs
    sources = select(load_sources(sources_path or DEFAULT_SOURCES), names or None)
    if not sources:
        raise CliError("no enabled sources to crawl", EXIT_CRAWL)
    overrides = crawl_overrides(topic, threshold, keep_all, model, processes)
    if contact:
        overrides["NEWSMON_CONTACT"] = contact
    overrides.update(settings)
    if frontier:
        from newsmon.crawler.cli.distributed import crawl_on_frontier, run_name_for
        crawl_on_frontier(sources, db_path, overrides, frontier=frontier,
                          run_name=run_name_for(run_name, sources_path),
                          staging_dir=staging_dir, spider=spider)
        return
    try:
        outcome = crawl_and_record(sources, db_path, overrides, spider=spider,
                                   log_to_stderr=False)
    except KeyboardInterrupt:  # a signal before or after the crawl itself
        raise CliError("crawl interrupted before it started fetching; the run is recorded "
                       "as interrupted", EXIT_CRAWL) from None
    if not quiet():
        print_summary(outcome, db_path)
    if outcome.status == "interrupted":  # a signal asked for an exit: no slow teardown
        click.echo(f"Error: {crawl_failure(outcome)}", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_CRAWL)
    if outcome.status != "ok":
        raise CliError(crawl_failure(outcome), EXIT_CRAWL)


def crawl_failure(outcome) -> str:
    """The one line a failed crawl ends with (all a cron mail shows with -q)."""
    from newsmon.crawler.runs.report import failed_sources
    why = outcome.stats.get("newsmon/store_error")  # a full disk, a damaged file...
    line = (f"crawl {outcome.status}: {outcome.pages} article pages fetched "
            + (f"but not all stored: {why}" if why else
               f"(finish reason: {outcome.stats.get('finish_reason')})"))
    failed = failed_sources(outcome.stats)
    if failed:
        line += "; " + "; ".join(failed[:3]) + (f"; and {len(failed) - 3} more failed sources"
                                               if len(failed) > 3 else "")
    return line


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=0,
              help="Port for the demo site on 127.0.0.1 (default: a free one).")
@click.option("--edited", is_flag=True,
              help="Serve the site after its editors changed an article (a figure, a new "
                   "organisation): run after `newsmon demo`, it shows a version, an edit alert "
                   "and `newsmon diff`.")
@crawl_options
@db_option
def demo(port, edited, topic, threshold, keep_all, model, processes, db_path):
    """Serve the bundled sample news site on 127.0.0.1, crawl it, and summarise.

    Fully offline: the real spiders, extraction, NLP and DuckDB on 46 articles
    written for this project. The site is named http://newsmon-demo.invalid
    whatever port serves it, so running the demo again finds the same articles.

    \b
    Example:
      newsmon demo && newsmon sql "select * from article_summary limit 5"
      newsmon demo --edited    # then: newsmon diff URL, as it says
    """
    from newsmon.crawler.demo.site import (DEMO_SITE_URL, demo_routes, demo_sources_file, edited_urls,
                                           serve_demo_site)
    from newsmon.crawler.runs.record import crawl_and_record
    from newsmon.crawler.runs.report import print_summary, summary_console
    from newsmon.crawler.sources import load_sources

    console = summary_console()
    overrides = crawl_overrides(topic, threshold, keep_all, model, processes)
    with serve_demo_site(port=port, site_url=DEMO_SITE_URL, edited=edited) as server, \
            tempfile.TemporaryDirectory() as tmp:
        if not quiet():
            console.print(f"demo site: {server.base_url}/ served by {server.address} "
                          "(feed /rss.xml, sitemap /sitemap.xml)", markup=False)
        sources = load_sources(demo_sources_file(server.base_url, Path(tmp) / "sources.toml"))
        overrides["NEWSMON_ROUTES"] = demo_routes(server)
        outcome = crawl_and_record(sources, db_path, overrides)
    if not quiet():
        print_summary(outcome, db_path, console, tables=True)
    if outcome.status != "ok":
        raise CliError("demo " + crawl_failure(outcome), EXIT_CRAWL)
    if not quiet():
        from newsmon.crawler.runs.report import print_alerts
        print_alerts(db_path, console)
        if edited:
            from newsmon.data.versions import article_history
            for url in edited_urls(DEMO_SITE_URL):
                if len(article_history(db_path, url).versions) > 1:
                    console.print(f"What the editors changed: newsmon diff --db {db_path} {url}", markup=False)
                else:
                    console.print(f"{url} was new to this database, so there is no earlier version to "
                                  "compare: run `newsmon demo` first, then `newsmon demo --edited`.", markup=False)


@cli.group()
def sources():
    """Inspect the sources file."""


@sources.command("list")
@sources_option
@click.option("--all", "include_disabled", is_flag=True, help="Include disabled sources.")
def sources_list(sources_path, include_disabled):
    """List the configured sources.

    \b
    Example:
      newsmon sources list --sources crawler/sources.toml
    """
    from rich.table import Table

    from newsmon.crawler.sources import DEFAULT_SOURCES, load_sources

    rows = load_sources(sources_path or DEFAULT_SOURCES, include_disabled=include_disabled)
    table = Table(title=f"{len(rows)} sources")
    for col in ("name", "language", "homepage", "feeds", "sitemaps", "follow", "delay", "conc."):
        table.add_column(col)
    for s in rows:
        table.add_row(s.name, s.language or "", s.homepage, str(len(s.feeds)),
                      str(len(s.sitemaps)), "yes" if s.follow else "", f"{s.delay:g}",
                      str(s.concurrency))
    Console(width=160 if not sys.stdout.isatty() else None).print(table)
