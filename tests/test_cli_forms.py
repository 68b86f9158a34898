"""`kindbehoeften forms list | show | check`: the catalog, one form, form files."""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from textwrap import dedent

import pytest

import kindbehoeften
from clirun import TRIANGLE_IDS, Run, json_of, runner, table_rows
from kindbehoeften import Form
from kindbehoeften._forms.catalog import FORMS_PATH_VARIABLE
from kindbehoeften.cli import LOCALE_VARIABLE

EXAMPLES = importlib.resources.files("kindbehoeften") / "forms" / "examples"
EXAMPLE_EXTENSION = Path(str(EXAMPLES / "nl-school-attendance.toml"))
EXAMPLE_ID = "nl.full_school_attendance"

SMALL_FORM = dedent("""\
    [form]
    id = "test.cli_extra"
    version = "2.1.0"
    stage = "plan"
    title = "A form from the forms path"

    [[sections]]
    id = "child_needs"
    label = "Child"

    [[sections.areas]]
    id = "health"
    label = "Health"

    [[sections.areas.questions]]
    id = "seen"
    type = "boolean"
    label = "Seen?"
    """)

# Two problems, on lines 3 and 4: a version that is not MAJOR.MINOR.PATCH and an unknown stage.
BROKEN_FORM = SMALL_FORM.replace('"2.1.0"', '"2.1"').replace('"plan"', '"initial"')
BROKEN_LINES = [3, 4]

DEEP = 10_000

# Every kind of condition, a rule of "at least one of" and a group, for `forms show`.
CONDITIONS_FORM = """\
[form]
id = "test.conditions"
version = "1.0.0"
stage = "full"
title = "Conditions"

[[sections]]
id = "child_needs"
label = "Child"

[[sections.areas]]
id = "health"
label = "Health"
require_one_of = [{ questions = ["seen", "age"] }]

[[sections.areas.questions]]
id = "seen"
type = "boolean"
label = "Seen?"
required = true

[[sections.areas.questions]]
id = "age"
type = "integer"
label = "Age"

[[sections.areas.questions]]
id = "both"
type = "text"
label = "Both"
when = { all = [
  { question = "seen", operator = "equals", value = false },
  { question = "age", operator = "ge", value = 12 },
] }

[[sections.areas.questions]]
id = "either"
type = "text"
label = "Either"
when = { any = [
  { question = "seen", operator = "not_equals", value = true },
  { question = "age", operator = "lt", value = 3 },
] }

[[sections.areas.questions]]
id = "negated"
type = "text"
label = "Negated"
when = { not = { question = "seen", operator = "equals", value = true } }

[[sections.areas.questions]]
id = "unanswered"
type = "text"
label = "Unanswered"
when = { question = "age", operator = "answered", value = false }

[[sections.areas.questions]]
id = "answered"
type = "text"
label = "Answered"
when = { question = "age", operator = "answered" }

[[sections.areas.questions]]
id = "listed"
type = "text"
label = "Listed"
when = { question = "age", operator = "in", value = [1, 2] }

[[sections.areas.questions]]
id = "people"
type = "group"
label = "People"

[[sections.areas.questions.questions]]
id = "name"
type = "text"
label = "Name"
"""


