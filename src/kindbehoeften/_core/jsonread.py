"""The one strict JSON reader: every entry point reads JSON through it.

A submission, a stored history, a record, a summary's input, a FHIR resource, a form file
written as JSON and a request body are all read here, so that the same bytes get the same
verdict everywhere. What it refuses or flags:

- text over the size limit (``too_large``), not UTF-8 (``json_syntax``), not JSON, with line
  and column (``json_syntax``), a number with more digits than Python reads (``json_syntax``);
- nesting over the depth limit (``too_deep``), found without recursion;
- a key twice in one object (``duplicate_key``; the last value is kept, as ``json`` does);
- ``NaN`` and ``Infinity``: kept as :class:`NonFinite` so that their place can be named;
- a lone surrogate (``\\ud800``) in a key or a text (``type``).

A byte-order mark before the text is allowed (and dropped). :func:`read` returns every
problem with a JSON Pointer, for validation to report; :func:`loads` raises
:class:`ReadError` at the first one, for entry points that accept nothing less than clean
JSON. :func:`plain` holds a caller's Python object (a dict submission) to the same limits and
returns a plain copy made only of ``dict``, ``list``, ``str``, ``int``, ``float``, ``bool``
and ``None``: the caller's own objects (subclasses, objects that raise in ``__eq__`` or
``__str__``) never reach the rest of the library.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import jiter

from .limits import MAX_SUBMISSION_BYTES, MAX_SUBMISSION_DEPTH, quoted

__all__ = [
    "Foreign",
    "NonFinite",
    "Problem",
    "Read",
    "ReadError",
    "clean",
    "deeper_than",
    "escape_token",
    "loads",
    "plain",
    "read",
    "text_of",
]

ProblemCode = Literal["json_syntax", "duplicate_key", "too_large", "too_deep", "type"]

#: Python's own limit on the digits of an integer read from text (``int_max_str_digits``).
_MAX_DIGITS: Final = 4300


class NonFinite(float):
    """``NaN`` or ``Infinity`` read from JSON: kept as a value so that its place can be named."""

    __slots__ = ()


class Foreign:
    """Stands in for a value of a caller's dict that JSON cannot hold (a set, an object):
    it fits no question's type, so validation names its place; its ``type_name`` is the
    name of its Python type, for messages."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of a JSON document: an issue ``code``, the message it needs
    (``message_id``), where it is (a JSON Pointer, ``""`` for the whole document) and the
    message's parameters (never a value of the document, but keys cut short)."""

    code: ProblemCode
    message_id: str
    pointer: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)


class ReadError(ValueError):
    """JSON that :func:`loads` does not accept; ``problem`` says what and where. The entry
    points turn it into their own public error."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        where = f" at {problem.pointer}" if problem.pointer else ""
        super().__init__(f"{problem.message_id}{where}")


_NOTHING: Final = object()


@dataclass(frozen=True, slots=True)
class Read:
    """What :func:`read` or :func:`plain` made of its input: the document (``complete``
    False when a problem stopped reading) and every problem found."""

    document: Any
    problems: tuple[Problem, ...] = ()
    complete: bool = True


def escape_token(key: object) -> str:
    """A key as a JSON Pointer token (RFC 6901). A lone surrogate is written as its escape
    (``\\ud800``), so that the pointer can be printed and encoded."""
    text = key if type(key) is str else _describe_key(key)
    if not text.isascii():
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text.replace("~", "~0").replace("/", "~1")


def _describe_key(key: object) -> str:
    """A key that is not text, as a pointer token: its JSON-like value for the built-in
    scalars (``1``, ``true``), else its type's name in angle brackets; never the caller's
    ``__str__`` or ``__repr__``."""
    if key is None or type(key) in (bool, int, float):
        return json.dumps(key) if type(key) is not int else str(key)
    return f"<{type(key).__qualname__}>"


def _too_large(limit: int) -> Problem:
    return Problem("too_large", "too_large", "", {"limit": limit})


def _too_deep(pointer: str, limit: int) -> Problem:
    return Problem("too_deep", "too_deep", pointer, {"limit": limit})


def _surrogate(pointer: str) -> Problem:
    return Problem("type", "surrogate", pointer)


def _has_surrogate(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# --- text ---------------------------------------------------------------------------------


Repeated = dict[int, tuple[str, ...]]  # id() of an object read -> its keys given twice


def _pairs_hook(repeated: Repeated) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """An ``object_pairs_hook`` that notes the objects with a key twice in ``repeated``, by
    their id while the document holds them (one table per read, so that threads reading at
    once do not share it); the objects themselves stay plain dicts."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(items)
        if len(result) == len(items):
            return result
        keys: set[str] = set()
        twice = []
        for key, _ in items:
            if key in keys:
                twice.append(key)
            keys.add(key)
        repeated[id(result)] = tuple(dict.fromkeys(twice))
        return result

    return pairs


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def read(
    data: bytes | bytearray | memoryview | str,
    *,
    max_bytes: int = MAX_SUBMISSION_BYTES,
    max_depth: int = MAX_SUBMISSION_DEPTH,
    nonfinite: bool = True,
) -> Read:
    """Read JSON text (UTF-8 bytes, or text), with every problem found.

    ``nonfinite=False`` refuses ``NaN`` and ``Infinity`` as ``json_syntax``; by default they
    are kept as :class:`NonFinite` values for validation to name.

    >>> read(b'{"a": 1, "a": 2}').problems[0].code
    'duplicate_key'
    >>> read('\\ufeff[1, NaN]').document
    [1, nan]
    """
    data = text_of(data)
    if not isinstance(data, str):
        if len(data) > max_bytes:
            return Read(None, (_too_large(max_bytes),), complete=False)
        quick = _quick(data, max_depth)
        if quick is not None:
            return quick
    return _read(data, max_bytes=max_bytes, max_depth=max_depth, nonfinite=nonfinite)


