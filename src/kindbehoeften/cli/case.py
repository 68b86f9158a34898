"""``kindbehoeften case``: the cases of a store, on the command line.

``case open`` stores a new case from its report, ``case step`` records one step of a stored
case, ``case show`` shows where a case stands (stage, head, history, deadlines and the steps
allowed now), ``case list`` lists the stored cases from the store's summaries (never
replaying a history), ``case export`` prints a case's history as ``timeline`` reads it and
``case import`` stores such a history as a new case.

The store is ``--store URL``, else ``$KINDBEHOEFTEN_STORE``, else ``sqlite:///kindbehoeften.db``
in the working directory. Only ``open`` and ``import`` make a store that does not exist yet:
reading or stepping a SQLite file that is not there is a usage error, not a new empty file.

Exit codes: 0 done; 1 when the store or the lifecycle refuses (no such case, a case that
exists, another writer first, a step not allowed now or dated before the last event, step data
or a submission that does not fit, a history that does not verify); 2 for a usage error and a
store that cannot be used (its URL, server, driver or schema). Nothing is written on any
error. This is the place where the clock is read: ``--on`` and ``--today`` default to the
system date.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final

from rich.table import Table

from .._core.jsonread import ReadError, loads
from .._core.limits import MAX_DOCUMENT_BYTES, MAX_SUBMISSION_BYTES, quoted
from .._core.vocab import ASSESSMENT_STAGES, EVENT_KINDS, JURISDICTIONS, REPORTERS
from .._i18n import npgettext, pgettext
from .._lifecycle.assessment import Assessment
from .._lifecycle.deadlines import Deadline
from .._lifecycle.events import FORM_STAGES
from .._store import DEFAULT_URL, ENVIRONMENT, CaseSummary, Store, open_store, sqlite_path
from ..errors import (
    ConflictError,
    IncompleteAssessmentError,
    IntegrityError,
    InvalidEventError,
    InvalidSubmissionError,
    StoreError,
    TransitionError,
    UnknownCaseError,
    UnknownSubmissionError,
)
from .base import (
    EXIT_INVALID,
    EXIT_OK,
    Commands,
    Context,
    Parser,
    UsageError,
    iso_date,
    json_text,
    safe,
)
from .deadlines import event_label, medium_date, print_timeline, stage_label

__all__ = [
    "ACTOR_VARIABLE",
    "DEFAULT_ACTOR",
    "add_commands",
    "run_export",
    "run_import",
    "run_list",
    "run_open",
    "run_show",
    "run_step",
    "show_case",
]

#: The environment variable with the actor of the steps the command line records.
ACTOR_VARIABLE: Final = "KINDBEHOEFTEN_ACTOR"
#: The actor when neither ``--actor`` nor ``$KINDBEHOEFTEN_ACTOR`` gives one. Not the login
#: name: a history is append-only and never erased, so it holds the opaque id the case system
#: gives a worker, never a person's name (docs/lifecycle.md).
DEFAULT_ACTOR: Final = "cli"

_OPENED = pgettext("cli.case.opened", "Opened case {case}: {stage}, head {head}")
_RECORDED = pgettext("cli.case.recorded", "Recorded in case {case}: {step}; {stage}, head {head}")
_IMPORTED = npgettext(
    "cli.case.imported",
    "Imported case {case} with {count} event: {stage}, head {head}",
    "Imported case {case} with {count} events: {stage}, head {head}",
)
_HEAD = pgettext("cli.case.head", "Head: {head}")
_NEXT = pgettext("cli.timeline.next", "Allowed now: {steps}")
_LIST_TITLE = pgettext("cli.case.list", "Cases in {store}")
_OVERDUE_TITLE = pgettext("cli.case.overdue", "Cases overdue on {date} in {store}")
_COUNT = npgettext("cli.case.count", "{count} case", "{count} cases")
_COLUMNS = {
    "case_id": pgettext("cli.column.case", "case"),
    "jurisdiction": pgettext("cli.column.jurisdiction", "jurisdiction"),
    "municipality": pgettext("cli.column.municipality", "municipality"),
    "stage": pgettext("cli.column.stage", "stage"),
    "events": pgettext("cli.column.events", "events"),
    "next_due_on": pgettext("cli.column.next_due", "next due"),
    "head": pgettext("cli.column.head", "head"),
}

_HEAD_PATTERN: Final = re.compile(r"[0-9a-f]{64}")
# Keys of --data that are arguments of their own (or not taken on the command line).
_RESERVED: Final = {
    "on": "the step's date is --on DATE",
    "actor": "the actor is --actor ID",
    "at": "the command line records the step's date (--on), not its time",
    "submission": "a submission is --submission FILE",
}


# --- arguments ----------------------------------------------------------------------------------


def _jurisdiction(value: str) -> str:
    known = {code.upper(): code for code in JURISDICTIONS}
    found = known.get(value.upper())
    if found is None:
        raise argparse.ArgumentTypeError(
            f"unknown jurisdiction {quoted(value)!r}; known: {', '.join(JURISDICTIONS)} "
            "(case does not matter)"
        )
    return found


def _head(value: str) -> str:
    if not _HEAD_PATTERN.fullmatch(value):
        raise argparse.ArgumentTypeError(
            "a head is 64 lowercase hexadecimal digits, as `kindbehoeften case show` prints it"
        )
    return value


def _pair(value: str) -> tuple[str, Any]:
    """``KEY=VALUE``: the value read as JSON when it parses (``true``, ``3``, ``"0180"``),
    else as text. A message names the key at most: a value may be free text."""
    key, equals, text = value.partition("=")
    if not equals or not key:
        raise argparse.ArgumentTypeError(
            "expected KEY=VALUE, such as reason=no_concern (the value is read as JSON when it "
            "parses, else as text)"
        )
    if key in _RESERVED:
        raise argparse.ArgumentTypeError(f"{key} is not step data: {_RESERVED[key]}")
    try:
        parsed = loads(text)
    except ReadError:
        parsed = text
    return key, parsed


def _url(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError(
            "an empty store URL; give sqlite:///PATH or postgresql://..."
        )
    return value


def _store_argument(parser: Parser) -> None:
    parser.add_argument(
        "--store",
        type=_url,
        metavar="URL",
        help=f"sqlite:///PATH or postgresql://... (default: ${ENVIRONMENT}, else {DEFAULT_URL})",
    )


def _actor_argument(parser: Parser) -> None:
    parser.add_argument(
        "--actor",
        metavar="ID",
        default=None,
        help=f"your opaque id of who records the step, not a name (default: ${ACTOR_VARIABLE}, "
        f"else {DEFAULT_ACTOR})",
    )


def _format_argument(parser: Parser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")


def _case_argument(parser: Parser) -> None:
    parser.add_argument(
        "case_id", metavar="CASE_ID", help="the case's id (-- before one that starts with -)"
    )


def add_commands(commands: Commands) -> None:
    """Register ``case open|step|show|list|export|import``."""
    case = commands.group(
        "case",
        "cases in a store: open, step, show, list, export, import",
        "Cases in a store (SQLite or PostgreSQL; docs/storage.md): open one, record its steps, "
        "show where it stands, list the cases, export or import a history.",
    )

    opened = case.command("open", "store a new case from its report", run_open)
    _case_argument(opened)
    opened.add_argument(
        "--jurisdiction",
        required=True,
        type=_jurisdiction,
        metavar="CODE",
        help=f"one of {', '.join(JURISDICTIONS)}",
    )
    opened.add_argument(
        "--reported", required=True, type=iso_date, metavar="DATE", help="the report's date"
    )
    opened.add_argument("--reporter", required=True, choices=REPORTERS, help="who reported")
    opened.add_argument("--municipality", metavar="ID", help="the municipality's opaque id")
    _actor_argument(opened)
    _store_argument(opened)
    _format_argument(opened)

    step = case.command("step", "record one step of a stored case", run_step)
    _case_argument(step)
    step.add_argument(
        "step", metavar="STEP", choices=EVENT_KINDS, help=f"one of: {', '.join(EVENT_KINDS)}"
    )
    step.add_argument(
        "--submission",
        metavar="FILE",
        help="the completed submission behind a decision or plan (- reads stdin); stored too",
    )
    step.add_argument(
        "--on", type=iso_date, metavar="DATE", help="the step's date (default: the system date)"
    )
    _actor_argument(step)
    step.add_argument(
        "--data",
        type=_pair,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="the step's data, once per key; VALUE is read as JSON when it parses, else as text",
    )
    step.add_argument(
        "--expected-head",
        type=_head,
        metavar="HEAD",
        help="record the step only if the case's head is still HEAD (else exit 1)",
    )
    _store_argument(step)
    _format_argument(step)

    show = case.command("show", "a stored case: stage, head, history, deadlines", run_show)
    _case_argument(show)
    show.add_argument("--today", type=iso_date, metavar="DATE", help="(default: the system date)")
    _store_argument(show)
    _format_argument(show)

    listed = case.command("list", "the stored cases, from the store's summaries", run_list)
    listed.add_argument("--stage", choices=ASSESSMENT_STAGES, help="only cases in this stage")
    listed.add_argument("--municipality", metavar="ID", help="only this municipality's cases")
    listed.add_argument(
        "--overdue",
        type=iso_date,
        metavar="DATE",
        help="only cases with a deadline overdue on DATE",
    )
    _store_argument(listed)
    _format_argument(listed)

    exported = case.command(
        "export", "a stored case's history, as timeline reads it", run_export, human=False
    )
    _case_argument(exported)
    _store_argument(exported)

    imported = case.command("import", "store a history (EVENTS.json) as a new case", run_import)
    imported.add_argument("file", metavar="EVENTS.json", help="an event history (- reads stdin)")
    _store_argument(imported)
    _format_argument(imported)


# --- the store, and what it refuses -------------------------------------------------------------


class _Refused(Exception):
    """What the store or the lifecycle refused, in the words of the command line: exit 1."""


_REFUSALS = (
    _Refused,
    ConflictError,
    UnknownCaseError,
    UnknownSubmissionError,
    TransitionError,
    IncompleteAssessmentError,
    InvalidEventError,
    InvalidSubmissionError,
    IntegrityError,
)


def _refusal(error: Exception) -> str:
    """The message of a refusal; the store's own messages point at its Python API."""
    if isinstance(error, ConflictError):
        case = repr(quoted(error.case_id))
        if error.reason == "exists":
            return (
                f"case {case} is stored already, with head {error.head}; nothing was written. "
                "Give the new case another id (`kindbehoeften case show` shows the stored one)."
            )
        # head_moved: a step always continues the history it read (never not_continued)
        return (
            f"case {case} has moved on: its head is {error.head}, not the expected "
            f"{error.expected}; nothing was written. `kindbehoeften case show` shows where "
            f"it stands; record the step again with --expected-head {error.head} if it "
            "still applies."
        )
    return str(error)


