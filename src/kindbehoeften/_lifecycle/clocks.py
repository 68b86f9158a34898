"""The legal clocks of an assessment: each rule of its jurisdiction, run over its history.

A clock of a rule starts at each occurrence of the rule's start event (a case's report and
``reopened`` count as ``report_received``), when the case is then in one of the rule's stages
(``during``) and the rule's scopes hold (``applies``: a placement, a decision for support, a
reporter who is not anonymous or is a professional; for a clock started by a report, that
report's own reporter, for another clock any reporter of the cycle so far). A clock is met
by the first of the rule's end events after its start; it stops, never to be overdue, when
the case closes or leaves the rule's stages or a scope ends first (a placement ended). A rule
that ``recurs`` starts again from each end event, while it applies. An extension moves the
due date of the rule's running clock, when the profile allows it.

Each clock is one :class:`~kindbehoeften.Deadline`: so a rule appears once per running clock
(each report, each recurrence). Only the current cycle's clocks are given: those of a cycle
before a reopening stopped when it closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from .._core.vocab import Reporter
from ..errors import InvalidArgumentError
from .deadlines import Deadline, Profile, Rule, check_extension, clock_start, due_date, status
from .events import Event, ExtensionData, ReopenData, ReportData
from .machine import State

__all__ = ["clock_dicts", "clocks", "running"]

Report = tuple[Reporter, bool]  # who reported, and whether anonymously


@dataclass(slots=True)
class _Clock:
    rule: Rule
    order: int  # the rule's place in the profile
    started_at: int  # index of the start event
    starts_on: dt.date
    original_due: dt.date
    due: dt.date
    reports: tuple[Report, ...]  # the reports whose reporters its scopes are about
    extended: bool = False
    met_on: dt.date | None = None
    stopped_on: dt.date | None = None


def _reports_of(event: Event, cycle: tuple[Report, ...]) -> tuple[Report, ...]:
    """The reports a clock started by ``event`` is about: a report's own; else every report
    of the cycle so far (each public reporter is told after an investigation, Norway)."""
    data = event.data
    if isinstance(data, ReportData | ReopenData):
        return ((data.reporter, data.anonymous),)
    return cycle


def _applies(rule: Rule, state: State, reports: tuple[Report, ...]) -> bool:
    if state.stage not in rule.during:
        return False
    if state.outcome is not None and set(rule.ends) <= {"preliminary_decision"}:
        return False  # decided already: the decision is taken once a cycle, nothing can meet it
    for scope in rule.applies:
        if scope == "placed" and not state.placed:
            return False
        if scope == "support_decided" and not state.support_decided:
            return False
        if scope == "not_anonymous" and all(anonymous for _, anonymous in reports):
            return False
        if scope == "professional_reporter" and not any(
            reporter == "professional" and not anonymous for reporter, anonymous in reports
        ):
            return False
    return True


def _run(profile: Profile, events: Sequence[Event], states: Sequence[State]) -> list[_Clock]:
    """Every clock of the current cycle, in the order they started."""
    start = states[-1].cycle_start
    found: list[_Clock] = []
    running: list[_Clock] = []
    cycle: tuple[Report, ...] = ()  # the cycle's reports so far
    # The rules that each kind of event starts, with their place in the profile: asked at
    # every event, found once a run.
    starting: dict[str, list[tuple[int, Rule]]] = {}
    for order, rule in enumerate(profile.rules):
        starting.setdefault(rule.starts, []).append((order, rule))
    for index in range(start, len(events)):
        event, state = events[index], states[index]
        data = event.data
        if isinstance(data, _REPORTS):
            cycle += ((data.reporter, data.anonymous),)
        elif isinstance(data, ExtensionData):
            _extend(profile, running, data)
        if running:
            _meet_and_stop(profile, running, found, event, state, index)
        rules = starting.get("report_received" if event.kind == "reopened" else event.kind)
        if rules:
            reports = _reports_of(event, cycle)
            for order, rule in rules:
                if _applies(rule, state, reports):
                    made = _Clock(rule, order, index, event.on, event.on, event.on, reports)
                    clock = _started(profile, rule, order, index, event.on, made)
                    found.append(clock)
                    running.append(clock)
    return found


_REPORTS: Final = (ReportData, ReopenData)


def _meet_and_stop(
    profile: Profile,
    running: list[_Clock],
    found: list[_Clock],
    event: Event,
    state: State,
    index: int,
) -> None:
    """The running clocks that ``event`` meets (and the next clock of a rule that recurs),
    then those that stop because their rule no longer applies."""
    recurred: set[str] = set()
    for clock in [c for c in running if event.kind in c.rule.ends]:
        clock.met_on = event.on
        running.remove(clock)
        if clock.rule.id in recurred:
            continue  # one next clock per occurrence, however many clocks it met
        if clock.rule.recurs and _applies(clock.rule, state, clock.reports):
            recurred.add(clock.rule.id)
            again = _started(profile, clock.rule, clock.order, index, event.on, clock)
            found.append(again)
            running.append(again)
    for clock in [c for c in running if not _applies(c.rule, state, c.reports)]:
        clock.stopped_on = event.on
        running.remove(clock)


def _started(
    profile: Profile, rule: Rule, order: int, index: int, on: dt.date, like: _Clock
) -> _Clock:
    begins = clock_start(profile, rule, on)
    due = due_date(profile, rule, begins)
    return _Clock(rule, order, index, begins, due, due, like.reports)


def _extend(profile: Profile, running: list[_Clock], data: ExtensionData) -> None:
    """Move the due date of the rule's latest running clock, if the profile allows it; an
    extension it does not allow (one made under another municipality's rules) stays in the
    history but is not applied."""
    for clock in reversed(running):
        if clock.rule.id == data.rule:
            try:
                check_extension(
                    profile, clock.rule, clock.starts_on, clock.original_due, data.new_due_on
                )
            except InvalidArgumentError:
                return
            clock.due, clock.extended = data.new_due_on, True
            return


def _ordered(profile: Profile, events: Sequence[Event], states: Sequence[State]) -> list[_Clock]:
    """The clocks of the current cycle in profile order, then by start."""
    return sorted(_run(profile, events, states), key=lambda c: (c.order, c.started_at))


def clocks(
    profile: Profile,
    events: Sequence[Event],
    states: Sequence[State],
    today: dt.date | None = None,
) -> tuple[Deadline, ...]:
    """The clocks of the current cycle as deadlines, in profile order, then by start."""
    return tuple(
        Deadline(
            rule=clock.rule.id,
            label=clock.rule.label,
            starts_on=clock.starts_on,
            due_on=clock.due,
            original_due_on=clock.original_due,
            met_on=clock.met_on,
            status=status(clock.due, clock.met_on, today, clock.stopped_on),
            basis=clock.rule.basis,
            kind=clock.rule.kind,
            extended=clock.extended,
            stopped_on=clock.stopped_on,
        )
        for clock in _ordered(profile, events, states)
    )


def clock_dicts(
    profile: Profile,
    events: Sequence[Event],
    states: Sequence[State],
    today: dt.date | None = None,
) -> list[dict[str, str | bool | None]]:
    """:func:`clocks` as :meth:`Deadline.to_dict` writes each, keys in the same order, made
    without the models: a record's deadlines are compared with these for every record read,
    and the values are the profile's and the clocks' own, with nothing to validate."""
    return [
        {
            "rule": clock.rule.id,
            "label": clock.rule.label,
            "starts_on": clock.starts_on.isoformat(),
            "due_on": clock.due.isoformat(),
            "met_on": None if clock.met_on is None else clock.met_on.isoformat(),
            "status": status(clock.due, clock.met_on, today, clock.stopped_on),
            "basis": clock.rule.basis,
            "kind": clock.rule.kind,
            "extended": clock.extended,
            "original_due_on": clock.original_due.isoformat(),
            "stopped_on": None if clock.stopped_on is None else clock.stopped_on.isoformat(),
        }
        for clock in _ordered(profile, events, states)
    ]


def running(
    profile: Profile, events: Sequence[Event], states: Sequence[State], rule_id: str
) -> Deadline | None:
    """The latest running (neither met nor stopped) clock of ``rule_id``, if any."""
    found = [
        deadline
        for deadline in clocks(profile, events, states)
        if deadline.rule == rule_id and deadline.met_on is None and deadline.stopped_on is None
    ]
    return found[-1] if found else None
