"""What keeping article versions costs on disk, against the changed articles' own size.

Writes N distinct articles (the bundled demo texts, each copy with its
sentences rotated and its numbers shifted, 20 mentions and 8 figures each,
with their sentences, as the NLP stores them) through the real Store, then
re-writes a share of them with an edited text (a figure changed, a sentence
added, a person added), which keeps each replaced text in article_versions.
Both sets are then copied into fresh DuckDB files and checkpointed:

    versions   = the article_versions rows of the edit
    own size   = the same articles' rows in articles, mentions and figures

and the ratio versions / own size is printed (target: <= 1.0).  It also prints
how much the database file grew through the edit.

    .venv/bin/python bench/version_storage.py [--articles 5000] [--changed 0.2]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsmon.crawler.demo import load_articles  # noqa: E402
from newsmon.data import Store  # noqa: E402

BATCH = 500


def _text(base: str, n: int, edited: bool) -> str:
    sentences = re.split(r"(?<=\.) ", base.replace("\n\n", "\n"))
    k = n % max(len(sentences), 1)
    text = " ".join(sentences[k:] + sentences[:k])
    text = re.sub(r"\d+", lambda m: str(int(m.group()) + n % 97), text)
    if edited:
        text = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), text, count=1)
        text += "\nUpdate: a spokesperson for the regulator, Ana Example, said the decision would be appealed."
    return text


def _batch(bases: list, numbers: range, edited: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    articles, mentions, figures = [], [], []
    for n in numbers:
        base = bases[n % len(bases)]
        text = _text(base.text, n, edited)
        url = f"https://bench.example/{n}"
        sentences = [s for s in re.split(r"(?<=\.) ", text) if len(s) > 20] or [text[:200]]
        articles.append(dict(
            url=url, canonical_url=url, source=f"source-{n % 20}", title=f"{base.title} ({n})",
            authors=list(base.authors), published_at="2026-11-01", fetched_at="2026-11-02T10:00:00Z",
            language="en", sitename="Bench News", description=base.description, text=text,
            text_hash=hashlib.sha1(text.encode()).hexdigest(), word_count=len(text.split()), relevance=0.8,
            matched_terms=["fine"], annotated=True))
        for i in range(20):
            s = sentences[i % len(sentences)]
            mentions.append(dict(canonical_url=url, label="person" if i % 2 else "organisation",
                                 text=f"Name{(n + i) % 300}", canonical=f"Name{(n + i) % 300}",
                                 start=i * 40, end=i * 40 + 8, sentence=s))
        if edited:
            mentions.append(dict(canonical_url=url, label="person", text="Ana Example", canonical="Ana Example",
                                 start=len(text) - 60, end=len(text) - 49, sentence=sentences[-1]))
        for i in range(8):
            s = sentences[(i * 3) % len(sentences)]
            figures.append(dict(canonical_url=url, kind="money" if i % 2 else "count",
                                value=float(n * 10 + i + (1 if edited and i == 0 else 0)), unit="EUR" if i % 2 else None,
                                object=None if i % 2 else "users", text=str(n * 10 + i), start=i * 50,
                                end=i * 50 + 6, sentence=s))
    return pd.DataFrame(articles), pd.DataFrame(mentions), pd.DataFrame(figures)


def _copy_size(src: Path, dst: Path, statements: dict[str, str]) -> int:
    con = duckdb.connect(str(dst))
    con.execute(f"ATTACH '{src}' AS src (READ_ONLY)")
    for name, sql in statements.items():
        con.execute(f"CREATE TABLE {name} AS {sql}")
    con.execute("DETACH src")
    con.execute("CHECKPOINT")
    con.close()
    return dst.stat().st_size - _empty_size(dst.parent)


def _empty_size(folder: Path) -> int:
    path = folder / "empty.duckdb"
    if not path.exists():
        con = duckdb.connect(str(path))
        con.execute("CREATE TABLE t (x INTEGER)")
        con.execute("CHECKPOINT")
        con.close()
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--changed", type=float, default=0.2, help="share of the articles edited")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    bases = sorted(load_articles(), key=lambda a: a.slug)
    changed = int(args.articles * args.changed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "news.duckdb"
        store = Store(db)
        for start in range(0, args.articles, BATCH):
            store.write_batch(1, *_batch(bases, range(start, min(start + BATCH, args.articles)), False))
        _checkpoint(db)
        before = db.stat().st_size
        for start in range(0, changed, BATCH):
            counts = store.write_batch(2, *_batch(bases, range(start, min(start + BATCH, changed)), True))
            assert counts.get("versions") == min(BATCH, changed - start), counts
        _checkpoint(db)
        after = db.stat().st_size
        ids = "(SELECT article_id FROM src.article_versions)"
        versions = _copy_size(db, tmp / "versions.duckdb", {"v": "SELECT * FROM src.article_versions"})
        own = _copy_size(db, tmp / "own.duckdb", {
            "a": f"SELECT * FROM src.articles WHERE article_id IN {ids}",
            "m": f"SELECT * FROM src.mentions WHERE article_id IN {ids}",
            "f": f"SELECT * FROM src.figures WHERE article_id IN {ids}"})
        text_only = _copy_size(db, tmp / "text.duckdb", {
            "a": f"SELECT * FROM src.articles WHERE article_id IN {ids}"})
    result = {
        "articles": args.articles, "changed": changed,
        "versions_bytes": versions, "own_bytes": own, "own_article_rows_bytes": text_only,
        "ratio_versions_to_own": round(versions / own, 3),
        "ratio_versions_to_article_rows": round(versions / text_only, 3),
        "versions_bytes_per_changed_article": round(versions / changed),
        "file_growth_bytes": after - before,
    }
    print(f"{changed} of {args.articles} articles edited once")
    print(f"  versions kept:           {versions / 1e6:8.2f} MB  ({versions / changed:,.0f} B per edit)")
    print(f"  the changed articles:    {own / 1e6:8.2f} MB  (articles + mentions + figures rows)")
    print(f"    of which article rows: {text_only / 1e6:8.2f} MB")
    print(f"  ratio versions / own size:          {versions / own:.2f}  (target <= 1.0)")
    print(f"  ratio versions / article rows only: {versions / text_only:.2f}")
    print(f"  database file grew by {(after - before) / 1e6:.2f} MB through the edit (checkpointed)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


def _checkpoint(db: Path) -> None:
    con = duckdb.connect(str(db))
    con.execute("CHECKPOINT")
    con.close()


if __name__ == "__main__":
    main()
