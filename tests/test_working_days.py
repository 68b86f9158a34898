"""Working days of each profile, over many dates: every working-day rule against a calendar
worked out without the library (``reference_dates``), England's CIN census convention chosen
by an override file, and the days a profile closes besides the public holidays (Finland's
Christmas Eve and Midsummer Eve, Sweden's eves treated like public holidays)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from textwrap import dedent

import pytest

import kindbehoeften
from kindbehoeften import Assessment, Profile, load_profile
from reference_dates import (
    cin_due,
    is_working,
    midsummer_eve,
    previous_working_day,
    working_days_due,
)

D = dt.date
W = "worker-1"
YEARS = range(2026, 2029)
EVERY_DAY = [
    D(2026, 1, 1) + dt.timedelta(days=n) for n in range((D(2029, 1, 1) - D(2026, 1, 1)).days)
]


def due(
    jurisdiction: str, rule: str, reported_on: dt.date, profile: Profile | None = None
) -> dt.date:
    case = Assessment.report(
        case_id="c", jurisdiction=jurisdiction, on=reported_on, actor=W, reporter="professional"
    )
    (deadline,) = [d for d in case.deadlines(profile=profile) if d.rule == rule]
    return deadline.due_on


def override(tmp_path: Path, jurisdiction: str, text: str) -> Profile:
    path = tmp_path / "override.toml"
    path.write_text(f'[override]\njurisdiction = "{jurisdiction}"\n' + dedent(text), "utf-8")
    return load_profile(jurisdiction, override=path)


WORKING_DAY_RULES = [
    pytest.param(code, rule.id, rule.length.amount, id=f"{code}-{rule.id}")
    for code in kindbehoeften.JURISDICTIONS
    for rule in load_profile(code).rules
    if rule.length.unit == "working_days"
]


def test_the_working_day_rules_are_those_of_the_domain() -> None:
    expected = [
        ("DK", "reporter_receipt", 6),
        ("FI", "preliminary", 7),
        ("GB-ENG", "preliminary", 1),
        ("GB-ENG", "investigation", 45),
        ("NL", "safety_assessment", 5),
    ]
    assert expected == [tuple(param.values) for param in WORKING_DAY_RULES]


@pytest.mark.parametrize("jurisdiction", sorted({param.values[0] for param in WORKING_DAY_RULES}))
def test_a_profile_that_counts_working_days_states_which_days_it_skips(jurisdiction: str) -> None:
    """design.md, "Forms and the lifecycle agree": "Working days: where the law is unclear,
    the profile states its choice with its source". Which days are working days is unclear
    in each country that counts them (domain.md section 7 on Finland and England; Danish
    hverdage; a Dutch sector norm that no act on time limits binds)."""
    assert load_profile(jurisdiction).working_days.basis


@pytest.mark.parametrize(("jurisdiction", "rule", "amount"), WORKING_DAY_RULES)
def test_a_working_day_rule_is_due_by_the_calendar_on_every_day_of_three_years(
    jurisdiction: str, rule: str, amount: int
) -> None:
    """Day 1 is the first working day after the report, whatever day the report came."""
    wrong = [
        (day, due(jurisdiction, rule, day), working_days_due(jurisdiction, day, amount))
        for day in EVERY_DAY
        if due(jurisdiction, rule, day) != working_days_due(jurisdiction, day, amount)
    ]
    assert [] == wrong


# --- England: the CIN census convention ------------------------------------------------------

CIN = """
    name = "England, as the CIN census counts"

    [override.working_days]
    count_from = "start_day"
    """


@pytest.fixture(scope="module")
def cin(tmp_path_factory: pytest.TempPathFactory) -> Profile:
    return override(tmp_path_factory.mktemp("cin"), "GB-ENG", CIN)


def test_the_cin_convention_is_chosen_in_an_override_file(cin: Profile) -> None:
    assert ("start_day", "next_working_day") == (
        cin.working_days.count_from,
        load_profile("GB-ENG").working_days.count_from,
    )
    assert "CIN" in str(load_profile("GB-ENG").working_days.basis)


def test_the_single_assessment_is_one_working_day_earlier_by_the_cin_count_on_every_day(
    cin: Profile,
) -> None:
    """45 working days with the referral as day 1: on every date one working day before the
    default (day 1 the next working day), a referral on a weekend or a bank holiday too, as
    the validator's ``start + CustomBusinessDay(44)`` rolls it back before counting."""
    wrong = []
    for day in EVERY_DAY:
        default = due("GB-ENG", "investigation", day)
        counted = due("GB-ENG", "investigation", day, cin)
        if (counted, counted) != (
            previous_working_day("GB-ENG", default),
            cin_due("GB-ENG", day, 45),
        ):
            wrong.append((day, default, counted))
    assert [] == wrong


