"""Conditions as formulas for JSON Schema: boolean combinations of tests on single answers,
simplified and rendered as ``if``/``then``/``else`` on the nearest object that holds them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

from .._core.answers import is_answered
from .._core.model import Comparison, Question

Scope: TypeAlias = tuple[str, ...]  # (section, area), or (section, area, group, ...) for rows
Schema: TypeAlias = dict[str, Any] | bool

_DIGITS = "0123456789"
_GLOBAL_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")


@dataclass(frozen=True, slots=True)
class Atom:
    """A test on the answer ``key`` of the container at ``scope``.

    ``value`` is the JSON text of a schema for the answer. A positive atom is false for a
    missing answer (it requires the key); a negative one is true for it.
    """

    scope: Scope
    key: str
    value: str
    positive: bool


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Formula, ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Formula, ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: Formula


@dataclass(frozen=True, slots=True)
class If:
    condition: Formula
    then: Formula
    otherwise: Formula


@dataclass(frozen=True, slots=True)
class Rows:
    """``formula`` holds in every row of the group whose rows are at ``scope``."""

    scope: Scope
    formula: Formula


Formula: TypeAlias = bool | Atom | And | Or | Not | If | Rows


def _atom(scope: Scope, key: str, value: dict[str, Any], positive: bool) -> Atom:
    return Atom(scope, key, json.dumps(value, sort_keys=True), positive)


def all_of(parts: Iterable[Formula]) -> Formula:
    kept: list[Formula] = []
    for part in parts:
        if part is False:
            return False
        if part is not True:
            kept.extend(part.parts if isinstance(part, And) else (part,))
    return True if not kept else kept[0] if len(kept) == 1 else And(tuple(kept))


def any_of(parts: Iterable[Formula]) -> Formula:
    kept: list[Formula] = []
    for part in parts:
        if part is True:
            return True
        if part is not False:
            kept.extend(part.parts if isinstance(part, Or) else (part,))
    return False if not kept else kept[0] if len(kept) == 1 else Or(tuple(kept))


def negation(part: Formula) -> Formula:
    if isinstance(part, bool):
        return not part
    return part.part if isinstance(part, Not) else Not(part)


def if_then_else(condition: Formula, then: Formula, otherwise: Formula) -> Formula:
    if condition is True or then == otherwise:
        return then
    if condition is False:
        return otherwise
    return If(condition, then, otherwise)


def atoms(formula: Formula) -> Iterator[Atom]:
    """The atoms of a condition (made of atoms, and, or, not)."""
    if isinstance(formula, Atom):
        yield formula
    elif isinstance(formula, And | Or):
        for part in formula.parts:
            yield from atoms(part)
    elif isinstance(formula, Not):
        yield from atoms(formula.part)


def substitute(formula: Formula, atom: Atom, value: bool) -> Formula:
    if formula == atom:
        return value
    if isinstance(formula, And):
        return all_of(substitute(part, atom, value) for part in formula.parts)
    if isinstance(formula, Or):
        return any_of(substitute(part, atom, value) for part in formula.parts)
    if isinstance(formula, Not):
        return negation(substitute(formula.part, atom, value))
    return formula  # atoms, constants (no If or Rows inside a condition)


def on_empty(formula: Formula) -> bool:
    """Whether ``formula`` holds on an empty object (every answer below it missing)."""
    if isinstance(formula, bool):
        return formula
    if isinstance(formula, Atom):
        return not formula.positive
    if isinstance(formula, And):
        return all(on_empty(part) for part in formula.parts)
    if isinstance(formula, Or):
        return any(on_empty(part) for part in formula.parts)
    if isinstance(formula, Not):
        return not on_empty(formula.part)
    if isinstance(formula, If):
        branch = formula.then if on_empty(formula.condition) else formula.otherwise
        return on_empty(branch)
    return True  # Rows: no rows


def render(formula: Formula, level: Scope) -> Schema:
    """``formula`` as a schema for the object at ``level`` (a prefix of every scope in it)."""
    if isinstance(formula, bool):
        return formula
    if isinstance(formula, Atom):
        assert formula.scope[: len(level)] == level
        schema: dict[str, Any] = {"properties": {formula.key: json.loads(formula.value)}}
        path = formula.scope[len(level) :]
        if formula.positive:
            schema = {"required": [formula.key], **schema}
        for key in reversed(path):
            schema = {"properties": {key: schema}}
            if formula.positive:
                schema = {"required": [key], **schema}
        return schema
    if isinstance(formula, And):
        return {"allOf": [render(part, level) for part in formula.parts]}
    if isinstance(formula, Or):
        return {"anyOf": [render(part, level) for part in formula.parts]}
    if isinstance(formula, Not):
        return {"not": render(formula.part, level)}
    if isinstance(formula, If):
        rendered: dict[str, Any] = {"if": render(formula.condition, level)}
        if formula.then is not True:
            rendered["then"] = render(formula.then, level)
        if formula.otherwise is not True:
            rendered["else"] = render(formula.otherwise, level)
        return rendered
    inner = render(formula.formula, formula.scope)
    for group in reversed(formula.scope[2:]):
        inner = {"properties": {group: {"items": inner}}}
    for key in reversed(formula.scope[len(level) : 2]):
        inner = {"properties": {key: inner}}
    return inner


def common_scope(scopes: Iterable[Scope]) -> Scope:
    """The longest scope that starts every one of ``scopes``."""
    prefix: Scope | None = None
    for scope in scopes:
        if prefix is None:
            prefix = scope
            continue
        size = 0
        while size < min(len(prefix), len(scope)) and prefix[size] == scope[size]:
            size += 1
        prefix = prefix[:size]
    return prefix or ()


# --- comparisons ----------------------------------------------------------------------------

_ORDER_KEYWORDS = {
    "gt": "exclusiveMinimum",
    "ge": "minimum",
    "lt": "exclusiveMaximum",
    "le": "maximum",
}


def _unanswered(question: Question) -> list[Any]:
    """The unanswered values that fit the question's type (others fail its type anyway)."""
    if question.type == "text":
        return [None, ""]
    if question.type in {"multi_choice", "group"}:
        return [None, []]
    return [None]


