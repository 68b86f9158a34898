"""The examples in docs/ are real: each TOML block that defines a form loads, each
command-line session prints what it shows, each generated table is what the data says."""

import os
import re
from pathlib import Path

import pytest

import kindbehoeften

DOCS = Path(__file__).parent.parent / "docs"
BLOCK = re.compile(r"```toml\n(.*?)```", re.DOTALL)


def form_blocks() -> list[tuple[str, str]]:
    blocks = []
    for page in sorted(DOCS.glob("*.md")):
        for number, block in enumerate(BLOCK.findall(page.read_text(encoding="utf-8"))):
            if block.lstrip().startswith("[form]"):
                blocks.append((f"{page.stem}-{number}", block))
    return blocks


def test_the_form_file_reference_has_whole_form_examples() -> None:
    assert len(form_blocks()) >= 2


@pytest.mark.parametrize(("text"), [pytest.param(text, id=name) for name, text in form_blocks()])
def test_a_form_example_in_the_docs_loads(tmp_path: Path, text: str) -> None:
    path = tmp_path / "example.toml"
    path.write_text(text, encoding="utf-8")
    form = kindbehoeften.load_form(path)
    assert form.sections
    assert Path(path).read_text(encoding="utf-8") == text  # loading never changes the file


def _docstrings_with_examples() -> dict[str, str]:
    """Every docstring of the package's source that holds an example, by where it is."""
    import ast

    package = Path(kindbehoeften.__file__).parent
    found: dict[str, str] = {}
    for path in sorted(package.rglob("*.py")):
        if path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                text = ast.get_docstring(node, clean=False)
                if text and ">>>" in text:
                    where = getattr(node, "name", "<module>")
                    found[f"{path.relative_to(package)}:{where}"] = text
    return found


def test_every_example_in_a_docstring_is_collected_by_doctest() -> None:
    """Public classes take the public module as ``__module__``, which hides them from
    doctest's search of the module that defines them; a method's example would then never
    run. Such a module lists the class in ``__test__``."""
    import doctest
    import importlib
    import pkgutil

    finder = doctest.DocTestFinder()
    collected: set[str] = set()
    modules = [kindbehoeften.__name__] + [
        info.name
        for info in pkgutil.walk_packages(kindbehoeften.__path__, "kindbehoeften.")
        if not info.name.endswith("__main__")
    ]
    for name in modules:
        module = importlib.import_module(name)
        collected |= {test.docstring or "" for test in finder.find(module, name)}
    missing = [
        where for where, text in _docstrings_with_examples().items() if text not in collected
    ]
    assert [] == missing


# --- tables generated from data: the docs show what the data says ------------------------------
# Run `python tests/test_docs.py` to write them into docs/ again after a form or profile changed.

_TABLES = {
    "lifecycle.md": "vocabulary",
    "deadlines.md": "rules",
}


def vocabulary_table() -> str:
    """How the built-in forms' answers map onto the lifecycle's step values."""
    steps = {"outcome": "preliminary_decision", "decision": "full_assessment_completed"}
    steps["reporter"] = "report (`Assessment.report`, `reopen`, `receive_report`)"
    lines = [
        "| step value | of | form question | its options |",
        "|---|---|---|---|",
    ]
    for form in kindbehoeften.forms(()):
        for mapping in form.steps:
            by_value: dict[str, list[str]] = {}
            for option, value in mapping.values:
                by_value.setdefault(value, []).append(f"`{option}`")
            for value, options in by_value.items():
                lines.append(
                    f"| `{mapping.field}` = `{value}` | {steps[mapping.field]} | "
                    f"`{form.id}`: `{mapping.question}` | {', '.join(options)} |"
                )
    return "\n".join(lines)


def rules_table() -> str:
    """Every rule of every shipped profile, with where it applies and its source."""
    lines = [
        "| jurisdiction | rule | from -> to | length | kind | applies | basis |",
        "|---|---|---|---|---|---|---|",
    ]
    for code in kindbehoeften.JURISDICTIONS:
        for rule in kindbehoeften.load_profile(code).rules:
            length = str(rule.length)
            if rule.offset is not None:
                length += f", from {rule.offset} after the start"
            if rule.extendable:
                length += ", extendable"
                if rule.max_extension is not None:
                    length += f" by at most {rule.max_extension}"
            where = ["every open stage" if len(rule.during) == 4 else ", ".join(rule.during)]
            where += list(rule.applies)
            if rule.recurs:
                where.append("recurs")
            ends = " or ".join(f"`{kind}`" for kind in rule.ends)
            lines.append(
                f"| {code} | `{rule.id}` | `{rule.starts}` -> {ends} | {length} | {rule.kind} "
                f"| {'; '.join(where)} | {rule.basis} |"
            )
    return "\n".join(lines)


