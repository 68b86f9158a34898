"""`kindbehoeften export stats` (and the record files it reads)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from clirun import run as run_cli
from kindbehoeften import Assessment
from kindbehoeften.export import COLUMNS, TABLES, record

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
KEY = "0123456789abcdef0123456789abcdef\n"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    history = Assessment.from_json((EXAMPLES / "histories" / "demo-case.json").read_bytes())
    forms = [
        (EXAMPLES / f"triangle.{name}.valid.json").read_bytes()
        for name in ("preliminary", "full", "plan")
    ]
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record(history, forms)), encoding="utf-8")
    key = tmp_path / "key.txt"
    key.write_text(KEY, encoding="utf-8")
    return path, key


def test_stats_prints_one_csv_row_per_record_without_the_case_id(files: tuple[Path, Path]) -> None:
    path, key = files
    code, out, err = run("export", "stats", str(path), str(path), "--key-file", str(key))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert (0, "") == (code, err)
    assert 2 == len(rows)
    assert list(COLUMNS[:3]) == list(rows[0])[:3]
    assert rows[0]["pseudonym"] == rows[1]["pseudonym"]
    assert ("SE", "6-11", "open_full_assessment") == (
        rows[0]["jurisdiction"],
        rows[0]["age_band"],
        rows[0]["preliminary_outcome"],
    )
    assert "demo-case-0042" not in out
    assert "2017" not in out  # no date of birth, not even its year


def test_stats_aggregate_writes_one_file_per_table(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    path, key = files
    folder = tmp_path / "tables"
    code, out, _ = run(
        "export", "stats", str(path), "--key-file", str(key), "--aggregate", "--output", str(folder)
    )
    assert (0, "") == (code, out)
    assert sorted(f"{name}.csv" for name in TABLES) == sorted(p.name for p in folder.iterdir())
    text = (folder / "by_outcome.csv").read_text(encoding="utf-8")
    by_outcome = list(csv.DictReader(io.StringIO(text)))
    assert "<5" == by_outcome[0]["open_full_assessment"]  # one case: a small cell


def test_stats_to_parquet(files: tuple[Path, Path], tmp_path: Path) -> None:
    path, key = files
    target = tmp_path / "stats.parquet"
    code, _, _ = run(
        "export",
        "stats",
        str(path),
        "--key-file",
        str(key),
        "--format",
        "parquet",
        "--output",
        str(target),
    )
    table = pq.read_table(target).to_pylist()
    assert 0 == code
    assert "SE" == table[0]["jurisdiction"]


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (["--format", "parquet"], "--format parquet writes a file: give --output"),
        (["--min-cell", "0"], "argument --min-cell: at least 1, not 0"),
    ],
)
def test_stats_usage_errors_exit_2(files: tuple[Path, Path], extra: list[str], reason: str) -> None:
    path, key = files
    code, out, err = run("export", "stats", str(path), "--key-file", str(key), *extra)
    assert (2, "") == (code, out)
    assert reason in err


def test_stats_without_a_key_or_with_a_short_one_exits_2(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    path, _ = files
    code, _, err = run("export", "stats", str(path))
    assert 2 == code
    assert "--key-file" in err
    short = tmp_path / "short.key"
    short.write_text("secret\n", encoding="utf-8")
    code, out, err = run("export", "stats", str(path), "--key-file", str(short))
    assert (2, "") == (code, out)
    assert "has 6 bytes; a pseudonym needs at least 16" in err


def test_stats_of_a_changed_record_exits_1(files: tuple[Path, Path]) -> None:
    path, key = files
    document = json.loads(path.read_text("utf-8"))
    document["stage"] = "closed"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, out, err = run("export", "stats", str(path), "--key-file", str(key))
    assert (1, "") == (code, out)
    assert "differs_from_history" in err


# --- FHIR ---------------------------------------------------------------------------------------


def test_fhir_questionnaire_of_a_form_is_a_valid_r4_resource(tmp_path: Path) -> None:
    from fhir.resources.R4B.questionnaire import Questionnaire

    code, out, _ = run("export", "fhir-questionnaire", "triangle.followup")
    assert 0 == code
    resource = Questionnaire.model_validate_json(out)
    assert ("urn:kindbehoeften:form:triangle.followup", "1.0.0") == (resource.url, resource.version)
    target = tmp_path / "q.json"
    assert (0, "") == run(
        "export", "fhir-questionnaire", "triangle.followup", "--output", str(target)
    )[:2]
    assert json.loads(out) == json.loads(target.read_text("utf-8"))


def test_fhir_response_of_a_valid_submission() -> None:
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    code, out, _ = run("export", "fhir-response", str(EXAMPLES / "triangle.plan.valid.json"))
    assert 0 == code
    response = QuestionnaireResponse.model_validate_json(out)
    assert "urn:kindbehoeften:form:triangle.plan|1.0.0" == response.questionnaire


def test_fhir_response_of_an_invalid_submission_exits_1_with_its_issues() -> None:
    invalid = str(EXAMPLES / "triangle.plan.invalid.json")
    code, out, err = run("export", "fhir-response", invalid)
    assert (1, "") == (code, out)
    assert f"{invalid}: /submitted_by (unknown_field)" in err


def test_fhir_questionnaire_of_an_unknown_form_exits_2() -> None:
    code, out, err = run("export", "fhir-questionnaire", "no.such.form")
    assert (2, "") == (code, out)
    assert "unknown form 'no.such.form'" in err


def run(*argv: str) -> tuple[int, str, str]:
    return run_cli(*argv, width=200)


def test_stats_min_cell_without_aggregate_is_a_usage_error(files: tuple[Path, Path]) -> None:
    """Rows are not counts: --min-cell would suppress nothing, however small the group."""
    path, key = files
    code, out, err = run("export", "stats", str(path), "--key-file", str(key), "--min-cell", "10")
    assert (2, "") == (code, out)
    assert (
        "kindbehoeften: error: export stats: --min-cell works with --aggregate (it suppresses "
        "small counts of the tables); rows of records are not counted: give --aggregate, or "
        "leave out --min-cell\n" == err
    )
