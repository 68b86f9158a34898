"""The files that commands read: ``-`` is standard input for every one of them, and an input
over its size limit is an invalid input (exit 1, refused as ``too_large`` by the library's
reader), whether it comes from a file or from standard input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clirun import run
from kindbehoeften.cli.base import MAX_INPUT_BYTES
from kindbehoeften.export import questionnaire_response

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HISTORY = EXAMPLES / "histories" / "demo-case.json"
SUBMISSION = EXAMPLES / "triangle.full.valid.json"
TODAY = ("--today", "2026-12-01")


def response(tmp_path: Path) -> Path:
    path = tmp_path / "response.json"
    path.write_text(json.dumps(questionnaire_response(SUBMISSION.read_bytes())), encoding="utf-8")
    return path


# Each command that reads one file: its arguments with FILE in the file's place, and the file.
COMMANDS = {
    "timeline": (("timeline", "FILE", "--format", "json", *TODAY), lambda _: HISTORY),
    "export record": (("export", "record", "FILE", *TODAY), lambda _: HISTORY),
    "export record submission": (
        ("export", "record", str(HISTORY), "FILE", *TODAY),
        lambda _: EXAMPLES / "triangle.preliminary.valid.json",
    ),
    "export fhir-response": (("export", "fhir-response", "FILE"), lambda _: SUBMISSION),
    "import fhir-response": (("import", "fhir-response", "FILE"), response),
    "summary": (("summary", "FILE"), lambda _: SUBMISSION),
}


def argv(command: str, name: str) -> list[str]:
    return [name if arg == "FILE" else arg for arg in COMMANDS[command][0]]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_dash_reads_standard_input_as_the_file_would_be_read(command: str, tmp_path: Path) -> None:
    path = COMMANDS[command][1](tmp_path)
    from_file = run(*argv(command, str(path)))
    from_stdin = run(*argv(command, "-"), stdin=path.read_bytes())
    assert (0, "") == from_file[::2]
    assert from_file == from_stdin


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("source", ["file", "stdin"])
def test_an_input_over_the_size_limit_is_invalid_input_exit_1(
    command: str, source: str, tmp_path: Path
) -> None:
    large = b"[" + b" " * MAX_INPUT_BYTES + b"]"
    if source == "file":
        path = tmp_path / "large.json"
        path.write_bytes(large)
        code, out, err = run(*argv(command, str(path)))
    else:
        code, out, err = run(*argv(command, "-"), stdin=large)
    assert (1, "") == (code, out)
    assert "larger than" in err or "too_large" in err
    assert not err.startswith("kindbehoeften: error:")  # a verdict on the input, not usage


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "-", "-"],
        ["export", "record", "-", "-", *TODAY],
    ],
    ids=["validate", "export record"],
)
def test_dash_given_twice_is_a_usage_error(args: list[str]) -> None:
    """Standard input can be read once: the second - would read nothing."""
    code, out, err = run(*args, stdin=HISTORY.read_bytes())
    assert (2, "") == (code, out)
    assert (
        "kindbehoeften: error: - (standard input) is given more than once; it can be read "
        "only once\n" == err
    )


# --- --output - ---------------------------------------------------------------------------------


OUTPUTS = {
    "export record": ["export", "record", str(HISTORY), *TODAY],
    "export fhir-questionnaire": ["export", "fhir-questionnaire", "triangle.plan"],
    "export fhir-response": ["export", "fhir-response", str(SUBMISSION)],
    "export stats": ["export", "stats", "RECORD", "--key-file", "KEY"],
    "export stats aggregate": ["export", "stats", "RECORD", "--key-file", "KEY", "--aggregate"],
    "import fhir-response": ["import", "fhir-response", "RESPONSE"],
}


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_output_dash_is_standard_output_not_a_file_named_dash(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, record, _ = run("export", "record", str(HISTORY), *TODAY)
    assert 0 == code
    (tmp_path / "record.json").write_text(record, encoding="utf-8")
    (tmp_path / "key").write_text("0123456789abcdef0123456789abcdef", encoding="utf-8")
    names = {"RECORD": "record.json", "KEY": "key", "RESPONSE": str(response(tmp_path))}
    argv = [names.get(arg, arg) for arg in OUTPUTS[command]]
    expected = run(*argv)
    assert 0 == expected[0]
    assert expected == run(*argv, "--output", "-")
    assert not (tmp_path / "-").exists()


def test_demo_output_dash_is_a_usage_error_not_a_folder_named_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("demo", "--output", "-")
    assert (2, "") == (code, out)
    assert (
        "kindbehoeften: error: demo: argument --output: the demo writes several files, not "
        "standard output: give a folder\n" == err
    )
    assert [] == list(tmp_path.iterdir())
