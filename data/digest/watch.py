"""The digest's watch part: the week's alerts and the watched entities' articles.

It owns what the digest shows near its top for an analyst with a watchlist
(data.alerts): the alerts of the digest's week (source health too, when the
week is the latest one, since it describes the sources as they are now), and
for each watched entity its articles in the week against the week before and
its latest headline (watched.sql).  Without a watchlist nothing is watched and
the alerts are those of the rules that need no list.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from newsmon.data.alerts import RULES, Alert, Watchlist, alerts_on

WATCHED_SQL = Path(__file__).with_name("watched.sql")
SOURCE_RULES = ("source_blocked", "source_silent")
# the watched entities have their own section (their articles and latest headline), so their
# one-alert-per-article list would only repeat it
LISTED_ELSEWHERE = ("watched_entity",)


def week_alerts(con: duckdb.DuckDBPyConnection, watchlist: Watchlist, monday: date,
                latest: bool) -> list[Alert]:
    """The alerts of the ISO week starting `monday` (and, for the `latest` week, the
    sources' health now), on the digest's own connection; not those of the rules whose alerts
    the digest lists elsewhere (a watched entity's articles are its watched section: one alert
    per article, 16,000 in a week of the 1M benchmark, would only be computed to be dropped)."""
    start = datetime(monday.year, monday.month, monday.day)
    rules = tuple(r for r in RULES if r not in LISTED_ELSEWHERE and (latest or r not in SOURCE_RULES))
    return alerts_on(con, watchlist, start, until=start + timedelta(days=7), rules=rules).alerts


@lru_cache(maxsize=None)
def _sql() -> str:
    return WATCHED_SQL.read_text(encoding="utf-8")


def watched_entities(con: duckdb.DuckDBPyConnection, watchlist: Watchlist, monday: date,
                     filters: dict) -> pd.DataFrame:
    """One row per watched entity, in the watchlist's order: watched (as written), name,
    label, articles, prev_articles, latest_title, latest_url, latest_site, latest_at."""
    if not watchlist.entities:
        return pd.DataFrame(columns=["pos", "watched", "name", "label", "articles", "prev_articles",
                                     "latest_title", "latest_url", "latest_site", "latest_at"])
    return con.execute(_sql(), {
        "week": monday, "names": [e.name for e in watchlist.entities],
        "labels": [e.label for e in watchlist.entities], **filters}).df()


# -- the view of the watch part (plain dicts; the templates escape) ----------------------------


def listed_alerts(alerts: list[Alert]) -> list[Alert]:
    return [a for a in alerts if a.rule not in LISTED_ELSEWHERE]


def alert_views(alerts: list[Alert], limit: int = 30) -> list[dict]:
    """The week's alerts (but the watched entities') grouped by rule, in RULES order:
    {"rule", "name", "items": [...], "more"}, `limit` alerts at most."""
    from newsmon.data.alerts import RULE_NAMES
    from newsmon.data.alerts.render import grouped

    views, shown = [], 0
    for rule, items in grouped(listed_alerts(alerts)):
        keep = items[:max(limit - shown, 0)]
        shown += len(keep)
        if keep:
            views.append({"rule": rule, "name": RULE_NAMES[rule], "more": len(items) - len(keep),
                          "items": [_alert(a) for a in keep]})
    return views


def _alert(a: Alert) -> dict:
    evidence = next((e for e in a.evidence if e.sentence and e.sentence != e.title), None)
    quote = " ".join(evidence.sentence.split()) if evidence else ""
    if len(quote) > 220:
        quote = quote[:quote.rfind(" ", 0, 219)].rstrip(",;:") + " …"
    return {"title": a.title, "detail": a.detail, "url": a.link, "id": a.id, "quote": quote,
            "source": (a.evidence[0].source if a.evidence else "") or ""}


def watched_views(frame: pd.DataFrame) -> list[dict]:
    rows = []
    for r in frame.to_dict("records"):
        articles, prev = int(r["articles"] or 0), int(r["prev_articles"] or 0)
        rows.append({"name": r["name"], "label": r["label"] if isinstance(r["label"], str) else "",
                     "articles": articles, "prev": prev, "change": articles - prev,
                     "trend": "up" if articles > prev else ("down" if articles < prev else "flat"),
                     "latest_title": r["latest_title"] if isinstance(r["latest_title"], str) else "",
                     "latest_url": r["latest_url"] if isinstance(r["latest_url"], str) else None,
                     "latest_site": r["latest_site"] if isinstance(r["latest_site"], str) else ""})
    return rows
