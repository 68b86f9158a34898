"""Hostile input: what no submission, history, record, form file or forms path may do to the
library (design, "Limits every entry point keeps"; issue 10).

One section per kind of harm: opening a file that a string of the data names, hanging,
crashing, growing without bound, copies of a rule that drifted apart, and one reader whose
verdict every entry point shares. Every test carries a timeout, so that a hang fails instead
of stalling CI; no test measures time otherwise.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import hypothesis
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kindbehoeften
from kindbehoeften import (
    Assessment,
    Form,
    FormDefinitionError,
    IntegrityError,
    InvalidRecordError,
    ValidationReport,
    Validator,
    export,
    validate,
)
from kindbehoeften._core import jsonread
from kindbehoeften._core.jsonread import plain, read
from kindbehoeften._core.limits import (
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENT_DEPTH,
    MAX_ISSUES,
    MAX_QUOTED,
    MAX_SUBMISSION_BYTES,
)
from kindbehoeften._exports.summary import Triangle, TriangleError, triangle
from kindbehoeften._forms.catalog import FORMS_PATH_VARIABLE
from kindbehoeften.errors import FormsPathWarning
from strategies import EXAMPLES, json_text, mutated_json

Pairs = list[tuple[str, str]]

BUILT_IN_IDS = "triangle.followup, triangle.full, triangle.plan, triangle.preliminary"
HISTORY = EXAMPLES / "histories" / "demo-case.json"
HEALTH = "/answers/child_needs/health"


def pairs(report: ValidationReport) -> Pairs:
    return [(issue.pointer, issue.code) for issue in report.issues]


def example(name: str) -> dict[str, Any]:
    """A fresh copy of ``examples/<name>.json``."""
    document: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))
    return document


def shapes(document: dict[str, Any]) -> list[Any]:
    """The submission as a dict, as JSON text and as JSON bytes."""
    return [document, json.dumps(document), json.dumps(document).encode()]


def a_case() -> Assessment:
    return Assessment.report(
        case_id="case-hostile",
        jurisdiction="SE",
        on=dt.date(2026, 3, 2),
        actor="worker-1",
        reporter="professional",
    )


def a_record(*submissions: Any) -> dict[str, Any]:
    """A record of a new case with ``submissions``, as plain JSON data."""
    made = export.record(a_case(), submissions, today=dt.date(2026, 3, 4))
    document: dict[str, Any] = json.loads(json.dumps(made))
    return document


def form_toml(questions: str, *, form_id: str = "test.hostile", before: str = "") -> str:
    """A form file with one area, ``child_needs.health``, holding ``questions`` (TOML)."""
    return (
        f"{before}[form]\n"
        f'id = "{form_id}"\nversion = "1.0.0"\nstage = "full"\ntitle = "Hostile input"\n\n'
        '[[sections]]\nid = "child_needs"\nlabel = "The child"\n\n'
        '[[sections.areas]]\nid = "health"\nlabel = "Health"\n\n'
        f"{questions}"
    )


def question_toml(question_id: str, kind: str, **extra: str) -> str:
    lines = [f'id = "{question_id}"', f'type = "{kind}"', f'label = "{question_id.upper()}"']
    lines += [f"{key} = {value}" for key, value in extra.items()]
    return "[[sections.areas.questions]]\n" + "\n".join(lines) + "\n\n"


def hostile_submission(answers: dict[str, Any], status: str = "in_progress") -> dict[str, Any]:
    return {
        "form": "test.hostile",
        "form_version": "1.0.0",
        "status": status,
        "answers": {"child_needs": {"health": answers}},
    }


# Every file the process opens while recording (the "open" audit event of io.open and os.open).
_opened: list[list[str]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _opened and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        _opened[-1].append(os.path.abspath(os.fsdecode(args[0])))


_hook_installed: list[bool] = []


@contextlib.contextmanager
def opened_files() -> Iterator[list[str]]:
    """The absolute paths of the files opened inside the block."""
    if not _hook_installed:
        sys.addaudithook(_audit)  # for the rest of the run: an audit hook cannot be removed
        _hook_installed.append(True)
    found: list[str] = []
    _opened.append(found)
    try:
        yield found
    finally:
        _opened.remove(found)


@contextlib.contextmanager
def shallow_stack(frames: int) -> Iterator[None]:
    """Python's recursion limit set to ``frames`` above the current depth: code that recurses
    once per condition of a long chain fails with RecursionError inside the block."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(traceback.extract_stack()) + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


# --- 1. a submission can never make the library open a file ------------------------------------

# A form file that a careless lookup would find: its id, title and question are on no list
# of the catalog, so none of them may appear in a report.
SECRET_WORDS = ("local.settings", "Secret-Title-7", "secret_question_7", "Secret-Label-7")
SECRET_FORM = {
    "form": {
        "id": "local.settings",
        "version": "1.0.0",
        "stage": "full",
        "title": "Secret-Title-7",
    },
    "sections": [
        {
            "id": "child_needs",
            "label": "The child",
            "areas": [
                {
                    "id": "health",
                    "label": "Health",
                    "questions": [
                        {"id": "secret_question_7", "type": "text", "label": "Secret-Label-7"}
                    ],
                }
            ],
        }
    ],
}
SECRET_TOML = (
    '[form]\nid = "local.settings"\nversion = "1.0.0"\nstage = "full"\n'
    'title = "Secret-Title-7"\n\n'
    '[[sections]]\nid = "child_needs"\nlabel = "The child"\n\n'
    '[[sections.areas]]\nid = "health"\nlabel = "Health"\n\n'
    '[[sections.areas.questions]]\nid = "secret_question_7"\ntype = "text"\n'
    'label = "Secret-Label-7"\n'
)

# (the name a document gives as its form, what is at that path relative to the working folder)
NAMED_FILES = [
    *(
        pytest.param(name, state, id=f"{name}-{state}")
        for name in ("settings.toml", "../x.toml", "forms/x.json")
        for state in ("form file", "named pipe", "nothing")
    ),
    pytest.param("/etc/passwd", "as it is", id="/etc/passwd"),
]


def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, state: str) -> Path:
    """Work in ``tmp_path/work`` with ``state`` at the path ``name`` gives; the path."""
    work = tmp_path / "work"
    (work / "forms").mkdir(parents=True)
    monkeypatch.chdir(work)
    monkeypatch.delenv(FORMS_PATH_VARIABLE, raising=False)
    target = (work / name).resolve()
    if state == "form file":
        text = json.dumps(SECRET_FORM) if name.endswith(".json") else SECRET_TOML
        target.write_text(text, encoding="utf-8")
    elif state == "named pipe":
        os.mkfifo(target)  # opening it to read would block until a writer comes
    return target


def assert_never_opened(opened: list[str], target: Path, tmp_path: Path) -> None:
    """Neither the named path nor anything else of the test's folder was opened."""
    inside = [
        path for path in opened if Path(path) == target or Path(path).is_relative_to(tmp_path)
    ]
    assert [] == inside


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("name", "state"), NAMED_FILES)
def test_a_form_named_in_a_submission_is_only_looked_up_as_an_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, state: str
) -> None:
    """Whether the path a submission's ``form`` names holds a form file, a named pipe or
    nothing, validate gives the same ``unknown_form`` issue and opens no file; nor do the
    summary and FHIR, which refuse the submission."""
    target = place(tmp_path, monkeypatch, name, state)
    submission = {"form": name, "form_version": "1.0.0", "status": "in_progress", "answers": {}}
    expected = [
        {
            "pointer": "/form",
            "code": "unknown_form",
            "severity": "error",
            "message": f"Unknown form {name!r}; known forms: {BUILT_IN_IDS}.",
        }
    ]
    for each in shapes(submission):
        with opened_files() as opened:
            report = validate(each)
            with pytest.raises(TriangleError):
                triangle(each)
            with pytest.raises(ValueError, match="the submission is not valid"):
                export.questionnaire_response(each)
        assert expected == [issue.to_dict() for issue in report.issues]
        assert_never_opened(opened, target, tmp_path)
        shown = json.dumps(report.to_dict())
        assert [] == [word for word in SECRET_WORDS if word in shown]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("name", "state"), NAMED_FILES)
def test_a_form_named_in_a_record_is_only_looked_up_as_an_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, state: str
) -> None:
    """read_record (and the summary of a record) refuse a submission that names a path as its
    form, as an unknown form, whatever is at that path, and open no file."""
    document = a_record(example("triangle.full.valid"))
    target = place(tmp_path, monkeypatch, name, state)
    document["submissions"][0]["form"] = name
    for each in (document, json.dumps(document), json.dumps(document).encode()):
        with opened_files() as opened:
            with pytest.raises(InvalidRecordError) as refused:
                export.read_record(each)
            with pytest.raises(TriangleError) as not_summed:
                triangle(each)
        assert (("/submissions/0/form", "unknown_form"),) == refused.value.problems
        assert [] == [word for word in SECRET_WORDS if word in str(not_summed.value)]
        assert_never_opened(opened, target, tmp_path)


