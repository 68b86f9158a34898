"""``kindbehoeften export ...``: records, FHIR resources and statistics, written as files or
to standard output; a thin layer over :mod:`kindbehoeften.export`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from rich.markup import escape

from ._clibase import EXIT_INVALID, EXIT_OK, Context, UsageError, iso_date
from ._formfiles import read_limited
from ._lifecycle import Assessment
from ._record import record
from .errors import IntegrityError, InvalidEventError, InvalidRecordError, TransitionError

__all__ = ["add_export_commands", "read_input"]

MAX_INPUT_BYTES = 16 * 1024 * 1024


def add_export_commands(commands: Any, command: Any, output: Any) -> None:
    """Register ``export record`` (and its siblings) under ``commands``; ``command`` makes a
    subcommand with the common options, ``output`` is where help goes."""
    export = commands.add_parser(
        "export",
        help="records, FHIR resources and statistics",
        description="Export an assessment's record, FHIR resources and statistics.",
    )
    export.output = output
    actions = export.add_subparsers(dest="action", metavar="ACTION", parser_class=type(export))
    actions.required = True
    recorded = command(actions, "record", "an assessment's record: history, deadlines, forms")
    recorded.add_argument("events", metavar="EVENTS.json", help="a stored event history")
    recorded.add_argument(
        "submissions", metavar="SUBMISSION", nargs="*", help="submissions of its forms (JSON)"
    )
    recorded.add_argument(
        "--today", type=iso_date, metavar="DATE", help="(default: the system date)"
    )
    recorded.add_argument("--output", type=Path, metavar="FILE", help="(default: stdout)")
    recorded.set_defaults(run=run_record)


def read_input(name: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a file named on the command line; a usage error when there is none."""
    path = Path(name)
    if not path.is_file():
        raise UsageError(f"no such file: {name}")
    if path.stat().st_size > limit:
        raise UsageError(f"{name} is larger than {limit} bytes")
    return read_limited(path)


def write_output(context: Context, text: str, output: Path | None) -> None:
    """``text`` into ``output``, or onto standard output."""
    if output is None:
        context.out.file.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror or error}") from None


def run_record(context: Context) -> int:
    """The record of an event history and its submissions; exit 1 when any input is invalid."""
    args: argparse.Namespace = context.args
    history = read_input(args.events)
    submissions = [read_input(name) for name in args.submissions]
    try:
        assessment = Assessment.from_json(history)
    except (IntegrityError, TransitionError, InvalidEventError) as error:
        context.err.print(
            f"[bold red]{escape(args.events)}[/]: {escape(str(error))}", soft_wrap=True
        )
        return EXIT_INVALID
    today: dt.date = args.today or dt.date.today()  # the command line reads the clock
    try:
        document = record(assessment, submissions, today=today)
    except InvalidRecordError as error:
        for pointer, code in error.problems:
            index, _, rest = pointer.removeprefix("/submissions/").partition("/")
            name = args.submissions[int(index)] if index.isdigit() else args.events
            context.err.print(
                f"[bold red]{escape(name)}[/]: /{escape(rest)} ({code})", soft_wrap=True
            )
        return EXIT_INVALID
    write_output(context, json.dumps(document, ensure_ascii=False, indent=2) + "\n", args.output)
    return EXIT_OK
