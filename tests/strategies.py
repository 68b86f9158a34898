"""Hypothesis strategies for the kindbehoeften tests, and a small TOML writer for them.

Every form drawn by :func:`forms` is a valid form file in the shape ``tomllib.load`` returns:
``{"form": {...}, "option_lists": {...}, "sections": [...]}``. It passes the published
meta-schema, ``Form.from_dict`` and ``check_form``: ids are unique among siblings, option lists
resolve, conditions only look back at earlier siblings (so there are no cycles) with an
operator and a value that fit the question they name, and bounds keep ``min <= max``.

Text is drawn from a fixed alphabet (quotes, backslashes, control characters, non-ASCII) so
that no Unicode tables are needed and the TOML writer's escaping is exercised.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "OPERATORS",
    "STAGES",
    "TYPES",
    "form_ids",
    "forms",
    "identifiers",
    "mutated_forms",
    "questions",
    "to_toml",
    "versions",
]

STAGES = ("preliminary", "full", "plan", "followup")
TYPES = ("text", "boolean", "integer", "decimal", "date", "choice", "multi_choice", "group")

# The operator table of docs/form-files.md: which operators fit which type of question.
OPERATORS: dict[str, tuple[str, ...]] = {
    "text": ("equals", "not_equals", "in", "not_in", "answered"),
    "boolean": ("equals", "not_equals", "answered"),
    "integer": ("equals", "not_equals", "in", "not_in", "gt", "ge", "lt", "le", "answered"),
    "decimal": ("equals", "not_equals", "gt", "ge", "lt", "le", "answered"),
    "date": ("equals", "not_equals", "gt", "ge", "lt", "le", "answered"),
    "choice": ("equals", "not_equals", "in", "not_in", "answered"),
    "multi_choice": ("contains", "answered"),
    "group": ("answered",),
}

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_TEXT_ALPHABET = "abcxyz ABZ 019 éøßÆ€\u2013\u201c\u201d'\"\\\t\n\x00\x7f😀#=[]{}.,"
_PATTERNS = ("[a-z]*", r"\d{4}", ".*", "[A-Z][a-z]+( [A-Z][a-z]+)*", "(yes|no)")

OptionLists = Mapping[str, Sequence[str]]


def identifiers() -> st.SearchStrategy[str]:
    """snake_case ids: a lower-case letter, then letters, digits and ``_``."""
    return st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(_LOWER),
        st.text(alphabet=_LOWER + "0123456789_", max_size=8),
    )


def form_ids() -> st.SearchStrategy[str]:
    """Dotted form ids such as ``triangle.full``."""
    return st.lists(identifiers(), min_size=1, max_size=3).map(".".join)


def versions() -> st.SearchStrategy[str]:
    """MAJOR.MINOR.PATCH versions."""
    part = st.integers(min_value=0, max_value=30).map(str)
    return st.tuples(part, part, part).map(".".join)


def _texts(min_size: int = 1) -> st.SearchStrategy[str]:
    return st.text(alphabet=_TEXT_ALPHABET, min_size=min_size, max_size=12)


def _dates() -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))


def _date_values() -> st.SearchStrategy[dt.date | str]:
    """A date as TOML has it: native, or ISO text."""
    return _dates().flatmap(lambda day: st.sampled_from([day, day.isoformat()]))


def _numbers() -> st.SearchStrategy[int | float]:
    return st.one_of(
        st.integers(min_value=-10_000, max_value=10_000),
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    )


def _sort_key(value: object) -> Any:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _options() -> st.SearchStrategy[list[dict[str, str]]]:
    @st.composite
    def build(draw: st.DrawFn) -> list[dict[str, str]]:
        values = draw(st.lists(identifiers(), min_size=1, max_size=4, unique=True))
        options = []
        for value in values:
            option = {"value": value, "label": draw(_texts())}
            if draw(st.booleans()):
                option["help"] = draw(_texts(min_size=0))
            options.append(option)
        return options

    return build()


def _required() -> st.SearchStrategy[bool | list[str]]:
    return st.one_of(st.booleans(), st.lists(st.sampled_from(STAGES), unique=True, max_size=4))


def _answer_values(kind: str, values: Sequence[str]) -> st.SearchStrategy[Any]:
    """One value that a condition may compare a ``kind`` question with."""
    if kind == "text":
        return _texts(min_size=0)
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(min_value=-10_000, max_value=10_000)
    if kind == "decimal":
        return _numbers()
    if kind == "date":
        return _date_values()
    return st.sampled_from(values)  # choice, multi_choice


@st.composite
def _comparison(
    draw: st.DrawFn, earlier: Sequence[tuple[dict[str, Any], Sequence[str]]], prefix: str
) -> dict[str, Any]:
    target, values = draw(st.sampled_from(earlier))
    kind = target["type"]
    reference = target["id"]
    if prefix and draw(st.booleans()):
        reference = f"{prefix}.{reference}"  # the full path section.area.question
    operator = draw(st.sampled_from(OPERATORS[kind]))
    comparison: dict[str, Any] = {"question": reference, "operator": operator}
    if operator == "answered":
        if draw(st.booleans()):
            comparison["value"] = draw(st.booleans())
    elif operator in {"in", "not_in"}:
        comparison["value"] = draw(st.lists(_answer_values(kind, values), min_size=1, max_size=3))
    else:
        comparison["value"] = draw(_answer_values(kind, values))
    return comparison


@st.composite
def _condition(
    draw: st.DrawFn,
    earlier: Sequence[tuple[dict[str, Any], Sequence[str]]],
    prefix: str,
    depth: int = 2,
) -> dict[str, Any]:
    shape = draw(st.sampled_from(("leaf", "leaf", "all", "any", "not"))) if depth else "leaf"
    if shape == "leaf":
        return draw(_comparison(earlier, prefix))
    if shape == "not":
        return {"not": draw(_condition(earlier, prefix, depth - 1))}
    count = draw(st.integers(min_value=1, max_value=3))
    return {shape: [draw(_condition(earlier, prefix, depth - 1)) for _ in range(count)]}


@st.composite
def _questions(
    draw: st.DrawFn, depth: int, option_lists: OptionLists, prefix: str
) -> list[dict[str, Any]]:
    ids = draw(st.lists(identifiers(), min_size=1, max_size=3, unique=True))
    made: list[tuple[dict[str, Any], Sequence[str]]] = []
    for question_id in ids:
        kind = draw(st.sampled_from(TYPES if depth > 0 else TYPES[:-1]))
        question: dict[str, Any] = {"id": question_id, "type": kind, "label": draw(_texts())}
        values: Sequence[str] = ()
        if kind == "text":
            if draw(st.booleans()):
                question["max_length"] = draw(st.integers(min_value=1, max_value=10_000))
            if draw(st.booleans()):
                question["pattern"] = draw(st.sampled_from(_PATTERNS))
            if draw(st.booleans()):
                question["multiline"] = draw(st.booleans())
        elif kind in {"integer", "decimal", "date"}:
            bounds = {"integer": st.integers(-10_000, 10_000), "decimal": _numbers()}
            bound = bounds.get(kind, _date_values())
            low, high = draw(bound), draw(bound)
            if _sort_key(low) > _sort_key(high):
                low, high = high, low
            if draw(st.booleans()):
                question["min"] = low
            if draw(st.booleans()):
                question["max"] = high
        elif kind in {"choice", "multi_choice"}:
            if option_lists and draw(st.booleans()):
                name = draw(st.sampled_from(sorted(option_lists)))
                question["options"] = name
                values = option_lists[name]
            else:
                question["options"] = draw(_options())
                values = [option["value"] for option in question["options"]]
            if kind == "multi_choice":
                _add_items(draw, question, len(values))
        elif kind == "group":
            question["questions"] = draw(_questions(depth - 1, option_lists, ""))
            _add_items(draw, question, 5)
        if draw(st.booleans()):
            question["help"] = draw(_texts(min_size=0))
        if draw(st.booleans()):
            question["required"] = draw(_required())
        if draw(st.booleans()):
            question["sensitivity"] = draw(
                st.sampled_from(("none", "personal", "special_category"))
            )
        if made and draw(st.booleans()):
            question["when"] = draw(_condition(made, prefix))
        made.append((question, values))
    return [question for question, _ in made]


def _add_items(draw: st.DrawFn, question: dict[str, Any], most: int) -> None:
    high = draw(st.integers(min_value=1, max_value=most))
    low = draw(st.integers(min_value=0, max_value=high))
    if draw(st.booleans()):
        question["min_items"] = low
    if draw(st.booleans()):
        question["max_items"] = high


def questions(
    depth: int = 1, option_lists: OptionLists | None = None, *, prefix: str = ""
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Sibling questions with unique ids; groups nest ``depth`` levels at most.

    ``option_lists`` maps the names of the form's shared option lists to their values;
    ``prefix`` (``section.area``) lets conditions also name their target by its full path.
    """
    return _questions(depth, option_lists or {}, prefix)


