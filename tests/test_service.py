"""The HTTP service (``kindbehoeften serve``), tested as integrators meet it: a real server
process on loopback, spoken to with a real HTTP client (httpx), every answer compared with
what the library itself says.

The servers are the session's (``conftest.py``): one without tokens, one with the tokens of
``service.TOKENS``; their logs are checked for the planted answer and the tokens when they
stop, after the whole suite.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import threading
import time
from typing import Any

import httpx
import pytest
from fhir.resources.R4B.operationoutcome import OperationOutcome

import kindbehoeften
from kindbehoeften import validate
from kindbehoeften.export import json_schema, questionnaire_response
from service import EXAMPLES, SENTINEL, Server, bearer, stream_lines, with_sentinel

pytestmark = pytest.mark.timeout(300)

FULL_VALID = (EXAMPLES / "triangle.full.valid.json").read_bytes()
FULL_INVALID = (EXAMPLES / "triangle.full.invalid.json").read_bytes()
PLAN_INVALID = (EXAMPLES / "triangle.plan.invalid.json").read_bytes()
JSON = {"Content-Type": "application/json"}
NDJSON = {"Content-Type": "application/x-ndjson"}
FHIR = {"Content-Type": "application/fhir+json"}
LIMIT = 1024 * 1024
LOG_LINE = re.compile(
    r"^\S+ \S+ INFO (?P<method>[A-Z]+) (?P<route>\S+) (?P<status>\d{3}|-) "
    r"(?P<ms>\d+\.\d)ms token=(?P<token>\S+)$"
)


def sentinel_submission(source: bytes = FULL_VALID) -> bytes:
    return json.dumps(with_sentinel(json.loads(source))).encode("utf-8")


def library(data: bytes, locale: str = "en") -> dict[str, Any]:
    """What the library says of ``data``, as the service reads the clock."""
    return validate(data, locale=locale, today=dt.date.today()).to_dict()


def assert_problem(answer: httpx.Response, status: int, kind: str | None = None) -> dict[str, Any]:
    """An RFC 9457 problem: its media type, its members, its status, its kind."""
    assert status == answer.status_code
    assert "application/problem+json" == answer.headers["content-type"]
    problem: dict[str, Any] = answer.json()
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert status == problem["status"]
    expected = "about:blank" if kind is None else f"urn:kindbehoeften:problem:{kind}"
    assert expected == problem["type"]
    assert SENTINEL not in answer.text
    return problem


# --- health and the description ---------------------------------------------------------------


def test_health_says_ok_and_the_version(open_server: Server) -> None:
    answer = open_server.client.get("/health")
    assert 200 == answer.status_code
    assert "application/json" == answer.headers["content-type"]
    assert {"status": "ok", "version": kindbehoeften.__version__} == answer.json()


def test_the_openapi_description_is_3_1_and_lists_every_endpoint(open_server: Server) -> None:
    document = open_server.client.get("/openapi.json").json()
    assert "3.1.0" == document["openapi"]
    assert kindbehoeften.__version__ == document["info"]["version"]
    assert {
        "/health": ["get"],
        "/openapi.json": ["get"],
        "/forms": ["get"],
        "/forms/{form_id}/{version}": ["get"],
        "/forms/{form_id}/{version}/schema": ["get"],
        "/validate": ["post"],
        "/fhir/QuestionnaireResponse/$validate": ["post"],
    } == {path: sorted(operations) for path, operations in document["paths"].items()}
    assert "securitySchemes" not in document["components"]


def test_the_description_of_a_guarded_server_names_the_scheme_and_401_403(
    guarded_server: Server,
) -> None:
    document = guarded_server.client.get("/openapi.json").json()
    assert {"bearer": {"type": "http", "scheme": "bearer"}} == {
        name: {key: scheme[key] for key in ("type", "scheme")}
        for name, scheme in document["components"]["securitySchemes"].items()
    }
    validate_operation = document["paths"]["/validate"]["post"]
    assert [{"bearer": []}] == validate_operation["security"]
    assert {"200", "400", "401", "403", "413", "415", "500"} == set(validate_operation["responses"])
    assert "security" not in document["paths"]["/health"]["get"]
    cases = {path: sorted(ops) for path, ops in document["paths"].items() if "/cases" in path}
    assert {
        "/cases": ["get", "post"],
        "/cases/{case_id}": ["get"],
        "/cases/{case_id}/events": ["get", "post"],
    } == cases
    step = document["paths"]["/cases/{case_id}/events"]["post"]
    assert {"200", "400", "401", "403", "404", "409", "412", "413", "415", "422", "428"} <= set(
        step["responses"]
    )
    assert "201" in document["paths"]["/cases"]["post"]["responses"]


# --- forms ------------------------------------------------------------------------------------


def test_forms_lists_the_catalog(open_server: Server) -> None:
    expected = [
        {"id": form.id, "version": form.version, "stage": form.stage, "title": form.title}
        for form in kindbehoeften.forms()
    ]
    assert expected == open_server.client.get("/forms").json()


@pytest.mark.parametrize(
    ("query", "headers", "language"),
    [
        ({"locale": "sv"}, {}, "sv"),
        ({"locale": "nb_NO"}, {}, "nb"),
        ({}, {"Accept-Language": "da-DK, da;q=0.9, en;q=0.5"}, "da"),
        ({}, {"Accept-Language": "de-DE, fi;q=0.4, nl;q=0.8"}, "nl"),
        ({}, {"Accept-Language": "de, fr;q=0.9"}, "en"),
        ({}, {"Accept-Language": ";;q=x,,*"}, "en"),
        ({"locale": "fi"}, {"Accept-Language": "sv"}, "fi"),
    ],
)
def test_the_language_comes_from_the_locale_parameter_else_accept_language(
    open_server: Server, query: dict[str, str], headers: dict[str, str], language: str
) -> None:
    answer = open_server.client.get("/forms", params=query, headers=headers)
    titles = [summary["title"] for summary in answer.json()]
    expected = [kindbehoeften.localize(form, language).title for form in kindbehoeften.forms()]
    assert expected == titles


@pytest.mark.parametrize(
    ("method", "path", "body", "media"),
    [
        ("GET", "/forms", None, None),
        ("GET", "/forms/triangle.full/1.0.0", None, None),
        ("POST", "/validate", FULL_INVALID, "application/json"),
        ("POST", "/validate", FULL_INVALID + b"\n", "application/x-ndjson"),
        ("POST", "/fhir/QuestionnaireResponse/$validate", b"{}", "application/fhir+json"),
    ],
)
def test_an_answer_in_the_language_of_accept_language_says_so_in_vary(
    open_server: Server, method: str, path: str, body: bytes | None, media: str | None
) -> None:
    """A cache between client and service must not give one client's language to another."""
    headers = {"Accept-Language": "sv"} | ({} if media is None else {"Content-Type": media})
    answer = open_server.client.request(method, path, content=body, headers=headers)
    assert 200 == answer.status_code
    assert "Accept-Language" == answer.headers["vary"]


