"""Validating submissions against forms.

``validate`` never raises on bad input: every problem becomes an :class:`Issue` with a JSON
Pointer and a stable code. The work is split in two:

1. parsing, with limits: size, depth, duplicate keys, NaN and Infinity, invalid UTF-8;
2. a plan compiled once per form (:class:`_FormPlan`): per area, the questions with a checker
   for their type and bounds, whether they are required at the form's stage, and their
   condition as a closure. Conditions, disabled answers and one-of rules run after the types.

Messages name fields by label, never by the content of an answer.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic_core import SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from .._core.limits import MAX_SUBMISSION_BYTES, MAX_SUBMISSION_DEPTH
from .._core.model import AllOf, AnyOf, Comparison, Condition, Form, Not, Question
from .._core.report import Issue, ValidationReport
from .._core.vocab import DATE_PATTERN, STATUSES, IssueCode
from .._forms.catalog import FORMS_PATH_VARIABLE, PathLike, forms, load_form
from .._i18n import Text, negotiate, npgettext, pgettext, render, translate
from ..errors import UnknownFormError

__all__ = ["MAX_SUBMISSION_BYTES", "MAX_SUBMISSION_DEPTH", "validate"]

ENVELOPE = ("form", "form_version", "status", "answers")
_ENVELOPE_KEYS = frozenset(ENVELOPE)

Answers = Mapping[str, Any]
Found = list[Issue]

# The messages, marked for ``pybabel extract``; the context is the message's stable key.
_MESSAGES: dict[str, Text] = {
    "json_syntax": pgettext(
        "validation.json_syntax",
        "The submission is not valid JSON: {reason} (line {line}, column {column}).",
    ),
    "json_encoding": pgettext(
        "validation.json_encoding", "The submission is not valid UTF-8 text (byte {position})."
    ),
    "json_number": pgettext(
        "validation.json_number", "The submission holds a number with too many digits to read."
    ),
    "duplicate_key": pgettext(
        "validation.duplicate_key", "The key {key!r} appears more than once in this object."
    ),
    "too_large": npgettext(
        "validation.too_large",
        "The submission is larger than {limit} byte.",
        "The submission is larger than {limit} bytes.",
    ),
    "too_deep": npgettext(
        "validation.too_deep",
        "The submission is nested more than {limit} level deep.",
        "The submission is nested more than {limit} levels deep.",
    ),
    "not_an_object": pgettext("validation.not_an_object", "The submission must be a JSON object."),
    "unknown_form": pgettext(
        "validation.unknown_form", "Unknown form {form!r}; known forms: {known}."
    ),
    "form_mismatch": pgettext(
        "validation.form_mismatch",
        "The submission names form {form!r}, but is checked against {expected!r}.",
    ),
    "unknown_version": pgettext(
        "validation.unknown_version",
        "Form {form!r} has no version {version!r}; known versions: {known}.",
    ),
    "unknown_field": pgettext("validation.unknown_field", "{field!r} is not a field of {where}."),
    "required": pgettext("validation.required", '"{label}" needs an answer.'),
    "required_field": pgettext("validation.required_field", "The field {field!r} is required."),
    "type": pgettext("validation.type", '"{label}" must be {expected}.'),
    "choice": pgettext("validation.choice", '"{label}" must be one of: {options}.'),
    "min": pgettext("validation.min", '"{label}" must be at least {limit}.'),
    "max": pgettext("validation.max", '"{label}" must be at most {limit}.'),
    "min_today": pgettext("validation.min_today", '"{label}" must not be before today ({limit}).'),
    "max_today": pgettext(
        "validation.max_today", '"{label}" must not be in the future (after {limit}).'
    ),
    "before_birth": pgettext(
        "validation.before_birth", '"{label}" must not be before the child\'s date of birth.'
    ),
    "max_length": npgettext(
        "validation.max_length",
        '"{label}" may have at most {limit} character.',
        '"{label}" may have at most {limit} characters.',
    ),
    "pattern": pgettext("validation.pattern", '"{label}" does not have the expected form.'),
    "date": pgettext("validation.date", '"{label}" must be a date written as YYYY-MM-DD.'),
    "min_items": npgettext(
        "validation.min_items",
        '"{label}" needs at least {limit} item.',
        '"{label}" needs at least {limit} items.',
    ),
    "max_items": npgettext(
        "validation.max_items",
        '"{label}" may have at most {limit} item.',
        '"{label}" may have at most {limit} items.',
    ),
    "disabled": pgettext(
        "validation.disabled", '"{label}" must not be answered: its condition does not hold.'
    ),
    "one_of_required": pgettext(
        "validation.one_of_required", "At least one of these needs an answer: {labels}."
    ),
    "not_finite": pgettext("validation.not_finite", '"{label}" must be a finite number.'),
    "surrogate": pgettext(
        "validation.surrogate",
        "This text holds a lone surrogate (\\ud800-\\udfff), which is not valid Unicode.",
    ),
}

# What a value must be (the ``expected`` of a ``type`` issue), by its English text.
_EXPECTED: dict[str, Text] = {
    text.singular: text
    for text in (
        pgettext("validation.expected.text", "text"),
        pgettext("validation.expected.boolean", "true or false"),
        pgettext("validation.expected.integer", "a whole number"),
        pgettext("validation.expected.number", "a number"),
        pgettext("validation.expected.date", "a date written as YYYY-MM-DD"),
        pgettext("validation.expected.choice", "one of its options, as text"),
        pgettext("validation.expected.multi_choice", "a list of its options"),
        pgettext("validation.expected.group", "a list of rows"),
        pgettext("validation.expected.row", "a list of rows, each an object"),
        pgettext("validation.expected.object", "an object"),
        pgettext("validation.expected.form", "a form id, as text"),
        pgettext("validation.expected.version", "a version, as text"),
    )
}

# Where an unknown field was found (the ``where`` of an ``unknown_field`` issue).
_WHERE: dict[str, Text] = {
    "submission": pgettext("validation.where.submission", "the submission"),
    "form": pgettext("validation.where.form", "form {name!r}"),
    "section": pgettext("validation.where.section", "section {name!r}"),
    "area": pgettext("validation.where.area", "area {name!r}"),
    "row": pgettext("validation.where.row", "a row of {name!r}"),
}


def _escape(key: object) -> str:
    """A key as a JSON Pointer token (RFC 6901); a parsed dict's keys may not even be text, and
    a lone surrogate is written as its escape, so that the pointer can be printed."""
    text = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
    return text.replace("~", "~0").replace("/", "~1")


def _issue(pointer: str, code: IssueCode, template: str | None = None, **params: Any) -> Issue:
    """An error issue in English; :func:`_localized` renders it again in another language."""
    message_id = template or code
    text = _MESSAGES[message_id]
    english = text.plural if text.plural is not None and params.get("limit") != 1 else None
    message = (english or text.singular).format(**params)
    return Issue(pointer, code, message, "error", params, message_id)


def _unknown(pointer: str, key: object, kind: str, name: str = "") -> Issue:
    where = _WHERE[kind].singular.format(name=name)
    field = _escape(key)
    return _issue(pointer, "unknown_field", field=field, where=where, kind=kind, name=name)


# --- parsing --------------------------------------------------------------------------------


class _NonFinite(float):
    """NaN or Infinity read from JSON: kept as a value so that its pointer can be named."""

    __slots__ = ()


class _Duplicates(dict[str, Any]):
    """An object that had a key twice (the last value wins, as in ``json``)."""

    __slots__ = ("duplicates",)

    duplicates: tuple[str, ...]


def _pairs_hook(seen: list[bool]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """An ``object_pairs_hook`` for one parse that flags objects with a key twice in ``seen``
    (one list per parse, so that threads validating at once do not share it)."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(items)
        if len(result) == len(items):
            return result
        seen.append(True)
        flagged = _Duplicates(result)
        keys: set[str] = set()
        repeated = []
        for key, _ in items:
            if key in keys:
                repeated.append(key)
            keys.add(key)
        flagged.duplicates = tuple(repeated)
        return flagged

    return pairs


