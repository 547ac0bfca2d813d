"""The items that flow through the Scrapy pipelines.

A spider yields one `PageItem` per fetched candidate article page; the pipelines
turn it into an `ArticleItem` (extracted, scored, annotated) or drop it with a
counted reason.  `ArticleItem.row()` is the article's row in the write contract
(data/frames.py); its annotation becomes rows in `data.rows`.
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
    link_canonical: str | None = None  # the page's <link rel="canonical"> href, as written
    og_url: str | None = None  # its og:url (crawler.identity decides which one counts)


@dataclass
class ArticleItem:
    """A page that passed extraction and the topic filter, with its NLP results."""
    page: PageItem
    article: Any  # nlp.records.Article
    relevance: Any  # nlp.records.Relevance
    annotation: Any | None  # nlp.records.Annotation, None when the language is not supported
    text_hash: str = ""

    @property
    def canonical_url(self) -> str:
        return self.article.canonical_url or self.page.url

    def row(self) -> dict[str, Any]:
        """The article's row (data.rows.ARTICLE_FIELDS)."""
        a, relevance = self.article, self.relevance
        return {
            "url": self.canonical_url, "canonical_url": self.canonical_url,
            "source": self.page.source, "title": a.title, "authors": list(a.authors or []),
            "published_at": a.published_at, "fetched_at": self.page.fetched_at,
            "language": a.language, "sitename": a.sitename, "description": a.description,
            "text": a.text, "text_hash": self.text_hash, "word_count": len(a.text.split()),
            "relevance": float(relevance.score) if relevance else None,
            "matched_terms": list(relevance.terms) if relevance else [],
            "annotated": self.annotation is not None,
        }
