"""``kindbehoeften deadlines`` and ``kindbehoeften timeline``: the legal clocks on the command
line, a thin layer over the deadline engine and the lifecycle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.table import Table

from .._core.vocab import REPORTERS, Scope
from .._i18n import negotiate, pgettext, translate
from .._lifecycle.assessment import Assessment
from .._lifecycle.deadlines import JURISDICTIONS, Deadline, compute_deadlines, load_profile
from ..errors import IntegrityError, InvalidEventError, TransitionError
from .base import (
    EXIT_INVALID,
    EXIT_OK,
    Commands,
    Context,
    UsageError,
    file_or_folder,
    identifier,
    iso_date,
    label,
    safe,
)

__all__ = [
    "add_commands",
    "deadline_table",
    "event_label",
    "medium_date",
    "print_timeline",
    "run_deadlines",
    "run_timeline",
    "stage_label",
]

_TITLE = pgettext("cli.deadlines.title", "Deadlines in {jurisdiction} ({name})")
_COLUMNS = {
    "rule": pgettext("cli.column.rule", "rule"),
    "starts_on": pgettext("cli.column.starts_on", "starts"),
    "due_on": pgettext("cli.column.due_on", "due"),
    "status": pgettext("cli.column.status", "status"),
    "kind": pgettext("cli.column.kind", "kind"),
    "basis": pgettext("cli.column.basis", "legal basis"),
}
_STATUS = {
    "pending": pgettext("cli.deadlines.pending", "pending"),
    "met": pgettext("cli.deadlines.met", "met"),
    "met_late": pgettext("cli.deadlines.met_late", "met late"),
    "overdue": pgettext("cli.deadlines.overdue", "overdue"),
    "stopped": pgettext("cli.deadlines.stopped", "stopped"),
}
_KIND = {
    "statute": pgettext("cli.deadlines.statute", "statute"),
    "norm": pgettext("cli.deadlines.norm", "norm"),
}
_EXTENDED = pgettext("cli.deadlines.extended", "extended from {date}")
_COLOURS = {
    "pending": "yellow",
    "met": "green",
    "met_late": "magenta",
    "overdue": "bold red",
    "stopped": "dim",
}


def add_commands(commands: Commands) -> None:
    """Register ``deadlines`` and ``timeline``."""
    deadlines = commands.command(
        "deadlines", "the legal deadlines of a jurisdiction", run_deadlines
    )
    deadlines.add_argument(
        "--jurisdiction",
        required=True,
        type=identifier,
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
        "--reporter",
        choices=REPORTERS,
        default=None,
        help="who reported: leaves out the rules for other reporters (a receipt to a "
        "professional); default: every rule",
    )
    deadlines.add_argument(
        "--today", type=iso_date, metavar="DATE", help="(default: the system date)"
    )
    deadlines.add_argument(
        "--override", type=file_or_folder, metavar="FILE", help="a municipality's override file"
    )
    deadlines.add_argument("--format", choices=("text", "json"), default="text")

    timeline = commands.command(
        "timeline", "an assessment's stage, history and deadlines", run_timeline
    )
    timeline.add_argument(
        "file", metavar="EVENTS.json", help="a stored event history (- reads stdin)"
    )
    timeline.add_argument(
        "--today", type=iso_date, metavar="DATE", help="(default: the system date)"
    )
    timeline.add_argument(
        "--override", type=file_or_folder, metavar="FILE", help="a municipality's override file"
    )
    timeline.add_argument("--format", choices=("text", "json"), default="text")


def run_deadlines(context: Context) -> int:
    """Every rule of a jurisdiction whose start is known from ``--reported`` and ``--opened``."""
    args = context.args
    profile = load_profile(args.jurisdiction, override=args.override)
    starts = {"report_received": args.reported}
    if args.opened is not None and args.opened < args.reported:
        raise UsageError(
            f"--opened {args.opened} is before --reported {args.reported}: a full assessment "
            "opens on or after the report"
        )
    if args.opened is not None:
        starts["full_assessment_opened"] = args.opened
    # The command line is where the clock is read; the library only uses the day it is given.
    today: dt.date = args.today or dt.date.today()
    scopes = None if args.reporter is None else _scopes(args.reporter)
    try:
        deadlines = compute_deadlines(profile, starts=starts, today=today, scopes=scopes)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.format == "json":
        context.json(
            {
                "jurisdiction": profile.jurisdiction,
                "today": today.isoformat(),
                "rules": [deadline.to_dict() for deadline in deadlines],
            }
        )
        return EXIT_OK
    language = negotiate(getattr(args, "locale", None) or "en")
    name = translate((f"jurisdiction.{profile.jurisdiction}",), "name", profile.name, language)
    title = context.text(_TITLE, jurisdiction=safe(profile.jurisdiction), name=safe(name))
    context.out.print(deadline_table(context, deadlines, title, profile.jurisdiction))
    return EXIT_OK


def _scopes(reporter: str) -> list[Scope]:
    """The scopes that a report by ``reporter`` gives, before anything else happened."""
    found: list[Scope] = []
    if reporter != "anonymous":
        found.append("not_anonymous")
        if reporter == "professional":
            found.append("professional_reporter")
    return found


def medium_date(value: dt.date, locale: str) -> str:
    """A date as the locale writes it (babel, imported when a date is first shown)."""
    from babel.dates import format_date

    return format_date(value, format="medium", locale=locale)


def deadline_table(
    context: Context, deadlines: Sequence[Deadline], title: str, jurisdiction: str
) -> Group:
    """A table of deadlines (labels and dates in the language of the chosen locale), with each
    rule's legal basis listed below it."""
    locale = getattr(context.args, "locale", None) or "en"
    language = negotiate(locale)

    def day(value: dt.date) -> str:
        return medium_date(value, locale)

    table = Table(title=title, title_justify="left")
    table.add_column(context.text(_COLUMNS["rule"]), ratio=3)
    for name in ("starts_on", "due_on", "status", "kind"):
        table.add_column(context.text(_COLUMNS[name]), no_wrap=True)
    bases = []
    for number, deadline in enumerate(deadlines, 1):
        due = day(deadline.due_on)
        if deadline.extended:
            due += "\n" + context.text(_EXTENDED, date=day(deadline.original_due_on))
        state = safe(context.text(_STATUS[deadline.status]))
        if deadline.met_on is not None:  # on a line of its own: the line break is the table's
            state += f"\n{day(deadline.met_on)}"
        label = translate(
            (f"jurisdiction.{jurisdiction}",),
            f"rules.{deadline.rule}.label",
            deadline.label,
            language,
        )
        table.add_row(
            f"{safe(label)} [dim][{number}][/]",
            day(deadline.starts_on),
            due,
            f"[{_COLOURS[deadline.status]}]{state}[/]",
            context.text(_KIND[deadline.kind]),
        )
        bases.append(f"[dim][{number}] {safe(deadline.basis)}[/]")
    heading = f"[bold]{context.text(_COLUMNS['basis'])}[/]"
    return Group(table, heading, *bases) if bases else Group(table)


