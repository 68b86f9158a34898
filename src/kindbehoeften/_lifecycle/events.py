"""The events of an assessment's history: their data, one class per kind of step, and the
hash-chained :class:`Event` itself, with the JSON Schema of a stored history.

Every step's data is checked when the event is made: a value that does not fit is an
:class:`~kindbehoeften.errors.InvalidEventError` naming the field and what it allows (the
vocabularies of ``_core.vocab``), never the value given, which may be personal data.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any, Final, TypeAlias

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

from .._core.model import FormId, Version
from .._core.vocab import (
    DATE_PATTERN,
    EVENT_KINDS,
    FORM_ID_PATTERN,
    IDENTIFIER_MAX,
    IDENTIFIER_PATTERN,
    VERSION_PATTERN,
    AssessmentStage,
    CloseReason,
    CourtKind,
    CourtOutcome,
    Decision,
    EventKind,
    Jurisdiction,
    Outcome,
    PlacementKind,
    Reporter,
    exact_str,
)
from ..errors import InvalidArgumentError, InvalidEventError

__all__ = [
    "EVENTS_SCHEMA_ID",
    "FORM_STAGES",
    "GENESIS",
    "PAYLOADS",
    "ClosedData",
    "CourtApplicationData",
    "CourtDecisionData",
    "Event",
    "EventData",
    "ExtensionData",
    "FullAssessmentData",
    "NoData",
    "PlacementData",
    "PlanData",
    "PreliminaryDecisionData",
    "ReopenData",
    "ReportData",
    "TransferData",
    "canonical",
    "events_schema",
    "invalid_event",
    "problems_of",
    "text_argument",
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


def text_argument(name: str, value: object) -> str:
    """``value``, an id a caller passes (a case id, a municipality), as exactly a str: a
    subclass's characters, without a method of its own (its ``__eq__`` or ``__hash__`` never
    runs in comparisons and queries); a value that is no str is a TypeError naming it.
    Text that UTF-8 cannot hold (a lone surrogate: what Python makes of a byte of a command
    line that is not UTF-8) can be neither stored nor found: InvalidArgumentError by name."""
    text = exact_str(name, value)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidArgumentError(
                name,
                f"{name} is not valid text: it holds a lone surrogate (a byte that is not "
                "UTF-8, shown as \\udcXX); it must be UTF-8 text",
            ) from None
    return text


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

# hide_input_in_errors: pydantic's errors, chained to the library's for their fields, show no
# value given (a free-text reason, an actor's name) in a traceback that a caller logs.
_FROZEN = ConfigDict(
    frozen=True,
    extra="forbid",
    json_schema_serialization_defaults_required=True,
    hide_input_in_errors=True,
)


class _Data(BaseModel):
    model_config = _FROZEN


class NoData(_Data):
    """The data of a step that carries none (``{}``): safety_assessed, preliminary_started,
    reporter_informed, full_assessment_opened, support_started, review_held, placement_ended,
    emergency_protection, emergency_confirmed and child_heard."""


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
    """The data of a new report: ``reopened`` (on a closed case, starting a new cycle) or a
    ``report_received`` on an open case (an additional report, with clocks of its own)."""

    reporter: Reporter
    anonymous: StrictBool

    @model_validator(mode="after")
    def _anonymous_reporter(self) -> ReopenData:
        if self.reporter == "anonymous" and not self.anonymous:
            raise ValueError("an anonymous reporter needs anonymous = true")
        return self


# A step backed by a submission records the lowercase hex SHA-256 of the submission's
# canonical JSON (RFC 8785), so that the history proves which answers backed the step.
# Histories written before it existed have none, and are written back without it.
SubmissionDigest = Annotated[Digest | None, Field(exclude_if=lambda value: value is None)]


class PreliminaryDecisionData(_Data):
    """The data of ``preliminary_decision``: the outcome, read from the submission through
    its form's mapping, and the form, version and digest of that submission."""

    outcome: Outcome
    form: FormId
    form_version: Version
    submission_digest: SubmissionDigest = None


class ExtensionData(_Data):
    """The data of ``extension_granted``: a deadline rule's new due date and the reason.

    ``reason`` is free text (personal data): it is stored, never shown in messages.
    """

    rule: RuleId
    new_due_on: Day
    reason: FreeText


class FullAssessmentData(_Data):
    """The data of ``full_assessment_completed``: the decision, read from the submission
    through its form's mapping, and the form, version and digest of that submission."""

    decision: Decision
    form: FormId
    form_version: Version
    submission_digest: SubmissionDigest = None


