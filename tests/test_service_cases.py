"""The case endpoints of the service (``/cases``), tested as a case system meets them: a real
server process with tokens over a real store (SQLite, and PostgreSQL: ``case_server`` runs
each test on both), spoken to with httpx, every answer compared with what the library and
``kindbehoeften case`` say of the same store.

Every body that carries free text carries the planted sentinel; no answer quotes it, and the
servers' logs are checked for it (and for the tokens) when they stop.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from typing import Any

import httpx
import pytest

import kindbehoeften
from clirun import run
from kindbehoeften import Assessment
from kindbehoeften._core.canonical import submission_digest
from service import EXAMPLES, SENTINEL, Server, bearer

pytestmark = pytest.mark.timeout(300)

JSON = {"Content-Type": "application/json"}
REPORTED = "2026-11-02"
PRELIMINARY = json.loads((EXAMPLES / "triangle.preliminary.valid.json").read_text("utf-8"))
PRELIMINARY_DRAFT = json.loads((EXAMPLES / "triangle.preliminary.draft.json").read_text("utf-8"))
FULL_INVALID = json.loads((EXAMPLES / "triangle.full.invalid.json").read_text("utf-8"))
LIMIT = 1024 * 1024


def new_id() -> str:
    return f"case-{uuid.uuid4().hex[:12]}"


def report(case_id: str, **changes: Any) -> dict[str, Any]:
    body = {
        "case_id": case_id,
        "jurisdiction": "SE",
        "reported_on": REPORTED,
        "reporter": "professional",
        "municipality": "Uppsala",
        "actor": "intake-7",
    }
    return {**body, **changes}


def with_reasons(submission: dict[str, Any]) -> dict[str, Any]:
    """The preliminary submission, its free-text reasons holding the sentinel."""
    copied = json.loads(json.dumps(submission))
    copied["answers"]["decision"]["decision"]["reasons"] = f"{SENTINEL} and more"
    return copied


def assert_problem(
    answer: httpx.Response, status: int, kind: str | tuple[str, ...] | None = None
) -> dict[str, Any]:
    """An RFC 9457 problem of ``status`` and of the kind (or one of the kinds) given."""
    assert status == answer.status_code, answer.text
    assert "application/problem+json" == answer.headers["content-type"]
    problem: dict[str, Any] = answer.json()
    assert status == problem["status"]
    kinds = (kind,) if isinstance(kind, str) or kind is None else kind
    types = {"about:blank" if k is None else f"urn:kindbehoeften:problem:{k}" for k in kinds}
    assert problem["type"] in types
    assert SENTINEL not in answer.text
    assert "Traceback" not in answer.text
    return problem


def etag(answer: httpx.Response) -> str:
    tag = answer.headers["etag"]
    assert ('"', '"') == (tag[:1], tag[-1:])
    return tag[1:-1]


def open_case(
    server: Server, case_id: str, token: str = "all-scopes", **changes: Any
) -> httpx.Response:
    return server.client.post(
        "/cases", json=report(case_id, **changes), headers={**JSON, **bearer(token)}
    )


def opened(server: Server, case_id: str | None = None, **changes: Any) -> tuple[str, str]:
    """A new case of the server's store: its id and head."""
    case_id = case_id or new_id()
    answer = open_case(server, case_id, **changes)
    assert 201 == answer.status_code, answer.text
    return case_id, etag(answer)


def step(
    server: Server,
    case_id: str,
    head: str | None,
    body: dict[str, Any] | bytes,
    token: str = "all-scopes",
    **headers: str,
) -> httpx.Response:
    sent = {**JSON, **bearer(token), **headers}
    if head is not None:
        sent["If-Match"] = f'"{head}"'
    content = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    return server.client.post(f"/cases/{case_id}/events", content=content, headers=sent)


def history(server: Server, case_id: str) -> str:
    answer = server.client.get(f"/cases/{case_id}/events", headers=bearer("all-scopes"))
    assert 200 == answer.status_code
    return answer.text


def stored(server: Server, case_id: str) -> Assessment:
    assert server.store is not None
    with kindbehoeften.open_store(server.store) as store:
        return store.get(case_id)


# --- POST /cases --------------------------------------------------------------------------------


def test_opening_a_case_is_201_with_its_head_as_etag_and_its_location(case_server: Server) -> None:
    case_id = new_id()
    answer = open_case(case_server, case_id)
    expected = Assessment.report(
        case_id=case_id,
        jurisdiction="SE",
        on=dt.date(2026, 11, 2),
        actor="intake-7",
        reporter="professional",
        municipality="Uppsala",
    )
    assert 201 == answer.status_code
    assert "application/json" == answer.headers["content-type"]
    assert expected.head == etag(answer)
    assert f"/cases/{case_id}" == answer.headers["location"]
    assert expected.overview(dt.date.today()) == answer.json()
    assert expected == stored(case_server, case_id)


