"""Rendering a `Digest` as Markdown (mail, chat) or as one self-contained HTML file.

It owns the view of the digest: formatting numbers, dates and changes, and
keeping article-derived text inert.  HTML goes through Jinja2 with autoescape
on, links only ever carry http(s) URLs, and a Content-Security-Policy forbids
scripts and any fetch, so a <script> in a scraped title shows as text.
Markdown text is backslash-escaped and flattened to one line, so a title can
neither open a link, an image or a table cell nor start a heading.  The
templates live in templates/; the CSS is inlined from templates/digest.css.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
import pandas as pd

from newsmon.data.digest.build import MONEY_ROLES, Digest
from newsmon.data.digest.charts import NARROW, WIDE, Series, bars, line_chart
from newsmon.data.digest.summary import summarise
from newsmon.data.digest.watch import alert_views, listed_alerts, watched_views

logger = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).with_name("templates")

ROLE_TITLES = {"revenue": "Revenue and profit", "cost": "Spending and costs", "funding": "Funding",
               "compensation": "Compensation and refunds", "price": "Prices",
               "maximum": "Maximum penalties", "other": "Other amounts", "fine": "Fines"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!{}()])")
_SPACE = re.compile(r"\s+")


# -- small formatters (pure) -----------------------------------------------------

def md_text(value: Any) -> str:
    """`value` as one line of inert Markdown text."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return _MD_SPECIAL.sub(r"\\\1", _SPACE.sub(" ", str(value)).strip())


def safe_url(value: Any) -> str | None:
    """`value` when it is an absolute http(s) URL (spaces and brackets percent-encoded), else None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe="/:?#[]@!$&'*+,;=%~.-_")


def md_link(text: Any, url: Any) -> str:
    """A Markdown link when the URL is safe, else the escaped text alone."""
    label = md_text(text) or md_text(url) or "(untitled)"
    target = safe_url(url)
    if not target:
        return label
    return f"[{label}](<{target.replace('<', '%3C').replace('>', '%3E')}>)"


def amount(value: float) -> str:
    """1.2e9 -> '1.2 billion', 18e6 -> '18 million', 12500 -> '12,500'."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{value / size:,.2f}".rstrip("0").rstrip(".") + f" {word}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def change(value: int, is_new: bool = False) -> str:
    if is_new:
        return "new"
    return f"+{value}" if value > 0 else ("±0" if value == 0 else f"−{-value}")


def day(value: Any) -> str:
    """A timestamp as '12 Mar'; '' when missing."""
    if value is None or pd.isna(value):
        return ""
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {stamp.strftime('%b')}"


def week_span(start: date, end: date) -> str:
    if start.month == end.month:
        return f"{start.day}–{end.day} {end.strftime('%B %Y')}"
    return f"{start.day} {start.strftime('%b')} – {end.day} {end.strftime('%b %Y')}"


# -- the view model ------------------------------------------------------------------

def view_model(d: Digest) -> dict[str, Any]:
    """Plain dicts and strings the templates show; nothing escaped yet.  Sources show as
    their sites' own names (articles.sitename), not as their names in the sources file."""
    shown_sources = d.per_source.head(d.settings.sources)
    site = _site_names(d.per_source)
    per_day = [{"day": f"{pd.Timestamp(r['day']).strftime('%a')} {day(r['day'])}",
                "articles": int(r["articles"]), "sources": int(r["sources"])} for r in d.per_day.to_dict("records")]
    return {
        "week": d.week,
        "span": week_span(d.week_start, d.week_end),
        "generated": d.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        "topic": d.topic,
        "terms": d.terms,
        "min_relevance": d.min_relevance,
        "articles": d.total_articles,
        "sources": d.total_sources,
        "alerts": _safe_links(alert_views(d.alerts)),
        "alert_count": len(listed_alerts(d.alerts)),
        "watched": [{**w, "latest_url": safe_url(w["latest_url"])} for w in watched_views(d.watched)],
        "stories": [_story(s, site) for s in d.stories.to_dict("records")],
        "people": [_entity(e) for e in d.people().to_dict("records")],
        "organisations": [_entity(e) for e in d.organisations().to_dict("records")],
        "new_entities": [_entity(e) for e in d.new_entities().to_dict("records")],
        "fines": [_fine(f) for f in d.fines.to_dict("records")],
        "money": _money_by_role(d.money, site),
        "counts": [_figure(f, site) for f in d.counts.to_dict("records")],
        "per_day": per_day,
        "day_bars": bars([r["day"] for r in per_day], [r["articles"] for r in per_day]),
        "per_source": [{"source": site.get(r["source"], r["source"]), "name": r["source"],
                        "articles": int(r["articles"]), "share": f"{100 * r['share']:.0f}%"}
                       for r in shown_sources.to_dict("records")],
        "more_sources": max(len(d.per_source) - len(shown_sources), 0),
        "trend_weeks": sorted({pd.Timestamp(w).date() for w in d.entity_trend["week_start"]}),
    }


def _safe_links(groups: list[dict]) -> list[dict]:
    return [{**g, "items": [{**a, "url": safe_url(a["url"])} for a in g["items"]]} for g in groups]


def _site_names(per_source: pd.DataFrame) -> dict[str, str]:
    """source name -> the site's own name (articles_per_source.site)."""
    if per_source.empty or "site" not in per_source.columns:
        return {}
    return {r["source"]: _str(r["site"]) or r["source"] for r in per_source.to_dict("records")}


