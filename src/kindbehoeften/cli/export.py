"""``kindbehoeften export ...``: records, FHIR resources and statistics, written as files or
to standard output; a thin layer over :mod:`kindbehoeften.export`."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from .._exports.fhir import questionnaire, questionnaire_response
from .._exports.record import record
from .._exports.sources import RecordText, ndjson_records, read_records, read_whole
from .._exports.statistics import (
    MIN_KEY_BYTES,
    TABLES,
    RefusedRecord,
    StatisticsStream,
    aggregate,
    stream_statistics,
)
from .._exports.workers import MAX_JOBS
from .._exports.writers import arrow, to_csv, to_parquet, write_csv
from .._forms.catalog import load_form
from .._i18n import npgettext
from .._lifecycle.assessment import Assessment
from .._validation.validator import validate
from ..errors import (
    IntegrityError,
    InvalidEventError,
    InvalidRecordError,
    MissingDependencyError,
    TransitionError,
)
from .base import (
    EXIT_INVALID,
    EXIT_OK,
    Commands,
    Context,
    UsageError,
    file_or_folder,
    identifier,
    iso_date,
    json_text,
    label,
    output_file,
    read_input,
    safe,
    whole_number,
)

__all__ = ["MAX_MIN_CELL", "add_commands"]

#: The largest --min-cell: a cell threshold above the size of any country's caseload.
MAX_MIN_CELL = 1_000_000
DEFAULT_MIN_CELL = 5  # as aggregate()'s


def add_commands(commands: Commands) -> None:
    """Register ``export record``, ``export fhir-questionnaire``, ``export fhir-response`` and
    ``export stats``."""
    actions = commands.group(
        "export",
        "records, FHIR resources and statistics",
        "Export an assessment's record, FHIR resources and statistics.",
    )
    recorded = actions.command(
        "record", "an assessment's record: history, deadlines, forms", run_record
    )
    recorded.add_argument(
        "events", metavar="EVENTS.json", help="a stored event history (- reads stdin)"
    )
    recorded.add_argument(
        "submissions",
        metavar="SUBMISSION",
        nargs="*",
        help="submissions of its forms (JSON; - reads stdin)",
    )
    recorded.add_argument(
        "--today", type=iso_date, metavar="DATE", help="(default: the system date)"
    )
    recorded.add_argument(
        "--output", type=output_file, metavar="FILE", help="(default and -: stdout)"
    )

    fhir_form = actions.command(
        "fhir-questionnaire", "a form as a FHIR R4 Questionnaire", run_fhir_questionnaire
    )
    fhir_form.add_argument(
        "form", type=identifier, metavar="ID", help="a form id, or the path of a form file"
    )
    fhir_form.add_argument(
        "--version", dest="form_version", type=identifier, default=None, help="a version of ID"
    )
    fhir_form.add_argument(
        "--output", type=output_file, metavar="FILE", help="(default and -: stdout)"
    )

    fhir_answer = actions.command(
        "fhir-response", "a submission as a FHIR R4 QuestionnaireResponse", run_fhir_response
    )
    fhir_answer.add_argument("file", metavar="FILE", help="a submission (JSON); - reads stdin")
    fhir_answer.add_argument(
        "--form",
        type=identifier,
        default=None,
        metavar="ID",
        help="its form, if not in the catalog (a path)",
    )
    fhir_answer.add_argument(
        "--output", type=output_file, metavar="FILE", help="(default and -: stdout)"
    )

    stats = actions.command(
        "stats", "pseudonymised statistics of records, for monitoring", run_stats
    )
    stats.add_argument(
        "records",
        metavar="RECORD",
        nargs="+",
        help="records: JSON files, NDJSON files (*.ndjson, *.jsonl), folders of them, or - "
        "for standard input",
    )
    stats.add_argument(
        "--ndjson", action="store_true", help="read every file (and -) as NDJSON, one a line"
    )
    stats.add_argument(
        "--key-file",
        required=True,
        type=file_or_folder,
        metavar="FILE",
        help="the secret key of the pseudonyms (at least 16 bytes); no key, no export",
    )
    stats.add_argument(
        "--aggregate", action="store_true", help="tables of counts, small cells suppressed"
    )
    stats.add_argument(
        "--min-cell",
        type=whole_number(1, MAX_MIN_CELL),
        default=None,
        metavar="N",
        help=f"with --aggregate (default {DEFAULT_MIN_CELL}, at most {MAX_MIN_CELL})",
    )
    stats.add_argument("--format", choices=("csv", "parquet"), default="csv")
    stats.add_argument(
        "--output",
        type=output_file,
        metavar="PATH",
        help="a file (a folder with --aggregate); needed for parquet (default and -: stdout)",
    )
    stats.add_argument(
        "--jobs",
        type=whole_number(1, MAX_JOBS),
        default=1,
        metavar="N",
        help="check the records in N worker processes; the output is the same, in input "
        "order (default 1: in this process)",
    )


def write_json(context: Context, document: Any, output: Path | None) -> None:
    """A JSON document into ``output`` (UTF-8), or onto standard output (escaped when the
    terminal cannot take UTF-8)."""
    ascii_only = output is None and context.ascii_only
    write_output(context, json_text(document, ascii_only=ascii_only), output)


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
    history = context.read(args.events)
    submissions = [context.read(name) for name in args.submissions]
    try:
        assessment = Assessment.from_json(history)
    except (IntegrityError, TransitionError, InvalidEventError) as error:
        shown = safe(label(args.events))
        context.err.print(f"[bold red]{shown}[/]: {safe(error)}", soft_wrap=True)
        return EXIT_INVALID
    today: dt.date = args.today or dt.date.today()  # the command line reads the clock
    try:
        document = record(assessment, submissions, today=today)
    except InvalidRecordError as error:
        for pointer, code in error.problems:
            index, _, rest = pointer.removeprefix("/submissions/").partition("/")
            name = label(args.submissions[int(index)] if index.isdigit() else args.events)
            context.err.print(
                f"[bold red]{safe(name)}[/]: /{safe(rest)} ({safe(code)})", soft_wrap=True
            )
        return EXIT_INVALID
    write_json(context, document, args.output)
    return EXIT_OK


def run_stats(context: Context) -> int:
    """One pseudonymised row per record, or the aggregate tables, with the records streamed
    in constant memory; each refused record is named with its place (file, line) and the
    others are still counted: exit 1 when any was refused."""
    args: argparse.Namespace = context.args
    if args.format == "parquet" and args.output is None:
        raise UsageError("--format parquet writes a file: give --output")
    if args.min_cell is not None and not args.aggregate:
        raise UsageError(
            "export stats: --min-cell works with --aggregate (it suppresses small counts of the "
            "tables); rows of records are not counted: give --aggregate, or leave out --min-cell"
        )
    if args.min_cell is None:
        args.min_cell = DEFAULT_MIN_CELL
    if args.aggregate and args.output is not None and os.path.isfile(args.output):
        raise UsageError(f"--output {args.output} is a file; with --aggregate give a folder")
    if not args.aggregate and args.output is not None and os.path.isdir(args.output):
        raise UsageError(f"--output {args.output} is a folder; give a file name")
    key = _key(args.key_file)
    for name in args.records:
        if name != "-" and not os.path.exists(name):
            raise UsageError(f"no such file: {name}")
    refused = _Refusals(context)
    stream = stream_statistics(
        _records(context, args.records, args.ndjson),
        key=key,
        on_error=refused.add,
        jobs=args.jobs,
    )
    try:
        if not args.aggregate:
            _write_rows(context, stream, args.format, args.output)
        else:
            _write_tables(context, aggregate(stream, min_cell=args.min_cell), args)
    except (InvalidRecordError, IntegrityError, TransitionError, InvalidEventError) as error:
        context.err.print(f"[bold red]{safe(error)}[/]", soft_wrap=True, highlight=False)
        return EXIT_INVALID
    refused.close(stream.counted)
    return EXIT_INVALID if stream.refused else EXIT_OK


def _records(context: Context, names: Sequence[str], ndjson: bool) -> Iterator[RecordText]:
    """The records of the files, folders and standard input named on the command line."""
    for name in names:
        if name == "-":
            stream = context.stdin
            if ndjson:
                yield from ndjson_records(stream, Path("-"))
            else:
                yield RecordText(read_whole(stream), Path("-"))
            continue
        try:
            yield from read_records(name, ndjson=True if ndjson else None)
        except OSError as error:
            raise UsageError(f"{name} cannot be read ({error.strerror or error})") from None


_REFUSED = npgettext(
    "cli.export.refused",
    "{count} record refused, {counted} counted",
    "{count} records refused, {counted} counted",
)
_REFUSED_MORE = npgettext(
    "cli.export.refused_more",
    "{count} record refused ({more} more not shown), {counted} counted",
    "{count} records refused ({more} more not shown), {counted} counted",
)


class _Refusals:
    """Each refused record on standard error with its place, the first hundred of them."""

    SHOWN = 100

    def __init__(self, context: Context) -> None:
        self.context = context
        self.count = 0

    def add(self, refused: RefusedRecord) -> None:
        self.count += 1
        if self.count <= self.SHOWN:
            self.context.err.print(
                f"[bold red]{safe(refused.place)}[/]: {safe(refused.error)}",
                soft_wrap=True,
                highlight=False,
            )

    def close(self, counted: int) -> None:
        if self.count:
            more = self.count - self.SHOWN
            text = _REFUSED_MORE if more > 0 else _REFUSED
            line = self.context.text(text, count=self.count, more=more, counted=counted)
            self.context.err.print(line, highlight=False)


def _write_rows(context: Context, stream: StatisticsStream, kind: str, output: Path | None) -> None:
    """The rows, with the columns of the records read (as statistics() gives them): written
    first with every column into a temporary file, then with those columns, so that no more
    than a batch of rows is ever in memory."""
    with tempfile.TemporaryDirectory(prefix="kindbehoeften-stats-") as folder:
        spool = Path(folder) / f"rows.{kind}"
        if kind == "parquet":
            assert output is not None
            _check_parquet_target(output)
            try:
                to_parquet(stream, spool, columns=stream.columns)
                pa, pq = arrow()
                source = pq.ParquetFile(spool)
                kept = list(stream.batch_columns())
                schema = pa.schema([source.schema_arrow.field(name) for name in kept])
                with pq.ParquetWriter(output, schema) as writer:
                    for batch in source.iter_batches(columns=kept):
                        writer.write_batch(batch)
            except MissingDependencyError as error:
                raise UsageError(str(error)) from None
            except OSError as error:
                raise UsageError(f"cannot write {output}: {error.strerror or error}") from None
            return
        with spool.open("w", encoding="utf-8", newline="") as file:
            write_csv(stream, file, columns=stream.columns)
        if not stream.counted:
            return  # no row, no header: as to_csv(statistics([]))
        columns = stream.batch_columns()
        places = [stream.columns.index(name) for name in columns]
        try:
            target = (
                context.out.file
                if output is None
                else output.open("w", encoding="utf-8", newline="")
            )
        except OSError as error:
            raise UsageError(f"cannot write {output}: {error.strerror or error}") from None
        try:
            writer = csv.writer(target, lineterminator="\r\n")
            with spool.open(encoding="utf-8", newline="") as file:
                for line in csv.reader(file):
                    writer.writerow([line[place] for place in places])
        finally:
            if output is not None:
                target.close()


def _write_tables(context: Context, tables: Mapping[str, list[Any]], args: Any) -> None:
    if args.output is None:
        for number, (name, table) in enumerate(tables.items()):
            context.out.file.write(("\n" if number else "") + f"# {name}\n")
            _write_table(context, table, TABLES[name], "csv", None, args.min_cell)
        return
    try:
        args.output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror or error}") from None
    for name, table in tables.items():
        target = args.output / f"{name}.{args.format}"
        _write_table(context, table, TABLES[name], args.format, target, args.min_cell)


def _check_parquet_target(output: Path) -> None:
    if os.path.exists(output) and not os.path.isfile(output):
        # pyarrow deletes a file it could not write (a device too, for root) and would
        # wait forever on a named pipe: Parquet goes into regular files only.
        raise UsageError(f"{output} is not a regular file; Parquet is written into files")


def _key(path: Path) -> bytes:
    """The key in a key file: its bytes, less one final line break (a key written as text)."""
    key = read_input(str(path), 4096)
    key = key.removesuffix(b"\n").removesuffix(b"\r")
    if len(key) < MIN_KEY_BYTES:
        raise UsageError(
            f"the key in {path} has {len(key)} bytes; a pseudonym needs at least "
            f"{MIN_KEY_BYTES} (e.g. python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return key


def _write_table(
    context: Context,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None,
    kind: str,
    output: Path | None,
    min_cell: int,
) -> None:
    if kind == "parquet":
        assert output is not None
        _check_parquet_target(output)
        try:
            to_parquet(rows, output, columns=columns)
        except MissingDependencyError as error:
            raise UsageError(str(error)) from None
        except OSError as error:
            raise UsageError(f"cannot write {output}: {error.strerror or error}") from None
        return
    write_output(context, to_csv(rows, columns=columns, min_cell=min_cell), output)


def run_fhir_questionnaire(context: Context) -> int:
    """The Questionnaire of a form, with the translations of every shipped language."""
    form = load_form(context.args.form, context.args.form_version)
    write_json(context, questionnaire(form), context.args.output)
    return EXIT_OK


def run_fhir_response(context: Context) -> int:
    """The QuestionnaireResponse of a valid submission; exit 1 (with its issues) otherwise."""
    args: argparse.Namespace = context.args
    data = context.read(args.file)
    form = load_form(args.form) if args.form else None
    report = validate(data, form=form, locale=getattr(args, "locale", None) or "en")
    if not report.ok:
        for issue in report.errors:
            context.err.print(
                f"[bold red]{safe(label(args.file))}[/]: {safe(issue.pointer or '/')} "
                f"({issue.code}) {safe(issue.message)}",
                soft_wrap=True,
                highlight=False,
            )
        return EXIT_INVALID
    write_json(context, questionnaire_response(data, form=form), args.output)
    return EXIT_OK
