"""Statistics for monitoring: rows, the pseudonym, age bands, suppression, CSV and Parquet,
and the sentinel test: no free text and no personal answer ever reaches an export."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import itertools
import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kindbehoeften
from kindbehoeften import Assessment, Form, Question
from kindbehoeften._exports.statistics import (
    AGE_BANDS,
    COLUMNS,
    TABLES,
    MissingDependencyError,
    UnsafeFieldError,
    age_band,
    aggregate,
    pseudonym,
    statistics,
    to_csv,
    to_parquet,
)
from kindbehoeften.errors import (
    IntegrityError,
    InvalidArgumentError,
    InvalidRecordError,
    KindbehoeftenError,
)
from kindbehoeften.export import record
from strategies import EXAMPLES, decided, form_submissions

KEY = b"monitoring key, 32 bytes long..."
SENTINEL = "ZQXsentinel"  # seeded into every text and personal answer, id and reason
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
STAGE_FORMS = ("triangle.preliminary", "triangle.full", "triangle.plan", "triangle.followup")
AREAS_OF_FULL = [
    f"area_{section.id}_{area.id}"
    for section in kindbehoeften.load_form("triangle.full").sections
    for area in section.areas
    if section.id != "analysis"
]


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return document


def demo_record(today: dt.date = dt.date(2026, 11, 23)) -> dict[str, Any]:
    case = Assessment.from_json((EXAMPLES / "histories" / "demo-case.json").read_bytes())
    forms = [example(f"triangle.{name}.valid.json") for name in ("preliminary", "full", "plan")]
    return record(case, forms, today=today)


# --- submissions with every text and personal answer seeded ------------------------------------


def _seeded_value(form: Form, question: Question, variant: int, n: int, born: dt.date) -> Any:
    if question.type == "text":
        return f"{SENTINEL}{n}"
    if question.type == "boolean":
        return (variant + n) % 2 == 0
    if question.type in {"integer", "decimal"}:
        return question.min if isinstance(question.min, int) else 1
    if question.type == "date":
        return born.isoformat()  # every date is the birth date: none may come out
    values = [option.value for option in form.options(question)]
    if question.type == "choice":
        return values[(variant + n) % len(values)]
    if question.type == "multi_choice":
        return [v for i, v in enumerate(values) if (i + variant) % 3 == 0] or values[:1]
    return [
        {
            inner.id: _seeded_value(form, inner, variant + row, n * 10 + i, born)
            for i, inner in enumerate(question.questions)
        }
        for row in range(2)
    ]


def saturated(form_id: str, variant: int, born: dt.date) -> dict[str, Any]:
    """A completed, valid submission that answers every question its conditions enable:
    text with the sentinel, choices varied by ``variant``, every date the birth date."""
    form = kindbehoeften.load_form(form_id)
    answers: dict[str, Any] = {}
    n = 0
    for section in form.sections:
        for area in section.areas:
            box = answers.setdefault(section.id, {}).setdefault(area.id, {})
            for question in area.questions:
                n += 1
                box[question.id] = _seeded_value(form, question, variant, n, born)
    document: dict[str, Any] = {"form": form.id, "form_version": form.version}
    document |= {"status": "completed", "answers": answers}
    for _ in range(5):  # drop the answers that the chosen values disable
        report = kindbehoeften.validate(document)
        if report.ok:
            return document
        disabled = [issue.pointer for issue in report.issues if issue.code == "disabled"]
        assert disabled, [(issue.pointer, issue.code) for issue in report.issues]
        for pointer in disabled:
            *parents, last = pointer.split("/")[2:]
            holder: Any = answers
            for part in parents:
                holder = holder[int(part)] if isinstance(holder, list) else holder[part]
            del holder[last]
    raise AssertionError(f"no valid saturated submission of {form_id}")


def _answered_places(answers: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(answers, dict):
        for key, value in answers.items():
            yield from _answered_places(value, (*prefix, key))
    elif isinstance(answers, list) and answers and isinstance(answers[0], dict):
        for row in answers:
            yield from _answered_places(row, prefix)
    else:
        yield prefix


def seed_texts(form: Form, submission: dict[str, Any]) -> dict[str, Any]:
    """``submission`` with every answered text question's answer replaced by the sentinel."""
    seeded = copy.deepcopy(submission)
    texts = {path for path, question in form.questions() if question.type == "text"}
    counter = itertools.count()

    def walk(holder: Any, prefix: tuple[str, ...]) -> None:
        if isinstance(holder, list):
            for row in holder:
                walk(row, prefix)
            return
        if not isinstance(holder, dict):
            return
        for key, value in holder.items():
            path = (*prefix, key)
            if path in texts and isinstance(value, str) and value:
                holder[key] = f"{SENTINEL}{next(counter)}"
            else:
                walk(value, path)

    walk(seeded["answers"], ())
    return seeded


def test_saturated_submissions_answer_every_text_and_personal_question() -> None:
    """The seeding reaches every question it must (so the sentinel test covers them all)."""
    born = dt.date(2014, 5, 6)
    for form_id in STAGE_FORMS:
        form = kindbehoeften.load_form(form_id)
        expected = {
            path
            for path, question in form.questions()
            if question.type == "text" or question.sensitivity != "none"
        }
        answered: set[tuple[str, ...]] = set()
        for variant in range(8):
            answered |= set(_answered_places(saturated(form_id, variant, born)["answers"]))
        assert set() == expected - answered, form_id


# --- cases built with the real lifecycle -------------------------------------------------------

PATHS = ("preliminary_closed", "light_support", "full", "emergency", "reopened")
REPORTERS = ("professional", "parent", "child", "relative", "anonymous", "other")


