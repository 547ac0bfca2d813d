"""Alerts as people and programs read them: text, JSON, an Atom feed, and a mail's HTML.

It owns the look of an alert list: text (grouped by rule, each alert with its
detail, evidence sentences and links, and its id), JSON (one array of
objects), Atom (feedgen; each entry's id is the alert's stable id, so a feed
reader shows an alert once however often the feed is rewritten, and its
`updated` is when the alert first entered the feed) and HTML for mail (inline
styles only, no CSS variables, nothing fetched).  Every string from an
article is escaped here.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from html import escape
from typing import Iterable, Mapping

from newsmon.data.alerts.build import RULE_NAMES, RULES, Alert, AlertReport

FEED_TITLE = "newsmon alerts"


def _when(value: datetime | None, with_time: bool = False) -> str:
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def grouped(alerts: Iterable[Alert]) -> list[tuple[str, list[Alert]]]:
    """(rule, alerts) in RULES order, rules without alerts left out."""
    by_rule: dict[str, list[Alert]] = {}
    for alert in alerts:
        by_rule.setdefault(alert.rule, []).append(alert)
    return [(rule, by_rule[rule]) for rule in RULES if rule in by_rule]


def headline(report: AlertReport, alerts: list[Alert], new_only: bool) -> str:
    n = len(alerts)
    what = f"{n} new alert{'s' if n != 1 else ''}" if new_only else f"{n} alert{'s' if n != 1 else ''}"
    where = f" (watchlist {report.watchlist.path})" if report.watchlist.path else " (no watchlist)"
    return f"newsmon: {what} since {_when(report.since, True)} UTC{where}"


def render_text(report: AlertReport, alerts: list[Alert], new_only: bool = True) -> str:
    lines = [headline(report, alerts, new_only)]
    for rule, items in grouped(alerts):
        lines += ["", f"{RULE_NAMES[rule].upper()} ({len(items)})"]
        for a in items:
            lines.append(f"* {a.title}")
            if a.detail:
                lines.append(f"  {a.detail}")
            for e in a.evidence:
                if e.sentence and e.sentence != e.title:
                    lines.append(f"  \u201c{' '.join(e.sentence.split())}\u201d")
                where = ", ".join(x for x in (e.source, _when(e.at)) if x)
                if e.url:
                    lines.append(f"    {where} <{e.url}>" if where else f"    <{e.url}>")
            lines.append(f"  id {a.id}")
    return "\n".join(lines) + "\n"


def render_json(alerts: list[Alert]) -> str:
    return json.dumps([a.to_dict() for a in alerts], ensure_ascii=False, indent=1) + "\n"


def feed_id(name: str) -> str:
    return "urn:newsmon:alerts:" + hashlib.sha1(name.encode()).hexdigest()[:16]


def render_atom(alerts: list[Alert], first_seen: Mapping[str, datetime], *, name: str,
                now: datetime, link: str | None = None) -> bytes:
    """An Atom 1.0 feed of `alerts`; `first_seen[id]` (naive UTC) dates each entry, `now`
    the new ones; `name` (e.g. the database path) makes the feed's id."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(feed_id(name))
    fg.title(FEED_TITLE)
    fg.author({"name": "newsmon"})
    fg.generator("newsmon")
    fg.link(href=link or "https://github.com/newsmon/newsmon", rel="alternate")
    fg.subtitle("Watched entities, spikes, large fines, edited articles and source health")
    times = [first_seen.get(a.id, now) for a in alerts]
    fg.updated(_aware(max(times, default=now)))
    for alert, updated in sorted(zip(alerts, times), key=lambda p: (p[1], p[0].id)):
        entry = fg.add_entry()
        entry.id(f"urn:newsmon:alert:{alert.id}")
        entry.title(f"[{RULE_NAMES[alert.rule]}] {alert.title}")
        entry.updated(_aware(updated))
        if alert.at:
            entry.published(_aware(alert.at))
        if alert.link:
            entry.link(href=alert.link, rel="alternate")
        entry.category(term=alert.rule, label=RULE_NAMES[alert.rule])
        entry.summary(alert.detail or alert.title)
        entry.content(alert_html(alert), type="html")
    return fg.atom_str(pretty=True)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


# -- HTML (mail, feed entries, the digest's alert list) ----------------------------------------

_S = {
    "h2": "font-size:18px;margin:20px 0 6px;color:#1b1f24;border-bottom:2px solid #d8dde3;padding-bottom:3px",
    "title": "margin:0;font-weight:600;font-size:15px;color:#1b1f24",
    "detail": "margin:2px 0;color:#5b6470;font-size:14px",
    "quote": "margin:4px 0 2px;padding-left:8px;border-left:3px solid #d8dde3;color:#1b1f24;font-size:14px",
    "meta": "margin:0 0 2px;color:#5b6470;font-size:13px",
    "a": "color:#0072B2;word-break:break-word",
    "item": "margin:0 0 14px",
    "id": "color:#8a939e;font-size:12px;margin:2px 0",
}


def alert_html(alert: Alert, with_id: bool = True) -> str:
    """One alert as HTML with inline styles."""
    parts = [f'<div style="{_S["item"]}"><p style="{_S["title"]}">'
             + (f'<a style="{_S["a"]}" href="{escape(alert.link)}">{escape(alert.title)}</a>'
                if alert.link else escape(alert.title)) + "</p>"]
    if alert.detail:
        parts.append(f'<p style="{_S["detail"]}">{escape(alert.detail)}</p>')
    for e in alert.evidence:
        if e.sentence and e.sentence != e.title:
            parts.append(f'<p style="{_S["quote"]}">{escape(" ".join(e.sentence.split()))}</p>')
        meta = " · ".join(escape(x) for x in (e.title if e.title != alert.title else None, e.source,
                                               _when(e.at)) if x)
        if e.url:
            meta += (" · " if meta else "") + f'<a style="{_S["a"]}" href="{escape(e.url)}">link</a>'
        if meta:
            parts.append(f'<p style="{_S["meta"]}">{meta}</p>')
    if with_id:
        parts.append(f'<p style="{_S["id"]}">{escape(alert.id)}</p>')
    parts.append("</div>")
    return "".join(parts)


def render_html(report: AlertReport, alerts: list[Alert], new_only: bool = True) -> str:
    """A whole HTML mail body: inline styles, no scripts, nothing fetched."""
    body = [f'<p style="{_S["detail"]}">{escape(headline(report, alerts, new_only))}</p>']
    for rule, items in grouped(alerts):
        body.append(f'<h2 style="{_S["h2"]}">{escape(RULE_NAMES[rule].capitalize())} ({len(items)})</h2>')
        body.extend(alert_html(a) for a in items)
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(FEED_TITLE)}</title></head>"
            '<body style="margin:0;padding:12px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;'
            'color:#1b1f24;line-height:1.45"><div style="max-width:640px;margin:0 auto">'
            f'<h1 style="font-size:22px;margin:0 0 4px">{escape(FEED_TITLE)}</h1>'
            + "".join(body) + "</div></body></html>")
