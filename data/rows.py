"""Records -> rows -> the frames every writer takes: the one place that shapes a batch.

It owns how an annotated article becomes rows (`annotation_rows`: one row per
mention, one per figure, keyed by the article's canonical_url, with exactly
the columns of the write contract in data/frames.py) and `batch_frames`, which
turns article rows, their annotations and fetch-record rows into the frames
`data.store.Store.write_batch` and `data.staging.stage_batch` take, keyed by
table name.  The crawl's store (crawler.pipelines), the NLP worker
(crawler.distributed) and re-annotation all build their batches here.

Annotations are read by attribute, not imported: an annotation is any object
whose attribute named like each table in `ANNOTATION_TABLES` lists records
whose attributes are named like that table's columns (nlp.records.Annotation
is one).  A new column or table is added to data/frames.py and to the record,
and flows through here unchanged.  This package never imports `nlp`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import logging

import pandas as pd

from newsmon.data.frames import (ARTICLE_COLUMNS, FIGURE_COLUMNS, FINE_COLUMNS, MENTION_COLUMNS,
                                 PAGE_COLUMNS, Column, incoming_names)

ARTICLE_FIELDS = incoming_names(ARTICLE_COLUMNS)
PAGE_FIELDS = incoming_names(PAGE_COLUMNS)
#: table name -> its columns; the annotation attribute of the same name holds its records
ANNOTATION_TABLES: dict[str, tuple[Column, ...]] = {
    "mentions": MENTION_COLUMNS,
    "figures": FIGURE_COLUMNS,
    "fines": FINE_COLUMNS,
}
logger = logging.getLogger(__name__)

_RECORD_FIELDS = {table: incoming_names(columns)[1:]  # after canonical_url
                  for table, columns in ANNOTATION_TABLES.items()}


def annotation_rows(canonical_url: str, annotation: Any | None) -> dict[str, list[dict]]:
    """{table: rows} of one article's annotation (empty lists for None)."""
    if annotation is None:
        return {table: [] for table in ANNOTATION_TABLES}
    return {table: [{"canonical_url": canonical_url,
                     **{name: getattr(record, name) for name in fields}}
                    for record in getattr(annotation, table)]
            for table, fields in _RECORD_FIELDS.items()}


class Batch(dict):
    """{table: frame} of one batch, and the rows left out of it as conflicts."""
    conflicts: list[tuple[str, str, str]]  # (canonical_url, owner source, other source)


def batch_frames(articles: Sequence[dict], annotations: Sequence[Any | None] | None = None,
                 pages: Iterable[dict] = ()) -> Batch:
    """{"articles", "mentions", "figures", "fines", "pages"} frames of one batch, fixed columns.

    `articles` are article rows (ARTICLE_FIELDS); `annotations[i]` is the
    annotation of `articles[i]` (None: not annotated; `annotated` is set from it);
    without `annotations` the rows' own `annotated` values stay.  One row per
    canonical_url goes in: the first row's source owns it (an article belongs to
    the source that first stored it), the last row of that source wins, and
    rows of other sources are left out and listed in `.conflicts`.  Every
    fetch-record row in `pages` goes in.
    """
    if annotations is None:
        annotations = [_KEEP] * len(articles)
    kept: dict[str, tuple[dict, Any]] = {}
    conflicts: list[tuple[str, str, str]] = []
    for article, annotation in zip(articles, annotations, strict=True):
        url = article["canonical_url"]
        owner = kept.get(url)
        if owner is not None and _other_source(owner[0].get("source"), article.get("source")):
            conflicts.append((url, owner[0].get("source"), article.get("source")))
            continue
        kept[url] = (article, annotation)
    rows: dict[str, list[dict]] = {table: [] for table in ANNOTATION_TABLES}
    article_rows = []
    for url, (article, annotation) in kept.items():
        if annotation is _KEEP:
            article_rows.append(article)
            continue
        article_rows.append({**article, "annotated": annotation is not None})
        for table, table_rows in annotation_rows(url, annotation).items():
            rows[table] += table_rows
    for url, owner, other in conflicts:
        logger.warning("%s belongs to source %s in this batch; the row of %s is left out",
                       url, owner, other)
    batch = Batch({"articles": pd.DataFrame(article_rows, columns=ARTICLE_FIELDS),
                   **annotation_frames(rows), "pages": pages_frame(pages)})
    batch.conflicts = conflicts
    return batch


_KEEP = object()  # "no annotation given": keep the row's own `annotated`


def _other_source(owner: str | None, source: str | None) -> bool:
    return owner is not None and source is not None and owner != source


def annotation_frames(rows: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    """{table: frame} of annotation rows keyed by canonical_url (fixed columns)."""
    return {table: pd.DataFrame(rows.get(table, []), columns=incoming_names(columns))
            for table, columns in ANNOTATION_TABLES.items()}


def pages_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """Fetch-record rows -> the `pages` frame (fixed columns)."""
    return pd.DataFrame(list(rows), columns=PAGE_FIELDS)