def test_an_answer_in_no_language_does_not_vary_by_it(open_server: Server) -> None:
    for path in ("/health", "/openapi.json", "/forms/triangle.full/1.0.0/schema"):
        assert "vary" not in open_server.client.get(path).headers


@pytest.mark.parametrize("locale", ["xx", "klingon", "de", "", "sv" * 40])
def test_an_unknown_locale_is_400_naming_the_parameter(open_server: Server, locale: str) -> None:
    answer = open_server.client.get("/forms", params={"locale": locale})
    problem = assert_problem(answer, 400, "unknown-locale")
    assert [("locale", "unknown_locale")] == [
        (error["parameter"], error["code"]) for error in problem["errors"]
    ]


def test_a_form_is_its_form_file_shape_in_the_language_asked_for(open_server: Server) -> None:
    form = kindbehoeften.load_form("triangle.full")
    assert form.to_dict() == open_server.client.get("/forms/triangle.full/1.0.0").json()
    swedish = open_server.client.get("/forms/triangle.full/1.0.0", params={"locale": "sv"})
    assert kindbehoeften.localize(form, "sv").to_dict() == swedish.json()


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/forms/triangle.full/9.9.9", "unknown-form"),
        ("/forms/no.such.form/1.0.0", "unknown-form"),
        ("/forms/triangle.full.toml/1.0.0", "unknown-form"),
        ("/forms/..%2Fforms%2Ftriangle.full.toml/1.0.0", None),  # no route: 3 segments
        ("/forms/..%252Fforms%252Ftriangle.full.toml/1.0.0", "unknown-form"),
        ("/forms/triangle.full/9.9.9/schema", "unknown-form"),
    ],
)
def test_an_unknown_form_version_is_404(open_server: Server, path: str, kind: str | None) -> None:
    """Only ever an id: a path in the URL is no form."""
    problem = assert_problem(open_server.client.get(path), 404, kind)
    if kind is not None:
        assert "GET /forms lists them" in problem["detail"]


