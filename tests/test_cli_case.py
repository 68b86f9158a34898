"""`kindbehoeften case`: open, step, show, list, export and import cases of a store.

Against a real SQLite file in each test's folder; the happy path of open, step, show and list
also against a real PostgreSQL server (the store tests' fixtures, tests/conftest.py). Each
error's exit code is checked together with what the store holds afterwards: nothing is
written on any error.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rich.console import Console

from clirun import child_environment, run, table_rows
from kindbehoeften import Assessment, TransitionError, UnknownSubmissionError, open_store
from kindbehoeften._core.canonical import submission_digest
from kindbehoeften._forms.catalog import FORMS_PATH_VARIABLE
from kindbehoeften.cli import LOCALE_VARIABLE, main
from kindbehoeften.cli.case import ACTOR_VARIABLE
from strategies import assessments

pytestmark = pytest.mark.timeout(300)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PRELIMINARY = EXAMPLES / "triangle.preliminary.valid.json"
MONDAY = dt.date(2026, 11, 2)
HOSTILE_RAW = "[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"  # \n is the output's


@pytest.fixture(autouse=True)
def _no_user_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No store, actor, locale or forms of the user's; the working directory is the test's
    own folder (where the default store would be made)."""
    for name in ("KINDBEHOEFTEN_STORE", ACTOR_VARIABLE, LOCALE_VARIABLE, FORMS_PATH_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where a test's SQLite store is (not made yet)."""
    return tmp_path / "cases.db"


@pytest.fixture
def url(db: Path) -> str:
    return f"sqlite:///{db}"


def case(url: str, *argv: str, stdin: bytes = b"") -> tuple[int, str, str]:
    """``kindbehoeften case ACTION --store URL ARGV...``: the exit code, stdout and stderr."""
    action, *rest = argv
    return run("case", action, "--store", url, *rest, stdin=stdin, width=200)


def opened(url: str, case_id: str = "c-1", *more: str) -> str:
    """Open a case (Sweden, reported on Monday by a professional); its head."""
    code, out, err = case(
        url,
        "open",
        "--jurisdiction",
        "SE",
        "--reported",
        str(MONDAY),
        "--reporter",
        "professional",
        "--actor",
        "w-1",
        "--format",
        "json",
        *more,
        "--",
        case_id,
    )
    assert (0, "") == (code, err)
    head: str = json.loads(out)["head"]
    return head


def stored(url: str, case_id: str = "c-1") -> Assessment:
    with open_store(url) as store:
        return store.get(case_id)


def one_error_line(err: str) -> str:
    """stderr is exactly one line, ``kindbehoeften: error: ...``; its text."""
    assert err.endswith("\n")
    assert 1 == err.count("\n"), err
    assert err.startswith("kindbehoeften: error: "), err
    return err.removeprefix("kindbehoeften: error: ").removesuffix("\n")


def raw_controls(*texts: str) -> list[str]:
    return [hex(ord(found)) for text in texts for found in re.findall(HOSTILE_RAW, text)]


# --- case open ----------------------------------------------------------------------------------


def test_open_stores_the_report_as_a_new_case_and_prints_its_head(url: str) -> None:
    code, out, err = case(
        url,
        "open",
        "2026-0142",
        "--jurisdiction",
        "se",
        "--reported",
        "2026-11-02",
        "--reporter",
        "professional",
        "--municipality",
        "Uppsala",
        "--actor",
        "worker-17",
    )
    expected = Assessment.report(
        case_id="2026-0142",
        jurisdiction="SE",
        on=MONDAY,
        actor="worker-17",
        reporter="professional",
        municipality="Uppsala",
    )
    assert (0, "") == (code, err)
    assert expected == stored(url, "2026-0142")
    assert f"Opened case 2026-0142: reported, head {expected.head}\n" == out.splitlines(True)[0]
    assert "Allowed now: " + ", ".join(expected.allowed_steps()) + "\n" == out.splitlines(True)[1]


def test_open_with_format_json_prints_the_case_as_show_does(url: str) -> None:
    code, out, _ = case(
        url,
        "open",
        "c-1",
        "--jurisdiction",
        "NO",
        "--reported",
        "2026-11-02",
        "--reporter",
        "parent",
        "--format",
        "json",
    )
    document = json.loads(out)
    today = dt.date.today()
    assert 0 == code
    assert stored(url).overview(today) == document


def test_opening_a_case_that_exists_exits_1_naming_its_head_and_writes_nothing(url: str) -> None:
    head = opened(url)
    code, out, err = case(
        url,
        "open",
        "c-1",
        "--jurisdiction",
        "DK",
        "--reported",
        "2026-12-01",
        "--reporter",
        "parent",
    )
    assert (1, "") == (code, out)
    assert (
        f"case 'c-1' is stored already, with head {head}; nothing was written. Give the new "
        "case another id (`kindbehoeften case show` shows the stored one)."
    ) == one_error_line(err)
    assert (head, "SE") == (stored(url).head, stored(url).jurisdiction)


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--jurisdiction", "XX"], "unknown jurisdiction 'XX'; known: SE, DK, NO, FI, GB-ENG, NL"),
        (["--reporter", "school"], "argument --reporter: invalid choice: 'school'"),
        (["--reported", "2026-02-30"], "'2026-02-30' is not a date written YYYY-MM-DD"),
        (["--reported", "02/11/2026"], "'02/11/2026' is not a date written YYYY-MM-DD"),
    ],
    ids=["jurisdiction", "reporter", "no-such-day", "not-iso"],
)
def test_open_with_a_bad_argument_exits_2_and_makes_no_store(
    url: str, db: Path, argv: list[str], reason: str
) -> None:
    arguments = {"--jurisdiction": "SE", "--reported": "2026-11-02", "--reporter": "parent"}
    arguments.update(dict(zip(argv[::2], argv[1::2], strict=True)))
    flat = [part for pair in arguments.items() for part in pair]
    code, out, err = case(url, "open", "c-1", *flat)
    assert (2, "") == (code, out)
    assert reason in one_error_line(err)
    assert not db.exists()


