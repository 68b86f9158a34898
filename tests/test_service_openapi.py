"""The service against its published OpenAPI description, with schemathesis: requests
generated from ``GET /openapi.json`` (a bounded number per operation, valid and invalid
ones) get no 5xx, and every answer has a documented status, media type, headers and schema.
Against both servers of the session: the open one, and the guarded one with a token."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service import Server, bearer

pytestmark = pytest.mark.timeout(900)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 25
OPERATIONS = 6  # schemathesis leaves out the description itself, GET /openapi.json
CASE_OPERATIONS = 5  # with tokens and a store: POST and GET /cases, a case, its events


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: Any, value: Any) -> bytes:
    """A generated NDJSON body: text as it is, anything else as one line of JSON."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return json.dumps(value).encode("utf-8") + b"\n"


def exercise(server: Server, headers: dict[str, str]) -> list[str]:
    """Every operation of the server's description, in both generation modes; the
    operations' labels."""
    description = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    labels = []
    for result in description.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        # Invalid requests where there is something to get wrong: parameters or a body.
        negative = any(
            len(inputs) for inputs in (operation.path_parameters, operation.query, operation.body)
        )
        modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for mode in modes if negative else modes[:1]:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def call(case: Any) -> None:
                case.call_and_validate(base_url=server.url, headers=headers, checks=CHECKS)

            call()
    return labels


def test_the_open_service_keeps_its_description(open_server: Server) -> None:
    assert OPERATIONS == len(exercise(open_server, {}))


def test_the_guarded_service_keeps_its_description(guarded_server: Server) -> None:
    assert OPERATIONS + CASE_OPERATIONS == len(exercise(guarded_server, bearer("all-scopes")))
