"""Control characters of input never reach a terminal: keys, file names, form ids, labels and
messages quoting them are shown with visible escapes, in every command, on stdout and stderr,
as text and as JSON."""

from __future__ import annotations

import importlib.resources
import json
import re
from pathlib import Path

import pytest

from clirun import run
from kindbehoeften._forms.catalog import FORMS_PATH_VARIABLE
from kindbehoeften.cli import LOCALE_VARIABLE

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXTENSION = Path(
    str(
        importlib.resources.files("kindbehoeften")
        / "forms"
        / "examples"
        / "nl-school-attendance.toml"
    )
)
# Each hostile piece of text: ESC (an SGR colour), a C1 control (CSI, ESC [ in one character)
# and a bidi override; with the escape each must be shown as on a terminal and in JSON.
HOSTILE = [
    pytest.param("\x1b[31m", "\\x1b[31m", "\\u001b[31m", id="esc"),
    pytest.param("\x9b2J", "\\x9b2J", "\\u009b2J", id="c1"),
    pytest.param("\u202e", "\\u202e", "\\u202e", id="bidi"),
]
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # \n is the output's


@pytest.fixture(autouse=True)
def _no_user_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FORMS_PATH_VARIABLE, raising=False)
    monkeypatch.delenv(LOCALE_VARIABLE, raising=False)


def raw_controls(*texts: str) -> list[str]:
    """The control and bidi characters in ``texts`` (none may reach a terminal)."""
    return [hex(ord(found)) for text in texts for found in RAW.findall(text)]


def submission_with_key(key: str) -> dict[str, object]:
    return {
        "form": "triangle.plan",
        "form_version": "1.0.0",
        "status": "in_progress",
        "answers": {"plan": {"goals": {key: 1}}},
    }


# --- a key in a submission ------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "shown", "in_json"), HOSTILE)
def test_validate_text_shows_a_hostile_key_escaped_in_pointer_and_message(
    tmp_path: Path, raw: str, shown: str, in_json: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(submission_with_key(f"k{raw}x")), encoding="utf-8")
    code, out, err = run("validate", str(path), width=200)
    assert (1, []) == (code, raw_controls(out, err))
    assert f"/answers/plan/goals/k{shown}x" in out
    assert f"'k{shown}x' is not a field" in out


@pytest.mark.parametrize(("raw", "shown", "in_json"), HOSTILE)
def test_validate_ndjson_text_shows_a_hostile_key_escaped(
    tmp_path: Path, raw: str, shown: str, in_json: str
) -> None:
    path = tmp_path / "bad.ndjson"
    path.write_text(json.dumps(submission_with_key(f"k{raw}x")) + "\n", encoding="utf-8")
    code, out, err = run("validate", "--ndjson", str(path), width=200)
    assert (1, []) == (code, raw_controls(out, err))
    assert f"{path}:1  /answers/plan/goals/k{shown}x  unknown_field" in out


@pytest.mark.parametrize(("raw", "shown", "in_json"), HOSTILE)
def test_validate_json_escapes_a_hostile_key_and_keeps_its_value(
    tmp_path: Path, raw: str, shown: str, in_json: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(submission_with_key(f"k{raw}x")), encoding="utf-8")
    code, out, err = run("validate", str(path), "--format", "json")
    assert (1, [], "") == (code, raw_controls(out), err)
    assert f'"/answers/plan/goals/k{in_json}x"' in out
    [issue] = json.loads(out)["results"][0]["issues"]
    assert f"/answers/plan/goals/k{raw}x" == issue["pointer"]


@pytest.mark.parametrize(("raw", "shown", "in_json"), HOSTILE)
def test_fhir_response_shows_a_hostile_key_escaped_on_stderr(
    tmp_path: Path, raw: str, shown: str, in_json: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(submission_with_key(f"k{raw}x")), encoding="utf-8")
    code, out, err = run("export", "fhir-response", str(path), width=300)
    assert (1, "", []) == (code, out, raw_controls(err))
    assert f"/answers/plan/goals/k{shown}x (unknown_field)" in err


@pytest.mark.parametrize(("raw", "shown", "in_json"), HOSTILE)
def test_forms_check_shows_a_hostile_key_of_a_form_file_escaped(
    tmp_path: Path, raw: str, shown: str, in_json: str
) -> None:
    key = json.dumps(f"k{raw}x")  # a TOML basic string takes JSON's escapes
    path = tmp_path / "form.toml"  # the key goes into the file's last question
    path.write_text(EXTENSION.read_text("utf-8") + f"\n{key} = 1\n", "utf-8")
    code, out, err = run("forms", "check", str(path), width=300)
    assert (1, []) == (code, raw_controls(out, err))
    assert f"k{shown}x" in out
    code, out, err = run("forms", "check", str(path), "--format", "json")
    assert (1, [], "") == (code, raw_controls(out), err)
    assert f"k{in_json}x" in out