def rehashed(events: list[dict[str, Any]]) -> None:
    """Link ``events`` again after an edit: each ``prev`` and ``hash`` as the library computes
    them (SHA-256 of the event's canonical JSON without ``hash``)."""
    prev = events[0]["prev"]
    for event in events:
        event["prev"] = prev
        body = {key: value for key, value in event.items() if key != "hash"}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        event["hash"] = prev = hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("name", "state"), NAMED_FILES)
def test_a_form_named_in_a_history_is_never_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, state: str
) -> None:
    """A history whose decisions name a path as their form loads (a well-formed id such as
    ``settings.toml``) or fails with IntegrityError (any other string) the same way whatever
    is at that path, and opens no file there."""
    document = json.loads(HISTORY.read_text(encoding="utf-8"))
    for event in document["events"]:
        if "form" in event["data"]:
            event["data"]["form"] = name
    rehashed(document["events"])
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    target = place(tmp_path, monkeypatch, name, state)
    with opened_files() as opened:
        try:
            outcome: object = Assessment.from_json(text).stage
        except IntegrityError as error:
            outcome = (error.code, error.seq)
    expected = "support" if name == "settings.toml" else ("invalid_event", 5)
    assert expected == outcome
    assert_never_opened(opened, target, tmp_path)


# --- 2. hangs ------------------------------------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        pytest.param("a" * 41 + "!", [(f"{HEALTH}/code", "pattern")], id="41a!"),
        pytest.param("a" * 50_000 + "!", [(f"{HEALTH}/code", "pattern")], id="50000a!"),
        pytest.param("a" * 50_000, [], id="50000a"),
    ],
)
def test_a_catastrophic_pattern_is_matched_in_linear_time(
    tmp_path: Path, answer: str, expected: Pairs
) -> None:
    """``(a+)+$`` takes Python's backtracking ``re`` minutes on 41 characters; the form's
    pattern engine answers at once, for text, bytes and a dict."""
    path = tmp_path / "pattern.toml"
    path.write_text(form_toml(question_toml("code", "text", pattern='"(a+)+$"')), "utf-8")
    form = kindbehoeften.load_form(path)
    for each in shapes(hostile_submission({"code": answer})):
        assert expected == pairs(validate(each, form=form))
        assert expected == pairs(Validator(form).validate(each))


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "pattern",
    [r"(a)\\1", r"(?P<x>a)(?P=x)", "(?=a)a", "(?!b)a", "(?<=a)b", "(?<!a)b"],
    ids=["backreference", "named-backreference", "look-ahead", "negative-look-ahead",
         "look-behind", "negative-look-behind"],
)  # fmt: skip
def test_a_pattern_that_needs_backtracking_is_refused_when_the_form_is_loaded(
    tmp_path: Path, pattern: str
) -> None:
    path = tmp_path / "pattern.toml"
    path.write_text(form_toml(question_toml("code", "text", pattern=f'"{pattern}"')), "utf-8")
    with pytest.raises(FormDefinitionError) as refused:
        kindbehoeften.load_form(path)
    [problem] = refused.value.problems
    assert (str(path), "sections[0].areas[0].questions[0].pattern") == (problem.file, problem.path)
    assert "linear time" in problem.message


ALMOST_TWO_MIB = 2 * 1024 * 1024 - 1024


@pytest.mark.timeout(60)
@pytest.mark.parametrize("size", [20_000, ALMOST_TWO_MIB], ids=["20kB", "2MiB-1kB"])
@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("comment", None),
        ("label", ("sections[0].areas[0].questions[0].label", "must have at most 2000 characters")),
        ("key", ("sections[0].areas[0].questions[0].", "unknown key 'www")),
    ],
)  # fmt: skip
def test_a_form_file_with_one_huge_word_loads_or_is_refused_at_once(
    tmp_path: Path, size: int, where: str, expected: tuple[str, str] | None
) -> None:
    """One word of 20 kB, or of almost the whole 2 MiB a form file may hold, as a comment, a
    label or a key: the file loads, or is refused with the place of the problem."""
    question = question_toml("code", "text")
    text = form_toml(question)
    word = "w" * (size - len(text) - 20)
    if where == "comment":
        text = form_toml(question, before=f"# {word}\n")
    elif where == "label":
        text = form_toml(question.replace('label = "CODE"', f'label = "{word}"'))
    else:
        text = form_toml(question + f"{word} = 1\n")
    path = tmp_path / "huge.toml"
    path.write_text(text, encoding="utf-8")
    assert size - 100 < path.stat().st_size <= size
    if expected is None:
        assert "test.hostile" == kindbehoeften.load_form(path).id
        return
    with pytest.raises(FormDefinitionError) as refused:
        kindbehoeften.load_form(path)
    [problem] = refused.value.problems
    path_prefix, message_prefix = expected
    assert (path_prefix, message_prefix) == (
        problem.path[: len(path_prefix)],
        problem.message[: len(message_prefix)],
    )
    assert len(problem.message) < 500  # the word is quoted cut short, if at all


def chained_form(count: int) -> Form:
    """``count`` questions, each but the last two enabled while one of the next two is
    answered: every condition shares its targets with its neighbours'."""
    questions: list[dict[str, Any]] = []
    for index in range(count):
        question: dict[str, Any] = {"id": f"q{index}", "type": "boolean", "label": f"Q{index}"}
        if index + 2 < count:
            question["when"] = {
                "any": [
                    {"question": f"q{index + 1}", "operator": "answered"},
                    {"question": f"q{index + 2}", "operator": "answered"},
                ]
            }
        questions.append(question)
    area = {"id": "health", "label": "Health", "questions": questions}
    return Form.from_dict(
        {
            "form": {"id": "test.hostile", "version": "1.0.0", "stage": "full", "title": "Chain"},
            "sections": [{"id": "child_needs", "label": "The child", "areas": [area]}],
        }
    )


@pytest.mark.timeout(60)
def test_conditions_on_the_next_two_questions_validate_and_export_in_linear_time() -> None:
    """Forms of 40 and 200 such questions validate, and their JSON Schema (which agrees with
    validate) and FHIR Questionnaire grow with the number of questions, not with the number
    of ways to reach one."""
    sizes: dict[int, tuple[int, int]] = {}
    for count in (40, 200):
        form = chained_form(count)
        everything = {f"q{index}": True for index in range(count)}
        last_two_and_first = {"q0": True, f"q{count - 2}": True, f"q{count - 1}": False}
        for status in ("in_progress", "completed"):
            assert [] == pairs(validate(hostile_submission(everything, status), form=form))
            assert [(f"{HEALTH}/q0", "disabled")] == pairs(
                validate(hostile_submission(last_two_and_first, status), form=form)
            )
        schema = export.json_schema(form)
        checker = jsonschema.Draft202012Validator(schema)  # and the schema agrees
        assert checker.is_valid(hostile_submission(everything, "completed"))
        assert not checker.is_valid(hostile_submission(last_two_and_first, "completed"))
        questionnaire = export.questionnaire(form)
        sizes[count] = (len(json.dumps(schema)), len(json.dumps(questionnaire)))
    assert sizes[200][0] < 10 * sizes[40][0]
    assert sizes[200][1] < 10 * sizes[40][1]


def shared_lists(levels: int) -> list[Any]:
    """One list holding the same list twice, ``levels`` deep: 2**levels paths to the bottom."""
    value: list[Any] = []
    for _ in range(levels):
        value = [value, value]
    return value


VIEW = "/answers/plan/views/child_view"


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("where", "levels", "expected"),
    [
        pytest.param((), 40, ("/answers" + "/0" * 31, "too_deep"), id="answers-2**40"),
        pytest.param(("plan", "views", "child_view"), 40, (VIEW + "/0" * 28, "too_deep"),
                     id="answer-2**40"),
        pytest.param((), 25, ("", "too_large"), id="answers-2**25"),
        pytest.param(("plan", "views", "child_view"), 25, ("", "too_large"), id="answer-2**25"),
    ],
)  # fmt: skip
def test_a_dict_that_shares_one_list_many_times_gets_a_report_at_once(
    where: tuple[str, ...], levels: int, expected: tuple[str, str]
) -> None:
    """Answers that hold one list 2**40 (or 2**25) times over, by reference: too deep, or too
    large by the size of the JSON text they stand for, never a walk over every path."""
    answers: Any = shared_lists(levels)
    for key in reversed(where):
        answers = {key: answers}
    submission = {**example("triangle.plan.draft"), "answers": answers}
    assert [expected] == pairs(validate(submission))
    validator = Validator(kindbehoeften.load_form("triangle.plan"))
    assert [expected] == pairs(validator.validate(submission))