def _crosswalk_entries() -> st.SearchStrategy[Any]:
    codes = st.lists(_texts(), min_size=1, max_size=3)

    @st.composite
    def table(draw: st.DrawFn) -> dict[str, Any]:
        entry: dict[str, Any] = {"codes": draw(codes)}
        if draw(st.booleans()):
            entry["verified"] = draw(st.booleans())
        if draw(st.booleans()):
            entry["note"] = draw(_texts(min_size=0))
        return entry

    return st.one_of(_texts(), codes, table())


@st.composite
def _area(
    draw: st.DrawFn, section_id: str, area_id: str, option_lists: OptionLists
) -> dict[str, Any]:
    area_questions = draw(questions(2, option_lists, prefix=f"{section_id}.{area_id}"))
    area: dict[str, Any] = {"id": area_id, "label": draw(_texts())}
    if draw(st.booleans()):
        area["help"] = draw(_texts(min_size=0))
    if draw(st.booleans()):
        area["crosswalk"] = draw(
            st.dictionaries(identifiers(), _crosswalk_entries(), min_size=1, max_size=3)
        )
    ids = [question["id"] for question in area_questions]
    if len(ids) >= 2 and draw(st.booleans()):
        rules = []
        for _ in range(draw(st.integers(min_value=1, max_value=2))):
            rule: dict[str, Any] = {
                "questions": draw(st.lists(st.sampled_from(ids), min_size=2, unique=True))
            }
            if draw(st.booleans()):
                rule["required"] = draw(_required())
            rules.append(rule)
        area["require_one_of"] = rules
    area["questions"] = area_questions
    return area


