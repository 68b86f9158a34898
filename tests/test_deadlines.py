"""Jurisdiction profiles and the deadline engine.

Expected due dates are worked out by hand from a calendar; the reasoning is in the comments.
Calendars used (Monday first):

    December 2026            January 2027             March 2027               April 2027
    Mo Tu We Th Fr Sa Su     Mo Tu We Th Fr Sa Su     Mo Tu We Th Fr Sa Su     Mo Tu We Th Fr Sa Su
        1  2  3  4  5  6                 1  2  3      1  2  3  4  5  6  7                1  2  3  4
     7  8  9 10 11 12 13      4  5  6  7  8  9 10      8  9 10 11 12 13 14      5  6  7  8  9 10 11
    14 15 16 17 18 19 20     11 12 13 14 15 16 17     15 16 17 18 19 20 21     12 13 14 15 16 17 18
    21 22 23 24 25 26 27     18 19 20 21 22 23 24     22 23 24 25 26 27 28     19 20 21 22 23 24 25
    28 29 30 31              25 26 27 28 29 30 31     29 30 31                 26 27 28 29 30

Easter Sunday 2027 is 28 March: Maundy Thursday 25, Good Friday 26, Easter Monday 29 March.
Midsummer Eve 2027 is Friday 25 June. King's Day 2027 is Tuesday 27 April.
"""

from __future__ import annotations

import calendar
import datetime as dt
import importlib.resources
import re
import tomllib
from functools import cache
from pathlib import Path
from textwrap import dedent
from typing import Any

import holidays
import jsonschema
import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kindbehoeften._core.vocab import OPEN_STAGES
from kindbehoeften._lifecycle import deadlines as _deadlines
from kindbehoeften._lifecycle.deadlines import (
    EVENT_KINDS,
    JURISDICTIONS,
    Deadline,
    Length,
    Profile,
    Rule,
    UnknownJurisdictionError,
    add_length,
    compute_deadlines,
    is_working_day,
    jurisdiction_schema,
    load_profile,
)
from kindbehoeften.errors import (
    FormDefinitionError,
    FormProblem,
    InvalidArgumentError,
    KindbehoeftenError,
)

# database=None: no example database is written into the working tree.
PROPERTY = settings(max_examples=60, deadline=None, database=None)

D = dt.date
PROFILES = importlib.resources.files("kindbehoeften") / "jurisdictions"
PROFILE_FILES = sorted(
    (Path(str(entry)) for entry in PROFILES.iterdir() if entry.name.endswith(".toml")),
    key=lambda path: path.name,
)
DOCS = Path(__file__).parent.parent / "docs" / "deadlines.md"


def due(jurisdiction: str, rule_id: str, start: dt.date) -> dt.date:
    """The due date of one rule when its start event happened on ``start``."""
    profile = load_profile(jurisdiction)
    event = profile.rule(rule_id).starts
    (deadline,) = [
        item for item in compute_deadlines(profile, starts={event: start}) if item.rule == rule_id
    ]
    return deadline.due_on


# --- the shipped profiles -----------------------------------------------------------------


def test_every_jurisdiction_has_exactly_one_shipped_profile_file() -> None:
    expected = sorted(JURISDICTIONS)
    assert expected == sorted(path.stem for path in PROFILE_FILES)


def test_the_published_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(jurisdiction_schema())


