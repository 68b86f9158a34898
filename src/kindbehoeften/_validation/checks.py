"""The checks of one validation run: the checkers of each question type (its type, then its
bounds), and the check of a container (an area, or the row of a group) with its unknown keys,
conditions, disabled answers, required answers and one-of rules, in the order of the answers."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from .._core.answers import is_answered
from .._core.conditions import Path
from .._core.jsonread import escape_token
from .._core.limits import MAX_ISSUES
from .._core.model import Form, Question
from .._core.patterns import matcher
from .._core.report import Issue
from .._core.vocab import iso_date
from .messages import issue, unknown

if TYPE_CHECKING:
    from .validator import Validator

_token: Final = escape_token


class TooMany(Exception):
    """Raised by :class:`Issues` when a report is full: the work stops there."""


class Issues(list[Issue]):
    """The issues of one run, at most :data:`MAX_ISSUES`."""

    def append(self, item: Issue) -> None:
        if len(self) >= MAX_ISSUES:
            raise TooMany
        super().append(item)


class Run:
    """One validation: the plan, the whole answers, the status, and the issues found."""

    __slots__ = ("_areas", "_born", "completed", "fast_checked", "found", "plan", "root", "today")

    def __init__(
        self,
        plan: Validator,
        root: Mapping[str, Any],
        completed: bool,
        found: Issues,
        today: dt.date | None = None,
        born: dt.date | None = None,
        fast_checked: bool = False,
    ) -> None:
        self.found = found
        # the fast filter accepted the answers (or, on the careful path, the area being
        # checked): types, bounds, unknown keys and the answers required without a condition
        # are known to be right, in the rows of groups too
        self.fast_checked = fast_checked
        self.plan = plan
        self.root = root
        self.completed = completed
        self.today = today
        self._born = born
        self._areas: dict[Path, dict[str, bool]] | None = None

    def areas(self) -> dict[Path, dict[str, bool]]:
        """Which conditional questions of the areas are enabled (decided once per run)."""
        if self._areas is None:
            self._areas = self.plan.enablement.areas(self.root)
        return self._areas

    def born(self) -> dt.date | None:
        """The child's date of birth: as the caller gave it, else the form's birth question."""
        if self._born is None:
            self._born = birth_answer(self.plan.form, self.root)
        return self._born


Check = Callable[[Any, str, Run], bool]  # value, pointer, run -> whether the type fits


@dataclass(frozen=True, slots=True)
class QuestionPlan:
    id: str
    label: str
    required: bool
    check: Check
    conditional: bool
    recheck: bool  # what the filters cannot decide: bounds of dates, rows of groups


@dataclass(slots=True)
class ContainerPlan:
    """An area, or the row of a group: its questions by id, and its one-of rules."""

    path: Path  # (section, area), or (section, area, group, ...) for a group's rows
    where: tuple[str, str]  # for messages: ("area", "health"), ("row", "goals")
    questions: dict[str, QuestionPlan]
    unconditional_required: tuple[str, ...]
    conditional: tuple[QuestionPlan, ...]
    # per rule: the question ids, their labels, and their keys (section.area[.group].question)
    one_of: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...]
    rechecks: tuple[QuestionPlan, ...]  # checked in Python even after the fast filter
    is_row: bool = False

    def enabled(self, answers: Mapping[str, Any], run: Run) -> Mapping[str, bool]:
        """Whether each conditional question of this container is enabled by the answers, by
        question id (a question not listed is enabled)."""
        if not self.conditional:
            return NOTHING
        if self.is_row:
            return run.plan.enablement.rows(self.path, answers, run.root, run.areas())
        return run.areas().get(self.path, NOTHING)


NOTHING: Final[Mapping[str, bool]] = {}


def _wrong(pointer: str, run: Run, label: str, expected: str) -> bool:
    run.found.append(issue(pointer, "type", label=label, expected=expected))
    return False


def _text_checker(plan: Validator, question: Question, path: Path) -> Check:
    label, limit = question.label, question.max_length
    matches = None if question.pattern is None else matcher(question.pattern)

    def text(value: Any, pointer: str, run: Run) -> bool:
        if type(value) is not str:
            return _wrong(pointer, run, label, "text")
        if limit is not None and len(value) > limit:
            run.found.append(issue(pointer, "max_length", label=label, limit=limit))
        if matches is not None and value and not matches(value):
            run.found.append(issue(pointer, "pattern", label=label))
        return True

    return text


def _boolean_checker(plan: Validator, question: Question, path: Path) -> Check:
    label = question.label
    return lambda value, pointer, run: (
        type(value) is bool or _wrong(pointer, run, label, "true or false")
    )


def _number_checker(plan: Validator, question: Question, path: Path) -> Check:
    label, low, high = question.label, question.min, question.max
    whole = question.type == "integer"
    expected = "a whole number" if whole else "a number"

    def number(value: Any, pointer: str, run: Run) -> bool:
        kind = type(value)
        if kind is not int and not issubclass(kind, float):
            return _wrong(pointer, run, label, expected)
        if kind is not int and not math.isfinite(value):
            run.found.append(issue(pointer, "type", "not_finite", label=label))
            return False
        if whole and kind is not int and not value.is_integer():
            return _wrong(pointer, run, label, expected)
        if low is not None and value < low:
            run.found.append(issue(pointer, "min", label=label, limit=low))
        if high is not None and value > high:
            run.found.append(issue(pointer, "max", label=label, limit=high))
        return True

    return number


def _date_checker(plan: Validator, question: Question, path: Path) -> Check:
    label, earliest, latest = question.label, question.min, question.max

    def date(value: Any, pointer: str, run: Run) -> bool:
        if type(value) is not str:
            return _wrong(pointer, run, label, "a date written as YYYY-MM-DD")
        parsed = iso_date(value)
        if parsed is None:
            run.found.append(issue(pointer, "date", label=label))
            return False
        if earliest is not None:
            low = date_bound(earliest, run.today, run.born)
            if low is not None and parsed < low:
                run.found.append(_bound_issue(pointer, "min", earliest, low, label))
        if latest is not None:
            high = date_bound(latest, run.today, run.born)
            if high is not None and parsed > high:
                run.found.append(_bound_issue(pointer, "max", latest, high, label))
        return True

    return date


def _options(plan: Validator, question: Question) -> tuple[frozenset[str], str]:
    """A choice question's option values, as a set and as the list a message shows."""
    values = tuple(option.value for option in plan.form.options(question))
    return frozenset(values), ", ".join(values)


