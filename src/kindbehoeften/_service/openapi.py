"""The OpenAPI 3.1 description of the service, made from what the code uses.

The schemas of the answers are those of the pydantic models in :mod:`.models`, which the
endpoints build their answers from; a form is described by the library's published form-file
schema (``form_file_schema``), the shape ``Form.to_dict`` writes; the operations are those of
the endpoint table (``app.ENDPOINTS``), each with the statuses it can answer. With tokens,
each operation that needs one names the bearer scheme and answers 401 and 403 as well. The
bodies the case endpoints take are described by the same request models that read them, and
a history by the library's published events schema (``events_schema``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from pydantic.json_schema import models_json_schema

from .._core.vocab import ASSESSMENT_STAGES, CODES, STATUSES
from .._forms.files import form_file_schema
from .._i18n import LOCALES
from .._lifecycle.events import events_schema
from .models import (
    PAGE_LIMIT,
    CaseList,
    CaseOverview,
    FormSummary,
    Health,
    LineResult,
    OpenCase,
    OperationOutcomeBody,
    Problem,
    StepRequest,
    ValidationResult,
)

if TYPE_CHECKING:
    from .app import Endpoint
    from .tokens import Tokens

__all__ = [
    "FHIR_VALIDATE",
    "FORM",
    "FORMS",
    "HEALTH",
    "HISTORY",
    "LIST_CASES",
    "OPEN_CASE",
    "RECORD_STEP",
    "SCHEMA",
    "SHOW_CASE",
    "VALIDATE",
    "Operation",
    "document",
]

_SCHEMAS: Final = "#/components/schemas/"
_JSON: Final = "application/json"
_PROBLEM_JSON: Final = "application/problem+json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _SCHEMAS + name}


@dataclass(frozen=True)
class Operation:
    """The description of one endpoint: what it is, what it takes, what it answers (200, or
    ``ok_status``, with ``ok_headers``) and the error statuses it can give besides 401 and
    403 (``notes`` says what one of them means here, where the general text does not)."""

    operation_id: str
    summary: str
    description: str
    ok: Mapping[str, Any]  # media type -> media type object of the 200 answer
    ok_description: str
    errors: tuple[int, ...]
    parameters: tuple[Mapping[str, Any], ...] = ()
    request_body: Mapping[str, Any] | None = field(default=None)
    tag: str = "forms"
    ok_status: int = 200
    ok_headers: Mapping[str, Any] = field(default_factory=dict)
    notes: Mapping[int, str] = field(default_factory=dict)


_ERRORS: Final = {
    400: "a query parameter is not valid (an unknown locale, a status of neither kind)",
    401: "no token, or an unknown one",
    403: "the token lacks the scope that the endpoint needs",
    404: "no such form version",
    413: "a JSON body larger than the largest submission (1 MiB by default)",
    409: "the request conflicts with the stored case",
    412: "the case has moved on: its head is not the one If-Match names; the problem's head "
    "(and the ETag header) is the head now",
    415: "a Content-Type the endpoint does not take, or a Content-Encoding",
    422: "the body's fields do not fit; errors names each, by its JSON Pointer",
    428: 'no If-Match: "<head>" (a step must name the head it follows)',
    500: "the service failed; the log names the kind of failure",
    503: "the case store cannot be used just now",
}

_LOCALE: Final = {
    "name": "locale",
    "in": "query",
    "required": False,
    "description": f"the language of messages and labels: {', '.join(LOCALES)} (or a "
    "variant such as sv_SE); without it, the best of Accept-Language, else English",
    "schema": {"type": "string", "maxLength": 64},
    "examples": {"swedish": {"value": "sv"}},
}
_ACCEPT_LANGUAGE: Final = {
    "name": "Accept-Language",
    "in": "header",
    "required": False,
    "description": "used when there is no locale parameter; a language that is not shipped "
    "is passed over",
    "schema": {"type": "string"},
}
_FORM_ID: Final = {
    "name": "form_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "examples": {"full": {"value": "triangle.full"}},
}
_VERSION: Final = {
    "name": "version",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "examples": {"first": {"value": "1.0.0"}},
}
_STATUS: Final = {
    "name": "status",
    "in": "query",
    "required": False,
    "description": "the status of the submissions (default completed)",
    "schema": {"enum": list(STATUSES), "default": "completed"},
}
_LANGUAGE = (_LOCALE, _ACCEPT_LANGUAGE)

_SUBMISSION: Final = {
    "type": "object",
    "description": "a submission {form, form_version, status, answers}, answers nested as "
    "section -> area -> question. Any body is taken and judged: JSON that is malformed, or "
    "not a submission, gets a report of its issues (json_syntax, not_an_object, ...)",
    "properties": {
        "form": {"type": "string", "examples": ["triangle.full"]},
        "form_version": {"type": "string", "examples": ["1.0.0"]},
        "status": {"enum": list(STATUSES)},
        "answers": {"type": "object"},
    },
}
_QUESTIONNAIRE_RESPONSE: Final = {
    "type": "object",
    "description": "a FHIR R4 QuestionnaireResponse to a Questionnaire of the catalog, with "
    "questionnaire = urn:kindbehoeften:form:<id>|<version> (docs/fhir.md)",
    "properties": {
        "resourceType": {"const": "QuestionnaireResponse"},
        "questionnaire": {"type": "string"},
        "status": {"enum": ["in-progress", "completed"]},
        "item": {"type": "array", "items": {"type": "object"}},
    },
}

HEALTH: Final = Operation(
    "health",
    "The service is up",
    "Needs no token.",
    {_JSON: {"schema": _ref("Health")}},
    "up, with the library's version",
    (500,),
    tag="service",
)
FORMS: Final = Operation(
    "listForms",
    "The forms of the catalog",
    "Every form version of the catalog, with its title in the language asked for.",
    {_JSON: {"schema": {"type": "array", "items": _ref("FormSummary")}}},
    "the forms, ordered by id and version",
    (400, 500),
    _LANGUAGE,
)
FORM: Final = Operation(
    "getForm",
    "One form version",
    "The form in the shape of a form file (docs/form-files.md), its texts in the language "
    "asked for.",
    {_JSON: {"schema": _ref("FormFile")}},
    "the form",
    (400, 404, 500),
    (_FORM_ID, _VERSION, *_LANGUAGE),
)
SCHEMA: Final = Operation(
    "getFormSchema",
    "The JSON Schema of a form's submissions",
    "The JSON Schema (Draft 2020-12) of the submissions of a form version at one status, as "
    "`kindbehoeften schema` prints it (docs/integrators.md says what it cannot express).",
    {_JSON: {"schema": {"type": "object"}}},
    "the JSON Schema",
    (400, 404, 500),
    (_FORM_ID, _VERSION, _STATUS),
)
VALIDATE: Final = Operation(
    "validate",
    "Validate submissions",
    "A submission (application/json) gets its verdict; an NDJSON body (one submission per "
    "line, application/x-ndjson) gets one LineResult per line that is not blank, streamed "
    "as the lines arrive, each line held to the size limit (a longer one is too_large). "
    f"Issue codes: {', '.join(CODES)}.",
    {
        _JSON: {"schema": _ref("ValidationResult")},
        "application/x-ndjson": {"schema": _ref("LineResult")},
    },
    "the verdict (for NDJSON, one LineResult per line)",
    (400, 413, 415, 500),
    _LANGUAGE,
    {
        "required": True,
        "content": {
            _JSON: {"schema": _SUBMISSION},
            "application/x-ndjson": {
                "schema": {"type": "string", "description": "one submission per line"}
            },
        },
    },
    tag="validation",
)
FHIR_VALIDATE: Final = Operation(
    "fhirValidate",
    "Validate a QuestionnaireResponse (FHIR $validate)",
    "The submission that a QuestionnaireResponse holds, judged as POST /validate judges it, "
    "as an OperationOutcome: each issue with the library's code in details.coding (system "
    "urn:kindbehoeften:issue-code), the JSON Pointer in location and a FHIRPath by linkIds "
    "in expression. A resource that cannot be read as a submission gets its problems the "
    "same way, located in the resource.",
    {"application/fhir+json": {"schema": _ref("OperationOutcome")}},
    "the verdict, as a FHIR R4 OperationOutcome",
    (400, 413, 415, 500),
    _LANGUAGE,
    {
        "required": True,
        "content": {
            kind: {"schema": _QUESTIONNAIRE_RESPONSE}
            for kind in ("application/fhir+json", "application/json")
        },
    },
    tag="fhir",
)
_CASE_ID: Final = {
    "name": "case_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 128},
    "examples": {"case": {"value": "case-2026-0001"}},
}
_TODAY: Final = {
    "name": "today",
    "in": "query",
    "required": False,
    "description": "the day the deadlines are judged on (YYYY-MM-DD; default: the server's date)",
    "schema": {"type": "string", "format": "date"},
}
_IF_MATCH: Final = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": 'the ETag of the case as it was read, "<head>": the step follows that head '
    "or is not recorded (412)",
    "schema": {"type": "string"},
}
_ETAG_HEADER: Final = {
    "ETag": {
        "description": 'the head of the case, "<head>": send it as If-Match with the next step',
        "schema": {"type": "string"},
    }
}
_BAD_PARAMETER: Final = "a query parameter is not valid (errors names it)"
_NOT_VISIBLE: Final = (
    "no such case, or a case of another municipality than the token's (the same answer)"
)
_CASE_BODY: Final = (
    "Where the case stands now, as GET /cases/{case_id} answers it (today: the server's date)."
)

OPEN_CASE: Final = Operation(
    "openCase",
    "Open a case from its report",
    "A new case, its first event report_received (Assessment.report), stored. The answer is "
    "the case as GET /cases/{case_id} shows it, with its head as ETag. A token bound to a "
    "municipality opens cases of that municipality only. " + _CASE_BODY,
    {_JSON: {"schema": _ref("CaseOverview")}},
    "the case is opened and stored",
    (400, 403, 409, 413, 415, 422, 500, 503),
    request_body={"required": True, "content": {_JSON: {"schema": _ref("OpenCase")}}},
    tag="cases",
    ok_status=201,
    ok_headers={
        **_ETAG_HEADER,
        "Location": {"description": "the case's URL", "schema": {"type": "string"}},
    },
    notes={
        400: "the body is not JSON that the service reads (errors says where)",
        403: "the token lacks the scope write, or opens a case of another municipality",
        409: "a case with this id is stored already; nothing was written",
    },
)
LIST_CASES: Final = Operation(
    "listCases",
    "The stored cases",
    "The stored cases by case id, from the store's summary rows (as kindbehoeften case list "
    "--format json): those in stage, of municipality, with a deadline overdue on overdue, "
    "where given. A token bound to a municipality sees its own cases only. A page holds at "
    "most limit cases; while there are more, next and the Link header (rel=next) name the "
    "next page.",
    {_JSON: {"schema": _ref("CaseList")}},
    "the cases",
    (400, 500, 503),
    (
        {
            "name": "stage",
            "in": "query",
            "required": False,
            "schema": {"enum": list(ASSESSMENT_STAGES)},
        },
        {"name": "municipality", "in": "query", "required": False, "schema": {"type": "string"}},
        {
            "name": "overdue",
            "in": "query",
            "required": False,
            "description": "only cases with a deadline overdue on this day (YYYY-MM-DD)",
            "schema": {"type": "string", "format": "date"},
        },
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": f"at most this many cases in the page (default {PAGE_LIMIT})",
            "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_LIMIT},
        },
        {
            "name": "after",
            "in": "query",
            "required": False,
            "description": "only cases whose id sorts after this one: the last of the page "
            "before (follow next, or the Link header, rather than building it)",
            "schema": {"type": "string"},
        },
    ),
    tag="cases",
    ok_headers={
        "Link": {
            "description": 'the next page, as <URL>; rel="next", while there are more cases',
            "schema": {"type": "string"},
        }
    },
    notes={400: _BAD_PARAMETER},
)
SHOW_CASE: Final = Operation(
    "getCase",
    "Where a case stands",
    "Assessment.overview(today), as kindbehoeften case show --format json prints it: stage, "
    "head, allowed steps, deadlines. The head is also the answer's ETag.",
    {_JSON: {"schema": _ref("CaseOverview")}},
    "the case",
    (400, 404, 500, 503),
    (_CASE_ID, _TODAY),
    tag="cases",
    ok_headers=_ETAG_HEADER,
    notes={400: _BAD_PARAMETER, 404: _NOT_VISIBLE},
)
HISTORY: Final = Operation(
    "getCaseEvents",
    "A case's history",
    "The case's event history, hash-chained, as kindbehoeften case export prints it and "
    "kindbehoeften timeline reads it. The head is also the answer's ETag.",
    {_JSON: {"schema": _ref("History")}},
    "the history",
    (404, 500, 503),
    (_CASE_ID,),
    tag="cases",
    ok_headers=_ETAG_HEADER,
    notes={404: _NOT_VISIBLE},
)
RECORD_STEP: Final = Operation(
    "recordStep",
    "Record one step of a case",
    "One step (Assessment.apply), after the head that If-Match names, stored in one "
    "transaction with the submission behind it. " + _CASE_BODY,
    {_JSON: {"schema": _ref("CaseOverview")}},
    "the step is recorded; the answer's ETag is the new head",
    (400, 404, 409, 412, 413, 415, 422, 428, 500, 503),
    (_CASE_ID, _IF_MATCH),
    {"required": True, "content": {_JSON: {"schema": _ref("StepRequest")}}},
    tag="cases",
    ok_headers=_ETAG_HEADER,
    notes={
        400: "the body is not JSON that the service reads (errors says where)",
        404: _NOT_VISIBLE,
        409: "the case does not allow this step now; allowed_steps lists those it allows",
        413: "a body larger than the largest submission and 64 KiB for the step",
        422: "the step's data or its submission do not fit; errors names each by its pointer",
    },
)
_OPENAPI: Final = Operation(
    "openapi",
    "This description",
    "The OpenAPI 3.1 description of the service. Needs no token.",
    {_JSON: {"schema": {"type": "object"}}},
    "the description",
    (500,),
    tag="service",
)


def _components() -> dict[str, Any]:
    """The schemas of the answers' models, and the form-file schema under ``FormFile``."""
    answers = (
        Health,
        FormSummary,
        ValidationResult,
        LineResult,
        Problem,
        OperationOutcomeBody,
        CaseOverview,
        CaseList,
    )
    requests = (OpenCase, StepRequest)
    _, definitions = models_json_schema(
        [(model, "serialization") for model in answers]
        + [(model, "validation") for model in requests],
        ref_template=_SCHEMAS + "{model}",
    )
    schemas: dict[str, Any] = definitions["$defs"]
    schemas["OperationOutcome"] = schemas.pop("OperationOutcomeBody")
    schemas.update(_lifted("FormFile", form_file_schema()))
    schemas.update(_lifted("History", events_schema()))
    return schemas