_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _deeper_than(document: Any, limit: int) -> bool:
    """Whether a parsed document nests more than ``limit`` levels (containers only)."""
    level: list[Any] = [document]
    for _ in range(limit):
        below: list[Any] = []
        for container in level:
            items = container.values() if type(container) is dict else container
            below.extend(item for item in items if type(item) is dict or type(item) is list)
        if not below:
            return False
        level = below
    return True


def _constant(name: str) -> float:
    return _NonFinite(name)


def _parse(data: bytes | str, max_bytes: int, max_depth: int) -> tuple[Any, Issue | None, bool]:
    """The parsed document, or the issue that stopped parsing; and whether the document needs
    the full scan (:func:`_scan`) for duplicate keys, lone surrogates or depth."""
    needs_scan = False
    if isinstance(data, bytes):
        if len(data) > max_bytes:
            return None, _issue("", "too_large", limit=max_bytes), False
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            return None, _issue("", "json_syntax", "json_encoding", position=error.start), False
    else:
        try:
            size = len(data.encode("utf-8"))
        except UnicodeEncodeError:
            size = len(data.encode("utf-8", "surrogatepass"))
            needs_scan = True
        if size > max_bytes:
            return None, _issue("", "too_large", limit=max_bytes), False
    if data.startswith("\ufeff"):
        data = data[1:]
    seen: list[bool] = []
    try:
        document = json.loads(data, object_pairs_hook=_pairs_hook(seen), parse_constant=_constant)
    except json.JSONDecodeError as error:
        issue = _issue("", "json_syntax", reason=error.msg, line=error.lineno, column=error.colno)
        return None, issue, False
    except RecursionError:
        return None, _issue("", "too_deep", limit=max_depth), False
    except ValueError:  # a number of more digits than Python converts (int_max_str_digits)
        issue = _issue("", "json_syntax", "json_number")
        return None, issue, False
    needs_scan = needs_scan or bool(seen) or _SURROGATE.search(data) is not None
    return document, None, needs_scan


def _lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _scan(document: Any, max_depth: int, found: Found) -> bool:
    """Find duplicate keys, too deep nesting and lone surrogates; False when too deep."""
    stack: list[tuple[Any, str, int]] = [(document, "", 1)]
    while stack:
        value, pointer, depth = stack.pop()
        if isinstance(value, dict):
            if depth > max_depth:
                found.append(_issue(pointer, "too_deep", limit=max_depth))
                return False
            if isinstance(value, _Duplicates):
                for key in dict.fromkeys(value.duplicates):
                    found.append(_issue(f"{pointer}/{_escape(key)}", "duplicate_key", key=key))
            for key, item in value.items():
                if isinstance(key, str) and _lone_surrogate(key):
                    found.append(_issue(f"{pointer}/{_escape(key)}", "type", "surrogate"))
                if isinstance(item, dict | list | str):
                    stack.append((item, f"{pointer}/{_escape(key)}", depth + 1))
        elif isinstance(value, list):
            if depth > max_depth:
                found.append(_issue(pointer, "too_deep", limit=max_depth))
                return False
            for index, item in enumerate(value):
                if isinstance(item, dict | list | str):
                    stack.append((item, f"{pointer}/{index}", depth + 1))
        elif isinstance(value, str) and _lone_surrogate(value):
            found.append(_issue(pointer, "type", "surrogate"))
    return True


