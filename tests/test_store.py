"""The Store writer and the readers, on real DuckDB files (data.store, data.entities)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from newsmon.data import (
    DatabaseBusyError,
    Store,
    WriteError,
    article_id_for,
    connect_read,
    load_fts,
    open_db,
    query,
)

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT_TABLES = ("articles", "mentions", "figures", "entities", "entity_aliases", "crawl_runs", "sources")


# -- frame builders ------------------------------------------------------------

def article(n: int, text: str | None = None, **overrides) -> dict:
    text = text or f"Article {n} about the Digital Services Act."
    row = dict(
        url=f"https://news.example/a/{n}?utm=x", canonical_url=f"https://news.example/a/{n}", source="example",
        title=f"Title {n}", authors=[f"Author {n}"], published_at="2024-05-06", fetched_at="2024-05-07T10:00:00Z",
        language="en", sitename="Example News", description=None, text=text, text_hash=hashlib.sha1(text.encode()).hexdigest(),
        word_count=len(text.split()), relevance=0.8, matched_terms=["digital services act"], annotated=True,
    )
    row.update(overrides)
    return row


def mention(n: int, canonical: str, start: int = 0, label: str = "person", text: str | None = None) -> dict:
    surface = text or canonical
    return dict(canonical_url=f"https://news.example/a/{n}", label=label, text=surface, canonical=canonical,
                start=start, end=start + len(surface), sentence=f"{surface} said something.")


def figure(n: int, value: float, kind: str = "money", unit: str | None = "EUR", start: int = 0) -> dict:
    return dict(canonical_url=f"https://news.example/a/{n}", kind=kind, value=value, unit=unit, object=None,
                text=f"{value:g} {unit}", start=start, end=start + 5, sentence="A fine was imposed.")


def frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def snapshot(path: Path) -> dict[str, list]:
    """Every row of every table, sorted, for exact before/after comparisons."""
    with connect_read(path) as con:
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in SNAPSHOT_TABLES}


def count(path: Path, sql: str) -> int:
    return int(query(path, sql).iloc[0, 0])


@pytest.fixture
def store(db) -> Store:
    return Store(db)


def first_batch():
    articles = frame([article(1), article(2)])
    mentions = frame([mention(1, "Pavel Durov"), mention(1, "Telegram", 20, "organisation"),
                      mention(2, "Thierry Breton"), mention(2, "European Commission", 30, "organisation")])
    figures = frame([figure(1, 1_000_000.0), figure(2, 6.0, "percent", "%")])
    return articles, mentions, figures


# -- write_batch -----------------------------------------------------------------

def test_write_batch_inserts_articles_mentions_and_figures(store, db):
    run_id = store.start_run(["example"])
    counts = store.write_batch(run_id, *first_batch())
    assert counts == {"inserted": 2, "updated": 0, "unchanged": 0, "mentions": 4, "figures": 2}

    rows = query(db, "SELECT * FROM articles ORDER BY canonical_url")
    assert list(rows.article_id) == [article_id_for("https://news.example/a/1"), article_id_for("https://news.example/a/2")]
    first = rows.iloc[0]
    assert list(first.authors) == ["Author 1"]
    assert list(first.matched_terms) == ["digital services act"]
    assert first.published_at == pd.Timestamp("2024-05-06")
    assert first.fetched_at == pd.Timestamp("2024-05-07 10:00:00")
    assert first.first_seen_at == first.updated_at
    assert first.run_id == run_id and bool(first.annotated)
    assert count(db, "SELECT count(*) FROM mentions WHERE entity_id IS NULL") == 0
    assert set(query(db, "SELECT name FROM entities").name) == {"Pavel Durov", "Telegram", "Thierry Breton", "European Commission"}


def test_article_id_is_stable():
    # A stored id must never change meaning: this value is part of the schema contract.
    assert article_id_for("https://news.example/a/1") == article_id_for("https://news.example/a/1")
    assert article_id_for("https://example.org/") == 8623262156164968907
    assert 0 < article_id_for("x") < 2**63


def test_rewriting_the_same_batch_changes_nothing(store, db):
    store.write_batch(1, *first_batch())
    before = snapshot(db)
    counts = store.write_batch(2, *first_batch())
    assert counts == {"inserted": 0, "updated": 0, "unchanged": 2, "mentions": 0, "figures": 0}
    assert snapshot(db) == before
    for table, key in (("articles", "canonical_url"), ("mentions", "article_id, start_char, end_char, label"),
                       ("figures", "article_id, start_char, kind")):
        assert count(db, f"SELECT count(*) FROM (SELECT {key} FROM {table} GROUP BY ALL HAVING count(*) > 1)") == 0


def test_unchanged_article_only_moves_fetched_at_forward(store, db):
    articles, mentions, figures = first_batch()
    store.write_batch(1, articles, mentions, figures)
    later = articles.assign(fetched_at="2024-06-01T08:30:00+02:00", title="A new title is ignored")
    assert store.write_batch(2, later, mentions, figures)["unchanged"] == 2
    row = query(db, "SELECT fetched_at, title, run_id FROM articles WHERE canonical_url LIKE '%/1'").iloc[0]
    assert row.fetched_at == pd.Timestamp("2024-06-01 06:30:00")  # stored as UTC
    assert row.title == "Title 1" and row.run_id == 1
    earlier = articles.assign(fetched_at="2020-01-01T00:00:00Z")
    store.write_batch(3, earlier, mentions, figures)
    assert query(db, "SELECT fetched_at FROM articles WHERE canonical_url LIKE '%/1'").iloc[0, 0] == pd.Timestamp("2024-06-01 06:30:00")


def test_changed_text_updates_the_article_and_replaces_its_annotations(store, db):
    store.write_batch(1, *first_batch())
    before = query(db, "SELECT * FROM articles WHERE canonical_url LIKE '%/1'").iloc[0]
    untouched = snapshot(db)

    new_text = "Article 1, corrected: Margrethe Vestager spoke."
    counts = store.write_batch(
        2, frame([article(1, new_text, title="Corrected")]),
        frame([mention(1, "Margrethe Vestager", 22)]),
        frame([figure(1, 42.0, "count", None, 3)]),
    )
    assert counts == {"inserted": 0, "updated": 1, "unchanged": 0, "mentions": 1, "figures": 1, "versions": 1}
    after = query(db, "SELECT * FROM articles WHERE canonical_url LIKE '%/1'").iloc[0]
    assert after.text == new_text and after.title == "Corrected" and after.run_id == 2
    assert after.first_seen_at == before.first_seen_at
    assert after.updated_at > before.updated_at

    aid = article_id_for("https://news.example/a/1")
    assert list(query(db, f"SELECT canonical FROM mentions WHERE article_id = {aid}").canonical) == ["Margrethe Vestager"]
    assert list(query(db, f"SELECT value FROM figures WHERE article_id = {aid}").value) == [42.0]
    # article 2 kept its rows
    now = snapshot(db)
    other = str(article_id_for("https://news.example/a/2"))
    assert [r for r in now["mentions"] if other in r] == [r for r in untouched["mentions"] if other in r]
    assert len(now["mentions"]) == 3 and len(now["figures"]) == 2


def test_same_text_gaining_annotations_counts_as_an_update(store, db):
    store.write_batch(1, frame([article(7, annotated=False)]), None, None)
    assert count(db, "SELECT count(*) FROM mentions") == 0
    counts = store.write_batch(2, frame([article(7)]), frame([mention(7, "Pavel Durov")]), None)
    assert counts["updated"] == 1 and counts["mentions"] == 1
    assert count(db, "SELECT count(*) FROM articles WHERE annotated") == 1
    # ...but losing annotations on a recrawl keeps the stored ones
    assert store.write_batch(3, frame([article(7, annotated=False)]), None, None)["unchanged"] == 1
    assert count(db, "SELECT count(*) FROM mentions") == 1


def test_duplicate_canonical_urls_in_one_batch_last_one_wins(store, db):
    rows = [article(3, "First version of three."), article(3, "Second version of three.", url="https://m.news.example/a/3")]
    counts = store.write_batch(1, frame(rows), None, None)
    assert counts["inserted"] == 1
    got = query(db, "SELECT url, text FROM articles")
    assert list(got.text) == ["Second version of three."]
    assert list(got.url) == ["https://m.news.example/a/3"]


def test_rows_without_an_article_in_the_batch_are_dropped(store, db):
    counts = store.write_batch(1, frame([article(1)]), frame([mention(1, "Pavel Durov"), mention(99, "Nobody Known")]),
                               frame([figure(99, 3.0)]))
    assert counts["mentions"] == 1 and counts["figures"] == 0
    assert count(db, "SELECT count(*) FROM entities WHERE name = 'Nobody Known'") == 0


# -- atomicity -------------------------------------------------------------------

def _failing_batches():
    new_and_changed = frame([article(1, "Changed text of one."), article(5)])
    good_figures = frame([figure(5, 9.0)])
    bad_label = frame([mention(5, "Pavel Durov"), mention(5, "Brussels", 10, "place")])
    bad_type = frame([mention(5, "Pavel Durov")]).assign(start="abc")
    missing_column = frame([mention(5, "Pavel Durov")]).drop(columns=["label"])
    return {
        "check constraint mid-transaction": (new_and_changed, bad_label, good_figures),
        "wrong type": (new_and_changed, bad_type, good_figures),
        "missing column": (new_and_changed, missing_column, good_figures),
    }


@pytest.mark.parametrize("case", list(_failing_batches()))
def test_a_failing_batch_leaves_the_database_exactly_as_before(store, db, case):
    store.write_batch(1, *first_batch())
    before = snapshot(db)
    with pytest.raises(WriteError):
        store.write_batch(2, *_failing_batches()[case])
    assert snapshot(db) == before
    # and the store still works afterwards
    assert store.write_batch(3, frame([article(5)]), None, None)["inserted"] == 1


# -- entities --------------------------------------------------------------------

def test_surname_becomes_an_alias_of_the_one_full_name_across_articles(store, db):
    store.write_batch(1, frame([article(1)]), frame([mention(1, "Pavel Durov")]), None)
    store.write_batch(2, frame([article(2)]), frame([mention(2, "Durov"), mention(2, "PAVEL  DUROV", 40)]), None)
    ids = query(db, "SELECT DISTINCT entity_id FROM mentions")
    assert len(ids) == 1
    assert count(db, "SELECT count(*) FROM entities") == 1
    week = query(db, "SELECT * FROM mentions_per_entity_week")
    assert list(week.entity) == ["Pavel Durov"] and list(week.mentions) == [3] and list(week.articles) == [2]


def test_surname_and_full_name_in_one_batch_resolve_regardless_of_order(store, db):
    store.write_batch(1, frame([article(1), article(2)]), frame([
        mention(1, "Breton"), mention(1, "von der Leyen", 20), mention(1, "Leyen", 40),
        mention(2, "Thierry Breton"), mention(2, "Ursula von der Leyen", 20),
    ]), None)
    per_entity = query(db, "SELECT e.name, count(*) AS n FROM mentions JOIN entities e USING (entity_id) GROUP BY ALL")
    assert dict(zip(per_entity.name, per_entity.n)) == {"Thierry Breton": 2, "Ursula von der Leyen": 3}


def test_ambiguous_surnames_and_organisations_do_not_alias(store, db):
    store.write_batch(1, frame([article(1)]), frame([
        mention(1, "Pavel Durov"), mention(1, "Nikolai Durov", 20),
        mention(1, "Meta Platforms", 40, "organisation"),
    ]), None)
    store.write_batch(2, frame([article(2)]), frame([
        mention(2, "Durov"), mention(2, "Platforms", 10, "organisation"), mention(2, "meta platforms", 30, "organisation"),
    ]), None)
    names = query(db, "SELECT e.name, count(*) AS n FROM mentions m JOIN entities e USING (entity_id) GROUP BY ALL")
    got = dict(zip(names.name, names.n))
    assert got == {"Pavel Durov": 1, "Nikolai Durov": 1, "Durov": 1, "Meta Platforms": 2, "Platforms": 1}


def test_same_name_with_different_labels_are_different_entities(store, db):
    store.write_batch(1, frame([article(1)]), frame([mention(1, "Telegram"), mention(1, "Telegram", 20, "organisation")]), None)
    assert count(db, "SELECT count(DISTINCT entity_id) FROM mentions") == 2


# -- views -----------------------------------------------------------------------

def test_views_answer_the_common_questions(store, db):
    store.write_batch(1, frame([
        article(1, published_at="2024-05-06"),  # a Monday
        article(2, published_at="2024-05-08"),  # same ISO week
        article(3, published_at="2024-05-14", source="other"),  # next week
    ]), frame([
        mention(1, "Pavel Durov"), mention(1, "Durov", 30), mention(1, "Telegram", 50, "organisation"),
        mention(2, "Pavel Durov"),
        mention(3, "Pavel Durov"),
    ]), frame([figure(1, 2e6), figure(1, 5.0, "percent", "%", 20), figure(3, 1e3, unit="USD")]))

    week = query(db, "SELECT week, label, entity, mentions, articles FROM mentions_per_entity_week ORDER BY week, entity")
    assert [tuple(r) for r in week.itertuples(index=False)] == [  # ISO weeks since migration 007
        ("2024-W19", "person", "Pavel Durov", 3, 2),
        ("2024-W19", "organisation", "Telegram", 1, 1),
        ("2024-W20", "person", "Pavel Durov", 1, 1),
    ]

    summary = query(db, "SELECT canonical_url, people, organisations, mentions, figures FROM article_summary ORDER BY 1")
    assert [tuple(r)[1:] for r in summary.itertuples(index=False)] == [(1, 1, 3, 2), (1, 0, 1, 0), (1, 0, 1, 1)]

    money = query(db, "SELECT value, unit, title, url, published_at FROM figures_money ORDER BY value")
    assert [tuple(r) for r in money.itertuples(index=False)] == [
        (1e3, "USD", "Title 3", "https://news.example/a/3", pd.Timestamp("2024-05-14")),
        (2e6, "EUR", "Title 1", "https://news.example/a/1", pd.Timestamp("2024-05-06")),
    ]

    per_day = query(db, "SELECT source, day, articles FROM articles_per_source_day ORDER BY day")
    assert [tuple(r) for r in per_day.itertuples(index=False)] == [
        ("example", pd.Timestamp("2024-05-06"), 1), ("example", pd.Timestamp("2024-05-08"), 1),
        ("other", pd.Timestamp("2024-05-14"), 1),
    ]


# -- bulk ------------------------------------------------------------------------

def test_bulk_batch_of_50k_mentions_is_written_whole(store, db):
    n_articles, per_article = 500, 100
    articles = frame([article(i) for i in range(n_articles)])
    mentions = pd.DataFrame({
        "canonical_url": [f"https://news.example/a/{i}" for i in range(n_articles) for _ in range(per_article)],
        "label": ["person", "organisation"] * (n_articles * per_article // 2),
        "text": [f"Name {j}" for _ in range(n_articles) for j in range(per_article)],
        "start": [j * 10 for _ in range(n_articles) for j in range(per_article)],
    })
    mentions["canonical"] = mentions["text"]
    mentions["end"] = mentions["start"] + 6
    mentions["sentence"] = "A sentence."
    counts = store.write_batch(1, articles, mentions, None)
    assert counts["inserted"] == n_articles and counts["mentions"] == n_articles * per_article
    assert count(db, "SELECT count(*) FROM mentions") == 50_000
    assert count(db, "SELECT count(*) FROM entities") == per_article  # name j always has the same label
    assert store.write_batch(2, articles, mentions, None)["unchanged"] == n_articles
    assert count(db, "SELECT count(*) FROM mentions") == 50_000


# -- runs, sources, re-annotation ------------------------------------------------

def test_crawl_runs_lifecycle(store, db):
    first, second = store.start_run(["a", "b"]), store.start_run(["c"])
    assert second > first
    store.finish_run(first, "ok", {"pages": 12, "reasons": {"too_short": 2}})
    runs = query(db, "SELECT * FROM crawl_runs ORDER BY run_id")
    assert list(runs.status) == ["ok", "running"]
    assert json.loads(runs.stats[0]) == {"pages": 12, "reasons": {"too_short": 2}}
    assert runs.finished_at[0] >= runs.started_at[0] and pd.isna(runs.finished_at[1])
    assert list(runs.sources[0]) == ["a", "b"] and runs.pid[1] == os.getpid()
    with pytest.raises(WriteError):
        store.finish_run(second, "weird", {})
    with pytest.raises(WriteError, match="no crawl run"):
        store.finish_run(999, "ok", {})


def test_runs_of_dead_processes_are_marked_interrupted(store, db):
    run_id = store.start_run(["a"])
    alive = store.start_run(["b"])
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    with open_db(db) as con:
        con.execute("UPDATE crawl_runs SET pid = ? WHERE run_id = ?", [int(gone.stdout), run_id])
    assert store.mark_interrupted_runs() == 1
    status = dict(query(db, "SELECT run_id, status FROM crawl_runs").itertuples(index=False))
    assert status == {run_id: "interrupted", alive: "running"}


def test_sync_sources_upserts_and_only_touches_changed_rows(store, db):
    sources = frame([
        dict(name="a", homepage="https://a.example", language="en", feeds=["https://a.example/rss"], sitemaps=None,
             config={"delay": 1.0}),
        dict(name="b", homepage="https://b.example", language="de", feeds=[], sitemaps=["https://b.example/s.xml"],
             config=None),
    ])
    assert store.sync_sources(sources) == 2
    first = query(db, "SELECT name, updated_at, config FROM sources ORDER BY name")
    assert json.loads(first.config[0]) == {"delay": 1.0}
    store.sync_sources(sources)
    changed = sources.copy()
    changed.loc[1, "homepage"] = "https://b.example/new"
    store.sync_sources(changed)
    after = query(db, "SELECT name, homepage, updated_at FROM sources ORDER BY name")
    assert after.updated_at[0] == first.updated_at[0]
    assert after.updated_at[1] > first.updated_at[1] and after.homepage[1] == "https://b.example/new"
    assert count(db, "SELECT count(*) FROM sources") == 2


def test_replace_annotations_swaps_rows_for_the_given_articles_only(store, db):
    store.write_batch(1, *first_batch())
    first, second = article_id_for("https://news.example/a/1"), article_id_for("https://news.example/a/2")
    keep = snapshot(db)
    new_mentions = frame([dict(article_id=first, label="person", text="Durov", canonical="Durov", start=5, end=10,
                               sentence="Durov again.")])
    counts = store.replace_annotations(new_mentions, None, [first, 123])
    assert counts == {"articles": 1, "mentions": 1, "figures": 0}
    rows = query(db, f"SELECT canonical, entity_id FROM mentions WHERE article_id = {first}")
    assert list(rows.canonical) == ["Durov"]
    pavel = query(db, "SELECT entity_id FROM entities WHERE name = 'Pavel Durov'").iloc[0, 0]
    assert rows.entity_id[0] == pavel  # surname rule applies here too
    assert count(db, f"SELECT count(*) FROM figures WHERE article_id = {first}") == 0
    other = str(second)
    assert [r for r in snapshot(db)["mentions"] if other in r] == [r for r in keep["mentions"] if other in r]


# -- concurrency: readers in other processes --------------------------------------

READER = textwrap.dedent("""
    import json, logging, sys, time
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(message)s")
    from newsmon.data import query
    path, repeats = sys.argv[1], int(sys.argv[2])
    seen = []
    for _ in range(repeats):
        seen.append(int(query(path, "SELECT count(*) FROM articles", timeout=60).iloc[0, 0]))
        time.sleep(0.01)
    print(json.dumps(seen))
