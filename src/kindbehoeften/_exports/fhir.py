"""FHIR R4: a form as a ``Questionnaire``, and a submission as a ``QuestionnaireResponse``.

Both functions return JSON-ready dictionaries (FHIR R4 JSON); they read no clock and no
network. ``docs/fhir.md`` is the integrator's description of the mapping, with the exact list
of what FHIR reads differently and what is not expressed.

- :func:`questionnaire`: sections and areas become ``group`` items, questions become items
  whose ``linkId`` is their dotted path (``section.area.question``, in a repeating group
  ``section.area.group.question``). Conditions become ``enableWhen`` where FHIR's operators
  say exactly what the library means, and the SDC ``enableWhenExpression`` (FHIRPath)
  otherwise. Every text carries the standard ``translation`` extension for the other
  languages.
- :func:`questionnaire_response`: a valid submission (a draft too) as a response to that
  questionnaire, holding the answered questions only.
- :func:`submission_from_fhir`: such a response read back into the submission (exporting it
  again gives the same resource); what cannot be read is an
  :class:`~kindbehoeften.errors.InvalidResourceError`.
- :func:`operation_outcome`, :func:`resource_outcome`: a validation report, or the problems of
  a resource, as an ``OperationOutcome`` (the service's ``$validate`` answers with them).

>>> import kindbehoeften
>>> form = kindbehoeften.load_form("triangle.preliminary")
>>> q = questionnaire(form)
>>> q["url"], q["version"], q["name"]
('urn:kindbehoeften:form:triangle.preliminary', '1.0.0', 'TrianglePreliminary')
>>> report = q["item"][0]["item"][0]
>>> name = next(i for i in report["item"] if i["linkId"] == "intake.report.reporter_name")
>>> name["type"], name["maxLength"], name["required"] if "required" in name else False
('string', 200, False)
>>> [(w["question"], w["operator"], w["answerCoding"]["code"]) for w in name["enableWhen"]]
[('intake.report.reporter_kind', '!=', 'anonymous')]
>>> response = questionnaire_response({
...     "form": "triangle.preliminary", "form_version": "1.0.0", "status": "in_progress",
...     "answers": {"intake": {"report": {"reporter_kind": "anonymous"}}}})
>>> response["questionnaire"], response["status"]
('urn:kindbehoeften:form:triangle.preliminary|1.0.0', 'in-progress')
>>> answer = response["item"][0]["item"][0]["item"][0]
>>> answer["linkId"], answer["answer"][0]["valueCoding"]["code"]
('intake.report.reporter_kind', 'anonymous')
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .._core.answers import is_answered
from .._core.conditions import fold
from .._core.jsonread import Foreign, NonFinite, Problem, escape_token, plain, read
from .._core.limits import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_DEPTH, quoted
from .._core.model import Area, Comparison, Condition, Form, Question
from .._core.report import ValidationReport
from .._core.vocab import is_form_id
from .._forms.catalog import find_form
from .._i18n import LOCALES, localize, negotiate
from .._validation.messages import from_problem
from .._validation.validator import validate
from ..errors import (
    InvalidArgumentError,
    InvalidResourceError,
    InvalidSubmissionError,
    UnknownFormError,
)

__all__ = [
    "ENABLE_WHEN_EXPRESSION",
    "FORM_URL_PREFIX",
    "ISSUE_CODE_SYSTEM",
    "OPTIONS_SYSTEM_PREFIX",
    "SENSITIVITY_EXTENSION",
    "operation_outcome",
    "questionnaire",
    "questionnaire_response",
    "questionnaire_url",
    "resource_outcome",
    "submission_from_fhir",
]

FORM_URL_PREFIX = "urn:kindbehoeften:form:"
OPTIONS_SYSTEM_PREFIX = "urn:kindbehoeften:options:"
SENSITIVITY_EXTENSION = "urn:kindbehoeften:sensitivity"
ENABLE_WHEN_EXPRESSION = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
)

_TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
_ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
_ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
_MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
_MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
_MIN_OCCURS = "http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs"
_MAX_OCCURS = "http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs"
_REGEX = "http://hl7.org/fhir/StructureDefinition/regex"
_VARIABLE = "http://hl7.org/fhir/StructureDefinition/variable"
_ROW = "row"  # the FHIRPath variable (%row) that names the current row of a repeating group

_INT32 = (-(2**31), 2**31 - 1)  # FHIR's integer is 32-bit
_TYPES = {
    "text": "string",
    "boolean": "boolean",
    "integer": "integer",
    "decimal": "decimal",
    "date": "date",
    "choice": "choice",
    "multi_choice": "choice",
    "group": "group",
}
_ANSWER = {
    "text": "String",
    "boolean": "Boolean",
    "integer": "Integer",
    "decimal": "Decimal",
    "date": "Date",
    "choice": "Coding",
    "multi_choice": "Coding",
}
_ORDER = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
# "not gt" is "le, or unanswered" (an unanswered question compares with nothing).
_COMPLEMENT = {"gt": "<=", "ge": "<", "lt": ">=", "le": ">"}

Path = tuple[str, ...]
Languages = Sequence[tuple[str, Form]]  # (language code, the form in that language)


# --- the Questionnaire ------------------------------------------------------------------------


def questionnaire(form: Form, *, locales: Sequence[str] = LOCALES) -> dict[str, Any]:
    """``form`` as a FHIR R4 ``Questionnaire`` (JSON-ready), in English with translations into
    ``locales`` (default: every shipped language).

    The canonical ``url`` is ``urn:kindbehoeften:form:<form id>`` and ``version`` the form's
    version, so that a response names ``url|version``. ``required`` is the form's stage's;
    conditions become ``enableWhen`` where FHIR says exactly the same, else an SDC
    ``enableWhenExpression``. An unknown locale raises
    :class:`~kindbehoeften.errors.UnknownLocaleError`.
    """
    languages: list[tuple[str, Form]] = []
    for locale in locales:
        language = negotiate(locale)
        if language != "en" and language not in {code for code, _ in languages}:
            languages.append((language, localize(form, language)))
    builder = _Builder(form, languages)
    result: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "language": "en",
        "url": questionnaire_url(form),
        "version": form.version,
        "name": "".join(part.capitalize() for part in re.split(r"[._]", form.id) if part),
        "title": form.title,
    }
    _translated(result, "title", form.title, [(code, alt.title) for code, alt in languages])
    result["status"] = "active"
    if form.description:
        result["description"] = form.description
        _translated(
            result,
            "description",
            form.description,
            [(code, alt.description or "") for code, alt in languages],
        )
    items = builder.sections()
    if items:
        result["item"] = items
    return result


def questionnaire_url(form: Form) -> str:
    """The canonical URL of a form's questionnaire: ``urn:kindbehoeften:form:<form id>``."""
    return FORM_URL_PREFIX + form.id