# --- a file name --------------------------------------------------------------------------------


def key_file(folder: Path) -> str:
    path = folder / "key.txt"
    path.write_text("0123456789abcdef0123456789abcdef\n", encoding="utf-8")
    return str(path)


MISSING_FILE_COMMANDS = [
    pytest.param(lambda name, folder: ["validate", name], id="validate"),
    pytest.param(lambda name, folder: ["validate", "--ndjson", name], id="validate-ndjson"),
    pytest.param(lambda name, folder: ["forms", "check", name], id="forms-check"),
    pytest.param(lambda name, folder: ["forms", "show", f"{name}.toml"], id="forms-show"),
    pytest.param(lambda name, folder: ["timeline", name], id="timeline"),
    pytest.param(lambda name, folder: ["summary", name], id="summary"),
    pytest.param(lambda name, folder: ["export", "record", name], id="export-record"),
    pytest.param(lambda name, folder: ["export", "fhir-response", name], id="fhir-response"),
    pytest.param(
        lambda name, folder: ["export", "stats", name, "--key-file", key_file(folder)],
        id="export-stats",
    ),
    pytest.param(
        lambda name, folder: ["export", "stats", name, "--key-file", name], id="stats-key-file"
    ),
    pytest.param(
        lambda name, folder: [
            *("deadlines", "--jurisdiction", "SE", "--reported", "2026-11-02"),
            *("--override", name),
        ],
        id="deadlines-override",
    ),
]


@pytest.mark.parametrize("argv", MISSING_FILE_COMMANDS)
@pytest.mark.parametrize(("raw", "shown", "in_json"), HOSTILE)
def test_a_missing_file_with_a_hostile_name_is_named_escaped(
    tmp_path: Path, argv: object, raw: str, shown: str, in_json: str
) -> None:
    name = str(tmp_path / f"f{raw}x.json")
    code, out, err = run(*argv(name, tmp_path), width=400)  # type: ignore[operator]
    assert (2, "", []) == (code, out, raw_controls(err))
    assert f"f{shown}x.json" in err


@pytest.mark.parametrize(("raw", "shown", "in_json"), HOSTILE)
def test_validate_names_a_file_with_a_hostile_name_escaped(
    tmp_path: Path, raw: str, shown: str, in_json: str
) -> None:
    path = tmp_path / f"f{raw}x.json"
    path.write_text(json.dumps(submission_with_key("unknown")), encoding="utf-8")
    code, out, err = run("validate", str(path), width=400)
    assert (1, []) == (code, raw_controls(out, err))
    assert f"f{shown}x.json: 1 error" in out
    code, out, err = run("validate", str(path), "--format", "json")
    assert (1, [], "") == (code, raw_controls(out), err)
    assert str(path) == json.loads(out)["results"][0]["file"]


@pytest.mark.parametrize(("raw", "shown", "in_json"), HOSTILE)
def test_commands_name_an_invalid_file_with_a_hostile_name_escaped(
    tmp_path: Path, raw: str, shown: str, in_json: str
) -> None:
    path = tmp_path / f"f{raw}x.json"
    path.write_text("{not json", encoding="utf-8")
    for argv in (["timeline"], ["summary"], ["export", "record"], ["forms", "check"]):
        code, out, err = run(*argv, str(path), width=400)
        assert (1, []) == (code, raw_controls(out, err)), argv
        assert f"f{shown}x.json" in out + err, argv


@pytest.mark.parametrize(("raw", "shown", "in_json"), HOSTILE)
def test_demo_lists_the_files_it_wrote_in_a_hostile_folder_escaped(
    tmp_path: Path, raw: str, shown: str, in_json: str
) -> None:
    folder = tmp_path / f"d{raw}x"
    code, out, err = run("demo", "--output", str(folder), "--today", "2026-11-02", width=400)
    assert (0, "", []) == (code, err, raw_controls(out))
    assert f"d{shown}x/record.json" in out
    assert (folder / "record.json").is_file()


