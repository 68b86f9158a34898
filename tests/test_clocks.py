"""The legal clocks of every rule of every shipped profile, run over real histories.

Each rule's clock starts at its start event, where it applies (its stages and scopes), is met
by each of its end events, and stops (never overdue) when the case closes before it is met.
Due dates come from ``reference_dates``: plain calendar arithmetic and the ``holidays``
package, never the library's own date arithmetic. Rules with a behaviour of their own
(scopes, recurrences, additional reports, an offset) have tests of their own below.

Calendars used (Monday first):

    December 2026            January 2027             March 2027               June 2027
    Mo Tu We Th Fr Sa Su     Mo Tu We Th Fr Sa Su     Mo Tu We Th Fr Sa Su     Mo Tu We Th Fr Sa Su
        1  2  3  4  5  6                 1  2  3      1  2  3  4  5  6  7          1  2  3  4  5  6
     7  8  9 10 11 12 13      4  5  6  7  8  9 10      8  9 10 11 12 13 14      7  8  9 10 11 12 13
    14 15 16 17 18 19 20     11 12 13 14 15 16 17     15 16 17 18 19 20 21     14 15 16 17 18 19 20
    21 22 23 24 25 26 27     18 19 20 21 22 23 24     22 23 24 25 26 27 28     21 22 23 24 25 26 27
    28 29 30 31              25 26 27 28 29 30 31     29 30 31                 28 29 30

Easter Sunday 2027 is 28 March; Midsummer Eve 2027 is Friday 25 June; King's Day 2027 is
Tuesday 27 April.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kindbehoeften
from kindbehoeften import Assessment, Deadline, load_profile
from kindbehoeften.errors import InvalidEventError
from reference_dates import add_days, add_months, add_weeks, working_days_due
from strategies import assessments, decided

D = dt.date
W = "worker-1"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FAR = D(2040, 1, 1)  # asked so late, every clock not met nor stopped is overdue


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return document


PRELIMINARY = example("triangle.preliminary.valid.json")
FULL = example("triangle.full.valid.json")
PLAN = example("triangle.plan.valid.json")


# --- building cases ------------------------------------------------------------------------


def report(
    jurisdiction: str,
    on: dt.date,
    reporter: str = "professional",
    anonymous: bool | None = None,
) -> Assessment:
    return Assessment.report(
        case_id="case-1",
        jurisdiction=jurisdiction,
        on=on,
        actor=W,
        reporter=reporter,  # type: ignore[arg-type]
        anonymous=anonymous,
    )


def decide(case: Assessment, outcome: str, on: dt.date) -> Assessment:
    """The preliminary decision ``outcome`` (starting the preliminary assessment if needed)."""
    if case.stage == "reported":
        case = case.start_preliminary(on, W)
    return case.decide_preliminary(None, decided(PRELIMINARY, outcome), on, W)


def to_full(case: Assessment, on: dt.date) -> Assessment:
    """Through the decision to open a full assessment, which is then opened."""
    return decide(case, "open_full_assessment", on).open_full_assessment(on, W)


def complete(case: Assessment, decision: str, on: dt.date) -> Assessment:
    if case.stage != "full_assessment":
        case = to_full(case, on)
    return case.complete_full_assessment(None, decided(FULL, decision), on, W)


def close(case: Assessment, on: dt.date) -> Assessment:
    """Close an open case: a started preliminary assessment closes with its decision."""
    if "closed" in case.allowed_steps():
        return case.close("other", on, W)
    return decide(case, "close", on)


def meet(case: Assessment, kind: str, on: dt.date) -> Assessment:
    """Record the end event ``kind`` on ``on``, with what it needs first on the same day."""
    if kind == "preliminary_decision":
        return decide(case, "open_full_assessment", on)
    if kind == "full_assessment_completed":
        return complete(case, "support", on)
    if kind == "placement_ended":
        if not case.placed:
            case = case.start_placement("foster", True, on, W)
        return case.end_placement(on, W)
    if kind == "review_held" and kind not in case.allowed_steps():
        case = case.start_support(on, W)
    data: dict[str, Any] = {
        "court_application": {"kind": "court"},
        "decision_by_court": {"kind": "court", "outcome": "granted"},
    }.get(kind, {})
    return case.apply(kind, on, W, **data)


def clocks(
    case: Assessment, rule: str, today: dt.date | None = FAR, **options: Any
) -> list[Deadline]:
    return [d for d in case.deadlines(today, **options) if d.rule == rule]


def only(case: Assessment, rule: str, today: dt.date | None = FAR) -> Deadline:
    (found,) = clocks(case, rule, today)
    return found


# --- every rule: where its clock starts, its due date, met, stopped -------------------------

Setup = Callable[[dt.date], Assessment]


def reported(jurisdiction: str, **changes: Any) -> Setup:
    return lambda day: report(jurisdiction, day, **changes)


def opened(jurisdiction: str) -> Setup:
    return lambda day: to_full(report(jurisdiction, day), day)


def decided_for_support(jurisdiction: str) -> Setup:
    return lambda day: complete(report(jurisdiction, day), "support", day)


def placed(jurisdiction: str) -> Setup:
    return lambda day: report(jurisdiction, day).start_placement("foster", False, day, W)


def protected(jurisdiction: str) -> Setup:
    return lambda day: report(jurisdiction, day).protect(day, W)


def plan_adopted(jurisdiction: str) -> Setup:
    return lambda day: decide(report(jurisdiction, day), "light_support", day).adopt_plan(
        PLAN, day, W
    )


def same_day(day: dt.date) -> dt.date:
    return day


# (jurisdiction, rule): (a case whose last event, on the given day, starts the rule's clock;
# the day the clock starts; its due date from that day), after domain.md sections 2 and 7.
RULES: dict[tuple[str, str], tuple[Setup, Callable[[dt.date], dt.date], Callable[..., dt.date]]] = {
    ("SE", "safety_assessment"): (reported("SE"), same_day, lambda s: add_days(s, 1)),
    ("SE", "preliminary"): (reported("SE"), same_day, lambda s: add_days(s, 14)),
    ("SE", "investigation"): (opened("SE"), same_day, lambda s: add_months(s, 4)),
    ("SE", "support_delivery"): (decided_for_support("SE"), same_day, lambda s: add_months(s, 3)),
    ("SE", "placement_review"): (placed("SE"), same_day, lambda s: add_months(s, 6)),
    ("SE", "emergency_confirmation"): (protected("SE"), same_day, lambda s: add_weeks(s, 1)),
    ("SE", "care_application"): (protected("SE"), same_day, lambda s: add_weeks(s, 4)),
    ("DK", "safety_assessment"): (reported("DK"), same_day, lambda s: add_days(s, 1)),
    ("DK", "preliminary"): (reported("DK"), same_day, lambda s: add_weeks(s, 1)),
    ("DK", "reporter_receipt"): (
        reported("DK"),
        same_day,
        lambda s: working_days_due("DK", s, 6),
    ),
    ("DK", "investigation"): (reported("DK"), same_day, lambda s: add_months(s, 4)),
    ("NO", "preliminary"): (reported("NO"), same_day, lambda s: add_weeks(s, 1)),
    ("NO", "reporter_feedback"): (reported("NO"), same_day, lambda s: add_weeks(s, 3)),
    ("NO", "investigation"): (
        reported("NO"),
        lambda day: add_weeks(day, 1),  # the end of the week of review
        lambda s: add_months(s, 3),
    ),
    ("NO", "investigation_feedback"): (
        decided_for_support("NO"),
        same_day,
        lambda s: add_weeks(s, 3),
    ),
    ("NO", "plan_evaluation"): (plan_adopted("NO"), same_day, lambda s: add_months(s, 3)),
    ("FI", "safety_assessment"): (reported("FI"), same_day, lambda s: add_days(s, 1)),
    ("FI", "preliminary"): (reported("FI"), same_day, lambda s: working_days_due("FI", s, 7)),
    ("FI", "investigation"): (reported("FI"), same_day, lambda s: add_months(s, 3)),
    ("FI", "emergency_placement"): (protected("FI"), same_day, lambda s: add_days(s, 30)),
    ("GB-ENG", "preliminary"): (
        reported("GB-ENG"),
        same_day,
        lambda s: working_days_due("GB-ENG", s, 1),
    ),
    ("GB-ENG", "investigation"): (
        reported("GB-ENG"),
        same_day,
        lambda s: working_days_due("GB-ENG", s, 45),
    ),
    ("NL", "safety_assessment"): (
        reported("NL"),
        same_day,
        lambda s: working_days_due("NL", s, 5),
    ),
    ("NL", "investigation"): (opened("NL"), same_day, lambda s: add_weeks(s, 10)),
}
RULE_IDS = [pytest.param(*key, id="-".join(key)) for key in RULES]

# Days that test a calendar: public holidays, month ends, Christmas, Easter, Midsummer,
# King's Day, a weekend and a leap year.
HARD_DAYS = [
    D(2026, 10, 31),  # + 4 months: 28 Feb 2027
    D(2027, 10, 31),  # + 4 months: 29 Feb 2028
    D(2026, 11, 30),  # + 3 months: 28 Feb 2027
    D(2027, 8, 31),  # + 6 months: 29 Feb 2028
    D(2026, 12, 22),
    D(2026, 12, 24),  # Christmas Eve
    D(2026, 12, 25),  # Christmas Day, a public holiday everywhere
    D(2026, 12, 31),  # New Year's Eve
    D(2027, 1, 1),  # New Year's Day
    D(2027, 3, 25),  # Maundy Thursday
    D(2027, 3, 26),  # Good Friday
    D(2027, 3, 29),  # Easter Monday
    D(2027, 4, 23),
    D(2027, 4, 27),  # King's Day
    D(2027, 5, 17),  # Norway's Constitution Day, Whit Monday
    D(2027, 6, 24),
    D(2027, 6, 25),  # Midsummer Eve
    D(2027, 1, 30),  # a Saturday
    D(2028, 2, 29),  # a leap day
]


def test_every_shipped_rule_has_clock_tests() -> None:
    shipped = {
        (code, rule.id) for code in kindbehoeften.JURISDICTIONS for rule in load_profile(code).rules
    }
    assert shipped == set(RULES)


@pytest.mark.parametrize("day", HARD_DAYS, ids=str)
@pytest.mark.parametrize(("jurisdiction", "rule"), RULE_IDS)
def test_a_clock_starts_at_its_start_event_and_is_due_by_the_calendar(
    jurisdiction: str, rule: str, day: dt.date
) -> None:
    setup, begins, due = RULES[jurisdiction, rule]
    case = setup(day)
    clock = only(case, rule, today=None)
    starts = begins(day)
    assert (starts, due(starts), None, "pending") == (
        clock.starts_on,
        clock.due_on,
        clock.met_on,
        clock.status,
    )
    assert load_profile(jurisdiction).rule(rule).starts == case.events[-1].kind
    assert (due(starts), False) == (clock.original_due_on, clock.extended)


def test_a_clock_is_overdue_the_day_after_it_is_due_and_pending_on_it() -> None:
    clock = only(report("SE", D(2027, 1, 4)), "preliminary", today=D(2027, 1, 18))
    assert ("pending", D(2027, 1, 18)) == (clock.status, clock.due_on)
    assert "overdue" == only(report("SE", D(2027, 1, 4)), "preliminary", D(2027, 1, 19)).status


END_EVENTS = [
    pytest.param(code, rule.id, end, id=f"{code}-{rule.id}-{end}")
    for code in kindbehoeften.JURISDICTIONS
    for rule in load_profile(code).rules
    for end in rule.ends
]


@pytest.mark.parametrize(("jurisdiction", "rule", "end"), END_EVENTS)
def test_a_clock_is_met_by_each_of_its_end_events(jurisdiction: str, rule: str, end: str) -> None:
    setup, begins, due = RULES[jurisdiction, rule]
    day = D(2027, 2, 1)
    case = setup(day)
    met_on = D(2027, 2, 8)  # after the start, within the shortest due date but one day
    met = meet(case, end, met_on)
    first = clocks(met, rule)[0]
    expected_status = "met" if met_on <= due(begins(day)) else "met_late"
    assert (met_on, expected_status, None) == (first.met_on, first.status, first.stopped_on)


@pytest.mark.parametrize(("jurisdiction", "rule"), RULE_IDS)
def test_a_clock_met_after_its_due_date_is_met_late(jurisdiction: str, rule: str) -> None:
    setup, begins, due = RULES[jurisdiction, rule]
    day = D(2027, 2, 1)
    late = add_days(due(begins(day)), 1)
    end = load_profile(jurisdiction).rule(rule).ends[0]
    first = clocks(meet(setup(day), end, late), rule)[0]
    assert (late, "met_late") == (first.met_on, first.status)


@pytest.mark.parametrize(("jurisdiction", "rule"), RULE_IDS)
def test_a_clock_stops_when_the_case_closes_before_it_is_met(jurisdiction: str, rule: str) -> None:
    """Stopped on the day of closing, never overdue however late it is asked."""
    setup, _, _ = RULES[jurisdiction, rule]
    day = D(2027, 2, 1)
    closed_on = D(2027, 2, 3)
    case = close(setup(day), closed_on)
    assert "closed" == case.stage
    clock = clocks(case, rule)[-1]
    assert ("stopped", closed_on, None) == (clock.status, clock.stopped_on, clock.met_on)
    assert "overdue" not in {d.status for d in case.deadlines(FAR)}


def test_a_met_clock_stays_met_when_the_case_closes() -> None:
    case = report("SE", D(2027, 1, 4)).assess_safety(D(2027, 1, 4), W)
    case = close(case, D(2027, 1, 20))
    assert ("met", None) == (
        only(case, "safety_assessment").status,
        only(case, "safety_assessment").stopped_on,
    )


def test_only_the_current_cycles_clocks_are_given() -> None:
    """A clock that stopped when the case closed does not come back after a reopening."""
    case = close(report("SE", D(2027, 1, 4)), D(2027, 1, 5)).reopen(D(2027, 3, 1), W, "parent")
    assert [D(2027, 3, 1)] == [d.starts_on for d in clocks(case, "safety_assessment")]
    assert {"pending"} == {d.status for d in case.deadlines(D(2027, 3, 1))}


REPORT_RULES = [
    (code, rule.id, stage)
    for code in kindbehoeften.JURISDICTIONS
    for rule in load_profile(code).rules
    if rule.starts == "report_received"
    for stage in ("full_assessment", "support")
]


def later_stage(jurisdiction: str, stage: str, day: dt.date) -> Assessment:
    case = report(jurisdiction, day)
    return to_full(case, day) if stage == "full_assessment" else complete(case, "support", day)


@pytest.mark.parametrize(
    ("jurisdiction", "rule", "stage"),
    [pytest.param(*row, id="-".join(row)) for row in REPORT_RULES],
)
def test_an_additional_report_starts_a_clock_only_of_the_rules_of_its_stage(
    jurisdiction: str, rule: str, stage: str
) -> None:
    """A report on an open case (by a professional who gives a name, so that every scope of a
    reporter holds) has a clock of each rule that runs in the stage the case is in, and none
    of a rule that does not (no preliminary decision during an investigation)."""
    case = later_stage(jurisdiction, stage, D(2027, 1, 4))
    before = len(clocks(case, rule))
    case = case.receive_report("professional", D(2027, 3, 1), W)
    started = len(clocks(case, rule)) - before
    assert (1 if stage in load_profile(jurisdiction).rule(rule).during else 0) == started


# --- Sweden --------------------------------------------------------------------------------


def test_se_a_report_on_a_public_holiday_is_due_by_calendar_days() -> None:
    """Christmas Day + 1 day is Boxing Day, and + 14 days is Friday 8 January: calendar days,
    never moved off a holiday or a weekend (SoL counts calendar days)."""
    case = report("SE", D(2026, 12, 25))
    assert D(2026, 12, 26) == only(case, "safety_assessment").due_on
    assert D(2027, 1, 8) == only(case, "preliminary").due_on


def test_se_a_protection_assessment_due_on_midsummer_eve_stays_there() -> None:
    """Thursday 24 June + 1 day = Midsummer Eve, Friday 25 June 2027."""
    assert D(2027, 6, 25) == only(report("SE", D(2027, 6, 24)), "safety_assessment").due_on


def test_se_an_additional_report_on_an_open_case_has_its_own_protection_assessment() -> None:
    first = D(2027, 1, 4)
    case = complete(report("SE", first).assess_safety(first, W), "support", D(2027, 1, 20))
    case = case.receive_report("parent", D(2027, 3, 1), W)
    assert [("met", D(2027, 1, 5)), ("pending", D(2027, 3, 2))] == [
        (d.status, d.due_on) for d in clocks(case, "safety_assessment", today=D(2027, 3, 1))
    ]
    case = case.assess_safety(D(2027, 3, 2), W)
    assert ["met", "met"] == [d.status for d in clocks(case, "safety_assessment")]


def test_se_an_additional_report_during_an_investigation_needs_no_preliminary_decision() -> None:
    """SoL: a report on a case under investigation or with support is taken into it."""
    case = to_full(report("SE", D(2027, 1, 4)), D(2027, 1, 10))
    case = case.receive_report("relative", D(2027, 2, 1), W)
    assert [D(2027, 1, 4)] == [d.starts_on for d in clocks(case, "preliminary")]


def test_se_an_additional_report_after_the_decision_to_investigate_needs_no_decision() -> None:
    """The preliminary decision is taken once a cycle: a report that comes after the decision
    to open an investigation (before it is opened) cannot get one, and no clock waits for it."""
    case = decide(report("SE", D(2027, 1, 4)), "open_full_assessment", D(2027, 1, 10))
    case = case.receive_report("relative", D(2027, 1, 12), W)
    assert "preliminary_decision" not in case.allowed_steps()
    assert [("met", D(2027, 1, 4))] == [
        (d.status, d.starts_on) for d in clocks(case, "preliminary")
    ]
    assert 2 == len(clocks(case, "safety_assessment"))  # its own protection assessment still
    # domain.md section 7, Sweden: "A new report on an open case still needs its own
    # protection assessment": it can be recorded in the decided preliminary stage, and meets it.
    case = case.assess_safety(D(2027, 1, 13), W)
    assert [("met_late", D(2027, 1, 13)), ("met", D(2027, 1, 13))] == [
        (d.status, d.met_on) for d in clocks(case, "safety_assessment")
    ]


def test_se_an_additional_report_before_the_decision_is_decided_with_the_first() -> None:
    case = report("SE", D(2027, 1, 4)).receive_report("parent", D(2027, 1, 6), W)
    case = decide(case, "close", D(2027, 1, 15))
    assert [("met", D(2027, 1, 18)), ("met", D(2027, 1, 20))] == [
        (d.status, d.due_on) for d in clocks(case, "preliminary")
    ]


def test_se_the_preliminary_assessment_may_be_extended_for_exceptional_reasons() -> None:
    case = report("SE", D(2027, 1, 4)).grant_extension(
        "preliminary", D(2027, 2, 1), "synnerliga skäl", D(2027, 1, 15), W
    )
    clock = only(case, "preliminary", today=D(2027, 1, 25))
    assert (D(2027, 2, 1), D(2027, 1, 18), True, "pending") == (
        clock.due_on,
        clock.original_due_on,
        clock.extended,
        clock.status,
    )


def test_se_the_investigation_runs_from_its_opening_not_from_the_report() -> None:
    case = report("SE", D(2026, 9, 1))
    assert [] == clocks(case, "investigation")
    case = to_full(case, D(2026, 10, 31))
    clock = only(case, "investigation")
    assert (D(2026, 10, 31), D(2027, 2, 28)) == (clock.starts_on, clock.due_on)  # clamped


def test_se_the_investigation_may_be_extended_without_a_maximum() -> None:
    case = to_full(report("SE", D(2027, 1, 4)), D(2027, 1, 4))
    case = case.grant_extension("investigation", D(2028, 1, 4), "special reasons", D(2027, 4, 1), W)
    assert (D(2028, 1, 4), D(2027, 5, 4)) == (
        only(case, "investigation").due_on,
        only(case, "investigation").original_due_on,
    )


@pytest.mark.parametrize("decision", ["support", "placement"])
def test_se_support_delivery_runs_after_a_decision_to_grant_support(decision: str) -> None:
    case = complete(report("SE", D(2026, 10, 1)), decision, D(2026, 11, 30))
    clock = only(case, "support_delivery")
    assert (D(2026, 11, 30), D(2027, 2, 28)) == (clock.starts_on, clock.due_on)
    case = case.start_support(D(2027, 2, 28), W)
    assert "met" == only(case, "support_delivery").status


@pytest.mark.parametrize("decision", ["no_measures", "refer_other_service"])
def test_se_no_support_delivery_clock_after_a_decision_for_no_support(decision: str) -> None:
    case = complete(report("SE", D(2026, 10, 1)), decision, D(2026, 11, 30))
    assert ("closed", []) == (case.stage, clocks(case, "support_delivery"))


def test_se_no_support_delivery_clock_for_light_support_from_the_preliminary_assessment() -> None:
    """The 3-month rule counts from a decision of the board after an investigation."""
    case = decide(report("SE", D(2027, 1, 4)), "light_support", D(2027, 1, 10))
    assert ("support", []) == (case.stage, clocks(case, "support_delivery"))


def test_se_support_delivery_stops_when_the_case_closes_before_support_starts() -> None:
    case = complete(report("SE", D(2027, 1, 4)), "support", D(2027, 2, 1))
    case = case.close("moved", D(2027, 3, 1), W)
    clock = only(case, "support_delivery")
    assert ("stopped", D(2027, 3, 1)) == (clock.status, clock.stopped_on)


def test_se_a_placement_is_reviewed_every_six_months_from_each_review_while_placed() -> None:
    """Placed 31 Aug 2027: first review due 29 Feb 2028 (clamped); reviewed 1 Feb 2028: next
    due 1 Aug 2028; reviewed late on 2 Aug: next due 2 Feb 2029; the placement ends on
    1 Oct 2028: that clock stops."""
    case = report("SE", D(2027, 8, 31)).start_placement("foster", True, D(2027, 8, 31), W)
    case = case.hold_review(D(2028, 2, 1), W).hold_review(D(2028, 8, 2), W)
    case = case.end_placement(D(2028, 10, 1), W)
    assert [
        (D(2027, 8, 31), D(2028, 2, 29), "met", None),
        (D(2028, 2, 1), D(2028, 8, 1), "met_late", None),
        (D(2028, 8, 2), D(2029, 2, 2), "stopped", D(2028, 10, 1)),
    ] == [(d.starts_on, d.due_on, d.status, d.stopped_on) for d in clocks(case, "placement_review")]


def test_se_no_placement_review_without_a_placement() -> None:
    """Support at home (a genomförandeplan) has no 6-monthly review clock, reviews or not."""
    case = complete(report("SE", D(2027, 1, 4)), "placement", D(2027, 2, 1))
    case = case.adopt_plan(PLAN, D(2027, 2, 10), W).start_support(D(2027, 2, 11), W)
    case = case.hold_review(D(2027, 5, 1), W)
    assert [] == clocks(case, "placement_review")


def test_se_a_new_placement_starts_a_new_review_clock() -> None:
    case = placed("SE")(D(2027, 1, 4)).end_placement(D(2027, 2, 1), W)
    case = case.start_placement("residential", True, D(2027, 3, 1), W)
    assert [("stopped", D(2027, 7, 4)), ("pending", D(2027, 9, 1))] == [
        (d.status, d.due_on) for d in clocks(case, "placement_review", today=D(2027, 3, 1))
    ]


def test_se_a_placement_review_stops_when_the_case_closes() -> None:
    case = (
        placed("SE")(D(2027, 1, 4)).hold_review(D(2027, 6, 1), W).close("moved", D(2027, 8, 1), W)
    )
    assert [("met", None), ("stopped", D(2027, 8, 1))] == [
        (d.status, d.stopped_on) for d in clocks(case, "placement_review")
    ]
    assert not case.placed


def test_se_a_care_application_is_due_four_weeks_after_an_immediate_custody() -> None:
    """LVU 8 §: Sat 26 Dec 2026 + 4 weeks = Sat 23 Jan 2027; the court confirmation
    (emergency_confirmed) does not meet it, the application does."""
    case = protected("SE")(D(2026, 12, 26)).confirm_protection(D(2026, 12, 30), W)
    assert (D(2027, 1, 23), None) == (
        only(case, "care_application").due_on,
        only(case, "care_application").met_on,
    )
    assert (D(2027, 1, 2), "met") == (
        only(case, "emergency_confirmation").due_on,
        only(case, "emergency_confirmation").status,
    )
    case = case.apply_to_court("court", D(2027, 1, 20), W)
    assert ("met", D(2027, 1, 20)) == (
        only(case, "care_application").status,
        only(case, "care_application").met_on,
    )


def test_se_the_care_application_may_be_extended_by_the_court() -> None:
    """domain.md section 7, Sweden: "An immediate custody under LVU is followed by a care
    application within 4 weeks (LVU 8 §)". The same section lets the administrative court
    extend that time where further investigation or other special reasons need it, and sets
    no maximum: the rule is extendable, with no limit."""
    case = protected("SE")(D(2026, 12, 26)).confirm_protection(D(2026, 12, 30), W)
    case = case.grant_extension(
        "care_application", D(2027, 3, 6), "further investigation", D(2027, 1, 20), W
    )
    clock = only(case, "care_application", today=D(2027, 2, 1))
    assert (D(2027, 1, 23), D(2027, 3, 6), True, "pending") == (
        clock.original_due_on,
        clock.due_on,
        clock.extended,
        clock.status,
    )


def test_se_a_court_application_before_the_custody_does_not_meet_its_clock() -> None:
    case = report("SE", D(2027, 1, 4)).apply_to_court("court", D(2027, 1, 4), W)
    case = case.protect(D(2027, 1, 5), W)
    clock = only(case, "care_application", today=D(2027, 3, 1))
    assert (None, "overdue") == (clock.met_on, clock.status)


def test_se_each_immediate_custody_has_its_own_clocks() -> None:
    case = protected("SE")(D(2027, 1, 4)).confirm_protection(D(2027, 1, 6), W)
    case = case.apply_to_court("court", D(2027, 1, 20), W).protect(D(2027, 3, 1), W)
    assert [D(2027, 1, 11), D(2027, 3, 8)] == [
        d.due_on for d in clocks(case, "emergency_confirmation")
    ]
    assert [("met", D(2027, 2, 1)), ("pending", D(2027, 3, 29))] == [
        (d.status, d.due_on) for d in clocks(case, "care_application", today=D(2027, 3, 1))
    ]


# --- Denmark -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reporter", "anonymous", "expected"),
    [
        ("professional", False, 1),
        ("professional", True, 0),  # no name, no receipt
        ("parent", False, 0),
        ("relative", False, 0),
        ("anonymous", True, 0),
    ],
)
def test_dk_a_receipt_goes_only_to_a_professional_who_reported_by_name(
    reporter: str, anonymous: bool, expected: int
) -> None:
    case = report("DK", D(2027, 1, 4), reporter, anonymous)
    assert expected == len(clocks(case, "reporter_receipt"))


def test_dk_the_receipt_is_due_in_six_working_days_over_christmas() -> None:
    """Mon 21 Dec 2026: Tue 22 (1), Wed 23 (2), Thu 24 (3: Christmas Eve is a hverdag, no
    helligdag), Fri 25 Christmas Day, Sat 26, Sun 27, Mon 28 (4), Tue 29 (5), Wed 30 (6)."""
    assert D(2026, 12, 30) == only(report("DK", D(2026, 12, 21)), "reporter_receipt").due_on
    assert D(2026, 12, 30) == working_days_due("DK", D(2026, 12, 21), 6)


def test_dk_the_receipt_is_due_in_six_working_days_over_easter() -> None:
    """Wed 24 March 2027: Maundy Thursday, Good Friday and Easter Monday are helligdage:
    Tue 30 (1), Wed 31 (2), Thu 1 April (3), Fri 2 (4), Mon 5 (5), Tue 6 April (6)."""
    assert D(2027, 4, 6) == only(report("DK", D(2027, 3, 24)), "reporter_receipt").due_on


def test_dk_store_bededag_is_a_working_day_since_2024() -> None:
    """The Great Prayer Day (fourth Friday after Easter, 23 April 2027) was abolished as a
    helligdag from 2024: Thu 22 April + 6 working days = Fri 23 (1) ... Fri 30 April (6)."""
    assert D(2027, 4, 30) == only(report("DK", D(2027, 4, 22)), "reporter_receipt").due_on


def test_dk_an_additional_report_by_a_professional_gets_its_own_receipt() -> None:
    case = report("DK", D(2027, 1, 4), "parent").receive_report("professional", D(2027, 1, 7), W)
    assert [D(2027, 1, 7)] == [d.starts_on for d in clocks(case, "reporter_receipt")]
    case = case.inform_reporter(D(2027, 1, 8), W)
    assert "met" == only(case, "reporter_receipt").status


@pytest.mark.parametrize("outcome", ["close", "universal_support", "refer_other_service"])
def test_dk_the_investigation_stops_after_a_preliminary_close(outcome: str) -> None:
    case = decide(report("DK", D(2027, 1, 4)), outcome, D(2027, 1, 8))
    clock = only(case, "investigation")
    assert ("stopped", D(2027, 1, 8)) == (clock.status, clock.stopped_on)


def test_dk_the_investigation_runs_four_months_from_the_report() -> None:
    """Barnets lov § 20 stk. 3: from the report, 31 Oct 2026 + 4 months = 28 Feb 2027, and it
    keeps running through the preliminary assessment into the investigation."""
    case = to_full(report("DK", D(2026, 10, 31)), D(2026, 11, 10))
    clock = only(case, "investigation", today=D(2027, 2, 28))
    assert (D(2026, 10, 31), D(2027, 2, 28), "pending") == (
        clock.starts_on,
        clock.due_on,
        clock.status,
    )


# --- Norway --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reporter", "anonymous", "expected"),
    [
        ("professional", False, 1),
        ("professional", True, 0),
        ("anonymous", True, 0),
        ("parent", False, 0),
    ],
)
def test_no_reporter_feedback_only_to_a_public_reporter_never_to_an_anonymous_one(
    reporter: str, anonymous: bool, expected: int
) -> None:
    case = report("NO", D(2027, 1, 4), reporter, anonymous)
    assert expected == len(clocks(case, "reporter_feedback"))


def test_no_an_anonymous_additional_report_gets_no_feedback_clock() -> None:
    case = report("NO", D(2027, 1, 4)).receive_report("anonymous", D(2027, 1, 6), W)
    assert [D(2027, 1, 4)] == [d.starts_on for d in clocks(case, "reporter_feedback")]


@pytest.mark.parametrize(
    ("reported_on", "starts", "due"),
    [
        # Mon 23 Nov 2026 + 1 week = 30 Nov; + 3 months = "30 Feb", clamped to 28 Feb 2027.
        (D(2026, 11, 23), D(2026, 11, 30), D(2027, 2, 28)),
        # Thu 24 Dec 2026 + 1 week = 31 Dec; + 3 months = 31 March 2027.
        (D(2026, 12, 24), D(2026, 12, 31), D(2027, 3, 31)),
        # Mon 25 Jan 2027 + 1 week = 1 Feb; + 3 months = 1 May.
        (D(2027, 1, 25), D(2027, 2, 1), D(2027, 5, 1)),
    ],
)
def test_no_the_investigation_is_due_a_week_and_three_months_after_the_report(
    reported_on: dt.date, starts: dt.date, due: dt.date
) -> None:
    clock = only(report("NO", reported_on), "investigation")
    assert (starts, due) == (clock.starts_on, clock.due_on)
    assert (starts, due) == (add_weeks(reported_on, 1), add_months(add_weeks(reported_on, 1), 3))


def test_no_the_investigation_may_be_extended_to_six_months_in_all() -> None:
    """From 30 Nov 2026 (report 23 Nov + 1 week): 6 months = 30 May 2027, not 28 May."""
    case = to_full(report("NO", D(2026, 11, 23)), D(2026, 12, 1))
    extended = case.grant_extension(
        "investigation", D(2027, 5, 30), "special case", D(2027, 2, 1), W
    )
    assert D(2027, 5, 30) == only(extended, "investigation").due_on
    with pytest.raises(InvalidEventError) as caught:
        case.grant_extension("investigation", D(2027, 5, 31), "special case", D(2027, 2, 1), W)
    assert (("data.new_due_on", "not_allowed"),) == caught.value.problems


def test_an_extension_taken_as_data_is_checked_as_grant_extension_checks_it() -> None:
    """A command line or service applies ``extension_granted`` by name: the same profile
    checks hold, with the same problems, and a refused step leaves the case as it was."""
    case = to_full(report("NO", D(2026, 11, 23)), D(2026, 12, 1))
    cases = [
        ("investigation", D(2027, 5, 30), ()),
        ("investigation", D(2027, 5, 31), (("data.new_due_on", "not_allowed"),)),
        ("investigashun", D(2027, 5, 1), (("data.rule", "unknown_rule"),)),
        ("plan_evaluation", D(2027, 5, 1), (("data.rule", "not_running"),)),
    ]
    for rule, new_due_on, problems in cases:
        data = {"rule": rule, "new_due_on": new_due_on, "reason": "special case"}
        if not problems:
            applied = case.apply("extension_granted", D(2027, 2, 1), W, **data)
            assert applied == case.grant_extension(
                rule, new_due_on, "special case", D(2027, 2, 1), W
            )
            continue
        with pytest.raises(InvalidEventError) as by_name:
            case.apply("extension_granted", D(2027, 2, 1), W, **data)
        with pytest.raises(InvalidEventError) as by_method:
            case.grant_extension(rule, new_due_on, "special case", D(2027, 2, 1), W)
        assert problems == by_name.value.problems == by_method.value.problems


def test_no_feedback_after_the_investigation_needs_feedback_after_it() -> None:
    """The reporter told within 3 weeks of the report is told again within 3 weeks of the
    investigation's end: the first feedback does not meet the second clock."""
    case = report("NO", D(2027, 1, 4)).inform_reporter(D(2027, 1, 20), W)
    case = complete(case, "support", D(2027, 3, 1))
    assert ("met", None) == (
        only(case, "reporter_feedback").status,
        only(case, "investigation_feedback").met_on,
    )
    assert D(2027, 3, 22) == only(case, "investigation_feedback").due_on
    case = case.inform_reporter(D(2027, 3, 10), W)
    assert ("met", D(2027, 3, 10)) == (
        only(case, "investigation_feedback").status,
        only(case, "investigation_feedback").met_on,
    )


