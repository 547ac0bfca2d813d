"""Building the weekly digest: the `Digest` record and `build_digest`.

It owns choosing the week and assembling the sections from the named queries
in data/queries/ on one read-only connection; it renders nothing.  A topic is
a filter the caller resolves (the data package cannot read nlp's topic
profiles): `min_relevance` and optionally `terms`, of which an article's
matched_terms must contain one.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import duckdb
import pandas as pd

from newsmon.data.alerts import Watchlist
from newsmon.data.connection import sandbox, utc_now
from newsmon.data.errors import NoArticlesError, QueryError, QueryParamError
from newsmon.data.digest.watch import watched_entities, week_alerts
from newsmon.data.named import latest_week, parse_week, prepare, run_on, week_label

logger = logging.getLogger(__name__)

SETTINGS_PATH = Path(__file__).with_name("digest.toml")
FINES_DAY_SQL = Path(__file__).with_name("fines_day.sql")
# the roles of money figures (nlp.money), in the order the digest shows them; fines have a
# section of their own (week_fines), the others are listed below it, by role
MONEY_ROLES = ("fine", "revenue", "cost", "funding", "compensation", "price", "maximum", "other")


@dataclass(frozen=True)
class DigestSettings:
    stories: int = 10
    entities: int = 10
    fines: int = 10
    money_per_currency: int = 5
    counts: int = 5
    sources: int = 20
    trend_weeks: int = 8
    trend_entities: int = 5
    similarity: float = 0.5
    source_weight: float = 0.5


@lru_cache(maxsize=None)
def load_settings(path: Path = SETTINGS_PATH) -> DigestSettings:
    """The digest's sizes from its TOML file."""
    with Path(path).open("rb") as fh:
        raw = tomllib.load(fh)
    return DigestSettings(**raw.get("sizes", {}), **raw.get("stories", {}))


@dataclass
class Digest:
    """One week's digest: metadata plus one DataFrame per section."""
    week: str  # ISO week, "2025-W07"
    week_start: date  # Monday
    generated_at: datetime  # naive UTC
    stories: pd.DataFrame  # top_stories rows
    entities: pd.DataFrame  # top_entities rows (both labels, top and new ones)
    entity_trend: pd.DataFrame  # entity_trend rows
    fines: pd.DataFrame  # week_fines rows: the week's fines, largest first by EUR value
    money: pd.DataFrame  # notable_figures rows of kind money other than fines (with `role`)
    counts: pd.DataFrame  # notable_figures rows of kind count
    per_day: pd.DataFrame  # articles_per_day rows
    per_source: pd.DataFrame  # articles_per_source rows
    alerts: list = field(default_factory=list)  # data.alerts.Alert of the week (watch.py; not watched_entity)
    watched: pd.DataFrame = field(default_factory=pd.DataFrame)  # watch.watched_entities rows
    topic: str | None = None
    min_relevance: float = 0.0
    terms: list[str] = field(default_factory=list)
    settings: DigestSettings = field(default_factory=DigestSettings)

    @property
    def week_end(self) -> date:
        """Sunday, the last day of the week."""
        return self.week_start + timedelta(days=6)

    @property
    def total_articles(self) -> int:
        return int(self.per_day["articles"].sum()) if len(self.per_day) else 0

    @property
    def total_sources(self) -> int:
        return len(self.per_source)

    def people(self) -> pd.DataFrame:
        """The most mentioned people (top `settings.entities`), by rank."""
        return self._entities("person", new=False)

    def organisations(self) -> pd.DataFrame:
        return self._entities("organisation", new=False)

    def new_entities(self) -> pd.DataFrame:
        """Entities no earlier article mentioned, most mentioned first."""
        return self._entities(None, new=True)

    def _entities(self, label: str | None, new: bool) -> pd.DataFrame:
        frame = self.entities
        if frame.empty:
            return frame
        if new:
            return frame[frame["is_new"]].sort_values(["articles", "mentions", "name"],
                                                      ascending=[False, False, True])
        top = frame[(frame["label"] == label) & (frame["rank"] <= self.settings.entities)]
        return top.sort_values("rank")

    def story_copies(self) -> pd.DataFrame:
        """One row per article of each story (the nested `copies` flattened)."""
        rows = [{"rank": story["rank"], "story_id": story["story_id"], **copy}
                for story in self.stories.to_dict("records") for copy in story["copies"]]
        return pd.DataFrame(rows, columns=["rank", "story_id", "source", "title", "url", "published_at"])

    def meta(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "week_start": self.week_start.isoformat(),
            "week_end": self.week_end.isoformat(),
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "topic": self.topic,
            "min_relevance": self.min_relevance,
            "terms": list(self.terms),
            "articles": self.total_articles,
            "sources": self.total_sources,
            "stories": len(self.stories),
        }


