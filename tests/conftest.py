"""Shared pytest fixtures and helpers, in one place (test modules keep only their own).

* `local_server`: a factory of LocalServers stopped after the test; `free_port()`;
* `run_newsmon(...)`: the real command line in a subprocess, for what is about processes
  (signals, a kill, concurrency between processes, the import of a fresh interpreter);
  `invoke_newsmon(...)`: the same command line in this process (click's CliRunner) with
  the same result (returncode, stdout, stderr), for tests of what a command does, without
  a new interpreter's start-up (0.3-1.5 CPU s a call); never for a crawl (the reactor runs
  once per process);
* `db`: the path of a fresh database file in the test's tmp folder (created by its
  first writer); `sample_db`: the session's small read-only database of known
  articles (tests/digest_testdb.py), for tests that only read;
* `demo_port` / `demo_db`: one real `newsmon demo` run for the whole test run (built by
  the first pytest-xdist worker that needs it, the others wait and reuse it), read-only;
* the spaCy pipeline, loaded once per session: `newsmon_nlp` (newsmon's whole
  pipeline on the real model, also for the entity tests: the components after the
  entities' add little to a short text, a second pipeline 2.5 CPU-s a worker);
  `annotate_one(nlp, text)`, and `run_after_ner(nlp, text, ents)`:
  the model's entities set by hand, then every newsmon component after `ner` for real
  (for rules about mistakes the model does not make on a short text); `tiny_model`: the path of a tiny pipeline (a blank English
  model with an untrained, label-less `ner`) for crawls that annotate but do not
  check which entities are found: it runs several times faster per article, and
  every newsmon component still runs, so mention and figure rows still flow;
* `NEWSMON_CACHE_DIR` (nlp/cache.py) is one folder of this test run, shared by the
  pytest-xdist workers and every process they start: the knowledge tables are built once
  per run, never read from the user's own cache;
* the order and grouping of tests under pytest-xdist (`make test` runs `-n auto --dist
  loadgroup`): tests marked slow run first (the longest work is handed out while the
  other worker still has short tests to balance it), and the tests of a module that
  share a module-scoped fixture go to one worker, which builds it once;
* `NO_NLP`: the `--set` arguments of a crawl that extracts and scores but never
  loads spaCy (NEWSMON_ANNOTATE=false, no NLP pool), for crawl tests that check
  no annotation at all.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

from newsmon.crawler.localserver import LocalServer

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
NO_NLP = ("--set", "NEWSMON_ANNOTATE=false", "--processes", "0")
NO_NLP_SETTINGS = {"NEWSMON_ANNOTATE": False, "NEWSMON_NLP_PROCESSES": 0}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        defs = info.name2fixturedefs.values() if info is not None else ()
        if any(d.scope == "module" for group in defs for d in group):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: file order kept


@pytest.fixture(scope="session", autouse=True)
def newsmon_cache_dir(tmp_path_factory) -> Path:
    """This run's cache folder, in the environment of this process and of the ones it starts."""
    from newsmon.nlp.cache import CACHE_DIR_VARIABLE
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if "PYTEST_XDIST_WORKER" in os.environ else base) / "newsmon-cache"
    os.environ[CACHE_DIR_VARIABLE] = str(folder)
    return folder


