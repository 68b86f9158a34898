"""The command line as a whole: demo, usage errors, locale, help and version, internal errors,
and the console script."""

from __future__ import annotations

import argparse
import json
import re
from io import StringIO
from pathlib import Path

import pytest

import kindbehoeften
from clirun import TRIANGLE_IDS, Run, run_module, runner
from kindbehoeften._forms.catalog import FORMS_PATH_VARIABLE
from kindbehoeften.cli import LOCALE_VARIABLE


@pytest.fixture(autouse=True)
def _no_user_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's own forms path and locale never change what a test sees."""
    monkeypatch.delenv(FORMS_PATH_VARIABLE, raising=False)
    monkeypatch.delenv(LOCALE_VARIABLE, raising=False)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Call ``main`` with two plain 100-column consoles and collect what it wrote."""
    return runner(capsys)


# --- demo ---------------------------------------------------------------------------------


def test_demo_writes_into_kindbehoeften_demo_in_the_working_folder(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("demo")
    assert (0, "") == (result.code, result.err)
    assert (tmp_path / "kindbehoeften-demo" / "record.json").is_file()
    sides = [section.label for section in kindbehoeften.load_form("triangle.full").sections[:3]]
    assert [] == [label for label in sides if label not in result.out]


# --- usage errors, locale, help and version ----------------------------------------------

USAGE_ERRORS = [
    pytest.param([], id="no-arguments"),
    pytest.param(["frobnicate"], id="unknown-command"),
    pytest.param(["forms"], id="forms-without-action"),
    pytest.param(["forms", "frobnicate"], id="unknown-forms-action"),
    pytest.param(["forms", "show"], id="show-without-id"),
    pytest.param(["--format", "xml"], id="format-xml-before-command"),
    pytest.param(["forms", "list", "--format", "xml"], id="list-format-xml"),
    pytest.param(["forms", "show", "triangle.full", "--format", "xml"], id="show-format-xml"),
    pytest.param(["forms", "list", "--locale", "xx"], id="list-locale-xx"),
    pytest.param(["demo", "--locale", "xx"], id="demo-locale-xx"),
    pytest.param(["forms", "list", "--bogus"], id="unknown-option"),
]


@pytest.mark.parametrize("argv", USAGE_ERRORS)
def test_usage_error_exits_2_with_one_error_line_and_no_traceback(
    run: Run, argv: list[str]
) -> None:
    result = run(*argv)
    assert 2 == result.code
    assert "" == result.out
    assert 1 == len(result.err.splitlines())
    assert result.err.startswith("kindbehoeften: error:")
    assert "" == result.leaked
    assert "Traceback" not in result.everything


def test_unknown_locale_error_names_the_locale_and_the_choices(run: Run) -> None:
    err = run("forms", "list", "--locale", "xx").err
    assert "'xx'" in err
    assert "en, nl, sv, da, nb, fi" in err


def test_unknown_locale_in_the_variable_exits_2_with_one_error_line(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOCALE_VARIABLE, "xx")
    result = run("forms", "list")
    assert 2 == result.code
    assert 1 == len(result.err.splitlines())
    assert result.err.startswith("kindbehoeften: error:")


def test_unknown_locale_in_the_variable_names_the_variable_and_the_option(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user gave no --locale: the error says where the locale came from."""
    monkeypatch.setenv(LOCALE_VARIABLE, "xx")
    result = run("forms", "list")
    assert (
        "kindbehoeften: error: $KINDBEHOEFTEN_LOCALE: unknown locale 'xx'; available: en, nl, "
        "sv, da, nb, fi. Give a language code such as sv or nb_NO. Set the variable to one, "
        "or give --locale LANG.\n" == result.err
    )
    assert 0 == run("forms", "list", "--locale", "sv").code  # the option wins


@pytest.mark.parametrize("locale", ["sv", "nb_NO", "nl-NL", "FI", "en"])
def test_forms_list_accepts_a_known_locale_option(run: Run, locale: str) -> None:
    result = run("forms", "list", "--locale", locale)
    assert 0 == result.code
    assert "" == result.err


@pytest.mark.parametrize("locale", ["nb_NO", "sv_SE.UTF-8", "da"])
def test_forms_list_accepts_a_known_locale_from_the_variable(
    run: Run, monkeypatch: pytest.MonkeyPatch, locale: str
) -> None:
    monkeypatch.setenv(LOCALE_VARIABLE, locale)
    result = run("forms", "list")
    assert 0 == result.code
    assert "" == result.err


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        pytest.param(["--help"], "usage: kindbehoeften ", id="top"),
        pytest.param(["forms", "--help"], "usage: kindbehoeften forms ", id="forms"),
        pytest.param(["forms", "list", "-h"], "usage: kindbehoeften forms list ", id="list"),
        pytest.param(["forms", "show", "--help"], "usage: kindbehoeften forms show ", id="show"),
        pytest.param(["forms", "check", "--help"], "usage: kindbehoeften forms check ", id="check"),
        pytest.param(["demo", "--help"], "usage: kindbehoeften demo ", id="demo"),
    ],
)
def test_help_exits_0_and_prints_usage_on_the_given_console(
    run: Run, argv: list[str], usage: str
) -> None:
    result = run(*argv)
    assert 0 == result.code
    assert result.out.startswith(usage)
    assert "" == result.err
    assert "" == result.leaked


def test_top_level_help_names_the_commands(run: Run) -> None:
    out = run("--help").out
    assert "demo" in out
    assert "forms" in out


