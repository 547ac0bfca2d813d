"""The whole path, end to end: real Scrapy crawls of local sites through trafilatura,
relevance, spaCy and into real DuckDB files.

The demo database comes from one real `newsmon demo` run (conftest's `demo_db`);
other tests crawl small sites built here, in a child process (a Twisted reactor
runs once per process).
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import invoke_newsmon, run_newsmon
from newsmon.crawler.demo import load_articles, load_site_config
from newsmon.crawler.runs.runner import run_crawl_isolated
from newsmon.crawler.sources import parse_sources
from newsmon.data.store import query
from newsmon.crawler.localserver import Response

pytestmark = pytest.mark.slow


def on_topic_slugs() -> set[str]:
    sections = {s.slug: s.on_topic for s in load_site_config().sections}
    return {a.slug for a in load_articles() if sections[a.section]}


def test_demo_stores_the_on_topic_articles_with_entities_and_figures(demo_db):
    arts = query(demo_db, "select url, title, language, annotated, relevance from articles")
    expected = on_topic_slugs()
    assert len(arts) >= 30
    stored = {u.rstrip("/").rsplit("/", 1)[-1] for u in arts["url"]}
    assert stored == expected, "the kept articles are exactly the on-topic ones"
    assert arts["annotated"].all() and (arts["language"] == "en").all()
    summary = query(demo_db, "select people, organisations, figures from article_summary")
    full = summary[(summary.people > 0) & (summary.organisations > 0) & (summary.figures > 0)]
    assert len(full) >= 0.9 * len(summary), "most articles have people, organisations and figures"


def test_demo_run_is_recorded_with_drop_reasons(demo_db):
    runs = query(demo_db, "select status, stats from crawl_runs")
    assert list(runs["status"]) == ["ok"]
    stats = json.loads(runs["stats"].iloc[0])
    off_topic = len(load_articles()) - len(on_topic_slugs())
    assert stats["newsmon/dropped/off_topic"] == off_topic
    assert stats["newsmon/processed"] == len(on_topic_slugs())
    assert stats["robotstxt/forbidden"] >= 1  # the /private/ page linked from the homepage


def test_demo_figures_are_normalised(demo_db):
    money = query(demo_db, "select text, value, unit from figures where kind = 'money'")
    assert set(money["unit"]) >= {"EUR", "USD", "GBP", "KRW"}
    by_text = dict(zip(money["text"], money["value"]))
    assert by_text.get("€1.2bn") == pytest.approx(1.2e9)
    counts = query(demo_db, "select object from figures where kind = 'count' and object is not null")
    assert len(counts) > 50
    assert all(o == o.lower() for o in counts["object"])


def test_demo_names_are_canonical_within_an_article(demo_db):
    # an article that says "Hana Seo" and later "Seo" stores both mentions under the full name
    rows = query(demo_db, """select distinct m.text, m.canonical from mentions m
                             where m.label = 'person' and m.text = 'Seo'""")
    assert len(rows) > 0 and set(rows["canonical"]) == {"Hana Seo"}


def test_no_demo_entity_is_a_word_its_article_writes_in_lower_case(demo_db):
    """A reader's check of the digest's lists: a one-word person or organisation whose article
    also writes it as an ordinary word ("Transparency" of "transparency reports") is junk."""
    rows = query(demo_db, """select distinct e.name, a.text from entities e join mentions m using (entity_id)
                             join articles a using (article_id) where e.name not like '% %'""")
    assert len(rows) > 20
    junk = {name for name, text in zip(rows["name"], rows["text"])
            if re.search(rf"\b{re.escape(name.lower())}\b", text)}
    assert not junk


def test_recrawl_adds_no_duplicate(demo_db, demo_port, tmp_path):
    db = tmp_path / "again.duckdb"
    db.write_bytes(demo_db.read_bytes())
    before = query(db, "select count(*) n from articles")["n"].iloc[0]
    mentions = query(db, "select count(*) n from mentions")["n"].iloc[0]
    done = run_newsmon("demo", "--db", str(db), "--port", str(demo_port))
    assert done.returncode == 0, done.stderr[-2000:]
    assert query(db, "select count(*) n from articles")["n"].iloc[0] == before
    assert query(db, "select count(*) n from mentions")["n"].iloc[0] == mentions
    dup = query(db, "select canonical_url, count(*) from articles group by 1 having count(*) > 1")
    assert dup.empty
    run = query(db, "select status, stats from crawl_runs order by run_id desc limit 1").iloc[0]
    stats = json.loads(run["stats"])
    # incremental: no article page is fetched again; feeds and sitemaps answer 304
    assert run["status"] == "ok"
    assert sum(v for k, v in stats.items() if k.startswith("newsmon/pages/")) == 0
    assert stats["newsmon/skipped_known"] == len(load_articles())
    assert stats["newsmon/not_modified/feed"] == 1 and stats["newsmon/not_modified/sitemap"] == 2
    assert stats.get("newsmon/stored/inserted", 0) == 0


# -- broken pages end counted, never crash ------------------------------------------------
ARTICLE = """<html lang="en"><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>{body}</p></article></body></html>"""
GOOD_BODY = (" ".join([
    "Ofcom opened an investigation under the Online Safety Act into the forum Hearth on Monday,",
    "saying the platform had failed to remove illegal content reported by 120 users.",
    "The regulator can fine companies up to £18m or 10% of their global turnover.",
    "Maria Lopez, a director at Ofcom, said content moderation at Hearth was inadequate.",
]) + " ") * 3


def feed(base: str, paths: list[str]) -> str:
    items = "".join(f"<item><title>{p}</title><link>{base}{p}</link></item>" for p in paths)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


def test_broken_pages_end_with_a_counted_reason(local_server, tmp_path):
    server = local_server()
    pages = {
        "/good": Response(body=ARTICLE.format(title="Ofcom investigates Hearth", body=GOOD_BODY)),
        "/missing": Response(404, "<html><body>gone</body></html>"),
        "/broken": Response(500, "<html><body>oops</body></html>"),
        "/report.pdf": Response(body=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj",
                                content_type="application/pdf"),
        "/empty": Response(body=""),
        "/malformed": Response(body="<html><body><div><p>unclosed <b>tags <<<>>> \x00\x01 &&& "
                                    "<table><tr><td>cell</div></span>"),
        "/short": Response(body=ARTICLE.format(title="Brief", body="Ofcom fined Hearth.")),
    }
    server.routes.update(pages)
    server.routes["/rss.xml"] = Response(body=feed(server.base_url, list(pages)),
                                         content_type="application/rss+xml")
    sources = parse_sources(f'''
[[source]]
name = "broken-site"
homepage = "{server.base_url}/"
feeds = ["{server.base_url}/rss.xml"]
delay = 0.01
concurrency = 4
''')
    db = tmp_path / "broken.duckdb"
    # the NLP pool's process runs extraction and relevance; spaCy is not what is tested here
    stats = run_crawl_isolated(sources, {"NEWSMON_DB": str(db), "NEWSMON_NLP_PROCESSES": 1,
                                         "NEWSMON_ANNOTATE": False, "RETRY_TIMES": 1},
                               timeout=300)
    assert stats["finish_reason"] == "finished"
    assert stats["newsmon/fetch_failed/http_404"] == 1
    assert stats["newsmon/fetch_failed/http_500"] == 1
    dropped = {k.split("/")[-1]: v for k, v in stats.items() if k.startswith("newsmon/dropped/")}
    assert dropped.get("not_html", 0) + stats.get("newsmon/pages_binary", 0) >= 1
    assert dropped.get("empty_page", 0) + stats.get("newsmon/pages_empty", 0) >= 1
    assert dropped.get("too_short", 0) >= 1
    assert sum(dropped.values()) >= 3
    assert stats.get("log_count/ERROR", 0) == 0
    titles = list(query(db, "select title from articles")["title"])
    assert titles == ["Ofcom investigates Hearth"]


# -- the commands that read the demo database ---------------------------------------------
def test_reannotate_replaces_annotations_in_place(demo_db, tmp_path):
    db = tmp_path / "re.duckdb"
    db.write_bytes(demo_db.read_bytes())
    counts = "select (select count(*) from mentions) m, (select count(*) from figures) f"
    before = query(db, counts).iloc[0].tolist()
    with __import__("duckdb").connect(str(db)) as con:  # simulate a rule change: lose them
        con.execute("delete from figures; update articles set annotated = false")
    done = invoke_newsmon("reannotate", "--db", str(db), "--batch-size", "10", "--workers", "2")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "re-annotated 37 articles" in done.stdout
    assert query(db, counts).iloc[0].tolist() == before  # same rules, same results
    assert query(db, "select bool_and(annotated) ok from articles")["ok"].iloc[0]


def test_digest_and_export_commands(demo_db, tmp_path):
    md = invoke_newsmon("digest", "--db", str(demo_db), "--format", "md")
    assert md.returncode == 0, md.stderr[-2000:]
    for heading in ("## Top stories", "## People", "## Organisations"):
        assert heading in md.stdout
    html_path = tmp_path / "digest.html"
    out = invoke_newsmon("digest", "--db", str(demo_db), "--format", "html", "--out", str(html_path),
                         "--topic", "platform-regulation")
    assert out.returncode == 0, out.stderr[-2000:]
    page = html_path.read_text()
    assert "<script>alert" not in page and "Top stories" in page
    csv_path = tmp_path / "articles.csv"
    out = invoke_newsmon("export", "articles", "--db", str(demo_db), "--format", "csv",
                         "--out", str(csv_path), "--since", "2026-11-16")
    assert out.returncode == 0, out.stderr[-2000:]
    n = query(demo_db, "select count(*) n from articles "
                       "where coalesce(published_at, first_seen_at) >= '2026-11-16'")["n"].iloc[0]
    import csv as _csv
    with csv_path.open(newline="") as fh:
        assert len(list(_csv.DictReader(fh))) == n
    bad = invoke_newsmon("digest", "--db", str(demo_db), "--week", "2026-W99")
    assert bad.returncode == 2 and "W99" in bad.stderr