@pytest.mark.parametrize("path", [pytest.param(path, id=path.name) for path in PROFILE_FILES])
def test_a_shipped_profile_satisfies_the_published_schema(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(jurisdiction_schema())
    expected: list[str] = []
    assert expected == [error.message for error in validator.iter_errors(data)]


@pytest.mark.parametrize("path", [pytest.param(path, id=path.name) for path in PROFILE_FILES])
def test_a_shipped_profile_loads_with_the_rules_of_its_file(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    profile = load_profile(path.stem)
    assert path.stem == profile.jurisdiction
    assert [rule["id"] for rule in data["rules"]] == [rule.id for rule in profile.rules]
    assert data["profile"]["holidays"]["country"] == profile.holidays_country


# Each shipped rule as ("starts -> ends", "length, kind[, extendable[ by at most ...]]",
# "where it applies"), after the table in section 2 of domain.md with the corrections of its
# section 7: the stages it runs in (all open ones unless said), its scopes, whether it recurs,
# and an offset of its start.
OPEN = "open stages"
UNTIL_FULL = "reported, preliminary, full_assessment"
DOMAIN_TABLE = {
    ("SE", "safety_assessment"): ("report_received -> safety_assessed", "1 day, statute", OPEN),
    ("SE", "preliminary"): (
        "report_received -> preliminary_decision",
        "14 days, statute, extendable",
        "reported, preliminary",
    ),
    ("SE", "investigation"): (
        "full_assessment_opened -> full_assessment_completed",
        "4 months, statute, extendable",
        "full_assessment",
    ),
    ("SE", "support_delivery"): (
        "full_assessment_completed -> support_started",
        "3 months, statute",
        f"{OPEN}; support_decided",
    ),
    ("SE", "placement_review"): (
        "placement_started -> review_held",
        "6 months, statute",
        f"{OPEN}; placed; recurs",
    ),
    ("SE", "emergency_confirmation"): (
        "emergency_protection -> emergency_confirmed",
        "1 week, statute",
        OPEN,
    ),
    ("SE", "care_application"): (  # the court may extend it (LVU 8 §), no maximum
        "emergency_protection -> court_application",
        "4 weeks, statute, extendable",
        OPEN,
    ),
    ("DK", "safety_assessment"): ("report_received -> safety_assessed", "1 day, statute", OPEN),
    ("DK", "preliminary"): (
        "report_received -> preliminary_decision",
        "1 week, norm",
        "reported, preliminary",
    ),
    ("DK", "reporter_receipt"): (
        "report_received -> reporter_informed",
        "6 working days, statute",
        f"{OPEN}; professional_reporter",
    ),
    ("DK", "investigation"): (
        "report_received -> full_assessment_completed",
        "4 months, statute",
        UNTIL_FULL,
    ),
    ("NO", "preliminary"): (
        "report_received -> preliminary_decision",
        "1 week, statute",
        "reported, preliminary",
    ),
    ("NO", "reporter_feedback"): (
        "report_received -> reporter_informed",
        "3 weeks, statute",
        f"{OPEN}; professional_reporter",
    ),
    ("NO", "investigation"): (
        "report_received -> full_assessment_completed",
        "3 months, statute, extendable by at most 3 months",
        f"{UNTIL_FULL}; from 1 week after",
    ),
    ("NO", "investigation_feedback"): (
        "full_assessment_completed -> reporter_informed",
        "3 weeks, statute",
        f"{OPEN}; professional_reporter",
    ),
    ("NO", "plan_evaluation"): (
        "plan_adopted -> review_held",
        "3 months, norm",
        "support; recurs",
    ),
    ("FI", "safety_assessment"): ("report_received -> safety_assessed", "1 day, statute", OPEN),
    ("FI", "preliminary"): (
        "report_received -> preliminary_decision",
        "7 working days, statute",
        "reported, preliminary",
    ),
    ("FI", "investigation"): (
        "report_received -> full_assessment_completed",
        "3 months, statute",
        UNTIL_FULL,
    ),
    ("FI", "emergency_placement"): (
        "emergency_protection -> placement_ended | court_application | decision_by_court",
        "30 days, statute, extendable by at most 30 days",
        OPEN,
    ),
    ("GB-ENG", "preliminary"): (
        "report_received -> preliminary_decision",
        "1 working day, norm",
        "reported, preliminary",
    ),
    ("GB-ENG", "investigation"): (
        "report_received -> full_assessment_completed",
        "45 working days, norm",
        UNTIL_FULL,
    ),
    ("NL", "safety_assessment"): (
        "report_received -> safety_assessed",
        "5 working days, norm",
        OPEN,
    ),
    ("NL", "investigation"): (
        "full_assessment_opened -> full_assessment_completed",
        "10 weeks, norm",
        "full_assessment",
    ),
}


def describe(rule: Rule) -> tuple[str, str, str]:
    text = f"{rule.length}, {rule.kind}"
    if rule.extendable:
        text += ", extendable"
    if rule.max_extension is not None:
        text += f" by at most {rule.max_extension}"
    where = [OPEN if rule.during == OPEN_STAGES else ", ".join(rule.during)]
    where += list(rule.applies)
    if rule.recurs:
        where.append("recurs")
    if rule.offset is not None:
        where.append(f"from {rule.offset} after")
    return f"{rule.starts} -> {' | '.join(rule.ends)}", text, "; ".join(where)


def test_the_domain_table_covers_every_shipped_rule() -> None:
    expected = sorted(DOMAIN_TABLE)
    shipped = [(code, rule.id) for code in JURISDICTIONS for rule in load_profile(code).rules]
    assert expected == sorted(shipped)


@pytest.mark.parametrize(
    ("jurisdiction", "rule_id", "expected"),
    [pytest.param(*key, value, id="-".join(key)) for key, value in DOMAIN_TABLE.items()],
)
def test_a_shipped_rule_follows_the_domain_table(
    jurisdiction: str, rule_id: str, expected: tuple[str, str, str]
) -> None:
    rule = load_profile(jurisdiction).rule(rule_id)
    assert expected == describe(rule)
    assert rule.basis.strip()


def test_the_danish_investigation_notes_the_seed_reports_120_days() -> None:
    note = load_profile("DK").rule("investigation").note
    assert note is not None
    assert "120 days" in note


def test_england_counts_working_days_with_english_bank_holidays() -> None:
    profile = load_profile("GB-ENG")
    assert ("GB", "ENG") == (profile.holidays_country, profile.holidays_subdivision)


PROFILE_HEAD = dedent("""\
    [profile]
    jurisdiction = "SE"
    name = "Sweden"
    holidays = { country = "SE" }
    """)

PROFILE_RULE = dedent("""
    [[rules]]
    id = "preliminary"
    label = "Preliminary assessment decided"
    starts = "report_received"
    ends = "preliminary_decision"
    length = { amount = 14, unit = "days" }
    kind = "statute"
    basis = "SoL"
    """)


def test_a_whole_profile_file_reads_like_a_shipped_one() -> None:
    profile = _deadlines._read_profile((PROFILE_HEAD + PROFILE_RULE).encode(), "SE.toml", "SE")
    assert ("SE", ("preliminary",)) == (profile.jurisdiction, tuple(r.id for r in profile.rules))


# (id, profile text, key path, part of the message); the line is the one marked "# <-".
BROKEN_PROFILES = [
    (
        "duplicate_id",
        PROFILE_HEAD
        + PROFILE_RULE
        + PROFILE_RULE.replace('id = "preliminary"', 'id = "preliminary"  # <-'),
        "rules[1].id",
        "rule id 'preliminary' is used twice",
    ),
    (
        "unknown_holiday_country",
        PROFILE_HEAD.replace('{ country = "SE" }', '{ country = "QQ" }  # <-') + PROFILE_RULE,
        "profile.holidays.country",
        "'QQ' has no public-holiday calendar",
    ),
    (
        "unknown_subdivision",
        PROFILE_HEAD.replace('{ country = "SE" }', '{ country = "GB", subdivision = "XYZ" }  # <-')
        + PROFILE_RULE,
        "profile.holidays.subdivision",
        "'XYZ' is not a subdivision of GB; known: ",
    ),
    (
        "jurisdiction_not_the_file_name",
        PROFILE_HEAD.replace('jurisdiction = "SE"', 'jurisdiction = "DK"  # <-') + PROFILE_RULE,
        "profile.jurisdiction",
        "must be 'SE', the file's name",
    ),
    (
        "an_override",
        '[override]  # <-\njurisdiction = "SE"\n',
        "override",
        "is not allowed in a shipped profile",
    ),
    (
        "rule_without_basis",
        PROFILE_HEAD
        + PROFILE_RULE.replace("[[rules]]", "[[rules]]  # <-").replace('basis = "SoL"\n', ""),
        "rules[0]",
        "'basis' is missing",
    ),
    (
        "starts_is_the_end",
        PROFILE_HEAD
        + PROFILE_RULE.replace('ends = "preliminary_decision"', 'ends = "report_received"  # <-'),
        "rules[0].ends",
        "is the event that starts the rule",
    ),
    (
        "no_rules",
        PROFILE_HEAD,
        "",
        "'rules' is missing",
    ),
]


@pytest.mark.parametrize(
    ("text", "path", "message"), [pytest.param(*row[1:], id=row[0]) for row in BROKEN_PROFILES]
)
def test_a_broken_profile_file_is_refused_with_one_precise_problem(
    text: str, path: str, message: str
) -> None:
    with pytest.raises(FormDefinitionError) as caught:
        _deadlines._read_profile(text.encode(), "SE.toml", "SE")
    (problem,) = caught.value.problems
    assert ("SE.toml", path, marked_line(text)) == (problem.file, problem.path, problem.line)
    assert message in problem.message


# --- finding a profile --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [("SE", "SE"), ("se", "SE"), ("gb-eng", "GB-ENG"), ("Gb-Eng", "GB-ENG"), (" nl ", "NL")],
)
def test_a_jurisdiction_code_is_matched_in_any_case(given: str, expected: str) -> None:
    assert expected == load_profile(given).jurisdiction


@pytest.mark.parametrize("code", ["XX", "GB", "ENG", "", "SE-UPP"])
def test_an_unknown_jurisdiction_raises_naming_the_known_ones(code: str) -> None:
    with pytest.raises(UnknownJurisdictionError) as caught:
        load_profile(code)
    expected = (
        f"unknown jurisdiction {code!r}; known: SE, DK, NO, FI, GB-ENG, NL. "
        "Give one of these codes (case does not matter)."
    )
    assert expected == str(caught.value)
    assert JURISDICTIONS == caught.value.known


def test_an_unknown_jurisdiction_is_a_lookup_error_of_the_library() -> None:
    assert issubclass(UnknownJurisdictionError, LookupError)
    assert issubclass(UnknownJurisdictionError, KindbehoeftenError)


def test_a_missing_rule_id_raises_key_error_naming_the_known_ids() -> None:
    with pytest.raises(KeyError, match="known: preliminary, investigation"):
        load_profile("GB-ENG").rule("single_assessment")


# --- due dates per jurisdiction, with real holidays ---------------------------------------

# (jurisdiction, rule, start date, expected due date); the reasoning follows each row.
DUE_DATES = [
    # Sweden: calendar days, weeks and months only; holidays never move a due date.
    ("SE", "safety_assessment", D(2027, 6, 24), D(2027, 6, 25)),
    # Thu 24 June + 1 day = Fri 25 June, Midsummer Eve: the law counts calendar days.
    ("SE", "preliminary", D(2027, 6, 18), D(2027, 7, 2)),
    # Fri 18 June + 14 days, over Midsummer Eve (25) and Midsummer Day (26) = Fri 2 July.
    ("SE", "preliminary", D(2026, 12, 21), D(2027, 1, 4)),
    # Mon 21 Dec + 14 days: 10 days to 31 Dec, 4 more = Mon 4 Jan, over Christmas and New Year.
    ("SE", "preliminary", D(2027, 3, 26), D(2027, 4, 9)),
    # Good Friday 26 March + 14 days = Fri 9 April; Easter changes nothing.
    ("SE", "investigation", D(2026, 10, 31), D(2027, 2, 28)),
    # 31 Oct + 4 months = "31 Feb" 2027, clamped to the last day: 28 Feb (2027 is no leap year).
    ("SE", "investigation", D(2027, 10, 31), D(2028, 2, 29)),
    # 31 Oct 2027 + 4 months = "31 Feb" 2028, clamped: 29 Feb (2028 is a leap year).
    ("SE", "support_delivery", D(2026, 11, 30), D(2027, 2, 28)),
    # 30 Nov + 3 months = "30 Feb", clamped to 28 Feb 2027.
    ("SE", "placement_review", D(2027, 8, 31), D(2028, 2, 29)),
    # 31 Aug 2027 + 6 months = "31 Feb" 2028, clamped to 29 Feb.
    ("SE", "emergency_confirmation", D(2026, 12, 26), D(2027, 1, 2)),
    # Sat 26 Dec + 1 week = Sat 2 Jan: a weekend due date stays where it falls.
    # Denmark
    ("DK", "safety_assessment", D(2026, 12, 24), D(2026, 12, 25)),
    # 24 hours from Christmas Eve: Christmas Day, not moved.
    ("DK", "preliminary", D(2027, 3, 25), D(2027, 4, 1)),
    # Maundy Thursday 25 March + 1 week = Thu 1 April, over Easter.
    ("DK", "investigation", D(2026, 10, 31), D(2027, 2, 28)),
    # 31 Oct + 4 months, clamped: 28 Feb 2027.
    # Norway
    ("NO", "preliminary", D(2026, 12, 30), D(2027, 1, 6)),
    # Wed 30 Dec + 1 week = Wed 6 Jan, over New Year's Day.
    ("NO", "reporter_feedback", D(2027, 3, 22), D(2027, 4, 12)),
    # Mon 22 March + 3 weeks = Mon 12 April, over Easter.
    ("NO", "investigation", D(2026, 11, 23), D(2027, 2, 28)),
    # Mon 23 Nov + the week of review = Mon 30 Nov, where the 3 months start; + 3 months =
    # "30 Feb", clamped to 28 Feb 2027.
    ("NO", "investigation", D(2026, 12, 24), D(2027, 3, 31)),
    # Christmas Eve + 1 week = 31 Dec; + 3 months = 31 March 2027 (the week crosses the year).
    ("NO", "plan_evaluation", D(2027, 5, 31), D(2027, 8, 31)),
    # 31 May + 3 months = 31 Aug (August has 31 days).
    # Finland: 7 working days, counted from the next working day after the report.
    ("FI", "preliminary", D(2026, 12, 22), D(2027, 1, 5)),
    # Tue 22 Dec: Wed 23 (1); Thu 24 Christmas Eve, Fri 25 Christmas Day, Sat, Sun: none;
    # Mon 28 (2), Tue 29 (3), Wed 30 (4), Thu 31 (5); Fri 1 Jan New Year's Day, Sat, Sun: none;
    # Mon 4 Jan (6), Tue 5 Jan (7).
    ("FI", "preliminary", D(2026, 12, 30), D(2027, 1, 12)),
    # Wed 30 Dec: Thu 31 (1); Fri 1 Jan holiday; Mon 4 (2), Tue 5 (3); Wed 6 Jan Epiphany;
    # Thu 7 (4), Fri 8 (5), Mon 11 (6), Tue 12 (7).
    ("FI", "preliminary", D(2027, 3, 24), D(2027, 4, 6)),
    # Wed 24 March: Thu 25 (1); Good Friday 26, Sat, Sun, Easter Monday 29: none;
    # Tue 30 (2), Wed 31 (3), Thu 1 April (4), Fri 2 (5), Mon 5 (6), Tue 6 (7).
    ("FI", "preliminary", D(2027, 6, 21), D(2027, 7, 1)),
    # Mon 21 June: Tue 22 (1), Wed 23 (2), Thu 24 (3); Fri 25 Midsummer Eve, Sat 26 Midsummer
    # Day, Sun: none; Mon 28 (4), Tue 29 (5), Wed 30 (6), Thu 1 July (7).
    ("FI", "preliminary", D(2027, 2, 5), D(2027, 2, 16)),
    # Fri 5 Feb: Mon 8 (1) ... Fri 12 (5), Mon 15 (6), Tue 16 (7).
    ("FI", "preliminary", D(2027, 2, 6), D(2027, 2, 16)),
    # A report on Saturday 6 Feb counts from the same Monday: due Tue 16 Feb too.
    ("FI", "investigation", D(2026, 11, 30), D(2027, 2, 28)),
    # 30 Nov + 3 months, clamped: 28 Feb 2027.
    ("FI", "emergency_placement", D(2026, 12, 15), D(2027, 1, 14)),
    # 15 Dec + 30 days: 16 days to 31 Dec, 14 more = 14 Jan.
    # England: working days less English bank holidays.
    ("GB-ENG", "preliminary", D(2026, 12, 24), D(2026, 12, 29)),
    # Thu 24 Dec: Fri 25 Christmas Day; Sat 26 Boxing Day falls on a Saturday, so Mon 28 is
    # the substitute bank holiday; the next working day is Tue 29 Dec.
    ("GB-ENG", "preliminary", D(2027, 3, 26), D(2027, 3, 30)),
    # A referral on Good Friday: Sat, Sun, Easter Monday 29 are not working days: Tue 30.
    ("GB-ENG", "investigation", D(2026, 12, 7), D(2027, 2, 11)),
    # Mon 7 Dec: 8-11 Dec (4), 14-18 (9), 21-24 (13); Fri 25 and Mon 28 bank holidays;
    # 29-31 Dec (16); Fri 1 Jan bank holiday; 4-8 Jan (21), 11-15 (26), 18-22 (31),
    # 25-29 (36), 1-5 Feb (41), Mon 8 (42), Tue 9 (43), Wed 10 (44), Thu 11 Feb (45).
    ("GB-ENG", "investigation", D(2027, 3, 1), D(2027, 5, 6)),
    # Mon 1 March: 2-5 (4), 8-12 (9), 15-19 (14), 22-25 (18); Good Friday 26 and Easter
    # Monday 29; 30-31 March (20), 1-2 April (22), 5-9 (27), 12-16 (32), 19-23 (37),
    # 26-30 (42); Mon 3 May is the early May bank holiday; Tue 4 (43), Wed 5 (44), Thu 6 (45).
    # The Netherlands
    ("NL", "safety_assessment", D(2027, 4, 23), D(2027, 5, 3)),
    # Fri 23 April: Mon 26 (1); Tue 27 King's Day; Wed 28 (2), Thu 29 (3), Fri 30 (4),
    # Mon 3 May (5).
    ("NL", "safety_assessment", D(2026, 12, 23), D(2026, 12, 31)),
    # Wed 23 Dec: Thu 24 (1; Christmas Eve is a working day); Fri 25 and Sat 26 Christmas;
    # Mon 28 (2), Tue 29 (3), Wed 30 (4), Thu 31 (5).
    ("NL", "safety_assessment", D(2027, 3, 25), D(2027, 4, 5)),
    # Thu 25 March: Good Friday 26 and Easter Monday 29 are holidays in the calendar;
    # Tue 30 (1), Wed 31 (2), Thu 1 April (3), Fri 2 (4), Mon 5 (5).
    ("NL", "investigation", D(2026, 12, 31), D(2027, 3, 11)),
    # 31 Dec + 10 weeks = + 70 days: 31 Jan is +31, 28 Feb is +59, +70 is 11 March.
]


@pytest.mark.parametrize(
    ("jurisdiction", "rule_id", "start", "expected"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}-{row[2]}") for row in DUE_DATES],
)
def test_due_date_with_real_holidays(
    jurisdiction: str, rule_id: str, start: dt.date, expected: dt.date
) -> None:
    assert expected == due(jurisdiction, rule_id, start)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2027, 1, 31), 1, D(2027, 2, 28)),  # no 31 Feb, no 29 Feb in 2027
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # a leap year
        (D(2028, 2, 29), 12, D(2029, 2, 28)),  # a leap day, a year later
        (D(2027, 3, 31), 1, D(2027, 4, 30)),  # April has 30 days
        (D(2026, 12, 31), 2, D(2027, 2, 28)),  # across the year end
        (D(2026, 11, 15), 3, D(2027, 2, 15)),  # no clamping needed
        (D(2026, 1, 30), 1, D(2026, 2, 28)),
        (D(2027, 2, 28), 1, D(2027, 3, 28)),  # the day is kept, not moved to the month's end
        (D(2026, 10, 31), 24, D(2028, 10, 31)),
    ],
)
def test_months_are_calendar_months_clamped_to_the_end_of_a_shorter_month(
    start: dt.date, months: int, expected: dt.date
) -> None:
    assert expected == add_length(start, Length(amount=months, unit="months"))


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        (D(2027, 6, 24), 2, D(2027, 6, 29)),
        # Thu 24 June: Fri 25 Midsummer Eve is treated as a public holiday in Sweden; Mon 28
        # (1), Tue 29 (2).
        (D(2026, 12, 23), 1, D(2026, 12, 28)),
        # Wed 23 Dec: Thu 24 Christmas Eve, Fri 25 Christmas Day, Sat 26, Sun 27: Mon 28.
        (D(2026, 12, 30), 2, D(2027, 1, 5)),
        # Wed 30 Dec: Thu 31 New Year's Eve, Fri 1 Jan, Sat, Sun: none; Mon 4 (1), Tue 5 (2).
        (D(2027, 1, 5), 1, D(2027, 1, 7)),
        # Tue 5 Jan: Wed 6 Epiphany; Thu 7 (1).
    ],
)
def test_swedish_working_days_skip_the_eves_that_the_law_treats_as_holidays(
    start: dt.date, amount: int, expected: dt.date
) -> None:
    actual = add_length(start, Length(amount=amount, unit="working_days"), holidays_country="SE")
    assert expected == actual


