"""CLI commands about what changed: `diff` (an article's versions) and `alerts`."""

from __future__ import annotations

import sys

import click

from newsmon.crawler.cli import cli, db_option


@cli.command()
@click.argument("url")
@click.option("--from", "from_version", type=click.IntRange(1), default=None, metavar="N",
              help="The older version (default: the one before --to).")
@click.option("--to", "to_version", type=click.IntRange(1), default=None, metavar="N",
              help="The newer version (default: the stored one, the last).")
@click.option("--list", "list_versions", is_flag=True, help="List the versions and exit.")
@click.option("--color/--no-color", default=None, help="Colour the diff (default: on a terminal).")
@click.option("--timeout", type=float, default=30.0, show_default=True,
              help="Seconds to wait while a crawl holds the write lock.")
@db_option
def diff(url, from_version, to_version, list_versions, color, timeout, db_path):
    """What changed in an article between two of its versions: title, words added and
    removed, figures and entities that appeared or disappeared, then the changed
    paragraphs with [-removed-] and {+added+} words. A re-fetch that finds a changed
    text keeps the previous one as a version (1 is the first text stored).

    \b
    Examples:
      newsmon diff https://example.org/2026/11/03/feedhaus-fined/
      newsmon diff https://example.org/2026/11/03/feedhaus-fined/ --from 1 --to 3
      newsmon diff https://example.org/2026/11/03/feedhaus-fined/ --list
    """
    from newsmon.data.versions import article_history, compare, render_diff

    history = article_history(db_path, url, timeout=timeout)
    if list_versions:
        for v in history.versions:
            click.echo(f"{v.number}\t{v.stored_at:%Y-%m-%d %H:%M}\t{'current' if v.current else 'replaced'}"
                       f"\t{len(v.text.split())} words\t{v.title or ''}")
        return
    if len(history.versions) == 1 and from_version is None and to_version is None:
        click.echo(f"{history.url}: one version only (stored {history.versions[0].stored_at:%Y-%m-%d %H:%M} "
                   "UTC); nothing changed")
        return
    change = compare(db_path, history, from_version, to_version, timeout=timeout)
    click.echo(render_diff(change, color=sys.stdout.isatty() if color is None else color), nl=False)
