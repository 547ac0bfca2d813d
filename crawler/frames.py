"""Turning nlp records into the DataFrames that `data.store` writes in bulk.

One place converts `Article`/`Annotation` records into the column layout of the
store's articles, mentions and figures frames, for the crawl pipeline and for
re-annotation alike.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from newsmon.nlp.records import Annotation

ARTICLE_COLUMNS = ["url", "canonical_url", "source", "title", "authors", "published_at",
                   "fetched_at", "language", "sitename", "description", "text", "text_hash",
                   "word_count", "relevance", "matched_terms", "annotated"]
MENTION_COLUMNS = ["canonical_url", "label", "text", "canonical", "start", "end", "sentence"]
FIGURE_COLUMNS = ["canonical_url", "kind", "value", "unit", "object", "text", "start", "end",
                  "sentence"]


def annotation_rows(canonical_url: str, annotation: Annotation | None) -> tuple[list[dict], list[dict]]:
    """Mention rows and figure rows of one article's annotation."""
    if annotation is None:
        return [], []
    mentions = [{"canonical_url": canonical_url, "label": m.label, "text": m.text,
                 "canonical": m.canonical, "start": m.start, "end": m.end,
                 "sentence": m.sentence} for m in annotation.mentions]
    figures = [{"canonical_url": canonical_url, "kind": f.kind, "value": float(f.value),
                "unit": f.unit, "object": f.object, "text": f.text, "start": f.start,
                "end": f.end, "sentence": f.sentence} for f in annotation.figures]
    return mentions, figures


def frames(article_rows: Iterable[dict], mention_rows: Iterable[dict],
           figure_rows: Iterable[dict]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Build the three frames with fixed columns (empty frames keep their columns)."""
    return (pd.DataFrame(list(article_rows), columns=ARTICLE_COLUMNS),
            pd.DataFrame(list(mention_rows), columns=MENTION_COLUMNS),
            pd.DataFrame(list(figure_rows), columns=FIGURE_COLUMNS))