@pytest.mark.parametrize("status", ["completed", "in_progress"])
def test_the_schema_of_a_form_is_the_library_s(open_server: Server, status: str) -> None:
    form = kindbehoeften.load_form("triangle.plan")
    answer = open_server.client.get("/forms/triangle.plan/1.0.0/schema", params={"status": status})
    assert json_schema(form, status) == answer.json()  # type: ignore[arg-type]
    default = open_server.client.get("/forms/triangle.plan/1.0.0/schema").json()
    assert json_schema(form, "completed") == default


@pytest.mark.parametrize("status", ["done", "", "COMPLETED", "in-progress"])
def test_a_status_of_neither_kind_is_400(open_server: Server, status: str) -> None:
    answer = open_server.client.get("/forms/triangle.plan/1.0.0/schema", params={"status": status})
    problem = assert_problem(answer, 400, "invalid-parameter")
    assert [{"parameter": "status", "code": "choice"}] == [
        {key: error[key] for key in ("parameter", "code")} for error in problem["errors"]
    ]


# --- POST /validate ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        sentinel_submission(),
        sentinel_submission(FULL_INVALID),
        PLAN_INVALID,
        (EXAMPLES / "triangle.followup.draft.json").read_bytes(),
        b'{"form": "triangle.full", "form_version": "1.0.0", "status": ',
        b'{"a": 1, "a": 2}',
        b"[1, 2]",
        b'{"form": "../../etc/passwd", "form_version": "1", "status": "completed", "answers": {}}',
        b"\xff\xfe",
        b"",
    ],
    ids=[
        "valid",
        "invalid",
        "plan-invalid",
        "draft",
        "malformed",
        "duplicate-key",
        "not-an-object",
        "a-path-as-form",
        "not-utf8",
        "empty",
    ],
)
def test_validate_answers_what_the_library_says(open_server: Server, data: bytes) -> None:
    """The same bytes get the same verdict: malformed JSON is a report, never a 5xx."""
    answer = open_server.client.post("/validate", content=data, headers=JSON)
    assert 200 == answer.status_code
    assert "application/json" == answer.headers["content-type"]
    assert library(data) == answer.json()
    assert SENTINEL not in answer.text