@pytest.mark.parametrize(("reporter", "anonymous"), [("parent", False), ("professional", True)])
def test_no_no_feedback_after_the_investigation_to_a_reporter_who_is_not_public(
    reporter: str, anonymous: bool
) -> None:
    case = complete(report("NO", D(2027, 1, 4), reporter, anonymous), "support", D(2027, 3, 1))
    assert [] == clocks(case, "investigation_feedback")


def test_no_a_public_reporter_of_an_additional_report_is_told_after_the_investigation() -> None:
    """A police report that follows a parent's: the police get the feedback after the
    investigation too."""
    case = report("NO", D(2027, 1, 4), "parent").receive_report("professional", D(2027, 1, 5), W)
    case = complete(case, "support", D(2027, 3, 1))
    assert [D(2027, 3, 22)] == [d.due_on for d in clocks(case, "investigation_feedback")]


def test_no_a_plan_is_evaluated_every_three_months_from_each_evaluation() -> None:
    """Plan 31 May 2027: evaluation due 31 Aug; evaluated 15 Aug: next due 15 Nov; the case
    closes on 1 Oct: that clock stops."""
    case = decide(report("NO", D(2027, 5, 1)), "light_support", D(2027, 5, 20))
    case = case.adopt_plan(PLAN, D(2027, 5, 31), W).start_support(D(2027, 6, 1), W)
    case = case.hold_review(D(2027, 8, 15), W).close("support_ended", D(2027, 10, 1), W)
    assert [
        (D(2027, 5, 31), D(2027, 8, 31), "met"),
        (D(2027, 8, 15), D(2027, 11, 15), "stopped"),
    ] == [(d.starts_on, d.due_on, d.status) for d in clocks(case, "plan_evaluation")]


