"""What form files and jurisdiction profiles share: reading a data file through its gates.

1. the bytes: a regular file (never a folder, a pipe or a device), the size limit, UTF-8,
   TOML (or JSON, through the library's one strict JSON reader) syntax, nesting depth;
2. a published JSON Schema, with its failures in words an author understands.

Every problem found at a gate is collected in :class:`Problems`, with its key path and line,
before :class:`~kindbehoeften.errors.FormDefinitionError` is raised. Keys and values quoted
from a file are cut short; nothing in a file is ever evaluated as code.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from .._core.jsonread import ReadError, loads
from .._core.limits import quoted
from .._core.tomllines import KeyPath, line_index, line_of
from ..errors import FormDefinitionError, FormProblem

if TYPE_CHECKING:  # imported where a file is checked against a schema, not before
    import jsonschema

__all__ = [
    "MAX_DEPTH",
    "MAX_FORM_FILE_BYTES",
    "NotARegularFileError",
    "Problems",
    "check_shape",
    "error_order",
    "format_path",
    "in_file",
    "json_ready",
    "json_type",
    "parse",
    "parse_checked",
    "read_data_file",
    "read_limited",
    "schema_problem",
    "short",
]

MAX_FORM_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64

# A run of dotted key parts (a.b.c), found in one pass: each match starts at the beginning of a
# word and cannot backtrack into it, so the search is linear in the text however long a word.
_KEY_PART = r"[\w\"'-]++"
_DOTTED_RUN = re.compile(rf"(?<![\w\"'-]){_KEY_PART}(?:[ \t]*+\.[ \t]*+{_KEY_PART})*+")


@dataclass
class Problems:
    """Collects problems with file paths, and turns them into lines and text."""

    file: str
    lines: dict[KeyPath, int] = field(default_factory=dict)
    found: list[FormProblem] = field(default_factory=list)

    def add(self, path: KeyPath, message: str, line: int | None = None) -> None:
        if line is None:
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


class NotARegularFileError(OSError):
    """A path that names a folder, a pipe, a socket or a device instead of a file."""


def read_limited(path: Path, limit: int = MAX_FORM_FILE_BYTES) -> bytes:
    """At most ``limit + 1`` bytes of the regular file at ``path``. The file is opened without
    blocking and checked before it is read, so that a named pipe never stalls the reader."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise NotARegularFileError(f"{path} is not a regular file")
        return stream.read(limit + 1)


#: What is wrong with a path that no file can have.
NO_PATH: Final = "is not a path a file can have (a NUL or a lone surrogate in it); check the path"


def read_data_file(path: Path, problems: Problems) -> bytes:
    """The bytes of a form or profile file; a problem for ``problems`` (raised at once) when
    it cannot be read."""
    try:
        return read_limited(path)
    except FileNotFoundError:
        problems.add((), "no such file; check the path")
    except IsADirectoryError:
        problems.add((), "is a folder, not a file; give the files in it")
    except NotARegularFileError:
        problems.add((), "is not a regular file (a pipe, a socket or a device); give a file")
    except OSError as error:
        problems.add((), f"cannot be read ({error.strerror or type(error).__name__})")
    except ValueError:  # a NUL, or a character the file system's encoding has not
        problems.add((), NO_PATH)
    problems.raise_if_any()
    raise AssertionError("unreachable")  # pragma: no cover - raise_if_any raised


def parse(data: bytes, suffix: str, problems: Problems) -> Any:
    """Gate 1: the document of a file's bytes (TOML, or JSON for ``.json``), or ``None``."""
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
    for run in _DOTTED_RUN.finditer(text):
        if run.group().count(".") >= MAX_DEPTH:
            # tomllib takes quadratic time on such keys; refuse them before parsing.
            line = text.count("\n", 0, run.start()) + 1
            problems.add((), f"is nested too deeply (more than {MAX_DEPTH} levels)", line)
            return None
    if suffix == ".json":
        return _parse_json(text, problems)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        where = f" (column {match.group(2)})" if match else ""
        problems.add(
            (),
            f"is not valid TOML: {reason}{where}; correct the syntax there "
            "(TOML 1.0: https://toml.io/en/v1.0.0)",
            int(match.group(1)) if match else None,
        )
        return None
    except RecursionError:
        problems.add((), f"is nested too deeply (more than {MAX_DEPTH} levels)")
        return None
    problems.lines = line_index(text)
    return document


def parse_checked(data: bytes) -> Any:
    """The document of a shipped TOML file whose bytes are known to pass every gate
    (:mod:`._forms.checked`): parsed as :func:`parse` would, without the checks of gate 1
    and without the line index that only messages need."""
    return tomllib.loads(data.decode("utf-8").removeprefix("\ufeff"))


_JSON_PROBLEMS = {
    "duplicate_key": "is not valid JSON: the key {key!r} appears twice in one object",
    "too_deep": f"is nested too deeply (more than {MAX_DEPTH} levels)",
    "json_constant": "is not valid JSON: NaN and Infinity are not numbers of JSON",
    "json_number": "is not valid JSON: a number has too many digits",
    "surrogate": "is not valid JSON: a text holds a lone surrogate (\\ud800-\\udfff)",
}