class PlanData(_Data):
    """The data of ``plan_adopted``: the form, version and digest of the plan."""

    form: FormId
    form_version: Version
    submission_digest: SubmissionDigest = None


class PlacementData(_Data):
    """The data of ``placement_started``: the kind of placement (``foster``, ``kinship``,
    ``residential`` or ``other``) and whether it is compulsory."""

    kind: PlacementKind
    compulsory: StrictBool


class CourtApplicationData(_Data):
    """The data of ``court_application``: an application for a compulsory measure, to a
    ``court`` or a ``board``."""

    kind: CourtKind


class CourtDecisionData(_Data):
    """The data of ``decision_by_court``: who decided (``court`` or ``board``) and what
    (``granted`` or ``refused``)."""

    kind: CourtKind
    outcome: CourtOutcome


class TransferData(_Data):
    """The data of ``transferred``: the municipality that takes the case over (an opaque id
    of the caller's, as the first report's)."""

    municipality: OpaqueId


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
    | PlacementData
    | CourtApplicationData
    | CourtDecisionData
    | TransferData
    | NoData
)

#: The data class of each kind of step (a report on an open case: see :func:`payload_of`).
PAYLOADS: dict[str, type[_Data]] = dict.fromkeys(EVENT_KINDS, NoData) | {
    "report_received": ReportData,
    "reopened": ReopenData,
    "preliminary_decision": PreliminaryDecisionData,
    "extension_granted": ExtensionData,
    "full_assessment_completed": FullAssessmentData,
    "plan_adopted": PlanData,
    "closed": ClosedData,
    "placement_started": PlacementData,
    "court_application": CourtApplicationData,
    "decision_by_court": CourtDecisionData,
    "transferred": TransferData,
}


def payload_of(kind: str, seq: int | None) -> type[_Data]:
    """The data class of an event: the first report fixes the case (:class:`ReportData`), a
    report on an open case is an additional report (:class:`ReopenData`)."""
    if kind == "report_received" and seq is not None and seq > 1:
        return ReopenData
    return PAYLOADS[kind]


#: The steps that complete a stage, and the form stage whose submission they need.
FORM_STAGES: dict[str, str] = {
    "preliminary_decision": "preliminary",
    "full_assessment_completed": "full",
    "plan_adopted": "plan",
}


# What json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
# allow_nan=False) makes an encoder for on every call, made once (its encode keeps no state).
_CANONICAL: Final = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical(document: Any) -> str:
    return _CANONICAL.encode(document)


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
        # model_validate(value) without its Python wrapper: this runs for every event of
        # every history read, and the wrapper only forwards its default arguments.
        return payload_of(kind, info.data.get("seq")).__pydantic_validator__.validate_python(value)

    def content_hash(self) -> str:
        """The SHA-256 (hex) of this event's canonical JSON without ``hash``.

        An intact event has ``event.hash == event.content_hash()``.
        """
        body = self.model_dump(mode="json", exclude={"hash"})
        return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()

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
            raise invalid_event(kind, error) from error
        return draft.model_copy(update={"hash": draft.content_hash()})


def problems_of(error: ValidationError) -> list[tuple[str, str]]:
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


def invalid_event(kind: str, error: ValidationError) -> InvalidEventError:
    """pydantic's errors as an InvalidEventError: codes for programs, words for people."""
    problems: list[tuple[str, str]] = []
    messages: list[str] = []
    for item in error.errors(include_url=False, include_input=False):
        field = ".".join(str(part)[:40] for part in item["loc"]) or "event"
        problems.append((field, item["type"]))
        messages.append(_describe(field, item))
    return InvalidEventError(kind, problems, messages)


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
    payloads = sorted(set(PAYLOADS.values()), key=lambda cls: cls.__name__)
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
            "then": {"properties": {"data": {"$ref": f"#/$defs/{PAYLOADS[kind].__name__}"}}},
        }
        for kind in EVENT_KINDS
        if kind != "report_received"
    ]
    # The first report fixes the case; a report on an open case carries a reporter only.
    for seq, payload in (({"const": 1}, ReportData), ({"minimum": 2}, ReopenData)):
        event["allOf"].append(
            {
                "if": {"properties": {"kind": {"const": "report_received"}, "seq": seq}},
                "then": {"properties": {"data": {"$ref": f"#/$defs/{payload.__name__}"}}},
            }
        )
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
