"""One log line per request: method, route template, status, duration and token name.

Never a body, a query string, a header or a path as it was sent: a path may carry an id, a
body answers, a header a token. The route is the template the request matched
(``/forms/{form_id}/{version}``), or ``-`` when it matched none. The middleware wraps the
whole application, so that an exception that escapes it is logged by the name of its type
and goes no further (the server would log its text, which may quote the input).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Final

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["LOGGER", "AccessLog", "line"]

LOGGER: Final = "kindbehoeften.service"
_log = logging.getLogger(LOGGER)


def line(method: str, route: str, status: int | None, seconds: float, token: str | None) -> str:
    """The log line of one request; its status ``-`` when none was sent (the client went
    away before the answer began).

    >>> line("POST", "/validate", 200, 0.0012, None)
    'POST /validate 200 1.2ms token=-'
    """
    sent = "-" if status is None else status
    return f"{method} {route} {sent} {seconds * 1000:.1f}ms token={token or '-'}"


class AccessLog:
    """ASGI middleware: a line per HTTP request on the ``kindbehoeften.service`` logger."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None  # until the answer begins
        gone = False

        async def receiving() -> Message:
            nonlocal gone
            message = await receive()
            gone = gone or message["type"] == "http.disconnect"
            return message

        async def sending(message: Message) -> None:
            nonlocal status
            # An answer begun after the client went away (the 500 problem of the
            # ClientDisconnect it raised) reaches no one: the line says none was sent.
            if message["type"] == "http.response.start" and not gone:
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        except (ClientDisconnect, ConnectionError):
            _log.info("the client went away before the answer was complete")
        except Exception as error:  # answered with a 500 problem already; see problems.py
            _log.error("internal error (%s)", type(error).__name__)
        finally:
            _log.info(
                "%s",
                line(
                    _method(scope),
                    _route(scope),
                    status,
                    time.perf_counter() - started,
                    _token(scope),
                ),
            )


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


def _method(scope: Scope) -> str:
    method = str(scope.get("method", "-"))
    return method if method in _METHODS else "OTHER"


def _route(scope: Scope) -> str:
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "-"


def _token(scope: Scope) -> str | None:
    state = scope.get("state")
    name = state.get("token") if isinstance(state, dict) else None
    return name if isinstance(name, str) else None
