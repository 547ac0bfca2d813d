"""What one page costs a crawl's NLP worker, in CPU-seconds, part by part.

On the 181 corpus pages (read from bench/.work/mirror when run_all.py built it,
else gunzipped from ../shared), in this one process, it times with
time.process_time (CPU time, so other jobs on the machine matter less):

  extract        nlp.extract.extract_article per page
  ner  nlp(t)    the bare model, only `ner`, one call per text
  ner  pipe      the same, nlp.pipe(batch_size=32)
  full nlp(t)    newsmon's pipeline (load_pipeline), one call per text: what
                 crawler.pipelines.processing.process_page does today
  full pipe      the same, nlp.pipe(batch_size=16): what a worker task holding
                 several pages could do
  (and whether the annotations of nlp(t) and nlp.pipe are identical)
  pickling       pickle.dumps of the task (the decoded HTML) and of the result
                 (crawler.pipelines.processing.Processed), the pool's transport

and prints CPU-ms per article and the share each part takes of a worker's
time, so the gap between NLP-only and end to end can be read off.

    .venv/bin/python bench/worker_costs.py [--texts 120]
"""

from __future__ import annotations

import argparse
import gzip
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from mirror import CORPUS, corpus_pages, without_canonical  # noqa: E402


def pages() -> list[tuple[str, str]]:
    from w3lib.encoding import html_to_unicode
    out = []
    for i, path in enumerate(corpus_pages()):
        _, text = html_to_unicode("text/html", without_canonical(gzip.open(path, "rb").read()))
        out.append((f"http://127.0.0.1:9/2024/01/{1 + i % 28:02d}/{path.name[:16]}.html", text))
    return out


def cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=int, default=0, help="annotate only this many texts (0: all)")
    args = ap.parse_args()
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} is absent", file=sys.stderr)
        return 0
    from newsmon.crawler.pipelines.processing import ProcessingConfig, init_process, process_page
    from newsmon.nlp.extract import extract_article
    from newsmon.nlp.pipeline import annotate_doc, load_ner_only, load_pipeline
    from newsmon.nlp.records import Article
    from newsmon.nlp.models import DEFAULT_MODEL

    docs = pages()
    extract_article(docs[0][1], docs[0][0])
    articles: list[Article] = []
    t_extract = cpu(lambda: articles.extend(a for a in (extract_article(h, u) for u, h in docs)
                                            if isinstance(a, Article)))
    english = [a.text for a in articles if (a.language or "")[:2] == "en"]
    texts = english[:args.texts] if args.texts else english
    words = sum(len(t.split()) for t in texts)
    ner, full = load_ner_only(), load_pipeline()
    for nlp in (ner, full):
        list(nlp.pipe(texts[:4]))
    single: list = []
    piped: list = []
    t = {
        "ner nlp(t)": cpu(lambda: [ner(x) for x in texts]),
        "ner pipe(32)": cpu(lambda: list(ner.pipe(texts, batch_size=32))),
        "full nlp(t)": cpu(lambda: single.extend(annotate_doc(full(x)) for x in texts)),
        "full pipe(16)": cpu(lambda: piped.extend(annotate_doc(d)
                                                  for d in full.pipe(texts, batch_size=16))),
    }
    differ = sum(a != b for a, b in zip(single, piped))
    init_process(ProcessingConfig(model=DEFAULT_MODEL, topic="platform-regulation",
                                 threshold=None, keep_all=True))
    sample = docs[:40]
    results = [process_page(h, u) for u, h in sample]
    t_pickle_task = cpu(lambda: [pickle.loads(pickle.dumps((h, u))) for u, h in sample])
    t_pickle_result = cpu(lambda: [pickle.loads(pickle.dumps(r)) for r in results])
    task_kb = sum(len(pickle.dumps((h, u))) for u, h in sample) / len(sample) / 1024
    result_kb = sum(len(pickle.dumps(r)) for r in results) / len(sample) / 1024

    n = len(texts)
    per = {"extract (per page)": 1000 * t_extract / len(docs),
           **{k: 1000 * v / n for k, v in t.items()},
           "pickle+unpickle task (per page)": 1000 * t_pickle_task / len(sample),
           "pickle+unpickle result (per page)": 1000 * t_pickle_result / len(sample)}
    print(f"{len(docs)} pages -> {len(articles)} articles; {n} English texts, {words} words "
          f"({words // max(n, 1)} per text)")
    for name, ms in per.items():
        print(f"  {name:<36} {ms:8.1f} CPU-ms per article")
    print(f"  task {task_kb:.0f} KiB pickled, result {result_kb:.0f} KiB pickled (mean)")
    worker_now = per["extract (per page)"] + per["full nlp(t)"]
    worker_batched = per["extract (per page)"] + per["full pipe(16)"]
    print(f"worker today (extract + full nlp(t)):     {worker_now:7.1f} CPU-ms/article "
          f"= {per['ner pipe(32)'] / worker_now:.2f} x the NLP-only stage's rate")
    print(f"worker batched (extract + full pipe(16)): {worker_batched:7.1f} CPU-ms/article "
          f"= {per['ner pipe(32)'] / worker_batched:.2f} x")
    print(f"annotations from nlp(t) and from nlp.pipe(batch_size=16) differ for {differ} of {n} "
          f"texts")
    print(f"extraction share of a worker today: {per['extract (per page)'] / worker_now:.0%}; "
          f"newsmon's own components over bare ner (pipe): "
          f"{per['full pipe(16)'] / per['ner pipe(32)']:.2f} x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