def _verdict(run: Callable[[Context], int]) -> Callable[[Context], int]:
    """A command whose refusals (see :data:`_REFUSALS`) exit 1 with one line on stderr."""

    @functools.wraps(run)
    def checked(context: Context) -> int:
        try:
            return run(context)
        except _REFUSALS as error:
            context.err.print(
                f"kindbehoeften: error: {safe(_refusal(error))}", highlight=False, soft_wrap=True
            )
            return EXIT_INVALID

    return checked


@contextlib.contextmanager
def _opened(context: Context, *, create: bool) -> Iterator[Store]:
    """The store of ``--store`` (else the environment's, else the default), open.

    Unless ``create``, a SQLite file that does not exist, or is empty, is a usage error:
    reading a store never makes one (a typo in a path would otherwise show an empty store, and
    fill the file that it names by mistake).
    """
    url: str = context.args.store or os.environ.get(ENVIRONMENT) or DEFAULT_URL
    # A URL that the user did not type is named with where it came from.
    named = not context.args.store and bool(os.environ.get(ENVIRONMENT))
    try:
        path = sqlite_path(url)
        if not create and path is not None and (not os.path.exists(path) or _empty_file(path)):
            what = " (an empty file)" if os.path.exists(path) else ""
            raise UsageError(
                f"there is no store at {path}{what}: `kindbehoeften case open` or "
                f"`case import` makes one. Give the store with --store URL or ${ENVIRONMENT}."
            )
        store = open_store(url)
    except StoreError as error:
        if not named:
            raise
        raise UsageError(f"${ENVIRONMENT}: {error}") from None
    with store:
        try:
            yield store
        except UnknownCaseError as error:
            raise _Refused(
                f"no case {quoted(error.case_id)!r} in the store {store.url}; "
                "`kindbehoeften case list` lists its cases, `kindbehoeften case open` opens one."
            ) from None


