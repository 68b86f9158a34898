"""Validating submissions: every issue code, the example files, conditions, groups, limits, and
properties over mutated submissions (a report, never an exception; sound pointers; no answer
text in any message)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import kindbehoeften
from kindbehoeften import CODES, Form, Issue, ValidationReport, validate
from kindbehoeften._validation import validator as validator_module
from kindbehoeften._validation.validator import MAX_SUBMISSION_BYTES, MAX_SUBMISSION_DEPTH
from strategies import (
    EXAMPLES,
    JUNK_MARK,
    mutated_submissions,
    punctuated_submissions,
    submissions,
)

# database=None: no example database is written into the working tree.
PROPERTY = settings(max_examples=500, deadline=None, database=None)

BUILT_IN = ("triangle.preliminary", "triangle.full", "triangle.plan", "triangle.followup")
SENTINEL = "Sentinel-Answer-Text-0451"

Pairs = list[tuple[str, str]]


def pairs(report: ValidationReport) -> Pairs:
    return [(issue.pointer, issue.code) for issue in report.issues]


def example(name: str) -> dict[str, Any]:
    """A fresh copy of ``examples/<name>.json``."""
    document: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))
    return document


def envelope(form: str, status: str, answers: dict[str, Any]) -> dict[str, Any]:
    return {"form": form, "form_version": "1.0.0", "status": status, "answers": answers}


def edited(name: str, edit: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    """The example ``name`` with ``edit`` applied to its answers."""
    document = example(name)
    edit(document["answers"])
    return document


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


# A small form with what the built-in forms do not use: numbers with bounds, a pattern, bounded
# dates, and lists with at most so many items. Passed with ``form=``.
BOUNDS = Form.from_dict(
    {
        "form": {"id": "test.bounds", "version": "1.0.0", "stage": "full", "title": "Bounds"},
        "sections": [
            {
                "id": "child_needs",
                "label": "The child",
                "areas": [
                    {
                        "id": "health",
                        "label": "Health",
                        "questions": [
                            {"id": "visits", "type": "integer", "label": "Visits", "min": 0,
                             "max": 12, "required": True},
                            {"id": "weight", "type": "decimal", "label": "Weight in kg",
                             "min": 0.5, "max": 150},
                            {"id": "postcode", "type": "text", "label": "Postcode",
                             "pattern": "[0-9]{4} ?[A-Z]{2}"},
                            {"id": "seen_on", "type": "date", "label": "Seen on",
                             "min": "2020-01-01", "max": "2030-12-31"},
                            {"id": "symptoms", "type": "multi_choice", "label": "Symptoms",
                             "max_items": 2, "options": [
                                 {"value": "cough", "label": "Cough"},
                                 {"value": "fever", "label": "Fever"},
                                 {"value": "rash", "label": "Rash"}]},
                            {"id": "contacts", "type": "group", "label": "Contacts",
                             "max_items": 1, "questions": [
                                 {"id": "name", "type": "text", "label": "Name",
                                  "required": True}]},
                        ],
                    }
                ],
            }
        ],
    }
)  # fmt: skip
HEALTH = "/answers/child_needs/health"


def bounds(**answers: Any) -> dict[str, Any]:
    return envelope("test.bounds", "completed", {"child_needs": {"health": answers}})


PLAN_DRAFT = envelope("triangle.plan", "in_progress", {"plan": {"goals": {}}})


def text_of(document: object) -> bytes:
    return json.dumps(document).encode()


# --- one table row per code -------------------------------------------------------------------

# (code, submission, keyword arguments of validate, expected (pointer, code) pairs)
CODE_TABLE: list[tuple[str, Any, dict[str, Any], Pairs]] = [
    ("json_syntax", b'{"form": "triangle.plan",', {}, [("", "json_syntax")]),
    (
        "duplicate_key",
        b'{"status": "completed", ' + text_of(PLAN_DRAFT)[1:],
        {},
        [("/status", "duplicate_key")],
    ),
    ("too_large", text_of(PLAN_DRAFT), {"max_bytes": 64}, [("", "too_large")]),
    (
        "too_deep",
        text_of(envelope("triangle.plan", "in_progress", {"plan": {"goals": {"x": nested(8)}}})),
        {"max_depth": 8},
        # root 1, answers 2, plan 3, goals 4, x 5: the list at level 9 is x/0/0/0/0.
        [("/answers/plan/goals/x/0/0/0/0", "too_deep")],
    ),
    ("not_an_object", b"[1, 2, 3]", {}, [("", "not_an_object")]),
    ("unknown_form", {**PLAN_DRAFT, "form": "triangle.nope"}, {}, [("/form", "unknown_form")]),
    (
        "unknown_version",
        {**PLAN_DRAFT, "form_version": "9.0.0"},
        {},
        [("/form_version", "unknown_version")],
    ),
    ("unknown_field", {**PLAN_DRAFT, "case_id": "C-1"}, {}, [("/case_id", "unknown_field")]),
    (
        "required",
        edited(
            "triangle.preliminary.valid",
            lambda answers: answers["intake"]["safety_check"].pop("safety_reasons"),
        ),
        {},
        [("/answers/intake/safety_check/safety_reasons", "required")],
    ),
    (
        "type",
        edited(
            "triangle.preliminary.valid",
            lambda answers: answers["intake"]["safety_check"].update(acute_danger="no"),
        ),
        {},
        [("/answers/intake/safety_check/acute_danger", "type")],
    ),
    (
        "choice",
        edited(
            "triangle.full.valid",
            lambda answers: answers["child_needs"]["health"].update(assessment="moderate"),
        ),
        {},
        [("/answers/child_needs/health/assessment", "choice")],
    ),
    ("min", bounds(visits=-1), {"form": BOUNDS}, [(f"{HEALTH}/visits", "min")]),
    ("max", bounds(visits=13), {"form": BOUNDS}, [(f"{HEALTH}/visits", "max")]),
    (
        "max_length",
        edited(
            "triangle.preliminary.valid",
            lambda answers: answers["intake"]["report"].update(reporter_name="x" * 201),
        ),
        {},
        [("/answers/intake/report/reporter_name", "max_length")],
    ),
    (
        "pattern",
        bounds(visits=1, postcode="1234 ab"),
        {"form": BOUNDS},
        [(f"{HEALTH}/postcode", "pattern")],
    ),
    (
        "date",
        edited(
            "triangle.preliminary.valid",
            lambda answers: answers["decision"]["decision"].update(decided_on="2026-02-30"),
        ),
        {},
        [("/answers/decision/decision/decided_on", "date")],
    ),
    (
        "min_items",
        envelope("triangle.followup", "in_progress", {"followup": {"review": {"goals": []}}}),
        {},
        [("/answers/followup/review/goals", "min_items")],
    ),
    (
        "max_items",
        bounds(visits=1, symptoms=["cough", "fever", "rash"]),
        {"form": BOUNDS},
        [(f"{HEALTH}/symptoms", "max_items")],
    ),
    (
        "disabled",
        edited(
            "triangle.plan.valid",
            lambda answers: answers["plan"]["consent"].update(consent_notes="Not the placement."),
        ),
        {},
        [("/answers/plan/consent/consent_notes", "disabled")],
    ),
    (
        "one_of_required",
        edited(
            "triangle.followup.valid",
            lambda answers: answers["followup"]["views"].pop("child_view"),
        ),
        {},
        [("/answers/followup/views/child_view", "one_of_required")],
    ),
    (
        "too_many_issues",
        envelope("triangle.plan", "in_progress", {f"s{number:04}": {} for number in range(1200)}),
        {},
        [(f"/answers/s{number:04}", "unknown_field") for number in range(1000)]
        + [("", "too_many_issues")],
    ),
]


@pytest.mark.parametrize(
    ("submission", "options", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in CODE_TABLE],
)
def test_each_code_is_reported_at_its_pointer(
    submission: Any, options: dict[str, Any], expected: Pairs
) -> None:
    """Each code, for an input that has exactly that one problem."""
    assert expected == pairs(validate(submission, **options))


def test_the_code_table_covers_every_code() -> None:
    assert sorted(CODES) == sorted(row[0] for row in CODE_TABLE)
    assert all(row[0] in {code for _, code in row[3]} for row in CODE_TABLE)


def test_codes_are_the_documented_stable_list() -> None:
    documented = """json_syntax, duplicate_key, too_large, too_deep, not_an_object, unknown_form,
    unknown_version, unknown_field, required, type, choice, min, max, max_length,
    pattern, date, min_items, max_items, disabled, one_of_required, too_many_issues"""
    assert tuple(re.findall(r"[a-z_]+", documented)) == CODES


# --- the example files --------------------------------------------------------------------------

# What each invalid example is meant to show, in the order validate reports it.
INTENDED: dict[str, Pairs] = {
    "triangle.preliminary.invalid": [
        ("/answers/intake/report/reporter_kind", "choice"),
        ("/answers/intake/safety_check/acute_danger", "type"),
        ("/answers/intake/child/child_name", "unknown_field"),
        ("/answers/decision/decision/referred_to", "disabled"),
        ("/answers/decision/decision/reasons", "required"),
    ],
    "triangle.full.invalid": [
        ("/answers/child_needs/hobbies", "unknown_field"),
        ("/answers/child_needs/health/assessment", "choice"),
        ("/answers/child_needs/education/sources/1", "choice"),
        ("/answers/analysis/overall/child_heard_separately", "type"),
        ("/answers/analysis/overall/referred_to", "disabled"),
        ("/answers/analysis/overall/decision_reasons", "required"),
    ],
    "triangle.plan.invalid": [
        ("/submitted_by", "unknown_field"),
        ("/answers/plan/goals/goals/0/measures_other", "disabled"),
        ("/answers/plan/goals/goals/0/responsible", "required"),
        ("/answers/plan/goals/goals/1/review_date", "date"),
        ("/answers/plan/consent/parents_consent", "choice"),
    ],
    "triangle.followup.invalid": [
        ("/answers/followup/review/goals/1/measures_continue", "type"),
        ("/answers/followup/review/goals/2/progress", "choice"),
        ("/answers/followup/views/child_view", "one_of_required"),
        ("/answers/followup/decision/next_review_on", "disabled"),
        ("/answers/followup/decision/reasons", "required"),
    ],
}
EXAMPLE_FILES = sorted(path.name for path in EXAMPLES.glob("*.json"))

# One entry per line of examples/submissions.ndjson: the codes that line should give.
NDJSON_VERDICTS: list[list[str]] = [
    [],  # the preliminary assessment, completed
    [],  # a plan in progress
    ["unknown_field", "disabled", "required", "date", "choice"],  # = triangle.plan.invalid
    [],  # a follow-up, completed
    ["min_items", "required", "one_of_required", "required"],  # a plan without goals
    ["unknown_version"],  # a follow-up naming version 2.0.0
    ["choice"],  # status "submitted"
    [],  # a full assessment in progress
]


def test_there_are_three_examples_of_each_built_in_form() -> None:
    kinds = ("valid", "draft", "invalid")
    assert sorted(f"{form}.{kind}.json" for form in BUILT_IN for kind in kinds) == EXAMPLE_FILES


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_each_example_file_validates_as_intended(name: str) -> None:
    stem = name.removesuffix(".json")
    document = example(stem)
    report = validate((EXAMPLES / name).read_bytes())
    assert (document["form"], "1.0.0") == (report.form, report.version)
    assert stem.split(".")[0:2] == document["form"].split(".")
    if stem.endswith(".invalid"):
        assert "completed" == document["status"]
        assert INTENDED[stem] == pairs(report)
        assert 3 <= len(report.issues) <= 6
    else:
        expected_status = "in_progress" if stem.endswith(".draft") else "completed"
        assert (expected_status, []) == (document["status"], pairs(report))
        assert report.ok


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_bytes_text_and_dict_give_the_same_verdict(name: str) -> None:
    data = (EXAMPLES / name).read_bytes()
    by_bytes = validate(data)
    assert by_bytes == validate(data.decode("utf-8"))
    assert by_bytes == validate(json.loads(data))


def test_each_line_of_the_ndjson_example_has_its_verdict() -> None:
    lines = (EXAMPLES / "submissions.ndjson").read_bytes().splitlines()
    verdicts = [[issue.code for issue in validate(line).issues] for line in lines]
    assert NDJSON_VERDICTS == verdicts
    assert 6 <= len(lines)
    assert {True, False} == {not codes for codes in verdicts}


def test_the_full_example_assesses_all_twenty_areas() -> None:
    answers = example("triangle.full.valid")["answers"]
    form = kindbehoeften.load_form("triangle.full")
    areas = [
        (section.id, area.id)
        for section in form.sections[:3]
        for area in section.areas
        if "assessment" in answers[section.id][area.id]
    ]
    assert 20 == len(areas)
    values = sum(
        len(value) if isinstance(value, list) else 1
        for section in answers.values()
        for area in section.values()
        for value in area.values()
    )
    assert 120 <= values <= 140


# --- drafts, conditions, one-of rules, groups -------------------------------------------------


def test_a_draft_skips_required_answers_but_checks_types() -> None:
    draft = envelope(
        "triangle.preliminary",
        "in_progress",
        {"intake": {"safety_check": {"acute_danger": "no"}}},
    )
    expected = [("/answers/intake/safety_check/acute_danger", "type")]
    assert expected == pairs(validate(draft))
    draft["answers"]["intake"]["safety_check"]["acute_danger"] = False
    assert [] == pairs(validate(draft))
    completed = {**draft, "status": "completed"}
    assert ("/answers/intake/report/received_on", "required") == pairs(validate(completed))[0]


def test_an_empty_answer_counts_as_no_answer() -> None:
    document = edited(
        "triangle.preliminary.valid",
        lambda answers: answers["decision"]["decision"].update(reasons="", decided_on=None),
    )
    expected = [
        ("/answers/decision/decision/decided_on", "required"),
        ("/answers/decision/decision/reasons", "required"),
    ]
    assert expected == sorted(pairs(validate(document)))


def outcome(value: str, **answers: Any) -> dict[str, Any]:
    def edit(all_answers: dict[str, Any]) -> None:
        all_answers["decision"]["decision"].update(outcome=value, **answers)

    return edited("triangle.preliminary.valid", edit)


def test_a_question_is_required_only_while_it_is_enabled() -> None:
    """referred_to is required when the outcome is a referral, and only then."""
    pointer = "/answers/decision/decision/referred_to"
    assert [(pointer, "required")] == pairs(validate(outcome("refer_other_service")))
    assert [] == pairs(validate(outcome("refer_other_service", referred_to="Child psychiatry")))
    assert [] == pairs(validate(outcome("close")))


@pytest.mark.parametrize("status", ["completed", "in_progress"])
def test_an_answer_to_a_disabled_question_is_an_error(status: str) -> None:
    document = outcome("close", referred_to="Child psychiatry")
    document["status"] = status
    report = validate(document)
    assert [("/answers/decision/decision/referred_to", "disabled")] == pairs(report)
    assert not report.ok


def test_a_condition_on_another_area_is_followed() -> None:
    """reporter_feedback_given is disabled when the reporter was anonymous."""

    def anonymous(answers: dict[str, Any]) -> None:
        report = answers["intake"]["report"]
        report["reporter_kind"] = "anonymous"
        del report["reporter_name"], report["reporter_contact"]

    document = edited("triangle.preliminary.valid", anonymous)
    expected = [("/answers/decision/decision/reporter_feedback_given", "disabled")]
    assert expected == pairs(validate(document))
    del document["answers"]["decision"]["decision"]["reporter_feedback_given"]
    assert [] == pairs(validate(document))


def test_an_unanswered_null_to_a_disabled_question_is_no_error() -> None:
    assert [] == pairs(validate(outcome("close", referred_to=None)))


def views(**answers: Any) -> dict[str, Any]:
    return edited(
        "triangle.plan.valid", lambda all_answers: all_answers["plan"].update(views=answers)
    )


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        pytest.param({}, [("/answers/plan/views/child_view", "one_of_required")], id="neither"),
        pytest.param(
            {"child_view": "", "parents_view": "Fine."},
            [("/answers/plan/views/child_view", "one_of_required")],
            id="empty-view",
        ),
        pytest.param({"child_view": "Mila likes the plan."}, [], id="child-view"),
        pytest.param({"child_view_not_obtained_reason": "Mila is ill."}, [], id="reason"),
    ],
)
def test_the_childs_view_or_why_not_is_needed(answers: dict[str, Any], expected: Pairs) -> None:
    assert expected == pairs(validate(views(**answers)))


def test_one_of_rules_are_not_checked_in_drafts() -> None:
    document = views()
    document["status"] = "in_progress"
    assert [] == pairs(validate(document))


def goals(*rows: Any, status: str = "completed") -> dict[str, Any]:
    document = edited(
        "triangle.plan.valid",
        lambda answers: answers["plan"]["goals"].update(goals=list(rows)),
    )
    document["status"] = status
    return document


ROW = {
    "area": "education",
    "goal": "Mila goes to school every day.",
    "measures": ["school_support"],
    "responsible": "Class teacher",
}
GOALS = "/answers/plan/goals/goals"


def test_rows_of_a_group_have_pointers_with_their_index() -> None:
    rows = [ROW, {**ROW, "goal": 17, "area": "school", "extra": 1}, {"reference": "G3"}]
    expected = [
        (f"{GOALS}/1/area", "choice"),
        (f"{GOALS}/1/goal", "type"),
        (f"{GOALS}/1/extra", "unknown_field"),
        (f"{GOALS}/2/area", "required"),
        (f"{GOALS}/2/goal", "required"),
        (f"{GOALS}/2/measures", "required"),
        (f"{GOALS}/2/responsible", "required"),
    ]
    assert sorted(expected) == sorted(pairs(validate(goals(*rows))))


def test_a_condition_in_a_row_looks_at_its_own_row() -> None:
    other = {**ROW, "measures": ["other"], "measures_other": "Breakfast club"}
    disabled = {**ROW, "measures_other": "Breakfast club"}
    expected = [(f"{GOALS}/1/measures_other", "disabled")]
    assert expected == pairs(validate(goals(other, disabled)))


def test_a_group_needs_its_minimum_of_rows() -> None:
    assert [(GOALS, "min_items")] == pairs(validate(goals(status="in_progress")))
    assert [(GOALS, "min_items"), (GOALS, "required")] == pairs(validate(goals()))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("G1", [(GOALS, "type")], id="text"),
        pytest.param(["G1"], [(f"{GOALS}/0", "type")], id="row-not-object"),
        pytest.param({"0": ROW}, [(GOALS, "type")], id="object"),
    ],
)
def test_a_group_must_be_a_list_of_objects(value: Any, expected: Pairs) -> None:
    document = goals(status="in_progress")
    document["answers"]["plan"]["goals"]["goals"] = value
    assert expected == pairs(validate(document))


def test_the_bounds_of_numbers_dates_and_lists() -> None:
    submission = bounds(
        visits=2.5,
        weight=0.1,
        seen_on="2019-12-31",
        contacts=[{"name": "A"}, {}],
    )
    expected = [
        (f"{HEALTH}/visits", "type"),
        (f"{HEALTH}/weight", "min"),
        (f"{HEALTH}/seen_on", "min"),
        (f"{HEALTH}/contacts", "max_items"),
        (f"{HEALTH}/contacts/1/name", "required"),
    ]
    assert expected == pairs(validate(submission, form=BOUNDS))
    fine = bounds(visits=12, weight=150, seen_on="2030-12-31", postcode="1234AB", contacts=[])
    assert [] == pairs(validate(fine, form=BOUNDS))


@pytest.mark.parametrize(
    "value",
    [True, "3", 1e400, float("nan"), [1]],
    ids=["bool", "text", "infinity", "nan", "list"],
)
def test_a_number_must_be_a_finite_number(value: Any) -> None:
    assert [(f"{HEALTH}/visits", "type")] == pairs(validate(bounds(visits=value), form=BOUNDS))


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_json_are_type_errors(constant: str) -> None:
    data = text_of(bounds(visits=1, weight="here")).replace(b'"here"', constant.encode())
    report = validate(data, form=BOUNDS)
    assert [(f"{HEALTH}/weight", "type")] == pairs(report)
    assert '"Weight in kg" must be a finite number.' == report.issues[0].message


@pytest.mark.parametrize(
    "submission",
    [
        {**example("triangle.plan.valid"), "form_version": None},
        text_of({**example("triangle.plan.valid"), "form_version": None}),
    ],
    ids=["dict", "text"],
)
def test_a_form_version_of_null_is_a_type_issue_not_the_latest_version(submission: Any) -> None:
    """Every submission names the version it answers: null names none, as the schema says."""
    assert [("/form_version", "type")] == pairs(validate(submission))


# --- the form= argument -------------------------------------------------------------------------


def test_form_argument_is_used_instead_of_the_catalog() -> None:
    assert "unknown_form" == validate(bounds(visits=1)).issues[0].code
    report = validate(bounds(visits=1), form=BOUNDS)
    assert (True, "test.bounds", "1.0.0") == (report.ok, report.form, report.version)


def test_form_argument_accepts_a_submission_without_form_names() -> None:
    document = bounds(visits=1)
    del document["form"], document["form_version"]
    expected = [("/form", "required"), ("/form_version", "required")]
    assert expected == pairs(validate(document, form=BOUNDS))


def test_form_argument_that_does_not_match_the_submission() -> None:
    plan = kindbehoeften.load_form("triangle.plan")
    report = validate(example("triangle.full.valid"), form=plan)
    assert [("/form", "unknown_form")] == pairs(report)
    expected = "The submission names form 'triangle.full', but is checked against 'triangle.plan'."
    assert expected == report.issues[0].message
    other_version = {**example("triangle.plan.valid"), "form_version": "1.1.0"}
    assert [("/form_version", "unknown_version")] == pairs(validate(other_version, form=plan))


# --- the report ---------------------------------------------------------------------------------


def test_report_ok_allows_warnings() -> None:
    warning = Issue("/answers/plan/views/child_view", "required", "Consider asking.", "warning")
    error = Issue("/status", "choice", "Status must be one of ...")
    assert ValidationReport((warning,)).ok
    assert ValidationReport().ok
    assert not ValidationReport((warning, error)).ok
    assert (error,) == ValidationReport((warning, error)).errors
    expected = {"ok": True, "issues": [{**warning.to_dict(), "severity": "warning"}]}
    assert expected == ValidationReport((warning,)).to_dict()


def test_every_issue_of_validate_is_an_error_with_a_known_code() -> None:
    for stem in INTENDED:
        report = validate(example(stem))
        assert {"error"} == {issue.severity for issue in report.issues}
        assert set(CODES) >= {issue.code for issue in report.issues}


# --- messages -----------------------------------------------------------------------------------


def seeded(document: Any) -> Any:
    """Every text answer replaced by one holding the sentinel; every choice too."""
    if isinstance(document, dict):
        return {key: seeded(value) for key, value in document.items()}
    if isinstance(document, list):
        return [seeded(value) for value in document]
    if isinstance(document, str):
        return f"{SENTINEL} {document[:30]}"
    return document


@pytest.mark.parametrize("stem", sorted(INTENDED))
def test_messages_never_contain_answer_text(stem: str) -> None:
    """Every string of an invalid submission's answers holds the sentinel (choices and dates
    too, so they fail), and unknown fields and wrong types hold it as well: no message or
    message parameter shows it."""
    document = example(stem)
    answers = seeded(document["answers"])
    area = next(iter(next(iter(answers.values())).values()))
    area["extra_note"] = SENTINEL
    area[next(iter(area))] = {"nested": [SENTINEL, {"deeper": SENTINEL}]}
    report = validate({**document, "answers": answers})
    assert 5 < len(report.issues)
    assert {"choice", "type", "unknown_field"} <= {issue.code for issue in report.issues}
    for issue in report.issues:
        assert SENTINEL not in issue.message
        assert SENTINEL not in repr(issue.params)
    assert SENTINEL not in json.dumps(report.to_dict())


def test_messages_shown_in_full() -> None:
    choice = validate(CODE_TABLE[CODES.index("choice")][1]).issues[0]
    assert (
        '"Assessment of the child\'s health" must be one of: '
        "strength, no_concern, some_concern, serious_concern, not_assessed."
    ) == choice.message
    required = validate(CODE_TABLE[CODES.index("required")][1]).issues[0]
    assert '"Reasons for the safety assessment" needs an answer.' == required.message
    one_of = validate(CODE_TABLE[CODES.index("one_of_required")][1]).issues[0]
    assert (
        'At least one of these needs an answer: "The child\'s view", '
        '"Why the child\'s view could not be obtained".'
    ) == one_of.message
    syntax = validate(b'{"form": "triangle.plan",\n  "status": }').issues[0]
    expected = "The submission is not valid JSON: Expecting value (line 2, column 13)."
    assert expected == syntax.message
    unknown = validate({**PLAN_DRAFT, "case_id": "C-1"}).issues[0]
    assert "'case_id' is not a field of the submission." == unknown.message
    disabled = validate(CODE_TABLE[CODES.index("disabled")][1]).issues[0]
    expected = (
        '"What the parents do not agree with" must not be answered: its condition does not hold.'
    )
    assert expected == disabled.message
    unknown_form = validate({**PLAN_DRAFT, "form": "triangle.nope"}).issues[0]
    assert unknown_form.message.startswith("Unknown form 'triangle.nope'; known forms: ")
    assert {"triangle.followup", "triangle.full", "triangle.plan"} <= set(
        unknown_form.message.split(": ", 1)[1].rstrip(".").split(", ")
    )


# --- limits and bad text ------------------------------------------------------------------------


def test_the_size_limit_counts_bytes() -> None:
    data = text_of(PLAN_DRAFT)
    assert [] == pairs(validate(data, max_bytes=len(data)))
    assert [("", "too_large")] == pairs(validate(data, max_bytes=len(data) - 1))
    text = json.dumps(PLAN_DRAFT).replace('"in_progress"', '"in_progress", "x": "ééé"')
    size = len(text.encode("utf-8"))
    assert size == len(text) + 3
    assert [("", "too_large")] == pairs(validate(text, max_bytes=len(text)))
    assert [("/x", "unknown_field")] == pairs(validate(text, max_bytes=size))
    message = validate(data, max_bytes=10).issues[0].message
    assert "The submission is larger than 10 bytes." == message


def test_the_default_size_limit_is_one_mebibyte() -> None:
    assert 1024 * 1024 == MAX_SUBMISSION_BYTES
    data = text_of({**PLAN_DRAFT, "x": "y" * MAX_SUBMISSION_BYTES})
    assert [("", "too_large")] == pairs(validate(data))


def deep_plan(depth: int) -> dict[str, Any]:
    """A plan draft whose goal row holds lists nested so that the document is ``depth`` deep."""
    # root 1, answers 2, plan 3, goals 4, the group 5, a row 6, then the nested lists.
    row = {"reference": nested(depth - 6)} if depth > 6 else {}
    return envelope("triangle.plan", "in_progress", {"plan": {"goals": {"goals": [row]}}})


SHAPES = [
    pytest.param(text_of, id="bytes"),
    pytest.param(json.dumps, id="str"),
    pytest.param(lambda document: document, id="dict"),
]


@pytest.mark.parametrize("shape", SHAPES)
def test_the_depth_limit(shape: Callable[[Any], Any]) -> None:
    within = validate(shape(deep_plan(MAX_SUBMISSION_DEPTH)))
    assert [(f"{GOALS}/0/reference", "type")] == pairs(within)
    too_deep = validate(shape(deep_plan(MAX_SUBMISSION_DEPTH + 1)))
    # The first list past the limit: reference is level 7, each /0 one more.
    pointer = f"{GOALS}/0/reference" + "/0" * (MAX_SUBMISSION_DEPTH + 1 - 7)
    assert [(pointer, "too_deep")] == pairs(too_deep)
    assert "The submission is nested more than 32 levels deep." == too_deep.issues[0].message
    assert [(f"{GOALS}/0", "too_deep")] == pairs(validate(shape(deep_plan(8)), max_depth=5))
    assert [(f"{GOALS}/0/reference", "type")] == pairs(validate(shape(deep_plan(8)), max_depth=8))


@pytest.mark.parametrize("shape", SHAPES)
def test_a_small_max_depth_applies_to_a_submission_without_other_issues(
    shape: Callable[[Any], Any],
) -> None:
    """Also when the pydantic-core filter accepts the answers (text input): a valid plan six
    levels deep fails ``max_depth=5`` as text as it does as a dict (once a bug)."""
    assert [] == pairs(validate(shape(deep_plan(6)), max_depth=6))
    assert [(f"{GOALS}/0", "too_deep")] == pairs(validate(shape(deep_plan(6)), max_depth=5))


def test_nesting_deeper_than_python_can_parse_is_too_deep() -> None:
    data = b'{"answers": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    report = validate(data)
    assert [("", "too_deep")] == pairs(report)
    assert "The submission is nested more than 32 levels deep." == report.issues[0].message


SURROGATE_MESSAGE = (
    "This text holds a lone surrogate (\\ud800-\\udfff), which is not valid Unicode."
)
CHILD_VIEW = "/answers/plan/views/child_view"


@pytest.mark.parametrize(
    "submission",
    [
        json.dumps(views(child_view="\ud800 hi")),  # an escape in JSON text
        json.dumps(views(child_view="\udfff hi"), ensure_ascii=False),  # the code point itself
        text_of(views(child_view="\ud800 hi")),  # an escape in JSON bytes
        views(child_view="hi \udc00"),  # a parsed dict
    ],
    ids=["escape-in-str", "code-point-in-str", "escape-in-bytes", "dict"],
)
def test_a_lone_surrogate_in_an_answer_is_an_issue(submission: Any) -> None:
    report = validate(submission)
    assert [(CHILD_VIEW, "type")] == pairs(report)
    assert SURROGATE_MESSAGE == report.issues[0].message


def test_a_surrogate_pair_is_fine() -> None:
    data = json.dumps(views(child_view="\U0001f600 blij"))
    assert "\\ud83d\\ude00" in data
    assert [] == pairs(validate(data))


def test_a_lone_surrogate_encoded_as_bytes_is_invalid_utf8() -> None:
    data = json.dumps(views(child_view="\ud800"), ensure_ascii=False).encode(
        "utf-8", "surrogatepass"
    )
    report = validate(data)
    assert [("", "json_syntax")] == pairs(report)
    assert report.issues[0].message.startswith("The submission is not valid UTF-8 text (byte ")


def test_a_byte_order_mark_is_accepted() -> None:
    data = (EXAMPLES / "triangle.plan.valid.json").read_bytes()
    assert [] == pairs(validate(b"\xef\xbb\xbf" + data))
    assert [] == pairs(validate("\ufeff" + data.decode("utf-8")))


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b"{", b'{"a": 1} x', b"\x00", b"\xff\xfe{}", "{'a': 1}", '{"a": 1,}'],
    ids=["empty", "blank", "open", "trailing-data", "nul", "utf16-bom", "single-quotes", "comma"],
)
def test_malformed_json_is_one_syntax_issue(data: bytes | str) -> None:
    assert [("", "json_syntax")] == pairs(validate(data))


@pytest.mark.parametrize(
    "submission",
    [b"null", b"42", b'"text"', b"[]", "true", [], None, 42, "not json at all ["],
    ids=["null", "number", "string", "list", "true-text", "py-list", "py-none", "py-int", "junk"],
)
def test_anything_but_an_object_is_one_issue(submission: Any) -> None:
    report = validate(submission)
    assert 1 == len(report.issues)
    assert report.issues[0].code in {"not_an_object", "json_syntax"}
    assert "" == report.issues[0].pointer


def test_duplicate_keys_are_named_at_every_level() -> None:
    data = text_of(views(child_view="A")).replace(
        b'"child_view": "A"', b'"child_view": "A", "child_view": "B"'
    )
    report = validate(data)
    assert [(CHILD_VIEW, "duplicate_key")] == pairs(report)
    assert "The key 'child_view' appears more than once in this object." == report.issues[0].message


# --- once bugs: found while writing these tests ------------------------------------------------


@pytest.mark.parametrize("digits", [4_300, 5_000])
def test_a_number_with_too_many_digits_is_an_issue_not_an_exception(digits: int) -> None:
    """json.loads raises ValueError (not JSONDecodeError) for an integer of more than 4,300
    digits (Python's int_max_str_digits); it once escaped from validate."""
    data = text_of(views(child_view="x")).replace(b'"x"', b"1" * digits)
    report = validate(data)
    if digits <= 4_300:
        assert [(CHILD_VIEW, "type")] == pairs(report)
    else:
        assert [("", "json_syntax")] == pairs(report)
        expected = "The submission holds a number with too many digits to read."
        assert expected == report.issues[0].message


def test_a_dict_with_keys_that_are_not_text_is_an_issue_not_an_exception() -> None:
    """A parsed submission with a non-str key once crashed the pointer escape; JSON keys are
    text, so such a key is a ``type`` issue (and its value is not read)."""
    document = views(child_view="x")
    document["answers"]["plan"]["views"][1] = "one"
    document[2] = "two"
    expected = [("/2", "type"), ("/answers/plan/views/1", "type")]
    assert expected == sorted(pairs(validate(document)))


@pytest.mark.parametrize(
    "value",
    [
        "2026-W01-1",
        "20260101",
        "2026-1-01",
        "2026-01-01 ",
        "2026-01-01\n",
        "\uff12\uff10\uff12\uff16-01-01",
    ],
    ids=["iso-week", "basic", "short-month", "space", "newline", "fullwidth-digits"],
)
def test_a_date_is_written_yyyy_mm_dd_only(value: str) -> None:
    """Python's fromisoformat takes ISO week dates of the same length (once accepted)."""
    document = outcome("close", decided_on=value)
    assert [("/answers/decision/decision/decided_on", "date")] == pairs(validate(document))


@pytest.mark.parametrize("shape", SHAPES)
def test_nesting_too_deep_is_found_before_the_form_is_looked_up(
    shape: Callable[[Any], Any],
) -> None:
    """A document too deep in its envelope gets ``too_deep``, as text as well as a dict (text
    once got ``type`` or ``unknown_form``: the depth check ran after the form lookup)."""
    document = {**PLAN_DRAFT, "form": nested(40)}
    # /form is level 2; the first list past level 32 is 31 levels below it.
    assert [("/form" + "/0" * 31, "too_deep")] == pairs(validate(shape(document)))


# --- regressions: bugs these tests found, fixed in src/ ----------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_a_lone_surrogate_in_a_key_gives_issues_that_are_valid_unicode(
    shape: Callable[[Any], Any],
) -> None:
    """A key with a lone surrogate gives issues that encode as UTF-8 (the reader once looked
    for lone surrogates in values only: the key became an unknown_field holding the raw
    surrogate, and the CLI died with UnicodeEncodeError when it printed the report)."""
    document = views(child_view="x")
    document["answers"]["plan"]["views"]["\ud800"] = "y"
    report = validate(shape(document))
    assert not report.ok
    for issue in report.issues:
        issue.pointer.encode("utf-8")
        issue.message.encode("utf-8")


