"""How query results print (crawler/cli/output.py): every format, NULL, numbers, dates,
long text on a terminal and elsewhere, empty results.  Values come from real DuckDB."""

from __future__ import annotations

import csv
import io
import json

import duckdb
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsmon.crawler.cli.output import FORMATS, Rows, cell_text, emit

TYPED = """
    SELECT 15::INTEGER AS n, 170141183460469231731687303715884105727::HUGEINT AS huge,
           2.5::DOUBLE AS x, 38700000000.0::DOUBLE AS big, 1.25::DECIMAL(10, 2) AS money,
           DATE '2026-01-01' AS day, TIMESTAMP '2026-01-01 12:30:00' AS at,
           NULL::VARCHAR AS nothing, true AS yes, ['a', 'b'] AS tags, {'k': 1} AS obj,
           'line one
line two | piped' AS text"""


def rows_of(sql: str) -> Rows:
    with duckdb.connect() as con:
        con.execute(sql)
        return Rows.from_result(con)


def render(rows: Rows, fmt: str, **kw) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    emit(rows, fmt, out, err=err, **kw)
    return out.getvalue(), err.getvalue()


def test_json_keeps_types_as_json_has_them():
    out, _ = render(rows_of(TYPED), "json")
    (row,) = json.loads(out)
    assert row["n"] == 15 and isinstance(row["n"], int)
    assert row["huge"] == 2 ** 127 - 1  # a HUGEINT stays an exact integer, not a float
    assert row["x"] == 2.5 and row["big"] == 38700000000.0 and row["money"] == 1.25
    assert row["day"] == "2026-01-01" and row["at"] == "2026-01-01T12:30:00"
    assert row["nothing"] is None and row["yes"] is True
    assert row["tags"] == ["a", "b"] and row["obj"] == {"k": 1}
    assert row["text"] == "line one\nline two | piped"  # never cut


def test_jsonl_is_one_object_per_line():
    out, _ = render(rows_of("SELECT range AS i FROM range(3)"), "jsonl")
    assert [json.loads(line) for line in out.splitlines()] == [{"i": 0}, {"i": 1}, {"i": 2}]


def test_csv_cells_are_complete_and_formula_safe():
    rows = rows_of(TYPED + ", '=HYPERLINK(1)' AS f, repeat('x', 5000) AS long")
    out, _ = render(rows, "csv", tty=True, width=40)
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["n"] == "15" and row["huge"] == str(2 ** 127 - 1) and row["x"] == "2.5"
    assert row["big"] == "38700000000" and row["day"] == "2026-01-01" and row["nothing"] == ""
    assert row["tags"] == "a; b" and row["f"] == "'=HYPERLINK(1)" and len(row["long"]) == 5000
    assert row["text"] == "line one\nline two | piped"


def test_table_on_a_terminal_is_cut_to_its_width():
    rows = rows_of("SELECT 1 AS id, repeat('word ', 100) AS text, NULL AS empty")
    out, err = render(rows, "table", tty=True, width=60)
    assert all(len(_visible(line)) <= 60 for line in out.splitlines())
    assert "…" in out and "None" not in out and "NaN" not in out
    assert err.strip() == "1 row"


def test_table_elsewhere_cuts_nothing_and_keeps_one_line_per_row():
    rows = rows_of("SELECT 1 AS id, repeat('word ', 100) || 'END' AS text, 'a\nb' AS two_lines")
    out, _ = render(rows, "table", tty=False)
    lines = out.splitlines()
    assert len(lines) == 3 and "END" in lines[2] and "a b" in lines[2]


def test_table_cells_read_like_numbers_and_dates():
    out, _ = render(rows_of(TYPED), "table", tty=False)
    body = out.splitlines()[2]
    for text in ("15", "2.5", "38700000000", "1.25", "2026-01-01", "2026-01-01 12:30:00", "true", "a; b"):
        assert text in body
    assert "15.0" not in body and "None" not in body and "T12" not in body


def test_markdown_escapes_pipes_and_line_breaks():
    out, _ = render(rows_of(TYPED), "markdown")
    header, rule, row = out.splitlines()
    assert header.startswith("| n | huge |") and rule.startswith("|---:|---:|")
    assert "line one line two \\| piped" in row


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_result_says_no_rows(fmt):
    out, err = render(rows_of("SELECT 1 AS a WHERE false"), fmt)
    said = out if fmt in ("table", "markdown") else err
    assert said.strip().endswith("no rows")
    if fmt == "json":
        assert json.loads(out) == []
    if fmt == "csv":
        assert out.splitlines()[0] == "a"


def test_a_statement_without_a_result_prints_nothing():
    with duckdb.connect() as con:
        con.execute("SET VARIABLE x = 1")
        assert render(Rows.from_result(con), "table") == ("", "")


def test_frames_lose_pandas_artefacts():
    frame = pd.DataFrame({"n": [1.0, None, 3.0], "x": [0.5, None, 1.0], "s": ["a", None, "c"]})
    rows = Rows.from_frame(frame)
    assert rows.rows == [(1, 0.5, "a"), (None, None, None), (3, 1.0, "c")]
    assert rows.types[:2] == ["BIGINT", "DOUBLE"]


def test_bold_markers_are_styled_not_shown_on_a_terminal():
    rows = Rows(["snippet"], ["VARCHAR"], [("the \x00fined\x01 platform",)])
    out, _ = render(rows, "table", tty=True, width=40, bold=("\x00", "\x01"))
    assert "fined" in out and "\x00" not in out and "\x1b[1m" in out


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_cells_never_lose_the_integer_part(value):
    text = cell_text(value)
    if abs(value) < 1e15 and "e" not in text:
        assert float(text) == pytest.approx(value, abs=1e-6)


def _visible(line: str) -> str:
    import re
    return re.sub(r"\x1b\[[0-9;]*m", "", line)
