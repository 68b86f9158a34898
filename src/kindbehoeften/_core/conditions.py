"""The one condition evaluator: what a question's ``when`` means, written once.

A condition is data (:class:`~kindbehoeften._core.model.Comparison`, ``all``, ``any``,
``not``); nothing in it is ever run as code. Three things live here:

- :data:`OPERATORS`, a table from each operator to one function of one signature, ``(value,
  expected) -> bool``, as jsonschema maps its keywords to functions. ``value`` is the answer
  the comparison sees: the target question's answer while that question is enabled, else
  ``None``. An unanswered question equals nothing and is in nothing; ``not_equals`` and
  ``not_in`` hold for it (as FHIR's enableWhen ``!=``).
- :func:`fold`, the one walk over a condition's tree (iterative, so that no depth overflows
  the stack), which the exports (JSON Schema, FHIR ``enableWhen``) and the command line's
  descriptions use to translate a condition, and :func:`compile_condition`, which flattens a
  condition into a program that :func:`evaluate` runs in one loop.
- :class:`Enablement`: which questions of a form are enabled by a submission's answers. The
  questions are put in dependency order once per form (:func:`dependency_order`, Kahn's
  algorithm), so each question's condition is evaluated once per container, after the
  questions it names: linear in the size of the form, however the conditions chain or share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from .answers import is_answered
from .model import AllOf, AnyOf, Comparison, Condition, Form, Not, Question

__all__ = [
    "OPERATORS",
    "Enablement",
    "Program",
    "comparisons",
    "compile_condition",
    "dependency_order",
    "evaluate",
    "fold",
    "holds",
]

T = TypeVar("T")

# --- the operators ----------------------------------------------------------------------------


def _same(value: Any, expected: Any) -> bool:
    """Equality of JSON values, where ``true`` is not ``1``."""
    if type(value) is bool or type(expected) is bool:
        return value is expected
    return bool(value == expected) if type(value) in (str, int, float) else False


def _options(expected: Any) -> tuple[Any, ...]:
    return expected if isinstance(expected, tuple) else (expected,)


def _is_in(value: Any, expected: Any) -> bool:
    return is_answered(value) and any(_same(value, option) for option in _options(expected))


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """An order test: numbers with numbers, text with text (ISO dates order as text)."""

    def test(value: Any, expected: Any) -> bool:
        if type(value) is bool or type(expected) is bool:
            return False
        if type(value) in (int, float) and type(expected) in (int, float):
            return compare(value, expected)
        if type(value) is str and type(expected) is str:
            return compare(value, expected)
        return False

    return test


#: Each operator's test of ``(value, expected)``; ``value`` is ``None`` when unanswered.
OPERATORS: Mapping[str, Callable[[Any, Any], bool]] = {
    "equals": _is_in,
    "in": _is_in,
    "not_equals": lambda value, expected: not _is_in(value, expected),
    "not_in": lambda value, expected: not _is_in(value, expected),
    "gt": _ordered(lambda a, b: a > b),
    "ge": _ordered(lambda a, b: a >= b),
    "lt": _ordered(lambda a, b: a < b),
    "le": _ordered(lambda a, b: a <= b),
    "contains": lambda value, expected: (
        type(value) is list and any(_same(item, expected) for item in value)
    ),
    "answered": lambda value, expected: is_answered(value) is (expected is not False),
}


def holds(comparison: Comparison, value: Any) -> bool:
    """Whether ``comparison`` holds for the answer ``value`` (``None``: unanswered)."""
    return OPERATORS[comparison.operator](value, comparison.value)


# --- walking a condition ----------------------------------------------------------------------


def fold(
    condition: Condition,
    *,
    comparison: Callable[[Comparison], T],
    all_: Callable[[list[T]], T],
    any_: Callable[[list[T]], T],
    not_: Callable[[T], T],
) -> T:
    """The condition translated bottom-up: ``comparison`` for each leaf, then ``all_``,
    ``any_`` and ``not_`` for the nodes above, with the results of their parts in order.

    >>> from kindbehoeften._core.model import Comparison, Not
    >>> fold(Not(**{"not": Comparison(question="a", operator="answered")}),
    ...      comparison=lambda c: c.question, all_=" and ".join, any_=" or ".join,
    ...      not_=lambda part: f"not {part}")
    'not a'
    """
    results: list[T] = []
    # (node, whether its parts are done)
    stack: list[tuple[Condition, bool]] = [(condition, False)]
    while stack:
        node, done = stack.pop()
        if isinstance(node, Comparison):
            results.append(comparison(node))
            continue
        parts: tuple[Condition, ...] = (
            node.all if isinstance(node, AllOf) else node.any if isinstance(node, AnyOf) else ()
        )
        if isinstance(node, Not):
            parts = (node.not_,)
        if not done:
            stack.append((node, True))
            stack.extend((part, False) for part in reversed(parts))
            continue
        taken = results[len(results) - len(parts) :]
        del results[len(results) - len(parts) :]
        if isinstance(node, AllOf):
            results.append(all_(taken))
        elif isinstance(node, AnyOf):
            results.append(any_(taken))
        else:
            results.append(not_(taken[0]))
    return results[0]


def comparisons(condition: Condition) -> list[Comparison]:
    """The comparisons of a condition, left to right."""
    found: list[Comparison] = []
    stack: list[Condition] = [condition]
    while stack:
        node = stack.pop()
        if isinstance(node, Comparison):
            found.append(node)
        elif isinstance(node, AllOf):
            stack.extend(reversed(node.all))
        elif isinstance(node, AnyOf):
            stack.extend(reversed(node.any))
        else:
            stack.append(node.not_)
    return found


@dataclass(frozen=True, slots=True)
class Program:
    """A condition flattened for :func:`evaluate`: its comparisons, left to right, each one's
    test with its operator and value bound, and a postfix program over their results
    (``("cmp", i)``, ``("all", n)``, ``("any", n)``, ``("not", 1)``)."""

    comparisons: tuple[Comparison, ...]
    steps: tuple[tuple[str, int], ...]
    tests: tuple[Callable[[Any], bool], ...] = ()


def compile_condition(condition: Condition) -> Program:
    """``condition`` as a :class:`Program`."""
    leaves: list[Comparison] = []

    def leaf(comparison: Comparison) -> list[tuple[str, int]]:
        leaves.append(comparison)
        return [("cmp", len(leaves) - 1)]

    def node(kind: str) -> Callable[[list[list[tuple[str, int]]]], list[tuple[str, int]]]:
        return lambda parts: [step for part in parts for step in part] + [(kind, len(parts))]

    steps = fold(
        condition,
        comparison=leaf,
        all_=node("all"),
        any_=node("any"),
        not_=lambda part: [*part, ("not", 1)],
    )
    tests = tuple(_bound(comparison) for comparison in leaves)
    return Program(tuple(leaves), tuple(steps), tests)


def _bound(comparison: Comparison) -> Callable[[Any], bool]:
    """The test of one comparison, its operator and value looked up once."""
    operator, expected = comparison.operator, comparison.value
    options = _options(expected)
    if operator in _MEMBERSHIP and all(type(option) is str for option in options):
        # The usual condition, an answer among some options: a set lookup. The same as
        # _is_in: only a text equals a text, and an empty text is no answer.
        allowed = frozenset(options)
        if operator in {"equals", "in"}:
            return lambda value: type(value) is str and value != "" and value in allowed
        return lambda value: not (type(value) is str and value != "" and value in allowed)
    test = OPERATORS[operator]
    return lambda value: test(value, expected)


_MEMBERSHIP: Final = frozenset({"equals", "in", "not_equals", "not_in"})


def evaluate(program: Program, values: Sequence[Any]) -> bool:
    """Run ``program`` with ``values[i]``, the answer the ``i``-th comparison sees."""
    tests = program.tests
    if len(tests) == 1 and len(program.steps) == 1:  # most conditions: one comparison
        return tests[0](values[0])
    stack: list[bool] = []
    for kind, count in program.steps:
        if kind == "cmp":
            stack.append(tests[count](values[count]))
        elif kind == "not":
            stack[-1] = not stack[-1]
        else:
            parts = stack[len(stack) - count :]
            del stack[len(stack) - count :]
            stack.append(all(parts) if kind == "all" else any(parts))
    return stack[0]


# --- dependency order -------------------------------------------------------------------------

K = TypeVar("K")


def dependency_order(dependencies: Mapping[K, Iterable[K]]) -> tuple[list[K], set[K]]:
    """The nodes in an order where each comes after every node it depends on, and the nodes
    that no such order holds (those on a cycle, and those that depend on one).

    >>> dependency_order({"a": ["b"], "b": [], "c": ["c"]})
    (['b', 'a'], {'c'})
    """
    needs = {node: set(targets) & dependencies.keys() for node, targets in dependencies.items()}
    users: dict[K, list[K]] = {node: [] for node in dependencies}
    for node, targets in needs.items():
        for target in targets:
            users[target].append(node)
    ready = [node for node, targets in needs.items() if not targets]
    ordered: list[K] = []
    while ready:
        node = ready.pop()
        ordered.append(node)
        for user in users[node]:
            needs[user].discard(node)
            if not needs[user]:
                ready.append(user)
    return ordered, {node for node, targets in needs.items() if targets}


# --- which questions a submission enables ----------------------------------------------------

Path = tuple[str, ...]  # (section, area, question) or (section, area, group, ..., question)


@dataclass(frozen=True, slots=True)
class _Conditional:
    path: Path
    program: Program
    targets: tuple[Path, ...]  # per comparison: the path of the question it names


def _target(container: Path, reference: str) -> Path:
    parts = tuple(reference.split("."))
    return (*container, parts[0]) if len(parts) == 1 else parts


class Enablement:
    """Which questions of ``form`` a submission's answers enable.

    Built once per form (a validator keeps it). :meth:`areas` decides every conditional
    question of the areas, :meth:`rows` those of one row of a group; both evaluate each
    condition once, after the questions it names (the form's checks refuse cycles; a
    question on a cycle is taken as enabled here).
    """

    def __init__(self, form: Form) -> None:
        self.form = form
        area_level: dict[Path, _Conditional] = {}
        rows: dict[Path, dict[Path, _Conditional]] = {}
        for section in form.sections:
            for area in section.areas:
                self._collect((section.id, area.id), area.questions, area_level, rows)
        self._areas = self._ordered(area_level)
        # The same for areas(), split once: per conditional question its area, its id, its
        # program, and per comparison the area and the id of the question it names.
        self._area_steps = tuple(
            (item.path[:2], item.path[2], item.program, tuple((t[:2], t[2]) for t in item.targets))
            for item in self._areas
        )
        self._rows = {group: self._ordered(found) for group, found in rows.items()}

    def _collect(
        self,
        container: Path,
        questions: Sequence[Question],
        found: dict[Path, _Conditional],
        rows: dict[Path, dict[Path, _Conditional]],
    ) -> None:
        # A group's rows are containers of their own; questions are collected level by level
        # (group nesting is bounded by the form file's depth limit).
        pending: list[tuple[Path, Sequence[Question], dict[Path, _Conditional]]] = [
            (container, questions, found)
        ]
        while pending:
            where, items, into = pending.pop()
            for question in items:
                path = (*where, question.id)
                if question.when is not None:
                    program = compile_condition(question.when)
                    targets = tuple(_target(where, c.question) for c in program.comparisons)
                    into[path] = _Conditional(path, program, targets)
                if question.type == "group":
                    pending.append((path, question.questions, rows.setdefault(path, {})))

    @staticmethod
    def _ordered(found: dict[Path, _Conditional]) -> tuple[_Conditional, ...]:
        order, _ = dependency_order(
            {path: [t for t in item.targets if t in found] for path, item in found.items()}
        )
        return tuple(found[path] for path in order)  # on a cycle: left out, so enabled

    def areas(self, answers: Mapping[str, Any]) -> dict[Path, dict[str, bool]]:
        """Whether each conditional question of the areas is enabled: by area (its section
        and area ids), by question id; a question not listed (no condition) is enabled."""
        enabled: dict[Path, dict[str, bool]] = {}
        for where, name, program, targets in self._area_steps:
            values = []
            for area, key in targets:  # area-level targets: (section, area), question
                if enabled.get(area, _NONE).get(key, True):
                    holder = answers.get(area[0])
                    holder = holder.get(area[1]) if type(holder) is dict else None
                    values.append(holder.get(key) if type(holder) is dict else None)
                else:
                    values.append(None)  # a disabled question counts as unanswered
            container = enabled.get(where)
            if container is None:
                container = enabled[where] = {}
            container[name] = evaluate(program, values)
        return enabled

    def rows(
        self,
        group: Path,
        row: Mapping[str, Any],
        answers: Mapping[str, Any],
        areas: Mapping[Path, Mapping[str, bool]],
    ) -> dict[str, bool]:
        """Whether each conditional question of one ``row`` of the group at ``group`` is
        enabled, by question id; ``areas`` is what :meth:`areas` said of ``answers``."""
        enabled: dict[str, bool] = {}
        depth = len(group)
        for item in self._rows.get(group, ()):
            values = []
            for target in item.targets:
                if target[:depth] == group and len(target) == depth + 1:
                    value = _child(row, target[-1]) if enabled.get(target[-1], True) else None
                else:
                    value = _seen(answers, target, areas)
                values.append(value)
            enabled[item.path[-1]] = evaluate(item.program, values)
        return enabled

    def has_row_conditions(self, group: Path) -> bool:
        """Whether any question of the group's rows has a condition."""
        return bool(self._rows.get(group))


def _child(mapping: object, key: str) -> Any:
    return mapping.get(key) if type(mapping) is dict else None


_NONE: Mapping[str, bool] = {}


def _seen(
    answers: Mapping[str, Any], target: Path, enabled: Mapping[Path, Mapping[str, bool]]
) -> Any:
    """The answer at an area-level ``target`` as a condition sees it: ``None`` while the
    target is disabled."""
    if not enabled.get(target[:2], _NONE).get(target[2], True):
        return None
    section, area, key = target
    return _child(_child(_child(answers, section), area), key)
