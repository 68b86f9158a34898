"""``kindbehoeften import fhir-response FILE``: a FHIR resource read back into a submission;
a thin layer over :func:`kindbehoeften.export.submission_from_fhir`."""

from __future__ import annotations

import argparse

from .._exports.fhir import submission_from_fhir
from ..errors import InvalidResourceError
from .base import (
    EXIT_INVALID,
    EXIT_OK,
    Commands,
    Context,
    label,
    output_file,
    safe,
)
from .export import write_json

__all__ = ["add_commands", "run_fhir_response"]


def add_commands(commands: Commands) -> None:
    """Register ``import fhir-response``."""
    actions = commands.group(
        "import",
        "submissions from other formats (FHIR)",
        "Read submissions back from the formats that export writes.",
    )
    response = actions.command(
        "fhir-response",
        "a FHIR R4 QuestionnaireResponse as a submission",
        run_fhir_response,
    )
    response.add_argument("file", metavar="FILE", help="a QuestionnaireResponse (JSON); - stdin")
    response.add_argument(
        "--output", type=output_file, metavar="FILE", help="(default and -: stdout)"
    )


def run_fhir_response(context: Context) -> int:
    """The submission of a QuestionnaireResponse; exit 1 (with its problems) when it cannot
    be read as one. The submission is not judged: ``kindbehoeften validate`` does that."""
    args: argparse.Namespace = context.args
    data = context.read(args.file)
    try:
        submission = submission_from_fhir(data)
    except InvalidResourceError as error:
        shown = safe(label(args.file))
        for (pointer, code), message in zip(error.problems, error.messages, strict=True):
            context.err.print(
                f"[bold red]{shown}[/]: {safe(pointer or '/')} ({code}) {safe(message)}",
                soft_wrap=True,
                highlight=False,
            )
        return EXIT_INVALID
    write_json(context, submission, args.output)
    return EXIT_OK
