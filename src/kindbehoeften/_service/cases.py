"""The case endpoints: the store over HTTP, as ``kindbehoeften case`` is on the command line.

``POST /cases`` opens a case from its report (201, ``ETag: "<head>"``, ``Location``),
``GET /cases`` lists the stored cases from the store's summary rows, ``GET /cases/{case_id}``
answers ``Assessment.overview`` (what ``case show --format json`` prints), ``GET
/cases/{case_id}/events`` the history (what ``case export`` prints) and ``POST
/cases/{case_id}/events`` records one step (``Assessment.apply``) after the head that
``If-Match`` names, with its submission, in one transaction (``Store.append``).

The order of the checks is that of HTTP (RFC 9110, section 13.2.2): the token (401, 403), the
case (404, also for a case of another municipality than the token's, with the same answer as
for a case that does not exist), the precondition (428 without ``If-Match``, 412 when the case
has moved on), then the body (415, 413, 400, 422), then the lifecycle (409, 422). The head
is checked again inside the append's transaction, so that of two writers on one head, one gets
412 and nothing is lost. Nothing is written on any error.

The store is synchronous (sqlite3, psycopg): its calls run in worker threads, so that the
event loop keeps serving; the store object is shared by them and lets them take turns. A store
whose connection is lost (a database server that restarted) answers 503, and is opened again
for the next request (:class:`Stores`), so that a worker outlives its database's restart.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final, TypeVar
from urllib.parse import quote, urlencode

from anyio import to_thread
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from starlette.requests import Request
from starlette.responses import Response

from .._core.jsonread import ReadError, escape_token, loads
from .._core.limits import MAX_SUBMISSION_DEPTH, quoted
from .._core.vocab import ASSESSMENT_STAGES
from .._lifecycle.assessment import Assessment
from .._lifecycle.events import invalid_event
from .._store.base import CaseSummary, Store
from ..errors import (
    ConflictError,
    FormDefinitionError,
    IncompleteAssessmentError,
    InvalidArgumentError,
    InvalidEventError,
    InvalidSubmissionError,
    StoreError,
    TransitionError,
    UnknownCaseError,
)
from .inputs import JSON, body, media_type
from .logs import LOGGER
from .models import (
    PAGE_LIMIT,
    CaseList,
    CaseSummaryBody,
    OpenCase,
    ProblemError,
    StepRequest,
)
from .problems import HTTPProblem

__all__ = [
    "STEP_MARGIN",
    "Stores",
    "history",
    "list_cases",
    "open_case",
    "record_step",
    "show_case",
]

#: How much a step's body may hold beyond the submission in it (the step's own fields).
STEP_MARGIN: Final = 64 * 1024

_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ETAG: Final = re.compile(r'(W/)?"([^"]*)"')

T = TypeVar("T")
_log = logging.getLogger(LOGGER)


class Stores:
    """The store of the case endpoints. When its connection is lost (reason
    ``unreachable``), :meth:`get` opens it again with ``reopen`` on the next request,
    instead of answering 503 until the service is restarted."""

    def __init__(self, store: Store, reopen: Callable[[], Store] | None = None) -> None:
        self._store = store
        self._reopen = reopen
        self._lost = False
        self._lock = threading.Lock()

    def get(self) -> Store:
        """The store, opened again first if it was lost (StoreError when it cannot be)."""
        with self._lock:
            if self._lost and self._reopen is not None:
                store = self._reopen()
                with contextlib.suppress(Exception):  # its connection is gone already
                    self._store.close()
                self._store, self._lost = store, False
            return self._store

    def lost(self) -> None:
        """The store's connection was lost: open it again before it is used next."""
        with self._lock:
            self._lost = True


async def _in_thread(stores: Stores, function: Callable[[Store], T]) -> T:
    """``function(store)`` in a worker thread; a store that cannot be used is 503."""
    try:
        return await to_thread.run_sync(lambda: function(stores.get()))
    except StoreError as error:
        # Its message names the store, never an answer; the log names the kind only.
        _log.warning("the case store failed (%s)", error.reason)
        if error.reason == "unreachable":
            stores.lost()
        raise HTTPProblem(
            503,
            "store-unavailable",
            "the case store cannot be used just now; try again later (the log names the kind "
            "of failure)",
            headers={"Retry-After": "1"},
        ) from None


def _grant(request: Request) -> str | None:
    """The municipality the request's token is bound to (``None``: every municipality)."""
    municipality = getattr(request.state, "municipality", None)
    return municipality if isinstance(municipality, str) else None


def _etag(head: str) -> dict[str, str]:
    return {"ETag": f'"{head}"'}


def _location(case_id: str) -> str:
    return "/cases/" + quote(case_id, safe="")