def test_validate_speaks_the_language_asked_for(open_server: Server) -> None:
    data = sentinel_submission(FULL_INVALID)
    swedish = open_server.client.post(
        "/validate", content=data, headers=JSON, params={"locale": "sv"}
    )
    assert library(data, "sv") == swedish.json()
    finnish = open_server.client.post(
        "/validate", content=data, headers={**JSON, "Accept-Language": "fi-FI"}
    )
    assert library(data, "fi") == finnish.json()
    answer = open_server.client.post(
        "/validate", content=data, headers=JSON, params={"locale": "xx"}
    )
    assert_problem(answer, 400, "unknown-locale")


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "Application/JSON", 'application/json; charset="UTF-8"'],
)
def test_json_may_say_its_charset(open_server: Server, content_type: str) -> None:
    answer = open_server.client.post(
        "/validate", content=FULL_VALID, headers={"Content-Type": content_type}
    )
    assert {"ok": True, "issues": []} == answer.json()


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/xml",
        "application/json; charset=latin-1",
        "multipart/form-data",
    ],
)
def test_another_media_type_is_415(open_server: Server, content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    answer = open_server.client.post("/validate", content=sentinel_submission(), headers=headers)
    problem = assert_problem(answer, 415, "unsupported-media-type")
    assert "application/json" in problem["detail"]
    assert "application/json, application/x-ndjson" == answer.headers["accept-post"]


@pytest.mark.parametrize("coding", ["gzip", "deflate", "identity, gzip"])
def test_a_body_with_a_content_coding_is_415_not_read_as_it_came(
    open_server: Server, guarded_server: Server, coding: str
) -> None:
    """A gzipped submission is not judged as broken JSON: the service reads no content
    coding, and says so (RFC 9110, section 15.5.16)."""
    import gzip

    body = gzip.compress(FULL_VALID)
    for server, path in ((open_server, "/validate"), (guarded_server, "/cases")):
        headers = {**JSON, **bearer("all-scopes"), "Content-Encoding": coding}
        answer = server.client.post(path, content=body, headers=headers)
        problem = assert_problem(answer, 415, "unsupported-media-type")
        assert "identity" == answer.headers["accept-encoding"]
        assert "Content-Encoding" in problem["detail"]
    headers = {**JSON, "Content-Encoding": "identity"}
    answer = open_server.client.post("/validate", content=FULL_VALID, headers=headers)
    assert {"ok": True, "issues": []} == answer.json()


def test_a_body_without_a_content_type_is_415_saying_it_needs_one(open_server: Server) -> None:
    answer = open_server.client.post("/validate", content=b"{}")
    problem = assert_problem(answer, 415, "unsupported-media-type")
    expected = "a body needs a Content-Type; send application/json or application/x-ndjson (UTF-8)"
    assert expected == problem["detail"]


def test_a_json_body_over_the_limit_is_413_however_it_comes(open_server: Server) -> None:
    big = json.loads(sentinel_submission())
    big["answers"]["child_needs"]["health"]["description"] = SENTINEL * (LIMIT // len(SENTINEL))
    data = json.dumps(big).encode("utf-8")
    assert len(data) > LIMIT
    answer = open_server.client.post("/validate", content=data, headers=JSON)
    problem = assert_problem(answer, 413, "too-large")
    assert [("", "too_large")] == [(error["pointer"], error["code"]) for error in problem["errors"]]

    def chunks() -> Any:  # no Content-Length: the limit is found while reading
        for start in range(0, len(data), 64 * 1024):
            yield data[start : start + 64 * 1024]

    answer = open_server.client.post("/validate", content=chunks(), headers=JSON)
    assert "content-length" not in answer.request.headers
    assert_problem(answer, 413, "too-large")
    just = b" " * (LIMIT - len(FULL_VALID)) + FULL_VALID
    assert LIMIT == len(just)
    assert {"ok": True, "issues": []} == open_server.client.post(
        "/validate", content=just, headers=JSON
    ).json()
    assert 200 == open_server.client.get("/health").status_code  # still serving


# --- NDJSON ----------------------------------------------------------------------------------


def test_ndjson_gives_one_result_per_line_that_is_not_blank(open_server: Server) -> None:
    lines = [
        sentinel_submission(),
        b"",
        sentinel_submission(FULL_INVALID),
        b"   ",
        b'{"form": "triangle.full", "form_version": ',
        b" " * (LIMIT + 10) + b"{}",
        PLAN_INVALID.replace(b"\n", b" "),
    ]
    body = b"\n".join(lines) + b"\n"
    answer = open_server.client.post("/validate", content=body, headers=NDJSON)
    assert 200 == answer.status_code
    assert "application/x-ndjson" == answer.headers["content-type"]
    results = [json.loads(line) for line in answer.text.splitlines()]
    assert [1, 3, 5, 6, 7] == [result["line"] for result in results]
    assert {"line": 1, **library(lines[0])} == results[0]
    assert {"line": 3, **library(lines[2])} == results[1]
    assert ["json_syntax"] == [issue["code"] for issue in results[2]["issues"]]
    assert ["too_large"] == [issue["code"] for issue in results[3]["issues"]]
    assert {"line": 7, **library(lines[6])} == results[4]
    assert SENTINEL not in answer.text


def test_ndjson_without_a_final_line_break_and_with_crlf(open_server: Server) -> None:
    body = FULL_VALID.replace(b"\n", b"") + b"\r\n" + PLAN_INVALID.replace(b"\n", b"")
    answer = open_server.client.post("/validate", content=body, headers=NDJSON)
    results = [json.loads(line) for line in answer.text.splitlines()]
    assert [(1, True), (2, False)] == [(result["line"], result["ok"]) for result in results]


def test_ten_thousand_lines_stream_in_constant_memory(open_server: Server) -> None:
    """10,000 full assessments (about 75 MB) go in as a chunked body while the results come
    out: the first result arrives long before the body is sent, and the server's resident
    memory stays within a bound far below the size of the body."""
    line = sentinel_submission().replace(b"\n", b" ")
    invalid = sentinel_submission(FULL_INVALID).replace(b"\n", b" ")
    count = 10_000
    # Warm up (forms, validators, buffers) before the first measurement.
    stream_lines(f"{open_server.url}/validate", [line, invalid] * 50)
    before = open_server.rss()
    peak = [before]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], open_server.rss())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    lines = (invalid if number % 100 == 99 else line for number in range(count))
    try:
        results, first_at = stream_lines(f"{open_server.url}/validate", lines)
    finally:
        done.set()
        watcher.join()
    after = open_server.rss()
    assert count == len(results)
    decoded = [json.loads(result) for result in results]
    assert list(range(1, count + 1)) == [result["line"] for result in decoded]
    assert count // 100 == sum(not result["ok"] for result in decoded)
    assert 0 <= first_at < count // 2  # results flow while the body is still being sent
    body_size = count * len(line)
    assert body_size > 64 * 1024 * 1024
    growth = max(peak[0], after) - before
    assert growth < 16 * 1024 * 1024, f"RSS grew by {growth / 2**20:.1f} MiB"


