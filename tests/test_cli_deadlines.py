"""`kindbehoeften deadlines`, `kindbehoeften timeline` and `kindbehoeften schema events`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

import kindbehoeften
from clirun import run, table_rows

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "histories" / "demo-case.json"


def deadlines_json(*argv: str) -> dict[str, object]:
    code, out, err = run("deadlines", *argv, "--format", "json")
    assert (0, "") == (code, err)
    document: dict[str, object] = json.loads(out)
    return document


# --- deadlines ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        # Sweden: 14 calendar days to the preliminary decision; an investigation opened on
        # 31 October is due 4 months later, on the last day of February.
        (
            ["--jurisdiction", "SE", "--reported", "2026-10-20", "--opened", "2026-10-31"],
            {
                "safety_assessment": "2026-10-21",
                "preliminary": "2026-11-03",
                "investigation": "2027-02-28",
            },
        ),
        # Finland: 7 working days from the next working day, across Christmas: 18 Dec 2026 is a
        # Friday; 21, 22, 23 Dec; 24 (Christmas Eve), 25, 26 are holidays; 28, 29, 30 Dec;
        # 31 Dec (a Thursday, a working day); 1 Jan (holiday)... 21,22,23,28,29,30,31 = 7.
        (
            ["--jurisdiction", "fi", "--reported", "2026-12-18"],
            {
                "safety_assessment": "2026-12-19",
                "preliminary": "2026-12-31",
                "investigation": "2027-03-18",
            },
        ),
        # The Netherlands: a norm of 5 working days for the safety assessment. 22 Dec 2027 is a
        # Wednesday; 23 (1), 24 (2); 25 and 26 Dec, Christmas, fall on the weekend; 27 (3),
        # 28 (4), 29 (5).
        (
            ["--jurisdiction", "NL", "--reported", "2027-12-22"],
            {"safety_assessment": "2027-12-29"},
        ),
    ],
    ids=["SE-month-end", "FI-christmas", "NL-christmas"],
)
def test_deadlines_json_lists_each_rule_whose_start_is_known(
    argv: list[str], expected: dict[str, str]
) -> None:
    document = deadlines_json(*argv, "--today", "2026-01-01")
    rules = document["rules"]
    assert isinstance(rules, list)
    assert expected == {rule["rule"]: rule["due_on"] for rule in rules}
    for rule in rules:
        assert {"rule", "starts_on", "due_on", "basis", "kind"} <= set(rule)
        assert rule["kind"] in {"statute", "norm"}
        assert rule["basis"]


def test_deadlines_json_agrees_with_the_library() -> None:
    document = deadlines_json(
        "--jurisdiction",
        "NO",
        "--reported",
        "2026-11-02",
        "--opened",
        "2026-11-09",
        "--today",
        "2026-11-23",
    )
    expected = kindbehoeften.compute_deadlines(
        kindbehoeften.load_profile("NO"),
        starts={
            "report_received": dt.date(2026, 11, 2),
            "full_assessment_opened": dt.date(2026, 11, 9),
        },
        today=dt.date(2026, 11, 23),
    )
    assert [deadline.to_dict() for deadline in expected] == document["rules"]
    assert ("NO", "2026-11-23") == (document["jurisdiction"], document["today"])


def test_the_netherlands_rules_are_norms_not_statute() -> None:
    document = deadlines_json(
        "--jurisdiction", "NL", "--reported", "2026-11-02", "--opened", "2026-11-09"
    )
    rules = document["rules"]
    assert isinstance(rules, list)
    assert {"norm"} == {rule["kind"] for rule in rules}


def test_status_is_overdue_after_the_due_day_and_pending_before() -> None:
    before = deadlines_json(
        "--jurisdiction", "SE", "--reported", "2026-11-02", "--today", "2026-11-16"
    )
    after = deadlines_json(
        "--jurisdiction", "SE", "--reported", "2026-11-02", "--today", "2026-11-17"
    )
    status = {rule["rule"]: rule["status"] for rule in before["rules"]}  # type: ignore[union-attr]
    assert "pending" == status["preliminary"]
    status = {rule["rule"]: rule["status"] for rule in after["rules"]}  # type: ignore[union-attr]
    assert "overdue" == status["preliminary"]


def test_deadlines_text_is_a_table_with_dates_in_the_locale() -> None:
    code, out, _ = run(
        "deadlines",
        "--jurisdiction",
        "SE",
        "--reported",
        "2026-11-02",
        "--today",
        "2026-11-03",
        "--locale",
        "sv",
    )
    assert 0 == code
    assert "16 nov. 2026" in out  # babel's Swedish medium date
    assert "Socialtjänstlag" in out


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--jurisdiction", "XX", "--reported", "2026-11-02"], "unknown jurisdiction 'XX'"),
        (["--jurisdiction", "SE", "--reported", "2026-02-30"], "is not a date written YYYY-MM-DD"),
        (["--jurisdiction", "SE", "--reported", "02-11-2026"], "is not a date written YYYY-MM-DD"),
        (["--jurisdiction", "SE"], "the following arguments are required: --reported"),
        (["--reported", "2026-11-02"], "the following arguments are required: --jurisdiction"),
        (["--jurisdiction", "SE", "--reported", "2026-11-02", "--today", "x"], "YYYY-MM-DD"),
        (["--jurisdiction", "SE", "--reported", "2026-11-02", "--locale", "de"], "unknown locale"),
        (
            ["--jurisdiction", "SE", "--reported", "2026-11-02", "--opened", "2026-01-01"],
            "is before --reported",
        ),
        (
            ["--jurisdiction", "SE", "--reported", "9999-12-31"],
            "1 day after 9999-12-31 is beyond the year 9999",
        ),
        (
            ["--jurisdiction", "FI", "--reported", "9999-12-30"],
            "working days after 9999-12-30 is beyond the year 9999",
        ),
    ],
    ids=[
        "jurisdiction",
        "impossible-date",
        "date-order",
        "no-date",
        "no-jurisdiction",
        "today",
        "locale",
        "opened-first",
        "year-9999",
        "year-9999-working-days",
    ],
)
def test_bad_arguments_exit_2_with_one_clear_line(argv: list[str], reason: str) -> None:
    code, out, err = run("deadlines", *argv)
    assert (2, "") == (code, out)
    assert 1 == len(err.strip().splitlines())
    assert reason in err


def test_a_municipality_override_changes_a_rule(tmp_path: Path) -> None:
    override = tmp_path / "stockholm.toml"
    override.write_text(
        '[override]\njurisdiction = "SE"\n\n[[rules]]\nid = "preliminary"\n'
        'length = { amount = 10, unit = "days" }\n',
        encoding="utf-8",
    )
    document = deadlines_json(
        "--jurisdiction", "SE", "--reported", "2026-11-02", "--override", str(override)
    )
    due = {rule["rule"]: rule["due_on"] for rule in document["rules"]}  # type: ignore[union-attr]
    assert "2026-11-12" == due["preliminary"]


def test_a_broken_override_file_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    override = tmp_path / "broken.toml"
    override.write_text('[override]\njurisdiction = "SE"\n\n[[rules]]\nid = "x"\ncolour = 1\n')
    code, out, err = run(
        "deadlines", "--jurisdiction", "SE", "--reported", "2026-11-02", "--override", str(override)
    )
    assert (2, "") == (code, out)
    assert str(override) in err


# --- timeline -----------------------------------------------------------------------------------


def test_timeline_json_has_stage_history_and_deadlines() -> None:
    code, out, err = run("timeline", str(EXAMPLE), "--today", "2026-11-23", "--format", "json")
    document = json.loads(out)
    assessment = kindbehoeften.Assessment.from_json(EXAMPLE.read_bytes())
    assert (0, "") == (code, err)
    assert ("support", "SE", False) == (
        document["stage"],
        document["jurisdiction"],
        document["emergency_active"],
    )
    assert assessment.to_dict()["events"] == document["events"]  # no extension: all of it
    assert list(assessment.allowed_steps()) == document["allowed_steps"]
    expected = [deadline.to_dict() for deadline in assessment.deadlines(dt.date(2026, 11, 23))]
    assert expected == document["rules"]
    assert {"met"} == {rule["status"] for rule in document["rules"]}


def test_timeline_text_shows_stage_events_and_deadlines(tmp_path: Path) -> None:
    case = kindbehoeften.Assessment.report(
        case_id="c-9", jurisdiction="NO", on=dt.date(2026, 11, 2), actor="w", reporter="parent"
    ).start_preliminary(dt.date(2026, 11, 3), "w")
    path = tmp_path / "events.json"
    path.write_text(case.to_json(), encoding="utf-8")
    code, out, _ = run("timeline", str(path), "--today", "2026-11-23")
    assert 0 == code
    assert "Stage: preliminary assessment" in out
    assert "preliminary assessment started" in out
    assert "overdue" in out  # the report was to be reviewed within a week
    code, out, _ = run("timeline", str(EXAMPLE), "--today", "2026-11-23", "--locale", "sv")
    assert 0 == code
    assert "demo-case-0042" in out
    assert "14 apr. 2026" in out


def test_a_met_rule_shows_the_day_it_was_met_on_a_line_of_its_own() -> None:
    """The line break between a status and its date is the table's: never shown as an
    escape, as text from input is."""
    code, out, _ = run("timeline", str(EXAMPLE), "--today", "2026-11-23")
    rows = table_rows(out.partition("Deadlines in SE")[2])
    statuses = [row[3] for row in rows]
    assert 0 == code
    assert "\\n" not in out
    assert ["met", "Feb 9, 2026", "met", "Feb 19, 2026"] == statuses[:4]


def test_an_extension_shows_in_the_timeline_without_its_reason(tmp_path: Path) -> None:
    secret = "Sentinel-Reason-7781"
    preliminary = json.loads((EXAMPLE.parents[1] / "triangle.preliminary.valid.json").read_text())
    case = kindbehoeften.Assessment.report(
        case_id="c-9", jurisdiction="NO", on=dt.date(2026, 11, 2), actor="w", reporter="parent"
    )
    case = case.start_preliminary(dt.date(2026, 11, 3), "w")
    case = case.decide_preliminary("open_full_assessment", preliminary, dt.date(2026, 11, 6), "w")
    case = case.open_full_assessment(dt.date(2026, 11, 9), "w")
    case = case.grant_extension(
        "investigation", dt.date(2027, 5, 9), secret, dt.date(2027, 1, 20), "lead"
    )
    path = tmp_path / "events.json"
    path.write_text(case.to_json(), encoding="utf-8")
    code, out, _ = run("timeline", str(path), "--today", "2027-01-21")
    assert 0 == code
    assert "extended from" in out
    assert "Feb 9, 2027" in out  # 3 months after 9 Nov
    assert secret not in out
    code, out, _ = run("timeline", str(path), "--today", "2027-01-21", "--format", "json")
    (investigation,) = [r for r in json.loads(out)["rules"] if r["rule"] == "investigation"]
    assert (True, "2027-05-09", "2027-02-09") == (
        investigation["extended"],
        investigation["due_on"],
        investigation["original_due_on"],
    )
    assert secret not in out


def test_a_changed_history_exits_1_and_names_the_event(tmp_path: Path) -> None:
    text = EXAMPLE.read_text("utf-8").replace('"worker-17"', '"worker-18"', 1)
    path = tmp_path / "changed.json"
    path.write_text(text, encoding="utf-8")
    code, out, err = run("timeline", str(path))
    assert (1, "") == (code, out)
    assert f"{path}: event 1 was changed: its hash does not match its content." in err


@pytest.mark.parametrize(
    "content", [b"", b"{not json", b"[]", b"\xff\xfe"], ids=["empty", "syntax", "list", "bytes"]
)
def test_a_file_that_is_no_history_exits_1(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "events.json"
    path.write_bytes(content)
    code, out, err = run("timeline", str(path))
    assert (1, "") == (code, out)
    assert "Traceback" not in err


def test_a_missing_history_file_exits_2() -> None:
    code, _, err = run("timeline", "/no/such/events.json")
    assert 2 == code
    assert "no such file" in err


# --- schema events ------------------------------------------------------------------------------


def test_schema_events_prints_the_published_schema_and_the_example_satisfies_it() -> None:
    code, out, _ = run("schema", "events")
    schema = json.loads(out)
    assert 0 == code
    assert kindbehoeften.events_schema() == schema
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(json.loads(EXAMPLE.read_text("utf-8")))


def test_the_timeline_has_words_for_every_event_kind() -> None:
    """A new step without a label in the timeline would end as an internal error."""
    from kindbehoeften._core.vocab import EVENT_KINDS
    from kindbehoeften.cli import deadlines

    assert set(EVENT_KINDS) == set(deadlines._EVENTS)