@pytest.fixture(autouse=True)
def _no_user_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's own forms path and locale never change what a test sees."""
    monkeypatch.delenv(FORMS_PATH_VARIABLE, raising=False)
    monkeypatch.delenv(LOCALE_VARIABLE, raising=False)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Call ``main`` with two plain 100-column consoles and collect what it wrote."""
    return runner(capsys)


def write_broken(folder: Path, name: str = "broken.toml") -> Path:
    path = folder / name
    path.write_text(BROKEN_FORM, encoding="utf-8")
    return path


# --- forms list ---------------------------------------------------------------------------


def test_forms_list_exits_0(run: Run) -> None:
    assert 0 == run("forms", "list").code


def test_forms_list_table_holds_the_four_built_in_ids_unabridged(run: Run) -> None:
    result = run("forms", "list")
    assert TRIANGLE_IDS == [row[0] for row in table_rows(result.out) if row[0]]
    assert "" == result.err


def test_forms_list_table_shows_version_stage_and_question_count(run: Run) -> None:
    rows = {row[0]: row for row in table_rows(run("forms", "list").out) if row[0]}
    form = kindbehoeften.load_form("triangle.full")
    expected = ["triangle.full", form.version, form.stage]
    assert expected == rows["triangle.full"][:3]
    assert str(sum(1 for _ in form.questions())) == rows["triangle.full"][-1]


def test_forms_list_json_is_one_document_listing_every_form(run: Run) -> None:
    result = run("forms", "list", "--format", "json")
    assert 0 == result.code
    document = json_of(result)
    assert ["forms"] == list(document)
    assert TRIANGLE_IDS == [entry["id"] for entry in document["forms"]]
    assert "" == result.err
    assert "" == result.leaked


def test_forms_list_json_entries_hold_id_version_stage_title_and_questions(run: Run) -> None:
    entries = {
        entry["id"]: entry for entry in json_of(run("forms", "list", "--format", "json"))["forms"]
    }
    form = kindbehoeften.load_form("triangle.full")
    expected = {
        "id": form.id,
        "version": form.version,
        "stage": form.stage,
        "title": form.title,
        "questions": sum(1 for _ in form.questions()),
    }
    assert expected == entries["triangle.full"]


def test_forms_list_includes_forms_from_the_forms_path_variable(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "extra.toml").write_text(SMALL_FORM, encoding="utf-8")
    monkeypatch.setenv(FORMS_PATH_VARIABLE, str(tmp_path))
    result = run("forms", "list")
    assert 0 == result.code
    expected = sorted([*TRIANGLE_IDS, "test.cli_extra"])
    assert expected == sorted(row[0] for row in table_rows(result.out) if row[0])


def test_forms_list_json_includes_forms_from_the_forms_path_variable(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "extra.toml").write_text(SMALL_FORM, encoding="utf-8")
    monkeypatch.setenv(FORMS_PATH_VARIABLE, str(tmp_path))
    entries = {
        entry["id"]: entry for entry in json_of(run("forms", "list", "--format", "json"))["forms"]
    }
    expected = {
        "id": "test.cli_extra",
        "version": "2.1.0",
        "stage": "plan",
        "title": "A form from the forms path",
        "questions": 1,
    }
    assert expected == entries["test.cli_extra"]


def test_forms_list_json_names_the_base_of_an_extension_on_the_forms_path(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / EXAMPLE_EXTENSION.name).write_bytes(EXAMPLE_EXTENSION.read_bytes())
    monkeypatch.setenv(FORMS_PATH_VARIABLE, str(tmp_path))
    result = run("forms", "list", "--format", "json")
    assert 0 == result.code
    entries = {entry["id"]: entry for entry in json_of(result)["forms"]}
    expected = {"id": "triangle.full", "version": "1.0.0"}
    assert expected == entries[EXAMPLE_ID]["base"]


def test_forms_list_with_a_forms_path_that_is_not_a_directory_exits_2(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FORMS_PATH_VARIABLE, str(tmp_path / "missing"))
    result = run("forms", "list", "--format", "json")
    assert 2 == result.code
    assert "" == result.out
    assert "is not a directory of form files" in result.err
    assert "Traceback" not in result.everything


def test_a_forms_path_entry_that_is_not_a_directory_says_to_check_the_variable(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "missing"
    monkeypatch.setenv(FORMS_PATH_VARIABLE, str(missing))
    result = run("forms", "list")
    assert (
        f"kindbehoeften: error: {missing}: is not a directory of form files; check the forms "
        "path ($KINDBEHOEFTEN_FORMS_PATH, or the paths given)\n" == result.err
    )


def test_forms_list_and_show_print_markup_in_a_title_literally(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = "Plan [bold]B[/bold] [x]"
    (tmp_path / "extra.toml").write_text(
        SMALL_FORM.replace("A form from the forms path", title), encoding="utf-8"
    )
    monkeypatch.setenv(FORMS_PATH_VARIABLE, str(tmp_path))
    assert title in run("forms", "list").out
    assert title in run("forms", "show", "test.cli_extra").out


# --- forms show ---------------------------------------------------------------------------


def test_forms_show_exits_0_and_names_the_form(run: Run) -> None:
    result = run("forms", "show", "triangle.full")
    assert 0 == result.code
    assert "triangle.full@1.0.0" in result.out
    assert "" == result.err


def test_forms_show_lists_every_section_label(run: Run) -> None:
    out = run("forms", "show", "triangle.full").out
    labels = [section.label for section in kindbehoeften.load_form("triangle.full").sections]
    assert [] == [label for label in labels if label not in out]


@pytest.mark.parametrize("label", ["Health", "Basic care", "Community resources"])
def test_forms_show_lists_area_labels(run: Run, label: str) -> None:
    assert label in run("forms", "show", "triangle.full").out


def test_forms_show_marks_required_questions_and_only_those(run: Run) -> None:
    lines = run("forms", "show", "triangle.full").out.splitlines()
    assessment = next(line for line in lines if "Assessment of the child's health" in line)
    description = next(line for line in lines if "Description: strengths and concerns" in line)
    assert "required" in assessment
    assert "required" not in description


def test_forms_show_json_round_trips_to_the_catalog_form(run: Run) -> None:
    result = run("forms", "show", "triangle.full", "--format", "json")
    assert 0 == result.code
    assert "" == result.err
    assert kindbehoeften.load_form("triangle.full") == Form.from_dict(json_of(result))


def test_forms_show_of_a_known_version_exits_0(run: Run) -> None:
    result = run("forms", "show", "triangle.full", "--version", "1.0.0", "--format", "json")
    assert 0 == result.code
    assert "1.0.0" == json_of(result)["form"]["version"]


def test_forms_show_of_the_example_extension_file_works(run: Run) -> None:
    result = run("forms", "show", EXAMPLE_EXTENSION)
    assert 0 == result.code
    assert f"{EXAMPLE_ID}@1.0.0" in result.out
    assert "nl_absence_days" in result.out
    assert "" == result.err


def test_forms_show_json_of_the_example_extension_file_names_it(run: Run) -> None:
    result = run("forms", "show", EXAMPLE_EXTENSION, "--format", "json")
    assert 0 == result.code
    form = kindbehoeften.load_form(EXAMPLE_EXTENSION)
    assert form == Form.from_dict(json_of(result))


def test_forms_show_of_an_unknown_id_exits_2_with_one_line_naming_it(run: Run) -> None:
    result = run("forms", "show", "nope")
    assert 2 == result.code
    assert "" == result.out
    assert 1 == len(result.err.splitlines())
    assert result.err.startswith("kindbehoeften: error:")
    assert "'nope'" in result.err
    assert "Traceback" not in result.everything


def test_forms_show_json_of_an_unknown_id_prints_nothing_on_stdout(run: Run) -> None:
    result = run("forms", "show", "nope", "--format", "json")
    assert 2 == result.code
    assert "" == result.out
    assert "'nope'" in result.err


def test_forms_show_of_an_unknown_version_of_a_known_id_exits_2(run: Run) -> None:
    result = run("forms", "show", "triangle.full", "--version", "9.9.9")
    assert 2 == result.code
    assert "" == result.out
    assert 1 == len(result.err.splitlines())
    assert "9.9.9" in result.err


@pytest.mark.parametrize(
    ("question", "shown"),
    [
        pytest.param("seen", "seen: boolean  required", id="required"),
        pytest.param("both", "when (seen = false) and (age >= 12)", id="all"),
        pytest.param("either", "when (seen != true) or (age < 3)", id="any"),
        pytest.param("negated", "when not (seen = true)", id="not"),
        pytest.param("unanswered", "when age not answered", id="not-answered"),
        pytest.param("answered", "when age answered", id="answered"),
        pytest.param("listed", "when age in [1, 2]", id="in"),
        pytest.param("name", "name: text", id="question-in-a-group"),
    ],
)
def test_forms_show_describes_each_question_and_its_condition_in_one_line(
    run: Run, tmp_path: Path, question: str, shown: str
) -> None:
    path = tmp_path / "conditions.toml"
    path.write_text(CONDITIONS_FORM, encoding="utf-8")
    result = run("forms", "show", path)
    assert 0 == result.code
    [line] = [line for line in result.out.splitlines() if f"  {question}: " in line]
    assert shown in line


def test_forms_show_lists_an_at_least_one_of_rule(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "conditions.toml"
    path.write_text(CONDITIONS_FORM, encoding="utf-8")
    assert "at least one of: seen, age" in run("forms", "show", path).out


def test_forms_show_of_a_broken_file_lists_its_problems_on_the_error_console(
    run: Run, tmp_path: Path
) -> None:
    broken = write_broken(tmp_path)
    result = run("forms", "show", broken, "--format", "json")
    assert 1 == result.code
    assert "" == result.out
    assert "form.version" in result.err
    assert "form.stage" in result.err


# --- forms check --------------------------------------------------------------------------


def test_forms_check_of_the_example_file_exits_0_and_prints_ok(run: Run) -> None:
    result = run("forms", "check", EXAMPLE_EXTENSION)
    assert 0 == result.code
    assert result.out.startswith("ok")
    assert f"{EXAMPLE_ID}@1.0.0" in result.out
    assert "" == result.err


def test_forms_check_of_a_broken_file_exits_1_and_lists_every_problem_with_file_and_line(
    run: Run, tmp_path: Path
) -> None:
    broken = write_broken(tmp_path)
    result = run("forms", "check", broken)
    assert 1 == result.code
    assert f"{broken}: 2 problems" in result.out
    lines = sorted(row[0] for row in table_rows(result.out) if row[0].isdigit())
    expected = [str(line) for line in BROKEN_LINES]
    assert expected == lines
    assert "form.version" in result.out
    assert "form.stage" in result.out


def test_forms_check_of_a_good_and_a_broken_file_exits_1_and_reports_both(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_broken(tmp_path)
    result = run("forms", "check", EXAMPLE_EXTENSION, "broken.toml")
    assert 1 == result.code
    assert f"ok  {EXAMPLE_EXTENSION}" in result.out
    assert "broken.toml: 2 problems" in result.out
    assert 2 == len([row for row in table_rows(result.out) if row[0]])


def test_forms_check_json_gives_a_result_for_each_file(run: Run, tmp_path: Path) -> None:
    broken = write_broken(tmp_path)
    result = run("forms", "check", EXAMPLE_EXTENSION, broken, "--format", "json")
    assert 1 == result.code
    assert "" == result.err
    document = json_of(result)
    assert ["results"] == list(document)
    good, bad = document["results"]
    assert (str(EXAMPLE_EXTENSION), True, []) == (good["file"], good["ok"], good["problems"])
    assert (str(broken), False) == (bad["file"], bad["ok"])
    assert [("form.stage", 4), ("form.version", 3)] == sorted(
        (problem["path"], problem["line"]) for problem in bad["problems"]
    )
    assert all(problem["message"] for problem in bad["problems"])


def test_forms_check_github_writes_one_annotation_per_problem(run: Run, tmp_path: Path) -> None:
    """--format github: GitHub Actions workflow commands, one ::error line per problem with
    the file and line; a good file adds nothing; exit 1 as for text."""
    broken = write_broken(tmp_path, "broken, v1: draft.toml")
    result = run("forms", "check", EXAMPLE_EXTENSION, broken, "--format", "github")
    assert (1, "") == (result.code, result.err)
    file = str(broken).replace(",", "%2C").replace(":", "%3A")
    lines = result.out.splitlines()
    assert [f"::error file={file},line=3,title=kindbehoeften forms check::form.version: "] == [
        line[: line.index("version: ") + 9] for line in lines if "form.version" in line
    ]
    assert [f"::error file={file},line=4,title=kindbehoeften forms check::form.stage: "] == [
        line[: line.index("stage: ") + 7] for line in lines if "form.stage" in line
    ]
    assert 2 == len(lines)
    good = run("forms", "check", EXAMPLE_EXTENSION, "--format", "github")
    assert (0, "", "") == (good.code, good.out, good.err)


def test_forms_check_github_escapes_percent_in_a_file_name(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "100%.toml"
    path.write_text("", encoding="utf-8")
    result = run("forms", "check", path, "--format", "github")
    assert 1 == result.code
    [line] = result.out.splitlines()
    # an empty file's problem is at line 1 (what the whole file needs)
    assert line.startswith(f"::error file={str(path).replace('%', '%25')},line=1,title=")


def test_forms_check_json_of_a_good_file_names_its_form(run: Run) -> None:
    result = run("forms", "check", EXAMPLE_EXTENSION, "--format", "json")
    assert 0 == result.code
    expected = {"id": EXAMPLE_ID, "version": "1.0.0"}
    assert expected == json_of(result)["results"][0]["form"]


def test_forms_check_of_a_nonexistent_file_exits_2(run: Run, tmp_path: Path) -> None:
    result = run("forms", "check", tmp_path / "missing.toml")
    assert 2 == result.code
    assert "" == result.out
    assert result.err.startswith("kindbehoeften: error:")
    assert "missing.toml" in result.err


def test_forms_check_without_a_file_is_a_usage_error(run: Run) -> None:
    result = run("forms", "check")
    assert 2 == result.code
    assert result.err.startswith("kindbehoeften: error:")


def test_a_toml_syntax_error_names_file_line_column_and_what_to_do(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "typo.toml"
    path.write_text('[form]\nid = "x"\nversion = \n', encoding="utf-8")
    result = run("schema", path)
    assert (2, "") == (result.code, result.out)
    assert result.err.startswith(f"kindbehoeften: error: {path}:3: is not valid TOML: ")
    assert result.err.endswith(
        " (column 11); correct the syntax there (TOML 1.0: https://toml.io/en/v1.0.0)\n"
    )
    checked = run("forms", "check", path, "--format", "json")
    [problem] = json_of(checked)["results"][0]["problems"]
    assert 3 == problem["line"]
    assert problem["message"].endswith(
        "; correct the syntax there (TOML 1.0: https://toml.io/en/v1.0.0)"
    )


@pytest.mark.parametrize(
    ("text", "others"),
    [("", []), ("\n# only a comment\n", []), ('title = "x"\n', ["unknown key 'title'"])],
    ids=["empty", "comment", "no-table"],
)
def test_a_file_without_a_form_table_says_how_to_start_one(
    run: Run, tmp_path: Path, text: str, others: list[str]
) -> None:
    """One problem says what is missing and how to begin, not that both a form's and an
    extension's keys are missing."""
    path = tmp_path / "new.toml"
    path.write_text(text, encoding="utf-8")
    result = run("forms", "check", path, "--format", "json")
    assert 1 == result.code
    messages = [problem["message"] for problem in json_of(result)["results"][0]["problems"]]
    assert [
        "'form' is missing: start the file with a [form] table: id, version, title and stage "
        "for a form, or id, version and extends for an extension (docs/form-files.md)",
        *others,
    ] == [message.partition(";")[0] for message in messages]


