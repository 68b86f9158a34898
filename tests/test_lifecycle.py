"""The assessment lifecycle: stages and steps, completing stages, the hash chain, JSON."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import event as note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from pydantic import ValidationError

import kindbehoeften
from kindbehoeften import ValidationReport, load_profile
from kindbehoeften._core.vocab import DECISIONS, OUTCOMES
from kindbehoeften._lifecycle.assessment import (
    ASSESSMENT_STAGES,
    EVENT_KINDS,
    EVENTS_SCHEMA_ID,
    GENESIS,
    Assessment,
    Event,
    ExtensionData,
    events_schema,
    from_plain,
)
from kindbehoeften._lifecycle.events import PAYLOADS, canonical
from kindbehoeften._lifecycle.machine import (
    _EVENT_LIST,
    _body,
    _canonical_and_body,
    _sha256,
    verified,
    verified_plain,
)
from kindbehoeften.errors import (
    IncompleteAssessmentError,
    IntegrityError,
    InvalidArgumentError,
    InvalidEventError,
    KindbehoeftenError,
    TransitionError,
)
from strategies import (
    LIFECYCLE_KINDS,
    assessments,
    bad_stage_submissions,
    decided,
    event_times,
    lifecycle_data,
    lifecycle_texts,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DAY = dt.date(2026, 2, 9)
UTC = dt.UTC


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return document


PRELIMINARY = example("triangle.preliminary.valid.json")
FULL = example("triangle.full.valid.json")
PLAN = example("triangle.plan.valid.json")
FORM_OF = {
    "preliminary_decision": "triangle.preliminary",
    "full_assessment_completed": "triangle.full",
    "plan_adopted": "triangle.plan",
}
VALID_DATA: dict[str, dict[str, Any]] = {
    "preliminary_decision": {"outcome": "close", "submission": decided(PRELIMINARY, "close")},
    "full_assessment_completed": {
        "decision": "no_measures",
        "submission": decided(FULL, "no_measures"),
    },
    "plan_adopted": {"submission": PLAN},
    "extension_granted": {
        "rule": "investigation",
        "new_due_on": dt.date(2026, 9, 1),
        "reason": "Waiting for the child psychiatry report",
    },
    "closed": {"reason": "moved"},
    "reopened": {"reporter": "parent", "anonymous": False},
    "report_received": {"reporter": "relative", "anonymous": False},  # on an open case
    "placement_started": {"kind": "kinship", "compulsory": False},
    "court_application": {"kind": "court"},
    "decision_by_court": {"kind": "board", "outcome": "granted"},
    "transferred": {"municipality": "1480"},
}
SCHEMA_VALIDATOR = jsonschema.Draft202012Validator(events_schema())


def new_case(**changes: Any) -> Assessment:
    arguments: dict[str, Any] = {
        "case_id": "case-1",
        "jurisdiction": "SE",
        "on": DAY,
        "actor": "worker-7",
        "reporter": "professional",
    }
    return Assessment.report(**(arguments | changes))


def steps(assessment: Assessment, *script: tuple[str, dict[str, Any]]) -> Assessment:
    for kind, data in script:
        assessment = assessment.apply(kind, DAY, "worker-7", **data)
    return assessment


START = ("preliminary_started", {})
OPEN = (
    "preliminary_decision",
    {"outcome": "open_full_assessment", "submission": decided(PRELIMINARY, "open_full_assessment")},
)
OPENED = ("full_assessment_opened", {})
PROTECT = ("emergency_protection", {})
CONFIRM = ("emergency_confirmed", {})
TO_FULL = (START, OPEN, OPENED)
TO_SUPPORT = (
    *TO_FULL,
    ("full_assessment_completed", {"decision": "support", "submission": decided(FULL, "support")}),
)
CLOSE = ("preliminary_decision", {"outcome": "close", "submission": decided(PRELIMINARY, "close")})

# name: (assessment, its stage, the steps allowed in it)
SCENARIOS: dict[str, tuple[Callable[[], Assessment], str, tuple[str, ...]]] = {
    "reported": (
        lambda: new_case(),
        "reported",
        (
            "report_received",
            "safety_assessed",
            "preliminary_started",
            "reporter_informed",
            "extension_granted",
            "placement_started",
            "emergency_protection",
            "court_application",
            "decision_by_court",
            "child_heard",
            "transferred",
            "closed",
        ),
    ),
    "reported-anonymously": (
        lambda: new_case(reporter="anonymous"),
        "reported",
        (
            "report_received",
            "safety_assessed",
            "preliminary_started",
            "extension_granted",
            "placement_started",
            "emergency_protection",
            "court_application",
            "decision_by_court",
            "child_heard",
            "transferred",
            "closed",
        ),
    ),
    "reported-in-emergency": (
        lambda: steps(new_case(), PROTECT),
        "reported",
        (
            "report_received",
            "safety_assessed",
            "preliminary_started",
            "reporter_informed",
            "full_assessment_opened",
            "extension_granted",
            "placement_started",
            "emergency_confirmed",
            "court_application",
            "decision_by_court",
            "child_heard",
            "transferred",
            "closed",
        ),
    ),
    "preliminary": (
        lambda: steps(new_case(), START),
        "preliminary",
        (
            "report_received",
            "safety_assessed",
            "preliminary_decision",
            "reporter_informed",
            "extension_granted",
            "placement_started",
            "emergency_protection",
            "court_application",
            "decision_by_court",
            "child_heard",
            "transferred",
        ),
    ),
    "preliminary-after-emergency": (
        lambda: steps(new_case(), START, PROTECT, CONFIRM),
        "preliminary",
        (
            "report_received",
            "safety_assessed",
            "preliminary_decision",
            "reporter_informed",
            "full_assessment_opened",
            "extension_granted",
            "placement_started",
            "emergency_protection",
            "court_application",
            "decision_by_court",
            "child_heard",
            "transferred",
        ),
    ),
    "preliminary-decided-to-open": (
        lambda: steps(new_case(), START, OPEN),
        "preliminary",
        (
            "report_received",
            "safety_assessed",
            "reporter_informed",
            "full_assessment_opened",
            "extension_granted",
            "placement_started",
            "emergency_protection",
            "court_application",
            "decision_by_court",
            "child_heard",
            "transferred",
            "closed",
        ),
    ),
    "full-assessment": (
        lambda: steps(new_case(), *TO_FULL),
        "full_assessment",
        (
            "report_received",
            "safety_assessed",
            "reporter_informed",
            "extension_granted",
            "full_assessment_completed",
            "placement_started",
            "emergency_protection",
            "court_application",
            "decision_by_court",
            "child_heard",
            "transferred",
            "closed",
        ),
    ),
    "full-assessment-in-emergency": (
        lambda: steps(new_case(), *TO_FULL, PROTECT),
        "full_assessment",
        (
            "report_received",
            "safety_assessed",
            "reporter_informed",
            "extension_granted",
            "full_assessment_completed",
            "placement_started",
            "emergency_confirmed",
            "court_application",
            "decision_by_court",
            "child_heard",
            "transferred",
            "closed",
        ),
    ),
    "support": (
        lambda: steps(new_case(), *TO_SUPPORT),
        "support",
        (
            "report_received",
            "safety_assessed",
            "reporter_informed",
            "full_assessment_opened",
            "extension_granted",
            "plan_adopted",
            "support_started",
            "placement_started",
            "emergency_protection",
            "court_application",
            "decision_by_court",
            "child_heard",
            "transferred",
            "closed",
        ),
    ),
    "light-support": (
        lambda: steps(
            new_case(),
            START,
            (
                "preliminary_decision",
                {"outcome": "light_support", "submission": decided(PRELIMINARY, "light_support")},
            ),
        ),
        "support",
        (
            "report_received",
            "safety_assessed",
            "reporter_informed",
            "full_assessment_opened",
            "extension_granted",
            "plan_adopted",
            "support_started",
            "placement_started",
            "emergency_protection",
            "court_application",
            "decision_by_court",
            "child_heard",
            "transferred",
            "closed",
        ),
    ),
    "support-started": (
        lambda: steps(new_case(), *TO_SUPPORT, ("support_started", {})),
        "support",
        (
            "report_received",
            "safety_assessed",
            "reporter_informed",
            "full_assessment_opened",
            "extension_granted",
            "plan_adopted",
            "support_started",
            "review_held",
            "placement_started",
            "emergency_protection",
            "court_application",
            "decision_by_court",
            "child_heard",
            "transferred",
            "closed",
        ),
    ),
    "closed": (
        lambda: steps(new_case(), START, CLOSE),
        "closed",
        (
            "reporter_informed",
            "reopened",
        ),
    ),
    "closed-anonymous": (
        lambda: steps(new_case(reporter="anonymous"), START, CLOSE),
        "closed",
        ("reopened",),
    ),
    "reopened": (
        lambda: steps(new_case(), START, CLOSE, ("reopened", VALID_DATA["reopened"])),
        "reported",
        (
            "report_received",
            "safety_assessed",
            "preliminary_started",
            "reporter_informed",
            "extension_granted",
            "placement_started",
            "emergency_protection",
            "court_application",
            "decision_by_court",
            "child_heard",
            "transferred",
            "closed",
        ),
    ),
}

ALLOWED = [
    pytest.param(name, kind, id=f"{name}-{kind}")
    for name, (_, _, allowed) in SCENARIOS.items()
    for kind in allowed
]
REFUSED = [
    pytest.param(name, kind, id=f"{name}-{kind}")
    for name, (_, _, allowed) in SCENARIOS.items()
    for kind in (*EVENT_KINDS, "no_such_step")
    if kind not in allowed
]


# --- stages and steps --------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_stage_allows_the_steps_of_the_table(name: str) -> None:
    make, stage, allowed = SCENARIOS[name]
    assessment = make()
    assert (stage, allowed) == (assessment.stage, assessment.allowed_steps())


def _extension_of_a_running_clock(case: Assessment) -> dict[str, Any] | None:
    """An extension ``apply`` accepts: of an extendable clock running in ``case``, by a day."""
    profile = load_profile(case.jurisdiction)
    for deadline in case.deadlines(DAY):
        if deadline.status in ("pending", "overdue") and profile.rule(deadline.rule).extendable:
            new_due_on = deadline.due_on + dt.timedelta(days=1)
            return {"rule": deadline.rule, "new_due_on": new_due_on, "reason": "more time"}
    return None


@pytest.mark.parametrize(("name", "kind"), ALLOWED)
def test_an_allowed_step_is_recorded_as_a_new_event(name: str, kind: str) -> None:
    before = SCENARIOS[name][0]()
    data = VALID_DATA.get(kind, {})
    if kind == "extension_granted":
        extension = _extension_of_a_running_clock(before)
        if extension is None:  # allowed in the stage, but the case runs no clock to extend
            with pytest.raises(InvalidEventError) as caught:
                before.apply(kind, DAY, "worker-8", **data)
            assert caught.value.problems[0][0] == "data.rule"
            return
        data = extension
    after = before.apply(kind, DAY, "worker-8", **data)
    assert before.events == after.events[:-1]
    last = after.events[-1]
    assert (kind, len(after.events), "worker-8") == (last.kind, last.seq, last.actor)
    assert before.head == last.prev
    assert after == Assessment.from_events(after.events)


@pytest.mark.parametrize(("name", "kind"), REFUSED)
def test_a_step_the_stage_does_not_allow_raises_and_changes_nothing(name: str, kind: str) -> None:
    make, stage, allowed = SCENARIOS[name]
    assessment = make()
    text = assessment.to_json()
    data = VALID_DATA.get(kind, {}) if kind != "report_received" else {}
    with pytest.raises(TransitionError) as caught:
        assessment.apply(kind, DAY, "worker-8", **data)
    assert (stage, kind, allowed) == (caught.value.stage, caught.value.step, caught.value.allowed)
    assert f"stage {stage!r}" in str(caught.value)
    assert ", ".join(allowed) in str(caught.value)
    assert text == assessment.to_json()


def test_a_transition_error_names_the_stage_and_the_allowed_steps() -> None:
    assessment = steps(new_case(), START)
    with pytest.raises(TransitionError) as caught:
        assessment.adopt_plan(PLAN, DAY, "worker-7")
    expected = (
        "cannot record 'plan_adopted' in stage 'preliminary'. Allowed now: report_received, "
        "safety_assessed, preliminary_decision, reporter_informed, extension_granted, "
        "placement_started, emergency_protection, court_application, decision_by_court, "
        "child_heard, transferred."
    )
    assert expected == str(caught.value)


def test_a_transition_error_says_why_where_the_stage_does_not() -> None:
    with pytest.raises(TransitionError) as caught:
        new_case(reporter="anonymous").inform_reporter(DAY, "worker-7")
    expected = (
        "cannot record 'reporter_informed' in stage 'reported': the reports of this cycle "
        "were anonymous: there is no reporter to inform. Allowed now: report_received, "
        "safety_assessed, preliminary_started, extension_granted, placement_started, "
        "emergency_protection, court_application, decision_by_court, child_heard, "
        "transferred, closed."
    )
    assert expected == str(caught.value)


def test_transition_errors_are_value_errors_of_the_library() -> None:
    assert issubclass(TransitionError, KindbehoeftenError)
    assert issubclass(TransitionError, ValueError)


@pytest.mark.parametrize(
    ("outcome", "stage"),
    [
        ("close", "closed"),
        ("universal_support", "closed"),
        ("refer_other_service", "closed"),
        ("light_support", "support"),
        ("open_full_assessment", "preliminary"),
    ],
)
def test_the_preliminary_outcome_decides_the_next_stage(outcome: str, stage: str) -> None:
    assessment = steps(new_case(), START).decide_preliminary(
        outcome, decided(PRELIMINARY, outcome), DAY, "worker-7"
    )
    assert stage == assessment.stage
    assert outcome == assessment.events[-1].data.outcome  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("decision", "stage"),
    [
        ("no_measures", "closed"),
        ("refer_other_service", "closed"),
        ("support", "support"),
        ("placement", "support"),
    ],
)
def test_the_full_assessment_decision_decides_the_next_stage(decision: str, stage: str) -> None:
    assessment = steps(new_case(), *TO_FULL)
    assert (
        stage
        == assessment.complete_full_assessment(
            decision, decided(FULL, decision), DAY, "worker-7"
        ).stage
    )


def test_the_whole_lifecycle_through_the_step_methods() -> None:
    day = DAY
    case = Assessment.report(
        case_id="case-2",
        jurisdiction="NO",
        on=day,
        actor="w1",
        reporter="parent",
        municipality="0301",
        at=dt.datetime(2026, 2, 9, 9, 30, tzinfo=UTC),
    )
    case = case.assess_safety(day, "w1").start_preliminary(day, "w1")
    case = case.decide_preliminary(
        "open_full_assessment", decided(PRELIMINARY, "open_full_assessment"), day, "w1"
    )
    case = case.inform_reporter(day, "w1").open_full_assessment(day, "w2")
    case = case.grant_extension("investigation", dt.date(2026, 8, 9), "reason", day, "w2")
    case = case.complete_full_assessment(
        "placement", decided(FULL, "placement"), day, "w2"
    ).adopt_plan(PLAN, day, "w2")
    case = case.start_support(day, "w2").hold_review(day, "w2").hold_review(day, "w2")
    case = case.protect(day, "w2").confirm_protection(day, "w2").close("support_ended", day, "w2")
    assert ("case-2", "NO", "0301", "closed") == (
        case.case_id,
        case.jurisdiction,
        case.municipality,
        case.stage,
    )
    expected = [
        "report_received",
        "safety_assessed",
        "preliminary_started",
        "preliminary_decision",
        "reporter_informed",
        "full_assessment_opened",
        "extension_granted",
        "full_assessment_completed",
        "plan_adopted",
        "support_started",
        "review_held",
        "review_held",
        "emergency_protection",
        "emergency_confirmed",
        "closed",
    ]
    assert expected == [event.kind for event in case.events]
    assert list(range(1, 16)) == [event.seq for event in case.events]
    assert [GENESIS] + [event.hash for event in case.events[:-1]] == [
        event.prev for event in case.events
    ]


def test_an_assessment_is_immutable() -> None:
    case = new_case()
    with pytest.raises(AttributeError, match="immutable"):
        case.stage = "closed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del case.events  # type: ignore[misc]
    assert "reported" == case.stage


def test_an_assessment_copies_and_pickles_through_its_events() -> None:
    import pickle

    case = steps(new_case(), START, PROTECT)
    assert case == copy.copy(case) == copy.deepcopy(case) == pickle.loads(pickle.dumps(case))
    assert case.emergency_active == pickle.loads(pickle.dumps(case)).emergency_active


# --- completing a stage ------------------------------------------------------------------------


def invalid_submissions() -> list[Any]:
    cases = []
    for step, form in FORM_OF.items():
        others = [other for other in FORM_OF.values() if other != form]
        for label, submission, reason in [
            ("invalid", example(f"{form}.invalid.json"), "invalid"),
            ("draft", example(f"{form}.draft.json"), "draft"),
            ("wrong-form", example(f"{others[0]}.valid.json"), "wrong_form"),
            ("wrong-form-draft", example(f"{others[1]}.draft.json"), "wrong_form"),
            ("not-json", b'{"form": ', "invalid"),
            ("not-an-object", "[]", "invalid"),
            ("unknown-form", {"form": "nope", "form_version": "1.0.0"}, "invalid"),
        ]:
            cases.append(pytest.param(step, submission, reason, id=f"{step}-{label}"))
    return cases


def at_step(step: str) -> tuple[Assessment, dict[str, Any]]:
    if step == "preliminary_decision":
        return steps(new_case(), START), {"outcome": "close"}
    if step == "full_assessment_completed":
        return steps(new_case(), *TO_FULL), {"decision": "support"}
    return steps(new_case(), *TO_SUPPORT), {}


@pytest.mark.parametrize(("step", "submission", "reason"), invalid_submissions())
def test_completing_a_stage_needs_a_completed_valid_submission_of_its_form(
    step: str, submission: Any, reason: str
) -> None:
    assessment, data = at_step(step)
    with pytest.raises(IncompleteAssessmentError) as caught:
        assessment.apply(step, DAY, "worker-7", submission=submission, **data)
    error = caught.value
    assert (reason, step) == (error.reason, error.step)
    assert isinstance(error.report, ValidationReport)
    assert (reason == "invalid") == (not error.report.ok)
    if reason == "invalid":
        for code in {issue.code for issue in error.report.errors}:
            assert code in str(error)
    assert isinstance(submission, bytes | str) or not answers_in(submission, str(error))


def answers_in(submission: dict[str, Any], message: str) -> list[str]:
    """Text answers (of 4 characters or more) that a message shows."""
    found = []
    stack: list[Any] = [submission.get("answers", {})]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and len(value) >= 4 and value in message:
            found.append(value)
    return found


def test_an_invalid_submission_is_reported_by_its_codes() -> None:
    assessment = steps(new_case(), START)
    submission = copy.deepcopy(PRELIMINARY)
    del submission["answers"]["decision"]["decision"]["reasons"]
    del submission["answers"]["decision"]["decision"]["decided_on"]
    with pytest.raises(IncompleteAssessmentError) as caught:
        assessment.decide_preliminary("close", submission, DAY, "worker-7")
    expected = (
        "cannot record 'preliminary_decision': it needs a completed, valid submission of a "
        "'preliminary' form (such as triangle.preliminary), but the submission has 2 errors "
        "(required x2); the report's issues say where."
    )
    assert expected == str(caught.value)
    assert ["required", "required"] == [issue.code for issue in caught.value.report.issues]


@pytest.mark.parametrize("encode", [json.dumps, lambda d: json.dumps(d).encode("utf-8")])
def test_a_submission_may_be_json_text_or_bytes(encode: Callable[[Any], Any]) -> None:
    assessment = steps(new_case(), START).decide_preliminary(
        "close", encode(decided(PRELIMINARY, "close")), DAY, "worker-7"
    )
    data = assessment.events[-1].data
    assert ("triangle.preliminary", "1.0.0") == (data.form, data.form_version)  # type: ignore[union-attr]


def test_the_form_of_a_stage_comes_from_the_submission_only() -> None:
    assessment = steps(new_case(), START)
    with pytest.raises(InvalidEventError) as caught:
        assessment.apply(
            "preliminary_decision",
            DAY,
            "w",
            outcome="close",
            form="triangle.preliminary",
            form_version="1.0.0",
        )
    assert (("data.form", "from_submission"),) == caught.value.problems
    with pytest.raises(InvalidEventError) as caught:
        assessment.apply("preliminary_decision", DAY, "w", outcome="close")
    assert (("submission", "missing"),) == caught.value.problems


def test_the_digest_of_a_decision_comes_from_its_submission_only() -> None:
    """A digest given beside the submission is refused, not silently replaced."""
    assessment = steps(new_case(), START)
    with pytest.raises(InvalidEventError) as caught:
        assessment.apply(
            "preliminary_decision", DAY, "w", submission=PRELIMINARY, submission_digest="0" * 64
        )
    assert (("data.submission_digest", "from_submission"),) == caught.value.problems


# --- event data --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "arguments", "field", "code"),
    [
        ("closed", {"reason": "bored"}, "data.reason", "literal_error"),
        ("closed", {}, "data.reason", "missing"),
        ("safety_assessed", {"extra": 1}, "data.extra", "extra_forbidden"),
        ("extension_granted", {**VALID_DATA["extension_granted"], "rule": "No"}, "data.rule", ""),
        ("safety_assessed", {"on": dt.datetime(2026, 2, 9, tzinfo=UTC)}, "on", "value_error"),
        ("safety_assessed", {"on": "9 Feb 2026"}, "on", "value_error"),
        ("safety_assessed", {"at": dt.datetime(2026, 2, 9, 10)}, "at", "timezone_aware"),
        ("safety_assessed", {"at": 1770624000}, "at", "value_error"),
        ("safety_assessed", {"actor": ""}, "actor", "string_too_short"),
        ("safety_assessed", {"actor": "a\nb"}, "actor", "string_pattern_mismatch"),
        (
            "safety_assessed",
            {"at": dt.datetime(2026, 2, 9, tzinfo=dt.timezone(dt.timedelta(seconds=30)))},
            "at",
            "value_error",
        ),
        ("reopened", {"reporter": "anonymous", "anonymous": False}, "data", "value_error"),
        ("reopened", {"reporter": "parent", "anonymous": 1}, "data.anonymous", "bool_type"),
    ],
)
def test_data_that_does_not_fit_the_step_raises_invalid_event(
    kind: str, arguments: dict[str, Any], field: str, code: str
) -> None:
    assessment = steps(new_case(), START, CLOSE) if kind == "reopened" else new_case()
    call: dict[str, Any] = {"on": DAY, "actor": "w"} | arguments
    with pytest.raises(InvalidEventError) as caught:
        assessment.apply(kind, **call)
    assert field in [where for where, _ in caught.value.problems]
    assert not code or code in [what for _, what in caught.value.problems]


def test_a_free_text_reason_never_shows_in_a_message() -> None:
    secret = "The father drinks " * 200  # too long
    with pytest.raises(InvalidEventError) as caught:
        new_case().grant_extension("investigation", DAY, secret, DAY, "w")
    assert "father" not in str(caught.value)
    assert ("data.reason", "string_too_long") in caught.value.problems


def test_the_overview_says_where_the_case_stands_without_answers_or_free_text() -> None:
    case = new_case(municipality="0180").start_preliminary(DAY, "w")
    case = case.grant_extension("preliminary", DAY + dt.timedelta(days=30), "secret", DAY, "w")
    today = DAY + dt.timedelta(days=3)
    overview = case.overview(today)
    assert {
        "case_id": "case-1",
        "jurisdiction": "SE",
        "municipality": "0180",
        "stage": "preliminary",
        "emergency_active": False,
        "placed": False,
        "head": case.head,
        "today": today.isoformat(),
        "allowed_steps": list(case.allowed_steps()),
    } == {key: value for key, value in overview.items() if key != "deadlines"}
    assert [d.to_dict() for d in case.deadlines(today)] == overview["deadlines"]
    assert "secret" not in json.dumps(overview)


def test_an_anonymous_reporter_is_anonymous_by_default() -> None:
    case = new_case(reporter="anonymous")
    assert case.events[0].data.anonymous  # type: ignore[union-attr]
    assert "reporter_informed" not in case.allowed_steps()
    assert "reporter_informed" in new_case(reporter="parent", anonymous=False).allowed_steps()
    assert "reporter_informed" not in new_case(reporter="parent", anonymous=True).allowed_steps()


def test_an_anonymous_reporter_cannot_be_named_not_anonymous() -> None:
    with pytest.raises(InvalidEventError) as caught:
        new_case(reporter="anonymous", anonymous=False)
    assert (("data", "value_error"),) == caught.value.problems
    assert ("data: an anonymous reporter needs anonymous = true",) == caught.value.messages


def test_many_problems_are_counted_in_the_message() -> None:
    with pytest.raises(InvalidEventError) as caught:
        new_case().apply("safety_assessed", DAY, "w", a=1, b=2, c=3, d=4, e=5, f=6, g=7)
    assert 7 == len(caught.value.problems)
    assert 7 == len(caught.value.messages)
    assert str(caught.value).startswith(
        "invalid event 'safety_assessed': data.a is not part of this step's data; "
        "data.b is not part of this step's data; "
    )
    assert "; and 2 more. docs/lifecycle.md lists the data of each step." in str(caught.value)


def test_a_reporter_outside_the_vocabulary_is_named_with_the_allowed_values() -> None:
    """Not pydantic's error name: the field, and the values it allows."""
    with pytest.raises(InvalidEventError) as caught:
        new_case(reporter="school")
    assert (("data.reporter", "literal_error"),) == caught.value.problems
    assert (
        "invalid event 'report_received': data.reporter must be one of: professional, parent, "
        "child, relative, anonymous, other. docs/lifecycle.md lists the data of each step."
    ) == str(caught.value)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(
            lambda case: case.close("bored", DAY, "w"),
            "data.reason must be one of: no_concern, referred, support_ended, moved, other",
            id="close-reason",
        ),
        pytest.param(
            lambda case: steps(case, START).decide_preliminary(
                "maybe",  # type: ignore[arg-type]
                PRELIMINARY,
                DAY,
                "w",
            ),
            "data.outcome must be one of: close, universal_support, light_support, "
            "refer_other_service, open_full_assessment",
            id="outcome",
        ),
        pytest.param(
            lambda case: steps(case, *TO_FULL).complete_full_assessment(
                "maybe",  # type: ignore[arg-type]
                FULL,
                DAY,
                "w",
            ),
            "data.decision must be one of: no_measures, support, placement, refer_other_service",
            id="decision",
        ),
        pytest.param(
            lambda case: steps(case, START, CLOSE).reopen(DAY, "w", "neighbour"),
            "data.reporter must be one of: professional, parent, child, relative, anonymous, other",
            id="reopen-reporter",
        ),
    ],
)
def test_a_step_value_outside_its_vocabulary_names_the_field_and_the_values(
    make: Callable[[Assessment], Assessment], message: str
) -> None:
    with pytest.raises(InvalidEventError) as caught:
        make(new_case())
    assert (message,) == caught.value.messages
    assert "literal_error" not in str(caught.value)


