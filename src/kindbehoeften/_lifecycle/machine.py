"""The state machine of an assessment: which steps each stage allows, and what each does.

The stages are ``reported``, ``preliminary``, ``full_assessment``, ``support`` and ``closed``.
Emergency protection and a placement are not stages but flags over the open stages. A
:class:`State` is derived from the events alone; :func:`advance` gives the state after one
more event, or a :class:`~kindbehoeften.errors.TransitionError` saying which steps are allowed.
:func:`verified` checks a stored history's order and hash chain before anything is replayed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from functools import cache
from operator import attrgetter
from typing import Any, Final, NamedTuple

from pydantic import TypeAdapter, ValidationError

from .._core.vocab import EVENT_KINDS, AssessmentStage, Reporter
from ..errors import IntegrityError, TransitionError
from .events import (
    GENESIS,
    PAYLOADS,
    Event,
    FullAssessmentData,
    PreliminaryDecisionData,
    ReopenData,
    ReportData,
    TransferData,
    canonical,
    problems_of,
)

__all__ = [
    "State",
    "advance",
    "allowed",
    "first_state",
    "refuse",
    "states",
    "verified",
    "verified_plain",
]

Stage = AssessmentStage

# The steps any open stage allows (besides those of the stage itself).
_ANY_OPEN = frozenset(
    {
        "extension_granted",
        "report_received",
        "court_application",
        "decision_by_court",
        "child_heard",
        "transferred",
    }
)


class State(NamedTuple):
    """What the events say so far; every field is derived from them. A named tuple: one is
    made at every event of every history replayed, and a tuple is the cheapest to make."""

    stage: Stage
    informable: bool  # a report of this cycle was not anonymous: there is a reporter to inform
    cycle_start: int  # index of the cycle's first event
    last_on: dt.date
    last_at: dt.datetime | None
    reporter: Reporter  # the reporter of the cycle's (first) report
    anonymous: bool  # whether the cycle's (first) report was anonymous
    municipality: str | None = None
    emergency_active: bool = False
    emergency_seen: bool = False  # emergency protection in this cycle
    outcome: str | None = None  # this cycle's preliminary decision
    support_started: bool = False
    support_decided: bool = False  # a decision for support in this cycle
    placed: bool = False  # a placement has started and not ended


def allowed(state: State) -> tuple[str, ...]:
    """The event kinds that may follow, in the order of the lifecycle."""
    return _allowed(*_ALLOWED_BY(state))


# What allowed() reads of a state: it is asked at every event of every history replayed, and
# has an answer for each of the few combinations, found once.
_ALLOWED_BY: Final = attrgetter(
    "stage",
    "informable",
    "emergency_active",
    "placed",
    "emergency_seen",
    "outcome",
    "support_started",
)


@cache
def _allowed(
    stage: Stage,
    informable: bool,
    emergency_active: bool,
    placed: bool,
    emergency_seen: bool,
    outcome: str | None,
    support_started: bool,
) -> tuple[str, ...]:
    steps: set[str] = set()
    if informable:
        steps.add("reporter_informed")
    if stage == "closed":
        steps.add("reopened")
    else:
        steps |= _ANY_OPEN
        steps.add("emergency_confirmed" if emergency_active else "emergency_protection")
        steps.add("placement_ended" if placed else "placement_started")
    if stage == "reported":
        steps |= {"safety_assessed", "preliminary_started", "closed"}
        if emergency_seen:
            steps.add("full_assessment_opened")
    elif stage == "preliminary":
        steps.add("safety_assessed")
        if outcome is None:
            steps.add("preliminary_decision")
            if emergency_seen:
                steps.add("full_assessment_opened")
        else:  # only open_full_assessment leaves the stage at preliminary
            steps |= {"full_assessment_opened", "closed"}
    elif stage == "full_assessment":
        steps |= {"safety_assessed", "full_assessment_completed", "closed"}
    elif stage == "support":
        steps |= {
            "safety_assessed",
            "plan_adopted",
            "support_started",
            "full_assessment_opened",
            "closed",
        }
    if placed or (stage == "support" and support_started):
        steps.add("review_held")  # of the support, or of a placement at any open stage
    return tuple(kind for kind in EVENT_KINDS if kind in steps)


def _why_not(state: State, kind: str) -> str | None:
    """A hint for a refused step, where the stage alone does not explain it."""
    if kind not in EVENT_KINDS:
        return "unknown step; the steps are the event kinds of docs/lifecycle.md"
    if kind == "reporter_informed" and not state.informable:
        return "the reports of this cycle were anonymous: there is no reporter to inform"
    if kind == "report_received" and state.stage == "closed":
        return "the case is closed: a new report reopens it (reopened)"
    if state.stage == "closed" and kind != "reopened":
        return "the case is closed; reopen it on a new report first"
    if kind == "emergency_protection":
        return "emergency protection is already active; confirm it first"
    if kind == "emergency_confirmed":
        return "no emergency protection awaits confirmation"
    if kind == "placement_started":
        return "the child is placed already; end that placement first (placement_ended)"
    if kind == "placement_ended":
        return "the child is not placed"
    if kind == "review_held" and state.stage == "support":
        return "a review follows support_started or a placement"
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


def refuse(state: State | None, kind: str) -> TransitionError:
    """The error for a step that ``state`` does not allow."""
    if state is None:
        return TransitionError(
            None, kind, ("report_received",), "a history starts with report_received"
        )
    return TransitionError(state.stage, kind, allowed(state), _why_not(state, kind))


def first_state(event: Event) -> State:
    """The state after a history's first event, which must be its report."""
    if event.kind != "report_received":
        raise refuse(None, event.kind)
    data = event.data
    assert isinstance(data, ReportData)
    return State(
        "reported",
        not data.anonymous,
        0,
        event.on,
        event.at,
        data.reporter,
        data.anonymous,
        data.municipality,
    )