# --- timeline -----------------------------------------------------------------------------------

_STAGE = pgettext("cli.timeline.stage", "Stage: {stage}")
_EMERGENCY = pgettext("cli.timeline.emergency", "emergency protection awaiting confirmation")
_HISTORY = pgettext("cli.timeline.history", "History of case {case}")
_NEXT = pgettext("cli.timeline.next", "Allowed now: {steps}")
_EVENT_COLUMNS = {
    "seq": pgettext("cli.column.seq", "#"),
    "on": pgettext("cli.column.on", "date"),
    "kind": pgettext("cli.column.event", "event"),
    "actor": pgettext("cli.column.actor", "actor"),
    "details": pgettext("cli.column.details", "details"),
}
_CLOCKS = pgettext("cli.timeline.deadlines", "Deadlines in {jurisdiction}")
_STAGES = {  # written out: pybabel extract reads only literal strings
    "reported": pgettext("cli.stage.reported", "reported"),
    "preliminary": pgettext("cli.stage.preliminary", "preliminary assessment"),
    "full_assessment": pgettext("cli.stage.full_assessment", "full assessment"),
    "support": pgettext("cli.stage.support", "support"),
    "closed": pgettext("cli.stage.closed", "closed"),
}
_EVENTS = {
    "report_received": pgettext("cli.event.report_received", "report received"),
    "safety_assessed": pgettext("cli.event.safety_assessed", "safety assessed"),
    "preliminary_started": pgettext(
        "cli.event.preliminary_started", "preliminary assessment started"
    ),
    "preliminary_decision": pgettext(
        "cli.event.preliminary_decision", "preliminary assessment decided"
    ),
    "reporter_informed": pgettext("cli.event.reporter_informed", "reporter informed"),
    "full_assessment_opened": pgettext(
        "cli.event.full_assessment_opened", "full assessment opened"
    ),
    "extension_granted": pgettext("cli.event.extension_granted", "extension granted"),
    "full_assessment_completed": pgettext(
        "cli.event.full_assessment_completed", "full assessment completed"
    ),
    "plan_adopted": pgettext("cli.event.plan_adopted", "plan adopted"),
    "support_started": pgettext("cli.event.support_started", "support started"),
    "review_held": pgettext("cli.event.review_held", "review held"),
    "placement_started": pgettext("cli.event.placement_started", "placement started"),
    "placement_ended": pgettext("cli.event.placement_ended", "placement ended"),
    "emergency_protection": pgettext("cli.event.emergency_protection", "emergency protection"),
    "emergency_confirmed": pgettext(
        "cli.event.emergency_confirmed", "emergency protection confirmed"
    ),
    "court_application": pgettext("cli.event.court_application", "application to a court or board"),
    "decision_by_court": pgettext("cli.event.decision_by_court", "decision by a court or board"),
    "child_heard": pgettext("cli.event.child_heard", "child heard"),
    "transferred": pgettext("cli.event.transferred", "transferred to another municipality"),
    "closed": pgettext("cli.event.closed", "closed"),
    "reopened": pgettext("cli.event.reopened", "reopened on a new report"),
}
# What the timeline shows of an event's data: codes, ids and dates, never free text.
_SHOWN = (
    "reporter",
    "outcome",
    "decision",
    "kind",
    "compulsory",
    "municipality",
    "rule",
    "new_due_on",
    "form",
    "form_version",
)


