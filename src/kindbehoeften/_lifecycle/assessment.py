"""The assessment lifecycle: an immutable :class:`Assessment` folded from hash-chained events.

An assessment is its history: an append-only tuple of :class:`Event` values, each linked to the
one before by a SHA-256 hash. The stage, the emergency flag and the steps allowed now are
derived from the events; every step method checks the step against the stage and returns a new
assessment with one more event. Nothing is ever edited: a history that was altered fails to
load with :class:`~kindbehoeften.errors.IntegrityError`.

The stages are ``reported``, ``preliminary``, ``full_assessment``, ``support`` and ``closed``.
Emergency protection is not a stage but a flag (``emergency_active``) over the open stages: it
is set by ``emergency_protection`` and cleared by ``emergency_confirmed`` or by closing.

============================  ===========================  ===============================
step (event kind)             allowed in                   then
============================  ===========================  ===============================
report_received               first event only             reported
safety_assessed               reported, preliminary        (same stage)
preliminary_started           reported                     preliminary
preliminary_decision [1]      preliminary, once            close, universal_support,
                                                           refer_other_service: closed;
                                                           light_support: support;
                                                           open_full_assessment:
                                                           preliminary (open it next)
full_assessment_opened        preliminary after the        full_assessment
                              decision
                              open_full_assessment;
                              reported or undecided
                              preliminary after emergency
                              protection in this cycle;
                              support (a new assessment)
full_assessment_completed [1] full_assessment              support or placement: support;
                                                           no_measures,
                                                           refer_other_service: closed
plan_adopted [1]              support (again to revise)    support
support_started               support                      support
review_held                   support, after               support
                              support_started
extension_granted             every open stage             (same stage)
emergency_protection          every open stage, while      (same stage), flag set
                              not active
emergency_confirmed           while active                 (same stage), flag cleared
closed                        reported, full_assessment,   closed (flag cleared)
                              support; preliminary after
                              its decision
reporter_informed             every stage, unless the      (same stage)
                              cycle's report is anonymous
reopened                      closed                       reported: a new cycle
============================  ===========================  ===============================

[1] needs a completed, valid submission of the stage's form (``preliminary``, ``full``,
``plan``: the built-in ``triangle.*`` forms or forms that extend them); the event records the
form's id and version. Event dates never go backwards, nor do event times where given.

>>> import datetime as dt
>>> case = Assessment.report(
...     case_id="case-1", jurisdiction="SE", on=dt.date(2026, 2, 9), actor="worker-7",
...     reporter="professional")
>>> case = case.assess_safety(dt.date(2026, 2, 9), "worker-7")
>>> case = case.start_preliminary(dt.date(2026, 2, 10), "worker-7")
>>> case.stage, case.allowed_steps()  # doctest: +NORMALIZE_WHITESPACE
('preliminary', ('safety_assessed', 'preliminary_decision', 'reporter_informed',
 'extension_granted', 'emergency_protection'))
>>> Assessment.from_json(case.to_json()) == case
True
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Annotated, Any, Final, NamedTuple, TypeAlias

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic.json_schema import models_json_schema
from pydantic_core import ErrorDetails

from .._core.jsonread import ReadError, loads, plain, read
from .._core.limits import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_DEPTH
from .._core.model import FormId, Version
from .._core.vocab import (
    ASSESSMENT_STAGES,
    DATE_PATTERN,
    EVENT_KINDS,
    FORM_ID_PATTERN,
    IDENTIFIER_MAX,
    IDENTIFIER_PATTERN,
    JURISDICTIONS,
    VERSION_PATTERN,
    AssessmentStage,
    CloseReason,
    Decision,
    EventKind,
    Jurisdiction,
    Outcome,
    Reporter,
)
from .._forms.catalog import find_form
from .._validation.validator import validate
from ..errors import (
    FormDefinitionError,
    IncompleteAssessmentError,
    IntegrityError,
    InvalidArgumentError,
    InvalidEventError,
    TransitionError,
    UnknownFormError,
    UnknownJurisdictionError,
)
from .deadlines import Deadline, Profile, compute_deadlines, load_profile

__all__ = [
    "ASSESSMENT_STAGES",
    "EVENTS_SCHEMA_ID",
    "EVENT_KINDS",
    "GENESIS",
    "Assessment",
    "ClosedData",
    "Event",
    "EventData",
    "ExtensionData",
    "FullAssessmentData",
    "Milestones",
    "NoData",
    "PlanData",
    "PreliminaryDecisionData",
    "ReopenData",
    "ReportData",
    "events_schema",
]

Kind = EventKind
Stage = AssessmentStage

#: The ``$id`` of :func:`events_schema`, and the ``$schema`` of every stored history.
EVENTS_SCHEMA_ID: Final = "urn:kindbehoeften:schema:events:1"
#: The ``prev`` of the first event: there is no event before it.
GENESIS: Final = "0" * 64

_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_ISO_DATE = re.compile(DATE_PATTERN)


# --- values ------------------------------------------------------------------------------------


def _plain_date(value: object) -> object:
    # pydantic would take a datetime at midnight, or "2026-02-09T00:00", as a date; a stored
    # history must read back exactly as written, so only dates and YYYY-MM-DD are taken.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
        raise ValueError("must be a date (datetime.date or YYYY-MM-DD), not a date and time")
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("must be a date written as YYYY-MM-DD")
    return value


def _instant(value: object) -> object:
    if not isinstance(value, dt.datetime | str):
        raise ValueError("must be a timezone-aware datetime")
    return value


def _whole_minutes(value: dt.datetime) -> dt.datetime:
    offset = value.utcoffset()
    if offset is not None and offset % dt.timedelta(minutes=1):
        raise ValueError("must have a UTC offset of whole minutes")  # JSON keeps no seconds
    return value


Day = Annotated[
    dt.date,
    BeforeValidator(_plain_date),
    Field(json_schema_extra={"pattern": DATE_PATTERN}),
]
Instant = Annotated[AwareDatetime, BeforeValidator(_instant), AfterValidator(_whole_minutes)]
_DIGEST: Final = "^[0-9a-f]{64}$"
_NO_CONTROLS: Final = r"^[^\x00-\x1f\x7f]+$"
_NO_CONTROLS_BUT_LINES: Final = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+$"
Digest = Annotated[str, Field(pattern=_DIGEST)]
OpaqueId = Annotated[str, Field(min_length=1, max_length=128, pattern=_NO_CONTROLS)]
FreeText = Annotated[str, Field(min_length=1, max_length=2000, pattern=_NO_CONTROLS_BUT_LINES)]
RuleId = Annotated[str, Field(pattern=IDENTIFIER_PATTERN, max_length=IDENTIFIER_MAX)]

_FROZEN = ConfigDict(frozen=True, extra="forbid", json_schema_serialization_defaults_required=True)


class _Data(BaseModel):
    model_config = _FROZEN


class NoData(_Data):
    """The data of a step that carries none (``{}``): safety_assessed, preliminary_started,
    reporter_informed, full_assessment_opened, support_started, review_held,
    emergency_protection and emergency_confirmed."""


class ReportData(_Data):
    """The data of ``report_received``, the first event: it fixes the case and jurisdiction.

    ``anonymous`` must be true when ``reporter`` is ``anonymous``; a reporter of another kind
    may also stay anonymous (a neighbour who says they are a relative).
    """

    case_id: OpaqueId
    jurisdiction: Jurisdiction
    reporter: Reporter
    anonymous: StrictBool
    municipality: OpaqueId | None = None

    @model_validator(mode="after")
    def _anonymous_reporter(self) -> ReportData:
        if self.reporter == "anonymous" and not self.anonymous:
            raise ValueError("an anonymous reporter needs anonymous = true")
        return self


class ReopenData(_Data):
    """The data of ``reopened``: the new report on a closed case that starts a new cycle."""

    reporter: Reporter
    anonymous: StrictBool

    @model_validator(mode="after")
    def _anonymous_reporter(self) -> ReopenData:
        if self.reporter == "anonymous" and not self.anonymous:
            raise ValueError("an anonymous reporter needs anonymous = true")
        return self


class PreliminaryDecisionData(_Data):
    """The data of ``preliminary_decision``: the outcome and the form it was made on."""

    outcome: Outcome
    form: FormId
    form_version: Version


class ExtensionData(_Data):
    """The data of ``extension_granted``: a deadline rule's new due date and the reason.

    ``reason`` is free text (personal data): it is stored, never shown in messages.
    """

    rule: RuleId
    new_due_on: Day
    reason: FreeText


class FullAssessmentData(_Data):
    """The data of ``full_assessment_completed``: the decision and the form it was made on."""

    decision: Decision
    form: FormId
    form_version: Version


class PlanData(_Data):
    """The data of ``plan_adopted``: the form of the plan."""

    form: FormId
    form_version: Version


class ClosedData(_Data):
    """The data of ``closed``: why the case was closed."""

    reason: CloseReason


#: The data of an event, one class per kind of step: what :attr:`Event.data` holds. Match on it
#: with ``isinstance`` (``ReportData`` for ``report_received``, ``NoData`` for the steps that
#: carry none, ...).
EventData: TypeAlias = (
    ReportData
    | ReopenData
    | PreliminaryDecisionData
    | ExtensionData
    | FullAssessmentData
    | PlanData
    | ClosedData
    | NoData
)

_PAYLOADS: dict[str, type[_Data]] = dict.fromkeys(EVENT_KINDS, NoData) | {
    "report_received": ReportData,
    "reopened": ReopenData,
    "preliminary_decision": PreliminaryDecisionData,
    "extension_granted": ExtensionData,
    "full_assessment_completed": FullAssessmentData,
    "plan_adopted": PlanData,
    "closed": ClosedData,
}
# The steps that complete a stage, and the form stage whose submission they need.
_FORM_STAGES: dict[str, str] = {
    "preliminary_decision": "preliminary",
    "full_assessment_completed": "full",
    "plan_adopted": "plan",
}


def _canonical(document: Any) -> str:
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


class Event(BaseModel):
    """One step of an assessment's history; frozen, and linked to the event before it.

    ``seq`` counts from 1; ``on`` is the date the step happened and ``at`` its instant where
    known (timezone-aware); ``actor`` is the caller's opaque id of who recorded it; ``data``
    is the kind's payload, one of :data:`EventData` (:class:`ReportData`,
    :class:`PreliminaryDecisionData`, ..., :class:`NoData` for most kinds; all public in
    ``kindbehoeften``). ``prev`` is the ``hash`` of the
    event before (:data:`GENESIS` for the first), and ``hash`` is the SHA-256 of the event's
    canonical JSON without ``hash`` (sorted keys, no spaces, UTF-8): see
    :meth:`content_hash`. Events are made by :class:`Assessment`'s steps, or by
    :meth:`create`.
    """

    model_config = _FROZEN

    seq: Annotated[StrictInt, Field(ge=1)]
    kind: Kind
    on: Day
    at: Instant | None = None
    actor: OpaqueId
    data: EventData
    prev: Digest
    hash: Digest

    @field_validator("data", mode="wrap")
    @classmethod
    def _data_fits_kind(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        kind = info.data.get("kind")
        if kind is None:  # the kind itself is wrong, and reported as such
            return value
        return _PAYLOADS[kind].model_validate(value)

    def content_hash(self) -> str:
        """The SHA-256 (hex) of this event's canonical JSON without ``hash``.

        An intact event has ``event.hash == event.content_hash()``.
        """
        body = self.model_dump(mode="json", exclude={"hash"})
        return hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()

    @classmethod
    def create(
        cls,
        *,
        seq: int,
        kind: str,
        on: dt.date,
        actor: str,
        prev: str,
        data: Mapping[str, Any] | EventData | None = None,
        at: dt.datetime | None = None,
    ) -> Event:
        """A new event with its ``hash`` computed (the steps of :class:`Assessment` make
        their events with it); :class:`~kindbehoeften.errors.InvalidEventError` for values
        that do not fit."""
        try:
            draft = cls(
                seq=seq,
                kind=kind,
                on=on,
                at=at,
                actor=actor,
                data={} if data is None else dict(data) if isinstance(data, Mapping) else data,
                prev=prev,
                hash=GENESIS,
            )
        except ValidationError as error:
            raise _invalid_event(kind, error) from error
        return draft.model_copy(update={"hash": draft.content_hash()})


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    """Where and what, from pydantic's errors: never the input."""
    return [
        (".".join(str(part)[:40] for part in item["loc"]) or "event", item["type"])
        for item in error.errors(include_url=False, include_input=False)
    ]


