"""CLI commands for unattended use: `run` (one full cycle) and `schedule` (a foreground loop).

`run` is what cron or a systemd timer calls: the crawl (with extraction and
NLP, under the database's run lock) and then, with --digest-dir, the latest
week's digest written there.  `schedule --every 6h` repeats `run` in child
processes (see crawler.schedule) until stopped.  Both take every option of
`crawl`; the exit codes are those of `crawl` (crawler/cli/__init__.py).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from newsmon.crawler.cli import EXIT_USAGE, cli, db_option, say
from newsmon.crawler.cli.crawl import crawl
from newsmon.crawler.cli.options import crawl_options, sources_option, target_options


def digest_options(func):
    """--digest-dir and --digest-format, of `run` and `schedule`."""
    func = click.option("--digest-format", type=click.Choice(["html", "md"]), default="html",
                        show_default=True, help="Format of the digest written to --digest-dir.")(func)
    return click.option("--digest-dir", type=click.Path(file_okay=False), default=None,
                        help="After the crawl, write the latest week's digest into this "
                             "folder (digest-<week>.<format>, replaced each run).")(func)


def alerts_options(func):
    """--alerts-dir and --watchlist, of `run` and `schedule`."""
    from newsmon.crawler.cli.changes import watchlist_option
    func = watchlist_option(func)
    return click.option("--alerts-dir", type=click.Path(file_okay=False), default=None,
                        help="After the crawl, write the Atom feed of the alerts there "
                             "(alerts.atom, replaced each run; subscribe to it).")(func)


def run_options(func):
    """Every option of `run`: the crawl's, then the digest's and the alerts'."""
    for decorate in (alerts_options, digest_options, db_option, crawl_options, sources_option,
                     target_options):
        func = decorate(func)
    return func


@cli.command("run")
@run_options
@click.pass_context
def run_cycle(ctx: click.Context, digest_dir: str | None, digest_format: str, alerts_dir: str | None,
              watchlist_path: str | None, **crawl_params: Any) -> None:
    """One full cycle for cron or a systemd timer: crawl (with NLP), then the digest and
    the alerts feed.

    Takes every option of `crawl`. Exit codes are those of `crawl`: 3 when the
    crawl failed (no digest is written then), 6 when another newsmon run is
    using the database.

    \b
    Examples:
      newsmon run --contact me@example.org
      newsmon run --sources my-sources.toml --digest-dir /srv/digests --digest-format md
      newsmon run --alerts-dir /var/www/newsmon --watchlist watchlist.toml
    """
    from newsmon.data.alerts import load_watchlist

    watchlist = load_watchlist(watchlist_path)  # a bad watchlist fails before the crawl
    ctx.invoke(crawl, **crawl_params)
    if digest_dir:
        write_latest_digest(crawl_params["db_path"], Path(digest_dir), digest_format)
    if alerts_dir:
        write_alerts_feed(crawl_params["db_path"], Path(alerts_dir), watchlist)


def write_alerts_feed(db_path: str, folder: Path, watchlist) -> None:
    """Write the Atom feed of the alerts of the default period to `folder`/alerts.atom."""
    from newsmon.crawler.cli.changes import write_feed
    from newsmon.data.alerts import find_alerts

    write_feed(find_alerts(db_path, watchlist), db_path, str(folder / "alerts.atom"))


def write_latest_digest(db_path: str, folder: Path, fmt: str) -> None:
    """Write the digest of the latest week with articles into `folder`; say so on stderr."""
    from newsmon.data.digest import build_digest, write_digest
    from newsmon.data.errors import NoArticlesError

    try:
        d = build_digest(db_path)
    except NoArticlesError as exc:
        say(f"digest not written: {exc}", err=True)
        return
    folder.mkdir(parents=True, exist_ok=True)
    for path in write_digest(d, fmt, folder):
        say(f"wrote {path}", err=True)


@cli.command()
@click.option("--every", required=True, metavar="DURATION",
              help="Period between cycle starts: 90s, 30m, 6h, 1d, 1h30m.")
@click.option("--max-runs", type=click.IntRange(1, 1_000_000), default=None,
              help="Stop after this many cycles (default: run until SIGINT/SIGTERM).")
@run_options
@click.pass_context
def schedule(ctx: click.Context, every: str, max_runs: int | None, **run_params: Any) -> None:
    """Run `newsmon run` every DURATION in the foreground, until stopped.

    Each cycle is a child process; cycles start at fixed slots (start + k x
    DURATION), a slot that a long cycle overran is skipped, a failed cycle is
    reported and the loop goes on (a usage error, exit 2, stops it).  SIGINT or
    SIGTERM is passed to a running cycle, which stops gracefully, then the loop
    ends with exit 0.  Takes every option of `run`.

    \b
    Examples:
      newsmon schedule --every 6h --contact me@example.org
      newsmon schedule --every 1d --digest-dir digests/ --max-runs 7
    """
    from newsmon.crawler.runs.schedule import Scheduler, format_duration, parse_duration

    try:
        period = parse_duration(every)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--every") from None
    argv = [*newsmon_argv(ctx.parent), "run", *option_argv(ctx, run_cycle, run_params)]
    say(f"newsmon schedule: every {format_duration(period)}"
        + (f", {max_runs} run(s)" if max_runs else "") + "; Ctrl-C stops", err=True)
    scheduler = Scheduler(argv, period, max_runs=max_runs, report=_report_cycle,
                          stop_on={EXIT_USAGE})
    code = scheduler.run()
    if scheduler.stopped_by is not None:
        say(f"newsmon schedule: stopped after {len(scheduler.cycles)} cycle(s)", err=True)
    ctx.exit(code)


def _report_cycle(cycle) -> None:
    skipped = f"; {cycle.skipped_slots} slot(s) skipped (overran)" if cycle.skipped_slots else ""
    line = (f"newsmon schedule: cycle {cycle.number} exited {cycle.exit_code} "
            f"after {cycle.seconds:.1f} s{skipped}")
    if cycle.exit_code:
        click.echo(line, err=True)  # a failed cycle is an error: shown with -q too
    else:
        say(line, err=True)


def newsmon_argv(group_ctx: click.Context | None) -> list[str]:
    """The command line that starts this newsmon again, with the group's -v/-q."""
    argv = [sys.executable, "-c", "from newsmon.crawler.cli import main; main()"]
    params = group_ctx.params if group_ctx is not None else {}
    argv += ["-v"] * int(params.get("verbose") or 0)
    if params.get("quiet"):
        argv.append("-q")
    return argv


def option_argv(ctx: click.Context, command: click.Command, values: dict[str, Any]) -> list[str]:
    """The options of `command` that were given (not defaults), as command-line words."""
    from click.core import ParameterSource

    words: list[str] = []
    for param in command.params:
        if not isinstance(param, click.Option) or param.name not in values:
            continue
        if ctx.get_parameter_source(param.name) in (None, ParameterSource.DEFAULT):
            continue
        value = values[param.name]
        if param.is_flag:
            if value:
                words.append(param.opts[0])
            continue
        for item in (value if param.multiple else [value]):
            words += [param.opts[0], str(item)]
    return words
