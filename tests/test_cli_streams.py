"""The command line and its streams, in real child processes: a reader that closes the pipe
early, a full disk (``/dev/full``) and a closed standard input end with the right exit code
and at most one line on stderr, never a traceback or "Exception ignored"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clirun import child_environment

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FULL = "/dev/full"  # every write fails with ENOSPC, as on a full disk
NO_SPACE = "No space left on device"
PLAN = {
    "form": "triangle.plan",
    "form_version": "1.0.0",
    "status": "in_progress",
    "answers": {"plan": {"goals": {"adopted_on": "2026-11-02"}}},
}
INVALID_PLAN = {**PLAN, "status": "completed"}  # several required answers are missing
LINES = 3000  # results of a few hundred KB: far more than a pipe holds, so that it breaks


def command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "kindbehoeften", *argv]


def ndjson(folder: Path, document: object) -> str:
    path = folder / "many.ndjson"
    path.write_text((json.dumps(document) + "\n") * LINES, encoding="utf-8")
    return str(path)


def read_one_byte_and_close(argv: list[str]) -> tuple[int, bytes, str]:
    """Run ``argv`` with stdout a pipe whose reader takes one byte and goes away."""
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_environment()
    )
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.read(1)
    process.stdout.close()
    err = process.stderr.read().decode("utf-8")
    process.stderr.close()
    return process.wait(timeout=300), first, err


def run_into(target: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` with stdout written into ``target`` (a file or a device)."""
    with open(target, "w") as stdout:
        return subprocess.run(
            argv,
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            env=child_environment(),
            timeout=300,
            check=False,
        )


# --- a reader that goes away --------------------------------------------------------------------


@pytest.mark.parametrize("output", ["json", "text"])
def test_a_closed_pipe_keeps_exit_1_for_invalid_input_and_says_nothing(
    tmp_path: Path, output: str
) -> None:
    argv = command("validate", "--ndjson", "--format", output, ndjson(tmp_path, INVALID_PLAN))
    code, first, err = read_one_byte_and_close(argv)
    assert (1, "") == (code, err)
    assert 1 == len(first)


def test_a_closed_pipe_keeps_exit_0_for_valid_input_and_says_nothing(tmp_path: Path) -> None:
    argv = command("validate", "--ndjson", "--format", "json", "--today", "2026-12-01")
    code, first, err = read_one_byte_and_close([*argv, ndjson(tmp_path, PLAN)])
    assert (0, "", b"{") == (code, err, first)


def test_the_output_of_the_pipe_tests_is_larger_than_a_pipe_holds(tmp_path: Path) -> None:
    """Otherwise the tests above would pass without the pipe ever breaking."""
    argv = command("validate", "--ndjson", "--format", "json", "--today", "2026-12-01")
    completed = subprocess.run(
        [*argv, ndjson(tmp_path, PLAN)],
        capture_output=True,
        env=child_environment(),
        timeout=300,
        check=False,
    )
    assert 0 == completed.returncode
    assert len(completed.stdout) > 1024 * 1024 // 8  # Linux pipes hold 64 KiB by default


# --- a full disk --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["validate", str(EXAMPLES / "triangle.plan.invalid.json")], id="validate"),
        pytest.param(
            ["validate", "--format", "json", str(EXAMPLES / "triangle.plan.valid.json")],
            id="validate-json",
        ),
        pytest.param(["forms", "list"], id="forms-list"),
        pytest.param(["schema", "triangle.full"], id="schema"),
        pytest.param(["export", "fhir-questionnaire", "triangle.full"], id="fhir"),
        pytest.param(["--help"], id="help"),
    ],
)
def test_stdout_on_a_full_disk_exits_2_with_one_line(argv: list[str]) -> None:
    completed = run_into(FULL, command(*argv))
    expected = f"kindbehoeften: error: cannot write <stdout>: {NO_SPACE}\n"
    assert (2, expected) == (completed.returncode, completed.stderr)


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(
            ["summary", str(EXAMPLES / "triangle.full.valid.json"), "--svg", FULL], id="svg"
        ),
        pytest.param(
            ["export", "fhir-questionnaire", "triangle.full", "--output", FULL], id="fhir"
        ),
        pytest.param(
            ["export", "record", str(EXAMPLES / "histories" / "demo-case.json"), "--output", FULL],
            id="record",
        ),
    ],
)
def test_an_output_file_on_a_full_disk_exits_2_with_one_line(argv: list[str]) -> None:
    completed = run_into(os.devnull, command(*argv))
    expected = f"kindbehoeften: error: cannot write {FULL}: {NO_SPACE}\n"
    assert (2, expected) == (completed.returncode, completed.stderr)