def test_mypy_refuses_a_step_value_outside_its_vocabulary(tmp_path: Path) -> None:
    """The step methods take the Literal types of the vocabularies, not ``str``."""
    from mypy import api

    code = """\
import datetime as dt
from kindbehoeften import Assessment
day = dt.date(2026, 2, 9)
case = Assessment.report(case_id="c", jurisdiction="se", on=day, actor="w", reporter="parent")
Assessment.report(case_id="c", jurisdiction="SE", on=day, actor="w", reporter="school")
case.close("bored", day, "w")
case.reopen(day, "w", "neighbour")
case.decide_preliminary("maybe", {}, day, "w")
case.complete_full_assessment("maybe", {}, day, "w")
case.first("nope")
case.close("moved", day, "w").reopen(day, "w", "relative").first("reopened")
"""
    (tmp_path / "steps.py").write_text(code, encoding="utf-8")
    out, _, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", os.devnull, str(tmp_path / "steps.py")]
    )
    lines = [line.split(":")[1] for line in out.splitlines() if ": error:" in line]
    assert ["5", "6", "7", "8", "9", "10"] == lines
    assert all("[arg-type]" in line for line in out.splitlines() if ": error:" in line)
    assert 1 == status


@pytest.mark.parametrize(
    ("arguments", "messages"),
    [
        pytest.param(
            {"on": "9 Feb 2026"}, ("on must be a date written as YYYY-MM-DD",), id="on-text"
        ),
        pytest.param(
            {"at": dt.datetime(2026, 2, 9, 10)},
            ("at must be a timezone-aware datetime",),
            id="at-naive",
        ),
        pytest.param({"actor": ""}, ("actor must not be empty",), id="actor-empty"),
        pytest.param(
            {"actor": "Anna\nSvensson"},
            ("actor must not hold control characters (such as a line break)",),
            id="actor-control",
        ),
        pytest.param(
            {"actor": 7, "extra": "x"},
            ("actor must be text", "data.extra is not part of this step's data"),
            id="type-and-extra",
        ),
    ],
)
def test_each_problem_has_a_sentence_without_the_value(
    arguments: dict[str, Any], messages: tuple[str, ...]
) -> None:
    call: dict[str, Any] = {"on": DAY, "actor": "w"} | arguments
    with pytest.raises(InvalidEventError) as caught:
        new_case().apply("safety_assessed", **call)
    assert messages == caught.value.messages
    assert "Svensson" not in str(caught.value)