def test_opening_a_case_that_exists_is_409_and_writes_nothing(case_server: Server) -> None:
    case_id, head = opened(case_server)
    answer = open_case(case_server, case_id, actor="someone-else", reporter="parent")
    problem = assert_problem(answer, 409, "case-exists")
    assert "head" not in problem  # the case may be another municipality's
    assert head == stored(case_server, case_id).head


@pytest.mark.parametrize(
    ("changes", "pointer", "code"),
    [
        ({"jurisdiction": "XX"}, "/jurisdiction", "literal_error"),
        ({"reporter": "neighbour"}, "/reporter", "literal_error"),
        ({"reported_on": "2 Nov 2026"}, "/reported_on", "value_error"),
        ({"reported_on": 1793577600}, "/reported_on", "value_error"),
        ({"actor": ""}, "/actor", "string_too_short"),
        ({"actor": None}, "/actor", "string_type"),
        ({"case_id": "a/b"}, "/case_id", "value_error"),
        ({"case_id": ".."}, "/case_id", "value_error"),
        ({"anonymous": "yes"}, "/anonymous", "bool_type"),
        ({"reporter": "anonymous", "anonymous": False}, "", "value_error"),
        ({"notes": SENTINEL}, "/notes", "extra_forbidden"),
    ],
    ids=[
        "jurisdiction",
        "reporter",
        "date-text",
        "date-number",
        "empty-actor",
        "no-actor",
        "slash",
        "dot-dot",
        "anonymous-text",
        "anonymous-reporter",
        "unknown-field",
    ],
)
def test_a_report_that_does_not_fit_is_422_naming_the_field(
    guarded_server: Server, changes: dict[str, Any], pointer: str, code: str
) -> None:
    body = {**report(new_id()), **changes}
    answer = guarded_server.client.post(
        "/cases", json=body, headers={**JSON, **bearer("all-scopes")}
    )
    problem = assert_problem(answer, 422, "invalid-body" if pointer else "invalid-step")
    assert [(pointer, code)] == [(e["pointer"], e["code"]) for e in problem["errors"]]
    assert body["case_id"] not in {c["case_id"] for c in listed(guarded_server)}


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("/cases", [1], ("", "model_type", "the body must be a JSON object")),
        ("/cases/case-1/events", "step", ("", "model_type", "the body must be a JSON object")),
        (
            "/cases",
            {"notes": 1},
            ("/notes", "extra_forbidden", "notes is not a field of a report that opens a case"),
        ),
    ],
    ids=["report-array", "step-text", "report-unknown-field"],
)
def test_a_body_that_does_not_fit_is_described_as_the_body_it_is(
    guarded_server: Server, path: str, body: Any, expected: tuple[str, str, str]
) -> None:
    """Not as "the step's data" of an "event": that is the library's word for its own."""
    headers = {**JSON, **bearer("all-scopes"), "If-Match": '"' + "a" * 64 + '"'}
    if path != "/cases":
        path = f"/cases/{opened(guarded_server)[0]}/events"
        headers["If-Match"] = f'"{etag(guarded_server.client.get(path, headers=headers))}"'
    answer = guarded_server.client.post(path, json=body, headers=headers)
    problem = assert_problem(answer, 422, "invalid-body")
    assert expected in [(e["pointer"], e["code"], e["message"]) for e in problem["errors"]]


def test_a_report_without_fields_names_each_missing_one(guarded_server: Server) -> None:
    answer = guarded_server.client.post("/cases", json={}, headers={**JSON, **bearer("all-scopes")})
    problem = assert_problem(answer, 422, "invalid-body")
    missing = {e["pointer"] for e in problem["errors"] if e["code"] == "missing"}
    assert {"/case_id", "/jurisdiction", "/reported_on", "/reporter", "/actor"} == missing


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b'{"case_id": "x", ', "json_syntax"),
        (b'{"case_id": "x", "case_id": "y"}', "duplicate_key"),
        (b'{"case_id": NaN}', "json_syntax"),
        (b"\xff\xfe{}", "json_syntax"),
        (b"[" * 40 + b"]" * 40, "too_deep"),
    ],
    ids=["syntax", "duplicate-key", "nan", "not-utf8", "too-deep"],
)
def test_a_body_that_is_not_clean_json_is_400(
    guarded_server: Server, content: bytes, code: str
) -> None:
    answer = guarded_server.client.post(
        "/cases", content=content, headers={**JSON, **bearer("all-scopes")}
    )
    problem = assert_problem(answer, 400, "invalid-json")
    assert [code] == [e["code"] for e in problem["errors"]]


def test_a_report_in_another_media_type_is_415_and_a_huge_one_413(guarded_server: Server) -> None:
    body = json.dumps(report(new_id())).encode("utf-8")
    answer = guarded_server.client.post(
        "/cases", content=body, headers={"Content-Type": "text/plain", **bearer("all-scopes")}
    )
    assert_problem(answer, 415, "unsupported-media-type")
    huge = b'{"case_id": "' + b"x" * LIMIT + b'"}'
    answer = guarded_server.client.post(
        "/cases", content=huge, headers={**JSON, **bearer("all-scopes")}
    )
    assert_problem(answer, 413, "too-large")