def test_no_a_revised_plan_gives_one_evaluation_clock_after_each_evaluation() -> None:
    """Two plans (the first revised) are evaluated together: after that evaluation one clock
    runs on, not one per plan."""
    case = plan_adopted("NO")(D(2027, 1, 4)).adopt_plan(PLAN, D(2027, 2, 10), W)
    case = case.start_support(D(2027, 2, 11), W).hold_review(D(2027, 4, 1), W)
    case = case.hold_review(D(2027, 7, 1), W)
    assert [
        (D(2027, 1, 4), "met"),
        (D(2027, 2, 10), "met"),
        (D(2027, 4, 1), "met"),
        (D(2027, 7, 1), "pending"),
    ] == [(d.starts_on, d.status) for d in clocks(case, "plan_evaluation", today=D(2027, 7, 1))]


def test_no_a_plan_evaluation_stops_when_the_support_ends() -> None:
    """The norm runs while the case has support: closing stops it, never overdue."""
    case = plan_adopted("NO")(D(2027, 1, 4)).close("support_ended", D(2027, 1, 5), W)
    clock = only(case, "plan_evaluation")
    assert ("stopped", D(2027, 1, 5)) == (clock.status, clock.stopped_on)
    assert "norm" == clock.kind


# --- Finland -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported_on", "due"),
    [
        # Tue 22 Dec 2026: Wed 23 (1); Thu 24 Christmas Eve, Fri 25, Sat 26, Sun 27: none;
        # Mon 28 (2) ... Thu 31 (5); Fri 1 Jan: none; Mon 4 (6), Tue 5 Jan (7).
        (D(2026, 12, 22), D(2027, 1, 5)),
        # A report on Christmas Day: Mon 28 (1) ... Thu 31 (4); Fri 1 Jan: none; Mon 4 (5),
        # Tue 5 (6); Wed 6 Jan Epiphany: none; Thu 7 Jan (7).
        (D(2026, 12, 25), D(2027, 1, 7)),
        # Mon 21 June 2027: Tue 22 (1), Wed 23 (2), Thu 24 (3); Fri 25 Midsummer Eve, Sat 26
        # Midsummer Day: none; Mon 28 (4), Tue 29 (5), Wed 30 (6), Thu 1 July (7).
        (D(2027, 6, 21), D(2027, 7, 1)),
        # Wed 24 March 2027: Thu 25 (1); Good Friday, Easter Monday: none; Tue 30 (2) ...
        # Tue 6 April (7).
        (D(2027, 3, 24), D(2027, 4, 6)),
    ],
)
def test_fi_the_decision_on_a_report_is_due_in_seven_working_days(
    reported_on: dt.date, due: dt.date
) -> None:
    assert due == only(report("FI", reported_on), "preliminary").due_on
    assert due == working_days_due("FI", reported_on, 7)


