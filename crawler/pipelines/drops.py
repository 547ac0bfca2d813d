"""Why a page was not kept: one `DropItem` subclass per reason.

Scrapy's stats count each class (`item_dropped_reasons_count/<Class>`); the
reason word (`drop_reason`) is what the fetch record and `newsmon/dropped/<reason>` use.
`NotDelivered` is raised by the delivering stage (crawler.pipelines.deliver), the
others by the processing stage.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem

from newsmon.crawler.pipelines.processing import Processed


class NotAnArticle(DropItem):
    """The page is not an article (base class of the extraction reasons)."""
    reason = "not_article"


class NotHtml(NotAnArticle):
    reason = "not_html"


class EmptyPage(NotAnArticle):
    reason = "empty_page"


class Unparseable(NotAnArticle):
    reason = "unparseable"


class NoText(NotAnArticle):
    reason = "no_text"


class TooShort(NotAnArticle):
    reason = "too_short"


class IndexPage(NotAnArticle):
    reason = "index_page"


class OffTopic(DropItem):
    reason = "off_topic"


class ProcessingError(DropItem):
    reason = "processing_error"


class PageTimeout(DropItem):
    """Processing took longer than NEWSMON_PAGE_TIMEOUT; its pool process was replaced."""
    reason = "page_timeout"


class Interrupted(DropItem):
    """The crawl stopped (SIGTERM/SIGINT, a failed store) before the page was processed."""
    reason = "interrupted"


class NotDelivered(DropItem):
    """A kept article the sink refused (e.g. the frontier was lost); it gets no
    fetch-record row, so the next run fetches it again."""
    reason = "not_delivered"


DROP_REASONS: dict[str, type[DropItem]] = {
    cls.reason: cls for cls in (NotAnArticle, NotHtml, EmptyPage, Unparseable, NoText,
                                TooShort, IndexPage, OffTopic, ProcessingError, PageTimeout,
                                Interrupted)
}


def drop_reason(exc: BaseException) -> str:
    """The reason word of a drop: the class's `reason`, else the class name."""
    return getattr(exc, "reason", None) or type(exc).__name__.lower()


def drop_for(processed: Processed) -> DropItem:
    cls = DROP_REASONS.get(processed.reason or "", NotAnArticle)
    return cls(f"{processed.reason}: {processed.url} {processed.detail}".strip())