def _translated(
    element: dict[str, Any], name: str, english: str, texts: Sequence[tuple[str, str]]
) -> None:
    """Add the translation extension to the primitive ``name`` of ``element`` (``_name``),
    one per language whose text differs from the English."""
    extensions = [
        {
            "url": _TRANSLATION,
            "extension": [
                {"url": "lang", "valueCode": code},
                {"url": "content", "valueString": text},
            ],
        }
        for code, text in texts
        if text and text != english
    ]
    if extensions:
        element[f"_{name}"] = {"extension": extensions}


class _Builder:
    """Walks a form and its translations in step (``localize`` keeps the structure)."""

    def __init__(self, form: Form, languages: Languages) -> None:
        self.form = form
        self.languages = languages
        self.index: dict[Path, Question] = dict(form.questions())

    def sections(self) -> list[dict[str, Any]]:
        items = []
        for number, section in enumerate(self.form.sections):
            alts = [(code, alt.sections[number]) for code, alt in self.languages]
            areas = []
            for place, area in enumerate(section.areas):
                item = self.area(section.id, area, [(c, s.areas[place]) for c, s in alts])
                if item is not None:
                    areas.append(item)
            if not areas:  # FHIR: a group holds items (que-1); an empty section says nothing
                continue
            group = self.group(section.id, section.label, section.help, alts, areas)
            if any(area.get("required") for area in areas):
                group["required"] = True
            items.append(group)
        return items

    def area(
        self, section_id: str, area: Area, alts: Sequence[tuple[str, Area]]
    ) -> dict[str, Any] | None:
        if not area.questions:
            return None
        prefix = (section_id, area.id)
        children, _ = self.questions(prefix, area.questions, [(c, a.questions) for c, a in alts])
        group = self.group(".".join(prefix), area.label, area.help, alts, children)
        # A required question in a group that is not required may be left out with its group
        # (FHIR R5 says so outright): the area is required when it holds one that always is.
        if any(
            question.when is None and question.is_required(self.form.stage)
            for question in area.questions
        ):
            group["required"] = True
        return group

    def group(
        self,
        link_id: str,
        label: str,
        help_text: str | None,
        alts: Sequence[tuple[str, Any]],
        children: list[dict[str, Any]],
    ) -> dict[str, Any]:
        item: dict[str, Any] = {"linkId": link_id, "text": label}
        _translated(item, "text", label, [(code, alt.label) for code, alt in alts])
        item["type"] = "group"
        help_item = self.help(link_id, help_text, alts)
        item["item"] = [help_item, *children] if help_item else children
        return item

    def help(
        self, link_id: str, text: str | None, alts: Sequence[tuple[str, Any]]
    ) -> dict[str, Any] | None:
        """Help text as FHIR's standard help: a child ``display`` item with itemControl help."""
        if not text:
            return None
        item: dict[str, Any] = {
            "extension": [
                {
                    "url": _ITEM_CONTROL,
                    "valueCodeableConcept": {
                        "coding": [
                            {
                                "system": _ITEM_CONTROL_SYSTEM,
                                "code": "help",
                                "display": "Help-Button",
                            }
                        ]
                    },
                }
            ],
            "linkId": f"{link_id}:help",  # ':' never occurs in an id, so this never collides
            "text": text,
        }
        _translated(item, "text", text, [(code, alt.help or "") for code, alt in alts])
        item["type"] = "display"
        return item

    def questions(
        self,
        prefix: Path,
        questions: Sequence[Question],
        alts: Sequence[tuple[str, Sequence[Question]]],
    ) -> tuple[list[dict[str, Any]], bool]:
        """The items of sibling questions, and whether a condition among them reads ``%row``."""
        items, uses_row = [], False
        for number, question in enumerate(questions):
            item, row = self.question(
                prefix, question, [(code, alt[number]) for code, alt in alts], questions
            )
            items.append(item)
            uses_row = uses_row or row
        return items, uses_row

    def question(
        self,
        prefix: Path,
        question: Question,
        alts: Sequence[tuple[str, Question]],
        siblings: Sequence[Question],
    ) -> tuple[dict[str, Any], bool]:
        path = (*prefix, question.id)
        link_id = ".".join(path)
        item: dict[str, Any] = {}
        extensions: list[dict[str, Any]] = []
        if question.sensitivity != "none":
            extensions.append({"url": SENSITIVITY_EXTENSION, "valueCode": question.sensitivity})
        item["linkId"] = link_id
        item["text"] = question.label
        _translated(item, "text", question.label, [(code, alt.label) for code, alt in alts])
        kind = question.type
        item["type"] = "text" if kind == "text" and question.multiline else _TYPES[kind]
        uses_row = False
        if question.when is not None:
            mapped = _Conditions(self, prefix, question.id, siblings).map(question.when)
            if isinstance(mapped, str):
                extensions.append(
                    {
                        "url": ENABLE_WHEN_EXPRESSION,
                        "valueExpression": {"language": "text/fhirpath", "expression": mapped},
                    }
                )
                uses_row = f"%{_ROW}." in mapped
            else:
                behavior, enable_when = mapped
                item["enableWhen"] = enable_when
                if len(enable_when) > 1:
                    item["enableBehavior"] = behavior
        if question.is_required(self.form.stage):
            item["required"] = True
        if kind in {"multi_choice", "group"}:
            item["repeats"] = True
            if question.min_items and question.min_items > 1 and item.get("required"):
                extensions.append({"url": _MIN_OCCURS, "valueInteger": question.min_items})
            if question.max_items is not None:
                extensions.append({"url": _MAX_OCCURS, "valueInteger": question.max_items})
        if kind == "text":
            if question.max_length is not None:
                item["maxLength"] = question.max_length
            if question.pattern:
                extensions.append({"url": _REGEX, "valueString": question.pattern})
        extensions.extend(_bounds(question))
        if kind in {"choice", "multi_choice"}:
            item["answerOption"] = self.options(path, question, alts)
        children: list[dict[str, Any]] = []
        help_item = self.help(link_id, question.help, alts)
        if help_item:
            children.append(help_item)
        if kind == "group":
            rows, row_used = self.questions(
                path, question.questions, [(code, alt.questions) for code, alt in alts]
            )
            children.extend(rows)
            if row_used:  # %row is this group's response item: the row being filled in
                extensions.append(
                    {
                        "url": _VARIABLE,
                        "valueExpression": {
                            "name": _ROW,
                            "language": "text/fhirpath",
                            "expression": "%context",
                        },
                    }
                )
        if children:
            item["item"] = children
        if extensions:
            item = {"extension": extensions, **item}
        return item, uses_row

    def options(
        self, path: Path, question: Question, alts: Sequence[tuple[str, Question]]
    ) -> list[dict[str, Any]]:
        system = _system(self.form, path, question)
        translated = [
            (code, alt_form.options(alt))
            for (code, alt), (_, alt_form) in zip(alts, self.languages, strict=True)
        ]
        result = []
        for number, option in enumerate(self.form.options(question)):
            coding: dict[str, Any] = {
                "system": system,
                "code": option.value,
                "display": option.label,
            }
            _translated(
                coding,
                "display",
                option.label,
                [(code, options[number].label) for code, options in translated],
            )
            result.append({"valueCoding": coding})
        return result


