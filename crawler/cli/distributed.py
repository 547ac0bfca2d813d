"""CLI of distributed runs: the `worker` command and the frontier side of `crawl`.

The protocol is crawler/distributed/; this module owns the options
(`--frontier`, `--run`), the default run name, signal handling for workers
and what is printed.  A lost or unreachable Redis is FrontierError (exit 7).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from newsmon.crawler.cli import (EXIT_CRAWL, EXIT_LOCKED, CliError, FiniteRange, cli, db_option,
                                  say, staging_option)
from newsmon.crawler.cli.options import frontier_option, run_option, sources_option
from newsmon.nlp.models import DEFAULT_MODEL

STOP_BOUND = 4.0  # seconds after SIGTERM/SIGINT before a worker is cut short (crawler.shutdown);
# the cut lands when spaCy next runs Python code, a second or two later under load


def run_name_for(run_name: str | None, sources_path: str | None) -> str:
    from newsmon.crawler.distributed.frontier import default_run_name
    from newsmon.crawler.sources import DEFAULT_SOURCES
    return run_name or default_run_name(sources_path or DEFAULT_SOURCES)


def crawl_on_frontier(sources, db_path: str, overrides: dict, *, frontier: str,
                      run_name: str, staging_dir: str | None, spider: str) -> None:
    """`newsmon crawl --frontier`: this process's share of the run, then a summary."""
    from newsmon.crawler.distributed.crawl import frontier_crawl, raise_if_lost

    outcome = frontier_crawl(sources, db_path, overrides, frontier=frontier, run=run_name,
                             staging_dir=staging_dir, spider=spider)
    st = outcome.stats
    dropped = sum(int(v) for k, v in st.items() if k.startswith("newsmon/dropped/"))
    say(f"frontier run {outcome.run} ({st.get('newsmon/frontier/role', '?')}, "
        f"{st.get('newsmon/frontier/member', '?')}): {outcome.status}; "
        f"{outcome.pages} article pages fetched, "
        f"{int(st.get('newsmon/frontier/articles_queued', 0))} articles queued for "
        f"the workers, {dropped} dropped, "
        f"{int(st.get('newsmon/skipped_known', 0))} known pages skipped")
    raise_if_lost(outcome)
    if outcome.status != "ok":
        raise CliError(f"frontier crawl {outcome.status} (finish reason: "
                       f"{st.get('finish_reason')})", EXIT_CRAWL)


@cli.command()
@frontier_option(True, "Redis shared by the run's processes (or $NEWSMON_FRONTIER).")
@run_option
@sources_option
@click.option("--batch", type=click.IntRange(1, 1024), default=32, show_default=True,
              help="Articles taken, annotated and staged together.")
@click.option("--model", default=DEFAULT_MODEL, show_default=True,
              envvar="NEWSMON_MODEL", help="spaCy pipeline (an installed package or a path).")
@click.option("--forever", is_flag=True,
              help="Keep waiting for articles after the run's crawl has finished.")
@click.option("--no-load", is_flag=True,
              help="Only stage batches; leave loading to `newsmon load`.")
@click.option("--load-every", type=FiniteRange(0, 86_400), default=10.0, show_default=True,
              help="Seconds between loads into the database while the run goes on.")
@click.option("--lock-wait", type=FiniteRange(0, 86_400), default=120.0, show_default=True,
              help="Seconds to wait at exit for the run lock to load what is left.")
@staging_option(help="Folder for the staged Parquet batches (shared by the run's processes).")
@db_option
def worker(frontier, run_name, sources_path, batch, model, forever, no_load, load_every,
           lock_wait, staging_dir, db_path):
    """Annotate the articles a frontier crawl queued, stage them, load them.

    Takes articles from the run's Redis queue, runs spaCy on the English ones,
    writes Parquet batches to the staging folder and loads them into the
    database whenever its run lock is free. Stops when the run's crawl has
    finished and every article is staged (not with --forever); SIGTERM or
    Ctrl-C finishes the batch in hand first. Exit 7 when Redis is unreachable
    or lost; staged batches always stay.

    \b
    Examples:
      newsmon crawl --frontier redis://10.0.0.5:6379/0 &      # on any number of machines
      newsmon worker --frontier redis://10.0.0.5:6379/0        # as many as you like
      newsmon worker --frontier redis://10.0.0.5:6379/0 --run nightly --batch 64
    """
    from newsmon.crawler.distributed.worker import Worker, WorkerConfig
    from newsmon.crawler.shutdown import StopNow, stop_within
    from newsmon.data.staging import default_staging_dir
    from newsmon.nlp.models import check_model

    check_model(model)  # before taking articles from the queue
    config = WorkerConfig(
        frontier=frontier, run=run_name_for(run_name, sources_path), db_path=Path(db_path),
        staging_dir=Path(staging_dir) if staging_dir else default_staging_dir(db_path),
        model=model, batch=batch, forever=forever, load=not no_load, load_every=load_every,
        lock_wait=lock_wait)
    work = Worker(config)
    try:
        with stop_within(work.stop, STOP_BOUND):
            report = work.run()
    except StopNow as exc:  # the batch in hand went back to the queue for the other workers
        click.echo(f"Error: worker stopped ({exc}); the articles it held are back in the queue "
                   f"and its staged batches stay in {config.staging_dir}", err=True)
        sys.stderr.flush()
        os._exit(EXIT_CRAWL)  # now: tearing down a pipeline in the middle of a text takes seconds
    load = report.load
    say(f"worker {report.worker} (run {config.run}): {report.articles} articles "
        f"({report.annotated} annotated) in {report.batches} batches; "
        f"{report.recovered} taken over from stopped workers; "
        f"{report.unreadable} unreadable; loaded {load.inserted} new, "
        f"{load.updated} updated, {load.unchanged} unchanged")
    if report.left_staged and config.load and work.stopped:
        raise CliError(f"worker stopped by a signal; {report.left_staged} batches stay staged in "
                       f"{config.staging_dir}: load them with `newsmon load`", EXIT_CRAWL)
    if report.left_staged and config.load:
        raise CliError(f"{report.left_staged} batches stay staged in {config.staging_dir}: the "
                       f"run lock of {db_path} stayed taken; load them with `newsmon load`",
                       EXIT_LOCKED)