# What each pattern of an event's fields asks for, in words.
_PATTERN_TEXTS: Final = {
    _DIGEST: "must be 64 lowercase hexadecimal digits (a SHA-256)",
    _NO_CONTROLS: "must not hold control characters (such as a line break)",
    _NO_CONTROLS_BUT_LINES: "must not hold control characters other than tabs and line breaks",
    IDENTIFIER_PATTERN: "must be a snake_case id (a-z, 0-9 and _, starting with a letter)",
    FORM_ID_PATTERN: "must be a form id such as triangle.full",
    VERSION_PATTERN: "must be a version MAJOR.MINOR.PATCH such as 1.0.0",
}
_DATE_TEXT: Final = "must be a date (datetime.date or YYYY-MM-DD)"
_INSTANT_TEXT: Final = "must be a timezone-aware datetime"
# pydantic's error types, in words; {name} is filled from the error's ctx. A type not listed
# here is named by its code: its message could quote the input (e.g. union_tag_invalid).
_TYPE_TEXTS: Final = {
    "missing": "is missing",
    "extra_forbidden": "is not part of this step's data",
    "string_type": "must be text",
    "string_too_short": "must have at least {min_length} characters",
    "string_too_long": "must have at most {max_length} characters",
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "greater_than_equal": "must be at least {ge}",
    "model_type": "must be an object of the step's data",
    "dict_type": "must be an object of the step's data",
    "date_type": _DATE_TEXT,
    "date_parsing": _DATE_TEXT,
    "date_from_datetime_parsing": _DATE_TEXT,
    "date_from_datetime_inexact": _DATE_TEXT,
    "timezone_aware": _INSTANT_TEXT,
    "datetime_type": _INSTANT_TEXT,
    "datetime_parsing": _INSTANT_TEXT,
    "datetime_from_date_parsing": _INSTANT_TEXT,
}
_QUOTED_VALUE = re.compile(r"'([^'\\]*)'")


