"""Errors as RFC 9457 problem details, for every error status the service gives.

:class:`HTTPProblem` is raised wherever a request cannot be answered; :data:`HANDLERS` turn
it, and what Starlette raises itself (no such route, a method the route does not take), into
an ``application/problem+json`` answer built from :class:`~.models.Problem`. An unexpected
exception is a 500 problem that says nothing of its cause (the access log names its type).
Nothing here ever quotes a body: input may be personal data.
"""

from __future__ import annotations

import http
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Final

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from .models import Problem, ProblemError

__all__ = ["HANDLERS", "PROBLEM_JSON", "PROBLEM_TYPE", "HTTPProblem", "problem_response"]

PROBLEM_JSON: Final = "application/problem+json"
#: The prefix of the ``type`` of each problem the service defines (``...:too-large``).
PROBLEM_TYPE: Final = "urn:kindbehoeften:problem:"


class HTTPProblem(Exception):
    """A request that is answered with a problem: its status, its kind (the end of its
    ``type``, e.g. ``too-large``), what happened and what to do (``detail``) and, when the
    input was at fault, where (``errors``)."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        errors: Sequence[ProblemError] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        head: str | None = None,
        allowed_steps: Sequence[str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.errors = None if errors is None else list(errors)
        self.headers = dict(headers or {})
        self.head = head
        self.allowed_steps = None if allowed_steps is None else list(allowed_steps)


def problem_response(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    errors: Sequence[ProblemError] | None = None,
    headers: Mapping[str, str] | None = None,
    head: str | None = None,
    allowed_steps: Sequence[str] | None = None,
) -> Response:
    """An ``application/problem+json`` answer; ``kind`` None is ``about:blank``, the HTTP
    status itself. ``head`` and ``allowed_steps`` are members of the case endpoints'
    problems (412, 409)."""
    body = Problem.model_validate(
        {
            "type": "about:blank" if kind is None else PROBLEM_TYPE + kind,
            "title": http.HTTPStatus(status).phrase,
            "status": status,
            "detail": detail,
            "errors": None if errors is None else list(errors),
            "head": head,
            "allowed_steps": None if allowed_steps is None else list(allowed_steps),
        }
    )
    return Response(
        body.model_dump_json(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers or {}),
    )


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPProblem)
    return problem_response(
        exc.status,
        exc.detail,
        kind=exc.kind,
        errors=exc.errors,
        headers=exc.headers,
        head=exc.head,
        allowed_steps=exc.allowed_steps,
    )


_ROUTING = {
    404: "no such resource; GET /openapi.json lists what there is",
    405: "this resource does not take that method; the Allow header lists those it takes",
}


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = _ROUTING.get(exc.status_code, http.HTTPStatus(exc.status_code).description)
    headers = dict(exc.headers or {})
    if "Allow" in headers:  # Starlette lists a set; the same answer every time is kinder
        headers["Allow"] = ", ".join(sorted(headers["Allow"].split(", ")))
    return problem_response(exc.status_code, detail, headers=headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    # Logged by the access log, by the name of its type only: its text may quote the input.
    return problem_response(
        500, "the service failed on this request; the log names the kind of failure"
    )


#: The exception handlers of the application: every error is a problem.
HANDLERS: Final[
    dict[type[Exception] | int, Callable[[Request, Exception], Awaitable[Response]]]
] = {
    HTTPProblem: _problem,
    StarletteHTTPException: _http,
    Exception: _unexpected,
}