def text_of(data: object) -> bytes | str:
    """JSON text as exactly ``bytes`` or ``str``: a subclass's bytes or characters are copied
    without calling any method of its own (a caller's object is data, never code). Anything
    else is a mistake of the calling code: ``TypeError``, never ``bytes(12)``'s twelve zero
    bytes, nor a buffer as large as an int asks for.

    >>> text_of(bytearray(b"{}")), text_of("{}")
    (b'{}', '{}')
    """
    kind = type(data)
    if kind is str or kind is bytes:
        return data  # type: ignore[return-value]  # mypy does not narrow by `type(x) is`
    if isinstance(data, str):
        return str.__str__(data)  # str's own method: a plain copy of the characters
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(memoryview(data))  # through the buffer, never the object's __bytes__
    raise TypeError(f"JSON text must be bytes or str, not {kind.__name__}")


def clean(data: bytes, *, max_bytes: int) -> Any | None:
    """The document of clean JSON text as :func:`read` would give it, its depth not yet
    checked; ``None`` where :func:`read` might find a problem (then it decides). For a
    caller whose next check bounds the depth itself (a record's fast path accepts only
    events, deadlines and submissions of known shapes), and otherwise reads again with
    :func:`read`."""
    if len(data) > max_bytes:
        return None
    try:
        return jiter.from_json(
            data, allow_inf_nan=False, cache_mode="keys", catch_duplicate_keys=True
        )
    except ValueError:
        return None


def _quick(data: bytes, max_depth: int) -> Read | None:
    """The document of clean JSON text, parsed by jiter (the parser of pydantic-core), or
    ``None``: then :func:`_read` reads it and names its problems.

    jiter refuses all that :func:`_read` would find a problem in, but a document too deep
    (checked here as there): a key twice in one object, NaN and Infinity, a lone surrogate
    (escaped or not), a byte-order mark, text that is not UTF-8, a number with more digits
    than Python reads, and any syntax error. What it accepts, it reads as :func:`json.loads`
    does (tests/test_hostile.py compares the two)."""
    try:
        document = jiter.from_json(
            data, allow_inf_nan=False, cache_mode="keys", catch_duplicate_keys=True
        )
    except ValueError:
        return None
    return None if deeper_than(document, max_depth) else Read(document)


