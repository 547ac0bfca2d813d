"""Bytes on disk per stored article: what a month of crawling adds to the DuckDB file.

Copies the articles, mentions, figures and pages of a crawled newsmon database
(by default the end-to-end database `make bench` leaves in bench/.work/) into a
fresh DuckDB file and divides its size by the articles.  The bench mirror holds
many copies of the same 181 pages, and DuckDB's dictionary compression would
store a repeated text once, so each copy's text is made distinct first (its
sentences rotated by the row number): the figure is for distinct articles, as a
real crawl stores them.  Prints bytes per article and per table, and the growth
for a given number of articles per day.

    .venv/bin/python bench/storage_growth.py [--db bench/.work/e2e.duckdb] [--per-day 1000000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsmon.data.store import open_db  # noqa: E402

TABLES = ("articles", "entities", "entity_aliases", "mentions", "figures", "pages")

# the text with its sentences rotated by the row number: distinct, same length and words
_DISTINCT_TEXT = """
list_aggregate(list_concat(
    list_slice(s, (n % greatest(len(s), 1)) + 1, len(s)),
    list_slice(s, 1, n % greatest(len(s), 1))), 'string_agg', '. ')
"""


def copy_distinct(src: Path, dst: Path) -> dict[str, int]:
    open_db(dst).close()  # the schema, by the migrations
    con = duckdb.connect(str(dst))
    con.execute(f"ATTACH '{src}' AS src (READ_ONLY)")
    con.execute(f"""
        INSERT INTO articles SELECT * EXCLUDE (s, n) REPLACE ({_DISTINCT_TEXT} AS text)
        FROM (SELECT *, string_split(text, '. ') AS s, (row_number() OVER ())::BIGINT AS n
              FROM src.articles)""")
    counts = {}
    for table in TABLES[1:]:
        con.execute(f"INSERT INTO {table} SELECT * FROM src.{table}")
    for table in TABLES:
        counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    sizes = {r[0]: r[1] for r in con.execute(
        "SELECT table_name, sum(estimated_size) FROM duckdb_tables() GROUP BY 1").fetchall()}
    con.execute("DETACH src")
    con.execute("CHECKPOINT")
    con.close()
    return {"rows": counts, "estimated_in_memory_bytes": sizes}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=ROOT / "bench" / ".work" / "e2e.duckdb")
    ap.add_argument("--per-day", type=int, default=1_000_000, help="articles stored per day")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    if not args.db.exists():
        raise SystemExit(f"{args.db} does not exist: run `make bench` (or a crawl) first")
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / "distinct.duckdb"
        info = copy_distinct(args.db, dst)
        size = dst.stat().st_size
    rows = info["rows"]
    per_article = size / max(rows["articles"], 1)
    month = per_article * args.per_day * 30
    out = {"articles": rows["articles"], "rows": rows, "file_bytes": size,
           "bytes_per_article": round(per_article), "mentions_per_article":
           round(rows["mentions"] / max(rows["articles"], 1), 1),
           "figures_per_article": round(rows["figures"] / max(rows["articles"], 1), 1),
           "per_day": args.per_day, "gb_per_month": round(month / 1e9, 1)}
    print(f"{rows['articles']:,} articles ({out['mentions_per_article']} mentions, "
          f"{out['figures_per_article']} figures each, {rows['pages']:,} fetch-record rows): "
          f"{size / 1e6:.1f} MB on disk, {per_article / 1024:.1f} KiB per article")
    print(f"at {args.per_day:,} articles a day: {out['gb_per_month']} GB a month")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
