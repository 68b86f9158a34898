"""The steps of issue 11: a placement started and ended, an application to a court or board
and its decision, the child heard, a transfer to another municipality, and an additional
report on an open case. Each is allowed where it should be and refused elsewhere with
TransitionError, its data is checked (InvalidEventError naming the field and what it allows,
never the value given), and it has its effect (the placed flag, the municipality)."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kindbehoeften import (
    Assessment,
    CourtApplicationData,
    CourtDecisionData,
    NoData,
    PlacementData,
    ReopenData,
    TransferData,
    events_schema,
)
from kindbehoeften.errors import InvalidEventError, TransitionError
from strategies import decided

D = dt.date
DAY = D(2027, 3, 1)
W = "worker-1"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return document


PRELIMINARY = example("triangle.preliminary.valid.json")
FULL = example("triangle.full.valid.json")


def new_case(**changes: Any) -> Assessment:
    arguments: dict[str, Any] = {
        "case_id": "case-1",
        "jurisdiction": "SE",
        "on": DAY,
        "actor": W,
        "reporter": "professional",
        "municipality": "0180",
    }
    return Assessment.report(**(arguments | changes))


def decide(case: Assessment, outcome: str) -> Assessment:
    return case.start_preliminary(DAY, W).decide_preliminary(
        None, decided(PRELIMINARY, outcome), DAY, W
    )


# Each open stage, and the closed one.
OPEN_CASES: dict[str, Callable[[], Assessment]] = {
    "reported": new_case,
    "preliminary": lambda: new_case().start_preliminary(DAY, W),
    "preliminary-decided": lambda: decide(new_case(), "open_full_assessment"),
    "full_assessment": lambda: decide(new_case(), "open_full_assessment").open_full_assessment(
        DAY, W
    ),
    "support": lambda: decide(new_case(), "light_support"),
    "in-emergency": lambda: new_case().protect(DAY, W),
    "reopened": lambda: new_case().close("other", DAY, W).reopen(DAY, W, "parent"),
}
CLOSED_CASES: dict[str, Callable[[], Assessment]] = {
    "closed": lambda: new_case().close("no_concern", DAY, W),
    "closed-after-a-decision": lambda: decide(new_case(), "close"),
    "closed-while-placed": lambda: (
        new_case().start_placement("foster", True, DAY, W).close("moved", DAY, W)
    ),
}

# Each new step with valid data.
NEW_STEPS: dict[str, dict[str, Any]] = {
    "placement_started": {"kind": "residential", "compulsory": True},
    "court_application": {"kind": "board"},
    "decision_by_court": {"kind": "court", "outcome": "refused"},
    "child_heard": {},
    "transferred": {"municipality": "1480"},
    "report_received": {"reporter": "child", "anonymous": False},
}


@pytest.mark.parametrize("step", NEW_STEPS)
@pytest.mark.parametrize("name", OPEN_CASES)
def test_a_new_step_is_allowed_in_every_open_stage(name: str, step: str) -> None:
    before = OPEN_CASES[name]()
    assert step in before.allowed_steps()
    after = before.apply(step, DAY, W, **NEW_STEPS[step])
    assert (
        (step, before.stage, before.events)
        == (
            after.events[-1].kind,
            after.stage,  # none of them changes the stage
            after.events[:-1],
        )
    )
    assert after == Assessment.from_json(after.to_json())


@pytest.mark.parametrize("step", [*NEW_STEPS, "placement_ended"])
@pytest.mark.parametrize("name", CLOSED_CASES)
def test_a_new_step_is_refused_on_a_closed_case(name: str, step: str) -> None:
    case = CLOSED_CASES[name]()
    text = case.to_json()
    with pytest.raises(TransitionError) as caught:
        case.apply(step, DAY, W, **NEW_STEPS.get(step, {}))
    assert ("closed", step) == (caught.value.stage, caught.value.step)
    assert "reopened" in caught.value.allowed
    why = (
        "the case is closed: a new report reopens it (reopened)"
        if step == "report_received"
        else "the case is closed; reopen it on a new report first"
    )
    assert why in str(caught.value)
    assert text == case.to_json()


@pytest.mark.parametrize("name", OPEN_CASES)
def test_a_placement_ends_only_while_the_child_is_placed(name: str) -> None:
    case = OPEN_CASES[name]()
    assert "placement_started" in case.allowed_steps()
    assert "placement_ended" not in case.allowed_steps()
    with pytest.raises(TransitionError, match="the child is not placed"):
        case.end_placement(DAY, W)
    placed = case.start_placement("kinship", False, DAY, W)
    assert "placement_ended" in placed.allowed_steps()
    assert "placement_started" not in placed.allowed_steps()
    with pytest.raises(TransitionError, match="the child is placed already; end that placement"):
        placed.start_placement("foster", True, DAY, W)
    assert not placed.end_placement(DAY, W).placed


def test_the_placed_flag_follows_the_placements_through_the_stages() -> None:
    case = new_case()
    assert not case.placed
    case = case.start_placement("foster", True, DAY, W)
    assert case.placed
    case = decide(case, "open_full_assessment").open_full_assessment(DAY, W)
    assert (True, "full_assessment") == (case.placed, case.stage)
    case = case.complete_full_assessment(None, decided(FULL, "placement"), DAY, W)
    assert (True, "support") == (case.placed, case.stage)
    assert case.placed == Assessment.from_json(case.to_json()).placed
    assert not case.end_placement(D(2027, 4, 1), W).placed
    closed = case.close("support_ended", D(2027, 4, 1), W)
    assert (False, "closed") == (closed.placed, closed.stage)  # closing ends the placement
    assert not closed.reopen(D(2027, 5, 1), W, "parent").placed


def test_a_placement_may_be_reviewed_in_any_open_stage() -> None:
    case = new_case()
    assert "review_held" not in case.allowed_steps()
    case = case.start_placement("residential", True, DAY, W)
    assert "review_held" in case.allowed_steps()
    assert "reported" == case.hold_review(D(2027, 6, 1), W).stage


def test_a_transfer_changes_the_municipality_responsible() -> None:
    case = new_case()
    assert "0180" == case.municipality
    case = case.transfer("1480", D(2027, 3, 2), W)
    assert "1480" == case.municipality
    case = case.transfer("0380", D(2027, 3, 3), W)
    assert "0380" == case.municipality
    assert "0380" == Assessment.from_json(case.to_json()).municipality
    case = case.close("moved", D(2027, 3, 4), W).reopen(D(2027, 5, 1), W, "parent")
    assert "0380" == case.municipality  # a new cycle at the same municipality
    assert "0180" == case.events[0].data.municipality  # type: ignore[union-attr]


def test_a_case_without_a_municipality_gets_one_by_a_transfer() -> None:
    case = new_case(municipality=None)
    assert None is case.municipality
    assert "1480" == case.transfer("1480", DAY, W).municipality


def test_an_additional_report_keeps_the_cycle_and_may_name_a_reporter_to_inform() -> None:
    """The cycle still starts at the first report; a named reporter of an additional report
    can be informed even when the first report was anonymous."""
    case = new_case(reporter="anonymous")
    assert "reporter_informed" not in case.allowed_steps()
    anonymous_again = case.receive_report("anonymous", D(2027, 3, 2), W)
    assert "reporter_informed" not in anonymous_again.allowed_steps()
    named = anonymous_again.receive_report("relative", D(2027, 3, 3), W)
    assert "reporter_informed" in named.allowed_steps()
    assert (DAY, DAY, 3) == (
        named.first("report_received"),
        named.starts_and_ends().firsts["report_received"],
        len(named.cycle_events()),
    )
    assert ReopenData(reporter="relative", anonymous=False) == named.events[-1].data


def test_an_additional_report_is_anonymous_by_default_only_from_an_anonymous_reporter() -> None:
    assert ReopenData(reporter="anonymous", anonymous=True) == (
        new_case().receive_report("anonymous", DAY, W).events[-1].data
    )
    assert ReopenData(reporter="parent", anonymous=True) == (
        new_case().receive_report("parent", DAY, W, anonymous=True).events[-1].data
    )


def test_a_report_taken_as_data_is_anonymous_as_the_step_methods_make_it() -> None:
    for reporter in ("anonymous", "parent"):
        by_name = new_case().apply("report_received", DAY, W, reporter=reporter)
        assert by_name == new_case().receive_report(reporter, DAY, W)
        closed = new_case().close("moved", DAY, W)
        assert closed.apply("reopened", DAY, W, reporter=reporter) == closed.reopen(
            DAY, W, reporter
        )


def test_the_step_methods_record_their_data() -> None:
    case = (
        new_case()
        .start_placement("foster", True, DAY, W)
        .apply_to_court("board", DAY, W)
        .record_court_decision("board", "granted", DAY, W)
        .hear_child(DAY, W, at=dt.datetime(2027, 3, 1, 14, 0, tzinfo=dt.UTC))
        .end_placement(DAY, W)
        .transfer("1480", DAY, W)
    )
    assert [
        ("placement_started", PlacementData(kind="foster", compulsory=True)),
        ("court_application", CourtApplicationData(kind="board")),
        ("decision_by_court", CourtDecisionData(kind="board", outcome="granted")),
        ("child_heard", NoData()),
        ("placement_ended", NoData()),
        ("transferred", TransferData(municipality="1480")),
    ] == [(event.kind, event.data) for event in case.events[1:]]
    assert dt.datetime(2027, 3, 1, 14, 0, tzinfo=dt.UTC) == case.events[4].at


def test_hearing_the_child_starts_and_meets_no_clock() -> None:
    case = new_case(jurisdiction="DK")
    assert case.deadlines(D(2027, 4, 1)) == case.hear_child(DAY, W).deadlines(D(2027, 4, 1))


def test_a_history_with_every_new_step_fits_the_events_schema() -> None:
    case = new_case()
    for step, data in NEW_STEPS.items():
        case = case.apply(step, DAY, W, **data)
    case = case.end_placement(DAY, W)
    validator = jsonschema.Draft202012Validator(events_schema())
    assert [] == [error.message for error in validator.iter_errors(case.to_dict())]
    broken = case.to_dict()
    broken["events"][1]["data"]["kind"] = "hotel"
    assert list(validator.iter_errors(broken))


# --- the data of the new steps -----------------------------------------------------------------

SECRET = "Anna Svensson"  # a value that must never be echoed


@pytest.mark.parametrize(
    ("step", "data", "problem", "message"),
    [
        pytest.param(
            "placement_started",
            {"kind": "hotel", "compulsory": True},
            ("data.kind", "literal_error"),
            "data.kind must be one of: foster, kinship, residential, other",
            id="placement-kind",
        ),
        pytest.param(
            "placement_started",
            {"kind": "foster", "compulsory": "yes"},
            ("data.compulsory", "bool_type"),
            "data.compulsory must be true or false",
            id="placement-compulsory-text",
        ),
        pytest.param(
            "placement_started",
            {"kind": "foster", "compulsory": 1},
            ("data.compulsory", "bool_type"),
            "data.compulsory must be true or false",
            id="placement-compulsory-number",
        ),
        pytest.param(
            "placement_started",
            {"kind": "foster"},
            ("data.compulsory", "missing"),
            "data.compulsory is missing",
            id="placement-compulsory-missing",
        ),
        pytest.param(
            "placement_ended",
            {"reason": SECRET},
            ("data.reason", "extra_forbidden"),
            "data.reason is not part of this step's data",
            id="placement-ended-data",
        ),
        pytest.param(
            "court_application",
            {"kind": SECRET},
            ("data.kind", "literal_error"),
            "data.kind must be one of: court, board",
            id="court-kind",
        ),
        pytest.param(
            "court_application",
            {},
            ("data.kind", "missing"),
            "data.kind is missing",
            id="court-kind-missing",
        ),
        pytest.param(
            "decision_by_court",
            {"kind": "court", "outcome": "maybe"},
            ("data.outcome", "literal_error"),
            "data.outcome must be one of: granted, refused",
            id="court-outcome",
        ),
        pytest.param(
            "decision_by_court",
            {"kind": "jury", "outcome": "granted"},
            ("data.kind", "literal_error"),
            "data.kind must be one of: court, board",
            id="court-decision-kind",
        ),
        pytest.param(
            "child_heard",
            {"words": SECRET},
            ("data.words", "extra_forbidden"),
            "data.words is not part of this step's data",
            id="child-heard-data",
        ),
        pytest.param(
            "transferred",
            {"municipality": ""},
            ("data.municipality", "string_too_short"),
            "data.municipality must not be empty",
            id="municipality-empty",
        ),
        pytest.param(
            "transferred",
            {"municipality": f"{SECRET}\n"},
            ("data.municipality", "string_pattern_mismatch"),
            "data.municipality must not hold control characters (such as a line break)",
            id="municipality-control",
        ),
        pytest.param(
            "transferred",
            {"municipality": 1480},
            ("data.municipality", "string_type"),
            "data.municipality must be text",
            id="municipality-number",
        ),
        pytest.param(
            "transferred",
            {},
            ("data.municipality", "missing"),
            "data.municipality is missing",
            id="municipality-missing",
        ),
        pytest.param(
            "report_received",
            {"reporter": "neighbour", "anonymous": False},
            ("data.reporter", "literal_error"),
            "data.reporter must be one of: professional, parent, child, relative, anonymous, other",
            id="report-reporter",
        ),
        pytest.param(
            "report_received",
            {"reporter": "anonymous", "anonymous": False},
            ("data", "value_error"),
            "data: an anonymous reporter needs anonymous = true",
            id="report-anonymous",
        ),
        pytest.param(
            "report_received",
            {"reporter": "parent", "anonymous": False, "case_id": SECRET},
            ("data.case_id", "extra_forbidden"),
            "data.case_id is not part of this step's data",
            id="report-fixes-no-case",
        ),
    ],
)
def test_data_that_does_not_fit_a_new_step_names_the_field_and_what_it_allows(
    step: str, data: dict[str, Any], problem: tuple[str, str], message: str
) -> None:
    case = new_case().start_placement("foster", False, DAY, W)
    if step == "placement_started":
        case = new_case()
    with pytest.raises(InvalidEventError) as caught:
        case.apply(step, DAY, W, **data)
    assert ((problem,), (message,)) == (caught.value.problems, caught.value.messages)
    assert SECRET not in str(caught.value)
    assert "maybe" not in str(caught.value)


def test_mypy_refuses_a_value_outside_the_vocabulary_of_a_new_step(tmp_path: Path) -> None:
    """The new step methods take the Literal types of their vocabularies too."""
    from mypy import api

    code = """\
import datetime as dt
from kindbehoeften import Assessment
day = dt.date(2027, 3, 1)
case = Assessment.report(case_id="c", jurisdiction="SE", on=day, actor="w", reporter="parent")
case.start_placement("foster", True, day, "w").end_placement(day, "w")
case.start_placement("hotel", True, day, "w")
case.apply_to_court("judge", day, "w")
case.record_court_decision("court", "maybe", day, "w")
case.receive_report("neighbour", day, "w")
case.transfer("1480", day, "w").hear_child(day, "w")
"""
    (tmp_path / "steps.py").write_text(code, encoding="utf-8")
    out, _, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", os.devnull, str(tmp_path / "steps.py")]
    )
    lines = [line.split(":")[1] for line in out.splitlines() if ": error:" in line]
    assert ["6", "7", "8", "9"] == lines
    assert 1 == status
