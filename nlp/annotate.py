"""The one entry point from texts to annotations: `annotate_texts`.

It owns what every caller of the spaCy pipeline needs around `nlp.pipe`: which
texts to annotate at all (their language: `nlp.models.annotatable`; others
come back as None and are stored unannotated), batching, and what happens when
a document breaks the pipeline (the batch is annotated again one text at a
time, so one bad text never loses the others; the texts that still fail come
back as None and are reported to `on_error`).  The crawl's process pool
(crawler.pipelines.processing), `newsmon worker` and `newsmon reannotate` all call it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from spacy.language import Language

from newsmon.nlp.models import annotatable
from newsmon.nlp.pipeline import annotate
from newsmon.nlp.records import Annotation

logger = logging.getLogger(__name__)


def annotate_texts(nlp: Language, texts: Sequence[str], languages: Sequence[str | None], *,
                   batch_size: int = 32,
                   on_error: Callable[[int, Exception], None] | None = None
                   ) -> list[Annotation | None]:
    """One Annotation per text, in order; None for a text in a language the pipeline
    does not annotate, and for a text whose annotation failed (logged, and passed to
    `on_error(index, exception)` when given; `on_error` may raise to stop)."""
    if len(texts) != len(languages):
        raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
    out: list[Annotation | None] = [None] * len(texts)
    wanted = [i for i, language in enumerate(languages) if annotatable(language)]
    if not wanted:
        return out
    try:
        results = list(annotate(nlp, [texts[i] for i in wanted], batch_size=batch_size))
    except Exception:  # one bad text must not lose the batch: one by one
        if len(wanted) > 1:
            logger.exception("annotating a batch of %d texts failed; annotating them one by one",
                             len(wanted))
        results = [_one(nlp, texts[i], i, on_error) for i in wanted]
    for i, annotation in zip(wanted, results):
        out[i] = annotation
    return out


def _one(nlp: Language, text: str, index: int,
         on_error: Callable[[int, Exception], None] | None) -> Annotation | None:
    try:
        return next(iter(annotate(nlp, [text])))
    except Exception as exc:
        logger.exception("annotating text %d failed; it is stored unannotated", index)
        if on_error is not None:
            on_error(index, exc)
        return None