def test_open_with_a_case_id_the_event_refuses_exits_1_and_makes_no_store(
    url: str, db: Path
) -> None:
    """A case id with a control character is data that does not fit the report: exit 1, the
    field named, the id not shown, no store made."""
    code, out, err = case(
        url,
        "open",
        "c\x1b[2J",
        "--jurisdiction",
        "SE",
        "--reported",
        "2026-11-02",
        "--reporter",
        "parent",
    )
    assert (1, "", []) == (code, out, raw_controls(err))
    assert "data.case_id must not hold control characters" in one_error_line(err)
    assert "[2J" not in err
    assert not db.exists()


def test_the_actor_is_the_option_else_the_environment_else_cli(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened(url, "c-1")
    codes = [case(url, "step", "c-1", "safety_assessed", "--on", "2026-11-02")[0]]
    monkeypatch.setenv(ACTOR_VARIABLE, "worker-9")
    codes.append(case(url, "step", "c-1", "preliminary_started", "--on", "2026-11-03")[0])
    codes.append(
        case(url, "step", "c-1", "reporter_informed", "--on", "2026-11-03", "--actor", "lead-2")[0]
    )
    assert [0, 0, 0] == codes
    assert ["w-1", "cli", "worker-9", "lead-2"] == [event.actor for event in stored(url).events]


def test_without_store_or_environment_the_store_is_kindbehoeften_db_in_the_working_folder(
    tmp_path: Path,
) -> None:
    code, _, err = run(
        "case",
        "open",
        "c-1",
        "--jurisdiction",
        "SE",
        "--reported",
        "2026-11-02",
        "--reporter",
        "parent",
    )
    assert (0, "") == (code, err)
    assert ["c-1"] == [
        s.case_id for s in open_store(f"sqlite:///{tmp_path}/kindbehoeften.db").cases()
    ]


def test_the_environment_names_the_store_when_no_store_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere.db"
    monkeypatch.setenv("KINDBEHOEFTEN_STORE", f"sqlite:///{elsewhere}")
    code, _, _ = run(
        "case",
        "open",
        "c-1",
        "--jurisdiction",
        "SE",
        "--reported",
        "2026-11-02",
        "--reporter",
        "parent",
    )
    assert (0, True, False) == (
        code,
        elsewhere.exists(),
        (tmp_path / "kindbehoeften.db").exists(),
    )
    code, out, _ = run("case", "list", "--format", "json")
    assert ["c-1"] == [item["case_id"] for item in json.loads(out)["cases"]]


# --- case step ----------------------------------------------------------------------------------


def test_a_step_is_appended_after_the_head_and_dated_today_by_default(url: str) -> None:
    opened(url)
    before = dt.date.today()
    code, out, err = case(url, "step", "c-1", "safety_assessed")
    after = dt.date.today()
    case_now = stored(url)
    assert (0, "") == (code, err)
    assert ["report_received", "safety_assessed"] == [e.kind for e in case_now.events]
    assert before <= case_now.events[-1].on <= after
    assert (
        f"Recorded in case c-1: safety assessed; reported, head {case_now.head}"
        == out.splitlines()[0]
    )


@pytest.mark.parametrize(
    ("step", "pairs", "expected"),
    [
        # JSON where it parses: a boolean, a string in quotes
        (
            "placement_started",
            ["kind=foster", "compulsory=true"],
            {"kind": "foster", "compulsory": True},
        ),
        ("transferred", ['municipality="1234"'], {"municipality": "1234"}),
        # text where it does not: a number with a leading zero, a name, an empty value
        ("transferred", ["municipality=0180"], {"municipality": "0180"}),
        ("transferred", ["municipality=Lund kommun"], {"municipality": "Lund kommun"}),
        ("court_application", ["kind=board"], {"kind": "board"}),
        ("closed", ["reason=moved"], {"reason": "moved"}),
        # an additional report: anonymous follows the reporter, as receive_report does
        ("report_received", ["reporter=anonymous"], {"reporter": "anonymous", "anonymous": True}),
        ("report_received", ["reporter=parent"], {"reporter": "parent", "anonymous": False}),
        (
            "report_received",
            ["reporter=relative", "anonymous=true"],
            {"reporter": "relative", "anonymous": True},
        ),
    ],
    ids=lambda value: "-".join(value) if isinstance(value, list) else None,
)
def test_data_values_are_json_when_they_parse_and_text_otherwise(
    url: str, step: str, pairs: list[str], expected: dict[str, Any]
) -> None:
    opened(url)
    argv = [part for pair in pairs for part in ("--data", pair)]
    code, _, err = case(url, "step", "c-1", step, "--on", "2026-11-03", *argv)
    assert (0, "") == (code, err)
    assert expected == stored(url).events[-1].data.model_dump()


@pytest.mark.parametrize(
    ("step", "pairs", "field"),
    [
        ("transferred", ["municipality=1234"], "data.municipality must be text"),
        ("placement_started", ["kind=foster", 'compulsory="true"'], "data.compulsory must be"),
        ("closed", ["reason=bored"], "data.reason must be one of: no_concern, referred"),
        ("closed", [], "data.reason is missing"),
        ("child_heard", ["mood=calm"], "data.mood is not part of this step's data"),
    ],
)
def test_data_that_does_not_fit_the_step_exits_1_and_writes_nothing(
    url: str, step: str, pairs: list[str], field: str
) -> None:
    head = opened(url)
    argv = [part for pair in pairs for part in ("--data", pair)]
    code, out, err = case(url, "step", "c-1", step, "--on", "2026-11-03", *argv)
    assert (1, "") == (code, out)
    assert field in one_error_line(err)
    assert head == stored(url).head


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--data", "Something private"], "expected KEY=VALUE"),
        (["--data", "=moved"], "expected KEY=VALUE"),
        (["--data", "on=2026-11-03"], "on is not step data: the step's date is --on DATE"),
        (["--data", "actor=w-2"], "actor is not step data: the actor is --actor ID"),
        (["--data", "submission=x.json"], "a submission is --submission FILE"),
        (["--data", "at=2026-11-03T10:00Z"], "not its time"),
        (["--data", "reason=moved", "--data", "reason=other"], "--data reason is given twice"),
        (["--on", "2026-13-01"], "is not a date written YYYY-MM-DD"),
        (["--expected-head", "abc"], "a head is 64 lowercase hexadecimal digits"),
        (["--submission", "plan.json"], "closed takes no submission"),
    ],
    ids=[
        "no-equals",
        "no-key",
        "on",
        "actor",
        "submission",
        "at",
        "twice",
        "bad-date",
        "bad-head",
        "submission-for-closed",
    ],
)
def test_a_bad_step_argument_exits_2_and_never_shows_a_value(
    url: str, argv: list[str], reason: str
) -> None:
    head = opened(url)
    code, out, err = case(url, "step", "c-1", "closed", *argv)
    assert (2, "") == (code, out)
    assert reason in one_error_line(err)
    assert "private" not in err
    assert head == stored(url).head


