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
safety_assessed               every open stage (a report   (same stage)
                              on an open case needs one)
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
review_held                   support, after               (same stage)
                              support_started; every open
                              stage while placed
extension_granted             every open stage             (same stage)
emergency_protection          every open stage, while      (same stage), flag set
                              not active
emergency_confirmed           while active                 (same stage), flag cleared
placement_started             every open stage, while not  (same stage), placed
                              placed
placement_ended               while placed                 (same stage)
report_received (again)       every open stage: an         (same stage)
                              additional report
court_application,            every open stage             (same stage)
decision_by_court,
child_heard, transferred
closed                        reported, full_assessment,   closed (flag cleared)
                              support; preliminary after
                              its decision
reporter_informed             every stage, unless every    (same stage)
                              report of the cycle was
                              anonymous
reopened                      closed                       reported: a new cycle
============================  ===========================  ===============================

[1] needs a completed, valid submission of the stage's form (``preliminary``, ``full``,
``plan``: the built-in ``triangle.*`` forms or forms that extend them); the event records the
form's id and version and the submission's digest (the SHA-256 of its RFC 8785 canonical
JSON). A decision's outcome comes from the submission, through the form's ``[[steps]]``
mapping. Event dates never go backwards, nor do event times where given.

>>> import datetime as dt
>>> case = Assessment.report(
...     case_id="case-1", jurisdiction="SE", on=dt.date(2026, 2, 9), actor="worker-7",
...     reporter="professional")
>>> case = case.assess_safety(dt.date(2026, 2, 9), "worker-7")
>>> case = case.start_preliminary(dt.date(2026, 2, 10), "worker-7")
>>> case.stage, case.allowed_steps()  # doctest: +NORMALIZE_WHITESPACE
('preliminary', ('report_received', 'safety_assessed', 'preliminary_decision',
 'reporter_informed', 'extension_granted', 'placement_started', 'emergency_protection',
 'court_application', 'decision_by_court', 'child_heard', 'transferred'))
>>> Assessment.from_json(case.to_json()) == case
True
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any, Final, NamedTuple

from .._core.canonical import submission_digest
from .._core.jsonread import Foreign, NonFinite, ReadError, loads, plain, read, text_of
from .._core.limits import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_DEPTH, quoted
from .._core.model import Form
from .._core.vocab import (
    ASSESSMENT_STAGES,
    DECISIONS,
    EVENT_KINDS,
    JURISDICTIONS,
    OUTCOMES,
    AssessmentStage,
    CloseReason,
    CourtKind,
    CourtOutcome,
    Decision,
    EventKind,
    Outcome,
    PlacementKind,
    Reporter,
    StepField,
    exact_str,
)
from .._forms.catalog import find_form
from .._validation.validator import validate
from ..errors import (
    FormDefinitionError,
    FormProblem,
    IncompleteAssessmentError,
    IntegrityError,
    InvalidArgumentError,
    InvalidEventError,
    TransitionError,
    UnknownFormError,
    UnknownJurisdictionError,
)
from .clocks import clock_dicts, clocks, running
from .deadlines import (
    Deadline,
    Profile,
    check_date,
    check_extension,
    given_profile,
)
from .events import (
    EVENTS_SCHEMA_ID,
    FORM_STAGES,
    GENESIS,
    ClosedData,
    CourtApplicationData,
    CourtDecisionData,
    Event,
    EventData,
    ExtensionData,
    FullAssessmentData,
    NoData,
    PlacementData,
    PlanData,
    PreliminaryDecisionData,
    ReopenData,
    ReportData,
    TransferData,
    events_schema,
)
from .machine import (
    State,
    advance,
    allowed,
    first_state,
    refuse,
    states,
    verified,
    verified_plain,
)

__all__ = [
    "ASSESSMENT_STAGES",
    "EVENTS_SCHEMA_ID",
    "EVENT_KINDS",
    "GENESIS",
    "Assessment",
    "ClosedData",
    "CourtApplicationData",
    "CourtDecisionData",
    "Event",
    "EventData",
    "ExtensionData",
    "FullAssessmentData",
    "Milestones",
    "NoData",
    "PlacementData",
    "PlanData",
    "PreliminaryDecisionData",
    "ReopenData",
    "ReportData",
    "TransferData",
    "events_schema",
]

Stage = AssessmentStage