def build_case(
    index: int,
    *,
    jurisdiction: str = "SE",
    path: str = "full",
    reporter: str = "professional",
    reported: dt.date = dt.date(2026, 3, 2),
    variant: int = 0,
    born: dt.date = dt.date(2015, 6, 1),
    submissions: Mapping[str, dict[str, Any]] | None = None,
    municipality: str | None = "0180",
) -> tuple[Assessment, list[dict[str, Any]]]:
    """A case on one of ``PATHS``, every id and reason seeded, with the submissions it used
    (saturated ones unless given) and a follow-up."""
    forms = dict(submissions or {})
    for stage in ("preliminary", "full", "plan", "followup"):
        forms.setdefault(stage, saturated(f"triangle.{stage}", variant, born))
    actor = f"actor-{SENTINEL}-{index}"
    day = reported
    case = Assessment.report(
        case_id=f"case-{SENTINEL}-{index}",
        jurisdiction=jurisdiction,
        on=day,
        actor=actor,
        reporter=reporter,
        municipality=municipality,
    )

    def later(days: int) -> dt.date:
        nonlocal day
        day += dt.timedelta(days=days)
        return day

    used = ["preliminary"]
    if path == "emergency":
        case = case.protect(later(0), actor).open_full_assessment(later(1), actor)
        case = case.confirm_protection(later(2), actor)
        case = case.complete_full_assessment(
            "no_measures", decided(forms["full"], "no_measures"), later(30), actor
        )
        return case, [forms["preliminary"], forms["full"]]
    if path == "reopened":
        case = case.close("other", later(1), actor)
        case = case.reopen(later(20), actor, "anonymous")
    case = case.assess_safety(later(0), actor).start_preliminary(later(1), actor)
    if path == "preliminary_closed":
        outcome = ("close", "universal_support", "refer_other_service")[variant % 3]
        case = case.decide_preliminary(
            outcome, decided(forms["preliminary"], outcome), later(5), actor
        )
    elif path == "light_support":
        case = case.decide_preliminary(
            "light_support", decided(forms["preliminary"], "light_support"), later(9), actor
        )
        case = case.adopt_plan(forms["plan"], later(10), actor).start_support(later(3), actor)
        used += ["plan", "followup"]
    elif path == "full":
        case = case.decide_preliminary(
            "open_full_assessment",
            decided(forms["preliminary"], "open_full_assessment"),
            later(12),
            actor,
        )
        case = case.open_full_assessment(later(1), actor)
        if jurisdiction in {"SE", "NO"}:
            reason = f"{SENTINEL} reason {index}\nsecond line"
            new_due = day + dt.timedelta(days=150)
            case = case.grant_extension("investigation", new_due, reason, later(2), actor)
        decision = ("support", "placement")[variant % 2]
        case = case.complete_full_assessment(
            decision, decided(forms["full"], decision), later(40), actor
        )
        case = case.adopt_plan(forms["plan"], later(7), actor).start_support(later(5), actor)
        case = case.hold_review(later(60), actor)
        used += ["full", "plan", "followup"]
    elif path == "reopened":
        case = case.decide_preliminary(
            "open_full_assessment",
            decided(forms["preliminary"], "open_full_assessment"),
            later(4),
            actor,
        )
    if reporter != "anonymous" and path != "reopened":
        case = case.inform_reporter(later(1), actor)
    return case, [forms[stage] for stage in used]


def many_records() -> list[dict[str, Any]]:
    records = []
    for index, (jurisdiction, path) in enumerate(
        itertools.product(kindbehoeften.JURISDICTIONS, PATHS)
    ):
        born = dt.date(2008 + index % 12, 1 + index % 12, 1 + index % 28)
        case, submissions = build_case(
            index,
            jurisdiction=jurisdiction,
            path=path,
            reporter=REPORTERS[index % len(REPORTERS)],
            variant=index,
            born=born,
        )
        records.append(record(case, submissions, today=dt.date(2026, 9, 1)))
    return records


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return many_records()


# --- what must never come out ------------------------------------------------------------------


def parquet_cells(path: Path) -> list[object]:
    table = pq.read_table(path)
    cells: list[object] = list(table.column_names)
    cells += [value for row in table.to_pylist() for value in row.values()]
    metadata = table.schema.metadata or {}
    cells += [*metadata.keys(), *metadata.values()]
    return cells


def assert_clean(text: str, forbidden: Sequence[str]) -> None:
    assert SENTINEL.lower() not in text.lower()
    assert [] == [item for item in forbidden if item in text]
    assert [] == ISO_DATE.findall(text)  # no date at all: not the birth date, nor any other


def every_output(rows: list[dict[str, Any]], tmp_path: Path) -> list[str]:
    """The rows, the aggregates, their CSV and their Parquet files read back, as text."""
    tables = aggregate(rows)
    outputs = [repr(rows), repr(tables), to_csv(rows)]
    outputs += [to_csv(table, columns=TABLES[name]) for name, table in tables.items()]
    to_parquet(rows, tmp_path / "rows.parquet")
    outputs.append(repr(parquet_cells(tmp_path / "rows.parquet")))
    for name, table in tables.items():
        to_parquet(table, tmp_path / f"{name}.parquet", columns=TABLES[name])
        outputs.append(repr(parquet_cells(tmp_path / f"{name}.parquet")))
    return outputs


