"""The words of a validation report: each message, its parameters, and its translations.

Messages are marked for ``pybabel extract`` (the context is the message's stable key, e.g.
``validation.required``). An issue is made in English with its parameters kept
(:func:`issue`); :func:`localized` renders a report again in another language, with the
form's own labels translated. Parameters name fields, keys (cut at 100 characters) and
limits, never the content of an answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .._core.jsonread import Problem, escape_token
from .._core.limits import quoted
from .._core.model import Form
from .._core.report import Issue, ValidationReport
from .._core.vocab import IssueCode
from .._i18n import Text, npgettext, pgettext, render, translate

__all__ = ["from_problem", "issue", "labels_of", "localized", "unknown"]

# The messages, marked for ``pybabel extract``; the context is the message's stable key.
_MESSAGES: dict[str, Text] = {
    "json_syntax": pgettext(
        "validation.json_syntax",
        "The submission is not valid JSON: {reason} (line {line}, column {column}).",
    ),
    "json_encoding": pgettext(
        "validation.json_encoding", "The submission is not valid UTF-8 text (byte {position})."
    ),
    "json_number": pgettext(
        "validation.json_number", "The submission holds a number with too many digits to read."
    ),
    "duplicate_key": pgettext(
        "validation.duplicate_key", "The key {key!r} appears more than once in this object."
    ),
    "too_large": npgettext(
        "validation.too_large",
        "The submission is larger than {limit} byte.",
        "The submission is larger than {limit} bytes.",
    ),
    "too_deep": npgettext(
        "validation.too_deep",
        "The submission is nested more than {limit} level deep.",
        "The submission is nested more than {limit} levels deep.",
    ),
    "not_an_object": pgettext("validation.not_an_object", "The submission must be a JSON object."),
    "unknown_form": pgettext(
        "validation.unknown_form", "Unknown form {form!r}; known forms: {known}."
    ),
    "form_mismatch": pgettext(
        "validation.form_mismatch",
        "The submission names form {form!r}, but is checked against {expected!r}.",
    ),
    "unknown_version": pgettext(
        "validation.unknown_version",
        "Form {form!r} has no version {version!r}; known versions: {known}.",
    ),
    "unknown_field": pgettext("validation.unknown_field", "{field!r} is not a field of {where}."),
    "required": pgettext("validation.required", '"{label}" needs an answer.'),
    "required_field": pgettext("validation.required_field", "The field {field!r} is required."),
    "type": pgettext("validation.type", '"{label}" must be {expected}.'),
    "choice": pgettext("validation.choice", '"{label}" must be one of: {options}.'),
    "min": pgettext("validation.min", '"{label}" must be at least {limit}.'),
    "max": pgettext("validation.max", '"{label}" must be at most {limit}.'),
    "min_today": pgettext("validation.min_today", '"{label}" must not be before today ({limit}).'),
    "max_today": pgettext(
        "validation.max_today", '"{label}" must not be in the future (after {limit}).'
    ),
    "before_birth": pgettext(
        "validation.before_birth", '"{label}" must not be before the child\'s date of birth.'
    ),
    "max_length": npgettext(
        "validation.max_length",
        '"{label}" may have at most {limit} character.',
        '"{label}" may have at most {limit} characters.',
    ),
    "pattern": pgettext("validation.pattern", '"{label}" does not have the expected form.'),
    "date": pgettext("validation.date", '"{label}" must be a date written as YYYY-MM-DD.'),
    "min_items": npgettext(
        "validation.min_items",
        '"{label}" needs at least {limit} item.',
        '"{label}" needs at least {limit} items.',
    ),
    "max_items": npgettext(
        "validation.max_items",
        '"{label}" may have at most {limit} item.',
        '"{label}" may have at most {limit} items.',
    ),
    "disabled": pgettext(
        "validation.disabled", '"{label}" must not be answered: its condition does not hold.'
    ),
    "one_of_required": pgettext(
        "validation.one_of_required", "At least one of these needs an answer: {labels}."
    ),
    "not_finite": pgettext("validation.not_finite", '"{label}" must be a finite number.'),
    "key_type": pgettext(
        "validation.key_type", "The keys of an object must be text; this one is not."
    ),
    "too_many_issues": pgettext(
        "validation.too_many_issues",
        "There are more than {limit} issues; only the first {limit} are listed. Fix these "
        "and validate again.",
    ),
    "surrogate": pgettext(
        "validation.surrogate",
        "This text holds a lone surrogate (\\ud800-\\udfff), which is not valid Unicode.",
    ),
}

# What a value must be (the ``expected`` of a ``type`` issue), by its English text.
_EXPECTED: dict[str, Text] = {
    text.singular: text
    for text in (
        pgettext("validation.expected.text", "text"),
        pgettext("validation.expected.boolean", "true or false"),
        pgettext("validation.expected.integer", "a whole number"),
        pgettext("validation.expected.number", "a number"),
        pgettext("validation.expected.date", "a date written as YYYY-MM-DD"),
        pgettext("validation.expected.choice", "one of its options, as text"),
        pgettext("validation.expected.multi_choice", "a list of its options"),
        pgettext("validation.expected.group", "a list of rows"),
        pgettext("validation.expected.row", "a list of rows, each an object"),
        pgettext("validation.expected.object", "an object"),
        pgettext("validation.expected.form", "a form id, as text"),
        pgettext("validation.expected.version", "a version, as text"),
    )
}

# Where an unknown field was found (the ``where`` of an ``unknown_field`` issue).
_WHERE: dict[str, Text] = {
    "submission": pgettext("validation.where.submission", "the submission"),
    "form": pgettext("validation.where.form", "form {name!r}"),
    "section": pgettext("validation.where.section", "section {name!r}"),
    "area": pgettext("validation.where.area", "area {name!r}"),
    "row": pgettext("validation.where.row", "a row of {name!r}"),
}


def issue(pointer: str, code: IssueCode, template: str | None = None, **params: Any) -> Issue:
    """An error issue in English; :func:`localized` renders it again in another language."""
    message_id = template or code
    text = _MESSAGES[message_id]
    english = text.plural if text.plural is not None and params.get("limit") != 1 else None
    message = (english or text.singular).format(**params)
    return Issue(pointer, code, message, "error", params, message_id)


def unknown(pointer: str, key: str, kind: str, name: str = "") -> Issue:
    """``unknown_field``: ``key`` is not a field of the ``kind`` (``form``, ``area``, ...)
    named ``name``; both are quoted at most 100 characters long."""
    name = quoted(name)
    where = _WHERE[kind].singular.format(name=name)
    field = quoted(escape_token(key))
    return issue(pointer, "unknown_field", field=field, where=where, kind=kind, name=name)


def from_problem(problem: Problem) -> Issue:
    """The issue of a problem that the JSON reader found."""
    return issue(problem.pointer, problem.code, problem.message_id, **problem.params)


def labels_of(form: Form) -> dict[str, str]:
    """The English label of every section, area and question of ``form``, by its dotted key
    (``child_needs.health.assessment``): what :func:`localized` translates."""
    labels = {".".join(path): question.label for path, question in form.questions()}
    for section in form.sections:
        labels[section.id] = section.label
        for area in section.areas:
            labels[f"{section.id}.{area.id}"] = area.label
    return labels


def localized(
    report: ValidationReport,
    form: Form | None,
    language: str,
    labels: Mapping[str, str] | None = None,
) -> ValidationReport:
    """``report`` with its messages, and the labels in them, in ``language``; ``labels`` are
    :func:`labels_of` the form (a compiled validator keeps them)."""
    contexts: tuple[str, ...] = ()
    if form is not None:
        contexts = (form.id,) if form.base is None else (form.id, form.base.id)
        labels = labels_of(form) if labels is None else labels
    labels = labels or {}

    def label(key: str, english: str) -> str:
        return translate(contexts, f"{key}.label", labels.get(key, english), language)

    issues = []
    for item in report.issues:
        params = dict(item.params)
        if "label" in params and item.pointer.startswith("/answers/"):
            parts = [part for part in item.pointer.split("/")[2:] if not part.isdigit()]
            params["label"] = label(".".join(parts), params["label"])
        if "keys" in params:
            params["labels"] = ", ".join(f'"{label(key, key)}"' for key in params["keys"])
        if isinstance(params.get("expected"), str) and params["expected"] in _EXPECTED:
            params["expected"] = render(_EXPECTED[params["expected"]], language)
        if "kind" in params and params["kind"] in _WHERE:
            params["where"] = render(_WHERE[params["kind"]], language, name=params["name"])
        limit = params.get("limit")
        count = limit if isinstance(limit, int) else None
        text = _MESSAGES.get(item.message_id)
        message = item.message if text is None else render(text, language, count, **params)
        issues.append(replace(item, message=message))
    return replace(report, issues=tuple(issues))