def test_an_unknown_step_is_a_usage_error(url: str) -> None:
    opened(url)
    code, _, err = case(url, "step", "c-1", "tea_served")
    assert 2 == code
    assert "argument STEP: invalid choice: 'tea_served'" in one_error_line(err)


def test_a_step_not_allowed_now_exits_1_listing_the_allowed_steps(url: str) -> None:
    head = opened(url)
    code, out, err = case(url, "step", "c-1", "support_started", "--on", "2026-11-03")
    allowed = ", ".join(stored(url).allowed_steps())
    assert (1, "") == (code, out)
    assert (
        f"cannot record 'support_started' in stage 'reported'. Allowed now: {allowed}."
        == one_error_line(err)
    )
    assert head == stored(url).head


def test_a_step_dated_before_the_last_event_exits_1_with_the_lifecycles_message(
    url: str,
) -> None:
    head = opened(url)
    code, _, err = case(url, "step", "c-1", "safety_assessed", "--on", "2026-11-01")
    with pytest.raises(TransitionError) as expected:
        stored(url).assess_safety(dt.date(2026, 11, 1), "cli")
    assert 1 == code
    assert str(expected.value) == one_error_line(err)
    assert head == stored(url).head


def test_a_decision_takes_its_outcome_from_the_submission_which_is_stored_by_digest(
    url: str,
) -> None:
    opened(url)
    case(url, "step", "c-1", "preliminary_started", "--on", "2026-11-03")
    code, _, err = case(
        url,
        "step",
        "c-1",
        "preliminary_decision",
        "--on",
        "2026-11-12",
        "--submission",
        str(PRELIMINARY),
    )
    decided = stored(url).events[-1].data
    submission = json.loads(PRELIMINARY.read_text(encoding="utf-8"))
    assert (0, "") == (code, err)
    assert ("open_full_assessment", submission_digest(submission)) == (
        decided.outcome,  # type: ignore[union-attr]
        decided.submission_digest,  # type: ignore[union-attr]
    )
    with open_store(url) as store:
        assert submission == store.get_submission("c-1", submission_digest(submission))


def test_a_submission_is_read_from_stdin_for_dash(url: str) -> None:
    opened(url)
    case(url, "step", "c-1", "preliminary_started", "--on", "2026-11-03")
    code, _, err = case(
        url,
        "step",
        "c-1",
        "preliminary_decision",
        "--on",
        "2026-11-12",
        "--submission",
        "-",
        stdin=PRELIMINARY.read_bytes(),
    )
    assert (0, "") == (code, err)
    assert "preliminary_decision" == stored(url).events[-1].kind


def test_an_outcome_that_disagrees_with_the_submission_exits_1_and_stores_nothing(
    url: str,
) -> None:
    opened(url)
    case(url, "step", "c-1", "preliminary_started", "--on", "2026-11-03")
    head = stored(url).head
    code, _, err = case(
        url,
        "step",
        "c-1",
        "preliminary_decision",
        "--on",
        "2026-11-12",
        "--submission",
        str(PRELIMINARY),
        "--data",
        "outcome=close",
    )
    assert 1 == code
    assert "the outcome given ('close') is not the one its submission records" in err
    assert head == stored(url).head
    digest = submission_digest(json.loads(PRELIMINARY.read_text(encoding="utf-8")))
    with open_store(url) as store, pytest.raises(UnknownSubmissionError):
        store.get_submission("c-1", digest)