def _describe(field: str, item: ErrorDetails) -> str:
    """One problem in words, from pydantic's error type and ctx: never from the input."""
    code, ctx = item["type"], item.get("ctx") or {}
    if code == "literal_error":
        # The allowed values are vocabulary (REPORTERS, OUTCOMES, ...), fine to show.
        allowed = _QUOTED_VALUE.findall(str(ctx.get("expected", "")))
        return f"{field} must be one of: {', '.join(allowed)}"
    if code == "value_error":
        # The library's own validators above raise these; their texts hold no input. A
        # field's says what it "must" be; a whole model's is a sentence of its own.
        reason = str(ctx.get("error"))
        return f"{field} {reason}" if reason.startswith("must ") else f"{field}: {reason}"
    if code == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return f"{field} {_PATTERN_TEXTS.get(pattern, f'must match the pattern {pattern}')}"
    if code == "string_too_short" and ctx.get("min_length") == 1:
        return f"{field} must not be empty"
    text = _TYPE_TEXTS.get(code)
    if text is None:
        return f"{field} is not valid ({code})"
    return f"{field} {text.format_map(ctx)}"


def _invalid_event(kind: str, error: ValidationError) -> InvalidEventError:
    """pydantic's errors as an InvalidEventError: codes for programs, words for people."""
    problems: list[tuple[str, str]] = []
    messages: list[str] = []
    for item in error.errors(include_url=False, include_input=False):
        field = ".".join(str(part)[:40] for part in item["loc"]) or "event"
        problems.append((field, item["type"]))
        messages.append(_describe(field, item))
    return InvalidEventError(kind, problems, messages)


# --- the state machine -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _State:
    """What the events say so far; every field is derived from them."""

    stage: Stage
    anonymous: bool  # this cycle's report: no reporter to inform
    cycle_start: int  # index of the cycle's first event
    last_on: dt.date
    last_at: dt.datetime | None
    emergency_active: bool = False
    emergency_seen: bool = False  # emergency protection in this cycle
    outcome: str | None = None  # this cycle's preliminary decision
    support_started: bool = False


def _allowed(state: _State) -> tuple[str, ...]:
    steps: set[str] = set()
    stage = state.stage
    if not state.anonymous:
        steps.add("reporter_informed")
    if stage == "closed":
        steps.add("reopened")
    else:
        steps.add("extension_granted")
        steps.add("emergency_confirmed" if state.emergency_active else "emergency_protection")
    if stage == "reported":
        steps |= {"safety_assessed", "preliminary_started", "closed"}
        if state.emergency_seen:
            steps.add("full_assessment_opened")
    elif stage == "preliminary":
        steps.add("safety_assessed")
        if state.outcome is None:
            steps.add("preliminary_decision")
            if state.emergency_seen:
                steps.add("full_assessment_opened")
        else:  # only open_full_assessment leaves the stage at preliminary
            steps |= {"full_assessment_opened", "closed"}
    elif stage == "full_assessment":
        steps |= {"full_assessment_completed", "closed"}
    elif stage == "support":
        steps |= {"plan_adopted", "support_started", "full_assessment_opened", "closed"}
        if state.support_started:
            steps.add("review_held")
    return tuple(kind for kind in EVENT_KINDS if kind in steps)