def forbidden_of(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """The case ids and every date of birth given in the records."""
    forbidden = []
    for document in records:
        forbidden.append(document["case_id"])
        for submission in document["submissions"]:
            child = submission["answers"].get("intake", {}).get("child", {})
            if child.get("date_of_birth"):
                forbidden.append(child["date_of_birth"])
    return forbidden


def test_no_text_and_no_personal_answer_reaches_any_output(
    records: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Every text and personal answer, id and reason holds the sentinel; it, the case ids
    and the birth dates are in none of the rows, aggregates, CSV or Parquet files."""
    raw = json.dumps(records, ensure_ascii=False)
    assert raw.count(SENTINEL) > 1000  # the sentinel is there to be found
    rows = statistics(records, key=KEY)
    assert len(records) == len(rows)
    forbidden = forbidden_of(records)
    for output in every_output(rows, tmp_path):
        assert_clean(output, forbidden)


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    data=st.data(),
    jurisdiction=st.sampled_from(kindbehoeften.JURISDICTIONS),
    path=st.sampled_from(("preliminary_closed", "light_support", "full")),
    reporter=st.sampled_from(REPORTERS),
)
def test_generated_submissions_leak_nothing_either(
    tmp_path: Path, data: st.DataObject, jurisdiction: str, path: str, reporter: str
) -> None:
    """The same with submissions that Hypothesis draws (tests/strategies.py), texts seeded."""
    submissions = {}
    for stage in ("preliminary", "full", "plan"):
        form = kindbehoeften.load_form(f"triangle.{stage}")
        drawn = data.draw(form_submissions(form, "completed"), label=stage)
        submissions[stage] = seed_texts(form, drawn)
    case, used = build_case(
        1, jurisdiction=jurisdiction, path=path, reporter=reporter, submissions=submissions
    )
    documents = [record(case, used, today=dt.date(2026, 9, 1))]
    rows = statistics(documents, key=KEY)
    for output in every_output(rows, tmp_path):
        assert_clean(output, forbidden_of(documents))


# --- the row -----------------------------------------------------------------------------------


def test_the_demo_case_row_column_by_column() -> None:
    [row] = statistics([demo_record()], key=KEY)
    deadlines = [
        "deadline_safety_assessment",
        "deadline_preliminary",
        "deadline_investigation",
        "deadline_support_delivery",
        "deadline_placement_review",
        "deadline_emergency_confirmation",
        "deadline_care_application",
    ]
    assert [*COLUMNS[:11], *deadlines, *AREAS_OF_FULL, "measures", "placement"] == list(row)
    assert {
        "pseudonym": pseudonym("demo-case-0042", key=KEY),
        "jurisdiction": "SE",
        "municipality": "0180",
        "cycle": 1,
        "reporter": "professional",
        "age_band": "6-11",  # born 2016-09-21, reported 2026-02-09: 9 years
        "preliminary_outcome": "open_full_assessment",
        "full_assessment_decision": "support",
        "days_to_preliminary_decision": 10,  # 2026-02-09 -> 2026-02-19
        "days_to_full_assessment_decision": 53,  # 2026-02-20 -> 2026-04-14
        "stage": "support",
        "deadline_safety_assessment": "met",
        "deadline_preliminary": "met",
        "deadline_investigation": "met",
        "deadline_support_delivery": "met",
        "deadline_placement_review": None,  # support at home: no placement, no review clock
        "deadline_emergency_confirmation": None,  # never started
        "deadline_care_application": None,  # no immediate custody
        "area_child_needs_health": "some_concern",
        "area_child_needs_education": "serious_concern",
        "area_child_needs_identity": "strength",
        "measures": "contact_family;group_work;other;practical_family_support;school_support",
        "placement": "no",
    } == {
        key: row[key]
        for key in row
        if not key.startswith("area_")
        or key
        in {"area_child_needs_health", "area_child_needs_education", "area_child_needs_identity"}
    }


def test_every_row_of_a_batch_has_the_same_columns(records: list[dict[str, Any]]) -> None:
    """Deadline columns cover the rules of every jurisdiction in the batch, in the order
    of the shipped profiles; area columns come in form order."""
    rows = statistics(records, key=KEY)
    columns = list(rows[0])
    assert all(columns == list(row) for row in rows)
    deadline_columns = [column for column in columns if column.startswith("deadline_")]
    assert [
        "deadline_safety_assessment",
        "deadline_preliminary",
        "deadline_investigation",
        "deadline_support_delivery",
        "deadline_placement_review",
        "deadline_emergency_confirmation",
        "deadline_care_application",
        "deadline_reporter_receipt",
        "deadline_reporter_feedback",
        "deadline_investigation_feedback",
        "deadline_plan_evaluation",
        "deadline_emergency_placement",
    ] == deadline_columns
    assert AREAS_OF_FULL == [column for column in columns if column.startswith("area_")]
    assert [] == statistics([], key=KEY)


def test_a_row_of_each_path_of_the_lifecycle(records: list[dict[str, Any]]) -> None:
    rows = statistics(records[: len(PATHS)], key=KEY)  # Sweden, one row per path
    by_path = dict(zip(PATHS, rows, strict=True))
    closed = by_path["preliminary_closed"]
    assert ("close", None, None, "closed") == (
        closed["preliminary_outcome"],
        closed["full_assessment_decision"],
        closed["measures"],
        closed["stage"],
    )
    assert all(closed[column] is None for column in AREAS_OF_FULL)
    light = by_path["light_support"]
    assert ("light_support", 10, "support") == (
        light["preliminary_outcome"],
        light["days_to_preliminary_decision"],
        light["stage"],
    )
    assert light["measures"] is not None
    assert light["placement"] in {"yes", "no"}
    emergency = by_path["emergency"]
    assert (None, "no_measures", 32, "closed") == (
        emergency["preliminary_outcome"],
        emergency["full_assessment_decision"],
        emergency["days_to_full_assessment_decision"],  # opened on day 1, completed on day 33
        emergency["stage"],
    )
    assert emergency["deadline_emergency_confirmation"] == "met"
    # Closed (no measures) before a safety assessment and a care application: both clocks
    # stopped, never overdue.
    assert ("stopped", "stopped") == (
        emergency["deadline_safety_assessment"],
        emergency["deadline_care_application"],
    )
    reopened = by_path["reopened"]
    assert (2, "anonymous", "open_full_assessment", 5, "preliminary") == (
        reopened["cycle"],
        reopened["reporter"],
        reopened["preliminary_outcome"],
        reopened["days_to_preliminary_decision"],  # from the new report, not the first
        reopened["stage"],
    )
    full = by_path["full"]
    assert full["deadline_investigation"] in {"met", "met_late"}
    assert full["full_assessment_decision"] == "support"
    # A decision for support, then support within 3 months; no placement started: no review.
    assert ("met", None) == (full["deadline_support_delivery"], full["deadline_placement_review"])


def test_a_rows_deadline_is_the_status_of_the_rules_first_clock_of_the_cycle() -> None:
    """An additional report has a safety clock of its own; the row keeps the first report's."""
    case, used = build_case(0, path="light_support", reporter="parent")
    case = case.receive_report("professional", dt.date(2026, 6, 1), "w")  # not yet assessed
    document = record(case, used, today=dt.date(2026, 9, 1))
    safety = [d["status"] for d in document["deadlines"] if d["rule"] == "safety_assessment"]
    assert ["met", "overdue"] == safety
    [row] = statistics([document], key=KEY)
    assert "met" == row["deadline_safety_assessment"]


def test_the_areas_come_from_the_latest_completed_full_assessment() -> None:
    first = example("triangle.full.valid.json")
    second = copy.deepcopy(first)
    second["answers"]["child_needs"]["health"]["assessment"] = "not_assessed"
    draft = copy.deepcopy(first)
    draft["status"] = "in_progress"
    draft["answers"]["child_needs"]["health"]["assessment"] = "strength"
    case, _ = build_case(3, submissions={"full": first})
    [row] = statistics([record(case, [first, second, draft])], key=KEY)
    assert "not_assessed" == row["area_child_needs_health"]


def test_a_placement_is_a_measure_whose_value_ends_in_placement() -> None:
    """The built-in plan's placements are exactly the options whose help says so."""
    form = kindbehoeften.load_form("triangle.plan")
    measures = form.option_list("measures").options
    expected = {option.value for option in measures if option.help == "A placement out of home."}
    assert expected == {option.value for option in measures if option.value.endswith("_placement")}
    assert 4 == len(expected)
    plan = example("triangle.plan.valid.json")
    plan["answers"]["plan"]["goals"]["goals"][2]["measures"] = ["foster_care_placement"]
    case, used = build_case(4, path="light_support", submissions={"plan": plan})
    [row] = statistics([record(case, used)], key=KEY)
    assert ("yes", "foster_care_placement" in str(row["measures"]).split(";")) == (
        row["placement"],
        True,
    )


def test_a_damaged_record_is_refused_and_named_by_its_place() -> None:
    good = demo_record()
    edited = copy.deepcopy(good)
    edited["stage"] = "closed"
    with pytest.raises(InvalidRecordError) as caught:
        statistics([good, edited], key=KEY)
    assert ["(record 1 of the batch)"] == caught.value.__notes__
    altered = copy.deepcopy(good)
    altered["history"]["events"][0]["data"]["reporter"] = "parent"
    with pytest.raises(IntegrityError):
        statistics([altered], key=KEY)
    with pytest.raises(TypeError, match="iterable of records"):
        statistics(good, key=KEY)


def test_records_as_json_text_and_a_given_profile_are_read() -> None:
    document = demo_record()
    text = json.dumps(document)
    profiles = {"SE": kindbehoeften.load_profile("SE")}
    expected = statistics([document], key=KEY)
    assert expected == statistics([text, text.encode()], key=KEY, profiles=profiles)[:1]
    with pytest.raises(InvalidRecordError):
        statistics(["{not json"], key=KEY)


# --- the gate: only safe questions are read ----------------------------------------------------


def use_forms(monkeypatch: pytest.MonkeyPatch, *changed: Form) -> None:
    """Make the statistics see ``changed`` forms in place of the built-in ones (the records
    are still made and checked with the built-in forms)."""
    from kindbehoeften._exports import rows as _rows

    real = kindbehoeften.load_form
    by_id = {form.id: form for form in changed}
    monkeypatch.setattr(
        _rows,
        "find_form",
        lambda form_id, version: by_id.get(form_id) or real(form_id, version),
    )


def _changed_question(form: Form, path: tuple[str, ...], **changes: Any) -> Form:
    data = form.to_dict()
    section = next(s for s in data["sections"] if s["id"] == path[0])
    area = next(a for a in section["areas"] if a["id"] == path[1])
    holder = area
    for part in path[2:]:
        holder = next(q for q in holder["questions"] if q["id"] == part)
    holder.update(changes)
    return Form.from_dict(data)


@pytest.mark.parametrize(
    ("stage", "path", "changes", "reason"),
    [
        (
            "full",
            ("child_needs", "health", "assessment"),
            {"sensitivity": "personal"},
            "its sensitivity is personal",
        ),
        (
            "full",
            ("family_environment", "housing", "assessment"),
            {"sensitivity": "special_category"},
            "its sensitivity is special_category",
        ),
        (
            "plan",
            ("plan", "goals", "goals", "measures"),
            {"sensitivity": "personal"},
            "its sensitivity is personal",
        ),
        (
            "plan",
            ("plan", "goals", "goals"),
            {"sensitivity": "special_category"},
            "its group is special_category",
        ),
    ],
)
def test_a_form_that_marks_a_read_question_sensitive_stops_the_export(
    monkeypatch: pytest.MonkeyPatch,
    stage: str,
    path: tuple[str, ...],
    changes: dict[str, Any],
    reason: str,
) -> None:
    """Should a form change so that a question the statistics read becomes personal, the
    export stops instead of leaking."""
    form = kindbehoeften.load_form(f"triangle.{stage}")
    use_forms(monkeypatch, _changed_question(form, path, **changes))
    with pytest.raises(UnsafeFieldError) as caught:
        statistics([demo_record()], key=KEY)
    read = ".".join((*path, "measures") if path[-1] == "goals" else path)  # a group: its question
    assert (f"triangle.{stage}@1.0.0", read, reason) == (
        caught.value.form,
        caught.value.question,
        caught.value.reason,
    )
    assert isinstance(caught.value, KindbehoeftenError)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("stage", "path", "changes", "reason"),
    [
        (
            "full",
            ("child_needs", "health", "assessment"),
            {"type": "text", "options": None},
            "it is a text question",
        ),
        (
            "preliminary",
            ("intake", "child", "date_of_birth"),
            {"type": "text", "max": None},
            "it is a text question",
        ),
    ],
)
def test_a_form_that_turns_a_read_question_into_text_stops_the_export(
    monkeypatch: pytest.MonkeyPatch,
    stage: str,
    path: tuple[str, ...],
    changes: dict[str, Any],
    reason: str,
) -> None:
    form = kindbehoeften.load_form(f"triangle.{stage}")
    use_forms(monkeypatch, _changed_question(form, path, **changes))
    with pytest.raises(UnsafeFieldError, match=re.escape(reason)):
        statistics([demo_record()], key=KEY)


@pytest.mark.parametrize("birth_date", [None, "intake.child.no_such_question"])
def test_a_preliminary_form_without_a_birth_date_question_gives_unknown_ages(
    monkeypatch: pytest.MonkeyPatch, birth_date: str | None
) -> None:
    form = kindbehoeften.load_form("triangle.preliminary")
    use_forms(monkeypatch, form.model_copy(update={"birth_date": birth_date}))
    [row] = statistics([demo_record()], key=KEY)
    assert "unknown" == row["age_band"]


def test_a_plan_form_without_measures_gives_no_measures(monkeypatch: pytest.MonkeyPatch) -> None:
    data = kindbehoeften.load_form("triangle.plan").to_dict()
    goals = data["sections"][0]["areas"][0]["questions"][1]
    goals["questions"] = [q for q in goals["questions"] if q["id"] != "measures"]
    use_forms(monkeypatch, Form.from_dict(data))
    [row] = statistics([demo_record()], key=KEY)
    assert (None, None) == (row["measures"], row["placement"])


def test_the_gate_reads_no_type_of_question_but_the_safe_ones() -> None:
    """Even a caller inside the library cannot ask the gate for text or dates."""
    from kindbehoeften._exports.rows import _read

    form = kindbehoeften.load_form("triangle.preliminary")
    answers = example("triangle.preliminary.valid.json")["answers"]
    with pytest.raises(ValueError, match="never read date, text"):
        _read(form, answers, ("intake", "report", "reporter_name"), frozenset({"text", "date"}))
    with pytest.raises(UnsafeFieldError, match="it is a text question"):
        _read(form, answers, ("intake", "report", "reporter_name"), frozenset({"choice"}))
    assert ["school"] == _read(
        form, answers, ("intake", "report", "reporter_kind"), frozenset({"choice"})
    )


_AREA_VALUES: list[Any] = ["serious_concern", "", None, [], ["strength"], 3, True, {}]
_AREA_SHAPES: list[Any] = [
    *({"assessment": value} for value in _AREA_VALUES),
    {},
    {"other": "x"},
    None,
    "text",
    [],
    [{"assessment": "strength"}, {"assessment": ""}, "x"],
]
_SECTION_SHAPES: list[Any] = [
    *({"health": shape} for shape in _AREA_SHAPES),
    {},
    None,
    7,
    [{"health": {"assessment": "some_concern"}}, {"health": [{"assessment": "strength"}]}],
]


@pytest.mark.parametrize("section", _SECTION_SHAPES, ids=repr)
def test_an_area_of_plain_dicts_is_read_as_the_walk_of_any_mapping_reads_it(section: Any) -> None:
    """The short read of an area's question in plain dicts (as read from JSON) gives what the
    walk of the gate gives for any mapping, whatever the shape of the answers around it."""
    from types import MappingProxyType

    from kindbehoeften._exports.rows import _read

    form = kindbehoeften.load_form("triangle.full")
    path, choice = ("child_needs", "health", "assessment"), frozenset({"choice"})
    answers = {"child_needs": section}
    walked = _read(form, MappingProxyType(answers), path, choice)  # not a dict: the whole walk
    assert walked == _read(form, answers, path, choice)


def test_every_area_of_the_example_full_assessment_is_read_as_the_walk_reads_it() -> None:
    from types import MappingProxyType

    from kindbehoeften._exports.rows import _assessed_areas, _read

    form = kindbehoeften.load_form("triangle.full")
    answers = example("triangle.full.valid.json")["answers"]
    choice = frozenset({"choice"})
    found = [
        (
            _read(form, answers, (section, area, "assessment"), choice),
            _read(form, MappingProxyType(answers), (section, area, "assessment"), choice),
        )
        for section, area in _assessed_areas(form)
    ]
    assert [walked for _, walked in found] == [short for short, _ in found]
    assert any(short for short, _ in found)  # the example assesses areas: something is read


# --- the pseudonym -----------------------------------------------------------------------------


def test_the_same_case_and_key_give_the_same_pseudonym_another_key_another() -> None:
    first = pseudonym("case-1", key=KEY)
    assert first == pseudonym("case-1", key=KEY)
    assert first != pseudonym("case-1", key=b"another key of 16+ bytes")
    assert first != pseudonym("case-2", key=KEY)
    assert re.fullmatch("[0-9a-f]{32}", first)
    rows = statistics([demo_record(), demo_record(dt.date(2026, 12, 1))], key=KEY)
    assert rows[0]["pseudonym"] == rows[1]["pseudonym"]
    [other] = statistics([demo_record()], key=b"another key of 16+ bytes")
    assert rows[0]["pseudonym"] != other["pseudonym"]


@pytest.mark.parametrize("key", [None, b"", b"15 bytes only..", "a text key of 30 characters..."])
def test_no_key_or_a_short_key_means_no_export(key: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="secret key of at least 16 bytes") as caught:
        statistics([demo_record()], key=key)
    assert "without a key there is no export" in str(caught.value)
    assert "key" == caught.value.argument
    with pytest.raises(InvalidArgumentError, match="at least 16 bytes"):
        statistics([], key=key)
    with pytest.raises(InvalidArgumentError, match="at least 16 bytes"):
        pseudonym("case-1", key=key)


def test_the_pseudonym_is_the_documented_hmac() -> None:
    import hashlib
    import hmac

    expected = hmac.new(KEY, b"demo-case-0042", hashlib.sha256).hexdigest()[:32]
    assert expected == pseudonym("demo-case-0042", key=KEY)


# --- age bands ---------------------------------------------------------------------------------

REPORTED = dt.date(2026, 3, 10)


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (REPORTED, "0-2"),
        (dt.date(2023, 3, 11), "0-2"),  # turns 3 the day after the report
        (dt.date(2023, 3, 10), "3-5"),  # turns 3 on the day of the report
        (dt.date(2020, 3, 11), "3-5"),
        (dt.date(2020, 3, 10), "6-11"),
        (dt.date(2014, 3, 11), "6-11"),
        (dt.date(2014, 3, 10), "12-15"),
        (dt.date(2010, 3, 11), "12-15"),
        (dt.date(2010, 3, 10), "16-17"),
        (dt.date(2008, 3, 11), "16-17"),
        (dt.date(2008, 3, 10), "18+"),
        (dt.date(1990, 1, 1), "18+"),
        (REPORTED + dt.timedelta(days=1), "unknown"),  # born after the report
        (None, "unknown"),
    ],
)
def test_age_band_at_its_edges(born: dt.date | None, expected: str) -> None:
    assert expected == age_band(born, REPORTED)


