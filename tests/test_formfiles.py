"""Form files: the built-in forms, broken and hostile files, and the catalog."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import signal
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from textwrap import dedent
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kindbehoeften
from kindbehoeften import Form, FormDefinitionError, FormProblem, UnknownFormError
from kindbehoeften._forms.catalog import FORMS_PATH_VARIABLE
from kindbehoeften._forms.datafiles import MAX_DEPTH, MAX_FORM_FILE_BYTES
from strategies import mutated_forms, to_toml

# database=None: no example database is written into the working tree.
PROPERTY = settings(max_examples=60, deadline=None, database=None)

FORMS = importlib.resources.files("kindbehoeften") / "forms"
TRIANGLE_IDS = ["triangle.followup", "triangle.full", "triangle.plan", "triangle.preliminary"]
EXAMPLE_EXTENSION = "nl-school-attendance.toml"


def _toml_files(folder: Any) -> list[Path]:
    if not folder.is_dir():
        return []
    entries = sorted(folder.iterdir(), key=lambda entry: entry.name)
    return [Path(str(entry)) for entry in entries if entry.name.endswith(".toml")]


BUILTIN_FILES = _toml_files(FORMS)
EXAMPLE_FILES = _toml_files(FORMS / "examples")
# An empty list would make pytest skip the tests; a None row makes them fail instead.
FORM_FILES = [
    pytest.param(path, id=f"{path.parent.name}/{path.name}")
    for path in BUILTIN_FILES + EXAMPLE_FILES
] or [pytest.param(None, id="no-built-in-form-files")]


def present(path: Path | None) -> Path:
    assert path is not None, "no form files in kindbehoeften/forms"
    return path


def problems_of(path: Path, **kwargs: Any) -> tuple[FormProblem, ...]:
    with pytest.raises(FormDefinitionError) as caught:
        kindbehoeften.load_form(path, **kwargs)
    return caught.value.problems


def json_ready(value: Any) -> Any:
    """TOML data as JSON would hold it: dates as ISO text."""
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_ready(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def schema_errors(data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(kindbehoeften.form_file_schema())
    return [
        f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(data)
    ]


# --- (a) the built-in form files ----------------------------------------------------------


def test_the_four_triangle_form_files_are_built_in() -> None:
    ids = sorted(tomllib.loads(path.read_text("utf-8"))["form"]["id"] for path in BUILTIN_FILES)
    expected = TRIANGLE_IDS
    assert expected == ids


def test_the_example_extension_file_is_shipped() -> None:
    assert EXAMPLE_EXTENSION in [path.name for path in EXAMPLE_FILES]


@pytest.mark.parametrize("path", FORM_FILES)
def test_builtin_form_file_loads(path: Path | None) -> None:
    path = present(path)
    header = tomllib.loads(path.read_text("utf-8"))["form"]
    form = kindbehoeften.load_form(path)
    assert (header["id"], header["version"]) == (form.id, form.version)


@pytest.mark.parametrize("path", FORM_FILES)
def test_builtin_form_round_trips_through_json_text(path: Path | None) -> None:
    form = kindbehoeften.load_form(present(path))
    assert form == Form.from_dict(json.loads(json.dumps(form.to_dict())))


@pytest.mark.parametrize("path", FORM_FILES)
def test_builtin_form_round_trips_through_a_json_file(path: Path | None, tmp_path: Path) -> None:
    form = kindbehoeften.load_form(present(path))
    written = tmp_path / "form.json"
    written.write_text(json.dumps(form.to_dict(), ensure_ascii=False), encoding="utf-8")
    assert form == kindbehoeften.load_form(written)


@pytest.mark.parametrize("path", FORM_FILES)
def test_builtin_form_file_satisfies_the_published_schema(path: Path | None) -> None:
    data = json_ready(tomllib.loads(present(path).read_text("utf-8")))
    expected = []
    assert expected == schema_errors(data)


@pytest.mark.parametrize("path", FORM_FILES)
def test_builtin_form_as_written_by_to_dict_satisfies_the_published_schema(
    path: Path | None,
) -> None:
    expected = []
    assert expected == schema_errors(kindbehoeften.load_form(present(path)).to_dict())


@pytest.mark.parametrize(
    "path", [pytest.param(path, id=path.name) for path in BUILTIN_FILES] or [None]
)
def test_builtin_form_file_is_the_form_the_catalog_serves(path: Path | None) -> None:
    form = kindbehoeften.load_form(present(path))
    assert form == kindbehoeften.load_form(form.id, form.version)


# --- (b) broken form files ----------------------------------------------------------------

MARK = "# <-"  # marks the line a problem is expected on

HEADER = dedent("""\
    [form]
    id = "test.broken"
    version = "1.0.0"
    stage = "full"
    title = "Broken"
    """)

AREA = dedent("""
    [[sections]]
    id = "child_needs"
    label = "Child"

    [[sections.areas]]
    id = "health"
    label = "Health"
    """)

SEEN = dedent("""
    [[sections.areas.questions]]
    id = "seen"
    type = "boolean"
    label = "Seen?"
    """)

CONCERN = dedent("""
    [option_lists.concern]
    options = [
      { value = "no_concern", label = "No concern" },
      { value = "some_concern", label = "Some concern" },
    ]
    """)

ASSESSMENT = dedent("""
    [[sections.areas.questions]]
    id = "assessment"
    type = "choice"
    label = "Assessment"
    options = "concern"
    """)

EXTENSION = dedent("""\
    [form]
    id = "test.extension"
    version = "1.0.0"
    title = "Extension"
    extends = "triangle.full"
    """)


def question(body: str) -> str:
    return "\n[[sections.areas.questions]]\n" + dedent(body)


# (id, TOML text, a part of the message, the key path); the line is the one marked "# <-",
# or None when the text has no mark.
BROKEN: list[tuple[str, str, str, str]] = [
    (
        "missing-form-id",
        '[form]  # <-\nversion = "1.0.0"\nstage = "full"\ntitle = "Broken"\n' + AREA + SEEN,
        "'id' is missing",
        "form",
    ),
    (
        "bad-version",
        HEADER.replace('"1.0.0"', '"1.0"  # <-') + AREA + SEEN,
        "does not have the expected form (MAJOR.MINOR.PATCH",
        "form.version",
    ),
    (
        "unknown-stage",
        HEADER.replace('"full"', '"initial"  # <-') + AREA + SEEN,
        '"initial" is not one of: preliminary, full, plan, followup',
        "form.stage",
    ),
    (
        "unknown-top-level-key",
        'colour = "red"  # <-\n' + HEADER + AREA + SEEN,
        "unknown key 'colour'",
        "colour",
    ),
    (
        "unknown-question-key",
        HEADER + AREA + SEEN + 'colour = "red"  # <-\n',
        "unknown key 'colour'",
        "sections[0].areas[0].questions[0].colour",
    ),
    (
        "label-not-text",
        HEADER + AREA + question('id = "seen"\ntype = "boolean"\nlabel = 5  # <-\n'),
        "must be of type string, not number",
        "sections[0].areas[0].questions[0].label",
    ),
    (
        "duplicate-question-id",
        HEADER + AREA + SEEN + SEEN.replace('id = "seen"', 'id = "seen"  # <-'),
        "question id 'seen' is used twice",
        "sections[0].areas[0].questions[1].id",
    ),
    (
        "duplicate-area-id",
        HEADER
        + AREA
        + SEEN
        + '\n[[sections.areas]]\nid = "health"  # <-\nlabel = "Health again"\n'
        + SEEN,
        "area id 'health' is used twice",
        "sections[0].areas[1].id",
    ),
    (
        "duplicate-section-id",
        HEADER
        + AREA
        + SEEN
        + AREA.replace('id = "child_needs"', 'id = "child_needs"  # <-')
        + SEEN,
        "section id 'child_needs' is used twice",
        "sections[1].id",
    ),
    (
        "duplicate-option-value",
        HEADER
        + CONCERN.replace("options = [", "options = [  # <-").replace(
            '"some_concern", label = "Some concern"', '"no_concern", label = "Again"'
        )
        + AREA
        + ASSESSMENT,
        "option 'no_concern' is listed twice",
        "option_lists.concern.options[1].value",
    ),
    (
        "option-list-not-defined",
        HEADER + CONCERN + AREA + ASSESSMENT.replace('"concern"', '"scale"  # <-'),
        "option list 'scale' is not defined",
        "sections[0].areas[0].questions[0].options",
    ),
    (
        "choice-without-options",
        HEADER + AREA + "\n[[sections.areas.questions]]  # <-\n"
        'id = "assessment"\ntype = "choice"\nlabel = "Assessment"\n',
        "'options' is missing",
        "sections[0].areas[0].questions[0]",
    ),
    (
        "max-length-on-integer",
        HEADER
        + AREA
        + question('id = "age"\ntype = "integer"\nlabel = "Age"\nmax_length = 3  # <-\n'),
        "'max_length' is not allowed here",
        "sections[0].areas[0].questions[0].max_length",
    ),
    (
        "integer-min-greater-than-max",
        HEADER
        + AREA
        + question('id = "age"\ntype = "integer"\nlabel = "Age"\nmin = 10  # <-\nmax = 1\n'),
        "min 10 is greater than max 1",
        "sections[0].areas[0].questions[0].min",
    ),
    (
        "date-min-after-max",
        HEADER
        + AREA
        + question(
            'id = "born"\ntype = "date"\nlabel = "Born"\nmin = 2020-01-01  # <-\nmax = 2019-12-31\n'
        ),
        "min 2020-01-01 is after max 2019-12-31",
        "sections[0].areas[0].questions[0].min",
    ),
    (
        "min-items-greater-than-max-items",
        HEADER
        + CONCERN
        + AREA
        + question(
            'id = "worries"\ntype = "multi_choice"\nlabel = "Worries"\noptions = "concern"\n'
            "min_items = 2  # <-\nmax_items = 1\n"
        ),
        "min_items 2 is greater than max_items",
        "sections[0].areas[0].questions[0].min_items",
    ),
    (
        "bad-regular-expression",
        HEADER
        + AREA
        + question('id = "code"\ntype = "text"\nlabel = "Code"\npattern = "("  # <-\n'),
        "cannot be used: unclosed group",
        "sections[0].areas[0].questions[0].pattern",
    ),
    (
        "condition-to-a-missing-question",
        HEADER
        + AREA
        + SEEN
        + question(
            'id = "note"\ntype = "text"\nlabel = "Note"\n'
            'when = { question = "ghost", operator = "answered" }  # <-\n'
        ),
        "no question 'ghost' in child_needs.health",
        "sections[0].areas[0].questions[1].when.question",
    ),
    (
        "condition-to-itself",
        HEADER
        + AREA
        + question(
            'id = "seen"\ntype = "boolean"\nlabel = "Seen?"\n'
            'when = { question = "seen", operator = "equals", value = true }  # <-\n'
        ),
        "a question's condition cannot depend on the question itself",
        "sections[0].areas[0].questions[0].when.question",
    ),
    (
        "cycle-of-two-conditions",
        HEADER
        + AREA
        + question(
            'id = "first"\ntype = "boolean"\nlabel = "First"\n'
            'when = { question = "second", operator = "equals", value = true }  # <-\n'
        )
        + question(
            'id = "second"\ntype = "boolean"\nlabel = "Second"\n'
            'when = { question = "first", operator = "equals", value = true }\n'
        ),
        "conditions form a cycle",
        "sections[0].areas[0].questions[0].when",
    ),
    (
        "operator-gt-on-boolean",
        HEADER
        + AREA
        + SEEN
        + question(
            'id = "note"\ntype = "text"\nlabel = "Note"\n'
            'when = { question = "seen", operator = "gt", value = 1 }  # <-\n'
        ),
        "operator 'gt' does not fit the boolean question 'seen'",
        "sections[0].areas[0].questions[1].when.operator",
    ),
    (
        "choice-condition-value-not-an-option",
        HEADER
        + CONCERN
        + AREA
        + ASSESSMENT
        + question(
            'id = "note"\ntype = "text"\nlabel = "Note"\n'
            'when = { question = "assessment", operator = "equals", value = "maybe" }  # <-\n'
        ),
        "\"maybe\" is not an option of 'assessment'",
        "sections[0].areas[0].questions[1].when.value",
    ),
    (
        "in-with-a-value-that-is-not-a-list",
        HEADER
        + CONCERN
        + AREA
        + ASSESSMENT
        + question(
            'id = "note"\ntype = "text"\nlabel = "Note"\n'
            'when = { question = "assessment", operator = "in", value = "some_concern" }  # <-\n'
        ),
        "must be of type array",
        "sections[0].areas[0].questions[1].when.value",
    ),
    (
        "condition-into-a-group-from-outside",
        HEADER
        + AREA
        + question(
            'id = "household"\ntype = "group"\nlabel = "Household"\n'
            "questions = [\n"
            '  { id = "age", type = "integer", label = "Age" },\n'
            "]\n"
        )
        + question(
            'id = "note"\ntype = "text"\nlabel = "Note"\n'
            'when = { question = "age", operator = "answered" }  # <-\n'
        ),
        "no question 'age' in child_needs.health",
        "sections[0].areas[0].questions[1].when.question",
    ),
    (
        "condition-with-a-two-part-reference",
        HEADER
        + AREA
        + SEEN
        + question(
            'id = "note"\ntype = "text"\nlabel = "Note"\n'
            'when = { question = "health.seen", operator = "answered" }  # <-\n'
        ),
        "is neither a question id nor section.area.question",
        "sections[0].areas[0].questions[1].when.question",
    ),
    (
        "integer-condition-value-not-a-number",
        HEADER
        + AREA
        + question('id = "age"\ntype = "integer"\nlabel = "Age"\n')
        + question(
            'id = "school"\ntype = "text"\nlabel = "School"\n'
            'when = { question = "age", operator = "ge", value = "six" }  # <-\n'
        ),
        "must be a whole number for the integer question 'age'",
        "sections[0].areas[0].questions[1].when.value",
    ),
    (
        "require-one-of-names-a-missing-question",
        HEADER + AREA + 'require_one_of = [{ questions = ["seen", "ghost"] }]  # <-\n' + SEEN,
        "no question 'ghost' in area 'health'",
        "sections[0].areas[0].require_one_of[0].questions[1]",
    ),
    (
        "multi-choice-max-items-above-its-options",
        HEADER
        + CONCERN
        + AREA
        + question(
            'id = "worries"\ntype = "multi_choice"\nlabel = "Worries"\noptions = "concern"\n'
            "max_items = 5  # <-\n"
        ),
        "max_items 5 exceeds the 2 options",
        "sections[0].areas[0].questions[0].max_items",
    ),
    (
        "date-bound-not-a-date",
        HEADER
        + AREA
        + question('id = "born"\ntype = "date"\nlabel = "Born"\nmin = "yesterday"  # <-\n'),
        "date",
        "sections[0].areas[0].questions[0].min",
    ),
    (
        "date-bound-not-a-day-of-the-calendar",
        HEADER
        + AREA
        + question('id = "born"\ntype = "date"\nlabel = "Born"\nmin = "2020-02-30"  # <-\n'),
        "day is out of range for month",
        "sections[0].areas[0].questions[0].min",
    ),
    (
        "extension-of-a-missing-base",
        EXTENSION.replace('"triangle.full"', '"triangle.nothing"  # <-')
        + '\n[[extend]]\nsection = "child_needs"\narea = "health"\n'
        + '\n[[extend.questions]]\nid = "nl_extra"\ntype = "boolean"\nlabel = "Extra?"\n',
        "extends 'triangle.nothing', which is not in the catalog",
        "form.extends",
    ),
    (
        "extension-reuses-a-question-id-of-the-base",
        EXTENSION
        + '\n[[extend]]\nsection = "child_needs"\narea = "health"\n'
        + '\n[[extend.questions]]\nid = "assessment"  # <-\ntype = "boolean"\nlabel = "Again"\n',
        "question id 'assessment' is already used in child_needs.health",
        "extend[0].questions[0].id",
    ),
    (
        "extension-names-a-missing-area",
        EXTENSION
        + '\n[[extend]]\nsection = "child_needs"\narea = "nowhere"  # <-\n'
        + '\n[[extend.questions]]\nid = "nl_extra"\ntype = "boolean"\nlabel = "Extra?"\n',
        "has no area child_needs.nowhere",
        "extend[0].area",
    ),
    (
        "extension-with-a-stage",
        EXTENSION
        + 'stage = "full"  # <-\n'
        + '\n[[extend]]\nsection = "child_needs"\narea = "health"\n'
        + '\n[[extend.questions]]\nid = "nl_extra"\ntype = "boolean"\nlabel = "Extra?"\n',
        "'stage' is not allowed here",
        "form.stage",
    ),
    (
        "extension-condition-to-a-missing-question",
        EXTENSION
        + '\n[[extend]]\nsection = "child_needs"\narea = "health"\n'
        + '\n[[extend.questions]]\nid = "nl_extra"\ntype = "boolean"\nlabel = "Extra?"\n'
        + 'when = { question = "ghost", operator = "answered" }  # <-\n',
        "no question 'ghost' in child_needs.health",
        "extend[0].questions[0].when.question",
    ),
    (
        "extension-require-one-of-names-a-missing-question",
        EXTENSION
        + '\n[[extend]]\nsection = "child_needs"\narea = "health"\n'
        + 'require_one_of = [{ questions = ["nl_extra", "ghost"] }]  # <-\n'
        + '\n[[extend.questions]]\nid = "nl_extra"\ntype = "boolean"\nlabel = "Extra?"\n',
        "no question 'ghost' in area 'health'",
        "extend[0].require_one_of[0].questions[1]",
    ),
    (
        "extension-date-bound-not-a-day-of-the-calendar",
        EXTENSION
        + '\n[[extend]]\nsection = "child_needs"\narea = "health"\n'
        + '\n[[extend.questions]]\nid = "nl_born"\ntype = "date"\nlabel = "Born"\n'
        + 'min = "2020-02-30"  # <-\n',
        "day is out of range for month",
        "extend[0].questions[0].min",
    ),
    (
        "decimal-bound-infinite",
        HEADER
        + AREA
        + question('id = "weight"\ntype = "decimal"\nlabel = "Kg"\nmin = 0\nmax = inf  # <-\n'),
        "finite",
        "sections[0].areas[0].questions[0].max",
    ),
    (
        "condition-value-not-a-number",
        HEADER
        + AREA
        + question('id = "weight"\ntype = "decimal"\nlabel = "Kg"\n')
        + question(
            'id = "note"\ntype = "text"\nlabel = "Note"\n'
            'when = { question = "weight", operator = "gt", value = nan }  # <-\n'
        ),
        "finite",
        "sections[0].areas[0].questions[1].when.value",
    ),
    (
        "date-bound-not-a-date-nor-today",
        HEADER
        + AREA
        + question('id = "seen_on"\ntype = "date"\nlabel = "Seen"\nmax = "tomorrow"  # <-\n'),
        '"tomorrow" is not an ISO date, e.g. 2000-01-01, nor "today"',
        "sections[0].areas[0].questions[0].max",
    ),
    (
        "birth-as-an-upper-bound",
        HEADER
        + AREA
        + question('id = "seen_on"\ntype = "date"\nlabel = "Seen"\nmax = "birth"  # <-\n'),
        '"birth" is not an ISO date, e.g. 2000-01-01, nor "today"',
        "sections[0].areas[0].questions[0].max",
    ),
    (
        "today-bound-on-a-number",
        HEADER
        + AREA
        + question('id = "visits"\ntype = "decimal"\nlabel = "Visits"\nmin = "today"  # <-\n'),
        "must be of type number, not string",
        "sections[0].areas[0].questions[0].min",
    ),
    (
        "birth-date-names-no-date-question",
        HEADER.replace(
            'title = "Broken"', 'title = "Broken"\nbirth_date = "child_needs.health.seen"  # <-'
        )
        + AREA
        + SEEN,
        "'child_needs.health.seen' is not a date question of this form",
        "form.birth_date",
    ),
    (
        "birth-date-in-an-extension",
        EXTENSION
        + 'birth_date = "child_needs.health.born_on"  # <-\n'
        + '\n[[extend]]\nsection = "child_needs"\narea = "health"\n'
        + '\n[[extend.questions]]\nid = "born_on"\ntype = "date"\nlabel = "Born"\n',
        "'birth_date' is not allowed here",
        "form.birth_date",
    ),
    (
        "toml-syntax-error",
        HEADER + AREA + question('id = "seen"\ntype = "boolean"\nlabel = "Seen?  # <-\n'),
        "is not valid TOML",
        "",
    ),
]


# (a whole-file problem: the file's text, the one message expected, its line)
WHOLE_FILE = [
    pytest.param("", "'form' is missing: start the file with a [form] table", 1,
                 id="empty"),
    pytest.param("# nothing here yet\n", "'form' is missing", 1, id="only-a-comment"),
    pytest.param('[form]\nid = "x.y"\nversion = "1.0.0"\nstage = "full"\ntitle = "T"\n',
                 "'sections' is missing: a form has [[sections]]", 1, id="no-sections"),
    pytest.param('[form]\nid = "x.y"\nversion = "1.0.0"\ntitle = "T"\nextends = "triangle.full"\n',
                 "'extend' is missing: an extension has [[extend]]", 1, id="no-extend"),
    pytest.param('[form]\nid = "x.y"\n\nx = ' + "[" * 80 + "]" * 80 + "\n",
                 "is nested too deeply", 4, id="deep-inline-array"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message", "line"), WHOLE_FILE)
def test_a_problem_of_the_whole_file_names_a_line_and_what_to_do(
    tmp_path: Path, text: str, message: str, line: int
) -> None:
    """A form file that is empty, or lacks its [form] table, its sections or (an extension)
    its [[extend]] tables, gets one problem at a line, saying what the file needs; a value
    nested too deeply is named at its own line."""
    path = tmp_path / "whole.toml"
    path.write_text(text, encoding="utf-8")
    [problem] = problems_of(path)
    assert (str(path), line) == (problem.file, problem.line)
    assert problem.message.startswith(message)


def marked_line(text: str) -> int | None:
    lines = [number for number, line in enumerate(text.splitlines(), 1) if MARK in line]
    assert len(lines) <= 1, "mark at most one line"
    return lines[0] if lines else None


BROKEN_TEXT = {name: text for name, text, _, _ in BROKEN}


@pytest.mark.parametrize(
    ("text", "message", "key_path"),
    [pytest.param(text, message, path, id=name) for name, text, message, path in BROKEN],
)
def test_broken_form_file_is_refused_with_one_precise_problem(
    tmp_path: Path, text: str, message: str, key_path: str
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    problems = problems_of(path)
    assert [(str(path), key_path, marked_line(text))] == [
        (problem.file, problem.path, problem.line) for problem in problems
    ]
    assert message in problems[0].message


def test_the_table_of_broken_files_has_at_least_25_rows() -> None:
    assert len(BROKEN) >= 25
    assert len(BROKEN) == len(BROKEN_TEXT)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bad-version", '"1.0" does not have the expected form (MAJOR.MINOR.PATCH, e.g. 1.0.0)'),
        ("option-list-not-defined", "option list 'scale' is not defined; defined: concern"),
        (
            "cycle-of-two-conditions",
            "conditions form a cycle: child_needs.health.first -> child_needs.health.second"
            " -> child_needs.health.first",
        ),
        (
            "max-length-on-integer",
            "'max_length' is not allowed here for a question of type 'integer'",
        ),
    ],
)
def test_problem_message_in_full(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN_TEXT[name], encoding="utf-8")
    assert [message] == [problem.message for problem in problems_of(path)]


def test_a_problem_prints_as_file_line_path_and_message(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN_TEXT["option-list-not-defined"], encoding="utf-8")
    (problem,) = problems_of(path)
    line = marked_line(BROKEN_TEXT["option-list-not-defined"])
    expected = (
        f"{path}:{line}: sections[0].areas[0].questions[0].options: "
        "option list 'scale' is not defined; defined: concern"
    )
    assert expected == str(problem)


def test_every_semantic_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(
        HEADER
        + AREA
        + SEEN
        + SEEN
        + question('id = "age"\ntype = "integer"\nlabel = "Age"\nmin = 10\nmax = 1\n')
        + question(
            'id = "note"\ntype = "text"\nlabel = "Note"\n'
            'when = { question = "ghost", operator = "answered" }\n'
        ),
        encoding="utf-8",
    )
    problems = problems_of(path)
    assert len(problems) >= 3
    assert {
        "sections[0].areas[0].questions[1].id",
        "sections[0].areas[0].questions[2].min",
        "sections[0].areas[0].questions[3].when.question",
    } <= {problem.path for problem in problems}


def test_every_schema_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    text = (
        HEADER.replace('"1.0.0"', '"1.0"').replace('"full"', '"initial"')
        + AREA
        + question('id = "seen"\ntype = "boolean"\nlabel = 5\n')
    )
    path.write_text(text, encoding="utf-8")
    label_line = text.splitlines().index("label = 5") + 1
    assert [
        ("form.stage", 4),
        ("form.version", 3),
        ("sections[0].areas[0].questions[0].label", label_line),
    ] == sorted((problem.path, problem.line) for problem in problems_of(path))


@PROPERTY
@given(mutated_forms())
def test_any_changed_form_gives_a_form_or_a_report_never_a_crash(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]
) -> None:
    path = tmp_path_factory.mktemp("mutated") / "form.toml"
    text = to_toml(data)
    path.write_text(text, encoding="utf-8")
    outcome: Form | FormDefinitionError
    try:
        outcome = kindbehoeften.load_form(path)
    except FormDefinitionError as error:
        outcome = error
    if isinstance(outcome, FormDefinitionError):
        lines = text.count("\n")
        assert outcome.problems
        for problem in outcome.problems:
            assert str(path) == problem.file
            assert problem.line is None or 1 <= problem.line <= lines
    else:
        assert isinstance(outcome, Form)


@PROPERTY
@given(st.binary(max_size=300), st.sampled_from([".toml", ".json"]))
def test_any_bytes_give_a_form_definition_error_never_a_crash(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("bytes") / f"form{suffix}"
    path.write_bytes(data)
    with pytest.raises(FormDefinitionError) as caught:
        kindbehoeften.load_form(path)
    assert caught.value.problems


# --- (c) hostile files --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "key_path"),
    [
        pytest.param(
            "\"__import__('os').system('touch {sentinel}')\"",
            "sections[0].areas[0].questions[1].when",
            id="condition-as-code",
        ),
        pytest.param(
            "{{ question = \"__import__('os').system('touch {sentinel}')\","
            ' operator = "answered" }}',
            "sections[0].areas[0].questions[1].when.question",
            id="question-as-code",
        ),
    ],
)
def test_python_code_in_a_condition_is_refused_and_never_run(
    tmp_path: Path, condition: str, key_path: str
) -> None:
    sentinel = tmp_path / "pwned"
    path = tmp_path / "hostile.toml"
    when = condition.format(sentinel=sentinel)
    path.write_text(
        HEADER
        + AREA
        + SEEN
        + question(f'id = "note"\ntype = "text"\nlabel = "N"\nwhen = {when}\n'),
        encoding="utf-8",
    )
    problems = problems_of(path)
    assert {key_path} == {problem.path for problem in problems}
    assert not sentinel.exists()


def test_python_code_as_a_condition_value_is_kept_as_text(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    code = f"__import__('os').system('touch {sentinel}')"
    path = tmp_path / "form.toml"
    path.write_text(
        HEADER
        + AREA
        + question('id = "name"\ntype = "text"\nlabel = "Name"\n')
        + question(
            'id = "note"\ntype = "text"\nlabel = "N"\n'
            f'when = {{ question = "name", operator = "equals", value = "{code}" }}\n'
        ),
        encoding="utf-8",
    )
    form = kindbehoeften.load_form(path)
    when = form.section("child_needs").area("health").question("note").when
    assert isinstance(when, kindbehoeften.Comparison)
    assert code == when.value
    assert not sentinel.exists()


def big_form_text() -> str:
    """A 10 MB description, followed by a line that is not TOML."""
    return HEADER + 'description = "' + "x" * 10_000_000 + '"\n' + AREA + SEEN + "not toml\n"


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_text(big_form_text(), encoding="utf-8")
    started = time.perf_counter()
    problems = problems_of(path)
    elapsed = time.perf_counter() - started
    # One problem, about the size: the syntax error at the end was never reached.
    expected = [("", None)]
    assert expected == [(problem.path, problem.line) for problem in problems]
    assert f"is larger than {MAX_FORM_FILE_BYTES} bytes" in problems[0].message
    assert elapsed < 5, "refusing a big file should not take seconds"


def test_a_file_over_the_size_limit_in_a_forms_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "big.toml").write_text(big_form_text(), encoding="utf-8")
    with pytest.raises(FormDefinitionError) as caught:
        kindbehoeften.load_form("test.broken", paths=[tmp_path])
    assert [f"is larger than {MAX_FORM_FILE_BYTES} bytes"] == [
        problem.message.split(";")[0] for problem in caught.value.problems
    ]


DEEP = 10_000


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        pytest.param(".toml", "a = " + "[" * DEEP + "]" * DEEP + "\n", id="toml-arrays"),
        pytest.param(".toml", "a = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n", id="toml-tables"),
        pytest.param(".toml", "[" + ".".join(["a"] * DEEP) + "]\n", id="toml-dotted-header"),
        pytest.param(".toml", ".".join(["a"] * DEEP) + " = 1\n", id="toml-dotted-key"),
        pytest.param(".json", '{"form": ' + "[" * DEEP + "]" * DEEP + "}", id="json-arrays"),
    ],
)
def test_deeply_nested_file_is_refused_without_recursion_error(
    tmp_path: Path, suffix: str, text: str
) -> None:
    path = tmp_path / f"deep{suffix}"
    path.write_text(text, encoding="utf-8")
    problems = problems_of(path)
    assert [f"is nested too deeply (more than {MAX_DEPTH} levels)"] == [
        problem.message for problem in problems
    ]


class TookTooLong(Exception):
    """Raised by :func:`time_limit` when its time is up."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds``: a guard against runaway (quadratic) work."""

    def stop(signum: int, frame: object) -> None:
        raise TookTooLong(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


LONG = 250_000  # parts of a dotted key: 500 kB, well within the size limit


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(".".join(["a"] * LONG) + " = 1\n", id="dotted-key"),
        pytest.param("[" + ".".join(["a"] * LONG) + "]\n", id="dotted-header"),
    ],
)
def test_a_long_dotted_key_within_the_size_limit_is_refused_in_seconds(
    tmp_path: Path, text: str
) -> None:
    """The depth limit protects against keys nested by dots, not only by brackets.

    The budget is a thousand times what a linear check needs; it only catches work that grows
    with the square of the key (parsing first and checking the depth afterwards).
    """
    path = tmp_path / "long.toml"
    path.write_text(text, encoding="utf-8")
    assert len(text) < MAX_FORM_FILE_BYTES
    with time_limit(3):
        problems = problems_of(path)
    assert [f"is nested too deeply (more than {MAX_DEPTH} levels)"] == [
        problem.message for problem in problems
    ]


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes((HEADER.replace('"Broken"', '"Café"') + AREA + SEEN).encode("latin-1"))
    problems = problems_of(path)
    expected = [("", 5)]
    assert expected == [(problem.path, problem.line) for problem in problems]
    assert "UTF-8" in problems[0].message


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + AREA + SEEN).encode("utf-8"))
    expected = "test.broken@1.0.0"
    assert expected == kindbehoeften.load_form(path).key