def test_a_section_of_the_wrong_type_is_reported_once() -> None:
    """Like an area of the wrong type, a section that is not an object gives one ``type``
    issue (validate once also reported every required answer and one-of rule of its areas,
    with pointers that passed through the string)."""
    document = example("triangle.plan.valid")
    document["answers"]["plan"] = "see the attached letter"
    assert [("/answers/plan", "type")] == pairs(validate(document))
    document["answers"]["plan"] = {"goals": "see the attached letter"}
    assert [("/answers/plan/goals", "type")] == [
        pair for pair in pairs(validate(document)) if pair[0].startswith("/answers/plan/goals")
    ]


# --- properties ---------------------------------------------------------------------------------


def tokens(pointer: str) -> list[str]:
    assert "" == pointer or pointer.startswith("/"), pointer
    parts = pointer.split("/")[1:]
    return [part.replace("~1", "/").replace("~0", "~") for part in parts]


def walk(document: Any, pointer: str) -> tuple[Any, str, list[str]]:
    """How far a JSON Pointer goes: the value reached, its pointer, and the tokens left."""
    value, reached, rest = document, "", tokens(pointer)
    while rest:
        token = rest[0]
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif (
            isinstance(value, list)
            and re.fullmatch(r"0|[1-9][0-9]*", token)
            and int(token) < len(value)
        ):
            value = value[int(token)]
        else:
            break
        reached += "/" + token.replace("~", "~0").replace("/", "~1")
        rest = rest[1:]
    return value, reached, rest