@st.composite
def _forms(draw: st.DrawFn) -> dict[str, Any]:
    header: dict[str, Any] = {
        "id": draw(form_ids()),
        "version": draw(versions()),
        "stage": draw(st.sampled_from(STAGES)),
        "title": draw(_texts()),
    }
    if draw(st.booleans()):
        header["description"] = draw(_texts(min_size=0))
    document: dict[str, Any] = {"form": header}
    names = draw(st.lists(identifiers(), max_size=2, unique=True))
    option_lists: dict[str, Sequence[str]] = {}
    if names:
        document["option_lists"] = {}
        for name in names:
            body: dict[str, Any] = {"options": draw(_options())}
            if draw(st.booleans()):
                body["ordered"] = draw(st.booleans())
            document["option_lists"][name] = body
            option_lists[name] = [option["value"] for option in body["options"]]
    sections = []
    for section_id in draw(st.lists(identifiers(), min_size=1, max_size=2, unique=True)):
        section: dict[str, Any] = {"id": section_id, "label": draw(_texts())}
        if draw(st.booleans()):
            section["help"] = draw(_texts(min_size=0))
        area_ids = draw(st.lists(identifiers(), min_size=1, max_size=2, unique=True))
        section["areas"] = [draw(_area(section_id, area_id, option_lists)) for area_id in area_ids]
        sections.append(section)
    document["sections"] = sections
    return document


def forms() -> st.SearchStrategy[dict[str, Any]]:
    """Valid form files, as the dictionaries ``tomllib`` reads from them."""
    return _forms()


# --- broken forms -------------------------------------------------------------------------


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value in a nested document."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_places(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_places(item, (*path, index)))
    return found


def _junk() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        _texts(min_size=0),
        st.sampled_from(("", "1.0", "full", "choice", "a.b.c.d", "2020-02-30", "(", "Ünknown")),
        st.booleans(),
        st.integers(min_value=-5, max_value=5),
        _numbers(),
        _dates(),
    )
    return st.one_of(
        scalars,
        st.lists(scalars, max_size=2),
        st.dictionaries(st.sampled_from(("id", "type", "question", "x")), scalars, max_size=2),
    )


@st.composite
def _mutated_forms(draw: st.DrawFn) -> dict[str, Any]:
    document = draw(forms())
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(_places(document)))
        *parents, last = path
        holder = document
        for key in parents:
            holder = holder[key]
        if isinstance(holder, dict) and draw(st.booleans()):
            del holder[last]
        else:
            holder[last] = draw(_junk())
    return document


def mutated_forms() -> st.SearchStrategy[dict[str, Any]]:
    """Valid forms with one to three values deleted or replaced by junk: mostly broken."""
    return _mutated_forms()


# --- a small TOML writer -----------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def to_toml(document: Mapping[str, Any]) -> str:
    """Write a document as TOML: one ``key = value`` line per top-level key, inline below.

    >>> print(to_toml({"form": {"id": "x", "n": [1, 2.5, True]}, "a b": "q\\""}), end="")
    form = {id = "x", n = [1, 2.5, true]}
    "a b" = "q\\""
    """
    return "".join(f"{_toml_key(key)} = {_toml_value(value)}\n" for key, value in document.items())


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    out = []
    for char in text:
        if char in {'"', "\\"}:
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"TOML cannot hold {value!r} here")
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        items = (f"{_toml_key(key)} = {_toml_value(item)}" for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