def test_a_case_id_is_percent_encoded_in_its_location(guarded_server: Server) -> None:
    case_id = f"case {uuid.uuid4().hex[:8]}?#é"
    answer = open_case(guarded_server, case_id)
    assert 201 == answer.status_code
    location = answer.headers["location"]
    assert "/cases/case%20" in location
    again = guarded_server.client.get(location, headers=bearer("all-scopes"))
    assert case_id == again.json()["case_id"]


# --- GET /cases/{case_id} and its events --------------------------------------------------------


def test_a_case_is_what_case_show_prints_with_its_head_as_etag(case_server: Server) -> None:
    case_id, head = opened(case_server)
    answer = case_server.client.get(
        f"/cases/{case_id}?today=2026-11-20", headers=bearer("read-only")
    )
    assert case_server.store is not None
    code, out, err = run(
        "case", "show", case_id, "--today", "2026-11-20", "--format", "json", "--store",
        case_server.store,
    )  # fmt: skip
    assert (0, "") == (code, err)
    assert 200 == answer.status_code
    assert json.loads(out) == answer.json()
    assert head == etag(answer)
    overdue = [d["rule"] for d in answer.json()["deadlines"] if d["status"] == "overdue"]
    assert ["safety_assessment", "preliminary"] == overdue


def test_without_today_a_case_is_shown_on_the_servers_date(guarded_server: Server) -> None:
    case_id, _ = opened(guarded_server)
    answer = guarded_server.client.get(f"/cases/{case_id}", headers=bearer("read-only"))
    assert dt.date.today().isoformat() == answer.json()["today"]


@pytest.mark.parametrize("today", ["2026-13-01", "20261120", "today", "2026-11-20T00:00"])
def test_a_today_that_is_no_date_is_400_naming_it(guarded_server: Server, today: str) -> None:
    case_id, _ = opened(guarded_server)
    answer = guarded_server.client.get(
        f"/cases/{case_id}", params={"today": today}, headers=bearer("read-only")
    )
    problem = assert_problem(answer, 400, "invalid-parameter")
    assert [("today", "date")] == [(e["parameter"], e["code"]) for e in problem["errors"]]


def test_the_events_are_what_case_export_prints(case_server: Server) -> None:
    case_id, head = opened(case_server)
    answer = case_server.client.get(f"/cases/{case_id}/events", headers=bearer("read-only"))
    assert case_server.store is not None
    code, out, _ = run("case", "export", case_id, "--store", case_server.store)
    assert (0, 200) == (code, answer.status_code)
    assert out == answer.text
    assert head == etag(answer)
    assert Assessment.from_json(answer.content).head == head


def test_an_unknown_case_is_404(case_server: Server) -> None:
    for path in ("/cases/no-such-case", "/cases/no-such-case/events"):
        problem = assert_problem(
            case_server.client.get(path, headers=bearer("all-scopes")), 404, "unknown-case"
        )
        assert "no-such-case" in problem["detail"]
    answer = step(case_server, "no-such-case", "a" * 64, {"step": "safety_assessed"})
    assert_problem(answer, 404, "unknown-case")


def test_a_nul_in_a_case_id_or_a_list_parameter_is_no_case_not_a_store_failure(
    case_server: Server,
) -> None:
    """No case id or municipality holds a NUL (PostgreSQL's text cannot): such a case is
    unknown, such a municipality has no cases, and paging after such an id goes on."""
    case_id, head = opened(case_server)
    for path in (f"/cases/{case_id}%00", f"/cases/{case_id}%00x/events"):
        answer = case_server.client.get(path, headers=bearer("all-scopes"))
        assert_problem(answer, 404, "unknown-case")
    assert_problem(step(case_server, f"{case_id}%00", head, safety()), 404, "unknown-case")
    assert [] == listed(case_server, municipality="Uppsala\x00")
    assert case_id in {c["case_id"] for c in listed(case_server, after="\x00")}
    assert [] == [c for c in listed(case_server, after=f"{case_id}\x00") if c["case_id"] == case_id]


# --- POST /cases/{case_id}/events ---------------------------------------------------------------


def safety(on: str = REPORTED, actor: str = "worker-3") -> dict[str, Any]:
    return {"step": "safety_assessed", "on": on, "actor": actor}


def test_a_step_is_recorded_after_the_head_if_match_names(case_server: Server) -> None:
    case_id, head = opened(case_server)
    answer = step(case_server, case_id, head, safety())
    expected = stored(case_server, case_id)
    assert 200 == answer.status_code, answer.text
    assert 2 == len(expected.events)
    assert ("safety_assessed", "worker-3") == (expected.events[-1].kind, expected.events[-1].actor)
    assert expected.head == etag(answer)
    assert expected.overview(dt.date.today()) == answer.json()