def parsed(submission: Any) -> tuple[bool, Any]:
    """The document as the JSON standard library reads it, and whether that worked."""
    if isinstance(submission, bytes):
        try:
            submission = submission.decode("utf-8")
        except UnicodeDecodeError:
            return False, None
    if isinstance(submission, str):
        try:
            return True, json.loads(submission.removeprefix("\ufeff"))
        except (ValueError, RecursionError):
            return False, None
    return True, submission


def check_pointer(document: Any, issue: Issue, report: ValidationReport) -> None:
    """The pointer resolves; or, for a missing answer, it stops at an object that lacks the key
    (an answer to a missing area is named where it belongs), or at a value reported with the
    wrong type."""
    value, reached, rest = walk(document, issue.pointer)
    if not rest:
        return
    assert issue.code in {"required", "one_of_required"}, (issue, reached)
    wrong_type = (reached, "type") in pairs(report)
    assert isinstance(value, dict) or wrong_type, (issue, reached, type(value))


def strings(document: Any) -> Iterator[str]:
    """Every string value (not key) in a document, walked without recursion."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def keys(document: Any) -> set[str]:
    found, stack = set(), [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            found.update(key for key in value if isinstance(key, str))
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def vocabulary() -> frozenset[str]:
    """Ids, labels and option values of every built-in form, and the statuses and fields of the
    envelope: messages may name them."""
    words = {"in_progress", "completed", "form", "form_version", "status", "answers"}
    for form in kindbehoeften.forms():
        words.update((form.id, form.version, form.title))
        for option_list in form.option_lists:
            words.update(option.value for option in option_list.options)
        for section in form.sections:
            words.update((section.id, section.label))
            for area in section.areas:
                words.update((area.id, area.label))
        for _, question in form.questions():
            words.update((question.id, question.label))
            words.update(option.value for option in form.options(question))
    return frozenset(words)


VOCABULARY = vocabulary()


@settings(max_examples=1_000, deadline=None, database=None)
@given(mutated_submissions())
def test_a_mutated_submission_gets_a_report_with_sound_pointers_and_no_answers(
    submission: Any,
) -> None:
    """At least 1,000 truncated, retyped, extended, deepened, enlarged or random submissions:
    a report, never an exception; every pointer resolves in the document (or names its nearest
    existing parent); no message or parameter holds a string that was an answer."""
    report = validate(submission)
    assert isinstance(report, ValidationReport)
    assert report.issues or report.ok
    assert set(CODES) >= {issue.code for issue in report.issues}
    assert report.ok == (not report.errors)
    readable, document = parsed(submission)
    for issue in report.issues:
        assert isinstance(issue.message, str)
        assert issue.message
        if readable:
            check_pointer(document, issue, report)
        else:
            assert "" == issue.pointer
    if not (readable and isinstance(document, dict)):
        return
    answers = document.get("answers")
    # Messages may name fields (keys) and echo the envelope's form and version, not answers.
    named = keys(document) | {
        text for key in ("form", "form_version", "status") for text in strings(document.get(key))
    }
    secrets = {
        text
        for text in strings(answers)
        if len(text) >= 4 and text not in VOCABULARY and not any(text in name for name in named)
    }
    for issue in report.issues:
        shown = issue.message + " " + " ".join(map(str, issue.params.values()))
        assert not [secret[:40] for secret in secrets if secret in shown], issue


def depth(document: Any) -> int:
    """How many levels of objects and lists a document has (the root is level 1)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, level + 1) for item in items)
    return deepest


