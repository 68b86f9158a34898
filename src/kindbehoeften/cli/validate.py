"""``kindbehoeften validate``: submissions from files, standard input or NDJSON streams.

NDJSON is read line by line, so memory does not grow with the file; with ``--format json`` the
one JSON document on stdout is written as results arrive. A progress bar shows on stderr for
large inputs when stderr is a terminal.

NDJSON lines go in batches (at most :data:`BATCH_LINES` lines or :data:`BATCH_BYTES` bytes)
to be validated and written out as text: in this process, or with ``--jobs N`` in N worker
processes, a few batches at a time, the output written in input order, the same bytes as
with one job. A batch's output is plain lines built in one string (the control characters of
input escaped by ``safe``), not a rich ``print`` per issue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .._core.model import Form
from .._core.report import ValidationReport
from .._exports.workers import MAX_JOBS, in_order, worker_pool
from .._forms.catalog import forms, load_form
from .._forms.sources import directories
from .._i18n import npgettext, pgettext
from .._validation.validator import MAX_SUBMISSION_BYTES, compiled, validate
from .base import (
    EXIT_INVALID,
    EXIT_OK,
    STDIN_TWICE,
    Commands,
    Context,
    UsageError,
    identifier,
    iso_date,
    json_escaped,
    json_string,
    json_text,
    open_input,
    read_limited,
    safe,
    whole_number,
)

if TYPE_CHECKING:  # a process pool only with --jobs, a table only for a document's issues
    from concurrent.futures import ProcessPoolExecutor

__all__ = ["add_commands", "run_validate"]

PROGRESS_FROM_BYTES = 8 * 1024 * 1024
# The largest --max-bytes: a submission is held whole in memory, more than this is no form.
MAX_BYTES_LIMIT = 1024 * 1024 * 1024
_CHUNK = 64 * 1024
#: An NDJSON batch: this many lines at most, ...
BATCH_LINES = 2000
#: ... and no more bytes than this (a batch holds at least one line, however long).
BATCH_BYTES = 4 * 1024 * 1024

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
        "--jobs",
        type=whole_number(1, MAX_JOBS),
        default=1,
        metavar="N",
        help="with --ndjson, validate in N worker processes; the output is the same, in "
        "input order (default 1: in this process)",
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
    if names.count("-") > 1:
        raise UsageError(STDIN_TWICE)
    if args.jobs > 1 and not args.ndjson:
        raise UsageError(
            "validate: --jobs works with --ndjson (the lines of NDJSON files are shared among "
            "workers); give --ndjson, or leave out --jobs"
        )
    stdin = context.stdin if "-" in names else None
    for name in names:
        if name != "-":
            open_input(name).close()
    form: Form | None = load_form(args.form) if args.form else None
    # The forms path is read from the environment once, as the command starts, not at each
    # submission's lookup (which reads it again and again, for a program that may change it):
    # its files are still listed at each lookup.
    paths = tuple(str(folder) for folder in directories(None))
    as_json = args.format == "json"
    # The command line is where the clock is read; the library only uses the day it is given.
    today: dt.date = args.today or dt.date.today()
    batch = _Setup(form, paths, args.locale, args.max_bytes, today, as_json, context.ascii_only)
    all_ok = True
    invalid = total = 0
    first = True
    out = context.out.file
    if as_json:
        out.write('{"results": [')
    with ExitStack() as stack:
        pool = None
        if args.ndjson and args.jobs > 1:
            pool = _start(stack, args.jobs, batch)
        for name in names:
            if name == "-" and stdin is not None:
                stream = stdin
            else:
                stream = stack.enter_context(open_input(name))
            label = "<stdin>" if name == "-" else name
            if args.ndjson:
                size = None if name == "-" else _size(name)
                for done in _ndjson(context, stream, size, label, batch, pool, 2 * args.jobs):
                    total += done.count
                    invalid += done.invalid
                    if as_json and done.text:
                        out.write(("\n  " if first else ",\n  ") + done.text)
                        first = False
                    elif done.text:
                        out.write(done.text)
                continue
            data = read_limited(stream, args.max_bytes, label)
            report = validate(
                data,
                form=form,
                locale=args.locale,
                max_bytes=args.max_bytes,
                paths=paths,
                today=today,
            )
            total += 1
            if not report.ok:
                invalid += 1
            if as_json:
                result = _result(label, None, report)
                prefix = "\n  " if first else ",\n  "
                entry = json_text(result, ascii_only=context.ascii_only, indent=None, end="")
                out.write(prefix + entry)
                first = False
            else:
                _print_report(context, label, None, report)
    all_ok = invalid == 0
    if as_json:
        out.write("\n]}\n" if not first else "]}\n")
    elif total > 1:
        valid = total - invalid
        summary = context.text(_TOTALS, count=total, valid=valid, invalid=invalid)
        context.out.print(summary, highlight=False)
    return EXIT_OK if all_ok else EXIT_INVALID


@dataclass(frozen=True, slots=True)
class _Setup:
    """What validating a batch of NDJSON lines needs, the same in every worker."""

    form: Form | None
    paths: tuple[str, ...]  # the directories of the forms path
    locale: str
    max_bytes: int
    today: dt.date
    as_json: bool
    ascii_only: bool


@dataclass(frozen=True, slots=True)
class _Done:
    """A batch validated: its output (JSON entries joined, or text lines), how many
    submissions it held and how many of them were invalid."""

    text: str
    count: int
    invalid: int


_Batch = tuple[str, list[tuple[int, bytes]]]  # the file's label, and its lines with numbers
_SETUP: list[_Setup] = []  # a worker's setup, given once when it starts


def _start(stack: ExitStack, jobs: int, setup: _Setup) -> ProcessPoolExecutor:
    """The worker processes, started now, before any progress bar runs a thread; the
    validators of the built-in forms (and of ``--form``) are compiled first, so that forked
    workers share them rather than each compile its own (~17 ms) at its first lines."""
    for form in (*forms(()), *([setup.form] if setup.form else [])):
        compiled(form)
    return stack.enter_context(worker_pool(jobs, _set_up, (setup,)))


def _set_up(setup: _Setup) -> None:  # pragma: no cover - runs in a worker process
    _SETUP[:] = [setup]


def _work(batch: _Batch) -> _Done:  # pragma: no cover - runs in a worker process
    return _check(_SETUP[0], batch)


def _check(setup: _Setup, batch: _Batch) -> _Done:
    """Validate the lines of one batch and write their output."""
    label, lines = batch
    parts: list[str] = []
    invalid = 0
    where_label = safe(label, markup=False)
    # A result is written from a template, its file name made JSON once a batch and its
    # issues' texts a string at a time: the same text as json_text() makes of _result().
    file_json = json_text(label, ascii_only=setup.ascii_only, indent=None, end="")
    string = json_string(setup.ascii_only)
    for number, data in lines:
        report = validate(
            data,
            form=setup.form,
            paths=setup.paths,
            locale=setup.locale,
            max_bytes=setup.max_bytes,
            today=setup.today,
        )
        ok = report.ok
        if not ok:
            invalid += 1
        if setup.as_json and not report.issues:
            parts.append(f'{{"file": {file_json}, "line": {number}, "ok": true, "issues": []}}')
        elif setup.as_json:
            issues = ", ".join(
                f'{{"pointer": {string(issue.pointer)}, "code": {string(issue.code)}, '
                f'"severity": {string(issue.severity)}, "message": {string(issue.message)}}}'
                for issue in report.issues
            )
            verdict = "true" if ok else "false"
            parts.append(
                json_escaped(
                    f'{{"file": {file_json}, "line": {number}, "ok": {verdict}, '
                    f'"issues": [{issues}]}}'
                )
            )
        elif not ok:  # a line per issue; one per valid record would drown the invalid
            where = f"{where_label}:{number}"
            for issue in report.issues:
                parts.append(
                    f"{where}  {safe(issue.pointer or '/', markup=False)}  {issue.code}  "
                    f"{safe(issue.message, markup=False)}\n"
                )
    text = ",\n  ".join(parts) if setup.as_json else "".join(parts)
    return _Done(text, len(lines), invalid)


def _ndjson(
    context: Context,
    stream: IO[bytes],
    size: int | None,
    label: str,
    setup: _Setup,
    pool: ProcessPoolExecutor | None,
    ahead: int,
) -> Iterator[_Done]:
    """The batches of one NDJSON stream, validated in input order; with a pool, a few
    batches ahead at most (memory stays flat whatever the length of the stream)."""
    if not (size is not None and size >= PROGRESS_FROM_BYTES and context.err.is_terminal):
        yield from _in_order(stream, label, setup, pool, ahead, lambda done: None)
        return
    # rich.progress is imported for a bar that shows only: most streams go without.
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=context.err,
        transient=True,
    ) as progress:
        task = progress.add_task(safe(label), total=size)
        yield from _in_order(
            stream, label, setup, pool, ahead, lambda done: progress.update(task, completed=done)
        )


def _in_order(
    stream: IO[bytes],
    label: str,
    setup: _Setup,
    pool: ProcessPoolExecutor | None,
    ahead: int,
    advance: Callable[[int], None],
) -> Iterator[_Done]:
    """The batches validated, in input order; ``advance`` is told the bytes read so far."""
    batches = _batches(stream, setup.max_bytes, label)
    if pool is None:
        for lines, done in batches:
            advance(done)
            yield _check(setup, (label, lines))
        return
    labelled = (((label, lines), done) for lines, done in batches)
    for result, read in in_order(pool, _work, labelled, ahead):
        yield result
        advance(read)


def _batches(
    stream: IO[bytes], limit: int, label: str
) -> Iterator[tuple[list[tuple[int, bytes]], int]]:
    """The non-blank lines of a stream in batches, each with the bytes read so far."""
    lines: list[tuple[int, bytes]] = []
    held = done = 0
    for number, data, done in _lines(stream, limit, label):
        if not data.strip():
            continue
        lines.append((number, data))
        held += len(data)
        if len(lines) >= BATCH_LINES or held >= BATCH_BYTES:
            yield lines, done
            lines, held = [], 0
    if lines:
        yield lines, done


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
    from rich.table import Table

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
