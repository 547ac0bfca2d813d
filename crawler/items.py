"""The items that flow through the Scrapy pipelines.

A spider yields one `PageItem` per fetched candidate article page; the pipelines
turn it into an `ArticleItem` (extracted, scored, annotated) or drop it with a
counted reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    url: str  # final URL after redirects
    source: str  # name of the source in the sources file
    status: int
    content_type: str  # the Content-Type header, lower case, "" when absent
    html: str | None = field(repr=False)  # decoded body (Scrapy's charset detection); None when not text
    fetched_at: str  # ISO 8601 UTC timestamp
    via: str  # "feed" | "sitemap" | "links"
    language: str | None = None  # the source's configured language, a hint
    hints: dict[str, Any] = field(default_factory=dict)  # e.g. title/published from the feed entry, sitemap lastmod
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class ArticleItem:
    """A page that passed extraction and the topic filter, with its NLP results."""
    page: PageItem
    article: Any  # nlp.records.Article
    relevance: Any  # nlp.records.Relevance
    annotation: Any | None  # nlp.records.Annotation, None when the language is not supported
    text_hash: str = ""
