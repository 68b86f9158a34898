"""Statistics for monitoring: pseudonymised rows without free text, and suppressed aggregates.

:func:`statistics` turns assessment records (as :func:`kindbehoeften.export.record` makes them)
into one row per case: a keyed pseudonym instead of the case id, the jurisdiction and
municipality, the kind of reporter, the child's age band, the outcomes, the days they took,
the status of each legal deadline, the assessment of each area of the triangle, the measures
of the plan and whether one of them is a placement. :func:`aggregate` counts rows into tables
for publication, with small counts suppressed; :func:`to_csv` and :func:`to_parquet` write
rows or tables. docs/statistics.md describes every column for the people who publish them.

What never leaves: free text, and any answer whose question is ``personal`` or
``special_category``. Every answer read from a submission goes through one gate,
:func:`_read`, which looks the question up in its form and refuses (with
:class:`UnsafeFieldError`) any question that is not a choice, multiple choice, boolean or
integer question of sensitivity ``none``, so that a changed form cannot leak. The one
exception is the child's date of birth (the question the form names in ``birth_date``),
read only to compute the age band and never written anywhere.

>>> import datetime as dt
>>> from importlib import resources
>>> from kindbehoeften import Assessment, export
>>> examples = resources.files("kindbehoeften") / "examples"
>>> case = Assessment.from_json((examples / "histories" / "demo-case.json").read_bytes())
>>> forms = [(examples / f"triangle.{name}.valid.json").read_bytes()
...          for name in ("preliminary", "full", "plan")]
>>> document = export.record(case, forms, today=dt.date(2026, 11, 23))
>>> [row] = statistics([document], key=b"a secret of 16 bytes or more")
>>> row["reporter"], row["age_band"], row["preliminary_outcome"], row["placement"]
('professional', '6-11', 'open_full_assessment', 'no')
>>> row["area_child_needs_education"], row["measures"]
('serious_concern', 'contact_family;group_work;other;practical_family_support;school_support')
>>> document["case_id"] in str(row)
False
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import importlib
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, TypeAlias

from .._core.answers import is_answered
from .._core.jsonread import read
from .._core.limits import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_DEPTH
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
from .._lifecycle.deadlines import JURISDICTIONS, Profile, load_profile
from ..errors import (
    InvalidArgumentError,
    KindbehoeftenError,
    MissingDependencyError,
    UnsafeFieldError,
)
from .disclosure import protect_grid, protect_parts
from .record import read_record

__all__ = [
    "AGE_BANDS",
    "COLUMNS",
    "MIN_KEY_BYTES",
    "TABLES",
    "MissingDependencyError",
    "UnsafeFieldError",
    "age_band",
    "aggregate",
    "pseudonym",
    "statistics",
    "to_csv",
    "to_parquet",
]

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

_OUTCOMES: Final = (
    "close",
    "universal_support",
    "light_support",
    "refer_other_service",
    "open_full_assessment",
)
_STATUSES: Final = ("met", "met_late", "overdue", "pending", "stopped")
_ASSESSED: Final = frozenset({"strength", "no_concern", "some_concern", "serious_concern"})

#: The columns of each table of :func:`aggregate`, in order.
TABLES: Final[dict[str, tuple[str, ...]]] = {
    "by_outcome": ("jurisdiction", *_OUTCOMES, "undecided", "suppressed", "suppressed_large"),
    "by_area_concern": (
        "area",
        "assessed",
        "some_concern",
        "serious_concern",
        "suppressed",
        "suppressed_large",
    ),
    "deadline_compliance": (
        "jurisdiction",
        "rule",
        *_STATUSES,
        "suppressed",
        "suppressed_large",
    ),
}

# Columns that hold whole numbers, so that Parquet types them so even when all are empty.
_INTEGER_COLUMNS: Final = frozenset(
    {"cycle", "days_to_preliminary_decision", "days_to_full_assessment_decision"}
    | {"undecided", "assessed", "some_concern", "serious_concern", *_OUTCOMES, *_STATUSES}
)

# The only question types whose answers may be read for statistics.
_SAFE_TYPES: Final = frozenset({"choice", "multi_choice", "boolean", "integer"})
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
    secret = _checked_key(key)
    digest = hmac.new(secret, case_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:_PSEUDONYM_HEX]


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
    form: Form, answers: Mapping[str, Any], path: Sequence[str], types: frozenset[str]
) -> list[Any] | None:
    """The answers to the question at ``path``, once :func:`_safe_question` allows it: one
    for a question of an area, one per row for a question of a group; unanswered ones left
    out. ``None`` when the form has no such question. Every answer the statistics take from
    a submission comes through here."""
    if _safe_question(form, path, types) is None:
        return None
    found: list[Any] = [answers]
    for depth, part in enumerate(path):
        step: list[Any] = []
        for holder in found:
            value = holder.get(part) if isinstance(holder, Mapping) else None
            if isinstance(value, list) and depth < len(path) - 1:
                step.extend(value)  # a group: on into each of its rows
            else:
                step.append(value)
        found = step
    return [value for value in found if is_answered(value)]


def _choice(form: Form, answers: Mapping[str, Any], path: Sequence[str]) -> str | None:
    values = _read(form, answers, path, frozenset({"choice"})) or []
    return values[0] if values and isinstance(values[0], str) else None


def _measures(form: Form, answers: Mapping[str, Any]) -> list[str] | None:
    """Every measure chosen in the goals of a plan; None when the form asks for none."""
    chosen = _read(form, answers, _MEASURES_PATH, frozenset({"multi_choice"}))
    if chosen is None:
        return None
    return sorted({value for values in chosen for value in values if isinstance(value, str)})


def _birth_date(form: Form, answers: Mapping[str, Any]) -> dt.date | None:
    """The child's date of birth: the one personal answer read, only for the age band, and
    only from a question of type date (the form's ``birth_date``)."""
    path = () if form.birth_date is None else tuple(form.birth_date.split("."))
    question = _question(form, path) if path else None
    if question is None:
        return None
    if question.type != "date":
        raise UnsafeFieldError(form.key, ".".join(path), f"it is a {question.type} question")
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
    """The forms named by one batch of records, each loaded once."""

    def __init__(self) -> None:
        self._forms: dict[tuple[str, str], Form] = {}

    def get(self, form_id: str, version: str) -> Form:
        key = (form_id, version)
        if key not in self._forms:
            self._forms[key] = find_form(form_id, version)
        return self._forms[key]


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


def _find(events: Sequence[Event], kind: str) -> Event | None:
    return next((event for event in events if event.kind == kind), None)


def _row(document: Mapping[str, Any], key: bytes, forms: _Forms) -> tuple[Row, dict[str, Value]]:
    """The fixed columns of one record's row, and its deadline and area columns."""
    case = Assessment.from_dict(document["history"])
    cycle = case.cycle_events()
    report = cycle[0]
    assert isinstance(report.data, ReportData | ReopenData)
    decision = _find(cycle, "preliminary_decision")
    outcome = None
    if decision is not None:
        assert isinstance(decision.data, PreliminaryDecisionData)
        outcome = decision.data.outcome
    completed = _find(tuple(reversed(cycle)), "full_assessment_completed")
    full_decision = full_days = None
    if completed is not None:
        assert isinstance(completed.data, FullAssessmentData)
        full_decision = completed.data.decision
        before = cycle[: cycle.index(completed)]
        opened = _find(tuple(reversed(before)), "full_assessment_opened")
        full_days = None if opened is None else (completed.on - opened.on).days

    submissions: Sequence[Mapping[str, Any]] = document["submissions"]
    preliminary = _latest(forms, submissions, "preliminary", completed=True) or _latest(
        forms, submissions, "preliminary", completed=False
    )
    born = None if preliminary is None else _birth_date(*preliminary)

    derived: dict[str, Value] = {}
    for deadline in document["deadlines"]:  # a rule's first clock of the cycle (its report's)
        derived.setdefault(f"deadline_{deadline['rule']}", deadline["status"])
    full = _latest(forms, submissions, "full", completed=True)
    if full is not None:
        form, answers = full
        for section, area in _assessed_areas(form):
            derived[f"area_{section}_{area}"] = _choice(
                form, answers, (section, area, "assessment")
            )
    plan = _latest(forms, submissions, "plan", completed=True)
    measures = None if plan is None else _measures(*plan)

    row: Row = {
        "pseudonym": pseudonym(case.case_id, key=key),
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


def statistics(
    records: Iterable[Mapping[str, Any] | str | bytes],
    *,
    key: bytes,
    profiles: Mapping[str, Profile] | None = None,
) -> list[Row]:
    """One row per record, without free text or personal data; see docs/statistics.md.

    Each record is read with :func:`kindbehoeften.export.read_record` first, so that a
    damaged or altered record is refused (its error gets a note with the record's position).
    ``key`` (bytes, at least 16) keys the pseudonyms: without one,
    :class:`~kindbehoeften.errors.InvalidArgumentError` (a ``ValueError``) and no export;
    one record instead of an iterable of them is a ``TypeError``. ``profiles`` maps a
    jurisdiction code to the profile its records were made with (a municipality's override);
    the shipped profile otherwise.

    Every row has the same columns: :data:`COLUMNS`, with ``deadline_<rule>`` for every rule
    of the jurisdictions in the batch (in the order of the shipped profiles) and
    ``area_<section>_<area>`` for every assessed area of the full-assessment forms in the
    batch (in form order) between ``stage`` and ``measures``. A value not known is ``None``.
    """
    secret = _checked_key(key)
    if isinstance(records, str | bytes | Mapping):
        # A wrong type of argument: Python's own TypeError, as errors.py says.
        raise TypeError(
            "records must be an iterable of records, not one record: pass [record] for one"
        )
    profiles = profiles or {}
    forms = _Forms()
    made: list[tuple[Row, dict[str, Value]]] = []
    jurisdictions: set[str] = set()
    areas: dict[str, int] = {}  # each area column's first place in a form
    for index, document in enumerate(records):
        try:
            code = _jurisdiction_of(document)
            checked = read_record(document, profile=None if code is None else profiles.get(code))
        except KindbehoeftenError as error:
            error.add_note(f"(record {index} of the batch)")
            raise
        row, derived = _row(checked, secret, forms)
        made.append((row, derived))
        jurisdictions.add(checked["jurisdiction"])
        for submission in checked["submissions"]:
            form = forms.get(submission["form"], submission["form_version"])
            if form.stage != "full" or submission["status"] != "completed":
                continue
            for position, (section, area) in enumerate(_assessed_areas(form)):
                name = f"area_{section}_{area}"
                areas[name] = min(areas.get(name, position), position)

    known_rules = _rule_order()
    rules = {
        rule.id
        for code in jurisdictions
        for rule in (profiles.get(code) or load_profile(code)).rules
    }
    deadline_columns = [f"deadline_{rule}" for rule in known_rules if rule in rules]
    deadline_columns += sorted(f"deadline_{rule}" for rule in rules - set(known_rules))
    area_columns = sorted(areas, key=lambda name: (areas[name], name))
    columns = [
        *COLUMNS[:_BEFORE_DERIVED],
        *deadline_columns,
        *area_columns,
        *COLUMNS[_BEFORE_DERIVED:],
    ]
    rows = []
    for row, derived in made:
        merged = row | derived
        rows.append({column: merged.get(column) for column in columns})
    return rows


def _jurisdiction_of(document: Mapping[str, Any] | str | bytes) -> str | None:
    if isinstance(document, str | bytes):
        found = read(document, max_bytes=MAX_DOCUMENT_BYTES, max_depth=MAX_DOCUMENT_DEPTH)
        if found.problems:
            return None  # read_record says what is wrong with it
        document = found.document
    value = document.get("jurisdiction") if isinstance(document, Mapping) else None
    return value if isinstance(value, str) else None


# --- aggregates with small-cell suppression ----------------------------------------------------

_OUTCOME_CELLS: Final = (*_OUTCOMES, "undecided")
_CONCERNS: Final = ("some_concern", "serious_concern")
# The order in which the cells of a row are taken to protect a small count of another: the
# first is hidden first. By the place of the column, never by the size of the count, so that
# which cell was taken says nothing about the counts (see docs/statistics.md).
_OUTCOME_ORDER: Final = (
    "undecided",
    "refer_other_service",
    "universal_support",
    "light_support",
    "open_full_assessment",
    "close",
)
_STATUS_ORDER: Final = ("pending", "stopped", "met_late", "overdue", "met")


def _protected_rows(
    keys: Sequence[Mapping[str, str]],
    counts: Sequence[Mapping[str, int]],
    cells: Sequence[str],
    order: Sequence[str],
    min_cell: int,
) -> list[Row]:
    """The published rows of one table: row totals known, and column totals too when the
    table has two rows or more (with one row they would be its cells)."""
    grid = [[row[cell] for cell in cells] for row in counts]
    hidden = protect_grid(
        grid,
        min_cell,
        order=[cells.index(cell) for cell in order],
        column_totals=len(grid) > 1,
    )
    rows = []
    for i, (key, row) in enumerate(zip(keys, counts, strict=True)):
        names = [cell for j, cell in enumerate(cells) if (i, j) in hidden]
        rows.append(_published(key, row, names, min_cell))
    return rows


def _published(
    keys: Mapping[str, str], counts: Mapping[str, int], hidden: Sequence[str], min_cell: int
) -> Row:
    row: Row = dict(keys)
    row |= {cell: None if cell in hidden else count for cell, count in counts.items()}
    row["suppressed"] = ";".join(hidden)
    row["suppressed_large"] = ";".join(cell for cell in hidden if counts[cell] >= min_cell)
    return row


def _jurisdiction_key(code: str) -> tuple[int, str]:
    order = list(JURISDICTIONS)
    return (order.index(code) if code in order else len(order), code)


def aggregate(rows: Iterable[Mapping[str, Value]], *, min_cell: int = 5) -> dict[str, list[Row]]:
    """Counts of statistics rows for publication, with small cells suppressed.

    Three tables (their columns in :data:`TABLES`), no totals:

    - ``by_outcome``: per jurisdiction, the preliminary outcomes (``undecided``: none yet);
    - ``by_area_concern``: per area (``<section>_<area>``), the cases with the area
      assessed (strength to serious concern) and those of some and of serious concern;
    - ``deadline_compliance``: per jurisdiction and rule, the deadlines met, met late,
      overdue, pending and stopped (the case closed, or the rule stopped applying, first).

    A count from 1 to ``min_cell - 1`` becomes ``None``, and so do the other cells below
    ``min_cell`` of its row and column, and further cells chosen by their place (never by
    their size), until no cell below ``min_cell`` that is hidden can be narrowed down to one
    value from the published cells, the markers and the row and column totals (the totals
    over jurisdictions), which are taken to be known: docs/statistics.md says how, and the
    limits. Each row names its hidden cells in ``suppressed`` and, of those, the ones of
    ``min_cell`` or more in ``suppressed_large`` (``;``-separated, in column order; empty
    when none). The same counts give the same tables, in any order of ``rows``.

    >>> counts = {"close": 40, "universal_support": 12, "light_support": 3,
    ...           "refer_other_service": 8, "open_full_assessment": 30}
    >>> rows = [{"jurisdiction": "SE", "preliminary_outcome": outcome}
    ...         for outcome, count in counts.items() for _ in range(count)]
    >>> [row] = aggregate(rows)["by_outcome"]
    >>> row["close"], row["light_support"], row["undecided"], row["suppressed"]
    (40, None, None, 'light_support;undecided')
    """
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        raise InvalidArgumentError(
            "min_cell", "min_cell must be a whole number of at least 1; 5 is the usual threshold"
        )
    rows = list(rows)
    tables: dict[str, list[Row]] = {
        "by_outcome": [],
        "by_area_concern": [],
        "deadline_compliance": [],
    }

    outcomes: dict[str, dict[str, int]] = {}
    for index, row in enumerate(rows):
        code = _text(row, "jurisdiction")
        counts = outcomes.setdefault(code, dict.fromkeys(_OUTCOME_CELLS, 0))
        outcome = row.get("preliminary_outcome")
        outcome = "undecided" if outcome is None else outcome
        if outcome not in counts:
            raise _unknown_value(index, "preliminary_outcome", _OUTCOMES)
        counts[str(outcome)] += 1
    codes = sorted(outcomes, key=_jurisdiction_key)
    tables["by_outcome"] = _protected_rows(
        [{"jurisdiction": code} for code in codes],
        [outcomes[code] for code in codes],
        _OUTCOME_CELLS,
        _OUTCOME_ORDER,
        min_cell,
    )

    area_columns = list(dict.fromkeys(c for row in rows for c in row if c.startswith("area_")))
    for column in area_columns:
        values = [row.get(column) for row in rows]
        counts = {
            "assessed": sum(value in _ASSESSED for value in values),
            "some_concern": values.count("some_concern"),
            "serious_concern": values.count("serious_concern"),
        }
        if not counts["assessed"]:
            continue
        parts = [counts[name] for name in _CONCERNS]
        hidden = protect_parts(counts["assessed"], parts, min_cell)
        names = [*_CONCERNS, "assessed"]
        row = _published(
            {"area": column.removeprefix("area_")},
            counts,
            [name for name in counts if names.index(name) in hidden],
            min_cell,
        )
        tables["by_area_concern"].append(row)

    statuses: dict[tuple[str, str], dict[str, int]] = {}
    rule_columns = list(dict.fromkeys(c for row in rows for c in row if c.startswith("deadline_")))
    for index, row in enumerate(rows):
        code = _text(row, "jurisdiction")
        for column in rule_columns:
            status = row.get(column)
            if status is None:
                continue  # not started, or not a rule of this jurisdiction
            if status not in _STATUSES:
                raise _unknown_value(index, column, _STATUSES)
            rule = column.removeprefix("deadline_")
            counts = statuses.setdefault((code, rule), dict.fromkeys(_STATUSES, 0))
            counts[str(status)] += 1
    published: dict[tuple[str, str], Row] = {}
    for rule in dict.fromkeys(rule for _, rule in statuses):
        pairs = sorted(
            (pair for pair in statuses if pair[1] == rule),
            key=lambda pair: _jurisdiction_key(pair[0]),
        )
        made = _protected_rows(
            [{"jurisdiction": code, "rule": rule} for code, _ in pairs],
            [statuses[pair] for pair in pairs],
            _STATUSES,
            _STATUS_ORDER,
            min_cell,
        )
        published.update(zip(pairs, made, strict=True))
    rule_order = {column.removeprefix("deadline_"): n for n, column in enumerate(rule_columns)}
    tables["deadline_compliance"] = [
        published[pair]
        for pair in sorted(
            published, key=lambda pair: (_jurisdiction_key(pair[0]), rule_order[pair[1]])
        )
    ]
    return tables


def _text(row: Mapping[str, Value], column: str) -> str:
    value = row.get(column)
    if not isinstance(value, str):
        raise InvalidArgumentError(
            "rows", f"every row needs a {column}; make rows with export.statistics()"
        )
    return value


def _unknown_value(index: int, column: str, known: Sequence[str]) -> InvalidArgumentError:
    # The value itself is not shown: rows that statistics() did not make may hold anything.
    return InvalidArgumentError(
        "rows",
        f"row {index} has a {column} that is none of {', '.join(known)}; make rows with "
        "export.statistics()",
    )


# --- CSV and Parquet ---------------------------------------------------------------------------


def _columns(rows: Sequence[Mapping[str, Value]], columns: Sequence[str] | None) -> list[str]:
    names = list(columns) if columns is not None else list(rows[0]) if rows else []
    for index, row in enumerate(rows):
        if list(row) != names:
            raise InvalidArgumentError(
                "rows", f"row {index} has other columns than the others; write one table per call"
            )
    return names


def to_csv(
    rows: Iterable[Mapping[str, Value]],
    *,
    columns: Sequence[str] | None = None,
    min_cell: int = 5,
) -> str:
    """Rows (of :func:`statistics`, or one table of :func:`aggregate`) as CSV text.

    A header row, then one line per row, columns in the rows' order (``columns`` names
    them when there may be no rows: ``COLUMNS`` or ``TABLES[name]``). Lines end in
    ``\\r\\n`` (RFC 4180); write the text to a file opened with ``newline=""``. ``None`` is
    an empty field; in a table of :func:`aggregate` a hidden cell is ``<5`` (``<min_cell``;
    pass the ``min_cell`` you aggregated with) or, for a hidden cell of ``min_cell`` or more,
    ``x``. A published count below ``min_cell`` raises
    :class:`~kindbehoeften.errors.InvalidArgumentError` (a ``ValueError``).

    >>> to_csv([{"jurisdiction": "SE", "close": None, "suppressed": "close",
    ...          "suppressed_large": ""}])
    'jurisdiction,close,suppressed,suppressed_large\\r\\nSE,<5,close,\\r\\n'
    """
    rows = list(rows)
    names = _columns(rows, columns)
    if not names:
        return ""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        hidden = _hidden(row, min_cell)
        writer.writerow(
            [hidden.get(name, "") if row[name] is None else row[name] for name in names]
        )
    return buffer.getvalue()


def _hidden(row: Mapping[str, Value], min_cell: int) -> dict[str, str]:
    """How each hidden cell of an aggregate row is written in CSV."""
    if "suppressed" not in row:
        return {}
    large = set(str(row.get("suppressed_large") or "").split(";"))
    for name, value in row.items():
        if isinstance(value, int) and 0 < value < min_cell:
            raise InvalidArgumentError(
                "min_cell",
                f"{name} is published below min_cell={min_cell}: pass to_csv the min_cell "
                "the table was aggregated with",
            )
    return {
        name: "x" if name in large else f"<{min_cell}"
        for name in str(row["suppressed"]).split(";")
        if name
    }


def to_parquet(
    rows: Iterable[Mapping[str, Value]],
    path: str | os.PathLike[str],
    *,
    columns: Sequence[str] | None = None,
) -> None:
    """Write rows (of :func:`statistics`, or one table of :func:`aggregate`) to a Parquet
    file: text columns as strings, counts and days as 64-bit integers, ``None`` (unknown
    or hidden) as null; the ``suppressed`` columns say which nulls are hidden counts.

    Needs pyarrow: without it, :class:`MissingDependencyError` says
    ``pip install "kindbehoeften[parquet]"``.
    """
    rows = list(rows)
    names = _columns(rows, columns)
    try:
        pa = importlib.import_module("pyarrow")
        pq = importlib.import_module("pyarrow.parquet")
    except ImportError as error:
        raise MissingDependencyError(
            'Parquet output needs pyarrow: pip install "kindbehoeften[parquet]", or write CSV'
        ) from error
    fields = []
    for name in names:
        values = [row[name] for row in rows]
        kinds = {type(value) for value in values if value is not None}
        if kinds == {int} or (not kinds and name in _INTEGER_COLUMNS):
            fields.append(pa.field(name, pa.int64()))
        elif kinds <= {str}:
            fields.append(pa.field(name, pa.string()))
        else:
            # Values of a wrong type: Python's own TypeError (as pyarrow's ArrowTypeError).
            raise TypeError(
                f"column {name} mixes {', '.join(sorted(k.__name__ for k in kinds))}; a column "
                "holds text or whole numbers, with None for unknown"
            )
    schema = pa.schema(fields)
    table = pa.Table.from_pylist([dict(row) for row in rows], schema=schema)
    pq.write_table(table, os.fspath(path))
