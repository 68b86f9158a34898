"""FHIR back into submissions: ``export.submission_from_fhir`` and the OperationOutcomes of
``$validate`` (``_exports/fhir/``).

- exporting what was imported gives the same resource, over the example files and over
  generated submissions of the built-in forms and of generated forms;
- ``fhir.resources`` (an independent implementation) accepts every resource exported again
  and every OperationOutcome;
- what cannot be read is an ``InvalidResourceError`` naming each place and code, never a
  value; a questionnaire is only ever looked up by id, never as a path.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import kindbehoeften
from kindbehoeften import Form, InvalidResourceError, validate
from kindbehoeften._exports.fhir import (
    ISSUE_CODE_SYSTEM,
    operation_outcome,
    resource_outcome,
)
from kindbehoeften.export import questionnaire_response, submission_from_fhir
from strategies import form_submissions, forms, submissions
from test_fhir import odd_whitespace, texts

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted(
    path for path in EXAMPLES.glob("*.json") if path.name.endswith((".valid.json", ".draft.json"))
)
BUILT_IN = tuple(kindbehoeften.forms())
SENTINEL = "Sentinel-answer-of-a-child-4711"
SLOW = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def full_response() -> dict[str, Any]:
    return questionnaire_response((EXAMPLES / "triangle.full.valid.json").read_bytes())


def problems_of(resource: Any) -> tuple[tuple[str, str], ...]:
    with pytest.raises(InvalidResourceError) as caught:
        submission_from_fhir(resource)
    return caught.value.problems


def item(resource: dict[str, Any], *link_ids: str) -> dict[str, Any]:
    """The item reached by following ``link_ids`` from the resource."""
    node: dict[str, Any] = resource
    for link_id in link_ids:
        node = next(child for child in node["item"] if child["linkId"] == link_id)
    return node


# --- exporting what was imported gives the same resource -------------------------------------


def assert_identity(resource: dict[str, Any], form: Form | None = None) -> dict[str, Any]:
    submission = submission_from_fhir(resource, form=form)
    again = questionnaire_response(submission, form=form)
    assert resource == again
    QuestionnaireResponse.model_validate(again)
    return submission


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[path.stem for path in EXAMPLE_FILES])
def test_the_example_files_come_back_as_they_were(path: Path) -> None:
    """FHIR -> submission -> FHIR is the identity, and the submission is the file's (no
    answer of the examples is null or empty), from a dict, from bytes and from text."""
    resource = questionnaire_response(path.read_bytes())
    submission = assert_identity(resource)
    assert json.loads(path.read_text(encoding="utf-8")) == submission
    text = json.dumps(resource, ensure_ascii=False)
    assert submission == submission_from_fhir(text)
    assert submission == submission_from_fhir(text.encode("utf-8"))


@settings(SLOW, max_examples=200)
@given(st.data())
def test_generated_submissions_of_the_built_in_forms_come_back(data: st.DataObject) -> None:
    form = data.draw(st.sampled_from(BUILT_IN), label="form")
    submission = data.draw(submissions(form))
    resource = questionnaire_response(submission)
    assert_identity(resource)
    assert validate(submission_from_fhir(resource)).ok


@settings(SLOW, max_examples=30)
@given(forms(), st.data())
def test_generated_forms_and_submissions_come_back(
    document: dict[str, Any], data: st.DataObject
) -> None:
    """A form of the caller's own is given as ``form``; its resources come back too."""
    form = Form.from_dict(document)
    submission = data.draw(form_submissions(form))
    assume(validate(submission, form=form).ok)
    # fhir.resources refuses a text made only of odd whitespace (docs/fhir.md, item 7).
    assume(not any(odd_whitespace(text) for text in texts(submission["answers"])))
    resource = questionnaire_response(submission, form=form)
    assert_identity(resource, form=form)