def _why_not(state: _State, kind: str) -> str | None:
    """A hint for a refused step, where the stage alone does not explain it."""
    if kind not in EVENT_KINDS:
        return "unknown step; the steps are the event kinds of docs/lifecycle.md"
    if kind == "report_received":
        return "a case has one report; a new report on a closed case is recorded as reopened"
    if kind == "reporter_informed" and state.anonymous:
        return "the report was anonymous: there is no reporter to inform"
    if state.stage == "closed" and kind != "reopened":
        return "the case is closed; reopen it on a new report first"
    if kind == "emergency_protection":
        return "emergency protection is already active; confirm it first"
    if kind == "emergency_confirmed":
        return "no emergency protection awaits confirmation"
    if kind == "review_held" and state.stage == "support":
        return "a review follows support_started"
    if state.stage == "preliminary" and state.outcome is None and kind == "closed":
        return "a started preliminary assessment ends with its decision (outcome 'close')"
    if state.stage == "preliminary" and kind == "preliminary_decision":
        return "the preliminary decision is already recorded"
    if kind == "full_assessment_opened" and state.stage in {"reported", "preliminary"}:
        return (
            "a full assessment opens after the preliminary decision open_full_assessment, "
            "or at once after emergency protection"
        )
    return None


def _refuse(state: _State | None, kind: str) -> TransitionError:
    if state is None:
        return TransitionError(
            None, kind, ("report_received",), "a history starts with report_received"
        )
    return TransitionError(state.stage, kind, _allowed(state), _why_not(state, kind))


def _first_state(event: Event) -> _State:
    if event.kind != "report_received":
        raise _refuse(None, event.kind)
    assert isinstance(event.data, ReportData)
    return _State("reported", event.data.anonymous, 0, event.on, event.at)


def _advance(state: _State, event: Event, index: int) -> _State:
    """The state after ``event`` (the ``index``-th, from 0); TransitionError if refused."""
    kind = event.kind
    if kind not in _allowed(state):
        raise _refuse(state, kind)
    if event.on < state.last_on:
        raise TransitionError(
            state.stage,
            kind,
            _allowed(state),
            f"it is dated {event.on.isoformat()}, before the last event "
            f"({state.last_on.isoformat()}); give a date on or after that one",
        )
    if event.at is not None and state.last_at is not None and event.at < state.last_at:
        raise TransitionError(
            state.stage,
            kind,
            _allowed(state),
            "its time (at) is before the time of an earlier event; times never go backwards",
        )
    state = replace(state, last_on=event.on, last_at=event.at or state.last_at)
    data = event.data
    if kind == "preliminary_started":
        return replace(state, stage="preliminary")
    if kind == "preliminary_decision":
        assert isinstance(data, PreliminaryDecisionData)
        stage: Stage = {
            "light_support": "support",
            "open_full_assessment": "preliminary",
        }.get(data.outcome, "closed")  # type: ignore[assignment]  # the values are stages
        return _closing(replace(state, outcome=data.outcome), stage)
    if kind == "full_assessment_opened":
        return replace(state, stage="full_assessment")
    if kind == "full_assessment_completed":
        assert isinstance(data, FullAssessmentData)
        return _closing(state, "support" if data.decision in {"support", "placement"} else "closed")
    if kind == "support_started":
        return replace(state, support_started=True)
    if kind == "emergency_protection":
        return replace(state, emergency_active=True, emergency_seen=True)
    if kind == "emergency_confirmed":
        return replace(state, emergency_active=False)
    if kind == "closed":
        return _closing(state, "closed")
    if kind == "reopened":
        assert isinstance(data, ReopenData)
        return _State("reported", data.anonymous, index, state.last_on, state.last_at)
    return state  # safety_assessed, reporter_informed, extension_granted, plan, review


def _closing(state: _State, stage: Stage) -> _State:
    """Closing ends any emergency protection that awaits confirmation."""
    if stage == "closed":
        return replace(state, stage=stage, emergency_active=False)
    return replace(state, stage=stage)


# --- loading -----------------------------------------------------------------------------------


def _verified(items: Iterable[Event | Mapping[str, Any]], head: str | None) -> tuple[Event, ...]:
    """The events, once their order, the hash chain and each event's hash are checked."""
    if isinstance(items, str | bytes | Mapping):
        raise IntegrityError("not_a_history", detail="events must be a list of events")
    events: list[Event] = []
    prev = GENESIS
    for seq, item in enumerate(items, 1):
        if isinstance(item, Event):
            event = item
        elif isinstance(item, Mapping):
            try:
                event = Event.model_validate(dict(item))
            except ValidationError as error:
                fields = ", ".join(sorted({field for field, _ in _problems(error)}))
                raise IntegrityError("invalid_event", seq, fields) from error
            try:
                canonical = _canonical(item) == _canonical(event.model_dump(mode="json"))
            except (TypeError, ValueError) as error:
                raise IntegrityError("not_canonical", seq) from error
            if not canonical:
                raise IntegrityError("not_canonical", seq)
        else:
            raise IntegrityError("invalid_event", seq, "not an object")
        if event.seq != seq:
            raise IntegrityError("seq", seq)
        if event.prev != prev:
            raise IntegrityError("prev", seq)
        if event.hash != event.content_hash():
            raise IntegrityError("hash", seq)
        prev = event.hash
        events.append(event)
    if not events:
        raise IntegrityError("empty")
    if head is not None and events[-1].hash != head:
        raise IntegrityError("head", len(events))
    return tuple(events)


def _replayed(events: tuple[Event, ...]) -> _State:
    state = _first_state(events[0])
    for index, event in enumerate(events[1:], 1):
        state = _advance(state, event, index)
    return state


def _where(error: ReadError) -> str:
    """What the JSON reader found and where, for an IntegrityError (never a value)."""
    problem = error.problem
    text = problem.message_id
    if "line" in problem.params:
        text += f", line {problem.params['line']}, column {problem.params['column']}"
    if problem.pointer:
        text += f", at {problem.pointer}"
    return text