def test_a_draft_submission_exits_1_without_showing_an_answer(url: str) -> None:
    opened(url)
    case(url, "step", "c-1", "preliminary_started", "--on", "2026-11-03")
    draft = EXAMPLES / "triangle.preliminary.draft.json"
    code, out, err = case(
        url,
        "step",
        "c-1",
        "preliminary_decision",
        "--on",
        "2026-11-12",
        "--submission",
        str(draft),
    )
    answers = json.loads(draft.read_text(encoding="utf-8"))["answers"]
    texts = [
        value
        for area in answers.values()
        for part in area.values()
        for value in part.values()
        if isinstance(value, str) and len(value) > 12
    ]
    assert (1, "") == (code, out)
    assert "the submission is a draft" in one_error_line(err)
    assert texts
    assert [] == [text for text in texts if text in err]
    assert 2 == len(stored(url).events)


def test_a_decision_without_a_submission_is_a_usage_error(url: str) -> None:
    opened(url)
    code, _, err = case(url, "step", "c-1", "plan_adopted")
    assert 2 == code
    assert (
        "case step: plan_adopted needs --submission FILE, a completed submission of the "
        "'plan' form" == one_error_line(err)
    )


def test_a_missing_submission_file_is_a_usage_error(url: str, tmp_path: Path) -> None:
    opened(url)
    code, _, err = case(
        url, "step", "c-1", "plan_adopted", "--submission", str(tmp_path / "gone.json")
    )
    assert 2 == code
    assert f"no such file: {tmp_path / 'gone.json'}" == one_error_line(err)


@pytest.mark.parametrize(
    ("pairs", "problem"),
    [
        (["rule=preliminary", "new_due_on=2026-12-01", "reason=Sentinel-7781"], None),
        (["rule=investigation", "new_due_on=2026-12-01", "reason=Sentinel-7781"], "no running"),
        (["rule=tea_break", "new_due_on=2026-12-01", "reason=Sentinel-7781"], "must be one of"),
        (["rule=safety_assessment", "new_due_on=2026-12-01", "reason=Sentinel-7781"], "allowed"),
    ],
    ids=["extendable", "not-running", "unknown-rule", "not-extendable"],
)
def test_an_extension_is_checked_against_the_profile_and_its_reason_never_shown(
    url: str, pairs: list[str], problem: str | None
) -> None:
    head = opened(url)
    argv = [part for pair in pairs for part in ("--data", pair)]
    code, out, err = case(url, "step", "c-1", "extension_granted", "--on", "2026-11-03", *argv)
    assert "Sentinel-7781" not in out + err
    if problem is None:
        assert (0, "") == (code, err)
        assert dt.date(2026, 12, 1) == stored(url).deadlines(MONDAY)[1].due_on
    else:
        assert (1, "") == (code, out)
        assert problem in one_error_line(err)
        assert head == stored(url).head


def test_expected_head_records_the_step_only_on_that_head(url: str) -> None:
    first = opened(url)
    code, _, _ = case(
        url, "step", "c-1", "safety_assessed", "--on", "2026-11-02", "--expected-head", first
    )
    second = stored(url).head
    assert (0, 2) == (code, len(stored(url).events))
    code, out, err = case(
        url, "step", "c-1", "preliminary_started", "--on", "2026-11-03", "--expected-head", first
    )
    assert (1, "") == (code, out)
    assert (
        f"case 'c-1' has moved on: its head is {second}, not the expected {first}; nothing was "
        "written. `kindbehoeften case show` shows where it stands; record the step again with "
        f"--expected-head {second} if it still applies." == one_error_line(err)
    )
    assert second == stored(url).head


def test_a_conflict_is_found_before_the_step_is_judged(url: str) -> None:
    """On a stale head, a step the current stage would refuse is a conflict (exit 1 naming
    the head), not a refused step: the case is not where the caller thinks it is."""
    first = opened(url)
    case(url, "step", "c-1", "closed", "--on", "2026-11-02", "--data", "reason=no_concern")
    code, _, err = case(
        url, "step", "c-1", "preliminary_started", "--on", "2026-11-03", "--expected-head", first
    )
    assert 1 == code
    assert f"its head is {stored(url).head}, not the expected {first}" in err


def test_a_step_on_an_unknown_case_exits_1_naming_the_store(url: str) -> None:
    opened(url)
    code, out, err = case(url, "step", "c-2", "safety_assessed")
    assert (1, "") == (code, out)
    assert (
        f"no case 'c-2' in the store {url}; `kindbehoeften case list` lists its cases, "
        "`kindbehoeften case open` opens one." == one_error_line(err)
    )


# --- case show ----------------------------------------------------------------------------------


def test_show_json_is_the_case_with_its_deadlines_on_today(url: str) -> None:
    opened(url)
    case(url, "step", "c-1", "safety_assessed", "--on", "2026-11-02")
    code, out, err = case(url, "show", "c-1", "--today", "2026-11-17", "--format", "json")
    document = json.loads(out)
    expected = stored(url)
    assert (0, "") == (code, err)
    assert {"case_id", "stage", "head", "allowed_steps", "deadlines"} <= set(document)
    assert ("c-1", "reported", expected.head) == (
        document["case_id"],
        document["stage"],
        document["head"],
    )
    assert list(expected.allowed_steps()) == document["allowed_steps"]
    deadlines = expected.deadlines(dt.date(2026, 11, 17))
    assert [deadline.to_dict() for deadline in deadlines] == document["deadlines"]
    assert ["met", "overdue"] == [rule["status"] for rule in document["deadlines"]]