@pytest.fixture
def fresh_holiday_cache() -> Any:
    _deadlines._holidays_in.cache_clear()
    _deadlines._categories.cache_clear()
    yield
    _deadlines._holidays_in.cache_clear()
    _deadlines._categories.cache_clear()


def test_a_calendar_that_lists_every_sunday_as_a_holiday_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, fresh_holiday_cache: None
) -> None:
    """Older versions of ``holidays`` list each Swedish Sunday ("Söndag") as a holiday."""
    original = holidays.country_holidays

    def with_sundays(country: str, *args: Any, **kwargs: Any) -> holidays.HolidayBase:
        return original(country, *args, include_sundays=True, **kwargs)

    monkeypatch.setattr(holidays, "country_holidays", with_sundays)
    assert D(2027, 1, 3) in holidays.country_holidays("SE", years=2027)  # a Sunday
    twelve = Length(amount=12, unit="working_days")
    # Mon 4 Jan 2027 + 12 working days: 5 Jan (1); Wed 6 Epiphany; 7-8 (3), 11-15 (8),
    # 18-21 (12): Thu 21 Jan.
    assert D(2027, 1, 21) == add_length(D(2027, 1, 4), twelve, holidays_country="SE")
    assert not is_working_day(D(2027, 1, 3), "SE")
    assert is_working_day(D(2027, 1, 4), "SE")