def test_a_step_takes_its_data_and_an_instant(case_server: Server) -> None:
    case_id, head = opened(case_server)
    body = {
        "step": "placement_started",
        "on": "2026-11-03",
        "at": "2026-11-03T09:30:00+01:00",
        "actor": "worker-3",
        "kind": "kinship",
        "compulsory": False,
    }
    answer = step(case_server, case_id, head, body)
    assert 200 == answer.status_code, answer.text
    event = stored(case_server, case_id).events[-1]
    assert ("kinship", False) == (event.data.kind, event.data.compulsory)  # type: ignore[union-attr]
    assert dt.datetime(2026, 11, 3, 8, 30, tzinfo=dt.UTC) == event.at
    assert answer.json()["placed"]


def test_a_decision_stores_its_submission_in_the_same_step(case_server: Server) -> None:
    case_id, head = opened(case_server)
    head = etag(step(case_server, case_id, head, {**safety(), "step": "preliminary_started"}))
    submission = with_reasons(PRELIMINARY)
    body = {
        "step": "preliminary_decision",
        "on": "2026-11-12",
        "actor": "worker-3",
        "submission": submission,
    }
    answer = step(case_server, case_id, head, body)
    assert 200 == answer.status_code, answer.text
    assert SENTINEL not in answer.text
    event = stored(case_server, case_id).events[-1]
    digest = submission_digest(submission)
    assert ("open_full_assessment", digest) == (
        event.data.outcome,  # type: ignore[union-attr]
        event.data.submission_digest,  # type: ignore[union-attr]
    )
    assert case_server.store is not None
    with kindbehoeften.open_store(case_server.store) as store:
        assert submission == store.get_submission(case_id, digest)


@pytest.mark.parametrize("field", ["form", "form_version", "submission_digest"])
def test_what_a_decision_takes_from_its_submission_may_not_be_given_beside_it(
    guarded_server: Server, field: str
) -> None:
    """A digest given beside the submission is refused as form and form_version are, not
    silently replaced by the submission's."""
    case_id, head = opened(guarded_server)
    head = etag(step(guarded_server, case_id, head, {**safety(), "step": "preliminary_started"}))
    body = {
        "step": "preliminary_decision",
        "on": "2026-11-12",
        "actor": "worker-3",
        "submission": with_reasons(PRELIMINARY),
        field: "0" * 64,
    }
    problem = assert_problem(step(guarded_server, case_id, head, body), 422, "invalid-step")
    assert [(f"/{field}", "from_submission")] == [
        (e["pointer"], e["code"]) for e in problem["errors"]
    ]
    assert head == stored(guarded_server, case_id).head


@pytest.mark.parametrize(
    "header",
    [None, "*", 'W/"{head}"', "{head}"],
    ids=["none", "star", "weak", "unquoted"],
)
def test_a_step_without_a_usable_if_match_is_428(case_server: Server, header: str | None) -> None:
    case_id, head = opened(case_server)
    headers = {} if header is None else {"If-Match": header.format(head=head)}
    answer = step(case_server, case_id, None, safety(), **headers)
    assert_problem(answer, 428, "precondition-required")
    assert head == stored(case_server, case_id).head


def test_a_step_on_a_head_that_moved_is_412_naming_the_head(case_server: Server) -> None:
    case_id, first = opened(case_server)
    second = etag(step(case_server, case_id, first, safety()))
    answer = step(case_server, case_id, first, {**safety(), "step": "preliminary_started"})
    problem = assert_problem(answer, 412, "head-moved")
    assert second == problem["head"] == etag(answer)
    assert second in problem["detail"]
    assert second == stored(case_server, case_id).head


def test_if_match_may_list_several_heads(guarded_server: Server) -> None:
    case_id, head = opened(guarded_server)
    answer = step(
        guarded_server, case_id, None, safety(), **{"If-Match": f'"{"0" * 64}", "{head}"'}
    )
    assert 200 == answer.status_code


def test_a_step_not_allowed_now_is_409_listing_the_allowed_steps(case_server: Server) -> None:
    case_id, head = opened(case_server)
    answer = step(case_server, case_id, head, {**safety(), "step": "support_started"})
    problem = assert_problem(answer, 409, "step-not-allowed")
    case = stored(case_server, case_id)
    assert list(case.allowed_steps()) == problem["allowed_steps"]
    assert "'support_started'" in problem["detail"]
    assert head == case.head


def test_a_step_dated_before_the_last_event_is_409(guarded_server: Server) -> None:
    case_id, head = opened(guarded_server)
    answer = step(guarded_server, case_id, head, safety(on="2026-11-01"))
    problem = assert_problem(answer, 409, "step-not-allowed")
    assert "before the last event" in problem["detail"]


def test_a_report_whose_clocks_would_run_past_the_calendar_is_422_and_writes_nothing(
    guarded_server: Server,
) -> None:
    """A deadline after 9999-12-31 cannot be computed: the report is refused, not a 500."""
    case_id = new_id()
    answer = open_case(guarded_server, case_id, reported_on="9999-12-31")
    problem = assert_problem(answer, 422, "invalid-step")
    assert [("/reported_on", "max")] == [(e["pointer"], e["code"]) for e in problem["errors"]]
    assert case_id not in {c["case_id"] for c in listed(guarded_server)}