def _between(text: str, name: str) -> tuple[int, int]:
    start = text.index(f"<!-- {name}: generated -->\n") + len(f"<!-- {name}: generated -->\n")
    return start, text.index(f"<!-- {name}: end -->", start)


@pytest.mark.parametrize(("page", "name"), sorted(_TABLES.items()))
def test_a_generated_table_in_the_docs_is_what_the_data_says(page: str, name: str) -> None:
    """The vocabulary of the lifecycle and the rules of the profiles are tables generated from
    the forms and profiles; rewrite them with ``python tests/test_docs.py``."""
    text = (DOCS / page).read_text(encoding="utf-8")
    start, end = _between(text, name)
    expected = {"vocabulary": vocabulary_table, "rules": rules_table}[name]()
    assert expected + "\n" == text[start:end]


if __name__ == "__main__":
    for page, name in _TABLES.items():
        path = DOCS / page
        text = path.read_text(encoding="utf-8")
        start, end = _between(text, name)
        table = {"vocabulary": vocabulary_table, "rules": rules_table}[name]()
        path.write_text(text[:start] + table + "\n" + text[end:], encoding="utf-8")


# --- command-line sessions in the docs: each command runs, its output is the one shown ----------
#
# A ```console block is a session: "$ kindbehoeften ..." lines (continued with a trailing \),
# each followed by what it prints (stdout, then stderr) on a terminal 100 columns wide. A line
# "..." stands for any number of lines; "# exit N" ends a command that exits N (else 0);
# "> FILE" sends stdout to a file. Each page's sessions run in one new folder, holding a copy
# of examples/, with no KINDBEHOEFTEN_* variable set.

SESSION = re.compile(r"```console\n(.*?)```", re.DOTALL)
_SESSION_PAGES = ("storage.md",)


def session_commands(text: str) -> list[tuple[str, list[str]]]:
    """The commands of a page's console blocks, in order, with the lines shown after each."""
    steps: list[tuple[str, list[str]]] = []
    for block in SESSION.findall(text):
        lines = iter(block.splitlines())
        for line in lines:
            if line.startswith("$ "):
                command = line[2:]
                while command.endswith("\\"):
                    command = command[:-1] + " " + next(lines).strip()
                steps.append((command, []))
            else:
                steps[-1][1].append(line)
    return steps


def _shown(expected: list[str]) -> re.Pattern[str]:
    parts = ["(?:[^\n]*\n)*?" if line == "..." else re.escape(line) + "\n" for line in expected]
    return re.compile("".join(parts))


@pytest.mark.parametrize("page", _SESSION_PAGES)
def test_each_command_line_session_in_the_docs_prints_what_it_shows(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shlex
    import shutil

    from clirun import run

    for name in [name for name in os.environ if name.startswith("KINDBEHOEFTEN_")]:
        monkeypatch.delenv(name)
    shutil.copytree(DOCS.parent / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    steps = session_commands((DOCS / page).read_text(encoding="utf-8"))
    assert steps
    for command, expected in steps:
        argv = shlex.split(command, comments=True)
        exit_code = re.search(r"#\s*exit (\d+)\s*$", command)
        target = None
        if ">" in argv:
            target = argv[argv.index(">") + 1]
            argv = argv[: argv.index(">")]
        assert "kindbehoeften" == argv[0], command
        code, out, err = run(*argv[1:], width=100)
        if target is not None:
            Path(target).write_text(out, encoding="utf-8")
            out = ""
        printed = "".join(line.rstrip() + "\n" for line in (out + err).splitlines())
        assert (int(exit_code.group(1)) if exit_code else 0, True) == (
            code,
            _shown(expected).fullmatch(printed) is not None,
        ), f"$ {command}\n{printed}"


def _section(page: str, start: str, end: str) -> str:
    text = (DOCS / page).read_text(encoding="utf-8")
    return text[text.index(start) : text.index(end, text.index(start))]


def test_the_issue_codes_of_the_integrators_page_are_the_codes_there_are() -> None:
    table = _section("integrators.md", "| code | example |", "The same list is")
    listed = {
        code
        for line in table.splitlines()[2:]
        if line.startswith("|")
        for code in re.findall(r"`([a-z_]+)`", line.split("|")[1])
    }
    assert set(kindbehoeften.CODES) == listed


def test_the_integrity_codes_of_the_lifecycle_page_are_the_codes_there_are() -> None:
    from typing import get_args

    from kindbehoeften.errors import IntegrityCode

    sentence = _section("lifecycle.md", "`IntegrityError.code` is one of", "Messages name")
    assert set(get_args(IntegrityCode)) == set(re.findall(r"`([a-z_]+)`", sentence))
