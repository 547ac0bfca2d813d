"""Scoring main-text extraction against the article-extraction benchmark.

This module owns the benchmark's metric and its loader; tests/test_extract.py and
bench/extract_speed.py both use it. The metric follows the benchmark README:
tokens are Unicode `\\w+`; each page compares the multisets of 4-token shingles of
the predicted and the true article body; a page's TP/FP/FN are normalised to sum
to 1; precision and recall are each averaged over the pages where they are
defined; F1 is the harmonic mean of mean precision and mean recall.

The benchmark data is third-party and read at run time from ../shared; nothing of
it is stored in the project.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

SHINGLE_SIZE = 4
_TOKEN = re.compile(r"\w+")

# ../shared next to the repository checkout (the repo is /work/main, shared data /work/shared).
DEFAULT_BENCHMARK_DIR = (
    Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "article-extraction-benchmark"
)


@dataclass(frozen=True)
class BenchmarkPage:
    page_id: str
    url: str
    html: str
    truth: str  # the hand-checked article body


@dataclass(frozen=True)
class PageCounts:
    """One page's shingle TP/FP/FN, normalised to sum to 1 (all 0 when both texts are empty)."""
    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float | None:
        if self.tp + self.fp == 0:
            return None
        return 1.0 if self.fp == self.fn == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        if self.tp + self.fn == 0:
            return None
        return 1.0 if self.fp == self.fn == 0 else self.tp / (self.tp + self.fn)


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    pages: int

    def __str__(self) -> str:
        return f"F1 {self.f1:.3f} (P {self.precision:.3f}, R {self.recall:.3f}) over {self.pages} pages"


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """The multiset of `size`-token shingles; a text shorter than `size` tokens is one shingle."""
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1)))


def page_counts(truth: str, predicted: str) -> PageCounts:
    true_set, pred_set = shingles(truth), shingles(predicted)
    tp = sum((true_set & pred_set).values())
    fp = sum((pred_set - true_set).values())
    fn = sum((true_set - pred_set).values())
    total = tp + fp + fn
    if not total:
        return PageCounts(0.0, 0.0, 0.0)
    return PageCounts(tp / total, fp / total, fn / total)


def aggregate(counts: list[PageCounts]) -> Scores:
    precisions = [c.precision for c in counts if c.precision is not None]
    recalls = [c.recall for c in counts if c.recall is not None]
    precision = mean(precisions) if precisions else 0.0
    recall = mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision=precision, recall=recall, f1=f1, pages=len(counts))


def load_benchmark(root: Path = DEFAULT_BENCHMARK_DIR) -> Iterator[BenchmarkPage]:
    """The benchmark pages in id order, each read (gunzipped) from `root`."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id in sorted(truth):
        with gzip.open(root / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8") as fh:
            html = fh.read()
        entry = truth[page_id]
        yield BenchmarkPage(page_id=page_id, url=entry.get("url", ""), html=html, truth=entry.get("articleBody", ""))


def evaluate(pages: list[BenchmarkPage], extract: Callable[[BenchmarkPage], str]) -> tuple[Scores, list[PageCounts]]:
    """Score `extract` (page -> predicted body, "" when it gives nothing) over `pages`."""
    counts = [page_counts(page.truth, extract(page)) for page in pages]
    return aggregate(counts), counts