@pytest.mark.parametrize("end", ["placement_ended", "court_application", "decision_by_court"])
def test_fi_an_emergency_placement_ends_or_is_followed_by_a_care_order(end: str) -> None:
    """Lastensuojelulaki 38 §: 15 Dec 2026 + 30 days = 14 Jan 2027."""
    case = report("FI", D(2026, 12, 15)).start_placement("foster", True, D(2026, 12, 15), W)
    case = case.protect(D(2026, 12, 15), W)
    assert D(2027, 1, 14) == only(case, "emergency_placement").due_on
    case = meet(case, end, D(2027, 1, 10))
    assert ("met", D(2027, 1, 10)) == (
        only(case, "emergency_placement").status,
        only(case, "emergency_placement").met_on,
    )


def test_fi_an_emergency_placement_may_be_extended_by_thirty_days_once() -> None:
    """1 March 2027 + 30 days = 31 March; + 30 more = 30 April, the latest."""
    case = protected("FI")(D(2027, 3, 1))
    extended = case.grant_extension(
        "emergency_placement", D(2027, 4, 30), "court", D(2027, 3, 25), W
    )
    clock = only(extended, "emergency_placement", today=D(2027, 4, 15))
    assert (D(2027, 4, 30), D(2027, 3, 31), True, "pending") == (
        clock.due_on,
        clock.original_due_on,
        clock.extended,
        clock.status,
    )
    with pytest.raises(InvalidEventError) as caught:
        case.grant_extension("emergency_placement", D(2027, 5, 1), "court", D(2027, 3, 25), W)
    assert (("data.new_due_on", "not_allowed"),) == caught.value.problems


