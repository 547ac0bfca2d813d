"""An extracted article as a JSON message on the run's articles list, and back.

It owns the hand-off format between crawl processes and NLP workers: one
message per kept article, ``{"v": 1, "article": <row>, "pages": [<row>, ...]}``
where the article row is `crawler.items.ArticleItem.row()` (the columns of
data/frames.py, ``annotated`` false) and the pages rows are its
fetch-record rows (`crawler.fetchrecord.record.stored_page_rows`, outcome 'stored'), so
an article and its fetch record are staged, and loaded, together.  JSON, never
pickle: the Redis server may be shared.

`decode` raises `MessageError` for anything that is not such a message;
`staged_frames` turns decoded messages and their annotations into the frames
`data.staging.stage_batch` takes (data.rows.batch_frames).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import pandas as pd

from newsmon.crawler.items import ArticleItem
from newsmon.crawler.fetchrecord.record import stored_page_rows
from newsmon.data.rows import batch_frames
from newsmon.nlp.records import Annotation

VERSION = 1
REQUIRED_ARTICLE_KEYS = ("url", "canonical_url", "source", "text", "text_hash")


class MessageError(ValueError):
    """A message on the articles list that is not a newsmon article message."""


@dataclass(frozen=True)
class ArticleMessage:
    article: dict[str, Any]
    pages: list[dict[str, Any]]

    @property
    def canonical_url(self) -> str:
        return self.article["canonical_url"]

    @property
    def language(self) -> str:
        return (self.article.get("language") or "").lower()

    @property
    def text(self) -> str:
        return self.article["text"]


def encode_items(items: Sequence[ArticleItem]) -> list[bytes]:
    """One message per item."""
    return [_dumps({"v": VERSION, "article": _plain(item.row()),
                    "pages": [_plain(p) for p in stored_page_rows([item])]})
            for item in items]


def decode(raw: bytes | str) -> ArticleMessage:
    """The message `raw` encodes; MessageError when it is not one."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MessageError(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("v") != VERSION:
        raise MessageError(f"not a version {VERSION} article message")
    article, pages = data.get("article"), data.get("pages", [])
    if not isinstance(article, dict) or not isinstance(pages, list):
        raise MessageError("article must be an object and pages a list")
    missing = [k for k in REQUIRED_ARTICLE_KEYS if not isinstance(article.get(k), str)]
    if missing:
        raise MessageError(f"article lacks {', '.join(missing)}")
    if not all(isinstance(p, dict) and isinstance(p.get("url"), str) for p in pages):
        raise MessageError("every page row must be an object with a url")
    return ArticleMessage(article, pages)


def staged_frames(messages: Sequence[ArticleMessage],
                  annotations: Sequence[Annotation | None]) -> dict[str, pd.DataFrame]:
    """{articles, mentions, figures, pages} frames of annotated messages (None: unannotated)."""
    return batch_frames([m.article for m in messages], annotations,
                        [page for m in messages for page in m.pages])


def pages_only(rows: Iterable[dict]) -> bytes:
    """Fetch-record rows (feeds, sitemaps) as one JSON list, for the run's listings."""
    return _dumps([_plain(r) for r in rows])


def decode_pages(raw: bytes | str) -> list[dict]:
    rows = json.loads(raw)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise MessageError("listing rows must be a list of objects")
    return rows


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode("utf-8")


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe values: NaN/NaT -> None, numpy scalars and arrays -> Python ones."""
    return {k: _value(v) for k, v in row.items()}


def _value(v: Any) -> Any:
    if v is None or v is pd.NaT or isinstance(v, (str, bool)):
        return None if v is pd.NaT else v
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, (list, tuple)):
        return [_value(x) for x in v]
    if hasattr(v, "tolist"):  # numpy scalar or array
        return _value(v.tolist())
    if isinstance(v, int):
        return v
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v
