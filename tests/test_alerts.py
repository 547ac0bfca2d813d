"""Alerts (data/alerts/, `newsmon alerts`) on hand-built DuckDB files: the watchlist, each
rule for and against, the memory of what was reported, and the output formats."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

import duckdb
import feedparser
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newsmon.crawler.cli import cli
from newsmon.data import Store
from newsmon.data.alerts import EXAMPLE, find_alerts, load_watchlist
from newsmon.data.alerts.build import parse_since, term_pattern
from newsmon.data.alerts.watchlist import Watchlist, parse_watchlist
from newsmon.data.errors import QueryParamError, WatchlistError

NOW = datetime(2026, 6, 17, 12, 0)  # a Wednesday


def art(n: int, source: str, at: datetime, text: str = "", title: str | None = None) -> dict:
    text = text or f"Article {n} text about platform rules."
    url = f"https://{source}.example/a/{n}"
    return dict(url=url, canonical_url=url, source=source, title=title or f"Title {n}", authors=[],
                published_at=at, fetched_at=at + timedelta(hours=1), language="en",
                sitename=f"{source.capitalize()} News", description=None, text=text,
                text_hash=hashlib.sha1(f"{n}{text}".encode()).hexdigest(), word_count=len(text.split()),
                relevance=0.9, matched_terms=[], annotated=True)


def men(n: int, source: str, name: str, label: str = "organisation", start: int = 0) -> dict:
    return dict(canonical_url=f"https://{source}.example/a/{n}", label=label, text=name, canonical=name,
                start=start, end=start + len(name), sentence=f"{name} said something in article {n}.")


class Db:
    """A database filled through the real Store, one batch per run at each `flush`."""

    def __init__(self, path):
        self.path = path
        self.store = Store(path)
        self.n = 0
        self.pending: dict[int | None, tuple[list, list]] = {}

    def article(self, source: str, at: datetime, names=(), text: str = "", run: int | None = 1,
                title: str | None = None) -> int:
        self.n += 1
        articles, mentions = self.pending.setdefault(run, ([], []))
        articles.append(art(self.n, source, at, text, title))
        mentions += [men(self.n, source, name, start=10 * i) for i, name in enumerate(names)]
        return self.n

    def flush(self) -> "Db":
        for run, (articles, mentions) in self.pending.items():
            self.store.write_batch(run, pd.DataFrame(articles), pd.DataFrame(mentions) if mentions else None, None)
        self.pending.clear()
        return self


@pytest.fixture
def news(db) -> Db:
    """A fresh database (conftest `db`) to fill through the real Store."""
    return Db(db)


def alerts_of(news: Db, rule: str, watchlist: Watchlist | None = None, since=NOW - timedelta(days=7)):
    news.flush()
    return [a for a in find_alerts(news.path, watchlist, since, now=NOW).alerts if a.rule == rule]


# -- the watchlist -----------------------------------------------------------------------------

def test_the_example_watchlist_loads():
    w = load_watchlist(EXAMPLE)
    assert w.fine_threshold_eur == 10_000_000 and "age verification" in w.terms
    assert ("European Commission", "organisation") in {(e.name, e.label) for e in w.entities}
    assert w.rules.spike_weeks == 6


@pytest.mark.parametrize("text, message", [
    ('fine_treshold_eur = 5\n', "3: the file: unknown key 'fine_treshold_eur' (did you mean 'fine_threshold_eur'?)"),
    ('terms = ["x"]\n\n[[entity]]\nname = "Ofcom"\nlable = "organisation"\n',
     "5: [[entity]]: unknown key 'lable' (did you mean 'label'?)"),
    ('[[entity]]\nname = "Ofcom"\nlabel = "company"\n', "3: [[entity]] 'Ofcom': label must be one of person, organisation"),
    ('[[entity]]\nlabel = "person"\n', "1: [[entity]] needs a name"),
    ('fine_threshold_eur = -1\n', "1: fine_threshold_eur must be a number of euros >= 0"),
    ('fine_threshold_eur = "10m"\n', "1: fine_threshold_eur must be a number"),
    ('terms = "dsa"\n', "1: terms must be a list of non-empty strings"),
    ('[rules]\nspike_weeks = 12\n', "2: [rules] spike_weeks must be a whole number from 4 to 8, not 12"),
    ('[rules]\nspike_z = nan\n', "2: [rules] spike_z must be a number"),
    ('[rules]\nspike_articles = 2.5\n', "2: [rules] spike_articles must be a whole number"),
    ('terms = ["a",\n', "invalid TOML"),
])
def test_a_bad_watchlist_names_the_line_and_the_mistake(text, message):
    with pytest.raises(WatchlistError) as err:
        parse_watchlist("# my list\n\n" + text if text.startswith("fine_treshold") else text, "w.toml")
    assert message in str(err.value) and str(err.value).startswith("w.toml")


def test_a_missing_or_bad_watchlist_is_exit_2_in_one_line(news, tmp_path):
    news.article("alpha", NOW)
    news.flush()
    bad = tmp_path / "w.toml"
    bad.write_text("[[entity]]\nnmae = 'x'\n")
    for path in (bad, tmp_path / "nope.toml"):
        done = CliRunner().invoke(cli, ["alerts", "--db", str(news.path), "--watchlist", str(path)])
        assert done.exit_code == 2 and len(done.output.strip().splitlines()) == 1, done.output


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(["age verification", "C++ rules", "end-to-end encryption", "DSA", "a.b (c)"]),
       st.sampled_from(["", "x", "s"]), st.sampled_from([" ", "  ", "\n"]), st.booleans())
def test_a_term_matches_whole_words_in_any_case_and_spacing(term, suffix, space, upper):
    pattern = term_pattern(term)
    written = space.join(term.split())
    written = written.upper() if upper else written
    text = f"Before {written}{suffix} after."
    con = duckdb.connect()
    found = con.execute("SELECT regexp_matches($t, '(?i)' || $p)", {"t": text, "p": pattern}).fetchone()[0]
    assert found == (suffix == "" or not term[-1].isalnum())


def test_since_takes_a_date_a_time_or_an_iso_week():
    assert parse_since("2026-06-10") == datetime(2026, 6, 10)
    assert parse_since("2026-06-10T08:30+02:00") == datetime(2026, 6, 10, 6, 30)
    assert parse_since("2026-W24") == datetime(2026, 6, 8)
    for bad in ("yesterday", "2026-W60", "2026-13-01"):
        with pytest.raises(QueryParamError):
            parse_since(bad)


# -- the rules ----------------------------------------------------------------------------------

def test_a_watched_entity_is_found_by_an_alias_and_only_with_its_label(news):
    n = news.article("alpha", NOW - timedelta(days=1), ["Office of Communications", "Acme Ltd"],
                   text="The Office of Communications (Ofcom) fined Acme.")
    news.article("alpha", NOW - timedelta(days=30), ["Office of Communications"])  # before the period
    w = Watchlist(entities=(load_watchlist(None).entities or ()) + tuple(
        parse_watchlist('[[entity]]\nname = "acme"\n[[entity]]\nname = "Office of Communications"\n'
                        'label = "person"\n').entities))
    found = alerts_of(news, "watched_entity", w)
    assert [(a.subject, a.link) for a in found] == [("Acme Ltd", f"https://alpha.example/a/{n}")]
    assert found[0].evidence[0].sentence == f"Acme Ltd said something in article {n}."
    assert found[0].evidence[0].source == "Alpha News"


def test_quoted_sentences_are_read_cluster_by_cluster(news, monkeypatch):
    from newsmon.data.alerts import build

    assert build._clusters([3, 5, 200_000, 200_010, 500_000], gap=122_880) == [
        (3, 5), (200_000, 200_010), (500_000, 500_000)]
    ids = [news.article("alpha", NOW - timedelta(days=1, hours=i), ["Acme Ltd", "Beta Corp"]) for i in range(4)]
    watched = Watchlist(entities=tuple(parse_watchlist('[[entity]]\nname = "Acme Ltd"\n[[entity]]\n'
                                                       'name = "Beta Corp"\n').entities))
    whole = {(a.key, a.evidence[0].sentence) for a in alerts_of(news, "watched_entity", watched)}
    monkeypatch.setattr(build, "ROW_GROUP_ROWS", 0)  # every quoted mention a cluster of its own
    apart = {(a.key, a.evidence[0].sentence) for a in alerts_of(news, "watched_entity", watched)}
    assert apart == whole and len(whole) == 8
    assert {s for _, s in whole} == {f"{name} said something in article {n}." for n in ids
                                     for name in ("Acme Ltd", "Beta Corp")}


def test_a_watched_term_gives_its_sentence(news):
    news.article("alpha", NOW - timedelta(days=2), text="First point. Regulators want Age\nverification now. Last.")
    news.article("bravo", NOW - timedelta(days=2), text="Page verifications are not it.")
    found = alerts_of(news, "watched_term", Watchlist(terms=("age verification",)))
    assert [a.evidence[0].sentence for a in found] == ["Regulators want Age\nverification now."]


def test_each_of_several_terms_gives_its_own_alert_and_sentence(news):
    both = news.article("alpha", NOW - timedelta(days=1), title="Age verification (the C++ way)",
                        text="Intro. The Online Safety Act passed. Then age\nverification came.")
    one = news.article("bravo", NOW - timedelta(days=2), text="Only C++ here, in a sentence.")
    news.article("bravo", NOW - timedelta(days=3), text="Online safetyish and C+ are no match.")
    found = alerts_of(news, "watched_term", Watchlist(terms=("online safety", "age verification", "C++")))
    assert sorted((a.subject, a.link.rsplit("/", 1)[1], a.evidence[0].sentence) for a in found) == sorted([
        ("online safety", str(both), "The Online Safety Act passed."),
        ("age verification", str(both), "Then age\nverification came."),
        ("C++", str(both), "Age verification (the C++ way)"),
        ("C++", str(one), "Only C++ here, in a sentence.")])


def test_a_new_entity_needs_enough_articles_and_sources_and_no_earlier_article(news):
    for i, source in enumerate(("alpha", "alpha", "bravo")):
        news.article(source, NOW - timedelta(days=1, hours=i), ["Quillfeather Analytics", "Old Corp"])
    for source in ("alpha", "alpha", "alpha"):
        news.article(source, NOW - timedelta(days=2), ["Lonely Corp"])  # one source only
    news.article("bravo", NOW - timedelta(days=20), ["Old Corp"])  # named before the period
    found = alerts_of(news, "new_entity")
    assert [a.subject for a in found] == ["Quillfeather Analytics"]
    assert {e.source for e in found[0].evidence} == {"Alpha News", "Bravo News"}
    strict = Watchlist(rules=parse_watchlist("[rules]\nnew_entity_articles = 4\n").rules)
    assert alerts_of(news, "new_entity", strict) == []


def _weekly(news: Db, name: str, counts: list[int], start: datetime, other: str = "Filler Org") -> None:
    for week, count in enumerate(counts):
        for k in range(count):
            news.article("alpha", start + timedelta(days=7 * week, hours=k), [name])
        news.article("bravo", start + timedelta(days=7 * week, hours=1), [other])  # every week has data


def test_a_spike_against_the_weeks_before(news):
    monday = datetime(2026, 6, 15)
    _weekly(news, "Spiky Org", [1, 2, 1, 1, 2, 1, 9], monday - timedelta(weeks=6))
    _weekly(news, "Steady Org", [6, 5, 7, 6, 5, 6, 7], monday - timedelta(weeks=6), other="Filler Two")
    found = alerts_of(news, "spike", since=monday)
    assert [a.subject for a in found] == ["Spiky Org"]
    assert "9 articles in 2026-W25" in found[0].title and "1, 2, 1, 1, 2, 1" in found[0].detail
    assert len(found[0].evidence) == 5


def test_no_spike_without_history_or_before_the_data_starts(news, tmp_path):
    monday = datetime(2026, 6, 15)
    _weekly(news, "Fresh Org", [0, 0, 0, 0, 0, 0, 9], monday - timedelta(weeks=6))  # new: no history
    assert alerts_of(news, "spike", since=monday) == []
    young = Db(tmp_path / "young.duckdb")
    _weekly(young, "Young Org", [1, 1, 9], monday - timedelta(weeks=2))  # the data starts 2 weeks before
    assert alerts_of(young, "spike", since=monday) == []
    _weekly(young, "Young Org", [1, 1], monday - timedelta(weeks=4))  # now 4 weeks before it
    assert [a.subject for a in alerts_of(young, "spike", since=monday)] == ["Young Org"]


def _runs(news: Db, starts: list[datetime], sources: list[str]) -> list[int]:
    news.flush()
    con = duckdb.connect(str(news.path))
    ids = []
    for at in starts:
        ids.append(con.execute("INSERT INTO crawl_runs (started_at, finished_at, status, sources) "
                               "VALUES ($at, $at, 'ok', $s) RETURNING run_id", {"at": at, "s": sources}).fetchone()[0])
    con.close()
    return ids


def test_a_source_that_went_silent_against_its_usual_interval(news):
    for day in range(20):  # one article a day until 10 days ago, stored by two runs
        news.article("alpha", NOW - timedelta(days=30 - day), run=1 + day % 2)
    for day in range(20):
        news.article("bravo", NOW - timedelta(days=20 - day, hours=2), run=1 + day % 2)  # still publishing
    news.article("charlie", NOW - timedelta(days=40))  # too little history to judge
    _runs(news, [NOW - timedelta(hours=6)], ["alpha", "bravo", "charlie"])
    found = alerts_of(news, "source_silent")
    assert [a.subject for a in found] == ["Alpha News"]
    assert "no new article since" in found[0].title


def test_a_silent_source_that_nobody_crawled_is_not_reported(news):
    for day in range(20):
        news.article("alpha", NOW - timedelta(days=30 - day), run=1 + day % 2)
    _runs(news, [NOW - timedelta(days=10, hours=1)], ["alpha"])  # the last crawl was right after it
    assert alerts_of(news, "source_silent") == []


def _pages(news: Db, run: int, source: str, statuses: list[int]) -> None:
    news.flush()
    rows = [dict(url=f"https://{source}.example/p/{i}", source=source, kind="feed", status=s, etag=None,
                 last_modified=None, lastmod=None, fetched_at=NOW - timedelta(hours=1),
                 outcome="listed" if s == 200 else f"failed:http_{s}", canonical_url=None)
            for i, s in enumerate(statuses)]
    news.store.write_batch(run, None, None, None, pd.DataFrame(rows))


def test_a_source_that_now_refuses_the_crawler(news):
    runs = _runs(news, [NOW - timedelta(days=2), NOW - timedelta(hours=2)], ["alpha", "bravo", "charlie"])
    news.article("alpha", NOW - timedelta(days=3), run=runs[0])
    _pages(news, runs[0], "alpha", [200, 200, 200])
    _pages(news, runs[1], "alpha", [403, 403, 429])
    _pages(news, runs[0], "bravo", [200, 200])
    _pages(news, runs[1], "bravo", [200, 403, 200])  # one refusal in three: below the share
    _pages(news, runs[1], "charlie", [403, 403])  # never delivered: not "turned" into refusals
    found = alerts_of(news, "source_blocked")
    assert [a.subject for a in found] == ["Alpha News"]
    assert "answered 403/429 to 3 of 3 fetches" in found[0].title
    later = _runs(news, [NOW - timedelta(hours=1)], ["alpha"])[0]
    _pages(news, later, "alpha", [403])  # still blocked in a later run: the same alert
    assert [a.id for a in alerts_of(news, "source_blocked")] == [found[0].id]


# -- memory and formats -------------------------------------------------------------------------

@pytest.fixture
def watched(news, tmp_path):
    for day in (1, 2):
        news.article("alpha", datetime.utcnow() - timedelta(days=day), ["Watched Corp"], title=f"News {day}")
    news.flush()
    path = tmp_path / "w.toml"
    path.write_text('[[entity]]\nname = "Watched Corp"\n')
    return path


def invoke(*args: str):
    return CliRunner().invoke(cli, ["alerts", *args])


def test_reported_alerts_are_not_reported_again_per_channel(news, watched):
    base = ["--db", str(news.path), "--watchlist", str(watched)]
    peek = invoke(*base, "--peek")
    assert peek.exit_code == 0 and peek.output.count("* Watched Corp in") == 2
    first = invoke(*base)
    assert first.output == peek.output
    again = invoke(*base)
    assert again.exit_code == 0 and "no new alerts since" in again.output and "* " not in again.output
    assert invoke(*base, "--all").output.count("* Watched Corp in") == 2
    as_json = json.loads(invoke(*base, "--all", "--format", "json").output)
    assert [a["rule"] for a in as_json] == ["watched_entity"] * 2
    assert {a["id"] for a in as_json} == set(__import__("re").findall(r"id (nm-\w+)", first.output))
    news.article("alpha", datetime.utcnow(), ["Watched Corp"], title="News 3")
    news.flush()
    newer = invoke(*base)
    assert newer.output.count("* Watched Corp in") == 1 and "News 3" in newer.output


def test_the_atom_feed_parses_and_keeps_each_entry_s_first_time(news, watched, tmp_path):
    out = tmp_path / "feed" / "alerts.atom"
    base = ["--db", str(news.path), "--watchlist", str(watched), "--format", "atom", "--out", str(out)]
    assert invoke(*base).exit_code == 0
    feed = feedparser.parse(str(out))
    assert not feed.bozo and feed.version == "atom10" and len(feed.entries) == 2
    entry = feed.entries[0]
    assert entry.id.startswith("urn:newsmon:alert:nm-") and entry.link.startswith("https://alpha.example/a/")
    assert entry.title.startswith("[watched entity] Watched Corp in")
    first_times = {e.id: e.updated for e in feed.entries}
    news.article("alpha", datetime.utcnow(), ["Watched Corp"], title="News 3")
    news.flush()
    assert invoke(*base).exit_code == 0
    feed = feedparser.parse(str(out))
    assert len(feed.entries) == 3
    assert all(e.updated == first_times[e.id] for e in feed.entries if e.id in first_times)
    assert not list(out.parent.glob(".*partial"))


def test_send_does_not_go_with_atom_and_a_bad_since_is_exit_2(news, watched):
    assert invoke("--db", str(news.path), "--format", "atom", "--send").exit_code == 2
    done = invoke("--db", str(news.path), "--since", "last week")
    assert done.exit_code == 2 and "--since" in done.output


def _fine(news: Db, n: int, fine_id: str, value: float, unit: str, eur: float | None, target: str = "Acme") -> None:
    news.flush()
    con = duckdb.connect(str(news.path))
    con.execute("""INSERT INTO fine_reports (report_id, fine_id, article_id, authority, authority_label, target,
                       target_label, value, unit, status, basis, value_eur, text, start_char, end_char, sentence)
                   SELECT article_id || ':1', $fine, article_id, 'Data Regulator', 'organisation', $target,
                          'organisation', $value, $unit, 'imposed', 'GDPR', $eur, $unit || ' ' || $value, 1, 5,
                          'The regulator fined ' || $target || '.'
                   FROM articles WHERE canonical_url LIKE '%/a/' || $n""",
                {"fine": fine_id, "value": value, "unit": unit, "eur": eur, "target": target, "n": n})
    con.close()


def test_a_fine_at_or_above_the_threshold_in_euros(news):
    big = news.article("alpha", NOW - timedelta(days=2))
    copy = news.article("bravo", NOW - timedelta(days=1))
    small = news.article("alpha", NOW - timedelta(days=2))
    old = news.article("alpha", NOW - timedelta(days=30))
    _fine(news, big, "f1", 12e9, "KRW", 8.1e6)      # in won, over €5m once converted
    _fine(news, copy, "f1", 12e9, "KRW", 8.1e6)     # the same fine, reported again
    _fine(news, small, "f2", 4e6, "EUR", 4e6)
    _fine(news, old, "f3", 9e9, "EUR", 9e9)         # before the period
    found = alerts_of(news, "fine", Watchlist(fine_threshold_eur=5_000_000))
    assert [a.key for a in found] == ["f1"]
    assert "Data Regulator → Acme" in found[0].title and "(≈ €8,100,000)" in found[0].title
    assert {e.source for e in found[0].evidence} == {"Alpha News", "Bravo News"}
    assert "Reported by 2 articles" in found[0].detail
    assert sorted(a.key for a in alerts_of(news, "fine", Watchlist(fine_threshold_eur=1_000_000))) == ["f1", "f2"]


def test_a_fine_that_only_an_edit_brought_is_the_edit_s_alert(news):
    def write(n: int, text: str, value: float) -> None:
        money = [dict(canonical_url=f"https://alpha.example/a/{n}", kind="money", value=value, unit="EUR",
                      object=None, text=f"€{value / 1e6:g}m", start=5, end=10, sentence=text)]
        news.store.write_batch(1, pd.DataFrame([art(n, "alpha", NOW - timedelta(days=1), text)]), None,
                             pd.DataFrame(money))
    write(90, "The regulator fined Acme €14.5m.", 14.5e6)
    write(90, "The regulator fined Acme €18.5m.", 18.5e6)  # the article edited: its fine is new
    _fine(news, 90, "f-edit", 18.5e6, "EUR", 18.5e6)
    assert alerts_of(news, "fine") == []
    assert [a.rule for a in find_alerts(news.path, None, NOW - timedelta(days=7)).alerts] == ["edit"]