def build_digest(db_path: str | Path, week: str | date | None = None, *, topic: str | None = None,
                 min_relevance: float = 0.0, terms: Sequence[str] | None = None,
                 settings: DigestSettings | None = None, timeout: float = 10.0,
                 watchlist: Watchlist | None = None, alerts: bool = True) -> Digest:
    """The digest of ISO `week` ("2025-W07"), by default the latest week with articles,
    with the week's alerts (unless `alerts` is false) and the watchlist's entities.

    Raises NoArticlesError when no article (matching the topic filter) exists at all,
    QueryParamError for a malformed week, and the connection's errors (data.errors).
    """
    settings = settings or load_settings()
    try:
        requested = parse_week(week)
    except ValueError as exc:
        raise QueryParamError(f"--week: {exc}") from exc
    filters = {"min_relevance": float(min_relevance), "terms": list(terms) if terms else None}
    watchlist = watchlist or Watchlist()
    with sandbox(db_path, timeout, setup=prepare, fts=False) as con:
        latest = latest_week(con, filters["min_relevance"], filters["terms"]) if requested \
            else _latest_week(con, filters)
        monday = requested or latest
        digest = _assemble(con, monday, filters, settings, topic)
        digest.watched = watched_entities(con, watchlist, monday, filters)
        if alerts:
            digest.alerts = week_alerts(con, watchlist, monday, latest=latest is None or monday >= latest)
    return digest


def _latest_week(con: duckdb.DuckDBPyConnection, filters: dict) -> date:
    monday = latest_week(con, filters["min_relevance"], filters["terms"])
    if monday is None:
        topic = " matching the topic" if filters["terms"] or filters["min_relevance"] else ""
        raise NoArticlesError(f"the database has no articles{topic} yet; crawl first (newsmon crawl) "
                              "or widen the topic")
    return monday


def _fines_day(con: duckdb.DuckDBPyConnection, week: dict) -> date | None:
    """The first report's day of the week's fines (fines_day.sql), None without any: what
    week_fines needs to read from."""
    sql = FINES_DAY_SQL.read_text(encoding="utf-8")
    try:
        return con.execute(sql, week).fetchone()[0]
    except duckdb.Error as exc:
        raise QueryError(f"the week's fines failed: {exc}") from exc


def _assemble(con: duckdb.DuckDBPyConnection, monday: date, filters: dict,
              settings: DigestSettings, topic: str | None) -> Digest:
    week = {"week": monday, **filters}
    limit = max(settings.money_per_currency, settings.counts)
    figures = run_on(con, "notable_figures", {**week, "kind": ["money", "count"], "limit": limit,
                                              "roles": [r for r in MONEY_ROLES if r != "fine"]})
    money = figures[(figures["kind"] == "money") & (figures["rank"] <= settings.money_per_currency)]
    money = money.reset_index(drop=True)
    counts = figures[(figures["kind"] == "count") & (figures["rank"] <= settings.counts)].reset_index(drop=True)
    digest = Digest(
        week=week_label(monday),
        week_start=monday,
        generated_at=utc_now(),
        stories=run_on(con, "top_stories", {**week, "limit": settings.stories, "similarity": settings.similarity,
                                            "source_weight": settings.source_weight}),
        entities=run_on(con, "top_entities", {**week, "limit": settings.entities, "new": settings.entities}),
        entity_trend=run_on(con, "entity_trend", {**week, "weeks": settings.trend_weeks,
                                                  "limit": settings.trend_entities}),
        fines=run_on(con, "week_fines", {**week, "limit": settings.fines,
                                         "reported_from": _fines_day(con, week)}),
        money=money,
        counts=counts,
        per_day=run_on(con, "articles_per_day", week),
        per_source=run_on(con, "articles_per_source", week),
        topic=topic,
        min_relevance=filters["min_relevance"],
        terms=filters["terms"] or [],
        settings=settings,
    )
    logger.info("digest %s: %d articles, %d stories", digest.week, digest.total_articles, len(digest.stories))
    return digest