def test_a_client_that_goes_away_mid_stream_leaves_the_server_serving(open_server: Server) -> None:
    host, port = open_server.url.removeprefix("http://").split(":")
    line = sentinel_submission().replace(b"\n", b" ") + b"\n"
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(
            b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        for _ in range(3):
            connection.sendall(b"%x\r\n%s\r\n" % (len(line), line))
        reader = connection.makefile("rb")
        assert reader.readline().startswith(b"HTTP/1.1 200")
        while reader.readline() not in (b"\r\n", b""):
            pass
        reader.readline()  # the size of the first chunk
        assert json.loads(reader.readline())["ok"]
        reader.close()
    deadline = time.monotonic() + 10
    while "the client went away" not in open_server.text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "the client went away" in open_server.text()
    assert 200 == open_server.client.get("/health").status_code


def test_a_client_that_goes_away_before_the_answer_is_logged_without_a_status(
    open_server: Server,
) -> None:
    """Nothing was answered, and the service did not fail: no 500 in the log."""
    host, port = open_server.url.removeprefix("http://").split(":")
    route = "POST /fhir/QuestionnaireResponse/$validate"
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(
            b"POST /fhir/QuestionnaireResponse/$validate HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/fhir+json\r\nContent-Length: 100\r\n\r\n{"
        )
    deadline = time.monotonic() + 10
    while f"{route} -" not in open_server.text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert f"{route} -" in open_server.text()
    assert f"{route} 500" not in open_server.text()


# --- FHIR $validate --------------------------------------------------------------------------


def outcome_codes(outcome: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [
        (issue.get("location", [None])[0], issue["details"].get("coding", [{}])[0].get("code"))
        for issue in outcome["issue"]
    ]


@pytest.mark.parametrize("media", ["application/fhir+json", "application/json"])
def test_fhir_validate_of_a_valid_response_is_one_information_issue(
    open_server: Server, media: str
) -> None:
    resource = questionnaire_response(sentinel_submission())
    answer = open_server.client.post(
        "/fhir/QuestionnaireResponse/$validate",
        content=json.dumps(resource),
        headers={"Content-Type": media},
    )
    assert 200 == answer.status_code
    assert "application/fhir+json" == answer.headers["content-type"]
    outcome = answer.json()
    OperationOutcome.model_validate(outcome)
    assert [("information", "informational")] == [
        (issue["severity"], issue["code"]) for issue in outcome["issue"]
    ]
    assert SENTINEL not in answer.text


def test_fhir_validate_has_the_codes_and_pointers_of_validate(open_server: Server) -> None:
    """A response whose answers are wrong (a code that is no option, a required answer
    missing) gets the issues that validate gives its submission, in the language asked for."""
    submission = json.loads(sentinel_submission())
    resource = questionnaire_response(submission)
    area = resource["item"][0]["item"][0]
    area["item"][0]["answer"][0]["valueCoding"]["code"] = "wonderful"
    del area["item"][1:3]
    answer = open_server.client.post(
        "/fhir/QuestionnaireResponse/$validate",
        content=json.dumps(resource),
        headers=FHIR,
        params={"locale": "sv"},
    )
    outcome = answer.json()
    OperationOutcome.model_validate(outcome)
    report = validate(
        kindbehoeften.export.submission_from_fhir(resource), locale="sv", today=dt.date.today()
    )
    assert [(issue.pointer, issue.code) for issue in report.issues] == outcome_codes(outcome)
    assert [issue.message for issue in report.issues] == [
        issue["details"]["text"] for issue in outcome["issue"]
    ]
    assert {"/answers/child_needs/health/assessment"} <= {
        pointer for pointer, _ in outcome_codes(outcome)
    }
    assert SENTINEL not in answer.text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"resourceType": "Patient"}', [("/resourceType", "resource_type")]),
        (b"{not json", [(None, "json_syntax")]),
        (
            json.dumps(
                {
                    "resourceType": "QuestionnaireResponse",
                    "questionnaire": "urn:kindbehoeften:form:triangle.full|7.0.0",
                    "status": "completed",
                    "item": [{"linkId": "x", "answer": [{"valueString": SENTINEL}]}],
                }
            ).encode("utf-8"),
            [("/questionnaire", "unknown_version")],
        ),
    ],
    ids=["patient", "malformed", "unknown-version"],
)
def test_fhir_validate_of_what_cannot_be_read_locates_it_in_the_resource(
    open_server: Server, body: bytes, expected: list[tuple[str | None, str]]
) -> None:
    answer = open_server.client.post(
        "/fhir/QuestionnaireResponse/$validate", content=body, headers=FHIR
    )
    assert 200 == answer.status_code
    outcome = answer.json()
    OperationOutcome.model_validate(outcome)
    assert expected == outcome_codes(outcome)
    assert SENTINEL not in answer.text