def _lifted(name: str, published: Mapping[str, Any]) -> dict[str, Any]:
    """A published schema as the component ``name``, its ``$defs`` lifted into the
    components as ``name.<def>``."""
    schema = copy.deepcopy(dict(published))
    definitions = schema.pop("$defs", {})
    for key in ("$schema", "$id"):
        schema.pop(key, None)

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: (
                    f"{_SCHEMAS}{name}." + value.removeprefix("#/$defs/")
                    if key == "$ref" and isinstance(value, str)
                    else rewrite(value)
                )
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    lifted = {f"{name}.{key}": rewrite(value) for key, value in definitions.items()}
    lifted[name] = rewrite(schema)
    return lifted


def _operation(operation: Operation, secured: bool) -> dict[str, Any]:
    statuses = sorted({*operation.errors, *((401, 403) if secured else ())})
    ok: dict[str, Any] = {"description": operation.ok_description, "content": dict(operation.ok)}
    if operation.ok_headers:
        ok["headers"] = dict(operation.ok_headers)
    answers: dict[str, Any] = {str(operation.ok_status): ok}
    for status in statuses:
        answers[str(status)] = {
            "description": operation.notes.get(status, _ERRORS[status]),
            "content": {_PROBLEM_JSON: {"schema": _ref("Problem")}},
        }
    result: dict[str, Any] = {
        "tags": [operation.tag],
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "description": operation.description,
    }
    if operation.parameters:
        result["parameters"] = [dict(parameter) for parameter in operation.parameters]
    if operation.request_body is not None:
        result["requestBody"] = dict(operation.request_body)
    result["responses"] = answers
    if secured:
        result["security"] = [{"bearer": []}]
    return result


def document(endpoints: Iterable[Endpoint], version: str, tokens: Tokens | None) -> dict[str, Any]:
    """The OpenAPI 3.1 description of ``endpoints`` (and of itself, at /openapi.json)."""
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        secured = tokens is not None and endpoint.scope is not None
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(
            endpoint.operation, secured
        )
    paths["/openapi.json"] = {"get": _operation(_OPENAPI, secured=False)}
    components: dict[str, Any] = {"schemas": _components()}
    if tokens is not None:
        components["securitySchemes"] = {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "a token of the service's tokens file (docs/service.md)",
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kindbehoeften",
            "version": version,
            "summary": "Child-needs assessment forms, validation, FHIR $validate and cases",
            "description": "Validates submissions of the assessment triangle's forms with the "
            "library's own rules, and QuestionnaireResponses as FHIR $validate; with tokens "
            "and a store, opens cases and records their steps. Errors are RFC 9457 problem "
            "details (application/problem+json). See docs/service.md.",
        },
        "paths": dict(sorted(paths.items())),
        "components": components,
    }