@settings(max_examples=300, deadline=None, database=None)
@given(mutated_submissions(shapes=("dict",)))
def test_a_dict_and_its_json_text_get_the_same_issues(document: dict[str, Any]) -> None:
    """Text goes through the pydantic-core filter first; a dict always through Python checks."""
    assume(depth(document) <= MAX_SUBMISSION_DEPTH)  # deeper: see the depth bug tests above
    text = json.dumps(document).encode()
    # json.dumps escapes every non-ASCII character (an emoji: 12 bytes, 4 in UTF-8), so a
    # dict just within the limit can give text over it: then the two differ, rightly.
    assume(len(text) <= MAX_SUBMISSION_BYTES)
    assert validate(document) == validate(text)


@settings(max_examples=120, deadline=None, database=None)
@given(st.sampled_from(BUILT_IN).map(kindbehoeften.load_form).flatmap(submissions))
def test_a_generated_valid_submission_validates(document: dict[str, Any]) -> None:
    assert [] == pairs(validate(document))
    assert [] == pairs(validate(json.dumps(document)))


def test_junk_in_mutations_is_marked() -> None:
    """The junk mark never appears in a built-in form, so junk text is never a label."""
    assert not [word for word in VOCABULARY if JUNK_MARK in word]


def test_the_public_constants_are_the_defaults() -> None:
    assert 32 == MAX_SUBMISSION_DEPTH
    defaults = validate.__kwdefaults__
    assert (MAX_SUBMISSION_BYTES, MAX_SUBMISSION_DEPTH, "en") == (
        defaults["max_bytes"],
        defaults["max_depth"],
        defaults["locale"],
    )


