"""``kindbehoeften serve``: the HTTP service (``docs/service.md``), on uvicorn with one worker.

Everything that can stop the service stops it before it listens, with exit code 2: a missing
or broken tokens file, an address that cannot be had, a missing ``service`` extra. Then the
command logs the address it listens on and serves until SIGINT or SIGTERM (exit 0).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import __version__
from .._core.limits import quoted
from ..errors import MissingDependencyError
from .base import EXIT_OK, Commands, Context, UsageError, file_or_folder, whole_number

__all__ = ["add_commands", "run_serve"]


def add_commands(commands: Commands) -> None:
    """Register ``serve``."""
    serve = commands.command(
        "serve",
        "the HTTP service: forms, validation, FHIR $validate",
        run_serve,
        human=False,
        description="Serve forms, validation and FHIR $validate over HTTP until interrupted "
        "(docs/service.md). Logs go to stderr, one line per request.",
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
        "--store", metavar="URL", help="the case store (its endpoints are not in this version)"
    )


def run_serve(context: Context) -> int:
    """Serve until interrupted; 2 when the service cannot start."""
    args: argparse.Namespace = context.args
    if args.store is not None:
        raise UsageError("--store: this version serves no case endpoints; start it without --store")
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
    try:
        sock = listen(args.host, args.port)
    except OSError as error:
        raise UsageError(
            f"cannot listen on {quoted(args.host)} port {args.port}: {error.strerror or error}"
        ) from None
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    guarded = f"{len(tokens)} tokens" if tokens is not None else "no tokens: open to all"
    context.err.file.write(f"kindbehoeften serve: listening on http://{shown}:{port} ({guarded})\n")
    context.err.file.flush()
    with sock:
        run(Settings(tokens=tokens, version=__version__), sock, context.err.file)
    return EXIT_OK