def _system(form: Form, path: Path, question: Question) -> str:
    """The code system of a question's options: its shared list's, or its own."""
    owner = question.options if isinstance(question.options, str) else ".".join(path)
    return f"{OPTIONS_SYSTEM_PREFIX}{form.id}:{owner}"


def _bounds(question: Question) -> Iterator[dict[str, Any]]:
    """minValue / maxValue for fixed bounds; "today" and "birth" cannot be written in R4."""
    for url, bound, low in ((_MIN_VALUE, question.min, True), (_MAX_VALUE, question.max, False)):
        if bound is None or isinstance(bound, str):
            continue
        if question.type == "date" and isinstance(bound, dt.date):
            yield {"url": url, "valueDate": bound.isoformat()}
        elif question.type == "integer" and isinstance(bound, int | float):
            whole = math.ceil(bound) if low else math.floor(bound)
            if _INT32[0] <= whole <= _INT32[1]:
                yield {"url": url, "valueInteger": whole}
        elif question.type == "decimal" and isinstance(bound, int | float):
            yield {"url": url, "valueDecimal": bound}


# --- conditions -------------------------------------------------------------------------------

Behavior = Literal["all", "any"]


@dataclass(frozen=True)
class _Flat:
    """A condition as one level of enableWhen entries joined by ``behavior``."""

    behavior: Behavior
    entries: tuple[dict[str, Any], ...]

    def joins(self, behavior: Behavior) -> bool:
        return len(self.entries) == 1 or self.behavior == behavior


_Both = tuple[_Flat | None, _Flat | None]  # a condition as it is, and negated