def _submission_form(step: str, submission: bytes | str | dict[str, Any]) -> tuple[str, str]:
    """The form id and version of a completed, valid submission of the step's stage."""
    stage = _FORM_STAGES[step]
    report = validate(submission)
    form = None
    if report.form is not None and report.version is not None:
        try:
            form = find_form(report.form, report.version)
        except (UnknownFormError, FormDefinitionError):  # pragma: no cover - validate found it
            form = None
    if form is not None and form.stage != stage:
        raise IncompleteAssessmentError(step, stage, report, "wrong_form", form.id)
    if not report.ok or form is None:
        raise IncompleteAssessmentError(step, stage, report, "invalid")
    document = (
        read(submission) if isinstance(submission, bytes | str) else plain(submission)
    ).document
    if document.get("status") != "completed":
        raise IncompleteAssessmentError(step, stage, report, "draft", form.id)
    return form.id, form.version


# --- the assessment ----------------------------------------------------------------------------


class Milestones(NamedTuple):
    """What the deadline rules of a jurisdiction need from the current cycle.

    ``firsts`` maps each event kind that happened to the date it first happened, with the
    cycle's report (``report_received`` or ``reopened``) as ``report_received``; it serves
    as both the start and the end events of the rules. ``extensions`` maps each extended
    rule to the due date of its latest extension.
    """

    firsts: dict[str, dt.date]
    extensions: dict[str, dt.date]