def test_a_leap_day_birthday_counts_from_the_first_of_march() -> None:
    assert "0-2" == age_band(dt.date(2020, 2, 29), dt.date(2023, 2, 28))
    assert "3-5" == age_band(dt.date(2020, 2, 29), dt.date(2023, 3, 1))


def test_the_bands_cover_every_age_once() -> None:
    ages = [age for _, first, last in AGE_BANDS for age in range(first, (last or 30) + 1)]
    assert list(range(31)) == ages


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (dt.date(2014, 3, 10), "12-15"),  # the birthday on the report date
        (dt.date(2014, 3, 11), "6-11"),  # the birthday the day after
        (None, "unknown"),  # no date of birth in the preliminary assessment
    ],
)
def test_the_age_band_of_a_record_is_taken_at_the_report(
    born: dt.date | None, expected: str
) -> None:
    preliminary = example("triangle.preliminary.valid.json")
    child = preliminary["answers"]["intake"]["child"]
    if born is None:
        del child["date_of_birth"]
    else:
        child["date_of_birth"] = born.isoformat()
    case, used = build_case(
        5, path="preliminary_closed", reported=REPORTED, submissions={"preliminary": preliminary}
    )
    [row] = statistics([record(case, used)], key=KEY)
    assert expected == row["age_band"]