class _Conditions:
    """Maps a question's condition: to ``(behavior, enableWhen)`` where FHIR's enableWhen says
    exactly what the library does, else to a FHIRPath expression (a ``str``)."""

    def __init__(
        self, builder: _Builder, container: Path, owner: str, siblings: Sequence[Question]
    ) -> None:
        self.builder = builder
        self.container = container
        self.in_row = len(container) > 2
        self.position = {question.id: number for number, question in enumerate(siblings)}
        self.owner = owner

    def map(self, condition: Condition) -> tuple[Behavior, list[dict[str, Any]]] | str:
        flat = self.flat(condition)
        if flat is None:
            return self.expression(condition)
        return flat.behavior, list(flat.entries)

    def target(self, comparison: Comparison) -> tuple[Path, Question, bool]:
        """The question a comparison names, its path, and whether it is a sibling in a row."""
        parts = tuple(comparison.question.split("."))
        path = (*self.container, parts[0]) if len(parts) == 1 else parts
        return path, self.builder.index[path], self.in_row and len(parts) == 1

    # enableWhen

    def flat(self, condition: Condition) -> _Flat | None:
        """De Morgan down to the comparisons, then one level of all / any, or None. One walk
        gives each node both ways, as it is and negated, so that a ``not`` only swaps them."""

        def join(parts: list[_Flat | None], behavior: Behavior) -> _Flat | None:
            entries: list[dict[str, Any]] = []
            for part in parts:
                if part is None or not part.joins(behavior):
                    return None
                entries.extend(part.entries)
            return _Flat(behavior, tuple(entries))

        def both(behavior: Behavior, other: Behavior) -> Callable[[list[_Both]], _Both]:
            return lambda parts: (
                join([part[0] for part in parts], behavior),
                join([part[1] for part in parts], other),
            )

        result: _Both = fold(
            condition,
            comparison=lambda leaf: (
                self.comparison(leaf, negated=False),
                self.comparison(leaf, negated=True),
            ),
            all_=both("all", "any"),
            any_=both("any", "all"),
            not_=lambda part: (part[1], part[0]),
        )
        return result[0]

    def comparison(self, comparison: Comparison, negated: bool) -> _Flat | None:
        path, target, sibling = self.target(comparison)
        if target.type == "group":
            return None  # a group has no answers to test: 'exists' would always be false
        if sibling and self.position[target.id] > self.position[self.owner]:
            # FHIR resolves a linkId that repeats to the nearest occurrence on the ancestor,
            # then the preceding axis: a later question of the same row is found in the row
            # before. The expression reads the row itself.
            return None
        link_id = ".".join(path)
        operator, value = comparison.operator, comparison.value
        if operator == "answered":
            wanted = (value is not False) != negated
            return _Flat(
                "all", ({"question": link_id, "operator": "exists", "answerBoolean": wanted},)
            )

        def entry(fhir_operator: str, expected: Any) -> dict[str, Any] | None:
            answer = _enable_answer(self.builder.form, path, target, expected)
            if answer is None:
                return None
            return {"question": link_id, "operator": fhir_operator, **answer}

        built: list[dict[str, Any] | None]
        if operator in _ORDER:
            if not negated:
                built = [entry(_ORDER[operator], value)]
                behavior: Behavior = "all"
            else:  # not gt: le, or no answer at all
                built = [
                    entry(_COMPLEMENT[operator], value),
                    {"question": link_id, "operator": "exists", "answerBoolean": False},
                ]
                behavior = "any"
        else:
            values = value if isinstance(value, tuple) else (value,)
            positive = operator in {"equals", "in", "contains"}
            if positive != negated:  # some answer is one of the values
                built = [entry("=", expected) for expected in values]
                behavior = "any"
            else:  # no answer is any of them ('!=' holds for an unanswered question)
                built = [entry("!=", expected) for expected in values]
                behavior = "all"
        if any(item is None for item in built):
            return None
        return _Flat(behavior, tuple(item for item in built if item is not None))

    # enableWhenExpression

    def expression(self, condition: Condition) -> str:
        return fold(
            condition,
            comparison=self.leaf_expression,
            all_=lambda parts: " and ".join(f"({part})" for part in parts),
            any_=lambda parts: " or ".join(f"({part})" for part in parts),
            not_=lambda part: f"({part}).not()",
        )

    def leaf_expression(self, condition: Comparison) -> str:
        path, target, sibling = self.target(condition)
        where = f"%{_ROW}.item" if sibling else "%resource.repeat(item)"
        items = f"{where}.where(linkId = {_literal('.'.join(path))})"
        operator, value = condition.operator, condition.value
        if operator == "answered":
            found = f"{items}.exists()" if target.type == "group" else f"{items}.answer.exists()"
            return found if value is not False else f"{found}.not()"
        coded = target.type in {"choice", "multi_choice"}
        subject = "code" if coded else "$this"
        values = value if isinstance(value, tuple) else (value,)
        if operator in _ORDER:
            test = f"$this {_ORDER[operator]} {_value_literal(target, value)}"
        else:
            test = " or ".join(
                f"{subject} = {_value_literal(target, expected)}" for expected in values
            )
        found = f"{items}.answer.value.where({test}).exists()"
        return f"{found}.not()" if operator in {"not_equals", "not_in"} else found


def _enable_answer(
    form: Form, path: Path, target: Question, expected: Any
) -> dict[str, Any] | None:
    """The ``answer[x]`` of an enableWhen comparing ``target`` with ``expected``."""
    kind = target.type
    if kind in {"choice", "multi_choice"}:
        return {"answerCoding": {"system": _system(form, path, target), "code": expected}}
    if kind == "integer":
        if isinstance(expected, bool) or not isinstance(expected, int):
            return None
        return {"answerInteger": expected} if _INT32[0] <= expected <= _INT32[1] else None
    if kind == "decimal":
        return {"answerDecimal": expected}
    if expected == "":  # FHIR has no empty strings; no answer equals "" (it is unanswered)
        return None
    return {f"answer{_ANSWER[kind]}": expected}