def many_unknown_fields(limit: int = MAX_SUBMISSION_BYTES) -> str:
    """A draft of triangle.plan with as many fields ``"kN": 0`` as fit in ``limit`` bytes."""
    head = '{"form": "triangle.plan", "form_version": "1.0.0", "status": "in_progress", '
    fields, size, index = [], len(head) + len('"answers": {}}'), 0
    while size + len(f'"k{index}": 0, ') <= limit:
        fields.append(f'"k{index}": 0, ')
        size += len(fields[-1])
        index += 1
    return head + "".join(fields) + '"answers": {}}'


@pytest.mark.timeout(60)
def test_a_megabyte_of_small_unknown_fields_gives_at_most_1001_issues() -> None:
    text = many_unknown_fields()
    assert MAX_SUBMISSION_BYTES - 20 < len(text) <= MAX_SUBMISSION_BYTES
    for each in (text, text.encode(), json.loads(text)):
        report = validate(each)
        assert MAX_ISSUES + 1 == len(report.issues)
        assert ("", "too_many_issues") == pairs(report)[-1]


# --- 3. crashes ----------------------------------------------------------------------------------

CHAIN = 500  # q0, and 499 questions each enabled while the one before is answered


@pytest.fixture(scope="module")
def chain_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    questions = question_toml("q0", "boolean", required="true") + "".join(
        question_toml(
            f"q{index}",
            "boolean",
            required="true",
            when=f'{{ question = "q{index - 1}", operator = "answered" }}',
        )
        for index in range(1, CHAIN)
    )
    path = tmp_path_factory.mktemp("chain") / "chain.toml"
    path.write_text(form_toml(questions), encoding="utf-8")
    return path


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("answered", "expected"),
    [
        pytest.param(range(CHAIN), [], id="all"),
        pytest.param(
            [*range(200), 300],
            [(f"{HEALTH}/q200", "required"), (f"{HEALTH}/q300", "disabled")],
            id="the-first-200-and-q300",
        ),
        pytest.param([], [(f"{HEALTH}/q0", "required")], id="none"),
        pytest.param(
            [CHAIN - 1],
            [(f"{HEALTH}/q{CHAIN - 1}", "disabled"), (f"{HEALTH}/q0", "required")],
            id="only-the-last",
        ),
    ],
)
def test_a_chain_of_499_conditions_from_a_form_file_validates_without_recursion(
    chain_file: Path, answered: Sequence[int], expected: Pairs
) -> None:
    """Loaded and validated with the stack only 100 frames deeper than the test: a walk that
    recursed once per condition would overflow it."""
    kindbehoeften.load_form(chain_file)  # once with the full stack, for the lazy imports
    submission = hostile_submission({f"q{index}": True for index in answered}, "completed")
    with shallow_stack(100):
        form = kindbehoeften.load_form(chain_file)
        reports = [validate(each, form=form) for each in shapes(submission)]
        reports += [Validator(form).validate(each) for each in shapes(submission)]
    for report in reports:
        assert expected == pairs(report)


# Caller objects whose methods must never be called: each records the call and raises.
CALLED: list[str] = []


def _called(name: str) -> Callable[..., Any]:
    def method(self: object, *args: object, **kwargs: object) -> Any:
        CALLED.append(f"{type(self).__name__}.{name}")
        raise RuntimeError(f"the library called {name} of a caller's object")

    return method


_METHODS = ("__str__", "__repr__", "__format__", "__eq__", "__ne__", "__lt__", "__bool__")
_CONTAINER_METHODS = ("__iter__", "__len__", "__getitem__", "__contains__", "keys", "items")


def _hostile_class(name: str, base: type, *, hashable: bool) -> type:
    methods = {method: _called(method) for method in (*_METHODS, *_CONTAINER_METHODS)}
    if base is object:
        methods["__getattr__"] = _called("__getattr__")
    if base in (int, float):
        methods.update({name: _called(name) for name in ("__index__", "__int__", "__float__")})
    if base is dict:
        methods.update({name: _called(name) for name in ("get", "values", "copy")})
    methods["__hash__"] = base.__hash__ if hashable else _called("__hash__")
    return type(name, (base,), methods)


Hostile = _hostile_class("Hostile", object, hashable=False)
HostileKey = _hostile_class("HostileKey", object, hashable=True)
HostileStr = _hostile_class("HostileStr", str, hashable=True)
HostileInt = _hostile_class("HostileInt", int, hashable=True)
HostileFloat = _hostile_class("HostileFloat", float, hashable=True)
HostileDict = _hostile_class("HostileDict", dict, hashable=False)
HostileList = _hostile_class("HostileList", list, hashable=False)


def in_health(key: Any, value: Any) -> Callable[[dict[str, Any]], Any]:
    def edit(document: dict[str, Any]) -> dict[str, Any]:
        document["answers"]["child_needs"]["health"][key] = value
        return document

    return edit


def at_top(key: str, value: Any) -> Callable[[dict[str, Any]], Any]:
    def edit(document: dict[str, Any]) -> dict[str, Any]:
        document[key] = value
        return document

    return edit


def sources_as_hostile_list(document: dict[str, Any]) -> dict[str, Any]:
    health = document["answers"]["child_needs"]["health"]
    health["sources"] = HostileList(health["sources"])
    return document


def health_as_hostile_dict(document: dict[str, Any]) -> dict[str, Any]:
    sides = document["answers"]["child_needs"]
    sides["health"] = HostileDict(sides["health"])
    return document


# (how the valid full assessment is changed, the issues it then has)
HOSTILE_CASES = [
    pytest.param(in_health("assessment", Hostile()), [(f"{HEALTH}/assessment", "type")],
                 id="object-as-an-answer"),
    pytest.param(in_health("sources", ["child", Hostile()]), [(f"{HEALTH}/sources/1", "choice")],
                 id="object-in-a-list"),
    pytest.param(in_health(HostileKey(), "x"), [(f"{HEALTH}/<HostileKey>", "type")],
                 id="object-as-a-key"),
    pytest.param(at_top("status", Hostile()), [("/status", "choice")], id="object-as-status"),
    pytest.param(at_top("form", Hostile()), [("/form", "type")], id="object-as-form"),
    pytest.param(in_health("assessment", {"some_concern"}), [(f"{HEALTH}/assessment", "type")],
                 id="set-as-an-answer"),
    pytest.param(in_health("assessment", b"some_concern"), [(f"{HEALTH}/assessment", "type")],
                 id="bytes-as-an-answer"),
    pytest.param(in_health("assessment", HostileStr("some_concern")), [],
                 id="str-subclass-as-an-answer"),
    pytest.param(in_health(HostileStr("not_a_question"), "x"),
                 [(f"{HEALTH}/not_a_question", "unknown_field")], id="str-subclass-as-a-key"),
    pytest.param(in_health("assessment", HostileInt(3)), [(f"{HEALTH}/assessment", "type")],
                 id="int-subclass-as-an-answer"),
    pytest.param(in_health(HostileInt(3), "x"), [(f"{HEALTH}/<HostileInt>", "type")],
                 id="int-subclass-as-a-key"),
    pytest.param(in_health("assessment", HostileFloat(2.5)), [(f"{HEALTH}/assessment", "type")],
                 id="float-subclass-as-an-answer"),
    pytest.param(sources_as_hostile_list, [], id="list-subclass"),
    pytest.param(health_as_hostile_dict, [], id="dict-subclass-as-an-area"),
    pytest.param(HostileDict, [], id="dict-subclass-as-the-submission"),
]  # fmt: skip


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("edit", "expected"), HOSTILE_CASES)
def test_caller_objects_that_raise_are_read_as_data_never_called(
    edit: Callable[[dict[str, Any]], Any], expected: Pairs
) -> None:
    """A caller's objects in a dict submission (values, keys, subclasses of str, int, float,
    list and dict whose methods raise) give issues, never an exception, and none of their
    methods runs: validate, Validator.validate, the summary, FHIR and records agree."""
    CALLED.clear()
    form = kindbehoeften.load_form("triangle.full")
    submission = edit(example("triangle.full.valid"))
    assert expected == pairs(validate(submission))
    # A validator of the form names a form of another id "unknown_form", as validate(form=).
    assert pairs(validate(submission, form=form)) == pairs(Validator(form).validate(submission))
    assert bool(expected) is not Validator(form).validate(submission).ok
    if expected:
        with pytest.raises(TriangleError) as not_summed:
            triangle(submission)
        assert [code for _, code in expected] == list(not_summed.value.codes)
        with pytest.raises(ValueError, match="the submission is not valid"):
            export.questionnaire_response(submission)
    else:
        assert isinstance(triangle(submission), Triangle)
        assert "QuestionnaireResponse" == export.questionnaire_response(submission)["resourceType"]
    record = a_record(example("triangle.full.valid"))
    valid = json.loads(json.dumps(record))
    record["submissions"][0] = edit(example("triangle.full.valid"))
    if expected:
        with pytest.raises(InvalidRecordError) as refused:
            export.read_record(record)
        assert [] == [p for p, _ in refused.value.problems if not p.startswith("/submissions/0")]
    else:
        assert valid == export.read_record(record)
    assert [] == CALLED


