"""Fixtures shared by modules: the real servers of the service tests (``tests/service.py``).

Each server is started once for the session, when a test first asks for it, and stopped at
the end: then its log, everything it wrote over the whole suite, must hold neither the
planted answer nor any token.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service import SENTINEL, TOKENS, Server, tokens_file


def _served(server: Server) -> Iterator[Server]:
    try:
        yield server
    finally:
        code = server.stop()
        log = server.text()
        assert 0 == code, log
        assert SENTINEL not in log
        assert [] == [name for name, (token, _) in TOKENS.items() if token in log]


@pytest.fixture(scope="session")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server without tokens: every endpoint answers anyone."""
    folder = tmp_path_factory.mktemp("open-server")
    yield from _served(Server(folder / "server.log"))


@pytest.fixture(scope="session")
def guarded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with the tokens of ``service.TOKENS``."""
    folder = tmp_path_factory.mktemp("guarded-server")
    tokens = tokens_file(folder / "tokens.toml")
    yield from _served(Server(folder / "server.log", "--tokens", str(tokens)))