def _read(data: bytes | str, *, max_bytes: int, max_depth: int, nonfinite: bool) -> Read:
    """:func:`read` by the standard library's parser, every problem named (``data`` as bytes
    is within ``max_bytes``)."""
    from_text = False
    if not isinstance(data, str):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            problem = Problem("json_syntax", "json_encoding", "", {"position": error.start})
            return Read(None, (problem,), complete=False)
    else:
        text, from_text = data, True
        if len(text) * 4 > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
            return Read(None, (_too_large(max_bytes),), complete=False)
    if text.startswith("\ufeff"):
        text = text[1:]
    repeated: Repeated = {}
    try:
        document = json.loads(
            text,
            object_pairs_hook=_pairs_hook(repeated),
            parse_constant=NonFinite if nonfinite else _refuse_constant,
        )
    except json.JSONDecodeError as error:
        params = {"reason": error.msg, "line": error.lineno, "column": error.colno}
        return Read(None, (Problem("json_syntax", "json_syntax", "", params),), complete=False)
    except RecursionError:
        return Read(None, (_too_deep("", max_depth),), complete=False)
    except ValueError as error:  # NaN refused, or more digits than Python reads
        message = "json_number" if "digits" in str(error) else "json_constant"
        return Read(None, (Problem("json_syntax", message),), complete=False)
    # Text decoded from UTF-8 holds no lone surrogate but through an escape (\\ud800); a str
    # given by the caller may hold one as a character.
    surrogates = (from_text and not text.isascii()) or (
        "\\u" in text and _ESCAPED_SURROGATE.search(text) is not None
    )
    if not repeated and not surrogates and not deeper_than(document, max_depth):
        return Read(document)
    problems, complete = _scan(document, max_depth, surrogates, repeated)
    return Read(document if complete else None, tuple(problems), complete)


def loads(
    data: bytes | bytearray | memoryview | str,
    *,
    max_bytes: int = MAX_SUBMISSION_BYTES,
    max_depth: int = MAX_SUBMISSION_DEPTH,
) -> Any:
    """The document of clean JSON text; :class:`ReadError` at its first problem (NaN and
    Infinity included)."""
    result = read(data, max_bytes=max_bytes, max_depth=max_depth, nonfinite=False)
    if result.problems:
        raise ReadError(result.problems[0])
    return result.document


def deeper_than(document: Any, limit: int) -> bool:
    """Whether a document nests more than ``limit`` levels (containers only): depth first,
    stopping at the first container too deep, for the limits of the library's documents;
    level by level for a limit over :data:`_WALKED_LIMIT`, so that no limit and no document
    makes the walk run out of stack."""
    kind = type(document)
    if kind is not dict and kind is not list:
        return False
    if limit > _WALKED_LIMIT:
        return _deeper_by_levels(document, limit)
    return limit == 0 or _deeper(document, limit - 1)


# The largest limit deeper_than() walks depth first: a frame per level, well within Python's
# recursion limit however deep the caller's own stack.
_WALKED_LIMIT: Final = 100


def _deeper(container: Any, left: int) -> bool:
    """Whether a container's items nest more than ``left`` levels."""
    for item in container.values() if type(container) is dict else container:
        kind = type(item)
        if (kind is dict or kind is list) and (left == 0 or _deeper(item, left - 1)):
            return True
    return False


def _deeper_by_levels(document: Any, limit: int) -> bool:
    level: list[Any] = [document]
    for _ in range(limit):
        below: list[Any] = []
        for container in level:
            kind = type(container)
            if kind is list:
                below.extend(item for item in container if type(item) in (dict, list))
            elif kind is dict:
                below.extend(item for item in container.values() if type(item) in (dict, list))
        if not below:
            return False
        level = below
    return any(type(item) in (dict, list) for item in level)


def _scan(
    document: Any, max_depth: int, surrogates: bool, repeated: Repeated
) -> tuple[list[Problem], bool]:
    """Duplicate keys, too deep nesting and lone surrogates, in document order; and whether
    the document is within the depth limit (else it is not to be used)."""
    problems: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(document, "", 0)]
    while stack:
        value, pointer, depth = stack.pop()
        kind = type(value)
        if kind is dict or kind is list:
            if depth >= max_depth:
                problems.append(_too_deep(pointer, max_depth))
                return problems, False
            if kind is list:
                entries = [(f"{pointer}/{index}", item) for index, item in enumerate(value)]
            else:
                if repeated and id(value) in repeated:
                    for key in repeated[id(value)]:
                        problems.append(
                            Problem(
                                "duplicate_key",
                                "duplicate_key",
                                f"{pointer}/{escape_token(key)}",
                                {"key": _short_key(key)},
                            )
                        )
                entries = []
                for key, item in value.items():
                    here = f"{pointer}/{escape_token(key)}"
                    if surrogates and _has_surrogate(key):
                        problems.append(_surrogate(here))
                    entries.append((here, item))
            for here, item in reversed(entries):
                if type(item) in (dict, list) or (surrogates and type(item) is str):
                    stack.append((item, here, depth + 1))
        elif kind is str and _has_surrogate(value):
            problems.append(_surrogate(pointer))
    return problems, True


