"""Re-running NLP over stored articles, on every core, one transaction per batch.

It owns `reannotate_all`: it pages through the annotatable articles by
article_id (keyset pagination, so memory stays flat), splits each batch over
a pool of worker processes that each hold one spaCy pipeline, and replaces the
batch's mentions and figures with `Store.replace_annotations` in one
transaction.  Reads and writes use short connections, so queries can run
between batches.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Callable

from newsmon.crawler.frames import annotation_rows, frames
from newsmon.crawler.processing import ANNOTATED_LANGUAGES, ProcessingConfig, annotate_texts, init_worker
from newsmon.data.store import Store, query

logger = logging.getLogger(__name__)

_PAGE = """
select article_id, canonical_url, text from articles
where article_id > $after and list_contains($langs::VARCHAR[], lower(coalesce(substr(language, 1, 2), '')))
  and ($source::VARCHAR is null or source = $source::VARCHAR)
order by article_id limit $n
"""
_COUNT = """
select count(*) as n from articles
where list_contains($langs::VARCHAR[], lower(coalesce(substr(language, 1, 2), ''))) and ($source::VARCHAR is null or source = $source::VARCHAR)
"""


def reannotate_all(db_path: str, *, model: str, batch_size: int = 200, workers: int = 2,
                   source: str | None = None,
                   on_batch: Callable[[int, int], None] | None = None) -> dict:
    langs = sorted(ANNOTATED_LANGUAGES)
    total = int(query(db_path, _COUNT, {"langs": langs, "source": source})["n"].iloc[0])
    store = Store(db_path)
    config = ProcessingConfig(model=model, topic="platform-regulation", threshold=None)
    totals = {"articles": 0, "mentions": 0, "figures": 0, "batches": 0, "candidates": total,
              "words": 0}
    started = time.monotonic()
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_worker,
                             initargs=(config,)) as pool:
        after = -(2 ** 63)
        while True:
            page = query(db_path, _PAGE, {"after": after, "langs": langs, "source": source,
                                          "n": batch_size})
            if page.empty:
                break
            after = int(page["article_id"].iloc[-1])
            texts = page["text"].tolist()
            chunk = max(1, -(-len(texts) // workers))
            parts = [texts[i:i + chunk] for i in range(0, len(texts), chunk)]
            annotations = [a for part in pool.map(annotate_texts, parts) for a in part]
            mentions, figures = [], []
            for url, ann in zip(page["canonical_url"], annotations):
                m, f = annotation_rows(url, ann)
                mentions += m
                figures += f
            _, mdf, fdf = frames([], mentions, figures)
            counts = store.replace_annotations(mdf, fdf, page["article_id"].tolist())
            totals["articles"] += counts.get("articles", 0)
            totals["mentions"] += len(mentions)
            totals["figures"] += len(figures)
            totals["batches"] += 1
            totals["words"] += sum(len(t.split()) for t in texts)
            logger.info("re-annotated batch %d: %s", totals["batches"], counts)
            if on_batch:
                on_batch(totals["articles"], total)
    elapsed = max(time.monotonic() - started, 1e-9)
    totals["words_per_s"] = totals["words"] / elapsed
    return totals