def test_authored_and_other_elements_without_answers_are_left_out() -> None:
    resource = questionnaire_response(
        (EXAMPLES / "triangle.plan.valid.json").read_bytes(),
        authored=dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC),
    )
    resource |= {
        "id": "qr-1",
        "meta": {"versionId": "3"},
        "subject": {"reference": "Patient/1"},
        "text": {"status": "generated", "div": "<div xmlns='http://www.w3.org/1999/xhtml'/>"},
    }
    submission = submission_from_fhir(resource)
    assert ["form", "form_version", "status", "answers"] == list(submission)
    authored = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    again = questionnaire_response(submission, authored=authored)
    assert {k: v for k, v in resource.items() if k not in {"id", "meta", "subject", "text"}} == (
        again
    )


def test_answers_are_carried_for_validate_to_judge() -> None:
    """A code that is no option, a text too long: the submission holds them, and validate
    reports them with the pointers and codes it gives any submission."""
    resource = full_response()
    health = item(resource, "child_needs", "child_needs.health", "child_needs.health.assessment")
    health["answer"][0]["valueCoding"]["code"] = "wonderful"
    submission = submission_from_fhir(resource)
    assert "wonderful" == submission["answers"]["child_needs"]["health"]["assessment"]
    report = validate(submission)
    assert [("/answers/child_needs/health/assessment", "choice")] == [
        (issue.pointer, issue.code) for issue in report.issues
    ]


def test_a_questionnaire_is_looked_up_by_id_and_never_opened_as_a_file(tmp_path: Path) -> None:
    """A questionnaire URL that names a path is no form id; the form given as ``form`` must
    be the one the resource names."""
    form_file = tmp_path / "mine.toml"
    form_file.write_text((ROOT / "docs" / "broken-example.toml").read_text(encoding="utf-8"))
    for canonical in (
        f"urn:kindbehoeften:form:{form_file}|1.0.0",
        "urn:kindbehoeften:form:../forms/triangle.full.toml|1.0.0",
        "urn:kindbehoeften:form:triangle.full.toml|1.0.0",
    ):
        resource = full_response() | {"questionnaire": canonical}
        assert (("/questionnaire", "unknown_form"),) == problems_of(resource)
    plan = kindbehoeften.load_form("triangle.plan")
    with pytest.raises(InvalidResourceError) as caught:
        submission_from_fhir(full_response(), form=plan)
    assert (("/questionnaire", "unknown_form"),) == caught.value.problems


# --- what cannot be read ----------------------------------------------------------------------


def changed(change: Any) -> dict[str, Any]:
    resource = full_response()
    change(resource)
    return resource


def _set(path: tuple[str, ...], key: str, value: Any) -> Any:
    def change(resource: dict[str, Any]) -> None:
        item(resource, *path)[key] = value

    return change


HEALTH = ("child_needs", "child_needs.health", "child_needs.health.assessment")
SOURCES = ("child_needs", "child_needs.health", "child_needs.health.sources")
# The pointer of the health assessment's item in the full example's response.
HEALTH_AT = "/item/0/item/0/item/0"