# Methods of str and bytes that a reader of text might call.
_TEXT_METHODS = ("encode", "decode", "startswith", "endswith", "removeprefix", "isascii",
                 "strip", "find", "index", "count", "split", "__bytes__", "__buffer__")  # fmt: skip
HostileText = type("HostileText", (HostileStr,), {name: _called(name) for name in _TEXT_METHODS})
HostileBytes = type(
    "HostileBytes",
    (_hostile_class("_Bytes", bytes, hashable=True),),
    {name: _called(name) for name in _TEXT_METHODS},
)


def _entry_points() -> list[tuple[str, Callable[[Any], Any], Any]]:
    """(name, entry point, its JSON text) for each function that takes JSON text."""
    submission = (EXAMPLES / "triangle.full.valid.json").read_text("utf-8")
    history = HISTORY.read_text("utf-8")
    record = json.dumps(a_record(json.loads(submission)))
    response = json.dumps(export.questionnaire_response(json.loads(submission)))
    form = kindbehoeften.load_form("triangle.full")
    return [
        ("validate", validate, submission),
        ("Validator.validate", Validator(form).validate, submission),
        ("Assessment.from_json", Assessment.from_json, history),
        ("read_record", export.read_record, record),
        ("submission_from_fhir", export.submission_from_fhir, response),
        ("triangle", triangle, submission),
        ("questionnaire_response", export.questionnaire_response, submission),
    ]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", [HostileText, HostileBytes])
def test_json_text_of_a_subclass_is_read_as_its_text_never_called(kind: type) -> None:
    """JSON text given as a subclass of str or bytes whose methods raise gets what the
    plain text gets from every entry point that takes text, and none of its methods runs."""
    for name, entry, text in _entry_points():
        CALLED.clear()
        given = kind(text) if kind is HostileText else kind(text.encode("utf-8"))
        expected = entry(text)
        assert (name, expected) == (name, entry(given))
        assert (name, []) == (name, CALLED)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("value", [None, -1, 2**70, 12, 1.5, [104, 105], {1, 2}])
def test_no_text_where_json_text_is_asked_for_is_a_type_error(value: object) -> None:
    """A history given as an int, a list or a set is a mistake of the calling code: a
    TypeError, never the bytes that ``bytes(value)`` would make of it (twelve zero bytes, a
    gigabyte, "hi")."""
    with pytest.raises(TypeError, match="must be bytes or str, not"):
        Assessment.from_json(value)  # type: ignore[arg-type]


def _history_edit(edit: Callable[[dict[str, Any]], Any]) -> Callable[[], Any]:
    def made() -> Any:
        document = json.loads(HISTORY.read_text("utf-8"))
        return edit(document)

    return made


def _first_event(key: str, value: Any) -> Callable[[dict[str, Any]], Any]:
    def edit(document: dict[str, Any]) -> dict[str, Any]:
        document["events"][0][key] = value
        return document

    return edit


def _first_data(key: str, value: Any) -> Callable[[dict[str, Any]], Any]:
    def edit(document: dict[str, Any]) -> dict[str, Any]:
        document["events"][0]["data"][key] = value
        return document

    return edit


def _wrapped(where: str) -> Callable[[dict[str, Any]], Any]:
    """The history with one of its containers or texts as a hostile subclass."""

    def edit(document: dict[str, Any]) -> Any:
        first = document["events"][0]
        if where == "document":
            return HostileDict(document)
        if where == "events":
            document["events"] = HostileList(document["events"])
        elif where == "event":
            document["events"][0] = HostileDict(first)
        elif where == "data":
            first["data"] = HostileDict(first["data"])
        else:
            document[where] = HostileStr(document[where])
        return document

    return edit


# Edits outside the events: from_events, given the events alone, loads them.
TOP_CASE_ID = at_top("case_id", Hostile())
TOP_SCHEMA = at_top("$schema", Hostile())

# (how the demo history, as a dict, is changed; whether it still loads)
HOSTILE_HISTORIES = [
    *(pytest.param(_wrapped(where), True, id=f"subclass-as-{where}")
      for where in ("document", "events", "event", "data", "$schema", "case_id")),
    pytest.param(_first_data("case_id", Hostile()), False, id="object-as-case-id"),
    pytest.param(TOP_CASE_ID, False, id="object-as-the-documents-case-id"),
    pytest.param(TOP_SCHEMA, False, id="object-as-schema"),
    pytest.param(_first_data(HostileKey(), "x"), False, id="object-as-a-key"),
    pytest.param(_first_event("kind", HostileStr("report_received")), True,
                 id="str-subclass-as-kind"),
    pytest.param(_first_event("seq", HostileInt(1)), True, id="int-subclass-as-seq"),
    pytest.param(_first_event("actor", {"x"}), False, id="set-as-actor"),
]  # fmt: skip


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("edit", "loads"), HOSTILE_HISTORIES)
def test_a_history_dict_with_caller_objects_loads_or_is_an_integrity_error(
    edit: Callable[[dict[str, Any]], Any], loads: bool
) -> None:
    """Assessment.from_dict reads a caller's subclasses of dict, list and str as their plain
    values and refuses objects JSON cannot hold with IntegrityError; none of their methods
    runs, the document's nor the expected head's."""
    CALLED.clear()
    expected = Assessment.from_json(HISTORY.read_bytes())
    document = _history_edit(edit)()
    events = list.__iter__(dict.__getitem__(document, "events"))
    if loads:
        assert expected == Assessment.from_dict(document, head=HostileStr(expected.head))
        if not isinstance(document, HostileDict):  # from_events: the events alone
            assert expected == Assessment.from_events(events, head=HostileStr(expected.head))
    else:
        with pytest.raises(IntegrityError):
            Assessment.from_dict(document)
        if edit not in (TOP_CASE_ID, TOP_SCHEMA):
            with pytest.raises(IntegrityError):
                Assessment.from_events(events)
    assert [] == CALLED


GOOD_FORM = form_toml(question_toml("code", "text"), form_id="test.good")
BUILT_IN_KEYS = [form.key for form in kindbehoeften.forms()]


FULL = kindbehoeften.load_form("triangle.full")
VALID_FULL = (EXAMPLES / "triangle.full.valid.json").read_bytes()