@pytest.fixture
def local_server() -> Iterator[Callable[..., LocalServer]]:
    """Factory: `local_server(routes, **kwargs)` starts a LocalServer, stopped after the test."""
    started: list[LocalServer] = []

    def start(routes=None, **kwargs) -> LocalServer:
        server = LocalServer(routes, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_newsmon(*args: str, input: str | None = None, timeout: float = 600,
                env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real `newsmon` command line in a subprocess (as a user would)."""
    return subprocess.run([sys.executable, "-c", "from newsmon.crawler.cli import main; main()", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          input=input, env={**os.environ, **(env or {})})


def invoke_newsmon(*args: str, input: str | None = None,
                   env: dict | None = None) -> subprocess.CompletedProcess:
    """`run_newsmon` in this process: click's CliRunner on the same `cli` (its own error
    handling and exit codes, stdout and stderr apart), as a CompletedProcess."""
    from click.testing import CliRunner

    from newsmon.crawler.cli import cli
    result = CliRunner().invoke(cli, list(args), input=input, env=env, prog_name="newsmon")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # the command line would have printed a traceback
    return subprocess.CompletedProcess(["newsmon", *args], result.exit_code,
                                       result.stdout, result.stderr)


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str,
               build: Callable[[Path], Path]) -> Path:
    """`build(folder)` -> path, run once for the whole test run: under pytest-xdist the
    first worker that asks builds it in a folder all workers share (the others wait on a
    lock and get the same path); without xdist, in this session's tmp folder."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return build(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent  # one folder per run, above the workers'
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        done = shared / f"{name}.built"
        if not done.exists():
            folder = shared / name
            folder.mkdir(exist_ok=True)
            done.write_text(str(build(folder)))
        return Path(done.read_text())


@pytest.fixture
def db(tmp_path) -> Path:
    """The path of a fresh database in the test's tmp folder (not created yet)."""
    return tmp_path / "news.duckdb"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """A small database of known articles, mentions and figures (tests/digest_testdb.py),
    built once for the session: tests must only read it."""
    from digest_testdb import build_db
    return build_db(tmp_path_factory.mktemp("sample") / "news.duckdb")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> str:
    """A spaCy pipeline with an untrained, label-less, very small `ner`, as a NEWSMON_MODEL
    path: newsmon's own components run on it for real (gazetteer names and figures
    still give rows), fast, for tests that count or compare rows, not judge entities."""
    import spacy
    nlp = spacy.blank("en")
    tok2vec = {"@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None,
               "width": 8, "depth": 1, "embed_size": 100, "window_size": 1,
               "maxout_pieces": 2, "subword_features": False}
    nlp.add_pipe("ner", config={"model": {
        "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner",
        "extra_state_tokens": False, "hidden_width": 8, "maxout_pieces": 2,
        "use_upper": False, "tok2vec": tok2vec}})
    nlp.initialize()
    path = tmp_path_factory.mktemp("model") / "tiny"
    nlp.to_disk(path)
    return str(path)


@pytest.fixture(scope="session")
def demo_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, demo_port) -> Path:
    """A database written by one real `newsmon demo` run, shared by the tests that read it.

    Its URLs are http://newsmon-demo.invalid/... whatever port serves the site, so a
    second crawl on another port (the recrawl test) sees the same URLs.  Tests must not
    write to it.
    """
    def build(folder: Path) -> Path:
        db = folder / "demo.duckdb"
        done = run_newsmon("demo", "--db", str(db), "--port", str(demo_port))
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return db
    return built_once(tmp_path_factory, "demo", build)


def annotate_one(nlp, text: str):
    """The annotation (``nlp.records``) of one text."""
    from newsmon.nlp.pipeline import annotate
    return next(iter(annotate(nlp, [text])))


def mention_names(doc, kind: str) -> set[str]:
    """The canonical names of a doc's mentions of one kind ("person", "organisation")."""
    return {m.canonical for m in doc._.mentions if m.label == kind}


def run_after_ner(nlp, text: str, ents):
    """``text`` with the model's entities replaced by ``ents`` ((substring, label[, occurrence]),
    occurrence counted from 0), then every component after ``ner``; returns the doc."""
    doc = nlp.make_doc(text)
    spans = []
    for ent in ents:
        substring, label = ent[0], ent[1]
        occurrence = ent[2] if len(ent) > 2 else 0
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(substring, start + 1)
        span = doc.char_span(start, start + len(substring), label=label)
        assert span is not None, f"{substring!r} does not align with tokens"
        spans.append(span)
    doc.ents = spans
    for name, component in nlp.pipeline:
        if name != "ner":
            doc = component(doc)
    return doc


@pytest.fixture(scope="session")
def rules_nlp():
    """The extractor without the entity check (`load_pipeline(check=False)`), loaded once per
    session: the tests of the entity rules pin what the rules decide; the check, a statistical
    second opinion measured by bench/entity_check_train.py, has its own tests
    (tests/test_entity_check.py). Tests must not change it."""
    from newsmon.nlp.pipeline import load_pipeline
    return load_pipeline(check=False)


@pytest.fixture(scope="session")
def newsmon_nlp():
    """The production extractor (`load_pipeline()`, the real model), loaded once per session.
    Tests must not change it."""
    from newsmon.nlp.pipeline import load_pipeline
    return load_pipeline()