# --- a form id, a jurisdiction, an argument -------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["forms", "show", "f{raw}x"], id="forms-show"),
        pytest.param(["schema", "f{raw}x"], id="schema"),
        pytest.param(["export", "fhir-questionnaire", "f{raw}x"], id="fhir-questionnaire"),
        pytest.param(["validate", "--form", "f{raw}x", "-"], id="validate-form"),
        pytest.param(
            ["deadlines", "--jurisdiction", "f{raw}x", "--reported", "2026-11-02"],
            id="deadlines-jurisdiction",
        ),
        pytest.param(
            ["deadlines", "--jurisdiction", "SE", "--reported", "f{raw}x"], id="deadlines-date"
        ),
        pytest.param(["forms", "list", "--locale", "f{raw}x"], id="locale"),
        pytest.param(["forms", "list", "f{raw}x"], id="unrecognised-argument"),
        pytest.param(["f{raw}x"], id="unknown-command"),
    ],
)
@pytest.mark.parametrize(("raw", "shown", "in_json"), HOSTILE)
def test_a_hostile_id_or_argument_is_quoted_escaped_on_stderr(
    argv: list[str], raw: str, shown: str, in_json: str
) -> None:
    code, out, err = run(*[arg.format(raw=raw) for arg in argv], width=400)
    assert (2, "", []) == (code, out, raw_controls(err))
    assert f"f{shown}x" in err
    assert err.startswith("kindbehoeften: error:")


# --- texts of an author's form or override file -------------------------------------------------


def hostile_extension(folder: Path, raw: str) -> Path:
    text = EXTENSION.read_text("utf-8")
    title = "Full assessment with Dutch school-attendance questions"
    text = text.replace(title, "T" + json.dumps(raw)[1:-1] + "x")
    text = text.replace("School days absent", "Days" + json.dumps(raw)[1:-1] + "x")
    path = folder / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("raw", "shown", "in_json"), HOSTILE)
def test_forms_list_and_show_escape_a_hostile_title_and_label(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: str, shown: str, in_json: str
) -> None:
    hostile_extension(tmp_path, raw)
    monkeypatch.setenv(FORMS_PATH_VARIABLE, str(tmp_path))
    code, out, err = run("forms", "list", width=400)
    assert (0, "", []) == (code, err, raw_controls(out))
    assert f"T{shown}x" in out
    code, out, err = run("forms", "show", "nl.full_school_attendance", width=400)
    assert (0, "", []) == (code, err, raw_controls(out))
    assert f"T{shown}x" in out
    assert f"Days{shown}x" in out
    code, out, err = run("forms", "show", "nl.full_school_attendance", "--format", "json")
    assert (0, "", []) == (code, err, raw_controls(out))
    assert f"T{in_json}x" == json.loads(out)["form"]["title"].replace(raw, in_json)


@pytest.mark.parametrize(("raw", "shown", "in_json"), HOSTILE)
def test_summary_escapes_a_hostile_title_of_an_authors_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: str, shown: str, in_json: str
) -> None:
    (tmp_path / "forms").mkdir()
    hostile_extension(tmp_path / "forms", raw)
    monkeypatch.setenv(FORMS_PATH_VARIABLE, str(tmp_path / "forms"))
    submission = json.loads((EXAMPLES / "triangle.full.valid.json").read_text("utf-8"))
    submission["form"] = "nl.full_school_attendance"
    path = tmp_path / "submission.json"
    path.write_text(json.dumps(submission), encoding="utf-8")
    code, out, err = run("summary", str(path), width=400)
    assert (0, "", []) == (code, err, raw_controls(out))
    assert f"T{shown}x: the triangle at a glance" in out


@pytest.mark.parametrize(("raw", "shown", "in_json"), HOSTILE)
def test_deadlines_escape_a_hostile_label_and_basis_of_an_override_file(
    tmp_path: Path, raw: str, shown: str, in_json: str
) -> None:
    text = json.dumps(raw)[1:-1]
    override = tmp_path / "override.toml"
    override.write_text(
        '[override]\njurisdiction = "SE"\n\n[[rules]]\nid = "preliminary"\n'
        f'label = "L{text}x"\nbasis = "B{text}x"\n',
        encoding="utf-8",
    )
    argv = ["deadlines", "--jurisdiction", "SE", "--reported", "2026-11-02"]
    code, out, err = run(*argv, "--override", str(override), width=400)
    assert (0, "", []) == (code, err, raw_controls(out))
    assert f"L{shown}x" in out
    assert f"B{shown}x" in out
    code, out, err = run(*argv, "--override", str(override), "--format", "json")
    assert (0, "", []) == (code, err, raw_controls(out))
    assert f"B{in_json}x" in out