# (a call with an argument of the wrong kind, the error it raises; None: it works)
WRONG_ARGUMENTS = [
    pytest.param(lambda: validate(VALID_FULL, locale=None), None, id="validate-locale-None"),
    pytest.param(lambda: validate(VALID_FULL, locale=1), TypeError, id="validate-locale-int"),
    pytest.param(lambda: validate(VALID_FULL, locale=b"sv"), TypeError, id="validate-locale-bytes"),
    pytest.param(lambda: validate(VALID_FULL, locale=["sv"]), TypeError, id="validate-locale-list"),
    pytest.param(lambda: validate(VALID_FULL, locale=Hostile()), TypeError,
                 id="validate-locale-object"),
    pytest.param(lambda: validate(VALID_FULL, locale=HostileStr("sv")), None,
                 id="validate-locale-str-subclass"),
    pytest.param(lambda: Validator(FULL).validate(VALID_FULL, locale=1), TypeError,
                 id="Validator.validate-locale-int"),
    pytest.param(lambda: validate(VALID_FULL, form=1), TypeError, id="validate-form-int"),
    pytest.param(lambda: validate(VALID_FULL, form=Hostile()), TypeError,
                 id="validate-form-object"),
    pytest.param(lambda: Validator("triangle.full"), TypeError, id="Validator-of-an-id"),
    pytest.param(lambda: Validator(None), TypeError, id="Validator-of-None"),
    pytest.param(lambda: validate(VALID_FULL, today="2026-11-02"),
                 kindbehoeften.InvalidArgumentError, id="validate-today-text"),
    pytest.param(lambda: validate(VALID_FULL, born=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
                 kindbehoeften.InvalidArgumentError, id="validate-born-datetime"),
    pytest.param(lambda: Validator(FULL).validate(VALID_FULL, today=20261102),
                 kindbehoeften.InvalidArgumentError, id="Validator.validate-today-int"),
    pytest.param(lambda: validate(VALID_FULL, max_bytes=None), TypeError,
                 id="validate-max_bytes-None"),
    pytest.param(lambda: validate(VALID_FULL, max_bytes="1024"), TypeError,
                 id="validate-max_bytes-text"),
    pytest.param(lambda: validate(VALID_FULL, max_depth=None), TypeError,
                 id="validate-max_depth-None"),
    pytest.param(lambda: Validator(FULL).validate(VALID_FULL, max_depth=2.5), TypeError,
                 id="Validator.validate-max_depth-float"),
    pytest.param(lambda: a_case().deadlines("2026-11-02"), kindbehoeften.InvalidArgumentError,
                 id="deadlines-today-text"),
    pytest.param(lambda: a_case().deadlines(dt.datetime(2026, 11, 2, tzinfo=dt.UTC)),
                 kindbehoeften.InvalidArgumentError, id="deadlines-today-datetime"),
    pytest.param(lambda: a_case().overview(None), kindbehoeften.InvalidArgumentError,
                 id="overview-today-None"),
    pytest.param(lambda: export.json_schema("triangle.full"), TypeError, id="json_schema-of-an-id"),
    pytest.param(lambda: export.questionnaire(None), TypeError, id="questionnaire-of-None"),
    pytest.param(lambda: export.record({"case_id": "x"}, []), TypeError, id="record-of-a-dict"),
    pytest.param(lambda: export.pseudonym(42, key=b"0123456789abcdef"), TypeError,
                 id="pseudonym-of-an-int"),
    pytest.param(lambda: export.pseudonym(HostileStr("case-1"), key=b"0123456789abcdef"), None,
                 id="pseudonym-of-a-str-subclass"),
    pytest.param(lambda: export.pseudonym("case-\ud800", key=b"0123456789abcdef"),
                 kindbehoeften.InvalidArgumentError, id="pseudonym-of-a-lone-surrogate"),
    pytest.param(lambda: kindbehoeften.load_profile(None), TypeError, id="load_profile-None"),
    pytest.param(lambda: kindbehoeften.load_profile(bytearray(b"SE")), TypeError,
                 id="load_profile-bytearray"),
    pytest.param(lambda: kindbehoeften.load_profile(HostileStr("se")), None,
                 id="load_profile-str-subclass"),
    pytest.param(lambda: a_case().deadlines(dt.date(2026, 3, 4), profile="SE"), TypeError,
                 id="deadlines-profile-text"),
    pytest.param(lambda: a_case().deadlines(dt.date(2026, 3, 4), profile=Hostile()), TypeError,
                 id="deadlines-profile-object"),
    pytest.param(lambda: export.record(a_case(), [], profile={"rules": []}), TypeError,
                 id="record-profile-dict"),
    pytest.param(lambda: kindbehoeften.compute_deadlines("SE", starts={}), TypeError,
                 id="compute_deadlines-profile-text"),
    pytest.param(lambda: kindbehoeften.localize("triangle.full", "sv"), TypeError,
                 id="localize-an-id"),
    pytest.param(lambda: export.submission_from_fhir({}, form="triangle.full"), TypeError,
                 id="submission_from_fhir-form-id"),
    pytest.param(lambda: export.summary_table(None), TypeError, id="summary_table-None"),
    pytest.param(lambda: kindbehoeften.load_form(None), TypeError, id="load_form-None"),
    pytest.param(lambda: kindbehoeften.load_form(b"triangle.full"), TypeError,
                 id="load_form-bytes"),
    pytest.param(lambda: kindbehoeften.load_form(HostileText("triangle.full")), None,
                 id="load_form-str-subclass"),
    pytest.param(lambda: kindbehoeften.load_form("triangle.full", ["1.0.0"]), TypeError,
                 id="load_form-version-list"),
    pytest.param(lambda: kindbehoeften.load_form("triangle.full", HostileText("1.0.0")), None,
                 id="load_form-version-str-subclass"),
    pytest.param(lambda: export.triangle_svg({"sides": []}), TypeError, id="triangle_svg-dict"),
]  # fmt: skip


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("call", "error"), WRONG_ARGUMENTS)
def test_an_argument_of_the_wrong_kind_raises_the_documented_error(
    call: Callable[[], object], error: type[Exception] | None
) -> None:
    """An argument of the wrong type is a TypeError naming it (errors.py: a mistake of the
    calling code), a date that is none an InvalidArgumentError (as store.cases says it);
    never an AttributeError or a comparison's TypeError from inside the library, and no
    method of the caller's object runs."""
    CALLED.clear()
    if error is None:
        call()
    else:
        with pytest.raises(error, match="must be"):
            call()
    assert [] == CALLED


def _deep_list(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _reported(**given: Any) -> Assessment:
    arguments: dict[str, Any] = {"case_id": "case-1", "jurisdiction": "SE",
                                 "on": dt.date(2026, 3, 2), "actor": "worker-1",
                                 "reporter": "professional"}  # fmt: skip
    return Assessment.report(**(arguments | given))


# (a step with a caller's object where the library expects text, the error it raises)
HOSTILE_STEPS = [
    pytest.param(lambda: _reported(jurisdiction=Hostile()),
                 kindbehoeften.UnknownJurisdictionError, id="jurisdiction-object"),
    pytest.param(lambda: _reported(jurisdiction=_deep_list(100_000)),
                 kindbehoeften.UnknownJurisdictionError, id="jurisdiction-deep-list"),
    pytest.param(lambda: _reported(jurisdiction=HostileStr("se")), None,
                 id="jurisdiction-str-subclass"),
    pytest.param(lambda: _reported(reporter=HostileStr("anonymous")), None,
                 id="reporter-str-subclass"),
    pytest.param(lambda: _reported(reporter=HostileKey()), kindbehoeften.InvalidEventError,
                 id="reporter-object"),
    pytest.param(lambda: a_case().apply(Hostile(), dt.date(2026, 3, 3), "worker-1"),
                 TypeError, id="apply-object"),
    pytest.param(lambda: a_case().apply(["safety_assessed"], dt.date(2026, 3, 3), "worker-1"),
                 TypeError, id="apply-list"),
    pytest.param(lambda: a_case().apply(_deep_list(100_000), dt.date(2026, 3, 3), "w"),
                 TypeError, id="apply-deep-list"),
    pytest.param(lambda: a_case().apply(HostileStr("safety_assessed"), dt.date(2026, 3, 3),
                                        "worker-1"), None, id="apply-str-subclass"),
]  # fmt: skip


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("call", "error"), HOSTILE_STEPS)
def test_a_step_with_a_callers_object_for_text_is_refused_without_calling_it(
    call: Callable[[], object], error: type[Exception] | None
) -> None:
    """Assessment.report and apply read a str subclass as its text and refuse anything
    else with the documented error (a kind that is no text: TypeError); no method of the
    caller's object runs (but the __hash__ with which pydantic looks a value up in a step's
    vocabulary), and a deep list is no RecursionError."""
    CALLED.clear()
    if error is None:
        assert isinstance(call(), Assessment)
    else:
        with pytest.raises(error):
            call()
    assert [] == CALLED


PERSONAL = "Anna Svensson, 12 Storgatan"  # what a free-text field or a name may hold


def _history_with(where: str, value: Any) -> dict[str, Any]:
    document = a_case().to_dict()
    event = document["events"][0]
    if where == "actor":
        event["actor"] = value
    else:
        event["data"][where] = value
    return document


# (a call that refuses data holding personal text)
REFUSING_PERSONAL_DATA = [
    pytest.param(lambda: _reported(reporter=PERSONAL), id="report-reporter"),
    pytest.param(lambda: _reported(actor=PERSONAL + "\n"), id="report-actor"),
    pytest.param(lambda: _reported(municipality=PERSONAL + "\x00"), id="report-municipality"),
    pytest.param(lambda: a_case().apply("closed", dt.date(2026, 3, 3), "worker-1",
                                        reason="no_concern", note=PERSONAL), id="apply-extra"),
    pytest.param(lambda: Assessment.from_dict(_history_with("reporter", PERSONAL)),
                 id="history-data"),
    pytest.param(lambda: Assessment.from_dict(_history_with("actor", PERSONAL + "\n")),
                 id="history-actor"),
]  # fmt: skip


@pytest.mark.timeout(60)
@pytest.mark.parametrize("call", REFUSING_PERSONAL_DATA)
def test_a_refused_event_shows_no_personal_text_in_its_whole_traceback(
    call: Callable[[], object],
) -> None:
    """The error names the fields at fault; neither its message nor the exception it was
    raised from (pydantic's, chained for the fields) shows the text given, so that a case
    system that logs the traceback logs no answer, name or free text."""
    with pytest.raises(kindbehoeften.KindbehoeftenError) as refused:
        call()
    shown = "".join(traceback.format_exception(refused.value))
    assert PERSONAL not in shown
    assert PERSONAL not in repr(refused.value.args)


