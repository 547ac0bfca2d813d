"""Shared pytest fixtures (generic ones only; test modules keep their own helpers)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

from newsmon.crawler.localserver import LocalServer

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


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


@pytest.fixture(scope="session")
def demo_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, demo_port) -> Path:
    """A database written by one real `newsmon demo` run, shared by the tests that read it.

    The demo site is served on a fixed port for the session, so a second crawl of
    it (the recrawl test) sees the same URLs.  Tests must not write to it.
    """
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    done = run_newsmon("demo", "--db", str(db), "--port", str(demo_port))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return db


@pytest.fixture(scope="session")
def newsmon_nlp():
    """The production extractor (`load_pipeline()`, the real model), loaded once per session.
    Tests must not change it."""
    from newsmon.nlp.pipeline import load_pipeline
    return load_pipeline()
