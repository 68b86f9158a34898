"""The ``kindbehoeften`` command line: a thin layer over the library.

Exit codes: 0 all valid, 1 some input invalid, 2 usage or internal error. Human output goes
through rich consoles (injectable for tests); ``--format json`` prints one JSON document on
stdout and nothing else there. No traceback ever reaches the user.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from babel.numbers import format_percent
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from .. import __version__
from .._core.model import AllOf, AnyOf, Comparison, Condition, Form, Not, Question
from .._forms.catalog import forms, load_form
from .._i18n import (
    LOCALE_VARIABLE,
    LOCALES,
    localize,
    negotiate,
    npgettext,
    pgettext,
    render,
)
from .._i18n import status as catalog_status
from .._lifecycle.assessment import events_schema
from .._lifecycle.deadlines import JURISDICTIONS
from .._validation.validator import MAX_SUBMISSION_BYTES
from ..errors import FormDefinitionError, KindbehoeftenError, UnknownLocaleError
from ..export import json_schema, record_schema
from .base import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Context, UsageError, iso_date
from .deadlines import run_deadlines, run_timeline
from .demo import run_demo
from .export import add_export_commands
from .summary import run_summary
from .validate import run_validate

__all__ = ["Context", "UsageError", "describe_condition", "form_tree", "main"]


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, and prints help on our console."""

    output: IO[str] | None = None

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("kindbehoeften").strip()
        raise UsageError(f"{command}: {message}" if command else message)

    def _print_message(self, message: str, file: object = None) -> None:
        if message:
            (self.output or sys.stdout).write(message)


