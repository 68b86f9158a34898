"""Attacks on published aggregate tables, written as an attacker would write them.

The attacker reads a published table (the rows of one table of ``aggregate``: its counts,
``None`` for a hidden one, and the ``suppressed`` / ``suppressed_large`` markers), knows the
total of every row and, where a table has two rows or more, the total of every column (the
national total per outcome or status), and tries to recover the hidden small counts:

- :func:`subtract`: row and column totals minus the published cells, repeated while some line
  has one hidden cell left;
- :class:`Ranges`: the exact range of every hidden cell: every table of whole numbers that
  agrees with the published cells, the markers (``<min_cell``: 0 to ``min_cell - 1``; ``x``:
  ``min_cell`` or more) and the totals, found by a search that is independent of the
  library's own audit. It also uses what the rule gives away: cells are hidden because of a
  small count, so each group of hidden cells joined by shared rows (or columns, when column
  totals are known) holds a small count of 1 or more;
- :func:`replay`: the documented rule replayed: every table that agrees with the published
  one and its totals is put through ``aggregate`` again, and those that would not have been
  published the same way are dropped. On a table of one row this is the attack of the row
  total and the documented order of secondary suppression, at its strongest;
- :func:`area_values`: both of the above for a row of ``by_area_concern``, whose total
  (``assessed``) is in the table itself and whose cases without concern are never published.

The tests (tests/test_disclosure.py) and benchmarks/disclosure.py use them.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kindbehoeften.export import aggregate

Cell = tuple[int, int]

OUTCOMES = (
    "close",
    "universal_support",
    "light_support",
    "refer_other_service",
    "open_full_assessment",
    "undecided",
)
STATUSES = ("met", "met_late", "overdue", "pending", "stopped")
JURISDICTIONS = ("SE", "DK", "NO", "FI", "GB-ENG", "NL")


def outcome_rows(grid: Sequence[Sequence[int]]) -> list[dict[str, Any]]:
    """Statistics rows whose ``by_outcome`` table is ``grid`` (one row per jurisdiction)."""
    rows: list[dict[str, Any]] = []
    for code, counts in zip(JURISDICTIONS, grid, strict=False):
        for outcome, count in zip(OUTCOMES, counts, strict=True):
            value = None if outcome == "undecided" else outcome
            rows += [{"jurisdiction": code, "preliminary_outcome": value}] * count
    return rows


def deadline_rows(grid: Sequence[Sequence[int]]) -> list[dict[str, Any]]:
    """Statistics rows whose ``deadline_compliance`` table for ``preliminary`` is ``grid``."""
    rows: list[dict[str, Any]] = []
    for code, counts in zip(JURISDICTIONS, grid, strict=False):
        for status, count in zip(STATUSES, counts, strict=True):
            row = {"jurisdiction": code, "preliminary_outcome": None}
            rows += [row | {"deadline_preliminary": status}] * count
    return rows


@dataclass(frozen=True)
class Kind:
    """A table of ``aggregate`` as the attacks see it."""

    name: str
    cells: tuple[str, ...]
    rows: Callable[[Sequence[Sequence[int]]], list[dict[str, Any]]]


BY_OUTCOME = Kind("by_outcome", OUTCOMES, outcome_rows)
DEADLINES = Kind("deadline_compliance", STATUSES, deadline_rows)


def publish(kind: Kind, grid: Sequence[Sequence[int]], min_cell: int) -> list[dict[str, Any]]:
    """The published rows of ``grid`` (only rows with a case are published)."""
    key = tuple(map(tuple, grid))
    return [dict(row) for row in _publish(kind, key, min_cell)]


@functools.lru_cache(maxsize=1 << 16)
def _publish(
    kind: Kind, grid: tuple[tuple[int, ...], ...], min_cell: int
) -> tuple[dict[str, Any], ...]:
    if not any(map(any, grid)):
        return ()
    table = aggregate(kind.rows(grid), min_cell=min_cell)[kind.name]
    assert len(grid) == len(table), "every generated row has a case"
    return tuple(table)


@dataclass(frozen=True)
class Published:
    """What a published table says about each cell: its count, or that it is hidden and
    whether it is small (``<``) or large (``x``)."""

    values: tuple[tuple[int | None, ...], ...]
    marks: tuple[tuple[str, ...], ...]

    @classmethod
    def read(cls, table: Sequence[Mapping[str, Any]], cells: Sequence[str]) -> Published:
        values, marks = [], []
        for row in table:
            hidden = set(str(row["suppressed"]).split(";")) - {""}
            large = set(str(row["suppressed_large"]).split(";")) - {""}
            assert large <= hidden
            values.append(tuple(row[cell] for cell in cells))
            marks.append(tuple("x" if c in large else "<" if c in hidden else "" for c in cells))
            assert all((v is None) == bool(m) for v, m in zip(values[-1], marks[-1], strict=True))
        return cls(tuple(values), tuple(marks))

    def hidden(self) -> list[Cell]:
        return [
            (i, j) for i, marks in enumerate(self.marks) for j, mark in enumerate(marks) if mark
        ]


def column_totals(grid: Sequence[Sequence[int]]) -> list[int] | None:
    """The national totals per column that the attacker knows: for tables of two rows or
    more (a table of one row has its own cells as column totals: nothing to protect)."""
    return [sum(column) for column in zip(*grid, strict=True)] if len(grid) > 1 else None


def subtract(
    published: Published, row_totals: Sequence[int], columns: Sequence[int] | None
) -> dict[Cell, int]:
    """Hidden cells recovered by subtraction: a row or column with one hidden cell left
    gives it away; repeated until nothing more comes out."""
    known: dict[Cell, int] = {}
    cells = {
        (i, j): value for i, values in enumerate(published.values) for j, value in enumerate(values)
    }
    lines: list[tuple[list[Cell], int]] = [
        ([(i, j) for j in range(len(published.values[i]))], total)
        for i, total in enumerate(row_totals)
    ]
    if columns is not None:
        lines += [
            ([(i, j) for i in range(len(published.values))], total)
            for j, total in enumerate(columns)
        ]
    progress = True
    while progress:
        progress = False
        for line, total in lines:
            unknown = [cell for cell in line if cells[cell] is None and cell not in known]
            if len(unknown) == 1:
                rest = sum(known.get(cell, cells[cell] or 0) for cell in line if cell != unknown[0])
                known[unknown[0]] = total - rest
                progress = True
    return known


class Ranges:
    """The exact range of each hidden cell, by a search over whole-number tables."""

    def __init__(
        self,
        published: Published,
        row_totals: Sequence[int],
        columns: Sequence[int] | None,
        min_cell: int,
    ) -> None:
        self.hidden = published.hidden()
        self.columns = columns
        self.rows_left = [
            total - sum(v or 0 for v in values)
            for total, values in zip(row_totals, published.values, strict=True)
        ]
        width = len(published.values[0]) if published.values else 0
        self.columns_left = (
            None
            if columns is None
            else [
                total - sum(values[j] or 0 for values in published.values)
                for j, total in enumerate(columns)
            ]
        )
        self.bounds: dict[Cell, tuple[int, int]] = {}
        for i, j in self.hidden:
            top = row_totals[i] if columns is None else min(row_totals[i], columns[j])
            if published.marks[i][j] == "<":
                self.bounds[(i, j)] = (0, min(min_cell - 1, top))
            else:
                self.bounds[(i, j)] = (min_cell, top)
        self.small = {cell for cell in self.hidden if published.marks[cell[0]][cell[1]] == "<"}
        # Groups of hidden cells joined by a shared row (or column, when column totals are
        # known): cells are hidden because of a small count, so each group holds one.
        group = {cell: cell for cell in self.hidden}

        def find(cell: Cell) -> Cell:
            while group[cell] != cell:
                cell = group[cell]
            return cell

        for a, b in itertools.combinations(self.hidden, 2):
            if a[0] == b[0] or (columns is not None and a[1] == b[1]):
                group[find(a)] = find(b)
        self.groups = [
            [cell for cell in sorted(self.small) if find(cell) == root]
            for root in sorted({find(cell) for cell in self.hidden})
        ]
        self.width = width

    def feasible(self, cell: Cell, value: int) -> bool:
        """Whether some table that fits what is published has ``value`` in ``cell``."""
        low, high = self.bounds[cell]
        if not low <= value <= high:
            return False
        return next(self.tables({cell: value}), None) is not None

    def tables(self, fixed: Mapping[Cell, int] | None = None) -> Iterator[dict[Cell, int]]:
        """Every table that fits what is published (and ``fixed``), as its hidden values."""
        bounds = dict(self.bounds)
        for cell, value in (fixed or {}).items():
            bounds[cell] = (value, value)
        # What the cells after position t of each row and column can still hold.
        row_after: list[dict[int, tuple[int, int]]] = []
        col_after: list[dict[int, tuple[int, int]]] = []
        rows: dict[int, tuple[int, int]] = {}
        cols: dict[int, tuple[int, int]] = {}
        for i, j in reversed(self.hidden):
            row_after.append(dict(rows))
            col_after.append(dict(cols))
            lo, hi = bounds[(i, j)]
            r = rows.get(i, (0, 0))
            rows[i] = (r[0] + lo, r[1] + hi)
            c = cols.get(j, (0, 0))
            cols[j] = (c[0] + lo, c[1] + hi)
        row_after.reverse()
        col_after.reverse()
        if any(i not in rows and left != 0 for i, left in enumerate(self.rows_left)):
            return
        if self.columns_left is not None and any(
            j not in cols and left != 0 for j, left in enumerate(self.columns_left)
        ):
            return
        values: dict[Cell, int] = {}
        for _ in self._search(0, bounds, row_after, col_after, values):
            yield dict(values)

    def _search(
        self,
        t: int,
        bounds: Mapping[Cell, tuple[int, int]],
        row_after: Sequence[Mapping[int, tuple[int, int]]],
        col_after: Sequence[Mapping[int, tuple[int, int]]],
        values: dict[Cell, int],
    ) -> Iterator[None]:
        if t == len(self.hidden):
            if all(sum(values[c] for c in members) >= 1 for members in self.groups):
                yield None
            return
        i, j = self.hidden[t]
        lo, hi = bounds[(i, j)]
        row_left = self.rows_left[i] - sum(v for (a, _), v in values.items() if a == i)
        rest_lo, rest_hi = row_after[t].get(i, (0, 0))
        lo, hi = max(lo, row_left - rest_hi), min(hi, row_left - rest_lo)
        if self.columns_left is not None:
            col_left = self.columns_left[j] - sum(v for (_, b), v in values.items() if b == j)
            rest_lo, rest_hi = col_after[t].get(j, (0, 0))
            lo, hi = max(lo, col_left - rest_hi), min(hi, col_left - rest_lo)
        for value in range(lo, hi + 1):
            values[(i, j)] = value
            yield from self._search(t + 1, bounds, row_after, col_after, values)
            del values[(i, j)]

    def range(self, cell: Cell) -> tuple[int, int]:
        low, high = self.bounds[cell]
        lo = next(v for v in range(low, high + 1) if self.feasible(cell, v))
        hi = next(v for v in range(high, lo - 1, -1) if self.feasible(cell, v))
        return lo, hi


def replay(
    kind: Kind,
    table: Sequence[Mapping[str, Any]],
    row_totals: Sequence[int],
    columns: Sequence[int] | None,
    min_cell: int,
) -> dict[Cell, set[int]]:
    """The documented rule replayed: every table that fits the published one (its cells,
    markers, row totals and ``columns``, the column totals, when known) is put through
    ``aggregate`` again and kept when it is published the same way. The values each hidden
    cell takes among the tables kept."""
    published = Published.read(table, kind.cells)
    ranges = Ranges(published, row_totals, columns, min_cell)
    seen: dict[Cell, set[int]] = {cell: set() for cell in ranges.hidden}
    for values in ranges.tables():
        grid = [[int(v or 0) for v in row] for row in published.values]
        for (i, j), value in values.items():
            grid[i][j] = value
        if publish(kind, grid, min_cell) == list(table):
            for cell, value in values.items():
                seen[cell].add(value)
    return seen


# --- by_area_concern: a total (assessed) and its parts, without a total beside the table ---

AREA_CELLS = ("assessed", "some_concern", "serious_concern")


def area_rows(unconcerned: int, some: int, serious: int) -> list[dict[str, Any]]:
    """Statistics rows whose ``by_area_concern`` row has these counts."""
    values = ["no_concern"] * unconcerned + ["some_concern"] * some
    values += ["serious_concern"] * serious
    return [
        {"jurisdiction": "SE", "preliminary_outcome": None, "area_child_needs_health": value}
        for value in values
    ]


@functools.lru_cache(maxsize=1 << 16)
def _area(unconcerned: int, some: int, serious: int, min_cell: int) -> dict[str, Any]:
    [row] = aggregate(area_rows(unconcerned, some, serious), min_cell=min_cell)["by_area_concern"]
    return row


def publish_area(unconcerned: int, some: int, serious: int, min_cell: int) -> dict[str, Any]:
    """The published ``by_area_concern`` row of these counts."""
    return dict(_area(unconcerned, some, serious, min_cell))


def area_candidates(row: Mapping[str, Any], min_cell: int, cap: int) -> Iterator[tuple[int, ...]]:
    """Every ``(assessed, some, serious)`` that fits a published area row and its markers
    (a hidden assessed of ``min_cell`` or more tried up to ``cap``)."""
    hidden = set(str(row["suppressed"]).split(";")) - {""}
    large = set(str(row["suppressed_large"]).split(";")) - {""}
    choices = []
    for cell in AREA_CELLS:
        if cell not in hidden:
            choices.append(range(row[cell], row[cell] + 1))
        elif cell in large:
            choices.append(range(min_cell, cap + 1))
        else:
            choices.append(range(min_cell))
    for assessed, some, serious in itertools.product(*choices):
        if some + serious <= assessed and assessed > 0:
            yield assessed, some, serious


def area_values(
    row: Mapping[str, Any], min_cell: int, cap: int, *, replayed: bool
) -> dict[str, set[int]]:
    """The values each hidden cell of an area row can take: among every fitting triple that
    holds a small count in a cell marked small (the rule hid something because of one), and,
    ``replayed``, that ``aggregate`` publishes as ``row``."""
    hidden = [cell for cell in AREA_CELLS if row[cell] is None]
    small = [c for c in hidden if c not in str(row["suppressed_large"]).split(";")]
    seen: dict[str, set[int]] = {cell: set() for cell in hidden}
    for triple in area_candidates(row, min_cell, cap):
        values = dict(zip(AREA_CELLS, triple, strict=True))
        if not any(values[cell] for cell in small):
            continue
        if replayed:
            assessed, some, serious = triple
            if publish_area(assessed - some - serious, some, serious, min_cell) != row:
                continue
        for cell in hidden:
            seen[cell].add(values[cell])
    return seen