def _short_key(key: str) -> str:
    return quoted(escape_token(key).replace("~1", "/").replace("~0", "~"))


# --- a caller's Python object ---------------------------------------------------------------


def plain(
    value: object,
    *,
    max_bytes: int = MAX_SUBMISSION_BYTES,
    max_depth: int = MAX_SUBMISSION_DEPTH,
) -> Read:
    """A plain JSON copy of a caller's object, held to the limits of JSON text.

    Its size is that of its compact JSON text (about: a text counts its UTF-8 bytes and two
    quotes); a structure that shares sub-lists counts each time it is reached, and the walk
    stops as soon as the size is over the limit, so that no input makes it run long. Keys that
    are not text are problems (``type``) and are left out; values JSON cannot hold become
    :class:`Foreign`, NaN and Infinity :class:`NonFinite`; subclasses of the JSON types become
    their base type without calling any method of theirs.

    >>> plain({"a": [1, 2.5, None, True]}).document
    {'a': [1, 2.5, None, True]}
    >>> plain({1: "x"}).problems[0].pointer
    '/1'
    """
    if type(value) is dict:
        copied = _plain_copy(value, max_bytes, max_depth)
        if copied is not None:
            return Read(copied)
    problems: list[Problem] = []
    budget = max_bytes
    root: list[Any] = [None]
    # (value, pointer, depth, container to fill, key or index in it)
    stack: list[tuple[Any, str, int, Any, Any]] = [(value, "", 0, root, 0)]
    while stack:
        item, pointer, depth, parent, slot = stack.pop()
        kind = type(item)
        if issubclass(kind, dict):
            if depth >= max_depth:
                return Read(None, (_too_deep(pointer, max_depth),), complete=False)
            copy: dict[str, Any] = {}
            parent[slot] = copy
            budget -= 1  # the braces, and a comma between two entries: 1 + each entry's 1
            pending = []
            for key, inner in dict.items(item):
                if type(key) is str:
                    text = key
                elif isinstance(key, str):
                    text = str.__str__(key)
                else:
                    problems.append(
                        Problem("type", "key_type", f"{pointer}/{escape_token(key)}", {})
                    )
                    continue
                here = f"{pointer}/{escape_token(text)}"
                if _has_surrogate(text):
                    problems.append(_surrogate(here))
                budget -= _text_json_size(text) + 2  # the key, its colon, a comma or a brace
                pending.append((inner, here, depth + 1, copy, text))
            if not pending:
                budget -= 1  # {} : both braces
            if budget < 0:
                return Read(None, (_too_large(max_bytes),), complete=False)
            stack.extend(reversed(pending))
        elif issubclass(kind, list | tuple):
            if depth >= max_depth:
                return Read(None, (_too_deep(pointer, max_depth),), complete=False)
            items = list.__iter__(item) if issubclass(kind, list) else tuple.__iter__(item)
            values = list(items)
            array: list[Any] = [None] * len(values)
            parent[slot] = array
            budget -= 1 + max(len(values), 1)  # the brackets and a comma between two items
            if budget < 0:
                return Read(None, (_too_large(max_bytes),), complete=False)
            stack.extend(
                (inner, f"{pointer}/{index}", depth + 1, array, index)
                for index, inner in reversed(list(enumerate(values)))
            )
        else:
            scalar, size, problem = _scalar(item, kind, pointer)
            if problem is not None:
                if problem.code != "type":
                    return Read(None, (problem,), complete=False)
                problems.append(problem)
            parent[slot] = scalar
            budget -= size
            if budget < 0:
                return Read(None, (_too_large(max_bytes),), complete=False)
    return Read(root[0], tuple(problems))


_SMALL_INT: Final = 10**18  # at most 19 digits: counted as 20 below
_FLOAT_SIZE: Final = 24  # the longest repr of a float: -1.2345678901234567e-308


