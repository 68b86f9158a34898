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

import copy
import datetime as dt
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from kindbehoeften import AllOf, AnyOf, Comparison, Condition, Form, Not, OneOfRule, Question

__all__ = [
    "EXAMPLES",
    "JUNK_MARK",
    "OPERATORS",
    "STAGES",
    "TYPES",
    "changed_submissions",
    "example_submissions",
    "form_ids",
    "form_submissions",
    "forms",
    "identifiers",
    "mutated_forms",
    "mutated_submissions",
    "questions",
    "submissions",
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
        places = _places(document)
        if not places:  # every top-level key deleted already: nothing is left to change
            break
        path = draw(st.sampled_from(places))
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


# --- submissions --------------------------------------------------------------------------
#
# Valid submissions are drawn from a form (answers that respect types, bounds and conditions)
# or taken from the example files in ``examples/``; mutated submissions break those examples
# in the ways real input breaks: truncated or random bytes, wrong types, unknown keys, deep
# nesting, huge or invalid text, deleted keys, duplicate keys.

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
JUNK_MARK = "\u2603"  # every junk text starts with it, so that tests can tell junk from labels
_SUBMISSION_TEXT = "abcxyz ABZ 019 éøßÆ€\u2013\u201c\u201d'\"\\\t\n😀#=[]{}.,"
_KEY_ALPHABET = "kz_/~ é0"  # keys: never the junk mark, sometimes "/" or "~" (escaped in pointers)
_DEEP = re.compile(r'"__deep_([0-9]+)__"')


def _is_answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _enabled(condition: Condition, local: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    """Whether a condition holds: a small reading of the contract, separate from the library's
    (an unanswered question equals nothing and is in nothing; ``not_equals``/``not_in`` hold
    for it)."""
    if isinstance(condition, AllOf):
        return all(_enabled(part, local, root) for part in condition.all)
    if isinstance(condition, AnyOf):
        return any(_enabled(part, local, root) for part in condition.any)
    if isinstance(condition, Not):
        return not _enabled(condition.not_, local, root)
    assert isinstance(condition, Comparison)
    path = condition.question.split(".")
    if len(path) == 3:
        section, area, key = path
        value = root.get(section, {}).get(area, {}).get(key)
    else:
        value = local.get(path[0])
    answered = _is_answered(value)
    operator, expected = condition.operator, condition.value
    if operator == "answered":
        return answered is (expected is not False)
    if operator == "contains":
        return isinstance(value, list) and expected in value
    options = expected if isinstance(expected, tuple | list) else (expected,)
    inside = answered and any(_same(value, option) for option in options)
    if operator in {"equals", "in"}:
        return inside
    if operator in {"not_equals", "not_in"}:
        return not inside
    if isinstance(value, bool) or isinstance(expected, bool) or not answered:
        return False
    if isinstance(value, str) != isinstance(expected, str):
        return False
    return {
        "gt": value > expected,
        "ge": value >= expected,
        "lt": value < expected,
        "le": value <= expected,
    }[operator]


def _same(value: Any, option: Any) -> bool:
    if isinstance(value, bool) or isinstance(option, bool):
        return value is option
    return bool(value == option)


def _valid_answer(
    form: Form, question: Question, required: bool, root: dict[str, Any]
) -> st.SearchStrategy[Any]:
    kind = question.type
    if kind == "text":
        most = min(question.max_length or 60, 60)
        if question.pattern:
            return st.from_regex(question.pattern, fullmatch=True).filter(
                lambda text: 0 < len(text) <= most
            )
        return st.text(alphabet=_SUBMISSION_TEXT, min_size=1, max_size=most)
    if kind == "boolean":
        return st.booleans()
    if kind in {"integer", "decimal"}:
        # A missing bound lies beyond the given one: a form may say max = -20000 alone.
        given_low = question.min if isinstance(question.min, int | float) else None
        given_high = question.max if isinstance(question.max, int | float) else None
        low = given_low if given_low is not None else min(-10_000, given_high or 0)
        high = given_high if given_high is not None else max(10_000, given_low or 0)
        if kind == "integer":
            return st.integers(min_value=math.ceil(low), max_value=math.floor(high))
        return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)
    if kind == "date":
        earliest = question.min if isinstance(question.min, dt.date) else None
        latest = question.max if isinstance(question.max, dt.date) else None
        first = earliest or min(dt.date(2000, 1, 1), latest or dt.date.max)
        last = latest or max(dt.date(2040, 12, 31), earliest or dt.date.min)
        return st.dates(min_value=first, max_value=last).map(dt.date.isoformat)
    fewest = max(question.min_items or 0, 1 if required else 0)
    if kind in {"choice", "multi_choice"}:
        values = [option.value for option in form.options(question)]
        if kind == "choice":
            return st.sampled_from(values)
        most = min(question.max_items or len(values), len(values))
        return st.lists(st.sampled_from(values), min_size=fewest, max_size=most, unique=True)
    most = question.max_items or fewest + 2
    rows = _container_answers(form, question.questions, (), root, required_rows=True)
    return st.lists(rows, min_size=fewest, max_size=min(most, fewest + 2))


@st.composite
def _container_answers(
    draw: st.DrawFn,
    form: Form,
    questions: Sequence[Question],
    rules: Sequence[OneOfRule],
    root: dict[str, Any],
    answers: dict[str, Any] | None = None,
    *,
    required_rows: bool = False,
    completed: bool = True,
) -> dict[str, Any]:
    answers = {} if answers is None else answers
    completed = completed or required_rows
    for question in questions:
        if question.when is not None and not _enabled(question.when, answers, root):
            continue
        required = completed and question.is_required(form.stage)
        if required or draw(st.booleans()):
            answers[question.id] = draw(_valid_answer(form, question, required, root))
    for rule in rules if completed else ():
        if form.stage in rule.required and not any(
            _is_answered(answers.get(key)) for key in rule.questions
        ):
            first = next(q for q in questions if q.id == rule.questions[0])
            answers[first.id] = draw(_valid_answer(form, first, True, root))
    return answers


@st.composite
def _submissions(draw: st.DrawFn, form: Form, status: str | None) -> dict[str, Any]:
    chosen = status or draw(st.sampled_from(("completed", "in_progress")))
    root: dict[str, Any] = {}
    for section in form.sections:
        for area in section.areas:
            here = root.setdefault(section.id, {}).setdefault(area.id, {})
            draw(
                _container_answers(
                    form,
                    area.questions,
                    area.require_one_of,
                    root,
                    here,
                    completed=chosen == "completed",
                )
            )
            if not here:
                del root[section.id][area.id]
        if not root[section.id]:
            del root[section.id]
    return {"form": form.id, "form_version": form.version, "status": chosen, "answers": root}


def submissions(form: Form, status: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Valid submissions of ``form`` (a :class:`kindbehoeften.Form`), as parsed JSON.

    Every required answer of an enabled question is given when ``completed``; no disabled
    question is answered; one-of rules are met by their first question. ``status`` is
    ``"completed"``, ``"in_progress"`` or, when None, either.
    """
    return _submissions(form, status)


def example_submissions(kinds: Sequence[str] = ("valid", "draft")) -> st.SearchStrategy[Any]:
    """The example submissions of ``examples/<form>.<kind>.json`` (a fresh copy each time)."""
    paths = sorted(path for kind in kinds for path in EXAMPLES.glob(f"*.{kind}.json"))
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    return st.sampled_from(documents).map(copy.deepcopy)


def _junk_texts() -> st.SearchStrategy[str]:
    return st.text(alphabet=_SUBMISSION_TEXT, max_size=12).map(lambda text: JUNK_MARK + text)


def _huge_texts() -> st.SearchStrategy[str]:
    return st.builds(
        lambda unit, size: JUNK_MARK + (unit * (size // len(unit) + 1))[:size],
        st.text(alphabet=_SUBMISSION_TEXT, min_size=1, max_size=5),
        st.integers(min_value=0, max_value=100_000),
    )


def _wrong_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(),  # NaN and Infinity too: JSON writes them as NaN / Infinity
        _junk_texts(),
        st.sampled_from(("", "some_concern", "completed", "2026-02-30", "2026-01-01\n")),
        st.just(JUNK_MARK + "\ud800 lone surrogate"),
    )
    keys = st.text(alphabet=_KEY_ALPHABET, max_size=6)
    return st.one_of(
        scalars,
        st.lists(scalars, max_size=3),
        st.dictionaries(keys, scalars, max_size=3),
        _huge_texts(),
        st.integers(min_value=2, max_value=3_000).map(lambda depth: f"__deep_{depth}__"),
    )


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def _expand_deep(document: Any) -> Any:
    """Replace each ``__deep_N__`` marker by N nested lists (built without recursion limits)."""
    if isinstance(document, str):
        found = _DEEP.fullmatch(f'"{document}"')
        return _nested(int(found.group(1))) if found else document
    if isinstance(document, dict):
        return {key: _expand_deep(value) for key, value in document.items()}
    if isinstance(document, list):
        return [_expand_deep(value) for value in document]
    return document


@st.composite
def _mutated_submissions(draw: st.DrawFn, shapes: Sequence[str]) -> bytes | str | dict[str, Any]:
    document = draw(example_submissions())
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        places = [(), *_places(document)]
        path = draw(st.sampled_from(places))
        holder: Any = document
        for key in path[:-1]:
            holder = holder[key]
        target = holder[path[-1]] if path else document
        action = draw(st.sampled_from(("replace", "replace", "add", "delete")))
        if action == "add" and isinstance(target, dict):
            key = draw(st.text(alphabet=_KEY_ALPHABET, max_size=6))
            target[key] = draw(_wrong_values())
        elif action == "delete" and path and isinstance(holder, dict):
            del holder[path[-1]]
        elif path:
            holder[path[-1]] = draw(_wrong_values())
    shape = draw(st.sampled_from(shapes))
    if shape == "dict":
        return _expand_deep(document)  # type: ignore[no-any-return]
    text = json.dumps(document, ensure_ascii=draw(st.booleans()))
    text = _DEEP.sub(lambda found: "[" * int(found[1]) + "]" * int(found[1]), text)
    if draw(st.booleans()):  # a duplicate key at the top
        key = draw(st.sampled_from(("form", "status", "answers", "x")))
        text = "{" + json.dumps(key) + ': "in_progress", ' + text[1:]
    if shape == "str":
        return text
    data = text.encode("utf-8", "surrogatepass")  # a lone surrogate makes invalid UTF-8
    damage = draw(st.sampled_from(("none", "none", "truncate", "splice", "random")))
    if damage == "truncate":
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    elif damage == "splice":
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    elif damage == "random":
        data = draw(st.binary(max_size=300))
    return data


def mutated_submissions(
    shapes: Sequence[str] = ("dict", "str", "bytes", "bytes"),
) -> st.SearchStrategy[bytes | str | dict[str, Any]]:
    """Example submissions broken in one to four places, as bytes, text or a parsed dict
    (``shapes``: drawn from ``"bytes"``, ``"str"``, ``"dict"``).

    Replaced values are wrong types, junk text (starting with :data:`JUNK_MARK`), text of up
    to 100,000 characters, lone surrogates, NaN or nesting up to 3,000 levels deep; added keys
    may hold ``/`` and ``~``; bytes may be truncated, spliced with random bytes, or random.
    """
    return _mutated_submissions(tuple(shapes))


# --- submissions that probe the exported JSON Schema ----------------------------------------------
#
# Answers to a Form, built from the form-file documentation rather than from the validator:
# the condition rules below are written again on purpose, so that the tests compare two
# readings of docs/form-files.md (and a third, the exported JSON Schema).

Place = tuple[Any, ...]  # (section, area) or (section, area, group, row index, ...)

_ABSENT = object()
_JUNK = (1, -2, 1.5, "text", "", True, False, None, [], {}, ["x"], [{}], {"a": 1}, "2024-01-01")
_BAD_DATES = (
    "2021-02-30",
    "2021-13-01",
    "21-01-01",
    "2021/01/01",
    "2021-1-01",
    "2021-01-01 ",
    "2021-W01-1",  # an ISO week date: Python's date.fromisoformat reads it
    "20210101",
)


def _answered(value: Any) -> bool:
    """null, "" and [] count as unanswered."""
    return value is not None and value != "" and value != []


def _scope(place: Place) -> tuple[str, ...]:
    return tuple(part for part in place if isinstance(part, str))


class _Answering:
    """Draws the answers to one form: every question decided after the questions its
    condition names, a disabled question left unanswered, required ones answered (when
    completed), and each one-of rule met where some question of it can be answered."""

    def __init__(self, draw: st.DrawFn, form: Form, completed: bool) -> None:
        self.draw = draw
        self.form = form
        self.completed = completed
        self.questions: dict[tuple[str, ...], dict[str, Any]] = {}
        self.values: dict[Place, Any] = {}  # a valid answer drawn once per place
        self.include: dict[Place, bool] = {}
        self.blank: dict[Place, Any] = {}
        self.forced: set[Place] = set()
        self.interesting: dict[tuple[str, ...], list[Any]] = {}
        for section in form.sections:
            for area in section.areas:
                self._index((section.id, area.id), area.questions)
        for scope, questions in self.questions.items():
            for question in questions.values():
                if question.when is not None:
                    self._note(question.when, scope)

    def _index(self, scope: tuple[str, ...], questions: Sequence[Any]) -> None:
        self.questions[scope] = {question.id: question for question in questions}
        for question in questions:
            if question.type == "group":
                self._index((*scope, question.id), question.questions)

    def _note(self, condition: Any, scope: tuple[str, ...]) -> None:
        """Remember the values conditions compare with, to draw answers near them."""
        for part in getattr(condition, "all", None) or getattr(condition, "any", None) or ():
            self._note(part, scope)
        if hasattr(condition, "not_"):
            self._note(condition.not_, scope)
        if hasattr(condition, "operator") and condition.value is not None:
            reference = condition.question.split(".")
            target = (*(scope if len(reference) == 1 else reference[:2]), reference[-1])
            values = condition.value if isinstance(condition.value, tuple) else (condition.value,)
            self.interesting.setdefault(tuple(target), []).extend(values)

    # the rules of docs/form-files.md

    def _resolve(self, reference: str, place: Place) -> tuple[Place, str]:
        parts = reference.split(".")
        return (place if len(parts) == 1 else tuple(parts[:2])), parts[-1]

    def holds(self, condition: Any, place: Place) -> bool:
        if hasattr(condition, "all"):
            return all(self.holds(part, place) for part in condition.all)
        if hasattr(condition, "any"):
            return any(self.holds(part, place) for part in condition.any)
        if hasattr(condition, "not_"):
            return not self.holds(condition.not_, place)
        target_place, key = self._resolve(condition.question, place)
        value = self.enabled_value(target_place, key)
        operator, expected = condition.operator, condition.value
        if operator == "answered":
            return _answered(value) is (expected is not False)
        if operator == "contains":
            return isinstance(value, list) and expected in value
        if operator in {"equals", "not_equals", "in", "not_in"}:
            options = expected if isinstance(expected, tuple) else (expected,)
            inside = _answered(value) and any(
                value is option
                if isinstance(value, bool) or isinstance(option, bool)
                else value == option
                for option in options
            )
            return inside if operator in {"equals", "in"} else not inside
        if isinstance(value, bool) or isinstance(expected, bool):
            return False
        numbers = isinstance(value, int | float) and isinstance(expected, int | float)
        texts = isinstance(value, str) and isinstance(expected, str)
        if not (numbers or texts):
            return False
        return {
            "gt": value > expected,
            "ge": value >= expected,
            "lt": value < expected,
            "le": value <= expected,
        }[operator]

    def enabled(self, place: Place, key: str) -> bool:
        question = self.questions[_scope(place)][key]
        return question.when is None or self.holds(question.when, place)

    def enabled_value(self, place: Place, key: str) -> Any:
        """A disabled question's answer counts as unanswered."""
        if not self.enabled(place, key):
            return None
        return self.boxes[place].get(key)

    # drawing

    def _candidate(self, place: Place, question: Any) -> Any:
        """A valid, answered value for ``question`` (drawn once per place)."""
        if place not in self.values:
            self.values[place] = self.draw(self._valid_values(_scope(place), question))
        return self.values[place]

    def _valid_values(self, scope: tuple[str, ...], question: Any) -> st.SearchStrategy[Any]:
        kind = question.type
        near = [v for v in self.interesting.get(scope, ()) if self._fits(question, v)]
        if kind == "text":
            limit = min(question.max_length or 20, 20)
            base: st.SearchStrategy[Any]
            if question.pattern:
                # Not always valid: a pattern may not fit within max_length at all.
                base = st.from_regex(question.pattern, fullmatch=True).filter(bool)
            else:
                base = st.text(alphabet=_TEXT_ALPHABET, min_size=1, max_size=limit)
        elif kind == "boolean":
            base = st.booleans()
        elif kind in {"integer", "decimal"}:
            low = -(10**6) if question.min is None else question.min
            high = 10**6 if question.max is None else question.max
            whole = st.integers(math.ceil(low), math.floor(high))
            if kind == "integer":
                base = whole
            else:
                base = st.floats(low, high, allow_nan=False, allow_infinity=False)
                if math.ceil(low) <= math.floor(high):
                    base = base | whole
            near += [v + step for v in near for step in (-1, 1) if self._fits(question, v + step)]
        elif kind == "date":
            # "today" and "birth" are checked only when validate is given the day or the birth.
            low = question.min if isinstance(question.min, dt.date) else dt.date(1900, 1, 1)
            high = question.max if isinstance(question.max, dt.date) else dt.date(2100, 12, 31)
            base = st.dates(low, high).map(dt.date.isoformat)
            days = [dt.date.fromisoformat(v) for v in near if _iso(v)]
            near = [
                (day + dt.timedelta(days=step)).isoformat()
                for day in days
                for step in (-1, 0, 1)
                if dt.date(1, 1, 2) <= day <= dt.date(9999, 12, 30)
            ]
            near = [v for v in near if self._fits(question, v)]
        elif kind == "choice":
            base = st.sampled_from([option.value for option in self.form.options(question)])
        elif kind == "multi_choice":
            values = [option.value for option in self.form.options(question)]
            fewest = max(1, question.min_items or 0)
            most = question.max_items or len(values) + 1
            base = st.lists(st.sampled_from(values), min_size=fewest, max_size=most)
            near = [[v] for v in near if fewest <= 1 and isinstance(v, str) and v in values]
        else:  # group: the number of rows
            fewest = max(1, question.min_items or 0)
            most = fewest + 2 if question.max_items is None else question.max_items
            base = st.integers(fewest, min(most, max(fewest, 3)))
            near = []
        return st.sampled_from(near) | base if near else base

    def _fits(self, question: Any, value: Any) -> bool:
        """Whether ``value`` is a valid answer of ``question`` (its type and bounds)."""
        kind = question.type
        if kind == "text":
            return (
                isinstance(value, str)
                and value != ""
                and len(value) <= (question.max_length or len(value))
                and (not question.pattern or re.fullmatch(question.pattern, value) is not None)
            )
        if kind in {"integer", "decimal"}:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            if kind == "integer" and not isinstance(value, int):
                return False
            return (question.min is None or value >= question.min) and (
                question.max is None or value <= question.max
            )
        if kind == "date":
            if not _iso(value):
                return False
            day = dt.date.fromisoformat(value)
            return (not isinstance(question.min, dt.date) or day >= question.min) and (
                not isinstance(question.max, dt.date) or day <= question.max
            )
        return True

    def _blank(self, place: Place, question: Any) -> Any:
        """How this place is left unanswered: absent, null, "" or []."""
        if place not in self.blank:
            choices: list[Any] = [_ABSENT, None]
            if question.type == "text":
                choices.append("")
            if question.type in {"multi_choice", "group"} and not question.min_items:
                choices.append([])
            self.blank[place] = self.draw(st.sampled_from(choices))
        return self.blank[place]

    def _decide(self, place: Place, key: str) -> None:
        if (place, key) in self.decided:
            return
        self.decided.add((place, key))
        question = self.questions[_scope(place)][key]
        for target_place, target in self._targets(question.when, place):
            self._decide(target_place, target)
        here = (*place, key)
        if here not in self.include:
            self.include[here] = self.draw(st.booleans())
        wanted = (
            self.include[here]
            or here in self.forced
            or (self.completed and question.is_required(self.form.stage))
        )
        box = self.boxes[place]
        if wanted and self.enabled(place, key):
            value = self._candidate(here, question)
            if question.type == "group":  # the value drawn is the number of rows
                value = [{} for _ in range(value)]
                for index, row in enumerate(value):
                    self.boxes[(*here, index)] = row
                    self.pending.append((*here, index))
            box[key] = copy.copy(value)
        else:
            blank = self._blank(here, question)
            if blank is not _ABSENT:
                box[key] = copy.deepcopy(blank)

    def _targets(self, condition: Any, place: Place) -> Iterator[tuple[Place, str]]:
        if condition is None:
            return
        for part in getattr(condition, "all", None) or getattr(condition, "any", None) or ():
            yield from self._targets(part, place)
        if hasattr(condition, "not_"):
            yield from self._targets(condition.not_, place)
        if hasattr(condition, "question"):
            yield self._resolve(condition.question, place)

    def _fill(self) -> dict[str, Any]:
        self.boxes: dict[Place, dict[str, Any]] = {}
        self.decided: set[tuple[Place, str]] = set()
        self.pending: list[Place] = []
        answers: dict[str, Any] = {}
        for section in self.form.sections:
            for area in section.areas:
                self.boxes[(section.id, area.id)] = answers.setdefault(section.id, {})[area.id] = {}
        for section in self.form.sections:
            for area in section.areas:
                for question in area.questions:
                    self._decide((section.id, area.id), question.id)
        while self.pending:  # group rows, once every area-level question is decided
            row = self.pending.pop(0)
            for key in self.questions[_scope(row)]:
                self._decide(row, key)
        return answers

    def unmet_rules(self) -> list[tuple[Place, tuple[str, ...]]]:
        if not self.completed:
            return []
        unmet = []
        for section in self.form.sections:
            for area in section.areas:
                place = (section.id, area.id)
                for rule in area.require_one_of:
                    if self.form.stage in rule.required and not any(
                        _answered(self.enabled_value(place, key)) for key in rule.questions
                    ):
                        unmet.append((place, rule.questions))
        return unmet

    def build(self) -> dict[str, Any]:
        for _ in range(8):
            answers = self._fill()
            unmet = self.unmet_rules()
            progress = False
            for place, keys in unmet:
                for key in keys:
                    if (*place, key) not in self.forced and self.enabled(place, key):
                        self.forced.add((*place, key))
                        progress = True
                        break
            if not progress:
                return answers
        return answers

    def places(self) -> list[tuple[Place, str, Any]]:
        """Every (container, question id, question) of the answers as built."""
        return [
            (place, key, question)
            for place in self.boxes
            for key, question in self.questions[_scope(place)].items()
        ]


def _iso(value: Any) -> bool:
    if not isinstance(value, str) or re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) is None:
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _prune(draw: st.DrawFn, answers: Any) -> None:
    """Leave out some empty areas and sections: a missing one counts as empty."""
    if not isinstance(answers, dict):
        return
    for section_id in list(answers):
        section = answers[section_id]
        if not isinstance(section, dict):
            continue
        for area_id in list(section):
            if section[area_id] == {} and draw(st.booleans()):
                del section[area_id]
        if section == {} and draw(st.booleans()):
            del answers[section_id]


class _Named:
    """A form with a short repr, for Hypothesis's reports (a form's repr runs to 50 kB)."""

    def __init__(self, form: Form) -> None:
        self.form = form

    def __repr__(self) -> str:
        return f"<form {self.form.key}>"


@st.composite
def _submission(
    draw: st.DrawFn, named: _Named, status: str | None, mutations: int
) -> dict[str, Any]:
    form = named.form
    status = status or draw(st.sampled_from(("completed", "in_progress")))
    answering = _Answering(draw, form, status == "completed")
    answers = answering.build()
    submission = {
        "form": form.id,
        "form_version": form.version,
        "status": status,
        "answers": answers,
    }
    for _ in range(draw(st.integers(min_value=min(1, mutations), max_value=mutations))):
        _mutate(draw, answering, submission)
    _prune(draw, submission.get("answers"))
    return submission


_MUTATIONS = (
    "remove_answer",
    "unanswer",
    "wrong_type",
    "out_of_range",
    "extra_key",
    "answer_disabled",
    "change_status",
    "envelope",
    "container",
)


def _mutate(draw: st.DrawFn, answering: _Answering, submission: dict[str, Any]) -> str:
    """Change one thing: most changes make the submission invalid, some do not."""
    kind = draw(st.sampled_from(_MUTATIONS))
    places = answering.places()
    answers = submission.get("answers")
    if not isinstance(answers, dict) or not all(isinstance(v, dict) for v in answers.values()):
        answers = {}  # broken by an earlier change: change the envelope only
        kind = draw(st.sampled_from(("extra_key", "change_status", "envelope")))
    place, key, question = draw(st.sampled_from(places))
    box = answering.boxes[place]
    if kind == "remove_answer":
        answered = [(p, k) for p, k, _ in places if k in answering.boxes[p]]
        if answered:
            place, key = draw(st.sampled_from(answered))
            del answering.boxes[place][key]
    elif kind == "unanswer":
        box[key] = draw(st.sampled_from((None, "", [])))
    elif kind == "wrong_type":
        box[key] = copy.deepcopy(draw(st.sampled_from(_JUNK)))
    elif kind == "out_of_range":
        box[key] = draw(_out_of_range(answering.form, question))
    elif kind == "extra_key":
        where = draw(st.sampled_from(("root", "answers", "section", "box")))
        if where == "root" or not answers:
            submission["comment"] = "x"
        elif where == "answers":
            answers["unknown_section"] = {}
        elif where == "section":
            answers.setdefault(place[0], {})["unknown_area"] = {}
        else:
            box["unknown_question"] = "x"
    elif kind == "answer_disabled":
        disabled = [
            (p, k, q)
            for p, k, q in places
            if q.when is not None and not answering.enabled(p, k) and q.type != "group"
        ]
        if disabled:
            place, key, question = draw(st.sampled_from(disabled))
            answering.boxes[place][key] = answering._candidate((*place, key), question)
    elif kind == "change_status":
        submission["status"] = draw(st.sampled_from(("completed", "in_progress", "done", None, 1)))
    elif kind == "envelope":
        field = draw(st.sampled_from(("form", "form_version", "status", "answers")))
        if draw(st.booleans()):
            submission.pop(field, None)
        else:
            submission[field] = draw(st.sampled_from(("other.form", "9.9.9", [], 3)))
    else:  # a section or area that is not an object
        section, area = place[0], place[1]
        junk = copy.deepcopy(draw(st.sampled_from((None, [], "x", 1))))
        if draw(st.booleans()):
            answers[section] = junk
        else:
            answers.setdefault(section, {})[area] = junk
    return kind


def _out_of_range(form: Form, question: Any) -> st.SearchStrategy[Any]:
    """A value of the right type that breaks a bound, an option list or a pattern."""
    kind = question.type
    if kind == "text":
        choices: list[Any] = ["x" * ((question.max_length or 10) + 1), "\n", "a\n", "!"]
        return st.sampled_from(choices)
    if kind in {"integer", "decimal"}:
        low = -(10**6) if question.min is None else question.min
        high = 10**6 if question.max is None else question.max
        return st.sampled_from([low - 1, high + 1, 2.5, low - 0.5, high + 0.5, 3.0])
    if kind == "date":
        edges = [
            (bound + dt.timedelta(days=step)).isoformat()
            for bound, step in ((question.min, -1), (question.max, 1))
            if isinstance(bound, dt.date) and dt.date(1, 1, 2) <= bound <= dt.date(9999, 12, 30)
        ]
        return st.sampled_from([*_BAD_DATES, *edges])
    if kind == "choice":
        return st.sampled_from(("not_an_option", "", "NOT"))
    if kind == "multi_choice":
        values = [option.value for option in form.options(question)]
        return st.sampled_from(
            (["not_an_option"], values * 3, [], [values[0], "not_an_option"], [None])
        )
    if kind == "group":
        return st.sampled_from(([], [{}] * 6, ["row"], [None], [{"unknown": 1}]))
    return st.sampled_from(("yes", 0, 1))  # boolean


def form_submissions(form: Form, status: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Valid submissions of ``form``, as parsed JSON, with unanswered questions left out or
    written as null, "" or [], and answers drawn near the values that conditions compare with.

    Unlike :func:`submissions`, questions are decided in the order their conditions need
    (across areas too), a disabled question's answer counts as unanswered, and one-of rules
    are met by any question of the rule that is enabled. Valid where the form allows it: a
    generated form may make a one-of rule impossible to meet, or a pattern longer than its
    ``max_length``; the built-in forms never do.
    """
    return _submission(_Named(form), status, 0)


def changed_submissions(
    form: Form, status: str | None = None, *, mutations: int = 3
) -> st.SearchStrategy[dict[str, Any]]:
    """Submissions of ``form`` with one to ``mutations`` changes: a removed or unanswered
    answer, a wrong type, a value out of range or options, an extra key, an answer to a
    disabled question, another status, a broken envelope or container. Mostly invalid."""
    return _submission(_Named(form), status, mutations)


# --- event sequences: the assessment lifecycle -----------------------------------------------
# (Appended as a section of its own; its imports sit here, with the strategies that use them.)

import kindbehoeften  # noqa: E402
from kindbehoeften import Event  # noqa: E402
from kindbehoeften._lifecycle.assessment import EVENT_KINDS, Assessment  # noqa: E402

__all__ += [
    "LIFECYCLE_KINDS",
    "assessments",
    "bad_stage_submissions",
    "decided",
    "event_times",
    "lifecycle_data",
    "lifecycle_texts",
    "stage_submissions",
]

LIFECYCLE_KINDS = EVENT_KINDS
_ID_ALPHABET = "abcXYZ019 -_/.:éøß€😀'\"\\#{}"
_STEP_FORMS = {
    "preliminary_decision": "triangle.preliminary",
    "full_assessment_completed": "triangle.full",
    "plan_adopted": "triangle.plan",
}
_OFFSETS = tuple(
    dt.timezone(dt.timedelta(minutes=minutes)) for minutes in (0, 60, 120, 330, -180, -570)
)


def _example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return document


def lifecycle_texts(*, free: bool = False) -> st.SearchStrategy[str]:
    """Opaque ids (case, actor, municipality) with quotes, backslashes and non-ASCII; with
    ``free``, free text (reasons) that may also hold newlines and tabs."""
    alphabet = _ID_ALPHABET + ("\n\t" if free else "")
    return st.text(alphabet=alphabet, min_size=1, max_size=12)


def decided(submission: Mapping[str, Any], value: str) -> dict[str, Any]:
    """A copy of a completed preliminary or full-assessment submission whose outcome (or
    decision) is the first option its form maps to ``value``, with the service it refers to
    answered exactly when the option refers to another service (its condition)."""
    form = kindbehoeften.load_form(submission["form"], submission["form_version"])
    field = "outcome" if form.stage == "preliminary" else "decision"
    mapping = form.step_mapping(field)
    assert mapping is not None
    option = next(option for option, mapped in mapping.values if mapped == value)
    document = copy.deepcopy(dict(submission))
    section, area, key = mapping.question.split(".")
    answers = document["answers"][section][area]
    answers[key] = option
    if option == "refer_other_service":
        answers["referred_to"] = "Child psychiatry"
    else:
        answers.pop("referred_to", None)
    return document


def stage_submissions(kind: str, value: str | None = None) -> st.SearchStrategy[Any]:
    """The valid example submission for a step that completes a stage, its outcome or
    decision set to ``value`` (see :func:`decided`): as a dict, as JSON text, or as UTF-8
    bytes."""
    document = _example(f"{_STEP_FORMS[kind]}.valid.json")
    if value is not None:
        document = decided(document, value)
    text = json.dumps(document, ensure_ascii=False)
    return st.sampled_from([document, text, text.encode("utf-8")]).map(copy.deepcopy)


def bad_stage_submissions(kind: str) -> st.SearchStrategy[Any]:
    """Submissions that cannot complete the step's stage: the invalid and draft examples of
    its form, the valid example of another stage's form, and things that are not JSON."""
    form = _STEP_FORMS[kind]
    others = [other for other in _STEP_FORMS.values() if other != form]
    documents: list[Any] = [
        _example(f"{form}.invalid.json"),
        _example(f"{form}.draft.json"),
        *(_example(f"{other}.valid.json") for other in others),
        b'{"form": ',
        "[]",
        {},
    ]
    return st.sampled_from(documents).map(copy.deepcopy)


def lifecycle_data(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    """Valid keyword data of ``Assessment.apply`` for the step ``kind`` (never report_received,
    which :meth:`Assessment.report` records)."""
    reporters = st.sampled_from(("professional", "parent", "child", "relative", "other"))
    if kind == "preliminary_decision":
        outcomes = st.sampled_from(
            ("close", "universal_support", "light_support", "refer_other_service")
            + ("open_full_assessment",) * 3  # the long way is the interesting one
        )
        return outcomes.flatmap(
            lambda outcome: st.fixed_dictionaries(
                {"outcome": st.just(outcome), "submission": stage_submissions(kind, outcome)}
            )
        )
    if kind == "full_assessment_completed":
        decisions = st.sampled_from(("no_measures", "support", "placement", "refer_other_service"))
        return decisions.flatmap(
            lambda decision: st.fixed_dictionaries(
                {"decision": st.just(decision), "submission": stage_submissions(kind, decision)}
            )
        )
    if kind == "plan_adopted":
        return st.fixed_dictionaries({"submission": stage_submissions(kind)})
    if kind == "extension_granted":
        return st.fixed_dictionaries(
            {
                "rule": identifiers(),
                "new_due_on": _dates(),
                "reason": lifecycle_texts(free=True),
            }
        )
    if kind == "closed":
        reasons = st.sampled_from(("no_concern", "referred", "support_ended", "moved", "other"))
        return st.fixed_dictionaries({"reason": reasons})
    if kind in {"reopened", "report_received"}:  # report_received: a report on an open case
        return st.one_of(
            st.fixed_dictionaries({"reporter": reporters, "anonymous": st.booleans()}),
            st.just({"reporter": "anonymous", "anonymous": True}),
        )
    if kind == "placement_started":
        kinds = st.sampled_from(("foster", "kinship", "residential", "other"))
        return st.fixed_dictionaries({"kind": kinds, "compulsory": st.booleans()})
    if kind == "court_application":
        return st.fixed_dictionaries({"kind": st.sampled_from(("court", "board"))})
    if kind == "decision_by_court":
        return st.fixed_dictionaries(
            {
                "kind": st.sampled_from(("court", "board")),
                "outcome": st.sampled_from(("granted", "refused")),
            }
        )
    if kind == "transferred":
        return st.fixed_dictionaries({"municipality": lifecycle_texts()})
    return st.just({})


def event_times(on: dt.date, after: dt.datetime | None) -> st.SearchStrategy[dt.datetime | None]:
    """``None``, or an aware instant on ``on`` (in one of a few UTC offsets, in whole minutes)
    that is not before ``after``."""

    def build(minute: int, zone: dt.tzinfo) -> dt.datetime:
        instant = dt.datetime.combine(on, dt.time(), zone) + dt.timedelta(minutes=minute)
        return instant if after is None or instant >= after else after.astimezone(zone)

    timed = st.builds(
        build, st.integers(min_value=0, max_value=24 * 60 - 1), st.sampled_from(_OFFSETS)
    )
    return st.one_of(st.none(), timed)


@st.composite
def assessments(draw: st.DrawFn, max_steps: int = 12) -> Assessment:
    """An assessment after a random walk of up to ``max_steps`` allowed steps, from a report
    with drawn case id, jurisdiction, reporter, municipality and times."""
    on = draw(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)))
    at = draw(event_times(on, None))
    reporter = draw(
        st.sampled_from(("professional", "parent", "child", "relative", "anonymous", "other"))
    )
    assessment = Assessment.report(
        case_id=draw(lifecycle_texts()),
        jurisdiction=draw(st.sampled_from(("SE", "DK", "NO", "FI", "GB-ENG", "NL"))),
        on=on,
        actor=draw(lifecycle_texts()),
        reporter=reporter,
        anonymous=True if reporter == "anonymous" else draw(st.booleans()),
        municipality=draw(st.none() | lifecycle_texts()),
        at=at,
    )
    last_at = at
    for _ in range(draw(st.integers(min_value=0, max_value=max_steps))):
        kind = draw(st.sampled_from(assessment.allowed_steps()))
        on += dt.timedelta(days=draw(st.integers(min_value=0, max_value=40)))
        at = draw(event_times(on, last_at))
        last_at = at or last_at
        data = draw(lifecycle_data(kind))
        actor = draw(lifecycle_texts())
        if kind == "extension_granted":
            # A stored history may hold any extension (another profile granted it); apply
            # checks one against today's profile, so the event is appended as replayed.
            last = assessment.events[-1]
            event = Event.create(
                seq=last.seq + 1, kind=kind, on=on, actor=actor, at=at, data=data, prev=last.hash
            )
            assessment = Assessment.from_events([*assessment.events, event])
        else:
            assessment = assessment.apply(kind, on, actor, at=at, **data)
    return assessment


# --- JSON-level mutations: the same bytes for every entry point ------------------------------
#
# One change to the JSON text of a document, chosen so that the library's one reader decides
# the verdict: either nothing changes in meaning (none, a byte-order mark), or the reader finds
# a problem (a duplicate key, a lone surrogate, NaN, nesting, bad UTF-8, too many digits, a cut).
# Whitespace is never changed: Assessment.from_json reads its text byte for byte on purpose.

__all__ += ["JSON_MUTATIONS", "json_text", "mutated_json"]

JSON_MUTATIONS = (
    "none",
    "bom",
    "duplicate_key",
    "lone_surrogate",
    "non_finite",
    "deep_lists",
    "bad_utf8",
    "many_digits",
    "truncated",
)
_MARK = "@@mutation-mark@@"


def json_text(document: Any) -> bytes:
    """A document as the library writes a history (``Assessment.to_json``): indented UTF-8."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _values(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every value below the top of a document, with its path (containers included)."""
    if isinstance(value, dict):
        items: Iterator[tuple[Any, Any]] = iter(value.items())
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, item in items:
        yield (*path, key), item
        yield from _values(item, (*path, key))


def _replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    copied = copy.deepcopy(document)
    holder = copied
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    return copied


@st.composite
def _mutated_json(draw: st.DrawFn, document: Any) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(JSON_MUTATIONS))
    values = list(_values(document))
    texts = [path for path, value in values if isinstance(value, str)]
    numbers = [
        path
        for path, value in values
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]
    scalars = [path for path, value in values if not isinstance(value, dict | list)]
    objects = [(), *(path for path, value in values if isinstance(value, dict) and value)]
    mark = json.dumps(_MARK).encode()
    if kind == "none":
        return kind, json_text(document)
    if kind == "bom":
        return kind, b"\xef\xbb\xbf" + json_text(document)
    if kind == "duplicate_key":
        path = draw(st.sampled_from(objects))
        holder = copy.deepcopy(document)
        target = holder
        for key in path:
            target = target[key]
        key = draw(st.sampled_from(sorted(target)))
        target[_MARK] = copy.deepcopy(target[key])  # the same value, under the key again
        return kind, json_text(holder).replace(mark, json.dumps(key).encode())
    if kind == "truncated":
        data = json_text(document)
        return kind, data[: draw(st.integers(min_value=0, max_value=data.rindex(b"}") - 1))]
    if kind in {"lone_surrogate", "bad_utf8"}:
        path = draw(st.sampled_from(texts))
        surrogate = draw(st.sampled_from((b'"\\ud800"', b'"x\\udfffy"', b'"\\udc00\\ud800"')))
        bad = draw(st.sampled_from((b'"\xff"', b'"x\xc3("', b'"\xed\xa0\x80"', b'"ab\x80"')))
        new = surrogate if kind == "lone_surrogate" else bad
    elif kind in {"non_finite", "many_digits"}:
        path = draw(st.sampled_from(numbers or scalars))
        if kind == "non_finite":
            new = draw(st.sampled_from((b"NaN", b"Infinity", b"-Infinity")))
        else:
            new = draw(st.sampled_from((b"1", b"9", b"-7"))) + b"0" * 4_999
    else:  # deep_lists
        path = draw(st.sampled_from([path for path, _ in values]))
        new = b"[" * 40 + b"]" * 40
    return kind, json_text(_replaced(document, path, _MARK)).replace(mark, new)