def test_a_json_form_file_with_a_duplicate_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "form.json"
    form = Form.from_dict(tomllib.loads(HEADER + AREA + SEEN))
    text = json.dumps(form.to_dict())
    path.write_text(text.replace('"id": "test.broken"', '"id": "test.broken", "id": "test.other"'))
    problems = problems_of(path)
    expected = ["form.id"]
    assert expected == [problem.path for problem in problems]
    assert "the key 'id' appears twice in one object" in problems[0].message


def test_a_json_form_file_loads_like_its_toml_file(tmp_path: Path) -> None:
    data = tomllib.loads(HEADER + AREA + SEEN)
    path = tmp_path / "form.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert Form.from_dict(data) == kindbehoeften.load_form(path)


def test_a_file_that_does_not_exist_gives_a_form_definition_error(tmp_path: Path) -> None:
    path = tmp_path / "missing.toml"
    problems = problems_of(path)
    assert [(str(path), "", None)] == [
        (problem.file, problem.path, problem.line) for problem in problems
    ]
    assert "no such file" in problems[0].message


# --- (d) the catalog ----------------------------------------------------------------------


def small_form(version: str, form_id: str = "test.versions", title: str = "Versions") -> str:
    return (
        HEADER.replace('"test.broken"', f'"{form_id}"')
        .replace('"1.0.0"', f'"{version}"')
        .replace('"Broken"', f'"{title}"')
        + AREA
        + SEEN
    )


