"""Reading and checking form files.

A form file goes through four gates, and every problem found at a gate is collected before
:class:`~kindbehoeften.errors.FormDefinitionError` is raised:

1. the bytes: size limit, UTF-8, TOML (or JSON) syntax, nesting depth;
2. the published meta-schema (``schemas/form-file.schema.json``);
3. the typed model (``_formmodel.Form``);
4. what a schema cannot say (:func:`check_form`): unique ids, option lists that resolve,
   conditions that point at existing questions of a fitting type, no cycles, ``min <= max``.

Nothing in a form file is ever evaluated as code.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pydantic

from .._core.model import (
    AllOf,
    AnyOf,
    Area,
    Comparison,
    Condition,
    Form,
    Not,
    Question,
)
from .._core.tomllines import KeyPath, line_index, line_of
from ..errors import FormDefinitionError, FormProblem

__all__ = ["MAX_DEPTH", "MAX_FORM_FILE_BYTES", "check_form", "form_file_schema", "read_form_file"]

MAX_FORM_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64

ResolveBase = Callable[[str, str | None], Form]

_KEY_PART = r"[\w\"'-]+"
_LONG_DOTTED_KEY = re.compile(rf"{_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART}){{{MAX_DEPTH}}}")


def form_file_schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) that every form file must satisfy.

    >>> form_file_schema()["$schema"]
    'https://json-schema.org/draft/2020-12/schema'
    """
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


@cache
def _schema_text() -> str:
    return (resources.files("kindbehoeften") / "schemas" / "form-file.schema.json").read_text(
        encoding="utf-8"
    )


@cache
def _meta_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(form_file_schema())


@dataclass
class _Problems:
    """Collects problems with file paths, and turns them into lines and text."""

    file: str
    lines: dict[KeyPath, int] = field(default_factory=dict)
    found: list[FormProblem] = field(default_factory=list)

    def add(self, path: KeyPath, message: str, line: int | None = None) -> None:
        if line is None and path:
            line = line_of(self.lines, path)
        self.found.append(FormProblem(self.file, format_path(path), message, line))

    def raise_if_any(self) -> None:
        if self.found:
            raise FormDefinitionError(self.found)