def test_the_steps_that_need_a_submission_say_so_in_words() -> None:
    assessment = steps(new_case(), START)
    with pytest.raises(InvalidEventError) as caught:
        assessment.apply("preliminary_decision", DAY, "w", outcome="close")
    assert (
        "submission is missing: give a completed, valid submission of the 'preliminary' form",
    ) == caught.value.messages


def test_an_assessment_shows_its_case_stage_and_size() -> None:
    case = new_case().protect(DAY, "w")
    assert "<Assessment 'case-1' stage='reported' emergency_active=True events=2>" == repr(case)
    assert case != case.events
    assert case != new_case()


def test_an_unknown_jurisdiction_is_refused() -> None:
    with pytest.raises(kindbehoeften.UnknownJurisdictionError) as caught:
        new_case(jurisdiction="XX")
    assert ("XX", ("SE", "DK", "NO", "FI", "GB-ENG", "NL")) == (
        caught.value.jurisdiction,
        caught.value.known,
    )
    assert "GB-ENG" == new_case(jurisdiction="gb-eng").jurisdiction  # case does not matter


# --- emergency protection ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [name for name, (_, _, allowed) in SCENARIOS.items() if "emergency_protection" in allowed],
)
def test_emergency_protection_in_any_open_stage_keeps_the_stage(name: str) -> None:
    before = SCENARIOS[name][0]()
    protected = before.protect(DAY, "w")
    assert (before.stage, True) == (protected.stage, protected.emergency_active)
    assert "emergency_protection" not in protected.allowed_steps()
    confirmed = protected.confirm_protection(DAY, "w")
    assert (before.stage, False) == (confirmed.stage, confirmed.emergency_active)
    assert "emergency_confirmed" not in confirmed.allowed_steps()


