"""The published tables of statistics: counted, then protected by the one rule of disclosure.py.

Counting and publishing are apart, so that every engine publishes through the same rule:
:class:`Counts` is the counted table, made here from rows one at a time (:func:`count`), or by
DuckDB or Dask over Parquet (``monitoring.py``); :func:`publish` suppresses its small cells
with :func:`~kindbehoeften._exports.disclosure.protect_grid` and
:func:`~kindbehoeften._exports.disclosure.protect_parts`. :func:`aggregate` is both, in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, TypeAlias

from .._lifecycle.deadlines import JURISDICTIONS
from ..errors import InvalidArgumentError
from .disclosure import protect_grid, protect_parts

__all__ = [
    "ASSESSED",
    "OUTCOMES",
    "STATUSES",
    "TABLES",
    "Counts",
    "aggregate",
    "check_min_cell",
    "count",
    "publish",
    "row_of",
    "unknown_value",
]

Value: TypeAlias = str | int | None
Row: TypeAlias = dict[str, Value]

OUTCOMES: Final = (
    "close",
    "universal_support",
    "light_support",
    "refer_other_service",
    "open_full_assessment",
)
STATUSES: Final = ("met", "met_late", "overdue", "pending", "stopped")
ASSESSED: Final = frozenset({"strength", "no_concern", "some_concern", "serious_concern"})

#: The columns of each table of :func:`aggregate`, in order.
TABLES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "by_outcome": ("jurisdiction", *OUTCOMES, "undecided", "suppressed", "suppressed_large"),
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
            *STATUSES,
            "suppressed",
            "suppressed_large",
        ),
    }
)

_OUTCOME_CELLS: Final = (*OUTCOMES, "undecided")
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


@dataclass
class Counts:
    """The counted tables, before any suppression.

    ``outcomes`` maps a jurisdiction to its count of each preliminary outcome (and
    ``undecided``); ``areas`` maps an area column (``area_<section>_<area>``, in column
    order) to the count of each value of it (``None`` too); ``statuses`` maps a jurisdiction
    and a rule to the count of each status; ``rules`` lists the ``deadline_<rule>`` columns
    in column order.
    """

    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)
    areas: dict[str, dict[Value, int]] = field(default_factory=dict)
    statuses: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    rules: list[str] = field(default_factory=list)

    def add_outcome(self, jurisdiction: str, outcome: str | None, number: int = 1) -> bool:
        """Count ``number`` cases of ``jurisdiction`` with ``outcome`` (None: undecided);
        False, and nothing counted, for an outcome that is none of :data:`OUTCOMES`."""
        counts = self.outcomes.get(jurisdiction)
        if counts is None:  # a jurisdiction's first row (no new dict for every row)
            counts = self.outcomes[jurisdiction] = dict.fromkeys(_OUTCOME_CELLS, 0)
        cell = "undecided" if outcome is None else outcome
        if cell not in counts:
            return False
        counts[cell] += number
        return True

    def add_status(self, jurisdiction: str, column: str, status: str, number: int = 1) -> bool:
        """Count ``number`` deadlines of ``column`` (``deadline_<rule>``) with ``status``;
        False, and nothing counted, for a status that is none of :data:`STATUSES`."""
        if status not in STATUSES:
            return False
        rule = column.removeprefix("deadline_")
        counts = self.statuses.get((jurisdiction, rule))
        if counts is None:
            counts = self.statuses[jurisdiction, rule] = dict.fromkeys(STATUSES, 0)
        counts[status] += number
        return True


def check_min_cell(min_cell: object) -> int:
    """``min_cell`` if it is a whole number of at least 1, else InvalidArgumentError."""
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        raise InvalidArgumentError(
            "min_cell", "min_cell must be a whole number of at least 1; 5 is the usual threshold"
        )
    return min_cell


def row_of(index: int, row: object) -> Mapping[str, Value]:
    """``row``, the ``index``-th of some rows, if it is a mapping of a column to its value;
    else a TypeError that says so and where (a list or a text is no row)."""
    if type(row) is dict or isinstance(row, Mapping):
        return row
    raise TypeError(
        f"rows must be mappings of a column to its value (dicts), not {type(row).__name__} "
        f"(row {index})"
    )


def count(rows: Iterable[Mapping[str, Value]]) -> Counts:
    """The counted tables of statistics rows, read one at a time (constant memory)."""
    counts = Counts()
    columns: object = None
    areas: list[str] = []
    rules: list[str] = []
    for index, given in enumerate(rows):
        row = row_of(index, given)
        if row.keys() != columns:
            # The columns of the rows (the same for every row of statistics()), taken anew
            # should a row have others, in the order they are first met.
            columns = row.keys()
            areas = [column for column in row if column.startswith("area_")]
            rules = [column for column in row if column.startswith("deadline_")]
            for column in areas:
                counts.areas.setdefault(column, {})
            counts.rules += [column for column in rules if column not in counts.rules]
        code = _text(row, "jurisdiction")
        outcome = row.get("preliminary_outcome")
        if not counts.add_outcome(code, None if outcome is None else str(outcome)):
            raise unknown_value(index, "preliminary_outcome", OUTCOMES)
        for column in rules:
            status = row.get(column)
            if status is None:
                continue  # not started, or not a rule of this jurisdiction
            if not counts.add_status(code, column, str(status)):
                raise unknown_value(index, column, STATUSES)
        for column in areas:
            values = counts.areas[column]
            value = row.get(column)
            values[value] = values.get(value, 0) + 1
    return counts


def publish(counts: Counts, min_cell: int = 5) -> dict[str, list[Row]]:
    """The tables of :func:`aggregate` from counted tables: the small cells suppressed by the
    rule of disclosure.py, rows in the order of the jurisdictions, areas and rules."""
    min_cell = check_min_cell(min_cell)
    tables: dict[str, list[Row]] = {
        "by_outcome": [],
        "by_area_concern": [],
        "deadline_compliance": [],
    }
    codes = sorted(counts.outcomes, key=_jurisdiction_key)
    tables["by_outcome"] = _protected_rows(
        [{"jurisdiction": code} for code in codes],
        [counts.outcomes[code] for code in codes],
        _OUTCOME_CELLS,
        _OUTCOME_ORDER,
        min_cell,
    )

    for column, values in counts.areas.items():
        cells = {
            "assessed": sum(number for value, number in values.items() if value in ASSESSED),
            "some_concern": values.get("some_concern", 0),
            "serious_concern": values.get("serious_concern", 0),
        }
        if not cells["assessed"]:
            continue
        hidden = protect_parts(cells["assessed"], [cells[name] for name in _CONCERNS], min_cell)
        names = [*_CONCERNS, "assessed"]
        tables["by_area_concern"].append(
            _published(
                {"area": column.removeprefix("area_")},
                cells,
                [name for name in cells if names.index(name) in hidden],
                min_cell,
            )
        )

    published: dict[tuple[str, str], Row] = {}
    for rule in dict.fromkeys(rule for _, rule in counts.statuses):
        pairs = sorted(
            (pair for pair in counts.statuses if pair[1] == rule),
            key=lambda pair: _jurisdiction_key(pair[0]),
        )
        made = _protected_rows(
            [{"jurisdiction": code, "rule": rule} for code, _ in pairs],
            [counts.statuses[pair] for pair in pairs],
            STATUSES,
            _STATUS_ORDER,
            min_cell,
        )
        published.update(zip(pairs, made, strict=True))
    order = {column.removeprefix("deadline_"): n for n, column in enumerate(counts.rules)}
    tables["deadline_compliance"] = [
        published[pair]
        for pair in sorted(
            published,
            key=lambda pair: (_jurisdiction_key(pair[0]), order.get(pair[1], len(order)), pair[1]),
        )
    ]
    return tables


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
    when none). The same counts give the same tables, in any order of ``rows``; ``rows``
    are read once, one at a time, so that a stream of any length is counted in constant
    memory. The same rule publishes the counts of DuckDB and Dask
    (:func:`~kindbehoeften.export.aggregate_parquet`, :func:`~kindbehoeften.export.aggregate_dask`).

    >>> counts = {"close": 40, "universal_support": 12, "light_support": 3,
    ...           "refer_other_service": 8, "open_full_assessment": 30}
    >>> rows = [{"jurisdiction": "SE", "preliminary_outcome": outcome}
    ...         for outcome, count in counts.items() for _ in range(count)]
    >>> [row] = aggregate(rows)["by_outcome"]
    >>> row["close"], row["light_support"], row["undecided"], row["suppressed"]
    (40, None, None, 'light_support;undecided')
    """
    check_min_cell(min_cell)
    return publish(count(rows), min_cell)


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


def _text(row: Mapping[str, Value], column: str) -> str:
    value = row.get(column)
    if not isinstance(value, str):
        raise InvalidArgumentError(
            "rows", f"every row needs a {column}; make rows with export.statistics()"
        )
    return value


def unknown_value(index: int | None, column: str, known: Sequence[str]) -> InvalidArgumentError:
    """The error of a value that is none of ``known``, in the row ``index`` (None: a row of
    a file). The value itself is not shown: rows that statistics() did not make may hold
    anything."""
    which = "a row" if index is None else f"row {index}"
    return InvalidArgumentError(
        "rows",
        f"{which} has a {column} that is none of {', '.join(known)}; make rows with "
        "export.statistics()",
    )
