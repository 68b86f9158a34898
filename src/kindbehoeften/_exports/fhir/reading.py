"""Back from FHIR: a ``QuestionnaireResponse`` read into a submission; what cannot be read is
an :class:`~kindbehoeften.errors.InvalidResourceError`."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..._core.jsonread import Foreign, NonFinite, Problem, escape_token, plain, read
from ..._core.limits import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_DEPTH, quoted
from ..._core.model import Form, Question, a_form
from ..._core.vocab import is_form_id
from ..._forms.catalog import find_form
from ..._validation.messages import from_problem
from ...errors import (
    InvalidResourceError,
    UnknownFormError,
)
from .vocabulary import (
    ANSWER_TYPES,
    FORM_URL_PREFIX,
    Path,
    options_system,
)

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

    >>> from kindbehoeften.export import questionnaire_response
    >>> draft = {"form": "triangle.preliminary", "form_version": "1.0.0",
    ...          "status": "in_progress",
    ...          "answers": {"intake": {"report": {"reporter_kind": "school"}}}}
    >>> submission_from_fhir(questionnaire_response(draft)) == draft
    True
    """
    form = None if form is None else a_form(form)
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
    # JSON text such as 1e400 is read as an infinity: a submission made of it could not be
    # written as JSON again, so it is refused where it stands, as NaN in a dict is.
    unheld = list(_not_json(found.document))
    for pointer in unheld:
        problems.add(pointer, "type", "a value that JSON cannot hold (NaN, an infinity, an object)")
    return None if unheld else found.document


def _reader_message(problem: Problem) -> str:
    """The sentence of a problem of the JSON reader: validation's own, but for NaN and
    Infinity, which only a reader that refuses them finds."""
    if problem.message_id == "json_constant":
        return "the resource holds NaN or Infinity, which JSON does not have"
    return from_problem(problem).message.replace("The submission", "The resource")


def _not_json(document: Any) -> Iterator[str]:
    """The pointers of the values of a plain copy that JSON cannot hold (NaN, Infinity, a
    number too large for a float, a caller's object): a submission made from a resource
    holds JSON only."""
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        value, pointer = stack.pop()
        if type(value) is dict:
            stack.extend((item, f"{pointer}/{escape_token(key)}") for key, item in value.items())
        elif type(value) is list:
            stack.extend((item, f"{pointer}/{number}") for number, item in enumerate(value))
        elif isinstance(value, Foreign | NonFinite) or (
            type(value) is float and not math.isfinite(value)
        ):
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
        wanted = f"value{ANSWER_TYPES[question.type]}"
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
        """An answer's value as the submission holds it: a coding's code, else the value.
        A null is no value in FHIR's JSON: an answer without one is left out, not null."""
        if value is None:
            self.problems.add(pointer, "type", "a value is null: leave the answer out instead")
            return None
        if question.type not in {"choice", "multi_choice"}:
            return value
        if type(value) is not dict:
            self.problems.add(pointer, "type", "valueCoding must be a Coding (a JSON object)")
            return None
        system = value.get("system")
        if system is not None and system != options_system(self.form, path, question):
            self.problems.add(
                f"{pointer}/system",
                "system",
                f"the coding is not of the options of {'.'.join(path)}",
            )
        if "code" not in value:
            self.problems.add(f"{pointer}/code", "required", "the coding has no code")
        elif value["code"] is None:
            self.problems.add(f"{pointer}/code", "type", "the coding's code is null, not text")
        return value.get("code")
