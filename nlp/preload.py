"""What an NLP process loads before it is given work, so that processes forked from it need not.

It owns the warm-up of a process that will annotate: importing this module imports spaCy,
newsmon's pipeline components and trafilatura, fills ``nlp.entities.knowledge``'s tables
(places, given names, surnames, companies: read from ``nlp.cache``'s folder, or built in
0.9 CPU-seconds) and reads ``wordfreq``'s word lists (0.8 CPU-seconds), extracts one small page
(trafilatura and courlan build their tables on first use) and, when the environment names a
model in ``NEWSMON_PRELOAD_MODEL`` (``nlp.models.PRELOAD_MODEL_VARIABLE``), loads that spaCy pipeline. ``pipeline(model)`` hands the
preloaded pipeline out, or loads another.

The crawl's NLP pool forks its processes from a 'forkserver' that imports this module
(``crawler.pipelines.pool``): each pool process, and each one that replaces a process
stopped at the page time limit, starts with all of it in memory, shared copy-on-write with
its siblings. A warm-up that fails is logged and left to the process that needs it, so its
error is reported where it was before (a wrong model name by the first page's process).
"""

from __future__ import annotations

import logging
import os

from spacy.language import Language

from newsmon.nlp.entities.knowledge import load_knowledge
from newsmon.nlp.extract import extract_article
from newsmon.nlp.models import PRELOAD_MODEL_VARIABLE
from newsmon.nlp.pipeline import load_pipeline

log = logging.getLogger(__name__)

_WARM_PAGE = ("<html><head><title>Warm-up</title></head><body><article><p>"
              + "A regulator fined a platform on Monday after a long inquiry. " * 8
              + "</p></article></body></html>")

_pipelines: dict[str, Language] = {}


def pipeline(model: str) -> Language:
    """The newsmon pipeline on `model`: the preloaded one, or loaded now (and kept)."""
    nlp = _pipelines.get(model)
    if nlp is None:
        nlp = _pipelines[model] = load_pipeline(model)
    return nlp


def _warm_up(model: str | None) -> None:
    load_knowledge().warm()
    extract_article(_WARM_PAGE, "https://newsmon-warm-up.invalid/page")
    if model:
        pipeline(model)


try:
    _warm_up(os.environ.get(PRELOAD_MODEL_VARIABLE))
except Exception as exc:  # noqa: BLE001 - the process that needs it reports it (docstring)
    log.warning("NLP warm-up failed, left to each process: %s", exc)