def test_a_draft_preliminary_assessment_gives_the_age_when_none_is_completed() -> None:
    draft = {
        "form": "triangle.preliminary",
        "form_version": "1.0.0",
        "status": "in_progress",
        "answers": {"intake": {"child": {"date_of_birth": "2014-03-10"}}},
    }
    case = Assessment.report(
        case_id="c", jurisdiction="NL", on=REPORTED, actor="w", reporter="parent"
    )
    [row] = statistics([record(case, [draft])], key=KEY)
    assert ("12-15", None, None, "reported") == (
        row["age_band"],
        row["preliminary_outcome"],
        row["measures"],
        row["stage"],
    )


# --- aggregates and suppression ----------------------------------------------------------------


def outcome_rows(**counts: int) -> list[dict[str, Any]]:
    rows = []
    for outcome, count in counts.items():
        value = None if outcome == "undecided" else outcome
        rows += [{"jurisdiction": "SE", "preliminary_outcome": value}] * count
    return rows


def deadline_rows(**counts: int) -> list[dict[str, Any]]:
    """Swedish rows with ``counts`` of each status of the preliminary deadline."""
    rows = []
    for status, count in counts.items():
        rows += [
            {
                "jurisdiction": "SE",
                "preliminary_outcome": None,
                "deadline_preliminary": status,
            }
        ] * count
    return rows


