"""Rows for monitoring: one pseudonymised row per assessment record, without free text.

:func:`_row` turns a checked record (as :func:`kindbehoeften.export.record` makes them, and
:func:`~kindbehoeften._exports.record.read_checked` checks them) into the columns of
:data:`COLUMNS`: a keyed pseudonym instead of the case id, the jurisdiction and municipality,
the kind of reporter, the child's age band, the outcomes, the days they took, the status of
each legal deadline, the assessment of each area of the triangle, the measures of the plan
and whether one of them is a placement. :mod:`.statistics` makes them from streams of
records; docs/statistics.md describes every column for the people who publish them.

What never leaves: free text, and any answer whose question is ``personal`` or
``special_category``. Every answer read from a submission goes through one gate,
:func:`_read`, which looks the question up in its form and refuses (with
:class:`UnsafeFieldError`) any question that is not a choice, multiple choice, boolean or
integer question of sensitivity ``none``, so that a changed form cannot leak. The one
exception is the child's date of birth (the question the form names in ``birth_date``),
read only to compute the age band and never written anywhere.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Mapping, Sequence
from typing import Any, Final, TypeAlias

from .._core.answers import is_answered
from .._core.model import Form, Question
from .._forms.catalog import find_form
from .._lifecycle.assessment import (
    Assessment,
    Event,
    FullAssessmentData,
    PreliminaryDecisionData,
    ReopenData,
    ReportData,
)
from .._lifecycle.deadlines import JURISDICTIONS, load_profile
from .._lifecycle.events import text_argument
from ..errors import InvalidArgumentError, UnsafeFieldError

__all__ = ["AGE_BANDS", "COLUMNS", "MIN_KEY_BYTES", "Row", "Value", "age_band", "pseudonym"]

Value: TypeAlias = str | int | None
Row: TypeAlias = dict[str, Value]

#: The fixed columns of a statistics row, in order. The ``deadline_<rule>`` and then the
#: ``area_<section>_<area>`` columns, which depend on the records, come between ``stage`` and
#: ``measures``: see :func:`statistics`.
COLUMNS: Final[tuple[str, ...]] = (
    "pseudonym",
    "jurisdiction",
    "municipality",
    "cycle",
    "reporter",
    "age_band",
    "preliminary_outcome",
    "full_assessment_decision",
    "days_to_preliminary_decision",
    "days_to_full_assessment_decision",
    "stage",
    "measures",
    "placement",
)
_BEFORE_DERIVED = COLUMNS.index("measures")

#: The age bands, youngest first, as ``(label, first age, last age)``; ``unknown`` besides.
AGE_BANDS: Final[tuple[tuple[str, int, int | None], ...]] = (
    ("0-2", 0, 2),
    ("3-5", 3, 5),
    ("6-11", 6, 11),
    ("12-15", 12, 15),
    ("16-17", 16, 17),
    ("18+", 18, None),
)

#: The shortest key :func:`pseudonym` and :func:`statistics` accept, in bytes.
MIN_KEY_BYTES: Final = 16
#: Hex digits kept of the HMAC-SHA256 (128 bits).
_PSEUDONYM_HEX: Final = 32

# The only question types whose answers may be read for statistics.
_SAFE_TYPES: Final = frozenset({"choice", "multi_choice", "boolean", "integer"})
_CHOICE: Final = frozenset({"choice"})
_MULTI_CHOICE: Final = frozenset({"multi_choice"})
# Where the built-in plan keeps the measures of each goal: section, area, group, question.
_MEASURES_PATH: Final = ("plan", "goals", "goals", "measures")
# A measure is a placement out of home when its option value ends so (see docs/statistics.md).
_PLACEMENT_SUFFIX: Final = "_placement"


# --- the pseudonym -----------------------------------------------------------------------------


def _checked_key(key: object) -> bytes:
    if not isinstance(key, bytes | bytearray) or len(key) < MIN_KEY_BYTES:
        given = (
            f"{len(key)} bytes" if isinstance(key, bytes | bytearray) else f"a {type(key).__name__}"
        )
        raise InvalidArgumentError(
            "key",
            f"statistics need a secret key of at least {MIN_KEY_BYTES} bytes for the "
            f"pseudonyms (got {given}); without a key there is no export. Make one with "
            "secrets.token_bytes(32), keep it apart from the data, and use the same key for "
            "every export that must link.",
        )
    return bytes(key)


def pseudonym(case_id: str, *, key: bytes) -> str:
    """The pseudonym of a case: HMAC-SHA256 of the case id (UTF-8) under ``key``, as the
    first 32 hex digits (128 bits).

    The same case id and key give the same pseudonym, so exports with one key link; without
    the key the case id cannot be found from it. ``key`` must be bytes, at least 16 of them,
    else :class:`~kindbehoeften.errors.InvalidArgumentError` (a ``ValueError``).

    >>> pseudonym("demo-case-0042", key=b"0123456789abcdef")
    '255d9a7ed401df57bc44353d146ecd08'
    """
    return _pseudonym(_checked_key(key), text_argument("case_id", case_id))


def _pseudonym(secret: bytes, case_id: str) -> str:
    """:func:`pseudonym` under a key checked already (a stream checks its key once)."""
    return hmac.digest(secret, case_id.encode("utf-8"), "sha256").hex()[:_PSEUDONYM_HEX]


# --- reading answers through one gate -------------------------------------------------------


def _question(form: Form, path: Sequence[str]) -> Question | None:
    """The question at ``path`` (section, area, question[, group question ...]), if any."""
    try:
        question = form.section(path[0]).area(path[1]).question(path[2])
    except KeyError:
        return None
    for part in path[3:]:
        inner = [item for item in question.questions if item.id == part]
        if not inner:
            return None
        question = inner[0]
    return question


def _safe_question(form: Form, path: Sequence[str], types: frozenset[str]) -> Question | None:
    """The question at ``path``, checked to be exportable: of one of ``types`` and, with
    every group around it, of sensitivity ``none``; else :class:`UnsafeFieldError`.

    ``None`` when the form has no such question (so there is no answer to it either).
    """
    if not types <= _SAFE_TYPES:  # a mistake inside the library, whatever the form says:
        # no public function passes other types, so this is no error of a caller's.
        raise ValueError(f"statistics never read {', '.join(sorted(types - _SAFE_TYPES))}")
    name = ".".join(path)
    question = _question(form, path)
    if question is None:
        return None
    for depth in range(3, len(path)):
        group = _question(form, path[:depth])
        assert group is not None
        if group.sensitivity != "none":
            raise UnsafeFieldError(form.key, name, f"its group is {group.sensitivity}")
    if question.type not in types:
        raise UnsafeFieldError(form.key, name, f"it is a {question.type} question")
    if question.sensitivity != "none":
        raise UnsafeFieldError(form.key, name, f"its sensitivity is {question.sensitivity}")
    return question


def _read(
    form: Form,
    answers: Mapping[str, Any],
    path: Sequence[str],
    types: frozenset[str],
    *,
    forms: _Forms | None = None,
) -> list[Any] | None:
    """The answers to the question at ``path``, once :func:`_safe_question` allows it: one
    for a question of an area, one per row for a question of a group; unanswered ones left
    out. ``None`` when the form has no such question. Every answer the statistics take from
    a submission comes through here. With ``forms``, the gate's verdict on a question of a
    form is found once and kept there."""
    asked = (
        _safe_question(form, path, types) is not None
        if forms is None
        else forms.asked(form, tuple(path), types)
    )
    if not asked:
        return None
    return _walk(answers, path)


def _walk(answers: Mapping[str, Any], path: Sequence[str]) -> list[Any]:
    """The answers at ``path``, unanswered ones left out: only ever called by :func:`_read`
    and :func:`_area_choices`, once the gate allows the question."""
    if len(path) == 3 and type(answers) is dict:
        # The question of an area, in the plain dicts read from JSON: the walk below, in
        # short (it goes into a row of a group only where it meets a list, here none).
        section = answers.get(path[0])
        area = section.get(path[1]) if type(section) is dict else None
        if type(area) is dict:
            value = area.get(path[2])
            return [value] if is_answered(value) else []
    found: list[Any] = [answers]
    for depth, part in enumerate(path):
        step: list[Any] = []
        for holder in found:
            # a plain dict (as read from JSON) is a Mapping: asked first, it is the quicker
            value = (
                holder.get(part) if type(holder) is dict or isinstance(holder, Mapping) else None
            )
            if isinstance(value, list) and depth < len(path) - 1:
                step.extend(value)  # a group: on into each of its rows
            else:
                step.append(value)
        found = step
    return [value for value in found if is_answered(value)]


def _area_choices(forms: _Forms, form: Form, answers: Mapping[str, Any]) -> dict[str, Value]:
    """The choice made for the assessment of each assessed area of a full assessment, by its
    column: :func:`_choice` of each, with the gate's verdicts on the form's area questions
    asked once for the form, in the same order (an unsafe question raises as it would)."""
    chosen: dict[str, Value] = {}
    for column, path, asked in forms.area_gate(form):
        values = _walk(answers, path) if asked else []
        chosen[column] = values[0] if values and isinstance(values[0], str) else None
    return chosen


def _measures(forms: _Forms, form: Form, answers: Mapping[str, Any]) -> list[str] | None:
    """Every measure chosen in the goals of a plan; None when the form asks for none."""
    chosen = _read(form, answers, _MEASURES_PATH, _MULTI_CHOICE, forms=forms)
    if chosen is None:
        return None
    return sorted({value for values in chosen for value in values if isinstance(value, str)})


def _birth_date_path(form: Form) -> tuple[str, ...] | None:
    """Where a form asks the child's date of birth (its ``birth_date``), checked to be a
    question of type date; None when it does not ask."""
    path = () if form.birth_date is None else tuple(form.birth_date.split("."))
    question = _question(form, path) if path else None
    if question is None:
        return None
    if question.type != "date":
        raise UnsafeFieldError(form.key, ".".join(path), f"it is a {question.type} question")
    return path


def _birth_date(forms: _Forms, form: Form, answers: Mapping[str, Any]) -> dt.date | None:
    """The child's date of birth: the one personal answer read, only for the age band, and
    only from a question of type date (the form's ``birth_date``)."""
    path = forms.birth_date_path(form)
    if path is None:
        return None
    value: Any = answers
    for part in path:
        value = value.get(part) if isinstance(value, Mapping) else None
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def age_band(born: dt.date | None, on: dt.date) -> str:
    """The band of the age (whole years) of a child born on ``born`` on the day ``on``;
    ``unknown`` without a date of birth or with one after ``on``.

    >>> age_band(dt.date(2016, 9, 21), dt.date(2026, 9, 20)), age_band(None, dt.date(2026, 1, 1))
    ('6-11', 'unknown')
    """
    if born is None or born > on:
        return "unknown"
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    for label, _, last in AGE_BANDS:
        if last is None or age <= last:
            return label
    raise AssertionError("unreachable: the last band is open")  # pragma: no cover


# --- one row per record ------------------------------------------------------------------------


class _Forms:
    """The forms named by one stream of records, each loaded once, and what the gate found
    of each question read, once per form."""

    def __init__(self) -> None:
        self._forms: dict[tuple[str, str], Form] = {}
        self._areas: dict[str, list[tuple[str, str]]] = {}
        self._area_reads: dict[str, list[tuple[str, tuple[str, str, str]]]] = {}
        self._area_gates: dict[str, list[tuple[str, tuple[str, str, str], bool]]] = {}
        self._asked: dict[tuple[str, tuple[str, ...], frozenset[str]], bool] = {}
        self._born: dict[str, tuple[str, ...] | None] = {}

    def get(self, form_id: str, version: str) -> Form:
        key = (form_id, version)
        if key not in self._forms:
            self._forms[key] = find_form(form_id, version)
        return self._forms[key]

    def assessed_areas(self, form: Form) -> list[tuple[str, str]]:
        if form.key not in self._areas:
            self._areas[form.key] = _assessed_areas(form)
        return self._areas[form.key]

    def area_reads(self, form: Form) -> list[tuple[str, tuple[str, str, str]]]:
        """The column of each assessed area of ``form`` and the path of its assessment."""
        if form.key not in self._area_reads:
            self._area_reads[form.key] = [
                (f"area_{section}_{area}", (section, area, "assessment"))
                for section, area in self.assessed_areas(form)
            ]
        return self._area_reads[form.key]

    def area_gate(self, form: Form) -> list[tuple[str, tuple[str, str, str], bool]]:
        """:meth:`area_reads` of ``form``, each with :meth:`asked` of its choice question."""
        if form.key not in self._area_gates:
            self._area_gates[form.key] = [
                (column, path, self.asked(form, path, _CHOICE))
                for column, path in self.area_reads(form)
            ]
        return self._area_gates[form.key]

    def asked(self, form: Form, path: tuple[str, ...], types: frozenset[str]) -> bool:
        """Whether the form asks the question at ``path``, once :func:`_safe_question`
        allows it to be read (an unsafe question raises, every time it is asked for)."""
        key = (form.key, path, types)
        if key not in self._asked:
            self._asked[key] = _safe_question(form, path, types) is not None
        return self._asked[key]

    def birth_date_path(self, form: Form) -> tuple[str, ...] | None:
        if form.key not in self._born:
            self._born[form.key] = _birth_date_path(form)
        return self._born[form.key]


def _latest(
    forms: _Forms, submissions: Sequence[Mapping[str, Any]], stage: str, *, completed: bool
) -> tuple[Form, Mapping[str, Any]] | None:
    """The last submission of a form of ``stage`` in the record (a completed one, or any)."""
    for submission in reversed(submissions):
        if completed and submission["status"] != "completed":
            continue
        form = forms.get(submission["form"], submission["form_version"])
        if form.stage == stage:
            return form, submission["answers"]
    return None


def _full_forms(forms: _Forms, checked: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The form id and version of each completed full assessment of a record."""
    found: list[tuple[str, str]] = []
    for submission in checked["submissions"]:
        if submission["status"] == "completed":
            key = (submission["form"], submission["form_version"])
            if forms.get(*key).stage == "full":
                found.append(key)
    return tuple(found)


def _find(events: Sequence[Event], kind: str) -> Event | None:
    return next((event for event in events if event.kind == kind), None)


def _row(
    document: Mapping[str, Any], case: Assessment, key: bytes, forms: _Forms
) -> tuple[Row, dict[str, Value]]:
    """The fixed columns of one record's row, and its deadline and area columns."""
    cycle = case.cycle_events()
    report = cycle[0]
    assert isinstance(report.data, ReportData | ReopenData)
    decision = _find(cycle, "preliminary_decision")
    outcome = None
    if decision is not None:
        assert isinstance(decision.data, PreliminaryDecisionData)
        outcome = decision.data.outcome
    # the last completion of the cycle, and where it is (events of a chain are all unequal)
    at = next(
        (i for i in range(len(cycle) - 1, -1, -1) if cycle[i].kind == "full_assessment_completed"),
        None,
    )
    full_decision = full_days = None
    if at is not None:
        completed = cycle[at]
        assert isinstance(completed.data, FullAssessmentData)
        full_decision = completed.data.decision
        before = cycle[:at]
        opened = _find(tuple(reversed(before)), "full_assessment_opened")
        full_days = None if opened is None else (completed.on - opened.on).days

    submissions: Sequence[Mapping[str, Any]] = document["submissions"]
    preliminary = _latest(forms, submissions, "preliminary", completed=True) or _latest(
        forms, submissions, "preliminary", completed=False
    )
    born = None if preliminary is None else _birth_date(forms, *preliminary)

    derived: dict[str, Value] = {}
    for deadline in document["deadlines"]:  # a rule's first clock of the cycle (its report's)
        derived.setdefault(f"deadline_{deadline['rule']}", deadline["status"])
    full = _latest(forms, submissions, "full", completed=True)
    if full is not None:
        derived.update(_area_choices(forms, *full))
    plan = _latest(forms, submissions, "plan", completed=True)
    measures = None if plan is None else _measures(forms, *plan)

    row: Row = {
        "pseudonym": _pseudonym(key, case.case_id),
        "jurisdiction": case.jurisdiction,
        "municipality": case.municipality,
        "cycle": 1 + sum(event.kind == "reopened" for event in case.events),
        "reporter": report.data.reporter,
        "age_band": age_band(born, report.on),
        "preliminary_outcome": outcome,
        "full_assessment_decision": full_decision,
        "days_to_preliminary_decision": None
        if decision is None
        else (decision.on - report.on).days,
        "days_to_full_assessment_decision": full_days,
        "stage": document["stage"],
        "measures": None if measures is None else ";".join(measures),
        "placement": None
        if measures is None
        else ("yes" if any(m.endswith(_PLACEMENT_SUFFIX) for m in measures) else "no"),
    }
    return row, derived


def _assessed_areas(form: Form) -> list[tuple[str, str]]:
    """The areas of a form that have an ``assessment`` question, in form order."""
    return [
        (section.id, area.id)
        for section in form.sections
        for area in section.areas
        if any(question.id == "assessment" for question in area.questions)
    ]


def _rule_order() -> list[str]:
    """Every rule id of the shipped profiles, in jurisdiction and then profile order."""
    order: list[str] = []
    for code in JURISDICTIONS:
        order.extend(rule.id for rule in load_profile(code).rules if rule.id not in order)
    return order
