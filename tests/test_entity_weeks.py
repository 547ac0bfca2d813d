"""The weeks of the mentions (data/entity_weeks.py, migration 015): mentions.week_start and
entity_weeks stay what the mentions and their articles' dates say through every way the
writer changes them (new and re-fetched articles whose date moves, re-annotation, merges,
splits, acronym merges), on real DuckDB files; `newsmon db check` finds them out of date
and `newsmon db reindex` repairs them."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsmon.crawler.cli import cli
from newsmon.data import Store, query
from newsmon.data.entities import merge_entities, split_entity
from newsmon.data.entity_weeks import drift
from newsmon.data.store import open_db
from test_store import article, frame, mention

NAMES = ["Pavel Durov", "Thierry Breton", "Margrethe Vestager", "European Commission", "Ofcom", "Telegram"]
MONDAY = date(2025, 3, 3)


def _mention(n: int, name: str, start: int) -> dict:
    label = "organisation" if name in ("European Commission", "Ofcom", "Telegram") else "person"
    return mention(n, name, start, label)


def mentions_of(n: int, names: list[str]):
    return frame([_mention(n, name, 40 * i) for i, name in enumerate(names)]) if names else None


def write(store: Store, n: int, week: int, names: list[str], version: int = 0) -> None:
    """Article n, dated in week `week` after MONDAY, naming `names` (some twice)."""
    text = f"Article {n}, version {version}: " + ", ".join(names)
    published = datetime.combine(MONDAY, datetime.min.time()) + timedelta(days=7 * week + n % 5)
    row = article(n, text, published_at=published.isoformat(), fetched_at=published.isoformat() + "Z",
                  text_hash=hashlib.sha1(text.encode()).hexdigest())
    store.write_batch(None, frame([row]), mentions_of(n, names), None)


def live(db) -> list[tuple]:
    """What grouping the mentions by their articles' weeks gives."""
    return sorted(query(db, """
        SELECT m.entity_id, date_trunc('week', article_time(a.published_at, a.first_seen_at))::DATE AS w,
               count(DISTINCT m.article_id) AS articles, count(*) AS mentions
        FROM mentions m JOIN articles a USING (article_id) WHERE m.entity_id IS NOT NULL GROUP BY ALL
    """).itertuples(index=False, name=None))


def kept(db) -> list[tuple]:
    return sorted(query(db, "SELECT entity_id, week_start, articles, mentions FROM entity_weeks")
                  .itertuples(index=False, name=None))


def assert_kept(db) -> None:
    assert kept(db) == live(db)
    with open_db(db) as con:
        assert drift(con) == (0, 0)


def test_a_reannotated_and_a_refetched_article_move_their_counts(db):
    store = Store(db)
    write(store, 1, 0, ["Pavel Durov", "Telegram", "Pavel Durov"])
    write(store, 2, 0, ["Pavel Durov"])
    assert_kept(db)
    durov = query(db, "SELECT articles, mentions FROM mentions_per_entity_week WHERE entity = 'Pavel Durov'")
    assert (durov.articles.tolist(), durov.mentions.tolist()) == ([2], [3])
    # the editors moved article 1 to the next week and dropped Telegram
    write(store, 1, 1, ["Pavel Durov", "Ofcom"], version=1)
    assert_kept(db)
    weeks = query(db, "SELECT week_start, articles FROM mentions_per_entity_week WHERE entity = 'Pavel Durov' "
                      "ORDER BY week_start")
    assert weeks.articles.tolist() == [1, 1]
    assert query(db, "SELECT count(*) AS n FROM mentions_per_entity_week WHERE entity = 'Telegram'").n[0] == 0
    store.replace_annotations(mentions_of(2, ["Ofcom"]), None, [2])
    assert_kept(db)


def test_merges_splits_and_acronyms_count_an_article_once(db):
    store = Store(db)
    write(store, 1, 0, ["European Commission", "Ofcom"])
    store.write_batch(None, frame([article(2, "The Commission said.", published_at="2025-03-04")]),
                      frame([mention(2, "Commission", 4, "organisation"), mention(2, "EC", 30, "organisation")]),
                      None)
    assert_kept(db)
    with open_db(db) as con:
        merge_entities(con, "European Commission", "Commission", datetime(2025, 3, 10))
    assert_kept(db)
    with open_db(db) as con:
        split_entity(con, "European Commission", "Commission", datetime(2025, 3, 11))
    assert_kept(db)
    # an article spelling out the acronym merges "EC" into its expansion
    store.write_batch(None, frame([article(3, "The European Commission (EC) acted.", published_at="2025-03-05")]),
                      frame([mention(3, "European Commission", 4, "organisation", "European Commission"),
                             mention(3, "European Commission", 25, "organisation", "EC")]),
                      None)
    assert_kept(db)


def test_db_check_finds_counts_written_around_the_store_and_reindex_repairs_them(db):
    store = Store(db)
    write(store, 1, 0, ["Pavel Durov", "Telegram"])
    with open_db(db) as con:  # another tool's insert: no week, no count
        con.execute("INSERT INTO mentions (article_id, label, text, canonical, entity_id, start_char, end_char) "
                    "SELECT article_id, label, text, canonical, entity_id, start_char + 100, end_char + 100 "
                    "FROM mentions")
    result = CliRunner().invoke(cli, ["db", "check", "--db", str(db)])
    assert result.exit_code == 4
    assert "entity_weeks is out of date (newsmon db reindex computes them again)" in result.output
    assert "restore it from a backup" not in result.output
    assert CliRunner().invoke(cli, ["db", "reindex", "--db", str(db)]).exit_code == 0
    assert_kept(db)
    assert CliRunner().invoke(cli, ["db", "check", "--db", str(db)]).exit_code == 0


step = st.one_of(
    st.tuples(st.just("write"), st.integers(1, 4), st.integers(0, 3),
              st.lists(st.sampled_from(NAMES), max_size=4)),
    st.tuples(st.just("annotate"), st.integers(1, 4), st.lists(st.sampled_from(NAMES), max_size=3)),
    st.tuples(st.just("merge"), st.sampled_from(NAMES), st.sampled_from(NAMES)),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=6))
def test_any_sequence_of_writes_keeps_the_counts(tmp_path_factory, steps):
    db = tmp_path_factory.mktemp("weeks") / "db.duckdb"
    store = Store(db)
    for version, (kind, *args) in enumerate(steps):
        if kind == "write":
            n, week, names = args
            write(store, n, week, names, version)
        elif kind == "annotate":
            n, names = args
            store.replace_annotations(mentions_of(n, names), None, [n])
        else:
            keep, other = args
            with open_db(db) as con:
                try:
                    merge_entities(con, keep, other, datetime(2025, 6, 1))
                except LookupError:  # not stored yet, or a person and an organisation
                    pass
        assert kept(db) == live(db), (kind, args)
