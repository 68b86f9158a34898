"""``kindbehoeften schema ID|record|events``: the JSON Schemas the library publishes."""

from __future__ import annotations

from .._forms.catalog import load_form
from .._lifecycle.assessment import events_schema
from ..export import json_schema, record_schema
from .base import EXIT_OK, Commands, Context, UsageError, identifier

__all__ = ["add_commands", "run_schema"]


def add_commands(commands: Commands) -> None:
    """Register ``schema``."""
    schema = commands.command(
        "schema",
        "print the JSON Schema of a form's submissions",
        run_schema,
        human=False,
        description="Print the JSON Schema (Draft 2020-12) of a form's submissions.",
    )
    schema.add_argument(
        "form",
        type=identifier,
        metavar="ID|record|events",
        help="a form id or the path of a form file; record: the schema of assessment records; "
        "events: of stored event histories",
    )
    schema.add_argument(
        "--version", dest="form_version", type=identifier, default=None, help="a version of ID"
    )
    schema.add_argument(
        "--status",
        choices=("completed", "in_progress"),
        default=None,
        help="the submissions' status (default: completed)",
    )


def run_schema(context: Context) -> int:
    """The schema of a form's submissions, of records (``record``) or of histories
    (``events``), on stdout."""
    args = context.args
    if args.form in ("events", "record") and (args.form_version or args.status):
        raise UsageError(
            f"schema: --version and --status are for a form's schema; the {args.form} schema "
            "has neither (leave them out)"
        )
    if context.args.form == "events":
        context.json(events_schema())
        return EXIT_OK
    if context.args.form == "record":
        context.json(record_schema())
        return EXIT_OK
    form = load_form(context.args.form, context.args.form_version)
    context.json(json_schema(form, context.args.status or "completed"))
    return EXIT_OK
