"""Jurisdiction profiles and the deadline engine: the legal clock of an assessment.

A jurisdiction profile (``jurisdictions/SE.toml`` and its siblings, shipped in the wheel) is
data: each rule names the event that starts its clock, the event that meets it, its length, its
kind (``statute`` or ``norm``), its legal basis and whether it may be extended.
:func:`load_profile` reads one, optionally with a municipality's override file;
:func:`compute_deadlines` turns a profile and the dates of events into :class:`Deadline` values.

How lengths are counted:

- ``days`` and ``weeks``: plain calendar addition. A due date never moves because it falls on a
  weekend or a public holiday: the law counts calendar days. Some national acts on computing
  statutory time (Sweden's 1930:173, Finland's 150/1930) move a period that ends on a holiday
  to the next working day; this library shows the earlier, unmoved date on purpose, so that a
  deadline shown is never later than the one the law sets.
- ``months``: calendar months, clamped to the end of a shorter month: 31 October + 4 months is
  28 February (29 in a leap year).
- ``working_days``: Monday to Friday, less the jurisdiction's public holidays from the
  ``holidays`` package (plus the days the package marks as treated like public holidays by law,
  e.g. Sweden's Midsummer Eve, Christmas Eve and New Year's Eve). Counting starts on the next
  working day after the start: day 1 is the first working day after the start date. Holidays
  are loaded once per country, subdivision and year, when a deadline first reaches that year.

The library never asks the clock for the date: the caller passes ``today``.

Errors (see :mod:`kindbehoeften.errors` for the whole hierarchy)::

    KindbehoeftenError(Exception)
    ├── FormDefinitionError(ValueError)          a profile or override file is broken
    ├── UnknownJurisdictionError(LookupError)    no profile for that jurisdiction code
    └── InvalidArgumentError(ValueError)         input that does not fit: an unknown event
                                                 kind, an extension that the rule does not
                                                 allow, working days without a country, a
                                                 date beyond the year 9999

``Profile.rule(rule_id)`` is a lookup by key and raises ``KeyError``, as a mapping does.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Final

import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .._core.limits import quoted
from .._core.tomllines import KeyPath
from .._core.vocab import (
    CLOSED_DAYS,
    EVENT_KINDS,
    IDENTIFIER_MAX,
    IDENTIFIER_PATTERN,
    JURISDICTIONS,
    OPEN_STAGES,
    RULE_KINDS,
    SCOPES,
    UNITS,
    WORKING_DAY_COUNTS,
    AssessmentStage,
    ClosedDay,
    EventKind,
    RuleKind,
    Scope,
    Unit,
    WorkingDayCount,
    exact_str,
)
from .._core.vocab import DeadlineStatus as Status
from .._forms.checked import is_checked
from .._forms.datafiles import (
    Problems,
    check_shape,
    error_order,
    parse,
    parse_checked,
    read_data_file,
    schema_problem,
)
from ..errors import InvalidArgumentError, UnknownJurisdictionError

if TYPE_CHECKING:
    import jsonschema

__all__ = [
    "EVENT_KINDS",
    "JURISDICTIONS",
    "UNITS",
    "Deadline",
    "Length",
    "Profile",
    "Rule",
    "UnknownJurisdictionError",
    "add_length",
    "check_date",
    "compute_deadlines",
    "given_profile",
    "is_working_day",
    "jurisdiction_schema",
    "load_profile",
]

MAX_AMOUNT = 999
_ONE_DAY = dt.timedelta(days=1)
_NO_DATES: Mapping[str, dt.date] = MappingProxyType({})
_REQUIRED_RULE_KEYS = ("id", "label", "starts", "ends", "length", "kind", "basis")
# The keys of a problem between two keys of a rule (see _rule_problems), both ways.
_PARTNER_KEYS = {
    "ends": "starts",
    "starts": "ends",
    "max_extension": "extendable",
    "extendable": "max_extension",
}


# --- the model ----------------------------------------------------------------------------


class Length(BaseModel):
    """A length of time: an amount of ``days``, ``weeks``, ``months`` or ``working_days``.

    >>> str(Length(amount=45, unit="working_days"))
    '45 working days'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Annotated[int, Field(strict=True, ge=1, le=MAX_AMOUNT)]
    unit: Unit

    def __str__(self) -> str:
        unit = self.unit.replace("_", " ")
        return f"{self.amount} {unit[:-1] if self.amount == 1 else unit}"