def test_a_count_of_min_cell_is_shown_and_one_below_is_suppressed() -> None:
    rows = deadline_rows(met=5, met_late=7, overdue=9, pending=6, stopped=8)
    [row] = aggregate(rows)["deadline_compliance"]
    expected = {"met": 5, "met_late": 7, "overdue": 9, "pending": 6, "stopped": 8}
    assert expected | {"suppressed": ""} == {key: row[key] for key in [*expected, "suppressed"]}
    rows = deadline_rows(met=4, met_late=7, overdue=9, pending=6, stopped=8)
    [row] = aggregate(rows)["deadline_compliance"]
    assert None is row["met"]
    assert "met" in str(row["suppressed"]).split(";")


def test_zero_counts_are_shown() -> None:
    [row] = aggregate(deadline_rows(met=12))["deadline_compliance"]
    assert (12, 0, 0, 0, 0, "") == (
        row["met"],
        row["met_late"],
        row["overdue"],
        row["pending"],
        row["stopped"],
        row["suppressed"],
    )


def test_a_lone_small_cell_takes_a_second_one_with_it() -> None:
    """With the row total known, a single hidden cell could be worked out: every zero of its
    row is hidden with it (both zeros, pending and stopped, never a chosen one), or, with no
    zero beside it, the first cell of the documented order (pending), however large. Given
    the row total, met_late can then be 0 to 2 (the 2 could be in pending or stopped) or 1 to
    3 (met_late and pending hold 8, pending 5 or more)."""
    [row] = aggregate(deadline_rows(met=20, met_late=2, overdue=9, pending=0, stopped=0))[
        "deadline_compliance"
    ]
    assert (20, None, 9, None, None, "met_late;pending;stopped", "") == (
        row["met"],
        row["met_late"],
        row["overdue"],
        row["pending"],
        row["stopped"],
        row["suppressed"],
        row["suppressed_large"],
    )
    [row] = aggregate(deadline_rows(met=20, met_late=2, overdue=9, pending=6, stopped=7))[
        "deadline_compliance"
    ]
    assert (20, None, 9, None, 7, "met_late;pending", "pending") == (
        row["met"],
        row["met_late"],
        row["overdue"],
        row["pending"],
        row["stopped"],
        row["suppressed"],
        row["suppressed_large"],
    )


