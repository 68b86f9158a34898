"""The service against its published OpenAPI description, with schemathesis: requests
generated from ``GET /openapi.json`` (a bounded number per operation, valid and invalid
ones) get no 5xx, and every answer has a documented status, media type, headers and schema.
Against the servers of the session: the open one, and the guarded ones (SQLite and
PostgreSQL stores) with a token. On the guarded ones, the operations on one case are also
sent to a case that exists, the generated steps with its head as it is at that moment, so
that generated step data reach the lifecycle and the store, not only the 404 of an unknown
case."""

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
from test_service_cases import opened

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


def current_head(server: Server, case_id: str, headers: dict[str, str]) -> str:
    head: str = server.client.get(f"/cases/{case_id}", headers=headers).json()["head"]
    return head


def exercise(server: Server, headers: dict[str, str], case_id: str | None = None) -> list[str]:
    """Every operation of the server's description, in both generation modes (and, given a
    ``case_id``, the operations on a case once more on that case); the operations'
    labels."""
    description = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    labels = []
    for result in description.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        if case_id is not None and "{case_id}" in operation.path:
            on_case(server, operation, headers, case_id)
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


def on_case(server: Server, operation: Any, headers: dict[str, str], case_id: str) -> None:
    """Generated requests of ``operation`` sent to the case ``case_id``, a step with the
    case's head now: they reach the lifecycle and the store."""

    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Any) -> None:
        case.path_parameters = {**(case.path_parameters or {}), "case_id": case_id}
        sent = dict(headers)
        if operation.method.upper() == "POST":
            sent["If-Match"] = f'"{current_head(server, case_id, headers)}"'
        case.call_and_validate(base_url=server.url, headers=sent, checks=CHECKS)

    call()


def test_the_open_service_keeps_its_description(open_server: Server) -> None:
    assert OPERATIONS == len(exercise(open_server, {}))


@pytest.mark.parametrize("server_name", ["guarded_server", "postgres_guarded_server"])
def test_the_guarded_service_keeps_its_description(
    request: pytest.FixtureRequest, server_name: str
) -> None:
    server: Server = request.getfixturevalue(server_name)
    case_id, _ = opened(server)
    labels = exercise(server, bearer("all-scopes"), case_id)
    assert OPERATIONS + CASE_OPERATIONS == len(labels)
    # the case is whole: every step the generated requests recorded follows the one before
    assert (
        200
        == server.client.get(f"/cases/{case_id}/events", headers=bearer("read-only")).status_code
    )