def test_fi_the_emergency_placement_is_no_court_confirmation() -> None:
    """Finland has no one-week confirmation rule: emergency_confirmed meets nothing."""
    case = protected("FI")(D(2027, 3, 1)).confirm_protection(D(2027, 3, 3), W)
    assert (None, []) == (
        only(case, "emergency_placement").met_on,
        clocks(case, "emergency_confirmation"),
    )


@pytest.mark.parametrize("outcome", ["close", "light_support"])
def test_fi_the_service_need_assessment_stops_when_the_report_leads_to_none(outcome: str) -> None:
    case = decide(report("FI", D(2027, 1, 4)), outcome, D(2027, 1, 8))
    clock = only(case, "investigation")
    assert ("stopped", D(2027, 1, 8)) == (clock.status, clock.stopped_on)


# --- England -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported_on", "due"),
    [
        # Thu 24 Dec 2026: Fri 25 Christmas Day, Mon 28 Boxing Day (substitute): Tue 29.
        (D(2026, 12, 24), D(2026, 12, 29)),
        # A referral on Good Friday: Easter Monday is a bank holiday: Tue 30 March.
        (D(2027, 3, 26), D(2027, 3, 30)),
        # Fri 24 Dec 2027: Christmas and Boxing Day fall on the weekend, Mon 27 and Tue 28
        # are their substitutes: Wed 29 Dec.
        (D(2027, 12, 24), D(2027, 12, 29)),
    ],
)
def test_gb_eng_the_decision_on_a_referral_is_due_the_next_working_day(
    reported_on: dt.date, due: dt.date
) -> None:
    assert due == only(report("GB-ENG", reported_on), "preliminary").due_on


