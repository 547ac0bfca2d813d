"""The CPU-bound stage of a crawl, run in the NLP pool's processes.

It owns turning one fetched page into a `Processed` record: trafilatura
extraction, topic relevance and (for English text) the spaCy annotation.
The pool's processes are separate so that NLP never stalls Scrapy's reactor: the
main process keeps downloading while each pool process holds its own copy of the
spaCy pipeline, loaded once by `init_process`.

`process_page` is also called in-process (no pool) by tests and by the serial
reference path, so the pool and the serial path share one implementation.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from newsmon.nlp.extract import extract_article
from newsmon.nlp.models import PRELOAD_MODEL_VARIABLE, annotatable
from newsmon.nlp.records import Annotation, Article, NotArticle, Relevance
from newsmon.nlp.relevance import TopicProfile

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProcessingConfig:
    model: str
    topic: str
    threshold: float | None  # None: the profile's own threshold
    keep_all: bool = False
    min_words: int | None = None
    annotate: bool = True  # False: extraction and relevance only (NLP runs elsewhere)
    fast_extraction: bool = False  # trafilatura without its fallback extractors


@dataclass
class Processed:
    """The outcome for one page: either `article` is set, or `reason` says why not."""
    url: str
    reason: str | None = None  # drop reason (a stat key) when the page was not kept
    detail: str = ""
    article: Article | None = None
    relevance: Relevance | None = None
    annotation: Annotation | None = None
    text_hash: str = ""
    word_count: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class _ProcessState:
    """One NLP pool process's state: the topic profile and the lazily loaded spaCy pipeline."""

    def __init__(self, config: ProcessingConfig):
        self.config = config
        self.profile = TopicProfile.load(config.topic)
        self._nlp = None

    @property
    def nlp(self):
        if not self.config.annotate:
            raise RuntimeError("this process does not annotate (ProcessingConfig.annotate is off)")
        if self._nlp is None:
            from newsmon.nlp.preload import pipeline  # heavy import, only where NLP runs
            self._nlp = pipeline(self.config.model)
        return self._nlp

    def threshold(self) -> float:
        t = self.config.threshold
        return self.profile.threshold if t is None else t

    def process(self, html: str | bytes | None, url: str, content_type: str,
                language_hint: str | None) -> Processed:
        if html is None:  # the spider found the body is not text (PageItem.html)
            return Processed(url=url, reason="not_html", detail="binary body")
        kwargs = {"fast": self.config.fast_extraction}
        if self.config.min_words is not None:
            kwargs["min_words"] = self.config.min_words
        result = extract_article(html, url, content_type=content_type, **kwargs)
        if isinstance(result, NotArticle):
            return Processed(url=url, reason=result.reason, detail=result.detail)
        article = result
        if not article.language and language_hint:
            article.language = language_hint
        relevance = self.profile.score(article.title or "", article.text)
        if not self.config.keep_all and relevance.score < self.threshold():
            return Processed(url=url, reason="off_topic",
                             detail=f"score {relevance.score:.3f} < {self.threshold():.3f}",
                             article=article, relevance=relevance)
        annotation = None
        if self.config.annotate and annotatable(article.language):
            from newsmon.nlp.annotate import annotate_texts  # heavy import, only where NLP runs
            annotation = annotate_texts(self.nlp, [article.text], [article.language],
                                        on_error=_reraise)[0]
        return Processed(url=url, article=article, relevance=relevance, annotation=annotation,
                         text_hash=text_hash(article.text),
                         word_count=len(article.text.split()))


_state: _ProcessState | None = None


def preload(config: ProcessingConfig) -> tuple[tuple[str, ...], dict[str, str]]:
    """What the pool's forkserver loads for `config` (crawler.pipelines.pool): the
    modules it imports and its environment. This module (trafilatura, the topic
    profiles) always; where pages are annotated, `newsmon.nlp.preload` too, with the
    model it is to load."""
    if not config.annotate:
        return (__name__,), {}
    return (__name__, "newsmon.nlp.preload"), {PRELOAD_MODEL_VARIABLE: config.model}


def init_process(config: ProcessingConfig, warm: bool = True) -> None:
    """Pool initializer: build this process's state (and load spaCy up front)."""
    global _state
    _state = _ProcessState(config)
    _exit_with_parent()
    if warm and config.annotate:
        from newsmon.nlp.pipeline import warm as warm_pipeline  # heavy import, only where NLP runs

        warm_pipeline(_state.nlp)  # here, not in a page's time limit: a first page would pay ~2 s more
    logger.debug("NLP pool process %d ready (model %s)", os.getpid(), config.model)


def _exit_with_parent() -> None:
    """In a process started by multiprocessing: exit when the parent dies, even by
    SIGKILL; a pool process holds its own end of the pool's queues, so it would
    otherwise wait forever as an orphan, holding its spaCy pipeline."""
    import multiprocessing
    import threading
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:  # in the main process (no pool): nothing to watch
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def process_page(html: str | bytes | None, url: str, content_type: str = "text/html",
                 language_hint: str | None = None) -> Processed:
    """Process one page with this process's state (see `init_process`)."""
    if _state is None:
        raise RuntimeError("init_process() was not called in this process")
    try:
        return _state.process(html, url, content_type, language_hint)
    except Exception as exc:  # a bug or a pathological page must not kill the crawl
        logger.exception("processing %s failed", url)
        return Processed(url=url, reason="processing_error", detail=f"{type(exc).__name__}: {exc}")


def text_hash(text: str) -> str:
    """Hash of the text with white space folded, so re-wrapped text is unchanged text."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def _reraise(index: int, exc: Exception) -> None:
    """A page whose annotation fails is a processing error (dropped, fetched again next run)."""
    raise exc


def annotate_batch(texts: list[str], languages: list[str | None],
                   batch_size: int = 32) -> list[Annotation | None]:
    """`nlp.annotate.annotate_texts` with this process's pipeline (a pool task)."""
    if _state is None:
        raise RuntimeError("init_process() was not called in this process")
    from newsmon.nlp.annotate import annotate_texts
    return annotate_texts(_state.nlp, texts, languages, batch_size=batch_size)