def _parse_json(text: str, problems: Problems) -> Any:
    """A form file written as JSON, read by the library's one strict JSON reader."""
    try:
        return loads(text, max_bytes=MAX_FORM_FILE_BYTES * 4, max_depth=MAX_DEPTH)
    except ReadError as error:
        problem = error.problem
        if problem.message_id == "json_syntax":
            params = problem.params
            message = f"is not valid JSON: {params['reason']} (column {params['column']})"
            problems.add((), message, params["line"])
        else:
            where: KeyPath = tuple(
                int(part) if part.isdigit() else part.replace("~1", "/").replace("~0", "~")
                for part in problem.pointer.split("/")[1:]
            )
            message = _JSON_PROBLEMS[problem.message_id].format(**problem.params)
            problems.add(where, message)
        return None


def check_shape(document: Any, problems: Problems) -> None:
    """Gate 1 still: refuse deep nesting, and numbers JSON cannot hold (inf, nan); no
    recursion."""
    stack: list[tuple[Any, KeyPath]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if len(path) >= MAX_DEPTH:
            line = line_of(problems.lines, path)  # the line of the key that holds it
            problems.add((), f"is nested too deeply (more than {MAX_DEPTH} levels)", line)
            return
        if isinstance(value, dict):
            stack.extend(((item, (*path, key)) for key, item in value.items()))
        elif isinstance(value, list):
            stack.extend(((item, (*path, index)) for index, item in enumerate(value)))
        elif isinstance(value, float) and not math.isfinite(value):
            problems.add(path, "must be a finite number (not inf or nan)")


def json_ready(value: Any) -> Any:
    """TOML's dates and times as ISO text, so that the file checks like JSON would."""
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_ready(item) for item in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def in_file(keys: KeyPath, origin: dict[KeyPath, KeyPath]) -> KeyPath:
    """The key path in the file of what ``keys`` names in the (combined) form."""
    for length in range(len(keys), 0, -1):
        if keys[:length] in origin:
            return (*origin[keys[:length]], *keys[length:])
    return keys


def error_order(error: jsonschema.ValidationError) -> tuple[str, ...]:
    return tuple(str(part) for part in error.absolute_path)


def short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


# What a file that lacks one of its top-level parts needs (docs/form-files.md).
_WHOLE_FILE_HINTS: Final = {
    "sections": ": a form has [[sections]], each with [[sections.areas]] and their "
    "[[sections.areas.questions]]; see docs/form-files.md",
    "extend": ": an extension has [[extend]] tables, each naming a section and an area of "
    "the base form and the questions it adds; see docs/form-files.md",
}


def schema_problem(error: jsonschema.ValidationError, document: Any) -> tuple[KeyPath, str]:
    """Where a meta-schema failure is, and what is wrong, in words a form author understands."""
    path: KeyPath = tuple(error.absolute_path)
    key = path[-1] if path else None
    validator = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    if validator == "not" and schema.get("not") == {}:
        shown = quoted(key) if isinstance(key, str) else key
        return path, f"{shown!r} is not allowed here{_type_hint(document, path[:-1])}"
    if validator == "required":
        missing = re.match(r"'([^']+)'", error.message)
        name = missing.group(1) if missing else "a key"
        hint = _WHOLE_FILE_HINTS.get(name, "") if not path else ""
        return path, f"{name!r} is missing{hint}"
    if validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        instance = error.instance if isinstance(error.instance, dict) else {}
        unknown = sorted(set(instance) - set(allowed))
        where = (*path, unknown[0]) if unknown else path
        listed = ", ".join(repr(quoted(key)) for key in unknown[:5])
        if len(unknown) > 5:
            listed += f" and {len(unknown) - 5} more"
        return where, f"unknown key {listed}; allowed: {', '.join(allowed)}"
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
        from jsonschema.exceptions import best_match

        best = best_match(context)
        if best is not None:
            return schema_problem(best, document)
    if validator == "anyOf" and key in {"min", "max"}:  # a date bound
        also = '"today" or "birth"' if key == "min" else '"today"'
        return path, f"{short(error.instance)} is not an ISO date, e.g. 2000-01-01, nor {also}"
    return path, _schema_message(error, path)


def _schema_message(error: jsonschema.ValidationError, path: KeyPath) -> str:
    validator = error.validator
    if validator == "enum":
        return f"{short(error.instance)} is not one of: " + ", ".join(
            str(item) for item in _listed(error.validator_value)
        )
    if validator == "const":
        return f"must be {short(error.validator_value)}"
    if validator == "pattern":
        return f"{short(error.instance)} does not have the expected form ({_pattern_hint(path)})"
    if validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return f"must be of type {expected}, not {json_type(error.instance)}"
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


def json_type(value: object) -> str:
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
