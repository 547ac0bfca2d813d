"""The news-please baseline: run with the python of bench/.work/newsplease-venv, not newsmon's.

It owns timing news-please on mirror pages.  It uses news-please's library
API `NewsPlease.from_urls` on batches of URLs: news-please fetches a batch
with one thread per URL, then extracts the pages in a process pool (one
process per core, its default), so the baseline gets both cores, as newsmon
does.  Images are not fetched (``fetch_images=False``): the mirror's pages
point at images on the internet, which this machine cannot reach, and newsmon
does not fetch images either.  An article is a result with a non-empty
``maintext``.  `--sequential` times the simplest use instead, one
`NewsPlease.from_url` call per URL (fetch, then extract in this process).
Imports nothing from newsmon (it runs in its own virtualenv).

    bench/.work/newsplease-venv/bin/python bench/newsplease_stage.py --urls urls.txt --out r.json
"""

from __future__ import annotations

import argparse
import json
import logging
import time
import warnings
from pathlib import Path


def crawl(urls: list[str], batch: int, timeout: float, sequential: bool = False) -> dict:
    """Batches through `from_urls`, or (`sequential`) one `from_url` call per URL."""
    from newsplease import NewsPlease
    articles = languages = 0
    failed: dict[str, int] = {}
    start = time.perf_counter()
    for i in range(0, len(urls), 1 if sequential else batch):
        if sequential:
            try:
                results = {urls[i]: NewsPlease.from_url(urls[i], request_args={"timeout": timeout},
                                                        fetch_images=False)}
            except Exception as exc:  # noqa: BLE001 - one page news-please cannot do (e.g. a
                # language whose tokenizer is an extra it did not install) must not end the stage
                failed[type(exc).__name__] = failed.get(type(exc).__name__, 0) + 1
                continue
        else:
            results = NewsPlease.from_urls(urls[i:i + batch], request_args={"timeout": timeout},
                                           fetch_images=False)
        for article in results.values():
            if article and getattr(article, "maintext", None):
                articles += 1
                languages += bool(getattr(article, "language", None))
    seconds = time.perf_counter() - start
    api = "from_url, one URL after the other" if sequential else f"from_urls, batches of {batch}"
    return {"pages": len(urls), "articles": articles, "with_language": languages,
            "seconds": round(seconds, 2), "articles_per_s": round(articles / seconds, 3),
            "api": api, "version": _version(), "failed": failed}


def _version() -> str:
    from importlib.metadata import version
    return version("news-please")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--urls", type=Path, required=True, help="one URL a line")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--sequential", action="store_true",
                    help="one NewsPlease.from_url call per URL (the simplest baseline)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    warnings.filterwarnings("ignore")
    urls = args.urls.read_text(encoding="utf-8").split()
    args.out.write_text(json.dumps(crawl(urls, args.batch, args.timeout, args.sequential), indent=1),
                        encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