def test_a_path_object_as_the_form_of_validate_is_read_as_load_form_reads_it(
    tmp_path: Path,
) -> None:
    """validate(form=) takes what load_form takes: an id, a path as text, or a Path."""
    path = tmp_path / "good.toml"
    path.write_text(GOOD_FORM, encoding="utf-8")
    submission = {"form": "test.good", "form_version": "1.0.0", "status": "in_progress",
                  "answers": {}}  # fmt: skip
    expected = validate(submission, form=str(path))
    assert expected.ok
    assert expected == validate(submission, form=path)


def forms_path_with_odd_entries(folder: Path) -> list[str]:
    """A folder of form files with one good form and three entries named ``*.toml`` that are
    no regular files: a folder, a dangling link and a named pipe; their paths."""
    folder.mkdir()
    (folder / "good.toml").write_text(GOOD_FORM, encoding="utf-8")
    (folder / "x.toml").mkdir()
    (folder / "y.toml").symlink_to(folder / "gone.toml")
    os.mkfifo(folder / "z.toml")
    return [str(folder / name) for name in ("x.toml", "y.toml", "z.toml")]


def skipped(warnings: pytest.WarningsRecorder) -> list[str]:
    """The entries that the FormsPathWarnings name, one per warning."""
    return sorted(
        str(warning.message).partition(" is not a regular file")[0]
        for warning in warnings
        if issubclass(warning.category, FormsPathWarning)
    )


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ["x\x00.toml", "\ud800.toml", "forms/\udcff/a.toml"])
def test_a_path_no_file_can_have_is_a_form_definition_error(name: str) -> None:
    """A path with a NUL or a lone surrogate, given by the caller's code to load_form or in
    the forms path, is a FormDefinitionError naming it, as a missing file is; never the
    ValueError or UnicodeEncodeError of the operating system's interface."""
    with pytest.raises(FormDefinitionError) as refused:
        kindbehoeften.load_form(name)
    assert [name] == [problem.file for problem in refused.value.problems]
    folder = name.rpartition("/")[0] or name
    with pytest.raises(FormDefinitionError) as refused:
        kindbehoeften.forms([folder])
    assert [folder] == [problem.file for problem in refused.value.problems]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("paths", ["forms", b"forms", Path("forms")])
def test_one_path_where_a_list_of_folders_is_asked_for_is_refused(paths: Any) -> None:
    """forms(paths="forms") read each character as a folder ("f: is not a directory")."""
    with pytest.raises(kindbehoeften.InvalidArgumentError, match="paths must be a list"):
        kindbehoeften.forms(paths)
    with pytest.raises(kindbehoeften.InvalidArgumentError, match="paths must be a list"):
        kindbehoeften.load_form("triangle.full", paths=paths)


@pytest.mark.timeout(60)
def test_the_forms_path_skips_a_folder_a_dangling_link_and_a_pipe_with_a_warning_each(
    tmp_path: Path,
) -> None:
    odd = forms_path_with_odd_entries(tmp_path / "forms")
    with pytest.warns(FormsPathWarning) as warnings:
        keys = [form.key for form in kindbehoeften.forms(paths=[tmp_path / "forms"])]
    assert sorted(["test.good@1.0.0", *BUILT_IN_KEYS]) == sorted(keys)
    assert odd == skipped(warnings)


@pytest.mark.timeout(60)
def test_the_forms_path_variable_skips_the_same_entries_with_a_warning_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = forms_path_with_odd_entries(tmp_path / "forms")
    monkeypatch.setenv(FORMS_PATH_VARIABLE, str(tmp_path / "forms"))
    with pytest.warns(FormsPathWarning) as warnings:
        keys = [form.key for form in kindbehoeften.forms()]
    assert sorted(["test.good@1.0.0", *BUILT_IN_KEYS]) == sorted(keys)
    assert odd == skipped(warnings)


@pytest.mark.timeout(60)
def test_a_form_file_whose_read_fails_is_a_form_definition_error(tmp_path: Path) -> None:
    """``/proc/self/mem`` is a regular file whose read fails with EIO, even for root: through
    the forms path or as a path of the caller, it is a file that cannot be read."""
    folder = tmp_path / "forms"
    folder.mkdir()
    link = folder / "w.toml"
    link.symlink_to("/proc/self/mem")
    for load in (
        lambda: kindbehoeften.forms(paths=[folder]),
        lambda: kindbehoeften.load_form(link),
    ):
        with pytest.raises(FormDefinitionError) as refused:
            load()
        [problem] = refused.value.problems
        assert str(link) == problem.file
        assert problem.message.startswith("cannot be read")


@pytest.mark.timeout(90)
def test_forms_list_on_the_command_line_finishes_with_a_pipe_in_the_forms_path(
    tmp_path: Path,
) -> None:
    odd = forms_path_with_odd_entries(tmp_path / "forms")
    env = {**os.environ, FORMS_PATH_VARIABLE: str(tmp_path / "forms")}
    completed = subprocess.run(
        [sys.executable, "-m", "kindbehoeften", "forms", "list", "--format", "json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=80,
        check=False,
    )
    assert 0 == completed.returncode
    listed = {entry["id"] for entry in json.loads(completed.stdout)["forms"]}
    assert "test.good" in listed
    assert [] == [path for path in odd if path not in completed.stderr]


# --- 4. no bounds --------------------------------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("where", ["submission", "area"])
def test_a_report_holds_1000_issues_and_then_too_many_issues(where: str) -> None:
    """A submission of 1 MiB with far more than 1,000 problems: the first 1,000 issues, then
    one ``too_many_issues`` for the whole document, for text, bytes and a dict."""
    if where == "submission":
        text = many_unknown_fields()
    else:
        fields = ", ".join(f'"k{index}": 0' for index in range(60_000))
        text = json.dumps(example("triangle.full.draft")).replace(
            '"health": {', '"health": {' + fields + ", ", 1
        )
    assert len(text) <= MAX_SUBMISSION_BYTES
    for each in (text, text.encode(), json.loads(text)):
        report = validate(each)
        assert MAX_ISSUES + 1 == len(report.issues)
        assert {"unknown_field"} == {issue.code for issue in report.issues[:MAX_ISSUES]}
        last = report.issues[-1]
        assert ("", "too_many_issues") == (last.pointer, last.code)
        expected = (
            "There are more than 1000 issues; only the first 1000 are listed. Fix these and "
            "validate again."
        )
        assert expected == last.message


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"plan": {"views": {"child_view": "x" * MAX_SUBMISSION_BYTES}}}, id="text"),
        pytest.param({f"k{index}": index for index in range(120_000)}, id="keys"),
        pytest.param({"plan": {"views": {"child_view": [[0] * 1000] * 1000}}}, id="lists"),
    ],
)
def test_a_dict_larger_than_a_megabyte_of_json_is_too_large(answers: dict[str, Any]) -> None:
    submission = {**example("triangle.plan.draft"), "answers": answers}
    assert len(json.dumps(submission, separators=(",", ":"))) > MAX_SUBMISSION_BYTES
    assert [("", "too_large")] == pairs(validate(submission))


@pytest.mark.timeout(60)
def test_a_dict_nested_40_deep_is_too_deep() -> None:
    value: list[Any] = []
    for _ in range(40 - 1):
        value = [value]
    submission = {**example("triangle.plan.draft"), "answers": {"plan": value}}
    # /answers/plan is level 3 of the 32 allowed; the list at level 33 is 30 levels below it.
    assert [("/answers/plan" + "/0" * 30, "too_deep")] == pairs(validate(submission))


UNKNOWN_KEY = "Z" * (MAX_SUBMISSION_BYTES - 300)  # no message holds a "Z" of its own
EMPTY_DRAFT = {"form": "triangle.plan", "form_version": "1.0.0", "status": "in_progress"}