BROKEN: list[tuple[str, Any, tuple[tuple[str, str], ...]]] = [
    ("not JSON", b'{"resourceType": ', (("", "json_syntax"),)),
    ("a key twice", b'{"a": 1, "a": 2}', (("/a", "duplicate_key"),)),
    ("NaN", b'{"resourceType": NaN}', (("", "json_syntax"),)),
    (
        "a number beyond a float's range, which Python reads as infinity",
        json.dumps(full_response()).replace('"status": "completed"', '"status": 1e400'),
        (("/status", "type"),),
    ),
    (
        "an answer beyond a float's range",
        json.dumps(changed(_set(HEALTH, "answer", [{"valueCoding": {"code": 7}}]))).replace(
            '"code": 7', '"code": -1e400'
        ),
        ((f"{HEALTH_AT}/answer/0/valueCoding/code", "type"),),
    ),
    ("not an object", b"[]", (("", "not_an_object"),)),
    ("no resourceType", {}, (("/resourceType", "required"),)),
    ("a Patient", {"resourceType": "Patient"}, (("/resourceType", "resource_type"),)),
    (
        "no questionnaire",
        changed(lambda r: r.pop("questionnaire")),
        (("/questionnaire", "required"),),
    ),
    (
        "a questionnaire that is not text",
        changed(lambda r: r.update(questionnaire=7)),
        (("/questionnaire", "type"),),
    ),
    (
        "another questionnaire",
        changed(lambda r: r.update(questionnaire="http://example.org/Questionnaire/q|1")),
        (("/questionnaire", "unknown_form"),),
    ),
    (
        "an unknown form",
        changed(lambda r: r.update(questionnaire="urn:kindbehoeften:form:nope|1.0.0")),
        (("/questionnaire", "unknown_form"),),
    ),
    (
        "no version",
        changed(lambda r: r.update(questionnaire="urn:kindbehoeften:form:triangle.full")),
        (("/questionnaire", "unknown_version"),),
    ),
    (
        "an unknown version",
        changed(lambda r: r.update(questionnaire="urn:kindbehoeften:form:triangle.full|9.9.9")),
        (("/questionnaire", "unknown_version"),),
    ),
    ("no status", changed(lambda r: r.pop("status")), (("/status", "required"),)),
    (
        "an amended response",
        changed(lambda r: r.update(status="amended")),
        (("/status", "status"),),
    ),
    (
        "a modifierExtension",
        changed(lambda r: r.update(modifierExtension=[])),
        (("/modifierExtension", "unknown_field"),),
    ),
    ("items that are no list", changed(lambda r: r.update(item={})), (("/item", "type"),)),
    (
        "an item that is no object",
        changed(lambda r: r["item"].append("x")),
        (("/item/4", "not_an_object"),),
    ),
    (
        "an item without linkId",
        changed(lambda r: r["item"].append({"text": "x"})),
        (("/item/4/linkId", "required"),),
    ),
    (
        "an unknown section",
        changed(lambda r: r["item"].append({"linkId": "hobbies"})),
        (("/item/4/linkId", "unknown_item"),),
    ),
    (
        "a section twice",
        changed(lambda r: r["item"].append(copy.deepcopy(r["item"][0]))),
        (("/item/4/linkId", "repeated"),),
    ),
    (
        "an area of another section",
        changed(lambda r: r["item"][0]["item"].append({"linkId": "analysis.overall"})),
        (("/item/0/item/7/linkId", "unknown_item"),),
    ),
    (
        "a question of another area",
        changed(
            lambda r: item(r, "child_needs", "child_needs.health")["item"].append(
                {"linkId": "child_needs.education.assessment", "answer": []}
            )
        ),
        (("/item/0/item/0/item/4/linkId", "unknown_item"),),
    ),
    (
        "a question twice",
        changed(
            lambda r: item(r, "child_needs", "child_needs.health")["item"].append(
                copy.deepcopy(item(r, *HEALTH))
            )
        ),
        (("/item/0/item/0/item/4/linkId", "repeated"),),
    ),
    (
        "two answers to a choice",
        changed(lambda r: item(r, *HEALTH)["answer"].append(item(r, *HEALTH)["answer"][0])),
        ((f"{HEALTH_AT}/answer/1", "repeated"),),
    ),
    (
        "a value of another type",
        changed(_set(HEALTH, "answer", [{"valueString": SENTINEL}])),
        ((f"{HEALTH_AT}/answer/0/valueString", "type"),),
    ),
    (
        "an answer without a value",
        changed(_set(HEALTH, "answer", [{"id": "a1"}])),
        ((f"{HEALTH_AT}/answer/0", "required"),),
    ),
    (
        "an answer that is no object",
        changed(_set(HEALTH, "answer", [SENTINEL])),
        ((f"{HEALTH_AT}/answer/0", "not_an_object"),),
    ),
    (
        "answers that are no list",
        changed(_set(HEALTH, "answer", {"valueString": SENTINEL})),
        ((f"{HEALTH_AT}/answer", "type"),),
    ),
    (
        "a nested item under an answer",
        changed(
            _set(
                HEALTH,
                "answer",
                [{"valueCoding": {"code": "strength"}, "item": [{"linkId": "x"}]}],
            )
        ),
        ((f"{HEALTH_AT}/answer/0/item", "unknown_field"),),
    ),
    (
        "items under a question",
        changed(_set(HEALTH, "item", [])),
        ((f"{HEALTH_AT}/item", "unknown_field"),),
    ),
    (
        "a coding of another system",
        changed(_set(HEALTH, "answer", [{"valueCoding": {"system": "x:y", "code": "strength"}}])),
        ((f"{HEALTH_AT}/answer/0/valueCoding/system", "system"),),
    ),
    (
        "a coding without a code",
        changed(_set(HEALTH, "answer", [{"valueCoding": {"display": SENTINEL}}])),
        ((f"{HEALTH_AT}/answer/0/valueCoding/code", "required"),),
    ),
    (
        "a value of null, which FHIR's JSON does not allow",
        changed(
            _set(
                ("child_needs", "child_needs.health", "child_needs.health.description"),
                "answer",
                [{"valueString": None}],
            )
        ),
        (("/item/0/item/0/item/1/answer/0/valueString", "type"),),
    ),
    (
        "a code of null",
        changed(_set(HEALTH, "answer", [{"valueCoding": {"code": None}}])),
        ((f"{HEALTH_AT}/answer/0/valueCoding/code", "type"),),
    ),
    (
        "a coding that is no object",
        changed(_set(SOURCES, "answer", [{"valueCoding": SENTINEL}])),
        (("/item/0/item/0/item/2/answer/0/valueCoding", "type"),),
    ),
    (
        "answers in a group",
        changed(lambda r: r["item"][0].update(answer=[{"valueString": SENTINEL}])),
        (("/item/0/answer", "unknown_field"),),
    ),
    (
        "an unknown element of an item",
        changed(_set(HEALTH, "note", SENTINEL)),
        ((f"{HEALTH_AT}/note", "unknown_field"),),
    ),
]