def format_path(path: KeyPath) -> str:
    """``("sections", 0, "areas", 2, "id")`` as ``sections[0].areas[2].id``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def read_form_file(
    path: str | Path,
    *,
    resolve_base: ResolveBase | None = None,
    name: str | None = None,
    data: bytes | None = None,
) -> Form:
    """Read, check and build the form in ``path`` (TOML, or JSON in the same shape).

    ``resolve_base(id, version)`` finds the base form of an extension file. ``name`` is the
    file name used in messages (defaults to ``path``); ``data`` gives the bytes when they were
    already read. Raises :class:`FormDefinitionError` listing every problem found.
    """
    path = Path(path)
    problems = _Problems(name or str(path))
    if data is None:
        try:
            data = read_limited(path)
        except FileNotFoundError:
            problems.add((), "no such file; check the path")
            problems.raise_if_any()
        except OSError as error:
            problems.add((), f"cannot be read ({error.strerror or type(error).__name__})")
            problems.raise_if_any()
    assert data is not None
    document = _parse(data, path.suffix.lower(), problems)
    problems.raise_if_any()
    _check_shape(document, problems)
    problems.raise_if_any()
    document = _json_ready(document)
    for failure in sorted(_meta_validator().iter_errors(document), key=_error_order):
        problems.add(*_schema_problem(failure, document))
    problems.raise_if_any()
    header = document["form"]
    if "extends" in header:
        return _read_extension(document, problems, resolve_base)
    form = _build(document, problems)
    check_form(form, problems)
    problems.raise_if_any()
    return form


def read_limited(path: Path) -> bytes:
    with path.open("rb") as stream:
        return stream.read(MAX_FORM_FILE_BYTES + 1)


def _parse(data: bytes, suffix: str, problems: _Problems) -> Any:
    if len(data) > MAX_FORM_FILE_BYTES:
        problems.add(
            (), f"is larger than {MAX_FORM_FILE_BYTES} bytes; split it or shorten its texts"
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.add(
            (),
            f"is not valid UTF-8 (byte {error.start}); save it as UTF-8",
            data[: error.start].count(b"\n") + 1,
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    long_key = _LONG_DOTTED_KEY.search(text)
    if long_key is not None:
        # tomllib takes quadratic time on such keys; refuse them before parsing.
        line = text.count("\n", 0, long_key.start()) + 1
        problems.add((), f"is nested too deeply (more than {MAX_DEPTH} levels)", line)
        return None
    try:
        if suffix == ".json":
            return json.loads(text, object_pairs_hook=_no_duplicate_keys)
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        where = f" (column {match.group(2)})" if match else ""
        problems.add(
            (), f"is not valid TOML: {reason}{where}", int(match.group(1)) if match else None
        )
        return None
    except json.JSONDecodeError as error:
        problems.add((), f"is not valid JSON: {error.msg} (column {error.colno})", error.lineno)
        return None
    except ValueError as error:  # a duplicate key in JSON
        problems.add((), f"is not valid JSON: {error}")
        return None
    except RecursionError:
        problems.add((), f"is nested too deeply (more than {MAX_DEPTH} levels)")
        return None
    problems.lines = line_index(text)
    return document


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _check_shape(document: Any, problems: _Problems) -> None:
    """Refuse deep nesting, and numbers JSON cannot hold (inf, nan), without recursion."""
    stack: list[tuple[Any, KeyPath]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if len(path) >= MAX_DEPTH:
            problems.add((), f"is nested too deeply (more than {MAX_DEPTH} levels)")
            return
        if isinstance(value, dict):
            stack.extend(((item, (*path, key)) for key, item in value.items()))
        elif isinstance(value, list):
            stack.extend(((item, (*path, index)) for index, item in enumerate(value)))
        elif isinstance(value, float) and not math.isfinite(value):
            problems.add(path, "must be a finite number (not inf or nan)")


def _json_ready(value: Any) -> Any:
    """TOML's dates and times as ISO text, so that the file checks like JSON would."""
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def _error_order(error: jsonschema.ValidationError) -> tuple[str, ...]:
    return tuple(str(part) for part in error.absolute_path)


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _schema_problem(error: jsonschema.ValidationError, document: Any) -> tuple[KeyPath, str]:
    """Where a meta-schema failure is, and what is wrong, in words a form author understands."""
    path: KeyPath = tuple(error.absolute_path)
    key = path[-1] if path else None
    validator = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    if validator == "not" and schema.get("not") == {}:
        return path, f"{key!r} is not allowed here{_type_hint(document, path[:-1])}"
    if validator == "required":
        missing = re.match(r"'([^']+)'", error.message)
        return path, f"{missing.group(1) if missing else 'a key'!r} is missing"
    if validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        instance = error.instance if isinstance(error.instance, dict) else {}
        unknown = sorted(set(instance) - set(allowed))
        where = (*path, unknown[0]) if unknown else path
        return where, f"unknown key {', '.join(map(repr, unknown))}; allowed: {', '.join(allowed)}"
    if validator == "oneOf":
        context = list(error.context or [])
        if _is_condition(error):
            if not _looks_like_comparison(error.instance):
                return path, (
                    "is not a condition: write {question, operator, value}, {all = [...]}, "
                    "{any = [...]} or {not = {...}}"
                )
            # A comparison that fails: say what is wrong inside it, not that it fits no branch.
            context = [item for item in context if item.relative_schema_path[0] == 0]
        best = jsonschema.exceptions.best_match(context)
        if best is not None:
            return _schema_problem(best, document)
    if validator == "anyOf" and key in {"min", "max"}:  # a date bound
        also = '"today" or "birth"' if key == "min" else '"today"'
        return path, f"{_short(error.instance)} is not an ISO date, e.g. 2000-01-01, nor {also}"
    return path, _schema_message(error, path)


