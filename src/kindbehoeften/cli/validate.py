"""``kindbehoeften validate``: submissions from files, standard input or NDJSON streams.

NDJSON is read line by line, so memory does not grow with the file; with ``--format json`` the
one JSON document on stdout is written as results arrive. A progress bar shows on stderr for
large inputs when stderr is a terminal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from rich.table import Table

from .._core.model import Form
from .._core.report import ValidationReport
from .._forms.catalog import load_form
from .._i18n import npgettext, pgettext
from .._validation.validator import MAX_SUBMISSION_BYTES, validate
from .base import (
    EXIT_INVALID,
    EXIT_OK,
    Commands,
    Context,
    UsageError,
    identifier,
    iso_date,
    json_text,
    open_input,
    read_limited,
    safe,
    whole_number,
)

__all__ = ["add_commands", "run_validate"]

PROGRESS_FROM_BYTES = 8 * 1024 * 1024
# The largest --max-bytes: a submission is held whole in memory, more than this is no form.
MAX_BYTES_LIMIT = 1024 * 1024 * 1024
_CHUNK = 64 * 1024

_OK = pgettext("cli.ok", "ok")
_ERRORS = npgettext("cli.validate.errors", "{where}: {count} error", "{where}: {count} errors")
_TOTALS = npgettext(
    "cli.validate.totals",
    "{count} submission: {valid} valid, {invalid} invalid",
    "{count} submissions: {valid} valid, {invalid} invalid",
)
_POINTER = pgettext("cli.column.pointer", "pointer")
_CODE = pgettext("cli.column.code", "code")
_MESSAGE = pgettext("cli.column.message", "message")


def add_commands(commands: Commands) -> None:
    """Register ``validate``."""
    parser = commands.command(
        "validate", "validate submissions; exit 1 when any is invalid", run_validate
    )
    parser.add_argument(
        "files", metavar="FILE", nargs="+", help="JSON submission files; - reads standard input"
    )
    parser.add_argument(
        "--ndjson", action="store_true", help="each file holds one submission per line"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--form",
        type=identifier,
        default=None,
        metavar="ID",
        help="check against this form, not the named one",
    )
    parser.add_argument(
        "--max-bytes",
        type=whole_number(1, MAX_BYTES_LIMIT, hint="1 GiB"),
        default=MAX_SUBMISSION_BYTES,
        metavar="N",
        help=f"largest submission accepted, in bytes (default {MAX_SUBMISSION_BYTES}, "
        f"at most {MAX_BYTES_LIMIT})",
    )
    parser.add_argument(
        "--today",
        type=iso_date,
        default=None,
        metavar="DATE",
        help="the day against which dates must not be in the future (default: the system date)",
    )


def run_validate(context: Context) -> int:
    """Validate every file named on the command line; 0 when all are valid, else 1."""
    args = context.args
    names: list[str] = args.files
    # Every file must open, and standard input be open, before the first result is written.
    stdin = context.stdin if "-" in names else None
    for name in names:
        if name != "-":
            open_input(name).close()
    form: Form | None = load_form(args.form) if args.form else None
    as_json = args.format == "json"
    all_ok = True
    invalid = total = 0
    first = True
    if as_json:
        context.out.file.write('{"results": [')
    with ExitStack() as stack:
        for name in names:
            if name == "-" and stdin is not None:
                stream = stdin
            else:
                stream = stack.enter_context(open_input(name))
            label = "<stdin>" if name == "-" else name
            size = None if name == "-" else _size(name)
            for line, report in _reports(context, stream, size, args, form, label):
                total += 1
                if not report.ok:
                    all_ok = False
                    invalid += 1
                if as_json:
                    result = _result(label, line, report)
                    prefix = "\n  " if first else ",\n  "
                    entry = json_text(result, ascii_only=context.ascii_only, indent=None, end="")
                    context.out.file.write(prefix + entry)
                    first = False
                else:
                    _print_report(context, label, line, report)
    if as_json:
        context.out.file.write("\n]}\n" if not first else "]}\n")
    elif total > 1:
        valid = total - invalid
        summary = context.text(_TOTALS, count=total, valid=valid, invalid=invalid)
        context.out.print(summary, highlight=False)
    return EXIT_OK if all_ok else EXIT_INVALID


def _reports(
    context: Context,
    stream: IO[bytes],
    size: int | None,
    args: Any,
    form: Form | None,
    label: str,
) -> Iterator[tuple[int | None, ValidationReport]]:
    limit: int = args.max_bytes
    # The command line is where the clock is read; the library only uses the day it is given.
    today: dt.date = args.today or dt.date.today()
    if not args.ndjson:
        data = read_limited(stream, limit, label)
        yield None, validate(data, form=form, locale=args.locale, max_bytes=limit, today=today)
        return
    # rich.progress is imported for NDJSON only: one document needs no progress bar.
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    show = size is not None and size >= PROGRESS_FROM_BYTES and context.err.is_terminal
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=context.err,
        transient=True,
        disable=not show,
    ) as progress:
        task = progress.add_task(safe(label), total=size)
        for number, data, done in _lines(stream, limit, label):
            progress.update(task, completed=done)
            if data.strip():
                yield (
                    number,
                    validate(data, form=form, locale=args.locale, max_bytes=limit, today=today),
                )


def _lines(stream: IO[bytes], limit: int, label: str) -> Iterator[tuple[int, bytes, int]]:
    """Each line (1-based number, bytes, bytes read so far); a line over ``limit`` is cut
    at ``limit + 1`` bytes, so that it reports ``too_large`` without being held whole."""
    try:
        yield from _read_lines(stream, limit)
    except OSError as error:
        raise UsageError(f"{label} cannot be read ({error.strerror or error})") from None


def _read_lines(stream: IO[bytes], limit: int) -> Iterator[tuple[int, bytes, int]]:
    number = done = 0
    while True:
        data = stream.readline(limit + 1)
        if not data:
            return
        number += 1
        done += len(data)
        if len(data) > limit and not data.endswith(b"\n"):
            while True:  # skip the rest of an overlong line in chunks
                rest = stream.readline(_CHUNK)
                done += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
        yield number, data, done


def _result(label: str, line: int | None, report: ValidationReport) -> dict[str, Any]:
    result: dict[str, Any] = {"file": label}
    if line is not None:
        result["line"] = line
    result.update(report.to_dict())
    return result


def _print_report(context: Context, label: str, line: int | None, report: ValidationReport) -> None:
    where = label if line is None else f"{label}:{line}"
    if report.ok:
        if line is None:  # one line per valid NDJSON record would drown the invalid ones
            context.out.print(f"[green]{context.text(_OK)}[/]  {safe(where)}", soft_wrap=True)
        return
    if line is not None:  # NDJSON: a line per issue, so that 100,000 records stay quick
        for issue in report.issues:
            context.out.print(
                f"[bold red]{safe(where)}[/]  {safe(issue.pointer or '/')}  "
                f"{issue.code}  {safe(issue.message)}",
                soft_wrap=True,
                highlight=False,
            )
        return
    count = len(report.errors)
    heading = context.text(_ERRORS, where=f"[bold red]{safe(where)}[/]", count=count)
    context.out.print(heading, soft_wrap=True)
    table = Table()
    table.add_column(context.text(_POINTER), overflow="fold")
    table.add_column(context.text(_CODE), no_wrap=True)
    table.add_column(context.text(_MESSAGE))
    for issue in report.issues:
        table.add_row(safe(issue.pointer or "/"), issue.code, safe(issue.message))
    context.out.print(table)


def _size(name: str) -> int | None:
    """The size of a regular file (for the progress bar); None for a pipe."""
    path = Path(name)
    return path.stat().st_size if path.is_file() else None
