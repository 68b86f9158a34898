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

import datetime as dt
import hmac
import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeAlias

from .._core.answers import is_answered
from .._core.model import Form, Question
from .._forms.catalog import find_form
from .._forms.catalog import forms as catalog_forms
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
    IntegrityError,
    InvalidArgumentError,
    InvalidEventError,
    InvalidRecordError,
    KindbehoeftenError,
    MissingDependencyError,
    TransitionError,
    UnsafeFieldError,
)
from .record import read_checked
from .sources import RecordText, read_records
from .tables import TABLES, aggregate
from .workers import MAX_JOBS, in_order, worker_pool
from .writers import to_csv, to_parquet

__all__ = [
    "AGE_BANDS",
    "COLUMNS",
    "MIN_KEY_BYTES",
    "TABLES",
    "MissingDependencyError",
    "RecordText",
    "RefusedRecord",
    "StatisticsStream",
    "UnsafeFieldError",
    "age_band",
    "aggregate",
    "pseudonym",
    "read_records",
    "statistics",
    "stream_statistics",
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
#: With ``jobs`` > 1, the records go to the worker processes in batches of this many at
#: most, ...
BATCH_RECORDS: Final = 200
#: ... and of no more bytes of text than this (a batch holds at least one record).
BATCH_BYTES: Final = 4 * 1024 * 1024
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
    if not isinstance(case_id, str):
        raise TypeError(f"case_id must be a str, not {type(case_id).__name__}")
    text = str.__str__(case_id)  # a subclass's text, none of its methods
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidArgumentError(
                "case_id", "case_id must be text without lone surrogates, as every case id is"
            ) from None
    return _pseudonym(_checked_key(key), text)


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


# --- a stream of records, and the records it refuses -----------------------------------------

Record: TypeAlias = Mapping[str, Any] | str | bytes | RecordText
_REFUSALS: Final = (InvalidRecordError, IntegrityError, TransitionError, InvalidEventError)


@dataclass(frozen=True, slots=True)
class RefusedRecord:
    """A record that a stream of statistics refused, and where it was.

    ``index`` is its place in the stream (from 0); ``file`` and ``line`` say where it was
    read (a :class:`RecordText` of :func:`read_records`; ``None`` otherwise); ``error`` is
    what :func:`~kindbehoeften.export.read_record` raised: an
    :class:`~kindbehoeften.errors.InvalidRecordError` (with ``problems``, pointers and
    codes), :class:`~kindbehoeften.errors.IntegrityError` (with ``code`` and ``seq``),
    :class:`~kindbehoeften.errors.TransitionError` or
    :class:`~kindbehoeften.errors.InvalidEventError`, kept without its traceback.
    """

    index: int
    file: Path | None
    line: int | None
    error: KindbehoeftenError

    @property
    def place(self) -> str:
        """``file:line`` (NDJSON), ``file`` (a whole file) or ``record N`` (counted from 0)."""
        if self.file is None:
            return f"record {self.index}"
        return str(self.file) if self.line is None else f"{self.file}:{self.line}"

    def __str__(self) -> str:
        return f"{self.place}: {self.error}"


class StatisticsStream:
    """The rows of a stream of records, made one at a time: see :func:`stream_statistics`.

    Iterate over it once. ``columns`` are the columns of every row, known before the first
    record is read; :meth:`batch_columns` are those that :func:`statistics` keeps for the
    records read so far. ``counted`` and ``refused`` count the records made into rows and
    those refused.
    """

    def __init__(
        self,
        records: Iterable[Record],
        *,
        key: bytes,
        profiles: Mapping[str, Profile] | None = None,
        on_error: Callable[[RefusedRecord], object] | None = None,
        jobs: int = 1,
    ) -> None:
        self._secret = _checked_key(key)
        self._jobs = _checked_jobs(jobs)
        if isinstance(records, str | bytes | Mapping | RecordText):
            # A wrong type of argument: Python's own TypeError, as errors.py says.
            raise TypeError(
                "records must be an iterable of records, not one record: pass [record] for one"
            )
        self._records = records
        self._profiles = dict(profiles or {})
        self._on_error = on_error
        self._forms = _Forms()
        self._started = False
        self._jurisdictions: set[str] = set()
        self._areas: dict[str, int] = {}  # each area column seen, and its first place in a form
        self._noted: set[str] = set()  # the forms whose areas are in self._areas
        self.counted = 0
        self.refused = 0
        self._rules = _rule_order()
        all_areas: dict[str, int] = {}
        for form in catalog_forms():
            if form.stage == "full":
                self._note_areas(form, all_areas)
        self.columns: tuple[str, ...] = self._columns(
            set(JURISDICTIONS) | set(self._profiles), all_areas
        )

    def _note_areas(self, form: Form, areas: dict[str, int]) -> None:
        for position, (section, area) in enumerate(self._forms.assessed_areas(form)):
            name = f"area_{section}_{area}"
            areas[name] = min(areas.get(name, position), position)

    def _columns(self, jurisdictions: Iterable[str], areas: Mapping[str, int]) -> tuple[str, ...]:
        rules = {
            rule.id
            for code in jurisdictions
            for rule in (self._profiles.get(code) or load_profile(code)).rules
        }
        deadline_columns = [f"deadline_{rule}" for rule in self._rules if rule in rules]
        deadline_columns += sorted(f"deadline_{rule}" for rule in rules - set(self._rules))
        area_columns = sorted(areas, key=lambda name: (areas[name], name))
        return (
            *COLUMNS[:_BEFORE_DERIVED],
            *deadline_columns,
            *area_columns,
            *COLUMNS[_BEFORE_DERIVED:],
        )

    def batch_columns(self) -> tuple[str, ...]:
        """The columns of :func:`statistics` for the records read so far: the deadlines of
        their jurisdictions and the areas of their full assessments."""
        return self._columns(self._jurisdictions, self._areas)

    def __iter__(self) -> Iterator[Row]:
        if self._started:
            raise RuntimeError("a stream of statistics is read once; make another for more")
        self._started = True
        return self._rows() if self._jobs == 1 else self._pooled()

    def _rows(self) -> Iterator[Row]:
        columns = self.columns
        for index, item in enumerate(self._records):
            file, line, document = (
                (item.file, item.line, item.data)
                if isinstance(item, RecordText)
                else (None, None, item)
            )
            try:
                checked, case = read_checked(document, profiles=self._profiles)
            except _REFUSALS as error:
                self._refuse(error, (index, file, line))
                continue
            row, derived = _row(checked, case, self._secret, self._forms)
            self._note(case.jurisdiction, _full_forms(self._forms, checked))
            self.counted += 1
            merged = row | derived
            yield {column: merged.get(column) for column in columns}

    def _refuse(self, error: KindbehoeftenError, place: _Place) -> None:
        """Pass a refused record to ``on_error``; without it, raise its error, with a note
        that names its place."""
        index, file, line = place
        refused = RefusedRecord(index, file, line, error.with_traceback(None))
        if self._on_error is None:
            where = f"record {index} of the batch" if file is None else refused.place
            error.add_note(f"({where})")
            raise error
        self.refused += 1
        self._on_error(refused)

    def _note(self, jurisdiction: str, full_forms: Iterable[tuple[str, str]]) -> None:
        """Note what :meth:`batch_columns` keeps of a record made into a row: its
        jurisdiction, and the areas of its completed full assessments."""
        self._jurisdictions.add(jurisdiction)
        for form_id, version in full_forms:
            form = self._forms.get(form_id, version)
            if form.key not in self._noted:
                self._note_areas(form, self._areas)
                self._noted.add(form.key)  # its areas are noted: once is enough

    def _pooled(self) -> Iterator[Row]:
        """The rows of :meth:`_rows`, the records read here and checked and made into rows
        in ``jobs`` worker processes, a batch at a time; given in input order, each refused
        record passed on (or raised) here in its turn, as in one process."""
        columns = self.columns
        setup = _Setup(self._secret, self._profiles, columns)
        with worker_pool(self._jobs, _set_up, (setup,)) as pool:
            made = in_order(pool, _work, _sent(_batches(self._records)), ahead=2 * self._jobs)
            for sent, (documents, places) in made:
                # a batch that does not travel by pickle is made here, in its turn
                entries = _make(setup, self._forms, documents) if sent is None else sent
                for entry, place in zip(entries, places, strict=False):
                    if isinstance(entry, _Made):
                        self._note(entry.jurisdiction, entry.full_forms)
                        self.counted += 1
                        yield dict(zip(columns, entry.values, strict=True))
                    elif isinstance(entry, _Raised):
                        raise entry.error
                    else:
                        self._refuse(entry, place)


def _checked_jobs(jobs: object) -> int:
    """``jobs`` if it is a whole number from 1 to :data:`MAX_JOBS`, else
    InvalidArgumentError."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS:
        given = f"{jobs}" if isinstance(jobs, int) else f"a {type(jobs).__name__}"
        raise InvalidArgumentError(
            "jobs",
            f"jobs must be a whole number from 1 to {MAX_JOBS}, not {given}: the number of "
            "processes that check the records (1 checks them in this one)",
        )
    return jobs


# --- the same in worker processes ---------------------------------------------------------

_Place: TypeAlias = tuple[int, Path | None, int | None]  # index, file and line of a record


@dataclass(frozen=True, slots=True)
class _Setup:
    """What making rows needs, the same in every worker."""

    secret: bytes
    profiles: dict[str, Profile]
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Made:
    """A record made into a row in a worker: the row's values in the order of the columns,
    and what the stream notes of it (see :meth:`StatisticsStream._note`)."""

    values: tuple[Value, ...]
    jurisdiction: str
    full_forms: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class _Raised:
    """An error that stops the stream (not a refused record), the last entry of its batch."""

    error: Exception


_Entry: TypeAlias = _Made | KindbehoeftenError | _Raised  # the error of a refused record
_WORKER: list[tuple[_Setup, _Forms]] = []  # a worker's setup and its forms, made once


def _batches(records: Iterable[Record]) -> Iterator[tuple[list[Any], list[_Place]]]:
    """The records in batches (:data:`BATCH_RECORDS`, :data:`BATCH_BYTES`), each with the
    places of its records. Should reading fail, the batch read so far comes first."""
    documents: list[Any] = []
    places: list[_Place] = []
    held = 0
    try:
        for index, item in enumerate(records):
            if isinstance(item, RecordText):
                documents.append(item.data)
                places.append((index, item.file, item.line))
                held += len(item.data)
            else:
                documents.append(item)
                places.append((index, None, None))
                held += len(item) if isinstance(item, str | bytes) else 0
            if len(documents) >= BATCH_RECORDS or held >= BATCH_BYTES:
                yield documents, places
                documents, places, held = [], [], 0
    except Exception:
        if documents:
            yield documents, places
        raise
    if documents:
        yield documents, places


def _sent(
    batches: Iterable[tuple[list[Any], list[_Place]]],
) -> Iterator[tuple[bytes | None, tuple[list[Any], list[_Place]]]]:
    """Each batch pickled for a worker (``None`` where a record does not pickle: a mapping
    of other values, or no record at all, which one process refuses), with the batch kept
    to be made here should it not reach the worker."""
    for documents, places in batches:
        try:
            data: bytes | None = pickle.dumps(documents, pickle.HIGHEST_PROTOCOL)
        except Exception:  # whatever pickling raises, it is not the record's verdict
            data = None
        yield data, (documents, places)


def _set_up(setup: _Setup) -> None:  # pragma: no cover - runs in a worker process
    _WORKER[:] = [(setup, _Forms())]


def _work(data: bytes | None) -> list[_Entry] | None:  # pragma: no cover - runs in a worker
    """The entries of a pickled batch; ``None`` for one that did not pickle, or does not
    unpickle here, which the stream then makes itself."""
    if data is None:
        return None
    try:
        documents = pickle.loads(data)
    except Exception:
        return None
    return _make(*_WORKER[0], documents)


def _make(setup: _Setup, forms: _Forms, documents: list[Any]) -> list[_Entry]:
    """What :meth:`StatisticsStream._rows` does to each record of a batch, up to the first
    error that stops the stream."""
    entries: list[_Entry] = []
    for document in documents:
        try:
            try:
                checked, case = read_checked(document, profiles=setup.profiles)
            except _REFUSALS as error:
                entries.append(error.with_traceback(None))
                continue
            row, derived = _row(checked, case, setup.secret, forms)
            full_forms = _full_forms(forms, checked)
        except Exception as error:
            entries.append(_Raised(error.with_traceback(None)))
            break
        merged = row | derived
        values = tuple(merged.get(column) for column in setup.columns)
        entries.append(_Made(values, case.jurisdiction, full_forms))
    return entries


def stream_statistics(
    records: Iterable[Record],
    *,
    key: bytes,
    profiles: Mapping[str, Profile] | None = None,
    on_error: Callable[[RefusedRecord], object] | None = None,
    jobs: int = 1,
) -> StatisticsStream:
    """The rows of a stream of records, one per record as it is read: for streams of any
    length, in constant memory (nothing of a record is kept once its row is made).

    ``records`` is any iterable of records: dicts, JSON text or bytes, or the
    :class:`RecordText` items of :func:`read_records` (files, folders, NDJSON), which give
    each record its place. Each record is checked once, as
    :func:`~kindbehoeften.export.read_record` checks it (the strict reader, the hash chain,
    the compiled validator of each submission, the derived fields against one replay of the
    history). ``key`` and ``profiles`` are those of :func:`statistics`.

    A record that is refused stops the stream with its error (a note names its place)
    unless ``on_error`` is given: then ``on_error(RefusedRecord)`` is called with it, and
    the stream goes on with the next record; pass ``refused.append`` of a list to keep them
    all. An :class:`UnsafeFieldError` always stops the stream: it is the form, not the record,
    that is wrong.

    Every row has the columns of the returned stream's ``columns``: :data:`COLUMNS` with a
    ``deadline_<rule>`` column for every rule of the shipped profiles (and of ``profiles``)
    and an ``area_<section>_<area>`` column for every assessed area of the full-assessment
    forms of the catalog, so that files written from many streams have the same columns.

    With ``jobs`` > 1 (at most :data:`MAX_JOBS`), the records are read here and checked and
    made into rows in ``jobs`` worker processes, in batches, at most ``2 * jobs`` batches at
    once (memory stays flat); the rows, columns, counts, refused records and errors are
    those of one process, in input order. The workers start at the first row and are shut
    down when the stream ends, fails or is left. A batch whose records do not pickle is made
    in this process instead. ``jobs`` not a whole number from 1 is
    :class:`~kindbehoeften.errors.InvalidArgumentError`.

    >>> import json
    >>> refused = []
    >>> stream = stream_statistics([b"{not json"], key=b"k" * 16, on_error=refused.append)
    >>> list(stream), stream.refused, refused[0].place, refused[0].error.problems
    ([], 1, 'record 0', (('', 'json_syntax'),))
    """
    return StatisticsStream(records, key=key, profiles=profiles, on_error=on_error, jobs=jobs)


def statistics(
    records: Iterable[Record],
    *,
    key: bytes,
    profiles: Mapping[str, Profile] | None = None,
    on_error: Callable[[RefusedRecord], object] | None = None,
    jobs: int = 1,
) -> list[Row]:
    """One row per record, without free text or personal data; see docs/statistics.md.

    Each record is read with :func:`kindbehoeften.export.read_record` first, so that a
    damaged or altered record is refused (its error gets a note with the record's position,
    or its file and line), or, with ``on_error``, passed to it while the others are counted
    (see :func:`stream_statistics`). ``key`` (bytes, at least 16) keys the pseudonyms:
    without one, :class:`~kindbehoeften.errors.InvalidArgumentError` (a ``ValueError``) and
    no export; one record instead of an iterable of them is a ``TypeError``. ``profiles``
    maps a jurisdiction code to the profile its records were made with (a municipality's
    override); the shipped profile otherwise. ``jobs`` makes the rows in that many worker
    processes (see :func:`stream_statistics`).

    Every row has the same columns: :data:`COLUMNS`, with ``deadline_<rule>`` for every rule
    of the jurisdictions in the batch (in the order of the shipped profiles) and
    ``area_<section>_<area>`` for every assessed area of the full-assessment forms in the
    batch (in form order) between ``stage`` and ``measures``. A value not known is ``None``.
    The rows are kept in a list: for a stream of records, use :func:`stream_statistics`.
    """
    stream = stream_statistics(records, key=key, profiles=profiles, on_error=on_error, jobs=jobs)
    rows = list(stream)
    columns = stream.batch_columns()
    return [{column: row[column] for column in columns} for row in rows]
