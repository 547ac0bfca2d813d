"""Staged batches (data/staging.py, `newsmon load`, `newsmon sql --staged`) on real
Parquet files, real DuckDB files and real processes."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import ROOT, invoke_newsmon, run_newsmon
from newsmon.data.lock import RunLock
from newsmon.data import Store, WriteError, connect_read, query
from newsmon.data.errors import StagingError
from newsmon.data.staging import (
    REJECTED_DIR,
    REJECTED_NOTE,
    TABLES,
    default_staging_dir,
    group_batches,
    list_batches,
    load_staged,
    read_batch,
    stage_batch,
    staged_views,
)
from test_store import article, figure, frame, mention

# every table a load writes, as rows that do not depend on when or in which
# transaction they were written (entity ids come from a sequence in no fixed order)
COMPARABLE = {
    "articles": "SELECT * EXCLUDE (first_seen_at, updated_at) FROM articles",
    "mentions": "SELECT m.* EXCLUDE (entity_id), e.name FROM mentions m LEFT JOIN entities e USING (entity_id)",
    "figures": "SELECT * FROM figures",
    "pages": "SELECT * FROM pages",
    "entities": "SELECT label, name FROM entities",
    "entity_aliases": "SELECT a.alias, a.label, e.name FROM entity_aliases a JOIN entities e USING (entity_id)",
}
ALL_TABLES = ("articles", "mentions", "figures", "pages", "entities", "entity_aliases", "staged_batches")


# -- helpers ------------------------------------------------------------------------

def page(n: int, outcome: str = "stored", kind: str = "article", fetched: str = "2024-05-07T10:00:00Z") -> dict:
    return dict(url=f"https://news.example/a/{n}", source="example", kind=kind, status=200,
                etag=f'"e{n}"', last_modified=None, lastmod=None, fetched_at=fetched,
                outcome=outcome, canonical_url=f"https://news.example/a/{n}" if outcome == "stored" else None)


def batch(numbers: list[int], text: str | None = None, fetched: str = "2024-05-07T10:00:00Z") -> dict:
    """The four frames of a batch of articles `numbers` (each with two mentions, one figure)."""
    return {
        "articles": frame([article(n, text=text and f"{text} {n}", fetched_at=fetched) for n in numbers]),
        "mentions": frame([m for n in numbers for m in (
            mention(n, f"Person{n} Surname{n}", start=0, text=text and f"{text} P{n}"),
            mention(n, f"Org {n % 3}", start=40, label="organisation"))]),
        "figures": frame([figure(n, 1000.0 * n) for n in numbers]),
        "pages": frame([page(n, fetched=fetched) for n in numbers]),
    }


def rows(db: Path, sql: str) -> list[str]:
    with connect_read(db) as con:
        return sorted(map(repr, con.execute(sql).fetchall()))


def comparable(db: Path, tables=tuple(COMPARABLE)) -> dict[str, list[str]]:
    return {t: rows(db, COMPARABLE[t]) for t in tables}


def contents(db: Path) -> dict[str, list[str]]:
    """Every row of every table the load writes, exactly."""
    return {t: rows(db, f"SELECT * FROM {t}") for t in ALL_TABLES}


def leftovers(staging: Path) -> list[str]:
    """Everything in the staging folder except rejected/."""
    return sorted(p.name for p in staging.iterdir() if p.name != REJECTED_DIR) if staging.exists() else []


@pytest.fixture
def staging(db) -> Path:
    return default_staging_dir(db)


# -- staging and loading --------------------------------------------------------------

def test_default_staging_dir_sits_beside_the_database(tmp_path):
    assert default_staging_dir(tmp_path / "x" / "news.duckdb") == tmp_path / "x" / "news.duckdb.staging"


def test_stage_and_load_gives_the_rows_of_a_direct_write(tmp_path, staging, db):
    frames = batch([1, 2, 3])
    direct = tmp_path / "direct.duckdb"
    Store(direct).write_batch(None, frames["articles"], frames["mentions"], frames["figures"], frames["pages"])

    batch_id = stage_batch(staging, **frames)
    assert list_batches(staging) == [batch_id]
    assert sorted(p.name for p in (staging / batch_id).iterdir()) == sorted(f"{t}.parquet" for t in TABLES)
    report = load_staged(db, staging)

    assert (report.batches_loaded, report.inserted, report.mentions, report.figures, report.pages) == (1, 3, 6, 3, 3)
    assert comparable(db) == comparable(direct)
    assert query(db, "SELECT batch_id, articles, mentions, figures, pages FROM staged_batches") \
        .itertuples(index=False, name=None).__next__() == (batch_id, 3, 6, 3, 3)
    assert leftovers(staging) == []


def test_merged_batches_load_like_one_batch_at_a_time_and_the_newest_batch_wins(tmp_path, staging, db):
    batches = [batch([1, 2]), batch([3, 4]), batch([2, 5], text="Second version", fetched="2024-05-09T10:00:00Z"),
               batch([6]), batch([1], text="Third version", fetched="2024-05-10T10:00:00Z")]
    sequential = tmp_path / "sequential.duckdb"
    store = Store(sequential)
    for frames in batches:
        store.write_batch(None, frames["articles"], frames["mentions"], frames["figures"], frames["pages"])
    for frames in batches:
        stage_batch(staging, **frames)
    one_by_one = tmp_path / "one.duckdb"
    shutil.copytree(staging, tmp_path / "copy")

    merged = load_staged(db, staging)  # default: merged, split where a url repeats
    single = load_staged(one_by_one, tmp_path / "copy", batches_per_transaction=1)

    assert merged.batches_loaded == single.batches_loaded == 5
    assert merged.transactions == 2 and single.transactions == 5  # [b1 b2] [b3 b4 b5]: b3 repeats /a/2
    assert (merged.inserted, merged.updated) == (single.inserted, single.updated) == (6, 2)
    assert comparable(one_by_one) == comparable(sequential)
    assert comparable(db) == comparable(sequential)
    texts = dict(query(db, "SELECT canonical_url, text FROM articles").itertuples(index=False, name=None))
    assert texts["https://news.example/a/1"] == "Third version 1"
    assert texts["https://news.example/a/2"] == "Second version 2"


def test_loading_twice_changes_nothing(tmp_path, staging, db):
    for numbers in ([1, 2], [3], [2, 4]):
        stage_batch(staging, **batch(numbers))
    stage_batch(staging)  # an empty batch is recorded too
    backup = tmp_path / "backup"
    shutil.copytree(staging, backup)

    first = load_staged(db, staging)
    before = contents(db)
    shutil.rmtree(staging)
    shutil.copytree(backup, staging)  # every batch again, as if never removed
    second = load_staged(db, staging)

    assert first.batches_loaded == 4 and first.inserted == 4
    assert (second.batches_loaded, second.batches_skipped, second.transactions) == (0, 4, 0)
    assert contents(db) == before
    assert len(before["staged_batches"]) == 4
    assert leftovers(staging) == []


def test_a_batch_folder_that_survived_its_commit_is_skipped_and_removed(tmp_path, staging, db):
    survivor = stage_batch(staging, **batch([1, 2]))
    shutil.copytree(staging / survivor, tmp_path / survivor)
    load_staged(db, staging)
    before = contents(db)
    shutil.copytree(tmp_path / survivor, staging / survivor)  # a loader killed before the removal
    (staging / f".done-{survivor}").mkdir()  # ... or during it
    fresh = stage_batch(staging, **batch([3]))

    report = load_staged(db, staging)

    assert (report.batches_skipped, report.batches_loaded, report.inserted) == (1, 1, 1)
    assert query(db, "SELECT count(*) FROM articles").iloc[0, 0] == 3
    assert sorted(query(db, "SELECT batch_id FROM staged_batches")["batch_id"]) == sorted([survivor, fresh])
    assert leftovers(staging) == []


def test_tmp_folders_are_ignored_and_removed_only_when_stale(staging, db):
    good = stage_batch(staging, **batch([1]))
    fresh_tmp, stale_tmp = staging / ".tmp-00000000000000000001-w", staging / ".tmp-00000000000000000002-w"
    for folder in (fresh_tmp, stale_tmp):
        shutil.copytree(staging / good, folder)  # complete files, but never renamed
    hour_ago = time.time() - 3700
    for path in (stale_tmp, *stale_tmp.iterdir()):
        os.utime(path, (hour_ago, hour_ago))

    assert list_batches(staging) == [good]
    with duckdb.connect() as con:
        staged_views(con, staging)
        assert con.execute("SELECT DISTINCT batch_id FROM staged_articles").fetchall() == [(good,)]
    report = load_staged(db, staging)

    assert report.batches_loaded == 1
    assert query(db, "SELECT count(*) FROM articles").iloc[0, 0] == 1
    assert leftovers(staging) == [fresh_tmp.name]  # a live writer's folder stays


def test_corrupt_batches_are_rejected_and_the_good_ones_load(staging, db):
    Store(db).write_batch(None, *batch([100]).values())
    stored_before = comparable(db)
    good = [stage_batch(staging, **batch([1])), None, stage_batch(staging, **batch([2])), None, None, None,
            stage_batch(staging, **batch([3]))]
    bad_parquet = stage_batch(staging, **batch([4]))
    (staging / bad_parquet / "mentions.parquet").write_bytes(b"PAR1 this is not parquet")
    missing = stage_batch(staging, **batch([5]))
    (staging / missing / "figures.parquet").unlink()
    wrong_columns = stage_batch(staging, **batch([6]))
    pd.DataFrame({"url": ["x"], "title": ["no text, no hash"]}).to_parquet(staging / wrong_columns / "articles.parquet")
    refused = stage_batch(staging, **{**batch([7]), "pages": frame([page(7, kind="podcast")])})  # CHECK (kind ...)
    bad = [bad_parquet, missing, wrong_columns, refused]

    report = load_staged(db, staging)

    assert sorted(e.batch_id for e in report.errors) == sorted(bad)
    assert report.batches_loaded == 3 and report.inserted == 3
    assert sorted(query(db, "SELECT canonical_url FROM articles")["canonical_url"]) == \
        [f"https://news.example/a/{n}" for n in (1, 100, 2, 3)]
    after = comparable(db)
    assert all(set(stored_before[t]) <= set(after[t]) for t in after)  # stored data untouched
    assert leftovers(staging) == []
    assert sorted(p.name for p in (staging / REJECTED_DIR).iterdir()) == sorted(bad)
    assert "kind" in (staging / REJECTED_DIR / refused / REJECTED_NOTE).read_text()
    assert "missing" in (staging / REJECTED_DIR / missing / REJECTED_NOTE).read_text()
    with duckdb.connect() as con:  # rejected/ is not staged any more
        staged_views(con, staging)
        assert con.execute("SELECT count(*) FROM staged_articles").fetchone() == (0,)


def test_a_bad_frame_is_refused_before_anything_is_written(staging):
    broken = frame([article(1)]).drop(columns=["text_hash"])
    with pytest.raises(WriteError, match="text_hash"):
        stage_batch(staging, articles=broken)
    batch_id = stage_batch(staging, batch_id="20240101-retry-7", **batch([1]))
    with pytest.raises(StagingError, match="already staged"):
        stage_batch(staging, batch_id=batch_id, **batch([1]))
    with pytest.raises(StagingError, match="bad batch id"):
        stage_batch(staging, batch_id=".tmp-sneaky")
    assert leftovers(staging) == [batch_id]


def test_groups_never_hold_one_url_twice_and_respect_the_caps(staging):
    for numbers in ([1, 2], [3], [4], [2], [5, 6, 7], [8]):
        stage_batch(staging, **batch(numbers))
    staged = [read_batch(staging, b) for b in list_batches(staging)]

    def sizes(max_batches, max_articles):
        return [[len(b.article_ids) for b in group] for group in group_batches(staged, max_batches, max_articles)]

    assert sizes(50, 2000) == [[2, 1, 1], [1, 3, 1]]  # the repeated /a/2 starts a new transaction
    assert sizes(2, 2000) == [[2, 1], [1, 1], [3, 1]]
    assert sizes(50, 3) == [[2, 1], [1, 1], [3], [1]]


# -- views ------------------------------------------------------------------------------

def test_views_exist_and_are_typed_without_any_batch_even_read_only(tmp_path, db):
    Store(db)
    with connect_read(db) as con:
        staged_views(con, tmp_path / "nothing-here")
        for name in TABLES:
            assert con.execute(f"SELECT count(*) FROM staged_{name}").fetchone() == (0,)
        types = dict(con.execute("SELECT column_name, data_type FROM duckdb_columns() "
                                 "WHERE table_name = 'staged_articles'").fetchall())
    assert types["article_id"] == "BIGINT" and types["authors"] == "VARCHAR[]"
    assert types["published_at"] == "TIMESTAMP" and types["batch_id"] == "VARCHAR"


def test_views_read_staged_batches_on_a_read_only_connection(staging, db):
    Store(db)
    first = stage_batch(staging, **batch([1, 2]))
    second = stage_batch(staging, mentions=None, pages=frame([page(9, outcome="failed:http_404")]))
    with connect_read(db) as con:
        staged_views(con, staging)
        per_batch = con.execute("SELECT batch_id, count(*) FROM staged_articles GROUP BY 1").fetchall()
        pages = con.execute("SELECT batch_id, url, outcome FROM staged_pages ORDER BY url").fetchall()
        authors = con.execute("SELECT authors FROM staged_articles ORDER BY canonical_url").fetchall()
    assert per_batch == [(first, 2)]
    assert pages[-1] == (second, "https://news.example/a/9", "failed:http_404")
    assert authors == [(["Author 1"],), (["Author 2"],)]


# -- command line -----------------------------------------------------------------------

def test_load_help_has_examples():
    done = invoke_newsmon("load", "--help")
    assert done.returncode == 0 and "Example" in done.stdout and "--keep-going" in done.stdout


def test_sql_staged_sees_staged_rows_before_the_load_and_the_database_after(staging, db):
    stage_batch(staging, **batch([1, 2, 3]))
    count_both = ("select (select count(*) from staged_articles) as staged, "
                  "(select count(*) from articles) as stored")

    before = invoke_newsmon("sql", "--db", str(db), "--staged", "--format", "csv", "select count(*) as n from staged_articles")
    load = invoke_newsmon("load", "--db", str(db))
    after = invoke_newsmon("sql", "--db", str(db), "--staged", "--format", "csv", count_both)
    elsewhere = invoke_newsmon("sql", "--db", str(db), "--staging", str(db.parent / "other"), "--format", "csv",
                               "select count(*) as n from staged_mentions")

    assert before.returncode == 0, before.stderr
    assert before.stdout.split() == ["n", "3"]  # the database did not exist yet
    assert load.returncode == 0, load.stderr
    assert "1 loaded" in load.stdout and "3 inserted" in load.stdout
    assert after.stdout.split() == ["staged,stored", "0,3"]
    assert elsewhere.returncode == 0 and elsewhere.stdout.split() == ["n", "0"]


def test_load_exits_6_while_the_run_lock_is_held(staging, db):
    stage_batch(staging, **batch([1]))
    with RunLock(db):
        done = run_newsmon("load", "--db", str(db))
    assert done.returncode == 6, done.stderr
    assert "another newsmon run" in done.stderr
    assert list_batches(staging) != [] and not db.exists()


def test_load_exits_1_and_names_a_rejected_batch(staging, db):
    stage_batch(staging, **batch([1]))
    bad = stage_batch(staging, **batch([2]))
    (staging / bad / "articles.parquet").write_bytes(b"garbage")
    done = invoke_newsmon("load", "--db", str(db))
    assert done.returncode == 1
    assert "1 loaded" in done.stdout and "1 rejected" in done.stdout
    assert f"rejected {bad}" in done.stderr


def test_load_keep_going_loads_batches_staged_later_and_stops_on_sigterm(staging, db):
    loader = subprocess.Popen([sys.executable, "-c", "from newsmon.crawler.cli import main; main()", "load",
                               "--db", str(db), "--keep-going", "--every", "0.2"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for n in range(3):
            stage_batch(staging, **batch([n]))
            _wait_until(lambda: list_batches(staging) == [], 60)
        loader.send_signal(signal.SIGTERM)
        out, err = loader.communicate(timeout=60)
    finally:
        loader.kill()
    assert loader.returncode == 0, err
    assert "total: batches: 3 loaded" in out
    assert query(db, "SELECT count(*) FROM articles").iloc[0, 0] == 3


# -- many writers, crashes ------------------------------------------------------------------

def _stager(staging: str, worker: int, n_batches: int) -> None:
    """One writer process: `n_batches` batches of 3 articles of its own; every 10th
    batch of every writer also holds a version of one shared article."""
    for b in range(n_batches):
        numbers = [10_000 * (worker + 1) + 10 * b + k for k in range(3)]
        frames = batch(numbers)
        if b % 10 == 0:
            shared = frame([article(7, text=f"Shared story, version {worker}-{b}")])
            frames["articles"] = pd.concat([frames["articles"], shared], ignore_index=True)
        stage_batch(staging, **frames)


def _wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.slow
def test_concurrent_stagers_and_a_loader_store_every_article_exactly_once(staging, db):
    workers, n_batches = 4, 50
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_stager, args=(str(staging), w, n_batches)) for w in range(workers)]
    for p in procs:
        p.start()
    report_loaded = 0
    while any(p.is_alive() for p in procs) or list_batches(staging):
        report_loaded += load_staged(db, staging).batches_loaded
        time.sleep(0.2)  # a load opens the database even with nothing staged yet
    for p in procs:
        p.join()
        assert p.exitcode == 0

    assert report_loaded == workers * n_batches
    counts = query(db, "SELECT count(*) AS n, count(DISTINCT canonical_url) AS urls FROM articles").iloc[0]
    assert (counts.n, counts.urls) == (workers * n_batches * 3 + 1,) * 2
    assert query(db, "SELECT count(*) FROM mentions").iloc[0, 0] == workers * n_batches * 3 * 2
    assert query(db, "SELECT count(*) FROM staged_batches").iloc[0, 0] == workers * n_batches
    shared = query(db, "SELECT text FROM articles WHERE canonical_url = 'https://news.example/a/7'")
    assert len(shared) == 1 and shared.iloc[0, 0].startswith("Shared story, version")
    assert leftovers(staging) == []


@pytest.mark.slow
def test_a_load_killed_with_sigkill_loses_nothing_and_duplicates_nothing(staging, db):
    n_batches, per_batch = 200, 3
    for b in range(n_batches):
        stage_batch(staging, **batch([per_batch * b + k for k in range(per_batch)]))
    loader = subprocess.Popen([sys.executable, "-c", "from newsmon.crawler.cli import main; main()", "load",
                               "--db", str(db)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_until(lambda: len(list_batches(staging)) < n_batches or loader.poll() is not None, 120)
        assert loader.poll() is None, "the load finished before it could be killed"
        loader.send_signal(signal.SIGKILL)
        loader.wait(timeout=30)
    finally:
        loader.kill()
    left = len(list_batches(staging))
    assert 0 < left < n_batches

    again = invoke_newsmon("load", "--db", str(db))

    assert again.returncode == 0, again.stderr
    total = n_batches * per_batch
    counts = query(db, "SELECT count(*) AS n, count(DISTINCT canonical_url) AS urls FROM articles").iloc[0]
    assert (counts.n, counts.urls) == (total, total)
    assert query(db, "SELECT count(*) FROM mentions").iloc[0, 0] == total * 2
    assert query(db, "SELECT count(*) FROM figures").iloc[0, 0] == total
    assert query(db, "SELECT count(*) FROM pages").iloc[0, 0] == total
    assert query(db, "SELECT count(*) FROM staged_batches").iloc[0, 0] == n_batches
    assert leftovers(staging) == []