def _empty_file(path: str) -> bool:
    try:
        return os.path.isfile(path) and os.path.getsize(path) == 0
    except OSError:  # the store's own opening says why it cannot be read
        return False


def _actor(context: Context) -> str:
    actor: str | None = context.args.actor
    return actor if actor is not None else os.environ.get(ACTOR_VARIABLE) or DEFAULT_ACTOR


# --- what the commands print --------------------------------------------------------------------


def _written(context: Context, case: Assessment, line: str) -> int:
    """After a write: the case as JSON, or ``line`` and the steps allowed now."""
    if context.args.format == "json":
        today = dt.date.today()  # the command line reads the clock
        context.json(case.overview(today))
        return EXIT_OK
    context.out.print(line, highlight=False, soft_wrap=True)
    steps = ", ".join(case.allowed_steps()) or "-"
    context.out.print(context.text(_NEXT, steps=steps), highlight=False, soft_wrap=True)
    return EXIT_OK


# --- the commands -------------------------------------------------------------------------------


@_verdict
def run_open(context: Context) -> int:
    """``case open``: a new case from its report, stored; exit 1 if the case exists."""
    args = context.args
    case = Assessment.report(
        case_id=args.case_id,
        jurisdiction=args.jurisdiction,
        on=args.reported,
        actor=_actor(context),
        reporter=args.reporter,
        municipality=args.municipality,
    )
    with _opened(context, create=True) as store:
        store.create(case)
    line = context.text(
        _OPENED,
        case=safe(case.case_id),
        stage=stage_label(context, case.stage),
        head=case.head,
    )
    return _written(context, case, line)


