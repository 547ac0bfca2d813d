"""The one entry point from texts to annotations: `annotate_texts`.

It owns what every caller of the spaCy pipeline needs around `nlp.pipe`: which
texts to annotate at all (their language: `nlp.models.annotatable`; others
come back as None and are stored unannotated), batching (by count and by
characters, MAX_BATCH_CHARS), and what happens when
a document breaks the pipeline (the batch is annotated again one text at a
time, so one bad text never loses the others; the texts that still fail come
back as None and are reported to `on_error`), and input limits: any Python
str (lone surrogates from a JSON string replaced), any length (pieces of at
most MAX_PIECE characters, offsets kept).  The crawl's process pool
(crawler.pipelines.processing), `newsmon worker` and `newsmon reannotate` all call it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from spacy.language import Language

from newsmon.nlp.models import annotatable
from newsmon.nlp.pipeline import annotate
from newsmon.nlp.records import Annotation

logger = logging.getLogger(__name__)

#: characters of text given to spaCy at once (its own limit, nlp.max_length, is 1,000,000;
#: NER memory and time grow with the piece, and a stop lands only between pieces' C code,
#: so longer texts go in pieces of this size; names are made canonical within a piece)
MAX_PIECE = 50_000
#: characters given to spaCy in one batch at most: each step of its model is one call into C
#: over the whole batch, which a signal waits for (32 pieces of MAX_PIECE characters at once
#: kept a worker's stop 6 s past its bound under load); 32 news articles stay well below it
MAX_BATCH_CHARS = 250_000
_SURROGATE = re.compile("[\ud800-\udfff]")
_BOUNDARIES = ("\n\n", "\n", ". ", " ")


def annotate_texts(nlp: Language, texts: Sequence[str], languages: Sequence[str | None], *,
                   batch_size: int = 32,
                   on_error: Callable[[int, Exception], None] | None = None
                   ) -> list[Annotation | None]:
    """One Annotation per text, in order; None for a text in a language the pipeline
    does not annotate, and for a text whose annotation failed (logged, and passed to
    `on_error(index, exception)` when given; `on_error` may raise to stop).

    Any str is accepted: lone surrogates become U+FFFD (`clean_text`), and a text
    longer than `MAX_PIECE` characters is annotated in pieces (`split_text`) whose
    offsets are moved back onto the whole text."""
    if len(texts) != len(languages):
        raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
    out: list[Annotation | None] = [None] * len(texts)
    wanted = [i for i, language in enumerate(languages) if annotatable(language)]
    if not wanted:
        return out
    try:
        results = _annotate([texts[i] for i in wanted], nlp, batch_size)
    except Exception:  # one bad text must not lose the batch: one by one
        if len(wanted) > 1:
            logger.exception("annotating a batch of %d texts failed; annotating them one by one",
                             len(wanted))
        results = [_one(nlp, texts[i], i, on_error) for i in wanted]
    for i, annotation in zip(wanted, results):
        out[i] = annotation
    return out


def _annotate(texts: Sequence[str], nlp: Language, batch_size: int) -> list[Annotation]:
    """Each text cleaned and cut into pieces, the pieces annotated, put back together."""
    limit = min(MAX_PIECE, nlp.max_length - 1)
    parts = [split_text(clean_text(text), limit) for text in texts]
    flat = [piece for pieces in parts for _, piece in pieces]
    annotations = (annotation for batch in batches(flat, batch_size)
                   for annotation in annotate(nlp, batch, batch_size=len(batch)))
    return [join_annotations([(offset, next(annotations)) for offset, _ in pieces])
            for pieces in parts]


def batches(texts: Sequence[str], size: int, chars: int = MAX_BATCH_CHARS) -> Iterator[list[str]]:
    """`texts` in order, in batches of at most `size` texts and `chars` characters (a longer
    text alone)."""
    batch: list[str] = []
    held = 0
    for text in texts:
        if batch and (len(batch) == size or held + len(text) > chars):
            yield batch
            batch, held = [], 0
        batch.append(text)
        held += len(text)
    if batch:
        yield batch


def _one(nlp: Language, text: str, index: int,
         on_error: Callable[[int, Exception], None] | None) -> Annotation | None:
    try:
        return _annotate([text], nlp, 1)[0]
    except Exception as exc:
        logger.exception("annotating text %d failed; it is stored unannotated", index)
        if on_error is not None:
            on_error(index, exc)
        return None


def clean_text(text: str) -> str:
    """`text` with every lone surrogate (valid in a JSON string, not in UTF-8) replaced by
    U+FFFD; the length, and so every offset, stays the same."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def split_text(text: str, limit: int = MAX_PIECE) -> list[tuple[int, str]]:
    """(offset, piece) pieces of at most `limit` characters that make up `text`, each cut
    at the last paragraph break before the limit, else the last line break, sentence end
    or space, else at the limit."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        cut = 0
        for boundary in _BOUNDARIES:
            at = window.rfind(boundary, limit // 2)
            if at > 0:
                cut = at + len(boundary)
                break
        cut = cut or limit
        pieces.append((start, text[start:start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def join_annotations(parts: Sequence[tuple[int, Annotation]]) -> Annotation:
    """The annotation of a whole text from those of its pieces (offsets moved by each
    piece's offset)."""
    if len(parts) == 1 and parts[0][0] == 0:
        return parts[0][1]
    whole = Annotation()
    explain: list[dict] = []
    for offset, part in parts:
        whole.mentions += [replace(m, start=m.start + offset, end=m.end + offset)
                           for m in part.mentions]
        whole.figures += [replace(f, start=f.start + offset, end=f.end + offset)
                          for f in part.figures]
        whole.fines += [replace(f, start=f.start + offset, end=f.end + offset)
                        for f in part.fines]
        explain += [{**e, "start": e["start"] + offset, "end": e["end"] + offset}
                    if "start" in e else e for e in part.explain or []]
    whole.explain = explain if any(p.explain is not None for _, p in parts) else None
    return whole
