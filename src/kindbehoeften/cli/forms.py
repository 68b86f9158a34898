"""``kindbehoeften forms list | show ID | check FILE...``: the catalog, one form, form files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from .._forms.listing import summaries
from .._i18n import form_text, localize, npgettext, pgettext, render
from ..errors import FormDefinitionError, FormProblem
from .base import (
    EXIT_INVALID,
    EXIT_OK,
    Commands,
    Context,
    UsageError,
    file_or_folder,
    identifier,
    safe,
)

if TYPE_CHECKING:
    from .._core.model import Comparison, Condition, Form, Question

__all__ = ["add_commands", "describe_condition", "form_tree"]

_FORMS = pgettext("cli.forms.title", "Forms")
_COLUMNS = {  # written out: pybabel extract reads only literal strings
    "id": pgettext("cli.column.id", "id"),
    "version": pgettext("cli.column.version", "version"),
    "stage": pgettext("cli.column.stage", "stage"),
    "title": pgettext("cli.column.title", "title"),
    "questions": pgettext("cli.column.questions", "questions"),
    "line": pgettext("cli.column.line", "line"),
    "key": pgettext("cli.column.key", "key"),
    "problem": pgettext("cli.column.problem", "problem"),
}
_STAGE = pgettext("cli.forms.stage", "stage: {stage}")
_ONE_OF = pgettext("cli.forms.one_of", "at least one of:")
_REQUIRED = pgettext("cli.forms.required", "required")
_OPTIONS = pgettext("cli.forms.options", "options: {options}")
_IN_ALL = pgettext("cli.forms.in_all", "{count} in all")
_WHEN = pgettext("cli.forms.when", "when {condition}")
_OK = pgettext("cli.ok", "ok")
_PROBLEMS = npgettext(
    "cli.forms.problems", "{heading}: {count} problem", "{heading}: {count} problems"
)


def add_commands(commands: Commands) -> None:
    """Register ``forms list``, ``forms show`` and ``forms check``."""
    actions = commands.group("forms", "list, show and check forms", "List, show and check forms.")
    listing = actions.command("list", "list the forms in the catalog", run_list)
    listing.add_argument("--format", choices=("text", "json"), default="text")
    show = actions.command("show", "show a form's sections, areas and questions", run_show)
    show.add_argument(
        "form", type=identifier, metavar="ID", help="a form id, or the path of a form file"
    )
    show.add_argument(
        "--version", dest="form_version", type=identifier, default=None, help="a version of ID"
    )
    show.add_argument("--format", choices=("text", "json"), default="text")
    check = actions.command("check", "check form files; exit 1 when any is broken", run_check)
    check.add_argument("files", metavar="FILE", nargs="+", type=file_or_folder)
    check.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="github: one GitHub Actions ::error annotation per problem",
    )


def run_list(context: Context) -> int:
    """The catalog: a table of the forms, or ``{"forms": [...]}``.

    Listed from the summaries of the forms (:mod:`.._forms.listing`): the built-in forms are
    not built as typed forms for it, which keeps the command's start short."""
    catalog = summaries()
    if getattr(context.args, "format", "text") == "json":
        context.json({"forms": list(catalog)})
        return EXIT_OK
    table = Table(title=context.text(_FORMS), title_justify="left")
    for name in ("id", "version", "stage"):
        table.add_column(context.text(_COLUMNS[name]), no_wrap=True)
    table.add_column(context.text(_COLUMNS["title"]))
    table.add_column(context.text(_COLUMNS["questions"]), justify="right")
    for entry in catalog:
        base = entry.get("base", {}).get("id")
        title = form_text(entry["id"], base, "title", entry["title"], context.args.locale)
        table.add_row(
            safe(entry["id"]),
            safe(entry["version"]),
            safe(entry["stage"]),
            safe(title),
            str(entry["questions"]),
        )
    context.out.print(table)
    return EXIT_OK


def run_show(context: Context) -> int:
    """One form as a tree (or as JSON); exit 1 with its problems for a broken form file."""
    from .._forms.catalog import load_form  # the typed forms, which forms list does without

    if _is_path(context.args.form):
        _check_file(Path(context.args.form))
    try:
        form = load_form(context.args.form, context.args.form_version)
    except FormDefinitionError as error:
        if not _is_path(context.args.form):
            raise  # the catalog itself is broken: not this command's input
        _print_problems(context, error, heading=context.args.form, console=context.err)
        return EXIT_INVALID
    form = localize(form, context.args.locale)
    if context.args.format == "json":
        context.json(form.to_dict())
        return EXIT_OK
    context.out.print(form_tree(form, context.args.locale))
    return EXIT_OK


def _is_path(value: str) -> bool:
    return value.endswith((".toml", ".json")) or "/" in value or os.sep in value


def form_tree(form: Form, locale: str = "en") -> Tree:
    """A readable tree of a form's sections, areas and questions (its own texts as they are;
    the words around them in the language of ``locale``)."""
    stage = render(_STAGE, locale, stage=safe(form.stage))
    tree = Tree(f"[bold]{safe(form.title)}[/]  {safe(form.key)}  ({stage})")
    for section in form.sections:
        branch = tree.add(f"[bold cyan]{safe(section.label)}[/]  [dim]{safe(section.id)}[/]")
        for area in section.areas:
            leaf = branch.add(f"[bold]{safe(area.label)}[/]  [dim]{safe(area.id)}[/]")
            _add_questions(form, leaf, area.questions, locale)
            for rule in area.require_one_of:
                leaf.add(f"[yellow]{render(_ONE_OF, locale)}[/] {safe(', '.join(rule.questions))}")
    return tree