def _literal(text: str) -> str:
    """A FHIRPath string literal."""
    escaped = []
    for char in text:
        if char in {"'", "\\"}:
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return "'" + "".join(escaped) + "'"


def _value_literal(target: Question, value: Any) -> str:
    """A condition's value as a FHIRPath literal of the target's type."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(decimal.Decimal(repr(value)), "f")  # FHIRPath has no exponents
    if target.type == "date":
        return f"@{value}"
    return _literal(str(value))


# --- the QuestionnaireResponse ----------------------------------------------------------------

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
        coding = {"system": _system(form, path, question), "code": value, "display": option.label}
        return {"valueCoding": coding}
    if kind == "integer":
        whole = int(value)  # 3.0 is a whole number too
        if not _INT32[0] <= whole <= _INT32[1]:
            raise _OutOfRange(pointer, "max" if whole > 0 else "min")
        return {"valueInteger": whole}
    return {f"value{_ANSWER[kind]}": value}


# --- back from FHIR: a QuestionnaireResponse as a submission ----------------------------------

_STATUSES = {"completed": "completed", "in-progress": "in_progress"}
# What an item or an answer may hold besides what is read; the rest is refused, since a
# reader that skipped it could change what the answers mean (modifierExtension above all).
_ITEM_IGNORED = frozenset({"id", "extension", "text", "definition"})
_ANSWER_IGNORED = frozenset({"id", "extension"})
_MAX_PROBLEMS = 100


class _Problems:
    """The problems found in a resource, each with its pointer, code and sentence; at most
    :data:`_MAX_PROBLEMS`, so that no resource makes the list grow without bound."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str, str]] = []

    def add(self, pointer: str, code: str, message: str) -> None:
        if len(self.found) < _MAX_PROBLEMS:
            self.found.append((pointer, code, message))

    def error(self) -> InvalidResourceError:
        return InvalidResourceError(
            [(pointer, code) for pointer, code, _ in self.found],
            [message for _, _, message in self.found],
        )


def submission_from_fhir(
    questionnaire_response: dict[str, Any] | bytes | str, *, form: Form | None = None
) -> dict[str, Any]:
    """A FHIR R4 ``QuestionnaireResponse``, as :func:`questionnaire_response` writes it, read
    back into a submission: exporting the submission again gives the same resource.

    ``questionnaire`` (``urn:kindbehoeften:form:<id>|<version>``) names exactly one form
    version, looked up by id in the catalog (never a path), or ``form`` when given (then the
    response must name that form and version). ``status`` ``completed`` and ``in-progress``
    become ``completed`` and ``in_progress``; each item becomes the answer of the question
    with its linkId: ``valueCoding.code`` for a choice, the value itself otherwise, a
    repeating group's items its rows. Elements that carry no answer (``id``, ``meta``,
    ``subject``, ``authored``, ``text``, ``extension``...) are left out.

    The answers are not judged here: ``kindbehoeften.validate`` says whether the submission
    is valid, with the same codes and pointers as for any submission. What cannot be read as
    a submission raises :class:`~kindbehoeften.errors.InvalidResourceError` with every
    problem as a pointer into the resource and a code (never a value): text that is not JSON
    (``json_syntax``, ``duplicate_key``, ``too_large``, ``too_deep``), another resource
    (``resource_type``), a questionnaire that is not in the catalog (``unknown_form``,
    ``unknown_version``), a linkId that the form has not at that place (``unknown_item``), a
    value the item's type does not take or an element of the wrong JSON type (``type``), a
    question answered twice that does not repeat (``repeated``), an element that would change
    the meaning and is not read (``unknown_field``), a status other than those two
    (``status``), a coding of another code system (``system``), or something missing
    (``required``).

    >>> import kindbehoeften
    >>> draft = {"form": "triangle.preliminary", "form_version": "1.0.0",
    ...          "status": "in_progress",
    ...          "answers": {"intake": {"report": {"reporter_kind": "school"}}}}
    >>> submission_from_fhir(questionnaire_response(draft)) == draft
    True
    """
    problems = _Problems()
    document = _resource_document(questionnaire_response, problems)
    if type(document) is not dict:
        if not problems.found:
            problems.add("", "not_an_object", "the resource is not a JSON object")
        raise problems.error()
    kind = document.get("resourceType")
    if kind != "QuestionnaireResponse":
        if "resourceType" not in document:
            problems.add("/resourceType", "required", "resourceType is missing")
        else:
            problems.add(
                "/resourceType", "resource_type", "resourceType is not QuestionnaireResponse"
            )
        raise problems.error()
    for name in ("modifierExtension", "implicitRules"):
        if name in document:
            problems.add(
                f"/{name}", "unknown_field", f"{name} is not read, and would change the meaning"
            )
    form = _resource_form(document.get("questionnaire"), form, problems)
    status = _resource_status(document, problems)
    if form is None:
        raise problems.error()
    reader = _ResponseReader(form, problems)
    answers = reader.sections(document.get("item"), "/item")
    if problems.found:
        raise problems.error()
    return {"form": form.id, "form_version": form.version, "status": status, "answers": answers}


