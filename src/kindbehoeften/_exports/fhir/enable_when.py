"""A question's condition as ``enableWhen``, or as an SDC ``enableWhenExpression`` (FHIRPath)
where FHIR's operators cannot say exactly what the library means."""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..._core.conditions import fold
from ..._core.model import Comparison, Condition, Form, Question
from .vocabulary import (
    ANSWER_TYPES,
    INT32,
    ROW,
    Path,
    options_system,
)

if TYPE_CHECKING:
    from .questionnaires import Builder

_ORDER = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
# "not gt" is "le, or unanswered" (an unanswered question compares with nothing).
_COMPLEMENT = {"gt": "<=", "ge": "<", "lt": ">=", "le": ">"}


Behavior = Literal["all", "any"]


@dataclass(frozen=True)
class _Flat:
    """A condition as one level of enableWhen entries joined by ``behavior``."""

    behavior: Behavior
    entries: tuple[dict[str, Any], ...]

    def joins(self, behavior: Behavior) -> bool:
        return len(self.entries) == 1 or self.behavior == behavior


_Both = tuple[_Flat | None, _Flat | None]  # a condition as it is, and negated


class Conditions:
    """Maps a question's condition: to ``(behavior, enableWhen)`` where FHIR's enableWhen says
    exactly what the library does, else to a FHIRPath expression (a ``str``)."""

    def __init__(
        self, builder: Builder, container: Path, owner: str, siblings: Sequence[Question]
    ) -> None:
        self.builder = builder
        self.container = container
        self.in_row = len(container) > 2
        self.position = {question.id: number for number, question in enumerate(siblings)}
        self.owner = owner

    def map(self, condition: Condition) -> tuple[Behavior, list[dict[str, Any]]] | str:
        flat = self.flat(condition)
        if flat is None:
            return self.expression(condition)
        return flat.behavior, list(flat.entries)

    def target(self, comparison: Comparison) -> tuple[Path, Question, bool]:
        """The question a comparison names, its path, and whether it is a sibling in a row."""
        parts = tuple(comparison.question.split("."))
        path = (*self.container, parts[0]) if len(parts) == 1 else parts
        return path, self.builder.index[path], self.in_row and len(parts) == 1

    # enableWhen

    def flat(self, condition: Condition) -> _Flat | None:
        """De Morgan down to the comparisons, then one level of all / any, or None. One walk
        gives each node both ways, as it is and negated, so that a ``not`` only swaps them."""

        def join(parts: list[_Flat | None], behavior: Behavior) -> _Flat | None:
            entries: list[dict[str, Any]] = []
            for part in parts:
                if part is None or not part.joins(behavior):
                    return None
                entries.extend(part.entries)
            return _Flat(behavior, tuple(entries))

        def both(behavior: Behavior, other: Behavior) -> Callable[[list[_Both]], _Both]:
            return lambda parts: (
                join([part[0] for part in parts], behavior),
                join([part[1] for part in parts], other),
            )

        result: _Both = fold(
            condition,
            comparison=lambda leaf: (
                self.comparison(leaf, negated=False),
                self.comparison(leaf, negated=True),
            ),
            all_=both("all", "any"),
            any_=both("any", "all"),
            not_=lambda part: (part[1], part[0]),
        )
        return result[0]

    def comparison(self, comparison: Comparison, negated: bool) -> _Flat | None:
        path, target, sibling = self.target(comparison)
        if target.type == "group":
            return None  # a group has no answers to test: 'exists' would always be false
        if sibling and self.position[target.id] > self.position[self.owner]:
            # FHIR resolves a linkId that repeats to the nearest occurrence on the ancestor,
            # then the preceding axis: a later question of the same row is found in the row
            # before. The expression reads the row itself.
            return None
        link_id = ".".join(path)
        operator, value = comparison.operator, comparison.value
        if operator == "answered":
            wanted = (value is not False) != negated
            return _Flat(
                "all", ({"question": link_id, "operator": "exists", "answerBoolean": wanted},)
            )

        def entry(fhir_operator: str, expected: Any) -> dict[str, Any] | None:
            answer = _enable_answer(self.builder.form, path, target, expected)
            if answer is None:
                return None
            return {"question": link_id, "operator": fhir_operator, **answer}

        built: list[dict[str, Any] | None]
        if operator in _ORDER:
            if not negated:
                built = [entry(_ORDER[operator], value)]
                behavior: Behavior = "all"
            else:  # not gt: le, or no answer at all
                built = [
                    entry(_COMPLEMENT[operator], value),
                    {"question": link_id, "operator": "exists", "answerBoolean": False},
                ]
                behavior = "any"
        else:
            values = value if isinstance(value, tuple) else (value,)
            positive = operator in {"equals", "in", "contains"}
            if positive != negated:  # some answer is one of the values
                built = [entry("=", expected) for expected in values]
                behavior = "any"
            else:  # no answer is any of them ('!=' holds for an unanswered question)
                built = [entry("!=", expected) for expected in values]
                behavior = "all"
        if any(item is None for item in built):
            return None
        return _Flat(behavior, tuple(item for item in built if item is not None))

    # enableWhenExpression

    def expression(self, condition: Condition) -> str:
        return fold(
            condition,
            comparison=self.leaf_expression,
            all_=lambda parts: " and ".join(f"({part})" for part in parts),
            any_=lambda parts: " or ".join(f"({part})" for part in parts),
            not_=lambda part: f"({part}).not()",
        )

    def leaf_expression(self, condition: Comparison) -> str:
        path, target, sibling = self.target(condition)
        where = f"%{ROW}.item" if sibling else "%resource.repeat(item)"
        items = f"{where}.where(linkId = {string_literal('.'.join(path))})"
        operator, value = condition.operator, condition.value
        if operator == "answered":
            found = f"{items}.exists()" if target.type == "group" else f"{items}.answer.exists()"
            return found if value is not False else f"{found}.not()"
        coded = target.type in {"choice", "multi_choice"}
        subject = "code" if coded else "$this"
        values = value if isinstance(value, tuple) else (value,)
        if operator in _ORDER:
            test = f"$this {_ORDER[operator]} {_value_literal(target, value)}"
        else:
            test = " or ".join(
                f"{subject} = {_value_literal(target, expected)}" for expected in values
            )
        found = f"{items}.answer.value.where({test}).exists()"
        return f"{found}.not()" if operator in {"not_equals", "not_in"} else found


def _enable_answer(
    form: Form, path: Path, target: Question, expected: Any
) -> dict[str, Any] | None:
    """The ``answer[x]`` of an enableWhen comparing ``target`` with ``expected``."""
    kind = target.type
    if kind in {"choice", "multi_choice"}:
        return {"answerCoding": {"system": options_system(form, path, target), "code": expected}}
    if kind == "integer":
        if isinstance(expected, bool) or not isinstance(expected, int):
            return None
        return {"answerInteger": expected} if INT32[0] <= expected <= INT32[1] else None
    if kind == "decimal":
        return {"answerDecimal": expected}
    if expected == "":  # FHIR has no empty strings; no answer equals "" (it is unanswered)
        return None
    return {f"answer{ANSWER_TYPES[kind]}": expected}


def string_literal(text: str) -> str:
    """A FHIRPath string literal."""
    escaped = []
    for char in text:
        if char in {"'", "\\"}:
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return "'" + "".join(escaped) + "'"


def _value_literal(target: Question, value: Any) -> str:
    """A condition's value as a FHIRPath literal of the target's type."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(decimal.Decimal(repr(value)), "f")  # FHIRPath has no exponents
    if target.type == "date":
        return f"@{value}"
    return string_literal(str(value))