# --- compiled plans -------------------------------------------------------------------------


class _Run:
    """One validation: the plan, the whole answers, the status, and the issues found."""

    __slots__ = ("_born", "completed", "found", "plan", "root", "today")

    def __init__(
        self,
        plan: _FormPlan,
        root: Mapping[str, Any],
        completed: bool,
        today: dt.date | None = None,
        born: dt.date | None = None,
    ) -> None:
        self.found: Found = []
        self.plan = plan
        self.root = root
        self.completed = completed
        self.today = today
        self._born = born

    def born(self) -> dt.date | None:
        """The child's date of birth: as the caller gave it, else the form's birth question."""
        if self._born is None and self.plan.form.birth_date is not None:
            section, area, key = self.plan.form.birth_date.split(".")
            answer = _child(_child(self.root, section), area).get(key)
            self._born = _iso_date(answer) if isinstance(answer, str) else None
        return self._born


Check = Callable[[Any, str, _Run], bool]  # value, pointer, run -> whether the type fits
Test = Callable[[Mapping[str, Any], _Run], bool]  # the container's answers, run -> holds


@dataclass(frozen=True, slots=True)
class _QuestionPlan:
    id: str
    label: str
    required: bool
    check: Check
    condition: Test | None
    recheck: bool  # what the fast check cannot decide: patterns, calendar dates, group rows


@dataclass(slots=True)
class _ContainerPlan:
    """An area, or the row of a group: its questions by id, and its one-of rules."""

    name: str  # "section.area", or "section.area.group" for a group's rows
    where: tuple[str, str]  # for messages: ("area", "health"), ("row", "goals")
    questions: dict[str, _QuestionPlan]
    unconditional_required: tuple[str, ...]
    conditional: tuple[_QuestionPlan, ...]
    # per rule: the question ids, their labels, and their keys (section.area[.group].question)
    one_of: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...]
    rechecks: tuple[_QuestionPlan, ...]  # checked in Python even after the fast check


@dataclass(slots=True)
class _FormPlan:
    form: Form
    areas: dict[str, dict[str, _ContainerPlan]]  # section -> area -> plan
    containers: dict[str, _ContainerPlan]  # every container by name
    # pydantic-core filters: types and bounds (and, when completed, unconditional required
    # answers); and the areas that still need Python when a filter accepts.
    fast_draft: SchemaValidator | None = None
    fast_completed: SchemaValidator | None = None
    # The same filters over a whole JSON document (envelope included), parsed in Rust.
    json_draft: SchemaValidator | None = None
    json_completed: SchemaValidator | None = None
    semantic: tuple[tuple[str, str, _ContainerPlan], ...] = ()
    groups: tuple[tuple[str, str, Groups], ...] = ()  # section, area, its groups
    labels: dict[str, str] = field(default_factory=dict)  # English label by key, for _localized
    depth: int = 4  # how deep the form's own structure nests (envelope, answers, section, area)


def _answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _enabled_value(
    container: _ContainerPlan, answers: Mapping[str, Any], key: str, run: _Run
) -> Any:
    """The answer to ``key`` when its question is enabled; a disabled answer counts as none."""
    plan = container.questions[key]
    if plan.condition is not None and not plan.condition(answers, run):
        return None
    return answers.get(key)


def _compile_condition(condition: Condition, container: str) -> Test:
    """A condition as a closure; a bare id is looked up in ``container``, else absolutely."""
    if isinstance(condition, AllOf):
        every = [_compile_condition(item, container) for item in condition.all]
        return lambda answers, run: all(part(answers, run) for part in every)
    if isinstance(condition, AnyOf):
        some = [_compile_condition(item, container) for item in condition.any]
        return lambda answers, run: any(part(answers, run) for part in some)
    if isinstance(condition, Not):
        inner = _compile_condition(condition.not_, container)
        return lambda answers, run: not inner(answers, run)
    assert isinstance(condition, Comparison)
    test = _comparison(condition)
    reference = condition.question.split(".")
    if len(reference) == 1:
        key = reference[0]

        def local(answers: Mapping[str, Any], run: _Run) -> bool:
            plan = run.plan.containers[container]
            return test(_enabled_value(plan, answers, key, run))

        return local
    section, area, key = reference

    def absolute(answers: Mapping[str, Any], run: _Run) -> bool:
        there = _child(_child(run.root, section), area)
        return test(_enabled_value(run.plan.areas[section][area], there, key, run))

    return absolute