def test_fhir_validate_keeps_the_limits_and_media_types(open_server: Server) -> None:
    path = "/fhir/QuestionnaireResponse/$validate"
    assert_problem(
        open_server.client.post(path, content=b" " * (LIMIT + 1), headers=FHIR), 413, "too-large"
    )
    answer = open_server.client.post(path, content=b"{}", headers={"Content-Type": "text/xml"})
    assert_problem(answer, 415, "unsupported-media-type")
    assert "application/fhir+json, application/json" == answer.headers["accept-post"]


# --- routing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/nothing/here", "/cases/case-1/other", "/forms/x"])
def test_unknown_paths_are_404(open_server: Server, guarded_server: Server, path: str) -> None:
    """(The case endpoints, answered with tokens only: tests/test_service_cases.py.)"""
    for server in (open_server, guarded_server):
        answer = server.client.get(path, headers=bearer("all-scopes"))
        assert_problem(answer, 404)


@pytest.mark.parametrize("path", ["/health/", "/forms/", "/validate/", "/cases/", "/cases/c-1/"])
def test_a_path_with_a_trailing_slash_is_404_not_a_redirect(
    open_server: Server, guarded_server: Server, path: str
) -> None:
    """No redirect to the path without the slash: it would answer before the token is
    checked, and name whatever host the request's Host header gave."""
    for server in (open_server, guarded_server):
        for method in ("GET", "POST"):
            answer = server.client.request(method, path, headers={"Host": "elsewhere.example"})
            assert_problem(answer, 404)
            assert "location" not in answer.headers


def test_a_method_a_route_does_not_take_is_405_with_allow(open_server: Server) -> None:
    answer = open_server.client.delete("/health")
    assert_problem(answer, 405)
    assert {"GET", "HEAD"} == {method.strip() for method in answer.headers["allow"].split(",")}
    assert_problem(open_server.client.get("/validate"), 405)


# --- tokens -----------------------------------------------------------------------------------

GUARDED = [
    ("GET", "/forms", None),
    ("GET", "/forms/triangle.full/1.0.0", None),
    ("GET", "/forms/triangle.full/1.0.0/schema", None),
    ("POST", "/validate", "json"),
    ("POST", "/validate", "ndjson"),
    ("POST", "/fhir/QuestionnaireResponse/$validate", "fhir"),
]


