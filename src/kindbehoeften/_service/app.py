"""The HTTP service: forms, validation, FHIR ``$validate`` and cases over the library.

:func:`create_app` builds the ASGI application for :class:`Settings`: Starlette routes made
from the table of :data:`ENDPOINTS`, the same table from which :mod:`.openapi` describes them.
Every JSON body is read with the library's one strict reader and validated through
``validate``, so that the service and the library give the same bytes the same verdict; the
service adds only what HTTP needs: media types, limits, locales, tokens, problem details and
a log line per request.

Without tokens, every endpoint answers anyone (on the address the server listens on), and
there are no case endpoints. With tokens, every endpoint but ``/health`` and ``/openapi.json``
needs ``Authorization: Bearer <token>``: none or an unknown one is 401, a token without the
endpoint's scope 403; and with a store as well, the case endpoints of :mod:`.cases` answer.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from starlette import types
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .._core.limits import MAX_SUBMISSION_BYTES, quoted
from .._core.model import Form
from .._core.vocab import STATUSES, is_form_id
from .._exports.fhir import operation_outcome, resource_outcome, submission_from_fhir
from .._exports.schema import json_schema
from .._forms.catalog import find_form, forms
from .._i18n import localize
from .._store.base import Store
from .._validation.validator import validate
from ..errors import InvalidResourceError, UnknownFormError
from . import cases, openapi, problems
from .inputs import FHIR_JSON, FHIR_TYPES, JSON, NDJSON, body, language, lines, media_type
from .logs import AccessLog
from .models import FormSummary, Health, LineResult, ProblemError, ValidationResult
from .problems import HTTPProblem
from .tokens import Scope, Tokens

__all__ = ["ENDPOINTS", "Endpoint", "Settings", "build", "create_app"]


@dataclass(frozen=True)
class Settings:
    """What a service is made of: its tokens (``None``: no token needed), the version it
    reports, the largest JSON body (and NDJSON line, and submission in a step) it takes, and
    the store of its case endpoints (served only with tokens as well)."""

    tokens: Tokens | None = None
    version: str = "0"
    max_bytes: int = MAX_SUBMISSION_BYTES
    store: Store | None = None
    #: How to open the store again when its connection was lost (None: it is not).
    reopen: Callable[[], Store] | None = None

    @property
    def serves_cases(self) -> bool:
        """Whether the case endpoints answer: with a store and tokens, never without."""
        return self.store is not None and self.tokens is not None


Handler = Callable[[Request, Settings], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: its route, the scope a token needs (``None``: open to all), its
    handler, its description for OpenAPI (:mod:`.openapi`), whether it is a case endpoint
    (served only with a store and tokens), and whether its answer is in the language of the
    request's ``Accept-Language`` (then it says so in ``Vary``, so that a cache in between
    never gives one client's language to another)."""

    method: str
    path: str
    handler: Handler
    scope: Scope | None
    operation: openapi.Operation
    case: bool = False
    localized: bool = False


# --- answers ----------------------------------------------------------------------------------


class _JSON(Response):
    media_type = JSON


class _FHIR(Response):
    media_type = FHIR_JSON


