"""Fines in the database: fine_reports, the view `fines` (one row per fine across articles,
a stable id), the staged-batch path, re-annotation, `newsmon export fines`."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from newsmon.crawler.cli import cli
from newsmon.data.staging import load_staged, stage_batch
from newsmon.data.store import Store
from test_store import article, frame, mention


def fine(n: int, value: float, target: str = "Streamly", unit: str = "EUR", status: str = "imposed",
         precision: float = 1e5, authority: str | None = "European Commission", start: int = 10) -> dict:
    return dict(canonical_url=f"https://news.example/a/{n}", authority=authority, authority_label="organisation",
                target=target, target_label="organisation", value=value, unit=unit, precision=precision,
                status=status, basis="Digital Services Act", text=f"€{value / 1e6:g}m", start=start,
                end=start + 6, sentence=f"The Commission fined {target} €{value / 1e6:g}m.")


def money(n: int, value: float, start: int = 10) -> dict:
    return dict(canonical_url=f"https://news.example/a/{n}", kind="money", value=value, unit="EUR", object=None,
                text=f"€{value / 1e6:g}m", start=start, end=start + 6, sentence="The Commission fined it.",
                role="fine", party="Streamly", party_label="organisation")


def write(db: Path, n: int, day: str, fines: list[dict], source: str = "example") -> dict:
    """Article `n` published on `day`, naming Streamly, with `fines`."""
    return Store(db).write_batch(
        None, frame([article(n, text=f"Article {n}: the Commission fined Streamly.", published_at=f"{day}T09:00:00",
                             source=source)]),
        frame([mention(n, "Streamly", start=30, label="organisation")]),
        frame([money(n, f["value"], f["start"]) for f in fines]), fines=frame(fines))


def fines(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT fine_id, target, value, status, reports, sources, value_eur "
                           "FROM fines ORDER BY first_reported_on, value").fetchall()
    finally:
        con.close()


def test_the_same_fine_in_several_articles_is_one_fine_with_a_stable_id(tmp_path):
    db = tmp_path / "news.duckdb"
    write(db, 1, "2026-05-02", [fine(1, 1.2e9, precision=1e8)])
    [(first_id, target, value, status, reports, sources, eur)] = fines(db)
    assert (target, value, status, reports, eur) == ("Streamly", 1.2e9, "imposed", 1, 1.2e9)
    write(db, 2, "2026-05-05", [fine(2, 1.2e9, precision=1e8)], source="other")  # another source, 3 days on
    write(db, 3, "2026-05-20", [fine(3, 1.2e9, precision=1e8)])                  # the same fine, 18 days on
    assert fines(db) == [(first_id, "Streamly", 1.2e9, "imposed", 3, 2, 1.2e9)]
    write(db, 4, "2026-09-01", [fine(4, 1.2e9, precision=1e8)])  # months later: another fine
    assert [row[4] for row in fines(db)] == [3, 1] and fines(db)[1][0] != first_id


def test_amounts_equal_as_written_are_one_fine_other_payers_and_amounts_are_not(tmp_path):
    db = tmp_path / "news.duckdb"
    write(db, 1, "2026-11-02", [fine(1, 5.1e6, precision=1e5)])                  # "€5.1m"
    write(db, 2, "2026-11-03", [fine(2, 5.125e6, precision=1e3)])                # "€5.125 million"
    write(db, 3, "2026-11-03", [fine(3, 5.125e6, target="Chirply", precision=1e3)])
    write(db, 4, "2026-11-04", [fine(4, 7e6, precision=1e6)])
    assert sorted((t, v, r) for _, t, v, _, r, _, _ in fines(db)) == [
        ("Chirply", 5.125e6, 1), ("Streamly", 5.125e6, 2), ("Streamly", 7e6, 1)]


def test_a_reduction_joins_the_fine_it_reduces_and_its_amount_counts(tmp_path):
    db = tmp_path / "news.duckdb"
    write(db, 1, "2026-01-10", [fine(1, 12e6)])
    [(fine_id, *_)] = fines(db)
    write(db, 2, "2026-09-01", [fine(2, 4.5e6, status="reduced")])
    assert fines(db) == [(fine_id, "Streamly", 4.5e6, "reduced", 2, 1, 4.5e6)]


def test_a_fine_links_to_its_first_report_not_a_later_headline(tmp_path):
    db = tmp_path / "news.duckdb"
    write(db, 1, "2026-11-03", [fine(1, 1.2e9, precision=1e8, start=40)])  # the decision, named in its body
    write(db, 2, "2026-11-20", [fine(2, 1.2e9, precision=1e8, start=17)])  # the appeal, named in its headline
    write(db, 3, "2026-11-03", [fine(3, 1.2e9, precision=1e8, start=25)], source="other")  # same day, sooner
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT url, reports, first_reported_on::VARCHAR FROM fines").fetchall()
    finally:
        con.close()
    assert rows == [("https://news.example/a/3", 3, "2026-11-03")]


def test_reannotating_an_article_keeps_its_fine_id(tmp_path):
    db = tmp_path / "news.duckdb"
    write(db, 2, "2026-11-04", [fine(2, 1.2e9, precision=1e8)])  # stored first, published second
    write(db, 1, "2026-11-02", [fine(1, 1.2e9, precision=1e8)])
    before = fines(db)
    store = Store(db)
    ids = [row[0] for row in duckdb.connect(str(db), read_only=True).execute(
        "SELECT article_id FROM articles ORDER BY article_id").fetchall()]
    store.replace_annotations(frame([mention(n, "Streamly", start=30, label="organisation") for n in (1, 2)]),
                              frame([money(n, 1.2e9) for n in (1, 2)]), ids,
                              fines=frame([fine(n, 1.2e9, precision=1e8) for n in (1, 2)]))
    assert fines(db) == before


def test_fines_travel_through_staged_batches(tmp_path):
    db, staging = tmp_path / "news.duckdb", tmp_path / "staging"
    Store(db)
    frames = {"articles": frame([article(1, published_at="2026-11-02T09:00:00")]),
              "mentions": frame([mention(1, "Streamly", start=30, label="organisation")]),
              "figures": frame([money(1, 1.2e9)]), "fines": frame([fine(1, 1.2e9)])}
    batch_id = stage_batch(staging, **frames)
    assert (staging / batch_id / "fines.parquet").exists()
    report = load_staged(db, staging)
    assert report.fines == 1 and "1 fines" in report.summary()
    assert [row[1:4] for row in fines(db)] == [("Streamly", 1.2e9, "imposed")]


def test_a_batch_staged_before_fines_existed_still_loads(tmp_path):
    db, staging = tmp_path / "news.duckdb", tmp_path / "staging"
    Store(db)
    batch_id = stage_batch(staging, articles=frame([article(1)]), figures=frame([money(1, 1e6)]))
    (staging / batch_id / "fines.parquet").unlink()
    report = load_staged(db, staging)
    assert report.batches_loaded == 1 and not report.errors and fines(db) == []


def test_export_fines_as_csv(tmp_path):
    db = tmp_path / "news.duckdb"
    write(db, 1, "2026-11-02", [fine(1, 1.2e9, precision=1e8)])
    out = tmp_path / "fines.csv"
    result = CliRunner().invoke(cli, ["export", "fines", "--format", "csv", "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("fine_id,authority,authority_entity_id,target,")
    assert "European Commission" in text and "Streamly" in text and "Digital Services Act" in text


@pytest.mark.parametrize("column", ["fine_id", "authority", "target", "target_entity_id", "value", "unit",
                                    "value_eur", "value_usd", "rate_date", "status", "basis", "url",
                                    "first_reported_on", "reports", "sources", "article_ids"])
def test_the_fines_view_has_its_documented_columns(tmp_path, column):
    db = tmp_path / "news.duckdb"
    Store(db)
    con = duckdb.connect(str(db), read_only=True)
    assert column in [row[0] for row in con.execute("DESCRIBE fines").fetchall()]
    con.close()


@pytest.mark.slow
def test_the_demo_database_has_fines_with_euro_values_and_its_digest_leads_with_them(demo_db):
    from newsmon.data.digest import build_digest, render_markdown
    con = duckdb.connect(str(demo_db), read_only=True)
    rows = con.execute("SELECT authority, target, value, unit, value_eur, rate_date, reports FROM fines").fetchall()
    roles = dict(con.execute("SELECT role, count(*) FROM figures WHERE kind = 'money' GROUP BY role").fetchall())
    con.close()
    found = {(authority, target, value, unit): (eur, rate_date, reports)
             for authority, target, value, unit, eur, rate_date, reports in rows}
    eur, _, reports = found[("European Commission", "Streamly", 1.2e9, "EUR")]
    assert eur == 1.2e9 and reports >= 3  # several articles, one fine
    won, rate_date, _ = found[("Personal Information Protection Commission", "Whisperline", 4.2e9, "KRW")]
    assert 1e6 < won < 5e6 and rate_date is not None  # about €2.7m, not above a €1.2bn fine
    assert all(v[0] is not None for v in found.values())  # every demo currency is one the ECB quotes
    assert {"fine", "revenue", "cost", "maximum"} <= set(roles)
    digest = build_digest(demo_db)
    assert not digest.fines.empty
    assert list(digest.fines["value_eur"]) == sorted(digest.fines["value_eur"], reverse=True)
    assert "fine" not in set(digest.money["role"])
    md = render_markdown(digest)
    assert md.index("### Fines and penalties") < md.index("### Other money") < md.index("### Counts")


def test_the_run_summary_lists_the_largest_fines_in_euros(tmp_path):
    from rich.console import Console
    from newsmon.crawler.runs.outcome import Outcome
    from newsmon.crawler.runs.report import print_summary
    db = tmp_path / "news.duckdb"
    write(db, 1, "2026-05-02", [fine(1, 4.2e9, target="Whisperline", unit="KRW", precision=1e8)])
    write(db, 2, "2026-05-03", [fine(2, 91e6, target="Glint", authority=None, precision=1e6)])
    console = Console(record=True, width=160)
    print_summary(Outcome(1, "ok", {}), str(db), console, tables=True)
    text = console.export_text()
    lines = [line for line in text[text.index("Largest fines"):].splitlines() if "→" in line]
    assert "(not named) → Glint" in lines[0] and "EUR 91m" in lines[0]  # €91m before ₩4.2bn (about €2.8m)
    assert "European Commission → Whisperline" in lines[1] and "KRW 4.2bn" in lines[1] and "€2." in lines[1]


def test_fines_from_a_day_are_the_fines_first_reported_from_that_day_on(tmp_path):
    """fines_from(day) (migration 013, what the fine alert reads) is the view `fines` with
    first_reported_on >= day, row for row: a fine with an earlier report is left out whole,
    not cut to its later reports."""
    db = tmp_path / "news.duckdb"
    write(db, 1, "2026-05-02", [fine(1, 1.2e9, precision=1e8)])
    write(db, 2, "2026-05-05", [fine(2, 1.2e9, precision=1e8)], source="other")  # the same fine
    write(db, 3, "2026-05-06", [fine(3, 3e6, target="Whisperline")])
    write(db, 4, "2026-05-09", [fine(4, 4e6, target="Quickpay", status="proposed")])
    write(db, 5, "2026-05-10", [fine(5, 4e6, target="Quickpay")])
    con = duckdb.connect(str(db), read_only=True)
    try:
        for day in ("2026-05-01", "2026-05-03", "2026-05-06", "2026-05-07", "2026-05-10", "2026-05-11"):
            expected = con.execute("SELECT * FROM fines WHERE first_reported_on >= $day::DATE ORDER BY fine_id",
                                   {"day": day}).fetchall()
            got = con.execute("SELECT * FROM fines_from($day::DATE) ORDER BY fine_id", {"day": day}).fetchall()
            assert got == expected, day
        # the fine of articles 1 and 2 is first reported on 05-02: not "from 05-03", even with a report then
        assert [r[0] for r in con.execute("SELECT target FROM fines_from(DATE '2026-05-03')").fetchall()] \
            and "Streamly" not in {r[0] for r in con.execute("SELECT target FROM fines_from(DATE '2026-05-03')").fetchall()}
        assert con.execute("SELECT count(*) FROM fines_from(DATE '2026-05-01')").fetchone()[0] == 3
    finally:
        con.close()
