"""The exceptions of kindbehoeften.

Every exception the library raises on purpose derives from :class:`KindbehoeftenError` and
also from the built-in exception that fits it, so that ``except ValueError`` keeps working::

    KindbehoeftenError(Exception)
    ├── FormDefinitionError(ValueError)        a form file is broken; lists every problem
    ├── UnknownFormError(LookupError)          no form with that id (and version) in the catalog
    ├── UnknownJurisdictionError(LookupError)  no deadline profile for that jurisdiction code
    ├── UnknownLocaleError(LookupError)        a locale that is none of the six languages
    ├── InvalidArgumentError(ValueError)       an argument whose value does not fit (a naive
    │                                          time, an unknown status or event kind, a short
    │                                          key, an extension its rule does not allow);
    │                                          names the argument
    ├── InvalidSubmissionError(ValueError)     a function that needs a valid submission got one
    │                                          with errors, or one its format cannot hold; has
    │                                          the report, pointers and codes
    ├── TriangleError(ValueError)              a submission or record that cannot be shown as
    │                                          the triangle; has the report where it was invalid
    ├── TransitionError(ValueError)            a step the assessment's stage does not allow;
    │                                          names the stage and the steps allowed now
    ├── IncompleteAssessmentError(ValueError)  a stage completed without a completed, valid
    │                                          submission of that stage's form; has the report
    ├── InvalidEventError(ValueError)          an event's date, actor or data does not fit its
    │                                          kind; names each field and what it allows
    ├── IntegrityError(ValueError)             a stored event history was altered or damaged;
    │                                          names the first bad event
    ├── InvalidRecordError(ValueError)         a record with an invalid submission, or one that
    │                                          does not match its history; pointers and codes
    ├── InvalidResourceError(ValueError)       a FHIR resource that cannot be read back as a
    │                                          submission; pointers into it and codes
    ├── UnsafeFieldError(ValueError)           statistics asked to read free text or personal
    │                                          data (a changed form); nothing is exported
    ├── MissingDependencyError(ImportError)    an optional package is not installed; names the
    │                                          extra that installs it
    ├── ConflictError(RuntimeError)            a store's case moved on since it was read (or
    │                                          exists already); names the stored head
    ├── WorkerLostError(RuntimeError)          a worker process (``jobs``) ended before its
    │                                          work was done: killed, or out of memory
    ├── UnknownCaseError(LookupError)          no case with that id in the store
    ├── UnknownSubmissionError(LookupError)    no submission with that digest for the case
    │                                          (never stored, or erased)
    └── StoreError(OSError)                    a store that cannot be used: a bad URL, a server
                                               out of reach, a missing extra, a newer schema

    KindbehoeftenWarning(UserWarning)
    └── FormsPathWarning                       an entry of the forms path that is not a regular
                                               file was skipped

An argument of the wrong type (one record where an iterable of records is asked for) raises
Python's own ``TypeError``, as the standard library does: it is a mistake of the calling code,
not of its data. Looking up a part of a value by its id (``form.section("health")``,
``profile.rule("investigation")``) raises ``KeyError``, as a mapping does.

Messages name files, keys, ids and steps, never the content of answers or free-text reasons
(both are personal data).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ._core.limits import quoted

if TYPE_CHECKING:
    from ._core.report import ValidationReport

__all__ = [
    "ConflictError",
    "FormDefinitionError",
    "FormProblem",
    "FormsPathWarning",
    "IncompleteAssessmentError",
    "IntegrityError",
    "InvalidArgumentError",
    "InvalidEventError",
    "InvalidRecordError",
    "InvalidResourceError",
    "InvalidSubmissionError",
    "KindbehoeftenError",
    "KindbehoeftenWarning",
    "MissingDependencyError",
    "StoreError",
    "TransitionError",
    "TriangleError",
    "UnknownCaseError",
    "UnknownFormError",
    "UnknownJurisdictionError",
    "UnknownLocaleError",
    "UnknownSubmissionError",
    "UnsafeFieldError",
    "WorkerLostError",
]

_Error = TypeVar("_Error", bound="KindbehoeftenError")


class KindbehoeftenError(Exception):
    """The base of every exception that kindbehoeften raises on purpose.

    Every one pickles (as an error sent back from a worker process is) with its message,
    its attributes and its notes as they were.

    >>> import pickle
    >>> error = pickle.loads(pickle.dumps(InvalidRecordError([("/history", "hash")])))
    >>> error.problems, str(error)
    ((('/history', 'hash'),), 'invalid record: /history (hash). Make records with export.record.')
    """

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own reduce calls the class with ``args`` (the message), which is not
        # what the __init__ of most subclasses takes: rebuilt without it, from the state.
        state = self.__dict__
        if isinstance(self, ImportError):  # its name and path are kept beside __dict__
            state = {**state, "name": self.name, "path": self.path}
        return (_rebuilt, (type(self), self.args), state)


def _rebuilt(cls: type[_Error], args: tuple[Any, ...]) -> _Error:
    """An error of ``cls`` with ``args``, made without its ``__init__`` (see
    :meth:`KindbehoeftenError.__reduce__`); pickle then sets its attributes."""
    error = cls.__new__(cls, *args)
    error.args = args  # OSError's __new__ leaves them to an __init__ of a subclass
    return error


@dataclass(frozen=True, slots=True)
class FormProblem:
    """One problem found in a form file.

    ``path`` is the key path inside the file (``sections[0].areas[2].questions[1].when``),
    empty for the file as a whole; ``line`` is 1-based, or ``None`` where it cannot be found.
    """

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.path:
            where += f": {self.path}"
        return f"{where}: {self.message}"


class FormDefinitionError(KindbehoeftenError, ValueError):
    """A form file (or a form built in Python) is broken.

    ``problems`` holds every problem found, not only the first, each with its file, key path
    and line where possible.

    >>> error = FormDefinitionError([FormProblem("f.toml", "form.id", "is missing", 1)])
    >>> print(error)
    f.toml:1: form.id: is missing
    """

    def __init__(self, problems: Iterable[FormProblem]) -> None:
        self.problems: tuple[FormProblem, ...] = tuple(problems)
        count = len(self.problems)
        if count == 1:
            text = str(self.problems[0])
        else:
            lines = "\n".join(f"  - {problem}" for problem in self.problems)
            text = f"{count} problems in form definition:\n{lines}"
        super().__init__(text)


class UnknownFormError(KindbehoeftenError, LookupError):
    """No form with this id (or this version of it) is in the catalog.

    ``known`` are the ids in the catalog; ``versions`` the versions of ``form_id`` when the
    id is known but the version is not.
    """

    def __init__(
        self,
        form_id: str,
        version: str | None,
        known: Iterable[str],
        versions: Iterable[str] = (),
    ) -> None:
        self.form_id = form_id
        self.version = version
        self.known: tuple[str, ...] = tuple(known)
        self.versions: tuple[str, ...] = tuple(versions)
        hint = ", ".join(self.known) if self.known else "none"
        # A caller's code may pass any string: the message quotes it cut, as an issue does.
        shown = quoted(form_id)
        if version is not None and self.versions:
            text = (
                f"form {shown!r} has no version {quoted(version)!r}; known versions: "
                f"{', '.join(self.versions)}"
            )
        else:
            what = shown if version is None else f"{shown} version {quoted(version)}"
            text = f"unknown form {what!r}; known: {hint}"
        super().__init__(
            f"{text}. Give a form id from `kindbehoeften forms list`, or the path of a form file."
        )


class InvalidArgumentError(KindbehoeftenError, ValueError):
    """An argument of a public function whose value does not fit.

    ``argument`` names the parameter at fault (``authored``, ``status``, ``starts``,
    ``extensions``, ``key``, ``min_cell``, ``rows``, ...); the message says what it must be.
    Values of arguments are shown only where they are the library's own vocabulary or a
    date, never an answer.

    >>> print(InvalidArgumentError("status", "status must be 'completed' or 'in_progress'"))
    status must be 'completed' or 'in_progress'
    """

    def __init__(self, argument: str, message: str) -> None:
        self.argument = argument
        super().__init__(message)


def _counted(codes: Iterable[str]) -> str:
    """``3 errors (required x2, choice)``: how many problems, and their codes in order."""
    counts = Counter(codes)
    total = sum(counts.values())
    listed = ", ".join(code if count == 1 else f"{code} x{count}" for code, count in counts.items())
    return f"{total} error{'s' if total != 1 else ''} ({listed})"


class InvalidSubmissionError(KindbehoeftenError, ValueError):
    """A function that needs a valid submission got one that is not, or one that the format
    it makes cannot hold.

    ``report`` is the submission's :class:`~kindbehoeften.ValidationReport`. ``problems``
    holds ``(pointer, code)`` pairs: the errors of the report, or, for a valid submission that
    the target format cannot hold, where and what (a whole number beyond FHIR's integer range
    is ``max`` or ``min``). ``codes`` are the problems' codes, in order. The message counts
    the problems by code and never shows an answer; ``kindbehoeften.validate`` says where
    each is.

    >>> from kindbehoeften import Issue, ValidationReport
    >>> report = ValidationReport((Issue("/status", "required", "Status is required"),))
    >>> print(InvalidSubmissionError(report, "become a QuestionnaireResponse"))
    ... # doctest: +NORMALIZE_WHITESPACE
    the submission is not valid: 1 error (required). kindbehoeften.validate(submission) shows
    where; only a valid submission can become a QuestionnaireResponse.
    """

    def __init__(
        self,
        report: ValidationReport,
        purpose: str,
        problems: Iterable[tuple[str, str]] | None = None,
        message: str | None = None,
    ) -> None:
        self.report = report
        self.purpose = purpose
        self.problems: tuple[tuple[str, str], ...] = (
            tuple((issue.pointer, issue.code) for issue in report.errors)
            if problems is None
            else tuple(problems)
        )
        self.codes: tuple[str, ...] = tuple(code for _, code in self.problems)
        if message is None:
            message = (
                f"the submission is not valid: {_counted(self.codes)}. "
                "kindbehoeften.validate(submission) shows where; only a valid submission can "
                f"{purpose}."
            )
        super().__init__(message)


class TriangleError(KindbehoeftenError, ValueError):
    """The input cannot be shown as the assessment triangle: it is not a valid submission
    (``codes`` holds its errors' codes, ``report`` the whole report), or its form lacks the
    three sides, or a record holds no submission of such a form (then ``report`` is ``None``
    and ``codes`` is empty).

    >>> print(TriangleError("form triangle.plan@1.0.0 has no assessment in its three sides"))
    form triangle.plan@1.0.0 has no assessment in its three sides
    """

    def __init__(self, message: str, report: ValidationReport | None = None) -> None:
        super().__init__(message)
        self.report = report
        self.codes: tuple[str, ...] = (
            () if report is None else tuple(issue.code for issue in report.errors)
        )


class TransitionError(KindbehoeftenError, ValueError):
    """A step that the assessment does not allow now: in its stage, or dated too early.

    ``stage`` is the stage the assessment is in (``None`` before its first event), ``step``
    the event kind that was refused, ``why`` the reason where the stage alone does not give it
    (or ``None``), and ``allowed`` the steps allowed now, in the order of
    the lifecycle. The assessment itself is unchanged: it is immutable.

    >>> print(TransitionError("closed", "plan_adopted", ("reporter_informed", "reopened")))
    cannot record 'plan_adopted' in stage 'closed'. Allowed now: reporter_informed, reopened.
    """

    def __init__(
        self, stage: str | None, step: str, allowed: Iterable[str], why: str | None = None
    ) -> None:
        self.stage = stage
        self.step = step
        self.why = why
        self.allowed: tuple[str, ...] = tuple(allowed)
        where = "before the first event" if stage is None else f"in stage {stage!r}"
        text = f"cannot record {step[:40]!r} {where}"
        if why:
            text += f": {why}"
        text += f". Allowed now: {', '.join(self.allowed) or 'nothing'}."
        super().__init__(text)


IncompleteReason = Literal["invalid", "draft", "wrong_form"]


class IncompleteAssessmentError(KindbehoeftenError, ValueError):
    """A stage was completed without a completed, valid submission of that stage's form.

    ``report`` is the :class:`~kindbehoeften.ValidationReport` of the submission; ``reason``
    is ``invalid`` (the report has errors), ``draft`` (valid, but its status is not
    ``completed``) or ``wrong_form`` (a form of another stage). ``step`` is the refused event
    kind and ``stage`` the form stage it needs (``preliminary``, ``full`` or ``plan``). The
    message counts the issues by code; it never shows an answer.
    """

    def __init__(
        self,
        step: str,
        stage: str,
        report: ValidationReport,
        reason: IncompleteReason,
        form: str | None = None,
    ) -> None:
        self.step = step
        self.stage = stage
        self.report = report
        self.reason: IncompleteReason = reason
        self.form = form
        needs = f"a completed, valid submission of a {stage!r} form (such as triangle.{stage})"
        if reason == "wrong_form":
            why = f"the submission is of form {form!r}, which is not a {stage!r} form"
        elif reason == "draft":
            why = (
                "the submission is a draft; give it status 'completed' once every required "
                "answer is there"
            )
        else:
            counted = _counted(issue.code for issue in report.errors)
            why = f"the submission has {counted}; the report's issues say where"
        super().__init__(f"cannot record {step!r}: it needs {needs}, but {why}.")


class InvalidEventError(KindbehoeftenError, ValueError):
    """An event's date, time, actor or data does not fit its kind.

    ``kind`` is the event kind. ``problems`` holds ``(field, code)`` pairs for programs, such
    as ``("data.reason", "literal_error")``: the field's path and what is wrong with it.
    ``messages`` holds one sentence per problem for people, naming the field and what it
    allows (``data.reason must be one of: no_concern, referred, ...``). Neither ever holds
    the value that was given: it may be personal data.

    >>> print(InvalidEventError("closed", [("data.reason", "missing")], ["data.reason is missing"]))
    invalid event 'closed': data.reason is missing. docs/lifecycle.md lists the data of each step.
    """

    def __init__(
        self,
        kind: str,
        problems: Iterable[tuple[str, str]],
        messages: Iterable[str] | None = None,
    ) -> None:
        self.kind = kind
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        given = () if messages is None else tuple(messages)
        self.messages: tuple[str, ...] = tuple(
            given[index] if index < len(given) else f"{field} is not valid ({code})"
            for index, (field, code) in enumerate(self.problems)
        )
        listed = "; ".join(self.messages[:5])
        if len(self.messages) > 5:
            listed += f"; and {len(self.messages) - 5} more"
        super().__init__(
            f"invalid event {kind[:40]!r}: {listed}. docs/lifecycle.md lists the data of each step."
        )


IntegrityCode = Literal[
    "json_syntax",
    "not_a_history",
    "empty",
    "invalid_event",
    "not_canonical",
    "seq",
    "prev",
    "hash",
    "case_id",
    "head",
    "text",
]

_INTEGRITY_MESSAGES: dict[str, str] = {
    "json_syntax": "the history is not valid JSON",
    "not_a_history": "the document is not an event history",
    "empty": "the history holds no events; it starts with its report_received event",
    "invalid_event": "event {seq} is not a valid event",
    "not_canonical": "event {seq} is not written the way it was stored (a value was reformatted)",
    "seq": "event {seq} is out of order: its seq is not {seq}",
    "prev": "event {seq} does not link to the event before it: its prev is not that event's hash",
    "hash": "event {seq} was changed: its hash does not match its content",
    "case_id": "the document's case_id is not the case_id of its first event",
    "head": "the last event's hash is not the head that was expected: events were removed, "
    "added or rewritten",
    "text": "the text of the history is not the text it was stored as (whitespace or layout "
    "changed)",
}


class IntegrityError(KindbehoeftenError, ValueError):
    """A stored event history was altered or damaged, and was not loaded.

    ``code`` says what was found (one of ``json_syntax``, ``not_a_history``, ``empty``,
    ``invalid_event``, ``not_canonical``, ``seq``, ``prev``, ``hash``, ``case_id``, ``head``,
    ``text``)
    and ``seq`` is the position (1-based) of the first bad event, or ``None`` when the
    document as a whole is at fault. ``detail`` names fields or a place, never their content.

    >>> print(IntegrityError("hash", seq=3))  # doctest: +NORMALIZE_WHITESPACE
    event 3 was changed: its hash does not match its content. Load the history exactly as it
    was stored: events are never edited, only appended.
    """

    def __init__(self, code: IntegrityCode, seq: int | None = None, detail: str = "") -> None:
        self.code: IntegrityCode = code
        self.seq = seq
        self.detail = detail
        text = _INTEGRITY_MESSAGES[code].format(seq=seq)
        if detail:
            text += f" ({detail})"
        super().__init__(
            f"{text}. Load the history exactly as it was stored: events are never edited, "
            "only appended."
        )


class UnknownJurisdictionError(KindbehoeftenError, LookupError):
    """No profile for this jurisdiction code.

    >>> print(UnknownJurisdictionError("XX", ["SE", "NL"]))
    unknown jurisdiction 'XX'; known: SE, NL. Give one of these codes (case does not matter).
    """

    def __init__(self, jurisdiction: str, known: Iterable[str]) -> None:
        self.jurisdiction = jurisdiction
        self.known: tuple[str, ...] = tuple(known)
        super().__init__(
            f"unknown jurisdiction {quoted(jurisdiction)!r}; known: {', '.join(self.known)}. "
            "Give one of these codes (case does not matter)."
        )


class UnknownLocaleError(KindbehoeftenError, LookupError):
    """A locale that is not one of the six shipped languages (or not a locale at all)."""

    def __init__(self, locale: str, known: tuple[str, ...]) -> None:
        self.locale = locale
        self.known = known
        super().__init__(
            f"unknown locale {locale[:40]!r}; available: {', '.join(known)}. Give a language"
            " code such as sv or nb_NO."
        )


class InvalidRecordError(KindbehoeftenError, ValueError):
    """A record that cannot be made or read: a submission that is not valid, a document that
    is not a record, or derived fields (stage, deadlines) that differ from its history.

    ``problems`` holds ``(pointer, code)`` pairs into the record, never values.

    >>> print(InvalidRecordError([("/submissions/0/answers/plan", "required")]))
    invalid record: /submissions/0/answers/plan (required). Make records with export.record.
    """

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        listed = ", ".join(f"{pointer or '/'} ({code})" for pointer, code in self.problems[:5])
        if len(self.problems) > 5:
            listed += f" and {len(self.problems) - 5} more"
        super().__init__(f"invalid record: {listed}. Make records with export.record.")


class InvalidResourceError(KindbehoeftenError, ValueError):
    """A FHIR resource that cannot be read back as a submission: not JSON, not a
    ``QuestionnaireResponse``, a ``questionnaire`` that names no form version of the catalog,
    or items that the form does not have where they stand.

    ``problems`` holds ``(pointer, code)`` pairs: a JSON Pointer into the resource and what is
    wrong there (``docs/fhir.md`` lists the codes); ``messages`` one sentence per problem.
    Neither ever holds a value of the resource: answers are personal data.

    >>> print(InvalidResourceError([("/resourceType", "resource_type")]))
    ... # doctest: +NORMALIZE_WHITESPACE
    not a QuestionnaireResponse that kindbehoeften can read: /resourceType (resource_type).
    Give a QuestionnaireResponse to a Questionnaire of export.questionnaire.
    """

    def __init__(
        self, problems: Iterable[tuple[str, str]], messages: Iterable[str] | None = None
    ) -> None:
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        given = () if messages is None else tuple(messages)
        self.messages: tuple[str, ...] = tuple(
            given[index] if index < len(given) else f"{pointer or '/'}: {code}"
            for index, (pointer, code) in enumerate(self.problems)
        )
        listed = ", ".join(f"{pointer or '/'} ({code})" for pointer, code in self.problems[:5])
        if len(self.problems) > 5:
            listed += f" and {len(self.problems) - 5} more"
        super().__init__(
            f"not a QuestionnaireResponse that kindbehoeften can read: {listed}. Give a "
            "QuestionnaireResponse to a Questionnaire of export.questionnaire."
        )


class UnsafeFieldError(KindbehoeftenError, ValueError):
    """A form puts free text or personal data where the statistics read an answer.

    ``form`` is the form's ``id@version``, ``question`` the question's path, ``reason`` what
    is wrong with it. Raised instead of exporting, so that a changed form cannot leak.
    """

    def __init__(self, form: str, question: str, reason: str) -> None:
        self.form = form
        self.question = question
        self.reason = reason
        super().__init__(
            f"{form}: {question} cannot be exported in statistics: {reason}. Statistics read "
            "only choice, multi_choice, boolean and integer questions of sensitivity none; "
            "change the form, or export without it."
        )


class MissingDependencyError(KindbehoeftenError, ImportError):
    """An optional package that a feature needs is not installed; the message names the
    extra that installs it."""


ConflictReason = Literal["exists", "head_moved", "not_continued"]


class ConflictError(KindbehoeftenError, RuntimeError):
    """A write to a store that another writer got to first: the case is stored already
    (``create``), or its stored head is no longer the ``expected_head`` given to ``append``.

    ``case_id`` names the case, ``head`` is its stored head now and ``expected`` the head the
    caller expected (``None`` for ``create``). ``reason`` is ``exists``, ``head_moved``, or
    ``not_continued`` (the assessment given does not continue the history at
    ``expected_head``). Nothing was written. Load the case again (``store.get``), apply the
    step to it and append with the new head (docs/storage.md has a retry recipe).

    >>> print(ConflictError("case-1", "b" * 64, "a" * 64))
    ... # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
    case 'case-1' moved on: its stored head is bbb...bbb, not the expected head aaa...aaa;
    another writer appended first. Load it again with store.get(...), apply the step to it
    and append with expected_head= the new head.
    """

    def __init__(
        self,
        case_id: str,
        head: str,
        expected: str | None,
        reason: ConflictReason = "head_moved",
    ) -> None:
        self.case_id = case_id
        self.head = head
        self.expected = expected
        self.reason: ConflictReason = reason
        case = quoted(case_id)
        shown = None if expected is None else quoted(expected)
        if reason == "exists":
            text = (
                f"case {case!r} is stored already (its head is {head}); load it with "
                "store.get(...), or give the new case another id."
            )
        elif reason == "not_continued":
            text = (
                f"the assessment does not continue case {case!r} from the expected head "
                f"{shown}: that event is not in its history. Apply the step to the "
                "assessment that store.get(...) returns and append that one."
            )
        else:
            text = (
                f"case {case!r} moved on: its stored head is {head}, not the expected head "
                f"{shown}; another writer appended first. Load it again with "
                "store.get(...), apply the step to it and append with expected_head= the "
                "new head."
            )
        super().__init__(text)


class WorkerLostError(KindbehoeftenError, RuntimeError):
    """A worker process (of ``jobs``, ``--jobs``) ended before its work was done: killed by a
    signal, or by the system when memory ran out. The results given before it are complete
    and in order; the rest is missing.

    >>> str(WorkerLostError())[:48]
    'a worker process ended before its work was done '
    """

    def __init__(self) -> None:
        super().__init__(
            "a worker process ended before its work was done (killed, or out of memory?), so "
            "the output is incomplete; run it again, with fewer jobs if memory is short"
        )


class UnknownCaseError(KindbehoeftenError, LookupError):
    """No case with this id in the store.

    >>> print(UnknownCaseError("case-9"))  # doctest: +NORMALIZE_WHITESPACE
    no case 'case-9' in the store; store.create(assessment) stores a new case, and
    store.cases() lists the stored ones.
    """

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__(
            f"no case {quoted(case_id)!r} in the store; store.create(assessment) stores a new "
            "case, and store.cases() lists the stored ones."
        )


class UnknownSubmissionError(KindbehoeftenError, LookupError):
    """No submission with this digest is stored for the case: it never was, or its case's
    submissions were erased (``erase_submissions``). ``case_id`` and ``digest`` say which."""

    def __init__(self, case_id: str, digest: str) -> None:
        self.case_id = case_id
        self.digest = digest
        super().__init__(
            f"no submission with digest {quoted(digest)!r} is stored for case "
            f"{quoted(case_id)!r}: it was never stored, or the case's submissions were "
            "erased. The history keeps the digest of every submission a step recorded."
        )


StoreProblem = Literal["url", "missing_extra", "unreachable", "not_a_store", "schema", "database"]


class StoreError(KindbehoeftenError, OSError):
    """A store that cannot be opened or used, with what to do about it.

    ``reason`` says what: ``url`` (a URL that is no store URL), ``missing_extra`` (the
    PostgreSQL driver is not installed), ``unreachable`` (the server or the file cannot be
    reached or opened), ``not_a_store`` (a database that holds something else),
    ``schema`` (a store written by a newer kindbehoeften; ``message`` names the version it
    needs) or ``database`` (the database refused an operation). Messages never show a
    password or any stored answer.
    """

    def __init__(self, reason: StoreProblem, message: str) -> None:
        self.reason: StoreProblem = reason
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class KindbehoeftenWarning(UserWarning):
    """The base of every warning that kindbehoeften gives."""


class FormsPathWarning(KindbehoeftenWarning):
    """An entry of the forms path named ``*.toml`` that is not a regular file (a folder, a
    named pipe, a dangling link) was skipped; the message names it."""
