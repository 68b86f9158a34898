"""A valid submission (a draft too) as a FHIR R4 ``QuestionnaireResponse``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from ..._core.answers import is_answered
from ..._core.jsonread import plain, read
from ..._core.model import Form, Question
from ..._forms.catalog import find_form
from ..._validation.validator import validate
from ...errors import (
    InvalidArgumentError,
    InvalidSubmissionError,
)
from .vocabulary import (
    ANSWER_TYPES,
    INT32,
    Path,
    options_system,
    questionnaire_url,
)

_PURPOSE = "become a QuestionnaireResponse"


class _OutOfRange(Exception):
    """A whole number that FHIR's 32-bit integer cannot hold; the pointer says where."""

    def __init__(self, pointer: str, code: str) -> None:
        self.pointer = pointer
        self.code = code
        super().__init__(
            f"the answer at {pointer} is a whole number outside FHIR's integer range (32-bit, "
            "-2147483648 to 2147483647); FHIR R4 cannot hold it as an integer. Give the "
            "question min and max within that range, so that validation refuses such answers"
        )


def questionnaire_response(
    submission: dict[str, Any] | bytes | str,
    *,
    form: Form | None = None,
    authored: dt.datetime | None = None,
) -> dict[str, Any]:
    """A valid submission (completed, or a draft) as a FHIR R4 ``QuestionnaireResponse``
    (JSON-ready) to :func:`questionnaire` of its form.

    The form is the one the submission names (looked up in the catalog) unless ``form`` is
    given. Only answered questions appear; a group's rows are repeated items with the
    group's linkId. ``authored`` (timezone-aware) is written as given: the library reads no
    clock; a naive one raises :class:`~kindbehoeften.errors.InvalidArgumentError`.

    A submission that is not valid raises
    :class:`~kindbehoeften.errors.InvalidSubmissionError` naming the number of issues and
    their codes (``kindbehoeften.validate`` says where), never an answer; so does a whole
    number beyond FHIR's 32-bit integer, naming its pointer (code ``max`` or ``min``).
    """
    if authored is not None and authored.utcoffset() is None:
        raise InvalidArgumentError(
            "authored",
            "authored must be timezone-aware, e.g. datetime.now(timezone.utc); "
            "a naive time has no place on the time line",
        )
    report = validate(submission, form=form)
    if not report.ok:
        raise InvalidSubmissionError(report, _PURPOSE)
    document = _parsed(submission)
    if form is None:
        form = find_form(str(document["form"]), str(document["form_version"]))
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{questionnaire_url(form)}|{form.version}",
        "status": "completed" if document["status"] == "completed" else "in-progress",
    }
    if authored is not None:
        response["authored"] = authored.isoformat()
    answers = document["answers"]
    sections = []
    for section in form.sections:
        given = _mapping(answers.get(section.id))
        areas = []
        for area in section.areas:
            prefix = (section.id, area.id)
            pointer = f"/answers/{section.id}/{area.id}"
            given_area = _mapping(given.get(area.id))
            try:
                items = _response_items(form, prefix, pointer, area.questions, given_area)
            except _OutOfRange as error:
                raise InvalidSubmissionError(
                    report, _PURPOSE, [(error.pointer, error.code)], str(error)
                ) from None
            if items:
                areas.append({"linkId": ".".join(prefix), "text": area.label, "item": items})
        if areas:
            sections.append({"linkId": section.id, "text": section.label, "item": areas})
    if sections:
        response["item"] = sections
    return response


def _parsed(submission: dict[str, Any] | bytes | str) -> dict[str, Any]:
    """A valid submission as plain JSON data (the reader found nothing in it)."""
    found = plain(submission) if isinstance(submission, dict) else read(submission)
    document: dict[str, Any] = found.document
    return document


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _response_items(
    form: Form,
    prefix: Path,
    pointer: str,
    questions: Sequence[Question],
    answers: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """The items of answered questions; ``pointer`` is the container's JSON Pointer."""
    items: list[dict[str, Any]] = []
    for question in questions:
        value: Any = answers.get(question.id)
        if not is_answered(value):
            continue
        path = (*prefix, question.id)
        link_id = ".".join(path)
        here = f"{pointer}/{question.id}"
        if question.type == "group":
            for number, row in enumerate(value):
                # An empty row is kept as a bare instance: the rows are counted (min_items).
                item: dict[str, Any] = {"linkId": link_id, "text": question.label}
                children = _response_items(form, path, f"{here}/{number}", question.questions, row)
                if children:
                    item["item"] = children
                items.append(item)
            continue
        values = value if question.type == "multi_choice" else [value]
        answer = [_answer(form, path, here, question, one) for one in values]
        items.append({"linkId": link_id, "text": question.label, "answer": answer})
    return items


def _answer(form: Form, path: Path, pointer: str, question: Question, value: Any) -> dict[str, Any]:
    kind = question.type
    if kind in {"choice", "multi_choice"}:
        option = next(option for option in form.options(question) if option.value == value)
        system = options_system(form, path, question)
        coding = {"system": system, "code": value, "display": option.label}
        return {"valueCoding": coding}
    if kind == "integer":
        whole = int(value)  # 3.0 is a whole number too
        if not INT32[0] <= whole <= INT32[1]:
            raise _OutOfRange(pointer, "max" if whole > 0 else "min")
        return {"valueInteger": whole}
    return {f"value{ANSWER_TYPES[kind]}": value}