def advance(state: State, event: Event, index: int) -> State:
    """The state after ``event`` (the ``index``-th, from 0); TransitionError if refused."""
    kind = event.kind
    if kind not in allowed(state):
        raise refuse(state, kind)
    if event.on < state.last_on:
        raise TransitionError(
            state.stage,
            kind,
            allowed(state),
            f"it is dated {event.on.isoformat()}, before the last event "
            f"({state.last_on.isoformat()}); give a date on or after that one",
        )
    if event.at is not None and state.last_at is not None and event.at < state.last_at:
        raise TransitionError(
            state.stage,
            kind,
            allowed(state),
            "its time (at) is before the time of an earlier event; times never go backwards",
        )
    moved: dict[str, Any] = {"last_on": event.on, "last_at": event.at or state.last_at}
    data = event.data
    if kind == "preliminary_started":
        return state._replace(**moved, stage="preliminary")
    if kind == "preliminary_decision":
        assert isinstance(data, PreliminaryDecisionData)
        stage: Stage = {
            "light_support": "support",
            "open_full_assessment": "preliminary",
        }.get(data.outcome, "closed")  # type: ignore[assignment]  # the values are stages
        decided = data.outcome == "light_support"
        return _closing(state, stage, moved | {"outcome": data.outcome, "support_decided": decided})
    if kind == "full_assessment_opened":
        return state._replace(**moved, stage="full_assessment")
    if kind == "full_assessment_completed":
        assert isinstance(data, FullAssessmentData)
        decided = data.decision in {"support", "placement"}
        return _closing(
            state, "support" if decided else "closed", moved | {"support_decided": decided}
        )
    if kind == "support_started":
        return state._replace(**moved, support_started=True)
    if kind == "emergency_protection":
        return state._replace(**moved, emergency_active=True, emergency_seen=True)
    if kind == "emergency_confirmed":
        return state._replace(**moved, emergency_active=False)
    if kind == "placement_started":
        return state._replace(**moved, placed=True)
    if kind == "placement_ended":
        return state._replace(**moved, placed=False)
    if kind == "report_received":  # an additional report on an open case
        assert isinstance(data, ReopenData)
        return state._replace(**moved, informable=state.informable or not data.anonymous)
    if kind == "transferred":
        assert isinstance(data, TransferData)
        return state._replace(**moved, municipality=data.municipality)
    if kind == "closed":
        return _closing(state, "closed", moved)
    if kind == "reopened":
        assert isinstance(data, ReopenData)
        return State(
            "reported",
            not data.anonymous,
            index,
            event.on,
            event.at or state.last_at,
            data.reporter,
            data.anonymous,
            state.municipality,
        )
    # safety_assessed, reporter_informed, extension_granted, plan, review, ...
    return state._replace(**moved)