def test_the_decision_on_a_referral_by_the_cin_count_is_due_on_a_working_day_referral(
    cin: Profile,
) -> None:
    """One working day, the referral as day 1: due the same day, one working day before the
    default. A referral on a weekend or a bank holiday is due on the next working day by
    either count: no working day before it is on or after the referral."""
    wrong = []
    for day in EVERY_DAY:
        default = due("GB-ENG", "preliminary", day)
        counted = due("GB-ENG", "preliminary", day, cin)
        expected = day if is_working("GB-ENG", day) else default
        if (counted, counted) != (expected, cin_due("GB-ENG", day, 1)):
            wrong.append((day, default, counted))
    assert [] == wrong


@pytest.mark.parametrize(
    ("referred", "default", "counted"),
    [
        # Mon 7 Dec 2026: 45 working days from Tue 8 Dec end on Thu 11 Feb 2027 (see
        # test_deadlines); the referral as day 1 ends a working day earlier, Wed 10 Feb.
        (D(2026, 12, 7), D(2027, 2, 11), D(2027, 2, 10)),
        # Good Friday 26 March 2027, a bank holiday: by default day 1 is Tue 30 March and
        # day 45 Wed 2 June (3 May and 31 May are bank holidays); the CIN count rolls the
        # referral back to Thu 25 March and ends on Tue 1 June.
        (D(2027, 3, 26), D(2027, 6, 2), D(2027, 6, 1)),
    ],
)
def test_the_cin_count_on_hand_checked_dates(
    cin: Profile, referred: dt.date, default: dt.date, counted: dt.date
) -> None:
    assert (default, counted) == (
        due("GB-ENG", "investigation", referred),
        due("GB-ENG", "investigation", referred, cin),
    )


@pytest.mark.parametrize(
    ("jurisdiction", "rule", "reported", "expected"),
    [
        # Denmark, 6 hverdage (domain.md section 7). Maundy Thursday 2 April 2026: Good Friday
        # and Easter Monday are helligdage: 7, 8, 9, 10, 13, 14 April.
        ("DK", "reporter_receipt", D(2026, 4, 2), D(2026, 4, 14)),
        # Wed 23 Dec 2026: 24 (Christmas Eve is no helligdag), 28, 29, 30, 31 Dec, 4 Jan.
        ("DK", "reporter_receipt", D(2026, 12, 23), D(2027, 1, 4)),
        # Store Bededag, Fri 5 May 2023, was a helligdag: 2, 3, 4, 8, 9, 10 May.
        ("DK", "reporter_receipt", D(2023, 5, 1), D(2023, 5, 10)),
        # Sat 1 May 2027, Ascension Thu 6 May: 3, 4, 5, 7, 10, 11 May.
        ("DK", "reporter_receipt", D(2027, 5, 1), D(2027, 5, 11)),
        # Finland, 7 working days from the next working day (domain.md sections 2 and 7).
        # Wed 23 June 2027, Midsummer Eve Fri 25 June closed: 24, 28, 29, 30 June, 1, 2, 5 July.
        ("FI", "preliminary", D(2027, 6, 23), D(2027, 7, 5)),
        # Wed 24 March 2027, Good Friday 26 and Easter Monday 29 March: 25, 30, 31 March,
        # 1, 2, 5, 6 April (Maundy Thursday is a working day in Finland).
        ("FI", "preliminary", D(2027, 3, 24), D(2027, 4, 6)),
        # Thu 2 Dec 2027, Independence Day Mon 6 Dec: 3, 7, 8, 9, 10, 13, 14 Dec.
        ("FI", "preliminary", D(2027, 12, 2), D(2027, 12, 14)),
        # Fri 23 Dec 2022, Boxing Day (Tapaninpäivä) Mon 26: 27-30 Dec, 2, 3, 4 Jan.
        ("FI", "preliminary", D(2022, 12, 23), D(2023, 1, 4)),
        # England, 1 working day: Fri 24 Dec 2027; Christmas and Boxing Day fall on the
        # weekend, their substitute days are Mon 27 and Tue 28: due Wed 29 Dec.
        ("GB-ENG", "preliminary", D(2027, 12, 24), D(2027, 12, 29)),
        # Sat 28 Aug 2027, late summer bank holiday Mon 30 Aug: due Tue 31 Aug.
        ("GB-ENG", "preliminary", D(2027, 8, 28), D(2027, 8, 31)),
        # The Netherlands, 5 working days: Fri 23 April 2027, King's Day Tue 27 April:
        # 26, 28, 29, 30 April, 3 May.
        ("NL", "safety_assessment", D(2027, 4, 23), D(2027, 5, 3)),
        # Wed 22 Dec 2027: Christmas on the weekend, no substitute days: 23, 24, 27, 28, 29.
        ("NL", "safety_assessment", D(2027, 12, 22), D(2027, 12, 29)),
    ],
)
def test_working_days_on_hand_counted_dates(
    jurisdiction: str, rule: str, reported: dt.date, expected: dt.date
) -> None:
    """Counted by hand from the calendar, not from the holidays package: a release of the
    package that drops or moves one of these days fails here."""
    assert expected == due(jurisdiction, rule, reported)


