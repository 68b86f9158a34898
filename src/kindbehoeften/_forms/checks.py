"""What a form's schema cannot say, checked on the typed form (files and Python alike).

Unique ids, option lists that resolve, conditions that name existing questions of a fitting
type with fitting values, no cycles among conditions (found in linear time, by the same
dependency order that evaluates them), ``min <= max``, and patterns that the linear-time
engine compiles. Every problem is collected, with the key path of the file it came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .._core.conditions import comparisons, dependency_order
from .._core.model import AllOf, AnyOf, Area, Comparison, Condition, Form, Not, Question
from .._core.patterns import PatternError, matcher
from .._core.tomllines import KeyPath
from .._core.vocab import DECISIONS, OUTCOMES, REPORTERS, iso_date
from .datafiles import Problems, in_file, json_type, short

__all__ = ["check_form", "explained"]

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
    form: Form, problems: Problems | None = None, *, origin: dict[KeyPath, KeyPath] | None = None
) -> None:
    """Check what the meta-schema cannot: raise :class:`FormDefinitionError` on any problem.

    ``origin`` maps key paths of the form to the key paths in the file that added them.
    """
    own = problems is None
    report = problems if problems is not None else Problems(f"<form {form.key}>")
    origin = origin or {}

    def add(keys: KeyPath, message: str) -> None:
        report.add(in_file(keys, origin), message)

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
            _check_outside_tests(place, add)
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
    _check_steps(form, by_path, add)
    if own:
        report.raise_if_any()


@contextmanager
def explained(form: Form) -> Iterator[None]:
    """Compile ``form`` inside this block: a form built in Python (``Form.from_dict``) skips
    the checks of a form file, and where a compiler meets what they refuse (an option list or
    a question that is not there, a pattern that is none) :func:`check_form` names every
    problem as :class:`FormDefinitionError`, not the KeyError or PatternError of the lookup.
    What the checks refuse but compiles (an ordered operator on text) is left to the
    compilers' fallbacks."""
    try:
        yield
    except (KeyError, PatternError):
        check_form(form)
        raise  # pragma: no cover - a lookup failed where the checks find nothing


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
            matcher(question.pattern)
        except PatternError as error:
            add(
                (*keys, "pattern"),
                f"cannot be used: {error}. Patterns are matched in linear time (the syntax of "
                "RE2 and Rust's regex: no backreferences, no look-around)",
            )
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
    pending: list[tuple[Condition, KeyPath]] = [(condition, keys)]
    while pending:
        node, where = pending.pop()
        if isinstance(node, AllOf | AnyOf):
            items = node.all if isinstance(node, AllOf) else node.any
            name = "all" if isinstance(node, AllOf) else "any"
            pending.extend(
                ((item, (*where, name, index)) for index, item in reversed(list(enumerate(items))))
            )
            continue
        if isinstance(node, Not):
            pending.append((node.not_, (*where, "not")))
            continue
        target = _resolve_reference(place, node, by_path)
        if isinstance(target, str):
            add((*where, "question"), target)
            continue
        targets.add(target.path)
        _check_comparison(form, target.question, node, where, add)


MAX_OUTSIDE_TESTS = 8


def _check_outside_tests(place: _Place, add: Add) -> None:
    """A condition of a group's row question may test at most 8 answers outside the row: the
    JSON Schema export writes one branch per combination of those tests."""
    if len(place.path) <= 3 or place.question.when is None:
        return
    outside = {
        (item.question, item.operator, repr(item.value))
        for item in comparisons(place.question.when)
        if "." in item.question
    }
    if len(outside) > MAX_OUTSIDE_TESTS:
        add(
            (*place.keys, "when"),
            f"tests {len(outside)} answers outside the row; a condition of a row question may "
            f"test at most {MAX_OUTSIDE_TESTS}: move the outside tests to the group's own "
            "condition",
        )


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
            return f"must be an option of {target.id!r}, not {json_type(value)}"
        if options is not None and value not in options:
            return f"{short(value)} is not an option of {target.id!r}: {', '.join(sorted(options))}"
        return None
    if kind == "boolean" and not isinstance(value, bool):
        return f"must be true or false for the boolean question {target.id!r}"
    if kind == "text" and not isinstance(value, str):
        return f"must be text for the text question {target.id!r}"
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return f"must be a whole number for the integer question {target.id!r}"
    if kind == "decimal" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"must be a number for the decimal question {target.id!r}"
    if kind == "date" and iso_date(value) is None:
        return f"must be an ISO date (YYYY-MM-DD) for the date question {target.id!r}"
    return None


def _check_cycles(
    dependencies: dict[QuestionPath, set[QuestionPath]],
    by_path: dict[QuestionPath, _Place],
    add: Add,
) -> None:
    """One problem per cycle among conditions, in linear time: the questions that no
    dependency order holds are on a cycle or lead to one; walking each once finds them."""
    graph = {node: sorted(targets) for node, targets in dependencies.items()}
    _, stuck = dependency_order(graph)
    covered: set[QuestionPath] = set()
    for start in sorted(stuck):
        trail: list[QuestionPath] = []
        place: dict[QuestionPath, int] = {}
        node = start
        while node not in covered and node not in place:
            place[node] = len(trail)
            trail.append(node)
            node = next(target for target in graph[node] if target in stuck)
        if node in place:  # a new cycle: report it from its first question
            cycle = trail[place[node] :]
            first = cycle.index(min(cycle))
            cycle = cycle[first:] + cycle[:first]
            names = " -> ".join(".".join(item) for item in [*cycle, cycle[0]])
            add((*by_path[cycle[0]].keys, "when"), f"conditions form a cycle: {names}")
        covered.update(trail)


def _check_one_of(area: Area, keys: KeyPath, add: Add) -> None:
    ids = {question.id for question in area.questions}
    for index, rule in enumerate(area.require_one_of):
        for position, question_id in enumerate(rule.questions):
            if question_id not in ids:
                add(
                    (*keys, "require_one_of", index, "questions", position),
                    f"no question {question_id!r} in area {area.id!r}",
                )


_STEP_VALUES = {"outcome": OUTCOMES, "decision": DECISIONS, "reporter": REPORTERS}


def _check_steps(form: Form, by_path: dict[QuestionPath, _Place], add: Add) -> None:
    """Each step mapping names a choice question of an area and maps every one of its
    options to a value of the step's vocabulary, once."""
    seen: set[str] = set()
    for index, mapping in enumerate(form.steps):
        keys: KeyPath = ("steps", index)
        if mapping.field in seen:
            add((*keys, "field"), f"the field {mapping.field!r} is mapped twice")
        seen.add(mapping.field)
        place = by_path.get(tuple(mapping.question.split(".")))
        if place is None or place.question.type != "choice" or not _resolves(form, place.question):
            add(
                (*keys, "question"),
                f"{mapping.question!r} is not a choice question of this form; name one as "
                "section.area.question",
            )
            continue
        options = [option.value for option in form.options(place.question)]
        given = dict(mapping.values)
        allowed = _STEP_VALUES[mapping.field]
        for option, value in mapping.values:
            if option not in options:
                add((*keys, "values", option), f"{option!r} is not an option of the question")
            elif value not in allowed:
                add(
                    (*keys, "values", option),
                    f"{short(value)} is not a value of {mapping.field}: {', '.join(allowed)}",
                )
        missing = [option for option in options if option not in given]
        if missing:
            add(
                (*keys, "values"),
                f"maps no {mapping.field} for the option(s) {', '.join(missing)}; map every "
                "option of the question",
            )