class Assessment:
    """An assessment of a child's needs, as the immutable fold of its event history.

    Make one with :meth:`report` (a new case) or :meth:`from_events` / :meth:`from_json`
    (a stored history); ``Assessment(events)`` is :meth:`from_events`. Every step method
    returns a new assessment with one more event and leaves this one as it is; a step the
    stage does not allow raises :class:`~kindbehoeften.errors.TransitionError`. Two
    assessments are equal when their histories are.
    """

    __slots__ = ("_events", "_state")

    _events: tuple[Event, ...]
    _state: _State

    def __init__(
        self, events: Iterable[Event | Mapping[str, Any]], *, head: str | None = None
    ) -> None:
        checked = _verified(events, head)
        object.__setattr__(self, "_events", checked)
        object.__setattr__(self, "_state", _replayed(checked))

    @classmethod
    def _make(cls, events: tuple[Event, ...], state: _State) -> Assessment:
        made = object.__new__(cls)
        object.__setattr__(made, "_events", events)
        object.__setattr__(made, "_state", state)
        return made

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(
            "an Assessment is immutable; its step methods (or apply) return a new one"
        )

    def __delattr__(self, name: str) -> None:
        raise AttributeError("an Assessment is immutable")

    def __reduce__(self) -> tuple[type[Assessment], tuple[tuple[Event, ...]]]:
        # copy and pickle rebuild from the events, which checks them again
        return (type(self), (self._events,))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Assessment):
            return NotImplemented
        return self._events == other._events

    def __hash__(self) -> int:
        return hash(self._events)

    def __repr__(self) -> str:
        return (
            f"<Assessment {self.case_id!r} stage={self.stage!r} "
            f"emergency_active={self.emergency_active} events={len(self._events)}>"
        )

    # --- what the events say ---

    @property
    def events(self) -> tuple[Event, ...]:
        """The whole history, oldest first."""
        return self._events

    @property
    def _report(self) -> ReportData:
        data = self._events[0].data
        assert isinstance(data, ReportData)
        return data

    @property
    def case_id(self) -> str:
        """The caller's opaque id of the case, fixed by the first event."""
        return self._report.case_id

    @property
    def jurisdiction(self) -> str:
        """``SE``, ``DK``, ``NO``, ``FI``, ``GB-ENG`` or ``NL``, fixed by the first event."""
        return self._report.jurisdiction

    @property
    def municipality(self) -> str | None:
        """The municipality given with the first report, if any (for its deadline rules)."""
        return self._report.municipality

    @property
    def stage(self) -> Stage:
        """``reported``, ``preliminary``, ``full_assessment``, ``support`` or ``closed``."""
        return self._state.stage

    @property
    def emergency_active(self) -> bool:
        """True while emergency protection awaits confirmation (whatever the stage)."""
        return self._state.emergency_active

    @property
    def head(self) -> str:
        """The hash of the last event: keep it apart from the history to detect removed or
        rewritten events (``from_events(events, head=...)``)."""
        return self._events[-1].hash

    def allowed_steps(self) -> tuple[str, ...]:
        """The event kinds that may be recorded now, in the order of the lifecycle."""
        return _allowed(self._state)

    def cycle_events(self) -> tuple[Event, ...]:
        """The events of the current cycle: since the last report_received or reopened."""
        return self._events[self._state.cycle_start :]

    def first(self, kind: EventKind) -> dt.date | None:
        """The date ``kind`` first happened in the current cycle, or ``None``.

        A ``kind`` that is no event kind raises
        :class:`~kindbehoeften.errors.InvalidArgumentError`.
        """
        return next((event.on for event in self._cycle_of(kind)), None)

    def last(self, kind: EventKind) -> dt.date | None:
        """The date ``kind`` last happened in the current cycle (for recurring reviews)."""
        return next((event.on for event in reversed(self._cycle_of(kind))), None)

    def _cycle_of(self, kind: str) -> list[Event]:
        if kind not in EVENT_KINDS:
            raise InvalidArgumentError(
                "kind", f"kind must be one of: {', '.join(EVENT_KINDS)} (an event kind)"
            )
        return [event for event in self.cycle_events() if event.kind == kind]

    def starts_and_ends(self) -> Milestones:
        """The first date of each event kind in the current cycle, and the extensions granted
        per rule: what ``compute_deadlines(profile, starts=..., ends=..., extensions=...)``
        needs. The cycle's report counts as ``report_received``: after ``reopened``, the
        deadlines of a report run from the new report.

        >>> import datetime as dt
        >>> case = Assessment.report(case_id="c", jurisdiction="NO", on=dt.date(2026, 3, 2),
        ...                          actor="w", reporter="parent")
        >>> case = case.start_preliminary(dt.date(2026, 3, 3), "w")
        >>> firsts, extensions = case.starts_and_ends()
        >>> firsts  # doctest: +NORMALIZE_WHITESPACE
        {'report_received': datetime.date(2026, 3, 2),
         'preliminary_started': datetime.date(2026, 3, 3)}
        >>> extensions
        {}
        """
        cycle = self.cycle_events()
        firsts: dict[str, dt.date] = {"report_received": cycle[0].on}
        extensions: dict[str, dt.date] = {}
        for event in cycle:
            firsts.setdefault(event.kind, event.on)
            if isinstance(event.data, ExtensionData):
                extensions[event.data.rule] = event.data.new_due_on
        return Milestones(firsts, extensions)

    def deadlines(
        self, today: dt.date | None = None, *, profile: Profile | None = None
    ) -> tuple[Deadline, ...]:
        """Where each legal clock of the case's jurisdiction stands in the current cycle.

        ``profile`` is the jurisdiction's profile (default: the shipped one; pass
        ``load_profile(code, override=...)`` for a municipality's rules). ``today`` decides
        between pending and overdue; the library never reads the clock. Granted extensions
        move the due date and show as ``extended``; an extension this profile does not allow
        stays in the history but is not applied. A clock that was not met no longer runs once
        the case is closed, and a full assessment's clock does not run when the preliminary
        decision opened none (e.g. light support).

        >>> import datetime as dt
        >>> case = Assessment.report(case_id="c", jurisdiction="SE", on=dt.date(2026, 11, 2),
        ...                          actor="w", reporter="professional")
        >>> case = case.assess_safety(dt.date(2026, 11, 2), "w")
        >>> [(d.rule, str(d.due_on), d.status) for d in case.deadlines(dt.date(2026, 11, 20))]
        [('safety_assessment', '2026-11-03', 'met'), ('preliminary', '2026-11-16', 'overdue')]
        """
        profile = profile or load_profile(self.jurisdiction)
        firsts, extensions = self.starts_and_ends()
        # grant_extension checks an extension against the profile when it is recorded; one
        # that this profile does not allow (a rule it lacks, a date past its limit: a history
        # made under another municipality's rules) is kept in the history but not applied.
        allowed = {}
        for rule, new_due_on in extensions.items():
            try:
                compute_deadlines(profile, starts=firsts, extensions={rule: new_due_on})
            except InvalidArgumentError:
                continue
            allowed[rule] = new_due_on
        deadlines = compute_deadlines(
            profile, starts=firsts, ends=firsts, extensions=allowed, today=today
        )
        return tuple(deadline for deadline in deadlines if self._runs(profile, deadline))

    def _runs(self, profile: Profile, deadline: Deadline) -> bool:
        """Whether an unmet clock still applies: none does once the case is closed, and the
        clock of a full assessment does not when the preliminary decision opened none."""
        if deadline.met_on is not None:
            return True
        if self._state.stage == "closed":
            return False
        ends = profile.rule(deadline.rule).ends
        if ends in {"full_assessment_opened", "full_assessment_completed"}:
            decided = self._state.outcome
            opened = self.first("full_assessment_opened") is not None
            return opened or decided is None or decided == "open_full_assessment"
        return True

    # --- steps ---

    @classmethod
    def report(
        cls,
        *,
        case_id: str,
        jurisdiction: str,
        on: dt.date,
        actor: str,
        reporter: Reporter,
        anonymous: bool | None = None,
        municipality: str | None = None,
        at: dt.datetime | None = None,
    ) -> Assessment:
        """A new case: its first event, ``report_received``.

        ``reporter`` is ``professional``, ``parent``, ``child``, ``relative``, ``anonymous`` or
        ``other``; another value raises :class:`~kindbehoeften.errors.InvalidEventError`
        naming the field and these values.
        ``anonymous`` defaults to whether ``reporter`` is ``anonymous``. The case id, the
        jurisdiction and the municipality are fixed for the case's whole history; a
        jurisdiction other than SE, DK, NO, FI, GB-ENG or NL raises
        :class:`~kindbehoeften.errors.UnknownJurisdictionError`.
        """
        known = {code.upper(): code for code in JURISDICTIONS}
        if not isinstance(jurisdiction, str) or jurisdiction.upper() not in known:
            raise UnknownJurisdictionError(str(jurisdiction), JURISDICTIONS)
        jurisdiction = known[jurisdiction.upper()]
        data = {
            "case_id": case_id,
            "jurisdiction": jurisdiction,
            "reporter": reporter,
            "anonymous": reporter == "anonymous" if anonymous is None else anonymous,
            "municipality": municipality,
        }
        event = Event.create(
            seq=1, kind="report_received", on=on, actor=actor, at=at, data=data, prev=GENESIS
        )
        return cls._make((event,), _first_state(event))

    def apply(
        self, kind: str, on: dt.date, actor: str, *, at: dt.datetime | None = None, **data: Any
    ) -> Assessment:
        """Record the step ``kind`` with its data; the step methods call this.

        ``kind`` is a plain ``str`` here, for programs that take the step as data (a command
        line, a service): an unknown one raises :class:`~kindbehoeften.errors.TransitionError`.
        The step methods type their vocabularies (``Reporter``, ``Outcome``, ``Decision``,
        ``CloseReason``), so that mypy catches a wrong value at the caller's desk.

        The steps that complete a stage (``preliminary_decision``,
        ``full_assessment_completed``, ``plan_adopted``) take ``submission=`` (bytes, text
        or a parsed dict) instead of ``form`` and ``form_version``, which come from it.

        Raises :class:`~kindbehoeften.errors.TransitionError` for a step not allowed now or
        dated before the last event, :class:`~kindbehoeften.errors.IncompleteAssessmentError`
        for a submission that is invalid, a draft or of another stage's form, and
        :class:`~kindbehoeften.errors.InvalidEventError` for data that does not fit.
        """
        state = self._state
        if kind not in _allowed(state):
            raise _refuse(state, kind)
        if kind in _FORM_STAGES:
            for name in ("form", "form_version"):
                if name in data:
                    raise InvalidEventError(
                        kind,
                        [(f"data.{name}", "from_submission")],
                        [f"data.{name} comes from the submission: leave it out"],
                    )
            if "submission" not in data:
                raise InvalidEventError(
                    kind,
                    [("submission", "missing")],
                    [
                        "submission is missing: give a completed, valid submission of the "
                        f"{_FORM_STAGES[kind]!r} form"
                    ],
                )
            form_id, version = _submission_form(kind, data.pop("submission"))
            data |= {"form": form_id, "form_version": version}
        index = len(self._events)
        prev = self._events[-1].hash
        event = Event.create(
            seq=index + 1, kind=kind, on=on, actor=actor, at=at, data=data, prev=prev
        )
        return self._make((*self._events, event), _advance(state, event, index))

    def assess_safety(
        self, on: dt.date, actor: str, *, at: dt.datetime | None = None
    ) -> Assessment:
        """``safety_assessed``: the immediate safety check was made."""
        return self.apply("safety_assessed", on, actor, at=at)

    def start_preliminary(
        self, on: dt.date, actor: str, *, at: dt.datetime | None = None
    ) -> Assessment:
        """``preliminary_started``: the preliminary assessment begins."""
        return self.apply("preliminary_started", on, actor, at=at)

    def inform_reporter(
        self, on: dt.date, actor: str, *, at: dt.datetime | None = None
    ) -> Assessment:
        """``reporter_informed``: the reporter was told what happened to the report."""
        return self.apply("reporter_informed", on, actor, at=at)

    def decide_preliminary(
        self,
        outcome: Outcome,
        submission: bytes | str | dict[str, Any],
        on: dt.date,
        actor: str,
        *,
        at: dt.datetime | None = None,
    ) -> Assessment:
        """``preliminary_decision`` on a completed, valid preliminary submission.

        ``close``, ``universal_support`` and ``refer_other_service`` close the case;
        ``light_support`` goes to support; ``open_full_assessment`` stays in preliminary until
        :meth:`open_full_assessment`. Another outcome raises
        :class:`~kindbehoeften.errors.InvalidEventError` naming ``data.outcome`` and the five.
        """
        return self.apply(
            "preliminary_decision", on, actor, at=at, outcome=outcome, submission=submission
        )

    def open_full_assessment(
        self, on: dt.date, actor: str, *, at: dt.datetime | None = None
    ) -> Assessment:
        """``full_assessment_opened``: the full assessment (investigation) begins."""
        return self.apply("full_assessment_opened", on, actor, at=at)

    def grant_extension(
        self,
        rule: str,
        new_due_on: dt.date,
        reason: str,
        on: dt.date,
        actor: str,
        *,
        at: dt.datetime | None = None,
        profile: Profile | None = None,
    ) -> Assessment:
        """``extension_granted``: the deadline rule ``rule`` (e.g. ``investigation``) is now
        due on ``new_due_on``. ``reason`` is free text: stored, never shown in messages.

        The rule must be one of the jurisdiction's (``profile``, default: the shipped one),
        extendable, and the new date within its longest extension; else
        :class:`~kindbehoeften.errors.InvalidEventError` with the problem ``data.rule``
        (``unknown_rule``) or ``data.new_due_on`` (``not_allowed``).
        """
        extended = self.apply(
            "extension_granted", on, actor, at=at, rule=rule, new_due_on=new_due_on, reason=reason
        )
        profile = profile or load_profile(self.jurisdiction)
        ids = [item.id for item in profile.rules]
        known = ", ".join(ids)
        if rule not in ids:
            raise InvalidEventError(
                "extension_granted",
                [("data.rule", "unknown_rule")],
                [f"data.rule must be one of the {profile.jurisdiction} profile's rules: {known}"],
            )
        try:
            firsts = extended.starts_and_ends().firsts
            compute_deadlines(profile, starts=firsts, extensions={rule: new_due_on})
        except InvalidArgumentError as error:
            raise InvalidEventError(
                "extension_granted",
                [("data.new_due_on", "not_allowed")],
                [f"data.new_due_on is not allowed: {error}"],
            ) from error
        return extended

    def complete_full_assessment(
        self,
        decision: Decision,
        submission: bytes | str | dict[str, Any],
        on: dt.date,
        actor: str,
        *,
        at: dt.datetime | None = None,
    ) -> Assessment:
        """``full_assessment_completed`` on a completed, valid full-assessment submission.

        ``support`` and ``placement`` go to support; ``no_measures`` and
        ``refer_other_service`` close the case. Another decision raises
        :class:`~kindbehoeften.errors.InvalidEventError` naming ``data.decision`` and the four.
        """
        return self.apply(
            "full_assessment_completed", on, actor, at=at, decision=decision, submission=submission
        )

    def adopt_plan(
        self,
        submission: bytes | str | dict[str, Any],
        on: dt.date,
        actor: str,
        *,
        at: dt.datetime | None = None,
    ) -> Assessment:
        """``plan_adopted`` on a completed, valid plan submission (again to revise the plan)."""
        return self.apply("plan_adopted", on, actor, at=at, submission=submission)

    def start_support(
        self, on: dt.date, actor: str, *, at: dt.datetime | None = None
    ) -> Assessment:
        """``support_started``: the decided support is being delivered."""
        return self.apply("support_started", on, actor, at=at)

    def hold_review(self, on: dt.date, actor: str, *, at: dt.datetime | None = None) -> Assessment:
        """``review_held``: the support was reviewed against the plan's goals."""
        return self.apply("review_held", on, actor, at=at)

    def protect(self, on: dt.date, actor: str, *, at: dt.datetime | None = None) -> Assessment:
        """``emergency_protection``: the child was protected at once; sets emergency_active."""
        return self.apply("emergency_protection", on, actor, at=at)

    def confirm_protection(
        self, on: dt.date, actor: str, *, at: dt.datetime | None = None
    ) -> Assessment:
        """``emergency_confirmed``: the emergency protection was confirmed (e.g. by a court)."""
        return self.apply("emergency_confirmed", on, actor, at=at)

    def close(
        self, reason: CloseReason, on: dt.date, actor: str, *, at: dt.datetime | None = None
    ) -> Assessment:
        """``closed``, for ``reason`` ``no_concern``, ``referred``, ``support_ended``,
        ``moved`` or ``other`` (another raises :class:`~kindbehoeften.errors.InvalidEventError`);
        ends any emergency protection awaiting confirmation."""
        return self.apply("closed", on, actor, at=at, reason=reason)

    def reopen(
        self,
        on: dt.date,
        actor: str,
        reporter: Reporter,
        anonymous: bool | None = None,
        *,
        at: dt.datetime | None = None,
    ) -> Assessment:
        """``reopened``: a new report on a closed case starts a new cycle at ``reported``.

        ``reporter`` and ``anonymous`` are as in :meth:`report`.
        """
        flag = reporter == "anonymous" if anonymous is None else anonymous
        return self.apply("reopened", on, actor, at=at, reporter=reporter, anonymous=flag)

    # --- storing and loading ---

    @classmethod
    def from_events(
        cls, events: Iterable[Event | Mapping[str, Any]], *, head: str | None = None
    ) -> Assessment:
        """The assessment of a stored history: :class:`Event` values or JSON-ready dicts.

        Checks, before anything else, that ``seq`` counts 1, 2, 3, ..., that each ``prev``
        is the hash of the event before, and that each event's ``hash`` matches its content
        (and, given ``head``, that the last hash is ``head``): else
        :class:`~kindbehoeften.errors.IntegrityError` naming the first bad event. Dicts must
        be written exactly as :meth:`to_dict` writes them. Then the steps are replayed: an
        illegal history raises :class:`~kindbehoeften.errors.TransitionError`.
        """
        return cls(events, head=head)

    def to_dict(self) -> dict[str, Any]:
        """The history as a JSON-ready document that :func:`events_schema` describes."""
        return {
            "$schema": EVENTS_SCHEMA_ID,
            "case_id": self.case_id,
            "events": [event.model_dump(mode="json") for event in self._events],
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any], *, head: str | None = None) -> Assessment:
        """The assessment of a document written by :meth:`to_dict`; anything else, and any
        change to it, raises :class:`~kindbehoeften.errors.IntegrityError`."""
        if not isinstance(document, Mapping) or set(document) != {"$schema", "case_id", "events"}:
            raise IntegrityError(
                "not_a_history", detail="it needs exactly the keys $schema, case_id and events"
            )
        if document["$schema"] != EVENTS_SCHEMA_ID:
            raise IntegrityError("not_a_history", detail=f"$schema must be {EVENTS_SCHEMA_ID}")
        if not isinstance(document["events"], list):
            raise IntegrityError("not_a_history", detail="events must be a list")
        events = _verified(document["events"], head)
        first = events[0].data
        if isinstance(first, ReportData) and document["case_id"] != first.case_id:
            raise IntegrityError("case_id")
        return cls._make(events, _replayed(events))

    def to_json(self) -> str:
        """The history as JSON text (UTF-8, indented, ending in a newline).

        ``Assessment.from_json(a.to_json()) == a``, and the text round-trips unchanged.
        """
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes, *, head: str | None = None) -> Assessment:
        """The assessment of JSON text written by :meth:`to_json`, byte for byte.

        Text that is not JSON (or not UTF-8, or has a duplicate key or NaN), any change to the
        history, and any other change to the text (whitespace and layout too: code ``text``)
        raise :class:`~kindbehoeften.errors.IntegrityError`. A store that keeps parsed JSON
        (and may lay it out anew) loads with :meth:`from_dict`, which checks the history.
        """
        try:
            document = loads(text, max_bytes=MAX_DOCUMENT_BYTES, max_depth=MAX_DOCUMENT_DEPTH)
        except ReadError as error:  # the library's one reader: the verdict of every entry point
            raise IntegrityError("json_syntax", detail=_where(error)) from None
        assessment = cls.from_dict(document, head=head)
        if isinstance(text, bytes):
            text = text.decode("utf-8")  # the reader found it UTF-8
        if assessment.to_json() != text.removeprefix("\ufeff"):
            raise IntegrityError("text")
        return assessment