def _locale(value: str) -> str:
    try:
        return negotiate(value)
    except UnknownLocaleError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _parser(output: IO[str]) -> _Parser:
    parser = _Parser(
        prog="kindbehoeften",
        description="Structured child-needs assessment: forms, validation, deadlines, exports.",
    )
    parser.output = output
    parser.add_argument("--version", action="version", version=f"kindbehoeften {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    def command(parent: argparse._SubParsersAction[_Parser], name: str, help_text: str) -> _Parser:
        sub = parent.add_parser(name, help=help_text, description=help_text)
        sub.output = output
        sub.add_argument(
            "--locale",
            type=_locale,
            default=None,
            help=f"language of human output ({', '.join(LOCALES)}; default: "
            f"${LOCALE_VARIABLE}, else en)",
        )
        return sub

    demo = command(commands, "demo", "walk a fictional case from report to plan")
    demo.add_argument(
        "--output",
        type=Path,
        default=Path("kindbehoeften-demo"),
        metavar="DIR",
        help="where to write the record, FHIR, statistics and SVG files "
        "(default: kindbehoeften-demo)",
    )
    demo.add_argument("--today", type=iso_date, metavar="DATE", help="(default: the system date)")
    demo.set_defaults(run=run_demo)

    forms_parser = commands.add_parser(
        "forms", help="list, show and check forms", description="List, show and check forms."
    )
    forms_parser.output = output
    actions = forms_parser.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    actions.required = True
    listing = command(actions, "list", "list the forms in the catalog")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(run=_forms_list)
    show = command(actions, "show", "show a form's sections, areas and questions")
    show.add_argument("form", metavar="ID", help="a form id, or the path of a form file")
    show.add_argument("--version", dest="form_version", default=None, help="a version of ID")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(run=_forms_show)
    check = command(actions, "check", "check form files; exit 1 when any is broken")
    check.add_argument("files", metavar="FILE", nargs="+", type=Path)
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(run=_forms_check)

    validate = command(commands, "validate", "validate submissions; exit 1 when any is invalid")
    validate.add_argument(
        "files", metavar="FILE", nargs="+", help="JSON submission files; - reads standard input"
    )
    validate.add_argument(
        "--ndjson", action="store_true", help="each file holds one submission per line"
    )
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.add_argument(
        "--form", default=None, metavar="ID", help="check against this form, not the named one"
    )
    validate.add_argument(
        "--max-bytes",
        type=_positive,
        default=MAX_SUBMISSION_BYTES,
        metavar="N",
        help=f"largest submission accepted, in bytes (default {MAX_SUBMISSION_BYTES})",
    )
    validate.add_argument(
        "--today",
        type=iso_date,
        default=None,
        metavar="DATE",
        help="the day against which dates must not be in the future (default: the system date)",
    )
    validate.set_defaults(run=run_validate)

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of a form's submissions",
        description="Print the JSON Schema (Draft 2020-12) of a form's submissions.",
    )
    schema.output = output
    schema.add_argument(
        "form",
        metavar="ID|record|events",
        help="a form id or the path of a form file; record: the schema of assessment records; "
        "events: of stored event histories",
    )
    schema.add_argument("--version", dest="form_version", default=None, help="a version of ID")
    schema.add_argument(
        "--status",
        choices=("completed", "in_progress"),
        default="completed",
        help="the submissions' status (default: completed)",
    )
    schema.set_defaults(run=_schema)

    deadlines = command(commands, "deadlines", "the legal deadlines of a jurisdiction")
    deadlines.add_argument(
        "--jurisdiction",
        required=True,
        metavar="CODE",
        help=f"one of {', '.join(JURISDICTIONS)}",
    )
    deadlines.add_argument(
        "--reported", required=True, type=iso_date, metavar="DATE", help="the report's date"
    )
    deadlines.add_argument(
        "--opened", type=iso_date, metavar="DATE", help="the date the full assessment opened"
    )
    deadlines.add_argument(
        "--today", type=iso_date, metavar="DATE", help="(default: the system date)"
    )
    deadlines.add_argument(
        "--override", type=Path, metavar="FILE", help="a municipality's override file"
    )
    deadlines.add_argument("--format", choices=("text", "json"), default="text")
    deadlines.set_defaults(run=run_deadlines)

    timeline = command(commands, "timeline", "an assessment's stage, history and deadlines")
    timeline.add_argument("file", metavar="EVENTS.json", help="a stored event history")
    timeline.add_argument(
        "--today", type=iso_date, metavar="DATE", help="(default: the system date)"
    )
    timeline.add_argument(
        "--override", type=Path, metavar="FILE", help="a municipality's override file"
    )
    timeline.add_argument("--format", choices=("text", "json"), default="text")
    timeline.set_defaults(run=run_timeline)

    summary = command(commands, "summary", "the triangle at a glance: sides, areas, concern")
    summary.add_argument("file", metavar="FILE", help="a submission or record (JSON); - stdin")
    summary.add_argument(
        "--svg", type=Path, metavar="OUT", help="also draw the triangle as an SVG picture"
    )
    summary.set_defaults(run=run_summary)

    add_export_commands(commands, command, output)

    i18n = commands.add_parser(
        "i18n", help="the translations' state", description="The state of the translations."
    )
    i18n.output = output
    i18n_actions = i18n.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    i18n_actions.required = True
    status = command(
        i18n_actions,
        "status",
        "completeness of each language; exit 1 when a built-in form text is not translated",
    )
    status.add_argument("--format", choices=("text", "json"), default="text")
    status.set_defaults(run=_i18n_status)
    return parser


def _schema(context: Context) -> int:
    if context.args.form == "events":
        context.json(events_schema())
        return EXIT_OK
    if context.args.form == "record":
        context.json(record_schema())
        return EXIT_OK
    form = load_form(context.args.form, context.args.form_version)
    context.json(json_schema(form, context.args.status))
    return EXIT_OK


_LANGUAGES = pgettext("cli.i18n.title", "Translations")
_I18N_COLUMNS = {
    "locale": pgettext("cli.column.locale", "locale"),
    "translated": pgettext("cli.column.translated", "translated"),
    "missing": pgettext("cli.column.missing", "missing"),
    "fuzzy": pgettext("cli.column.fuzzy", "fuzzy"),
    "obsolete": pgettext("cli.column.obsolete", "obsolete"),
}
_UNTRANSLATED = npgettext(
    "cli.i18n.untranslated",
    "{language}: {count} text of a built-in form is not translated",
    "{language}: {count} texts of built-in forms are not translated",
)