def test_show_deadlines_are_those_of_deadlines_format_json(url: str) -> None:
    opened(url)
    _, shown, _ = case(url, "show", "c-1", "--today", "2026-11-10", "--format", "json")
    _, listed, _ = run(
        "deadlines",
        "--jurisdiction",
        "SE",
        "--reported",
        "2026-11-02",
        "--reporter",
        "professional",
        "--today",
        "2026-11-10",
        "--format",
        "json",
    )
    assert json.loads(listed)["rules"] == json.loads(shown)["deadlines"]


def test_show_text_has_stage_history_deadlines_allowed_steps_and_head(url: str) -> None:
    head = opened(url, "c-1", "--municipality", "Uppsala")
    code, out, err = run(
        "case", "show", "c-1", "--today", "2026-11-17", "--store", url, "--locale", "sv"
    )
    assert (0, "") == (code, err)
    assert "Skede: orosanmälan" in out
    assert "Händelser i ärende c-1" in out
    assert "försenad" in out
    assert out.endswith(f"Senaste hash: {head}\n")


def test_show_on_a_store_that_does_not_exist_exits_2_and_makes_none(url: str, db: Path) -> None:
    code, out, err = case(url, "show", "c-1")
    assert (2, "") == (code, out)
    assert (
        f"there is no store at {db}: `kindbehoeften case open` or `case import` makes one. "
        "Give the store with --store URL or $KINDBEHOEFTEN_STORE." == one_error_line(err)
    )
    assert not db.exists()


def test_show_of_an_unknown_case_exits_1(url: str) -> None:
    opened(url)
    code, out, err = case(url, "show", "c-9")
    assert (1, "") == (code, out)
    assert one_error_line(err).startswith("no case 'c-9' in the store")


# --- case list ----------------------------------------------------------------------------------


@pytest.fixture
def three_cases(url: str) -> str:
    """c-a (Uppsala, reported; overdue from 17 Nov), c-b (Lund, closed), c-c (Lund,
    preliminary; its preliminary assessment overdue from 17 Nov too)."""
    opened(url, "c-a", "--municipality", "Uppsala")
    opened(url, "c-b", "--municipality", "Lund")
    case(url, "step", "c-b", "closed", "--on", "2026-11-02", "--data", "reason=moved")
    opened(url, "c-c", "--municipality", "Lund")
    case(url, "step", "c-c", "safety_assessed", "--on", "2026-11-02")
    case(url, "step", "c-c", "preliminary_started", "--on", "2026-11-03")
    return url


def listed(url: str, *argv: str) -> list[str]:
    code, out, err = case(url, "list", "--format", "json", *argv)
    assert (0, "") == (code, err)
    return [item["case_id"] for item in json.loads(out)["cases"]]


def test_list_json_gives_each_cases_summary(three_cases: str) -> None:
    code, out, _ = case(three_cases, "list", "--format", "json")
    with open_store(three_cases) as store:
        summaries = list(store.cases())
    assert 0 == code
    assert [
        {
            "case_id": s.case_id,
            "jurisdiction": "SE",
            "municipality": s.municipality,
            "stage": s.stage,
            "head": s.head,
            "events": s.events,
            "next_due_on": None if s.next_due_on is None else s.next_due_on.isoformat(),
        }
        for s in summaries
    ] == json.loads(out)["cases"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ["c-a", "c-b", "c-c"]),
        (["--stage", "closed"], ["c-b"]),
        (["--stage", "preliminary"], ["c-c"]),
        (["--municipality", "Lund"], ["c-b", "c-c"]),
        (["--overdue", "2026-11-16"], ["c-a"]),  # c-a's safety assessment, due 3 Nov
        (["--overdue", "2026-11-17"], ["c-a", "c-c"]),
        (["--overdue", "2026-11-17", "--municipality", "Lund"], ["c-c"]),
    ],
)
def test_list_filters_by_stage_municipality_and_overdue_day(
    three_cases: str, argv: list[str], expected: list[str]
) -> None:
    assert expected == listed(three_cases, *argv)


def test_list_text_is_a_table_with_a_count(three_cases: str) -> None:
    code, out, _ = case(three_cases, "list", "--overdue", "2026-11-17")
    rows = table_rows(out)
    assert 0 == code
    assert " ".join(out.split()).startswith(f"Cases overdue on Nov 17, 2026 in {three_cases}")
    assert [["c-a", "SE", "Uppsala", "reported", "1", "Nov 3, 2026"]] == [
        row[:6] for row in rows if row[0] == "c-a"
    ]
    assert out.endswith("2 cases\n")
    code, out, _ = case(three_cases, "list", "--stage", "support")
    assert (0, True) == (code, out.endswith("0 cases\n"))


def test_list_with_an_unknown_stage_is_a_usage_error(three_cases: str) -> None:
    code, _, err = case(three_cases, "list", "--stage", "limbo")
    assert 2 == code
    assert "argument --stage: invalid choice: 'limbo'" in one_error_line(err)