def test_closing_ends_emergency_protection() -> None:
    closed = steps(new_case(), *TO_FULL, PROTECT).close("moved", DAY, "w")
    assert ("closed", False) == (closed.stage, closed.emergency_active)


def test_a_closed_case_is_reopened_before_emergency_protection() -> None:
    closed = steps(new_case(), START, CLOSE)
    with pytest.raises(TransitionError, match="reopen it on a new report first"):
        closed.protect(DAY, "w")
    protected = closed.reopen(DAY, "w", "relative").protect(DAY, "w")
    assert ("reported", True) == (protected.stage, protected.emergency_active)


def test_after_emergency_protection_a_full_assessment_opens_at_once() -> None:
    opened = steps(new_case(), PROTECT).open_full_assessment(DAY, "w")
    assert ("full_assessment", True) == (opened.stage, opened.emergency_active)
    with pytest.raises(TransitionError, match="open_full_assessment, or at once after emergency"):
        new_case().open_full_assessment(DAY, "w")


# --- cycles and milestones ---------------------------------------------------------------------


def test_reopening_starts_a_new_cycle() -> None:
    first = steps(new_case(), *TO_FULL, ("closed", {"reason": "moved"}))
    later = DAY + dt.timedelta(days=100)
    reopened = first.reopen(later, "w", "anonymous").start_preliminary(later, "w")
    assert ("preliminary", "SE", "case-1") == (
        reopened.stage,
        reopened.jurisdiction,
        reopened.case_id,
    )
    assert ["reopened", "preliminary_started"] == [e.kind for e in reopened.cycle_events()]
    assert (None, later) == (reopened.first("report_received"), reopened.first("reopened"))
    firsts = reopened.starts_and_ends().firsts
    expected = {"report_received": later, "reopened": later, "preliminary_started": later}
    assert expected == firsts  # deadlines from a report run from the new report
    assert "reporter_informed" not in reopened.allowed_steps()  # the new report is anonymous
    assert "preliminary_decision" in reopened.allowed_steps()  # decided again in this cycle


def test_starts_and_ends_give_the_first_dates_and_the_extensions_of_the_cycle() -> None:
    day = [DAY + dt.timedelta(days=n) for n in range(10)]
    case = new_case(on=day[0]).assess_safety(day[1], "w").start_preliminary(day[1], "w")
    case = case.decide_preliminary(
        "open_full_assessment", decided(PRELIMINARY, "open_full_assessment"), day[2], "w"
    )
    case = case.open_full_assessment(day[3], "w")
    case = case.grant_extension("investigation", dt.date(2026, 7, 1), "r", day[4], "w")
    case = case.grant_extension("investigation", dt.date(2026, 8, 1), "r", day[5], "w")
    with pytest.raises(InvalidEventError) as unknown:  # not a rule of the Swedish profile
        case.grant_extension("interim", dt.date(2026, 6, 1), "r", day[5], "w")
    assert (("data.rule", "unknown_rule"),) == unknown.value.problems
    assert (
        "data.rule must be one of the SE profile's rules: safety_assessment, preliminary, "
        "investigation, support_delivery, placement_review, emergency_confirmation, "
        "care_application",
    ) == unknown.value.messages
    with pytest.raises(InvalidEventError) as met:  # its clock was met: nothing to extend
        case.grant_extension("preliminary", dt.date(2026, 6, 1), "r", day[5], "w")
    assert (("data.rule", "not_running"),) == met.value.problems
    with pytest.raises(InvalidEventError) as fixed:  # a rule that may not be extended
        new_case(on=day[0]).grant_extension("safety_assessment", day[3], "r", day[0], "w")
    assert (("data.new_due_on", "not_allowed"),) == fixed.value.problems
    [why] = fixed.value.messages
    assert why.startswith("data.new_due_on is not allowed: rule 'safety_assessment' ")
    assert why.endswith(
        "cannot be extended under "
        + load_profile("SE").rule("safety_assessment").basis
        + "; remove its extension"
    )
    case = case.protect(day[6], "w").confirm_protection(day[7], "w").protect(day[8], "w")
    firsts, extensions = case.starts_and_ends()
    assert {
        "report_received": day[0],
        "safety_assessed": day[1],
        "preliminary_started": day[1],
        "preliminary_decision": day[2],
        "full_assessment_opened": day[3],
        "extension_granted": day[4],
        "emergency_protection": day[6],
        "emergency_confirmed": day[7],
    } == firsts
    assert {"investigation": dt.date(2026, 8, 1)} == extensions
    (investigation,) = [item for item in case.deadlines() if item.rule == "investigation"]
    assert (True, dt.date(2026, 8, 1)) == (investigation.extended, investigation.due_on)
    assert (day[6], day[8]) == (
        case.first("emergency_protection"),
        case.last("emergency_protection"),
    )
    assert case.first("closed") is None
    with pytest.raises(InvalidArgumentError) as caught:
        case.first("nope")  # type: ignore[arg-type]
    assert "kind" == caught.value.argument


# --- dates -------------------------------------------------------------------------------------


def test_an_event_dated_before_the_last_one_is_refused() -> None:
    case = new_case().start_preliminary(DAY + dt.timedelta(days=2), "w")
    with pytest.raises(TransitionError) as caught:
        case.assess_safety(DAY + dt.timedelta(days=1), "w")
    expected = (
        "cannot record 'safety_assessed' in stage 'preliminary': it is dated 2026-02-10, "
        "before the last event (2026-02-11); give a date on or after that one. Allowed now: "
        "report_received, safety_assessed, preliminary_decision, reporter_informed, "
        "extension_granted, placement_started, emergency_protection, court_application, "
        "decision_by_court, child_heard, transferred."
    )
    assert expected == str(caught.value)
    assert 2 == len(case.assess_safety(DAY + dt.timedelta(days=2), "w").events) - 1


def test_an_event_timed_before_an_earlier_one_is_refused() -> None:
    noon = dt.datetime(2026, 2, 9, 12, tzinfo=UTC)
    case = new_case(at=noon).assess_safety(DAY, "w")  # no time: fine
    with pytest.raises(TransitionError, match="times never go backwards"):
        case.start_preliminary(DAY, "w", at=noon - dt.timedelta(minutes=1))
    later = noon.astimezone(dt.timezone(dt.timedelta(hours=1)))  # the same instant
    assert later == case.start_preliminary(DAY, "w", at=later).events[-1].at