def test_a_step_whose_clocks_would_run_past_the_calendar_is_422_and_writes_nothing(
    guarded_server: Server,
) -> None:
    case_id, head = opened(guarded_server)
    body = {"step": "report_received", "on": "9999-12-31", "actor": "w", "reporter": "parent"}
    answer = step(guarded_server, case_id, head, body)
    problem = assert_problem(answer, 422, "invalid-step")
    assert [("/on", "max")] == [(e["pointer"], e["code"]) for e in problem["errors"]]
    assert head == stored(guarded_server, case_id).head


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({**safety(), "step": "closed", "reason": SENTINEL}, [("/reason", "literal_error")]),
        ({**safety(), "step": "closed"}, [("/reason", "missing")]),
        ({**safety(), "note": SENTINEL}, [("/note", "extra_forbidden")]),
        (
            {**safety(), "step": "placement_started", "kind": "hotel", "compulsory": "no"},
            [("/kind", "literal_error"), ("/compulsory", "bool_type")],
        ),
        (
            {
                **safety(),
                "step": "extension_granted",
                "rule": "nothing",
                "new_due_on": "2026-12-01",
                "reason": SENTINEL,
            },
            [("/rule", "unknown_rule")],
        ),
        ({**safety(), "actor": "a\nb"}, [("/actor", "string_pattern_mismatch")]),
        ({**safety(), "at": "2026-11-02T10:00"}, [("/at", "timezone_aware")]),
        ({**safety(), "step": "teleported"}, [("/step", "literal_error")]),
        ({"step": "safety_assessed"}, [("/on", "missing"), ("/actor", "missing")]),
        ({**safety(), "submission": SENTINEL}, [("/submission", "dict_type")]),
        ({**safety(), "submission": PRELIMINARY}, [("/submission", "extra_forbidden")]),
        ([SENTINEL], [("", "model_type")]),
    ],
    ids=[
        "reason-free-text",
        "no-reason",
        "unknown-field",
        "placement",
        "extension-rule",
        "actor-control",
        "naive-instant",
        "unknown-step",
        "missing",
        "submission-text",
        "submission-not-taken",
        "not-an-object",
    ],
)
def test_step_data_that_does_not_fit_is_422_with_pointers_and_writes_nothing(
    case_server: Server, body: Any, expected: list[tuple[str, str]]
) -> None:
    case_id, head = opened(case_server)
    before = history(case_server, case_id)
    answer = step(case_server, case_id, head, json.dumps(body).encode("utf-8"))
    problem = assert_problem(answer, 422, ("invalid-body", "invalid-step"))
    assert expected == [(e["pointer"], e["code"]) for e in problem["errors"]]
    assert before == history(case_server, case_id)


@pytest.mark.parametrize(
    ("submission", "codes"),
    [
        (FULL_INVALID, ["wrong_form"]),
        (PRELIMINARY_DRAFT, ["draft"]),
        ({**with_reasons(PRELIMINARY), "answers": {}}, None),
    ],
    ids=["other-stage", "draft", "invalid"],
)
def test_a_submission_that_cannot_back_the_step_is_422_and_stores_nothing(
    case_server: Server, submission: dict[str, Any], codes: list[str] | None
) -> None:
    case_id, head = opened(case_server)
    head = etag(step(case_server, case_id, head, {**safety(), "step": "preliminary_started"}))
    before = history(case_server, case_id)
    body = {**safety(on="2026-11-12"), "step": "preliminary_decision", "submission": submission}
    answer = step(case_server, case_id, head, body)
    problem = assert_problem(answer, 422, "invalid-step")
    found = [e["code"] for e in problem["errors"]]
    if codes is None:
        assert found
        assert "required" in found
        assert set(found) <= {"required", "one_of_required"}
        assert all(e["pointer"].startswith("/submission/answers/") for e in problem["errors"])
    else:
        assert codes == found
    assert before == history(case_server, case_id)
    assert case_server.store is not None
    with (
        kindbehoeften.open_store(case_server.store) as store,
        pytest.raises(kindbehoeften.UnknownSubmissionError),
    ):
        store.get_submission(case_id, submission_digest(submission))


def test_an_outcome_that_disagrees_with_the_submission_is_409(guarded_server: Server) -> None:
    case_id, head = opened(guarded_server)
    head = etag(step(guarded_server, case_id, head, {**safety(), "step": "preliminary_started"}))
    body = {
        **safety(on="2026-11-12"),
        "step": "preliminary_decision",
        "outcome": "close",
        "submission": PRELIMINARY,
    }
    problem = assert_problem(step(guarded_server, case_id, head, body), 409, "step-not-allowed")
    assert "is not the one its submission records" in problem["detail"]


def test_the_step_body_may_hold_a_submission_of_the_full_limit(guarded_server: Server) -> None:
    """The limit of a step is the submission's and some room for the step's own fields."""
    case_id, head = opened(guarded_server)
    body = {**safety(), "padding": "x" * (LIMIT - 200)}
    answer = step(guarded_server, case_id, head, body)
    assert_problem(answer, 422, "invalid-step")  # read, then refused: padding is no data
    body = {**safety(), "padding": "x" * (LIMIT + 70 * 1024)}
    assert_problem(step(guarded_server, case_id, head, body), 413, "too-large")