def test_list_reads_summaries_and_never_replays_a_history(three_cases: str, db: Path) -> None:
    """A history changed behind the store's back is refused by show (exit 1), while list,
    which reads the summary rows only, still lists the case."""
    connection = sqlite3.connect(db, isolation_level=None)
    try:
        connection.execute("DROP TRIGGER events_no_update")
        connection.execute(
            "UPDATE events SET body = replace(body, '2026-11-02', '2026-11-01') "
            "WHERE case_id = 'c-c' AND seq = 2"
        )
    finally:
        connection.close()
    assert ["c-a", "c-b", "c-c"] == listed(three_cases)
    code, out, err = case(three_cases, "show", "c-c")
    assert (1, "") == (code, out)
    assert "event 2 was changed" in one_error_line(err)


def overdue_in_show(url: str, case_id: str, day: dt.date) -> bool:
    code, out, err = case(url, "show", "--today", str(day), "--format", "json", "--", case_id)
    assert (0, "") == (code, err)
    return any(rule["status"] == "overdue" for rule in json.loads(out)["deadlines"])


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cases=st.lists(
        assessments(max_steps=10), min_size=1, max_size=4, unique_by=lambda a: a.case_id
    ),
    data=st.data(),
)
def test_list_overdue_agrees_with_show_today_for_every_case(
    tmp_path_factory: pytest.TempPathFactory, cases: list[Assessment], data: st.DataObject
) -> None:
    """``case list --overdue D`` lists exactly the cases whose ``case show --today D`` has an
    overdue deadline, on generated histories (imported through ``case import -``), on the
    days their clocks fall due and the days after."""
    url = f"sqlite:///{tmp_path_factory.mktemp('agree')}/cases.db"
    for generated in cases:
        code, _, err = case(url, "import", "-", stdin=generated.to_json().encode("utf-8"))
        assert (0, "") == (code, err)
    probes = {MONDAY}
    for generated in cases:
        for deadline in generated.deadlines():
            probes |= {deadline.due_on + dt.timedelta(days=shift) for shift in (0, 1)}
    days = data.draw(st.lists(st.sampled_from(sorted(probes)), min_size=1, max_size=5, unique=True))
    for day in days:
        expected = sorted(c.case_id for c in cases if overdue_in_show(url, c.case_id, day))
        event(f"overdue cases: {min(len(expected), 2)}")
        assert expected == listed(url, "--overdue", str(day))


# --- case export and case import ----------------------------------------------------------------


def test_export_prints_the_history_that_timeline_and_import_read(url: str, tmp_path: Path) -> None:
    opened(url, "c-1", "--municipality", "Malmö")
    case(url, "step", "c-1", "safety_assessed", "--on", "2026-11-02")
    code, out, err = case(url, "export", "c-1")
    assert (0, "") == (code, err)
    assert stored(url).to_json() == out
    path = tmp_path / "c-1.json"
    path.write_text(out, encoding="utf-8")
    code, timeline, _ = run("timeline", str(path), "--today", "2026-11-03", "--format", "json")
    assert (0, stored(url).head) == (code, json.loads(timeline)["events"][-1]["hash"])
    other = f"sqlite:///{tmp_path}/other.db"
    code, out, err = case(other, "import", str(path))
    assert (0, "") == (code, err)
    assert out.startswith(f"Imported case c-1 with 2 events: reported, head {stored(url).head}")
    assert stored(url) == stored(other)


def test_importing_a_case_that_exists_exits_1_and_writes_nothing(url: str, tmp_path: Path) -> None:
    head = opened(url)
    other = Assessment.report(
        case_id="c-1", jurisdiction="FI", on=MONDAY, actor="w", reporter="parent"
    ).start_preliminary(MONDAY, "w")
    path = tmp_path / "c-1.json"
    path.write_text(other.to_json(), encoding="utf-8")
    code, out, err = case(url, "import", str(path))
    assert (1, "") == (code, out)
    assert f"case 'c-1' is stored already, with head {head}" in one_error_line(err)
    assert (head, 1) == (stored(url).head, len(stored(url).events))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda text: text.replace('"2026-11-03"', '"2026-11-04"', 1), "event 2 was changed"),
        (lambda text: text.replace("\n", "\r\n"), "the text of the history is not the text"),
        (lambda text: text[:-20], "the history is not valid JSON"),
    ],
    ids=["edited", "layout", "cut"],
)
def test_importing_a_history_that_does_not_verify_exits_1_naming_the_file(
    url: str, db: Path, tmp_path: Path, change: Callable[[str], str], problem: str
) -> None:
    history = (
        Assessment.report(case_id="c-1", jurisdiction="SE", on=MONDAY, actor="w", reporter="parent")
        .start_preliminary(dt.date(2026, 11, 3), "w")
        .to_json()
    )
    path = tmp_path / "events.json"
    path.write_bytes(change(history).encode("utf-8"))
    code, out, err = case(url, "import", str(path))
    assert (1, "") == (code, out)
    assert one_error_line(err).startswith(f"{path}: {problem}")
    assert not db.exists()


def test_importing_a_missing_file_is_a_usage_error(url: str, tmp_path: Path) -> None:
    code, _, err = case(url, "import", str(tmp_path / "gone.json"))
    assert (2, f"no such file: {tmp_path / 'gone.json'}") == (code, one_error_line(err))


# --- the store: every error is one line and exit 2 ----------------------------------------------

COMMANDS = {
    "open": [
        "open",
        "c-1",
        "--jurisdiction",
        "SE",
        "--reported",
        "2026-11-02",
        "--reporter",
        "parent",
    ],
    "step": ["step", "c-1", "safety_assessed"],
    "show": ["show", "c-1"],
    "list": ["list"],
    "export": ["export", "c-1"],
    "import": ["import", str(ROOT / "examples" / "histories" / "demo-case.json")],
}


