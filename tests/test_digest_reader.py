"""The digest as a reader gets it (issue 16, "a digest worth forwarding"), without a browser:
what changed and the watched entities before the stories, each story with its summary and
its sites' own names, fines first in the money part with their first report's site, and an email variant that mail clients keep (inline styles, no SVG, no CSS variables)
whose bars share one scale.  The phone layout is checked in Chromium (test_digest_browser).

A small database written through the real Store: two sources whose config names ("cfg-a",
"cfg-b") differ from their sites' names ("The Alpha Ledger", "Beta Wire") and from their
hosts, so a config name showing anywhere is a finding.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from newsmon.data import Store
from newsmon.data.alerts.watchlist import WatchedEntity, Watchlist
from newsmon.data.digest import build_digest, render_email, render_html, render_markdown
from digest_testdb import _article, _figure, _fine, _mention

SITES = {"cfg-a": "The Alpha Ledger", "cfg-b": "Beta Wire"}
HOSTS = {"cfg-a": "ledger.example", "cfg-b": "wire.example"}
DESCRIPTION = "Brussels says the marketplace hid sponsored listings from buyers for two years."
OPENING = "The regulator published its guidance on Tuesday after a year of consultation with the industry."
# the money of the latest week: revenue larger than the fine, which must still come first
FINE_OLD = ("The European Commission has fined Acme 50 million euros over hidden advertising on its "
            "marketplace. The company said it would study the decision.")
FINE_NEW = ("Acme fined 50 million euros: the European Commission decision stands. Acme said it would "
            "appeal. Acme reported revenue of 900 million euros last year. The decision follows complaints "
            "from consumer groups in several member states, who said that paid placements were shown as "
            "ordinary search results and that buyers could not tell them apart. The Commission said the "
            "marketplace must label every sponsored listing within three months.")
SYNDICATED = FINE_NEW + " Reporting by wire staff."


def _site_article(source: str, slug: str, title: str, text: str, published: str, relevance: float,
                  description: str | None = None) -> dict:
    url = f"https://{HOSTS[source]}/news/{slug}"
    return {**_article(url, source, title, text, published, relevance),
            "sitename": SITES[source], "description": description}


@pytest.fixture(scope="module")
def digest(tmp_path_factory):
    arts, ments, figs, fines = [], [], [], []

    def fined(a: dict) -> None:
        figs.append(_figure(a["url"], a["text"], "50 million euros", "money", 5e7, "EUR", role="fine"))
        fines.append(_fine(figs[-1], "European Commission", "Acme"))
        ments.extend([_mention(a["url"], a["text"], "Acme", "organisation"),
                      _mention(a["url"], a["text"], "European Commission", "organisation")])

    old = _site_article("cfg-a", "acme-fined", "EU fines Acme over hidden ads", FINE_OLD,
                        "2025-03-05T09:00:00", 0.7)  # 2025-W10: the fine's first report, its link
    fined(old)
    new = _site_article("cfg-a", "acme-decision", "Acme fine upheld", FINE_NEW, "2025-03-12T09:00:00", 0.9,
                        description=DESCRIPTION)  # W11: the fine reported again
    fined(new)
    figs.append(_figure(new["url"], FINE_NEW, "900 million euros", "money", 9e8, "EUR", role="revenue"))
    copy = _site_article("cfg-b", "acme-copy", "Acme loses at the Commission", SYNDICATED,
                         "2025-03-12T11:00:00", 0.85)  # the same story at the other site
    guide_text = f"Regulator issues age verification guidance\n{OPENING} It takes effect in June."
    guide = _site_article("cfg-b", "guidance", "Regulator issues age verification guidance", guide_text,
                          "2025-03-13T10:00:00", 0.8, description="Regulator issues age verification guidance")
    ments.append(_mention(copy["url"], SYNDICATED, "Acme", "organisation"))
    arts += [old, new, copy, guide]

    store = Store(tmp_path_factory.mktemp("reader") / "news.duckdb")
    run_id = store.start_run(list(SITES))
    store.write_batch(run_id, pd.DataFrame(arts), pd.DataFrame(ments), pd.DataFrame(figs),
                      fines=pd.DataFrame(fines))
    store.finish_run(run_id, "ok", {"articles": len(arts)})
    watchlist = Watchlist(entities=(WatchedEntity("Acme"),), terms=("age verification",))
    return build_digest(store.path, "2025-W11", watchlist=watchlist)


def _visible(html: str) -> str:
    """The text a reader sees: no tags, no attribute values (links keep their hosts there)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<(style|title)>.*?</\1>", "", html, flags=re.S)))