def _plain_copy(value: dict[Any, Any], max_bytes: int, max_depth: int) -> dict[str, Any] | None:
    """The copy :func:`plain` makes of plain JSON data that has no problem at all, made
    without a pointer for each value (the walk of :func:`plain` builds one for each, to name
    the place of a problem); ``None`` at anything :func:`plain` would say something about,
    or treat with care (a subclass, a key not text, NaN, a lone surrogate, a huge number),
    or when the size is not certainly within the limit: then :func:`plain` decides.

    The size counted is never less than the one :func:`plain` counts: a number counts as
    its longest text, a text as its UTF-8 bytes. The texts (keys included) are checked and
    measured at the end, all at once; their length in characters bounds the work before."""
    size = 0
    texts: list[Any] = []  # every key and text, checked at the end
    root = dict(value)
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        container, depth = stack.pop()
        if depth >= max_depth:
            return None
        if type(container) is dict:
            texts.extend(container)
            try:  # join calls no method of a key; a key that is not text is a TypeError
                # braces, each key's quotes, colon and comma: never less than plain() counts
                size += 2 + 4 * len(container) + len("".join(container))
            except TypeError:
                return None
            entries: Any = container.items()
        else:
            size += 2 + len(container)
            entries = enumerate(container)
        for key, item in entries:
            kind = type(item)
            if kind is str:
                texts.append(item)
                size += len(item) + 2
            elif kind is dict or kind is list:
                copy = container[key] = kind(item)
                stack.append((copy, depth + 1))
            elif kind is int:
                if -_SMALL_INT < item < _SMALL_INT:
                    size += 20
                else:
                    digits = item.bit_length() * 30103 // 100000 + 1
                    if digits > _MAX_DIGITS:
                        return None
                    size += digits + 1  # and a minus sign
            elif kind is float:
                if item - item != 0.0:  # NaN or an infinity: NonFinite, made by plain()
                    return None
                size += _FLOAT_SIZE
            elif kind is bool:
                size += 5
            elif item is None:
                size += 4
            else:
                return None
        if size > max_bytes:
            return None
    if texts:
        if set(map(type, texts)) != _ONLY_STR:  # a key that is not text, or a subclass
            return None
        joined = "".join(texts)
        if not joined.isascii():
            try:
                size += len(joined.encode("utf-8")) - len(joined)
            except UnicodeEncodeError:  # a lone surrogate: plain() names its place
                return None
            if size > max_bytes:
                return None
        # Escapes take at most 5 bytes more per character; counted only where that could
        # reach the limit (a scan of every text costs more than the rest of the copy).
        if size + 5 * len(joined) > max_bytes:
            size += 5 * len(_ESCAPED.findall(joined))
            if size > max_bytes:
                return None
    return root


_ONLY_STR: Final = {str}


def _text_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


# The characters JSON text escapes: a quote, a backslash, and the control characters, of which
# five have a short escape (\b \f \n \r \t) and the others take six bytes (\u0001).
_ESCAPED: Final = re.compile(r'["\\\x00-\x1f]')
_SHORT_ESCAPES: Final = frozenset('"\\\b\f\n\r\t')


def _escapes(text: str) -> int:
    """How many bytes more than its characters' the escapes of ``text`` take in JSON."""
    return sum(1 if char in _SHORT_ESCAPES else 5 for char in _ESCAPED.findall(text))


def _text_json_size(text: str) -> int:
    """The bytes of ``text`` as a JSON string in UTF-8: its quotes, escapes and characters,
    as ``json.dumps(text, ensure_ascii=False)`` writes it."""
    return _text_size(text) + 2 + _escapes(text)


def _scalar(item: Any, kind: type, pointer: str) -> tuple[Any, int, Problem | None]:
    """A scalar as plain JSON data, its size as JSON text, and its problem if any."""
    if item is None:
        return None, 4, None
    if kind is bool:
        return item, 4 if item else 5, None
    if issubclass(kind, str):
        text = item if kind is str else str.__str__(item)
        problem = _surrogate(pointer) if _has_surrogate(text) else None
        return text, _text_json_size(text), problem
    if issubclass(kind, int):
        number = item if kind is int else int.__index__(item)
        if number.bit_length() * 30103 // 100000 + 1 > _MAX_DIGITS:
            return None, 0, Problem("json_syntax", "json_number")
        return number, len(str(number)), None
    if issubclass(kind, float):
        number = item if kind is float else float.__float__(item)
        if number != number or number in (float("inf"), float("-inf")):
            return NonFinite(number), 8, None
        return number, len(repr(number)), None
    name = _type_name(kind)
    return Foreign(name), 2, None


def _type_name(kind: type) -> str:
    """The name of a type, read from the type itself (never from an instance)."""
    name = type.__dict__["__qualname__"].__get__(kind)
    return name if type(name) is str else "object"
