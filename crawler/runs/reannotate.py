"""Re-running NLP over stored articles, on every core, one transaction per batch.

It owns `reannotate_all`: it pages through the annotatable articles by
article_id (keyset pagination, so memory stays flat; the reads are
data.store.articles'), splits each batch over a pool of worker processes that
each hold one spaCy pipeline and annotate with `nlp.annotate.annotate_texts`
(crawler.pipelines.processing.annotate_batch), and replaces the batch's mentions and
figures with `Store.replace_annotations` in one transaction.  An article whose
annotation fails keeps what it had.  Reads and writes use short connections,
so queries can run between batches.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Callable

from newsmon.crawler.pipelines.pool import forkserver
from newsmon.crawler.pipelines.processing import (ProcessingConfig, annotate_batch, init_process,
                                                  preload)
from newsmon.data.rows import annotation_frames, annotation_rows
from newsmon.data.search import refresh_after_write
from newsmon.data.store import Store, connect_read
from newsmon.data.store.articles import annotatable_page, count_annotatable
from newsmon.nlp.models import ANNOTATED_LANGUAGES

logger = logging.getLogger(__name__)


def reannotate_all(db_path: str, *, model: str, batch_size: int = 200, processes: int = 2,
                   source: str | None = None,
                   on_batch: Callable[[int, int], None] | None = None) -> dict:
    langs = sorted(ANNOTATED_LANGUAGES)
    with connect_read(db_path) as con:
        total = count_annotatable(con, langs, source)
    store = Store(db_path)
    config = ProcessingConfig(model=model, topic="platform-regulation", threshold=None)
    totals = {"articles": 0, "mentions": 0, "figures": 0, "fines": 0, "batches": 0, "candidates": total,
              "words": 0, "failed": 0}
    started = time.monotonic()
    ctx = forkserver(*preload(config))
    with ProcessPoolExecutor(max_workers=processes, mp_context=ctx, initializer=init_process,
                             initargs=(config,)) as pool:
        after = -(2 ** 63)
        while True:
            with connect_read(db_path) as con:
                page = annotatable_page(con, langs, source, after, batch_size)
            if page.empty:
                break
            after = int(page["article_id"].iloc[-1])
            texts, languages = page["text"].tolist(), page["language"].tolist()
            chunk = max(1, -(-len(texts) // processes))
            parts = [(texts[i:i + chunk], languages[i:i + chunk])
                     for i in range(0, len(texts), chunk)]
            annotations = [a for part in pool.map(annotate_batch, *zip(*parts)) for a in part]
            rows: dict[str, list[dict]] = {}
            ids = []
            for article_id, url, ann in zip(page["article_id"], page["canonical_url"], annotations):
                if ann is None:  # its annotation failed (logged by the pool process): keep the old one
                    totals["failed"] += 1
                    continue
                ids.append(int(article_id))
                for table, table_rows in annotation_rows(url, ann).items():
                    rows.setdefault(table, []).extend(table_rows)
            frames = annotation_frames(rows)
            counts = store.replace_annotations(frames["mentions"], frames["figures"], ids,
                                               fines=frames["fines"])
            totals["articles"] += counts.get("articles", 0)
            totals["mentions"] += len(rows.get("mentions", []))
            totals["figures"] += len(rows.get("figures", []))
            totals["fines"] += len(rows.get("fines", []))
            totals["batches"] += 1
            totals["words"] += sum(len(t.split()) for t in texts)
            logger.info("re-annotated batch %d: %s", totals["batches"], counts)
            if on_batch:
                on_batch(totals["articles"], total)
    elapsed = max(time.monotonic() - started, 1e-9)
    totals["words_per_s"] = totals["words"] / elapsed
    refresh_after_write(db_path)  # NLP leaves title and text alone: normally nothing to do
    return totals
