"""`kindbehoeften import fhir-response`: a QuestionnaireResponse back into a submission."""

from __future__ import annotations

import json
from pathlib import Path

from clirun import run
from kindbehoeften.export import questionnaire_response

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_a_response_becomes_the_submission_it_was_made_from(tmp_path: Path) -> None:
    source = EXAMPLES / "triangle.plan.valid.json"
    resource = tmp_path / "response.json"
    resource.write_text(json.dumps(questionnaire_response(source.read_bytes())), encoding="utf-8")
    code, out, err = run("import", "fhir-response", str(resource))
    assert (0, "") == (code, err)
    assert json.loads(source.read_text(encoding="utf-8")) == json.loads(out)
    target = tmp_path / "submission.json"
    code, out, _ = run("import", "fhir-response", str(resource), "--output", str(target))
    assert (0, "") == (code, out)
    assert json.loads(source.read_text(encoding="utf-8")) == json.loads(target.read_bytes())


def test_standard_input_is_read_for_the_file_name_dash() -> None:
    source = EXAMPLES / "triangle.preliminary.draft.json"
    data = json.dumps(questionnaire_response(source.read_bytes())).encode("utf-8")
    code, out, _ = run("import", "fhir-response", "-", stdin=data)
    assert 0 == code
    assert json.loads(source.read_text(encoding="utf-8")) == json.loads(out)


def test_a_resource_that_cannot_be_read_exits_1_with_each_problem(tmp_path: Path) -> None:
    resource = tmp_path / "patient.json"
    resource.write_text('{"resourceType": "QuestionnaireResponse", "status": "amended"}')
    code, out, err = run("import", "fhir-response", str(resource))
    assert (1, "") == (code, out)
    assert [
        f"{resource}: /questionnaire (required) questionnaire is missing: it names the form "
        "version",
        f"{resource}: /status (status) status must be completed or in-progress to be a submission",
    ] == err.splitlines()


def test_a_number_json_cannot_hold_as_a_float_is_a_problem_not_infinity_in_the_output(
    tmp_path: Path,
) -> None:
    """1e400 is JSON, but no double holds it: printing it back would write Infinity, which
    is not JSON."""
    source = EXAMPLES / "triangle.plan.valid.json"
    text = json.dumps(questionnaire_response(source.read_bytes()))
    resource = tmp_path / "response.json"
    resource.write_text(text.replace('{"valueString": "G1"}', '{"valueString": 1e400}', 1))
    code, out, err = run("import", "fhir-response", str(resource))
    assert (1, "") == (code, out)
    assert "/answer/0/valueString (type)" in err


def test_a_missing_file_is_a_usage_error() -> None:
    code, out, err = run("import", "fhir-response", "no-such-file.json")
    assert (2, "") == (code, out)
    assert "no such file: no-such-file.json" in err