class _Lines(Response):
    """Result lines, sent as they are made while the request body is still arriving.

    Starlette's ``StreamingResponse`` listens for a disconnect by reading the request, which
    would take the body's pieces away from the lines being validated; here the lines read
    the body themselves, and a client that goes away ends them (``ClientDisconnect``).
    """

    media_type = NDJSON

    def __init__(self, results: AsyncGenerator[bytes, None]) -> None:
        # Not Response.__init__: it would send a Content-Length of the (empty) content.
        self.status_code = 200
        self.background = None
        self.raw_headers = [(b"content-type", NDJSON.encode("ascii"))]
        self.results = results

    async def __call__(self, scope: types.Scope, receive: types.Receive, send: types.Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        try:
            async for line in self.results:
                await send({"type": "http.response.body", "body": line, "more_body": True})
        finally:  # also when the client went away: the lines stop reading the body
            await self.results.aclose()
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _json(document: Any, kind: type[Response] = _JSON) -> Response:
    return kind(json.dumps(document, ensure_ascii=False))


# --- the endpoints ----------------------------------------------------------------------------


async def _health(request: Request, settings: Settings) -> Response:
    return _JSON(Health(version=settings.version).model_dump_json())


async def _forms(request: Request, settings: Settings) -> Response:
    lang = language(request, request.query_params.get("locale"))
    summaries = [
        FormSummary(
            id=form.id, version=form.version, stage=form.stage, title=localize(form, lang).title
        ).model_dump(mode="json")
        for form in forms()
    ]
    return _json(summaries)


async def _form(request: Request, settings: Settings) -> Response:
    lang = language(request, request.query_params.get("locale"))
    form = localize(_find(request), lang)
    return _json(form.to_dict())


async def _schema(request: Request, settings: Settings) -> Response:
    status = request.query_params.get("status", "completed")
    if status not in STATUSES:
        raise HTTPProblem(
            400,
            "invalid-parameter",
            "status must be completed or in_progress",
            errors=[
                ProblemError(
                    parameter="status",
                    code="choice",
                    message=f"status must be one of {', '.join(STATUSES)}",
                )
            ],
        )
    return _json(json_schema(_find(request), status))


async def _validate(request: Request, settings: Settings) -> Response:
    kind = media_type(request, (JSON, NDJSON))
    lang = language(request, request.query_params.get("locale"))
    today = dt.date.today()  # the service is where the clock is read, as the CLI is
    limit = settings.max_bytes
    if kind == NDJSON:
        return _Lines(_ndjson(request, lang, today, limit))
    data = await body(request, limit)
    report = validate(data, locale=lang, today=today, max_bytes=limit)
    return _JSON(ValidationResult.model_validate(report.to_dict()).model_dump_json())


async def _ndjson(
    request: Request, lang: str, today: dt.date, limit: int
) -> AsyncGenerator[bytes, None]:
    """One result line per line of the body that is not blank, as the lines arrive."""
    async for number, data in lines(request, limit):
        if len(data) <= limit and not data.strip():  # a line over the limit is never blank
            continue
        report = validate(data, locale=lang, today=today, max_bytes=limit)
        result = LineResult.model_validate({"line": number, **report.to_dict()})
        yield result.model_dump_json().encode("utf-8") + b"\n"


async def _fhir_validate(request: Request, settings: Settings) -> Response:
    media_type(request, FHIR_TYPES)
    lang = language(request, request.query_params.get("locale"))
    data = await body(request, settings.max_bytes)
    try:
        submission = submission_from_fhir(data)
    except InvalidResourceError as error:
        outcome = resource_outcome(error)
    else:
        report = validate(submission, locale=lang, today=dt.date.today())
        outcome = operation_outcome(report)
    return _json(outcome, _FHIR)


def _find(request: Request) -> Form:
    """The form version named in the path: only ever looked up as an id."""
    form_id = str(request.path_params["form_id"])
    version = str(request.path_params["version"])
    try:
        if not is_form_id(form_id):
            raise UnknownFormError(form_id, version, [])
        return find_form(form_id, version)
    except UnknownFormError:
        raise HTTPProblem(
            404,
            "unknown-form",
            f"no form {quoted(form_id)!r} of version {quoted(version)!r} in the catalog; "
            "GET /forms lists them",
        ) from None


def _stores(request: Request) -> cases.Stores:
    stores: cases.Stores = request.app.state.stores  # set by build() with the case routes
    return stores


async def _open_case(request: Request, settings: Settings) -> Response:
    return await cases.open_case(request, _stores(request), settings.max_bytes)


async def _list_cases(request: Request, settings: Settings) -> Response:
    return await cases.list_cases(request, _stores(request))


async def _show_case(request: Request, settings: Settings) -> Response:
    return await cases.show_case(request, _stores(request))


async def _history(request: Request, settings: Settings) -> Response:
    return await cases.history(request, _stores(request))


async def _record_step(request: Request, settings: Settings) -> Response:
    return await cases.record_step(request, _stores(request), settings.max_bytes)


ENDPOINTS: Final[tuple[Endpoint, ...]] = (
    Endpoint("POST", "/validate", _validate, "validate", openapi.VALIDATE, localized=True),
    Endpoint(
        "POST",
        "/fhir/QuestionnaireResponse/$validate",
        _fhir_validate,
        "validate",
        openapi.FHIR_VALIDATE,
        localized=True,
    ),
    Endpoint("GET", "/health", _health, None, openapi.HEALTH),
    Endpoint("GET", "/forms", _forms, "validate", openapi.FORMS, localized=True),
    Endpoint("GET", "/forms/{form_id}/{version}", _form, "validate", openapi.FORM, localized=True),
    Endpoint("GET", "/forms/{form_id}/{version}/schema", _schema, "validate", openapi.SCHEMA),
    Endpoint("POST", "/cases", _open_case, "write", openapi.OPEN_CASE, case=True),
    Endpoint("GET", "/cases", _list_cases, "read", openapi.LIST_CASES, case=True),
    Endpoint("GET", "/cases/{case_id}", _show_case, "read", openapi.SHOW_CASE, case=True),
    Endpoint("GET", "/cases/{case_id}/events", _history, "read", openapi.HISTORY, case=True),
    Endpoint(
        "POST", "/cases/{case_id}/events", _record_step, "write", openapi.RECORD_STEP, case=True
    ),
)


# --- tokens -----------------------------------------------------------------------------------

_CHALLENGE = 'Bearer realm="kindbehoeften"'


def _authorize(request: Request, tokens: Tokens, scope: Scope) -> None:
    """401 without a known token, 403 when it lacks ``scope``; the token's name goes into
    the request's state, for the log line."""
    kind, _, credentials = request.headers.get("authorization", "").partition(" ")
    credentials = credentials.strip()
    if kind.lower() != "bearer" or not credentials:
        raise HTTPProblem(
            401,
            "unauthorized",
            "this endpoint needs a token: send Authorization: Bearer <token>",
            headers={"WWW-Authenticate": _CHALLENGE},
        )
    token = tokens.find(credentials)
    if token is None:
        raise HTTPProblem(
            401,
            "unauthorized",
            "the token is not one of the service's tokens",
            headers={"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'},
        )
    request.state.token = token.name
    request.state.municipality = token.municipality
    if not token.allows(scope):
        raise HTTPProblem(
            403,
            "forbidden",
            f"the token {token.name!r} lacks the scope {scope!r} that this endpoint needs",
            headers={
                "WWW-Authenticate": f'{_CHALLENGE}, error="insufficient_scope", scope="{scope}"'
            },
        )


def _responder(endpoint: Endpoint, settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    tokens, scope, handler = settings.tokens, endpoint.scope, endpoint.handler
    localized = endpoint.localized

    async def respond(request: Request) -> Response:
        if tokens is not None and scope is not None:
            _authorize(request, tokens, scope)
        response = await handler(request, settings)
        if localized:
            response.headers["Vary"] = "Accept-Language"
        return response

    return respond


def _route(path: str, endpoints: Sequence[Endpoint], settings: Settings) -> Route:
    """One route for each path, answering each of its endpoints' methods: a method it does
    not take is 405 with every one it takes in ``Allow`` (two routes of one path would each
    list only their own)."""
    responders = {endpoint.method: _responder(endpoint, settings) for endpoint in endpoints}

    async def respond(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await responders[method](request)

    return Route(path, respond, methods=list(responders), name=path)


# --- the application --------------------------------------------------------------------------


def build(settings: Settings) -> Starlette:
    """The Starlette application of the service, without its access log."""
    served = [e for e in ENDPOINTS if settings.serves_cases or not e.case]
    description = json.dumps(openapi.document(served, settings.version, settings.tokens))

    async def published(request: Request) -> Response:
        return _JSON(description)

    paths: dict[str, list[Endpoint]] = {}
    for endpoint in served:
        paths.setdefault(endpoint.path, []).append(endpoint)
    routes = [_route(path, endpoints, settings) for path, endpoints in paths.items()]
    routes.append(Route("/openapi.json", published, methods=["GET"], name="/openapi.json"))
    app = Starlette(routes=routes, exception_handlers=problems.HANDLERS)
    # A path with a trailing slash is no endpoint (404), not a redirect to the one without:
    # that would answer before any token is checked, at the host the Host header names.
    app.router.redirect_slashes = False
    if settings.serves_cases:
        assert settings.store is not None
        app.state.stores = cases.Stores(settings.store, settings.reopen)
    return app


def create_app(settings: Settings) -> types.ASGIApp:
    """The service as an ASGI application (wrapped in its access log)."""
    return AccessLog(build(settings))
