"""The published aggregate tables give no hidden small count away.

The attacks are in tests/disclosure_attacks.py, written as an attacker would write them: the
documented rule replayed on every row that fits a published row and its total; the national
totals per column minus the published cells; and the exact range of every hidden cell given
every published number, the markers and the row and column totals. They run over thousands of
tables drawn by a seeded generator (far more small counts than real tables have) and over
tables drawn by hypothesis. benchmarks/disclosure.py prints the same figures for the old rule
and the new.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_attacks import (
    AREA_CELLS,
    BY_OUTCOME,
    DEADLINES,
    Kind,
    Published,
    Ranges,
    area_values,
    column_totals,
    outcome_rows,
    publish,
    publish_area,
    replay,
    subtract,
)
from kindbehoeften.export import aggregate, to_csv

M = 5  # the default min_cell
# The documented order in which cells are taken to protect another (docs/statistics.md).
ORDER = {
    "by_outcome": (
        "undecided",
        "refer_other_service",
        "universal_support",
        "light_support",
        "open_full_assessment",
        "close",
    ),
    "deadline_compliance": ("pending", "stopped", "met_late", "overdue", "met"),
}


def draw(rng: random.Random, width: int, top: int = 14) -> list[int]:
    """A row of counts: 0 with probability 0.2, 1 to 4 with 0.3, else 5 to ``top``."""
    counts = []
    for _ in range(width):
        roll = rng.random()
        counts.append(0 if roll < 0.2 else rng.randint(1, 4) if roll < 0.5 else rng.randint(5, top))
    return counts


def tables(seed: int, count: int, rows: Sequence[int], top: int = 14) -> Iterator[Any]:
    """``count`` tables of both kinds with a suppression, as (kind, grid, published table)."""
    rng = random.Random(seed)
    made = 0
    while made < count:
        kind = (BY_OUTCOME, DEADLINES)[made % 2]
        grid = [draw(rng, len(kind.cells), top) for _ in range(rng.choice(rows))]
        if not all(map(any, grid)):
            continue
        table = publish(kind, grid, M)
        if any(row["suppressed"] for row in table):
            made += 1
            yield kind, grid, table


def marked_small(published: Published) -> list[tuple[int, int]]:
    return [cell for cell in published.hidden() if published.marks[cell[0]][cell[1]] == "<"]


def the_documented_corner(kind: Kind, counts: Sequence[int]) -> bool:
    """The one row the replay can pin (docs/statistics.md, Limits): a single count below
    min_cell, no zero, the count is 1 and the first other cell of the order holds min_cell."""
    small = [j for j, value in enumerate(counts) if value < M]
    if len(small) != 1 or counts[small[0]] != 1:
        return False
    first = next(c for c in ORDER[kind.name] if kind.cells.index(c) != small[0])
    return counts[kind.cells.index(first)] == M


# --- attack 1: the row total and the documented order -------------------------------------------


def test_replaying_the_rule_on_a_row_and_its_total_pins_no_small_count() -> None:
    """Every row that fits a published row (its cells, markers and total) is published
    again; those published otherwise are dropped. No hidden small count is left with one
    value, but in the documented corner."""
    pinned = []
    for kind, grid, table in tables(seed=1, count=200, rows=[1], top=10):
        seen = replay(kind, table, [sum(grid[0])], None, M)
        small = [cell for cell in seen if 0 < grid[0][cell[1]] < M]
        if any(len(seen[cell]) == 1 for cell in small):
            pinned.append((kind, grid[0]))
        for cell, values in seen.items():
            assert grid[cell[0]][cell[1]] in values
    assert [] == [(kind.name, row) for kind, row in pinned if not the_documented_corner(kind, row)]


def test_the_documented_corner_of_the_replay() -> None:
    """met_late = 1 is the one count below 5 and pending, the first cell of the order, holds
    exactly 5: pending alone would leave met_late at 1 (met_late + pending = 6, pending 5 or
    more), so stopped, the next of the order, is hidden too (overdue, with four statuses), and
    someone who replays the rule on every row that fits sees that it was needed. The exact
    range still leaves met_late 1 to 3 (met_late + pending + stopped = 13)."""
    kind, grid = DEADLINES, [[13, 1, 6, 5, 7]]
    table = publish(kind, grid, M)
    assert ("met_late;pending;stopped", "pending;stopped") == (
        table[0]["suppressed"],
        table[0]["suppressed_large"],
    )
    ranges = Ranges(Published.read(table, kind.cells), [32], None, M)
    assert (1, 3) == ranges.range((0, 1))  # linear reasoning: 1, 2 or 3
    assert {(0, 1): {1}, (0, 3): {5}, (0, 4): {7}} == replay(kind, table, [32], None, M)


def test_the_order_of_secondary_suppression_does_not_follow_the_counts() -> None:
    """The cell taken to protect a small count is the first of the documented order, however
    large, and whatever the next one holds: so a hidden cell says nothing of its size but its
    marker."""
    for pending, stopped in itertools.product((5, 50, 500), (5, 50)):
        [row] = publish(DEADLINES, [[20, 2, 9, pending, stopped]], M)
        assert ("met_late;pending", "pending") == (row["suppressed"], row["suppressed_large"])


# --- attack 2: national totals per column ----------------------------------------------------


@pytest.mark.parametrize("rows", [2, 3])
def test_national_totals_recover_no_cell_marked_small_by_subtraction(rows: int) -> None:
    recovered = []
    for kind, grid, table in tables(seed=2 + rows, count=700, rows=[rows]):
        published = Published.read(table, kind.cells)
        found = subtract(published, [sum(row) for row in grid], column_totals(grid))
        recovered += [(grid, cell) for cell in marked_small(published) if cell in found]
    assert [] == recovered


def test_a_small_count_of_one_jurisdiction_is_not_the_national_total_minus_the_other() -> None:
    """SE has 3 cases referred to another service; DK's 40 published beside the national 43
    would give them away: DK's count is hidden too, and a cell in each row closes the square
    (undecided, the first of the order)."""
    grid = [[20, 10, 12, 3, 30, 6], [50, 25, 30, 40, 70, 15]]
    table = publish(BY_OUTCOME, grid, M)
    assert [
        ("refer_other_service;undecided", "undecided"),
        ("refer_other_service;undecided", "refer_other_service;undecided"),
    ] == [(row["suppressed"], row["suppressed_large"]) for row in table]
    published = Published.read(table, BY_OUTCOME.cells)
    ranges = Ranges(published, [81, 230], column_totals(grid), M)
    assert (1, 4) == ranges.range((0, 3))  # the one cell marked small of its group: 1 or more
    csv = to_csv(table).splitlines()
    assert "SE,20,10,12,<5,30,x,refer_other_service;undecided,undecided" == csv[1]
    both = "refer_other_service;undecided"
    assert f"DK,50,25,30,x,70,x,{both},{both}" == csv[2]


# --- the general attack: the exact range of every hidden cell --------------------------------


def assert_no_cell_marked_small_is_pinned(kind: Kind, grid: list[list[int]], min_cell: int) -> None:
    table = publish(kind, grid, min_cell)
    published = Published.read(table, kind.cells)
    if len(published.hidden()) == len(grid) * len(kind.cells):
        return  # everything is hidden: only the totals and the markers are left (see docs)
    ranges = Ranges(published, [sum(row) for row in grid], column_totals(grid), min_cell)
    for cell in marked_small(published):
        low, high = ranges.range(cell)
        assert low <= grid[cell[0]][cell[1]] <= high
        assert low < high, (grid, table, cell)


@pytest.mark.parametrize("rows", [1, 2, 3])
def test_no_cell_marked_small_has_one_possible_value(rows: int) -> None:
    """Given every published count, the markers and every row and column total, each cell
    marked small can still hold two values or more (unless the whole table is hidden)."""
    for kind, grid, _ in tables(seed=10 + rows, count=(600, 300, 80)[rows - 1], rows=[rows]):
        assert_no_cell_marked_small_is_pinned(kind, grid, M)


@settings(max_examples=300, deadline=None, database=None)
@given(
    grid=st.integers(min_value=1, max_value=3).flatmap(
        lambda rows: st.lists(
            st.lists(st.integers(min_value=0, max_value=12), min_size=5, max_size=5),
            min_size=rows,
            max_size=rows,
        )
    ),
    min_cell=st.integers(min_value=2, max_value=6),
)
def test_no_cell_marked_small_has_one_possible_value_for_any_threshold(
    grid: list[list[int]], min_cell: int
) -> None:
    if all(map(any, grid)):
        assert_no_cell_marked_small_is_pinned(DEADLINES, grid, min_cell)


def test_when_the_totals_and_markers_alone_give_a_count_away_the_whole_table_is_hidden() -> None:
    """Two jurisdictions with 4 and 4 cases closed: the national 8 and the two markers
    '<5' say 4 and 4 whatever else is hidden, so everything is."""
    grid = [[4, 4, 9, 3, 10, 2], [4, 11, 4, 8, 2, 4]]
    table = publish(BY_OUTCOME, grid, M)
    assert all(row[cell] is None for row in table for cell in BY_OUTCOME.cells)
    published = Published.read(table, BY_OUTCOME.cells)
    ranges = Ranges(published, [32, 33], column_totals(grid), M)
    assert (4, 4) == ranges.range((0, 0))


# --- what is published agrees with the counts ------------------------------------------------


@pytest.mark.parametrize("rows", [1, 2, 3, 6])
def test_published_cells_and_markers_agree_with_the_counts(rows: int) -> None:
    for kind, grid, table in tables(seed=20 + rows, count=600 // rows, rows=[rows], top=40):
        for counts, row in zip(grid, table, strict=True):
            hidden = str(row["suppressed"]).split(";") if row["suppressed"] else []
            large = str(row["suppressed_large"]).split(";") if row["suppressed_large"] else []
            assert [c for c in kind.cells if c in hidden] == hidden  # in column order
            assert [c for c in hidden if counts[kind.cells.index(c)] >= M] == large
            for cell, count in zip(kind.cells, counts, strict=True):
                assert (None if cell in hidden else count) == row[cell]
                if 0 < count < M:
                    assert cell in hidden
        text = to_csv(table).splitlines()
        assert len(grid) + 1 == len(text)


def test_the_same_counts_give_the_same_tables_in_any_order_of_rows() -> None:
    rng = random.Random(7)
    grid = [draw(rng, 6) for _ in range(4)]
    rows = outcome_rows(grid)
    first = aggregate(rows)
    rng.shuffle(rows)
    assert first == aggregate(rows)
    assert first == aggregate(list(reversed(rows)))


def test_each_rule_is_a_table_of_its_own() -> None:
    """Deadlines of each rule are protected against the totals of that rule: SE's 2 overdue
    preliminary decisions take NO's overdue ones and the pending ones of both with them (the
    square closed through pending, the first of the order; stopped, the second, stays
    published); the investigations are not touched. Given every total, SE's overdue can be
    1 to 3 (with NO's 5 or more of the national 8)."""
    counts = {
        ("SE", "preliminary"): (30, 6, 2, 7, 5),
        ("NO", "preliminary"): (40, 8, 6, 9, 12),
        ("SE", "investigation"): (25, 0, 0, 0, 0),
        ("NO", "investigation"): (12, 9, 0, 0, 7),
    }
    rows = [
        {"jurisdiction": code, "preliminary_outcome": None, f"deadline_{rule}": status}
        for (code, rule), row in counts.items()
        for status, count in zip(DEADLINES.cells, row, strict=True)
        for _ in range(count)
    ]
    table = aggregate(rows)["deadline_compliance"]
    assert [
        "jurisdiction,rule,met,met_late,overdue,pending,stopped,suppressed,suppressed_large",
        "SE,preliminary,30,6,<5,x,5,overdue;pending,pending",
        "SE,investigation,25,0,0,0,0,,",
        "NO,preliminary,40,8,x,x,12,overdue;pending,overdue;pending",
        "NO,investigation,12,9,0,0,7,,",
    ] == to_csv(table).splitlines()
    grid = [list(counts[(code, "preliminary")]) for code in ("SE", "NO")]
    preliminary = [row for row in table if row["rule"] == "preliminary"]
    published = Published.read(preliminary, DEADLINES.cells)
    ranges = Ranges(published, [sum(row) for row in grid], column_totals(grid), M)
    assert (1, 3) == ranges.range((0, 2))


# --- by_area_concern -------------------------------------------------------------------------


def test_area_rows_give_no_small_count_away() -> None:
    """Every area row with up to 5 cases without concern and 8 of each concern: the exact
    ranges pin no cell marked small; the replayed rule only in the documented corner (a
    concern of 1, the other of exactly min_cell, and no case without concern)."""
    for unconcerned, some, serious in itertools.product(range(6), range(9), range(9)):
        if not unconcerned + some + serious:
            continue
        row = publish_area(unconcerned, some, serious, M)
        truth = dict(zip(AREA_CELLS, (unconcerned + some + serious, some, serious), strict=True))
        hidden = [cell for cell in AREA_CELLS if row[cell] is None]
        assert {cell: truth[cell] for cell in AREA_CELLS if cell not in hidden} == {
            cell: row[cell] for cell in AREA_CELLS if cell not in hidden
        }
        if not hidden:
            continue
        small = [cell for cell in hidden if truth[cell] < M]
        assert all(0 < truth[c] < M or c in hidden for c in AREA_CELLS if 0 < truth[c] < M)
        cap = truth["assessed"] + 8
        seen = area_values(row, M, cap, replayed=False)
        assert [] == [cell for cell in small if len(seen[cell]) < 2]
        replayed = area_values(row, M, cap, replayed=True)
        assert all(truth[cell] in replayed[cell] for cell in hidden)
        corner = unconcerned == 0 and sorted((some, serious)) == [1, M]
        assert corner or not [c for c in small if truth[c] and len(replayed[c]) < 2], row
