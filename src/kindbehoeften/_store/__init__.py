"""Stores of assessments: SQLite by default, PostgreSQL for many workers.

:func:`open_store` reads a URL and opens the back end its scheme names; each back end is a
:class:`~kindbehoeften._store.base.Store` (the interface and the shared logic, in ``base.py``)
with a few methods of its own, each one transaction (``sqlite.py``, ``postgres.py``), as
httpx's transports implement ``BaseTransport``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Final
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from ..errors import StoreError
from .base import SECRET_KEYS, CaseSummary, Store

__all__ = [
    "DEFAULT_URL",
    "ENVIRONMENT",
    "CaseSummary",
    "Store",
    "open_store",
    "redacted",
    "sqlite_path",
]

#: The environment variable that names the default store.
ENVIRONMENT: Final = "KINDBEHOEFTEN_STORE"
#: The store used when neither an URL nor the environment names one: a file in the working
#: directory.
DEFAULT_URL: Final = "sqlite:///kindbehoeften.db"

_URL_FORMS: Final = (
    "Give sqlite:///PATH (a relative path; sqlite:////PATH for an absolute one) or "
    "postgresql://USER@HOST/DATABASE (docs/storage.md)."
)


def redacted(url: str) -> str:
    """``url`` without its password, for messages and reprs.

    >>> redacted("postgresql://case:s3cret@db.example/kb?sslmode=require&password=x")
    'postgresql://case:***@db.example/kb?sslmode=require&password=***'
    """
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # a port that is no number: still hide what may be a password
        return re.sub(r"://[^@/]*@", "://***@", url)
    netloc = parts.netloc
    if password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:***@{host}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    secret = any(key in SECRET_KEYS for key, _ in pairs)
    if password is None and not secret:
        return url
    query = parts.query
    if secret:
        query = urlencode(
            [(key, "***" if key in SECRET_KEYS else value) for key, value in pairs], safe="*/"
        )
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def sqlite_path(url: str) -> str | None:
    """The file a ``sqlite:`` URL names (``None`` for a URL of another scheme), read as
    :func:`open_store` reads it; :class:`StoreError` for a SQLite URL that it refuses.

    The command line asks it whether a store exists before it reads one, so that reading
    makes no file.

    >>> sqlite_path("sqlite:///cases%20old.db?timeout=5"), sqlite_path("sqlite:////srv/kb.db")
    ('cases old.db', '/srv/kb.db')
    >>> sqlite_path("postgresql://db.example/kb") is None
    True
    """
    scheme, colon, _ = url.partition(":")
    if not colon or scheme.lower() != "sqlite":
        return None
    return _sqlite_parts(url)[0]


def _sqlite_parts(url: str) -> tuple[str, float]:
    """The file and the writers' timeout of a ``sqlite:`` URL."""
    parts = urlsplit(url)
    if parts.netloc or not parts.path.startswith("/") or parts.path == "/":
        raise StoreError(
            "url",
            f"{redacted(url)!r} names no SQLite file: sqlite:/// is followed by the file's "
            f"path. {_URL_FORMS}",
        )
    path = unquote(parts.path[1:], errors="surrogateescape")  # bytes of a name, as os does
    if "\x00" in path:
        raise StoreError(
            "url",
            f"{redacted(url)!r} names no SQLite file: a file name holds no NUL (%00). {_URL_FORMS}",
        )
    timeout = 30.0
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key != "timeout":
            raise StoreError(
                "url",
                f"a SQLite store URL takes only ?timeout=SECONDS, not {quote(key[:40])!r}. "
                f"{_URL_FORMS}",
            )
        try:
            timeout = float(value)
        except ValueError:
            timeout = -1.0
        if not 0 <= timeout <= 3600:
            raise StoreError(
                "url", "timeout must be a number of seconds between 0 and 3600 (?timeout=30)."
            )
    return path, timeout


def _sqlite(url: str) -> Store:
    from .sqlite import SQLiteStore

    path, timeout = _sqlite_parts(url)
    return SQLiteStore(redacted(url), path, timeout=timeout)


def _postgres(url: str) -> Store:
    from .postgres import PostgresStore

    return PostgresStore(redacted(url), url)


_BACKENDS: Final[dict[str, Callable[[str], Store]]] = {
    "sqlite": _sqlite,
    "postgresql": _postgres,
    "postgres": _postgres,
}


def open_store(url: str | None = None) -> Store:
    """Open the store at ``url``, making its tables if it has none yet.

    ``url`` is ``sqlite:///PATH`` (a file; relative to the working directory, or absolute as
    ``sqlite:////PATH``; ``?timeout=SECONDS`` for how long a writer waits for another) or
    ``postgresql://USER:PASSWORD@HOST:PORT/DATABASE`` (libpq's URL, with its parameters; needs
    ``pip install 'kindbehoeften[postgres]'``). Without ``url``: the environment variable
    ``KINDBEHOEFTEN_STORE``, else ``sqlite:///kindbehoeften.db`` in the working directory.

    :class:`~kindbehoeften.errors.StoreError` for a URL that names no store, a server or
    file that cannot be reached, the PostgreSQL extra not installed, a database that holds
    something else, and a store written by a newer kindbehoeften (it names the version).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     with open_store(f"sqlite:///{folder}/cases.db") as store:
    ...         list(store.cases())
    []
    """
    if url is None:
        url = os.environ.get(ENVIRONMENT) or DEFAULT_URL
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, not {type(url).__name__}")
    scheme, colon, _ = url.partition(":")
    backend = _BACKENDS.get(scheme.lower()) if colon else None
    if backend is None:
        shown = quote(scheme[:40]) if colon else "none"
        raise StoreError("url", f"unknown kind of store URL (scheme {shown!r}). {_URL_FORMS}")
    return backend(url)
