"""The fast path: a submission's JSON parsed and filtered in Rust, in two quick passes.

A pydantic-core validator, made once per form and status, accepts only documents whose
envelope, types and bounds are right (and, when completed, that hold every unconditionally
required answer). It is a filter, never the judge: when it accepts, no issue of those kinds
exists (it is at least as strict as the Python checks); when it refuses, or whenever the text
holds something it cannot see (a key twice, a lone surrogate, more nesting than the form's
own), the careful path of :mod:`.validator` decides, with the library's one JSON reader.
The same holds for the filters of each area and of each row of a group, made of the same
parts: the careful path asks them before it checks an area or a row answer by answer.

The text is parsed by jiter (the JSON parser of pydantic-core, as a library of its own),
which can refuse a key given twice in one object; pydantic-core's own ``validate_json``
cannot, and the colon count that stood in for that check gave up at every colon in a text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import jiter
from pydantic_core import SchemaValidator
from pydantic_core import core_schema as cs

from .._core.model import Form, Question
from .._core.patterns import anchored
from .._core.vocab import DATE_PATTERN

__all__ = ["Filters", "envelope", "filters", "nesting", "parse"]


class Filters:
    """The filters of a form, for drafts and for completed submissions: a whole JSON document
    (envelope included), its answers alone (for a parsed dict), and the answers of each area
    and of each row of a group, by their path (section, area, group, ...): for the careful
    path, an area or a row they accept needs no check of types, bounds, unknown keys or
    unconditionally required answers, as when the whole document is accepted."""

    __slots__ = (
        "answers_completed",
        "answers_draft",
        "containers_completed",
        "containers_draft",
        "json_completed",
        "json_draft",
    )

    def __init__(self, form: Form) -> None:
        for status in ("in_progress", "completed"):
            answers, parts = _answers_schema(form, completed=status == "completed")
            containers = {path: SchemaValidator(schema) for path, schema in parts.items()}
            envelope_fields = {
                "form": cs.typed_dict_field(cs.literal_schema([form.id])),
                "form_version": cs.typed_dict_field(cs.literal_schema([form.version])),
                "status": cs.typed_dict_field(cs.literal_schema([status])),
                "answers": cs.typed_dict_field(answers),
            }
            document = cs.typed_dict_schema(envelope_fields, extra_behavior="forbid")
            whole = SchemaValidator(document, {"cache_strings": "keys"})
            if status == "completed":
                self.answers_completed = SchemaValidator(answers)
                self.containers_completed = containers
                self.json_completed = whole
            else:
                self.answers_draft = SchemaValidator(answers)
                self.containers_draft = containers
                self.json_draft = whole


def filters(form: Form) -> Filters:
    """The filters of ``form``."""
    return Filters(form)


Path = tuple[str, ...]


def _answers_schema(form: Form, completed: bool) -> tuple[Any, dict[Path, Any]]:
    """The schema of a form's answers, and of the answers of each area and of each row of a
    group, by path."""
    stage = form.stage if completed else None
    containers: dict[Path, Any] = {}

    def fields(questions: Sequence[Question], path: Path) -> tuple[dict[str, Any], bool]:
        entries, any_required = {}, False
        for question in questions:
            schema = _question(form, question, fields, (*path, question.id), containers)
            must = stage is not None and question.when is None and question.is_required(stage)
            if must:
                any_required = True
                schema = _answered(schema, question)
            else:
                schema = cs.nullable_schema(schema)
            entries[question.id] = cs.typed_dict_field(schema, required=must)
        return entries, any_required

    sections: dict[str, Any] = {}
    for section in form.sections:
        areas: dict[str, Any] = {}
        for area in section.areas:
            entries, must = fields(area.questions, (section.id, area.id))
            containers[section.id, area.id] = _closed(entries)
            areas[area.id] = cs.typed_dict_field(containers[section.id, area.id], required=must)
        needed = any(field["required"] for field in areas.values())
        sections[section.id] = cs.typed_dict_field(_closed(areas), required=needed)
    return _closed(sections), containers


def _text(question: Question, min_length: int | None = None) -> Any:
    # A pattern applies to a non-empty text; the engine is linear-time (see _core.patterns).
    pattern = None if question.pattern is None else anchored(f"(?:{question.pattern})?")
    return cs.str_schema(
        strict=True,
        min_length=min_length,
        max_length=question.max_length,
        pattern=pattern,
        regex_engine="rust-regex",
    )


def _answered(schema: Any, question: Question) -> Any:
    """``schema`` narrowed to answered values: no null, no empty text, no empty list."""
    if question.type == "text":
        return _text(question, min_length=1)
    if question.type in {"multi_choice", "group"}:
        return {**schema, "min_length": max(1, question.min_items or 0)}
    return schema


def _closed(fields: dict[str, Any]) -> Any:
    return cs.typed_dict_schema(fields, extra_behavior="forbid", total=False)


def _question(
    form: Form,
    question: Question,
    fields: Callable[[Sequence[Question], Path], tuple[dict[str, Any], bool]],
    path: Path,
    containers: dict[Path, Any],
) -> Any:
    kind, low, high = question.type, question.min, question.max
    if kind == "text":
        return _text(question)
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
    if kind == "date":  # a calendar date; its bounds are checked in Python (a recheck)
        written = cs.str_schema(strict=True, pattern=DATE_PATTERN)
        return cs.chain_schema([written, cs.date_schema()])
    if kind in {"choice", "multi_choice"}:
        options = cs.literal_schema([option.value for option in form.options(question)])
        if kind == "choice":
            return options
        return cs.list_schema(
            options, strict=True, min_length=question.min_items, max_length=question.max_items
        )
    containers[path] = row = _closed(fields(question.questions, path)[0])
    return cs.list_schema(
        row,
        strict=True,
        min_length=question.min_items,
        max_length=question.max_items,
    )


def nesting(form: Form) -> int:
    """How deep the form's own structure nests: envelope, answers, section, area, and below
    an area a list of choices 1, a group's rows 2 and more."""

    def below(questions: Sequence[Question]) -> int:
        deepest = 0
        for question in questions:
            if question.type == "multi_choice":
                deepest = max(deepest, 1)
            elif question.type == "group":
                deepest = max(deepest, 2 + below(question.questions))
        return deepest

    return 4 + max(
        (below(area.questions) for section in form.sections for area in section.areas),
        default=0,
    )


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