def _choice_checker(plan: Validator, question: Question, path: Path) -> Check:
    label = question.label
    allowed, listed = _options(plan, question)

    def choice(value: Any, pointer: str, run: Run) -> bool:
        if type(value) is not str:
            return _wrong(pointer, run, label, "one of its options, as text")
        if value not in allowed:
            run.found.append(issue(pointer, "choice", label=label, options=listed))
            return False
        return True

    return choice


def _multi_checker(plan: Validator, question: Question, path: Path) -> Check:
    label = question.label
    allowed, listed = _options(plan, question)
    fewest, most = question.min_items, question.max_items

    def multi(value: Any, pointer: str, run: Run) -> bool:
        if type(value) is not list:
            return _wrong(pointer, run, label, "a list of its options")
        for index, item in enumerate(value):
            if type(item) is not str or item not in allowed:
                run.found.append(issue(f"{pointer}/{index}", "choice", label=label, options=listed))
        _count(value, fewest, most, label, pointer, run)
        return True

    return multi


def _group_checker(plan: Validator, question: Question, path: Path) -> Check:
    label = question.label
    rows = plan._container(path, ("row", question.id), question.questions, is_row=True)
    fewest, most = question.min_items, question.max_items

    def group(value: Any, pointer: str, run: Run) -> bool:
        if type(value) is not list:
            return _wrong(pointer, run, label, "a list of rows")
        _count(value, fewest, most, label, pointer, run)
        accepts = None  # the row filter, unless the rows are known right already
        if not run.fast_checked:
            filters = plan.filters
            chosen = filters.containers_completed if run.completed else filters.containers_draft
            accepts = chosen[path].isinstance_python
        for index, row in enumerate(value):
            where = f"{pointer}/{index}"
            if type(row) is not dict:
                _wrong(where, run, label, "a list of rows, each an object")
            elif accepts is None:
                check_container(rows, row, where, run, fast_checked=True)
            elif accepts(row):  # checked as on the fast path, and so are its own groups
                run.fast_checked = True
                try:
                    check_container(rows, row, where, run, fast_checked=True)
                finally:
                    run.fast_checked = False
            else:
                check_container(rows, row, where, run)
        return True

    return group