# --- storing and loading -----------------------------------------------------------------------


def rich_history() -> Assessment:
    case = new_case(
        case_id='dossier "7"/é😀',
        municipality="Göteborg",
        at=dt.datetime(2026, 2, 9, 8, 5, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    )
    case = steps(case, *TO_FULL)
    case = case.grant_extension(
        "investigation", dt.date(2026, 9, 1), 'Wait for "BUP"\nreport; ø\\', DAY, "w"
    )
    return case.complete_full_assessment("support", decided(FULL, "support"), DAY, "w").close(
        "other", DAY, "w"
    )


def test_the_json_round_trip_is_exact() -> None:
    case = rich_history()
    text = case.to_json()
    loaded = Assessment.from_json(text)
    assert case == loaded
    assert text == loaded.to_json()
    assert text == Assessment.from_json(text.encode("utf-8")).to_json()
    assert json.loads(text) == case.to_dict()
    assert case == Assessment.from_dict(json.loads(text))
    assert hash(case) == hash(loaded)


def test_the_stored_document_has_the_schema_id_the_case_and_the_events() -> None:
    document = new_case().to_dict()
    assert [EVENTS_SCHEMA_ID, "case-1"] == [document["$schema"], document["case_id"]]
    (event,) = document["events"]
    assert {
        "seq": 1,
        "kind": "report_received",
        "on": "2026-02-09",
        "at": None,
        "actor": "worker-7",
        "data": {
            "case_id": "case-1",
            "jurisdiction": "SE",
            "reporter": "professional",
            "anonymous": False,
            "municipality": None,
        },
        "prev": GENESIS,
        "hash": event["hash"],
    } == event


def test_the_hash_is_the_sha256_of_the_canonical_json_without_the_hash() -> None:
    import hashlib

    case = rich_history()
    for event in case.to_dict()["events"]:
        body = {key: value for key, value in event.items() if key != "hash"}
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert event["hash"] == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_from_events_takes_events_or_dicts() -> None:
    case = rich_history()
    assert case == Assessment.from_events(case.events)
    assert case == Assessment.from_events(case.to_dict()["events"])
    assert case == Assessment(case.events, head=case.head)


def test_an_empty_history_is_an_error() -> None:
    with pytest.raises(IntegrityError) as caught:
        Assessment.from_events([])
    assert ("empty", None) == (caught.value.code, caught.value.seq)


def test_a_history_starts_with_its_report() -> None:
    event = Event.create(seq=1, kind="safety_assessed", on=DAY, actor="w", prev=GENESIS)
    with pytest.raises(TransitionError) as caught:
        Assessment.from_events([event])
    assert (None, ("report_received",)) == (caught.value.stage, caught.value.allowed)


def test_an_illegal_history_with_an_intact_chain_raises_transition_error() -> None:
    case = new_case()
    event = Event.create(
        seq=2,
        kind="plan_adopted",
        on=DAY,
        actor="w",
        prev=case.head,
        data={"form": "triangle.plan", "form_version": "1.0.0"},
    )
    with pytest.raises(TransitionError) as caught:
        Assessment.from_events([*case.events, event])
    assert ("reported", "plan_adopted") == (caught.value.stage, caught.value.step)


def tampered(change: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    document = rich_history().to_dict()
    change(document)
    return document


def set_in(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target: Any = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "code", "seq"),
    [
        (set_in(("events", 2, "on"), "2026-02-08"), "hash", 3),
        (set_in(("events", 4, "data", "reason"), "Other"), "hash", 5),
        (set_in(("events", 0, "data", "jurisdiction"), "DK"), "hash", 1),
        (set_in(("events", 1, "hash"), "1" * 64), "hash", 2),
        (set_in(("events", 3, "prev"), GENESIS), "prev", 4),
        (set_in(("events", 3, "seq"), 5), "seq", 4),
        (set_in(("events", 3, "seq"), 4.0), "invalid_event", 4),
        (set_in(("events", 1, "hash"), "A" * 64), "invalid_event", 2),
        (set_in(("events", 2, "extra"), 1), "invalid_event", 3),
        (set_in(("events", 0, "at"), "2026-02-09T07:05:00+00:00"), "not_canonical", 1),
        (set_in(("events", 0, "at"), "2026-02-09 08:05:00+01:00"), "not_canonical", 1),
        (lambda d: d["events"].pop(2), "seq", 3),
        (lambda d: d["events"].insert(0, d["events"][0]), "seq", 2),
        (lambda d: d["events"].reverse(), "seq", 1),
        (lambda d: d["events"].clear(), "empty", None),
        (lambda d: d["events"].__setitem__(1, "x"), "invalid_event", 2),
        (set_in(("case_id",), "case-2"), "case_id", None),
        (set_in(("$schema",), "urn:other"), "not_a_history", None),
        (set_in(("events",), {}), "not_a_history", None),
        (lambda d: d.pop("case_id"), "not_a_history", None),
    ],
)
def test_a_changed_history_fails_to_load_naming_the_first_bad_event(
    change: Callable[[dict[str, Any]], Any], code: str, seq: int | None
) -> None:
    document = tampered(change)
    with pytest.raises(IntegrityError) as caught:
        Assessment.from_dict(document)
    assert (code, seq) == (caught.value.code, caught.value.seq)


TAMPERINGS = [
    set_in(("events", 2, "on"), "2026-02-08"),
    set_in(("events", 4, "data", "reason"), "Other"),
    set_in(("events", 0, "data", "jurisdiction"), "DK"),
    set_in(("events", 1, "hash"), "1" * 64),
    set_in(("events", 3, "prev"), GENESIS),
    set_in(("events", 3, "seq"), 5),
    set_in(("events", 3, "seq"), 4.0),
    set_in(("events", 3, "seq"), True),
    set_in(("events", 0, "data", "anonymous"), 0),
    set_in(("events", 1, "hash"), "A" * 64),
    set_in(("events", 2, "extra"), 1),
    set_in(("events", 0, "at"), "2026-02-09T07:05:00+00:00"),
    set_in(("events", 0, "at"), "2026-02-09 08:05:00+01:00"),
    lambda d: d["events"][0].pop("at"),
    lambda d: d["events"].pop(2),
    lambda d: d["events"].pop(),
    lambda d: d["events"].insert(0, d["events"][0]),
    lambda d: d["events"].reverse(),
    lambda d: d["events"].__setitem__(1, d["events"][2]),
    lambda d: d["events"].clear(),
    lambda d: d["events"].__setitem__(1, "x"),
    set_in(("case_id",), "case-2"),
    set_in(("$schema",), "urn:other"),
    set_in(("events",), {}),
    lambda d: d.pop("case_id"),
]


@pytest.mark.parametrize("change", TAMPERINGS)
def test_a_history_read_a_list_at_a_time_is_what_from_dict_reads(
    change: Callable[[dict[str, Any]], Any],
) -> None:
    """from_plain (the events verified a list at a time) never accepts a history that
    from_dict refuses, and gives the same assessment where it accepts one."""
    document = tampered(change)
    try:
        expected: Any = Assessment.from_dict(copy.deepcopy(document))
    except KindbehoeftenError:
        expected = None
    try:
        found = from_plain(json.loads(json.dumps(document)))
    except TransitionError:
        found = None
    assert found is None or found == expected
    events = json.loads(json.dumps(document.get("events")))
    try:
        verdict: Any = verified(copy.deepcopy(events), None)
    except IntegrityError:
        verdict = None
    assert verified_plain(events) in (None, verdict)
    assert (verdict is None) <= (verified_plain(events) is None)


@settings(max_examples=60, deadline=None, database=None)
@given(assessments(max_steps=12))
def test_any_history_read_a_list_at_a_time_is_the_same_assessment(case: Assessment) -> None:
    document = json.loads(case.to_json())
    found = from_plain(document)
    assert found is not None
    assert case.events == found.events
    assert case._states == found._states
    assert case.events == verified_plain(document["events"])
    for item in document["events"]:
        body = {key: value for key, value in item.items() if key != "hash"}
        assert canonical(body) == _body(item)


def rechained(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events with each prev and hash made anew from their text as it is."""
    prev = GENESIS
    for item in events:
        item["prev"] = prev
        body = {key: value for key, value in item.items() if key != "hash"}
        item["hash"] = prev = _sha256(canonical(body))
    return events


def _dump_is_item(events: list[dict[str, Any]]) -> bool:
    """The rule verified_plain once checked with a dump of the whole list."""
    try:
        found = _EVENT_LIST.validate_python(copy.deepcopy(events))
    except ValidationError:
        return False
    return bool(_EVENT_LIST.dump_python(found, mode="json") == events)


# Another text of a value an event keeps (its hash made anew): read, it is the same event,
# but not the canonical JSON of it, unless its dump writes it so.
REWRITES = [
    lambda d: None,
    set_in(("events", 0, "at"), "2026-02-09T08:05+01:00"),
    set_in(("events", 0, "at"), "2026-02-09T08:05:00.000+01:00"),
    set_in(("events", 0, "at"), "2026-02-09T07:05:00Z"),
    set_in(("events", 0, "at"), "2026-02-09T07:05:00+00:00"),
    set_in(("events", 0, "at"), "2026-02-09t08:05:00+01:00"),
    set_in(("events", 1, "at"), "2026-02-09T08:05:00+01:00"),
    set_in(("events", 1, "at"), "2026-02-09T08:05:00.5+01:00"),
    set_in(("events", 0, "data", "municipality"), None),
    lambda d: d["events"][0]["data"].pop("municipality"),
    set_in(("events", 2, "data", "submission_digest"), None),
    lambda d: d["events"][2]["data"].pop("submission_digest"),
    set_in(("events", 2, "on"), "2026-02-09T00:00"),
    set_in(("events", 2, "on"), "20260209"),
    set_in(("events", 4, "data", "new_due_on"), "2026-09-01T00:00"),
    set_in(("events", 4, "data", "new_due_on"), "2026-09-01\n"),
    set_in(("events", 0, "data", "anonymous"), 0),
    set_in(("events", 1, "data"), {"x": None}),
]


@pytest.mark.parametrize("change", REWRITES)
def test_an_event_read_a_list_at_a_time_is_canonical_as_its_whole_dump_says(
    change: Callable[[dict[str, Any]], Any],
) -> None:
    """verified_plain compares each field with its dump instead of dumping the whole list:
    it accepts an event written another way (its hash made anew) exactly when the dump of
    the whole list is the list read, and then as verified does."""
    document = tampered(change)
    events = rechained(json.loads(json.dumps(document["events"])))
    try:
        verdict: Any = verified(copy.deepcopy(events), None)
    except IntegrityError:
        verdict = None
    found = verified_plain(copy.deepcopy(events))
    assert _dump_is_item(events) == (found is not None)
    assert found in (None, verdict)


def test_every_number_and_flag_of_an_event_is_strict() -> None:
    """verified_plain compares an event's dump with ``==``, which takes ``1`` for ``true`` and
    ``1.0``: only the same JSON when no field of an event takes one for the other."""
    from pydantic import Strict

    def strict(field: Any) -> bool:
        return any(isinstance(item, Strict) and item.strict for item in field.metadata)

    models = {Event, *PAYLOADS.values()}
    lax = [
        f"{model.__name__}.{name}"
        for model in models
        for name, field in model.model_fields.items()
        if field.annotation in (int, bool, float, int | None, bool | None) and not strict(field)
    ]
    assert [] == lax
    numbers = [
        f"{model.__name__}.{name}"
        for model in models
        for name, field in model.model_fields.items()
        if field.annotation in (int, bool)
    ]
    assert {"Event.seq", "ReportData.anonymous"} <= set(numbers)  # the check sees them


def test_an_integrity_error_says_what_to_do() -> None:
    document = tampered(set_in(("events", 4, "data", "reason"), "Other"))
    with pytest.raises(IntegrityError) as caught:
        Assessment.from_dict(document)
    expected = (
        "event 5 was changed: its hash does not match its content. Load the history exactly "
        "as it was stored: events are never edited, only appended."
    )
    assert expected == str(caught.value)


def test_removing_the_last_events_is_found_with_the_head() -> None:
    case = rich_history()
    assert case == Assessment.from_events(case.events, head=case.head)
    with pytest.raises(IntegrityError) as caught:
        Assessment.from_events(case.events[:-1], head=case.head)
    assert ("head", len(case.events) - 1) == (caught.value.code, caught.value.seq)
    assert case == Assessment.from_json(case.to_json(), head=case.head)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (b"\xff", "json_syntax"),
        ("{", "json_syntax"),
        ('{"a": 1, "a": 2}', "json_syntax"),
        ('{"a": NaN}', "json_syntax"),
        ("[" * 100_000, "json_syntax"),
        ("[]", "not_a_history"),
        ("null", "not_a_history"),
    ],
)
def test_text_that_is_not_a_history_raises_integrity_error(text: str | bytes, code: str) -> None:
    with pytest.raises(IntegrityError) as caught:
        Assessment.from_json(text)
    assert code == caught.value.code


HISTORY = rich_history()
HISTORY_BYTES = HISTORY.to_json().encode("utf-8")


def load_changed(data: bytes) -> None:
    """Every change is refused; one that only touched whitespace between JSON tokens loads
    with from_dict (the parsed history is the same) but not with from_json (the text is not)."""
    with pytest.raises(IntegrityError) as refused:
        Assessment.from_json(data)
    note(f"refused: {refused.value.code}")
    if refused.value.code == "text":
        assert HISTORY == Assessment.from_dict(json.loads(data))


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_changing_any_byte_of_a_stored_history_never_loads_another_history(
    data: st.DataObject,
) -> None:
    """Any byte, or one that keeps a string, a number or a hash well-formed."""
    position = data.draw(st.integers(min_value=0, max_value=len(HISTORY_BYTES) - 1), "position")
    byte = data.draw(
        st.integers(min_value=0, max_value=255) | st.sampled_from(b"0123456789abcdefAZ -:T\t"),
        "byte",
    )
    assume(byte != HISTORY_BYTES[position])
    changed = bytearray(HISTORY_BYTES)
    changed[position] = byte
    load_changed(bytes(changed))


def test_flipping_a_bit_of_any_byte_of_a_stored_history_is_detected() -> None:
    text = new_case().start_preliminary(DAY, "w").to_json().encode("utf-8")
    loaded = []
    for position in range(len(text)):
        changed = bytearray(text)
        changed[position] ^= 0x01  # whitespace becomes "!", "\x0b" or "\x0c": not JSON
        try:
            Assessment.from_json(bytes(changed))
        except IntegrityError:
            continue
        loaded.append(position)
    assert [] == loaded


def substitute(byte: int) -> int | None:
    """Another byte of the same class: a digit, a hex digit, a letter; else None."""
    char = chr(byte)
    if char.isdigit():
        return ord(str((int(char) + 1) % 10))
    if char in "abcdef":
        return ord("abcdef"[("abcdef".index(char) + 1) % 6])
    if char.isascii() and char.isalpha():
        return ord(char.swapcase())
    return None


def test_changing_any_letter_or_digit_of_a_stored_history_is_detected() -> None:
    """Mostly still JSON: the hash chain, not the parser, must find these."""
    codes = set()
    for position, byte in enumerate(HISTORY_BYTES):
        other = substitute(byte)
        if other is None:
            continue
        changed = bytearray(HISTORY_BYTES)
        changed[position] = other
        with pytest.raises(IntegrityError) as caught:
            Assessment.from_json(bytes(changed))
        codes.add(caught.value.code)
    assert {"hash", "prev", "invalid_event", "case_id", "not_a_history", "json_syntax"} <= codes


class _Text(str):
    """A str that says it equals anything: canonical JSON reads its characters."""

    __hash__ = str.__hash__

    def __eq__(self, other: object) -> bool:
        return True


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e,
        lambda e: dict(reversed(list(e.items()))),
        lambda e: e | {"hash": _Text(e["hash"])},
        lambda e: e | {"hash": _Text("0" * 64)},
        lambda e: e | {"hash": e["hash"].encode()},
        lambda e: e | {"hash": "0" * 64},
        lambda e: e | {"seq": True} if e["seq"] == 1 else e | {"seq": 1.0},
        lambda e: e | {"data": e["data"] | {"anonymous": 0}},
        lambda e: e | {"data": e["data"] | {"extra": float("nan")}},
        lambda e: e | {"data": e["data"] | {1: "x"}},
        lambda e: {key: value for key, value in e.items() if key != "at"},
        lambda e: e | {"at": None},
        lambda e: e | {"on": DAY},
        lambda e: e | {"on": "2026-02-09"},
        lambda e: e | {"actor": _Text("someone else")},
        lambda e: e | {"data": tuple(e["data"].items())},
        lambda e: _Mapping(e),
    ],
)
def test_an_event_dict_is_canonical_and_hashed_as_its_whole_text_says(
    change: Callable[[dict[str, Any]], Any],
) -> None:
    # verified() checks a dict's canonical text without hash and its hash apart: the verdict
    # and the hash are those of comparing the whole texts and of Event.content_hash().
    for original in HISTORY.to_dict()["events"]:
        item = change(copy.deepcopy(original))
        event = HISTORY.events[original["seq"] - 1]
        try:
            whole = canonical(item) == canonical(event.model_dump(mode="json"))
        except (TypeError, ValueError):
            whole = None
        try:
            same, body = _canonical_and_body(item, event)
        except (TypeError, ValueError):
            same, body = None, None
        assert same == whole
        if body is not None:
            assert _sha256(body) == event.content_hash()


class _Mapping(dict[str, Any]):
    """A dict subclass: compared whole, as any mapping that is not a plain dict."""


def test_dicts_must_be_json_ready() -> None:
    event = new_case().to_dict()["events"][0]
    with pytest.raises(IntegrityError) as caught:
        Assessment.from_events([event | {"on": DAY}])
    assert ("not_canonical", 1) == (caught.value.code, caught.value.seq)
    with pytest.raises(IntegrityError) as caught:
        Assessment.from_events(json.dumps([event]))  # type: ignore[arg-type]
    assert "not_a_history" == caught.value.code
    assert new_case() == Assessment.from_events([Event.model_validate(event | {"on": DAY})])


# --- the schema --------------------------------------------------------------------------------


def test_the_events_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = events_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert ("https://json-schema.org/draft/2020-12/schema", EVENTS_SCHEMA_ID) == (
        schema["$schema"],
        schema["$id"],
    )
    schema["title"] = "changed"
    assert "changed" != events_schema()["title"]  # a copy each time


def test_the_schema_checks_the_data_of_each_kind() -> None:
    document = rich_history().to_dict()
    assert SCHEMA_VALIDATOR.is_valid(document)
    document["events"][5]["data"] = {"reason": "bored"}
    assert not SCHEMA_VALIDATOR.is_valid(document)
    document["events"][5]["data"] = {}
    assert not SCHEMA_VALIDATOR.is_valid(document)


@pytest.mark.parametrize(
    "at", ["2026-02-09T07:05:00+00:00", "2026-02-09T07:05:00.5Z", "2026-02-09t07:05:00Z"]
)
def test_the_schema_cannot_see_a_value_written_otherwise_and_loading_refuses_it(at: str) -> None:
    """As docs/lifecycle.md says: an instant the library writes with "Z" and six digits of a
    fraction fits the schema when written otherwise (and hashed again), but does not load."""
    import hashlib

    document = rich_history().to_dict()
    previous = document["events"][0]["prev"]
    for number, event in enumerate(document["events"]):
        if number == 1:
            event["at"] = at
        event["prev"] = previous
        body = {key: value for key, value in event.items() if key != "hash"}
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        event["hash"] = previous = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert SCHEMA_VALIDATOR.is_valid(document)
    with pytest.raises(IntegrityError) as caught:
        Assessment.from_dict(document)
    assert ("not_canonical", 2) == (caught.value.code, caught.value.seq)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assessments())
def test_every_history_round_trips_and_fits_the_schema(assessment: Assessment) -> None:
    text = assessment.to_json()
    SCHEMA_VALIDATOR.validate(json.loads(text))
    assert assessment == Assessment.from_json(text)
    assert text == Assessment.from_json(text).to_json()
    assert assessment.stage in ASSESSMENT_STAGES


# --- random walks ------------------------------------------------------------------------------


class LifecycleMachine(RuleBasedStateMachine):
    """Random sequences of allowed and refused steps on one assessment."""

    def __init__(self) -> None:
        super().__init__()
        self.assessment = new_case()
        self.last_at: dt.datetime | None = None

    @initialize(case=assessments(max_steps=0))
    def start(self, case: Assessment) -> None:
        self.assessment = case
        self.last_at = case.events[0].at

    def today(self, gap: int) -> dt.date:
        return self.assessment.events[-1].on + dt.timedelta(days=gap)

    def attempt(
        self,
        kind: str,
        on: dt.date,
        data: dict[str, Any],
        error: type[Exception] | None,
        at: dt.datetime | None = None,
    ) -> None:
        before = self.assessment
        text = before.to_json()
        if error is None and kind == "extension_granted":
            # Drawn extensions are of any rule and date: the profile refuses most of them.
            try:
                after = before.apply(kind, on, "actor", at=at, **data)
            except InvalidEventError as refused:
                fields = {field for field, _ in refused.problems}
            else:
                fields = set()
            if fields:
                assert {"data.rule", "data.new_due_on"} >= fields
                assert text == before.to_json()
                return
        elif error is None:
            after = before.apply(kind, on, "actor", at=at, **data)
        if error is None:
            assert before.events == after.events[:-1]
            assert kind == after.events[-1].kind
            self.assessment = after
            self.last_at = at or self.last_at
            return
        with pytest.raises(error):
            before.apply(kind, on, "actor", at=at, **data)
        assert text == before.to_json()
        assert before == Assessment.from_json(text)

    @rule(kind=st.sampled_from(LIFECYCLE_KINDS), gap=st.integers(0, 20), data=st.data())
    def any_step(self, kind: str, gap: int, data: st.DataObject) -> None:
        on = self.today(gap)
        arguments = data.draw(lifecycle_data(kind))
        allowed = kind in self.assessment.allowed_steps()
        self.attempt(kind, on, arguments, None if allowed else TransitionError)

    @rule(gap=st.integers(0, 20), data=st.data())
    def allowed_step(self, gap: int, data: st.DataObject) -> None:
        kind = data.draw(st.sampled_from(self.assessment.allowed_steps()))
        on = self.today(gap)
        at = data.draw(event_times(on, self.last_at))
        self.attempt(kind, on, data.draw(lifecycle_data(kind)), None, at)

    @rule(gap=st.integers(1, 400), data=st.data())
    def step_back_in_time(self, gap: int, data: st.DataObject) -> None:
        kind = data.draw(st.sampled_from(self.assessment.allowed_steps()))
        self.attempt(kind, self.today(-gap), data.draw(lifecycle_data(kind)), TransitionError)

    @rule(kind=st.sampled_from(sorted(FORM_OF)), data=st.data())
    def bad_submission(self, kind: str, data: st.DataObject) -> None:
        arguments = data.draw(lifecycle_data(kind))
        arguments["submission"] = data.draw(bad_stage_submissions(kind))
        allowed = kind in self.assessment.allowed_steps()
        error = IncompleteAssessmentError if allowed else TransitionError
        self.attempt(kind, self.today(0), arguments, error)

    @rule(data=st.data())
    def bad_actor(self, data: st.DataObject) -> None:
        kind = data.draw(st.sampled_from(self.assessment.allowed_steps()))
        if kind in FORM_OF:
            return  # the submission is checked first; tested above
        arguments = data.draw(lifecycle_data(kind))
        before = self.assessment
        with pytest.raises(InvalidEventError):
            before.apply(kind, self.today(0), data.draw(lifecycle_texts()) + "\x00", **arguments)

    @invariant()
    def replays_to_the_same_assessment(self) -> None:
        assessment = self.assessment
        assert assessment == Assessment.from_events(assessment.events)
        assert assessment == Assessment.from_events(assessment.to_dict()["events"])

    @invariant()
    def derived_values_are_consistent(self) -> None:
        assessment = self.assessment
        assert assessment.stage in ASSESSMENT_STAGES
        note(f"stage {assessment.stage}, cycle {len(assessment.cycle_events())} events")
        assert assessment.allowed_steps()
        assert set(assessment.allowed_steps()) <= set(EVENT_KINDS)
        cycle = assessment.cycle_events()
        assert cycle[0].kind in {"report_received", "reopened"}
        assert not any(e.kind == "reopened" for e in cycle[1:])
        assert assessment.emergency_active == ("emergency_confirmed" in assessment.allowed_steps())
        firsts = assessment.starts_and_ends().firsts
        assert cycle[0].on == firsts.pop("report_received")
        for kind, day in firsts.items():
            assert day == next(e.on for e in cycle if e.kind == kind)
        extensions = [e.data for e in cycle if isinstance(e.data, ExtensionData)]
        assert {x.rule for x in extensions} == set(assessment.starts_and_ends().extensions)

    @invariant()
    def clocks_run_only_where_the_law_runs_them(self) -> None:
        assert_clocks_run_only_where_the_law_runs_them(self.assessment)


LifecycleMachine.TestCase.settings = settings(
    max_examples=30, stateful_step_count=40, deadline=None
)
TestLifecycle = LifecycleMachine.TestCase


def test_clocks_that_no_longer_run_are_not_reported_as_overdue() -> None:
    """A case closed at the preliminary decision has no investigation to be late with: its
    clock stopped that day; light support opens none either. Met deadlines stay as met."""
    later = dt.date(2026, 12, 1)
    for jurisdiction in ("DK", "FI", "GB-ENG"):
        case = Assessment.report(
            case_id="c", jurisdiction=jurisdiction, on=DAY, actor="w", reporter="parent"
        ).start_preliminary(DAY, "w")
        closed = case.decide_preliminary("close", decided(PRELIMINARY, "close"), DAY, "w")
        light = case.decide_preliminary(
            "light_support", decided(PRELIMINARY, "light_support"), DAY, "w"
        )
        statuses = {d.rule: (d.status, d.stopped_on) for d in closed.deadlines(later)}
        assert ("met", None) == statuses["preliminary"], jurisdiction
        assert ("stopped", DAY) == statuses["investigation"], jurisdiction
        assert "overdue" not in {status for status, _ in statuses.values()}, jurisdiction
        (stopped,) = [d for d in light.deadlines(later) if d.rule == "investigation"]
        assert ("stopped", DAY) == (stopped.status, stopped.stopped_on), jurisdiction
        opened = case.decide_preliminary(
            "open_full_assessment", decided(PRELIMINARY, "open_full_assessment"), DAY, "w"
        )
        (investigation,) = [d for d in opened.deadlines(later) if d.rule == "investigation"]
        assert "overdue" == investigation.status


PLACEMENT_RULES = {
    (profile.jurisdiction, rule.id)
    for profile in map(load_profile, kindbehoeften.JURISDICTIONS)
    for rule in profile.rules
    if "placed" in rule.applies
}


def assert_clocks_run_only_where_the_law_runs_them(assessment: Assessment) -> None:
    """No clock is overdue on a closed case, and no placement rule runs without a placement,
    whatever day it is asked on."""
    far = assessment.events[-1].on + dt.timedelta(days=3000)
    deadlines = assessment.deadlines(far)
    if assessment.stage == "closed":
        assert [] == [d.rule for d in deadlines if d.status in {"overdue", "pending"}]
    if not any(e.kind == "placement_started" for e in assessment.cycle_events()):
        placed = {(assessment.jurisdiction, d.rule) for d in deadlines} & PLACEMENT_RULES
        assert set() == placed
    for deadline in deadlines:
        if deadline.status == "stopped":
            assert deadline.met_on is None
            assert deadline.stopped_on is not None


@settings(max_examples=300, deadline=None, database=None)
@given(assessments(max_steps=16))
def test_no_generated_history_has_an_overdue_clock_when_closed_or_a_placement_rule_unplaced(
    assessment: Assessment,
) -> None:
    assert_clocks_run_only_where_the_law_runs_them(assessment)


def test_a_history_written_by_0_1_0_loads_unchanged() -> None:
    """Its decision events have no submission_digest; it loads, verifies and is written back
    byte for byte (the digest is left out where there is none)."""
    text = (Path(__file__).parent / "data" / "history-0.1.0.json").read_text(encoding="utf-8")
    case = Assessment.from_json(text)
    assert text == case.to_json()
    decisions = [e for e in case.events if e.kind == "preliminary_decision"]
    assert [None] == [e.data.submission_digest for e in decisions]  # type: ignore[union-attr]


def test_a_decision_records_the_digest_of_its_submission() -> None:
    """The lowercase hex SHA-256 of the submission's canonical JSON (RFC 8785), so that any
    language can recompute it; the same for text, bytes and dict."""
    import hashlib

    import rfc8785

    submission = decided(PRELIMINARY, "close")
    expected = hashlib.sha256(rfc8785.dumps(submission)).hexdigest()
    for form in (submission, json.dumps(submission), json.dumps(submission).encode()):
        case = steps(new_case(), START).decide_preliminary("close", form, DAY, "w")
        assert expected == case.events[-1].data.submission_digest  # type: ignore[union-attr]


def test_a_decision_takes_its_outcome_from_the_submission() -> None:
    """None takes the submission's outcome; a disagreeing one is refused."""
    light = decided(PRELIMINARY, "light_support")
    case = steps(new_case(), START).decide_preliminary(None, light, DAY, "w")
    assert ("light_support", "support") == (case.events[-1].data.outcome, case.stage)  # type: ignore[union-attr]
    with pytest.raises(TransitionError) as refused:
        steps(new_case(), START).decide_preliminary("close", light, DAY, "w")
    assert "the outcome given ('close') is not the one its submission records" in str(refused.value)
    full = decided(FULL, "placement")
    case = steps(new_case(), *TO_FULL).complete_full_assessment(None, full, DAY, "w")
    assert "placement" == case.events[-1].data.decision  # type: ignore[union-attr]
    with pytest.raises(TransitionError):
        steps(new_case(), *TO_FULL).complete_full_assessment("no_measures", full, DAY, "w")


def test_a_form_without_a_decision_mapping_cannot_back_the_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An author's preliminary form that declares no outcome mapping validates, but cannot
    record a preliminary decision: FormDefinitionError says what to add."""
    shipped = Path(str(kindbehoeften.__path__[0])) / "forms" / "triangle.preliminary.toml"
    text = shipped.read_text(encoding="utf-8").replace(
        'id = "triangle.preliminary"', 'id = "own.prel"'
    )
    text = re.sub(r"\[\[steps\]\]\n(?:[a-z]+ = .*\n)+", "", text)
    assert "[[steps]]" not in text
    (tmp_path / "own.toml").write_text(text, encoding="utf-8")
    submission = decided(PRELIMINARY, "close") | {"form": "own.prel"}
    monkeypatch.setenv("KINDBEHOEFTEN_FORMS_PATH", str(tmp_path))
    assert kindbehoeften.validate(submission).ok
    with pytest.raises(kindbehoeften.FormDefinitionError) as caught:
        steps(new_case(), START).decide_preliminary(None, submission, DAY, "w")
    assert "declares no mapping of its answers to the outcome" in str(caught.value)


# --- decisions agree with their submissions ---------------------------------------------------

# The question of each decision and what each of its options gives (the forms' [[steps]]).
MAPPED_OPTIONS = [
    ("preliminary_decision", PRELIMINARY, "close", "close"),
    ("preliminary_decision", PRELIMINARY, "refer_universal_support", "universal_support"),
    ("preliminary_decision", PRELIMINARY, "light_support", "light_support"),
    ("preliminary_decision", PRELIMINARY, "refer_other_service", "refer_other_service"),
    ("preliminary_decision", PRELIMINARY, "open_full_assessment", "open_full_assessment"),
    ("full_assessment_completed", FULL, "no_measures_close", "no_measures"),
    ("full_assessment_completed", FULL, "offer_support", "support"),
    ("full_assessment_completed", FULL, "support_plan", "support"),
    ("full_assessment_completed", FULL, "refer_other_service", "refer_other_service"),
    ("full_assessment_completed", FULL, "emergency_protection", "placement"),
    ("full_assessment_completed", FULL, "apply_compulsory_care", "placement"),
]
QUESTIONS = {
    "preliminary_decision": ("outcome", "decision.decision.outcome"),
    "full_assessment_completed": ("decision", "analysis.overall.decision"),
}


def test_the_table_lists_every_option_of_the_built_in_decision_mappings() -> None:
    expected = {(step, option, value) for step, _, option, value in MAPPED_OPTIONS}
    found = {
        (step, option, value)
        for step, form_id in (
            ("preliminary_decision", "triangle.preliminary"),
            ("full_assessment_completed", "triangle.full"),
        )
        for mapping in [kindbehoeften.load_form(form_id).step_mapping(QUESTIONS[step][0])]
        if mapping is not None
        for option, value in mapping.values
    }
    assert expected == found


def answered(submission: dict[str, Any], step: str, option: str) -> dict[str, Any]:
    """``submission`` with its decision question answered with ``option`` (and the service
    it refers to exactly when it refers to another service)."""
    section, area, key = QUESTIONS[step][1].split(".")
    document = copy.deepcopy(submission)
    answers = document["answers"][section][area]
    answers[key] = option
    if option == "refer_other_service":
        answers["referred_to"] = "Child psychiatry"
    else:
        answers.pop("referred_to", None)
    assert kindbehoeften.validate(document).ok
    return document


def before_the_decision(step: str) -> Assessment:
    return (
        steps(new_case(), START) if step == "preliminary_decision" else steps(new_case(), *TO_FULL)
    )


@pytest.mark.parametrize(
    ("step", "submission", "option", "value"),
    [pytest.param(*row, id=f"{row[0]}-{row[2]}") for row in MAPPED_OPTIONS],
)
def test_each_option_of_a_decision_gives_its_mapped_value_in_the_event(
    step: str, submission: dict[str, Any], option: str, value: str
) -> None:
    """Given no value, or the same one, the event records the submission's, mapped."""
    field = QUESTIONS[step][0]
    document = answered(submission, step, option)
    case = before_the_decision(step)
    recorded = [
        case.apply(step, DAY, "w", **{field: given, "submission": document})
        for given in (None, value)
    ]
    assert [value, value] == [getattr(c.events[-1].data, field) for c in recorded]
    assert recorded[0].events[-1].data == recorded[1].events[-1].data


DISAGREEING = [
    pytest.param(step, value, given, id=f"{step}-{value}-given-{given}")
    for step, values in (
        ("preliminary_decision", OUTCOMES),
        ("full_assessment_completed", DECISIONS),
    )
    for value in values
    for given in values
    if given != value
]


@pytest.mark.parametrize(("step", "value", "given"), DISAGREEING)
def test_a_decision_that_disagrees_with_its_submission_is_refused(
    step: str, value: str, given: str
) -> None:
    """TransitionError naming the field, the value given, the submission's and the question
    it comes from; the assessment is unchanged."""
    field, question = QUESTIONS[step]
    submission = decided(PRELIMINARY if step == "preliminary_decision" else FULL, value)
    case = before_the_decision(step)
    text = case.to_json()
    for form in (submission, json.dumps(submission), json.dumps(submission).encode()):
        with pytest.raises(TransitionError) as refused:
            case.apply(step, DAY, "w", **{field: given, "submission": form})
        assert (case.stage, step, case.allowed_steps()) == (
            refused.value.stage,
            refused.value.step,
            refused.value.allowed,
        )
        assert (
            f"the {field} given ({given!r}) is not the one its submission records ({value!r}, "
            f"from {question}); record the submission's {field}, or change the submission"
        ) in str(refused.value)
    assert text == case.to_json()


def test_the_step_methods_refuse_a_disagreeing_outcome_and_decision_too() -> None:
    with pytest.raises(TransitionError, match="the outcome given \\('light_support'\\)"):
        steps(new_case(), START).decide_preliminary(
            "light_support", decided(PRELIMINARY, "open_full_assessment"), DAY, "w"
        )
    with pytest.raises(TransitionError, match="the decision given \\('support'\\)"):
        steps(new_case(), *TO_FULL).complete_full_assessment(
            "support", decided(FULL, "no_measures"), DAY, "w"
        )


def test_a_full_assessment_decision_records_its_form_and_digest() -> None:
    import hashlib

    import rfc8785

    submission = decided(FULL, "support")
    case = steps(new_case(), *TO_FULL).complete_full_assessment(None, submission, DAY, "w")
    assert (
        kindbehoeften.FullAssessmentData(
            decision="support",
            form="triangle.full",
            form_version=FULL["form_version"],
            submission_digest=hashlib.sha256(rfc8785.dumps(submission)).hexdigest(),
        )
        == case.events[-1].data
    )
    assert "support" == case.stage


def test_the_outcome_of_the_submission_decides_the_stage_not_the_caller() -> None:
    """With no outcome given, the submission's sends the case on: close closes it."""
    case = steps(new_case(), START).decide_preliminary(
        None, decided(PRELIMINARY, "close"), DAY, "w"
    )
    assert ("closed", "close") == (case.stage, case.events[-1].data.outcome)  # type: ignore[union-attr]