def _resource_document(resource: dict[str, Any] | bytes | str, problems: _Problems) -> Any:
    """The resource as plain JSON data, read by the one strict reader, or None."""
    if isinstance(resource, dict):
        found = plain(resource, max_bytes=MAX_DOCUMENT_BYTES, max_depth=MAX_DOCUMENT_DEPTH)
        if found.complete:
            for pointer in _not_json(found.document):
                problems.add(pointer, "type", "a value that JSON cannot hold (NaN, an object)")
    elif isinstance(resource, bytes | str):
        found = read(
            resource, max_bytes=MAX_DOCUMENT_BYTES, max_depth=MAX_DOCUMENT_DEPTH, nonfinite=False
        )
    else:
        raise TypeError(
            f"questionnaire_response must be a dict, bytes or str, not {type(resource).__name__}"
        )
    for problem in found.problems:
        problems.add(problem.pointer, problem.code, _reader_message(problem))
    if not found.complete or found.problems:
        return None
    return found.document


def _reader_message(problem: Problem) -> str:
    """The sentence of a problem of the JSON reader: validation's own, but for NaN and
    Infinity, which only a reader that refuses them finds."""
    if problem.message_id == "json_constant":
        return "the resource holds NaN or Infinity, which JSON does not have"
    return from_problem(problem).message.replace("The submission", "The resource")


def _not_json(document: Any) -> Iterator[str]:
    """The pointers of the values of a plain copy that JSON cannot hold (NaN, Infinity, a
    caller's object): a submission made from a resource holds JSON only."""
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        value, pointer = stack.pop()
        if type(value) is dict:
            stack.extend((item, f"{pointer}/{escape_token(key)}") for key, item in value.items())
        elif type(value) is list:
            stack.extend((item, f"{pointer}/{number}") for number, item in enumerate(value))
        elif isinstance(value, Foreign | NonFinite):
            yield pointer


def _resource_form(canonical: Any, given: Form | None, problems: _Problems) -> Form | None:
    """The form version that ``questionnaire`` names: by id in the catalog, never a path."""
    pointer = "/questionnaire"
    if canonical is None:
        problems.add(pointer, "required", "questionnaire is missing: it names the form version")
        return None
    if type(canonical) is not str:
        problems.add(pointer, "type", "questionnaire must be text: url|version")
        return None
    url, bar, version = canonical.partition("|")
    form_id = url.removeprefix(FORM_URL_PREFIX)
    if not url.startswith(FORM_URL_PREFIX) or not is_form_id(form_id):
        problems.add(
            pointer,
            "unknown_form",
            f"questionnaire is not a form of kindbehoeften ({FORM_URL_PREFIX}<form id>|<version>)",
        )
        return None
    if not bar or not version:
        problems.add(pointer, "unknown_version", "questionnaire names no version: give url|version")
        return None
    if given is not None:
        if (given.id, given.version) == (form_id, version):
            return given
        problems.add(
            pointer,
            "unknown_form" if given.id != form_id else "unknown_version",
            f"questionnaire does not name the form given, {given.key}",
        )
        return None
    try:
        return find_form(form_id, version)
    except UnknownFormError as error:
        if error.versions:
            problems.add(
                pointer,
                "unknown_version",
                f"form {quoted(form_id)} has no such version; known versions: "
                f"{', '.join(error.versions)}",
            )
        else:
            problems.add(pointer, "unknown_form", f"no form {quoted(form_id)} in the catalog")
        return None


def _resource_status(document: Mapping[str, Any], problems: _Problems) -> str:
    status = document.get("status")
    if status is None:
        problems.add("/status", "required", "status is missing")
    elif type(status) is not str or status not in _STATUSES:
        problems.add(
            "/status", "status", "status must be completed or in-progress to be a submission"
        )
    else:
        return _STATUSES[status]
    return "in_progress"