@pytest.mark.parametrize(
    ("resource", "expected"),
    [pytest.param(resource, expected, id=name) for name, resource, expected in BROKEN],
)
def test_what_cannot_be_read_names_each_place_and_code(
    resource: Any, expected: tuple[tuple[str, str], ...]
) -> None:
    """Each problem is a pointer into the resource and a code; the messages name places and
    linkIds, never a value."""
    with pytest.raises(InvalidResourceError) as caught:
        submission_from_fhir(resource)
    error = caught.value
    assert expected == error.problems
    assert len(error.problems) == len(error.messages)
    assert SENTINEL not in str(error)
    assert all(SENTINEL not in message for message in error.messages)
    assert isinstance(error, ValueError)


def test_every_problem_is_found_not_only_the_first() -> None:
    resource = full_response()
    resource["status"] = "stopped"
    item(resource, *HEALTH)["answer"] = [{"valueBoolean": True}]
    resource["item"].append({"linkId": "hobbies"})
    assert {
        ("/status", "status"),
        (f"{HEALTH_AT}/answer/0/valueBoolean", "type"),
        ("/item/4/linkId", "unknown_item"),
    } == set(problems_of(resource))


def test_a_caller_s_dict_is_held_to_json() -> None:
    """Values that JSON cannot hold are refused where they are; the message says the place."""
    resource = full_response()
    item(resource, *HEALTH)["answer"] = [{"valueCoding": {"code": float("nan")}}]
    resource["id"] = object()
    assert {
        (f"{HEALTH_AT}/answer/0/valueCoding/code", "type"),
        ("/id", "type"),
    } == set(problems_of(resource))
    with pytest.raises(TypeError, match="must be a dict, bytes or str"):
        submission_from_fhir([resource])  # type: ignore[arg-type]


def test_the_problems_are_bounded() -> None:
    resource = full_response()
    resource["item"].extend({"linkId": f"x{number}"} for number in range(5000))
    problems = problems_of(resource)
    assert 100 == len(problems)


def test_the_message_in_full() -> None:
    error = InvalidResourceError([("/status", "status"), ("/item/4/linkId", "unknown_item")])
    assert (
        "not a QuestionnaireResponse that kindbehoeften can read: /status (status), "
        "/item/4/linkId (unknown_item). Give a QuestionnaireResponse to a Questionnaire of "
        "export.questionnaire."
    ) == str(error)


# --- OperationOutcome -------------------------------------------------------------------------