@pytest.fixture
def newer_store(tmp_path: Path) -> str:
    """A store written by a kindbehoeften of a newer schema."""
    url = f"sqlite:///{tmp_path}/newer.db"
    open_store(url).close()
    connection = sqlite3.connect(tmp_path / "newer.db", isolation_level=None)
    try:
        connection.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        connection.execute("UPDATE meta SET value = '9.1.0' WHERE key = 'library'")
    finally:
        connection.close()
    return url


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(
    ("store", "reason"),
    [
        ("mysql://db.example/cases", "unknown kind of store URL (scheme 'mysql')"),
        ("sqlite://host/cases.db", "names no SQLite file"),
        ("sqlite:///cases.db?mode=ro", "a SQLite store URL takes only ?timeout=SECONDS"),
        ("postgresql:///kb?host=/nonexistent/socket", "cannot reach the PostgreSQL store"),
        ("newer", "has schema version 2, written by kindbehoeften 9.1.0"),
        ("not-a-store", "is not a SQLite database"),
    ],
    ids=["scheme", "sqlite-host", "sqlite-query", "unreachable", "newer-schema", "not-a-store"],
)
def test_a_store_that_cannot_be_used_is_one_line_and_exit_2(
    command: str, store: str, reason: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if store == "newer":
        store = request.getfixturevalue("newer_store")
    if store == "not-a-store":
        (tmp_path / "notes.db").write_bytes(b"not a database, but some notes" * 100)
        store = f"sqlite:///{tmp_path}/notes.db"
    before = sorted(path.name for path in tmp_path.iterdir())
    code, out, err = case(store, *COMMANDS[command])
    assert (2, "") == (code, out)
    assert reason in one_error_line(err)
    assert before == sorted(path.name for path in tmp_path.iterdir())  # no file made


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_sqlite_database_of_another_program_is_refused_and_left_unchanged(
    command: str, tmp_path: Path
) -> None:
    """Our tables are never added to someone else's database, nor its journal mode changed."""
    foreign = tmp_path / "notes.db"
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE notes (body TEXT)")
    connection.execute("INSERT INTO notes VALUES ('a note')")
    connection.commit()
    connection.close()
    before = _files(tmp_path)
    code, out, err = case(f"sqlite:///{foreign}", *COMMANDS[command])
    assert (2, "") == (code, out)
    assert "is a SQLite database but not a kindbehoeften store" in one_error_line(err)
    assert before == _files(tmp_path)


@pytest.mark.parametrize("command", ["show", "list", "export"])
def test_reading_an_empty_file_as_a_store_exits_2_and_leaves_it_empty(
    command: str, tmp_path: Path
) -> None:
    """A read makes no store, not even in an empty file that the path names by mistake."""
    empty = tmp_path / "empty.json"
    empty.touch()
    code, out, err = case(f"sqlite:///{empty}", *COMMANDS[command])
    assert (2, "") == (code, out)
    assert (
        f"there is no store at {empty} (an empty file): `kindbehoeften case open` or "
        "`case import` makes one. Give the store with --store URL or $KINDBEHOEFTEN_STORE."
        == one_error_line(err)
    )
    assert {"empty.json": b""} == _files(tmp_path)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_bad_store_url_from_the_environment_names_the_variable(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINDBEHOEFTEN_STORE", "mysql://db.example/cases")
    action, *rest = COMMANDS[command]
    code, out, err = run("case", action, *rest)
    assert (2, "") == (code, out)
    assert one_error_line(err).startswith(
        "$KINDBEHOEFTEN_STORE: unknown kind of store URL (scheme 'mysql')"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "c-\udcff"],
        ["export", "c-\udcff"],
        ["step", "c-\udcff", "safety_assessed"],
        ["list", "--municipality", "\udcff"],
    ],
    ids=["show", "export", "step", "list"],
)
def test_an_id_with_a_byte_that_is_not_utf8_is_a_usage_error(url: str, argv: list[str]) -> None:
    """What the shell passes for $'c-\\xff' (Python reads it as a lone surrogate)."""
    opened(url)
    code, out, err = case(url, *argv)
    assert (2, "") == (code, out)
    assert "is not valid text" in one_error_line(err)
    assert "internal error" not in err


def test_an_empty_store_url_is_a_usage_error_not_the_default_store() -> None:
    code, out, err = case("", *COMMANDS["open"])
    assert (2, "") == (code, out)
    assert "argument --store: an empty store URL" in one_error_line(err)
    assert not Path("kindbehoeften.db").exists()