def test_the_checks_come_in_the_order_of_http(guarded_server: Server) -> None:
    """404 before 428 before 412 before the body (415, 422) before the lifecycle (409)."""
    case_id, head = opened(guarded_server)
    text = {"Content-Type": "text/plain"}
    assert 404 == step(guarded_server, "no-such-case", None, b"not json", **text).status_code
    assert 428 == step(guarded_server, case_id, None, b"not json", **text).status_code
    assert 412 == step(guarded_server, case_id, "0" * 64, b"not json", **text).status_code
    assert 415 == step(guarded_server, case_id, head, b"not json", **text).status_code
    assert 400 == step(guarded_server, case_id, head, b"not json").status_code
    assert 422 == step(guarded_server, case_id, head, {"step": "closed"}).status_code


# --- GET /cases ---------------------------------------------------------------------------------


def listed(server: Server, token: str = "all-scopes", **params: str) -> list[dict[str, Any]]:
    answer = server.client.get("/cases", params=params, headers=bearer(token))
    assert 200 == answer.status_code, answer.text
    cases: list[dict[str, Any]] = answer.json()["cases"]
    return cases


def test_the_list_is_what_case_list_prints(case_server: Server) -> None:
    opened(case_server)
    assert case_server.store is not None
    answer = case_server.client.get("/cases?overdue=2026-11-20", headers=bearer("read-only"))
    code, out, _ = run(
        "case", "list", "--overdue", "2026-11-20", "--format", "json", "--store",
        case_server.store,
    )  # fmt: skip
    assert (0, 200) == (code, answer.status_code)
    assert json.loads(out) == answer.json()


def test_a_case_without_a_municipality_is_listed_with_null(guarded_server: Server) -> None:
    case_id, _ = opened(guarded_server, municipality=None)
    (found,) = [c for c in listed(guarded_server) if c["case_id"] == case_id]
    assert found["municipality"] is None
    assert (
        "overdue_on" not in guarded_server.client.get("/cases", headers=bearer("read-only")).json()
    )


def test_the_list_filters_by_stage_municipality_and_overdue(case_server: Server) -> None:
    lund, _ = opened(case_server, municipality="Lund")
    moved, head = opened(case_server, municipality="Lund")
    step(case_server, moved, head, {**safety(), "step": "preliminary_started"})
    ids = {c["case_id"] for c in listed(case_server, municipality="Lund")}
    assert {lund, moved} <= ids
    assert all(c["municipality"] == "Lund" for c in listed(case_server, municipality="Lund"))
    preliminary = {c["case_id"] for c in listed(case_server, stage="preliminary")}
    assert moved in preliminary
    assert lund not in preliminary
    assert lund in {c["case_id"] for c in listed(case_server, overdue="2026-11-20")}
    assert lund not in {c["case_id"] for c in listed(case_server, overdue="2026-11-03")}


def test_the_list_comes_in_pages_that_name_the_next(case_server: Server) -> None:
    municipality = f"Paged-{new_id()}"  # this test's cases alone, in a shared store
    ids = sorted(opened(case_server, municipality=municipality)[0] for _ in range(5))
    seen, nexts, links = [], [], []
    url: str | None = f"/cases?municipality={municipality}&limit=2"
    while url is not None:
        answer = case_server.client.get(url, headers=bearer("read-only"))
        assert 200 == answer.status_code, answer.text
        page = answer.json()
        assert len(page["cases"]) <= 2
        seen += [c["case_id"] for c in page["cases"]]
        url = page.get("next")
        nexts.append(url)
        links.append(answer.headers.get("link"))
    assert ids == seen  # every case once, by case id, across 3 pages
    assert [True, True, False] == [url is not None for url in nexts]
    assert [f'<{url}>; rel="next"' if url else None for url in nexts] == links
    assert [] == listed(case_server, municipality=municipality, after=ids[-1])
    assert ids[2:] == [
        c["case_id"] for c in listed(case_server, municipality=municipality, after=ids[1])
    ]


def test_a_page_under_the_limit_has_no_next(case_server: Server) -> None:
    municipality = f"Paged-{new_id()}"
    opened(case_server, municipality=municipality)
    answer = case_server.client.get(
        "/cases", params={"municipality": municipality, "limit": "1"}, headers=bearer("read-only")
    )
    assert "next" not in answer.json()
    assert "link" not in answer.headers


@pytest.mark.parametrize(
    ("params", "parameter", "code"),
    [
        ({"stage": "open"}, "stage", "choice"),
        ({"overdue": "soon"}, "overdue", "date"),
        *(
            ({"limit": limit}, "limit", "range")
            for limit in ["0", "1001", "-1", "ten", "\u0661", ""]
        ),
    ],
)
def test_a_bad_list_parameter_is_400_naming_it(
    guarded_server: Server, params: dict[str, str], parameter: str, code: str
) -> None:
    answer = guarded_server.client.get("/cases", params=params, headers=bearer("read-only"))
    problem = assert_problem(answer, 400, "invalid-parameter")
    assert [(parameter, code)] == [(e["parameter"], e["code"]) for e in problem["errors"]]