# --- dates relative to today and to the child's birth ---------------------------------------

TODAY = dt.date(2026, 11, 23)
PRELIMINARY_DATES = "/answers/intake"


def preliminary_with(**dates: str) -> dict[str, Any]:
    """The valid preliminary example with some dates replaced (keys as ``area__question``)."""

    def edit(answers: dict[str, Any]) -> None:
        for key, value in dates.items():
            area, question = key.split("__")
            answers["intake"][area][question] = value

    return edited("triangle.preliminary.valid", edit)


@pytest.mark.parametrize(
    ("received_on", "expected"),
    [
        ("2026-11-23", []),
        ("2026-11-24", [(f"{PRELIMINARY_DATES}/report/received_on", "max")]),
        ("2030-01-01", [(f"{PRELIMINARY_DATES}/report/received_on", "max")]),
    ],
    ids=["today", "tomorrow", "years-ahead"],
)
def test_a_date_may_not_be_after_the_today_given(received_on: str, expected: Pairs) -> None:
    document = preliminary_with(
        report__received_on=received_on, safety_check__checked_on=str(TODAY)
    )
    assert expected == pairs(validate(document, today=TODAY))


def test_without_today_the_library_does_not_read_the_clock() -> None:
    """Bounds relative to today are the caller's to give; none given, none checked."""
    document = preliminary_with(report__received_on="2999-01-01")
    assert [] == pairs(validate(document))