def _one_or_more(value: object) -> object:
    return (value,) if isinstance(value, str) else value


class Rule(BaseModel):
    """One legal clock: from the event ``starts`` until one of the events ``ends``, within
    ``length`` (counted from ``offset`` after the start, when a rule has one).

    ``kind`` says whether the rule is law (``statute``) or a sector norm (``norm``); ``basis``
    names the legal source. An ``extendable`` rule may be given a later due date, at most
    ``max_extension`` after the original one when that is set.

    Where it applies: a clock starts only while the case is in one of the stages ``during``
    (by default every open stage) and every scope of ``applies`` holds (``placed``,
    ``support_decided``, ``not_anonymous``, ``professional_reporter``); it stops (status
    ``stopped``) when the case closes, leaves those stages or a scope ends before the clock is
    met. A rule that ``recurs`` starts again from each occurrence of its end event, while it
    applies (a placement reviewed every 6 months).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(pattern=IDENTIFIER_PATTERN, max_length=IDENTIFIER_MAX)]
    label: Annotated[str, Field(min_length=1, max_length=200)]
    starts: EventKind
    ends: Annotated[tuple[EventKind, ...], BeforeValidator(_one_or_more), Field(min_length=1)]
    length: Length
    kind: RuleKind
    basis: Annotated[str, Field(min_length=1, max_length=2000)]
    extendable: bool = False
    max_extension: Length | None = None
    note: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    applies: tuple[Scope, ...] = ()
    during: Annotated[tuple[AssessmentStage, ...], Field(min_length=1)] = OPEN_STAGES
    recurs: bool = False
    offset: Length | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        problems = _rule_problems(self.model_dump())
        if problems:
            raise ValueError("; ".join(f"{key}: {message}" for key, message in problems))
        return self


class WorkingDays(BaseModel):
    """How a profile counts working days where the law leaves a choice, with its source.

    ``count_from`` is ``next_working_day`` (day 1 is the first working day after the start:
    the default) or ``start_day`` (the start day is day 1, as the DfE's CIN census validator
    counts: one working day earlier on every date, a start on a weekend or a holiday too; one
    working day from such a start is still the next working day); ``closed`` names days that
    are not working days besides the calendar's public holidays (``christmas_eve``,
    ``midsummer_eve``, ``new_years_eve``); ``basis`` says why.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    count_from: WorkingDayCount = "next_working_day"
    closed: tuple[ClosedDay, ...] = ()
    basis: Annotated[str, Field(min_length=1, max_length=2000)] | None = None


class Profile(BaseModel):
    """The rules of one jurisdiction, with the public holidays its working days skip.

    >>> profile = load_profile("se")
    >>> profile.jurisdiction, profile.rule("preliminary").length.amount
    ('SE', 14)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    jurisdiction: Annotated[str, Field(min_length=1, max_length=16)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    holidays_country: Annotated[str, Field(min_length=2, max_length=3)]
    holidays_subdivision: str | None = None
    working_days: WorkingDays = WorkingDays()
    rules: tuple[Rule, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> Profile:
        for _, rule_id in _duplicates([rule.id for rule in self.rules]):
            raise ValueError(f"rule id {rule_id!r} is used twice")
        return self

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id; ``KeyError`` naming the known ids if there is none."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        known = ", ".join(rule.id for rule in self.rules)
        # A lookup by key, as in a mapping: KeyError is its contract (see errors.py).
        raise KeyError(f"no rule {rule_id!r} in the {self.jurisdiction} profile; known: {known}")


class Deadline(BaseModel):
    """Where one rule stands: when its clock started, when it is due, and whether it was met.

    ``due_on`` includes a granted extension; ``original_due_on`` does not. ``status`` is
    ``met`` (met on or before the due date), ``met_late``, ``overdue`` (not met and ``today``
    is after the due date), ``pending``, or ``stopped`` (the clock stopped on ``stopped_on``
    before it was met: the case closed, or the rule stopped applying; never overdue).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str
    label: str
    starts_on: dt.date
    due_on: dt.date
    original_due_on: dt.date
    met_on: dt.date | None
    status: Status
    basis: str
    kind: RuleKind
    extended: bool
    stopped_on: dt.date | None = None

    def to_dict(self) -> dict[str, str | bool | None]:
        """JSON-ready data, dates as ISO text.

        >>> deadline = compute_deadlines(
        ...     load_profile("NL"), starts={"report_received": dt.date(2027, 4, 23)}
        ... )[0]
        >>> deadline.to_dict()["due_on"], deadline.to_dict()["status"]
        ('2027-05-03', 'pending')
        """
        return {
            "rule": self.rule,
            "label": self.label,
            "starts_on": self.starts_on.isoformat(),
            "due_on": self.due_on.isoformat(),
            "met_on": None if self.met_on is None else self.met_on.isoformat(),
            "status": self.status,
            "basis": self.basis,
            "kind": self.kind,
            "extended": self.extended,
            "original_due_on": self.original_due_on.isoformat(),
            "stopped_on": None if self.stopped_on is None else self.stopped_on.isoformat(),
        }


