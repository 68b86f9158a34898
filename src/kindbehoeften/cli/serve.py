"""``kindbehoeften serve``: the HTTP service (``docs/service.md``), on uvicorn with one worker.

With a tokens file, the service also serves the case endpoints over a store: ``--store URL``,
else ``$KINDBEHOEFTEN_STORE``, else ``sqlite:///kindbehoeften.db`` in the working directory
(made if it is not there, as ``case open`` makes it). Without tokens there are no case
endpoints, and ``--store`` is a usage error: it would be ignored.

Everything that can stop the service stops it before it listens, with exit code 2: a missing
or broken tokens file, a store that cannot be opened (one line, never a password), an address
that cannot be had, a missing ``service`` extra. Then the command logs the address it listens
on and serves until SIGINT or SIGTERM (exit 0).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Final

from .. import __version__
from .._core.limits import quoted
from ..errors import MissingDependencyError, StoreError
from .base import EXIT_OK, Commands, Context, UsageError, file_or_folder, whole_number

if TYPE_CHECKING:
    from .._store import Store

# As in kindbehoeften._store, which is imported only when serve runs (start-up stays light).
_ENVIRONMENT: Final = "KINDBEHOEFTEN_STORE"
_DEFAULT_URL: Final = "sqlite:///kindbehoeften.db"

__all__ = ["add_commands", "run_serve"]


def add_commands(commands: Commands) -> None:
    """Register ``serve``."""
    serve = commands.command(
        "serve",
        "the HTTP service: forms, validation, FHIR $validate, cases",
        run_serve,
        human=False,
        description="Serve forms, validation and FHIR $validate over HTTP until interrupted, "
        "and with --tokens the cases of a store (docs/service.md). Logs go to stderr, one "
        "line per request.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)"
    )
    serve.add_argument(
        "--port",
        type=whole_number(0, 65535),
        default=8080,
        help="the port (default 8080; 0: any free port, logged at the start)",
    )
    serve.add_argument(
        "--tokens",
        type=file_or_folder,
        metavar="FILE",
        help="a TOML file of token digests and scopes; then every endpoint but /health and "
        "/openapi.json needs a token",
    )
    serve.add_argument(
        "--store",
        metavar="URL",
        help=f"the store of the case endpoints, which need --tokens: sqlite:///PATH or "
        f"postgresql://... (default: ${_ENVIRONMENT}, else {_DEFAULT_URL})",
    )


def _open(url: str, where: str) -> Store:
    """The store at ``url``; a usage error (one line, no password) when it cannot be used,
    saying ``where`` the URL came from."""
    from .._store import open_store, redacted

    try:
        return open_store(url)
    except StoreError as error:
        reason = " ".join(str(error).split())  # one line, whatever the driver said
        raise UsageError(f"{where} {redacted(url)}: {reason}") from None


def _reopen(url: str) -> Store:
    """The store at ``url`` opened again, after its connection was lost while serving."""
    from .._store import open_store

    return open_store(url)


def run_serve(context: Context) -> int:
    """Serve until interrupted; 2 when the service cannot start."""
    args: argparse.Namespace = context.args
    if args.store is not None and args.tokens is None:
        raise UsageError(
            "--store needs --tokens: the case endpoints answer only requests with a token "
            "(docs/service.md); give a tokens file, or start without --store"
        )
    if args.store is not None and not args.store.strip():
        raise UsageError("--store: an empty store URL; give sqlite:///PATH or postgresql://...")
    try:
        from .._service.app import Settings
        from .._service.server import listen, run
        from .._service.tokens import TokensFileError, load_tokens
    except ImportError as error:
        if (error.name or "").partition(".")[0] not in {"starlette", "uvicorn"}:
            raise
        raise MissingDependencyError(
            f"kindbehoeften serve needs {error.name or 'Starlette and uvicorn'}: "
            "pip install 'kindbehoeften[service]'"
        ) from None
    tokens = None
    if args.tokens is not None:
        try:
            tokens = load_tokens(Path(args.tokens))
        except TokensFileError as error:
            raise UsageError(str(error)) from None
    with contextlib.ExitStack() as stack:
        store = None
        url = args.store or os.environ.get(_ENVIRONMENT) or _DEFAULT_URL
        where = "--store" if args.store else f"${_ENVIRONMENT}" if url != _DEFAULT_URL else ""
        if tokens is not None:  # the case endpoints: a store that cannot be used stops here
            store = stack.enter_context(_open(url, where or "the default store"))
        try:
            sock = stack.enter_context(listen(args.host, args.port))
        except OSError as error:
            raise UsageError(
                f"cannot listen on {quoted(args.host)} port {args.port}: {error.strerror or error}"
            ) from None
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        guarded = "no tokens: open to all, no case endpoints"
        if tokens is not None and store is not None:
            guarded = f"{len(tokens)} tokens, cases in {store.url}"
        context.err.file.write(
            f"kindbehoeften serve: listening on http://{shown}:{port} ({guarded})\n"
        )
        context.err.file.flush()
        settings = Settings(
            tokens=tokens,
            version=__version__,
            store=store,
            reopen=None if store is None else functools.partial(_reopen, url),
        )
        run(settings, sock, context.err.file)
    return EXIT_OK