def _closing(state: State, stage: Stage, changes: dict[str, Any]) -> State:
    """``state`` with ``changes`` at ``stage``: closing also ends any emergency protection
    that awaits confirmation, and the placement (no clock runs on a closed case)."""
    if stage == "closed":
        return state._replace(**changes, stage=stage, emergency_active=False, placed=False)
    return state._replace(**changes, stage=stage)


# --- loading -------------------------------------------------------------------------------------


def verified(items: Iterable[Event | Mapping[str, Any]], head: str | None) -> tuple[Event, ...]:
    """The events, once their order, the hash chain and each event's hash are checked."""
    if isinstance(items, str | bytes | Mapping):
        raise IntegrityError("not_a_history", detail="events must be a list of events")
    events: list[Event] = []
    prev = GENESIS
    for seq, item in enumerate(items, 1):
        body: str | None = None  # the canonical text of the event without hash, where known
        if isinstance(item, Event):
            event = item
        elif isinstance(item, Mapping):
            try:
                event = Event.model_validate(dict(item))
            except ValidationError as error:
                fields = ", ".join(sorted({field for field, _ in problems_of(error)}))
                raise IntegrityError("invalid_event", seq, fields) from error
            try:
                same, body = _canonical_and_body(item, event)
            except (TypeError, ValueError) as error:
                raise IntegrityError("not_canonical", seq) from error
            if not same:
                raise IntegrityError("not_canonical", seq)
        else:
            raise IntegrityError("invalid_event", seq, "not an object")
        if event.seq != seq:
            raise IntegrityError("seq", seq)
        if event.prev != prev:
            raise IntegrityError("prev", seq)
        if event.hash != (event.content_hash() if body is None else _sha256(body)):
            raise IntegrityError("hash", seq)
        prev = event.hash
        events.append(event)
    if not events:
        raise IntegrityError("empty")
    if head is not None and events[-1].hash != head:
        raise IntegrityError("head", len(events))
    return tuple(events)


def _canonical_and_body(item: Mapping[str, Any], event: Event) -> tuple[bool, str | None]:
    """Whether ``item`` is the canonical JSON of ``event`` (``canonical(item) ==
    canonical(event.model_dump(mode="json"))``), and the canonical text of the event without
    ``hash``, from one dump and one canonical text of each (None: not made).

    For a plain dict with text keys, the canonical text is its sorted keys and their values'
    canonical texts: two such texts are equal exactly when they are without ``hash`` and the
    ``hash`` values' texts are equal; and ``content_hash()`` is the SHA-256 of the text without
    ``hash`` (:func:`_sha256`). Any other mapping is compared whole, as it always was.
    TypeError or ValueError: ``item`` has a value JSON cannot hold."""
    if type(item) is not dict or "hash" not in item or any(type(key) is not str for key in item):
        return canonical(item) == canonical(event.model_dump(mode="json")), None
    body_text = canonical(event.model_dump(mode="json", exclude={"hash"}))
    rest = {key: value for key, value in item.items() if key != "hash"}
    same = canonical(rest) == body_text and canonical(item["hash"]) == canonical(event.hash)
    return same, body_text


