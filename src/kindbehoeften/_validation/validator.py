"""Validating submissions against forms.

``validate`` never raises on bad input: every problem becomes an :class:`Issue` with a JSON
Pointer and a stable code. A :class:`Validator` is a form compiled once: per area (and per
row of a group), the questions with a checker for their type and bounds, whether they are
required at the form's stage, and which have conditions; the form's
:class:`~kindbehoeften._core.conditions.Enablement` decides those in one pass. The work of one
submission:

1. reading, with limits, by the library's one JSON reader (a dict is held to the same limits
   and copied into plain JSON data first); or, for well-formed text, the fast path
   (:mod:`.fast`), which parses and filters in Rust and can only decline;
2. the envelope and the form it names, looked up by id only: a submission never names a file;
3. types and bounds, then conditions, disabled answers and what is required; where a filter
   of :mod:`.fast` accepts the answers, or one area, or one row of a group, the types,
   bounds, unknown keys and unconditionally required answers there are known right, and
   only the rest is checked (dates again, conditions, one-of rules), in the same order.

The checkers of each question type and of a container are in :mod:`.checks`; the one flat
pass over what a filter leaves of a valid submission is in :mod:`.settled`.

A report holds at most 1,000 issues, then one ``too_many_issues``, and the work stops there.
Messages name fields by label, never by the content of an answer.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from typing import Any, Final

from .._core.conditions import Enablement, Path
from .._core.jsonread import Read, deeper_than, escape_token, plain, read, text_of
from .._core.limits import MAX_ISSUES, MAX_SUBMISSION_BYTES, MAX_SUBMISSION_DEPTH, quoted
from .._core.model import Form, Question, a_form
from .._core.report import ValidationReport
from .._core.vocab import STATUSES, is_form_id
from .._forms.catalog import PathLike, find_form, forms, load_form
from .._forms.checks import explained
from .._i18n import negotiate
from ..errors import InvalidArgumentError, UnknownFormError
from . import fast
from .checks import (
    CHECKERS,
    Check,
    ContainerPlan,
    Issues,
    QuestionPlan,
    Run,
    TooMany,
    check_container,
    child,
)
from .messages import from_problem, issue, labels_of, localized, unknown
from .settled import Settled

__all__ = ["MAX_SUBMISSION_BYTES", "MAX_SUBMISSION_DEPTH", "Validator", "compiled", "validate"]

ENVELOPE: Final = ("form", "form_version", "status", "answers")
_ENVELOPE_KEYS: Final = frozenset(ENVELOPE)

Submission = bytes | str | Mapping[str, Any]


class Validator:
    """A form compiled for validation, once: hold on to it to validate many submissions.

    >>> import kindbehoeften
    >>> validator = kindbehoeften.Validator(kindbehoeften.load_form("triangle.plan"))
    >>> report = validator.validate(b'{"form": "triangle.plan", "form_version": "1.0.0",'
    ...                             b' "status": "in_progress", "answers": {}}')
    >>> report.ok
    True

    A validator belongs to its form: it never looks a form up, and a submission that names
    another form (or version) gets ``unknown_form`` (or ``unknown_version``). It can be
    pickled (it is compiled again from its form). :func:`kindbehoeften.validate` keeps one
    per form object.
    """

    __slots__ = (
        "areas",
        "clean",
        "containers",
        "depth",
        "enablement",
        "every_area",
        "filters",
        "form",
        "labels",
        "semantic",
        "settled",
    )

    def __init__(self, form: Form) -> None:
        self.form = a_form(form)
        with explained(form):  # a form built in Python may have skipped the checks of a file
            self._compile(form)

    def _compile(self, form: Form) -> None:
        self.containers: dict[Path, ContainerPlan] = {}
        self.areas: dict[str, dict[str, ContainerPlan]] = {}
        for section in form.sections:
            areas = self.areas.setdefault(section.id, {})
            for area in section.areas:
                areas[area.id] = self._container(
                    (section.id, area.id), ("area", area.id), area.questions, area.require_one_of
                )
        self.enablement = Enablement(form)
        self.depth = fast.nesting(form)
        self.filters = fast.filters(form)
        self.labels = labels_of(form)
        # every area: its section and area ids, its plan, its pointer, whether anything is
        # left to check once a filter has accepted its answers (conditions, one-of rules,
        # rechecks), and whether it holds a group; the areas with something left are the
        # semantic ones
        grouped = {path[:2] for path in self.containers if len(path) == 3}
        self.every_area = tuple(
            (
                section_id,
                area_id,
                container,
                f"/answers/{section_id}/{area_id}",
                bool(container.conditional or container.one_of or container.rechecks),
                (section_id, area_id) in grouped,
            )
            for section_id, areas in self.areas.items()
            for area_id, container in areas.items()
        )
        self.semantic = tuple(item[:4] for item in self.every_area if item[4])
        self.settled = Settled(self)
        self.clean = ValidationReport((), form.id, form.version)  # reports are immutable

    def __reduce__(self) -> tuple[type[Validator], tuple[Form]]:
        return (type(self), (self.form,))

    def __repr__(self) -> str:
        return f"<Validator {self.form.key}>"

    def validate(
        self,
        submission: Submission,
        *,
        locale: str = "en",
        today: dt.date | None = None,
        born: dt.date | None = None,
        max_bytes: int = MAX_SUBMISSION_BYTES,
        max_depth: int = MAX_SUBMISSION_DEPTH,
    ) -> ValidationReport:
        """Validate ``submission`` against this form; never raises on bad input (see
        :func:`kindbehoeften.validate` for the arguments). An unknown ``locale`` raises
        :class:`~kindbehoeften.errors.UnknownLocaleError`."""
        language = negotiate(locale)
        _check_arguments(today, born, max_bytes, max_depth)
        report = _validate(submission, self, None, max_bytes, max_depth, today, born)
        return _in(language, report, self)

    # --- compiling ---

    def _container(
        self,
        path: Path,
        where: tuple[str, str],
        questions: Sequence[Question],
        rules: Sequence[Any] = (),
        is_row: bool = False,
    ) -> ContainerPlan:
        stage = self.form.stage
        compiled = {}
        for question in questions:
            check = self._check(question, (*path, question.id))  # a group's rows first
            compiled[question.id] = QuestionPlan(
                question.id,
                question.label,
                question.is_required(stage),
                check,
                question.when is not None,
                self._recheck(question, (*path, question.id)),
            )
        labels = {question.id: question.label for question in questions}
        name = ".".join(path)
        container = ContainerPlan(
            path,
            where,
            compiled,
            tuple(q.id for q in compiled.values() if q.required and not q.conditional),
            tuple(q for q in compiled.values() if q.conditional),
            tuple(
                (
                    rule.questions,
                    ", ".join(f'"{labels[item]}"' for item in rule.questions),
                    tuple(f"{name}.{item}" for item in rule.questions),
                )
                for rule in rules
                if stage in rule.required
            ),
            tuple(q for q in compiled.values() if q.recheck),
            is_row,
        )
        self.containers[path] = container
        return container

    def _recheck(self, question: Question, path: Path) -> bool:
        """Whether an answer the filters accepted is checked again in Python: a date with a
        bound (the filters know the calendar, not the day of a run nor the child's birth),
        a group whose rows have conditions or such dates."""
        if question.type == "date":
            return question.min is not None or question.max is not None
        if question.type == "group":
            rows = self.containers[path]
            return bool(rows.conditional or rows.rechecks)
        return False

    def _check(self, question: Question, path: Path) -> Check:
        """The checker of one question's answer: its type, then its bounds."""
        return CHECKERS[question.type](self, question, path)


def compiled(form: Form) -> Validator:
    """The validator of ``form``, compiled once and kept by the form object itself (not by a
    global cache): a changed form is a new object, with a validator of its own."""
    held = form.__dict__.get(_SLOT)
    if isinstance(held, Validator) and held.form is form:
        return held
    validator = Validator(form)
    form.__dict__[_SLOT] = validator  # not a field: never compared, dumped or pickled
    return validator


_SLOT: Final = "_compiled_validator"


_token: Final = escape_token


# --- the public entry -------------------------------------------------------------------------


def validate(
    submission: Submission,
    *,
    form: Form | str | None = None,
    locale: str = "en",
    max_bytes: int = MAX_SUBMISSION_BYTES,
    max_depth: int = MAX_SUBMISSION_DEPTH,
    paths: Sequence[PathLike] | None = None,
    today: dt.date | None = None,
    born: dt.date | None = None,
) -> ValidationReport:
    """Validate a submission (JSON bytes or text, or a parsed dict); never raises on bad input.

    The form comes from the submission's ``form`` and ``form_version``, looked up by id in
    the catalog (with ``paths`` as in :func:`load_form`; a changed file of the forms path is
    seen at the next call); a submission never makes the library open a file. ``form``, when
    given, is used instead: a :class:`Form`, or an id or a path of your own for
    :func:`load_form`. A submission with status ``in_progress`` is a draft: types and bounds
    are checked, required answers are not. Issues come in document order of discovery, each
    with a JSON Pointer and a code; at most 1,000, then one ``too_many_issues``.

    A dict is held to the same limits as text (its size is that of its compact JSON text) and
    read as JSON data: a value JSON cannot hold (a set, an object of yours) is a ``type``
    issue, never an exception, whatever its methods do.

    Date bounds that depend on the case are checked against what the caller passes: ``today``
    for ``max = "today"`` (not in the future) and ``min = "today"``, and ``born``, the child's
    date of birth, for ``min = "birth"`` (when ``born`` is not given, the answer to the form's
    ``birth_date`` question is used). The library never reads the clock itself: without
    ``today``, bounds relative to today are not checked.

    >>> report = validate(b'{"form": "triangle.plan", "form_version": "1.0.0",'
    ...                   b' "status": "in_progress", "answers": {"plan": {"goals": {}}}}')
    >>> report.ok
    True
    >>> report = validate(b'{"form": "triangle.plan", "form_version": "1.0.0",'
    ...                   b' "status": "completed", "answers": {"plan": {"goals": {}}}}')
    >>> sorted({issue.code for issue in report.issues})
    ['one_of_required', 'required']

    ``locale`` chooses the language of the messages (``sv``, ``nb_NO``, ...); the codes,
    pointers and parameters stay the same. An unknown locale raises
    :class:`~kindbehoeften.errors.UnknownLocaleError`.
    """
    language = negotiate(locale)
    _check_arguments(today, born, max_bytes, max_depth)
    if isinstance(form, str | os.PathLike):  # the caller's own id or path, as load_form takes
        form = load_form(form, paths=paths)
    given = None if form is None else compiled(a_form(form))
    report = _validate(submission, given, paths, max_bytes, max_depth, today, born)
    if language == "en" or not report.issues:
        return report
    used = given
    if used is None and report.form is not None and report.version is not None:
        try:
            used = compiled(find_form(report.form, report.version, paths=paths))
        except UnknownFormError:  # pragma: no cover - the report found it a moment ago
            used = None
    return _in(language, report, used)


def _check_arguments(today: object, born: object, max_bytes: object, max_depth: object) -> None:
    """``max_bytes`` and ``max_depth`` are whole numbers (else TypeError naming the one at
    fault); ``today`` and ``born`` dates or None, else InvalidArgumentError (a datetime too:
    which day it is depends on a time zone the library does not choose), as
    ``store.cases(overdue_on=)`` says it."""
    for name, limit in (("max_bytes", max_bytes), ("max_depth", max_depth)):
        if type(limit) is not int:
            raise TypeError(f"{name} must be an int, not {type(limit).__name__}")
    for name, value in (("today", today), ("born", born)):
        if value is not None and (isinstance(value, dt.datetime) or not isinstance(value, dt.date)):
            raise InvalidArgumentError(
                name, f"{name} must be a datetime.date or None, not {type(value).__name__}"
            )


def _in(language: str, report: ValidationReport, validator: Validator | None) -> ValidationReport:
    if language == "en" or not report.issues:
        return report
    if validator is None:
        return localized(report, None, language)
    return localized(report, validator.form, language, validator.labels)


def _validate(
    submission: Submission,
    given: Validator | None,
    paths: Sequence[PathLike] | None,
    max_bytes: int,
    max_depth: int,
    today: dt.date | None,
    born: dt.date | None,
) -> ValidationReport:
    found = Issues()
    form: list[Validator] = []
    try:
        return _judge(submission, given, paths, max_bytes, max_depth, today, born, found, form)
    except TooMany:
        limit = issue("", "too_many_issues", limit=MAX_ISSUES)
        used = form[0].form if form else None
        return ValidationReport(
            (*found, limit),
            None if used is None else used.id,
            None if used is None else used.version,
        )


def _judge(
    submission: Submission,
    given: Validator | None,
    paths: Sequence[PathLike] | None,
    max_bytes: int,
    max_depth: int,
    today: dt.date | None,
    born: dt.date | None,
    found: Issues,
    used: list[Validator],
) -> ValidationReport:
    refused = False  # by the filter of the whole document, in the fast path
    if isinstance(submission, bytes | bytearray | memoryview | str):
        data = text_of(submission)
        quick = _quick(data, given, paths, max_bytes, max_depth, today, born)
        if isinstance(quick, ValidationReport):
            return quick
        # The text the fast path parsed but its filter refused is read already: what the
        # reader would have found (a key twice, NaN, ...) the parser refuses, but the depth.
        refused = quick is not None
        result = read(data, max_bytes=max_bytes, max_depth=max_depth) if quick is None else quick
    else:
        result = plain(submission, max_bytes=max_bytes, max_depth=max_depth)
    for problem in result.problems:
        found.append(from_problem(problem))
    if not result.complete:
        return ValidationReport(tuple(found))
    document = result.document
    if type(document) is not dict:
        found.append(issue("", "not_an_object"))
        return ValidationReport(tuple(found))
    plan = _resolve_form(document, given, paths, found)
    status = document.get("status")
    for key in document:
        if key not in _ENVELOPE_KEYS:
            found.append(unknown(f"/{_token(key)}", key, "submission"))
    for key in ENVELOPE:
        if key not in document:
            found.append(issue(f"/{key}", "required", "required_field", field=key))
    if "status" in document and (type(status) is not str or status not in STATUSES):
        found.append(issue("/status", "choice", label="status", options=", ".join(STATUSES)))
    if plan is None:
        return ValidationReport(tuple(found))
    used.append(plan)
    form = plan.form
    answers = document.get("answers", {})
    if type(answers) is not dict:
        found.append(issue("/answers", "type", label="answers", expected="an object"))
        return ValidationReport(tuple(found), form.id, form.version)
    completed = status == "completed"
    filters = plan.filters
    answers_filter = filters.answers_completed if completed else filters.answers_draft
    # The issues of the answers depend on the answers, the status and the form alone, not
    # on the envelope's issues: the filter of the answers stands for their checks. When the
    # filter of the whole document refused, the answers are most likely wrong: the filters
    # of their areas are asked instead, below.
    fast_checked = not refused and answers_filter.isinstance_python(answers)
    run = Run(plan, answers, completed, found, today, born, fast_checked)
    for section_id, section_answers in ({} if fast_checked else answers).items():
        areas = plan.areas.get(section_id)
        if areas is None:
            found.append(unknown(f"/answers/{_token(section_id)}", section_id, "form", form.id))
            continue
        if type(section_answers) is not dict:
            pointer = f"/answers/{_token(section_id)}"
            found.append(issue(pointer, "type", label=section_id, expected="an object"))
            continue
        for area_id, area_answers in section_answers.items():
            if area_id in areas and type(area_answers) is dict:
                continue  # the usual case: no pointer to make
            area_pointer = f"/answers/{_token(section_id)}/{_token(area_id)}"
            if area_id not in areas:
                found.append(unknown(area_pointer, area_id, "section", section_id))
            elif type(area_answers) is not dict:
                found.append(issue(area_pointer, "type", label=area_id, expected="an object"))
    if fast_checked:
        if not plan.settled(answers, completed, today, born):
            for section_id, area_id, container, pointer in plan.semantic:
                area_answers = child(answers, section_id).get(area_id)
                check_container(container, area_answers or {}, pointer, run, fast_checked=True)
        return ValidationReport(tuple(found), form.id, form.version)
    # Area by area, the filter of the area's answers stands in for the checks of types,
    # bounds, unknown keys and unconditionally required answers where it accepts them
    # (the area alone, as the whole document's filter does for all areas at once).
    area_filters = filters.containers_completed if completed else filters.containers_draft
    for section_id, area_id, container, pointer, semantic, grouped in plan.every_area:
        section_answers = answers.get(section_id)
        if section_answers is None:
            area_answers = None
        elif type(section_answers) is not dict:
            continue  # reported above as the wrong type
        else:
            area_answers = section_answers.get(area_id)
        if type(area_answers) is not dict:
            if area_answers is not None:
                continue  # reported above
            area_answers = {}
        # An area that holds a group is checked answer by answer: its rows are asked their
        # own filter, which the area's filter would only repeat.
        accepted = not grouped and area_filters[section_id, area_id].isinstance_python(area_answers)
        if accepted and not semantic:
            continue  # nothing left to check in this area
        run.fast_checked = accepted  # the rows of its groups are known right as well
        check_container(container, area_answers, pointer, run, fast_checked=accepted)
    return ValidationReport(tuple(found), form.id, form.version)


def _quick(
    data: bytes | str,
    given: Validator | None,
    paths: Sequence[PathLike] | None,
    max_bytes: int,
    max_depth: int,
    today: dt.date | None,
    born: dt.date | None,
) -> ValidationReport | Read | None:
    """The report of a well-formed submission, parsed and filtered in Rust; or, when the
    filter refuses it, the document as the reader would have read it (the careful path
    decides on it); or None, and the careful path reads the text. Every shortcut here can
    only decline, never accept what the careful path would refuse."""
    if isinstance(data, str):
        if not data.isascii():
            try:
                data = data.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate: the careful path names it
                return None
        else:
            data = data.encode("ascii")
    if len(data) > max_bytes:
        return None
    named = fast.envelope(data)
    if named is None:
        return None
    form_id, version, status = named
    if given is not None:
        plan = given
    else:
        try:
            plan = compiled(find_form(form_id, version, paths=paths))
        except UnknownFormError:
            return None
    if plan.depth > max_depth:
        return None
    completed = status == "completed"
    parsed = fast.parse(data, plan.filters, completed)
    if parsed is None:
        return None
    document, accepted = parsed
    if not accepted:
        # A document nests no deeper than it has opening brackets: most need no walk.
        if data.count(b"{") + data.count(b"[") > max_depth and deeper_than(document, max_depth):
            return None
        return Read(document)
    answers = document["answers"]
    if plan.settled(answers, completed, today, born):
        return plan.clean
    run = Run(plan, answers, completed, Issues(), today, born, fast_checked=True)
    try:
        for section_id, area_id, container, pointer in plan.semantic:
            area_answers = child(answers, section_id).get(area_id)
            check_container(container, area_answers or {}, pointer, run, fast_checked=True)
    except TooMany:
        return None  # the careful path says the same, and ends the report
    return ValidationReport(tuple(run.found), plan.form.id, plan.form.version)


def quick_read(
    document: Mapping[str, Any], *, today: dt.date | None = None, born: dt.date | None = None
) -> ValidationReport | None:
    """The report of a submission that the library's reader has read already, as part of a
    larger document (a record) of at most ``MAX_SUBMISSION_BYTES // 2`` bytes: the compiled
    checks alone, without copying it first; or None, and :func:`validate` of the document
    decides. As :func:`_quick`, it can only decline, never accept what :func:`validate` would
    refuse: the reader found the document clean (no NaN, no lone surrogate, no duplicate key)
    and it fits the size limit, so :func:`plain` would find no problem either; its form is
    looked up by id and its answers must pass the form's filter, which also bounds how deep
    they nest."""
    if type(document) is not dict or document.keys() != _ENVELOPE_KEYS:
        return None
    form_id, version, status = document["form"], document["form_version"], document["status"]
    if type(form_id) is not str or type(version) is not str or status not in STATUSES:
        return None
    try:
        if not is_form_id(form_id):
            return None
        plan = compiled(find_form(form_id, version))
    except UnknownFormError:
        return None
    answers = document["answers"]
    completed = status == "completed"
    answers_filter = plan.filters.answers_completed if completed else plan.filters.answers_draft
    if (
        plan.depth > MAX_SUBMISSION_DEPTH
        or type(answers) is not dict
        or not answers_filter.isinstance_python(answers)
    ):
        return None
    if plan.settled(answers, completed, today, born):
        return plan.clean
    run = Run(plan, answers, completed, Issues(), today, born)
    try:
        for section_id, area_id, container, pointer in plan.semantic:
            area_answers = child(answers, section_id).get(area_id)
            check_container(container, area_answers or {}, pointer, run, fast_checked=True)
    except TooMany:
        return None
    return ValidationReport(tuple(run.found), plan.form.id, plan.form.version)


def _resolve_form(
    document: Mapping[str, Any],
    given: Validator | None,
    paths: Sequence[PathLike] | None,
    found: Issues,
) -> Validator | None:
    form_id, version = document.get("form"), document.get("form_version")
    if given is not None:
        form = given.form
        if "form" in document and (type(form_id) is not str or form_id != form.id):
            shown = quoted(form_id) if type(form_id) is str else f"<{type(form_id).__name__}>"
            found.append(
                issue("/form", "unknown_form", "form_mismatch", form=shown, expected=form.id)
            )
            return None
        if "form_version" in document and (type(version) is not str or version != form.version):
            shown = quoted(version) if type(version) is str else f"<{type(version).__name__}>"
            found.append(
                issue(
                    "/form_version",
                    "unknown_version",
                    form=form.id,
                    version=shown,
                    known=form.version,
                )
            )
            return None
        return given
    if type(form_id) is not str:
        if "form" in document:
            found.append(issue("/form", "type", label="form", expected="a form id, as text"))
        return None
    if "form_version" in document and type(version) is not str:  # null names no version
        found.append(
            issue("/form_version", "type", label="form_version", expected="a version, as text")
        )
        return None
    try:
        if not is_form_id(form_id):  # only ids are looked up: never a file
            raise UnknownFormError(form_id, None, [])
        return compiled(find_form(form_id, version, paths=paths))
    except UnknownFormError as error:
        if error.version is not None and error.form_id in error.known:
            found.append(
                issue(
                    "/form_version",
                    "unknown_version",
                    form=form_id,
                    version=quoted(version or ""),
                    known=", ".join(error.versions),
                )
            )
        else:
            known = error.known or sorted({item.id for item in forms(paths)})
            found.append(
                issue("/form", "unknown_form", form=quoted(form_id), known=", ".join(known))
            )
        return None


# kindbehoeften gives its public classes their public module as __module__, and doctest then
# no longer searches them as this module's (nor surely as the package's, which imports each
# name at its first use): list here each one that holds examples.
__test__ = {"Validator": Validator}