def test_holidays_are_loaded_once_per_country_and_year(fresh_holiday_cache: None) -> None:
    seven = Length(amount=7, unit="working_days")
    add_length(D(2026, 12, 22), seven, holidays_country="FI")
    loaded = _deadlines._holidays_in.cache_info().currsize
    add_length(D(2026, 12, 22), seven, holidays_country="FI")
    assert loaded == _deadlines._holidays_in.cache_info().currsize
    assert 2 <= loaded <= 3  # 2026 and 2027, and 2028 for the December check of 2027 at most


def test_working_days_need_a_holiday_country() -> None:
    with pytest.raises(InvalidArgumentError, match="working days need a country"):
        add_length(D(2027, 1, 4), Length(amount=1, unit="working_days"))


def test_a_country_without_a_holiday_calendar_is_a_clear_argument_error() -> None:
    profile = load_profile("NL").model_copy(update={"holidays_country": "QQ"})
    with pytest.raises(InvalidArgumentError, match="no public holidays known for country 'QQ'"):
        compute_deadlines(profile, starts={"report_received": D(2027, 1, 4)})


def test_a_due_date_beyond_the_year_9999_is_an_argument_error() -> None:
    with pytest.raises(InvalidArgumentError, match="beyond the year 9999"):
        add_length(D(9999, 12, 1), Length(amount=2, unit="months"))
    with pytest.raises(InvalidArgumentError, match="beyond the year 9999"):
        add_length(D(9999, 12, 30), Length(amount=1, unit="weeks"))


# --- extensions ---------------------------------------------------------------------------


def test_an_extension_moves_the_due_date_and_keeps_the_original() -> None:
    # Report Fri 8 Jan + the week of review = 15 Jan; + 3 months = 15 April; extended to 15 June.
    (deadline,) = [
        item
        for item in compute_deadlines(
            load_profile("NO"),
            starts={"report_received": D(2027, 1, 8)},
            extensions={"investigation": D(2027, 6, 15)},
        )
        if item.rule == "investigation"
    ]
    expected = (D(2027, 6, 15), D(2027, 4, 15), True)
    assert expected == (deadline.due_on, deadline.original_due_on, deadline.extended)


def test_a_deadline_without_extension_is_not_extended() -> None:
    deadlines = compute_deadlines(load_profile("NO"), starts={"report_received": D(2027, 1, 8)})
    assert all(
        (deadline.original_due_on, False) == (deadline.due_on, deadline.extended)
        for deadline in deadlines
    )
    assert "investigation" in [deadline.rule for deadline in deadlines]


@pytest.mark.parametrize(
    ("jurisdiction", "event", "start", "latest"),
    [
        # Norway: 3 months plus at most 3 = 6 months from the clock's start, the end of the
        # week of review. A report on 23 Nov 2026 starts the clock on 30 Nov: the first
        # 3 months clamp to 28 Feb 2027, but 6 months from 30 Nov is 30 May 2027, not 28 May.
        ("NO", "report_received", D(2026, 11, 23), D(2027, 5, 30)),
        # Finland: 1 March + 30 days = 31 March; 30 more days = 30 April.
        ("FI", "emergency_protection", D(2027, 3, 1), D(2027, 4, 30)),
    ],
)
def test_an_extension_may_reach_but_not_pass_the_longest_one_allowed(
    jurisdiction: str, event: str, start: dt.date, latest: dt.date
) -> None:
    profile = load_profile(jurisdiction)
    rule_id = next(rule.id for rule in profile.rules if rule.max_extension is not None)
    (deadline,) = [
        item
        for item in compute_deadlines(profile, starts={event: start}, extensions={rule_id: latest})
        if item.rule == rule_id
    ]
    assert latest == deadline.due_on
    with pytest.raises(InvalidArgumentError, match=f"longer than allowed.*until {latest}"):
        compute_deadlines(
            profile, starts={event: start}, extensions={rule_id: latest + dt.timedelta(days=1)}
        )


def test_a_maximum_in_another_unit_is_counted_from_the_original_due_date() -> None:
    profile = load_profile("NO")
    rule = profile.rule("investigation").model_copy(
        update={"max_extension": Length(amount=30, unit="days")}
    )
    profile = profile.model_copy(update={"rules": (rule,)})
    # Report Fri 8 Jan + 1 week = 15 Jan; + 3 months = 15 April; + 30 days = 15 May.
    starts = {"report_received": D(2027, 1, 8)}
    (deadline,) = compute_deadlines(profile, starts=starts, extensions={rule.id: D(2027, 5, 15)})
    assert D(2027, 5, 15) == deadline.due_on
    with pytest.raises(InvalidArgumentError, match="until 2027-05-15"):
        compute_deadlines(profile, starts=starts, extensions={rule.id: D(2027, 5, 16)})


def test_an_extendable_rule_without_a_maximum_takes_any_later_date() -> None:
    (deadline, *_) = compute_deadlines(
        load_profile("SE"),
        starts={"full_assessment_opened": D(2026, 10, 31)},
        extensions={"investigation": D(2027, 12, 31)},
    )
    assert (D(2027, 12, 31), D(2027, 2, 28)) == (deadline.due_on, deadline.original_due_on)


