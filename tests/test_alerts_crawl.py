"""Alerts end to end: real crawls of four local sites whose content changes between runs.

Run 1 crawls the sites and reports what there is (the baseline). Then one site edits a
figure of a published article, two sites publish three articles about a company nobody
named before (on the watchlist), and one site starts answering 403. Run 2 must report
exactly those changes, each once; run 3 (nothing changed, done by `newsmon run
--alerts-dir`) must report nothing new and keep the Atom feed current.
"""

from __future__ import annotations

import json
from collections import Counter

import feedparser
import pytest

from changing_site import NEW_COMPANY, ChangingSites
from conftest import invoke_newsmon, run_newsmon

pytestmark = pytest.mark.slow


def test_every_planted_change_is_reported_once_and_nothing_else(tmp_path):
    db = tmp_path / "news.duckdb"
    watchlist = tmp_path / "watchlist.toml"
    watchlist.write_text(f'[[entity]]\nname = "{NEW_COMPANY}"\n', encoding="utf-8")
    feed_dir = tmp_path / "feed"

    def crawl(*extra: str) -> None:
        done = run_newsmon(*extra or ("crawl",), "--sources", str(sources), "--db", str(db), "--workers", "1")
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    def alerts() -> list[dict]:
        done = invoke_newsmon("alerts", "--db", str(db), "--watchlist", str(watchlist), "--format", "json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    with ChangingSites() as sites:
        sources = sites.write_sources(tmp_path / "sources.toml")
        crawl()
        baseline = alerts()
        assert all(a["rule"] not in ("edit", "source_blocked", "watched_entity") for a in baseline), baseline

        sites.plant_changes()
        crawl()
        second = alerts()
        summary = Counter(a["rule"] for a in second)
        assert summary == {"edit": 1, "new_entity": 1, "watched_entity": 3, "source_blocked": 1}, \
            [(a["rule"], a["title"]) for a in second]
        by_rule = {a["rule"]: a for a in second}

        edit = by_rule["edit"]
        assert "€14.5m" in edit["title"] and "€18.5m" in edit["title"]
        assert edit["link"] == sites.edited_url()
        assert any("18.5" in (e["sentence"] or "") for e in edit["evidence"])

        assert by_rule["new_entity"]["subject"] == NEW_COMPANY
        assert {e["source"] for e in by_rule["new_entity"]["evidence"]} == {"Bravo Ledger", "Charlie Herald"}
        watched = [a for a in second if a["rule"] == "watched_entity"]
        assert {a["subject"] for a in watched} == {NEW_COMPANY}
        assert len({a["link"] for a in watched}) == 3
        assert all(NEW_COMPANY in a["evidence"][0]["sentence"] for a in watched)

        blocked = by_rule["source_blocked"]
        assert blocked["subject"] == "Delta Wire" and "403" in blocked["title"]
        assert len({a["id"] for a in baseline + second}) == len(baseline) + len(second)

        diff = invoke_newsmon("diff", sites.edited_url(), "--db", str(db))
        assert diff.returncode == 0 and "{+18+}" in diff.stdout and "[-14-]" in diff.stdout, diff.stdout

        crawl("run", "--alerts-dir", str(feed_dir), "--watchlist", str(watchlist))
        assert alerts() == []

    feed = feedparser.parse(str(feed_dir / "alerts.atom"))
    assert not feed.bozo and feed.version == "atom10"
    ids = {e.id.rsplit(":", 1)[-1] for e in feed.entries}
    assert {a["id"] for a in second} <= ids