def answered_atom(scope: Scope, question: Question) -> Atom:
    return _atom(scope, question.id, {"not": {"enum": _unanswered(question)}}, True)


def unanswered_atom(scope: Scope, question: Question) -> Atom:
    return _atom(scope, question.id, {"enum": _unanswered(question)}, False)


def comparison_atom(
    comparison: Comparison, target: Question, scope: Scope, key: str
) -> Atom | bool:
    """The test of ``comparison`` on the (raw) answer ``key`` at ``scope``."""
    operator, expected = comparison.operator, comparison.value
    if operator == "answered":
        if expected is False:
            return unanswered_atom(scope, target)
        return answered_atom(scope, target)
    if operator == "contains":
        return _atom(scope, key, {"type": "array", "contains": {"const": expected}}, True)
    if operator in {"equals", "not_equals", "in", "not_in"}:
        options = expected if isinstance(expected, tuple) else (expected,)
        # Only an answer equals something: null and "" never match.
        kept = [option for option in options if is_answered(option)]
        if operator in {"equals", "in"}:
            return _atom(scope, key, {"enum": kept}, True) if kept else False
        return _atom(scope, key, {"not": {"enum": kept}}, False) if kept else True
    if isinstance(expected, bool | tuple) or expected is None:
        return False  # validate orders numbers with numbers and text with text, nothing else
    if isinstance(expected, int | float):
        return _atom(scope, key, {"type": "number", _ORDER_KEYWORDS[operator]: expected}, True)
    if target.type == "date":
        pattern = date_order(operator, expected)
    else:
        pattern = text_order(operator, expected)
    if pattern is None:
        return False
    return _atom(scope, key, {"type": "string", "pattern": pattern}, True)


def date_order(operator: str, expected: str) -> str | None:
    """A pattern for ``value <operator> expected`` (as text) on ``YYYY-MM-DD`` values.

    The value is known to be ten characters long, digits with ``-`` at positions 4 and 7, so a
    value compares by its first difference from ``expected``: a prefix and a character class
    per position. None when no such value compares so.
    """
    shape = [_DIGITS] * 10
    shape[4] = shape[7] = "-"
    greater = operator in {"gt", "ge"}
    alternatives: list[str] = []
    for index, wanted in enumerate(expected[:10]):
        chars = [c for c in shape[index] if (c > wanted if greater else c < wanted)]
        if chars:
            alternatives.append(expected[:index] + _char_class(chars))
        if wanted not in shape[index]:
            break  # no value has this prefix: later positions cannot tie
    else:
        if len(expected) == 10 and operator in {"ge", "le"}:
            alternatives.append(expected)  # equal
        elif len(expected) < 10 and greater:
            alternatives.append(expected)  # the value is longer, with expected as its prefix
        elif len(expected) > 10 and not greater:
            alternatives.append(expected[:10])  # the value is a prefix of expected
    if not alternatives:
        return None
    return "^(?:" + "|".join(alternatives) + ")"


def _char_class(chars: list[str]) -> str:
    if len(chars) == 1:
        return chars[0]
    return f"[{chars[0]}-{chars[-1]}]"  # consecutive digits


def text_order(operator: str, expected: str) -> str | None:
    """A pattern for ``value <operator> expected`` on any text (code point order).

    Only reached for forms that :func:`kindbehoeften.load_form` would refuse (ordered operators
    on questions that are neither numbers nor dates); kept so that the schema stays exact.
    """
    greater = operator in {"gt", "ge"}
    alternatives: list[str] = []
    for index, char in enumerate(expected):
        prefix = "".join(map(_literal, expected[:index]))
        if greater:
            alternatives.append(prefix + f"[^\\u0000-{_literal(char)}]")
        elif char > "\0":
            alternatives.append(prefix + f"[\\u0000-{_literal(chr(ord(char) - 1))}]")
        if not greater:
            alternatives.append(prefix + "$(?!\\n)")  # a proper prefix of expected
    whole = "".join(map(_literal, expected))
    if greater:
        alternatives.append(whole + "[\\s\\S]")  # longer, with expected as its prefix
    if operator in {"ge", "le"}:
        alternatives.append(whole + "$(?!\\n)")
    if not alternatives:
        return None  # nothing is less than ""
    return "^(?:" + "|".join(alternatives) + ")"


def _literal(char: str) -> str:
    """One character as a regular-expression literal that Python and ECMA-262 read alike."""
    if char.isascii() and char.isalnum():
        return char
    if ord(char) > 0xFFFF:
        return char
    return f"\\u{ord(char):04x}"


def anchored_pattern(pattern: str) -> str:
    """The form's pattern, whole-answer and allowing "" (as validate: an empty text is not
    checked against the pattern). Leading inline flags stay in front, where Python wants them."""
    flags = _GLOBAL_FLAGS.match(pattern)
    head = flags.group(0) if flags else ""
    return f"{head}^(?:{pattern[len(head) :]})?$(?!\\n)"