@pytest.fixture
def versions_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "versions-1.toml").write_text(small_form("1.1.0", title="One"), encoding="utf-8")
    (folder / "versions-2.toml").write_text(small_form("2.0.0", title="Two"), encoding="utf-8")
    return folder


def test_forms_lists_the_four_builtin_triangle_forms() -> None:
    expected = TRIANGLE_IDS
    assert expected == sorted(form.id for form in kindbehoeften.forms())


def test_load_form_by_id_returns_the_same_cached_form() -> None:
    assert kindbehoeften.load_form("triangle.full") is kindbehoeften.load_form("triangle.full")


def test_load_form_gives_the_newest_version_by_default(versions_dir: Path) -> None:
    form = kindbehoeften.load_form("test.versions", paths=[versions_dir])
    expected = ("2.0.0", "Two")
    assert expected == (form.version, form.title)


def test_load_form_gives_the_version_asked_for(versions_dir: Path) -> None:
    form = kindbehoeften.load_form("test.versions", "1.1.0", paths=[versions_dir])
    expected = ("1.1.0", "One")
    assert expected == (form.version, form.title)


def test_versions_are_compared_as_numbers(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(small_form("1.9.0"), encoding="utf-8")
    (tmp_path / "b.toml").write_text(small_form("1.10.0"), encoding="utf-8")
    expected = "1.10.0"
    assert expected == kindbehoeften.load_form("test.versions", paths=[tmp_path]).version


def test_forms_lists_every_version_of_a_directory(versions_dir: Path) -> None:
    keys = [form.key for form in kindbehoeften.forms(paths=[versions_dir])]
    expected = ["test.versions@1.1.0", "test.versions@2.0.0"]
    assert expected == [key for key in keys if key.startswith("test.")]


def test_an_unknown_version_raises_unknown_form_error(versions_dir: Path) -> None:
    with pytest.raises(LookupError) as caught:
        kindbehoeften.load_form("test.versions", "3.0.0", paths=[versions_dir])
    assert UnknownFormError is type(caught.value)
    expected = ("test.versions", "3.0.0")
    assert expected == (caught.value.form_id, caught.value.version)


def test_an_unknown_id_raises_unknown_form_error_naming_the_known_ids() -> None:
    with pytest.raises(UnknownFormError) as caught:
        kindbehoeften.load_form("triangle.nothing")
    assert set(TRIANGLE_IDS) <= set(caught.value.known)


def test_a_file_with_another_version_than_asked_raises_unknown_form_error(tmp_path: Path) -> None:
    path = tmp_path / "form.toml"
    path.write_text(small_form("1.1.0"), encoding="utf-8")
    with pytest.raises(UnknownFormError):
        kindbehoeften.load_form(path, "2.0.0")


def test_forms_path_variable_adds_a_directory(
    monkeypatch: pytest.MonkeyPatch, versions_dir: Path
) -> None:
    monkeypatch.setenv(FORMS_PATH_VARIABLE, str(versions_dir))
    expected = "2.0.0"
    assert expected == kindbehoeften.load_form("test.versions").version
    assert "test.versions@2.0.0" in [form.key for form in kindbehoeften.forms()]


def test_forms_path_variable_is_named_kindbehoeften_forms_path() -> None:
    expected = "KINDBEHOEFTEN_FORMS_PATH"
    assert expected == FORMS_PATH_VARIABLE


def test_a_directory_that_does_not_exist_is_a_form_definition_error(tmp_path: Path) -> None:
    with pytest.raises(FormDefinitionError) as caught:
        kindbehoeften.forms(paths=[tmp_path / "nowhere"])
    assert [str(tmp_path / "nowhere")] == [problem.file for problem in caught.value.problems]


def test_two_files_with_the_same_id_and_version_name_both(tmp_path: Path) -> None:
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    first.write_text(small_form("1.0.0"), encoding="utf-8")
    second.write_text(small_form("1.0.0", title="Copy"), encoding="utf-8")
    with pytest.raises(FormDefinitionError) as caught:
        kindbehoeften.forms(paths=[tmp_path])
    assert [str(second)] == [problem.file for problem in caught.value.problems]
    assert str(first) in caught.value.problems[0].message
    assert "test.versions@1.0.0" in caught.value.problems[0].message


def test_a_form_in_a_directory_cannot_reuse_a_builtin_id_and_version(tmp_path: Path) -> None:
    (tmp_path / "full.toml").write_text(small_form("1.0.0", form_id="triangle.full"), "utf-8")
    with pytest.raises(FormDefinitionError) as caught:
        kindbehoeften.forms(paths=[tmp_path])
    assert "triangle.full@1.0.0 is also defined in" in caught.value.problems[0].message


def test_an_extension_in_a_directory_finds_its_base_in_the_same_directory(tmp_path: Path) -> None:
    (tmp_path / "a-extension.toml").write_text(
        EXTENSION.replace('"triangle.full"', '"test.versions"')
        + '\n[[extend]]\nsection = "child_needs"\narea = "health"\n'
        + '\n[[extend.questions]]\nid = "extra"\ntype = "boolean"\nlabel = "Extra?"\n',
        encoding="utf-8",
    )
    (tmp_path / "b-base.toml").write_text(small_form("1.0.0"), encoding="utf-8")
    form = kindbehoeften.load_form("test.extension", paths=[tmp_path])
    expected = ["seen", "extra"]
    assert expected == [
        question.id for question in form.section("child_needs").area("health").questions
    ]


def example_extension() -> Path:
    return Path(str(FORMS / "examples" / EXAMPLE_EXTENSION))


def test_example_extension_loads_as_its_own_form_on_top_of_triangle_full() -> None:
    data = tomllib.loads(example_extension().read_text("utf-8"))
    base = kindbehoeften.load_form("triangle.full")
    form = kindbehoeften.load_form(example_extension())
    assert (data["form"]["id"], data["form"]["version"]) == (form.id, form.version)
    assert kindbehoeften.FormReference(id="triangle.full", version=base.version) == form.base
    assert form.id != base.id


def test_example_extension_adds_its_questions_to_child_needs_education() -> None:
    data = tomllib.loads(example_extension().read_text("utf-8"))
    form = kindbehoeften.load_form(example_extension())
    base = kindbehoeften.load_form("triangle.full")
    added = [
        question["id"]
        for extension in data["extend"]
        if (extension["section"], extension["area"]) == ("child_needs", "education")
        for question in extension["questions"]
    ]
    area = form.section("child_needs").area("education")
    base_ids = [question.id for question in base.section("child_needs").area("education").questions]
    assert added
    assert base_ids + added == [question.id for question in area.questions]


def test_loading_the_example_extension_leaves_the_base_form_unchanged() -> None:
    before = kindbehoeften.load_form("triangle.full").to_dict()
    kindbehoeften.load_form(example_extension())
    assert before == kindbehoeften.load_form("triangle.full").to_dict()


def test_form_file_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = kindbehoeften.form_file_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    expected = "https://json-schema.org/draft/2020-12/schema"
    assert expected == schema["$schema"]


def test_form_file_schema_is_a_fresh_copy_each_time() -> None:
    schema = kindbehoeften.form_file_schema()
    schema["title"] = "changed"
    expected = "kindbehoeften form file"
    assert expected == kindbehoeften.form_file_schema()["title"]


def test_every_catalog_form_as_written_by_to_dict_satisfies_the_published_schema() -> None:
    found = {form.key: schema_errors(form.to_dict()) for form in kindbehoeften.forms()}
    assert len(found) >= 4
    assert {key: [] for key in found} == found