def test_a_future_date_is_an_error_in_a_draft_too() -> None:
    document = preliminary_with(report__received_on="2026-12-01")
    document["status"] = "in_progress"
    assert [(f"{PRELIMINARY_DATES}/report/received_on", "max")] == pairs(
        validate(document, today=TODAY)
    )


def test_the_message_of_a_future_date_names_today_not_the_answer() -> None:
    document = preliminary_with(report__received_on="2026-12-01")
    (issue,) = validate(document, today=TODAY).issues
    assert '"Date the report was received" must not be in the future (after 2026-11-23).' == (
        issue.message
    )
    assert "2026-12-01" not in issue.message


FULL_DECISION = "/answers/analysis/overall/decision_date"


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (dt.date(2017, 3, 1), []),
        (dt.date(2026, 8, 14), []),  # the decision was made on the day of birth
        (dt.date(2026, 8, 15), [(FULL_DECISION, "min")]),
        (None, []),  # no date of birth known: nothing to compare with
    ],
    ids=["years-before", "same-day", "day-after", "unknown"],
)
def test_a_date_may_not_be_before_the_childs_birth(born: dt.date | None, expected: Pairs) -> None:
    document = edited(
        "triangle.full.valid",
        lambda answers: answers["analysis"]["overall"].update(decision_date="2026-08-14"),
    )
    assert expected == pairs(validate(document, born=born))


def test_the_message_of_a_date_before_birth_does_not_show_the_birth() -> None:
    document = edited(
        "triangle.full.valid",
        lambda answers: answers["analysis"]["overall"].update(decision_date="2026-08-14"),
    )
    (issue,) = validate(document, born=dt.date(2026, 9, 30)).issues
    assert '"Date of the decision" must not be before the child\'s date of birth.' == issue.message
    assert {"label": "Date of the decision"} == dict(issue.params)


BIRTH_FORM = Form.from_dict(
    {
        "form": {
            "id": "test.birth",
            "version": "1.0.0",
            "stage": "full",
            "title": "Birth",
            "birth_date": "child_needs.health.born_on",
        },
        "sections": [
            {
                "id": "child_needs",
                "label": "Child",
                "areas": [
                    {
                        "id": "health",
                        "label": "Health",
                        "questions": [
                            {"id": "born_on", "type": "date", "label": "Born", "max": "today"},
                            {"id": "seen_on", "type": "date", "label": "Seen", "min": "birth"},
                            {"id": "next_on", "type": "date", "label": "Next", "min": "today"},
                        ],
                    }
                ],
            }
        ],
    }
)


@pytest.mark.parametrize(
    ("answers", "born", "expected"),
    [
        ({"born_on": "2020-05-01", "seen_on": "2020-05-01"}, None, []),
        ({"born_on": "2020-05-01", "seen_on": "2020-04-30"}, None, ["seen_on:min"]),
        ({"seen_on": "2020-04-30"}, None, []),  # no birth date answered: not checked
        ({"born_on": "not a date", "seen_on": "2020-04-30"}, None, ["born_on:date"]),
        # the caller's date of birth wins over the answer
        ({"born_on": "2020-05-01", "seen_on": "2020-04-30"}, dt.date(2020, 4, 1), []),
        ({"seen_on": "2020-04-30"}, dt.date(2020, 5, 1), ["seen_on:min"]),
        ({"born_on": "2026-11-24"}, None, ["born_on:max"]),
        ({"next_on": "2026-11-22"}, None, ["next_on:min"]),
        ({"next_on": "2026-11-23"}, None, []),
    ],
)
def test_the_forms_birth_date_question_gives_the_date_of_birth(
    answers: dict[str, Any], born: dt.date | None, expected: list[str]
) -> None:
    document = {
        "form": "test.birth",
        "form_version": "1.0.0",
        "status": "in_progress",
        "answers": {"child_needs": {"health": answers}},
    }
    report = validate(document, form=BIRTH_FORM, today=TODAY, born=born)
    assert expected == [
        f"{issue.pointer.rsplit('/', 1)[1]}:{issue.code}" for issue in report.issues
    ]


# --- JSON text: one pass in Rust when it is well-formed, the careful path otherwise ------------


