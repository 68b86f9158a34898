"""What is left to check of answers a filter accepted, settled in one flat pass."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._core.answers import is_answered
from .._core.vocab import iso_date
from .checks import NOTHING, ContainerPlan, birth_answer, date_bound

if TYPE_CHECKING:
    from .._core.model import Question
    from .validator import Validator


# What is left to check of a container (an area, or a group's row) whose answers a filter
# accepted: its path; per recheck its id, its bounds, and for a group the same of its rows;
# its conditional questions with whether each is required; its one-of rules.
Shape = tuple[
    tuple[str, ...],
    tuple[tuple[str, Any, Any, "Shape | None"], ...],
    tuple[tuple[str, bool], ...],
    tuple[tuple[str, ...], ...],
]


class Settled:
    """What is left to check of answers a filter accepted, flattened per area: the dated
    questions with their bounds, the rows of groups with theirs, the questions with a
    condition, the one-of rules. Its call says whether all of it holds, without a pointer or
    an issue made: then the semantic checks of :func:`check_container` would find nothing,
    and are skipped. It can only decline: at the first check that fails,
    :func:`check_container` runs and finds the issues, in its own order."""

    __slots__ = ("areas", "enablement", "form", "has_conditions")

    def __init__(self, plan: Validator) -> None:
        self.enablement = plan.enablement
        self.form = plan.form
        self.areas = tuple(
            (
                section_id,
                area_id,
                _shape(plan, container, plan.form.section(section_id).area(area_id).questions),
            )
            for section_id, area_id, container, _ in plan.semantic
        )
        self.has_conditions = any(_conditional(shape) for _, _, shape in self.areas)

    def __call__(
        self,
        answers: Mapping[str, Any],
        completed: bool,
        today: dt.date | None,
        born: dt.date | None,
    ) -> bool:
        """Whether the semantic checks of these (filter-accepted) answers find nothing."""
        enabled = self.enablement.areas(answers) if self.has_conditions else None

        def birth() -> dt.date | None:
            return born if born is not None else birth_answer(self.form, answers)

        for section_id, area_id, shape in self.areas:
            section = answers.get(section_id)
            area = section.get(area_id) if type(section) is dict else None
            if type(area) is not dict:
                area = NOTHING
            here = NOTHING if enabled is None or not shape[2] else enabled.get(shape[0], NOTHING)
            if not self._holds(shape, area, here, answers, enabled, completed, today, birth):
                return False
        return True

    def _holds(
        self,
        shape: Shape,
        values: Mapping[str, Any],
        here: Mapping[str, bool],
        answers: Mapping[str, Any],
        enabled: Mapping[tuple[str, ...], Mapping[str, bool]] | None,
        completed: bool,
        today: dt.date | None,
        birth: Callable[[], dt.date | None],
    ) -> bool:
        """Whether the answers of one container (``here``: which of its conditional
        questions are enabled) hold what is left to check of them."""
        _, dated, conditional, one_of = shape
        for key, earliest, latest, rows in dated:
            value = values.get(key)
            if value is None:
                continue
            if rows is not None:  # a group: each row, as its own container
                for row in value:
                    row_here = (
                        self.enablement.rows(rows[0], row, answers, enabled)
                        if rows[2] and enabled is not None  # with a condition, enabled is known
                        else NOTHING
                    )
                    if not self._holds(
                        rows, row, row_here, answers, enabled, completed, today, birth
                    ):
                        return False
                continue
            # the filter read the date already: it is parsed again only to be compared
            low = earliest if earliest is None else date_bound(earliest, today, birth)
            high = latest if latest is None else date_bound(latest, today, birth)
            if low is None and high is None:
                continue
            parsed = iso_date(value)
            if (
                parsed is None
                or (low is not None and parsed < low)
                or (high is not None and parsed > high)
            ):
                return False
        if not conditional and not (completed and one_of):
            return True
        for key, required in conditional:
            if here.get(key, True):
                if completed and required and not is_answered(values.get(key)):
                    return False
            elif is_answered(values.get(key)):
                return False
        if completed:
            for ids in one_of:
                for key in ids:
                    if here.get(key, True) and is_answered(values.get(key)):
                        break
                else:
                    return False
        return True


def _shape(plan: Validator, container: ContainerPlan, questions: Sequence[Question]) -> Shape:
    by_id = {question.id: question for question in questions}
    dated = []
    for item in container.rechecks:
        question = by_id[item.id]
        rows = None
        if question.type == "group":
            path = (*container.path, question.id)
            rows = _shape(plan, plan.containers[path], question.questions)
        dated.append((item.id, question.min, question.max, rows))
    return (
        container.path,
        tuple(dated),
        tuple((item.id, item.required) for item in container.conditional),
        tuple(ids for ids, _, _ in container.one_of),
    )


def _conditional(shape: Shape) -> bool:
    """Whether a container, or the rows of its groups, has a conditional question."""
    return bool(shape[2]) or any(rows is not None and _conditional(rows) for *_, rows in shape[1])