def test_a_small_count_hides_every_zero_of_its_row_with_it() -> None:
    """met = 3 and four zeros: the zeros are all hidden with it, never a chosen one, so that
    no one can tell which of the cells marked small holds the count."""
    [row] = aggregate(deadline_rows(met=3))["deadline_compliance"]
    statuses = ("met", "met_late", "overdue", "pending", "stopped")
    assert [None] * 5 == [row[s] for s in statuses]
    assert (";".join(statuses), "") == (row["suppressed"], row["suppressed_large"])


def test_suppression_in_every_table_and_the_documented_example() -> None:
    rows = outcome_rows(close=12, light_support=3, open_full_assessment=30, undecided=6)
    [row] = aggregate(rows)["by_outcome"]
    assert {
        "jurisdiction": "SE",
        "close": 12,
        "universal_support": None,
        "light_support": None,
        "refer_other_service": None,
        "open_full_assessment": 30,
        "undecided": 6,
        "suppressed": "universal_support;light_support;refer_other_service",
        "suppressed_large": "",
    } == row
    assert list(TABLES["by_outcome"]) == list(row)


def area_rows(values: Sequence[str | None]) -> list[dict[str, Any]]:
    return [
        {"jurisdiction": "SE", "preliminary_outcome": None, "area_child_needs_health": value}
        for value in values
    ]


def test_areas_count_the_assessed_and_each_concern() -> None:
    counts = {"strength": 6, "no_concern": 4, "some_concern": 7, "serious_concern": 5}
    values: list[str | None] = [value for value, n in counts.items() for _ in range(n)]
    values += ["not_assessed"] * 3 + [None] * 2
    [row] = aggregate(area_rows(values))["by_area_concern"]
    assert {
        "area": "child_needs_health",
        "assessed": 22,
        "some_concern": 7,
        "serious_concern": 5,
        "suppressed": "",
        "suppressed_large": "",
    } == row
    assert list(TABLES["by_area_concern"]) == list(row)


def test_an_area_concern_that_the_published_total_would_give_away_is_protected() -> None:
    """A small concern hides both concerns: assessed = 11 and serious = 10 published would
    give some = 1, and the cases without concern, never published, protect it only when
    there are some (hiding serious only then would tell that there are none)."""
    [row] = aggregate(area_rows(["some_concern"] + ["serious_concern"] * 10))["by_area_concern"]
    assert (11, None, None, "some_concern;serious_concern", "serious_concern") == (
        row["assessed"],
        row["some_concern"],
        row["serious_concern"],
        row["suppressed"],
        row["suppressed_large"],
    )
    [row] = aggregate(area_rows(["no_concern"] * 2 + ["some_concern"] * 2))["by_area_concern"]
    assert (None, None, None, "assessed;some_concern;serious_concern") == (
        row["assessed"],
        row["some_concern"],
        row["serious_concern"],
        row["suppressed"],
    )
    assert [] == aggregate(area_rows(["not_assessed", None]))["by_area_concern"]


def test_deadlines_are_counted_per_jurisdiction_and_rule(records: list[dict[str, Any]]) -> None:
    rows = statistics(records, key=KEY)
    table = aggregate(rows, min_cell=1)["deadline_compliance"]
    assert all(row["suppressed"] == "" for row in table)
    pairs = [(row["jurisdiction"], row["rule"]) for row in table]
    assert ("SE", "safety_assessment") == pairs[0]
    assert ("NO", "reporter_feedback") in pairs
    assert ("SE", "reporter_feedback") not in pairs
    assert ("DK", "reporter_receipt") in pairs
    assert ("SE", "care_application") in pairs
    statuses = TABLES["deadline_compliance"][2:-2]
    assert ("met", "met_late", "overdue", "pending", "stopped") == statuses
    for row in table:
        started = sum(
            r[f"deadline_{row['rule']}"] is not None
            for r in rows
            if r["jurisdiction"] == row["jurisdiction"]
        )
        assert started == sum(int(row[status] or 0) for status in statuses)
    stopped = {(row["jurisdiction"], row["rule"]) for row in table if row["stopped"]}
    assert ("SE", "care_application") in stopped  # the emergency case closed before it
    outcomes = aggregate(rows, min_cell=1)["by_outcome"]
    assert list(kindbehoeften.JURISDICTIONS) == [row["jurisdiction"] for row in outcomes]
    assert len(rows) == sum(
        int(row[name] or 0) for row in outcomes for name in TABLES["by_outcome"][1:-2]
    )


@pytest.mark.parametrize("min_cell", [0, -1, True, 2.5, "5"])
def test_min_cell_must_be_a_whole_number_of_at_least_one(min_cell: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="min_cell") as caught:
        aggregate([], min_cell=min_cell)
    assert "min_cell" == caught.value.argument


def test_rows_without_what_aggregate_needs_are_refused_without_their_values() -> None:
    with pytest.raises(InvalidArgumentError, match="jurisdiction") as missing:
        aggregate([{"preliminary_outcome": "close"}])
    assert "rows" == missing.value.argument
    with pytest.raises(InvalidArgumentError, match="preliminary_outcome") as outcome:
        aggregate(
            [{"jurisdiction": "SE", "preliminary_outcome": "close"}] * 2
            + [{"jurisdiction": "SE", "preliminary_outcome": "maybe"}]
        )
    assert (
        "row 2 has a preliminary_outcome that is none of close, universal_support, "
        "light_support, refer_other_service, open_full_assessment; make rows with "
        "export.statistics()"
    ) == str(outcome.value)
    with pytest.raises(InvalidArgumentError, match="deadline_preliminary") as status:
        aggregate([{"jurisdiction": "SE", "deadline_preliminary": "soon"}])
    assert "soon" not in str(status.value)


