"""What is left to check of answers a filter accepted, settled in one flat pass."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._core.answers import is_answered
from .._core.vocab import iso_date
from .checks import NOTHING, birth_answer, date_bound

if TYPE_CHECKING:
    from .validator import Validator


class Settled:
    """What is left to check of answers a filter accepted, flattened per area: the dated
    questions with their bounds, the questions with a condition, the one-of rules. Its call
    says whether all of it holds, without a pointer or an issue made: then the semantic
    checks of :func:`check_container` would find nothing, and are skipped. It can only
    decline: on anything it does not settle (an answered group whose rows need checks), or at
    the first check that fails, :func:`check_container` runs and finds the issues, in its own
    order."""

    __slots__ = ("areas", "enablement", "form", "has_conditions")

    def __init__(self, plan: Validator) -> None:
        self.enablement = plan.enablement
        self.form = plan.form
        areas = []
        for section_id, area_id, container, _ in plan.semantic:
            questions = {
                question.id: question
                for question in plan.form.section(section_id).area(area_id).questions
            }
            areas.append(
                (
                    section_id,
                    area_id,
                    # per recheck: its id, its bounds, and whether it is a group (settled only
                    # when it has no rows)
                    tuple(
                        (
                            item.id,
                            questions[item.id].min,
                            questions[item.id].max,
                            questions[item.id].type == "group",
                        )
                        for item in container.rechecks
                    ),
                    container.path,
                    tuple((item.id, item.required) for item in container.conditional),
                    tuple(ids for ids, _, _ in container.one_of),
                )
            )
        self.areas = tuple(areas)
        self.has_conditions = any(area[4] for area in self.areas)

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

        for section_id, area_id, dated, path, conditional, one_of in self.areas:
            section = answers.get(section_id)
            area = section.get(area_id) if type(section) is dict else None
            if type(area) is not dict:
                area = NOTHING
            for key, earliest, latest, group in dated:
                value = area.get(key)
                if value is None:
                    continue
                if group:
                    return False
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
                continue
            here = NOTHING if enabled is None or not conditional else enabled.get(path, NOTHING)
            for key, required in conditional:
                if here.get(key, True):
                    if completed and required and not is_answered(area.get(key)):
                        return False
                elif is_answered(area.get(key)):
                    return False
            if completed:
                for ids in one_of:
                    for key in ids:
                        if here.get(key, True) and is_answered(area.get(key)):
                            break
                    else:
                        return False
        return True
