"""CLI commands about what changed: `diff` (an article's versions) and `alerts`."""

from __future__ import annotations

import os
import sys

import click

from newsmon.crawler.cli import FiniteRange, cli, db_option, say


@cli.command()
@click.argument("url")
@click.option("--from", "from_version", type=click.IntRange(1), default=None, metavar="N",
              help="The older version (default: the one before --to).")
@click.option("--to", "to_version", type=click.IntRange(1), default=None, metavar="N",
              help="The newer version (default: the stored one, the last).")
@click.option("--list", "list_versions", is_flag=True, help="List the versions and exit.")
@click.option("--color/--no-color", default=None, help="Colour the diff (default: on a terminal).")
@click.option("--timeout", type=FiniteRange(0, 3600), default=30.0, show_default=True,
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


def watchlist_option(func):
    """--watchlist FILE (or $NEWSMON_WATCHLIST)."""
    return click.option("--watchlist", "watchlist_path", type=click.Path(dir_okay=False),
                        envvar="NEWSMON_WATCHLIST", default=None, show_default="none, or $NEWSMON_WATCHLIST",
                        help="TOML watchlist: entities, terms, fine threshold, rule settings "
                             "(README, Alerts).")(func)


def send_options(func):
    """--send and --to, of `alerts` and `digest`."""
    func = click.option("--to", "recipients", multiple=True, metavar="ADDRESS",
                        help="Recipient for --send, besides $NEWSMON_MAIL_TO (repeatable).")(func)
    return click.option("--send", is_flag=True,
                        help="Send by mail (SMTP settings from NEWSMON_SMTP_*; README, Delivery).")(func)


@cli.command()
@click.option("--since", default=None, metavar="DATE|WEEK",
              help="Start of the period: 2026-11-20, 2026-11-20T08:00 or 2026-W47 "
                   "(default: 7 days before the newest article).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "atom"]), default="text",
              show_default=True,
              help="text and json show the alerts not reported before; atom writes a feed of "
                   "every alert of the period.")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of stdout (replaced whole, never half-written).")
@click.option("--all", "show_all", is_flag=True, help="Every alert of the period, reported before or not.")
@click.option("--peek", is_flag=True, help="Do not remember the alerts shown as reported.")
@watchlist_option
@send_options
@click.option("--timeout", type=FiniteRange(0, 3600), default=30.0, show_default=True,
              help="Seconds to wait while a crawl holds the write lock.")
@db_option
def alerts(since, fmt, out, show_all, peek, watchlist_path, send, recipients, timeout, db_path):
    """What changed: watched entities and terms mentioned, new entities, spikes, large
    fines, articles edited after publication (a figure or an entity changed), and sources
    that went silent or now refuse the crawler. Each alert has a stable id; those already
    reported are remembered in the database, so a scheduled run shows only new ones.

    \b
    Examples:
      newsmon alerts --watchlist watchlist.toml
      newsmon alerts --since 2026-W47 --all --format json
      newsmon alerts --format atom --out /var/www/alerts.atom
      newsmon -q alerts --watchlist watchlist.toml --send --to me@example.org   # cron
    """
    from newsmon.data.alerts import find_alerts, load_watchlist

    if send and fmt == "atom":
        raise click.BadParameter("--send mails text and HTML; it does not go with --format atom",
                                 param_hint="--send")
    report = find_alerts(db_path, load_watchlist(watchlist_path), since, timeout=timeout)
    if fmt == "atom":
        write_feed(report, db_path, out, timeout=timeout, remember_ids=not peek)
        return
    channel = "mail" if send else "print"
    shown = report.alerts if show_all else _unreported(db_path, report.alerts, channel, timeout)
    if send:
        _send_alerts(report, shown, not show_all, recipients, db_path, peek, timeout)
        return
    from newsmon.data.alerts.render import render_json, render_text
    if not shown and fmt == "text":
        say(f"no {'' if show_all else 'new '}alerts since {report.since:%Y-%m-%d %H:%M} UTC", err=True)
        return
    text = render_json(shown) if fmt == "json" else render_text(report, shown, new_only=not show_all)
    _write(text, out)
    if not peek:
        from newsmon.data.alerts import remember
        remember(db_path, shown, "print", timeout=timeout)


def _unreported(db_path, found, channel, timeout):
    from newsmon.data.alerts import unreported
    return unreported(db_path, found, channel, timeout=timeout)


def _send_alerts(report, shown, new_only, recipients, db_path, peek, timeout) -> None:
    from newsmon.crawler.delivery import SmtpSettings, build_message, send
    from newsmon.data.alerts import remember
    from newsmon.data.alerts.render import render_html, render_text

    settings = SmtpSettings.from_env(os.environ, recipients)
    if not shown:
        say(f"no {'new ' if new_only else ''}alerts since {report.since:%Y-%m-%d %H:%M} UTC; nothing sent",
            err=True)
        return
    subject = f"newsmon: {len(shown)} {'new ' if new_only else ''}alert{'s' if len(shown) != 1 else ''}"
    send(settings, build_message(settings, subject, render_text(report, shown, new_only),
                                 render_html(report, shown, new_only)))
    if not peek:
        remember(db_path, shown, "mail", timeout=timeout)
    say(f"sent {len(shown)} alert(s) to {', '.join(settings.recipients)}", err=True)


def send_digest(d, recipients) -> None:
    """Mail digest `d` (text and the email HTML) to $NEWSMON_MAIL_TO and `recipients`."""
    from newsmon.crawler.delivery import SmtpSettings, build_message, send
    from newsmon.data.digest import render_email, render_markdown

    settings = SmtpSettings.from_env(os.environ, recipients)
    subject = f"newsmon digest {d.week}" + (f" · {d.topic}" if d.topic else "")
    send(settings, build_message(settings, subject, render_markdown(d), render_email(d)))
    say(f"sent the digest of {d.week} to {', '.join(settings.recipients)}", err=True)


def write_feed(report, db_path, out, *, timeout: float = 30.0, remember_ids: bool = True) -> None:
    """The Atom feed of `report` to `out` (stdout when None); entries keep the time they
    first entered the feed."""
    from pathlib import Path

    from newsmon.data.alerts import remember, reported
    from newsmon.data.alerts.render import render_atom

    first = reported(db_path, report.alerts, "feed", timeout=timeout)
    feed = render_atom(report.alerts, first, name=str(Path(db_path).resolve()), now=report.now)
    _write(feed, out)
    if remember_ids:
        remember(db_path, report.alerts, "feed", now=report.now, timeout=timeout)


def _write(payload: str | bytes, out: str | None) -> None:
    """To stdout, or to `out` through a temporary file renamed over it."""
    if out is None:
        if isinstance(payload, bytes):
            sys.stdout.buffer.write(payload)
            sys.stdout.flush()
        else:
            click.echo(payload, nl=False)
        return
    from pathlib import Path
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    data = payload if isinstance(payload, bytes) else payload.encode("utf-8")
    partial.write_bytes(data)
    os.replace(partial, target)
    say(f"wrote {target}", err=True)