def envelope(data: bytes) -> tuple[str, str, str] | None:
    """The form id, version and status a JSON text names, read without parsing it (so that
    the right filter can parse it); ``None`` when they are not plain to see."""
    usual = _ENVELOPE_FIRST.match(data)  # the envelope's fields first, as json.dumps writes them
    if usual is not None:
        form_id, version, status = usual.group(1, 2, 3)
    else:
        named = [pattern.search(data) for pattern in _ENVELOPE_FIELDS]
        found = [match.group(1) for match in named if match is not None]
        if len(found) != len(named):
            return None
        form_id, version, status = found
    return form_id.decode(), version.decode(), status.decode()


def parse(data: bytes, form_filters: Filters, completed: bool) -> tuple[Any, bool] | None:
    """The document of ``data`` and whether the filter accepts it; ``None`` when the parser
    refuses the text, and the careful path decides. The parser refuses what the careful path
    must name: a key twice in one object, NaN and Infinity, a lone surrogate, a byte-order
    mark, text that is not UTF-8, a number with more digits than Python reads. Otherwise it
    reads the same values as :func:`json.loads`."""
    checker = form_filters.json_completed if completed else form_filters.json_draft
    try:
        document = jiter.from_json(
            data, allow_inf_nan=False, cache_mode="keys", catch_duplicate_keys=True
        )
    except ValueError:
        return None
    return document, checker.isinstance_python(document)
