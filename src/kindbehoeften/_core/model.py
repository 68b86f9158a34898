"""The typed form model: frozen pydantic values for forms, sections, areas and questions.

A :class:`Form` has one canonical dictionary shape, the shape of a form file: ``Form.from_dict``
(or ``Form.model_validate``) reads it and ``form.to_dict()`` writes it, so a form round-trips
through TOML-shaped data and through JSON unchanged. Loading a *file* (with its checks and its
extension mechanism) is the job of ``_formfiles``; this module only describes values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_serializer,
    field_validator,
    model_serializer,
    model_validator,
)

from .vocab import (
    FORM_ID_MAX,
    FORM_ID_PATTERN,
    FORM_STAGES,
    IDENTIFIER_MAX,
    IDENTIFIER_PATTERN,
    VERSION_PATTERN,
    FormStage,
    Operator,
    QuestionType,
    Sensitivity,
    StepField,
)

__all__ = [
    "RELATIVE_DATES",
    "STAGES",
    "AllOf",
    "AnyOf",
    "Area",
    "Comparison",
    "Condition",
    "CrosswalkEntry",
    "Form",
    "FormReference",
    "Not",
    "OneOfRule",
    "Option",
    "OptionList",
    "Question",
    "Section",
    "StepMapping",
    "a_form",
]

Stage = FormStage
STAGES: tuple[Stage, ...] = FORM_STAGES

Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN, max_length=IDENTIFIER_MAX)]
FormId = Annotated[str, Field(pattern=FORM_ID_PATTERN, max_length=FORM_ID_MAX)]
Version = Annotated[str, Field(pattern=VERSION_PATTERN)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Scalar: TypeAlias = bool | int | Finite | str
RelativeDate = Literal["today", "birth"]
Bound: TypeAlias = int | Finite | dt.date | RelativeDate
RELATIVE_DATES: tuple[RelativeDate, ...] = ("today", "birth")


def _normalise_required(value: object) -> object:
    """``required = true`` means every stage, ``false`` none; a list names the stages."""
    if value is True:
        return STAGES
    if value is False or value is None:
        return ()
    return value


def _without_defaults(model: BaseModel, data: dict[str, Any]) -> dict[str, Any]:
    """Leave out what a reader would fill in anyway, so written forms stay short."""
    for name, field in type(model).model_fields.items():
        if not field.is_required() and getattr(model, name) == field.default:
            data.pop(name, None)
            if field.alias:
                data.pop(field.alias, None)
    return data


class _Value(BaseModel):
    """Frozen, strict about unknown keys, and written without default entries."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_serializer(mode="wrap")
    def _serialize(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_defaults(self, handler(self))


class Option(_Value):
    """One answer of a choice: a stable ``value`` (stored) and a ``label`` (shown)."""

    value: Identifier
    label: str = Field(min_length=1)
    help: str | None = None


class OptionList(_Value):
    """A named list of options shared by questions; ``ordered`` marks a scale."""

    id: Identifier
    options: tuple[Option, ...] = Field(min_length=1)
    ordered: bool = False


class CrosswalkEntry(_Value):
    """The codes of an area in another framework (BBIC 2006, GIRFEC, ...).

    ``verified = False`` marks a mapping taken from secondary sources.
    """

    framework: Identifier
    codes: tuple[str, ...] = Field(min_length=1)
    verified: bool = True
    note: str | None = None


class Comparison(_Value):
    """``question operator value``: the leaf of a condition."""

    question: str = Field(min_length=1)
    operator: Operator
    value: Scalar | tuple[Scalar, ...] | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _dates_as_text(cls, value: object) -> object:
        # TOML has native dates; a condition keeps them as ISO text, as JSON would.
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return tuple(v.isoformat() if isinstance(v, dt.date) else v for v in value)
        return value


class AllOf(_Value):
    """True when every condition is true."""

    all: tuple[Condition, ...] = Field(min_length=1)


class AnyOf(_Value):
    """True when at least one condition is true."""

    any: tuple[Condition, ...] = Field(min_length=1)


class Not(_Value):
    """True when the condition is false."""

    not_: Condition = Field(alias="not")

    @model_serializer(mode="wrap")
    def _serialize(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {"not": data["not"] if "not" in data else data["not_"]}


Condition: TypeAlias = Comparison | AllOf | AnyOf | Not


class Question(_Value):
    """A question of an area, or of a repeating group (``type = "group"``).

    Which keys apply depends on ``type``; the form-file checks enforce that.
    """

    id: Identifier
    type: QuestionType
    label: str = Field(min_length=1)
    help: str | None = None
    required: tuple[Stage, ...] = ()
    when: Condition | None = None
    sensitivity: Sensitivity = "none"
    max_length: int | None = Field(default=None, ge=1)
    pattern: str | None = None
    multiline: bool = False
    min: Bound | None = None
    max: Bound | None = None
    options: Identifier | tuple[Option, ...] | None = None
    min_items: int | None = Field(default=None, ge=0)
    max_items: int | None = Field(default=None, ge=1)
    questions: tuple[Question, ...] = ()

    @field_validator("required", mode="before")
    @classmethod
    def _required(cls, value: object) -> object:
        return _normalise_required(value)

    @field_validator("min", "max", mode="before")
    @classmethod
    def _bound(cls, value: object) -> object:
        # A bound written as text is a date, or "today" / "birth" (the child's date of birth),
        # which are known only when a submission is validated; numbers stay numbers.
        if isinstance(value, str) and value not in RELATIVE_DATES:
            return dt.date.fromisoformat(value)
        return value

    def is_required(self, stage: Stage) -> bool:
        """Whether an enabled question must be answered in a completed form of ``stage``."""
        return stage in self.required


class OneOfRule(_Value):
    """At least one of ``questions`` must be answered (when required at the stage)."""

    questions: tuple[Identifier, ...] = Field(min_length=2)
    required: tuple[Stage, ...] = STAGES

    @field_validator("required", mode="before")
    @classmethod
    def _required(cls, value: object) -> object:
        return _normalise_required(value)


def _crosswalk_in(value: object) -> object:
    """Accept ``{framework: code | [codes] | {codes, verified, note}}`` as written in files."""
    if not isinstance(value, dict):
        return value
    entries = []
    for framework, entry in value.items():
        if isinstance(entry, str):
            entry = {"codes": [entry]}
        elif isinstance(entry, list):
            entry = {"codes": entry}
        if isinstance(entry, dict):
            entry = {"framework": framework, **entry}
        entries.append(entry)
    return entries


class Area(_Value):
    """An area of a side of the triangle (``health``, ``basic_care``, ...)."""

    id: Identifier
    label: str = Field(min_length=1)
    help: str | None = None
    crosswalk: tuple[CrosswalkEntry, ...] = ()
    require_one_of: tuple[OneOfRule, ...] = ()
    questions: tuple[Question, ...] = ()

    @field_validator("crosswalk", mode="before")
    @classmethod
    def _crosswalk_in(cls, value: object) -> object:
        return _crosswalk_in(value)

    @field_serializer("crosswalk")
    def _crosswalk_out(self, value: tuple[CrosswalkEntry, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for entry in value:
            item = entry.model_dump()
            del item["framework"]
            out[entry.framework] = item
        return out

    def question(self, question_id: str) -> Question:
        """The question with this id; ``KeyError`` when there is none."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)  # a lookup by key, as in a mapping (see errors.py)


class Section(_Value):
    """A side of the triangle, or another part of a form, holding areas."""

    id: Identifier
    label: str = Field(min_length=1)
    help: str | None = None
    areas: tuple[Area, ...] = ()

    def area(self, area_id: str) -> Area:
        """The area with this id; ``KeyError`` when there is none."""
        for area in self.areas:
            if area.id == area_id:
                return area
        raise KeyError(area_id)  # a lookup by key, as in a mapping (see errors.py)


class FormReference(_Value):
    """Names one version of a form."""

    id: FormId
    version: Version


class StepMapping(_Value):
    """How the answer to one choice question gives a lifecycle step its value.

    ``field`` is ``outcome`` (of ``preliminary_decision``), ``decision`` (of
    ``full_assessment_completed``) or ``reporter`` (of a report); ``question`` names the
    choice question as ``section.area.question``; ``values`` maps each of its options to the
    step's value, e.g. ``{"refer_universal_support": "universal_support"}``.
    """

    field: StepField
    question: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2}$")
    values: tuple[tuple[str, str], ...] = Field(min_length=1)

    @field_validator("values", mode="before")
    @classmethod
    def _values_in(cls, value: object) -> object:
        return tuple(value.items()) if isinstance(value, dict) else value

    @field_serializer("values")
    def _values_out(self, value: tuple[tuple[str, str], ...]) -> dict[str, str]:
        return dict(value)

    def value_of(self, answers: Mapping[str, Any]) -> str | None:
        """The step's value for these answers (``None``: the question is not answered, or
        with an option the mapping does not list)."""
        section, area, question = self.question.split(".")
        holder: Any = answers
        for key in (section, area):
            holder = holder.get(key) if isinstance(holder, dict) else None
        answer = holder.get(question) if isinstance(holder, dict) else None
        return dict(self.values).get(answer) if isinstance(answer, str) else None


_HEADER = ("id", "version", "stage", "title", "description", "base", "birth_date")


class Form(_Value):
    """A form: its id, version and stage, shared option lists, and sections of areas.

    ``birth_date`` names the date question (``section.area.question``) that holds the child's
    date of birth, which a date bound ``min = "birth"`` refers to when the caller of
    ``validate`` does not give the date of birth itself.

    The dictionary shape (``to_dict``) is the shape of a form file, so a form can be written
    out and read back unchanged:

    >>> form = Form.from_dict({
    ...     "form": {"id": "example.visit", "version": "1.0.0", "stage": "full",
    ...              "title": "Home visit"},
    ...     "sections": [{"id": "child_needs", "label": "Child", "areas": [
    ...         {"id": "health", "label": "Health", "questions": [
    ...             {"id": "seen", "type": "boolean", "label": "Seen?", "required": True}]}]}],
    ... })
    >>> form.section("child_needs").area("health").question("seen").is_required("full")
    True
    >>> Form.model_validate_json(form.model_dump_json()) == form
    True
    """

    id: FormId
    version: Version
    stage: Stage
    title: str = Field(min_length=1)
    description: str | None = None
    base: FormReference | None = None
    birth_date: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2}$")
    option_lists: tuple[OptionList, ...] = ()
    steps: tuple[StepMapping, ...] = ()
    sections: tuple[Section, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _from_file_shape(cls, data: object) -> object:
        if isinstance(data, dict) and "form" in data:
            header = data["form"]
            rest = {key: value for key, value in data.items() if key != "form"}
            if isinstance(header, dict):
                return {**header, **rest}
        return data

    @field_validator("option_lists", mode="before")
    @classmethod
    def _option_lists_in(cls, value: object) -> object:
        if isinstance(value, dict):
            return [
                {"id": name, **body} if isinstance(body, dict) else body
                for name, body in value.items()
            ]
        return value

    @field_serializer("option_lists")
    def _option_lists_out(self, value: tuple[OptionList, ...]) -> dict[str, Any]:
        return {
            item.id: {
                "ordered": item.ordered,
                "options": [option.model_dump() for option in item.options],
            }
            for item in value
        }

    @model_serializer(mode="wrap")
    def _serialize(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = _without_defaults(self, handler(self))
        header = {key: data.pop(key) for key in _HEADER if key in data}
        return {"form": header, **data}

    def __getstate__(self) -> dict[Any, Any]:
        # Only the fields: what other layers keep on a form (its compiled validator) is made
        # again where it is needed, never pickled.
        state: dict[Any, Any] = super().__getstate__()
        fields = type(self).model_fields
        state["__dict__"] = {k: v for k, v in state["__dict__"].items() if k in fields}
        return state

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Form:
        """Build a form from its file-shaped dictionary (as ``tomllib`` reads it)."""
        return cls.model_validate(data)

    def to_dict(self) -> dict[str, Any]:
        """The form as JSON-ready data in the shape of a form file."""
        return self.model_dump(mode="json")

    @property
    def key(self) -> str:
        """``id@version``, e.g. ``triangle.full@1.0.0``."""
        return f"{self.id}@{self.version}"

    def section(self, section_id: str) -> Section:
        """The section with this id; ``KeyError`` when there is none."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)  # a lookup by key, as in a mapping (see errors.py)

    def step_mapping(self, field: StepField) -> StepMapping | None:
        """How this form's answers give the step value ``field`` (``outcome``, ``decision``,
        ``reporter``), or ``None`` when the form declares no such mapping."""
        return next((item for item in self.steps if item.field == field), None)

    def option_list(self, list_id: str) -> OptionList:
        """The shared option list with this id; ``KeyError`` when there is none."""
        for item in self.option_lists:
            if item.id == list_id:
                return item
        raise KeyError(list_id)  # a lookup by key, as in a mapping (see errors.py)

    def options(self, question: Question) -> tuple[Option, ...]:
        """The options of a choice question, resolving a shared list by name."""
        if question.options is None:
            return ()
        if isinstance(question.options, str):
            return self.option_list(question.options).options
        return question.options

    def questions(self) -> Iterator[tuple[tuple[str, ...], Question]]:
        """Every question with its path (section, area, question[, group question ...])."""

        def walk(
            prefix: tuple[str, ...], questions: tuple[Question, ...]
        ) -> Iterator[tuple[tuple[str, ...], Question]]:
            for question in questions:
                path = (*prefix, question.id)
                yield path, question
                yield from walk(path, question.questions)

        for section in self.sections:
            for area in section.areas:
                yield from walk((section.id, area.id), area.questions)


for _model in (AllOf, AnyOf, Not, Question, Area, Section, StepMapping, Form):
    _model.model_rebuild()


def a_form(value: object, name: str = "form") -> Form:
    """``value``, when it is a :class:`Form`; else ``TypeError`` naming the argument (a
    mistake of the calling code, see errors.py), before anything reads an attribute of it."""
    if not isinstance(value, Form):
        raise TypeError(
            f"{name} must be a kindbehoeften.Form (load one with load_form), "
            f"not {type(value).__name__}"
        )
    return value


# kindbehoeften gives its public classes their public module as __module__, and doctest then
# no longer searches them as this module's (nor surely as the package's, which imports each
# name at its first use): list here each one that holds examples.
__test__ = {"Form": Form}