def test_an_extension_of_a_rule_that_cannot_be_extended_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="cannot be extended") as caught:
        compute_deadlines(
            load_profile("DK"),
            starts={"report_received": D(2026, 10, 31)},
            extensions={"investigation": D(2027, 3, 31)},
        )
    expected = (
        "rule 'investigation' (Child investigation completed) cannot be extended under "
        "Barnets lov § 20, stk. 3; formerly serviceloven § 50, stk. 7; remove its extension"
    )
    assert expected == str(caught.value)


@pytest.mark.parametrize("granted", [D(2027, 4, 15), D(2027, 4, 14), D(2027, 1, 1)])
def test_an_extension_that_is_not_after_the_original_due_date_is_refused(
    granted: dt.date,
) -> None:
    # Report Fri 8 Jan + the week of review = 15 Jan; + 3 months = 15 April.
    with pytest.raises(InvalidArgumentError, match="is not after its original due date 2027-04-15"):
        compute_deadlines(
            load_profile("NO"),
            starts={"report_received": D(2027, 1, 8)},
            extensions={"investigation": granted},
        )


def test_an_extension_of_an_unknown_rule_is_refused_naming_the_rules() -> None:
    with pytest.raises(
        InvalidArgumentError, match="name no rule of the NO profile: invest; known: "
    ):
        compute_deadlines(
            load_profile("NO"),
            starts={"report_received": D(2027, 1, 8)},
            extensions={"invest": D(2027, 5, 1)},
        )


def test_an_extension_of_a_rule_that_has_not_started_is_refused() -> None:
    """Sweden's investigation runs from its opening, which a report alone does not give."""
    with pytest.raises(
        InvalidArgumentError,
        match="rule 'investigation' has an extension but has not started: give the date of "
        "'full_assessment_opened' in starts",
    ):
        compute_deadlines(
            load_profile("SE"),
            starts={"report_received": D(2027, 1, 15)},
            extensions={"investigation": D(2027, 6, 1)},
        )


def test_an_extended_deadline_met_after_the_original_date_is_met() -> None:
    deadlines = compute_deadlines(
        load_profile("NO"),
        starts={"report_received": D(2027, 1, 8)},
        ends={"full_assessment_completed": D(2027, 5, 20)},
        extensions={"investigation": D(2027, 6, 15)},
    )
    (deadline,) = [item for item in deadlines if item.rule == "investigation"]
    assert ("met", D(2027, 4, 15)) == (deadline.status, deadline.original_due_on)


# --- statuses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("met_on", "today", "expected"),
    [
        # Sweden, report Mon 2 Nov 2026: the preliminary assessment is due 16 Nov.
        (D(2026, 11, 16), None, "met"),  # on the due date
        (D(2026, 11, 10), D(2026, 11, 20), "met"),
        (D(2026, 11, 17), None, "met_late"),
        (D(2026, 11, 17), D(2026, 11, 30), "met_late"),
        (None, D(2026, 11, 16), "pending"),  # due today: still pending
        (None, D(2026, 11, 17), "overdue"),
        (None, D(2026, 11, 2), "pending"),
        (None, None, "pending"),  # without today, an unmet deadline is pending
        (D(2026, 11, 1), None, "met"),  # met before the start: support ahead of its decision
    ],
)
def test_status_of_a_deadline(met_on: dt.date | None, today: dt.date | None, expected: str) -> None:
    ends = {} if met_on is None else {"preliminary_decision": met_on}
    deadlines = compute_deadlines(
        load_profile("SE"), starts={"report_received": D(2026, 11, 2)}, ends=ends, today=today
    )
    (deadline,) = [item for item in deadlines if item.rule == "preliminary"]
    assert (expected, met_on) == (deadline.status, deadline.met_on)


def test_a_deadline_as_json_ready_data() -> None:
    """``starts_on`` is the day the clock starts: Norway's investigation starts at the end of
    the week of review (report Fri 8 Jan + 1 week = Fri 15 Jan)."""
    deadlines = compute_deadlines(
        load_profile("NO"),
        starts={"report_received": D(2027, 1, 8)},
        ends={"full_assessment_completed": D(2027, 5, 20)},
        extensions={"investigation": D(2027, 6, 15)},
        today=D(2027, 6, 1),
    )
    (deadline,) = [item for item in deadlines if item.rule == "investigation"]
    expected = {
        "rule": "investigation",
        "label": "Investigation completed",
        "starts_on": "2027-01-15",
        "due_on": "2027-06-15",
        "met_on": "2027-05-20",
        "status": "met",
        "basis": "Barnevernsloven (2021) § 2-2; formerly barnevernloven (1992) § 6-9. That the "
        "3 months run from the end of the one-week review of the report is taken from a "
        "secondary source: check § 2-2.",
        "kind": "statute",
        "extended": True,
        "original_due_on": "2027-04-15",
        "stopped_on": None,
    }
    assert expected == deadline.to_dict()
    assert list(expected) == list(deadline.to_dict())


def test_an_unmet_deadline_as_data_has_no_met_on() -> None:
    (deadline, *_) = compute_deadlines(
        load_profile("GB-ENG"), starts={"report_received": D(2027, 3, 1)}
    )
    assert None is deadline.to_dict()["met_on"]


# --- compute_deadlines' input -------------------------------------------------------------


def test_only_rules_whose_start_is_known_get_a_deadline_in_profile_order() -> None:
    deadlines = compute_deadlines(
        load_profile("SE"),
        starts={"placement_started": D(2027, 1, 4), "report_received": D(2026, 11, 2)},
    )
    expected = ["safety_assessment", "preliminary", "placement_review"]
    assert expected == [deadline.rule for deadline in deadlines]


def test_no_known_start_gives_no_deadlines() -> None:
    assert () == compute_deadlines(load_profile("SE"), starts={})


def test_each_event_kind_of_the_shared_vocabulary_is_accepted() -> None:
    starts = dict.fromkeys(EVENT_KINDS, D(2027, 1, 4))
    profile = load_profile("SE")
    deadlines = compute_deadlines(profile, starts=starts, ends=starts)
    assert [rule.id for rule in profile.rules] == [deadline.rule for deadline in deadlines]
    assert 7 == len(deadlines)


@pytest.mark.parametrize("name", ["starts", "ends"])
def test_an_unknown_event_kind_is_refused_naming_it(name: str) -> None:
    events: dict[str, Any] = {"starts": {"report_received": D(2027, 1, 4)}, "ends": {}}
    events[name]["report_recieved"] = D(2027, 1, 4)
    with pytest.raises(
        InvalidArgumentError, match=f"{name} names unknown event kinds: report_recieved;"
    ):
        compute_deadlines(load_profile("SE"), **events)


