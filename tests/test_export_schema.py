"""The exported JSON Schema of a form agrees with ``validate`` on submissions of that form.

The differential tests compare ``validate(submission, form=form).ok`` with the verdict of
``jsonschema.Draft202012Validator`` (format assertion on) on the schema for the submission's
status (``completed`` when the status is missing or wrong: both schemas refuse it then).
They exclude, on purpose, what the schema cannot express (see ``kindbehoeften._exports.schema``):

- JSON-text problems (syntax, duplicate keys, size and depth limits, invalid UTF-8): the
  generated submissions are parsed dictionaries, which cannot hold them;
- NaN, Infinity and lone surrogates: not JSON, so never generated here.

Everything else is compared: removed, unanswered (null, "", []) and wrongly typed answers,
values out of options or bounds, extra keys, answers to disabled questions, other statuses and
broken envelopes, over the built-in forms, a form written to exercise conditions across areas
and group rows, and forms drawn by ``strategies.forms()``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kindbehoeften
from kindbehoeften import Form, validate
from kindbehoeften._exports.formulas import date_order, text_order
from kindbehoeften._exports.schema import json_schema
from kindbehoeften._forms.checks import check_form
from kindbehoeften.errors import InvalidArgumentError
from strategies import changed_submissions, form_submissions, forms

ROOT = Path(__file__).resolve().parent.parent
FORM_FILES = sorted((ROOT / "src" / "kindbehoeften" / "forms").glob("*.toml")) + sorted(
    (ROOT / "src" / "kindbehoeften" / "forms" / "examples").glob("*.toml")
)
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
STATUSES = ("completed", "in_progress")
FORMAT_CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER


@cache
def _form(path: Path) -> Form:
    return kindbehoeften.load_form(path)


FORMS = [_form(path) for path in FORM_FILES]
FORM_IDS = [path.stem for path in FORM_FILES]


@cache
def _cached_checker(form: Form, status: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        json_schema(form, status),  # type: ignore[arg-type]
        format_checker=FORMAT_CHECKER,
    )


def checker(form: Form, status: str) -> jsonschema.Draft202012Validator:
    if any(form is known for known in FORMS) or form is TRICKY:
        return _cached_checker(form, status)
    return jsonschema.Draft202012Validator(
        json_schema(form, status),  # type: ignore[arg-type]
        format_checker=FORMAT_CHECKER,
    )


def assert_agree(form: Form, submission: dict[str, Any]) -> bool:
    """Both verdicts are the same; returns it."""
    status = submission.get("status")
    schema_status = status if status in STATUSES else "completed"
    report = validate(submission, form=form)
    errors = list(checker(form, schema_status).iter_errors(submission))
    assert report.ok == (not errors), (
        [(issue.pointer, issue.code) for issue in report.errors],
        [(error.json_path, error.message[:200]) for error in errors],
        json.dumps(submission, ensure_ascii=False, default=str)[:3000],
    )
    return report.ok


# --- the schema itself ----------------------------------------------------------------------


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
def test_the_schema_of_every_form_is_a_draft_2020_12_schema(form: Form, status: str) -> None:
    schema = json_schema(form, status)  # type: ignore[arg-type]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "https://json-schema.org/draft/2020-12/schema" == schema["$schema"]
    assert f"urn:kindbehoeften:submission:{form.id}:{form.version}:{status}" == schema["$id"]
    assert form.title == schema["title"]
    assert {"const": form.id} == schema["properties"]["form"]
    assert {"const": form.version} == schema["properties"]["form_version"]
    assert {"const": status} == schema["properties"]["status"]
    assert ["form", "form_version", "status", "answers"] == schema["required"]
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
def test_every_object_is_closed_and_every_question_described(form: Form) -> None:
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object":
                assert node["additionalProperties"] is False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    schema = json_schema(form)
    walk(schema)
    sections = schema["properties"]["answers"]["properties"]
    for path, question in form.questions():
        node = sections[path[0]]["properties"][path[1]]
        for group in path[2:-1]:
            node = node["properties"][group]["items"]
        assert question.label == node["properties"][path[-1]]["description"]


def test_each_call_returns_a_new_dictionary() -> None:
    form = FORMS[0]
    first = json_schema(form)
    first["properties"].clear()
    assert json_schema(form)["properties"]


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        json_schema(FORMS[0], "done")  # type: ignore[arg-type]
    assert "status" == caught.value.argument
    assert (
        "status must be one of: in_progress, completed (the status of the submissions the "
        "schema is for)"
    ) == str(caught.value)


# --- submissions written by hand and shipped as examples ------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_the_example_submissions_agree_with_validate(path: Path) -> None:
    submission = json.loads(path.read_text(encoding="utf-8"))
    form = kindbehoeften.load_form(submission["form"], submission["form_version"])
    ok = assert_agree(form, submission)
    if path.name.endswith((".valid.json", ".draft.json")):
        assert ok


def _minimal(form_id: str) -> dict[str, Any]:
    """The least a completed submission of each built-in form needs."""
    answers: dict[str, Any] = {
        "triangle.preliminary": {
            "intake": {
                "report": {"received_on": "2026-03-02", "reporter_kind": "anonymous"},
                "safety_check": {
                    "checked_on": "2026-03-02",
                    "acute_danger": False,
                    "safety_reasons": "r",
                },
                "child": {"child_view_not_obtained_reason": "too young"},
            },
            "decision": {
                "decision": {
                    "outcome": "close",
                    "decided_on": "2026-03-10",
                    "reasons": "r",
                    "guardians_informed": True,
                }
            },
        },
        "triangle.plan": {
            "plan": {
                "goals": {
                    "goals": [
                        {"area": "health", "goal": "g", "measures": ["other"], "responsible": "r"}
                    ]
                },
                "views": {"child_view": "v"},
                "consent": {"parents_consent": "not_asked"},
            }
        },
    }
    form = kindbehoeften.load_form(form_id)
    return {
        "form": form.id,
        "form_version": form.version,
        "status": "completed",
        "answers": answers[form_id],
    }


SOME_CHANGES: list[tuple[str, str, Callable[[dict[str, Any]], None], bool]] = [
    ("triangle.preliminary", "as it is", lambda s: None, True),
    ("triangle.plan", "as it is", lambda s: None, True),
    (
        "triangle.preliminary",
        "a required answer null",
        lambda s: _at(s, "intake.report").update(received_on=None),
        False,
    ),
    (
        "triangle.preliminary",
        "a required text empty",
        lambda s: _at(s, "decision.decision").update(reasons=""),
        False,
    ),
    (
        "triangle.preliminary",
        "an optional answer null",
        lambda s: _at(s, "intake.report").update(concern_reported=None),
        True,
    ),
    (
        "triangle.preliminary",
        "a disabled answer",
        lambda s: _at(s, "intake.report").update(reporter_name="N"),
        False,
    ),
    (
        "triangle.preliminary",
        "a disabled answer, null",
        lambda s: _at(s, "intake.report").update(reporter_name=None),
        True,
    ),
    (
        "triangle.preliminary",
        "a disabled answer, empty",
        lambda s: _at(s, "intake.report").update(reporter_name=""),
        True,
    ),
    (
        "triangle.preliminary",
        "disabled by another section",
        lambda s: _at(s, "decision.decision").update(reporter_feedback_given=True),
        False,
    ),
    (
        "triangle.preliminary",
        "enabled by another section",
        lambda s: (
            _at(s, "decision.decision").update(reporter_feedback_given=True),
            _at(s, "intake.report").update(reporter_kind="school"),
        )[0],
        True,
    ),
    (
        "triangle.preliminary",
        "a conditionally required answer missing",
        lambda s: _at(s, "decision.decision").update(outcome="refer_other_service"),
        False,
    ),
    (
        "triangle.preliminary",
        "no view and no reason",
        lambda s: _at(s, "intake.child").clear(),
        False,
    ),
    (
        "triangle.preliminary",
        "a whole required area missing",
        lambda s: s["answers"]["intake"].pop("safety_check"),
        False,
    ),
    (
        "triangle.preliminary",
        "a date that does not exist",
        lambda s: _at(s, "intake.report").update(received_on="2026-02-30"),
        False,
    ),
    (
        "triangle.preliminary",
        "a draft with nothing",
        lambda s: s.update(status="in_progress", answers={}),
        True,
    ),
    (
        "triangle.preliminary",
        "a draft with a disabled answer",
        lambda s: (
            s.update(status="in_progress"),
            _at(s, "intake.report").update(reporter_contact="c"),
        )[0],
        False,
    ),
    (
        "triangle.plan",
        "a goal row without its measures",
        lambda s: _at(s, "plan.goals")["goals"][0].pop("measures"),
        False,
    ),
    ("triangle.plan", "no goal rows", lambda s: _at(s, "plan.goals").update(goals=[]), False),
    (
        "triangle.plan",
        "a row answer its condition disables",
        lambda s: _at(s, "plan.goals")["goals"][0].update(
            measures=["parent_training"], measures_other="x"
        ),
        False,
    ),
    (
        "triangle.plan",
        "a row answer its condition enables",
        lambda s: _at(s, "plan.goals")["goals"][0].update(measures_other="x"),
        True,
    ),
    (
        "triangle.plan",
        "an extra key in a row",
        lambda s: _at(s, "plan.goals")["goals"][0].update(x=1),
        False,
    ),
]


def _at(submission: dict[str, Any], dotted: str) -> Any:
    node = submission["answers"]
    for key in dotted.split("."):
        node = node[key]
    return node


@pytest.mark.parametrize(
    ("form_id", "change", "expected"),
    [
        pytest.param(form_id, change, ok, id=f"{form_id}: {name}")
        for form_id, name, change, ok in SOME_CHANGES
    ],
)
def test_hand_written_submissions_get_the_same_verdict(
    form_id: str, change: Callable[[dict[str, Any]], None], expected: bool
) -> None:
    submission = _minimal(form_id)
    change(submission)
    assert expected == assert_agree(kindbehoeften.load_form(form_id), submission)


# --- conditions across areas and group rows -------------------------------------------------

TRICKY_FILE: dict[str, Any] = {
    "form": {"id": "test.tricky", "version": "1.0.0", "stage": "full", "title": "Tricky"},
    "option_lists": {
        "kinds": {
            "options": [
                {"value": "a", "label": "A"},
                {"value": "b", "label": "B"},
                {"value": "c", "label": "C"},
            ]
        }
    },
    "sections": [
        {
            "id": "one",
            "label": "One",
            "areas": [
                {
                    "id": "x",
                    "label": "X",
                    "require_one_of": [{"questions": ["note", "later"]}],
                    "questions": [
                        {"id": "kind", "type": "choice", "label": "Kind", "options": "kinds"},
                        {
                            "id": "flag",
                            "type": "boolean",
                            "label": "Flag",
                            "when": {"question": "kind", "operator": "not_in", "value": ["c"]},
                        },
                        {
                            "id": "count",
                            "type": "integer",
                            "label": "Count",
                            "min": 0,
                            "max": 10,
                            "when": {"question": "flag", "operator": "equals", "value": True},
                        },
                        {
                            "id": "note",
                            "type": "text",
                            "label": "Note",
                            "max_length": 5,
                            "pattern": "[a-z]+",
                            "when": {"not": {"question": "count", "operator": "gt", "value": 3}},
                        },
                        {
                            "id": "later",
                            "type": "date",
                            "label": "Later",
                            "min": "2000-01-01",
                            "max": "2030-12-31",
                            "required": True,
                            "when": {
                                "any": [
                                    {"question": "flag", "operator": "answered", "value": False},
                                    {"question": "count", "operator": "le", "value": 2},
                                ]
                            },
                        },
                    ],
                },
                {
                    "id": "y",
                    "label": "Y",
                    "questions": [
                        {
                            "id": "since",
                            "type": "date",
                            "label": "Since",
                            "when": {
                                "question": "one.x.later",
                                "operator": "ge",
                                "value": "2020-02-29",
                            },
                        },
                        {
                            "id": "tags",
                            "type": "multi_choice",
                            "label": "Tags",
                            "options": "kinds",
                            "min_items": 1,
                            "max_items": 2,
                            "required": ["full"],
                        },
                    ],
                },
            ],
        },
        {
            "id": "two",
            "label": "Two",
            "areas": [
                {
                    "id": "z",
                    "label": "Z",
                    "questions": [
                        {
                            "id": "after",
                            "type": "text",
                            "label": "After",
                            "required": True,
                            "when": {
                                "question": "one.y.since",
                                "operator": "lt",
                                "value": "2025-01-01",
                            },
                        },
                        {
                            "id": "amount",
                            "type": "decimal",
                            "label": "Amount",
                            "min": -1.5,
                            "max": 2.25,
                        },
                        {
                            "id": "rows",
                            "type": "group",
                            "label": "Rows",
                            "max_items": 3,
                            "questions": [
                                {
                                    "id": "what",
                                    "type": "choice",
                                    "label": "What",
                                    "options": "kinds",
                                    "required": True,
                                },
                                {
                                    "id": "why",
                                    "type": "text",
                                    "label": "Why",
                                    "required": True,
                                    "when": {
                                        "all": [
                                            {
                                                "question": "what",
                                                "operator": "equals",
                                                "value": "b",
                                            },
                                            {
                                                "question": "one.x.kind",
                                                "operator": "equals",
                                                "value": "a",
                                            },
                                        ]
                                    },
                                },
                                {
                                    "id": "sub",
                                    "type": "group",
                                    "label": "Sub",
                                    "when": {
                                        "question": "two.z.amount",
                                        "operator": "ge",
                                        "value": 0,
                                    },
                                    "questions": [
                                        {
                                            "id": "n",
                                            "type": "integer",
                                            "label": "N",
                                            "required": True,
                                        },
                                        {
                                            "id": "m",
                                            "type": "integer",
                                            "label": "M",
                                            "when": {
                                                "any": [
                                                    {
                                                        "question": "n",
                                                        "operator": "in",
                                                        "value": [1, 2],
                                                    },
                                                    {
                                                        "question": "one.x.flag",
                                                        "operator": "equals",
                                                        "value": False,
                                                    },
                                                ]
                                            },
                                        },
                                    ],
                                },
                            ],
                        },
                    ],
                },
            ],
        },
    ],
}
TRICKY = Form.from_dict(TRICKY_FILE)
check_form(TRICKY)


@pytest.mark.parametrize("status", STATUSES)
def test_the_schema_of_the_tricky_form_is_a_draft_2020_12_schema(status: str) -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema(TRICKY, status))  # type: ignore[arg-type]


def test_a_row_condition_on_an_outside_question_is_split_at_the_common_object() -> None:
    answers = json_schema(TRICKY)["properties"]["answers"]
    comments = [item["$comment"] for item in answers["allOf"]]
    assert "two.z.rows.why: required while its condition holds, else unanswered" in comments
    assert "two.z.rows.sub.m: answered only while its condition holds" in comments


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_verdicts_agree_on_the_tricky_form(data: st.DataObject) -> None:
    changes = data.draw(st.integers(min_value=0, max_value=2))
    assert_agree(TRICKY, data.draw(changed_submissions(TRICKY, mutations=changes)))


# --- the built-in forms ---------------------------------------------------------------------


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_submissions_of_the_built_in_forms_are_valid(data: st.DataObject) -> None:
    form = FORMS[data.draw(st.sampled_from(range(len(FORMS))), label="form")]
    submission = data.draw(form_submissions(form))
    assert validate(submission, form=form).ok
    assert checker(form, submission["status"]).is_valid(submission)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_verdicts_agree_on_changed_submissions_of_the_built_in_forms(
    data: st.DataObject,
) -> None:
    form = FORMS[data.draw(st.sampled_from(range(len(FORMS))), label="form")]
    assert_agree(form, data.draw(changed_submissions(form)))


@cache
def _rust_checker(form: Form, status: str) -> Any:
    return jsonschema_rs.validator_for(json_schema(form, status), validate_formats=True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_an_independent_validator_in_rust_gives_the_same_verdicts(data: st.DataObject) -> None:
    """jsonschema-rs (its own regular expressions, its own format checks) reads the schemas
    as the Python jsonschema does: the same verdict as validate, on the built-in forms and
    the tricky one."""
    form = data.draw(st.sampled_from([*FORMS, TRICKY]), label="form")
    submission = data.draw(changed_submissions(form))
    status = submission.get("status")
    verdict = _rust_checker(form, status if status in STATUSES else "completed")
    assert validate(submission, form=form).ok == verdict.is_valid(submission)


# --- generated forms ------------------------------------------------------------------------


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
@given(forms(), st.data())
def test_verdicts_agree_on_generated_forms(document: dict[str, Any], data: st.DataObject) -> None:
    form = Form.from_dict(document)
    for status in STATUSES:
        jsonschema.Draft202012Validator.check_schema(json_schema(form, status))  # type: ignore[arg-type]
    changes = data.draw(st.integers(min_value=0, max_value=2))
    for _ in range(3):
        assert_agree(form, data.draw(changed_submissions(form, mutations=changes)))


# --- the patterns that stand in for comparisons ---------------------------------------------

_DATE_TEXT = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat)


@given(
    st.sampled_from(("gt", "ge", "lt", "le")),
    _DATE_TEXT,
    _DATE_TEXT | st.text(alphabet="0129-W ", max_size=12),
)
def test_date_order_patterns_order_dates_as_text(operator: str, value: str, expected: str) -> None:
    pattern = date_order(operator, expected)
    matches = pattern is not None and re.search(pattern, value) is not None
    python = {
        "gt": value > expected,
        "ge": value >= expected,
        "lt": value < expected,
        "le": value <= expected,
    }[operator]
    assert python == matches


@given(
    st.sampled_from(("gt", "ge", "lt", "le")),
    st.text(alphabet="ab\n\x00é😀-", max_size=4),
    st.text(alphabet="ab\n\x00é😀-", max_size=4),
)
def test_text_order_patterns_order_text_by_code_point(
    operator: str, value: str, expected: str
) -> None:
    pattern = text_order(operator, expected)
    matches = pattern is not None and re.search(pattern, value) is not None
    python = {
        "gt": value > expected,
        "ge": value >= expected,
        "lt": value < expected,
        "le": value <= expected,
    }[operator]
    assert python == matches


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1999-12-31", False),
        ("2000-01-01", True),
        ("2015-06-15", True),
        ("2030-12-31", True),
        ("2031-01-01", False),
        ("2030-12-31\n", False),
        ("2024-02-30", False),
        (None, True),
    ],
)
def test_date_bounds_are_exact(value: str | None, expected: bool) -> None:
    submission = {
        "form": "test.tricky",
        "form_version": "1.0.0",
        "status": "in_progress",
        "answers": {"one": {"x": {"later": value}}},
    }
    assert expected == assert_agree(TRICKY, submission)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("abc", True), ("", True), ("abc\n", False), ("ab1", False), ("abcdef", False)],
)
def test_text_patterns_match_the_whole_answer(value: str, expected: bool) -> None:
    submission = {
        "form": "test.tricky",
        "form_version": "1.0.0",
        "status": "in_progress",
        "answers": {"one": {"x": {"note": value}}},
    }
    assert expected == assert_agree(TRICKY, submission)


def test_checking_against_the_schema_leaves_the_submission_unchanged() -> None:
    submission = _minimal("triangle.plan")
    before = copy.deepcopy(submission)
    assert checker(kindbehoeften.load_form("triangle.plan"), "completed").is_valid(submission)
    assert before == submission


# --- found by comparing with the schema -----------------------------------------------------


def test_validate_refuses_iso_week_dates() -> None:
    """``2021-W01-1`` is ten characters and ``date.fromisoformat`` reads it on Python 3.11+,
    but a date answer must be written YYYY-MM-DD, as the schema's pattern says."""
    form = kindbehoeften.load_form("triangle.plan")
    submission = {
        "form": "triangle.plan",
        "form_version": "1.0.0",
        "status": "in_progress",
        "answers": {"plan": {"goals": {"adopted_on": "2021-W01-1"}}},
    }
    assert not checker(form, "in_progress").is_valid(submission)
    assert ["date"] == [issue.code for issue in validate(submission, form=form).issues]


