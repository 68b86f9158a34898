"""The OpenAPI 3.1 description of the service, made from what the code uses.

The schemas of the answers are those of the pydantic models in :mod:`.models`, which the
endpoints build their answers from; a form is described by the library's published form-file
schema (``form_file_schema``), the shape ``Form.to_dict`` writes; the operations are those of
the endpoint table (``app.ENDPOINTS``), each with the statuses it can answer. With tokens,
each operation that needs one names the bearer scheme and answers 401 and 403 as well.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from pydantic.json_schema import models_json_schema

from .._core.vocab import CODES, STATUSES
from .._forms.files import form_file_schema
from .._i18n import LOCALES
from .models import (
    FormSummary,
    Health,
    LineResult,
    OperationOutcomeBody,
    Problem,
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
    "SCHEMA",
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
    """The description of one endpoint: what it is, what it takes, what it answers (200) and
    the error statuses it can give besides 401 and 403."""

    operation_id: str
    summary: str
    description: str
    ok: Mapping[str, Any]  # media type -> media type object of the 200 answer
    ok_description: str
    errors: tuple[int, ...]
    parameters: tuple[Mapping[str, Any], ...] = ()
    request_body: Mapping[str, Any] | None = field(default=None)
    tag: str = "forms"


_ERRORS: Final = {
    400: "a query parameter is not valid (an unknown locale, a status of neither kind)",
    401: "no token, or an unknown one",
    403: "the token lacks the scope that the endpoint needs",
    404: "no such form version",
    413: "a JSON body larger than the largest submission (1 MiB by default)",
    415: "a Content-Type the endpoint does not take",
    500: "the service failed; the log names the kind of failure",
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
    models = (
        Health,
        FormSummary,
        ValidationResult,
        LineResult,
        Problem,
        OperationOutcomeBody,
    )
    _, definitions = models_json_schema(
        [(model, "serialization") for model in models], ref_template=_SCHEMAS + "{model}"
    )
    schemas: dict[str, Any] = definitions["$defs"]
    schemas["OperationOutcome"] = schemas.pop("OperationOutcomeBody")
    schemas.update(_form_file())
    return schemas


def _form_file() -> dict[str, Any]:
    """The published form-file schema, its ``$defs`` lifted into the components."""
    schema = copy.deepcopy(form_file_schema())
    definitions = schema.pop("$defs", {})
    for key in ("$schema", "$id"):
        schema.pop(key, None)

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: (
                    _SCHEMAS + "FormFile." + value.removeprefix("#/$defs/")
                    if key == "$ref" and isinstance(value, str)
                    else rewrite(value)
                )
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    lifted = {f"FormFile.{name}": rewrite(value) for name, value in definitions.items()}
    lifted["FormFile"] = rewrite(schema)
    return lifted


def _operation(operation: Operation, secured: bool) -> dict[str, Any]:
    statuses = sorted({*operation.errors, *((401, 403) if secured else ())})
    answers: dict[str, Any] = {
        "200": {"description": operation.ok_description, "content": dict(operation.ok)}
    }
    for status in statuses:
        answers[str(status)] = {
            "description": _ERRORS[status],
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
            "summary": "Child-needs assessment forms, validation and FHIR $validate",
            "description": "Validates submissions of the assessment triangle's forms with the "
            "library's own rules, and QuestionnaireResponses as FHIR $validate. Errors are "
            "RFC 9457 problem details (application/problem+json). See docs/service.md.",
        },
        "paths": dict(sorted(paths.items())),
        "components": components,
    }