@pytest.mark.parametrize("value", [dt.datetime(2027, 1, 4, 9, 30), "2027-01-04", None])
def test_an_event_date_that_is_not_a_date_is_refused(value: Any) -> None:
    with pytest.raises(
        InvalidArgumentError, match=r"starts\['report_received'\] must be a datetime.date"
    ):
        compute_deadlines(load_profile("SE"), starts={"report_received": value})


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        pytest.param(
            lambda: add_length(D(2027, 1, 4), Length(amount=1, unit="working_days")),
            "holidays_country",
            id="working-days-without-country",
        ),
        pytest.param(
            lambda: add_length(D(9999, 12, 1), Length(amount=2, unit="months")),
            "start",
            id="add-length-beyond-9999",
        ),
        pytest.param(
            lambda: compute_deadlines(
                load_profile("SE"), starts={"report_received": D(9999, 12, 30)}
            ),
            "starts",
            id="deadline-beyond-9999",
        ),
        pytest.param(
            lambda: compute_deadlines(
                load_profile("SE"), starts={"report_recieved": D(2027, 1, 4)}
            ),
            "starts",
            id="unknown-start",
        ),
        pytest.param(
            lambda: compute_deadlines(
                load_profile("SE"),
                starts={"report_received": D(2027, 1, 4)},
                ends={"x": D(2027, 1, 4)},
            ),
            "ends",
            id="unknown-end",
        ),
        pytest.param(
            lambda: compute_deadlines(
                load_profile("DK"),
                starts={"report_received": D(2026, 10, 31)},
                extensions={"investigation": D(2027, 3, 31)},
            ),
            "extensions",
            id="extension-not-allowed",
        ),
        pytest.param(
            lambda: compute_deadlines(
                load_profile("NO"),
                starts={"full_assessment_opened": D(2027, 1, 15)},
                extensions={"invest": D(2027, 5, 1)},
            ),
            "extensions",
            id="extension-of-no-rule",
        ),
    ],
)
def test_input_that_does_not_fit_raises_invalid_argument_error_naming_the_argument(
    call: Any, argument: str
) -> None:
    """A ValueError still, so that ``except ValueError`` keeps working."""
    with pytest.raises(InvalidArgumentError) as caught:
        call()
    assert argument == caught.value.argument
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("met_on", "expected"),
    [
        # Sweden, report Mon 2 Nov 2026, the case closed on Tue 10 Nov: the preliminary
        # assessment (due 16 Nov) not met by then stopped that day, however late it is asked.
        (None, ("stopped", None, D(2026, 11, 10))),
        (D(2026, 11, 9), ("met", D(2026, 11, 9), None)),
        (D(2026, 11, 10), ("met", D(2026, 11, 10), None)),  # met on the day it closed
        (D(2026, 11, 12), ("stopped", None, D(2026, 11, 10))),  # an end after the close
    ],
)
def test_a_clock_not_met_when_the_case_closed_is_stopped_never_overdue(
    met_on: dt.date | None, expected: tuple[str, dt.date | None, dt.date | None]
) -> None:
    ends = {} if met_on is None else {"preliminary_decision": met_on}
    deadlines = compute_deadlines(
        load_profile("SE"),
        starts={"report_received": D(2026, 11, 2)},
        ends=ends,
        today=D(2027, 6, 1),
        stopped_on=D(2026, 11, 10),
    )
    (deadline,) = [item for item in deadlines if item.rule == "preliminary"]
    assert expected == (deadline.status, deadline.met_on, deadline.stopped_on)
    stopped = expected[2]
    assert (None if stopped is None else stopped.isoformat()) == deadline.to_dict()["stopped_on"]


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        (None, ["safety_assessment", "preliminary", "reporter_receipt", "investigation"]),
        ([], ["safety_assessment", "preliminary", "investigation"]),
        (["not_anonymous"], ["safety_assessment", "preliminary", "investigation"]),
        (
            ("not_anonymous", "professional_reporter"),
            ["safety_assessment", "preliminary", "reporter_receipt", "investigation"],
        ),
    ],
)
def test_a_rule_within_a_scope_is_left_out_unless_the_scope_holds(
    scopes: Any, expected: list[str]
) -> None:
    """Denmark's receipt is for a professional who reported: without ``scopes`` every rule
    is computed."""
    deadlines = compute_deadlines(
        load_profile("DK"), starts={"report_received": D(2027, 1, 4)}, scopes=scopes
    )
    assert expected == [deadline.rule for deadline in deadlines]


def test_the_placement_and_support_rules_need_their_scopes() -> None:
    starts = dict.fromkeys(EVENT_KINDS, D(2027, 1, 4))
    deadlines = compute_deadlines(load_profile("SE"), starts=starts, scopes=["not_anonymous"])
    assert {"placement_review", "support_delivery"}.isdisjoint(d.rule for d in deadlines)
    deadlines = compute_deadlines(
        load_profile("SE"), starts=starts, scopes=["placed", "support_decided"]
    )
    assert {"placement_review", "support_delivery"} <= {d.rule for d in deadlines}


@pytest.mark.parametrize("scopes", [["profesional_reporter"], "professional_reporter"])
def test_an_unknown_scope_is_refused_naming_the_known_ones(scopes: Any) -> None:
    """A misspelt scope would leave its rules out without a word; a text is no list."""
    with pytest.raises(InvalidArgumentError) as caught:
        compute_deadlines(
            load_profile("DK"), starts={"report_received": D(2027, 1, 4)}, scopes=scopes
        )
    assert "scopes" == caught.value.argument
    assert str(caught.value).endswith(
        "; known: placed, support_decided, not_anonymous, professional_reporter"
    )


def test_a_stopped_on_that_is_not_a_date_is_refused_in_words() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        compute_deadlines(
            load_profile("SE"),
            starts={"report_received": D(2027, 1, 4)},
            stopped_on="2027-01-10",  # type: ignore[arg-type]
        )
    assert ("stopped_on", "stopped_on must be a datetime.date, not str") == (
        caught.value.argument,
        str(caught.value),
    )


def test_a_deadline_is_immutable() -> None:
    (deadline, *_) = compute_deadlines(
        load_profile("SE"), starts={"report_received": D(2027, 1, 4)}
    )
    with pytest.raises(pydantic.ValidationError):
        deadline.status = "met"  # type: ignore[misc]
    assert isinstance(deadline, Deadline)


# --- profiles built in Python -------------------------------------------------------------

RULE: dict[str, Any] = {
    "id": "visit",
    "label": "Visit",
    "starts": "report_received",
    "ends": "preliminary_started",
    "length": {"amount": 5, "unit": "days"},
    "kind": "norm",
    "basis": "Local guideline",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends": "report_received"}, "is the event that starts the rule"),
        ({"max_extension": {"amount": 1, "unit": "days"}}, "only allowed on a rule with"),
        ({"length": {"amount": 0, "unit": "days"}}, "greater than or equal to 1"),
        ({"length": {"amount": 2, "unit": "years"}}, "'days', 'weeks', 'months' or"),
        ({"length": {"amount": True, "unit": "days"}}, "valid integer"),
        ({"starts": "reported"}, "'report_received'"),
        ({"kind": "custom"}, "'statute' or 'norm'"),
        ({"id": "Visit"}, "should match pattern"),
        ({"colour": "red"}, "Extra inputs are not permitted"),
    ],
)
def test_a_rule_built_in_python_is_checked(change: dict[str, Any], message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=re.escape(message)):
        Rule.model_validate({**RULE, **change})


def test_a_profile_built_in_python_refuses_a_duplicate_rule_id() -> None:
    with pytest.raises(pydantic.ValidationError, match="rule id 'visit' is used twice"):
        Profile(
            jurisdiction="SE",
            name="Test",
            holidays_country="SE",
            rules=(Rule.model_validate(RULE), Rule.model_validate(RULE)),
        )


# --- override files -----------------------------------------------------------------------

VALID_OVERRIDE = dedent("""\
    [override]
    jurisdiction = "SE"
    name = "Sweden, Uppsala municipality"

    [[rules]]
    id = "preliminary"
    length = { amount = 10, unit = "days" }
    note = "Uppsala decides within 10 days."

    [[rules]]
    id = "home_visit"
    label = "Home visit made"
    starts = "report_received"
    ends = "preliminary_started"
    length = { amount = 5, unit = "working_days" }
    kind = "norm"
    basis = "Uppsala municipality guideline"
    """)