""")

HOLDER = textwrap.dedent("""
    import sys
    from newsmon.data import open_db
    con = open_db(sys.argv[1])
    print("locked", flush=True)
    sys.stdin.readline()
    con.close()
""")


def _python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def _read(code: str, *args) -> list[int]:
    proc = _python(code, *args)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return json.loads(out)


def test_a_reader_in_another_process_sees_each_committed_batch(store, db):
    store.write_batch(1, frame([article(1)]), None, None)
    assert _read(READER, db, 1) == [1]
    store.write_batch(2, frame([article(2)]), None, None)  # the reader is gone: no lock left behind
    assert _read(READER, db, 1) == [2]


def test_reader_and_writer_processes_interleave_without_errors(store, db):
    reader = _python(READER, db, 40)
    for n in range(10):
        store.write_batch(n, frame([article(n)]), None, None)  # retries while the reader holds the file
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    seen = json.loads(out)
    assert seen == sorted(seen) and all(0 <= s <= 10 for s in seen)
    assert count(db, "SELECT count(*) FROM articles") == 10


def test_connect_read_waits_for_a_writer_and_then_succeeds(store, db):
    store.write_batch(1, frame([article(1)]), None, None)
    writer = open_db(db)  # hold the write lock in this process
    try:
        reader = _python(READER, db, 1)
        for line in reader.stderr:  # proof that it is waiting, not failing
            if "busy" in line:
                break
        else:
            pytest.fail(f"reader never waited: {reader.communicate()}")
        writer.execute("INSERT INTO articles SELECT * REPLACE (article_id + 1 AS article_id, canonical_url || '#2' AS canonical_url) FROM articles")
    finally:
        writer.close()
    out, _ = reader.communicate(timeout=120)
    assert reader.returncode == 0
    assert json.loads(out) == [2]  # it read after the writer's change


def test_busy_database_raises_after_the_timeout(store, db):
    holder = _python(HOLDER, db, stdin=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(DatabaseBusyError, match="locked by another process"):
            connect_read(db, timeout=0.3)
        with pytest.raises(DatabaseBusyError):
            Store(db, busy_timeout=0.3).start_run(["x"])
    finally:
        holder.communicate("\n", timeout=60)
    assert holder.returncode == 0
    with connect_read(db, timeout=5) as con:
        assert con.execute("SELECT count(*) FROM crawl_runs").fetchone() == (0,)


# -- full-text search ------------------------------------------------------------

def test_fts_extension_loads_without_network(store, db):
    store.write_batch(1, frame([article(1, "Telegram founder charged in France."), article(2)]), None, None)
    with open_db(db) as con:
        load_fts(con)
        con.execute("PRAGMA create_fts_index('articles', 'article_id', 'text', overwrite=1)")
        hits = con.execute(
            "SELECT canonical_url FROM (SELECT *, fts_main_articles.match_bm25(article_id, 'telegram') AS score "
            "FROM articles) WHERE score IS NOT NULL"
        ).fetchall()
    assert hits == [("https://news.example/a/1",)]


def test_an_organisation_with_and_without_its_corporate_suffix_is_one_entity(tmp_path):
    from newsmon.data.rows import annotation_frames, batch_frames
    store = Store(tmp_path / "orgs.duckdb")

    def article(i, canonical):
        url = f"https://example.org/{i}"
        frames = batch_frames(
            [{"url": url, "canonical_url": url, "source": "s", "title": f"t{i}", "authors": [],
              "published_at": None, "fetched_at": "2026-11-11T00:00:00", "language": "en",
              "sitename": None, "description": None, "text": "x", "text_hash": f"h{i}",
              "word_count": 1, "relevance": 1.0, "matched_terms": [], "annotated": True}])
        frames.update(annotation_frames(
            {"mentions": [{"canonical_url": url, "label": "organisation", "text": canonical,
                           "canonical": canonical, "start": 0, "end": 1, "sentence": "x"}]}))
        store.write_batch(None, **frames)

    article(1, "Vantor Inc.")
    article(2, "Vantor")
    article(3, "Vantor Corp")
    ids = query(store.path, "select distinct entity_id from mentions")
    assert len(ids) == 1
