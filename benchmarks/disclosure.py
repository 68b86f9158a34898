"""Benchmark: how far the attacks of tests/disclosure_attacks.py get on generated tables, and
how many cells the protection hides.

    python benchmarks/disclosure.py [--tables 3000] [--seed 11] [--min-cell 5] [--no-replay]

Draws tables of counts (each count 0 with probability 0.2, 1 to 4 with 0.3, else 5 to 14:
far more small counts than real tables have), publishes them with ``aggregate`` and attacks
them:

- tables of one row (``by_outcome`` and ``deadline_compliance``): the exact range of each
  hidden cell given the row total, and the documented rule replayed on every row that fits
  the published row and its total (the attack of the row total and the documented order);
- tables of two rows: subtraction from the row and column totals, and the exact range of each
  hidden cell given every row and column total; the rule replayed on smaller ones (counts up
  to 9);
- every row of ``by_area_concern`` with up to 8 cases without concern and 11 of each concern:
  the exact range of each hidden cell, and the rule replayed;
- the share of cells hidden in tables shaped like real ones: 2 to 6 jurisdictions of 20 to
  2,000 cases, outcomes in fixed shares.

Prints how many suppressed rows or tables let a small count be pinned to one value. This is
not a test: it never fails.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from disclosure_attacks import (
    AREA_CELLS,
    BY_OUTCOME,
    DEADLINES,
    Published,
    Ranges,
    area_values,
    column_totals,
    publish,
    publish_area,
    replay,
    subtract,
)


def draw(rng: random.Random, width: int, top: int = 14) -> list[int]:
    counts = []
    for _ in range(width):
        roll = rng.random()
        counts.append(0 if roll < 0.2 else rng.randint(1, 4) if roll < 0.5 else rng.randint(5, 14))
    return [min(count, top) for count in counts]


def pinned(ranges: Ranges, cells: list[tuple[int, int]]) -> bool:
    return any(ranges.range(cell)[0] == ranges.range(cell)[1] for cell in cells)


def one_row(rng: random.Random, tables: int, m: int, replaying: bool) -> None:
    suppressed = replayed = ranged = hidden_cells = all_cells = 0
    for n in range(tables):
        kind = (BY_OUTCOME, DEADLINES)[n % 2]
        grid = [draw(rng, len(kind.cells))]
        if not any(grid[0]):
            continue
        table = publish(kind, grid, m)
        published = Published.read(table, kind.cells)
        hidden = published.hidden()
        all_cells += len(kind.cells)
        hidden_cells += len(hidden)
        if not hidden:
            continue
        suppressed += 1
        small = [cell for cell in hidden if 0 < grid[0][cell[1]] < m]
        ranged += pinned(Ranges(published, [sum(grid[0])], None, m), small)
        if replaying:
            seen = replay(kind, table, [sum(grid[0])], None, m)
            replayed += any(len(seen[cell]) == 1 for cell in small)
    print(f"one-row tables: {tables}, suppressed rows {suppressed}")
    print(f"  hidden cells {hidden_cells} of {all_cells}")
    print(f"  a small count pinned by the exact range (row total): {ranged} rows")
    if replaying:
        print(f"  a small count pinned by replaying the documented rule: {replayed} rows")


def two_rows(rng: random.Random, tables: int, m: int) -> None:
    by_subtraction = by_range = suppressed = hidden_cells = all_cells = whole = 0
    for n in range(tables):
        kind = (BY_OUTCOME, DEADLINES)[n % 2]
        grid = [draw(rng, len(kind.cells)) for _ in range(2)]
        if not all(map(any, grid)):
            continue
        table = publish(kind, grid, m)
        published = Published.read(table, kind.cells)
        hidden = published.hidden()
        all_cells += 2 * len(kind.cells)
        hidden_cells += len(hidden)
        if not hidden:
            continue
        suppressed += 1
        rows, columns = [sum(row) for row in grid], column_totals(grid)
        small = [cell for cell in hidden if 0 < grid[cell[0]][cell[1]] < m]
        found = subtract(published, rows, columns)
        by_subtraction += any(cell in found for cell in small)
        if pinned(Ranges(published, rows, columns, m), small):
            by_range += 1
            whole += len(hidden) == 2 * len(kind.cells)
    print(f"two-row tables: {tables}, with a suppression {suppressed}")
    print(f"  hidden cells {hidden_cells} of {all_cells}")
    print(f"  a small count recovered by subtraction (row and column totals): {by_subtraction}")
    print(f"  a small count pinned by the exact range (row and column totals): {by_range}")
    print(f"    of which the whole table is hidden: {whole}")


def two_rows_replayed(rng: random.Random, tables: int, m: int) -> None:
    replayed = suppressed = 0
    while suppressed < tables:
        grid = [draw(rng, len(DEADLINES.cells), top=9) for _ in range(2)]
        if not all(map(any, grid)):
            continue
        table = publish(DEADLINES, grid, m)
        published = Published.read(table, DEADLINES.cells)
        hidden = published.hidden()
        if not hidden:
            continue
        suppressed += 1
        small = [cell for cell in hidden if 0 < grid[cell[0]][cell[1]] < m]
        seen = replay(DEADLINES, table, [sum(row) for row in grid], column_totals(grid), m)
        replayed += any(len(seen[cell]) == 1 for cell in small)
    print(f"two-row deadline tables with a suppression, counts up to 9: {tables}")
    print(f"  a small count pinned by replaying the documented rule: {replayed}")


def areas(m: int, replaying: bool) -> None:
    suppressed = ranged = replayed = 0
    for unconcerned, some, serious in itertools.product(range(9), range(12), range(12)):
        if not unconcerned + some + serious:
            continue
        row = publish_area(unconcerned, some, serious, m)
        if not row["suppressed"]:
            continue
        suppressed += 1
        truth = dict(zip(AREA_CELLS, (unconcerned + some + serious, some, serious), strict=True))
        small = [c for c in AREA_CELLS if row[c] is None and 0 < truth[c] < m]
        cap = truth["assessed"] + 15
        seen = area_values(row, m, cap, replayed=False)
        ranged += any(len(seen[cell]) == 1 for cell in small)
        if replaying:
            seen = area_values(row, m, cap, replayed=True)
            replayed += any(len(seen[cell]) == 1 for cell in small)
    print(f"area rows with a suppression: {suppressed}")
    print(f"  a small count pinned by the exact range (assessed published): {ranged}")
    if replaying:
        print(f"  a small count pinned by replaying the documented rule: {replayed}")


def realistic(rng: random.Random, tables: int, m: int) -> None:
    shares = [0.30, 0.15, 0.10, 0.03, 0.35, 0.07]
    hidden_cells = all_cells = 0
    for _ in range(tables):
        grid = []
        for _ in range(rng.randint(2, 6)):
            cases = int(rng.choice([20, 40, 80, 150, 400, 1500]) * rng.uniform(0.7, 1.3))
            row = [0] * len(shares)
            for outcome in rng.choices(range(len(shares)), shares, k=cases):
                row[outcome] += 1
            grid.append(row)
        published = Published.read(publish(BY_OUTCOME, grid, m), BY_OUTCOME.cells)
        hidden_cells += len(published.hidden())
        all_cells += len(grid) * len(shares)
    print(f"by_outcome shaped like real tables: {tables}")
    print(f"  hidden cells {hidden_cells} of {all_cells}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--min-cell", type=int, default=5)
    parser.add_argument("--no-replay", action="store_true", help="skip the slow replays")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    start = time.perf_counter()
    one_row(rng, args.tables, args.min_cell, not args.no_replay)
    two_rows(rng, args.tables, args.min_cell)
    if not args.no_replay:
        two_rows_replayed(rng, args.tables // 10, args.min_cell)
    areas(args.min_cell, not args.no_replay)
    realistic(rng, args.tables // 10, args.min_cell)
    print(f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
