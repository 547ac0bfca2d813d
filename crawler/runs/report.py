"""The summary printed after a crawl or the demo.

It owns what a user sees when a run ends: articles kept and dropped (by
reason), fetch failures, top people and organisations, the largest fines, notable figures, and
how to query the result.  The numbers come from the run's stats and from the
database (read-only).
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
from rich.console import Console
from rich.table import Table

from newsmon.crawler.runs.outcome import Outcome
from newsmon.data.summary import largest_figures, largest_fines, top_entities

def print_summary(outcome: Outcome, db_path: str, console: Console | None = None,
                  *, top: int = 8, tables: bool | None = None) -> None:
    """The run's summary: short when there is little to say (a run that stored nothing
    prints its numbers and one line per failed source; empty tables are never printed).
    `tables`: print the database's top people, organisations and figures (default: when
    this run stored something)."""
    console = console or summary_console()
    st = outcome.stats
    kept = int(st.get("newsmon/processed", 0))
    console.rule(f"[bold]newsmon run {outcome.run_id}: {outcome.status}")
    elapsed = float(st.get("elapsed_time_seconds") or 0.0)
    rate = f", {outcome.pages / elapsed:.1f} pages/s" if elapsed else ""
    console.print(f"pages fetched: {outcome.pages} in {elapsed:.1f} s{rate}; "
                  f"articles kept: {kept}; stored: "
                  f"{int(st.get('newsmon/stored/inserted', 0))} new, "
                  f"{int(st.get('newsmon/stored/updated', 0))} updated, "
                  f"{int(st.get('newsmon/stored/unchanged', 0))} unchanged")
    skipped = int(st.get("newsmon/skipped_known", 0))
    not_modified = sum(int(v) for k, v in st.items() if k.startswith("newsmon/not_modified/"))
    if skipped or not_modified:
        console.print(f"incremental: {skipped} known article pages not fetched again, "
                      f"{not_modified} answered 304 Not Modified")
    dropped = outcome.dropped()
    if dropped:
        console.print("dropped: " + ", ".join(f"{k} {v}" for k, v in sorted(dropped.items())))
    failures = outcome.failures()
    if failures:
        console.print("fetch failures: " + ", ".join(f"{k} {v}" for k, v in sorted(failures.items())))
    for line in failed_sources(st):
        console.print(f"failed source {line}", markup=False)
    robots = int(st.get("robotstxt/forbidden", 0))
    if robots:
        console.print(f"skipped by robots.txt: {robots}")
    unannotated = {k.split("/")[-1]: v for k, v in st.items() if k.startswith("newsmon/unannotated/")}
    if unannotated:
        console.print("stored without NLP (language): "
                      + ", ".join(f"{k} {v}" for k, v in sorted(unannotated.items())))
    if not (_stored_anything(st) if tables is None else tables):
        return  # the database's tables would only repeat earlier runs (or be empty)

    for label, heading in (("person", "Top people"), ("organisation", "Top organisations")):
        df = top_entities(db_path, label, top)
        if df.empty:
            continue
        table = Table(title=heading, title_justify="left")
        for col in ("name", "articles", "mentions"):
            table.add_column(col, justify="left" if col == "name" else "right")
        for row in df.itertuples(index=False):
            table.add_row(str(row.name), str(row.articles), str(row.mentions))
        console.print(table)

    fines = largest_fines(db_path, 5)
    if not fines.empty:
        table = Table(title="Largest fines", title_justify="left")
        for col in ("who fined whom", "amount", "in euros", "article"):
            table.add_column(col)
        for row in fines.itertuples(index=False):
            table.add_row(f"{_name(row.authority)} → {_name(row.target)}", f"{row.unit} {human_number(row.value)}",
                          "" if pd.isna(row.value_eur) else f"€{human_number(row.value_eur)}",
                          _short(row.title, 48))
        console.print(table)

    table = Table(title="Notable figures", title_justify="left")
    for col in ("figure", "value", "unit/object", "article"):
        table.add_column(col)
    for kind in ("money", "count", "percent"):
        df = largest_figures(db_path, kind, 3)
        for row in df.itertuples(index=False):
            table.add_row(str(row.text), human_number(row.value),
                          str(row.unit or row.object or ""), _short(row.title, 48))
    if table.row_count:
        console.print(table)
    if not (st.get("newsmon/stored/inserted") or table.row_count):
        return
    console.print(f"\nQuery the result:\n  newsmon sql --db {db_path} "
                  "\"select title, relevance from articles order by relevance desc limit 10\"\n"
                  f"  newsmon search --db {db_path} \"fine\"", markup=False)


def summary_console() -> Console:
    """The terminal's width on a terminal; elsewhere (cron mail, a log file) lines are not
    broken at 80 columns."""
    console = Console()
    return console if console.is_terminal else Console(width=120, soft_wrap=True)


def failed_sources(stats: dict) -> list[str]:
    """One line per source with failed requests: what it fetched, why requests failed
    (by reason) and the first URL that failed."""
    failed: dict[str, dict[str, int]] = {}
    prefix = "newsmon/source_failed/"
    for key, value in stats.items():
        if key.startswith(prefix):
            source, _, reason = key[len(prefix):].rpartition("/")
            failed.setdefault(source, {})[reason] = int(value)
    lines = []
    for source, reasons in sorted(failed.items()):
        pages = int(stats.get(f"newsmon/source_pages/{source}", 0))
        fetched = f"{pages} pages fetched" if pages else "nothing fetched"
        why = ", ".join(f"{r} {n}" for r, n in sorted(reasons.items()))
        first = stats.get(f"newsmon/source_first_failure/{source}")
        lines.append(f"{source}: {fetched}; failed: {why}" + (f" (first: {first})" if first else ""))
    return lines


def _stored_anything(stats: dict) -> bool:
    return any(int(stats.get(f"newsmon/stored/{k}", 0)) for k in ("inserted", "updated", "unchanged"))


def print_alerts(db_path: str, console: Console, *, watchlist_path: str = "example", shown: int = 10) -> None:
    """The alerts of the database's latest week, one line each, with the sample watchlist
    (for the demo: shown, not remembered as reported)."""
    from newsmon.data.alerts import RULE_NAMES, find_alerts, load_watchlist

    report = find_alerts(db_path, load_watchlist(watchlist_path))
    table = Table(title=f"Alerts since {report.since:%Y-%m-%d} (watchlist: {watchlist_path})",
                  title_justify="left")
    table.add_column("rule")
    table.add_column("alert")
    for alert in _each_rule_first(report.alerts)[:shown]:
        table.add_row(RULE_NAMES[alert.rule], _short(alert.title, 96))
    console.print(table)
    more = len(report.alerts) - shown
    console.print((f"…and {more} more. " if more > 0 else "")
                  + f"All of them with their evidence: newsmon alerts --db {db_path} --watchlist "
                  f"{watchlist_path} --all\nThe digest with story summaries: newsmon digest --db {db_path} "
                  f"--watchlist {watchlist_path} --format html --out digest.html")


def _each_rule_first(alerts: list) -> list:
    """The alerts with the first of each rule up front (then the second of each, ...), so
    a short table shows every kind of change, not ten of the most frequent kind."""
    ranks, seen = [], Counter()
    for alert in alerts:
        ranks.append(seen[alert.rule])  # how many of its rule came before it
        seen[alert.rule] += 1
    order = sorted(range(len(alerts)), key=lambda i: (ranks[i], i))
    return [alerts[i] for i in order]


def human_number(value: float) -> str:
    """38700000000 -> '38.7bn', 2500000 -> '2.5m', 1384 -> '1,384', 3.5 -> '3.5'."""
    for scale, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m")):
        if abs(value) >= scale:
            return f"{value / scale:.4g}{suffix}"
    return f"{value:,.10g}"


def _name(value) -> str:
    """A name cell; '(not named)' for a missing one (None or pandas' NaN)."""
    return "(not named)" if value is None or pd.isna(value) else str(value)


def _short(text: str | None, n: int = 60) -> str:
    text = text or ""
    return text if len(text) <= n else text[: n - 1] + "…"
