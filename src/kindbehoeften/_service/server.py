"""Running the service: a listening socket, uvicorn with one worker, and its logs.

The socket is bound before uvicorn starts, so that the caller knows the address (port 0
gives a free port) and can say so, and so that everything that can stop the service (a bad
tokens file, an address in use) stops it before it listens.
"""

from __future__ import annotations

import logging
import signal
import socket
from types import FrameType
from typing import IO

import uvicorn

from .app import Settings, create_app
from .logs import LOGGER

__all__ = ["listen", "run"]

_FORMAT = "%(asctime)s %(levelname)s %(message)s"


def _stopped(signum: int, frame: FrameType | None) -> None:
    """The signal raised again by uvicorn after it stopped: nothing more to do."""


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host`` and ``port`` (IPv4 or IPv6); ``OSError`` when the
    address cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _logging(stream: IO[str]) -> None:
    """The service's lines and uvicorn's own (start, stop, a malformed request) on
    ``stream``, one line each; never uvicorn's access log (it would show query strings)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(_FORMAT))
    for name in (LOGGER, "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler] if name != "uvicorn.error" else []
        logger.setLevel(logging.INFO)
        logger.propagate = name == "uvicorn.error"
    logging.getLogger("uvicorn.access").disabled = True


def run(settings: Settings, sock: socket.socket, stream: IO[str]) -> None:
    """Serve on ``sock`` until SIGINT or SIGTERM, logging on ``stream``; then return.

    uvicorn stops on either signal and raises it again once it has stopped, for the handler
    that was there before it; that handler is this one, which lets the command end with exit
    code 0, as a service that was asked to stop and did.
    """
    _logging(stream)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stopped)
    config = uvicorn.Config(
        create_app(settings),
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        lifespan="off",
        workers=1,
    )
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
