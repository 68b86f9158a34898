"""A form as a FHIR R4 ``Questionnaire``: items, options, bounds and translations."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Sequence
from typing import Any

from ..._core.model import Area, Form, Question, a_form
from ..._forms.checks import explained
from ..._i18n import LOCALES, localize, negotiate
from .enable_when import Conditions
from .vocabulary import (
    ENABLE_WHEN_EXPRESSION,
    INT32,
    ROW,
    SENSITIVITY_EXTENSION,
    Path,
    options_system,
    questionnaire_url,
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
Languages = Sequence[tuple[str, Form]]  # (language code, the form in that language)


def questionnaire(form: Form, *, locales: Sequence[str] = LOCALES) -> dict[str, Any]:
    """``form`` as a FHIR R4 ``Questionnaire`` (JSON-ready), in English with translations into
    ``locales`` (default: every shipped language).

    The canonical ``url`` is ``urn:kindbehoeften:form:<form id>`` and ``version`` the form's
    version, so that a response names ``url|version``. ``required`` is the form's stage's;
    conditions become ``enableWhen`` where FHIR says exactly the same, else an SDC
    ``enableWhenExpression``. An unknown locale raises
    :class:`~kindbehoeften.errors.UnknownLocaleError`.
    """
    form = a_form(form)
    with explained(form):  # a form built in Python may have skipped the checks of a file
        return _questionnaire(form, locales)


def _questionnaire(form: Form, locales: Sequence[str]) -> dict[str, Any]:
    languages: list[tuple[str, Form]] = []
    for locale in locales:
        language = negotiate(locale)
        if language != "en" and language not in {code for code, _ in languages}:
            languages.append((language, localize(form, language)))
    builder = Builder(form, languages)
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


class Builder:
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
            mapped = Conditions(self, prefix, question.id, siblings).map(question.when)
            if isinstance(mapped, str):
                extensions.append(
                    {
                        "url": ENABLE_WHEN_EXPRESSION,
                        "valueExpression": {"language": "text/fhirpath", "expression": mapped},
                    }
                )
                uses_row = f"%{ROW}." in mapped
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
                            "name": ROW,
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
        system = options_system(self.form, path, question)
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


def _bounds(question: Question) -> Iterator[dict[str, Any]]:
    """minValue / maxValue for fixed bounds; "today" and "birth" cannot be written in R4."""
    for url, bound, low in ((_MIN_VALUE, question.min, True), (_MAX_VALUE, question.max, False)):
        if bound is None or isinstance(bound, str):
            continue
        if question.type == "date" and isinstance(bound, dt.date):
            yield {"url": url, "valueDate": bound.isoformat()}
        elif question.type == "integer" and isinstance(bound, int | float):
            whole = math.ceil(bound) if low else math.floor(bound)
            if INT32[0] <= whole <= INT32[1]:
                yield {"url": url, "valueInteger": whole}
        elif question.type == "decimal" and isinstance(bound, int | float):
            yield {"url": url, "valueDecimal": bound}