class _ResponseReader:
    """Walks a response's items against the form: sections, areas, questions, rows."""

    def __init__(self, form: Form, problems: _Problems) -> None:
        self.form = form
        self.problems = problems

    def items(self, value: Any, pointer: str) -> list[tuple[str, dict[str, Any], str]]:
        """The items of an ``item`` list as (linkId, item, pointer); problems for the rest."""
        if value is None:
            return []
        if type(value) is not list:
            self.problems.add(pointer, "type", "item must be a list of items")
            return []
        found = []
        for number, item in enumerate(value):
            here = f"{pointer}/{number}"
            if type(item) is not dict:
                self.problems.add(here, "not_an_object", "an item must be a JSON object")
                continue
            link_id = item.get("linkId")
            if type(link_id) is not str:
                code = "required" if link_id is None else "type"
                self.problems.add(f"{here}/linkId", code, "an item needs its linkId, as text")
                continue
            for key in item:
                if key not in _ITEM_IGNORED and key not in {"linkId", "answer", "item"}:
                    self.problems.add(
                        f"{here}/{escape_token(key)}",
                        "unknown_field",
                        f"{quoted(escape_token(key))} is not read in an item",
                    )
            found.append((link_id, item, here))
        return found

    def unknown(self, pointer: str, link_id: str, parent: str) -> None:
        self.problems.add(
            f"{pointer}/linkId",
            "unknown_item",
            f"linkId {quoted(escape_token(link_id))!r} is not an item of {parent}",
        )

    def once(self, seen: set[str], link_id: str, pointer: str) -> bool:
        if link_id in seen:
            self.problems.add(
                f"{pointer}/linkId", "repeated", f"linkId {quoted(link_id)!r} is given twice"
            )
            return False
        seen.add(link_id)
        return True

    def no_answer(self, item: Mapping[str, Any], pointer: str) -> None:
        if "answer" in item:
            self.problems.add(f"{pointer}/answer", "unknown_field", "a group holds no answer")

    def sections(self, value: Any, pointer: str) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        sections = {section.id: section for section in self.form.sections}
        seen: set[str] = set()
        for link_id, item, here in self.items(value, pointer):
            section = sections.get(link_id)
            if section is None:
                self.unknown(here, link_id, f"form {self.form.key}")
                continue
            if not self.once(seen, link_id, here):
                continue
            self.no_answer(item, here)
            areas = {f"{section.id}.{area.id}": area for area in section.areas}
            found: dict[str, Any] = {}
            area_seen: set[str] = set()
            for area_link, area_item, area_here in self.items(item.get("item"), f"{here}/item"):
                area = areas.get(area_link)
                if area is None:
                    self.unknown(area_here, area_link, f"section {section.id}")
                    continue
                if not self.once(area_seen, area_link, area_here):
                    continue
                self.no_answer(area_item, area_here)
                given = self.questions(
                    (section.id, area.id), area.questions, area_item.get("item"), area_here
                )
                if given:
                    found[area.id] = given
            if found:
                answers[section.id] = found
        return answers

    def questions(
        self, prefix: Path, questions: Sequence[Question], value: Any, pointer: str
    ) -> dict[str, Any]:
        """The answers of one area or row: ``value`` is its ``item`` list."""
        by_link = {".".join((*prefix, question.id)): question for question in questions}
        answers: dict[str, Any] = {}
        seen: set[str] = set()
        for link_id, item, here in self.items(value, f"{pointer}/item"):
            question = by_link.get(link_id)
            if question is None:
                self.unknown(here, link_id, ".".join(prefix))
                continue
            path = (*prefix, question.id)
            if question.type == "group":
                self.no_answer(item, here)
                rows = answers.setdefault(question.id, [])
                rows.append(self.questions(path, question.questions, item.get("item"), here))
                continue
            if not self.once(seen, link_id, here):
                continue
            if "item" in item:
                self.problems.add(f"{here}/item", "unknown_field", "a question holds no items")
            values = self.answers(path, question, item.get("answer"), f"{here}/answer")
            if not values:  # no answer, or none that could be read (the problems say why)
                continue
            answers[question.id] = values if question.type == "multi_choice" else values[0]
        return answers

    def answers(self, path: Path, question: Question, value: Any, pointer: str) -> list[Any] | None:
        """The values of an item's ``answer`` list, or None when it has none."""
        if value is None or value == []:
            return None
        if type(value) is not list:
            self.problems.add(pointer, "type", "answer must be a list of answers")
            return None
        if question.type != "multi_choice" and len(value) > 1:
            self.problems.add(
                f"{pointer}/1", "repeated", f"{'.'.join(path)} takes one answer, not several"
            )
            return None
        wanted = f"value{_ANSWER[question.type]}"
        values = []
        for number, answer in enumerate(value):
            here = f"{pointer}/{number}"
            if type(answer) is not dict:
                self.problems.add(here, "not_an_object", "an answer must be a JSON object")
                continue
            given = [key for key in answer if key not in _ANSWER_IGNORED]
            if given != [wanted]:
                if wanted not in given and not any(key.startswith("value") for key in given):
                    self.problems.add(here, "required", f"the answer has no {wanted}")
                for key in given:
                    if key == wanted:
                        continue
                    code = "type" if key.startswith("value") else "unknown_field"
                    name = quoted(escape_token(key))
                    why = f"takes {wanted}, not {name}" if code == "type" else f"reads no {name}"
                    self.problems.add(
                        f"{here}/{escape_token(key)}",
                        code,
                        f"the answer of {'.'.join(path)} ({question.type}) {why}",
                    )
                continue
            values.append(self.value(path, question, answer[wanted], f"{here}/{wanted}"))
        return values

    def value(self, path: Path, question: Question, value: Any, pointer: str) -> Any:
        """An answer's value as the submission holds it: a coding's code, else the value."""
        if question.type not in {"choice", "multi_choice"}:
            return value
        if type(value) is not dict:
            self.problems.add(pointer, "type", "valueCoding must be a Coding (a JSON object)")
            return None
        system = value.get("system")
        if system is not None and system != _system(self.form, path, question):
            self.problems.add(
                f"{pointer}/system",
                "system",
                f"the coding is not of the options of {'.'.join(path)}",
            )
        if "code" not in value:
            self.problems.add(f"{pointer}/code", "required", "the coding has no code")
        return value.get("code")


# --- OperationOutcome: a report, or the problems of a resource, as FHIR issues ----------------

#: The code system of the library's issue codes in an OperationOutcome's ``details.coding``.
ISSUE_CODE_SYSTEM = "urn:kindbehoeften:issue-code"