def _objects(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every non-empty object in ``value``."""
    if isinstance(value, dict):
        if value:
            yield path
        for key, item in value.items():
            yield from _objects(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _objects(item, (*path, index))


def _with_duplicate(document: dict[str, Any], path: tuple[Any, ...], separator: str) -> str:
    """``document`` as JSON text in which the first key of the object at ``path`` appears twice
    (the copy first, with the same value: a parser that keeps the last sees nothing wrong)."""
    target: Any = document
    for step in path:
        target = target[step]
    key = next(iter(target))
    marker = "\u2063duplicate\u2063"
    target[marker] = None
    text = json.dumps(document, separators=(",", separator))
    del target[marker]
    copy = json.dumps(key) + separator + json.dumps(target[key], separators=(",", separator))
    return text.replace(json.dumps(marker) + separator + "null", copy)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.sampled_from(BUILT_IN).map(kindbehoeften.load_form).flatmap(submissions),
    st.sampled_from([":", ": ", " : ", ":\n", "\t:\t"]),
    st.data(),
)
def test_a_duplicate_key_anywhere_in_a_valid_submission_is_found(
    document: dict[str, Any], separator: str, data: st.DataObject
) -> None:
    """Even when both copies are valid answers and the rest of the text is well-formed, so
    that nothing but the duplicate is wrong."""
    path = data.draw(st.sampled_from(list(_objects(document))))
    text = _with_duplicate(document, path, separator)
    codes = [issue.code for issue in validate(text.encode()).issues]
    assert ["duplicate_key"] == codes
    assert codes == [issue.code for issue in validate(text).issues]


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.sampled_from(BUILT_IN).map(kindbehoeften.load_form).flatmap(submissions),
    st.sampled_from([None, 0, 2, "\t"]),
    st.sampled_from([(",", ":"), (", ", ": "), (" ,", " : ")]),
)
def test_any_layout_of_a_valid_submission_is_valid(
    document: dict[str, Any], indent: int | str | None, separators: tuple[str, str]
) -> None:
    text = json.dumps(document, indent=indent, separators=separators, ensure_ascii=False)
    assert [] == pairs(validate(text.encode()))
    assert [] == pairs(validate("\ufeff" + text))


def test_a_colon_in_an_answer_changes_nothing() -> None:
    """Colons are counted to prove there is no duplicate key; a colon in a text is no key."""
    document = views(child_view='At 10:30 she said: "I want to stay": {"a": 1}')
    assert [] == pairs(validate(json.dumps(document).encode()))
    data = json.dumps(document).replace('"child_view":', '"child_view": "x", "child_view":')
    assert [(CHILD_VIEW, "duplicate_key")] == pairs(validate(data.encode()))


def _careful(data: bytes | str) -> ValidationReport:
    """The report of the careful path alone (the strict reader, then the Python checks)."""
    with mock.patch.object(validator_module, "_quick", return_value=None):
        return validate(data)


def _twisted(document: dict[str, Any], twist: str, layout: dict[str, Any], path: Any) -> str:
    """``document`` as JSON text, laid out as ``layout`` says and broken as ``twist`` says."""
    if twist in {"unknown", "deep", "wrong_type"}:  # well-formed, but refused by the filter
        document = json.loads(json.dumps(document))
        broken = {"unknown": {"x": 1}, "deep": {"x": nested(40)}, "wrong_type": 7}[twist]
        document["answers"]["\u00e9\u2603"] = broken
        if twist == "wrong_type":
            document["status"] = ["completed"]
    if twist == "duplicate" or twist == "duplicate_and_escaped_colon":
        text = _with_duplicate(document, path, layout.get("separators", (",", ": "))[1])
    else:
        text = json.dumps(document, **layout)
    if twist.endswith("escaped_colon") and ":" in text:
        # the first colon inside a string written as an escape; structure is left alone
        text = re.sub(r'(: ?"[^"\\]*?):', lambda match: match.group(1) + "\\u003a", text, count=1)
    if twist == "bom":
        text = "\ufeff" + text
    if twist == "nan":
        text = re.sub(r"(: ?)-?[0-9]+(\.[0-9]+)?([,}])", r"\1NaN\3", text, count=1)
    if twist == "truncated":
        text = text[: len(text) // 2]
    return text


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.sampled_from(BUILT_IN).map(kindbehoeften.load_form).flatmap(punctuated_submissions),
    st.sampled_from(
        [
            {},
            {"ensure_ascii": False},
            {"separators": (",", ":")},
            {"indent": 2, "ensure_ascii": False},
            {"separators": (" ,", " : ")},
        ]
    ),
    st.sampled_from(
        [
            *("", "", "duplicate", "escaped_colon", "duplicate_and_escaped_colon"),
            *("bom", "nan", "truncated", "unknown", "deep", "wrong_type"),
        ]
    ),
    st.data(),
)
def test_the_fast_path_and_the_careful_path_give_the_same_report(
    document: dict[str, Any], layout: dict[str, Any], twist: str, data: st.DataObject
) -> None:
    """On texts with colons, quotes, escapes and non-ASCII letters, and on duplicate keys,
    escaped colons, a BOM, NaN, cut text, and well-formed text the filter refuses (read by
    the fast path's parser then, not by the reader): the shortcut never changes a report."""
    path = data.draw(st.sampled_from(list(_objects(document))))
    text = _twisted(document, twist, layout, path)
    for given_input in (text.encode(), text):
        assert _careful(given_input) == validate(given_input)


def test_the_fast_path_takes_texts_with_colons() -> None:
    """A colon in a text is no key: such a submission stays on the fast path, valid; and a
    duplicate key hidden behind an escaped colon is still found."""
    document = views(child_view='At 10:30 she said: "I want to stay": {"a": 1}')
    data = json.dumps(document).encode()
    with mock.patch.object(validator_module, "read", side_effect=AssertionError):
        assert [] == pairs(validate(data))
    hidden = data.replace(b"10:30", b"10\\u003a30").replace(
        b'"child_view":', b'"child_view": "x", "child_view":'
    )
    assert [(CHILD_VIEW, "duplicate_key")] == pairs(validate(hidden))


def test_the_form_argument_may_be_a_form_id() -> None:
    document = example("triangle.plan.valid")
    assert validate(document, form="triangle.plan") == validate(document)


# --- the careful path's own checks, area by area: the same report as without any filter --------


class _Refusing:
    """A filter that accepts nothing: with it, every check is made in Python."""

    def isinstance_python(self, value: object) -> bool:
        return False


class _AllRefusing(dict[Any, _Refusing]):
    """Every filter of an area or a row refuses."""

    def __missing__(self, key: object) -> _Refusing:
        return _Refusing()


def _without_filters(submission: Any, **options: Any) -> ValidationReport:
    """The report of the careful path with no filter at all: the reader reads every text, and
    every answer of every area is checked in Python."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(validator_module, "_quick", return_value=None))
        for form_id in BUILT_IN:
            filters = validator_module.compiled(kindbehoeften.load_form(form_id)).filters
            for name in ("answers_completed", "answers_draft"):
                stack.enter_context(mock.patch.object(filters, name, _Refusing()))
            for name in ("containers_completed", "containers_draft"):
                stack.enter_context(mock.patch.object(filters, name, _AllRefusing()))
        return validate(submission, **options)


def _whole(report: ValidationReport) -> Any:
    """Everything a report says, the fields that equality leaves out included."""
    return (
        report.form,
        report.version,
        [
            (item.pointer, item.code, item.severity, item.message, item.params, item.message_id)
            for item in report.issues
        ],
    )


_WRONG = (
    *(7, -1, 1.5, 10**6, True, None, "", "x", 'said: "no" \u00e9\u2603', "2026-02-30"),
    *([], {}, ["x"], [{}], {"a: b": "\u201cc\u201d"}),
)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value below ``value`` that is not an object."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif path:
        yield path


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


def _reversed(value: Any) -> Any:
    """``value`` with the keys of every object in the other order."""
    if isinstance(value, dict):
        return {key: _reversed(value[key]) for key in reversed(value)}
    if isinstance(value, list):
        return [_reversed(item) for item in value]
    return value


@st.composite
def _broken_submissions(draw: st.DrawFn) -> tuple[str, str]:
    """A valid submission with colons, quotes and non-ASCII letters in its texts, broken in
    one to three places (wrong types, unknown keys, invalid dates, deep nesting, another
    status, objects whose keys come in another order), as JSON text and how it is laid out;
    the last step may repeat a key."""
    form = kindbehoeften.load_form(draw(st.sampled_from(BUILT_IN)))
    document = json.loads(json.dumps(draw(punctuated_submissions(form))))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        twist = draw(
            st.sampled_from(("wrong_type", "unknown", "dates", "deep", "status", "reversed"))
        )
        if twist == "wrong_type":
            path = draw(st.sampled_from(list(_leaves(document))))
            _at(document, path[:-1])[path[-1]] = draw(st.sampled_from(_WRONG))
        elif twist == "unknown":
            holder = _at(document, draw(st.sampled_from([(), *_objects(document)])))
            holder[draw(st.sampled_from(("x", 'a: "b"', "\u00e9\u2603", "~1/0")))] = 1
        elif twist == "dates":  # calendar dates that are no dates, or dates out of bounds
            day = draw(st.sampled_from(("2026-02-30", "1900-01-01", "2099-12-31")))
            for path in _leaves(document):
                if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", str(_at(document, path))):
                    _at(document, path[:-1])[path[-1]] = day
        elif twist == "deep":
            path = draw(st.sampled_from(list(_leaves(document))))
            depth = draw(st.sampled_from((3, 30, 40)))
            _at(document, path[:-1])[path[-1]] = nested(depth)
        elif twist == "status":
            document["status"] = draw(st.sampled_from(("in_progress", "completed", "sent", 7)))
        else:
            document = _reversed(document)
    layout = draw(st.sampled_from(({}, {"ensure_ascii": False}, {"separators": (",", ":")})))
    if draw(st.booleans()):
        path = draw(st.sampled_from(list(_objects(document))))
        return _with_duplicate(document, path, ": "), "duplicate"
    return json.dumps(document, **layout), "plain"


@settings(max_examples=400, deadline=None, database=None)
@given(_broken_submissions(), st.sampled_from(("text", "bytes", "dict")), st.booleans())
def test_the_filters_never_change_a_report_on_invalid_submissions(
    broken: tuple[str, str], shape: str, dated: bool
) -> None:
    """Texts with colons, quotes and unicode, repeated keys, deep nesting, wrong types,
    invalid dates, keys in another order: whatever route a submission takes (the document
    the fast path parsed, the filters of its answers and of each area), its report is the
    careful path's alone, every field and message the same, in the same order."""
    text, _ = broken
    submission: Any = {"text": text, "bytes": text.encode()}.get(shape)
    if submission is None:
        try:
            submission = json.loads(text)
        except RecursionError:  # pragma: no cover - nesting is at most 40 levels
            return
    options = {"today": dt.date(2026, 6, 1), "born": dt.date(2015, 3, 1)} if dated else {}
    assert _whole(_without_filters(submission, **options)) == _whole(
        validate(submission, **options)
    )


@settings(max_examples=300, deadline=None, database=None)
@given(mutated_submissions())
def test_the_filters_never_change_a_report_on_mutated_submissions(submission: Any) -> None:
    """The shipped examples broken in one to four places (tests/strategies.py)."""
    assert _whole(_without_filters(submission)) == _whole(validate(submission))


def test_dates_checked_again_are_reported_in_the_order_of_the_answers() -> None:
    """Two invalid dates in one area, answered in the other order than the form lists them:
    the filters that accept the area leave the dates to Python, which names them in the order
    of the answers, as the careful path does."""
    document = example("triangle.followup.valid")
    review = document["answers"]["followup"]["review"]
    review.update(plan_adopted_on="2026-02-30", review_date="2026-02-31")
    first = {key: review.pop(key) for key in ("plan_adopted_on", "review_date")}
    document["answers"]["followup"]["review"] = {**first, **review}
    pointers = [issue.pointer for issue in validate(json.dumps(document).encode()).issues]
    assert [
        "/answers/followup/review/plan_adopted_on",
        "/answers/followup/review/review_date",
    ] == pointers
    assert _whole(_without_filters(document)) == _whole(validate(document))


_SEMANTIC_VALUES: dict[str, tuple[Any, ...]] = {
    "text": ("", "x", 'said: "no" \u00e9\u2603'),
    "boolean": (True, False),
    "integer": (0, 1, 5),
    "decimal": (0, 2.5),
    "date": ("1900-01-01", "2015-02-28", "2015-03-01", "2026-06-01", "2026-06-02", "2099-12-31"),
    "group": ([],),
}


@st.composite
def _reconsidered(draw: st.DrawFn) -> dict[str, Any]:
    """A valid or draft example with one to four answers of its areas removed or given
    another value of the right type (an option, a date near or out of its bounds, an empty
    text): conditions switched on and off, answers to disabled questions, one-of rules left
    unanswered, dates before birth or after today; most stay within what the filters accept,
    and leave only the semantic checks to decide."""
    name = draw(
        st.sampled_from([f"{form}.{kind}" for form in BUILT_IN for kind in ("valid", "draft")])
    )
    document = example(name)
    form = kindbehoeften.load_form(document["form"])
    # the questions with something left to check after the filters accept (dates with
    # bounds, conditions, one-of rules) and the questions the conditions look at
    plan = validator_module.compiled(form)
    wanted = {target for item in plan.enablement._areas for target in item.targets}
    for section_id, area_id, container, _ in plan.semantic:
        for item in (*container.rechecks, *container.conditional):
            wanted.add((section_id, area_id, item.id))
        for ids, _, _ in container.one_of:
            wanted.update((section_id, area_id, key) for key in ids)
    places = [
        (section.id, area.id, question)
        for section in form.sections
        for area in section.areas
        for question in area.questions
        if (section.id, area.id, question.id) in wanted
    ]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        section_id, area_id, question = draw(st.sampled_from(places))
        area = document["answers"].setdefault(section_id, {}).setdefault(area_id, {})
        if question.type in {"choice", "multi_choice"}:
            options = [option.value for option in form.options(question)]
            value: Any = draw(st.sampled_from(options))
            if question.type == "multi_choice":
                value = draw(st.lists(st.sampled_from(options), unique=True, max_size=3))
        else:
            value = draw(st.sampled_from(_SEMANTIC_VALUES[question.type]))
        if draw(st.booleans()):
            area.pop(question.id, None)
        else:
            area[question.id] = value
    return document


@settings(max_examples=400, deadline=None, database=None)
@given(_reconsidered(), st.booleans())
def test_answers_the_filters_accept_get_the_careful_paths_semantic_issues(
    document: dict[str, Any], dated: bool
) -> None:
    """The checks left after a filter accepts (conditions, one-of rules, date bounds) are
    settled without an issue made when nothing is wrong: on submissions with conditions
    switched, one-of rules unanswered and dates out of bounds, the report of bytes, of a dict
    and of a record's submission (``quick_read``) is the careful path's, field for field."""
    options = {"today": dt.date(2026, 6, 1), "born": dt.date(2015, 3, 1)} if dated else {}
    expected = _whole(_without_filters(document, **options))
    assert expected == _whole(validate(json.dumps(document).encode(), **options))
    assert expected == _whole(validate(document, **options))
    quick = validator_module.quick_read(document, **options)
    if quick is not None:
        assert expected == _whole(quick)


# A plan of its own whose goals' rows hold dates with bounds and a group of steps, each step
# with a bounded date and a required answer under a condition: what is left to check after
# the filters accept is settled row by row, in nested rows too.
_PLAN_FILE = kindbehoeften.__file__.replace("__init__.py", "forms/triangle.plan.toml")
_STEPS = """
[[sections.areas.questions.questions]]
id = "steps"
type = "group"
label = "Steps"

[[sections.areas.questions.questions.questions]]
id = "done_on"
type = "date"
label = "Done on"
max = "today"

[[sections.areas.questions.questions.questions]]
id = "kind"
type = "choice"
label = "Kind"
options = "measures"

[[sections.areas.questions.questions.questions]]
id = "kind_other"
type = "text"
label = "Other kind"
required = true
when = { question = "kind", operator = "equals", value = "other" }

"""


@pytest.fixture(scope="module")
def rows_plan(tmp_path_factory: pytest.TempPathFactory) -> Form:
    with open(_PLAN_FILE, encoding="utf-8") as file:
        text = file.read()
    text = text.replace('version = "1.0.0"', 'version = "9.0.0"', 1)
    text = text.replace(
        'id = "start_date"\ntype = "date"\nlabel = "Start date"\n',
        'id = "start_date"\ntype = "date"\nlabel = "Start date"\nmin = "birth"\nmax = "today"\n',
    )
    text = text.replace(
        'id = "review_date"\ntype = "date"\nlabel = "Review date"\n',
        'id = "review_date"\ntype = "date"\nlabel = "Review date"\nmin = 2026-01-01\n',
    )
    views = text.index('[[sections.areas]]\nid = "views"')
    views = text.rindex("# ---", 0, views)
    text = text[:views] + _STEPS + text[views:]
    path = tmp_path_factory.mktemp("forms") / "plan9.toml"
    path.write_text(text, encoding="utf-8")
    form = kindbehoeften.load_form(str(path))
    goals = next(q for q in form.section("plan").area("goals").questions if q.id == "goals")
    rows = {question.id: question for question in goals.questions}
    bounds = (rows["start_date"].min, rows["start_date"].max, rows["review_date"].min)
    assert (("birth", "today", dt.date(2026, 1, 1)), "group") == (bounds, rows["steps"].type)
    return form


_ROW_DATES = ("2015-02-28", "2015-03-01", "2025-12-31", "2026-01-01", "2026-06-01", "2026-06-02")


@st.composite
def _rows_submission(draw: st.DrawFn) -> dict[str, Any]:
    """The plan's example with its goals' dates, measures and steps redrawn."""
    document = example("triangle.plan.valid")
    document["form_version"] = "9.0.0"
    document["status"] = draw(st.sampled_from(["completed", "in_progress"]))
    for goal in document["answers"]["plan"]["goals"]["goals"]:
        for key in ("start_date", "review_date"):
            goal.pop(key, None)
            if draw(st.booleans()):
                goal[key] = draw(st.sampled_from(_ROW_DATES))
        goal["measures"] = draw(
            st.sampled_from([["other"], ["group_work"], ["other", "group_work"]])
        )
        goal.pop("measures_other", None)
        if draw(st.booleans()):
            goal["measures_other"] = "A neighbour helps"
        steps = []
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            step: dict[str, Any] = {}
            if draw(st.booleans()):
                step["done_on"] = draw(st.sampled_from(_ROW_DATES))
            if draw(st.booleans()):
                step["kind"] = draw(st.sampled_from(["other", "group_work"]))
            if draw(st.booleans()):
                step["kind_other"] = draw(st.sampled_from(["", "Sports club"]))
            steps.append(step)
        if steps or draw(st.booleans()):
            goal["steps"] = steps
    return document


@settings(max_examples=300, deadline=None, database=None)
@given(document=_rows_submission(), dated=st.booleans())
def test_rows_the_filters_accept_get_the_careful_paths_issues(
    rows_plan: Form, document: dict[str, Any], dated: bool
) -> None:
    """Dates with bounds and conditions in the rows of a group, and in rows of rows: the
    report of bytes and of a dict is the careful path's, field for field."""
    options = {"today": dt.date(2026, 6, 1), "born": dt.date(2015, 3, 1)} if dated else {}
    filters = validator_module.compiled(rows_plan).filters
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(validator_module, "_quick", return_value=None))
        for name in ("answers_completed", "answers_draft"):
            stack.enter_context(mock.patch.object(filters, name, _Refusing()))
        for name in ("containers_completed", "containers_draft"):
            stack.enter_context(mock.patch.object(filters, name, _AllRefusing()))
        expected = _whole(validate(document, form=rows_plan, **options))
    assert expected == _whole(validate(json.dumps(document).encode(), form=rows_plan, **options))
    assert expected == _whole(validate(document, form=rows_plan, **options))