# --- tokens -------------------------------------------------------------------------------------

CASE_ENDPOINTS = [
    ("GET", "/cases"),
    ("POST", "/cases"),
    ("GET", "/cases/{case_id}"),
    ("GET", "/cases/{case_id}/events"),
    ("POST", "/cases/{case_id}/events"),
]


def call(server: Server, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    """One request to a case endpoint, on a case of its own (Uppsala's), with a body that
    would be taken."""
    case_id, head = opened(server)
    url = path.format(case_id=case_id)
    if method == "GET":
        return server.client.get(url, headers=headers)
    body = report(new_id()) if path == "/cases" else safety()
    sent = {**JSON, "If-Match": f'"{head}"', **headers}
    return server.client.post(url, content=json.dumps(body).encode("utf-8"), headers=sent)


@pytest.mark.parametrize(("method", "path"), CASE_ENDPOINTS)
@pytest.mark.parametrize(
    ("token", "get", "post"),
    [
        (None, 401, 401),
        ("unknown", 401, 401),
        ("validator", 403, 403),
        ("read-only", 200, 403),
        ("write-only", 403, 201),
        ("uppsala", 200, 201),
        ("all-scopes", 200, 201),
    ],
)
def test_the_case_endpoints_need_read_to_get_and_write_to_post(
    guarded_server: Server, method: str, path: str, token: str | None, get: int, post: int
) -> None:
    headers = {} if token is None else bearer(token) if token != "unknown" else {
        "Authorization": "Bearer not-a-token-of-the-service"
    }  # fmt: skip
    answer = call(guarded_server, method, path, headers)
    expected = get if method == "GET" else post
    if expected == 201 and path != "/cases":
        expected = 200
    assert expected == answer.status_code, answer.text
    if expected == 401:
        assert_problem(answer, 401, "unauthorized")
    elif expected == 403:
        problem = assert_problem(answer, 403, "forbidden")
        needed = "read" if method == "GET" else "write"
        assert f"lacks the scope {needed!r}" in problem["detail"]


def test_a_token_of_a_municipality_gets_404_for_another_s_case_as_for_none(
    case_server: Server,
) -> None:
    case_id, head = opened(case_server, municipality="Lund")
    unknown = new_id()
    for path in ("/cases/{}", "/cases/{}/events"):
        theirs = case_server.client.get(path.format(case_id), headers=bearer("uppsala"))
        none = case_server.client.get(path.format(unknown), headers=bearer("uppsala"))
        problem = assert_problem(theirs, 404, "unknown-case")
        assert assert_problem(none, 404, "unknown-case") == json.loads(
            json.dumps(problem).replace(case_id, unknown)
        )
    # checked before If-Match: no 428 that would tell the case exists
    assert_problem(step(case_server, case_id, None, safety(), "uppsala"), 404, "unknown-case")
    assert_problem(step(case_server, case_id, head, safety(), "uppsala"), 404, "unknown-case")
    assert head == stored(case_server, case_id).head


def test_a_token_of_a_municipality_lists_and_opens_its_own_cases_only(
    case_server: Server,
) -> None:
    lund, _ = opened(case_server, municipality="Lund")
    own, _ = opened(case_server, municipality="Uppsala")
    seen = listed(case_server, "uppsala")
    assert own in {c["case_id"] for c in seen}
    assert {"Uppsala"} == {c["municipality"] for c in seen}
    assert [] == listed(case_server, "uppsala", municipality="Lund")
    assert lund not in {c["case_id"] for c in listed(case_server, "uppsala", stage="reported")}
    # a case opened without a municipality is the token's
    case_id = new_id()
    body = {key: value for key, value in report(case_id).items() if key != "municipality"}
    answer = case_server.client.post("/cases", json=body, headers={**JSON, **bearer("uppsala")})
    assert (201, "Uppsala") == (answer.status_code, answer.json()["municipality"])
    answer = open_case(case_server, new_id(), "uppsala", municipality="Lund")
    assert_problem(answer, 403, "forbidden")


def test_the_open_server_has_no_case_endpoints(open_server: Server) -> None:
    for method, path in CASE_ENDPOINTS:
        answer = open_server.client.request(method, path.format(case_id="case-1"))
        assert_problem(answer, 404)
    paths = open_server.client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/cases")]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/cases", {"GET", "HEAD", "POST"}),
        ("/cases/case-1", {"GET", "HEAD"}),
        ("/cases/case-1/events", {"GET", "HEAD", "POST"}),
    ],
)
def test_a_method_a_case_endpoint_does_not_take_is_405_allowing_every_one_it_takes(
    guarded_server: Server, path: str, allowed: set[str]
) -> None:
    """A path served for GET and for POST lists both in Allow, whichever method was sent."""
    for method in ("DELETE", "PUT", "PATCH", "OPTIONS"):
        answer = guarded_server.client.request(method, path, headers=bearer("all-scopes"))
        assert_problem(answer, 405)
        assert allowed == {m.strip() for m in answer.headers["allow"].split(",")}


