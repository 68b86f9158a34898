"""Fixtures of the store tests: a fresh store per test, for each back end.

PostgreSQL is a real server: the one ``KINDBEHOEFTEN_TEST_POSTGRES`` names (``.ci/run``
starts a throw-away cluster and sets it), else a throw-away cluster this session starts
(``tests/pgcluster.py``). When neither works, the PostgreSQL tests skip with the reason, except
under CI (``CI=true``), where they fail: a green CI must have run them.

The real servers of the service tests (``tests/service.py``) are started once for the session,
when a test first asks for one, and stopped at the end: then its log, everything it wrote over
the whole suite, must hold neither the planted answer nor any token.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import kindbehoeften
import pgcluster
from service import SENTINEL, TOKENS, Server, tokens_file

BACKENDS = ("sqlite", "postgresql")
#: The environment variable with the URL of a PostgreSQL server for the tests.
POSTGRES_ENVIRONMENT = "KINDBEHOEFTEN_TEST_POSTGRES"


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server's ``postgres`` database, for the whole session."""
    url = os.environ.get(POSTGRES_ENVIRONMENT)
    if url:
        yield url
        return
    try:
        cluster = pgcluster.start()
    except pgcluster.Unavailable as error:
        if _under_ci():
            pytest.fail(f"PostgreSQL could not start, and CI must test it: {error}")
        pytest.skip(f"PostgreSQL could not start here, so its store tests did not run: {error}")
    try:
        yield cluster.url
    finally:
        pgcluster.stop(cluster.root)


def _schema(server: str) -> tuple[str, Callable[[], None]]:
    """A new, empty schema of the server as a store URL, and how to drop it."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {name}")

    def drop() -> None:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {name} CASCADE")

    return pgcluster.url_with_schema(server, name), drop


@pytest.fixture
def postgres_store_url(postgres_server: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL store (for what only PostgreSQL does)."""
    url, drop = _schema(postgres_server)
    yield url
    drop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each back end in turn (for tests that make stores of their own)."""
    name: str = request.param
    return name


@pytest.fixture
def new_store_url(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[], str]]:
    """Makes the URL of a new, empty store of the back end each time it is called."""
    drops: list[Callable[[], None]] = []
    server = request.getfixturevalue("postgres_server") if backend == "postgresql" else ""

    def make() -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path}/{uuid.uuid4().hex[:12]}.db"
        url, drop = _schema(server)
        drops.append(drop)
        return url

    yield make
    for drop in drops:
        drop()


@pytest.fixture
def store_url(new_store_url: Callable[[], str]) -> str:
    """The URL of a new, empty store of the back end."""
    return new_store_url()


@pytest.fixture
def store(store_url: str) -> Iterator[kindbehoeften.Store]:
    """A new, empty store of the back end, open."""
    with kindbehoeften.open_store(store_url) as opened:
        yield opened


# --- the service's servers ---


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
    """A server with the tokens of ``service.TOKENS``, and its cases in a SQLite store."""
    folder = tmp_path_factory.mktemp("guarded-server")
    tokens = tokens_file(folder / "tokens.toml")
    store = f"sqlite:///{folder}/cases.db"
    yield from _served(Server(folder / "server.log", "--tokens", str(tokens), "--store", store))


@pytest.fixture(scope="session")
def postgres_guarded_server(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[Server]:
    """A server with the tokens of ``service.TOKENS``, and its cases in PostgreSQL."""
    folder = tmp_path_factory.mktemp("postgres-server")
    tokens = tokens_file(folder / "tokens.toml")
    store, drop = _schema(postgres_server)
    try:
        yield from _served(Server(folder / "server.log", "--tokens", str(tokens), "--store", store))
    finally:
        drop()


@pytest.fixture(params=BACKENDS)
def case_server(request: pytest.FixtureRequest) -> Server:
    """The server with tokens over each back end in turn."""
    name = "guarded_server" if request.param == "sqlite" else "postgres_guarded_server"
    server: Server = request.getfixturevalue(name)
    return server