def test_what_changed_and_the_watched_come_before_the_stories(digest):
    md = render_markdown(digest)
    headings = [h for h in re.findall(r"^## (.+)$", md, flags=re.M)]
    assert headings[:3] == ["What changed", "Watched", "Top stories"]
    watched = md.split("## Watched", 1)[1].split("## Top stories", 1)[0]
    assert "**Acme**: 2 articles" in watched
    # the watched entity's articles are this section, not one "watched entity" alert each: the
    # digest does not compute those (16,000 a week on the 1M bench); the term's alert it lists
    assert {a.rule for a in digest.alerts} == {"watched_term"}
    for page in (render_html(digest), render_email(digest)):
        h2 = [_visible(h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page, flags=re.S)]
        assert [h.split(" ")[0] for h in h2[:3]] == ["What", "Watched", "Top"], h2


def test_each_story_has_its_summary_and_its_sites_by_their_own_names(digest):
    stories = render_markdown(digest).split("## Top stories", 1)[1].split("\n## ", 1)[0]
    acme, guide = (stories.split("**[Acme fine upheld]", 1)[1].split("\n2. ", 1)[0],
                   stories.split("**[Regulator issues age verification guidance]", 1)[1])
    assert DESCRIPTION in acme  # its own description
    assert "The Alpha Ledger" in acme and "Beta Wire" in acme  # the syndicated copy's site too
    # a description that only repeats the title says nothing: the opening sentences instead,
    # without the headline the text starts with
    assert OPENING in guide and "guidance\n" not in guide.split(")**", 1)[1]
    for page in (render_markdown(digest), _visible(render_html(digest)), _visible(render_email(digest))):
        assert "cfg-a" not in page and "cfg-b" not in page


def test_fines_lead_the_money_with_their_first_report_s_site(digest):
    md = render_markdown(digest)
    money = md.split("## Notable figures", 1)[1]
    assert money.index("### Fines and penalties") < money.index("### Other money")
    fine = money.split("### Fines and penalties", 1)[1].split("###", 1)[0]
    # reported again this week (12 Mar), linked to its first report (5 Mar, the other week)
    assert "[EU fines Acme over hidden ads]" in fine and "The Alpha Ledger" in fine and "(2 reports)" in fine
    assert "900 million" not in fine
    for page in (render_html(digest), render_email(digest)):
        text = _visible(page)
        fines = text[text.index("Fines and penalties"):text.index("Other money")]
        assert "EU fines Acme over hidden ads · The Alpha Ledger · 5 Mar · 2 reports" in fines
        assert "900 million" in text[text.index("Other money"):]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += attrs


def test_the_email_keeps_to_inline_styles_and_its_bars_share_one_scale(digest):
    email = render_email(digest)
    page = _Tags()
    page.feed(email)
    assert not page.tags & {"style", "svg", "script", "img", "link", "iframe"}
    assert not [name for name, _ in page.attrs if name == "class"]
    styles = [value or "" for name, value in page.attrs if name == "style"]
    assert styles and not any("var(" in v for v in styles)
    trend = email[email.index("Top entities over time"):]
    # one bar per week and entity: the heights follow the article counts on one scale
    bars = re.findall(r">(\d+)<table[^>]*><tr><td style=\"background:(#[0-9A-Fa-f]{6});height:(\d+)px", trend)
    assert bars, "no trend bars"
    top = max(int(v) for v, _, _ in bars)
    for value, colour, height in bars:
        if int(value) == 0:
            assert int(height) <= 1 and colour.lower() != "#0072b2"  # no bar for no article
        else:
            assert abs(int(height) - max(2, round(40 * int(value) / top))) <= 1