def guarded_request(
    server: Server, method: str, path: str, body: str | None, headers: dict[str, str]
) -> httpx.Response:
    if body is None:
        return server.client.request(method, path, headers=headers)
    data = sentinel_submission()
    if body == "fhir":
        data = json.dumps(questionnaire_response(data)).encode("utf-8")
        media = FHIR
    else:
        media = JSON if body == "json" else NDJSON
        data = data if body == "json" else data.replace(b"\n", b" ") + b"\n"
    return server.client.request(method, path, content=data, headers={**media, **headers})


@pytest.mark.parametrize(("method", "path", "body"), GUARDED)
@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer not-a-token-of-the-service"}, 401),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
        ({"Authorization": "Bearer"}, 401),
        (bearer("read-only"), 403),
        (bearer("validator"), 200),
        (bearer("all-scopes"), 200),
    ],
    ids=["none", "unknown", "basic", "empty", "missing-scope", "validate-scope", "all-scopes"],
)
def test_every_endpoint_but_health_and_openapi_needs_a_token_with_its_scope(
    guarded_server: Server,
    method: str,
    path: str,
    body: str | None,
    headers: dict[str, str],
    status: int,
) -> None:
    answer = guarded_request(guarded_server, method, path, body, headers)
    assert status == answer.status_code
    if status == 401:
        assert_problem(answer, 401, "unauthorized")
        assert answer.headers["www-authenticate"].startswith('Bearer realm="kindbehoeften"')
    elif status == 403:
        problem = assert_problem(answer, 403, "forbidden")
        assert "'validate'" in problem["detail"]
        assert 'error="insufficient_scope", scope="validate"' in answer.headers["www-authenticate"]


@pytest.mark.parametrize("path", ["/health", "/openapi.json"])
def test_health_and_openapi_need_no_token(guarded_server: Server, path: str) -> None:
    assert 200 == guarded_server.client.get(path).status_code


def test_a_guarded_server_validates_as_the_open_one(guarded_server: Server) -> None:
    data = sentinel_submission(FULL_INVALID)
    answer = guarded_server.client.post(
        "/validate", content=data, headers={**JSON, **bearer("validator")}
    )
    assert library(data) == answer.json()


# --- the log ---------------------------------------------------------------------------------


def logged(server: Server, method: str, route: str) -> list[dict[str, str]]:
    """The log lines of requests to ``route``, parsed."""
    found = []
    for line in server.lines():
        match = LOG_LINE.match(line)
        if match and (match["method"], match["route"]) == (method, route):
            found.append(match.groupdict())
    return found


def test_each_request_is_one_log_line_with_its_route_template_and_token_name(
    guarded_server: Server,
) -> None:
    before = len(logged(guarded_server, "GET", "/forms/{form_id}/{version}/schema"))
    guarded_server.client.get(
        "/forms/triangle.plan/1.0.0/schema?status=in_progress", headers=bearer("validator")
    )
    guarded_server.client.get("/forms/triangle.plan/1.0.0/schema", headers=bearer("read-only"))
    guarded_server.client.get("/forms/triangle.plan/1.0.0/schema")
    time.sleep(0.2)  # the line is written once the answer is complete
    lines = logged(guarded_server, "GET", "/forms/{form_id}/{version}/schema")[before:]
    assert [("200", "validator"), ("403", "read-only"), ("401", "-")] == [
        (line["status"], line["token"]) for line in lines
    ]
    text = guarded_server.text()
    assert "status=in_progress" not in text  # no query string
    assert "triangle.plan/1.0.0" not in text  # no path as sent


def test_the_log_holds_no_body_and_no_unmatched_path(open_server: Server) -> None:
    open_server.client.post("/validate", content=sentinel_submission(FULL_INVALID), headers=JSON)
    open_server.client.get(f"/unknown/{SENTINEL}")
    time.sleep(0.2)
    assert logged(open_server, "GET", "-")
    assert SENTINEL not in open_server.text()
    requests = [line for line in open_server.lines() if " INFO " in line and "token=" in line]
    assert all(LOG_LINE.match(line) for line in requests)


def test_a_server_stopped_by_sigterm_exits_0(tmp_path: Any) -> None:
    server = Server(tmp_path / "server.log")
    assert 200 == server.client.get("/health").status_code
    assert 0 == server.stop()
    assert "listening on http://127.0.0.1:" in server.text()