def _json(document: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(document, ensure_ascii=False),
        status_code=status,
        media_type=JSON,
        headers=headers,
    )


# --- reading the request ----------------------------------------------------------------------


def _unknown_case(case_id: str) -> HTTPProblem:
    """The answer for a case that is not stored, or not the token's: the same, so that it
    never tells whether a case of another municipality exists."""
    return HTTPProblem(
        404,
        "unknown-case",
        f"no case {quoted(case_id)!r} that this token may see; GET /cases lists them",
    )


def _load(request: Request) -> Callable[[Store], Assessment]:
    case_id, grant = str(request.path_params["case_id"]), _grant(request)

    def load(store: Store) -> Assessment:
        try:
            case = store.get(case_id)
        except UnknownCaseError:
            raise _unknown_case(case_id) from None
        if grant is not None and case.municipality != grant:
            raise _unknown_case(case_id)
        return case

    return load


def _date_parameter(request: Request, name: str) -> dt.date | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(name)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPProblem(
            400,
            "invalid-parameter",
            f"{name} must be a date written as YYYY-MM-DD",
            errors=[
                ProblemError(
                    parameter=name, code="date", message=f"{name} must be a date (YYYY-MM-DD)"
                )
            ],
        ) from None


def _limit_parameter(request: Request) -> int:
    value = request.query_params.get("limit")
    if value is None:
        return PAGE_LIMIT
    if value.isascii() and value.isdigit() and 1 <= int(value) <= PAGE_LIMIT:
        return int(value)
    message = f"limit must be a whole number from 1 to {PAGE_LIMIT}"
    raise HTTPProblem(
        400,
        "invalid-parameter",
        message,
        errors=[ProblemError(parameter="limit", code="range", message=message)],
    )


def _read_error(error: ReadError) -> HTTPProblem:
    """A body that is not clean JSON: 400, with where and what (never a value)."""
    problem = error.problem
    params = problem.params
    texts = {
        "json_encoding": "the body is not UTF-8 text",
        "json_constant": "NaN and Infinity are not JSON",
        "json_number": "a number has more digits than can be read",
        "duplicate_key": f"the key {params.get('key')!r} is given twice in one object",
        "too_deep": f"the body nests more than {params.get('limit')} levels deep",
        "surrogate": "a text holds a lone surrogate (such as \\ud800), which is no character",
        "key_type": "a key is not text",
    }
    message = texts.get(problem.message_id, f"the body is not JSON ({problem.message_id})")
    if problem.message_id == "json_syntax":
        message = (
            f"the body is not valid JSON: {params.get('reason')} (line {params.get('line')}, "
            f"column {params.get('column')})"
        )
    return HTTPProblem(
        400,
        "invalid-json",
        "the body is not JSON that the service reads: send one JSON object (UTF-8, no key "
        "twice, no NaN)",
        errors=[ProblemError(pointer=problem.pointer, code=problem.code, message=message)],
    )


def _pointer(location: Iterable[int | str]) -> str:
    return "".join(f"/{escape_token(part)}" for part in location)


def _unfit(what: str, error: ValidationError) -> HTTPProblem:
    """A body whose fields do not fit the request's model: 422, a pointer and a code for
    each, messages that name the field and what it takes (never what was given)."""
    described = invalid_event(what, error)
    items = error.errors(include_url=False, include_input=False)
    pairs = zip(items, described.problems, described.messages, strict=True)
    errors = [
        ProblemError(pointer=_pointer(item["loc"]), code=code, message=_said(what, item, message))
        for item, (_, code), message in pairs
    ]
    return HTTPProblem(
        422,
        "invalid-body",
        f"the body is not {what}: each of errors names a field and what it takes; "
        "GET /openapi.json describes the body",
        errors=errors,
    )


def _said(what: str, item: ErrorDetails, message: str) -> str:
    """The lifecycle's message for a field, in the words of a body: it speaks of an event
    and of a step's data, where the body as a whole, or a report, is meant."""
    if not item["loc"]:
        return "the body must be a JSON object"
    if item["type"] == "extra_forbidden":
        return f"{str(item['loc'][-1])[:40]} is not a field of {what}"
    return message


async def _document(request: Request, limit: int) -> Any:
    """The request's JSON body, read with the library's one strict reader."""
    media_type(request, (JSON,))
    data = await body(request, limit)
    try:
        return loads(data, max_bytes=limit, max_depth=MAX_SUBMISSION_DEPTH + 1)
    except ReadError as error:
        raise _read_error(error) from None


def _if_match(request: Request) -> list[str]:
    """The heads that ``If-Match`` names; 428 without one (``*`` names none: it would let a
    step follow whatever head there is, which is what the header is there to prevent)."""
    header = request.headers.get("if-match")
    tags = [] if header is None else [m.group(2) for m in _ETAG.finditer(header) if not m[1]]
    if not tags:
        raise HTTPProblem(
            428,
            "precondition-required",
            'a step needs If-Match: "<head>", the ETag of the case as GET /cases/{case_id} '
            "answered it, so that it never follows a step it has not seen",
        )
    return tags