# --- two writers --------------------------------------------------------------------------------


def post_step(client: httpx.Client, case_id: str, head: str, actor: str) -> httpx.Response:
    return client.post(
        f"/cases/{case_id}/events",
        json={"step": "reporter_informed", "on": REPORTED, "actor": actor},
        headers={**JSON, **bearer("all-scopes"), "If-Match": f'"{head}"'},
    )


def race(
    clients: list[httpx.Client], case_id: str, head: str, actors: list[str]
) -> list[httpx.Response]:
    """Each client sends a step on ``head`` at the same moment, from a thread of its own."""
    barrier = threading.Barrier(len(clients))
    answers: dict[int, httpx.Response] = {}

    def send(index: int) -> None:
        barrier.wait()
        answers[index] = post_step(clients[index], case_id, head, actors[index])

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [answers[index] for index in range(len(clients))]


def test_two_writers_on_one_head_one_gets_412_and_nothing_is_lost(case_server: Server) -> None:
    """Two clients (two connections) send a step on the same head at once, round after round:
    exactly one is recorded, the other gets 412 with the winner's head, sends its step again
    on that head, and in the end the history holds every step of both, in that order."""
    case_id, head = opened(case_server)
    clients = [httpx.Client(base_url=case_server.url, timeout=60) for _ in range(2)]
    recorded: list[str] = []
    try:
        for round_ in range(8):
            actors = [f"w0-{round_}", f"w1-{round_}"]
            answers = race(clients, case_id, head, actors)
            assert [200, 412] == sorted(a.status_code for a in answers), [a.text for a in answers]
            won = next(i for i, answer in enumerate(answers) if answer.status_code == 200)
            lost = 1 - won
            moved_to = answers[lost].json()["head"]
            assert etag(answers[won]) == moved_to
            again = post_step(clients[lost], case_id, moved_to, actors[lost])
            assert 200 == again.status_code, again.text
            recorded += [actors[won], actors[lost]]
            head = etag(again)
    finally:
        for client in clients:
            client.close()
    case = stored(case_server, case_id)
    assert head == case.head
    assert recorded == [event.actor for event in case.events[1:]]


# --- the log ------------------------------------------------------------------------------------


def test_the_log_holds_no_body_no_case_id_and_no_token(case_server: Server) -> None:
    case_id, head = opened(case_server, case_id=f"case-{SENTINEL}")
    step(case_server, case_id, head, {**safety(), "step": "closed", "reason": SENTINEL})
    step(case_server, case_id, head, {**safety(), "note": SENTINEL})
    head = etag(step(case_server, case_id, head, {**safety(), "step": "preliminary_started"}))
    body = {
        **safety(on="2026-11-12"),
        "step": "preliminary_decision",
        "submission": with_reasons(PRELIMINARY),
    }
    assert 200 == step(case_server, case_id, head, body).status_code
    case_server.client.get(f"/cases/{case_id}", headers=bearer("all-scopes"))
    time.sleep(0.2)  # the line is written once the answer is complete
    text = case_server.text()
    assert SENTINEL not in text
    assert "POST /cases/{case_id}/events 422" in text
    assert "token=all-scopes" in text


# --- a store that goes away ---------------------------------------------------------------------


def test_a_lost_database_connection_is_503_and_the_next_request_reconnects(
    postgres_server: str, tmp_path: Any
) -> None:
    """A PostgreSQL server that drops the worker's connection (a restart, a failover): the
    request that meets it is 503 with Retry-After, the next one opens the store again."""
    import psycopg

    import pgcluster
    from service import tokens_file

    schema = f"t_{uuid.uuid4().hex[:16]}"
    name = f"kb-{schema}"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    url = pgcluster.url_with_schema(postgres_server, schema) + f"&application_name={name}"
    tokens = tokens_file(tmp_path / "tokens.toml")
    server = Server(tmp_path / "server.log", "--tokens", str(tokens), "--store", url)
    try:
        case_id, head = opened(server)
        with psycopg.connect(postgres_server, autocommit=True) as connection:
            killed = connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s",
                (name,),
            ).fetchall()
        assert [(True,)] == killed
        answer = server.client.get(f"/cases/{case_id}", headers=bearer("read-only"))
        assert_problem(answer, 503, "store-unavailable")
        assert "1" == answer.headers["retry-after"]
        again = server.client.get(f"/cases/{case_id}", headers=bearer("read-only"))
        assert (200, head) == (again.status_code, etag(again))
        assert 200 == step(server, case_id, head, safety()).status_code
    finally:
        assert 0 == server.stop()
        with psycopg.connect(postgres_server, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")
    log = server.text()
    assert "the case store failed (unreachable)" in log
    assert "GET /cases/{case_id} 503" in log
    assert "Traceback" not in log