def write(tmp_path: Path, text: str | bytes, name: str = "uppsala.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_an_override_changes_a_rule_and_adds_one(tmp_path: Path) -> None:
    profile = load_profile("se", override=write(tmp_path, VALID_OVERRIDE))
    shipped = load_profile("SE")
    assert "Sweden, Uppsala municipality" == profile.name
    assert [*(rule.id for rule in shipped.rules), "home_visit"] == [r.id for r in profile.rules]
    preliminary = profile.rule("preliminary")
    assert "10 days" == str(preliminary.length)
    assert shipped.rule("preliminary").basis == preliminary.basis  # keys not given are kept
    assert "Uppsala decides within 10 days." == preliminary.note
    deadlines = compute_deadlines(profile, starts={"report_received": D(2026, 12, 21)})
    # Mon 21 Dec + 10 days = Thu 31 Dec. The home visit, 5 working days: Tue 22 (1),
    # Wed 23 (2); Thu 24 Christmas Eve, Fri 25 Christmas Day, Sat 26, Sun 27: none;
    # Mon 28 (3), Tue 29 (4), Wed 30 (5).
    due_dates = {deadline.rule: deadline.due_on for deadline in deadlines}
    assert D(2026, 12, 31) == due_dates["preliminary"]
    assert D(2026, 12, 30) == due_dates["home_visit"]


def test_an_override_leaves_the_shipped_profile_unchanged(tmp_path: Path) -> None:
    load_profile("SE", override=str(write(tmp_path, VALID_OVERRIDE)))
    assert "14 days" == str(load_profile("SE").rule("preliminary").length)


def test_an_override_that_makes_a_rule_not_extendable_drops_its_maximum(tmp_path: Path) -> None:
    text = (
        '[override]\njurisdiction = "NO"\n\n[[rules]]\nid = "investigation"\nextendable = false\n'
    )
    rule = load_profile("NO", override=write(tmp_path, text)).rule("investigation")
    assert (False, None) == (rule.extendable, rule.max_extension)


def test_an_override_with_only_a_name_keeps_every_rule(tmp_path: Path) -> None:
    text = '[override]\njurisdiction = "FI"\nname = "Finland, Espoo"\n'
    profile = load_profile("FI", override=write(tmp_path, text))
    assert load_profile("FI").rules == profile.rules


MARK = "# <-"  # marks the line a problem is expected on

OVERRIDE_SE = '[override]\njurisdiction = "SE"\n'
PRELIMINARY = OVERRIDE_SE + '\n[[rules]]\nid = "preliminary"\n'  # changes a rule of SE

# (id, jurisdiction, file content, key path, part of the message); the expected line is the
# one marked "# <-", or None when the text has no mark.
BROKEN: list[tuple[str, str, str | bytes, str, str]] = [
    (
        "bad_toml",
        "SE",
        PRELIMINARY + 'length = { amount = 10 unit = "days" }  # <-\n',
        "",
        "is not valid TOML: ",
    ),
    (
        "unknown_key",
        "SE",
        PRELIMINARY + 'lenght = { amount = 10, unit = "days" }  # <-\n',
        "rules[0].lenght",
        "unknown key 'lenght'; allowed: applies, basis, during, ends, extendable, id, kind, "
        "label, length, max_extension, note, offset, recurs, starts",
    ),
    (
        "unknown_event_kind",
        "SE",
        PRELIMINARY + 'starts = "report_recieved"  # <-\n',
        "rules[0].starts",
        '"report_recieved" is not one of: report_received, safety_assessed, ',
    ),
    (
        "duplicate_id",
        "SE",
        PRELIMINARY + 'note = "a"\n' + '\n[[rules]]\nid = "preliminary"  # <-\nnote = "b"\n',
        "rules[1].id",
        "rule id 'preliminary' is used twice",
    ),
    (
        "unknown_unit",
        "SE",
        PRELIMINARY + 'length = { amount = 2, unit = "years" }  # <-\n',
        "rules[0].length.unit",
        '"years" is not one of: days, weeks, months, working_days',
    ),
    (
        "zero_amount",
        "SE",
        PRELIMINARY + 'length = { amount = 0, unit = "days" }  # <-\n',
        "rules[0].length.amount",
        "must be at least 1",
    ),
    (
        "fractional_amount",
        "SE",
        PRELIMINARY + 'length = { amount = 10.5, unit = "days" }  # <-\n',
        "rules[0].length.amount",
        "must be of type integer, not number",
    ),
    (
        "whole_float_amount",
        "SE",
        PRELIMINARY + 'length = { amount = 10.0, unit = "days" }  # <-\n',
        "rules[0].length.amount",
        "Input should be a valid integer",
    ),
    (
        "wrong_type",
        "SE",
        PRELIMINARY + 'extendable = "yes"  # <-\n',
        "rules[0].extendable",
        "must be of type boolean, not string",
    ),
    (
        "id_not_snake_case",
        "SE",
        OVERRIDE_SE + '\n[[rules]]\nid = "Preliminary"  # <-\n',
        "rules[0].id",
        "does not have the expected form (lower-case snake_case",
    ),
    (
        "new_rule_incomplete",
        "SE",
        OVERRIDE_SE + '\n[[rules]]  # <-\nid = "home_visit"\nlabel = "Home visit"\n',
        "rules[0]",
        "adds the rule 'home_visit', which the SE profile does not have, so it needs starts, "
        "ends, length, kind, basis; to change a rule, give one of its ids: safety_assessment, ",
    ),
    (
        "starts_is_the_end",
        "SE",
        PRELIMINARY + 'starts = "preliminary_decision"  # <-\n',
        "rules[0].starts",
        "is the event that starts the rule ('preliminary_decision'); name the event that",
    ),
    (
        "ends_is_the_start",
        "SE",
        PRELIMINARY + 'ends = "report_received"  # <-\n',
        "rules[0].ends",
        "is the event that starts the rule ('report_received')",
    ),
    (
        "maximum_without_extendable",
        "DK",
        '[override]\njurisdiction = "DK"\n\n[[rules]]\nid = "investigation"\n'
        + 'max_extension = { amount = 1, unit = "months" }  # <-\n',
        "rules[0].max_extension",
        "is only allowed on a rule with extendable = true",
    ),
    (
        "not_extendable_any_more",
        "NO",
        '[override]\njurisdiction = "NO"\n\n[[rules]]\nid = "investigation"\n'
        + 'extendable = false\nmax_extension = { amount = 1, unit = "months" }  # <-\n',
        "rules[0].max_extension",
        "is only allowed on a rule with extendable = true",
    ),
    (
        "changes_the_jurisdiction",
        "SE",
        '[override]\njurisdiction = "DK"  # <-\n',
        "override.jurisdiction",
        "is 'DK', but the profile is 'SE': an override cannot change the jurisdiction",
    ),
    (
        "unknown_jurisdiction_code",
        "SE",
        '[override]\njurisdiction = "XX"  # <-\n',
        "override.jurisdiction",
        '"XX" is not one of: SE, DK, NO, FI, GB-ENG, NL',
    ),
    (
        "no_jurisdiction",
        "SE",
        '[override]  # <-\nname = "Uppsala"\n',
        "override",
        "'jurisdiction' is missing",
    ),
    (
        "holidays_in_an_override",
        "SE",
        OVERRIDE_SE + 'holidays = { country = "SE" }  # <-\n',
        "override.holidays",
        "unknown key 'holidays'; allowed: jurisdiction, name",
    ),
    (
        "a_whole_profile",
        "SE",
        '[profile]  # <-\njurisdiction = "SE"\nname = "Sweden"\nholidays = { country = "SE" }\n'
        + '\n[[rules]]\nid = "preliminary"\nlabel = "P"\nstarts = "report_received"\n'
        + 'ends = "preliminary_decision"\nlength = { amount = 10, unit = "days" }\n'
        + 'kind = "statute"\nbasis = "SoL"\n',
        "profile",
        "is a whole profile, not an override: start the file with [override]",
    ),
    (
        "profile_and_override",
        "SE",
        OVERRIDE_SE + '\n[profile]  # <-\njurisdiction = "SE"\n',
        "profile",
        "'profile' is not allowed here",
    ),
    (
        "neither_profile_nor_override",
        "SE",
        '[[rules]]\nid = "preliminary"\n',
        "override",
        "'override' is missing: start the file with [override] and jurisdiction = \"SE\"",
    ),
    (
        "not_utf8",
        "SE",
        b'[override]\njurisdiction = "SE"\nname = "G\xf6teborg"\n',
        "",
        "is not valid UTF-8 (byte 40); save it as UTF-8",
    ),
]


def marked_line(text: str | bytes) -> int | None:
    if isinstance(text, bytes):
        return 3  # the line of the byte that is not UTF-8
    for number, line in enumerate(text.splitlines(), start=1):
        if line.rstrip().endswith(MARK):
            return number
    return None


@pytest.mark.parametrize(
    ("jurisdiction", "text", "path", "message"),
    [pytest.param(*row[1:], id=row[0]) for row in BROKEN],
)
def test_a_broken_override_file_is_refused_with_one_precise_problem(
    tmp_path: Path, jurisdiction: str, text: str | bytes, path: str, message: str
) -> None:
    file = write(tmp_path, text)
    with pytest.raises(FormDefinitionError) as caught:
        load_profile(jurisdiction, override=file)
    (problem,) = caught.value.problems
    assert (str(file), path, marked_line(text)) == (problem.file, problem.path, problem.line)
    assert message in problem.message


def test_a_problem_of_an_override_file_prints_with_file_line_and_path(tmp_path: Path) -> None:
    file = write(tmp_path, {row[0]: row[2] for row in BROKEN}["duplicate_id"])
    with pytest.raises(FormDefinitionError) as caught:
        load_profile("SE", override=file)
    expected = f"{file}:9: rules[1].id: rule id 'preliminary' is used twice"
    assert expected == str(caught.value)


def test_every_schema_problem_of_an_override_is_reported_at_once(tmp_path: Path) -> None:
    text = OVERRIDE_SE + dedent("""
        [[rules]]
        id = "preliminary"
        lenght = { amount = 10, unit = "days" }

        [[rules]]
        id = "investigation"
        starts = "opened"
        """)
    with pytest.raises(FormDefinitionError) as caught:
        load_profile("SE", override=write(tmp_path, text))
    expected = [("rules[0].lenght", 6), ("rules[1].starts", 10)]
    assert expected == [(problem.path, problem.line) for problem in caught.value.problems]


def test_every_semantic_problem_of_an_override_is_reported_at_once(tmp_path: Path) -> None:
    text = '[override]\njurisdiction = "DK"\n' + dedent("""
        [[rules]]
        id = "investigation"
        max_extension = { amount = 1, unit = "months" }

        [[rules]]
        id = "preliminary"
        ends = "report_received"

        [[rules]]
        id = "investigation"
        """)
    with pytest.raises(FormDefinitionError) as caught:
        load_profile("DK", override=write(tmp_path, text))
    expected = [
        FormProblem(
            str(tmp_path / "uppsala.toml"),
            "rules[2].id",
            "rule id 'investigation' is used twice",
            13,
        ),
        FormProblem(
            str(tmp_path / "uppsala.toml"),
            "rules[0].max_extension",
            "is only allowed on a rule with extendable = true; set it, or leave max_extension out",
            6,
        ),
        FormProblem(
            str(tmp_path / "uppsala.toml"),
            "rules[1].ends",
            "is the event that starts the rule ('report_received'); name the event that "
            "meets the deadline",
            10,
        ),
    ]
    assert expected == list(caught.value.problems)
    assert str(caught.value).startswith("3 problems in form definition:\n")


def test_an_override_file_that_does_not_exist_is_a_form_definition_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(FormDefinitionError) as caught:
        load_profile("SE", override=missing)
    expected = [FormProblem(str(missing), "", "no such file; check the path", None)]
    assert expected == list(caught.value.problems)


def test_an_override_that_is_a_directory_is_a_form_definition_error(tmp_path: Path) -> None:
    with pytest.raises(FormDefinitionError, match="is a folder, not a file"):
        load_profile("SE", override=tmp_path)


def test_an_override_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    text = OVERRIDE_SE + "#" * (3 * 1024 * 1024) + "\n"
    with pytest.raises(FormDefinitionError, match="is larger than"):
        load_profile("SE", override=write(tmp_path, text))


def test_an_override_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + VALID_OVERRIDE.encode("utf-8"))
    assert "home_visit" == load_profile("SE", override=path).rules[-1].id