# --- the endpoints ----------------------------------------------------------------------------


async def open_case(request: Request, stores: Stores, limit: int) -> Response:
    """``POST /cases``: a new case from its report; 201 with the case as GET shows it."""
    document = await _document(request, limit)
    try:
        asked = OpenCase.model_validate(document)
    except ValidationError as error:
        raise _unfit("a report that opens a case", error) from None
    grant = _grant(request)
    municipality = asked.municipality
    if grant is not None:
        if municipality is not None and municipality != grant:
            raise HTTPProblem(
                403,
                "forbidden",
                "this token opens cases of its own municipality only; leave municipality out, "
                "or give the token's",
            )
        municipality = grant
    try:
        case = Assessment.report(
            case_id=asked.case_id,
            jurisdiction=asked.jurisdiction,
            on=asked.reported_on,
            actor=asked.actor,
            reporter=asked.reporter,
            anonymous=asked.anonymous,
            municipality=municipality,
        )
    except InvalidEventError as error:
        raise _refused_data(error) from None
    answer = _answer(case, "/reported_on")

    def create(store: Store) -> str:
        try:
            return store.create(case)
        except ConflictError:
            # No head: the case may be another municipality's.
            raise HTTPProblem(
                409,
                "case-exists",
                f"a case {quoted(case.case_id)!r} is stored already (case ids are unique in "
                "the store); nothing was written. Open the new case with another id.",
            ) from None

    head = await _in_thread(stores, create)
    headers = {**_etag(head), "Location": _location(case.case_id)}
    return _json(answer, 201, headers)


async def list_cases(request: Request, stores: Stores) -> Response:
    """``GET /cases?stage=&municipality=&overdue=&limit=&after=``: the stored cases the token
    may see, a page of at most ``limit`` at a time (keyset paging by case id: ``next`` and the
    ``Link`` header name the next page while there is one)."""
    stage = request.query_params.get("stage")
    if stage is not None and stage not in ASSESSMENT_STAGES:
        raise HTTPProblem(
            400,
            "invalid-parameter",
            f"stage must be one of {', '.join(ASSESSMENT_STAGES)}",
            errors=[
                ProblemError(
                    parameter="stage",
                    code="choice",
                    message=f"stage must be one of {', '.join(ASSESSMENT_STAGES)}",
                )
            ],
        )
    overdue = _date_parameter(request, "overdue")
    limit = _limit_parameter(request)
    municipality = request.query_params.get("municipality")
    after = request.query_params.get("after")
    grant = _grant(request)

    def listed(store: Store) -> list[CaseSummary]:
        if grant is not None and municipality not in (None, grant):
            return []  # another municipality's cases: none the token may see
        found = store.cases(
            municipality=grant or municipality, stage=stage, overdue_on=overdue, after=after
        )
        return list(itertools.islice(found, limit + 1))  # one more: is there a next page?

    summaries = await _in_thread(stores, listed)
    more = len(summaries) > limit
    del summaries[limit:]
    following = None
    if more:
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "after"]
        following = "/cases?" + urlencode([*query, ("after", summaries[-1].case_id)])
    answer = CaseList(
        cases=[
            CaseSummaryBody(
                case_id=s.case_id,
                jurisdiction=s.jurisdiction,
                municipality=s.municipality,
                stage=s.stage,
                head=s.head,
                events=s.events,
                next_due_on=s.next_due_on,
            )
            for s in summaries
        ],
        overdue_on=overdue,
        next=following,
    )
    document = answer.model_dump(mode="json")
    if overdue is None:  # as case list prints it: overdue_on only when asked
        del document["overdue_on"]
    if following is None:
        del document["next"]
    headers = {} if following is None else {"Link": f'<{following}>; rel="next"'}
    return _json(document, headers=headers)


async def show_case(request: Request, stores: Stores) -> Response:
    """``GET /cases/{case_id}?today=``: where the case stands (``Assessment.overview``)."""
    today = _date_parameter(request, "today") or dt.date.today()  # the service reads the clock
    case = await _in_thread(stores, _load(request))
    return _json(case.overview(today), headers=_etag(case.head))


async def history(request: Request, stores: Stores) -> Response:
    """``GET /cases/{case_id}/events``: the history, as ``case export`` prints it."""
    case = await _in_thread(stores, _load(request))
    return Response(case.to_json(), media_type=JSON, headers=_etag(case.head))