def assert_quoted_short(message: str) -> None:
    assert len(message) < 300
    assert "Z" * (MAX_QUOTED + 1) not in message


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("answers", "pointer"),
    [
        pytest.param(None, f"/{UNKNOWN_KEY}", id="submission"),
        pytest.param({UNKNOWN_KEY: {}}, f"/answers/{UNKNOWN_KEY}", id="section"),
        pytest.param({"plan": {UNKNOWN_KEY: {}}}, f"/answers/plan/{UNKNOWN_KEY}", id="area"),
        pytest.param({"plan": {"views": {UNKNOWN_KEY: 1}}}, f"/answers/plan/views/{UNKNOWN_KEY}",
                     id="question"),
    ],
)  # fmt: skip
def test_an_unknown_key_of_a_megabyte_is_quoted_short_and_pointed_at_in_full(
    answers: dict[str, Any] | None, pointer: str
) -> None:
    submission: dict[str, Any] = {**EMPTY_DRAFT, "answers": answers or {}}
    if answers is None:
        submission[UNKNOWN_KEY] = 1
    for each in shapes(submission):
        [issue] = validate(each).issues
        assert (pointer, "unknown_field") == (issue.pointer, issue.code)
        assert_quoted_short(issue.message)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("field", "code"), [("form", "unknown_form"), ("form_version", "unknown_version")]
)
def test_a_form_id_or_version_of_a_megabyte_is_quoted_short(field: str, code: str) -> None:
    submission = {**EMPTY_DRAFT, "answers": {}, field: UNKNOWN_KEY}
    for each in shapes(submission):
        [issue] = validate(each).issues
        assert (f"/{field}", code) == (issue.pointer, issue.code)
        assert_quoted_short(issue.message)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: kindbehoeften.load_form(UNKNOWN_KEY), id="load_form-id"),
        pytest.param(lambda: kindbehoeften.load_form("triangle.full", UNKNOWN_KEY),
                     id="load_form-version"),
        pytest.param(lambda: kindbehoeften.load_form("test.unknown", UNKNOWN_KEY),
                     id="load_form-id-and-version"),
        pytest.param(lambda: validate(example("triangle.full.valid"), form=UNKNOWN_KEY),
                     id="validate-form"),
        pytest.param(lambda: kindbehoeften.load_profile(UNKNOWN_KEY), id="load_profile"),
        pytest.param(lambda: Assessment.report(case_id="case-1", jurisdiction=UNKNOWN_KEY,
                                               on=dt.date(2026, 3, 2), actor="worker-1",
                                               reporter="professional"),
                     id="report-jurisdiction"),
    ],
)  # fmt: skip
def test_an_id_of_a_megabyte_is_quoted_short_in_the_error_it_raises(
    call: Callable[[], object],
) -> None:
    """An unknown form id, version or jurisdiction of a megabyte, as a caller's code passes
    it, is cut in the message of the error as a key in an issue is."""
    with pytest.raises(kindbehoeften.KindbehoeftenError) as raised:
        call()
    assert_quoted_short(str(raised.value))


@pytest.mark.timeout(60)
def test_an_expected_head_of_a_megabyte_is_quoted_short_in_the_conflict(tmp_path: Path) -> None:
    """A refused append's message quotes the expected head cut; the store is unchanged."""
    case = a_case()
    with kindbehoeften.open_store(f"sqlite:///{tmp_path}/cases.db") as store:
        store.create(case)
        moved = case.assess_safety(dt.date(2026, 3, 2), "worker-1")
        with pytest.raises(kindbehoeften.ConflictError) as raised:
            store.append(case.case_id, moved, expected_head=UNKNOWN_KEY)
        assert "Z" * MAX_QUOTED in UNKNOWN_KEY
        assert "Z" * (MAX_QUOTED + 1) not in str(raised.value)
        assert UNKNOWN_KEY == raised.value.expected  # the attribute keeps it whole
        assert [case] == [store.get(case.case_id)]


# --- 5. drifted copies ---------------------------------------------------------------------------

BOM = b"\xef\xbb\xbf"


@pytest.mark.timeout(60)
def test_a_record_of_a_submission_with_a_byte_order_mark_equals_the_record_without() -> None:
    data = (EXAMPLES / "triangle.full.valid.json").read_bytes()
    expected = export.record(a_case(), [data])
    assert expected == export.record(a_case(), [BOM + data])
    assert expected == export.record(a_case(), ["\ufeff" + data.decode("utf-8")])


@pytest.mark.timeout(60)
def test_the_summary_of_a_submission_with_a_byte_order_mark_equals_the_summary_without() -> None:
    data = (EXAMPLES / "triangle.full.valid.json").read_bytes()
    expected = triangle(data)
    assert expected == triangle(BOM + data)
    assert expected == triangle("\ufeff" + data.decode("utf-8"))


@pytest.mark.timeout(60)
def test_a_duplicate_key_is_refused_by_records_as_by_submissions_and_histories() -> None:
    """The same duplicate ``case_id`` (and ``form``) at the top of a record, a submission
    and a history: each entry point refuses it with its own error and the code
    ``duplicate_key``."""
    text = json.dumps(a_record(example("triangle.full.valid")))
    twice = '{"case_id": "case-hostile", ' + text[1:]
    for each in (twice, twice.encode()):
        with pytest.raises(InvalidRecordError) as refused:
            export.read_record(each)
        assert (("/case_id", "duplicate_key"),) == refused.value.problems
    submission = json.dumps(example("triangle.full.valid"))
    assert [("/form", "duplicate_key")] == pairs(
        validate('{"form": "triangle.full", ' + submission[1:])
    )
    history = a_case().to_json()
    with pytest.raises(IntegrityError) as broken:
        Assessment.from_json('{"case_id": "case-hostile", ' + history[1:])
    assert ("json_syntax", "duplicate_key, at /case_id") == (broken.value.code, broken.value.detail)


def choice_form(*options: str) -> str:
    listed = ", ".join(
        f'{{ value = "{option}", label = "{option.title()}" }}' for option in options
    )
    return form_toml(question_toml("kind", "choice", options=f"[{listed}]"), form_id="test.drift")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("how", ["paths", "variable"])
def test_a_changed_form_file_in_the_forms_path_is_seen_by_the_next_validate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    paths: list[Path] | None = [folder]
    if how == "variable":
        monkeypatch.setenv(FORMS_PATH_VARIABLE, str(folder))
        paths = None
    submission = {
        "form": "test.drift",
        "form_version": "1.0.0",
        "status": "in_progress",
        "answers": {"child_needs": {"health": {"kind": "foster"}}},
    }
    (folder / "drift.toml").write_text(choice_form("kinship", "foster"), encoding="utf-8")
    assert [] == pairs(validate(submission, paths=paths))
    (folder / "drift.toml").write_text(choice_form("kinship"), encoding="utf-8")
    report = validate(json.dumps(submission), paths=paths)
    assert [(f"{HEALTH}/kind", "choice")] == pairs(report)
    assert '"KIND" must be one of: kinship.' == report.issues[0].message


# --- 6. the same bytes, the same verdict ---------------------------------------------------------

VALID_SUBMISSIONS = sorted(EXAMPLES.glob("*.valid.json"))
THREE_SIDES = ("triangle.full", "triangle.preliminary")
SAME_VERDICT = settings(max_examples=200, deadline=None, database=None)


@pytest.mark.timeout(60)
def test_the_history_is_written_as_the_mutations_write_it() -> None:
    """The mutation ``none`` gives the history's own text, byte for byte: from_json's check
    of the text agrees with the reader's verdict only then."""
    assert HISTORY.read_bytes() == json_text(json.loads(HISTORY.read_bytes()))


def accepted(call: Callable[[], object], refusal: type[Exception]) -> bool:
    try:
        call()
    except refusal:
        return False
    return True


@pytest.mark.timeout(300)
@pytest.mark.parametrize("path", VALID_SUBMISSIONS, ids=lambda path: path.name.split(".")[1])
@SAME_VERDICT
@given(data=st.data())
def test_a_mutated_submission_gets_the_verdict_of_the_reader(
    path: Path, data: st.DataObject
) -> None:
    document = json.loads(path.read_bytes())
    mutation, text = data.draw(mutated_json(document), label="mutation")
    hypothesis.event(mutation)
    expected = not read(text, nonfinite=False).problems
    assert expected == validate(text).ok
    if document["form"] in THREE_SIDES:
        assert expected == accepted(lambda: triangle(text), TriangleError)


@pytest.mark.timeout(300)
@SAME_VERDICT
@given(data=st.data())
def test_a_mutated_history_gets_the_verdict_of_the_reader(data: st.DataObject) -> None:
    document = json.loads(HISTORY.read_bytes())
    mutation, text = data.draw(mutated_json(document), label="mutation")
    hypothesis.event(mutation)
    found = read(text, nonfinite=False, max_bytes=MAX_DOCUMENT_BYTES, max_depth=MAX_DOCUMENT_DEPTH)
    assert (not found.problems) == accepted(lambda: Assessment.from_json(text), IntegrityError)


@pytest.fixture(scope="module")
def valid_record() -> dict[str, Any]:
    history = Assessment.from_json(HISTORY.read_bytes())
    submissions = [json.loads(path.read_bytes()) for path in VALID_SUBMISSIONS]
    made: dict[str, Any] = json.loads(
        json.dumps(export.record(history, submissions, today=dt.date(2026, 6, 1)))
    )
    return made