def profile_or_problems(jurisdiction: str, path: Path) -> Profile | tuple[FormProblem, ...]:
    try:
        return load_profile(jurisdiction, override=path)
    except FormDefinitionError as error:
        return error.problems


@PROPERTY
@given(data=st.binary(max_size=300))
def test_any_bytes_as_an_override_give_a_profile_or_a_form_definition_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("override") / "any.toml"
    path.write_bytes(data)
    result = profile_or_problems("SE", path)
    if isinstance(result, Profile):
        assert "SE" == result.jurisdiction
    else:
        assert result


@PROPERTY
@given(drop=st.sets(st.integers(0, VALID_OVERRIDE.count("\n") - 1)))
def test_an_override_with_lines_left_out_gives_a_profile_or_a_form_definition_error(
    tmp_path_factory: pytest.TempPathFactory, drop: set[int]
) -> None:
    lines = [line for n, line in enumerate(VALID_OVERRIDE.splitlines()) if n not in drop]
    path = tmp_path_factory.mktemp("override") / "cut.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = profile_or_problems("SE", path)
    if not isinstance(result, Profile):
        assert all(problem.file == str(path) for problem in result)


# --- properties of the date arithmetic ----------------------------------------------------

PLACES = sorted(
    {(p.holidays_country, p.holidays_subdivision) for p in map(load_profile, JURISDICTIONS)},
    key=str,
)


@cache
def reference_holidays(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    """Public holidays straight from the package (Sweden: with the eves the law treats alike)."""
    categories = ("public", "de_facto") if country == "SE" else ("public",)
    calendar_ = holidays.country_holidays(
        country, subdiv=subdivision, years=year, categories=categories
    )
    return frozenset(calendar_)


def reference_working_day(day: dt.date, country: str, subdivision: str | None) -> bool:
    return day.weekday() < 5 and day not in reference_holidays(country, subdivision, day.year)


@PROPERTY
@given(
    place=st.sampled_from(PLACES),
    start=st.dates(D(2000, 1, 1), D(2099, 12, 31)),
    amount=st.integers(1, 60),
)
def test_a_working_day_deadline_falls_on_a_working_day_exactly_amount_working_days_on(
    place: tuple[str, str | None], start: dt.date, amount: int
) -> None:
    country, subdivision = place
    due_on = add_length(
        start,
        Length(amount=amount, unit="working_days"),
        holidays_country=country,
        holidays_subdivision=subdivision,
    )
    assert reference_working_day(due_on, country, subdivision)
    days = (due_on - start).days
    counted = sum(
        reference_working_day(start + dt.timedelta(days=offset), country, subdivision)
        for offset in range(1, days + 1)
    )
    assert amount == counted


@PROPERTY
@given(start=st.dates(D(1900, 1, 1), D(2900, 12, 31)), months=st.integers(1, 999))
def test_a_month_deadline_lands_on_the_start_day_or_the_end_of_a_shorter_month(
    start: dt.date, months: int
) -> None:
    due_on = add_length(start, Length(amount=months, unit="months"))
    assert months == (due_on.year - start.year) * 12 + due_on.month - start.month
    assert due_on.day <= start.day
    if due_on.day < start.day:
        assert calendar.monthrange(due_on.year, due_on.month)[1] == due_on.day


@PROPERTY
@given(
    start=st.dates(D(1900, 1, 1), D(2900, 12, 31)),
    amount=st.integers(1, 999),
    unit=st.sampled_from(["days", "weeks"]),
)
def test_a_day_or_week_deadline_is_plain_calendar_addition(
    start: dt.date, amount: int, unit: str
) -> None:
    due_on = add_length(start, Length.model_validate({"amount": amount, "unit": unit}))
    assert amount * (7 if unit == "weeks" else 1) == (due_on - start).days


# --- the documentation --------------------------------------------------------------------

BLOCK = re.compile(r"```toml\n(.*?)```", re.DOTALL)


def override_blocks() -> list[Any]:
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    blocks = [block for block in BLOCK.findall(text) if block.lstrip().startswith("[override]")]
    return [pytest.param(block, id=f"block-{n}") for n, block in enumerate(blocks)] or [
        pytest.param(None, id="no-override-example")
    ]


@pytest.mark.parametrize("text", override_blocks())
def test_an_override_example_in_the_docs_loads(tmp_path: Path, text: str | None) -> None:
    assert text is not None, "docs/deadlines.md has no [override] example"
    jurisdiction = tomllib.loads(text)["override"]["jurisdiction"]
    profile = load_profile(jurisdiction, override=write(tmp_path, text))
    assert profile.rules