def mutated_json(document: Any) -> st.SearchStrategy[tuple[str, bytes]]:
    """The JSON text of ``document`` (a valid submission, history or record) with one of
    :data:`JSON_MUTATIONS` applied, as ``(mutation, bytes)``: a byte-order mark, a key given
    twice with the same value, a text replaced by a lone surrogate escape or by invalid UTF-8,
    a number (or, where there is none, another scalar) replaced by NaN / Infinity or by a
    5,000-digit number, a value replaced by 40 nested lists, or the text cut short before
    its last ``}``. ``none`` is the text as :meth:`Assessment.to_json` writes it."""
    return _mutated_json(document)


# --- realistic free text, for the fast path ------------------------------------------------

# What case workers write: colons after a time or a name, quoted speech, punctuation,
# non-ASCII letters, escapes; and texts made to look like JSON (a key, a colon, a brace).
_PUNCTUATED = (
    "Mila said: ",
    'she said "no": ',
    "At 10:30, ",
    ' "x": 1, ',
    '{"a": ',
    ": ",
    "\\",
    '\\":',
    "Ærø, Göteborg, Łódź \u2013 ",
    "😀 ",
    "\t\n",
    "“quoted”: ",
    "plain words ",
)


def punctuated_texts(max_parts: int = 6) -> st.SearchStrategy[str]:
    """Free text of the kind that fills answers: colons, quotes, braces, non-ASCII, escapes."""
    return st.lists(st.sampled_from(_PUNCTUATED), min_size=1, max_size=max_parts).map("".join)


@st.composite
def _punctuated_submissions(draw: st.DrawFn, form: Form) -> dict[str, Any]:
    document = draw(_submissions(form, None))
    for section in form.sections:
        for area in section.areas:
            answers = document["answers"].get(section.id, {}).get(area.id)
            if not answers:
                continue
            for question in area.questions:
                text = answers.get(question.id)
                limit = question.max_length or 4000
                if question.type == "text" and text and not question.pattern:
                    answers[question.id] = draw(punctuated_texts())[:limit] or text
    return document


def punctuated_submissions(form: Form) -> st.SearchStrategy[dict[str, Any]]:
    """Valid submissions of ``form`` whose free texts hold colons, quotes, braces, escapes
    and non-ASCII letters (the texts that a colon count would mistake for keys)."""
    return _punctuated_submissions(form)