def _i18n_status(context: Context) -> int:
    states = catalog_status(frozenset(form.id for form in forms(())))
    incomplete = [state for state in states if state.forms_missing]
    if context.args.format == "json":
        context.json({"source": "en", "locales": [state.to_dict() for state in states]})
    else:
        table = Table(title=context.text(_LANGUAGES), title_justify="left")
        table.add_column(context.text(_I18N_COLUMNS["locale"]), no_wrap=True)
        for name in ("translated", "missing", "fuzzy", "obsolete"):
            table.add_column(context.text(_I18N_COLUMNS[name]), justify="right")
        for state in states:
            table.add_row(
                state.locale,
                format_percent(state.translated / state.total, locale=context.args.locale)
                + f" ({state.translated}/{state.total})",
                str(len(state.missing)),
                str(len(state.fuzzy)),
                str(len(state.obsolete)),
            )
        context.out.print(table)
        for state in incomplete:
            line = context.text(_UNTRANSLATED, language=state.locale, count=state.forms_missing)
            context.out.print(f"[red]{escape(line)}[/]", soft_wrap=True)
    return EXIT_INVALID if incomplete else EXIT_OK


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {value!r}")
    return number


def _tolerant(stream: IO[str]) -> None:
    """A terminal that cannot show a character gets a replacement, not a crash."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, OSError):
            reconfigure(errors="replace")


def main(
    argv: Sequence[str] | None = None,
    *,
    console: Console | None = None,
    err_console: Console | None = None,
    stdin: IO[bytes] | None = None,
) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    ``console`` and ``err_console`` take human output and errors (rich consoles on stdout and
    stderr by default); ``stdin`` is read for the file name ``-``.
    """
    if console is None:
        _tolerant(sys.stdout)
    if err_console is None:
        _tolerant(sys.stderr)
    out = console or Console()
    err = err_console or Console(stderr=True)
    parser = _parser(out.file)
    try:
        args = parser.parse_args(argv)
        if getattr(args, "locale", None) is None and hasattr(args, "locale"):
            args.locale = _locale(os.environ.get(LOCALE_VARIABLE) or "en")
        run: Callable[[Context], int] = args.run
        return run(Context(args, out, err, stdin))
    except SystemExit as exit_:  # --help and --version
        return exit_.code if isinstance(exit_.code, int) else EXIT_OK
    except (UsageError, argparse.ArgumentTypeError) as error:
        err.print(f"kindbehoeften: error: {escape(str(error))}", highlight=False, soft_wrap=True)
        return EXIT_USAGE
    except FormDefinitionError as error:  # the catalog itself (a forms path) is broken
        err.print(f"kindbehoeften: error: {escape(str(error))}", highlight=False, soft_wrap=True)
        return EXIT_USAGE
    except KindbehoeftenError as error:
        err.print(f"kindbehoeften: error: {escape(str(error))}", highlight=False, soft_wrap=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.print("kindbehoeften: interrupted")
        return EXIT_USAGE
    except BrokenPipeError:  # the reader went away (e.g. `| head`): nothing more to say
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as error:  # never a traceback for a user
        err.print(
            f"kindbehoeften: internal error ({type(error).__name__}); please report it with "
            "the command you ran",
            highlight=False,
            soft_wrap=True,
        )
        return EXIT_USAGE


# --- forms --------------------------------------------------------------------------------

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


def _forms_list(context: Context) -> int:
    catalog = forms()
    if getattr(context.args, "format", "text") == "json":
        context.json({"forms": [_summary(form) for form in catalog]})
        return EXIT_OK
    table = Table(title=context.text(_FORMS), title_justify="left")
    for name in ("id", "version", "stage"):
        table.add_column(context.text(_COLUMNS[name]), no_wrap=True)
    table.add_column(context.text(_COLUMNS["title"]))
    table.add_column(context.text(_COLUMNS["questions"]), justify="right")
    catalog = tuple(localize(form, context.args.locale) for form in catalog)
    for form in catalog:
        table.add_row(form.id, form.version, form.stage, escape(form.title), str(_count(form)))
    context.out.print(table)
    return EXIT_OK


def _summary(form: Form) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "id": form.id,
        "version": form.version,
        "stage": form.stage,
        "title": form.title,
        "questions": _count(form),
    }
    if form.base is not None:
        summary["base"] = form.base.model_dump()
    return summary