def _step_data(pairs: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise UsageError(f"case step: --data {quoted(key, 40)} is given twice")
        data[key] = value
    return data


@_verdict
def run_step(context: Context) -> int:
    """``case step``: one step of a stored case, appended after the head it was read at (or
    ``--expected-head``); exit 1 when it is refused or another writer was first."""
    args = context.args
    step: str = args.step
    if step in FORM_STAGES and args.submission is None:
        raise UsageError(
            f"case step: {step} needs --submission FILE, a completed submission of the "
            f"{FORM_STAGES[step]!r} form"
        )
    if step not in FORM_STAGES and args.submission is not None:
        raise UsageError(
            f"case step: {step} takes no submission; --submission is for {', '.join(FORM_STAGES)}"
        )
    data = _step_data(args.data)
    submission = None
    if args.submission is not None:
        submission = context.read(args.submission, MAX_SUBMISSION_BYTES)
    on: dt.date = args.on or dt.date.today()  # the command line reads the clock
    actor = _actor(context)
    with _opened(context, create=False) as store:
        case = store.get(args.case_id)
        if args.expected_head is not None and args.expected_head != case.head:
            raise ConflictError(case.case_id, case.head, args.expected_head)
        if submission is not None:
            data["submission"] = submission
        stepped = case.apply(step, on, actor, **data)
        # The submission is stored with the step, in one transaction: both or neither.
        submissions = [] if submission is None else [submission]
        store.append(case.case_id, stepped, expected_head=case.head, submissions=submissions)
    line = context.text(
        _RECORDED,
        step=event_label(context, step),
        case=safe(stepped.case_id),
        stage=stage_label(context, stepped.stage),
        head=stepped.head,
    )
    return _written(context, stepped, line)


@_verdict
def run_show(context: Context) -> int:
    """``case show``: where a stored case stands on ``--today``."""
    args = context.args
    with _opened(context, create=False) as store:
        case = store.get(args.case_id)
    today: dt.date = args.today or dt.date.today()  # the command line reads the clock
    if args.format == "json":
        context.json(case.overview(today))
        return EXIT_OK
    show_case(context, case, case.deadlines(today))
    return EXIT_OK


def show_case(context: Context, case: Assessment, deadlines: Sequence[Deadline]) -> None:
    """A case as ``case show`` prints it: its timeline (stage, history, deadlines, the steps
    allowed now) and its head, for ``--expected-head``."""
    print_timeline(context, case, deadlines)
    context.out.print(context.text(_HEAD, head=case.head), highlight=False, soft_wrap=True)


def _summary(summary: CaseSummary) -> dict[str, Any]:
    return {
        "case_id": summary.case_id,
        "jurisdiction": summary.jurisdiction,
        "municipality": summary.municipality,
        "stage": summary.stage,
        "head": summary.head,
        "events": summary.events,
        "next_due_on": None if summary.next_due_on is None else summary.next_due_on.isoformat(),
    }


@_verdict
def run_list(context: Context) -> int:
    """``case list``: the stored cases, by case id, read from the store's summary rows."""
    args = context.args
    overdue: dt.date | None = args.overdue
    with _opened(context, create=False) as store:
        summaries = list(
            store.cases(municipality=args.municipality, stage=args.stage, overdue_on=overdue)
        )
        where = store.url
    if args.format == "json":
        document: dict[str, Any] = {"cases": [_summary(summary) for summary in summaries]}
        if overdue is not None:
            document["overdue_on"] = overdue.isoformat()
        context.json(document)
        return EXIT_OK

    locale: str = getattr(args, "locale", None) or "en"
    if overdue is None:
        title = context.text(_LIST_TITLE, store=safe(where))
    else:
        day = medium_date(overdue, locale)
        title = context.text(_OVERDUE_TITLE, date=day, store=safe(where))
    table = Table(title=title, title_justify="left")
    for name, column in _COLUMNS.items():
        table.add_column(context.text(column), justify="right" if name == "events" else "left")
    for summary in summaries:
        due = "-"
        if summary.next_due_on is not None:
            due = medium_date(summary.next_due_on, locale)
            if overdue is not None:
                due = f"[bold red]{due}[/]"
        table.add_row(
            safe(summary.case_id),
            summary.jurisdiction,
            safe(summary.municipality or "-"),
            stage_label(context, summary.stage),
            str(summary.events),
            due,
            summary.head[:12],
        )
    context.out.print(table)
    context.out.print(context.text(_COUNT, count=len(summaries)), highlight=False)
    return EXIT_OK


@_verdict
def run_export(context: Context) -> int:
    """``case export``: the stored history, byte for byte the text ``timeline`` and ``case
    import`` read; on a terminal (or one that cannot take UTF-8), characters that could steer
    it are written as ``\\u`` escapes instead, the same JSON values."""
    with _opened(context, create=False) as store:
        case = store.get(context.args.case_id)
    text = case.to_json()
    if context.out.is_terminal or context.ascii_only:
        text = json_text(case.to_dict(), ascii_only=context.ascii_only)
    context.out.file.write(text)
    return EXIT_OK


@_verdict
def run_import(context: Context) -> int:
    """``case import``: a history, verified as ``timeline`` verifies it, stored as a new case;
    exit 1 (nothing written) for a history that does not verify or a case that exists."""
    name: str = context.args.file
    data = context.read(name, MAX_DOCUMENT_BYTES)
    try:
        case = Assessment.from_json(data)
    except (IntegrityError, TransitionError, InvalidEventError) as error:
        raise _Refused(f"{'<stdin>' if name == '-' else name}: {error}") from None
    with _opened(context, create=True) as store:
        store.create(case)
    line = context.text(
        _IMPORTED,
        case=safe(case.case_id),
        count=len(case.events),
        stage=stage_label(context, case.stage),
        head=case.head,
    )
    return _written(context, case, line)
