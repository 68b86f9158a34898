"""`kindbehoeften demo`: a fictional case from report to plan, and the files it writes."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from clirun import run
from kindbehoeften import Assessment
from kindbehoeften.cli.demo import build_case
from kindbehoeften.export import read_record

HISTORY = Path(__file__).resolve().parents[1] / "examples" / "histories" / "demo-case.json"


def test_the_demo_case_is_the_shipped_example_history() -> None:
    """The history in examples/ is what the demo records, step by step."""
    case, _ = build_case()
    assert Assessment.from_json(HISTORY.read_bytes()) == case


def test_the_demo_walks_the_case_and_writes_its_files(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    code, out, err = run("demo", "--output", str(folder), "--today", "2026-11-23")
    assert (0, "") == (code, err)
    for heading in ("validated", "refused", "recorded", "legal clocks", "at a glance", "Wrote 5"):
        assert heading in out
    written = sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())
    assert [
        "fhir/Questionnaire-triangle.full.json",
        "fhir/QuestionnaireResponse-triangle.full.json",
        "record.json",
        "statistics.csv",
        "triangle.svg",
    ] == written
    document = read_record((folder / "record.json").read_bytes())
    assert ("support", "2026-11-23") == (document["stage"], document["today"])
    Questionnaire.model_validate_json(
        (folder / "fhir/Questionnaire-triangle.full.json").read_text()
    )
    QuestionnaireResponse.model_validate_json(
        (folder / "fhir/QuestionnaireResponse-triangle.full.json").read_text()
    )
    rows = list(csv.DictReader(io.StringIO((folder / "statistics.csv").read_text("utf-8"))))
    assert ["SE"] == [row["jurisdiction"] for row in rows]
    assert "demo-case-0042" not in (folder / "statistics.csv").read_text("utf-8")
    picture = ET.fromstring((folder / "triangle.svg").read_bytes())
    assert picture.tag.endswith("svg")


def test_the_demo_speaks_swedish(tmp_path: Path) -> None:
    code, out, _ = run("demo", "--output", str(tmp_path), "--today", "2026-11-23", "--locale", "sv")
    assert 0 == code
    assert "Hälsa" in out
    assert "måste" in out  # a validation message in Swedish


def test_a_demo_folder_that_cannot_be_written_exits_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    code, out, err = run("demo", "--output", str(blocker / "demo"))
    assert (2, "") == (code, out)
    assert f"kindbehoeften: error: cannot write {blocker / 'demo'}: Not a directory\n" == err


def test_a_demo_folder_that_is_a_file_exits_2_before_any_output(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    code, out, err = run("demo", "--output", str(blocker))
    assert (2, "") == (code, out)
    assert f"--output {blocker} is a file; give a folder" in err
