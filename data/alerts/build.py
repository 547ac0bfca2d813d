"""Finding alerts: every rule of rules/*.sql run over one period, as `Alert` records.

It owns the `Alert` record and its stable id (a hash of the rule and of what
the alert is about, so the same event gives the same id in every run),
choosing the period (`--since`, by default the 7 days up to the newest
article, so an old database still shows its last week) and running the rules
on one read-only sandbox connection.  Each rule is a .sql file in rules/ whose
header says what it finds; all return the same columns (rule, key, subject,
title, detail, at, evidence), gathered in one temporary table and read back
flat (found.sql).  Rules that need a watchlist run only with one; the fine rule
only once the database has fines.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from newsmon.data.alerts.watchlist import Watchlist
from newsmon.data.connection import sandbox, utc_now
from newsmon.data.errors import QueryError, QueryParamError
from newsmon.data.named import parse_week, prepare

logger = logging.getLogger(__name__)

RULES_DIR = Path(__file__).with_name("rules")
SENTENCES_SQL = Path(__file__).with_name("sentences.sql")
TERMS_SQL = Path(__file__).with_name("terms.sql")
FOUND_SQL = Path(__file__).with_name("found.sql")
PERIOD_SQL = Path(__file__).with_name("period.sql")
# DuckDB's rows per row group (its default row_group_size): the unit its scans skip by a
# rowid range
ROW_GROUP_ROWS = 122_880
# the order alerts are listed in: what needs action first
RULES = ("source_blocked", "source_silent", "fine", "edit", "watched_entity", "watched_term", "spike",
         "new_entity")
RULE_NAMES = {
    "source_blocked": "source blocked", "source_silent": "source silent", "fine": "large fine",
    "edit": "article edited", "watched_entity": "watched entity", "watched_term": "watched term",
    "spike": "spike", "new_entity": "new entity",
}
DEFAULT_DAYS = 7


@dataclass(frozen=True)
class Evidence:
    title: str | None
    url: str | None
    source: str | None
    sentence: str | None
    at: datetime | None


@dataclass(frozen=True)
class Alert:
    rule: str
    key: str
    subject: str
    title: str
    detail: str
    at: datetime | None
    evidence: tuple[Evidence, ...] = ()

    @property
    def id(self) -> str:
        """Stable: the same rule about the same thing has the same id in every run."""
        return "nm-" + hashlib.sha1(f"{self.rule}\0{self.key}".encode()).hexdigest()[:16]

    @property
    def link(self) -> str | None:
        return next((e.url for e in self.evidence if e.url), None)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "rule": self.rule, "subject": self.subject, "title": self.title,
                "detail": self.detail, "at": _iso(self.at), "link": self.link,
                "evidence": [{"title": e.title, "url": e.url, "source": e.source, "sentence": e.sentence,
                              "at": _iso(e.at)} for e in self.evidence]}


@dataclass
class AlertReport:
    since: datetime
    now: datetime
    alerts: list[Alert] = field(default_factory=list)
    watchlist: Watchlist = field(default_factory=Watchlist)


def parse_since(value: str | date | datetime | None) -> datetime | None:
    """'2026-11-20', '2026-11-20T08:00', or an ISO week '2026-W47' (its Monday) -> naive UTC."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = value.strip()
    if re.fullmatch(r"\d{4}-W\d{1,2}", text, re.I):
        try:
            monday = parse_week(text)
        except ValueError as exc:
            raise QueryParamError(f"--since: {exc}") from None
        return datetime(monday.year, monday.month, monday.day)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise QueryParamError(f"--since: {value!r} is not a date (2026-11-20), a time "
                              "(2026-11-20T08:00) or an ISO week (2026-W47)") from None
    if parsed.tzinfo is not None:
        parsed = (parsed - parsed.utcoffset()).replace(tzinfo=None)
    return parsed


def find_alerts(db_path: str | Path, watchlist: Watchlist | None = None, since: Any = None, *,
                until: datetime | None = None, now: datetime | None = None,
                rules: tuple[str, ...] = RULES, timeout: float = 30.0) -> AlertReport:
    """Every alert of `rules` over the period from `since` (default: 7 days before the
    newest article) to `until` (default: now, and articles dated up to 3 days ahead, as
    article_time allows); ordered by rule (RULES) then newest first.  The source health
    rules judge the sources as they are `now`."""
    with sandbox(db_path, timeout, setup=prepare, fts=False) as con:
        return alerts_on(con, watchlist, since, until=until, now=now, rules=rules)