# FHIR's IssueType (http://hl7.org/fhir/issue-type) of each code; "invalid" for the rest.
_ISSUE_TYPES = {
    "json_syntax": "structure",
    "duplicate_key": "structure",
    "not_an_object": "structure",
    "unknown_field": "structure",
    "unknown_item": "structure",
    "resource_type": "structure",
    "repeated": "structure",
    "too_large": "too-costly",
    "too_deep": "too-costly",
    "too_many_issues": "too-costly",
    "unknown_form": "not-found",
    "unknown_version": "not-found",
    "required": "required",
    "one_of_required": "required",
    "choice": "code-invalid",
    "system": "code-invalid",
    "status": "code-invalid",
    "type": "value",
    "min": "value",
    "max": "value",
    "max_length": "value",
    "pattern": "value",
    "date": "value",
    "min_items": "value",
    "max_items": "value",
    "disabled": "business-rule",
}
_ENVELOPE = {"form": "questionnaire", "form_version": "questionnaire", "status": "status"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def operation_outcome(report: ValidationReport, *, form: Form | None = None) -> dict[str, Any]:
    """A validation report of a submission read from a ``QuestionnaireResponse`` as a FHIR R4
    ``OperationOutcome``: one issue per issue of the report, each with the library's code in
    ``details.coding`` (system :data:`ISSUE_CODE_SYSTEM`) and its message in ``details.text``,
    the submission's JSON Pointer in ``location`` and, in ``expression``, a FHIRPath to the
    response's item by linkIds. A report without issues gives one ``information`` issue.

    ``form`` is the form the report was made with (else the one it names, from the catalog).
    """
    if form is None and report.form is not None and report.version is not None:
        try:
            form = find_form(report.form, report.version)
        except UnknownFormError:  # a form of the caller's own, not in the catalog
            form = None
    issues = [
        _outcome_issue(
            issue.severity,
            issue.code,
            issue.message,
            issue.pointer,
            _expression(issue.pointer, form),
        )
        for issue in report.issues
    ]
    return _outcome(issues)


def resource_outcome(error: InvalidResourceError) -> dict[str, Any]:
    """The problems of a resource that cannot be read as a submission, as a FHIR R4
    ``OperationOutcome``: codes as in :func:`operation_outcome`, ``location`` the JSON
    Pointer into the resource and ``expression`` the FHIRPath of the same place."""
    issues = [
        _outcome_issue("error", code, message, pointer, _resource_expression(pointer))
        for (pointer, code), message in zip(error.problems, error.messages, strict=True)
    ]
    return _outcome(issues)


def _outcome(issues: list[dict[str, Any]]) -> dict[str, Any]:
    if not issues:
        issues = [
            {
                "severity": "information",
                "code": "informational",
                "details": {"text": "no issues: the submission is valid"},
            }
        ]
    return {"resourceType": "OperationOutcome", "issue": issues}


def _outcome_issue(
    severity: str, code: str, message: str, pointer: str, expression: str
) -> dict[str, Any]:
    kind = "business-rule" if code.startswith("query.") else _ISSUE_TYPES.get(code, "invalid")
    issue: dict[str, Any] = {
        "severity": severity,
        "code": kind,
        "details": {
            "coding": [{"system": ISSUE_CODE_SYSTEM, "code": code}],
            "text": message or code,
        },
    }
    if pointer:  # FHIR has no empty strings: the whole document has no location
        issue["location"] = [pointer]
    issue["expression"] = [expression]
    return issue


def _tokens(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def _expression(pointer: str, form: Form | None) -> str:
    """The FHIRPath, by linkIds, of the item that a submission's pointer names."""
    tokens = _tokens(pointer)
    root = "QuestionnaireResponse"
    if not tokens:
        return root
    if tokens[0] != "answers":
        field = _ENVELOPE.get(tokens[0])
        return f"{root}.{field}" if field and len(tokens) == 1 else root
    expression = f"{root}.item"
    if len(tokens) == 1:
        return expression
    expression += f".where(linkId = {_literal(tokens[1])})"
    if len(tokens) == 2:
        return expression
    prefix = f"{tokens[1]}.{tokens[2]}"
    expression += f".item.where(linkId = {_literal(prefix)})"
    questions: Sequence[Question] = ()
    if form is not None:
        area = next(
            (
                area
                for section in form.sections
                if section.id == tokens[1]
                for area in section.areas
                if area.id == tokens[2]
            ),
            None,
        )
        questions = area.questions if area is not None else ()
    rest = tokens[3:]
    while rest:
        key, rest = rest[0], rest[1:]
        prefix = f"{prefix}.{key}"
        expression += f".item.where(linkId = {_literal(prefix)})"
        question = next((item for item in questions if item.id == key), None)
        if not rest:
            break
        index, rest = rest[0], rest[1:]
        if not index.isdigit():  # a key under a question that is not a group
            expression += f".item.where(linkId = {_literal(f'{prefix}.{index}')})"
            break
        if question is not None and question.type == "multi_choice":
            expression += f".answer[{index}]"
            break
        expression += f"[{index}]"  # a row of a repeating group
        questions = question.questions if question is not None else ()
    return expression


def _resource_expression(pointer: str) -> str:
    """The FHIRPath of the place that a JSON Pointer into a resource names."""
    expression = "QuestionnaireResponse"
    for token in _tokens(pointer):
        if token.isdigit():
            expression += f"[{token}]"
        elif token.startswith("value") and _NAME.fullmatch(token):
            expression += ".value"  # FHIRPath names a choice element without its type
        elif _NAME.fullmatch(token):
            expression += f".{token}"
        else:
            expression += f".`{token.replace('`', '')}`"
    return expression
