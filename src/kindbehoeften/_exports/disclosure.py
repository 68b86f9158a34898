"""Which counts of a published table to hide, so that no hidden small count can be worked out.

What a reader is taken to know: every published count; what each marker says (a cell written
``<min_cell`` holds 0 to ``min_cell - 1``, one written ``x`` holds ``min_cell`` or more); the
total of every row, and of every column when the table has two rows or more (the national
total per outcome, published elsewhere or added up from other tables); and this rule, so that
each group of hidden cells joined by shared rows or columns holds a small count.

The guarantee: every cell marked small can take at least two values given all of that, unless
the whole table is hidden (then the totals and the markers alone may pin a count, and no
suppression can help).

The audit is exact and needs no solver. A table with its totals is a network: each row is a
node fed by its total, each column a node that empties into its total (or, without column
totals, straight into the outside), each count an arc from its row to its column. The whole
numbers that fit the published counts, markers and totals are the flows within those bounds
(the network matrix is totally unimodular, so linear-programming bounds are whole numbers
too), and from the true table a hidden count can move by one exactly when a cycle through it
can carry one more, or one less, unit: a path in the residual graph (Ford and Fulkerson). The
group condition is checked by moving a count of 1 to 0 and asking whether another cell marked
small of its group can then hold 1 or more.

The rule, the same for every table: every count from 1 to ``min_cell - 1`` is hidden (primary
suppression), and with it every cell below ``min_cell`` of its row, and of its column when
column totals are known, and so on from those: the zeros are hidden all together, never a
chosen one, so that which cells are hidden cannot tell which of the cells marked small holds a
count. In a table of one row with two or more cells marked small, the first large cell in the
table's order is hidden too whenever the row leaves room for each of them to hold
``min_cell - 1``. Then, while some cell marked small can take only one value (the first in
table order), more cells are hidden (secondary suppression), chosen by their place and never by
their size, so that the choice says nothing about the hidden counts: in a table of one row, the
next cell in the table's order; otherwise the cells that close a rectangle with it, the fewest
new cells first, then one whose far corner is not zero, then by the order of the columns and of
the rows. docs/statistics.md says this for the people who publish the tables.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Final

__all__ = ["protect_grid", "protect_parts"]

# An upper bound for counts that have none but the totals (a cell marked ``x``, or a count
# that is never published).
_UNBOUNDED: Final = 1 << 62

# What an arc is: a count of the table (published or hidden), a known total, or a number
# that is never published (the cases of a total that no published count covers).
_CELL: Final = 0
_KNOWN: Final = 1
_FREE: Final = 2

_Choose = Callable[[int, frozenset[int]], list[int]]


class _Network:
    """Arcs from node to node, each with its number and kind."""

    def __init__(self) -> None:
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.values: list[int] = []
        self.kinds: list[int] = []

    def add(self, tail: int, head: int, value: int, kind: int) -> int:
        self.tails.append(tail)
        self.heads.append(head)
        self.values.append(value)
        self.kinds.append(kind)
        return len(self.values) - 1


class _Audit:
    """What a reader can learn of each hidden count, given which cells are hidden."""

    def __init__(self, network: _Network, hidden: frozenset[int], min_cell: int) -> None:
        self.network = network
        self.flows = list(network.values)
        self.low: dict[int, int] = {}
        self.high: dict[int, int] = {}
        for arc, kind in enumerate(network.kinds):
            if kind == _FREE:
                self.low[arc], self.high[arc] = 0, _UNBOUNDED
            elif kind == _CELL and arc in hidden:
                small = network.values[arc] < min_cell
                self.low[arc] = 0 if small else min_cell
                self.high[arc] = min_cell - 1 if small else _UNBOUNDED
        nodes = 1 + max(network.tails + network.heads, default=0)
        self.adjacent: list[list[tuple[int, int, int]]] = [[] for _ in range(nodes)]
        parent = list(range(nodes))

        def root(node: int) -> int:
            while parent[node] != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        for arc in self.low:
            tail, head = network.tails[arc], network.heads[arc]
            self.adjacent[tail].append((arc, 1, head))
            self.adjacent[head].append((arc, -1, tail))
            parent[root(tail)] = root(head)
        # The hidden cells marked small, and each one's group: the hidden cells joined by
        # shared nodes (rows, columns). Each group holds a small count, by the rule.
        self.small = sorted(
            arc for arc in self.low if network.kinds[arc] == _CELL and self.high[arc] < min_cell
        )
        self.group = {arc: root(network.tails[arc]) for arc in self.small}

    def _path(
        self, flows: Sequence[int], start: int, end: int, without: frozenset[int]
    ) -> list[tuple[int, int]] | None:
        """A path from ``start`` to ``end`` that can carry one more unit (arc, direction)."""
        came: dict[int, tuple[int, int, int] | None] = {start: None}
        queue = deque([start])
        while queue and end not in came:
            node = queue.popleft()
            for arc, direction, other in self.adjacent[node]:
                if other in came or arc in without:
                    continue
                if (flows[arc] < self.high[arc]) if direction > 0 else (flows[arc] > self.low[arc]):
                    came[other] = (node, arc, direction)
                    queue.append(other)
        if end not in came:
            return None
        path = []
        step = came[end]
        while step is not None:
            node, arc, direction = step
            path.append((arc, direction))
            step = came[node]
        return path

    def protected(self, arc: int) -> bool:
        """Whether the hidden count ``arc`` can take another value than its own."""
        tail, head = self.network.tails[arc], self.network.heads[arc]
        value = self.flows[arc]
        alone = frozenset({arc})
        if value < self.high[arc] and self._path(self.flows, head, tail, alone) is not None:
            return True
        path = self._path(self.flows, tail, head, alone) if value > self.low[arc] else None
        if path is None:
            return False
        if value > 1:
            return True  # one less is still a count of 1 or more
        # At zero, another cell marked small of its group must be able to hold 1 or more.
        flows = list(self.flows)
        flows[arc] -= 1
        for step, direction in path:
            flows[step] += direction
        others = [
            other for other in self.small if other != arc and self.group[other] == self.group[arc]
        ]
        if any(flows[other] > 0 for other in others):
            return True
        return any(
            flows[other] < self.high[other]
            and self._path(
                flows,
                self.network.heads[other],
                self.network.tails[other],
                frozenset({arc, other}),
            )
            is not None
            for other in others
        )


def _protect(
    network: _Network, min_cell: int, start: frozenset[int], choose: _Choose
) -> frozenset[int]:
    """The cells to hide: ``start`` (the small counts and what the table's rule hides with
    them), and more until every cell marked small is protected or nothing more can be hidden
    for it: ``choose(cell, hidden)`` names the cells to hide next for an unprotected one."""
    hidden = start
    # Hiding more only widens what a reader must allow for (a published count becomes a
    # range, two groups become one), so a protected cell stays protected: no need to ask again.
    settled: set[int] = set()
    while True:
        audit = _Audit(network, hidden, min_cell)
        exposed = None
        for arc in audit.small:
            if arc in settled:
                continue
            if not audit.protected(arc):
                exposed = arc
                break
            settled.add(arc)
        if exposed is None:
            return hidden
        more = [arc for arc in choose(exposed, hidden) if arc not in hidden]
        if more:
            hidden |= frozenset(more)
        else:
            settled.add(exposed)  # nothing more to hide for it: the whole table is hidden


def protect_grid(
    counts: Sequence[Sequence[int]],
    min_cell: int,
    *,
    order: Sequence[int],
    column_totals: bool,
) -> set[tuple[int, int]]:
    """The cells ``(row, column)`` of a table to hide, its row totals taken to be known and,
    with ``column_totals``, its column totals too. ``order`` lists the columns in the order
    in which they are taken to protect another cell (the first is hidden first)."""
    rows, width = len(counts), len(counts[0]) if counts else 0
    network = _Network()
    at: dict[tuple[int, int], int] = {}
    for i, row in enumerate(counts):
        network.add(0, 1 + i, sum(row), _KNOWN)
    for j in range(width):
        if column_totals:
            network.add(1 + rows + j, 0, sum(row[j] for row in counts), _KNOWN)
    for i, row in enumerate(counts):
        for j, value in enumerate(row):
            at[(i, j)] = network.add(1 + i, 1 + rows + j if column_totals else 0, value, _CELL)
    where = {arc: cell for cell, arc in at.items()}
    rank = {column: place for place, column in enumerate(order)}

    # With each small count, every cell below min_cell of its row (and column), and so on
    # from those: the zeros are hidden with it all together, not a chosen one, so that the
    # choice cannot tell which of the cells marked small holds the count.
    start: set[int] = set()
    queue = [cell for cell in at if 0 < counts[cell[0]][cell[1]] < min_cell]
    while queue:
        i, j = queue.pop()
        if at[(i, j)] in start:
            continue
        start.add(at[(i, j)])
        queue += [(i, c) for c in range(width) if counts[i][c] < min_cell]
        if column_totals:
            queue += [(r, j) for r in range(rows) if counts[r][j] < min_cell]
    if not column_totals:
        # Cells marked small that the row total leaves all at min_cell - 1 would be given
        # away: with two or more, the first large cell of the order is hidden too whenever
        # the cases of those cells and of it leave room for that, whatever the cells hold,
        # so that hiding it says nothing about them. (With one, the loop below takes it.)
        for i, row in enumerate(counts):
            marked = [value for value in row if value < min_cell]
            if len(marked) < 2 or not any(0 < value < min_cell for value in row):
                continue
            large = sorted((c for c in range(width) if row[c] >= min_cell), key=lambda c: rank[c])
            room = len(marked) * (min_cell - 1) + min_cell
            if large and sum(marked) + row[large[0]] >= room:
                start.add(at[(i, large[0])])

    def choose(arc: int, hidden: frozenset[int]) -> list[int]:
        i, j = where[arc]
        if not column_totals:
            left = sorted(
                (c for c in range(width) if at[(i, c)] not in hidden), key=lambda c: rank[c]
            )
            return [at[(i, left[0])]] if left else []
        best: tuple[tuple[int, bool, int, int], list[int]] | None = None
        for r in range(rows):
            for c in range(width):
                if r == i or c == j:
                    continue
                corners = [at[(i, c)], at[(r, c)], at[(r, j)]]
                new = [corner for corner in corners if corner not in hidden]
                if not new:
                    continue
                key = (len(new), counts[r][c] == 0, rank[c], r)
                if best is None or key < best[0]:
                    best = (key, new)
        return [] if best is None else best[1]

    hidden = _protect(network, min_cell, frozenset(start), choose)
    return {where[arc] for arc in hidden}


def protect_parts(total: int, parts: Sequence[int], min_cell: int) -> set[int]:
    """The counts to hide of a total (index ``len(parts)``) and its parts (indexes 0 to
    ``len(parts) - 1``), whose sum may be less than the total: the cases in no part are never
    published, and nothing beside the table is taken to be known.

    A small total is hidden. With a small part, every part is hidden: the cases in no part
    protect a small part only when there are some, and which parts were hidden must not tell
    whether there are. Then the total too, when that is not enough."""
    network = _Network()
    whole = network.add(0, 1, total, _CELL)
    arcs = [network.add(1, 0, value, _CELL) for value in parts]
    network.add(1, 0, total - sum(parts), _FREE)
    start = {whole} if 0 < total < min_cell else set()
    if any(0 < value < min_cell for value in parts):
        start |= set(arcs)

    def choose(arc: int, hidden: frozenset[int]) -> list[int]:
        return [] if whole in hidden else [whole]

    hidden = _protect(network, min_cell, frozenset(start), choose)
    return {len(parts) if arc == whole else arcs.index(arc) for arc in hidden}
