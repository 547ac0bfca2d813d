"""The weekly digest: sections, grouping, week-over-week change, escaping and the data files.

Built on a real DuckDB file written through data.store (tests/digest_testdb.py).
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from newsmon.data.digest import build_digest, render_html, render_markdown, write_data, write_digest
from newsmon.data.digest.build import load_settings
from newsmon.data.digest.render import md_link, md_text, safe_url
from newsmon.data.errors import NoArticlesError, QueryParamError
from newsmon.data.named import run_query
from newsmon.data.store import Store
from digest_testdb import FORMULA_TITLE, HOSTILE_ENTITY, HOSTILE_TITLE

PROBE = "https://alpha.example/2025/03/telegram-probe"


@pytest.fixture(scope="module")
def digest(sample_db):
    return build_digest(sample_db)


# -- sections ------------------------------------------------------------------------

def test_default_week_is_the_latest_week_with_articles(digest):
    assert digest.week == "2025-W11"
    assert digest.week_start == date(2025, 3, 10) and digest.week_end == date(2025, 3, 16)
    assert digest.total_articles == 9 and digest.total_sources == 4


def test_syndicated_copies_are_one_story_with_every_source(digest):
    top = digest.stories.iloc[0]
    assert top["url"] == PROBE  # the most relevant copy leads
    assert top["n_articles"] == 3 and top["n_sources"] == 3
    assert list(top["sources"]) == ["alpha", "beta", "gamma"]
    assert [c["source"] for c in top["copies"]] == ["alpha", "beta", "gamma"]
    assert top["published_at"] == pd.Timestamp("2025-03-10 09:00")  # the earliest copy


def test_the_same_text_under_two_urls_is_one_story(digest):
    dup = digest.stories[digest.stories["title"] == "Regulator sets age verification deadline"]
    assert len(dup) == 1
    assert dup.iloc[0]["n_articles"] == 2 and dup.iloc[0]["n_sources"] == 1


def test_every_article_of_the_week_is_in_exactly_one_story(digest):
    urls = [c["url"] for copies in digest.stories["copies"] for c in copies]
    assert len(urls) == len(set(urls)) == digest.total_articles


def test_stories_rank_by_relevance_and_number_of_sources(sample_db, digest):
    # 3 sources at relevance 0.8 beat 1 source at 0.95 ...
    assert list(digest.stories["title"][:2]) == [
        "EU opens Telegram probe over illegal content - Alpha News", "Ofcom opens first Online Safety Act case"]
    # ... unless sources carry no weight
    by_relevance = run_query(sample_db, "top_stories", {"source_weight": 0})
    assert by_relevance["title"].iloc[0] == "Ofcom opens first Online Safety Act case"
    assert list(digest.stories["rank"]) == list(range(1, len(digest.stories) + 1))


def test_similarity_threshold_controls_grouping(sample_db):
    strict = run_query(sample_db, "top_stories", {"similarity": 1.0})
    probe = strict[strict["url"] == PROBE].iloc[0]
    # the copies carry an extra credit sentence, so they are no longer "the same" ...
    assert probe["n_articles"] == 1
    # ... while the identical text under two URLs still is
    dup = strict[strict["title"] == "Regulator sets age verification deadline"].iloc[0]
    assert dup["n_articles"] == 2


def test_entities_with_change_against_previous_week_and_new_ones(digest):
    ents = digest.entities.set_index("name")
    commission = ents.loc["European Commission"]
    assert (commission["articles"], commission["prev_articles"], commission["change"]) == (5, 3, 2)
    assert not commission["is_new"]
    assert not ents.loc["Meta"]["is_new"]  # mentioned in W09, absent in W10
    assert ents.loc["Meta"]["prev_articles"] == 0
    assert set(digest.new_entities()["name"]) == {"Pavel Durov", "Ofcom", HOSTILE_ENTITY}
    assert list(digest.people()["name"]) == ["Pavel Durov"]
    assert digest.organisations()["name"].iloc[0] == "European Commission"


def test_a_week_makes_its_own_first_mentions_new(sample_db):
    w10 = build_digest(sample_db, "2025-W10")
    commission = w10.entities.set_index("name").loc["European Commission"]
    assert commission["is_new"] and commission["articles"] == 3


def test_entity_trend_covers_the_weeks_up_to_the_digest_week(digest):
    trend = digest.entity_trend
    commission = trend[trend["name"] == "European Commission"].set_index("week_start")["articles"]
    # the weeks up to the digest's, but none before the database's first article (issue 16:
    # the chart starts where the data starts, not with weeks of zeros)
    assert len(commission) == 3 < load_settings().trend_weeks
    assert commission.index.min() == pd.Timestamp("2025-02-24")  # the week of the first article
    assert commission.index.max() == pd.Timestamp("2025-03-10")
    assert commission[pd.Timestamp("2025-03-10")] == 5 and commission[pd.Timestamp("2025-03-03")] == 3
    assert commission.sum() == 8


def test_fines_lead_the_money_one_per_fine_largest_first_in_euros(digest):
    fines = digest.fines
    assert list(fines["target"]) == ["Meta", HOSTILE_ENTITY]  # sorted by their value in euros
    top = fines.iloc[0]
    assert (top["authority"], top["value"], top["unit"], top["value_eur"]) == ("European Commission", 1.2e9, "EUR", 1.2e9)
    assert top["reports"] == 3 and top["sources"] == 3  # the syndicated copies are one fine
    assert "fined Meta 1.2 billion euros" in top["sentence"]
    assert pd.isna(fines.iloc[1]["authority"])  # the text names none: not guessed


def test_other_money_has_its_role_and_never_a_fine(digest):
    money = digest.money
    assert set(money["role"]) == {"funding", "maximum"}
    assert money.set_index("unit").loc["USD", "role"] == "funding"
    assert money.set_index("unit").loc["GBP", "role"] == "maximum"
    assert money.set_index("unit").loc["USD", "value_eur"] > 0  # converted at the article's date


def test_largest_counts(digest):
    assert list(digest.counts["value"]) == [45e6, 44]
    assert list(digest.counts["object"]) == ["user", "caller"]


def test_articles_per_day_and_per_source(digest):
    per_day = digest.per_day
    assert len(per_day) == 7 and per_day["articles"].sum() == 9
    assert per_day.set_index("day").loc[pd.Timestamp("2025-03-12"), "articles"] == 3
    per_source = digest.per_source.set_index("source")["articles"].to_dict()
    assert per_source == {"delta": 3, "alpha": 2, "beta": 2, "gamma": 2}


def test_topic_filter(sample_db):
    online = build_digest(sample_db, terms=["online safety act"], topic="online safety")
    assert online.total_articles == 1 and online.topic == "online safety"
    assert list(online.stories["title"]) == ["Ofcom opens first Online Safety Act case"]
    relevant = build_digest(sample_db, min_relevance=0.5)
    assert relevant.total_articles == 7  # without the 0.4 formula article and the 0.05 weather one


def test_a_week_without_articles_renders_empty_sections(sample_db):
    empty = build_digest(sample_db, "2025-W01")
    assert empty.stories.empty and empty.total_articles == 0 and len(empty.per_day) == 7
    assert "No stories this week." in render_markdown(empty)
    html = render_html(empty)
    assert "No stories this week." in html and 'id="per-day"' in html


def test_a_malformed_week_is_a_parameter_error(sample_db):
    with pytest.raises(QueryParamError):
        build_digest(sample_db, "2025-week-11")


def test_an_empty_database_is_a_clear_error(tmp_path):
    Store(tmp_path / "empty.duckdb")
    with pytest.raises(NoArticlesError):
        build_digest(tmp_path / "empty.duckdb")


# -- rendering and escaping ------------------------------------------------------------------

SECTION_HEADINGS = ["Top stories", "People", "Organisations", "New this week", "Notable figures",
                    "Articles per day", "Articles per source"]


def test_markdown_has_every_section_and_escapes_article_text(digest):
    md = render_markdown(digest)
    for heading in SECTION_HEADINGS:
        assert f"\n## {heading}\n" in md
    assert "<script>" not in md and "<i>Evil" not in md
    assert r"\<script\>alert\(1\)\</script\>" in md
    assert f"[EU opens Telegram probe over illegal content - Alpha News](<{PROBE}>)" in md
    assert "| European Commission | 5 | +2 |" in md
    figures = md[md.index("## Notable figures"):md.index("## Articles per day")]
    assert figures.index("### Fines and penalties") < figures.index("### Other money")
    assert "- **European Commission → Meta**: EUR 1.2 billion · [EU opens Telegram probe" in figures
    assert "(3 reports)" in figures
    assert r"**\(authority not named\) → \<i\>Evil\</i\> Corp**: EUR 5 million" in figures
    assert "#### Funding" in figures and "**USD 300 million** (≈ €" in figures


def test_html_shows_hostile_strings_as_text(digest):
    html = render_html(digest)
    assert HOSTILE_TITLE not in html and "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Regulators &amp; &#34;friends&#34; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<i>Evil</i>" not in html and "&lt;i&gt;Evil&lt;/i&gt; Corp" in html
    assert "<b>markup</b>" not in html and "&lt;b&gt;markup&lt;/b&gt;" in html
    assert html.count("&lt;i&gt;Evil&lt;/i&gt; Corp") >= 4  # table, new chips, figure, chart legend


def test_html_is_self_contained(digest):
    html = render_html(digest)
    assert html.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    for fetching in ("<script", "<link", "<img", "<iframe", "@import", "url("):
        assert fetching not in html
    # the only URLs are links to the articles
    for attr, url in re.findall(r'\b(src|href)="([^"#][^"]*)"', html):
        assert attr == "href" and url.startswith("https://"), (attr, url)
    assert html.count("<svg") == 2
    for section in ("stories", "entities", "new", "figures", "per-day", "per-source", "trends"):
        assert f'<section id="{section}">' in html
    assert "@media print" in html and "@media (max-width" in html


def test_only_http_links_are_made():
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,<script>") is None
    assert safe_url("https://example.org/a b(c)") == "https://example.org/a%20b%28c%29"
    assert md_link("x", "javascript:alert(1)") == "x"
    assert md_text("# [a](b) | *c*\nd") == r"\# \[a\]\(b\) \| \*c\* d"


# -- data files ------------------------------------------------------------------------------

def _csv_cells(folder: Path):
    for path in folder.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                yield path.name, row


def test_csv_cells_cannot_run_as_formulas(digest, tmp_path):
    written = write_data(digest, "csv", tmp_path / "csv")
    assert {p.name for p in written} >= {"stories.csv", "story_copies.csv", "entities.csv", "fines.csv",
                                         "money.csv", "counts.csv", "per_day.csv", "per_source.csv", "meta.csv"}
    titles = [row["title"] for name, row in _csv_cells(tmp_path / "csv") if name == "stories.csv"]
    assert "'" + FORMULA_TITLE in titles and FORMULA_TITLE not in titles
    sentences = [row["sentence"] for name, row in _csv_cells(tmp_path / "csv") if name == "counts.csv"]
    assert any(s.startswith("'+44 callers") for s in sentences)
    for name, row in _csv_cells(tmp_path / "csv"):
        for column, cell in row.items():
            if cell[:1] in ("=", "+", "@", "\t", "\r"):
                pytest.fail(f"{name}.{column} starts a formula: {cell!r}")
            if cell.startswith("-"):
                float(cell)  # a negative number is fine; text is not


def test_json_keeps_stories_with_their_copies(digest, tmp_path):
    [path] = write_data(digest, "json", tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert path.name == "digest-2025-W11.json"
    assert data["meta"]["week"] == "2025-W11" and data["meta"]["articles"] == 9
    assert len(data["stories"][0]["copies"]) == 3
    assert data["stories"][0]["published_at"] == "2025-03-10T09:00:00"
    assert {"entities", "entity_trend", "fines", "money", "counts", "per_day", "per_source"} <= set(data)


def test_parquet_round_trips(digest, tmp_path):
    write_data(digest, "parquet", tmp_path / "pq")
    copies = pd.read_parquet(tmp_path / "pq" / "story_copies.parquet")
    assert len(copies) == digest.total_articles
    entities = pd.read_parquet(tmp_path / "pq" / "entities.parquet")
    assert entities["articles"].tolist() == digest.entities["articles"].tolist()


def test_write_digest_md_and_html_files(digest, tmp_path):
    [md] = write_digest(digest, "md", tmp_path)
    [html] = write_digest(digest, "html", tmp_path / "custom.html")
    assert md.name == "digest-2025-W11.md" and md.read_text(encoding="utf-8").startswith("# newsmon weekly digest")
    assert html.name == "custom.html" and "<!DOCTYPE html>" in html.read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        write_digest(digest, "pdf", tmp_path)