@pytest.mark.parametrize("command", ["open", "list"])
def test_a_postgresql_store_without_the_driver_says_which_extra_to_install(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    code, out, err = case("postgresql://db.example/kb", *COMMANDS[command])
    assert (2, "") == (code, out)
    assert (
        "a PostgreSQL store needs the psycopg driver, which is not installed: "
        "pip install 'kindbehoeften[postgres]'" == one_error_line(err)
    )


def test_a_password_in_the_store_url_is_never_shown() -> None:
    code, _, err = case(
        "postgresql://kb:s3cret-pw@127.0.0.1:1/kb?connect_timeout=2", *COMMANDS["list"]
    )
    assert 2 == code
    assert "s3cret-pw" not in err
    assert "kb:***@127.0.0.1:1" in one_error_line(err)


# --- hostile ids --------------------------------------------------------------------------------

HOSTILE = [
    pytest.param("\x9b2J", "\\x9b2J", id="c1"),
    pytest.param("\u202eevil", "\\u202eevil", id="bidi"),
    pytest.param("[bold]x[/]", "[bold]x[/]", id="markup"),
]


@pytest.mark.parametrize(("raw", "shown"), HOSTILE)
def test_a_hostile_case_id_is_shown_escaped_in_every_command(
    url: str, tmp_path: Path, raw: str, shown: str
) -> None:
    case_id = f"c{raw}-1"
    outputs = []
    outputs.append(
        case(
            url,
            "open",
            "--jurisdiction",
            "SE",
            "--reported",
            "2026-11-02",
            "--reporter",
            "parent",
            "--municipality",
            f"m{raw}",
            "--",
            case_id,
        )
    )
    outputs.append(case(url, "step", "--on", "2026-11-02", "--", case_id, "safety_assessed"))
    outputs.append(case(url, "show", "--today", "2026-11-20", "--", case_id))
    outputs.append(case(url, "list"))
    outputs.append(case(url, "show", "--format", "json", "--", case_id))
    outputs.append(case(url, "step", "--on", "2026-11-01", "--", case_id, "child_heard"))
    outputs.append(case(url, "step", "--", f"{case_id}-unknown", "child_heard"))
    outputs.append(
        case(
            url,
            "open",
            "--jurisdiction",
            "SE",
            "--reported",
            "2026-11-02",
            "--reporter",
            "parent",
            "--",
            case_id,
        )
    )
    assert [0, 0, 0, 0, 0, 1, 1, 1] == [code for code, _, _ in outputs]
    assert [] == raw_controls(*(out + err for _, out, err in outputs))
    for index in (0, 1, 2, 3, 6, 7):  # open, step, show, list, an unknown case, a conflict
        out, err = outputs[index][1:]
        assert f"c{shown}-1" in out + err, index
    assert f"m{shown}" in outputs[3][1]
    assert (case_id, f"m{raw}") == (
        json.loads(outputs[4][1])["case_id"],
        json.loads(outputs[4][1])["municipality"],
    )


def test_export_on_a_terminal_escapes_what_could_steer_it_and_a_file_gets_the_history(
    url: str,
) -> None:
    case_id = "c\x9b2J\u202e-1"
    opened(url, case_id)
    _, piped, _ = case(url, "export", "--", case_id)
    assert stored(url, case_id).to_json() == piped
    terminal = Console(file=StringIO(), force_terminal=True, color_system=None, width=100)
    code = main(
        ["case", "export", "--store", url, "--", case_id],
        console=terminal,
        err_console=Console(file=StringIO()),
    )
    shown = terminal.file.getvalue()  # type: ignore[attr-defined]
    assert (0, []) == (code, raw_controls(shown))
    assert json.loads(piped) == json.loads(shown)
    assert "c\\u009b2J\\u202e-1" in shown


# --- both back ends -----------------------------------------------------------------------------


def test_open_step_show_and_list_on_each_back_end(store_url: str) -> None:
    """The happy path, against SQLite and a real PostgreSQL server."""
    head = opened(store_url, "2026-0142", "--municipality", "Uppsala")
    code, _, err = case(
        store_url,
        "step",
        "2026-0142",
        "safety_assessed",
        "--on",
        "2026-11-02",
        "--expected-head",
        head,
    )
    assert (0, "") == (code, err)
    code, _, err = case(
        store_url,
        "step",
        "2026-0142",
        "preliminary_started",
        "--on",
        "2026-11-03",
        "--actor",
        "worker-17",
    )
    assert (0, "") == (code, err)
    code, _, err = case(
        store_url,
        "step",
        "2026-0142",
        "preliminary_decision",
        "--on",
        "2026-11-12",
        "--submission",
        str(PRELIMINARY),
    )
    assert (0, "") == (code, err)
    code, out, _ = case(store_url, "show", "2026-0142", "--today", "2026-11-20", "--format", "json")
    document = json.loads(out)
    assert (0, "preliminary", stored(store_url, "2026-0142").head) == (
        code,
        document["stage"],
        document["head"],
    )
    assert "full_assessment_opened" in document["allowed_steps"]
    assert ["2026-0142"] == listed(store_url, "--stage", "preliminary")
    assert [] == listed(store_url, "--overdue", "2026-11-20")
    code, out, _ = case(store_url, "list")
    assert (0, True) == (code, "2026-0142" in out)


# --- a real process ------------------------------------------------------------------------------


def test_a_real_process_finds_its_store_in_the_environment(tmp_path: Path) -> None:
    import subprocess

    environment = child_environment() | {"KINDBEHOEFTEN_STORE": f"sqlite:///{tmp_path}/p.db"}
    environment.pop(ACTOR_VARIABLE, None)

    def kindbehoeften_(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kindbehoeften", *argv],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=environment,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )

    opened_ = kindbehoeften_(
        "case",
        "open",
        "c-1",
        "--jurisdiction",
        "NL",
        "--reported",
        "2026-11-02",
        "--reporter",
        "other",
    )
    shown = kindbehoeften_("case", "show", "c-1", "--format", "json")
    missing = kindbehoeften_("case", "show", "c-2")
    assert (0, 0, 1) == (opened_.returncode, shown.returncode, missing.returncode)
    assert "NL" == json.loads(shown.stdout)["jurisdiction"]
    assert "" == missing.stdout
    assert not (tmp_path / "kindbehoeften.db").exists()
    assert os.path.exists(tmp_path / "p.db")