def _schema_message(error: jsonschema.ValidationError, path: KeyPath) -> str:
    validator = error.validator
    if validator == "enum":
        return f"{_short(error.instance)} is not one of: " + ", ".join(
            str(item) for item in _listed(error.validator_value)
        )
    if validator == "const":
        return f"must be {_short(error.validator_value)}"
    if validator == "pattern":
        return f"{_short(error.instance)} does not have the expected form ({_pattern_hint(path)})"
    if validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return f"must be of type {expected}, not {_json_type(error.instance)}"
    words = {
        "minLength": "must have at least {} characters",
        "maxLength": "must have at most {} characters",
        "minItems": "must have at least {} items",
        "maxItems": "must have at most {} items",
        "minimum": "must be at least {}",
        "maximum": "must be at most {}",
        "minProperties": "must have at least {} keys",
    }
    if validator in words:
        return words[str(validator)].format(error.validator_value)
    if validator == "uniqueItems":
        return "lists the same item twice"
    text = str(error.message)
    return text if len(text) < 200 else text[:197] + "..."


def _listed(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _is_condition(error: jsonschema.ValidationError) -> bool:
    return "comparison" in json.dumps(error.validator_value)


def _looks_like_comparison(instance: object) -> bool:
    return isinstance(instance, dict) and "question" in instance and "operator" in instance


def _type_hint(document: Any, path: KeyPath) -> str:
    node = document
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return ""
    if isinstance(node, dict) and isinstance(node.get("type"), str):
        return f" for a question of type {node['type']!r}"
    return ""


def _pattern_hint(path: KeyPath) -> str:
    key = path[-1] if path else None
    if key in {"version", "extends_version"}:
        return "MAJOR.MINOR.PATCH, e.g. 1.0.0"
    if key in {"min", "max"}:
        return 'an ISO date, e.g. 2000-01-01, or "today"'
    if key == "birth_date":
        return "section.area.question, e.g. child.details.date_of_birth"
    if (path[:1] == ("form",) and key in {"id", "extends"}) or path[-2:] == ("base", "id"):
        return "lower-case snake_case parts joined by dots, e.g. triangle.full"
    if key == "question":
        return "a question id, or section.area.question"
    return "lower-case snake_case, e.g. some_concern"


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return type(value).__name__


_HEADER_KEYS = frozenset({"id", "version", "stage", "title", "description", "base"})
_TYPE_TAGS = frozenset({"int", "float", "bool", "str", "date"})


def _is_type_tag(part: str | int) -> bool:
    """pydantic names the branch of a union in an error's location; a file has no such key."""
    return isinstance(part, str) and (part in _TYPE_TAGS or "[" in part or part[:1].isupper())


def _in_file(keys: KeyPath, origin: dict[KeyPath, KeyPath]) -> KeyPath:
    """The key path in the file of what ``keys`` names in the (combined) form."""
    for length in range(len(keys), 0, -1):
        if keys[:length] in origin:
            return (*origin[keys[:length]], *keys[length:])
    return keys


def _build(
    document: dict[str, Any], problems: _Problems, origin: dict[KeyPath, KeyPath] | None = None
) -> Form:
    try:
        return Form.model_validate(document)
    except pydantic.ValidationError as error:
        for item in error.errors(include_url=False, include_input=False):
            loc = tuple(part for part in item["loc"] if not _is_type_tag(part))
            if loc and loc[0] in _HEADER_KEYS:
                loc = ("form", *loc)
            problems.add(_in_file(loc, origin or {}), item["msg"])
        problems.raise_if_any()
        raise  # pragma: no cover - raise_if_any always raises here


# --- extensions ---------------------------------------------------------------------------


def _read_extension(
    document: dict[str, Any], problems: _Problems, resolve_base: ResolveBase | None
) -> Form:
    header = document["form"]
    if resolve_base is None:
        problems.add(("form", "extends"), "extends a form, but no catalog was given to find it")
        problems.raise_if_any()
    assert resolve_base is not None
    try:
        base = resolve_base(header["extends"], header.get("extends_version"))
    except LookupError:
        wanted = header["extends"]
        if "extends_version" in header:
            wanted += f" version {header['extends_version']}"
        problems.add(
            ("form", "extends"),
            f"extends {wanted!r}, which is not in the catalog; see `kindbehoeften forms list`",
        )
        problems.raise_if_any()
        raise  # pragma: no cover
    if (header["id"], header["version"]) == (base.id, base.version):
        problems.add(("form", "id"), "an extension needs an id or version of its own")
    combined = base.to_dict()
    combined["form"] = {
        key: value
        for key, value in {
            "id": header["id"],
            "version": header["version"],
            "stage": base.stage,
            "title": header["title"],
            "description": header.get("description"),
            "base": {"id": base.id, "version": base.version},
        }.items()
        if value is not None
    }
    # Where each added question lands in the combined form, to point problems at the file.
    origin: dict[KeyPath, KeyPath] = {}
    lists = combined.setdefault("option_lists", {})
    for name, body in document.get("option_lists", {}).items():
        if name in lists:
            problems.add(
                ("option_lists", name), f"option list {name!r} is already in the base form"
            )
        else:
            lists[name] = body
    for number, extension in enumerate(document["extend"]):
        here: KeyPath = ("extend", number)
        target = _find_area(combined, extension["section"], extension["area"])
        if target is None:
            problems.add(
                (*here, "area"),
                f"the base form {base.key} has no area {extension['section']}.{extension['area']}",
            )
            continue
        section_index, area_index, area = target
        area_path: KeyPath = ("sections", section_index, "areas", area_index)
        taken = {question["id"] for question in area["questions"]}
        for position, question in enumerate(extension["questions"]):
            if question["id"] in taken:
                problems.add(
                    (*here, "questions", position, "id"),
                    f"question id {question['id']!r} is already used in "
                    f"{extension['section']}.{extension['area']}",
                )
                continue
            taken.add(question["id"])
            origin[(*area_path, "questions", len(area["questions"]))] = (
                *here,
                "questions",
                position,
            )
            area["questions"].append(question)
        for position, rule in enumerate(extension.get("require_one_of", [])):
            origin[(*area_path, "require_one_of", len(area.get("require_one_of", [])))] = (
                *here,
                "require_one_of",
                position,
            )
            area.setdefault("require_one_of", []).append(rule)
    problems.raise_if_any()
    form = _build(combined, problems, origin)
    check_form(form, problems, origin=origin)
    problems.raise_if_any()
    return form


def _find_area(
    combined: dict[str, Any], section_id: str, area_id: str
) -> tuple[int, int, dict[str, Any]] | None:
    for section_index, section in enumerate(combined["sections"]):
        if section["id"] != section_id:
            continue
        for area_index, area in enumerate(section["areas"]):
            if area["id"] == area_id:
                area.setdefault("questions", [])
                return section_index, area_index, area
    return None


# --- what a schema cannot say -------------------------------------------------------------

_OPERATORS: dict[str, frozenset[str]] = {
    "text": frozenset({"equals", "not_equals", "in", "not_in", "answered"}),
    "boolean": frozenset({"equals", "not_equals", "answered"}),
    "integer": frozenset(
        {"equals", "not_equals", "in", "not_in", "gt", "ge", "lt", "le", "answered"}
    ),
    "decimal": frozenset({"equals", "not_equals", "gt", "ge", "lt", "le", "answered"}),
    "date": frozenset({"equals", "not_equals", "gt", "ge", "lt", "le", "answered"}),
    "choice": frozenset({"equals", "not_equals", "in", "not_in", "answered"}),
    "multi_choice": frozenset({"contains", "answered"}),
    "group": frozenset({"answered"}),
}

QuestionPath = tuple[str, ...]


@dataclass(frozen=True)
class _Place:
    """A question with where it is: its id path in the form, its key path in the model."""

    question: Question
    path: QuestionPath
    keys: KeyPath


def _places(form: Form) -> Iterator[_Place]:
    def walk(
        questions: tuple[Question, ...], path: QuestionPath, keys: KeyPath
    ) -> Iterator[_Place]:
        for index, question in enumerate(questions):
            here = (*keys, "questions", index)
            yield _Place(question, (*path, question.id), here)
            yield from walk(question.questions, (*path, question.id), here)

    for s, section in enumerate(form.sections):
        for a, area in enumerate(section.areas):
            yield from walk(area.questions, (section.id, area.id), ("sections", s, "areas", a))


def check_form(
    form: Form, problems: _Problems | None = None, *, origin: dict[KeyPath, KeyPath] | None = None
) -> None:
    """Check what the meta-schema cannot: raise :class:`FormDefinitionError` on any problem.

    ``origin`` maps key paths of the form to the key paths in the file that added them.
    """
    own = problems is None
    report = problems if problems is not None else _Problems(f"<form {form.key}>")
    origin = origin or {}

    def add(keys: KeyPath, message: str) -> None:
        report.add(_in_file(keys, origin), message)

    _check_unique(form, add)
    _check_option_lists(form, add)
    places = list(_places(form))
    by_path = {place.path: place for place in places}
    dependencies: dict[QuestionPath, set[QuestionPath]] = {}
    for place in places:
        _check_question(form, place, add)
        if place.question.when is not None:
            targets: set[QuestionPath] = set()
            _check_condition(
                form, place, place.question.when, (*place.keys, "when"), by_path, targets, add
            )
            dependencies[place.path] = targets
    _check_cycles(dependencies, by_path, add)
    if form.birth_date is not None:
        target = by_path.get(tuple(form.birth_date.split(".")))
        if target is None or target.question.type != "date":
            add(
                ("form", "birth_date"),
                f"{form.birth_date!r} is not a date question of this form; name one as "
                "section.area.question",
            )
    for s, section in enumerate(form.sections):
        for a, area in enumerate(section.areas):
            _check_one_of(area, ("sections", s, "areas", a), add)
    if own:
        report.raise_if_any()


Add = Callable[[KeyPath, str], None]


def _check_unique(form: Form, add: Add) -> None:
    def duplicates(ids: list[str]) -> Iterator[tuple[int, str]]:
        seen: set[str] = set()
        for index, item in enumerate(ids):
            if item in seen:
                yield index, item
            seen.add(item)

    for index, item in duplicates([section.id for section in form.sections]):
        add(("sections", index, "id"), f"section id {item!r} is used twice")
    for s, section in enumerate(form.sections):
        for index, item in duplicates([area.id for area in section.areas]):
            add(("sections", s, "areas", index, "id"), f"area id {item!r} is used twice")
    for place in _places(form):
        ids = [question.id for question in place.question.questions]
        for index, item in duplicates(ids):
            add((*place.keys, "questions", index, "id"), f"question id {item!r} is used twice")
    for s, section in enumerate(form.sections):
        for a, area in enumerate(section.areas):
            for index, item in duplicates([question.id for question in area.questions]):
                add(
                    ("sections", s, "areas", a, "questions", index, "id"),
                    f"question id {item!r} is used twice in {section.id}.{area.id}",
                )


def _check_option_lists(form: Form, add: Add) -> None:
    for option_list in form.option_lists:
        seen: set[str] = set()
        for index, option in enumerate(option_list.options):
            if option.value in seen:
                add(
                    ("option_lists", option_list.id, "options", index, "value"),
                    f"option {option.value!r} is listed twice",
                )
            seen.add(option.value)


_KEYS_FOR_TYPES: dict[str, frozenset[str]] = {
    "max_length": frozenset({"text"}),
    "pattern": frozenset({"text"}),
    "multiline": frozenset({"text"}),
    "min": frozenset({"integer", "decimal", "date"}),
    "max": frozenset({"integer", "decimal", "date"}),
    "options": frozenset({"choice", "multi_choice"}),
    "min_items": frozenset({"multi_choice", "group"}),
    "max_items": frozenset({"multi_choice", "group"}),
    "questions": frozenset({"group"}),
}


def _check_question(form: Form, place: _Place, add: Add) -> None:
    question, keys = place.question, place.keys
    # The meta-schema says this for files; a form built in Python is checked here too.
    written = question.model_dump(exclude_defaults=True)
    for key, types in _KEYS_FOR_TYPES.items():
        if key in written and question.type not in types:
            add(
                (*keys, key),
                f"{key!r} is not allowed here for a question of type {question.type!r}",
            )
    if question.type in {"choice", "multi_choice"} and question.options is None:
        add((*keys, "options"), f"a {question.type} question needs options")
    if question.type == "group" and not question.questions:
        add((*keys, "questions"), "a group needs at least one question")
    if question.type == "integer":
        for name, bound in (("min", question.min), ("max", question.max)):
            if bound is not None and not isinstance(bound, int):
                add((*keys, name), "must be a whole number for an integer question")
    if question.type == "date":
        if question.min is not None and not isinstance(question.min, dt.date | str):
            add((*keys, "min"), 'must be an ISO date, e.g. 2000-01-01, "today" or "birth"')
        if question.max == "birth":
            add((*keys, "max"), '"birth" can only be a lower bound: write min = "birth"')
        elif question.max is not None and not isinstance(question.max, dt.date | str):
            add((*keys, "max"), 'must be an ISO date, e.g. 2000-01-01, or "today"')
    elif question.type in {"integer", "decimal"}:
        for name, bound in (("min", question.min), ("max", question.max)):
            if isinstance(bound, dt.date | str):
                add((*keys, name), f"must be a number for a {question.type} question")
    if isinstance(question.options, str):
        try:
            form.option_list(question.options)
        except KeyError:
            known = ", ".join(item.id for item in form.option_lists) or "none"
            add(
                (*keys, "options"),
                f"option list {question.options!r} is not defined; defined: {known}",
            )
    elif question.options is not None:
        seen: set[str] = set()
        for index, option in enumerate(question.options):
            if option.value in seen:
                add((*keys, "options", index, "value"), f"option {option.value!r} is listed twice")
            seen.add(option.value)
    if question.min is not None and question.max is not None:
        low, high = question.min, question.max
        if type(low) is dt.date and type(high) is dt.date and low > high:
            add((*keys, "min"), f"min {low} is after max {high}")
        elif low == high == "today":
            add((*keys, "min"), 'min and max are both "today": leave out one of them')
        elif isinstance(low, int | float) and isinstance(high, int | float) and low > high:
            add((*keys, "min"), f"min {low} is greater than max {high}")
    if (
        question.min_items is not None
        and question.max_items is not None
        and question.min_items > question.max_items
    ):
        add((*keys, "min_items"), f"min_items {question.min_items} is greater than max_items")
    if question.pattern is not None:
        try:
            re.compile(question.pattern)
        except re.error as error:
            add((*keys, "pattern"), f"is not a valid regular expression: {error}")
    if question.type == "multi_choice" and question.max_items is not None:
        count = len(form.options(question)) if _resolves(form, question) else None
        if count is not None and question.max_items > count:
            add((*keys, "max_items"), f"max_items {question.max_items} exceeds the {count} options")


def _resolves(form: Form, question: Question) -> bool:
    try:
        form.options(question)
    except KeyError:
        return False
    return True


def _check_condition(
    form: Form,
    place: _Place,
    condition: Condition,
    keys: KeyPath,
    by_path: dict[QuestionPath, _Place],
    targets: set[QuestionPath],
    add: Add,
) -> None:
    if isinstance(condition, AllOf | AnyOf):
        items = condition.all if isinstance(condition, AllOf) else condition.any
        name = "all" if isinstance(condition, AllOf) else "any"
        for index, item in enumerate(items):
            _check_condition(form, place, item, (*keys, name, index), by_path, targets, add)
        return
    if isinstance(condition, Not):
        _check_condition(form, place, condition.not_, (*keys, "not"), by_path, targets, add)
        return
    target = _resolve_reference(place, condition, by_path)
    if isinstance(target, str):
        add((*keys, "question"), target)
        return
    targets.add(target.path)
    _check_comparison(form, target.question, condition, keys, add)


def _resolve_reference(
    place: _Place, condition: Comparison, by_path: dict[QuestionPath, _Place]
) -> _Place | str:
    """The question a condition names, or why it cannot be used."""
    reference = condition.question
    parts = tuple(reference.split("."))
    if len(parts) == 1:
        parent = place.path[:-1]
        target = by_path.get((*parent, reference))
        if target is None:
            where = ".".join(parent)
            return (
                f"no question {reference!r} in {where}; name a question of the same "
                "area (or group row), or write section.area.question"
            )
    elif len(parts) == 3:
        target = by_path.get(parts)
        if target is None:
            return f"no question {reference!r} in this form (section.area.question)"
    else:
        return f"{reference!r} is neither a question id nor section.area.question"
    if target.path == place.path:
        return "a question's condition cannot depend on the question itself"
    return target


def _check_comparison(
    form: Form, target: Question, condition: Comparison, keys: KeyPath, add: Add
) -> None:
    allowed = _OPERATORS[target.type]
    if condition.operator not in allowed:
        add(
            (*keys, "operator"),
            f"operator {condition.operator!r} does not fit the {target.type} question "
            f"{condition.question!r}; use one of: {', '.join(sorted(allowed))}",
        )
        return
    if condition.operator == "answered":
        return
    values = condition.value if isinstance(condition.value, tuple) else (condition.value,)
    options = {option.value for option in form.options(target)} if _resolves(form, target) else None
    for value in values:
        reason = _value_problem(target, value, options)
        if reason:
            add((*keys, "value"), reason)
            return


def _value_problem(target: Question, value: object, options: set[str] | None) -> str | None:
    kind = target.type
    if kind in {"choice", "multi_choice"}:
        if not isinstance(value, str):
            return f"must be an option of {target.id!r}, not {_json_type(value)}"
        if options is not None and value not in options:
            return (
                f"{_short(value)} is not an option of {target.id!r}: {', '.join(sorted(options))}"
            )
        return None
    if kind == "boolean" and not isinstance(value, bool):
        return f"must be true or false for the boolean question {target.id!r}"
    if kind == "text" and not isinstance(value, str):
        return f"must be text for the text question {target.id!r}"
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return f"must be a whole number for the integer question {target.id!r}"
    if kind == "decimal" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"must be a number for the decimal question {target.id!r}"
    if kind == "date" and not _is_iso_date(value):
        return f"must be an ISO date (YYYY-MM-DD) for the date question {target.id!r}"
    return None


def _is_iso_date(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_cycles(
    dependencies: dict[QuestionPath, set[QuestionPath]],
    by_path: dict[QuestionPath, _Place],
    add: Add,
) -> None:
    done: set[QuestionPath] = set()
    reported: set[frozenset[QuestionPath]] = set()
    for start in sorted(dependencies):
        stack: list[tuple[QuestionPath, list[QuestionPath]]] = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for target in sorted(dependencies.get(node, ())):
                if target == start:
                    cycle = frozenset(trail)
                    if cycle not in reported:
                        reported.add(cycle)
                        names = " -> ".join(".".join(item) for item in [*trail, start])
                        add((*by_path[start].keys, "when"), f"conditions form a cycle: {names}")
                elif target not in trail and target not in done:
                    stack.append((target, [*trail, target]))
        done.add(start)


def _check_one_of(area: Area, keys: KeyPath, add: Add) -> None:
    ids = {question.id for question in area.questions}
    for index, rule in enumerate(area.require_one_of):
        for position, question_id in enumerate(rule.questions):
            if question_id not in ids:
                add(
                    (*keys, "require_one_of", index, "questions", position),
                    f"no question {question_id!r} in area {area.id!r}",
                )
