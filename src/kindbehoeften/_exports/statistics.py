"""Statistics for monitoring: the rows of streams of records, and suppressed aggregates.

:func:`statistics` and :func:`stream_statistics` turn assessment records (as
:func:`kindbehoeften.export.record` makes them) into one row per case, each record read and
checked once (:func:`~kindbehoeften._exports.record.read_checked`), in this process or in
worker processes, the records it refuses passed on with their places; :mod:`.rows` makes
each row (its columns, and the one gate every answer read goes through). :func:`aggregate`
counts rows into tables for publication, with small counts suppressed; :func:`to_csv` and
:func:`to_parquet` write rows or tables. docs/statistics.md describes every column for the
people who publish them.

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

import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeAlias

from .._core.model import Form
from .._forms.catalog import forms as catalog_forms
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
from .rows import (
    _BEFORE_DERIVED,
    AGE_BANDS,
    COLUMNS,
    MIN_KEY_BYTES,
    Row,
    Value,
    _checked_key,
    _Forms,
    _full_forms,
    _row,
    _rule_order,
    age_band,
    pseudonym,
)
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

#: With ``jobs`` > 1, the records go to the worker processes in batches of this many at
#: most, ...
BATCH_RECORDS: Final = 200
#: ... and of no more bytes of text than this (a batch holds at least one record).
BATCH_BYTES: Final = 4 * 1024 * 1024


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