async def record_step(request: Request, stores: Stores, limit: int) -> Response:
    """``POST /cases/{case_id}/events``: one step after the head ``If-Match`` names."""
    case = await _in_thread(stores, _load(request))
    expected = _if_match(request)
    if case.head not in expected:
        raise _moved(case.case_id, case.head)
    document = await _document(request, limit + STEP_MARGIN)
    try:
        asked = StepRequest.model_validate(document)
    except ValidationError as error:
        raise _unfit("a step", error) from None
    data = dict(asked.model_extra or {})
    submission = asked.submission
    if submission is not None:
        data["submission"] = submission
    try:
        stepped = case.apply(asked.step, asked.on, asked.actor, at=asked.at, **data)
    except TransitionError as error:
        raise HTTPProblem(
            409,
            "step-not-allowed",
            f"{error} Nothing was written.",
            allowed_steps=error.allowed,
        ) from None
    except (InvalidEventError, IncompleteAssessmentError, FormDefinitionError) as error:
        raise _refused_data(error) from None
    answer = _answer(stepped, "/on")

    def append(store: Store) -> str:
        try:
            return store.append(
                case.case_id,
                stepped,
                expected_head=case.head,
                submissions=[] if submission is None else [submission],
            )
        except ConflictError as error:  # another writer appended since the case was read
            raise _moved(case.case_id, error.head) from None
        except InvalidSubmissionError as error:
            raise _refused_data(error) from None

    head = await _in_thread(stores, append)
    return _json(answer, headers=_etag(head))


# --- what the lifecycle refuses ---------------------------------------------------------------


def _answer(case: Assessment, pointer: str) -> dict[str, Any]:
    """The case as GET shows it, made before anything is written: a date so late that one of
    its clocks would fall past the calendar's end (9999-12-31) is 422 at ``pointer``, the
    date that started it, rather than a 500 (the store could not keep its summary either)."""
    try:
        return case.overview(dt.date.today())  # the service reads the clock
    except InvalidArgumentError as error:  # its message names dates, never an answer
        raise HTTPProblem(
            422,
            "invalid-step",
            "a deadline of this case would fall after 9999-12-31, the end of the calendar; "
            "give an earlier date. Nothing was written.",
            errors=[ProblemError(pointer=pointer, code="max", message=str(error))],
        ) from None


def _moved(case_id: str, head: str) -> HTTPProblem:
    return HTTPProblem(
        412,
        "head-moved",
        f"case {quoted(case_id)!r} has moved on: its head is {head}, not the one If-Match "
        "names; nothing was written. GET it again, and send the step again with "
        f'If-Match: "{head}" if it still applies.',
        headers=_etag(head),
        head=head,
    )


def _field_pointer(field: str) -> str:
    """The body's pointer of an event's field: its data are the body's own fields."""
    parts = field.split(".")
    if parts[0] == "data":
        parts = parts[1:]
    if parts in ([], ["event"]):
        return ""
    return "".join(f"/{escape_token(part)}" for part in parts)


def _issues(prefix: str, issues: Sequence[Any]) -> list[ProblemError]:
    return [
        ProblemError(pointer=prefix + issue.pointer, code=issue.code, message=issue.message)
        for issue in issues
    ]


def _refused_data(
    error: InvalidEventError
    | IncompleteAssessmentError
    | InvalidSubmissionError
    | FormDefinitionError,
) -> HTTPProblem:
    """Step data or a submission that does not fit: 422, each problem at its pointer."""
    if isinstance(error, InvalidEventError):
        # The lifecycle names a step's data data.<field>; they are the body's own fields.
        errors = [
            ProblemError(
                pointer=_field_pointer(field),
                code=code,
                message=message.removeprefix("data.") if field.startswith("data.") else message,
            )
            for (field, code), message in zip(error.problems, error.messages, strict=True)
        ]
        detail = f"the data of {error.kind!r} do not fit it; errors says where"
    elif isinstance(error, IncompleteAssessmentError):
        errors = _issues("/submission", error.report.errors)
        if error.reason == "draft":
            errors = [
                ProblemError(
                    pointer="/submission/status",
                    code="draft",
                    message="the submission is a draft: a step needs status 'completed'",
                )
            ]
        elif error.reason == "wrong_form":
            errors = [
                ProblemError(
                    pointer="/submission/form",
                    code="wrong_form",
                    message=f"the step needs a submission of a {error.stage!r} form",
                )
            ]
        detail = str(error)
    elif isinstance(error, InvalidSubmissionError):
        errors = _issues("/submission", error.report.errors)
        detail = "the submission is not valid; errors says where"
    else:
        errors = [
            ProblemError(
                pointer="/submission/form",
                code="no_step_mapping",
                message="the submission's form declares no mapping to this step's value",
            )
        ]
        detail = str(error)
    return HTTPProblem(422, "invalid-step", detail, errors=errors)
