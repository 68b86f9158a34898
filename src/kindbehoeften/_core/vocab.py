"""Every closed vocabulary and every pattern of the library, written once.

The ``Literal`` types are what mypy checks at a caller's desk; the tuples (``get_args`` of the
same types) are what the code checks at run time and what the JSON Schemas list, so that the two
can never drift apart. The patterns are the one definition of an id, a version and a date.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final, Literal, get_args

__all__ = [
    "ASSESSMENT_STAGES",
    "CLOSED_DAYS",
    "CLOSE_REASONS",
    "CODES",
    "COURT_KINDS",
    "COURT_OUTCOMES",
    "DATE_PATTERN",
    "DEADLINE_STATUSES",
    "DECISIONS",
    "EVENT_KINDS",
    "FORM_ID_MAX",
    "FORM_ID_PATTERN",
    "FORM_STAGES",
    "IDENTIFIER_MAX",
    "IDENTIFIER_PATTERN",
    "JURISDICTIONS",
    "OPEN_STAGES",
    "OPERATORS",
    "OUTCOMES",
    "PLACEMENT_KINDS",
    "QUESTION_TYPES",
    "REPORTERS",
    "RULE_KINDS",
    "SCOPES",
    "SENSITIVITIES",
    "SEVERITIES",
    "STATUSES",
    "STEP_FIELDS",
    "UNITS",
    "VERSION_PATTERN",
    "WORKING_DAY_COUNTS",
    "AssessmentStage",
    "CloseReason",
    "ClosedDay",
    "CourtKind",
    "CourtOutcome",
    "DeadlineStatus",
    "Decision",
    "EventKind",
    "FormStage",
    "IssueCode",
    "Jurisdiction",
    "Operator",
    "Outcome",
    "PlacementKind",
    "QuestionType",
    "Reporter",
    "RuleKind",
    "Scope",
    "Sensitivity",
    "Severity",
    "Status",
    "StepField",
    "Unit",
    "WorkingDayCount",
    "exact_str",
    "is_form_id",
    "iso_date",
]

# --- patterns -------------------------------------------------------------------------------

#: A snake_case identifier: a section, area, question, option, option list or rule id.
IDENTIFIER_PATTERN: Final = r"^[a-z][a-z0-9_]*$"
IDENTIFIER_MAX: Final = 64
#: A form id: snake_case parts joined by dots (``triangle.full``).
FORM_ID_PATTERN: Final = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
FORM_ID_MAX: Final = 128
#: A version: MAJOR.MINOR.PATCH without leading zeros.
VERSION_PATTERN: Final = r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$"
#: A calendar date as JSON carries it: YYYY-MM-DD, nothing else of ISO 8601.
DATE_PATTERN: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

_FORM_ID = re.compile(FORM_ID_PATTERN)
_DATE = re.compile(DATE_PATTERN)


def is_form_id(value: object) -> bool:
    """Whether ``value`` is a form id (never a path: ids have no ``/`` and no file suffix).

    >>> is_form_id("triangle.full"), is_form_id("settings.toml"), is_form_id("../x")
    (True, False, False)
    """
    return (
        type(value) is str
        and len(value) <= FORM_ID_MAX
        and _FORM_ID.match(value) is not None
        and not value.endswith((".toml", ".json"))
    )


def exact_str(name: str, value: object, kind: str = "") -> str:
    """``value``, a text a caller passes as ``name``, as exactly a str: a subclass's
    characters, without a method of its own (its ``__eq__``, ``__hash__`` or ``upper`` never
    runs); anything else is a TypeError naming the argument (``kind`` says what it is for).

    >>> exact_str("locale", "sv"), type(exact_str("locale", type("S", (str,), {})("sv")))
    ('sv', <class 'str'>)
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str{kind}, not {type(value).__name__}")
    return str.__str__(value)


def iso_date(value: object) -> dt.date | None:
    """The calendar date of a text written YYYY-MM-DD, else ``None`` (``2026-02-30`` too).

    >>> iso_date("2026-02-28"), iso_date("2026-02-30"), iso_date("20260228")
    (datetime.date(2026, 2, 28), None, None)
    """
    if type(value) is not str or len(value) != 10 or _DATE.match(value) is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


# --- forms and submissions ------------------------------------------------------------------

FormStage = Literal["preliminary", "full", "plan", "followup"]
FORM_STAGES: tuple[FormStage, ...] = get_args(FormStage)

QuestionType = Literal[
    "text", "boolean", "integer", "decimal", "date", "choice", "multi_choice", "group"
]
QUESTION_TYPES: tuple[QuestionType, ...] = get_args(QuestionType)

Sensitivity = Literal["none", "personal", "special_category"]
SENSITIVITIES: tuple[Sensitivity, ...] = get_args(Sensitivity)

