"""The NLP pool's processes (crawler/pipelines/pool.py): forked from one forkserver that
preloaded what they share, spaCy and the crawl's model only where pages are annotated.

Each case runs in its own interpreter: a process has one forkserver, set up by its
first pool."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


from conftest import ROOT

SCRIPT = """
import asyncio, json, os, sys, time
from newsmon.crawler.pipelines import processing
from newsmon.crawler.pipelines.pool import PagePool

def report():
    time.sleep(0.3)  # long enough for both processes to take pages
    preload = sys.modules.get("newsmon.nlp.preload")
    return {"parent": os.getppid(), "pid": os.getpid(), "spacy": "spacy" in sys.modules,
            "preloaded": sorted(preload._pipelines) if preload else None,
            "state_nlp": processing._state._nlp is not None,
            "wordfreq": tuple(__import__("wordfreq").get_frequency_dict.cache_info()),
            "encoder": processing._state._nlp is not None
                       and processing._state._nlp.get_pipe("newsmon_entities").check._encoder is not None}

if __name__ == "__main__":
    config = processing.ProcessingConfig(model=sys.argv[1], topic="platform_regulation",
                                         threshold=None, annotate=sys.argv[2] == "annotate")
    pool = PagePool(2, processing.init_process, (config,), 60, preload=processing.preload(config))
    async def main():
        return await asyncio.gather(*[pool.run(report) for _ in range(8)])
    print(json.dumps({"me": os.getpid(), "spacy": "spacy" in sys.modules,
                      "workers": asyncio.run(main())}))
    pool.close()
"""


def pool_report(folder: Path, model: str, mode: str) -> dict:
    script = folder / "pool_report.py"  # a file: the pool imports its functions by name
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script), model, mode], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_annotating_processes_fork_from_one_server_holding_spacy_and_the_model(tmp_path, tiny_model):
    out = pool_report(tmp_path, tiny_model, "annotate")
    workers = out["workers"]
    assert not out["spacy"]  # the crawl's own process never imports spaCy
    assert {w["parent"] for w in workers} != {out["me"]}  # forked by the forkserver, not by us
    assert len({w["parent"] for w in workers}) == 1
    assert len({w["pid"] for w in workers}) == 2
    assert all(w["spacy"] and w["preloaded"] == [tiny_model] and w["state_nlp"] for w in workers)
    # the entity check's encoder is loaded before the first page, outside its time limit
    assert all(w["encoder"] for w in workers)
    # wordfreq's six word lists come from the forkserver: no process reads them itself
    assert all(w["wordfreq"][1:] == [6, None, 6] for w in workers), workers  # (hits, misses, max, size): read once


def test_processes_that_never_annotate_load_no_spacy(tmp_path, tiny_model):
    out = pool_report(tmp_path, tiny_model, "extract-only")
    assert out["workers"] and not any(w["spacy"] for w in out["workers"])
    assert all(w["preloaded"] is None for w in out["workers"])