def test_version_exits_0_and_prints_the_version_on_the_given_console(run: Run) -> None:
    result = run("--version")
    assert 0 == result.code
    assert f"kindbehoeften {kindbehoeften.__version__}\n" == result.out
    assert "" == result.leaked


# --- internal errors ----------------------------------------------------------------------


def test_an_internal_error_exits_2_without_traceback_or_exception_text(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom with secret")

    monkeypatch.setattr("kindbehoeften.cli.forms.summaries", boom)
    result = run("forms", "list")
    assert 2 == result.code
    assert "internal error" in result.err
    assert 1 == len(result.err.splitlines())
    assert "secret" not in result.everything
    assert "Traceback" not in result.everything


def test_an_internal_error_under_json_prints_nothing_on_stdout(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom with secret")

    monkeypatch.setattr("kindbehoeften.cli.forms.summaries", boom)
    result = run("forms", "list", "--format", "json")
    assert 2 == result.code
    assert "" == result.out
    assert "secret" not in result.everything


def test_an_interrupt_exits_2_without_traceback(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("kindbehoeften._forms.catalog.load_form", interrupt)
    result = run("forms", "show", "triangle.full")
    assert 2 == result.code
    assert "interrupted" in result.err
    assert "Traceback" not in result.everything


# --- the console script -------------------------------------------------------------------


def test_python_m_kindbehoeften_forms_list_json_prints_json_on_stdout() -> None:
    completed = run_module("forms", "list", "--format", "json")
    assert 0 == completed.returncode
    assert TRIANGLE_IDS == [entry["id"] for entry in json.loads(completed.stdout)["forms"]]
    assert "" == completed.stderr


def test_python_m_kindbehoeften_unknown_form_exits_2_with_one_line_on_stderr() -> None:
    completed = run_module("forms", "show", "nope")
    assert 2 == completed.returncode
    assert "" == completed.stdout
    assert 1 == len(completed.stderr.splitlines())
    assert completed.stderr.startswith("kindbehoeften: error:")
    assert "'nope'" in completed.stderr


# --- each command's module, imported when the command runs ---------------------------------------


def _commands_of(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


def test_each_group_module_registers_the_commands_the_table_names() -> None:
    from kindbehoeften import cli

    for group, commands in cli._GROUPS.items():
        parser = cli._parser(StringIO(), (group,))
        assert (group, list(commands)) == (group, list(_commands_of(parser)))


def test_a_command_parsed_with_its_module_alone_has_the_same_help() -> None:
    """The parser made for one command (only its group's module imported) says of it, and
    of each of its actions, what the parser of every command says."""
    from kindbehoeften import cli

    everything = _commands_of(cli._parser(StringIO()))
    assert list(everything) == [name for names in cli._GROUPS.values() for name in names]
    for name, full in everything.items():
        alone = _commands_of(cli._parser(StringIO(), cli._groups([name, "--help"])))[name]
        assert full.format_help() == alone.format_help()
        for action, parser in _commands_of(full).items():
            assert parser.format_help() == _commands_of(alone)[action].format_help()


@pytest.mark.parametrize(
    ("argv", "groups"),
    [
        (["forms", "list"], ("forms",)),
        (["timeline", "x.json"], ("deadlines",)),
        (["import", "fhir-response", "x"], ("imports",)),
        (["--version"], ()),
        (["--help"], "all"),
        (["-h", "forms"], "all"),  # the top level's help, which lists every command
        (["--version", "forms"], "all"),
        (["nonsense"], "all"),  # its error names every command
        ([], "all"),
    ],
)
def test_the_modules_a_command_line_needs(argv: list[str], groups: object) -> None:
    from kindbehoeften import cli

    assert (tuple(cli._GROUPS) if groups == "all" else groups) == cli._groups(argv)


def test_the_help_lists_every_command_in_order(run: Run) -> None:
    from kindbehoeften import cli

    result = run("--help")
    assert 0 == result.code
    # "    forms     list, show and check forms"; not a help text's second line
    shown = re.findall(r"^    (\S+)", result.out, flags=re.MULTILINE)
    assert [name for names in cli._GROUPS.values() for name in names] == shown


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["validate", "x.json", "--bogus"],
            "validate: unrecognized arguments: --bogus; `kindbehoeften validate --help` lists "
            "the options",
        ),
        (
            ["case", "step", "c-1", "closed", "--bogus", "1"],
            "case step: unrecognized arguments: --bogus 1; `kindbehoeften case step --help` "
            "lists the options",
        ),
        (
            ["case", "step", "c-1"],
            "case step: the following arguments are required: STEP; `kindbehoeften case step "
            "--help` lists the options",
        ),
        (
            ["deadlines", "--jurisdiction"],
            "deadlines: argument --jurisdiction: expected one argument; `kindbehoeften "
            "deadlines --help` lists the options",
        ),
        (
            ["forms", "list", "--bogus"],
            "forms list: unrecognized arguments: --bogus; `kindbehoeften forms list --help` "
            "lists the options",
        ),
        (
            ["--bogus"],
            "the following arguments are required: COMMAND; `kindbehoeften --help` lists the "
            "options",
        ),
    ],
)
def test_a_malformed_command_line_names_its_command_and_where_help_is(
    run: Run, argv: list[str], expected: str
) -> None:
    result = run(*argv)
    assert (2, "") == (result.code, result.out)
    assert f"kindbehoeften: error: {expected}\n" == result.err