def _sha256(body: str) -> str:
    """:meth:`Event.content_hash`, given the canonical text it hashes."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


# The fields of an event, each written by to_dict(); pydantic validates a list in one call.
_EVENT_KEYS: Final = frozenset(Event.model_fields)
_EVENT_LIST: Final = TypeAdapter(list[Event])
# How canonical() writes a text (with ensure_ascii=False).
_text: Final = json.encoder.encode_basestring


def verified_plain(items: object) -> tuple[Event, ...] | None:
    """:func:`verified` of a history read from JSON (a list of plain dicts), with the work of
    a whole list done at once; ``None`` where :func:`verified` might refuse or would need to
    look closer, so that it decides and names the problem. It accepts only what
    :func:`verified` accepts, and gives the same events.

    An event is canonical when ``canonical(item) == canonical(event.model_dump(mode="json"))``.
    Here each field of the dump is compared with the item's with ``==``, which is the same for
    plain JSON values (str, int, bool, None, dicts of them: what the reader gives) once ``1``
    cannot meet ``true`` or ``1.0``: every whole-number field of an event is a ``StrictInt``
    and every flag a ``StrictBool``, which refuse the other types (tests/test_lifecycle.py
    checks that they are). The dump of the whole list is not made: a text field of an event
    keeps the text read (and dumps it as it is), ``on`` is a date read from ``YYYY-MM-DD``
    only (and dumps as its ``isoformat()``); ``at`` and ``data``, whose dumps may differ from
    the text read (another layout of a time, a default left out), are dumped by their own
    serializers where they hold anything. The text without ``hash`` is then the item's own,
    and hashed as it is."""
    if type(items) is not list or not items:
        return None
    for item in items:
        if type(item) is not dict or item.keys() != _EVENT_KEYS:
            return None
    try:
        events = _EVENT_LIST.validate_python(items)
    except ValidationError:
        return None
    prev = GENESIS
    for seq, (item, event) in enumerate(zip(items, events, strict=True), 1):
        read = (item["seq"], item["kind"], item["on"], item["actor"], item["prev"], item["hash"])
        kept = (seq, event.kind, event.on.isoformat(), event.actor, prev, event.hash)
        if event.seq != seq or event.prev != prev or read != kept or not _same_data(item, event):
            return None
        if event.hash != _sha256(_body(item)):
            return None
        prev = event.hash
    return tuple(events)


def _same_data(item: dict[str, Any], event: Event) -> bool:
    """Whether ``at`` and ``data`` of ``item`` are those of ``event``'s dump (mode json)."""
    if item["at"] is not None and item["at"] != _dumped_at(event):
        return False
    data = event.data
    if type(data) in _EMPTY:
        return bool(item["data"] == {})
    dumped: dict[str, Any] = data.__pydantic_serializer__.to_python(data, mode="json")
    return bool(item["data"] == dumped)


def _dumped_at(event: Event) -> object:
    """``event.model_dump(mode="json")["at"]``, without the other fields."""
    return event.__pydantic_serializer__.to_python(event, mode="json", include=_AT)["at"]


_AT: Final = {"at"}
# The data classes without fields: their dump is {} (and their data read was {}).
_EMPTY: Final = frozenset(payload for payload in PAYLOADS.values() if not payload.model_fields)


def _body(item: dict[str, Any]) -> str:
    """``canonical(item without hash)`` of an event dict equal to its event's dump, written
    field by field: its keys are the event's, sorted as ``canonical`` sorts them, and each
    value is of its field's JSON type (text, text or null, an object, a whole number)."""
    at, data = item["at"], item["data"]
    return (
        f'{{"actor":{_text(item["actor"])},"at":{"null" if at is None else _text(at)},'
        f'"data":{canonical(data) if data else "{}"},"kind":{_text(item["kind"])},'
        f'"on":{_text(item["on"])},"prev":{_text(item["prev"])},"seq":{int.__repr__(item["seq"])}}}'
    )


def states(events: tuple[Event, ...]) -> list[State]:
    """The state after each event of a history (replayed: TransitionError if one is not
    allowed)."""
    found = [first_state(events[0])]
    for index, event in enumerate(events[1:], 1):
        found.append(advance(found[-1], event, index))
    return found
