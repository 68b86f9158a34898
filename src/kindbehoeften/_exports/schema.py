"""Exports of a form: a JSON Schema (Draft 2020-12) for its submissions.

:func:`json_schema` describes the submissions of one form at one status, so that integrators
can check a submission with any JSON Schema validator before (or instead of) calling
:func:`kindbehoeften.validate`. The schema says what ``validate`` says, as far as JSON Schema
can say it:

- the envelope: ``form`` and ``form_version`` (constants), ``status`` (the constant the schema
  was made for) and ``answers``; no other key;
- answers nested as section -> area -> question, and groups as arrays of row objects, every
  object closed (``additionalProperties: false``);
- each question's type and bounds: ``maxLength`` and an anchored ``pattern`` for text,
  ``minimum``/``maximum`` for numbers, ``enum`` for choices, ``minItems``/``maxItems`` for lists
  and groups, ``format: date`` and a ``YYYY-MM-DD`` pattern for dates; ``null`` is accepted
  wherever an answer may be left out, since it counts as unanswered;
- for ``completed``: every answer required at the form's stage (``required``, narrowed to
  answered values: not ``null``, ``""`` or ``[]``), and each one-of rule as an ``anyOf``;
- conditions, as ``if``/``then``/``else``: while a condition holds, a required question must be
  answered (completed only); while it does not, the question must be unanswered, in drafts too.
  Each condition is written once, over the raw answers: ``validate`` lets a condition see a
  disabled question as unanswered, but since the schema requires every disabled question to
  be unanswered, the raw answers are what conditions see in every submission it accepts, so
  the verdicts agree (and the schema grows linearly with the form, however conditions chain).
  Conditions that name questions of other areas sit on the nearest object holding both. A
  question in a group row whose condition names questions outside the row is split on each
  outside test's truth value (``if`` it holds ``then`` every row must ...): the form checks
  allow at most 8 such tests in one condition, so that the split stays small.

What the schema cannot express (see also ``docs/integrators.md``):

1. Everything about the JSON text: syntax errors, duplicate keys, ``NaN`` and ``Infinity``,
   lone surrogates, the size and depth limits. A JSON Schema validator sees parsed values.
2. Calendar dates are checked by ``format: date``, which Draft 2020-12 treats as an annotation
   unless format assertion is switched on (in Python ``jsonschema``:
   ``format_checker=Draft202012Validator.FORMAT_CHECKER``). Without it, ``2024-02-30`` passes.
3. Dates cannot be compared by JSON Schema. Date bounds, and ``gt``/``ge``/``lt``/``le``
   conditions on dates, are therefore written as patterns over the ``YYYY-MM-DD`` text (which
   orders like the dates): exact, but a validator reports a pattern mismatch, not "too early".
4. Text patterns are the form's Python regular expressions, anchored as
   ``^(?:PATTERN)?$(?!\\n)`` (the empty answer is always allowed; ``(?!\\n)`` stops Python's
   ``$`` from matching before a final newline). Validators in other languages read them as
   ECMA-262 regular expressions; constructs that differ (``\\d`` matching non-ASCII digits in
   Python, named groups written ``(?P<name>...)``, inline flags) may then behave differently.
5. The verdict is the same, the report is not: a JSON Schema validator names keywords
   (``enum``, ``required``, ``if``), not kindbehoeften's codes (``choice``, ``required``,
   ``disabled``), and cannot localise messages.

>>> import jsonschema, kindbehoeften
>>> schema = json_schema(kindbehoeften.load_form("triangle.plan"), "in_progress")
>>> schema["$id"]
'urn:kindbehoeften:submission:triangle.plan:1.0.0:in_progress'
>>> checker = jsonschema.Draft202012Validator(
...     schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
>>> draft = {"form": "triangle.plan", "form_version": "1.0.0", "status": "in_progress",
...          "answers": {"plan": {"consent": {"parents_consent": "given",
...                                            "consent_date": "2026-03-01"}}}}
>>> checker.is_valid(draft)
True
>>> draft["answers"]["plan"]["consent"]["parents_consent"] = "refused"   # disables the date
>>> checker.is_valid(draft), kindbehoeften.validate(draft).ok
(False, False)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .._core.conditions import fold
from .._core.model import Comparison, Condition, Form, Question, a_form
from .._core.vocab import DATE_PATTERN, STATUSES, Status
from .._forms.checks import explained
from ..errors import InvalidArgumentError
from .formulas import (
    Atom,
    Formula,
    Rows,
    Schema,
    Scope,
    all_of,
    anchored_pattern,
    answered_atom,
    any_of,
    atoms,
    common_scope,
    comparison_atom,
    date_order,
    if_then_else,
    negation,
    on_empty,
    render,
    substitute,
    unanswered_atom,
)

__all__ = ["json_schema"]


DRAFT = "https://json-schema.org/draft/2020-12/schema"

_RELATIVE_DATES = {"today": "today", "birth": "the child's date of birth"}


def json_schema(form: Form, status: Status = "completed") -> dict[str, Any]:
    """A JSON Schema (Draft 2020-12) for submissions of ``form`` with this ``status``.

    A submission is valid against it exactly when :func:`kindbehoeften.validate` finds no
    error, except for what the module documentation lists (JSON-text problems, calendar dates
    when format assertion is off, pattern dialects). Choose the schema by the submission's
    ``status``: the ``completed`` schema refuses drafts, and the reverse. The form should be
    one that :func:`kindbehoeften.load_form` accepts. Each call returns a new dictionary. A
    ``status`` other than ``completed`` or ``in_progress`` raises
    :class:`~kindbehoeften.errors.InvalidArgumentError`.

    >>> import kindbehoeften
    >>> schema = json_schema(kindbehoeften.load_form("triangle.full"))
    >>> schema["properties"]["status"], schema["additionalProperties"]
    ({'const': 'completed'}, False)
    >>> sections = schema["properties"]["answers"]["properties"]
    >>> health = sections["child_needs"]["properties"]["health"]
    >>> health["required"], health["properties"]["assessment"]["description"]
    (['assessment'], "Assessment of the child's health")
    """
    form = a_form(form)
    if not isinstance(status, str) or str.__str__(status) not in STATUSES:
        raise InvalidArgumentError(
            "status",
            f"status must be one of: {', '.join(STATUSES)} (the status of the submissions the "
            "schema is for)",
        )
    # Not cached: building the largest built-in form's schema takes about half a millisecond,
    # less than a deep copy of a cached one (and callers may change what they get).
    with explained(form):  # a form built in Python may have skipped the checks of a file
        return _Builder(form, status).schema()


class _Builder:
    """One schema: the constraints of every container, then the nested objects."""

    def __init__(self, form: Form, status: Status) -> None:
        self.form = form
        self.status = status
        self.completed = status == "completed"
        self.questions: dict[Scope, dict[str, Question]] = {}
        self.constraints: dict[Scope, list[tuple[str, Formula]]] = {}
        self.enabled_memo: dict[tuple[Scope, str], Formula] = {}
        for section in form.sections:
            for area in section.areas:
                self._index((section.id, area.id), area.questions)

    def _index(self, scope: Scope, questions: tuple[Question, ...]) -> None:
        self.questions[scope] = {question.id: question for question in questions}
        for question in questions:
            if question.type == "group":
                self._index((*scope, question.id), question.questions)

    def _must(self, question: Question) -> bool:
        return self.completed and question.is_required(self.form.stage)

    # conditions

    def _enabled(self, scope: Scope, key: str) -> Formula:
        """When the question ``key`` at ``scope`` is enabled: its condition over the raw
        answers. (validate lets a condition see a disabled question as unanswered; a schema
        need not: where every disabled question is unanswered, as this schema requires, the
        raw answers are those a condition sees, so the verdicts agree.)"""
        memo_key = (scope, key)
        if memo_key not in self.enabled_memo:
            condition = self.questions[scope][key].when
            self.enabled_memo[memo_key] = (
                True if condition is None else self._expand(condition, scope)
            )
        return self.enabled_memo[memo_key]

    def _expand(self, condition: Condition, scope: Scope) -> Formula:
        """A condition as a formula, through the one walk over conditions."""

        def comparison(leaf: Comparison) -> Formula:
            reference = leaf.question.split(".")
            target_scope = scope if len(reference) == 1 else tuple(reference[:2])
            key = reference[-1]
            return comparison_atom(leaf, self.questions[target_scope][key], target_scope, key)

        return fold(condition, comparison=comparison, all_=all_of, any_=any_of, not_=negation)

    def _add(self, level: Scope, comment: str, formula: Formula) -> None:
        if formula is not True:
            self.constraints.setdefault(level, []).append((comment, formula))

    def _collect(self, scope: Scope, questions: tuple[Question, ...]) -> None:
        for question in questions:
            if question.when is not None:
                self._conditional(scope, question)
            if question.type == "group":
                self._collect((*scope, question.id), question.questions)

    def _conditional(self, scope: Scope, question: Question) -> None:
        enabled = self._enabled(scope, question.id)
        must = self._must(question)
        required: Formula = answered_atom(scope, question) if must else True
        disabled = unanswered_atom(scope, question)
        where = ".".join((*scope, question.id))
        comment = (
            f"{where}: required while its condition holds, else unanswered"
            if must
            else f"{where}: answered only while its condition holds"
        )
        outside = list(dict.fromkeys(a for a in atoms(enabled) if a.scope != scope))
        if len(scope) == 2 or not outside:
            formula = if_then_else(enabled, required, disabled)
            level = common_scope([scope, *(atom.scope for atom in outside)])
            self._add(level, comment, formula)
            return
        # A row question whose condition names questions outside the row: decide the outside
        # tests at the nearest common object, then require the rest of every row.
        level = common_scope([scope[:2], *(atom.scope for atom in outside)])
        self._add(level, comment, self._split(enabled, outside, scope, required, disabled))

    def _split(
        self,
        enabled: Formula,
        outside: list[Atom],
        scope: Scope,
        required: Formula,
        disabled: Formula,
    ) -> Formula:
        if not outside:
            rows = if_then_else(enabled, required, disabled)
            return True if rows is True else Rows(scope, rows)
        head, rest = outside[0], outside[1:]
        return if_then_else(
            head,
            self._split(substitute(enabled, head, True), rest, scope, required, disabled),
            self._split(substitute(enabled, head, False), rest, scope, required, disabled),
        )

    # schemas

    def schema(self) -> dict[str, Any]:
        form = self.form
        for section in form.sections:
            for area in section.areas:
                scope = (section.id, area.id)
                self._collect(scope, area.questions)
                if self.completed:
                    for rule in area.require_one_of:
                        if form.stage in rule.required:
                            answered = (
                                answered_atom(scope, area.question(k)) for k in rule.questions
                            )
                            self._add(
                                scope,
                                f"at least one of: {', '.join(rule.questions)}",
                                any_of(answered),
                            )
        sections: dict[str, Any] = {}
        needed_sections: list[str] = []
        for section in form.sections:
            areas: dict[str, Any] = {}
            needed_areas: list[str] = []
            for area in section.areas:
                scope = (section.id, area.id)
                areas[area.id] = self._container(scope, area.label, area.questions)
                if not self._holds_on_empty(scope, area.questions):
                    needed_areas.append(area.id)
            sections[section.id] = self._object((section.id,), section.label, areas, needed_areas)
            if needed_areas or not self._holds_on_empty((section.id,), ()):
                needed_sections.append(section.id)
        answers = self._object(
            (), "The answers, by section, area and question", sections, needed_sections
        )
        stage = "completed" if self.completed else "draft (in progress)"
        description = f"A {stage} submission of the form {form.id} {form.version}."
        if form.description:
            description += " " + form.description
        return {
            "$schema": DRAFT,
            "$id": f"urn:kindbehoeften:submission:{form.id}:{form.version}:{self.status}",
            "title": form.title,
            "description": description,
            "type": "object",
            "properties": {
                "form": {"const": form.id},
                "form_version": {"const": form.version},
                "status": {"const": self.status},
                "answers": answers,
            },
            "required": ["form", "form_version", "status", "answers"],
            "additionalProperties": False,
        }

    def _holds_on_empty(self, scope: Scope, questions: tuple[Question, ...]) -> bool:
        """Whether an empty (or missing) object at ``scope`` meets its own constraints: when it
        does not, the object must be present, since validate judges a missing one as empty."""
        if any(question.when is None and self._must(question) for question in questions):
            return False
        return all(on_empty(formula) for _, formula in self.constraints.get(scope, ()))

    def _object(
        self, scope: Scope, label: str, properties: dict[str, Any], required: list[str]
    ) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "description": label,
            "properties": properties,
            "additionalProperties": False,
        }
        if required:
            schema["required"] = required
        constraints = [
            _commented(comment, render(formula, scope))
            for comment, formula in self.constraints.get(scope, ())
        ]
        if constraints:
            schema["allOf"] = constraints
        return schema

    def _container(
        self, scope: Scope, label: str, questions: tuple[Question, ...]
    ) -> dict[str, Any]:
        properties = {question.id: self._question(scope, question) for question in questions}
        required = [q.id for q in questions if q.when is None and self._must(q)]
        return self._object(scope, label, properties, required)

    def _question(self, scope: Scope, question: Question) -> dict[str, Any]:
        kind = question.type
        # An unconditionally required answer (completed only) must be a real answer; any other
        # may be null, which counts as unanswered.
        must = question.when is None and self._must(question)
        schema: dict[str, Any] = {"description": question.label}
        if kind == "text":
            schema["type"] = "string"
            if must:
                schema["minLength"] = 1
            if question.max_length is not None:
                schema["maxLength"] = question.max_length
            if question.pattern is not None:
                schema["pattern"] = anchored_pattern(question.pattern)
        elif kind == "boolean":
            schema["type"] = "boolean"
        elif kind in {"integer", "decimal"}:
            schema["type"] = "integer" if kind == "integer" else "number"
            if isinstance(question.min, int | float):
                schema["minimum"] = question.min
            if isinstance(question.max, int | float):
                schema["maximum"] = question.max
        elif kind == "date":
            schema.update(type="string", format="date", pattern=DATE_PATTERN, maxLength=10)
            bounds = []
            if isinstance(question.min, dt.date):
                bounds.append(("ge", question.min, "on or after"))
            if isinstance(question.max, dt.date):
                bounds.append(("le", question.max, "on or before"))
            comments = []
            if bounds:
                comments.append(
                    "A date "
                    + " and ".join(f"{words} {day.isoformat()}" for _, day, words in bounds)
                    + ": JSON Schema cannot compare dates, so each bound is a pattern over"
                    " the YYYY-MM-DD text, which orders like the dates."
                )
            relative = [
                f"{words} {_RELATIVE_DATES[bound]}"
                for bound, words in ((question.min, "on or after"), (question.max, "on or before"))
                if isinstance(bound, str)
            ]
            if relative:
                comments.append(
                    f"A date {' and '.join(relative)}: not in this schema, which cannot know"
                    " the day of validation or the child; kindbehoeften's validate checks it."
                )
            if comments:
                schema["$comment"] = " ".join(comments)
            if bounds:
                schema["allOf"] = [
                    {"pattern": date_order(operator, day.isoformat())}
                    for operator, day, _ in bounds
                ]
        elif kind == "choice":
            values: list[Any] = [option.value for option in self.form.options(question)]
            schema["enum"] = values if must else [*values, None]
            return schema
        else:  # multi_choice and group
            schema["type"] = "array"
            if kind == "multi_choice":
                schema["items"] = {"enum": [o.value for o in self.form.options(question)]}
            else:
                row_scope = (*scope, question.id)
                schema["items"] = self._container(
                    row_scope, f"A row of: {question.label}", question.questions
                )
            fewest = max(1, question.min_items or 0) if must else question.min_items
            if fewest is not None:
                schema["minItems"] = fewest
            if question.max_items is not None:
                schema["maxItems"] = question.max_items
        if not must:
            schema["type"] = [schema["type"], "null"]
        return schema


def _commented(comment: str, schema: Schema) -> dict[str, Any]:
    if isinstance(schema, bool):
        return {"$comment": comment, "allOf": [schema]}
    return {"$comment": comment, **schema}
