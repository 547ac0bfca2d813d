"""The `newsmon` command line.

This package owns the click commands and the one place where typed errors
from `crawler`, `nlp` and `data` become one-line messages and exit codes.
Only the CLI configures logging and prints.

Exit codes (stable, for cron and scripts):

    0  success
    1  an error while running (bad SQL, a failed step)
    2  wrong usage: unknown flag or value, bad sources file, unknown query, a statement
       the SQL sandbox refused
    3  a crawl failed or fetched nothing it should have
    4  the database file is not a DuckDB database, or its schema could not be migrated
    5  the database stayed busy (locked by a writer) past the timeout
    6  another newsmon run (crawl, run, demo, load) holds the database's run lock
    7  the Redis frontier of a distributed run is unreachable or was lost
"""

from __future__ import annotations

import logging
import os
import sys

import click

from newsmon.data.connection import DEFAULT_DB_PATH

EXIT_ERROR, EXIT_USAGE, EXIT_CRAWL, EXIT_DATABASE, EXIT_BUSY, EXIT_LOCKED = 1, 2, 3, 4, 5, 6
EXIT_FRONTIER = 7


class CliError(click.ClickException):
    """A clean failure with a message and an exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR):
        super().__init__(message)
        self.exit_code = exit_code


def _error_map() -> list[tuple[type[BaseException], int]]:
    """Typed errors, most specific first, and the exit code each one means."""
    import duckdb

    from newsmon.crawler.delivery import DeliveryError
    from newsmon.crawler.distributed.frontier import FrontierError
    from newsmon.data.lock import RunLockedError
    from newsmon.crawler.runs.runner import CrawlError
    from newsmon.crawler.sources import SourcesError
    from newsmon.data import errors as de
    from newsmon.nlp.models import ModelNotFoundError
    from newsmon.nlp.relevance import ProfileError
    return [
        (RunLockedError, EXIT_LOCKED),
        (FrontierError, EXIT_FRONTIER),
        (SourcesError, EXIT_USAGE),
        (ProfileError, EXIT_USAGE),
        (ModelNotFoundError, EXIT_USAGE),
        (de.UnknownQueryError, EXIT_USAGE),
        (de.QueryParamError, EXIT_USAGE),
        (de.ExportError, EXIT_USAGE),
        (de.SandboxError, EXIT_USAGE),
        (de.ArticleNotFoundError, EXIT_USAGE),
        (de.WatchlistError, EXIT_USAGE),
        (DeliveryError, EXIT_ERROR),
        (de.VersionNotFoundError, EXIT_USAGE),
        (de.SearchIndexError, EXIT_ERROR),
        (de.NotADatabaseError, EXIT_DATABASE),
        (de.MigrationError, EXIT_DATABASE),
        (de.DatabaseNotFoundError, EXIT_DATABASE),
        (de.DatabaseBusyError, EXIT_BUSY),
        (de.DataError, EXIT_ERROR),
        (CrawlError, EXIT_CRAWL),
        (duckdb.Error, EXIT_ERROR),
        (FileNotFoundError, EXIT_USAGE),
    ]


class NewsmonGroup(click.Group):
    """A click group that turns the project's typed errors into CLI errors, in one place."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            for cls, code in _error_map():
                if isinstance(exc, cls):
                    raise CliError(_message(exc), code) from exc
            raise


def _message(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if type(exc).__module__.startswith("duckdb"):
        text = f"{type(exc).__name__}: {text}"
    return text


def setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING
    if verbose == 1:
        level = logging.INFO
    elif verbose >= 2:
        level = logging.DEBUG
    if quiet:
        level = logging.ERROR
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # the handler filters too: Scrapy resets its own loggers to DEBUG when a crawl starts
    noisy = ("scrapy", "twisted", "trafilatura", "htmldate", "courlan", "charset_normalizer")
    handler.addFilter(lambda rec: verbose >= 2 or rec.levelno >= logging.WARNING
                      or not rec.name.startswith(noisy))
    handler.setLevel(level)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def db_option(func):
    """--db PATH (or $NEWSMON_DB); default ./data/newsmon.duckdb in the working directory."""
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False), envvar="NEWSMON_DB",
        default=str(DEFAULT_DB_PATH), show_default="./data/newsmon.duckdb or $NEWSMON_DB",
        help="DuckDB database file.")(func)


def staging_option(help: str):
    """--staging DIR (or $NEWSMON_STAGING); default: <db>.staging beside the database."""
    return click.option(
        "--staging", "staging_dir", type=click.Path(file_okay=False), envvar="NEWSMON_STAGING",
        default=None, show_default="<db>.staging or $NEWSMON_STAGING", help=help)


@click.group(cls=NewsmonGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for Scrapy's own).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.version_option("0.1.0", prog_name="newsmon")
def cli(verbose: int, quiet: bool) -> None:
    """newsmon: crawl news about platform regulation, extract people, organisations
    and figures, and keep it all in DuckDB.

    \b
    Example:
      newsmon demo                      # offline demo on a bundled news site
      newsmon sql "select title from articles limit 5"
    """
    setup_logging(verbose, quiet)


def main() -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    cli(prog_name="newsmon")


# the command modules register themselves on `cli` when imported
from newsmon.crawler.cli import crawl as _crawl_cmds, db as _db_cmds, nlp as _nlp_cmds  # noqa: E402,F401
from newsmon.crawler.cli import run as _run_cmds, staging as _staging_cmds  # noqa: E402,F401
from newsmon.crawler.cli import query as _query_cmds  # noqa: E402,F401
from newsmon.crawler.cli import distributed as _distributed_cmds  # noqa: E402,F401
from newsmon.crawler.cli import entities as _entities_cmds  # noqa: E402,F401
from newsmon.crawler.cli import changes as _changes_cmds  # noqa: E402,F401
