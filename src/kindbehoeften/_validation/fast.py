"""The fast path: a submission's JSON parsed and filtered in one pass, in Rust.

A pydantic-core validator, made once per form and status, accepts only documents whose
envelope, types and bounds are right (and, when completed, that hold every unconditionally
required answer). It is a filter, never the judge: when it accepts, no issue of those kinds
exists (it is at least as strict as the Python checks); when it refuses, or whenever the text
holds something it cannot see (a key twice, a lone surrogate, more nesting than the form's
own), the careful path of :mod:`.validator` decides, with the library's one JSON reader.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic_core import SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from .._core.model import Form, Question
from .._core.patterns import anchored
from .._core.vocab import DATE_PATTERN

__all__ = [
    "Filters",
    "Groups",
    "Texts",
    "envelope",
    "filters",
    "groups",
    "keys",
    "parse",
    "texts",
]

Groups = tuple[tuple[str, "Groups"], ...]  # the groups of a container: id, and their groups
# The free texts of a container: the ids of its text questions, and its groups that hold texts
# (id, and the texts of their rows).
Texts = tuple[tuple[str, ...], tuple[tuple[str, "Texts"], ...]]


class Filters:
    """The four filters of a form: its answers alone (for a parsed dict), and a whole JSON
    document (envelope included), for drafts and for completed submissions."""

    __slots__ = ("answers_completed", "answers_draft", "json_completed", "json_draft")

    def __init__(self, form: Form) -> None:
        for status in ("in_progress", "completed"):
            answers = _answers_schema(form, completed=status == "completed")
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
                self.json_completed = whole
            else:
                self.answers_draft = SchemaValidator(answers)
                self.json_draft = whole


def filters(form: Form) -> Filters:
    """The filters of ``form``."""
    return Filters(form)


def _answers_schema(form: Form, completed: bool) -> Any:
    stage = form.stage if completed else None

    def fields(questions: Sequence[Question]) -> tuple[dict[str, Any], bool]:
        entries, any_required = {}, False
        for question in questions:
            schema = _question(form, question, fields)
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
            entries, must = fields(area.questions)
            areas[area.id] = cs.typed_dict_field(_closed(entries), required=must)
        needed = any(field["required"] for field in areas.values())
        sections[section.id] = cs.typed_dict_field(_closed(areas), required=needed)
    return _closed(sections)


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
    fields: Callable[[Sequence[Question]], tuple[dict[str, Any], bool]],
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


def groups(questions: Sequence[Question]) -> Groups:
    """The groups among ``questions``, each with the groups of its rows."""
    return tuple(
        (question.id, groups(question.questions))
        for question in questions
        if question.type == "group"
    )


def texts(form: Form) -> tuple[tuple[str, str, Texts], ...] | None:
    """Where a form's answers can hold a colon: its text questions, area by area (and in the
    rows of groups). ``None`` when an option's value holds one, so that only texts do not
    tell all (then the colon count gives up, as it did before, and the careful path decides).
    """
    for _, question in form.questions():
        choices = question.type in {"choice", "multi_choice"}
        if choices and any(":" in option.value for option in form.options(question)):
            return None

    def of(questions: Sequence[Question]) -> Texts:
        own = tuple(question.id for question in questions if question.type == "text")
        inner = tuple(
            (question.id, found)
            for question in questions
            if question.type == "group" and (found := of(question.questions)) != ((), ())
        )
        return own, inner

    return tuple(
        (section.id, area.id, found)
        for section in form.sections
        for area in section.areas
        if (found := of(area.questions)) != ((), ())
    )


def _colons(form_texts: Sequence[tuple[str, str, Texts]], answers: Mapping[str, Any]) -> int:
    """How many colons the texts of a document that passed the filter hold, as read."""
    count = 0
    for section_id, area_id, inner in form_texts:
        section = answers.get(section_id)
        if section:
            area = section.get(area_id)
            if area:
                count += _text_colons(area, inner)
    return count


def _text_colons(container: Mapping[str, Any], inner: Texts) -> int:
    count = 0
    own, below = inner
    for question_id in own:
        value = container.get(question_id)
        if value:
            count += value.count(":")
    for group_id, rows_texts in below:
        rows = container.get(group_id)
        if rows:
            for row in rows:
                count += _text_colons(row, rows_texts)
    return count


def keys(form_groups: Sequence[tuple[str, str, Groups]], document: Mapping[str, Any]) -> int:
    """How many keys a document that passed the filter holds, all levels counted; the filter
    has fixed its shape, so only the rows of groups need a walk."""
    answers = document["answers"]
    count = len(document) + len(answers)
    for section in answers.values():
        count += len(section)
        for area in section.values():
            count += len(area)
    for section_id, area_id, inner in form_groups:
        area = answers.get(section_id, {}).get(area_id)
        if area:
            count += _row_keys(area, inner)
    return count


def _row_keys(container: Mapping[str, Any], inner: Groups) -> int:
    count = 0
    for question_id, below in inner:
        rows = container.get(question_id)
        if rows:
            for row in rows:
                count += len(row)
                if below:
                    count += _row_keys(row, below)
    return count


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


def parse(
    data: bytes,
    form_filters: Filters,
    form_groups: Sequence[tuple[str, str, Groups]],
    form_texts: Sequence[tuple[str, str, Texts]] | None,
    completed: bool,
) -> dict[str, Any] | None:
    """The document of ``data`` if the filter accepts it and it certainly has no key twice;
    else ``None``, and the careful path decides. (The Rust parser refuses a lone surrogate,
    so that the reader can name it.)

    A duplicate key leaves fewer keys in the document than colons that end a key in the text.
    The filter has fixed every key to a question id (no colon in it) and every string outside
    the texts to an option, a date or an envelope value (no colon in them: see :func:`texts`),
    so the colons of the text are those that end a key, and those inside the texts. The
    texts' colons are counted as parsed; a colon written as an escape (``\\u003a``) is
    one that the text does not show, so a text with one is left to the careful path. Thus a
    colon in an answer ("At 10:30 she said: ...") keeps the fast path.
    """
    checker = form_filters.json_completed if completed else form_filters.json_draft
    try:
        document: dict[str, Any] = checker.validate_json(data)
    except ValidationError:
        return None
    found = keys(form_groups, document)
    colons = data.count(b":")
    if colons == found:
        return document
    if form_texts is None or colons - _colons(form_texts, document["answers"]) != found:
        return None
    # An escaped colon (\\u003a, \\u003A; any \\u003x only costs the fast path) would be one
    # more in the texts than in the text: it could hide a duplicate key.
    if b"\\" in data and b"\\u003" in data:
        return None
    return document
