"""The options that several commands share: what to crawl, how to process it, the frontier.

It owns the click option groups of `crawl`, `run`, `demo` and `worker`
(crawl.py, run.py, distributed.py import them from here, so no command module
imports another) and turning them into setting overrides.
"""

from __future__ import annotations

import sys

import click

from newsmon.crawler.cli import FiniteRange, staging_option
from newsmon.nlp.models import DEFAULT_MODEL


def crawl_options(func):
    """Options shared by `crawl` and `demo`: what to keep and how to process it."""
    opts = [
        click.option("--topic", default="platform-regulation", show_default=True,
                     help="Topic profile (nlp/topics/NAME.toml) that decides relevance."),
        click.option("--threshold", type=FiniteRange(0, 1), default=None,
                     help="Keep articles scoring at least this (default: the profile's)."),
        click.option("--keep-all", is_flag=True, help="Keep off-topic articles too."),
        click.option("--model", default=DEFAULT_MODEL, show_default=True,
                     envvar="NEWSMON_MODEL", help="spaCy pipeline (an installed package)."),
        click.option("--processes", "--workers", "processes", type=click.IntRange(0, 64),
                     default=None, help="Processes of the NLP pool (default: one per CPU; 0: "
                     "in the crawl process).  --workers is its old name."),
    ]
    for opt in reversed(opts):
        func = opt(func)
    return func


def crawl_overrides(topic, threshold, keep_all, model, processes) -> dict:
    from newsmon.nlp.relevance import TopicProfile
    TopicProfile.load(topic)  # a bad profile fails here, not in every worker
    from newsmon.nlp.models import check_model
    check_model(model)  # so does a model that is not installed
    overrides = {"NEWSMON_TOPIC": topic, "NEWSMON_KEEP_ALL": keep_all, "NEWSMON_MODEL": model,
                 "NEWSMON_PROGRESS": sys.stderr.isatty()}
    if threshold is not None:
        overrides["NEWSMON_THRESHOLD"] = threshold
    if processes is not None:
        overrides["NEWSMON_NLP_PROCESSES"] = processes
    return overrides


def sources_option(func):
    return click.option("--sources", "sources_path", type=click.Path(dir_okay=False),
                        envvar="NEWSMON_SOURCES", default=None,
                        help="Sources file (TOML). Default: the bundled crawler/sources.toml.")(func)


def target_options(func):
    """Options of `crawl` and `run`: which sources, how to discover, contact, settings."""
    opts = [
        click.option("--source", "names", multiple=True, metavar="NAME",
                     help="Crawl only this source (repeatable). Default: all enabled sources."),
        click.option("--spider", type=click.Choice(["news", "feeds", "sitemaps", "links"]),
                     default="news", show_default=True,
                     help="Discovery: all methods (news) or only feeds, sitemaps or link following."),
        click.option("--contact", envvar="NEWSMON_CONTACT", default=None,
                     help="Contact (URL or e-mail) put in the User-Agent so site owners can reach you."),
        click.option("--set", "-s", "extra", multiple=True, metavar="KEY=VALUE",
                     help="Override any Scrapy/newsmon setting, e.g. -s DOWNLOAD_DELAY=5 (Scrapy's "
                          "-s works too). An unknown key or a value of the wrong type is exit 2."),
    ]
    for opt in reversed(opts):
        func = opt(func)
    return func


def _check_run(ctx, param, value):
    if value is None:
        return None
    from newsmon.crawler.distributed.frontier import check_run_name
    try:
        return check_run_name(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def frontier_option(required: bool, help: str):
    """--frontier redis://HOST:PORT/DB (or $NEWSMON_FRONTIER): `crawl` and `worker`."""
    # no `default` with required=True: click 8.5 takes default=None as a value given
    extra = {} if required else {"default": None}
    return click.option("--frontier", metavar="redis://HOST:PORT/DB", envvar="NEWSMON_FRONTIER",
                        required=required, help=help, **extra)


def run_option(func):
    """--run NAME: the distributed run's name (`crawl --frontier` and `worker`)."""
    return click.option(
        "--run", "run_name", default=None, callback=_check_run, metavar="NAME",
        help="With --frontier: the run's name, the same in every process of the run. "
             "Default: <sources file>-<hash of its content>-<UTC date>.")(func)


def frontier_options(func):
    """`crawl --frontier URL [--run NAME] [--staging DIR]` (crawler/cli/distributed.py)."""
    func = staging_option(help="With --frontier: folder for the staged fetch-record batches.")(func)
    func = run_option(func)
    return frontier_option(False, "Share the run with other crawl processes through this "
                                  "Redis; articles go to `newsmon worker` processes instead "
                                  "of the database (or $NEWSMON_FRONTIER).")(func)


def parse_sets(pairs) -> dict:
    """--set/-s KEY=VALUE pairs -> typed settings, checked before anything runs."""
    from newsmon.crawler.settings import SettingsError, check_overrides

    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint="--set")
        out[key.strip()] = value
    try:
        return check_overrides(out)  # before a run is recorded
    except SettingsError as exc:
        raise click.BadParameter(str(exc), param_hint="--set") from None