# --- days closed besides the public holidays -------------------------------------------------


def test_finland_closes_christmas_eve_and_midsummer_eve_and_says_why() -> None:
    settings = load_profile("FI").working_days
    assert ("christmas_eve", "midsummer_eve") == settings.closed
    assert "150/1930" in str(settings.basis)


@pytest.mark.parametrize("year", range(2000, 2100, 7))
def test_finland_counts_no_working_day_on_christmas_eve_or_midsummer_eve(year: int) -> None:
    """Seven working days from the Monday before each eve skip it: the due date is the same
    as the reference's, which leaves out the eves by their dates, not by the package."""
    for eve in (D(year, 12, 24), midsummer_eve(year)):
        monday = eve - dt.timedelta(days=eve.weekday())
        assert working_days_due("FI", monday, 7) == due("FI", "preliminary", monday), eve
        if eve.weekday() < 5:
            assert not is_working("FI", eve)


@pytest.mark.parametrize("year", YEARS)
def test_a_closed_christmas_eve_moves_a_due_date_in_a_profile_that_closes_it(
    tmp_path: Path, year: int
) -> None:
    """England has no such day: an override that closes Christmas Eve moves a referral of
    23 December past it, and past Christmas, to the next working day."""
    profile = override(
        tmp_path, "GB-ENG", '\n[override.working_days]\nclosed = ["christmas_eve"]\n'
    )
    referred = D(year, 12, 23)
    open_eve = due("GB-ENG", "preliminary", referred)
    closed_eve = due("GB-ENG", "preliminary", referred, profile)
    if D(year, 12, 24).weekday() < 5:
        assert D(year, 12, 24) == open_eve
        assert closed_eve > open_eve
    assert is_working("GB-ENG", closed_eve)
    assert D(year, 12, 24) != closed_eve


@pytest.mark.parametrize("year", range(2000, 2100, 3))
def test_a_closed_midsummer_eve_is_the_friday_from_19_to_25_june(tmp_path: Path, year: int) -> None:
    """A referral on the Thursday before Midsummer Eve, in a profile that closes it, is due
    on the Monday after (England has no Midsummer holiday to get in the way)."""
    profile = override(
        tmp_path, "GB-ENG", '\n[override.working_days]\nclosed = ["midsummer_eve"]\n'
    )
    eve = midsummer_eve(year)
    assert (4, True) == (eve.weekday(), 19 <= eve.day <= 25)
    thursday = eve - dt.timedelta(days=1)
    assert eve == due("GB-ENG", "preliminary", thursday)
    assert eve + dt.timedelta(days=3) == due("GB-ENG", "preliminary", thursday, profile)


HOME_VISIT = """
    [[rules]]
    id = "home_visit"
    label = "Home visit made"
    starts = "report_received"
    ends = "safety_assessed"
    length = { amount = 1, unit = "working_days" }
    kind = "norm"
    basis = "Municipal guideline"
    """


@pytest.mark.parametrize("year", YEARS)
def test_sweden_counts_no_working_day_on_midsummer_eve(tmp_path: Path, year: int) -> None:
    """Sweden's statutory clocks count calendar days; a municipality's working-day rule skips
    Midsummer Eve (treated like a public holiday) and Midsummer Day: a report on the Thursday
    before is due on the Monday after."""
    profile = override(tmp_path, "SE", HOME_VISIT)
    thursday = midsummer_eve(year) - dt.timedelta(days=1)
    assert midsummer_eve(year) + dt.timedelta(days=3) == due("SE", "home_visit", thursday, profile)
    assert midsummer_eve(year) == due("SE", "safety_assessment", thursday)  # calendar days


def test_sweden_counts_no_working_day_on_christmas_eve_or_new_years_eve(tmp_path: Path) -> None:
    """Wed 23 Dec 2026: Thu 24 Christmas Eve, Fri 25, Sat 26: none; Mon 28 Dec. Wed 30 Dec:
    Thu 31 New Year's Eve, Fri 1 Jan: none; Mon 4 Jan 2027."""
    profile = override(tmp_path, "SE", HOME_VISIT)
    assert D(2026, 12, 28) == due("SE", "home_visit", D(2026, 12, 23), profile)
    assert D(2027, 1, 4) == due("SE", "home_visit", D(2026, 12, 30), profile)
