"""End to end: crawl the demo site (whose headline carries <script> and markup) and check the digest.

Runs the real `newsmon demo` (LocalServer on 127.0.0.1, the spiders,
trafilatura, spaCy, DuckDB) into a temporary database, then builds the digest
of the week of the hostile article and checks Markdown and HTML show the
markup as text, and that the digest of the latest week has every section.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from newsmon.data.digest import build_digest, load_settings, render_html, render_markdown
from newsmon.data.store import query

pytestmark = pytest.mark.slow


def test_crawled_script_and_markup_show_as_text(demo_db):
    hostile = query(demo_db, "SELECT title, published_at FROM articles WHERE title LIKE '%<script>%'")
    assert len(hostile) == 1, "the demo site's hostile headline was not crawled"
    title = hostile["title"].iloc[0]
    every_story = replace(load_settings(), stories=100)
    digest = build_digest(demo_db, hostile["published_at"].iloc[0].date(), settings=every_story)
    assert title in set(digest.stories["title"])

    html = render_html(digest)
    assert "<script" not in html.lower()
    assert title not in html
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    assert escaped in html

    md = render_markdown(digest)
    assert "<script>" not in md
    assert r"\<script\>alert\(1\)\</script\>" in md


def test_demo_week_digest_has_every_section(demo_db):
    digest = build_digest(demo_db)
    assert digest.total_articles > 0 and not digest.stories.empty
    assert not digest.entities.empty and not digest.money.empty and not digest.counts.empty
    md = render_markdown(digest)
    for heading in ("Top stories", "People", "Organisations", "New this week", "Notable figures",
                    "Articles per day", "Articles per source"):
        assert f"\n## {heading}\n" in md
    html = render_html(digest)
    for section in ("stories", "entities", "new", "figures", "per-day", "per-source", "trends"):
        assert f'<section id="{section}">' in html
