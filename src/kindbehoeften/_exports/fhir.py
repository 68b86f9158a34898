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
from .._core.jsonread import plain, read
from .._core.model import Area, Comparison, Condition, Form, Question
from .._forms.catalog import find_form
from .._i18n import LOCALES, localize, negotiate
from .._validation.validator import validate
from ..errors import InvalidArgumentError, InvalidSubmissionError

__all__ = [
    "ENABLE_WHEN_EXPRESSION",
    "FORM_URL_PREFIX",
    "OPTIONS_SYSTEM_PREFIX",
    "SENSITIVITY_EXTENSION",
    "questionnaire",
    "questionnaire_response",
    "questionnaire_url",
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