@pytest.mark.parametrize("outcome", ["close", "refer_other_service", "light_support"])
def test_gb_eng_the_single_assessment_stops_when_the_referral_leads_to_none(outcome: str) -> None:
    case = decide(report("GB-ENG", D(2027, 1, 4)), outcome, D(2027, 1, 5))
    clock = only(case, "investigation")
    assert ("stopped", D(2027, 1, 5)) == (clock.status, clock.stopped_on)
    assert "norm" == clock.kind


# --- the Netherlands -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported_on", "due"),
    [
        # Fri 23 April 2027: Mon 26 (1); Tue 27 King's Day; Wed 28 (2) ... Mon 3 May (5).
        (D(2027, 4, 23), D(2027, 5, 3)),
        # A report on King's Day: Wed 28 (1), Thu 29 (2), Fri 30 (3), Mon 3 May (4), Tue 4 (5).
        (D(2027, 4, 27), D(2027, 5, 4)),
        # Wed 23 Dec 2026: Thu 24 (1); Fri 25, Sat 26 Christmas; Mon 28 (2) ... Thu 31 (5).
        (D(2026, 12, 23), D(2026, 12, 31)),
    ],
)
def test_nl_the_safety_assessment_is_due_in_five_working_days(
    reported_on: dt.date, due: dt.date
) -> None:
    assert due == only(report("NL", reported_on), "safety_assessment").due_on
    assert due == working_days_due("NL", reported_on, 5)


def test_nl_the_investigation_runs_ten_weeks_from_its_opening_only() -> None:
    case = report("NL", D(2026, 12, 1))
    assert [] == clocks(case, "investigation")
    case = to_full(case, D(2026, 12, 31))
    assert D(2027, 3, 11) == only(case, "investigation").due_on  # + 70 days


@settings(max_examples=60, deadline=None, database=None)
@given(case=assessments(max_steps=12), days=st.integers(min_value=-30, max_value=400))
def test_the_deadlines_as_dicts_are_those_the_deadlines_write(case: Assessment, days: int) -> None:
    """A record's deadlines are compared with deadline_dicts, made without the models: the
    same dicts as Deadline.to_dict(), keys in the same order, for any day or none."""
    from kindbehoeften._lifecycle.assessment import deadline_dicts

    for today in (None, case.events[-1].on + dt.timedelta(days=days)):
        expected = [deadline.to_dict() for deadline in case.deadlines(today)]
        found = deadline_dicts(case, today)
        assert expected == found
        assert [list(item) for item in expected] == [list(item) for item in found]
