"""`kindbehoeften demo`: a fictional case from report to plan, and the files it writes."""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from clirun import run
from kindbehoeften import Assessment, open_store
from kindbehoeften._core.canonical import submission_digest
from kindbehoeften.cli.demo import CASE_ID, build_case
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
    for heading in ("validated", "refused", "recorded", "legal clocks", "at a glance", "Wrote 6"):
        assert heading in out
    written = sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())
    assert [
        "fhir/Questionnaire-triangle.full.json",
        "fhir/QuestionnaireResponse-triangle.full.json",
        "kindbehoeften.db",
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


# --- the demo's store -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_user_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KINDBEHOEFTEN_STORE", raising=False)
    monkeypatch.chdir(tmp_path)


def stored_cases(folder: Path) -> dict[str, Assessment]:
    with open_store(f"sqlite:///{folder}/kindbehoeften.db") as store:
        return {summary.case_id: store.get(summary.case_id) for summary in store.cases()}


def store_option(folder: Path) -> str:
    return f"--store=sqlite:///{folder}/kindbehoeften.db"


def test_the_demo_stores_its_case_step_by_step_with_the_submissions_behind_it(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "demo"
    code, out, _ = run("demo", "--output", str(folder), "--today", "2026-11-23", width=200)
    case, forms = build_case()
    url = f"sqlite:///{folder}/kindbehoeften.db"
    assert 0 == code
    assert {CASE_ID: case} == stored_cases(folder)
    assert f"Stored in {url}: case {CASE_ID}, 11 events, head {case.head}" in out
    assert (
        f"Show it again from the store with: kindbehoeften case show {CASE_ID} --store {url}" in out
    )
    assert f"Head: {case.head}" in out  # the case as case show prints it
    with open_store(url) as store:
        for stage in ("preliminary", "full", "plan"):
            assert forms[stage] == store.get_submission(CASE_ID, submission_digest(forms[stage]))
    code, shown, _ = run("case", "show", CASE_ID, "--today", "2026-11-23", store_option(folder))
    assert (0, True) == (code, shown.startswith("Stage: support\n"))


def test_the_case_commands_find_the_demos_store_in_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert 0 == run("demo", "--output", str(tmp_path / "demo"), "--today", "2026-11-23")[0]
    monkeypatch.chdir(tmp_path / "demo")
    code, out, err = run("case", "list", "--format", "json")
    assert (0, "") == (code, err)
    assert [CASE_ID] == [item["case_id"] for item in json.loads(out)["cases"]]


def test_the_demo_runs_again_in_the_same_folder_and_starts_its_store_afresh(
    tmp_path: Path,
) -> None:
    """A second run does not fail on the case the first stored, and steps recorded in the
    demo's store in between are gone: each run writes all of its files anew."""
    folder = tmp_path / "demo"
    assert 0 == run("demo", "--output", str(folder), "--today", "2026-11-23")[0]
    code, _, err = run(
        "case", "step", CASE_ID, "review_held", "--on", "2026-11-20", store_option(folder)
    )
    assert (0, "", 12) == (code, err, len(stored_cases(folder)[CASE_ID].events))
    code, _, err = run("demo", "--output", str(folder), "--today", "2026-11-23")
    assert (0, "") == (code, err)
    assert {CASE_ID: build_case()[0]} == stored_cases(folder)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("other-case", "holds cases other than the demo's"),
        ("notes", "is not a store the demo made"),
    ],
)
def test_the_demo_leaves_a_store_that_is_not_its_own_alone_and_writes_nothing(
    tmp_path: Path, content: str, reason: str
) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    target = folder / "kindbehoeften.db"
    if content == "other-case":
        run(
            "case",
            "open",
            "2026-0142",
            "--jurisdiction",
            "SE",
            "--reported",
            "2026-11-02",
            "--reporter",
            "parent",
            f"--store=sqlite:///{target}",
        )
    else:
        target.write_bytes(b"my own notes, not a database\n" * 50)
    before = target.read_bytes()
    code, out, err = run("demo", "--output", str(folder), width=300)
    assert (2, "") == (code, out)
    assert reason in err
    assert f"give the demo another --output folder than {folder}" in err
    assert before == target.read_bytes()
    assert ["kindbehoeften.db"] == sorted(path.name for path in folder.iterdir())


def test_the_demo_never_writes_to_the_store_of_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "production.db"
    monkeypatch.setenv("KINDBEHOEFTEN_STORE", f"sqlite:///{elsewhere}")
    code, _, _ = run("demo", "--output", str(tmp_path / "demo"), "--today", "2026-11-23")
    assert (0, False) == (code, elsewhere.exists())
    assert [CASE_ID] == list(stored_cases(tmp_path / "demo"))


def test_a_demo_folder_with_characters_of_a_url_in_its_name_works(tmp_path: Path) -> None:
    folder = tmp_path / "demo ?#%20 [x]"
    code, _, err = run("demo", "--output", str(folder), "--today", "2026-11-23")
    assert (0, "") == (code, err)
    with open_store(f"sqlite:///{quote(str(folder))}/kindbehoeften.db") as store:
        assert [CASE_ID] == [summary.case_id for summary in store.cases()]


def test_a_demo_folder_whose_name_is_not_utf8_works(tmp_path: Path) -> None:
    """A folder name with a byte that is not UTF-8 (Python: a lone surrogate) reaches its
    store through a percent-encoded URL and back to the same bytes."""
    folder = tmp_path / os.fsdecode(b"demo-\xff")
    code, _, err = run("demo", "--output", str(folder), "--today", "2026-11-23")
    assert (0, "") == (code, err)
    assert (os.fsencode(tmp_path) + b"/demo-\xff/kindbehoeften.db") in [
        os.fsencode(path) for path in folder.iterdir()
    ]
    url = f"sqlite:///{quote(str(folder), errors='surrogateescape')}/kindbehoeften.db"
    with open_store(url) as store:
        assert [CASE_ID] == [summary.case_id for summary in store.cases()]