Operator = Literal[
    "equals", "not_equals", "in", "not_in", "gt", "ge", "lt", "le", "contains", "answered"
]
OPERATORS: tuple[Operator, ...] = get_args(Operator)

#: The status of a submission: a draft, or completed.
Status = Literal["in_progress", "completed"]
STATUSES: tuple[Status, ...] = get_args(Status)

Severity = Literal["error", "warning"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)

#: Every code an issue of a validation report can have; stable across versions.
IssueCode = Literal[
    "json_syntax",
    "duplicate_key",
    "too_large",
    "too_deep",
    "not_an_object",
    "unknown_form",
    "unknown_version",
    "unknown_field",
    "required",
    "type",
    "choice",
    "min",
    "max",
    "max_length",
    "pattern",
    "date",
    "min_items",
    "max_items",
    "disabled",
    "one_of_required",
    "too_many_issues",
]
CODES: tuple[IssueCode, ...] = get_args(IssueCode)

# --- the lifecycle --------------------------------------------------------------------------

Jurisdiction = Literal["SE", "DK", "NO", "FI", "GB-ENG", "NL"]
JURISDICTIONS: tuple[Jurisdiction, ...] = get_args(Jurisdiction)

#: Every event kind of an assessment, in the order of the lifecycle; rules start and end on them.
EventKind = Literal[
    "report_received",
    "safety_assessed",
    "preliminary_started",
    "preliminary_decision",
    "reporter_informed",
    "full_assessment_opened",
    "extension_granted",
    "full_assessment_completed",
    "plan_adopted",
    "support_started",
    "review_held",
    "placement_started",
    "placement_ended",
    "emergency_protection",
    "emergency_confirmed",
    "court_application",
    "decision_by_court",
    "child_heard",
    "transferred",
    "closed",
    "reopened",
]
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)

AssessmentStage = Literal["reported", "preliminary", "full_assessment", "support", "closed"]
ASSESSMENT_STAGES: tuple[AssessmentStage, ...] = get_args(AssessmentStage)

Reporter = Literal["professional", "parent", "child", "relative", "anonymous", "other"]
REPORTERS: tuple[Reporter, ...] = get_args(Reporter)

#: The outcome of a preliminary assessment.
Outcome = Literal[
    "close", "universal_support", "light_support", "refer_other_service", "open_full_assessment"
]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)

#: The decision after a full assessment.
Decision = Literal["no_measures", "support", "placement", "refer_other_service"]
DECISIONS: tuple[Decision, ...] = get_args(Decision)

CloseReason = Literal["no_concern", "referred", "support_ended", "moved", "other"]
CLOSE_REASONS: tuple[CloseReason, ...] = get_args(CloseReason)

Unit = Literal["days", "weeks", "months", "working_days"]
UNITS: tuple[Unit, ...] = get_args(Unit)

RuleKind = Literal["statute", "norm"]
RULE_KINDS: tuple[RuleKind, ...] = get_args(RuleKind)

DeadlineStatus = Literal["pending", "met", "met_late", "overdue", "stopped"]
DEADLINE_STATUSES: tuple[DeadlineStatus, ...] = get_args(DeadlineStatus)

#: Where a rule applies (its scope): while a child is placed, after a decision for support,
#: for a report that is not anonymous, for a reporter who is a professional.
Scope = Literal["placed", "support_decided", "not_anonymous", "professional_reporter"]
SCOPES: tuple[Scope, ...] = get_args(Scope)

#: How working days are counted: from the next working day after the start (day 1), or from
#: the start day itself (England's CIN census validator: one working day earlier on every date).
WorkingDayCount = Literal["next_working_day", "start_day"]
WORKING_DAY_COUNTS: tuple[WorkingDayCount, ...] = get_args(WorkingDayCount)

#: Days that a profile may close besides the calendar's public holidays.
ClosedDay = Literal["christmas_eve", "midsummer_eve", "new_years_eve"]
CLOSED_DAYS: tuple[ClosedDay, ...] = get_args(ClosedDay)

PlacementKind = Literal["foster", "kinship", "residential", "other"]
PLACEMENT_KINDS: tuple[PlacementKind, ...] = get_args(PlacementKind)

#: Who decided on an application for a compulsory measure, and what.
CourtKind = Literal["court", "board"]
COURT_KINDS: tuple[CourtKind, ...] = get_args(CourtKind)
CourtOutcome = Literal["granted", "refused"]
COURT_OUTCOMES: tuple[CourtOutcome, ...] = get_args(CourtOutcome)

#: The values of lifecycle steps that a form's answers can give (the form maps its options).
StepField = Literal["outcome", "decision", "reporter"]
STEP_FIELDS: tuple[StepField, ...] = get_args(StepField)

#: The open stages: every stage but closed.
OPEN_STAGES: tuple[AssessmentStage, ...] = tuple(s for s in ASSESSMENT_STAGES if s != "closed")
