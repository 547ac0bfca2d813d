"""Shared pytest fixtures (generic ones only; test modules keep their own helpers)."""

from __future__ import annotations

from typing import Callable, Iterator

import pytest

from crawler.localserver import LocalServer


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