def _duplicates(ids: Iterable[str]) -> Iterable[tuple[int, str]]:
    seen: set[str] = set()
    for index, item in enumerate(ids):
        if item in seen:
            yield index, item
        seen.add(item)


def _rule_problems(rule: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What a schema cannot say about one rule, as (key, message) pairs."""
    problems: list[tuple[str, str]] = []
    ends = rule.get("ends")
    ends = (ends,) if isinstance(ends, str) else tuple(ends or ())
    if rule.get("starts") is not None and rule.get("starts") in ends:
        problems.append(
            (
                "ends",
                f"is the event that starts the rule ({rule['starts']!r}); name the event "
                "that meets the deadline",
            )
        )
    if "closed" in (rule.get("during") or ()):
        problems.append(
            ("during", "names the stage closed: no clock runs on a closed case; leave it out")
        )
    if rule.get("max_extension") is not None and not rule.get("extendable", False):
        problems.append(
            (
                "max_extension",
                "is only allowed on a rule with extendable = true; set it, or "
                "leave max_extension out",
            )
        )
    return problems


# --- date arithmetic ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Calendar:
    """What counting working days needs: the holidays' country, and the profile's choices."""

    country: str | None
    subdivision: str | None = None
    count_from: WorkingDayCount = "next_working_day"
    closed: tuple[ClosedDay, ...] = ()


def _calendar_of(profile: Profile) -> _Calendar:
    settings = profile.working_days
    return _Calendar(
        profile.holidays_country,
        profile.holidays_subdivision,
        settings.count_from,
        settings.closed,
    )


def add_length(
    start: dt.date,
    length: Length,
    *,
    holidays_country: str | None = None,
    holidays_subdivision: str | None = None,
    profile: Profile | None = None,
) -> dt.date:
    """The day ``length`` after ``start``; working days need the holidays' country, or a
    ``profile`` (whose country and working-day choices are then used).

    :class:`~kindbehoeften.errors.InvalidArgumentError` for working days without
    ``holidays_country`` (or with one the ``holidays`` package does not know), and for a day
    beyond the year 9999.

    >>> add_length(dt.date(2026, 10, 31), Length(amount=4, unit="months"))
    datetime.date(2027, 2, 28)
    >>> add_length(dt.date(2026, 12, 22), Length(amount=7, unit="working_days"),
    ...            holidays_country="FI")
    datetime.date(2027, 1, 5)
    """
    where = (
        _calendar_of(profile)
        if profile is not None
        else _Calendar(holidays_country, holidays_subdivision)
    )
    return _shift(start, length.amount, length.unit, where, "start")


def _shift(start: dt.date, amount: int, unit: Unit, where: _Calendar, argument: str) -> dt.date:
    """``amount`` ``unit`` after ``start``; ``argument`` names the start in an error."""
    try:
        if unit == "days":
            return start + dt.timedelta(days=amount)
        if unit == "weeks":
            return start + dt.timedelta(weeks=amount)
        if unit == "months":
            return _add_months(start, amount)
        if where.country is None:
            raise InvalidArgumentError(
                "holidays_country",
                "working days need a country for public holidays: give holidays_country "
                "(e.g. 'SE')",
            )
        return _add_working_days(start, amount, where)
    except OverflowError as error:
        words = unit.replace("_", " ").removesuffix("s" if amount == 1 else "")
        raise InvalidArgumentError(
            argument,
            f"{amount} {words} after {start} is beyond the year 9999: give an earlier date",
        ) from error


def _add_months(start: dt.date, months: int) -> dt.date:
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if year > dt.MAXYEAR:
        raise OverflowError("date value out of range")
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# Cached: the same clocks start on the same days across a store's records, and a day counted
# is a day of the holidays' calendar, itself loaded once per country and year.
@lru_cache(maxsize=4096)
def _add_working_days(start: dt.date, amount: int, where: _Calendar) -> dt.date:
    assert where.country is not None
    country, subdivision, closed = where.country, where.subdivision, where.closed
    day, counted = start, 0
    if where.count_from == "start_day" and (
        amount > 1 or is_working_day(start, country, subdivision, closed)
    ):
        # The start day is day 1, as the DfE's CIN census validator counts (start plus
        # amount - 1 working days, a start on a day off rolled back to the working day before).
        counted = 1
    while counted < amount:
        day += _ONE_DAY
        if is_working_day(day, country, subdivision, closed):
            counted += 1
    return day


def is_working_day(
    day: dt.date,
    country: str,
    subdivision: str | None = None,
    closed: Iterable[ClosedDay] = (),
) -> bool:
    """Monday to Friday, not a public holiday of ``country`` (and ``subdivision``), and none
    of the ``closed`` days a profile adds (``christmas_eve``, ``midsummer_eve``: the Friday
    from 19 to 25 June, ``new_years_eve``).

    >>> is_working_day(dt.date(2027, 4, 27), "NL")   # King's Day
    False
    >>> is_working_day(dt.date(2027, 4, 28), "NL")
    True
    >>> is_working_day(dt.date(2027, 12, 24), "GB", closed=["christmas_eve"])
    False
    """
    if day.weekday() >= 5:
        return False
    if any(_CLOSED[name](day) for name in closed):
        return False
    if day in _holidays_in(country, subdivision, day.year):
        return False
    # An observed holiday can be listed under the next year (1 January on a Saturday).
    return not (day.month == 12 and day in _holidays_in(country, subdivision, day.year + 1))


_CLOSED: dict[str, Callable[[dt.date], bool]] = {
    "christmas_eve": lambda day: (day.month, day.day) == (12, 24),
    "new_years_eve": lambda day: (day.month, day.day) == (12, 31),
    "midsummer_eve": lambda day: day.month == 6 and 19 <= day.day <= 25 and day.weekday() == 4,
}


@lru_cache(maxsize=1024)
def _holidays_in(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    """The holidays that the calendar of ``country`` lists for ``year``, loaded once each.
    ``holidays`` is imported here, when working days are first counted, and loads the
    calendar of this one country."""
    import holidays

    try:
        found = holidays.country_holidays(
            country,
            subdiv=subdivision,
            years=year,
            categories=_categories(country, subdivision),
        )
    except NotImplementedError as error:
        raise InvalidArgumentError(
            "holidays_country",
            f"no public holidays known for country {country[:40]!r}"
            + (f" subdivision {subdivision[:40]!r}" if subdivision else "")
            + "; use a code from holidays.list_supported_countries()",
        ) from error
    return frozenset(found)


@cache
def _categories(country: str, subdivision: str | None) -> tuple[str, ...]:
    """Public holidays, plus days the law treats alike where the calendar knows them."""
    import holidays

    try:
        supported = holidays.country_holidays(country, subdiv=subdivision).supported_categories
    except NotImplementedError:
        return ("public",)
    return tuple(category for category in ("public", "de_facto") if category in supported)


# --- deadlines ----------------------------------------------------------------------------


def compute_deadlines(
    profile: Profile,
    *,
    starts: Mapping[str, dt.date],
    ends: Mapping[str, dt.date] = _NO_DATES,
    extensions: Mapping[str, dt.date] = _NO_DATES,
    today: dt.date | None = None,
    stopped_on: dt.date | None = None,
    scopes: Iterable[Scope] | None = None,
) -> tuple[Deadline, ...]:
    """One :class:`Deadline` per rule of ``profile`` whose start is known, in profile order:
    the arithmetic of the rules on the dates given, for "what if" questions (the command
    ``kindbehoeften deadlines``). An assessment's own clocks, with each rule's scope, stages,
    recurrences and stops, come from :meth:`kindbehoeften.Assessment.deadlines`.

    ``starts`` maps event kinds to the date of the event, ``ends`` likewise for the events
    that meet rules, ``extensions`` maps a rule id to its granted new due date. ``today``
    decides between ``pending`` and ``overdue``; without it an unmet deadline is ``pending``.
    ``stopped_on`` is the day the case closed: a clock not met by then is ``stopped``, never
    overdue. ``scopes`` lists the scopes that hold (e.g. ``["professional_reporter"]``): a
    rule that applies only within a scope not listed is left out; without ``scopes`` every
    rule is computed. An end event on or before the start also meets a rule.

    Raises :class:`~kindbehoeften.errors.InvalidArgumentError` (a ``ValueError``) for an
    unknown event kind or rule id, a value that is not a ``datetime.date``, an extension that
    the rule does not allow, a scope it does not know, or a due date beyond the year 9999;
    its ``argument`` is ``starts``, ``ends``, ``extensions``, ``stopped_on`` or ``scopes``.

    >>> profile = load_profile("SE")
    >>> deadlines = compute_deadlines(
    ...     profile,
    ...     starts={"report_received": dt.date(2026, 11, 2)},
    ...     ends={"safety_assessed": dt.date(2026, 11, 2)},
    ...     today=dt.date(2026, 11, 20),
    ... )
    >>> [(item.rule, str(item.due_on), item.status) for item in deadlines]
    [('safety_assessment', '2026-11-03', 'met'), ('preliminary', '2026-11-16', 'overdue')]
    """
    profile = _a_profile(profile)
    _check_event_kinds("starts", starts)
    _check_event_kinds("ends", ends)
    if stopped_on is not None:
        check_date("stopped_on", None, stopped_on)
    held = None if scopes is None else _check_scopes(scopes)
    ids = [rule.id for rule in profile.rules]
    unknown = sorted(set(extensions) - set(ids))
    if unknown:
        raise InvalidArgumentError(
            "extensions",
            f"extensions name no rule of the {profile.jurisdiction} profile: "
            f"{', '.join(quoted(rule_id, 40) for rule_id in unknown)}; known: {', '.join(ids)}",
        )
    deadlines: list[Deadline] = []
    for rule in profile.rules:
        event_on = starts.get(rule.starts)
        if event_on is None or (held is not None and not set(rule.applies) <= held):
            if event_on is None and rule.id in extensions:
                raise InvalidArgumentError(
                    "extensions",
                    f"rule {rule.id!r} has an extension but has not started: give the date "
                    f"of {rule.starts!r} in starts",
                )
            continue
        start = clock_start(profile, rule, event_on)
        original = due_date(profile, rule, start)
        due = original
        granted = extensions.get(rule.id)
        if granted is not None:
            check_date("extensions", rule.id, granted)
            check_extension(profile, rule, start, original, granted)
            due = granted
        met = [ends[kind] for kind in rule.ends if kind in ends]
        met_on = min(met) if met else None
        stopped = stopped_on if met_on is None or (stopped_on and met_on > stopped_on) else None
        if stopped is not None:
            met_on = None
        deadlines.append(
            Deadline(
                rule=rule.id,
                label=rule.label,
                starts_on=start,
                due_on=due,
                original_due_on=original,
                met_on=met_on,
                status=status(due, met_on, today, stopped),
                basis=rule.basis,
                kind=rule.kind,
                extended=granted is not None,
                stopped_on=stopped,
            )
        )
    return tuple(deadlines)


def _due(profile: Profile, start: dt.date, amount: int, unit: Unit) -> dt.date:
    return _shift(start, amount, unit, _calendar_of(profile), "starts")


def clock_start(profile: Profile, rule: Rule, event_on: dt.date) -> dt.date:
    """The day a rule's clock starts: its start event's day, or ``offset`` after it."""
    if rule.offset is None:
        return event_on
    return _due(profile, event_on, rule.offset.amount, rule.offset.unit)


def due_date(profile: Profile, rule: Rule, start: dt.date) -> dt.date:
    """The original due date of a clock of ``rule`` that started on ``start``."""
    return _due(profile, start, rule.length.amount, rule.length.unit)


def _check_event_kinds(name: str, events: Mapping[str, dt.date]) -> None:
    unknown = sorted(str(kind) for kind in set(events) - set(EVENT_KINDS))
    if unknown:
        raise InvalidArgumentError(
            name,
            f"{name} names unknown event kinds: {', '.join(quoted(k, 40) for k in unknown)}; "
            f"known: {', '.join(EVENT_KINDS)}",
        )
    for kind, value in events.items():
        check_date(name, kind, value)


def _check_scopes(scopes: Iterable[Scope]) -> set[str]:
    """The scopes as a set: a misspelt scope (or a text for a list) would leave rules out
    without a word, and raises instead."""
    if isinstance(scopes, str):
        raise InvalidArgumentError(
            "scopes", f"scopes must be a list of scopes, not a text; known: {', '.join(SCOPES)}"
        )
    given: set[str] = set(scopes)
    unknown = sorted(str(scope) for scope in given - set(SCOPES))
    if unknown:
        raise InvalidArgumentError(
            "scopes",
            f"scopes names unknown scopes: {', '.join(quoted(scope, 40) for scope in unknown)}; "
            f"known: {', '.join(SCOPES)}",
        )
    return given


def check_date(name: str, key: str | None, value: object) -> None:
    """A date, else InvalidArgumentError naming ``name[key]`` (``name`` alone without a key)."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        where = name if key is None else f"{name}[{key!r}]"
        raise InvalidArgumentError(
            name, f"{where} must be a datetime.date, not {type(value).__name__}"
        )


def check_extension(
    profile: Profile, rule: Rule, start: dt.date, original: dt.date, granted: dt.date
) -> None:
    """:class:`~kindbehoeften.errors.InvalidArgumentError` unless ``rule`` may be extended
    from ``original`` to ``granted``."""
    if not rule.extendable:
        raise InvalidArgumentError(
            "extensions",
            f"rule {rule.id!r} ({rule.label}) cannot be extended under {rule.basis}; "
            "remove its extension",
        )
    if granted <= original:
        raise InvalidArgumentError(
            "extensions",
            f"the extension of rule {rule.id!r} to {granted} is not after its original due "
            f"date {original}; an extension must give a later date",
        )
    limit = rule.max_extension
    if limit is None:
        return
    if limit.unit == rule.length.unit:
        # Count from the start so that months clamp once: 3 + 3 months is 6 months.
        latest = _due(profile, start, rule.length.amount + limit.amount, limit.unit)
    else:
        latest = _due(profile, original, limit.amount, limit.unit)
    if granted > latest:
        raise InvalidArgumentError(
            "extensions",
            f"the extension of rule {rule.id!r} to {granted} is longer than allowed: at most "
            f"{limit} after {original}, that is until {latest}",
        )


def status(
    due: dt.date, met_on: dt.date | None, today: dt.date | None, stopped_on: dt.date | None = None
) -> Status:
    """Where a clock stands: met or met late, stopped, overdue (after ``today``) or pending."""
    if stopped_on is not None:
        return "stopped"
    if met_on is not None:
        return "met" if met_on <= due else "met_late"
    if today is not None and today > due:
        return "overdue"
    return "pending"


# --- profile and override files -----------------------------------------------------------


def jurisdiction_schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of profile and override files.

    >>> jurisdiction_schema()["$id"]
    'urn:kindbehoeften:schema:jurisdiction:1'
    """
    schema: dict[str, Any] = json.loads(_schema_text())
    # The vocabularies are written once, in the library: the file holds their places.
    defs = schema["$defs"]
    defs["jurisdiction"]["enum"] = list(JURISDICTIONS)
    defs["event_kind"]["enum"] = list(EVENT_KINDS)
    defs["length"]["properties"]["unit"]["enum"] = list(UNITS)
    rule = defs["rule_change"]["properties"]
    rule["applies"]["items"]["enum"] = list(SCOPES)
    rule["during"]["items"]["enum"] = list(OPEN_STAGES)
    rule["kind"]["enum"] = list(RULE_KINDS)
    working_days = defs["working_days"]["properties"]
    working_days["count_from"]["enum"] = list(WORKING_DAY_COUNTS)
    working_days["closed"]["items"]["enum"] = list(CLOSED_DAYS)
    return schema


@cache
def _schema_text() -> str:
    folder = resources.files("kindbehoeften") / "schemas"
    return (folder / "jurisdiction.schema.json").read_text(encoding="utf-8")


@cache
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema  # only a profile file that must be checked needs it

    return jsonschema.Draft202012Validator(jurisdiction_schema())


def given_profile(profile: object, jurisdiction: str) -> Profile:
    """``profile`` where a caller gives one (a :class:`Profile`, else ``TypeError`` naming
    the argument), else the shipped profile of ``jurisdiction``."""
    return load_profile(jurisdiction) if profile is None else _a_profile(profile)


def _a_profile(value: object) -> Profile:
    if not isinstance(value, Profile):
        raise TypeError(
            "profile must be a kindbehoeften.Profile (load one with load_profile), "
            f"not {type(value).__name__}"
        )
    return value


def load_profile(jurisdiction: str, *, override: str | Path | None = None) -> Profile:
    """The shipped profile of ``jurisdiction`` (any case), changed by an ``override`` file.

    An override file changes rules of the profile (same ``id``: the keys it gives replace
    those of the profile) and adds rules; it cannot change the jurisdiction. Raises
    :class:`UnknownJurisdictionError` for an unknown code and
    :class:`~kindbehoeften.errors.FormDefinitionError` listing every problem of a broken file.

    >>> [rule.id for rule in load_profile("gb-eng").rules]
    ['preliminary', 'investigation']
    """
    jurisdiction = exact_str("jurisdiction", jurisdiction, " (a code such as SE)")
    code = _CODES.get(jurisdiction.strip().upper())
    if code is None:
        raise UnknownJurisdictionError(jurisdiction, JURISDICTIONS)
    profile = _shipped(code)
    if override is None:
        return profile
    path = Path(override)
    problems = Problems(str(path))
    data = read_data_file(path, problems)
    document = _parse_toml(data, problems)
    if "override" not in document:
        start = f'start the file with [override] and jurisdiction = "{profile.jurisdiction}"'
        if "profile" in document:
            problems.add(
                ("profile",),
                f"is a whole profile, not an override: {start}, then list only the rules "
                "to change or add",
            )
        else:
            problems.add(("override",), f"'override' is missing: {start}")
        problems.raise_if_any()
    _check_schema(document, problems)
    return _apply_override(profile, document, problems)


# Each jurisdiction by its code in capitals: load_profile is asked for every record read.
_CODES: Final = {known.upper(): known for known in JURISDICTIONS}


@cache
def _shipped(code: str) -> Profile:
    resource = resources.files("kindbehoeften") / "jurisdictions" / f"{code}.toml"
    data = resource.read_bytes()
    checked = is_checked(f"jurisdictions/{code}.toml", data)
    return _read_profile(data, f"kindbehoeften/jurisdictions/{code}.toml", code, checked=checked)


def _read_profile(data: bytes, name: str, code: str, *, checked: bool = False) -> Profile:
    """A whole profile file, for the jurisdiction ``code``; ``name`` names it in messages.
    ``checked`` says that ``data`` are the bytes of a shipped profile known to pass every gate
    (:mod:`kindbehoeften._forms.checked`): only the model is built from them, without the
    JSON Schema (jsonschema) and the holiday calendar's lookup (holidays)."""
    problems = Problems(name)
    if checked:
        return _profile_from(parse_checked(data), problems, checked=True)
    document = _parse_toml(data, problems)
    _check_schema(document, problems)
    if "override" in document:
        problems.add(("override",), "is not allowed in a shipped profile")
    elif document["profile"]["jurisdiction"] != code:
        problems.add(("profile", "jurisdiction"), f"must be {code!r}, the file's name")
    problems.raise_if_any()
    return _profile_from(document, problems)


def _parse_toml(data: bytes, problems: Problems) -> dict[str, Any]:
    """Gate 1: size, UTF-8 and TOML syntax, nesting depth."""
    document = parse(data, ".toml", problems)
    problems.raise_if_any()
    check_shape(document, problems)
    problems.raise_if_any()
    assert isinstance(document, dict)
    return document


def _check_schema(document: dict[str, Any], problems: Problems) -> None:
    """Gate 2: the published JSON Schema."""
    for failure in sorted(_validator().iter_errors(document), key=error_order):
        problems.add(*schema_problem(failure, document))
    problems.raise_if_any()


def _profile_from(
    document: dict[str, Any], problems: Problems, *, checked: bool = False
) -> Profile:
    header = document["profile"]
    holidays_table = header["holidays"]
    rules: list[dict[str, Any]] = document["rules"]
    if not checked:
        _check_holidays(holidays_table, problems)
        for index, rule_id in _duplicates(rule["id"] for rule in rules):
            problems.add(("rules", index, "id"), f"rule id {rule_id!r} is used twice")
        for index, rule in enumerate(rules):
            for key, message in _rule_problems(rule):
                problems.add(("rules", index, key), message)
        problems.raise_if_any()
    data = {
        "jurisdiction": header["jurisdiction"],
        "name": header["name"],
        "holidays_country": holidays_table["country"],
        "holidays_subdivision": holidays_table.get("subdivision"),
        "working_days": header.get("working_days", {}),
        "rules": rules,
    }
    return _build(data, problems, list(range(len(rules))))


def _check_holidays(table: dict[str, str], problems: Problems) -> None:
    # The country is looked up in the package's registry of codes; no calendar is imported
    # for it (holidays.list_supported_countries() would import every one).
    from holidays.registry import EntityLoader

    country, subdivision = table["country"], table.get("subdivision")
    if country not in EntityLoader.get_country_codes():
        problems.add(
            ("profile", "holidays", "country"),
            f"{country!r} has no public-holiday calendar; use a country code of the holidays "
            "package, e.g. SE or GB",
        )
    elif subdivision is not None and subdivision not in (subdivisions := _subdivisions(country)):
        known = ", ".join(subdivisions) or "none"
        problems.add(
            ("profile", "holidays", "subdivision"),
            f"{subdivision!r} is not a subdivision of {country}; known: {known}",
        )


def _subdivisions(country: str) -> tuple[str, ...]:
    """The subdivisions that the ``holidays`` package knows for ``country``, a code of its
    registry (as ``holidays.list_supported_countries()`` lists them)."""
    import holidays

    return tuple(getattr(holidays, country).subdivisions)


def _apply_override(base: Profile, document: dict[str, Any], problems: Problems) -> Profile:
    header = document["override"]
    if header["jurisdiction"] != base.jurisdiction:
        problems.add(
            ("override", "jurisdiction"),
            f"is {header['jurisdiction']!r}, but the profile is {base.jurisdiction!r}: an "
            f"override cannot change the jurisdiction; load it with the "
            f"{header['jurisdiction']} profile, or write {base.jurisdiction!r}",
        )
    merged: dict[str, dict[str, Any]] = {
        rule.id: rule.model_dump(exclude_none=True) for rule in base.rules
    }
    origin: dict[str, int] = {}
    known = ", ".join(merged)
    changes: list[dict[str, Any]] = document.get("rules", [])
    for index, rule_id in _duplicates(change["id"] for change in changes):
        problems.add(("rules", index, "id"), f"rule id {rule_id!r} is used twice")
    for index, change in enumerate(changes):
        rule_id = change["id"]
        if rule_id in origin:
            continue  # a duplicate, reported above
        origin[rule_id] = index
        if rule_id in merged:
            rule = {**merged[rule_id], **change}
            if change.get("extendable") is False and "max_extension" not in change:
                rule.pop("max_extension", None)  # a rule made not extendable has no maximum
        else:
            missing = [key for key in _REQUIRED_RULE_KEYS if key not in change]
            if missing:
                problems.add(
                    ("rules", index),
                    f"adds the rule {rule_id!r}, which the {base.jurisdiction} profile does not "
                    f"have, so it needs {', '.join(missing)}; to change a rule, give one of "
                    f"its ids: {known}",
                )
                continue
            rule = dict(change)
        for key, message in _rule_problems(rule):
            # Point at the key this file gives, where the problem is between two keys.
            partner = _PARTNER_KEYS.get(key, key)
            if key not in change and partner in change:
                key = partner
            problems.add(("rules", index, key), message)
        merged[rule_id] = rule
    problems.raise_if_any()
    data = {
        "jurisdiction": base.jurisdiction,
        "name": header.get("name", base.name),
        "holidays_country": base.holidays_country,
        "holidays_subdivision": base.holidays_subdivision,
        "working_days": {
            **base.working_days.model_dump(exclude_none=True),
            **header.get("working_days", {}),
        },
        "rules": list(merged.values()),
    }
    return _build(data, problems, [origin.get(rule_id) for rule_id in merged])


def _build(data: dict[str, Any], problems: Problems, positions: list[int | None]) -> Profile:
    """Gate 4: the typed model; ``positions`` are the rules' indexes in the file, if there."""
    try:
        return Profile.model_validate(data)
    except pydantic.ValidationError as error:
        for item in error.errors(include_url=False, include_input=False):
            loc = item["loc"]
            # A rule's problem sits at its place in the file; a rule that only the shipped
            # profile holds (which a test checks) has none, and is named by the file as a whole.
            index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
            position = None if index is None else positions[index]
            path: KeyPath = () if position is None else ("rules", position, *map(str, loc[2:]))
            problems.add(path, item["msg"].removeprefix("Value error, "))
        problems.raise_if_any()
        raise  # pragma: no cover - raise_if_any always raises here


# kindbehoeften gives its public classes their public module as __module__, and doctest then
# no longer searches them as this module's (nor surely as the package's, which imports each
# name at its first use): list here each one that holds examples.
__test__ = {"Deadline": Deadline, "Length": Length, "Profile": Profile}