CHECKERS: Final[dict[str, Callable[[Validator, Question, Path], Check]]] = {
    "text": _text_checker,
    "boolean": _boolean_checker,
    "integer": _number_checker,
    "decimal": _number_checker,
    "date": _date_checker,
    "choice": _choice_checker,
    "multi_choice": _multi_checker,
    "group": _group_checker,
}


def _count(
    value: list[Any], fewest: int | None, most: int | None, label: str, pointer: str, run: Run
) -> None:
    if fewest is not None and len(value) < fewest:
        run.found.append(issue(pointer, "min_items", label=label, limit=fewest))
    if most is not None and len(value) > most:
        run.found.append(issue(pointer, "max_items", label=label, limit=most))


def date_bound(
    bound: Any, today: dt.date | None, born: Callable[[], dt.date | None]
) -> dt.date | None:
    """A date bound on a run: a fixed date, ``today``, or the child's birth (``born()``,
    asked only for that bound); None where the day is not known."""
    if bound == "today":
        return today
    if bound == "birth":
        return born()
    return bound if isinstance(bound, dt.date) else None


def birth_answer(form: Form, answers: Mapping[str, Any]) -> dt.date | None:
    """The child's date of birth as the form's birth question holds it, if a valid date."""
    if form.birth_date is None:
        return None
    section, area, key = form.birth_date.split(".")
    return iso_date(child(child(answers, section), area).get(key))


def _bound_issue(
    pointer: str, code: Literal["min", "max"], bound: Any, day: dt.date, label: str
) -> Issue:
    if bound == "birth":  # the date of birth is personal data: the message does not show it
        return issue(pointer, code, "before_birth", label=label)
    template = f"{code}_today" if bound == "today" else code
    return issue(pointer, code, template, label=label, limit=day.isoformat())


def child(mapping: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = mapping.get(key)
    return value if type(value) is dict else {}


def check_container(
    container: ContainerPlan,
    answers: Mapping[str, Any],
    pointer: str,
    run: Run,
    *,
    fast_checked: bool = False,
) -> None:
    """Types and bounds of every answer, then conditions, then what is required. After the fast
    filter accepted, only what it cannot decide: rechecks, conditions and one-of rules."""
    questions = container.questions
    if not fast_checked:
        for key, value in answers.items():
            plan = questions.get(key)
            if plan is None:
                run.found.append(unknown(f"{pointer}/{_token(key)}", key, *container.where))
            elif value is not None:
                plan.check(value, f"{pointer}/{key}", run)
    elif len(container.rechecks) == 1:
        plan = container.rechecks[0]
        value = answers.get(plan.id)
        if value is not None:
            plan.check(value, f"{pointer}/{plan.id}", run)
    elif container.rechecks:  # in the order of the answers, as the checks above go
        for key, value in answers.items():
            plan = questions[key]
            if plan.recheck and value is not None:
                plan.check(value, f"{pointer}/{key}", run)
    enabled = container.enabled(answers, run)
    for plan in container.conditional:
        if enabled.get(plan.id, True):
            if run.completed and plan.required and not is_answered(answers.get(plan.id)):
                run.found.append(issue(f"{pointer}/{plan.id}", "required", label=plan.label))
        elif is_answered(answers.get(plan.id)):
            run.found.append(issue(f"{pointer}/{plan.id}", "disabled", label=plan.label))
    if not run.completed:
        return
    for key in () if fast_checked else container.unconditional_required:
        if not is_answered(answers.get(key)):
            run.found.append(issue(f"{pointer}/{key}", "required", label=questions[key].label))
    for ids, labels, keys in container.one_of:
        if not any(enabled.get(key, True) and is_answered(answers.get(key)) for key in ids):
            found = issue(f"{pointer}/{ids[0]}", "one_of_required", labels=labels, keys=keys)
            run.found.append(found)