def _add_questions(form: Form, parent: Tree, questions: tuple[Question, ...], locale: str) -> None:
    for question in questions:
        marks = []
        if question.is_required(form.stage):
            marks.append(f"[red]{render(_REQUIRED, locale)}[/]")
        if question.sensitivity != "none":
            marks.append(f"[magenta]{safe(question.sensitivity)}[/]")
        if question.options is not None:
            values = [option.value for option in form.options(question)]
            shown = ", ".join(values[:6])
            if len(values) > 6:
                shown += f", ... ({render(_IN_ALL, locale, count=len(values))})"
            marks.append(render(_OPTIONS, locale, options=safe(shown)))
        if question.when is not None:
            condition = safe(describe_condition(question.when))
            marks.append(f"[yellow]{render(_WHEN, locale, condition=condition)}[/]")
        detail = f"  [dim]{' | '.join(marks)}[/]" if marks else ""
        node = parent.add(
            f"{safe(question.label)}  [green]{safe(question.id)}[/]: {safe(question.type)}{detail}"
        )
        _add_questions(form, node, question.questions, locale)


_SYMBOLS = {"equals": "=", "not_equals": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}


def describe_condition(condition: Condition) -> str:
    """A condition in one line, e.g. ``outcome = open_full_assessment``, through the library's
    one walk over conditions (no depth is too deep for it)."""
    from .._core.conditions import fold  # with the typed model, loaded by ``forms show``

    return fold(
        condition,
        comparison=_describe_comparison,
        all_=lambda parts: " and ".join(f"({part})" for part in parts),
        any_=lambda parts: " or ".join(f"({part})" for part in parts),
        not_=lambda part: f"not ({part})",
    )


def _describe_comparison(condition: Comparison) -> str:
    if condition.operator == "answered":
        state = "answered" if condition.value in (None, True) else "not answered"
        return f"{condition.question} {state}"
    value = json.dumps(condition.value, ensure_ascii=False)
    return f"{condition.question} {_SYMBOLS.get(condition.operator, condition.operator)} {value}"


def run_check(context: Context) -> int:
    """Check form files: ``ok`` or every problem of each; exit 1 when any is broken."""
    from .._forms.catalog import forms, load_form  # as in run_show

    for file in context.args.files:
        _check_file(file)
    forms()  # a broken KINDBEHOEFTEN_FORMS_PATH is its own error (exit 2), not the files'
    results: list[tuple[Path, Form | None, FormDefinitionError | None]] = []
    for path in context.args.files:
        try:
            results.append((path, load_form(path), None))
        except FormDefinitionError as failure:
            results.append((path, None, failure))
    if context.args.format == "json":
        context.json({"results": [_check_result(*result) for result in results]})
    elif context.args.format == "github":
        for _, _, problem in results:
            for each in problem.problems if problem else ():
                context.out.file.write(_annotation(each))
    else:
        for path, form, problem in results:
            if form is not None:
                ok = context.text(_OK)
                context.out.print(f"[green]{ok}[/]  {safe(path)}  {safe(form.key)}", soft_wrap=True)
            elif problem is not None:
                _print_problems(context, problem, heading=str(path))
    return EXIT_OK if all(form is not None for _, form, _ in results) else EXIT_INVALID


def _annotation(problem: FormProblem) -> str:
    """A problem as a GitHub Actions workflow command (``::error file=F,line=L::...``): its
    values escaped as the runner reads them, control characters shown as escapes."""

    def data(text: str) -> str:
        text = safe(text, markup=False)
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def value(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    where = f"file={value(problem.file)}"
    if problem.line is not None:
        where += f",line={problem.line}"
    message = f"{problem.path}: {problem.message}" if problem.path else problem.message
    return f"::error {where},title=kindbehoeften forms check::{data(message)}\n"


def _check_file(file: Path) -> None:
    """A form file named on the command line that is missing or a folder is a usage error."""
    if os.path.isdir(file):
        raise UsageError(f"{file} is a folder; give the form files in it")
    if not os.path.exists(file):
        raise UsageError(f"no such file: {file}")


def _check_result(
    path: Path, form: Form | None, error: FormDefinitionError | None
) -> dict[str, Any]:
    result: dict[str, Any] = {"file": str(path), "ok": error is None}
    if form is not None:
        result["form"] = {"id": form.id, "version": form.version}
    result["problems"] = [
        {"file": p.file, "path": p.path, "line": p.line, "message": p.message}
        for p in (error.problems if error else ())
    ]
    return result


def _print_problems(
    context: Context, error: FormDefinitionError, heading: str, console: Console | None = None
) -> None:
    console = console or context.out
    count = len(error.problems)
    console.print(
        context.text(_PROBLEMS, heading=f"[bold red]{safe(heading)}[/]", count=count),
        soft_wrap=True,
    )
    table = Table()
    table.add_column(context.text(_COLUMNS["line"]), justify="right", no_wrap=True)
    table.add_column(context.text(_COLUMNS["key"]))
    table.add_column(context.text(_COLUMNS["problem"]))
    for problem in error.problems:
        line = "" if problem.line is None else str(problem.line)
        if problem.file != heading:  # a problem of another file (an extension's base)
            line = f"{problem.file}:{line}"
        table.add_row(safe(line), safe(problem.path), safe(problem.message))
    console.print(table)