# The step value each decision step reads from its submission, through the form's mapping.
_STEP_FIELDS: Final[dict[str, StepField]] = {
    "preliminary_decision": "outcome",
    "full_assessment_completed": "decision",
}
_STEP_VOCABULARIES: Final[dict[str, tuple[str, ...]]] = {
    "outcome": OUTCOMES,
    "decision": DECISIONS,
}
# The steps that carry a report; without ``anonymous``, it follows from the reporter.
_REPORTS: Final = frozenset({"report_received", "reopened"})


def _where(error: ReadError) -> str:
    """What the JSON reader found and where, for an IntegrityError (never a value)."""
    problem = error.problem
    text = problem.message_id
    if "line" in problem.params:
        text += f", line {problem.params['line']}, column {problem.params['column']}"
    if problem.pointer:
        text += f", at {problem.pointer}"
    return text


def _plain_text(value: Any) -> Any:
    """A caller's str subclass as its text (none of its methods runs later); else as given,
    for the event's model to name what is wrong with it."""
    return str.__str__(value) if isinstance(value, str) and type(value) is not str else value


def _is_anonymous(reporter: object) -> bool:
    return type(reporter) is str and reporter == "anonymous"


class _Backing(NamedTuple):
    """What a decision step takes from its submission."""

    form: Form
    document: dict[str, Any]
    digest: str


def _backing(step: str, submission: bytes | str | Mapping[str, Any]) -> _Backing:
    """The form, plain document and digest of a completed, valid submission of the step's
    stage; :class:`IncompleteAssessmentError` for anything else."""
    stage = FORM_STAGES[step]
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
    # valid: the reader finds nothing in it, and gives plain JSON data
    found = read(submission) if isinstance(submission, bytes | str) else plain(submission)
    document: dict[str, Any] = found.document
    if document.get("status") != "completed":
        raise IncompleteAssessmentError(step, stage, report, "draft", form.id)
    return _Backing(form, document, submission_digest(document))