# --- CSV and Parquet ---------------------------------------------------------------------------


def test_csv_has_a_header_and_the_rows_in_column_order(records: list[dict[str, Any]]) -> None:
    rows = statistics(records[:3], key=KEY)
    text = to_csv(rows)
    assert text.endswith("\r\n")
    assert text.count("\r\n") == 4
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert list(rows[0]) == read[0]
    assert [["" if v is None else str(v) for v in row.values()] for row in rows] == read[1:]


def test_csv_of_an_aggregate_marks_hidden_cells() -> None:
    rows = deadline_rows(met=20, met_late=2, overdue=9, pending=6, stopped=7)
    table = aggregate(rows)["deadline_compliance"]
    assert [
        "jurisdiction,rule,met,met_late,overdue,pending,stopped,suppressed,suppressed_large",
        "SE,preliminary,20,<5,9,x,7,met_late;pending,pending",
    ] == to_csv(table).splitlines()
    table = aggregate(rows, min_cell=3)["deadline_compliance"]
    assert (
        "SE,preliminary,20,<3,9,x,7,met_late;pending,pending"
        == to_csv(table, min_cell=3).splitlines()[1]
    )


def test_csv_refuses_a_table_aggregated_with_a_smaller_min_cell() -> None:
    table = aggregate(deadline_rows(met=20, met_late=3, overdue=9, pending=6), min_cell=3)
    with pytest.raises(InvalidArgumentError, match="min_cell") as caught:
        to_csv(table["deadline_compliance"])
    assert "min_cell" == caught.value.argument


def test_csv_of_no_rows_is_a_header_when_the_columns_are_named() -> None:
    assert "" == to_csv([])
    assert ",".join(TABLES["by_outcome"]) + "\r\n" == to_csv([], columns=TABLES["by_outcome"])
    with pytest.raises(InvalidArgumentError, match="one table per call") as caught:
        to_csv([{"a": 1}, {"b": 2}])
    assert "rows" == caught.value.argument


def test_parquet_round_trips_with_types(records: list[dict[str, Any]], tmp_path: Path) -> None:
    rows = statistics(records, key=KEY)
    to_parquet(rows, tmp_path / "rows.parquet")
    table = pq.read_table(tmp_path / "rows.parquet")
    assert rows == table.to_pylist()
    assert "int64" == str(table.schema.field("days_to_preliminary_decision").type)
    assert "string" == str(table.schema.field("pseudonym").type)
    aggregated = aggregate(rows)["deadline_compliance"]
    to_parquet(aggregated, tmp_path / "deadlines.parquet")
    assert aggregated == pq.read_table(tmp_path / "deadlines.parquet").to_pylist()
    to_parquet([], tmp_path / "empty.parquet", columns=TABLES["by_outcome"])
    empty = pq.read_table(tmp_path / "empty.parquet")
    assert (list(TABLES["by_outcome"]), 0) == (empty.column_names, empty.num_rows)
    assert "int64" == str(empty.schema.field("close").type)


def test_parquet_refuses_a_column_of_mixed_types(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="column a mixes int, str"):
        to_parquet([{"a": 1}, {"a": "x"}], tmp_path / "mixed.parquet")


def test_without_pyarrow_parquet_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingDependencyError) as caught:
        to_parquet([{"a": 1}], tmp_path / "rows.parquet")
    assert 'pip install "kindbehoeften[parquet]"' in str(caught.value)
    assert isinstance(caught.value, ImportError)
    assert isinstance(caught.value, KindbehoeftenError)
    assert not (tmp_path / "rows.parquet").exists()


@pytest.mark.parametrize("section", _SECTION_SHAPES, ids=repr)
def test_the_areas_of_a_full_assessment_are_the_choices_the_gate_reads(section: Any) -> None:
    """A row's area columns, read with the gate's verdicts asked once a form, are what
    reading each area's assessment through the gate (:func:`_read`) gives, as a choice."""
    from kindbehoeften._exports.rows import _area_choices, _assessed_areas, _Forms, _read

    form = kindbehoeften.load_form("triangle.full")
    examples = example("triangle.full.valid.json")["answers"]
    choice = frozenset({"choice"})
    for answers in ({"child_needs": section}, examples, {**examples, "child_needs": section}):
        expected = {}
        for section_id, area_id in _assessed_areas(form):
            values = _read(form, answers, (section_id, area_id, "assessment"), choice) or []
            first = values[0] if values and isinstance(values[0], str) else None
            expected[f"area_{section_id}_{area_id}"] = first
        assert expected == _area_choices(_Forms(), form, answers)


@pytest.mark.parametrize(
    "rows", [[1], ["SE"], [("jurisdiction", "SE")], [{"jurisdiction": "SE"}, None]]
)
def test_rows_that_are_no_mappings_are_a_type_error_saying_where(rows: list[Any]) -> None:
    """aggregate and to_csv take rows of column -> value; anything else is the calling
    code's mistake, named with its place, not an AttributeError from inside."""
    for call in (aggregate, to_csv):
        with pytest.raises(TypeError, match=r"rows must be mappings of a column to its value"):
            call(rows)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_text_a_spreadsheet_would_read_as_a_formula_is_written_as_text(start: str) -> None:
    """A municipality is the caller's text: a cell starting with = + - @ TAB or CR would be
    run as a formula by a spreadsheet opening the file (CWE-1236), so it gets a leading '."""
    text = start + 'HYPERLINK("http://example.org","x")'
    written = to_csv([{"municipality": text, "cycle": -1}])
    assert [["municipality", "cycle"], ["'" + text, "-1"]] == list(
        csv.reader(io.StringIO(written, newline=""))
    )