# --- forms that load_form would refuse, for the exporter's fallbacks ------------------------

UNCHECKED = Form.from_dict(
    {
        "form": {"id": "test.unchecked", "version": "1.0.0", "stage": "full", "title": "U"},
        "sections": [
            {
                "id": "s",
                "label": "S",
                "areas": [
                    {
                        "id": "a",
                        "label": "A",
                        "questions": [
                            {"id": "t", "type": "text", "label": "T"},
                            {
                                "id": "after_m",
                                "type": "boolean",
                                "label": "After m",
                                "when": {"question": "t", "operator": "gt", "value": "m"},
                            },
                            {
                                "id": "before_nothing",
                                "type": "boolean",
                                "label": "Before nothing",
                                "when": {"question": "t", "operator": "lt", "value": ""},
                            },
                            {
                                "id": "above_true",
                                "type": "boolean",
                                "label": "Above true",
                                "when": {"question": "t", "operator": "ge", "value": True},
                            },
                            {
                                "id": "rows",
                                "type": "group",
                                "label": "Rows",
                                "questions": [
                                    {"id": "r", "type": "boolean", "label": "R"},
                                    {
                                        "id": "unless_m",
                                        "type": "boolean",
                                        "label": "Unless m",
                                        "when": {
                                            "all": [
                                                {
                                                    "not": {
                                                        "question": "s.a.t",
                                                        "operator": "le",
                                                        "value": "m",
                                                    }
                                                },
                                                {
                                                    "question": "r",
                                                    "operator": "equals",
                                                    "value": True,
                                                },
                                            ]
                                        },
                                    },
                                ],
                            },
                        ],
                    }
                ],
            }
        ],
    }
)


@pytest.mark.parametrize("text", [None, "", "a", "m", "m\n", "ma", "n", "é", "😀"])
@pytest.mark.parametrize(
    "answer",
    [
        {"after_m": True},
        {"before_nothing": False},
        {"above_true": True},
        {"rows": [{"r": True, "unless_m": True}, {"r": False}]},
        {"rows": [{"r": False, "unless_m": True}]},
    ],
    ids=["gt", "lt-empty", "ge-true", "row-not", "row-disabled"],
)
def test_ordered_conditions_on_text_agree_too(text: str | None, answer: dict[str, Any]) -> None:
    """``load_form`` refuses ordered operators on text; a form built in Python may have them."""
    submission = {
        "form": "test.unchecked",
        "form_version": "1.0.0",
        "status": "in_progress",
        "answers": {"s": {"a": {"t": text, **answer}}},
    }
    assert_agree(UNCHECKED, submission)