# --- the schema --------------------------------------------------------------------------------


def events_schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of a stored history, the document of
    :meth:`Assessment.to_dict`. It checks the shape and each kind's data; the hash chain and
    the order of steps are checked by :meth:`Assessment.from_json` only.

    >>> events_schema()["$id"]
    'urn:kindbehoeften:schema:events:1'
    """
    return copy.deepcopy(_events_schema())


@cache
def _events_schema() -> dict[str, Any]:
    payloads = sorted(set(_PAYLOADS.values()), key=lambda cls: cls.__name__)
    _, top = models_json_schema(
        [(Event, "serialization"), *((cls, "serialization") for cls in payloads)],
        ref_template="#/$defs/{model}",
    )
    defs: dict[str, Any] = top["$defs"]
    event = defs["Event"]
    event["description"] = (
        "One step of the history. seq counts from 1; on is the date of the step, at its "
        "instant (with a UTC offset) or null; actor is the caller's opaque id of who recorded "
        "it; data is the kind's data; prev is the hash of the event before."
    )
    event["properties"]["data"] = {
        "type": "object",
        "description": "The kind's data: see the if/then below.",
    }
    event["allOf"] = [
        {
            "if": {"properties": {"kind": {"const": kind}}},
            "then": {"properties": {"data": {"$ref": f"#/$defs/{_PAYLOADS[kind].__name__}"}}},
        }
        for kind in EVENT_KINDS
    ]
    return {
        "$schema": _DRAFT,
        "$id": EVENTS_SCHEMA_ID,
        "title": "kindbehoeften event history",
        "description": (
            "The append-only, hash-chained event history of one assessment. Each event's hash "
            "is the SHA-256 of its canonical JSON without hash (sorted keys, no whitespace, "
            "UTF-8); prev is the hash of the event before, or 64 zeros for the first."
        ),
        "type": "object",
        "additionalProperties": False,
        "required": ["$schema", "case_id", "events"],
        "properties": {
            "$schema": {"const": EVENTS_SCHEMA_ID},
            "case_id": dict(defs["ReportData"]["properties"]["case_id"]),
            "events": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Event"}},
        },
        "$defs": defs,
    }


# kindbehoeften gives its public classes their public module as __module__, and doctest then
# no longer searches them as this module's: list here each one whose methods hold examples.
__test__ = {"Assessment": Assessment}