def stage_label(context: Context, stage: str) -> str:
    """The name of a stage in the language of ``--locale``."""
    return context.text(_STAGES[stage])


def event_label(context: Context, kind: str) -> str:
    """The name of a kind of event (a step) in the language of ``--locale``."""
    return context.text(_EVENTS[kind])


def run_timeline(context: Context) -> int:
    """An assessment's stage, history and deadlines, from its stored events."""
    args = context.args
    data = context.read(args.file)
    try:
        assessment = Assessment.from_json(data)
    except (IntegrityError, TransitionError, InvalidEventError) as error:
        context.err.print(
            f"[bold red]{safe(label(args.file))}[/]: {safe(error)}",
            soft_wrap=True,
            highlight=False,
        )
        return EXIT_INVALID
    profile = load_profile(assessment.jurisdiction, override=args.override)
    today: dt.date = args.today or dt.date.today()  # the command line reads the clock
    deadlines = assessment.deadlines(today, profile=profile)
    if args.format == "json":
        context.json(
            {
                "case_id": assessment.case_id,
                "jurisdiction": assessment.jurisdiction,
                "stage": assessment.stage,
                "emergency_active": assessment.emergency_active,
                "allowed_steps": list(assessment.allowed_steps()),
                "today": today.isoformat(),
                "events": [_without_free_text(event) for event in assessment.to_dict()["events"]],
                "rules": [deadline.to_dict() for deadline in deadlines],
            }
        )
        return EXIT_OK
    print_timeline(context, assessment, deadlines)
    return EXIT_OK


def print_timeline(context: Context, assessment: Assessment, deadlines: Sequence[Deadline]) -> None:
    """An assessment's stage, history (without free text), deadlines and next steps."""
    locale = getattr(context.args, "locale", None) or "en"
    stage = context.text(_STAGE, stage=context.text(_STAGES[assessment.stage]))
    if assessment.emergency_active:
        stage += f" [bold red]({context.text(_EMERGENCY)})[/]"
    context.out.print(f"[bold]{stage}[/]", soft_wrap=True)
    history = Table(
        title=context.text(_HISTORY, case=safe(assessment.case_id)), title_justify="left"
    )
    for name, column in _EVENT_COLUMNS.items():
        history.add_column(context.text(column), justify="right" if name == "seq" else "left")
    for event in assessment.events:
        data = event.data.model_dump(mode="json")  # free-text reasons are never shown
        details = ", ".join(f"{key}={data[key]}" for key in _SHOWN if data.get(key) is not None)
        history.add_row(
            str(event.seq),
            medium_date(event.on, locale),
            context.text(_EVENTS[event.kind]),
            safe(event.actor),
            safe(details),
        )
    context.out.print(history)
    title = context.text(_CLOCKS, jurisdiction=safe(assessment.jurisdiction))
    context.out.print(deadline_table(context, deadlines, title, assessment.jurisdiction))
    steps = ", ".join(assessment.allowed_steps()) or "-"
    context.out.print(context.text(_NEXT, steps=steps), soft_wrap=True, highlight=False)


_FREE_TEXT = ("reason",)  # ExtensionData.reason; a closing reason is a code, not free text


def _without_free_text(event: dict[str, Any]) -> dict[str, Any]:
    """An event as JSON, less what a person wrote in their own words (personal data)."""
    data = event.get("data")
    if isinstance(data, dict) and event.get("kind") == "extension_granted":
        event = {**event, "data": {k: v for k, v in data.items() if k not in _FREE_TEXT}}
    return event