def _count(form: Form) -> int:
    return sum(1 for _ in form.questions())


def _forms_show(context: Context) -> int:
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
    stage = render(_STAGE, locale, stage=form.stage)
    tree = Tree(f"[bold]{escape(form.title)}[/]  {form.key}  ({stage})")
    for section in form.sections:
        branch = tree.add(f"[bold cyan]{escape(section.label)}[/]  [dim]{section.id}[/]")
        for area in section.areas:
            leaf = branch.add(f"[bold]{escape(area.label)}[/]  [dim]{area.id}[/]")
            _add_questions(form, leaf, area.questions, locale)
            for rule in area.require_one_of:
                leaf.add(f"[yellow]{render(_ONE_OF, locale)}[/] {', '.join(rule.questions)}")
    return tree


def _add_questions(form: Form, parent: Tree, questions: tuple[Question, ...], locale: str) -> None:
    for question in questions:
        marks = []
        if question.is_required(form.stage):
            marks.append(f"[red]{render(_REQUIRED, locale)}[/]")
        if question.sensitivity != "none":
            marks.append(f"[magenta]{question.sensitivity}[/]")
        if question.options is not None:
            values = [option.value for option in form.options(question)]
            shown = ", ".join(values[:6])
            if len(values) > 6:
                shown += f", ... ({render(_IN_ALL, locale, count=len(values))})"
            marks.append(render(_OPTIONS, locale, options=shown))
        if question.when is not None:
            condition = escape(describe_condition(question.when))
            marks.append(f"[yellow]{render(_WHEN, locale, condition=condition)}[/]")
        detail = f"  [dim]{' | '.join(marks)}[/]" if marks else ""
        node = parent.add(
            f"{escape(question.label)}  [green]{question.id}[/]: {question.type}{detail}"
        )
        _add_questions(form, node, question.questions, locale)


def describe_condition(condition: Condition) -> str:
    """A condition in one line, e.g. ``outcome = open_full_assessment``."""
    if isinstance(condition, AllOf):
        return " and ".join(f"({describe_condition(item)})" for item in condition.all)
    if isinstance(condition, AnyOf):
        return " or ".join(f"({describe_condition(item)})" for item in condition.any)
    if isinstance(condition, Not):
        return f"not ({describe_condition(condition.not_)})"
    assert isinstance(condition, Comparison)
    symbols = {"equals": "=", "not_equals": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    if condition.operator == "answered":
        state = "answered" if condition.value in (None, True) else "not answered"
        return f"{condition.question} {state}"
    value = json.dumps(condition.value, ensure_ascii=False)
    return f"{condition.question} {symbols.get(condition.operator, condition.operator)} {value}"


def _forms_check(context: Context) -> int:
    for path in context.args.files:
        if path.is_dir():
            raise UsageError(f"{path} is a folder; give the form files in it")
        if not path.exists():
            raise UsageError(f"no such file: {path}")
    forms()  # a broken KINDBEHOEFTEN_FORMS_PATH is its own error (exit 2), not the files'
    results: list[tuple[Path, Form | None, FormDefinitionError | None]] = []
    for path in context.args.files:
        try:
            results.append((path, load_form(path), None))
        except FormDefinitionError as failure:
            results.append((path, None, failure))
    if context.args.format == "json":
        context.json({"results": [_check_result(*result) for result in results]})
    else:
        for path, form, problem in results:
            if form is not None:
                ok = context.text(_OK)
                context.out.print(
                    f"[green]{ok}[/]  {escape(str(path))}  {form.key}", soft_wrap=True
                )
            elif problem is not None:
                _print_problems(context, problem, heading=str(path))
    return EXIT_OK if all(form is not None for _, form, _ in results) else EXIT_INVALID


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
        context.text(_PROBLEMS, heading=f"[bold red]{escape(heading)}[/]", count=count),
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
        table.add_row(escape(line), escape(problem.path), escape(problem.message))
    console.print(table)
