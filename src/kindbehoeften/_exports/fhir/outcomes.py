"""A validation report, or the problems of a resource, as a FHIR ``OperationOutcome``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..._core.model import Form, Question
from ..._core.report import ValidationReport
from ..._forms.catalog import find_form
from ...errors import (
    InvalidResourceError,
    UnknownFormError,
)
from .enable_when import string_literal

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
_INDEX = re.compile(r"[0-9]+")  # ASCII digits: str.isdigit() takes "²" and "٣" too


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
    expression += f".where(linkId = {string_literal(tokens[1])})"
    if len(tokens) == 2:
        return expression
    prefix = f"{tokens[1]}.{tokens[2]}"
    expression += f".item.where(linkId = {string_literal(prefix)})"
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
        expression += f".item.where(linkId = {string_literal(prefix)})"
        question = next((item for item in questions if item.id == key), None)
        if not rest:
            break
        index, rest = rest[0], rest[1:]
        if not _INDEX.fullmatch(index):  # a key under a question that is not a group
            expression += f".item.where(linkId = {string_literal(f'{prefix}.{index}')})"
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
        if _INDEX.fullmatch(token):
            expression += f"[{token}]"
        elif token.startswith("value") and _NAME.fullmatch(token):
            expression += ".value"  # FHIRPath names a choice element without its type
        elif _NAME.fullmatch(token):
            expression += f".{token}"
        else:  # a delimited identifier: a backtick or a backslash in it is escaped
            escaped = token.replace("\\", "\\\\").replace("`", "\\`")
            expression += f".`{escaped}`"
    return expression