@pytest.mark.parametrize("output", ["text", "json"])
def test_forms_check_of_a_file_that_is_not_utf8_exits_1_without_a_traceback(
    run: Run, tmp_path: Path, output: str
) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(SMALL_FORM.replace("Seen?", "Café?").encode("latin-1"))
    result = run("forms", "check", path, "--format", output)
    assert 1 == result.code
    assert "UTF-8" in result.out
    assert "Traceback" not in result.everything


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a = " + "[" * DEEP + "]" * DEEP + "\n", id="arrays"),
        pytest.param("a = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n", id="inline-tables"),
        pytest.param("[" + ".".join(["a"] * DEEP) + "]\n", id="dotted-header"),
    ],
)
def test_forms_check_of_a_file_nested_10000_deep_exits_1_without_a_traceback(
    run: Run, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(text, encoding="utf-8")
    result = run("forms", "check", path, "--format", "json")
    assert 1 == result.code
    [problem] = json_of(result)["results"][0]["problems"]
    assert "nested too deeply" in problem["message"]
    assert "Traceback" not in result.everything


def test_forms_check_does_not_blame_a_broken_forms_path_on_the_checked_file(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken KINDBEHOEFTEN_FORMS_PATH is reported as such (exit 2, as for `forms list`).

    It must not be listed as the problems of a good file that was asked to be checked.
    """
    monkeypatch.chdir(tmp_path)  # a short relative name, so that no table cell wraps
    (tmp_path / "catalog").mkdir()
    write_broken(tmp_path / "catalog", "elsewhere.toml")
    monkeypatch.setenv(FORMS_PATH_VARIABLE, "catalog")
    result = run("forms", "check", EXAMPLE_EXTENSION, "--format", "json")
    assert (2, "") == (result.code, result.out)
    assert "elsewhere.toml" in result.err


def test_a_skipped_entry_of_the_forms_path_is_one_warning_line_on_stderr(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder named like a form file is skipped; the command says so once, escaped, and
    still lists the catalog."""
    (tmp_path / "old\x1b[31m.toml").mkdir()
    monkeypatch.setenv(FORMS_PATH_VARIABLE, str(tmp_path))
    result = run("forms", "list", "--format", "json")
    assert 0 == result.code
    lines = result.err.splitlines()
    assert 1 == len(lines)
    assert lines[0].startswith("kindbehoeften: warning: ")
    assert "is not a regular file" in lines[0]
    assert "\\x1b[31m" in lines[0]
    assert "\x1b" not in result.err
    assert 4 == len(json_of(result)["forms"])