@pytest.mark.timeout(300)
@SAME_VERDICT
@given(data=st.data())
def test_a_mutated_record_gets_the_verdict_of_the_reader(
    valid_record: dict[str, Any], data: st.DataObject
) -> None:
    mutation, text = data.draw(mutated_json(valid_record), label="mutation")
    hypothesis.event(mutation)
    found = read(text, nonfinite=False, max_bytes=MAX_DOCUMENT_BYTES, max_depth=MAX_DOCUMENT_DEPTH)
    assert (not found.problems) == accepted(lambda: export.read_record(text), InvalidRecordError)


# --- plain(): the copy without pointers agrees with the careful walk ----------------------------


class _Text(str):
    """A subclass of a JSON type: plain() copies it as a str, without calling its methods."""

    __slots__ = ()


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**17, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["\ud800", "é", "😀", "a\udfffb", _Text("x")]),
    st.builds(set),
)
_KEYS = st.one_of(st.text(max_size=6), st.sampled_from(["\ud800", _Text("k"), 1, None]))
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(_KEYS, inner, max_size=4),
        st.tuples(inner),
    ),
    max_leaves=30,
)


_CLEAN = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None, database=None)
@given(
    st.one_of(
        st.dictionaries(st.text(max_size=6), _CLEAN, max_size=5),
        st.dictionaries(_KEYS, _VALUES, max_size=5),
    ),
    st.tuples(
        st.one_of(st.just(1024 * 1024), st.integers(min_value=2, max_value=300)),
        st.sampled_from([32, 3, 1]),
    ),
)
def test_plain_gives_the_same_copy_and_problems_with_and_without_its_shortcut(
    value: dict[Any, Any], limits: tuple[int, int]
) -> None:
    """The pointer-free copy of clean data (a dict of the exact JSON types) and the careful
    walk, which names every place, agree on any input and limits."""
    max_bytes, max_depth = limits
    quick = plain(value, max_bytes=max_bytes, max_depth=max_depth)
    with mock.patch.object(jsonread, "_plain_copy", return_value=None):
        careful = plain(value, max_bytes=max_bytes, max_depth=max_depth)
    assert (careful.problems, careful.complete) == (quick.problems, quick.complete)
    assert repr(careful.document) == repr(quick.document)
    assert [type(item) for item in _leaves(careful.document)] == [
        type(item) for item in _leaves(quick.document)
    ]


def _leaves(value: Any) -> Iterator[Any]:
    yield value
    if type(value) is dict:
        for key, item in value.items():
            yield key
            yield from _leaves(item)
    elif type(value) is list:
        for item in value:
            yield from _leaves(item)


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"": None},
        {"k": True, "l": False},
        {"é": "ø😀", "a": ["x", 1, 2.5, None]},
        {"n": [[], {}, [{"m": -(10**19)}]]},
        {"f": [1e-300, -1.5e300, 0.1]},
        {"big": [10**4400]},
    ],
    ids=["empty", "null", "booleans", "non-ascii", "nested", "floats", "more-digits-than-read"],
)
def test_plain_and_its_shortcut_meet_the_size_limit_at_the_same_byte(
    value: dict[str, Any],
) -> None:
    """At every limit up to well past the document's size: the same verdict."""
    for max_bytes in range(1, 160):
        quick = plain(value, max_bytes=max_bytes)
        with mock.patch.object(jsonread, "_plain_copy", return_value=None):
            careful = plain(value, max_bytes=max_bytes)
        assert (max_bytes, careful.problems) == (max_bytes, quick.problems)


def _compact_size(value: Any) -> int:
    """The bytes of ``value``'s compact JSON text in UTF-8: what a caller sends as text."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


_FINITE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.dictionaries(st.text(max_size=6), _FINITE, max_size=5)
    | st.just({"a": -5, "b": True, "c": [], "d": {}, "e": 'q"\\\n\x01é😀', "f": [1, 2]})
)
def test_a_dict_is_too_large_exactly_when_its_compact_json_text_is(value: dict[str, Any]) -> None:
    """A dict is held to the size limit of text byte for byte (design: "the same size and
    depth limits as text"): at the size of its compact UTF-8 JSON text it is read, one byte
    below that it is too large, with and without plain()'s shortcut."""
    size = _compact_size(value)
    for max_bytes, expected in ((size, []), (size - 1, ["too_large"])):
        quick = plain(value, max_bytes=max_bytes)
        with mock.patch.object(jsonread, "_plain_copy", return_value=None):
            careful = plain(value, max_bytes=max_bytes)
        for found in (quick, careful):
            assert (max_bytes, expected) == (max_bytes, [p.code for p in found.problems])


@pytest.mark.timeout(60)
@pytest.mark.parametrize("extra", [0, 1])
def test_a_dict_submission_at_and_one_past_the_limit_gets_the_verdict_of_its_text(
    extra: int,
) -> None:
    submission: dict[str, Any] = {**EMPTY_DRAFT, "answers": {}, "pad": ""}
    submission["pad"] = "x" * (MAX_SUBMISSION_BYTES + extra - _compact_size(submission))
    text = json.dumps(submission, separators=(",", ":"))
    assert MAX_SUBMISSION_BYTES + extra == len(text)
    assert pairs(validate(text)) == pairs(validate(submission))
    assert ("too_large" in {code for _, code in pairs(validate(submission))}) is bool(extra)


# --- the reader's two parsers ------------------------------------------------------------------

_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _same_read(data: bytes, max_depth: int = 32) -> None:
    """What jiter reads (where it reads at all) is what the standard library's path reads,
    value for value (type and order of keys too), and that path finds no problem in it."""
    quick = jsonread._quick(data, max_depth)
    careful = jsonread._read(data, max_bytes=len(data), max_depth=max_depth, nonfinite=True)
    if quick is not None:
        assert (careful.problems, careful.complete) == ((), True)
        assert repr(quick.document) == repr(careful.document)
        assert json.dumps(quick.document) == json.dumps(careful.document)
    got, want = read(data, max_depth=max_depth), quick or careful
    assert (repr(got.document), got.problems, got.complete) == (
        repr(want.document),
        want.problems,
        want.complete,
    )


@given(value=_JSON_VALUES, indent=st.sampled_from([None, 0, 2]), ascii_only=st.booleans())
def test_jiter_reads_a_json_text_as_the_standard_library(
    value: Any, indent: int | None, ascii_only: bool
) -> None:
    _same_read(json.dumps(value, indent=indent, ensure_ascii=ascii_only).encode())


@given(
    text=st.from_regex(
        r"-?(0|[1-9][0-9]{0,30})(\.[0-9]{1,30})?([eE][-+]?[0-9]{1,3})?", fullmatch=True
    )
)
def test_jiter_reads_a_number_as_the_standard_library(text: str) -> None:
    _same_read(text.encode())
    _same_read(f'[{text}, {{"n": {text}}}]'.encode())


@SAME_VERDICT
@given(data=st.data())
def test_jiter_reads_a_mutated_history_as_the_standard_library_or_not_at_all(
    data: st.DataObject,
) -> None:
    document = json.loads(HISTORY.read_bytes())
    mutation, text = data.draw(mutated_json(document), label="mutation")
    hypothesis.event(mutation)
    _same_read(text, max_depth=40)
    _same_read(text, max_depth=4)


@pytest.mark.parametrize(
    "text",
    [
        b'"\\ud800"',
        b'"\\udc00x"',
        b'"\xed\xa0\x80"',
        b'{"a": 1, "\\u0061": 2}',
        b"\xef\xbb\xbf{}",
        b"\xff",
        b"1" + b"0" * 5000,
        b"1e400",
        b"[NaN]",
        b"[-Infinity]",
        b'"\x01"',
        b"[1,]",
        b"1 2",
        b"[" * 50 + b"]" * 50,
        b"[" * 300 + b"]" * 300,
    ],
)
def test_jiter_leaves_each_problem_to_the_standard_library(text: bytes) -> None:
    _same_read(text)


def _nested(shape: list[bool], inner: Any) -> Any:
    for in_list in shape:
        inner = [inner] if in_list else {"k": inner, "n": 1}
    return inner


@given(
    shapes=st.lists(st.lists(st.booleans(), max_size=12), min_size=1, max_size=4),
    limit=st.one_of(st.integers(0, 14), st.sampled_from([99, 100, 101, 150])),
)
def test_the_depth_is_the_same_depth_first_and_level_by_level(
    shapes: list[list[bool]], limit: int
) -> None:
    document: Any = [1, {"a": "b"}] + [_nested(shape, []) for shape in shapes]
    expected = jsonread._deeper_by_levels(document, limit)
    assert jsonread.deeper_than(document, limit) == expected
    assert expected == (1 + max(len(shape) + 1 for shape in shapes) > limit)
