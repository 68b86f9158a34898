"""The assessment record: what it holds, its schema, the exact round trip, and refusals."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings

import kindbehoeften
from clirun import run as run_cli
from kindbehoeften import Assessment, IntegrityError
from kindbehoeften.errors import InvalidRecordError
from kindbehoeften.export import RECORD_SCHEMA_ID, read_record, record, record_schema
from strategies import assessments

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HISTORY = EXAMPLES / "histories" / "demo-case.json"
FORMS = ("preliminary", "full", "plan", "followup")
TODAY = dt.date(2026, 11, 23)


def submissions() -> list[bytes]:
    return [(EXAMPLES / f"triangle.{name}.valid.json").read_bytes() for name in FORMS]


def demo() -> dict[str, Any]:
    return record(Assessment.from_json(HISTORY.read_bytes()), submissions(), today=TODAY)


def test_a_record_holds_history_stage_deadlines_and_submissions() -> None:
    assessment = Assessment.from_json(HISTORY.read_bytes())
    document = demo()
    assert RECORD_SCHEMA_ID == document["$schema"]
    assert ("demo-case-0042", "SE", "0180", "support", False, "2026-11-23") == (
        document["case_id"],
        document["jurisdiction"],
        document["municipality"],
        document["stage"],
        document["emergency_active"],
        document["today"],
    )
    assert assessment.to_dict() == document["history"]
    assert [d.to_dict() for d in assessment.deadlines(TODAY)] == document["deadlines"]
    assert [(f"triangle.{name}", "1.0.0") for name in FORMS] == [
        (item["form"], item["form_version"]) for item in document["submissions"]
    ]


def test_the_record_schema_is_valid_and_every_record_satisfies_it() -> None:
    schema = record_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(demo())


def test_record_to_json_and_back_is_exact() -> None:
    document = demo()
    text = json.dumps(document, ensure_ascii=False, indent=2)
    again = read_record(text)
    assert document == again
    assert text == json.dumps(again, ensure_ascii=False, indent=2)
    assert Assessment.from_dict(again["history"]) == Assessment.from_json(HISTORY.read_bytes())


@settings(max_examples=40, deadline=None, database=None)
@given(assessments(max_steps=8))
def test_any_assessment_records_and_reads_back_exactly(assessment: Assessment) -> None:
    document = record(assessment, today=TODAY)
    jsonschema.Draft202012Validator(record_schema()).validate(document)
    assert document == read_record(json.dumps(document))


def test_an_invalid_submission_is_refused_with_pointers_not_values() -> None:
    invalid = (EXAMPLES / "triangle.plan.invalid.json").read_bytes()
    with pytest.raises(InvalidRecordError) as refused:
        record(Assessment.from_json(HISTORY.read_bytes()), [submissions()[0], invalid])
    assert ("/submissions/1/submitted_by", "unknown_field") in refused.value.problems
    assert all(pointer.startswith("/submissions/1/") for pointer, _ in refused.value.problems)
    assert "Jan de Vries" not in str(refused.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r.update(stage="closed"), [("/stage", "differs_from_history")]),
        (lambda r: r["deadlines"].pop(), [("/deadlines", "differs_from_history")]),
        (
            lambda r: r["deadlines"][1].update(status="overdue"),
            [("/deadlines", "differs_from_history")],
        ),
        (lambda r: r.update(extra=1), [("/extra", "additionalProperties")]),
        (lambda r: r.update({"a/b~c": 1}), [("/a~1b~0c", "additionalProperties")]),
        (lambda r: r["deadlines"][0].update(x=1), [("/deadlines/0/x", "additionalProperties")]),
        (lambda r: r.pop("stage"), [("/stage", "required")]),
        (lambda r: r.update({"$schema": "urn:other"}), [("/$schema", "const")]),
        (lambda r: r["submissions"][1].update(status="draft"), [("/submissions/1/status", "enum")]),
    ],
    ids=[
        "stage",
        "deadline",
        "status",
        "extra-key",
        "escaped-key",
        "extra-deadline-key",
        "missing-key",
        "schema-id",
        "submission-status",
    ],
)
def test_a_record_that_differs_from_its_history_is_refused(
    change: Any, expected: list[tuple[str, str]]
) -> None:
    document = demo()
    change(document)
    with pytest.raises(InvalidRecordError) as refused:
        read_record(document)
    assert expected == list(refused.value.problems)


def test_a_changed_answer_in_a_recorded_submission_is_checked_again() -> None:
    document = demo()
    document["submissions"][2]["answers"]["plan"]["consent"]["parents_consent"] = "maybe"
    with pytest.raises(InvalidRecordError) as refused:
        read_record(document)
    consent = "/submissions/2/answers/plan/consent"
    assert [(f"{consent}/parents_consent", "choice"), (f"{consent}/consent_date", "disabled")] == (
        list(refused.value.problems)
    )


def test_a_changed_history_in_a_record_fails_its_integrity_check() -> None:
    document = demo()
    document["history"]["events"][3]["on"] = "2026-02-12"
    with pytest.raises(IntegrityError):
        read_record(document)


def test_a_document_that_is_no_object_is_refused_at_the_root() -> None:
    """The root is the pointer "" (RFC 6901): "/" would be a key named ""."""
    with pytest.raises(InvalidRecordError) as refused:
        read_record([demo()])  # type: ignore[arg-type]
    assert (("", "type"),) == refused.value.problems


@pytest.mark.parametrize("text", [b"", b"{", b"\xff"], ids=["empty", "syntax", "bytes"])
def test_text_that_is_no_json_is_refused(text: bytes) -> None:
    with pytest.raises(InvalidRecordError) as refused:
        read_record(text)
    assert (("", "json_syntax"),) == refused.value.problems


# --- the command line --------------------------------------------------------------------------


def test_export_record_prints_the_record(tmp_path: Path) -> None:
    names = [str(EXAMPLES / f"triangle.{name}.valid.json") for name in FORMS]
    code, out, err = run("export", "record", str(HISTORY), *names, "--today", "2026-11-23")
    assert (0, "") == (code, err)
    assert demo() == json.loads(out)
    target = tmp_path / "record.json"
    code, out, _ = run("export", "record", str(HISTORY), *names, "--output", str(target))
    assert (0, "") == (code, out)
    assert read_record(target.read_bytes())["case_id"] == "demo-case-0042"


def test_export_record_of_an_invalid_submission_exits_1_naming_the_file() -> None:
    invalid = str(EXAMPLES / "triangle.plan.invalid.json")
    code, out, err = run("export", "record", str(HISTORY), invalid)
    assert (1, "") == (code, out)
    assert f"{invalid}: /submitted_by (unknown_field)" in err


def test_export_record_of_a_missing_file_exits_2() -> None:
    code, _, err = run("export", "record", "/no/such/history.json")
    assert 2 == code
    assert "no such file: /no/such/history.json" in err


def test_schema_record_prints_the_record_schema() -> None:
    code, out, _ = run("schema", "record")
    assert (0, record_schema()) == (code, json.loads(out))
    assert kindbehoeften.events_schema()["$id"] == json.loads(out)["$defs"]["history"]["$id"]


def run(*argv: str) -> tuple[int, str, str]:
    return run_cli(*argv, width=200)


def test_a_record_nested_beyond_any_depth_is_refused_not_a_crash() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(InvalidRecordError) as refused:
        read_record(deep)
    assert (("", "too_deep"),) == refused.value.problems  # as validate says of such text


def test_an_unknown_version_names_the_versions_there_are() -> None:
    with pytest.raises(kindbehoeften.UnknownFormError) as unknown:
        kindbehoeften.load_form("triangle.plan", "9.9.9")
    assert ("1.0.0",) == unknown.value.versions
    assert str(unknown.value).startswith(
        "form 'triangle.plan' has no version '9.9.9'; known versions: 1.0.0."
    )
