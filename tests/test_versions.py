"""Article versions (data/store/versions.py, data/versions.py, `newsmon diff`) on real DuckDB files."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsmon.crawler.cli import cli
from newsmon.data import Store, WriteError, article_id_for, query
from newsmon.data.staging import load_staged, stage_batch
from newsmon.data.versions import article_history, compare, render_diff
from test_store import article, figure, frame, mention

URL = "https://news.example/a/1"
V1 = "The regulator fined Acme 14.5 million euros.\nJane Doe, its chair, said so."
V2 = "The regulator fined Acme 18 million euros on Monday.\nJane Doe, its chair, said so, and Bob Roe agreed."


@pytest.fixture
def store(db):
    return Store(db)


def write(store, run, text, *, title="Title 1", people=("Jane Doe",), orgs=("Acme",), money=(14.5e6,),
          annotated=True, n=1):
    mentions = [mention(n, p, 10 + i) for i, p in enumerate(people)]
    mentions += [mention(n, o, 30 + i, "organisation") for i, o in enumerate(orgs)]
    figures = [figure(n, v, start=20 + i) for i, v in enumerate(money)]
    return store.write_batch(run, frame([article(n, text, title=title, annotated=annotated)]),
                             frame(mentions) if mentions else None, frame(figures) if figures else None)


def versions(db):
    return query(db, "SELECT * FROM article_versions ORDER BY article_id, version")


def test_a_changed_text_keeps_the_previous_version_with_what_changed(store, db):
    write(store, 1, V1)
    counts = write(store, 2, V2, title="Acme fine raised", people=("Jane Doe", "Bob Roe"), orgs=(), money=(18e6,))
    assert counts["updated"] == 1 and counts["versions"] == 1
    rows = versions(db)
    assert len(rows) == 1
    v = rows.iloc[0]
    assert (v.version, v.text, v.title, v.run_id) == (1, V1, "Title 1", 2)
    assert v.text_hash == query(db, "SELECT text_hash FROM article_versions").iloc[0, 0] != \
        query(db, "SELECT text_hash FROM articles").iloc[0, 0]
    assert [f["value"] for f in v.figures] == [14.5e6]
    assert sorted(e["name"] for e in v.entities) == ["Acme", "Jane Doe"]
    assert v.title_changed
    # V1 -> V2 as bags of words: "18", "on", "Monday.", "so,", "and", "Bob", "Roe", "agreed." in; "14.5", "euros.", "so." out
    assert (v.words_added, v.words_removed) == (9, 3)
    assert [f["value"] for f in v.figures_added] == [18e6] and [f["value"] for f in v.figures_removed] == [14.5e6]
    assert v.figures_removed[0]["sentence"] == "A fine was imposed."
    assert [e["name"] for e in v.entities_added] == ["Bob Roe"]
    assert [e["name"] for e in v.entities_removed] == ["Acme"]
    change = query(db, "SELECT * FROM article_changes").iloc[0]
    assert (change.url, change.from_version, change.to_version, change.facts_changed) == (URL, 1, 2, True)


def test_same_text_or_only_new_annotations_keep_no_version(store, db):
    write(store, 1, V1, annotated=False, people=(), orgs=(), money=())
    assert write(store, 2, V1)["updated"] == 1  # annotations added to the same text
    assert write(store, 3, V1)["unchanged"] == 1
    assert versions(db).empty


def test_versions_are_numbered_and_each_compares_with_the_next(store, db):
    texts = [V1, V2, V2 + "\nA third paragraph."]
    for run, text in enumerate(texts, 1):
        write(store, run, text)
    rows = versions(db)
    assert list(rows.version) == [1, 2] and list(rows.text) == texts[:2]
    assert list(rows.words_added) == [9, 3] and not rows.iloc[1].title_changed
    assert list(rows.figures_added.map(len)) == [0, 0]  # the same figure each time
    history = article_history(db, URL)
    assert [v.number for v in history.versions] == [1, 2, 3] and history.versions[-1].current
    assert history.versions[-1].text == texts[2]


def test_a_text_stored_without_nlp_is_not_compared_for_figures_and_entities(store, db):
    write(store, 1, V1)
    write(store, 2, V2, annotated=False, people=(), orgs=(), money=())
    v = versions(db).iloc[0]
    assert v.words_added == 9
    assert (len(v.figures_added), len(v.figures_removed), len(v.entities_added), len(v.entities_removed)) == (0, 0, 0, 0)


def test_a_failed_batch_keeps_no_version(store, db):
    write(store, 1, V1)
    bad = frame([article(1, V2), article(2, "x", canonical_url=None)])
    with pytest.raises(WriteError):
        store.write_batch(2, bad, None, None)
    assert versions(db).empty
    assert query(db, "SELECT text FROM articles").iloc[0, 0] == V1


def test_the_staged_loader_keeps_versions_too(tmp_path, store, db):
    write(store, 1, V1)
    staging = tmp_path / "staging"
    stage_batch(staging, articles=frame([article(1, V2)]),
                mentions=frame([mention(1, "Bob Roe", 5)]), figures=frame([figure(1, 18e6)]))
    report = load_staged(db, staging)
    assert report.updated == 1
    v = versions(db).iloc[0]
    assert v.text == V1 and [e["name"] for e in v.entities_added] == ["Bob Roe"]


_WORDS = st.lists(st.sampled_from(["fine", "Acme", "18", "million", "euros.", "the", "a", "said", "Doe"]),
                  max_size=30)


@pytest.fixture(scope="module")
def macros(tmp_path_factory):
    """A connection to a migrated database: the macros the writer uses (migration 010)."""
    from newsmon.data import open_db
    con = open_db(tmp_path_factory.mktemp("bag") / "news.duckdb")
    yield con
    con.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old=_WORDS, new=_WORDS, sep=st.sampled_from([" ", "  ", "\n", " \t "]))
def test_words_added_and_removed_are_the_multiset_difference(macros, old, new, sep):
    """Whatever the texts, the writer's counts are those of Python's Counter on the same words."""
    old_text, new_text = sep.join(old), sep + sep.join(new) + " end"
    added, removed = macros.execute(
        "SELECT version_bag_gain(version_word_bag($a), version_word_bag($b)), "
        "version_bag_gain(version_word_bag($b), version_word_bag($a))", {"a": old_text, "b": new_text}).fetchone()
    a, b = Counter(old_text.split()), Counter(new_text.split())
    assert (added, removed) == (sum((b - a).values()), sum((a - b).values()))


def test_compare_any_two_versions_agrees_with_the_stored_summary(store, db):
    write(store, 1, V1)
    write(store, 2, V2, people=("Jane Doe", "Bob Roe"), money=(18e6,))
    write(store, 3, V2 + "\nAcme will appeal.", people=("Bob Roe",), money=(18e6, 2e6))
    history = article_history(db, URL)
    stored = versions(db)
    for k in (1, 2):
        change = compare(db, history, k, k + 1)
        row = stored[stored.version == k].iloc[0]
        assert (change.words_added, change.words_removed) == (row.words_added, row.words_removed)
        assert [f["value"] for f in change.figures_added] == [f["value"] for f in row.figures_added]
        assert [e["name"] for e in change.entities_removed] == [e["name"] for e in row.entities_removed]
    span = compare(db, history, 1, 3)
    assert sorted(f["value"] for f in span.figures_added) == [2e6, 18e6]
    assert [e["name"] for e in span.entities_removed] == ["Jane Doe"]


def test_render_diff_marks_the_changed_words_of_the_changed_paragraphs(store, db):
    write(store, 1, V1 + "\nAn unchanged closing paragraph.")
    write(store, 2, V2 + "\nAn unchanged closing paragraph.", people=("Jane Doe", "Bob Roe"), money=(18e6,))
    text = render_diff(compare(db, article_history(db, URL)))
    assert "version 1 (stored" in text and "-> version 2 (current" in text
    assert "words: +9 -3" in text
    assert "figures: appeared 1.8e+07 EUR, disappeared 1.45e+07 EUR" in text
    assert "entities: appeared Bob Roe (person)" in text
    assert "Acme [-14.5-]{+18+} million euros{+ on Monday+}." in text
    assert "closing paragraph" not in text  # unchanged paragraphs are not repeated
    assert "\x1b[" not in text and "\x1b[31m" in render_diff(compare(db, article_history(db, URL)), color=True)


def test_diff_command(store, db):
    write(store, 1, V1)
    runner = CliRunner()
    one = runner.invoke(cli, ["diff", URL, "--db", str(db)])
    assert one.exit_code == 0 and "one version only" in one.output
    write(store, 2, V2, money=(18e6,))
    done = runner.invoke(cli, ["diff", URL, "--db", str(db)])
    assert done.exit_code == 0, done.output
    assert "{+18+}" in done.output and "\x1b[" not in done.output
    listed = runner.invoke(cli, ["diff", URL, "--list", "--db", str(db)])
    assert re.findall(r"^(\d)\t", listed.output, re.M) == ["1", "2"]
    unknown = runner.invoke(cli, ["diff", "https://news.example/nope", "--db", str(db)])
    assert unknown.exit_code == 2 and "no stored article has the URL" in unknown.output
    assert len(unknown.output.strip().splitlines()) == 1
    bad = runner.invoke(cli, ["diff", URL, "--from", "5", "--db", str(db)])
    assert bad.exit_code == 2 and "versions 1 to 2, not 5" in bad.output
    assert runner.invoke(cli, ["diff", URL, "--from", "0", "--db", str(db)]).exit_code == 2


def test_a_figure_repeated_in_the_text_appears_once_in_the_change(store, db):
    write(store, 1, V1, money=(14.5e6, 14.5e6, 3.0))
    write(store, 2, V2, money=(18e6, 18e6, 3.0))
    v = versions(db).iloc[0]
    assert [f["value"] for f in v.figures_added] == [18e6] and [f["value"] for f in v.figures_removed] == [14.5e6]
    change = compare(db, article_history(db, URL))
    assert [f["value"] for f in change.figures_removed] == [14.5e6]
