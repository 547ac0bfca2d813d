"""CLI command that merges batches staged by workers into the database: `load`.

The loading itself is data/staging.py; this module owns the run lock around it,
the `--keep-going` loop and what is printed.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import click

from newsmon.crawler.cli import (EXIT_CRAWL, EXIT_ERROR, CliError, FiniteRange, cli, db_option,
                                  say, staging_option)

logger = logging.getLogger(__name__)

STOP_BOUND = 8.0  # seconds after SIGTERM/SIGINT before a load is cut short (crawler.shutdown)


@cli.command()
@staging_option(help="Staging folder to load.")
@click.option("--keep-going", is_flag=True,
              help="Don't stop after one pass: load new batches every --every seconds until "
                   "Ctrl-C or SIGTERM. A pass that finds the run lock held or the database "
                   "busy is skipped, and the lock is free between passes.")
@click.option("--every", type=FiniteRange(0.1, 86_400), default=5.0, show_default=True,
              help="Seconds between passes with --keep-going.")
@click.option("--max-batches", type=click.IntRange(1, 1_000_000), default=None,
              help="Load at most N batches per pass (oldest first).")
@click.option("--timeout", type=FiniteRange(0, 3600), default=30.0, show_default=True,
              help="Seconds to wait while a reader holds the database.")
@db_option
def load(staging_dir, keep_going, every, max_batches, timeout, db_path):
    """Merge the batches staged by workers into the database, oldest first.

    Each batch commits together with its row in staged_batches and is removed
    after the commit, so loading again changes nothing. A batch that cannot be
    read or stored is moved to <staging>/rejected/ and the others still load.
    Takes the run lock like `crawl` (exit 6 while another run holds it);
    exits 1 when a batch was rejected. SIGTERM or SIGINT ends it within 8 s: after
    the transaction under way (exit 3; what is not loaded stays staged).

    \b
    Examples:
      newsmon load                                  # <db>.staging into the database
      newsmon load --staging /srv/shared/staging --db data/newsmon.duckdb
      newsmon load --keep-going --every 10          # a loader running beside the workers
    """
    from newsmon.crawler.shutdown import stop_within
    from newsmon.data.staging import default_staging_dir

    folder = Path(staging_dir) if staging_dir else default_staging_dir(db_path)
    stop = threading.Event()
    try:
        with stop_within(stop.set, STOP_BOUND):
            if keep_going:
                report = _keep_loading(db_path, folder, every, max_batches, timeout, stop)
            else:
                report = _one_pass(db_path, folder, max_batches, timeout, stop)
    except KeyboardInterrupt:  # past the bound (or Ctrl-C twice): the transaction rolled back
        raise CliError(f"load interrupted; the batches not loaded yet stay in {folder}",
                       EXIT_CRAWL) from None
    say(("total: " if keep_going else "") + report.summary())
    for error in report.errors:
        click.echo(f"rejected {error.batch_id}: {error.reason}", err=True)
    if report.errors:
        raise CliError(f"{report.batches_rejected} batch(es) rejected; they are in "
                       f"{folder / 'rejected'}", EXIT_ERROR)
    if stop.is_set() and not keep_going and report.stopped:
        raise CliError(f"load stopped by a signal; the batches not loaded yet stay in {folder}",
                       EXIT_CRAWL)


def _one_pass(db_path, folder: Path, max_batches: int | None, timeout: float,
              stop: threading.Event):
    from newsmon.data.lock import RunLock
    from newsmon.data.staging import load_staged

    with RunLock(db_path):
        return load_staged(db_path, folder, busy_timeout=timeout, max_batches=max_batches,
                           stop=stop.is_set)


def _keep_loading(db_path, folder: Path, every: float, max_batches: int | None, timeout: float,
                  stop: threading.Event):
    """Passes every `every` seconds until SIGINT/SIGTERM; returns the summed report."""
    from newsmon.data.lock import RunLockedError
    from newsmon.data.errors import DatabaseBusyError
    from newsmon.data.staging import LoadReport

    total = LoadReport()
    while not stop.is_set():
        try:
            report = _one_pass(db_path, folder, max_batches, timeout, stop)
        except (RunLockedError, DatabaseBusyError) as exc:
            logger.info("load pass skipped: %s", exc)
        else:
            total.merge(report)
            if report.batches_loaded or report.batches_skipped or report.errors:
                say(report.summary())
        stop.wait(every)
    logger.info("stopped; staged batches not loaded yet stay staged")
    return total