def codes_of(outcome: dict[str, Any]) -> list[tuple[str | None, str]]:
    found = []
    for issue in outcome["issue"]:
        coding = issue["details"].get("coding", [{}])[0]
        found.append((issue.get("location", [None])[0], coding.get("code", "")))
    return found


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda path: path.stem)
def test_an_operation_outcome_has_the_codes_and_pointers_of_validate(path: Path) -> None:
    report = validate(path.read_bytes())
    outcome = operation_outcome(report)
    OperationOutcome.model_validate(outcome)
    if report.issues:
        expected = [(issue.pointer or None, issue.code) for issue in report.issues]
        assert expected == codes_of(outcome)
        assert all(
            ISSUE_CODE_SYSTEM == issue["details"]["coding"][0]["system"]
            for issue in outcome["issue"]
        )
    else:
        assert [("information", "informational")] == [
            (issue["severity"], issue["code"]) for issue in outcome["issue"]
        ]


def test_the_expression_follows_the_link_ids() -> None:
    report = validate((EXAMPLES / "triangle.plan.invalid.json").read_bytes())
    by_pointer = {
        issue["location"][0]: issue["expression"][0] for issue in operation_outcome(report)["issue"]
    }
    assert (
        "QuestionnaireResponse.item.where(linkId = 'plan')"
        ".item.where(linkId = 'plan.goals')"
        ".item.where(linkId = 'plan.goals.goals')[0]"
        ".item.where(linkId = 'plan.goals.goals.responsible')"
    ) == by_pointer["/answers/plan/goals/goals/0/responsible"]
    full = validate((EXAMPLES / "triangle.full.invalid.json").read_bytes())
    by_pointer = {
        issue["location"][0]: issue["expression"][0] for issue in operation_outcome(full)["issue"]
    }
    assert by_pointer["/answers/child_needs/education/sources/1"].endswith(
        ".item.where(linkId = 'child_needs.education.sources').answer[1]"
    )


@settings(SLOW, max_examples=60)
@given(st.data())
def test_every_outcome_of_a_generated_submission_is_a_valid_resource(
    data: st.DataObject,
) -> None:
    """Generated submissions with their answers changed into wrong ones: fhir.resources
    accepts the OperationOutcome, with one issue per issue of the report."""
    form = data.draw(st.sampled_from(BUILT_IN), label="form")
    submission = data.draw(submissions(form))
    answers = submission["answers"]
    for section in list(answers):
        for area in list(answers[section]):
            if data.draw(st.booleans(), label=f"spoil {section}.{area}"):
                answers[section][area] = {
                    key: data.draw(st.sampled_from([7, "x", [1], {"k": 1}, None, True]))
                    for key in answers[section][area]
                }
    report = validate(submission)
    outcome = operation_outcome(report)
    OperationOutcome.model_validate(outcome)
    assert len(report.issues) == len(outcome["issue"]) or not report.issues


@pytest.mark.parametrize(
    ("resource", "expected"),
    [pytest.param(resource, expected, id=name) for name, resource, expected in BROKEN],
)
def test_the_problems_of_a_resource_are_an_operation_outcome(
    resource: Any, expected: tuple[tuple[str, str], ...]
) -> None:
    with pytest.raises(InvalidResourceError) as caught:
        submission_from_fhir(resource)
    outcome = resource_outcome(caught.value)
    OperationOutcome.model_validate(outcome)
    assert [(pointer or None, code) for pointer, code in expected] == codes_of(outcome)
    assert SENTINEL not in json.dumps(outcome)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("note", "QuestionnaireResponse.item[0].note"),
        ("a b", "QuestionnaireResponse.item[0].`a b`"),
        ("a`b\\c", "QuestionnaireResponse.item[0].`a\\`b\\\\c`"),
        ("²", "QuestionnaireResponse.item[0].`²`"),
        ("٣", "QuestionnaireResponse.item[0].`٣`"),
    ],
    ids=["name", "space", "backtick", "superscript-two", "arabic-indic-three"],
)
def test_the_fhirpath_of_an_odd_key_names_that_key(key: str, expected: str) -> None:
    """An index is ASCII digits; any other name that is no FHIRPath identifier is written
    between backticks with its backticks and backslashes escaped, so it names that key."""
    resource = full_response()
    resource["item"][0][key] = 1
    with pytest.raises(InvalidResourceError) as caught:
        submission_from_fhir(resource)
    [issue] = resource_outcome(caught.value)["issue"]
    assert [expected] == issue["expression"]