def _story(s: dict, site: dict[str, str]) -> dict:
    copies = [{"source": site.get(c["source"], c["source"]), "title": c["title"], "url": safe_url(c["url"]),
               "day": day(c["published_at"])} for c in s["copies"]]
    return {
        "rank": int(s["rank"]), "title": s["title"] or "(untitled)", "url": safe_url(s["url"]),
        "raw_url": s["url"], "source": site.get(s["source"], s["source"]), "day": day(s["published_at"]),
        "n_sources": int(s["n_sources"]), "n_articles": int(s["n_articles"]),
        "sources": [site.get(x, x) for x in s["sources"]], "copies": copies[1:],
        "summary": summarise(_str(s.get("description")), _str(s.get("lead_text")), s["title"]),
    }


def _entity(e: dict) -> dict:
    return {"name": e["name"], "label": e["label"], "articles": int(e["articles"]),
            "prev": int(e["prev_articles"]), "change": change(int(e["change"])), "is_new": bool(e["is_new"]),
            "sources": int(e["sources"]), "trend": "up" if e["change"] > 0 else ("down" if e["change"] < 0 else "flat")}


def _figure(f: dict, site: dict[str, str] | None = None) -> dict:
    return {
        "amount": amount(f["value"]), "unit": _str(f["unit"]), "object": _str(f.get("object")),
        "role": _str(f.get("role")), "eur": euros(f.get("value_eur"), f["unit"]),
        "sentence": _str(f["sentence"]) or _str(f["text"]),
        "entity": _str(f["entity"]),
        "title": f["title"] or "(untitled)", "url": safe_url(f["url"]), "raw_url": f["url"],
        "source": (site or {}).get(f["source"], f["source"]), "day": day(f["published_at"]),
    }


def _str(value: Any) -> str:
    """Text cells as str; None and NaN (pandas' missing) as ''."""
    return value if isinstance(value, str) else ""


def _fine(f: dict) -> dict:
    """A fine as the digest shows it; its link, site and date are its first report's."""
    return {
        "authority": _str(f["authority"]) or "(authority not named)",
        "target": _str(f["target"]) or "(payer not named)",
        "amount": amount(f["value"]), "unit": _str(f["unit"]), "eur": euros(f["value_eur"], f["unit"]),
        "basis": _str(f["basis"]), "status": _str(f["status"]), "reports": int(f["reports"]),
        "more": f" ({int(f['reports'])} reports)" if f["reports"] > 1 else "",
        "sentence": _str(f["sentence"]) or _str(f["text"]),
        "title": _str(f["title"]) or "(untitled)", "url": safe_url(f["url"]), "raw_url": f["url"],
        "source": _str(f.get("site")), "day": day(f["first_reported_on"]),
    }


def euros(value_eur: Any, unit: Any) -> str:
    """"≈ €21.6 million" for an amount in another currency; "" for euros or no rate."""
    if unit == "EUR" or value_eur is None or pd.isna(value_eur):
        return ""
    return f"≈ €{amount(round(float(value_eur)))}"


def _money_by_role(money: pd.DataFrame, site: dict[str, str] | None = None) -> list[dict]:
    """Money other than fines by role (MONEY_ROLES order), largest first by EUR value."""
    groups: dict[str, list[dict]] = {}
    ordered = money.assign(_eur=money["value_eur"] if "value_eur" in money else None)
    ordered = ordered.sort_values(["_eur", "value"], ascending=[False, False], na_position="last")
    for row in ordered.to_dict("records"):
        groups.setdefault(_str(row.get("role")) or "other", []).append(_figure(row, site))
    return [{"role": role, "title": ROLE_TITLES.get(role, role.title()), "rows": groups[role]}
            for role in [*MONEY_ROLES, *sorted(set(groups) - set(MONEY_ROLES))] if role in groups]


# -- charts ---------------------------------------------------------------------------

def charts(d: Digest) -> dict[str, Any]:
    """The trend chart twice: drawn wide, and narrow for a phone (the page shows one)."""
    result: dict[str, Any] = {}
    trend = d.entity_trend
    if not trend.empty:
        weeks = sorted(trend["week_start"].unique())
        series = [Series(name, [int(v) for v in group.set_index("week_start").reindex(weeks)["articles"].fillna(0)])
                  for (_, name), group in trend.groupby(["entity", "name"], sort=False)]
        x_labels = [pd.Timestamp(w).strftime("W%V") for w in weeks]
        title = "Articles per week mentioning the top entities"
        result["trend"] = line_chart(x_labels, series, title, WIDE)
        result["trend_narrow"] = line_chart(x_labels, series, title, NARROW)
        # the email's bars: one scale for all entities (as the page's chart), 40 px at the top
        # value, a visible 2 px for any article, none for none
        top = max((max(s.values) for s in series), default=0) or 1
        result["trend_table"] = [{"name": s.name, "values": [int(v) for v in s.values],
                                  "heights": [max(2, round(40 * v / top)) if v else 0 for v in s.values]}
                                 for s in series]
        result["trend_weeks"] = x_labels
    return result


# -- rendering ----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=md_text, md_link=md_link)
    return env


def render_markdown(d: Digest) -> str:
    """The digest as Markdown; every article-derived string is escaped."""
    return _environment(False).get_template("digest.md.j2").render(**view_model(d))


def render_html(d: Digest) -> str:
    """The digest as one self-contained HTML page (inline CSS and SVG, no scripts, no fetches)."""
    css = (TEMPLATE_DIR / "digest.css").read_text(encoding="utf-8")
    return _environment(True).get_template("digest.html.j2").render(
        **view_model(d), charts=charts(d), css=css)


def render_email(d: Digest) -> str:
    """The digest for mail clients: inline styles only (no <style>, no CSS variables), no SVG
    (the trend as a table, per-day articles as HTML bars), no scripts, nothing fetched."""
    return _environment(True).get_template("digest.email.html.j2").render(**view_model(d), charts=charts(d))
