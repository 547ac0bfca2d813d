"""The `newsmon` command line.

This package owns the click commands and the one place where typed errors
from `crawler`, `nlp` and `data` become one-line messages and exit codes.
Only the CLI configures logging and prints.

Exit codes (stable, for cron and scripts):

    0  success
    1  an error while running (bad SQL, a failed step)
    2  wrong usage: unknown flag or value, bad sources file, unknown query, a statement
       the SQL sandbox refused
    3  a crawl failed, fetched nothing it should have, could not store (disk full
       during the crawl), or was interrupted (SIGINT/SIGTERM)
    4  the database cannot be used: not a DuckDB file, damaged, written by a newer
       newsmon (unknown migration), or its disk is read-only or full before the work
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
        (de.DamagedDatabaseError, EXIT_DATABASE),
        (de.StorageError, EXIT_DATABASE),
        (de.MigrationError, EXIT_DATABASE),
        (de.DatabaseNotFoundError, EXIT_DATABASE),
        (de.DatabaseBusyError, EXIT_BUSY),
        (de.DataError, EXIT_ERROR),
        (CrawlError, EXIT_CRAWL),
        (duckdb.Error, EXIT_ERROR),
        (FileNotFoundError, EXIT_USAGE),
    ]


class NewsmonGroup(click.Group):
    """A click group that turns the project's typed errors into CLI errors, in one place,
    and prints every error as one line: wrong usage is exit 2 with what was wrong and
    where help is; a bug is exit 1 with its type and message (the traceback with -v)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            exc = _typed(exc)
            for cls, code in _error_map():
                if isinstance(exc, cls):
                    raise CliError(_message(exc), code) from exc
            raise

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # a group without its command
            group = exc.ctx.command if exc.ctx is not None else self
            if exc.ctx is None or exc.ctx.parent is None:  # plain `newsmon`: the help
                click.echo(exc.ctx.get_help() if exc.ctx is not None else "")
                sys.exit(0)
            names = ", ".join(group.list_commands(exc.ctx)) if isinstance(group, click.Group) else ""
            click.echo(f"Error: `{exc.ctx.command_path}` needs a command: {names} "
                       f"(see `{exc.ctx.command_path} --help`)", err=True)
            sys.exit(EXIT_USAGE)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else (prog_name or "newsmon")
            message = " ".join(exc.format_message().split())  # click lists choices on lines
            click.echo(f"Error: {message} (see `{where} --help`)", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            click.echo("Aborted.", err=True)
            sys.exit(EXIT_ERROR)
        except Exception as exc:  # a bug: one line, the traceback in the log with -v
            logging.getLogger("newsmon").info("unexpected error", exc_info=True)
            click.echo(f"Error: unexpected {type(exc).__name__}: {exc} (a bug: run again with -v "
                       "for the traceback, and report it)", err=True)
            sys.exit(EXIT_ERROR)
        sys.exit(result if isinstance(result, int) else 0)


def _typed(exc: Exception) -> Exception:
    """A raw DuckDB or OS error that says the disk or the file failed, as its typed error."""
    import duckdb

    if isinstance(exc, (duckdb.Error, OSError)) and not isinstance(exc, FileNotFoundError):
        from newsmon.data.integrity import storage_error
        typed = storage_error(exc, getattr(exc, "filename", None) or "the database", "cannot use")
        if typed is not None:
            typed.__cause__ = exc
            return typed
    return exc


def _message(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if type(exc).__module__.startswith("duckdb"):
        text = f"{type(exc).__name__}: {text}"
    return text


# libraries that log every failed request: details of what the summary counts
NOISY_LOGGERS = ("scrapy", "twisted", "trafilatura", "htmldate", "courlan", "charset_normalizer",
                 "asyncio", "py.warnings")


class _OneLineFormatter(logging.Formatter):
    """A library's record is one line (its message already names the error): the
    traceback Scrapy attaches to a failed robots.txt or download shows with -vv only."""

    def __init__(self, verbose: int):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        if self.verbose < 2 and record.exc_info and record.name.startswith(NOISY_LOGGERS):
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return super().format(record)


def setup_logging(verbose: int, quiet: bool) -> None:
    """stderr: newsmon's warnings (-v its info, -vv everything, Scrapy's debug too).
    -q: errors only, and none of the libraries' per-request errors (the summary and the
    exit code say what failed), so a cron mail holds one line when something broke."""
    level = logging.WARNING
    if verbose == 1:
        level = logging.INFO
    elif verbose >= 2:
        level = logging.DEBUG
    if quiet:
        level = logging.ERROR
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLineFormatter(verbose))

    def shown(rec: logging.LogRecord) -> bool:
        if not rec.name.startswith(NOISY_LOGGERS) or verbose >= 2:
            return True
        # the handler filters too: Scrapy resets its own loggers to DEBUG when a crawl starts
        return rec.levelno >= (logging.CRITICAL if quiet else logging.WARNING)

    handler.addFilter(shown)
    handler.setLevel(level)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def quiet() -> bool:
    """True when the command line has -q (so a command prints only errors)."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("quiet"))


class FiniteRange(click.FloatRange):
    """A FloatRange that also refuses nan and inf (click's lets nan through every bound)."""

    def convert(self, value, param, ctx):
        import math
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


def say(message: str, err: bool = False) -> None:
    """click.echo for what is not an error: nothing with -q."""
    if not quiet():
        click.echo(message, err=err)


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
from newsmon.crawler.cli import rates as _rates_cmds  # noqa: E402,F401