def test_demo_on_a_full_disk_exits_2_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "record.json").symlink_to(FULL)  # the first file the demo writes
    completed = run_into(os.devnull, command("demo", "--output", str(folder)))
    expected = f"kindbehoeften: error: cannot write {folder / 'record.json'}: {NO_SPACE}\n"
    assert (2, expected) == (completed.returncode, completed.stderr)


# --- a closed standard input --------------------------------------------------------------------


def run_closed(redirect: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run ``kindbehoeften ARGV`` with one of its standard streams closed (``redirect``:
    ``<&-`` for its input, ``>&-`` for its output, as in a shell)."""
    return subprocess.run(
        ["sh", "-c", f'exec "$@" {redirect}', "sh", *command(*argv)],
        stdout=subprocess.PIPE if redirect == "<&-" else None,
        stderr=subprocess.PIPE,
        text=True,
        env=child_environment(),
        timeout=120,
        check=False,
    )


def run_without_stdin(*argv: str) -> subprocess.CompletedProcess[str]:
    return run_closed("<&-", *argv)


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["validate", "-"], id="validate"),
        pytest.param(["validate", "--ndjson", "--format", "json", "-"], id="validate-ndjson"),
        pytest.param(["validate", str(EXAMPLES / "triangle.plan.valid.json"), "-"], id="second"),
        pytest.param(["summary", "-"], id="summary"),
    ],
)
def test_a_closed_standard_input_is_a_usage_error(argv: list[str]) -> None:
    completed = run_without_stdin(*argv)
    expected = "kindbehoeften: error: standard input is closed; give a file, or pipe data into -\n"
    assert (2, "", expected) == (completed.returncode, completed.stdout, completed.stderr)


def test_a_closed_standard_input_does_not_matter_to_a_command_that_does_not_read_it() -> None:
    completed = run_without_stdin("validate", str(EXAMPLES / "triangle.plan.valid.json"))
    assert (0, "") == (completed.returncode, completed.stderr)
    assert completed.stdout.startswith("ok")


# --- a closed standard output -------------------------------------------------------------------


def run_without_stdout(*argv: str) -> subprocess.CompletedProcess[str]:
    return run_closed(">&-", *argv)


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["schema", "triangle.full"], id="json"),
        pytest.param(["forms", "list"], id="text"),
        pytest.param(["validate", str(EXAMPLES / "triangle.plan.valid.json")], id="validate"),
    ],
)
def test_a_closed_standard_output_is_a_failure_to_write_not_a_silent_success(
    argv: list[str],
) -> None:
    """Nothing can be written, and nobody went away early: exit 2, as for a full disk."""
    completed = run_without_stdout(*argv)
    expected = "kindbehoeften: error: cannot write <stdout>: standard output is closed\n"
    assert (2, expected) == (completed.returncode, completed.stderr)


def test_a_closed_standard_output_does_not_matter_to_a_command_that_does_not_write_it(
    tmp_path: Path,
) -> None:
    target = tmp_path / "questionnaire.json"
    completed = run_without_stdout(
        "export", "fhir-questionnaire", "triangle.plan", "--output", str(target)
    )
    assert (0, "") == (completed.returncode, completed.stderr)
    assert target.stat().st_size > 0


# --- a standard output that is not UTF-8 --------------------------------------------------------


def test_summary_svg_on_an_ascii_stdout_is_the_same_picture_with_character_references() -> None:
    """Letters such as ä are written as &#228;, which XML reads back unchanged, not as ?."""
    import xml.etree.ElementTree as ET

    argv = command("summary", str(EXAMPLES / "triangle.full.valid.json"), "--svg", "-")
    pictures = []
    for encoding in ("utf-8", "ascii"):
        completed = subprocess.run(
            [*argv, "--locale", "sv"],
            capture_output=True,
            env={**child_environment(), "PYTHONIOENCODING": encoding},
            timeout=120,
            check=False,
        )
        assert (0, b"") == (completed.returncode, completed.stderr)
        pictures.append(completed.stdout)
    utf8, ascii = pictures
    assert ascii.isascii()
    assert b"&#228;" in ascii
    assert ET.tostring(ET.fromstring(utf8)) == ET.tostring(ET.fromstring(ascii))