def alerts_on(con: duckdb.DuckDBPyConnection, watchlist: Watchlist | None = None, since: Any = None, *,
              until: datetime | None = None, now: datetime | None = None,
              rules: tuple[str, ...] = RULES) -> AlertReport:
    """find_alerts on an open sandbox connection that named.prepare has seen (the digest
    runs the week's alerts on its own connection).  The period's articles and mentions are
    read once (period.sql, temporary tables) and the rules join them."""
    watchlist = watchlist or Watchlist()
    now = now or utc_now()
    until = until or now + timedelta(days=3)
    start = parse_since(since)
    if start is None:
        newest = con.execute("SELECT max(article_time(published_at, first_seen_at)) FROM articles").fetchone()[0]
        start = min(newest or now, now) - timedelta(days=DEFAULT_DAYS)
    report = AlertReport(since=start, now=now, watchlist=watchlist)
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()}
    tables |= {r[0] for r in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
    jobs = []
    for rule in rules:
        params = _params(rule, watchlist, start, until, now)
        if params is None or (rule == "fine" and ("fines" not in tables or not _has_rule(rule))):
            continue  # the fines view (migration 009) exists before the fine rule is written
        if rule == "watched_entity":
            params["entity_ids"] = _watched_ids(con, params.pop("names"), params.pop("labels"))
            if not params["entity_ids"]:
                continue
        if rule == "watched_term":
            # one run per term: a pattern given as a parameter is compiled once, a pattern
            # from a column once per row (8 s instead of 0.5 s on a week of 1M articles), over
            # the articles that hold any term (_read_term_articles)
            for term, pattern in zip(params.pop("terms"), params.pop("patterns")):
                jobs.append((rule, {**params, "term": term, "pattern": pattern}))
            continue
        jobs.append((rule, params))
    if any(_reads_period(rule) for rule, _ in jobs):
        _read_period(con, start, until, whole_weeks=any(r == "spike" for r, _ in jobs))
    patterns = [params["pattern"] for rule, params in jobs if rule == "watched_term"]
    if patterns:
        _read_term_articles(con, start, until, patterns)
    create_found, read_alerts, read_evidence = _statements(FOUND_SQL.read_text(encoding="utf-8"))
    _execute(con, create_found, "gathering the alerts")
    for rule, params in jobs:
        _run_rule(con, rule, params)
    report.alerts = _alerts(con, read_alerts, read_evidence)
    order = {rule: i for i, rule in enumerate(RULES)}
    report.alerts.sort(key=lambda a: (order[a.rule], -(a.at.timestamp() if a.at else 0), a.title))
    logger.info("alerts since %s: %d", start, len(report.alerts))
    return report


def _read_period(con: duckdb.DuckDBPyConnection, since: datetime, until: datetime, whole_weeks: bool) -> None:
    """The temporary tables alert_articles and alert_mentions (period.sql): from `since`, or
    from the Monday of since's week when the spike rule needs whole weeks."""
    shown = since
    if whole_weeks:
        shown = min(since, datetime(since.year, since.month, since.day) - timedelta(days=since.weekday()))
    params = {"shown": shown, "since": since, "until": until}
    sql = PERIOD_SQL.read_text(encoding="utf-8")
    try:
        for statement in _statements(sql):
            con.execute(statement, {k: v for k, v in params.items() if f"${k}" in statement})
    except duckdb.Error as exc:
        raise QueryError(f"reading the alerts' period failed: {exc}") from exc


def _read_term_articles(con: duckdb.DuckDBPyConnection, since: datetime, until: datetime,
                        patterns: list[str]) -> None:
    """The temporary table alert_term_articles (terms.sql): the period's articles that hold
    any of the watched terms' `patterns`, found in one pass over the texts."""
    params = {"since": since, "until": until, "any": "|".join(f"(?:{p})" for p in patterns)}
    try:
        con.execute(TERMS_SQL.read_text(encoding="utf-8"), params)
    except duckdb.Error as exc:
        raise QueryError(f"alert rule 'watched_term' failed: {exc}") from exc


def _statements(sql: str) -> list[str]:
    body = re.sub(r"--[^\n]*", "", sql)
    return [s.strip() for s in body.split(";") if s.strip()]


@lru_cache(maxsize=None)
def _reads_period(rule: str) -> bool:
    return _has_rule(rule) and re.search(r"\balert_(articles|mentions)\b", rule_sql(rule)) is not None


def _params(rule: str, w: Watchlist, since: datetime, until: datetime,
            now: datetime) -> dict[str, Any] | None:
    """The parameters of `rule`, or None when the watchlist gives it nothing to do."""
    r = w.rules
    base = {"since": since, "until": until, "now": now}
    if rule == "watched_entity":
        if not w.entities:
            return None
        return {**base, "names": [e.name for e in w.entities], "labels": [e.label for e in w.entities]}
    if rule == "watched_term":
        if not w.terms:
            return None
        return {**base, "terms": list(w.terms), "patterns": [term_pattern(t) for t in w.terms]}
    if rule == "new_entity":
        return {**base, "min_articles": r.new_entity_articles, "min_sources": r.new_entity_sources}
    if rule == "spike":
        return {**base, "weeks": r.spike_weeks, "min_articles": r.spike_articles, "z": r.spike_z,
                "ratio": r.spike_ratio}
    if rule == "fine":
        return {**base, "threshold": w.fine_threshold_eur}
    if rule == "source_silent":
        return {**base, "factor": r.silence_factor, "min_hours": r.silence_min_hours}
    if rule == "source_blocked":
        return {**base, "share": r.blocked_share}
    return base


_RE2_SPECIAL = re.compile(r"([\\.^$|?*+()\[\]{}])")


def term_pattern(term: str) -> str:
    """A watched term as an RE2 pattern: whole words, any white space between them."""
    words = [_RE2_SPECIAL.sub(r"\\\1", w) for w in term.split()]
    pattern = r"\s+".join(words)
    left = r"\b" if re.match(r"\w", term) else ""
    right = r"\b" if re.search(r"\w$", term) else ""
    return f"{left}{pattern}{right}"


def _watched_ids(con: duckdb.DuckDBPyConnection, names: list[str], labels: list[str | None]) -> list[int]:
    sql = (Path(__file__).with_name("watched_ids.sql")).read_text(encoding="utf-8")
    try:
        return [r[0] for r in con.execute(sql, {"names": names, "labels": labels}).fetchall()]
    except duckdb.Error as exc:
        raise QueryError(f"alert rule 'watched_entity' failed: {exc}") from exc


@lru_cache(maxsize=None)
def _has_rule(rule: str) -> bool:
    return (RULES_DIR / f"{rule}.sql").is_file()


def rule_sql(rule: str) -> str:
    return (RULES_DIR / f"{rule}.sql").read_text(encoding="utf-8")


def _run_rule(con: duckdb.DuckDBPyConnection, rule: str, params: dict[str, Any]) -> None:
    """The rule's rows (rule, key, subject, title, detail, at, evidence: a list of structs)
    into alert_found (found.sql)."""
    sql = rule_sql(rule)
    used = set(re.findall(r"\$(\w+)", re.sub(r"--[^\n]*", "", sql)))
    try:
        con.execute(f"INSERT INTO alert_found\n{sql}\n", {k: v for k, v in params.items() if k in used})
    except duckdb.Error as exc:
        raise QueryError(f"alert rule {rule!r} failed: {exc}") from exc


def _execute(con: duckdb.DuckDBPyConnection, sql: str, doing: str) -> list[tuple]:
    try:
        return con.execute(sql).fetchall()
    except duckdb.Error as exc:
        raise QueryError(f"{doing} failed: {exc}") from exc


def _alerts(con: duckdb.DuckDBPyConnection, read_alerts: str, read_evidence: str) -> list[Alert]:
    """The alerts in alert_found as Alerts, read flat (found.sql).  Evidence that quotes a
    mention gives its `mention_row` (its rowid) instead of the sentence: the sentences of all
    of them are read here at once, whatever the rules, from the row groups that hold them only
    (_sentences)."""
    found = _execute(con, read_alerts, "reading the alerts")
    evidence = _execute(con, read_evidence, "reading the alerts' evidence")
    quoted = sorted({row[6] for row in evidence if row[6] is not None})
    said = _sentences(con, quoted) if quoted else {}
    items: dict[int, list[Evidence]] = {row[0]: [] for row in found}
    for alert_row, title, url, source, sentence, at, mention_row in evidence:
        items[alert_row].append(Evidence(title, url, source,
                                         sentence if mention_row is None else said.get(mention_row), at))
    return [Alert(rule_name, str(key), subject or "", title or "", detail or "", at, tuple(items[alert_row]))
            for alert_row, rule_name, key, subject, title, detail, at in found]


def _sentences(con: duckdb.DuckDBPyConnection, rows: list[int]) -> dict[int, str | None]:
    """The sentences of the mentions of rowids `rows` (sorted), one sentences.sql per
    cluster of nearby rowids (_clusters)."""
    sql = SENTENCES_SQL.read_text(encoding="utf-8")
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE alert_quoted AS SELECT unnest($rows::BIGINT[]) AS mention_row",
                    {"rows": rows})
        said: dict[int, str | None] = {}
        for lo, hi in _clusters(rows):
            said.update(con.execute(sql, {"lo": lo, "hi": hi}).fetchall())
        return said
    except duckdb.Error as exc:
        raise QueryError(f"reading the alerts' sentences failed: {exc}") from exc


def _clusters(rows: list[int], gap: int | None = None) -> list[tuple[int, int]]:
    """The sorted `rows` as (first, last) ranges, a new one wherever two rows lie more than
    `gap` apart: at most one range per row group of the table, so the ranges' row groups are
    those that hold the rows, and a handful of ranges when they were stored together (a
    period's mentions, written by the crawls of that period)."""
    gap = ROW_GROUP_ROWS if gap is None else gap
    ranges: list[list[int]] = []
    for row in rows:
        if ranges and row - ranges[-1][1] <= gap:
            ranges[-1][1] = row
        else:
            ranges.append([row, row])
    return [(lo, hi) for lo, hi in ranges]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None