def _child(mapping: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = mapping.get(key)
    return value if isinstance(value, dict) else {}


def _comparison(condition: Comparison) -> Callable[[Any], bool]:
    """The test of one comparison. An unanswered question equals nothing and is in nothing;
    ``not_equals`` and ``not_in`` hold for it (as FHIR's enableWhen ``!=``)."""
    operator, expected = condition.operator, condition.value
    if operator == "answered":
        wanted = expected is not False
        return lambda value: _answered(value) is wanted
    if operator == "contains":
        return lambda value: isinstance(value, list) and expected in value
    if operator in {"equals", "not_equals", "in", "not_in"}:
        options = expected if isinstance(expected, tuple) else (expected,)

        def inside(value: Any) -> bool:
            return _answered(value) and any(_same(value, option) for option in options)

        if operator in {"equals", "in"}:
            return inside
        return lambda value: not inside(value)
    compare: Callable[[Any, Any], bool] = {
        "gt": lambda a, b: a > b,
        "ge": lambda a, b: a >= b,
        "lt": lambda a, b: a < b,
        "le": lambda a, b: a <= b,
    }[operator]

    def ordered(value: Any) -> bool:
        if isinstance(value, bool) or isinstance(expected, bool):
            return False
        if isinstance(value, int | float) and isinstance(expected, int | float):
            return compare(value, expected)
        if isinstance(value, str) and isinstance(expected, str):
            return compare(value, expected)  # ISO dates order as text
        return False

    return ordered


def _same(value: Any, expected: Any) -> bool:
    if isinstance(value, bool) or isinstance(expected, bool):
        return value is expected
    return bool(value == expected)


def _compile(form: Form) -> _FormPlan:
    plan = _FormPlan(form, {}, {})
    for section in form.sections:
        areas = plan.areas.setdefault(section.id, {})
        for area in section.areas:
            name = f"{section.id}.{area.id}"
            container = _container(
                plan, name, ("area", area.id), area.questions, area.require_one_of
            )
            areas[area.id] = container
    plan.depth = 4 + max(
        (_nesting(area.questions) for section in form.sections for area in section.areas),
        default=0,
    )
    for status in STATUSES:
        answers = _fast_schema(form, completed=status == "completed")
        envelope = {
            "form": cs.typed_dict_field(cs.literal_schema([form.id])),
            "form_version": cs.typed_dict_field(cs.literal_schema([form.version])),
            "status": cs.typed_dict_field(cs.literal_schema([status])),
            "answers": cs.typed_dict_field(answers),
        }
        document = cs.typed_dict_schema(envelope, extra_behavior="forbid")
        if status == "completed":
            plan.fast_completed = SchemaValidator(answers)
            plan.json_completed = SchemaValidator(document, {"cache_strings": "keys"})
        else:
            plan.fast_draft = SchemaValidator(answers)
            plan.json_draft = SchemaValidator(document, {"cache_strings": "keys"})
    plan.labels = {".".join(path): question.label for path, question in form.questions()}
    for section in form.sections:
        plan.labels[section.id] = section.label
        for area in section.areas:
            plan.labels[f"{section.id}.{area.id}"] = area.label
    plan.groups = tuple(
        (section.id, area.id, groups)
        for section in form.sections
        for area in section.areas
        if (groups := _groups(area.questions))
    )
    plan.semantic = tuple(
        (section_id, area_id, container)
        for section_id, areas in plan.areas.items()
        for area_id, container in areas.items()
        if container.conditional or container.one_of or container.rechecks
    )
    return plan


def _nesting(questions: Sequence[Question]) -> int:
    """Levels of containers below an area: a list of choices is 1, a group's rows 2 and more."""
    deepest = 0
    for question in questions:
        if question.type == "multi_choice":
            deepest = max(deepest, 1)
        elif question.type == "group":
            deepest = max(deepest, 2 + _nesting(question.questions))
    return deepest


def _fast_schema(form: Form, completed: bool) -> Any:
    """A pydantic-core validator that accepts only answers whose types and bounds are right
    (and, for a completed submission, that hold every unconditionally required answer).

    It is a filter, never the judge: when it accepts, no such issue exists (it is at least as
    strict as the Python checks); when it refuses, the Python checks say what is wrong.
    """
    stage = form.stage if completed else None

    def fields(questions: Sequence[Question]) -> tuple[dict[str, Any], bool]:
        entries, any_required = {}, False
        for question in questions:
            schema = _fast_question(form, question, fields)
            must = stage is not None and question.when is None and question.is_required(stage)
            if must:
                any_required = True
                schema = _answered_schema(schema, question)
            else:
                schema = cs.nullable_schema(schema)
            entries[question.id] = cs.typed_dict_field(schema, required=must)
        return entries, any_required

    sections: dict[str, Any] = {}
    for section in form.sections:
        areas: dict[str, Any] = {}
        for area in section.areas:
            entries, must = fields(area.questions)
            areas[area.id] = cs.typed_dict_field(_closed(entries), required=must)
        needed = any(field["required"] for field in areas.values())
        sections[section.id] = cs.typed_dict_field(_closed(areas), required=needed)
    return _closed(sections)


def _answered_schema(schema: Any, question: Question) -> Any:
    """``schema`` narrowed to answered values: no null, no empty text, no empty list."""
    if question.type == "text":
        return cs.str_schema(strict=True, min_length=1, max_length=question.max_length)
    if question.type in {"multi_choice", "group"}:
        return {**schema, "min_length": max(1, question.min_items or 0)}
    return schema


def _closed(fields: dict[str, Any]) -> Any:
    return cs.typed_dict_schema(fields, extra_behavior="forbid", total=False)


def _fast_question(
    form: Form,
    question: Question,
    fields: Callable[[Sequence[Question]], tuple[dict[str, Any], bool]],
) -> Any:
    kind, low, high = question.type, question.min, question.max
    if kind == "text":
        return cs.str_schema(strict=True, max_length=question.max_length)
    if kind == "boolean":
        return cs.bool_schema(strict=True)
    if kind in {"integer", "decimal"}:
        ge = low if isinstance(low, int | float) else None
        le = high if isinstance(high, int | float) else None
        whole = cs.int_schema(
            strict=True,
            ge=None if ge is None else math.ceil(ge),
            le=None if le is None else math.floor(le),
        )
        if kind == "integer":
            return whole
        number = cs.float_schema(strict=True, allow_inf_nan=False, ge=ge, le=le)
        return cs.union_schema([whole, number])
    if kind == "date":  # the calendar and the bounds are checked in Python (a recheck)
        return cs.str_schema(strict=True, pattern=DATE_PATTERN)
    if kind in {"choice", "multi_choice"}:
        options = cs.literal_schema([option.value for option in form.options(question)])
        if kind == "choice":
            return options
        return cs.list_schema(
            options, strict=True, min_length=question.min_items, max_length=question.max_items
        )
    return cs.list_schema(
        _closed(fields(question.questions)[0]),
        strict=True,
        min_length=question.min_items,
        max_length=question.max_items,
    )


def _container(
    plan: _FormPlan,
    name: str,
    where: tuple[str, str],
    questions: Sequence[Question],
    rules: Sequence[Any] = (),
) -> _ContainerPlan:
    stage = plan.form.stage
    compiled = {}
    for question in questions:
        compiled[question.id] = _QuestionPlan(
            question.id,
            question.label,
            question.is_required(stage),
            _type_check(plan, question, f"{name}.{question.id}"),
            None if question.when is None else _compile_condition(question.when, name),
            question.pattern is not None or question.type in {"date", "group"},
        )
    labels = {question.id: question.label for question in questions}
    container = _ContainerPlan(
        name,
        where,
        compiled,
        tuple(q.id for q in compiled.values() if q.required and q.condition is None),
        tuple(q for q in compiled.values() if q.condition is not None),
        tuple(
            (
                rule.questions,
                ", ".join(f'"{labels[item]}"' for item in rule.questions),
                tuple(f"{name}.{item}" for item in rule.questions),
            )
            for rule in rules
            if stage in rule.required
        ),
        tuple(q for q in compiled.values() if q.recheck),
    )
    plan.containers[name] = container
    return container


def _type_check(plan: _FormPlan, question: Question, name: str) -> Check:
    """The checker of one question's answer: its type, then its bounds."""
    kind, label = question.type, question.label

    def wrong(pointer: str, run: _Run, expected: str) -> bool:
        run.found.append(_issue(pointer, "type", label=label, expected=expected))
        return False

    if kind == "text":
        limit = question.max_length
        pattern = re.compile(question.pattern) if question.pattern else None

        def text(value: Any, pointer: str, run: _Run) -> bool:
            if not isinstance(value, str):
                return wrong(pointer, run, "text")
            if limit is not None and len(value) > limit:
                run.found.append(_issue(pointer, "max_length", label=label, limit=limit))
            if pattern is not None and value and pattern.fullmatch(value) is None:
                run.found.append(_issue(pointer, "pattern", label=label))
            return True

        return text
    if kind == "boolean":
        return lambda value, pointer, run: (
            isinstance(value, bool) or wrong(pointer, run, "true or false")
        )
    if kind in {"integer", "decimal"}:
        low, high = question.min, question.max
        whole = kind == "integer"

        def number(value: Any, pointer: str, run: _Run) -> bool:
            if isinstance(value, float) and not math.isfinite(value):
                run.found.append(_issue(pointer, "type", "not_finite", label=label))
                return False
            if isinstance(value, bool) or not isinstance(value, int | float):
                return wrong(pointer, run, "a whole number" if whole else "a number")
            if whole and isinstance(value, float) and not value.is_integer():
                return wrong(pointer, run, "a whole number")
            if low is not None and value < low:  # type: ignore[operator]
                run.found.append(_issue(pointer, "min", label=label, limit=low))
            if high is not None and value > high:  # type: ignore[operator]
                run.found.append(_issue(pointer, "max", label=label, limit=high))
            return True

        return number
    if kind == "date":
        earliest, latest = question.min, question.max

        def date(value: Any, pointer: str, run: _Run) -> bool:
            if not isinstance(value, str):
                return wrong(pointer, run, "a date written as YYYY-MM-DD")
            parsed = _iso_date(value)
            if parsed is None:
                run.found.append(_issue(pointer, "date", label=label))
                return False
            if earliest is not None:
                low = _date_bound(earliest, run)
                if low is not None and parsed < low:
                    run.found.append(_bound_issue(pointer, "min", earliest, low, label))
            if latest is not None:
                high = _date_bound(latest, run)
                if high is not None and parsed > high:
                    run.found.append(_bound_issue(pointer, "max", latest, high, label))
            return True

        return date
    if kind in {"choice", "multi_choice"}:
        values = tuple(option.value for option in plan.form.options(question))
        allowed, listed = frozenset(values), ", ".join(values)
        if kind == "choice":

            def choice(value: Any, pointer: str, run: _Run) -> bool:
                if not isinstance(value, str):
                    return wrong(pointer, run, "one of its options, as text")
                if value not in allowed:
                    run.found.append(_issue(pointer, "choice", label=label, options=listed))
                    return False
                return True

            return choice
        fewest, most = question.min_items, question.max_items

        def multi(value: Any, pointer: str, run: _Run) -> bool:
            if not isinstance(value, list):
                return wrong(pointer, run, "a list of its options")
            for index, item in enumerate(value):
                if not isinstance(item, str) or item not in allowed:
                    run.found.append(
                        _issue(f"{pointer}/{index}", "choice", label=label, options=listed)
                    )
            _count(value, fewest, most, label, pointer, run)
            return True

        return multi
    rows = _container(plan, name, ("row", question.id), question.questions)
    fewest_rows, most_rows = question.min_items, question.max_items

    def group(value: Any, pointer: str, run: _Run) -> bool:
        if not isinstance(value, list):
            return wrong(pointer, run, "a list of rows")
        _count(value, fewest_rows, most_rows, label, pointer, run)
        for index, row in enumerate(value):
            if isinstance(row, dict):
                _check_container(rows, row, f"{pointer}/{index}", run)
            else:
                wrong(f"{pointer}/{index}", run, "a list of rows, each an object")
        return True

    return group


def _count(
    value: list[Any], fewest: int | None, most: int | None, label: str, pointer: str, run: _Run
) -> None:
    if fewest is not None and len(value) < fewest:
        run.found.append(_issue(pointer, "min_items", label=label, limit=fewest))
    if most is not None and len(value) > most:
        run.found.append(_issue(pointer, "max_items", label=label, limit=most))


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_bound(bound: Any, run: _Run) -> dt.date | None:
    """A date bound on this run: a fixed date, today, or the child's birth (None if unknown)."""
    if bound == "today":
        return run.today
    if bound == "birth":
        return run.born()
    return bound if isinstance(bound, dt.date) else None


def _bound_issue(
    pointer: str, code: Literal["min", "max"], bound: Any, day: dt.date, label: str
) -> Issue:
    if bound == "birth":  # the date of birth is personal data: the message does not show it
        return _issue(pointer, code, "before_birth", label=label)
    template = f"{code}_today" if bound == "today" else code
    return _issue(pointer, code, template, label=label, limit=day.isoformat())


def _iso_date(value: str) -> dt.date | None:
    """A calendar date written YYYY-MM-DD (not the other ISO 8601 forms Python accepts)."""
    if _DATE.fullmatch(value) is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _check_container(
    container: _ContainerPlan,
    answers: Mapping[str, Any],
    pointer: str,
    run: _Run,
    *,
    fast: bool = False,
) -> None:
    """Types and bounds of every answer, then conditions, then what is required. After the fast
    filter accepted, only what it cannot decide: rechecks, conditions and one-of rules."""
    questions = container.questions
    if not fast:
        for key, value in answers.items():
            plan = questions.get(key)
            if plan is None:
                run.found.append(_unknown(f"{pointer}/{_escape(key)}", key, *container.where))
            elif value is not None:
                plan.check(value, f"{pointer}/{key}", run)
    else:
        for plan in container.rechecks:
            value = answers.get(plan.id)
            if value is not None:
                plan.check(value, f"{pointer}/{plan.id}", run)
    for plan in container.conditional:
        assert plan.condition is not None
        if plan.condition(answers, run):
            if run.completed and plan.required and not _answered(answers.get(plan.id)):
                run.found.append(_issue(f"{pointer}/{plan.id}", "required", label=plan.label))
        elif _answered(answers.get(plan.id)):
            run.found.append(_issue(f"{pointer}/{plan.id}", "disabled", label=plan.label))
    if not run.completed:
        return
    for key in () if fast else container.unconditional_required:
        if not _answered(answers.get(key)):
            run.found.append(_issue(f"{pointer}/{key}", "required", label=questions[key].label))
    for ids, labels, keys in container.one_of:
        if not any(_answered(_enabled_value(container, answers, key, run)) for key in ids):
            issue = _issue(f"{pointer}/{ids[0]}", "one_of_required", labels=labels, keys=keys)
            run.found.append(issue)


# --- the public entry -----------------------------------------------------------------------

_PLANS: dict[int, _FormPlan] = {}


def _plan(form: Form) -> _FormPlan:
    """The compiled plan of ``form``, made once per form object."""
    plan = _PLANS.get(id(form))
    if plan is None or plan.form is not form:
        plan = _compile(form)
        if len(_PLANS) >= 256:
            _PLANS.clear()
        _PLANS[id(form)] = plan
    return plan


def _localized(report: ValidationReport, form: Form | None, language: str) -> ValidationReport:
    """``report`` with its messages, and the labels in them, in ``language``."""
    contexts: tuple[str, ...] = ()
    labels: dict[str, str] = {}
    if form is not None:
        contexts = (form.id,) if form.base is None else (form.id, form.base.id)
        labels = _plan(form).labels

    def label(key: str, english: str) -> str:
        return translate(contexts, f"{key}.label", labels.get(key, english), language)

    issues = []
    for issue in report.issues:
        params = dict(issue.params)
        if "label" in params and issue.pointer.startswith("/answers/"):
            parts = [part for part in issue.pointer.split("/")[2:] if not part.isdigit()]
            params["label"] = label(".".join(parts), params["label"])
        if "keys" in params:
            params["labels"] = ", ".join(f'"{label(key, key)}"' for key in params["keys"])
        if isinstance(params.get("expected"), str) and params["expected"] in _EXPECTED:
            params["expected"] = render(_EXPECTED[params["expected"]], language)
        if "kind" in params and params["kind"] in _WHERE:
            params["where"] = render(_WHERE[params["kind"]], language, name=params["name"])
        limit = params.get("limit")
        count = limit if isinstance(limit, int) else None
        text = _MESSAGES.get(issue.message_id)
        message = issue.message if text is None else render(text, language, count, **params)
        issues.append(replace(issue, message=message))
    return replace(report, issues=tuple(issues))


def validate(
    submission: bytes | str | dict[str, Any],
    *,
    form: Form | str | None = None,
    locale: str = "en",
    max_bytes: int = MAX_SUBMISSION_BYTES,
    max_depth: int = MAX_SUBMISSION_DEPTH,
    paths: Sequence[PathLike] | None = None,
    today: dt.date | None = None,
    born: dt.date | None = None,
) -> ValidationReport:
    """Validate a submission (JSON bytes or text, or a parsed dict); never raises on bad input.

    The form comes from the submission's ``form`` and ``form_version`` (looked up in the
    catalog, with ``paths`` as in :func:`load_form`), unless ``form`` is given (a
    :class:`Form`, or an id or path for :func:`load_form`). A submission
    with status ``in_progress`` is a draft: types and bounds are checked, required answers are
    not. Issues come in document order of discovery, each with a JSON Pointer and a code.

    Date bounds that depend on the case are checked against what the caller passes: ``today``
    for ``max = "today"`` (not in the future) and ``min = "today"``, and ``born``, the child's
    date of birth, for ``min = "birth"`` (when ``born`` is not given, the answer to the form's
    ``birth_date`` question is used). The library never reads the clock itself: without
    ``today``, bounds relative to today are not checked.

    >>> report = validate(b'{"form": "triangle.plan", "form_version": "1.0.0",'
    ...                   b' "status": "in_progress", "answers": {"plan": {"goals": {}}}}')
    >>> report.ok
    True
    >>> report = validate(b'{"form": "triangle.plan", "form_version": "1.0.0",'
    ...                   b' "status": "completed", "answers": {"plan": {"goals": {}}}}')
    >>> sorted({issue.code for issue in report.issues})
    ['one_of_required', 'required']

    ``locale`` chooses the language of the messages (``sv``, ``nb_NO``, ...); the codes,
    pointers and parameters stay the same. An unknown locale raises
    :class:`~kindbehoeften.errors.UnknownLocaleError`.
    """
    language = negotiate(locale)
    if isinstance(form, str):  # a form id (or a form file's path), as load_form takes it
        form = load_form(form, paths=paths)
    report = _validate(submission, form, max_bytes, max_depth, paths, today, born)
    if language == "en" or not report.issues:
        return report
    if form is None and report.form is not None and report.version is not None:
        try:
            form = _lookup(report.form, report.version, _where(paths))
        except UnknownFormError:  # pragma: no cover - the report found it a moment ago
            form = None
    return _localized(report, form, language)


def _where(paths: Sequence[PathLike] | None) -> str | tuple[str, ...]:
    """Where forms are looked up, as a key of the lookup cache."""
    return os.environ.get(FORMS_PATH_VARIABLE, "") if paths is None else tuple(map(str, paths))


def _validate(
    submission: bytes | str | dict[str, Any],
    form: Form | None,
    max_bytes: int,
    max_depth: int,
    paths: Sequence[PathLike] | None,
    today: dt.date | None,
    born: dt.date | None,
) -> ValidationReport:
    found: Found = []
    needs_scan = True
    if isinstance(submission, bytes | str) and len(submission) <= max_bytes:
        quick = _quick(submission, form, paths, max_bytes, max_depth, today, born)
        if quick is not None:
            return quick
    if isinstance(submission, bytes | str):
        document, problem, needs_scan = _parse(submission, max_bytes, max_depth)
        if problem is not None:
            return ValidationReport((problem,))
    else:
        document = submission
    if not isinstance(document, dict):
        return ValidationReport((_issue("", "not_an_object"),))
    usual = document.keys() == _ENVELOPE_KEYS and all(
        type(document[key]) is str for key in ("form", "form_version", "status")
    )
    if not needs_scan and not usual and _deeper_than(document, max_depth):
        needs_scan = True  # an odd envelope: find any depth problem before anything else
    if needs_scan and not _scan(document, max_depth, found):
        return ValidationReport(tuple(found))
    form = _resolve_form(document, form, paths, found)
    status = document.get("status")
    for key in document:
        if key not in ENVELOPE:
            found.append(_unknown(f"/{_escape(key)}", key, "submission"))
    for key in ENVELOPE:
        if key not in document:
            found.append(_issue(f"/{key}", "required", "required_field", field=key))
    if "status" in document and status not in STATUSES:
        found.append(_issue("/status", "choice", label="status", options=", ".join(STATUSES)))
    if form is None:
        return ValidationReport(tuple(found))
    answers = document.get("answers", {})
    if not isinstance(answers, dict):
        found.append(_issue("/answers", "type", label="answers", expected="an object"))
        return ValidationReport(tuple(found), form.id, form.version)
    plan = _plan(form)
    fast_filter = plan.fast_completed if status == "completed" else plan.fast_draft
    fast = (
        not needs_scan
        and document.keys() == _ENVELOPE_KEYS
        and fast_filter is not None
        and fast_filter.isinstance_python(answers)
    )
    # The filter accepts only the form's own structure: deeper than the limit only if the form is.
    if (
        (not fast or plan.depth > max_depth)
        and not needs_scan
        and _deeper_than(document, max_depth)
    ):
        _scan(document, max_depth, found)  # names where it is too deep
        return ValidationReport(tuple(found), form.id, form.version)
    run = _Run(plan, answers, status == "completed", today, born)
    run.found = found
    for section_id, section_answers in ({} if fast else answers).items():  # fast: all known
        areas = plan.areas.get(section_id)
        pointer = f"/answers/{_escape(section_id)}"
        if areas is None:
            found.append(_unknown(pointer, section_id, "form", form.id))
            continue
        if not isinstance(section_answers, dict):
            found.append(_issue(pointer, "type", label=section_id, expected="an object"))
            continue
        for area_id, area_answers in section_answers.items():
            area_pointer = f"{pointer}/{_escape(area_id)}"
            if area_id not in areas:
                found.append(_unknown(area_pointer, area_id, "section", str(section_id)))
            elif not isinstance(area_answers, dict):
                found.append(_issue(area_pointer, "type", label=area_id, expected="an object"))
    every_area = (
        (section_id, area_id, container)
        for section_id, areas in plan.areas.items()
        for area_id, container in areas.items()
    )
    for section_id, area_id, container in plan.semantic if fast else every_area:
        section_answers = answers.get(section_id)
        if section_answers is not None and not isinstance(section_answers, dict):
            continue  # reported above as the wrong type
        area_answers = _child(answers, section_id).get(area_id)
        if not isinstance(area_answers, dict):
            if area_answers is not None:
                continue  # reported above
            area_answers = {}
        pointer = f"/answers/{section_id}/{area_id}"
        _check_container(container, area_answers, pointer, run, fast=fast)
    return ValidationReport(tuple(found), form.id, form.version)


_WS = r"[ \t\n\r]*"
_VALUE = r'"([a-z0-9_.]{1,128})"'
_ENVELOPE_FIRST = re.compile(
    rf'{_WS}\{{{_WS}"form"{_WS}:{_WS}{_VALUE}{_WS},{_WS}"form_version"{_WS}:{_WS}{_VALUE}'
    rf'{_WS},{_WS}"status"{_WS}:{_WS}{_VALUE}'.encode()
)
_ENVELOPE_FIELDS = tuple(
    re.compile(rf'"{key}"[ \t\n\r]*:[ \t\n\r]*"([a-z0-9_.]{{1,128}})"'.encode())
    for key in ("form", "form_version", "status")
)


def _quick(
    data: bytes | str,
    given: Form | None,
    paths: Sequence[PathLike] | None,
    max_bytes: int,
    max_depth: int,
    today: dt.date | None,
    born: dt.date | None,
) -> ValidationReport | None:
    """The report of a well-formed submission, parsed and filtered in one pass in Rust; or
    None, and the careful path decides.

    Every shortcut here can only decline, never accept what the careful path would refuse:
    the filter checks the envelope's values and every type and bound, and the colons in the
    text must number the keys parsed. A duplicate key leaves fewer keys than colons, and so
    does a colon inside a text, which sends that submission the long way.
    """
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: the careful path names it
            return None
        if len(data) > max_bytes:
            return None
    usual = _ENVELOPE_FIRST.match(data)  # the envelope's fields first, as json.dumps writes them
    if usual is not None:
        form_id, version, status = usual.group(1, 2, 3)
    else:
        named = [pattern.search(data) for pattern in _ENVELOPE_FIELDS]
        found = [match.group(1) for match in named if match is not None]
        if len(found) != len(named):
            return None
        form_id, version, status = found
    try:
        form = given or _lookup(form_id.decode(), version.decode(), _where(paths))
    except UnknownFormError:
        return None
    plan = _plan(form)
    completed = status == b"completed"
    checker = plan.json_completed if completed else plan.json_draft
    if checker is None or plan.depth > max_depth:
        return None
    try:
        document = checker.validate_json(data)
    except ValidationError:
        return None
    if data.count(b":") != _keys(plan, document):
        return None
    answers = document["answers"]
    run = _Run(plan, answers, completed, today, born)
    for section_id, area_id, container in plan.semantic:
        area_answers = _child(answers, section_id).get(area_id)
        pointer = f"/answers/{section_id}/{area_id}"
        _check_container(container, area_answers or {}, pointer, run, fast=True)
    return ValidationReport(tuple(run.found), form.id, form.version)


Groups = tuple[tuple[str, "Groups"], ...]  # the groups of a container: id, and their groups


def _groups(questions: Sequence[Question]) -> Groups:
    return tuple(
        (question.id, _groups(question.questions))
        for question in questions
        if question.type == "group"
    )


def _keys(plan: _FormPlan, document: Mapping[str, Any]) -> int:
    """How many keys a document that passed the filter holds, all levels counted; the filter
    has fixed its shape, so only the rows of groups need a walk."""
    answers = document["answers"]
    count = len(document) + len(answers)
    for section in answers.values():
        count += len(section)
        for area in section.values():
            count += len(area)
    for section_id, area_id, groups in plan.groups:
        area = answers.get(section_id, {}).get(area_id)
        if area:
            count += _row_keys(area, groups)
    return count


def _row_keys(container: Mapping[str, Any], groups: Groups) -> int:
    count = 0
    for question_id, inner in groups:
        rows = container.get(question_id)
        if rows:
            for row in rows:
                count += len(row)
                if inner:
                    count += _row_keys(row, inner)
    return count


def _resolve_form(
    document: Mapping[str, Any], given: Form | None, paths: Sequence[PathLike] | None, found: Found
) -> Form | None:
    form_id, version = document.get("form"), document.get("form_version")
    if given is not None:
        if "form" in document and form_id != given.id:
            found.append(
                _issue(
                    "/form",
                    "unknown_form",
                    "form_mismatch",
                    form=str(form_id)[:100],
                    expected=given.id,
                )
            )
            return None
        if "form_version" in document and version != given.version:
            found.append(
                _issue(
                    "/form_version",
                    "unknown_version",
                    form=given.id,
                    version=str(version)[:40],
                    known=given.version,
                )
            )
            return None
        return given
    if not isinstance(form_id, str):
        if "form" in document:
            found.append(_issue("/form", "type", label="form", expected="a form id, as text"))
        return None
    if version is not None and not isinstance(version, str):
        found.append(
            _issue("/form_version", "type", label="form_version", expected="a version, as text")
        )
        return None
    try:
        if not _is_id(form_id):
            raise UnknownFormError(form_id, None, [])
        return _lookup(form_id, version, _where(paths))
    except UnknownFormError as error:
        if error.version is not None and error.form_id in error.known:
            versions = [f.version for f in _versions(form_id, paths)]
            found.append(
                _issue(
                    "/form_version",
                    "unknown_version",
                    form=form_id,
                    version=version[:40] if version else "",
                    known=", ".join(versions),
                )
            )
        else:
            found.append(
                _issue("/form", "unknown_form", form=form_id[:100], known=", ".join(error.known))
            )
        return None


_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


def _is_id(value: str) -> bool:
    """Only ids are looked up: a submission never names a file to read."""
    return (
        len(value) <= 128
        and _ID.match(value) is not None
        and not value.endswith((".toml", ".json"))
    )


@functools.lru_cache(maxsize=256)
def _lookup(form_id: str, version: str | None, where: str | tuple[str, ...]) -> Form:
    """A form by id for validation, cached per process: submissions name the same few forms,
    and a catalog read for each one would cost more than validating it."""
    paths = None if isinstance(where, str) else where
    return load_form(form_id, version, paths=paths)


def _versions(form_id: str, paths: Sequence[PathLike] | None) -> list[Form]:
    return [form for form in forms(paths) if form.id == form_id]
