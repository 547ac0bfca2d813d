"""Streaming table exports (data/export.py) from a real DuckDB file: counts, filters, CSV safety."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from newsmon.data.errors import ExportError
from newsmon.data.export import export_table
from newsmon.data.store import query
from digest_testdb import FORMULA_TITLE


def _count(sample_db: Path, table: str) -> int:
    return int(query(sample_db, f"SELECT count(*) AS n FROM {table}")["n"].iloc[0])


@pytest.mark.parametrize("table", ["articles", "mentions", "figures", "entities"])
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_whole_tables_export_every_row(sample_db, tmp_path, table, fmt):
    rows = export_table(sample_db, table, fmt, tmp_path)
    path = tmp_path / f"{table}.{fmt}"
    frame = pd.read_parquet(path) if fmt == "parquet" else pd.read_csv(path)
    assert rows == len(frame) == _count(sample_db, table) > 0


@pytest.mark.parametrize("since, source, articles", [
    ("2025-03-10", None, 9),  # W11 only
    ("2025-03-03", None, 12),  # W10 and W11
    (None, "gamma", 2),
    (None, "beta", 5),
    ("2025-03-10", "beta", 2),
    ("2025-03-10", "nobody", 0),
])
def test_since_and_source_filter_articles(sample_db, tmp_path, since, source, articles):
    assert export_table(sample_db, "articles", "parquet", tmp_path / "a.parquet", since=since, source=source) == articles
    frame = pd.read_parquet(tmp_path / "a.parquet")
    if source:
        assert set(frame["source"]) <= {source}


def test_mentions_figures_and_entities_follow_their_articles(sample_db, tmp_path):
    # gamma: the probe copy (Durov, Commission, Meta) and the hostile article (<i>Evil</i> Corp)
    assert export_table(sample_db, "mentions", "parquet", tmp_path / "m.parquet", source="gamma") == 4
    assert export_table(sample_db, "figures", "parquet", tmp_path / "f.parquet", source="gamma") == 3
    assert export_table(sample_db, "entities", "parquet", tmp_path / "e.parquet", source="gamma") == 4
    names = set(pd.read_parquet(tmp_path / "e.parquet")["name"])
    assert names == {"Pavel Durov", "European Commission", "Meta", "<i>Evil</i> Corp"}
    # W10 and later: the W09 Meta mention drops out
    assert export_table(sample_db, "mentions", "csv", tmp_path / "m.csv", since="2025-03-03") == _count(sample_db, "mentions") - 1


def test_csv_text_cells_cannot_run_as_formulas(sample_db, tmp_path):
    export_table(sample_db, "articles", "csv", tmp_path)
    with (tmp_path / "articles.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    titles = {row["title"] for row in rows}
    assert "'" + FORMULA_TITLE in titles and FORMULA_TITLE not in titles
    texts = [row["text"] for row in rows]
    assert any(t.startswith("'-1 is how a spreadsheet trick starts") for t in texts)
    for row in rows:
        for column, cell in row.items():
            assert cell[:1] not in ("=", "+", "@", "\t", "\r"), (column, cell)
            if cell.startswith("-"):
                float(cell)
    # numbers stay numbers
    assert {float(row["relevance"]) for row in rows} >= {0.95, 0.05}


def test_parquet_keeps_text_and_types_unchanged(sample_db, tmp_path):
    export_table(sample_db, "articles", "parquet", tmp_path)
    frame = pd.read_parquet(tmp_path / "articles.parquet")
    assert FORMULA_TITLE in set(frame["title"])
    assert list(frame["authors"].iloc[0]) == ["Staff"]
    assert str(frame["published_at"].dtype).startswith("datetime64")


def test_source_is_bound_not_pasted(sample_db, tmp_path):
    assert export_table(sample_db, "articles", "csv", tmp_path / "x.csv", source="gamma' OR '1'='1") == 0
    assert _count(sample_db, "articles") == 13


def test_output_path_with_a_quote(sample_db, tmp_path):
    target = tmp_path / "it's here.parquet"
    assert export_table(sample_db, "entities", "parquet", target) == 5 and target.exists()


@pytest.mark.parametrize("kwargs", [
    {"table": "sources"}, {"table": "articles; DROP TABLE articles"}, {"fmt": "xlsx"},
    {"since": "last tuesday"},
])
def test_refused_requests(sample_db, tmp_path, kwargs):
    args = {"table": "articles", "fmt": "csv", **kwargs}
    with pytest.raises(ExportError):
        export_table(sample_db, args["table"], args["fmt"], tmp_path, since=args.get("since"))
    assert _count(sample_db, "articles") == 13


def test_missing_output_directory_is_refused(sample_db, tmp_path):
    with pytest.raises(ExportError):
        export_table(sample_db, "articles", "csv", tmp_path / "no" / "such" / "dir" / "a.csv")