def _step_value(step: str, backing: _Backing, given: object, state: State) -> str:
    """The step's outcome or decision, read from its submission; a value the caller gives
    must agree (TransitionError), and a form without the mapping cannot back the step."""
    field = _STEP_FIELDS[step]
    if given is not None and given not in _STEP_VOCABULARIES[field]:
        return str(given)  # the event refuses it: InvalidEventError naming the field
    mapping = backing.form.step_mapping(field)
    if mapping is None:
        raise FormDefinitionError(
            [
                FormProblem(
                    backing.form.key,
                    "steps",
                    f"declares no mapping of its answers to the {field} of {step}, so it "
                    f"cannot back that step; add [[steps]] with field = {field!r} "
                    "(docs/form-files.md)",
                )
            ]
        )
    value = mapping.value_of(backing.document["answers"])
    if value is None:  # pragma: no cover - a completed, valid submission answers it
        raise TransitionError(state.stage, step, allowed(state), f"the submission gives no {field}")
    if given is not None and given != value:
        raise TransitionError(
            state.stage,
            step,
            allowed(state),
            f"the {field} given ({str(given)[:40]!r}) is not the one its submission records "
            f"({value!r}, from {mapping.question}); record the submission's {field}, or "
            "change the submission",
        )
    return value


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

    __slots__ = ("_events", "_states")

    _events: tuple[Event, ...]
    _states: tuple[State, ...]  # the state after each event: the clocks read them all

    def __init__(
        self, events: Iterable[Event | Mapping[str, Any]], *, head: str | None = None
    ) -> None:
        checked = verified(_plain_events(events), _head(head))
        object.__setattr__(self, "_events", checked)
        object.__setattr__(self, "_states", tuple(states(checked)))

    @classmethod
    def _make(cls, events: tuple[Event, ...], found: tuple[State, ...]) -> Assessment:
        made = object.__new__(cls)
        object.__setattr__(made, "_events", events)
        object.__setattr__(made, "_states", found)
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
        """The municipality responsible now: the one given with the first report, or the one
        it was last ``transferred`` to; ``None`` when none was given."""
        return self._states[-1].municipality

    @property
    def placed(self) -> bool:
        """True while a placement runs (``placement_started`` without ``placement_ended``)."""
        return self._states[-1].placed

    @property
    def stage(self) -> Stage:
        """``reported``, ``preliminary``, ``full_assessment``, ``support`` or ``closed``."""
        return self._states[-1].stage

    @property
    def emergency_active(self) -> bool:
        """True while emergency protection awaits confirmation (whatever the stage)."""
        return self._states[-1].emergency_active

    @property
    def head(self) -> str:
        """The hash of the last event: keep it apart from the history to detect removed or
        rewritten events (``from_events(events, head=...)``)."""
        return self._events[-1].hash

    def allowed_steps(self) -> tuple[str, ...]:
        """The event kinds that may be recorded now, in the order of the lifecycle."""
        return allowed(self._states[-1])

    def cycle_events(self) -> tuple[Event, ...]:
        """The events of the current cycle: since the last report_received or reopened."""
        return self._events[self._states[-1].cycle_start :]

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
        between pending and overdue; the library never reads the clock. A rule runs only where
        it applies (its stages and scopes: a placement review only while a child is placed),
        once per clock (each report, each recurrence); a clock not met when the case closes or
        the rule stops applying is ``stopped``, never overdue. Granted extensions move the due
        date and show as ``extended``; an extension this profile does not allow stays in the
        history but is not applied.

        >>> import datetime as dt
        >>> case = Assessment.report(case_id="c", jurisdiction="SE", on=dt.date(2026, 11, 2),
        ...                          actor="w", reporter="professional")
        >>> case = case.assess_safety(dt.date(2026, 11, 2), "w")
        >>> [(d.rule, str(d.due_on), d.status) for d in case.deadlines(dt.date(2026, 11, 20))]
        [('safety_assessment', '2026-11-03', 'met'), ('preliminary', '2026-11-16', 'overdue')]
        """
        if today is not None:
            check_date("today", None, today)
        profile = given_profile(profile, self.jurisdiction)
        return clocks(profile, self._events, self._states, today)

    def overview(self, today: dt.date, *, profile: Profile | None = None) -> dict[str, Any]:
        """Where the case stands on ``today``, as a JSON-ready dict: ``case_id``,
        ``jurisdiction``, ``municipality``, ``stage``, ``emergency_active``, ``placed``,
        ``head``, ``today``, ``allowed_steps`` and ``deadlines`` (each as
        :meth:`Deadline.to_dict`). ``kindbehoeften case show --format json`` prints it, and
        the service answers it for ``GET /cases/{id}``. It names no answer and no free text.
        """
        check_date("today", None, today)
        return {
            "case_id": self.case_id,
            "jurisdiction": self.jurisdiction,
            "municipality": self.municipality,
            "stage": self.stage,
            "emergency_active": self.emergency_active,
            "placed": self.placed,
            "head": self.head,
            "today": today.isoformat(),
            "allowed_steps": list(self.allowed_steps()),
            "deadlines": [d.to_dict() for d in self.deadlines(today, profile=profile)],
        }

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
        if not isinstance(jurisdiction, str):  # named by its type: its __str__ never runs
            raise UnknownJurisdictionError(f"<{type(jurisdiction).__name__}>", JURISDICTIONS)
        code = str.__str__(jurisdiction).upper()  # a subclass's text, none of its methods
        if code not in known:
            raise UnknownJurisdictionError(str.__str__(jurisdiction), JURISDICTIONS)
        reporter = _plain_text(reporter)
        data = {
            "case_id": case_id,
            "jurisdiction": known[code],
            "reporter": reporter,
            "anonymous": _is_anonymous(reporter) if anonymous is None else anonymous,
            "municipality": municipality,
        }
        event = Event.create(
            seq=1, kind="report_received", on=on, actor=actor, at=at, data=data, prev=GENESIS
        )
        return cls._make((event,), (first_state(event),))

    def apply(
        self,
        kind: str,
        /,
        on: dt.date,
        actor: str,
        *,
        at: dt.datetime | None = None,
        **data: Any,
    ) -> Assessment:
        """Record the step ``kind`` with its data; the step methods call this.

        ``kind`` is given by position, so that a step's data may have a field of that name
        (a placement's ``kind``).

        ``kind`` is a plain ``str`` here, for programs that take the step as data (a command
        line, a service): an unknown one raises :class:`~kindbehoeften.errors.TransitionError`.
        The step methods type their vocabularies (``Reporter``, ``Outcome``, ``Decision``,
        ``CloseReason``), so that mypy catches a wrong value at the caller's desk.

        The steps that complete a stage (``preliminary_decision``,
        ``full_assessment_completed``, ``plan_adopted``) take ``submission=`` (bytes, text
        or a parsed dict) instead of ``form`` and ``form_version``, which come from it.

        ``report_received`` and ``reopened`` without ``anonymous`` take it from ``reporter``,
        as :meth:`receive_report` and :meth:`reopen` do; ``extension_granted`` is checked
        against the jurisdiction's shipped profile, as :meth:`grant_extension` checks it.

        Raises :class:`~kindbehoeften.errors.TransitionError` for a step not allowed now or
        dated before the last event, :class:`~kindbehoeften.errors.IncompleteAssessmentError`
        for a submission that is invalid, a draft or of another stage's form, and
        :class:`~kindbehoeften.errors.InvalidEventError` for data that does not fit.
        """
        kind = exact_str("kind", kind, " (a step such as safety_assessed)")
        return self._step(kind, on, actor, at, data, None)

    def _step(
        self,
        kind: str,
        on: dt.date,
        actor: str,
        at: dt.datetime | None,
        data: dict[str, Any],
        profile: Profile | None,
    ) -> Assessment:
        state = self._states[-1]
        if kind not in allowed(state):
            raise refuse(state, kind)
        if kind in FORM_STAGES:
            for name in ("form", "form_version", "submission_digest"):
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
                        f"{FORM_STAGES[kind]!r} form"
                    ],
                )
            backing = _backing(kind, data.pop("submission"))
            if kind in _STEP_FIELDS:
                field = _STEP_FIELDS[kind]
                data[field] = _step_value(kind, backing, data.get(field), state)
            data |= {
                "form": backing.form.id,
                "form_version": backing.form.version,
                "submission_digest": backing.digest,
            }
        if kind in _REPORTS and "anonymous" not in data and isinstance(data.get("reporter"), str):
            data["anonymous"] = data["reporter"] == "anonymous"
        index = len(self._events)
        prev = self._events[-1].hash
        event = Event.create(
            seq=index + 1, kind=kind, on=on, actor=actor, at=at, data=data, prev=prev
        )
        after = advance(state, event, index)  # refuses a step dated before the last
        if isinstance(event.data, ExtensionData):
            self._check_extension(event.data, given_profile(profile, self.jurisdiction))
        return self._make((*self._events, event), (*self._states, after))

    def _check_extension(self, granted: ExtensionData, profile: Profile) -> None:
        """An extension must name a rule of ``profile`` whose clock runs in this case, and
        stay within the rule's longest extension."""
        rule = granted.rule
        ids = [item.id for item in profile.rules]
        known = ", ".join(ids)
        if rule not in ids:
            raise InvalidEventError(
                "extension_granted",
                [("data.rule", "unknown_rule")],
                [f"data.rule must be one of the {profile.jurisdiction} profile's rules: {known}"],
            )
        clock = running(profile, self._events, self._states, rule)
        if clock is None:
            raise InvalidEventError(
                "extension_granted",
                [("data.rule", "not_running")],
                [f"data.rule {rule!r} has no running clock to extend in this case"],
            )
        try:
            check_extension(
                profile,
                profile.rule(rule),
                clock.starts_on,
                clock.original_due_on,
                granted.new_due_on,
            )
        except InvalidArgumentError as error:
            raise InvalidEventError(
                "extension_granted",
                [("data.new_due_on", "not_allowed")],
                [f"data.new_due_on is not allowed: {error}"],
            ) from error

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
        outcome: Outcome | None,
        submission: bytes | str | Mapping[str, Any],
        on: dt.date,
        actor: str,
        *,
        at: dt.datetime | None = None,
    ) -> Assessment:
        """``preliminary_decision`` on a completed, valid preliminary submission.

        The outcome is the submission's, read through its form's mapping (``[[steps]]`` with
        ``field = "outcome"``); ``outcome`` may be ``None``, or must agree with it (else
        :class:`~kindbehoeften.errors.TransitionError`). The event records the outcome, the
        form and the submission's digest. ``close``, ``universal_support`` and
        ``refer_other_service`` close the case; ``light_support`` goes to support;
        ``open_full_assessment`` stays in preliminary until :meth:`open_full_assessment`.
        A value that is no outcome raises :class:`~kindbehoeften.errors.InvalidEventError`
        naming ``data.outcome`` and the five.
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
        data = {"rule": rule, "new_due_on": new_due_on, "reason": reason}
        return self._step("extension_granted", on, actor, at, data, profile)

    def complete_full_assessment(
        self,
        decision: Decision | None,
        submission: bytes | str | Mapping[str, Any],
        on: dt.date,
        actor: str,
        *,
        at: dt.datetime | None = None,
    ) -> Assessment:
        """``full_assessment_completed`` on a completed, valid full-assessment submission.

        The decision is the submission's, read through its form's mapping (``field =
        "decision"``); ``decision`` may be ``None``, or must agree with it (else
        :class:`~kindbehoeften.errors.TransitionError`). ``support`` and ``placement`` go to
        support; ``no_measures`` and ``refer_other_service`` close the case. A value that is
        no decision raises :class:`~kindbehoeften.errors.InvalidEventError` naming
        ``data.decision`` and the four.
        """
        return self.apply(
            "full_assessment_completed", on, actor, at=at, decision=decision, submission=submission
        )

    def adopt_plan(
        self,
        submission: bytes | str | Mapping[str, Any],
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

    def receive_report(
        self,
        reporter: Reporter,
        on: dt.date,
        actor: str,
        anonymous: bool | None = None,
        *,
        at: dt.datetime | None = None,
    ) -> Assessment:
        """``report_received`` on an open case: an additional report, with clocks of its own
        (Sweden: its own protection assessment). ``reporter`` and ``anonymous`` are as in
        :meth:`report`; on a closed case a new report is :meth:`reopen`."""
        flag = reporter == "anonymous" if anonymous is None else anonymous
        return self.apply("report_received", on, actor, at=at, reporter=reporter, anonymous=flag)

    def start_placement(
        self,
        kind: PlacementKind,
        compulsory: bool,
        on: dt.date,
        actor: str,
        *,
        at: dt.datetime | None = None,
    ) -> Assessment:
        """``placement_started``: the child is placed out of the home (``foster``, ``kinship``,
        ``residential`` or ``other``; ``compulsory`` or voluntary), in any open stage; the
        placement's clocks (reviews) run until :meth:`end_placement` or closing."""
        return self.apply("placement_started", on, actor, at=at, kind=kind, compulsory=compulsory)

    def end_placement(
        self, on: dt.date, actor: str, *, at: dt.datetime | None = None
    ) -> Assessment:
        """``placement_ended``: the child's placement ended (only while placed)."""
        return self.apply("placement_ended", on, actor, at=at)

    def apply_to_court(
        self, kind: CourtKind, on: dt.date, actor: str, *, at: dt.datetime | None = None
    ) -> Assessment:
        """``court_application``: an application for a compulsory measure, to a ``court`` or
        a ``board`` (Sweden: the care application after an immediate custody, LVU 8 §)."""
        return self.apply("court_application", on, actor, at=at, kind=kind)

    def record_court_decision(
        self,
        kind: CourtKind,
        outcome: CourtOutcome,
        on: dt.date,
        actor: str,
        *,
        at: dt.datetime | None = None,
    ) -> Assessment:
        """``decision_by_court``: a ``court`` or ``board`` decided (``granted`` or
        ``refused``)."""
        return self.apply("decision_by_court", on, actor, at=at, kind=kind, outcome=outcome)

    def hear_child(self, on: dt.date, actor: str, *, at: dt.datetime | None = None) -> Assessment:
        """``child_heard``: the child was heard (separately, in their own words)."""
        return self.apply("child_heard", on, actor, at=at)

    def transfer(
        self, municipality: str, on: dt.date, actor: str, *, at: dt.datetime | None = None
    ) -> Assessment:
        """``transferred``: another municipality (an opaque id, as the first report's) takes
        the case over; :attr:`municipality` is then that one."""
        return self.apply("transferred", on, actor, at=at, municipality=municipality)

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
        change to it, raises :class:`~kindbehoeften.errors.IntegrityError`.

        The caller's objects go no further than a plain copy (held to the limits of a
        history's JSON text): subclasses of dict, list, str and int are read as their values
        without calling a method of theirs, and a value that JSON cannot hold is an
        IntegrityError naming its place.
        """
        if isinstance(document, Mapping) and not isinstance(document, dict):
            document = dict(document)  # a mapping of the caller's own kind: its items
        copied = plain(document, max_bytes=MAX_DOCUMENT_BYTES, max_depth=MAX_DOCUMENT_DEPTH)
        if copied.problems:
            raise _refused(copied.problems[0].pointer, copied.problems[0].message_id)
        if _holds_foreign(copied.document):  # a date object, a set ...: the checks name it
            return from_read(document, head=_head(head))
        return from_read(copied.document, head=_head(head))

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
        text = text_of(text)  # a subclass's text, none of its methods; TypeError for no text
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


def from_read(document: object, *, head: str | None = None) -> Assessment:
    """:meth:`Assessment.from_dict` of a document of plain JSON values (what the library's
    reader or its plain copy gives), without copying it again: a store reads its events with
    that reader."""
    if type(document) is not dict or document.keys() != _HISTORY_KEYS:
        raise IntegrityError(
            "not_a_history", detail="it needs exactly the keys $schema, case_id and events"
        )
    # Compared as text only: a caller's object that JSON cannot hold is never called.
    schema, case_id = document["$schema"], document["case_id"]
    if type(schema) is not str or schema != EVENTS_SCHEMA_ID:
        raise IntegrityError("not_a_history", detail=f"$schema must be {EVENTS_SCHEMA_ID}")
    if type(document["events"]) is not list:
        raise IntegrityError("not_a_history", detail="events must be a list")
    events = verified(document["events"], head)
    first = events[0].data
    if isinstance(first, ReportData) and (type(case_id) is not str or case_id != first.case_id):
        raise IntegrityError("case_id")
    return Assessment._make(events, tuple(states(events)))


def _plain_events(items: Iterable[Event | Mapping[str, Any]]) -> Iterable[Any]:
    """The events of :meth:`Assessment.from_events`, each mapping of the caller's as the plain
    copy that :meth:`Assessment.from_dict` reads (an Event as it is): a subclass's methods
    never run, and a value JSON cannot hold is an IntegrityError naming its place."""
    if isinstance(items, str | bytes | Mapping):
        return items  # not a list of events: verified() says so
    return (_plain_event(seq, item) for seq, item in enumerate(items))


def _plain_event(index: int, item: object) -> Any:
    if not isinstance(item, Mapping) or isinstance(item, Event):
        return item
    given = item if isinstance(item, dict) else dict(item)
    copied = plain(given, max_bytes=MAX_DOCUMENT_BYTES, max_depth=MAX_DOCUMENT_DEPTH)
    if copied.problems:
        problem = copied.problems[0]
        raise _refused(f"/events/{index}{problem.pointer}", problem.message_id)
    return given if _holds_foreign(copied.document) else copied.document


def _holds_foreign(document: object) -> bool:
    """Whether the plain copy of a caller's history holds a value JSON cannot (a date
    object, a set, NaN): then the history itself is checked, as it always was, and the
    event model or the canonical text names it (``invalid_event``, ``not_canonical``)."""
    stack = [document]
    while stack:
        value = stack.pop()
        if type(value) is dict:
            stack.extend(value.values())
        elif type(value) is list:
            stack.extend(value)
        elif isinstance(value, Foreign | NonFinite):
            return True
    return False


def _head(head: object) -> str | None:
    """The expected head as exactly a str (a subclass's characters, none of its methods)."""
    return None if head is None else exact_str("head", head)


def _refused(pointer: str, what: str) -> IntegrityError:
    """The IntegrityError of a value that the plain copy of a history refused, at ``pointer``
    (a place, never a value): in the event it is in, where it is in one."""
    parts = pointer.split("/")
    place = quoted(pointer)
    if len(parts) > 2 and parts[1] == "events" and parts[2].isdigit():
        return IntegrityError("invalid_event", int(parts[2]) + 1, f"{what}, at {place}")
    return IntegrityError("not_a_history", detail=f"{what}, at {place}")


def from_plain(document: object) -> Assessment | None:
    """:meth:`Assessment.from_dict` of a history read from JSON, with its events verified a
    list at a time (:func:`~kindbehoeften._lifecycle.machine.verified_plain`); ``None`` where
    ``from_dict`` might refuse the history, which then decides and names the problem. A
    history that is not allowed raises as in ``from_dict``."""
    if type(document) is not dict or document.keys() != _HISTORY_KEYS:
        return None
    if document["$schema"] != EVENTS_SCHEMA_ID:
        return None
    events = verified_plain(document["events"])
    if events is None:
        return None
    first = events[0].data
    if isinstance(first, ReportData) and document["case_id"] != first.case_id:
        return None
    return Assessment._make(events, tuple(states(events)))


_HISTORY_KEYS: Final = frozenset({"$schema", "case_id", "events"})


def deadline_dicts(
    assessment: Assessment, today: dt.date | None = None, *, profile: Profile | None = None
) -> list[dict[str, str | bool | None]]:
    """``[deadline.to_dict() for deadline in assessment.deadlines(today, profile=profile)]``,
    made without the :class:`Deadline` models (a record's deadlines are compared with it)."""
    profile = given_profile(profile, assessment.jurisdiction)
    return clock_dicts(profile, assessment._events, assessment._states, today)


__test__ = {"Assessment": Assessment}
