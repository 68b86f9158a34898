"""The store: one suite, run against each back end (SQLite and a real PostgreSQL server).

Processes writing at once and processes killed mid-write are in ``test_store_processes.py``;
answers leaving the store's files on erasure in ``test_store_erasure.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kindbehoeften
from kindbehoeften import (
    Assessment,
    CaseSummary,
    ConflictError,
    IntegrityError,
    InvalidArgumentError,
    InvalidSubmissionError,
    KindbehoeftenError,
    Store,
    StoreError,
    TransitionError,
    UnknownCaseError,
    UnknownSubmissionError,
    open_store,
)
from kindbehoeften._core.canonical import submission_digest
from kindbehoeften._store import base
from strategies import assessments

pytestmark = pytest.mark.timeout(120)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MONDAY = dt.date(2026, 11, 2)


def reported(
    case_id: str = "case-1",
    *,
    on: dt.date = MONDAY,
    municipality: str | None = None,
    jurisdiction: str = "SE",
) -> Assessment:
    return Assessment.report(
        case_id=case_id,
        jurisdiction=jurisdiction,
        on=on,
        actor="worker-1",
        reporter="professional",
        municipality=municipality,
    )


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return document


def execute(url: str, statements: list[str]) -> None:
    """Run SQL on the store's database behind the library's back, as an intruder with
    access to the database could (the append-only triggers dropped first where asked)."""
    if url.startswith("sqlite:"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        try:
            for statement in statements:
                connection.execute(statement)
        finally:
            connection.close()
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)


def drop_append_only(url: str) -> list[str]:
    if url.startswith("sqlite:"):
        return ["DROP TRIGGER events_no_update", "DROP TRIGGER events_no_delete"]
    return ["DROP TRIGGER events_append_only ON events"]


# --- cases and events ----------------------------------------------------------------------


def test_a_created_case_reads_back_equal_with_its_head(store: Store) -> None:
    case = reported().assess_safety(MONDAY, "worker-1")
    head = store.create(case)
    assert case.head == head
    assert case == store.get("case-1")
    assert case.head == store.get("case-1").head


def test_append_stores_the_new_events_after_the_expected_head(store: Store) -> None:
    case = reported()
    head = store.create(case)
    for day in range(1, 4):
        case = store.get("case-1").inform_reporter(MONDAY + dt.timedelta(days=day), "w-2")
        head = store.append("case-1", case, expected_head=head)
    stored = store.get("case-1")
    assert case == stored
    assert head == stored.head
    assert [1, 2, 3, 4] == [event.seq for event in stored.events]


def test_append_stores_several_new_events_at_once(store: Store) -> None:
    head = store.create(reported())
    case = store.get("case-1").assess_safety(MONDAY, "w").start_preliminary(MONDAY, "w")
    assert case.head == store.append("case-1", case, expected_head=head)
    assert "preliminary" == store.get("case-1").stage


def test_an_append_without_new_events_writes_nothing(store: Store) -> None:
    case = reported()
    head = store.create(case)
    assert head == store.append("case-1", case, expected_head=head)
    assert 1 == len(store.get("case-1").events)


def test_creating_a_stored_case_again_is_a_conflict_and_writes_nothing(store: Store) -> None:
    first = reported()
    store.create(first)
    tuesday = MONDAY + dt.timedelta(days=1)
    other = reported(on=tuesday).assess_safety(tuesday, "w")
    with pytest.raises(ConflictError) as caught:
        store.create(other)
    assert ("exists", first.head, None) == (
        caught.value.reason,
        caught.value.head,
        caught.value.expected,
    )
    assert first == store.get("case-1")


def test_a_stale_expected_head_is_a_conflict_naming_the_stored_head(store: Store) -> None:
    """Two writers read the same head; the second to append gets ConflictError, and nothing
    of its step is written."""
    head = store.create(reported())
    mine = store.get("case-1").inform_reporter(MONDAY, "writer-a")
    theirs = store.get("case-1").hear_child(MONDAY, "writer-b")
    new_head = store.append("case-1", theirs, expected_head=head)
    with pytest.raises(ConflictError) as caught:
        store.append("case-1", mine, expected_head=head)
    assert ("head_moved", new_head, head) == (
        caught.value.reason,
        caught.value.head,
        caught.value.expected,
    )
    assert new_head in str(caught.value)
    assert theirs == store.get("case-1")


def test_the_retry_recipe_of_the_docs_gets_the_step_stored(store: Store) -> None:
    head = store.create(reported())
    store.append("case-1", store.get("case-1").hear_child(MONDAY, "b"), expected_head=head)
    for _ in range(3):  # the recipe of docs/storage.md
        case = store.get("case-1")
        try:
            store.append("case-1", case.inform_reporter(MONDAY, "a"), expected_head=case.head)
            break
        except ConflictError:
            continue
    assert ["report_received", "child_heard", "reporter_informed"] == [
        event.kind for event in store.get("case-1").events
    ]


def test_an_assessment_that_does_not_continue_the_history_is_a_conflict(store: Store) -> None:
    head = store.create(reported())
    tuesday = MONDAY + dt.timedelta(days=1)
    elsewhere = reported(on=tuesday).hear_child(tuesday, "w")  # another report of case-1
    with pytest.raises(ConflictError) as caught:
        store.append("case-1", elsewhere, expected_head=head)
    assert "not_continued" == caught.value.reason
    assert 1 == len(store.get("case-1").events)


def test_events_dated_before_the_last_are_refused_and_nothing_is_written(store: Store) -> None:
    """The lifecycle refuses a step dated before the last event; a stale writer whose step is
    dated before events stored since cannot append it either."""
    later = MONDAY + dt.timedelta(days=5)
    head = store.create(reported())
    stale = store.get("case-1")
    head = store.append("case-1", stale.hear_child(later, "b"), expected_head=head)
    with pytest.raises(TransitionError, match="before the last event"):
        store.get("case-1").inform_reporter(MONDAY, "a")
    with pytest.raises(ConflictError):
        store.append("case-1", stale.inform_reporter(MONDAY, "a"), expected_head=stale.head)
    assert [MONDAY, later] == [event.on for event in store.get("case-1").events]
    assert head == store.get("case-1").head


def test_append_to_an_unknown_case_and_of_another_case(store: Store) -> None:
    case = reported("case-2")
    with pytest.raises(UnknownCaseError) as caught:
        store.append("case-2", case, expected_head=case.head)
    assert "case-2" == caught.value.case_id
    store.create(reported("case-1"))
    with pytest.raises(InvalidArgumentError):
        store.append("case-1", case, expected_head=case.head)
    assert [] == [summary for summary in store.cases() if summary.case_id == "case-2"]


def test_an_unknown_case_is_a_lookup_error(store: Store) -> None:
    with pytest.raises(UnknownCaseError) as caught:
        store.get("nobody")
    assert isinstance(caught.value, LookupError)
    assert isinstance(caught.value, KindbehoeftenError)
    assert (
        "no case 'nobody' in the store; store.create(assessment) stores a new case, and "
        "store.cases() lists the stored ones." == str(caught.value)
    )


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda store: store.get(1), TypeError),
        (lambda store: store.create({"case_id": "x"}), TypeError),
        (lambda store: store.append("c", "events", expected_head="x"), TypeError),
        (lambda store: store.append("c", reported("c"), expected_head=None), TypeError),
        (lambda store: store.put_submission("c", ["not", "a", "dict"]), TypeError),
        (lambda store: store.get_submission("c", b"digest"), TypeError),
        (lambda store: list(store.cases(stage="open")), InvalidArgumentError),
        (lambda store: list(store.cases(municipality=3)), TypeError),
        (lambda store: list(store.cases(after=3)), TypeError),
        (lambda store: list(store.cases(overdue_on="2026-11-20")), InvalidArgumentError),
        (
            lambda store: list(store.cases(overdue_on=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))),
            InvalidArgumentError,
        ),
    ],
)
def test_arguments_of_the_wrong_kind_are_refused(
    store: Store, call: Callable[[Store], object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        call(store)


def test_case_ids_of_any_text_are_stored_as_given(store: Store) -> None:
    ids = ["Zürich/2026 #1", "ärende 7", "案件-3", "a'; DROP TABLE events; --", "x" * 128]
    for case_id in ids:
        store.create(reported(case_id))
    assert sorted(ids, key=lambda text: text.encode("utf-8")) == [
        summary.case_id for summary in store.cases()
    ]
    assert all(reported(case_id) == store.get(case_id) for case_id in ids)


@pytest.mark.parametrize("case_id", ["a\x00b", "\x00", "\n"])
def test_a_case_id_that_no_case_can_have_is_an_unknown_case(store: Store, case_id: str) -> None:
    """A case id with a NUL or a line break (which no stored case id holds: an event refuses
    both) is an unknown case for every back end, never an error of its driver; listing by
    such a municipality finds nothing. (A lone surrogate is no text at all: an invalid
    argument, below.)"""
    store.create(reported("case-1", municipality="Uppsala"))
    valid = json.loads((EXAMPLES / "triangle.full.valid.json").read_text("utf-8"))
    digest = submission_digest(valid)
    calls: list[Callable[[], object]] = [
        lambda: store.get(case_id),
        lambda: store.put_submission(case_id, valid),
        lambda: store.get_submission(case_id, digest),
        lambda: store.erase_submissions(case_id),
    ]
    for call in calls:
        with pytest.raises(UnknownCaseError) as caught:
            call()
        assert case_id == caught.value.case_id
    assert [] == list(store.cases(municipality=case_id))
    assert ["case-1"] == [summary.case_id for summary in store.cases()]


class _Raising(str):
    """A caller's str subclass whose comparisons and hash raise: the store reads its text."""

    __slots__ = ()

    def _raise(self, *args: object) -> Any:
        raise RuntimeError("the store called a method of a caller's text")

    __eq__ = __ne__ = __lt__ = __gt__ = __le__ = __ge__ = _raise
    __hash__ = _raise  # type: ignore[assignment]


def test_a_str_subclass_is_read_as_its_text_by_every_method(store: Store) -> None:
    case = reported("case-1", municipality="Uppsala")
    head = store.create(case)
    valid = json.loads((EXAMPLES / "triangle.full.valid.json").read_text("utf-8"))
    stepped = case.assess_safety(MONDAY, "worker-1")
    store.append(_Raising("case-1"), stepped, expected_head=_Raising(head))
    digest = store.put_submission(_Raising("case-1"), valid)
    assert valid == store.get_submission(_Raising("case-1"), _Raising(digest))
    assert stepped == store.get(_Raising("case-1"))
    listed = store.cases(
        municipality=_Raising("Uppsala"), stage=_Raising("reported"), after=_Raising("")
    )
    assert ["case-1"] == [summary.case_id for summary in listed]
    assert 1 == store.erase_submissions(_Raising("case-1"))


# --- listing cases -----------------------------------------------------------------------------


def test_cases_sums_each_case_up(store: Store) -> None:
    case = reported("case-1", municipality="Uppsala").assess_safety(MONDAY, "w")
    store.create(case)
    due = case.deadlines()
    expected = CaseSummary(
        case_id="case-1",
        jurisdiction="SE",
        municipality="Uppsala",
        stage="reported",
        head=case.head,
        events=2,
        next_due_on=min(d.due_on for d in due if d.status == "pending"),
    )
    assert [expected] == list(store.cases())


def test_cases_filters_by_municipality_stage_and_overdue_date(store: Store) -> None:
    store.create(reported("a", municipality="Uppsala"))
    store.create(reported("b", municipality="Lund").assess_safety(MONDAY, "w"))
    store.create(reported("c", municipality="Uppsala").close("no_concern", MONDAY, "w"))
    assert ["a", "c"] == [s.case_id for s in store.cases(municipality="Uppsala")]
    assert ["c"] == [s.case_id for s in store.cases(stage="closed")]
    assert ["a", "b"] == [s.case_id for s in store.cases(stage="reported")]
    # SE: safety within 1 day (a), preliminary within 14 days (a, b); closed cases stop
    assert [] == [s.case_id for s in store.cases(overdue_on=dt.date(2026, 11, 3))]
    assert ["a"] == [s.case_id for s in store.cases(overdue_on=dt.date(2026, 11, 4))]
    assert ["a", "b"] == [s.case_id for s in store.cases(overdue_on=dt.date(2026, 11, 17))]
    assert ["a"] == [
        s.case_id for s in store.cases(municipality="Uppsala", overdue_on=dt.date(2027, 1, 1))
    ]


def test_cases_after_an_id_goes_on_from_it_in_id_order(store: Store) -> None:
    for case_id, municipality in [("a", "Lund"), ("b", "Uppsala"), ("c", "Lund"), ("d", "Lund")]:
        store.create(reported(case_id, municipality=municipality))
    assert ["c", "d"] == [s.case_id for s in store.cases(after="b")]
    assert ["c", "d"] == [s.case_id for s in store.cases(after="a", municipality="Lund")]
    assert ["b", "c", "d"] == [s.case_id for s in store.cases(after="aa")]  # need not be stored
    assert [] == [s.case_id for s in store.cases(after="d")]
    assert ["a", "b", "c", "d"] == [s.case_id for s in store.cases(after="")]


def test_cases_reads_page_after_page(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "PAGE", 3)
    ids = [f"case-{number:02}" for number in range(8)]
    for case_id in ids:
        store.create(reported(case_id))
    assert ids == [s.case_id for s in store.cases()]
    assert ids == [s.case_id for s in store.cases(overdue_on=dt.date(2027, 1, 1))]


def test_the_summary_follows_each_append(store: Store) -> None:
    head = store.create(reported("case-1", municipality="Uppsala"))
    case = store.get("case-1").transfer("Lund", MONDAY, "w").close("moved", MONDAY, "w")
    store.append("case-1", case, expected_head=head)
    (summary,) = store.cases()
    assert ("Lund", "closed", None, 3) == (
        summary.municipality,
        summary.stage,
        summary.next_due_on,
        summary.events,
    )


def overdue(case: Assessment, day: dt.date) -> bool:
    return any(deadline.status == "overdue" for deadline in case.deadlines(day))


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cases=st.lists(
        assessments(max_steps=10), min_size=1, max_size=6, unique_by=lambda a: a.case_id
    ),
    days=st.lists(
        st.dates(min_value=dt.date(2019, 12, 1), max_value=dt.date(2032, 12, 31)), max_size=4
    ),
)
def test_overdue_cases_are_exactly_those_with_an_overdue_rule(
    new_store_url: Callable[[], str], cases: list[Assessment], days: list[dt.date]
) -> None:
    """``cases(overdue_on=D)`` is, on generated histories, exactly the cases whose
    ``deadlines(D)`` has an overdue rule: for each case's due dates, the days around them."""
    with open_store(new_store_url()) as store:
        for case in cases:
            store.create(case)
        probes = set(days)
        for case in cases:
            for deadline in case.deadlines():
                probes |= {deadline.due_on + dt.timedelta(days=shift) for shift in (0, 1)}
        for day in sorted(probes):
            expected = sorted(case.case_id for case in cases if overdue(case, day))
            assert expected == [summary.case_id for summary in store.cases(overdue_on=day)]


def test_due_dates_are_computed_again_for_another_library_or_profiles(store: Store) -> None:
    """A store written by another version (or other profiles) has its stored due dates
    computed again before it answers an overdue query."""
    store.create(reported("a"))
    store.create(reported("b").close("no_concern", MONDAY, "w"))
    url = store.url
    store.close()
    execute(
        url,
        [
            "UPDATE cases SET next_due = NULL WHERE case_id = 'a'",
            "UPDATE cases SET next_due = '2026-01-01' WHERE case_id = 'b'",
            "UPDATE meta SET value = 'an older library' WHERE key = 'deadlines'",
        ],
    )
    with open_store(url) as reopened:
        assert ["a"] == [s.case_id for s in reopened.cases(overdue_on=dt.date(2026, 12, 1))]
        assert 0 == reopened.refresh_deadlines()


# --- submissions -------------------------------------------------------------------------------


def test_a_submission_is_stored_by_the_digest_its_step_records(store: Store) -> None:
    submission = example("triangle.preliminary.valid.json")
    text = (EXAMPLES / "triangle.preliminary.valid.json").read_text(encoding="utf-8")
    case = reported().start_preliminary(MONDAY, "w")
    store.create(case)
    digest = store.put_submission("case-1", text.encode("utf-8"))
    assert digest == store.put_submission("case-1", text)
    assert digest == store.put_submission("case-1", submission)
    decided = case.decide_preliminary(None, submission, MONDAY + dt.timedelta(days=7), "w")
    assert digest == decided.events[-1].data.submission_digest  # type: ignore[union-attr]
    assert digest == submission_digest(submission)
    assert submission == store.get_submission("case-1", digest)


def test_a_step_and_its_submission_are_stored_together(store: Store) -> None:
    submission = example("triangle.preliminary.valid.json")
    case = reported().start_preliminary(MONDAY, "w")
    store.create(case)
    decided = case.decide_preliminary(None, submission, MONDAY + dt.timedelta(days=7), "w")
    head = store.append("case-1", decided, expected_head=case.head, submissions=[submission])
    digest = decided.events[-1].data.submission_digest  # type: ignore[union-attr]
    assert head == store.get("case-1").head
    assert submission == store.get_submission("case-1", digest)


def test_a_refused_append_stores_none_of_its_submissions(store: Store) -> None:
    submission = example("triangle.preliminary.valid.json")
    case = reported().start_preliminary(MONDAY, "w")
    store.create(case)
    decided = case.decide_preliminary(None, submission, MONDAY + dt.timedelta(days=7), "w")
    digest = decided.events[-1].data.submission_digest  # type: ignore[union-attr]
    with pytest.raises(ConflictError):
        store.append("case-1", decided, expected_head="0" * 64, submissions=[submission])
    with pytest.raises(UnknownSubmissionError):
        store.get_submission("case-1", digest)
    with pytest.raises(InvalidSubmissionError):
        store.append(
            "case-1",
            decided,
            expected_head=case.head,
            submissions=[submission, example("triangle.preliminary.invalid.json")],
        )
    assert case.head == store.get("case-1").head
    with pytest.raises(UnknownSubmissionError):
        store.get_submission("case-1", digest)


def test_an_invalid_submission_is_refused_without_showing_its_answers(store: Store) -> None:
    store.create(reported())
    submission = example("triangle.preliminary.invalid.json")
    with pytest.raises(InvalidSubmissionError) as caught:
        store.put_submission("case-1", submission)
    assert caught.value.codes
    assert "the submission is not valid:" in str(caught.value)
    for text in _texts(submission):
        if len(text) > 12:
            assert text not in str(caught.value)
    with pytest.raises(InvalidSubmissionError):
        store.put_submission("case-1", b'{"form": "triangle.plan", "form": 1}')


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def test_a_submission_for_an_unknown_case_is_refused(store: Store) -> None:
    with pytest.raises(UnknownCaseError):
        store.put_submission("nobody", example("triangle.plan.valid.json"))
    with pytest.raises(UnknownCaseError):
        store.get_submission("nobody", "0" * 64)
    with pytest.raises(UnknownCaseError):
        store.erase_submissions("nobody")


def test_a_key_with_a_nul_is_of_no_stored_case_on_every_back_end(store: Store) -> None:
    """PostgreSQL's text cannot hold a NUL: the store answers for it as for any id it does
    not hold, never with the database's error."""
    store.create(reported("case-1"))
    for call in (
        lambda: store.get("case-1\x00"),
        lambda: store.put_submission("case-1\x00", example("triangle.plan.valid.json")),
        lambda: store.get_submission("case-1\x00", "0" * 64),
        lambda: store.erase_submissions("case-1\x00"),
    ):
        with pytest.raises(UnknownCaseError):
            call()
    assert [] == list(store.cases(municipality="Uppsala\x00"))
    assert ["case-1"] == [summary.case_id for summary in store.cases(after="\x00")]
    assert [] == list(store.cases(after="case-1\x00"))


@pytest.mark.parametrize("digest", ["0" * 64, "not a digest", "A" * 64, ""])
def test_an_unknown_digest_is_a_lookup_error(store: Store, digest: str) -> None:
    store.create(reported())
    with pytest.raises(UnknownSubmissionError) as caught:
        store.get_submission("case-1", digest)
    assert isinstance(caught.value, LookupError)
    assert ("case-1", digest) == (caught.value.case_id, caught.value.digest)


def test_erasure_removes_the_answers_and_keeps_a_verifiable_history(store: Store) -> None:
    submission = example("triangle.preliminary.valid.json")
    case = reported().start_preliminary(MONDAY, "w")
    head = store.create(case)
    store.create(reported("other"))
    digest = store.put_submission("case-1", submission)
    kept = store.put_submission("other", submission)
    draft = store.put_submission("case-1", example("triangle.plan.draft.json"))
    case = case.decide_preliminary(None, submission, MONDAY + dt.timedelta(days=3), "w")
    head = store.append("case-1", case, expected_head=head)
    assert 2 == store.erase_submissions("case-1")
    for gone in (digest, draft):
        with pytest.raises(UnknownSubmissionError):
            store.get_submission("case-1", gone)
    stored = store.get("case-1")
    assert case == stored
    assert head == stored.head
    assert digest == stored.events[-1].data.submission_digest  # type: ignore[union-attr]
    assert submission == store.get_submission("other", kept)
    assert 0 == store.erase_submissions("case-1")


# --- tampering ---------------------------------------------------------------------------------


def three_events(store: Store) -> Assessment:
    head = store.create(reported())
    case = store.get("case-1").assess_safety(MONDAY, "w").inform_reporter(MONDAY, "w")
    store.append("case-1", case, expected_head=head)
    return case


def test_the_store_refuses_to_change_or_remove_an_event(store: Store) -> None:
    """The events table is append-only: UPDATE and DELETE are refused by the database."""
    three_events(store)
    for statement in (
        "UPDATE events SET body = body WHERE seq = 2",
        "DELETE FROM events WHERE seq = 3",
    ):
        with pytest.raises(Exception, match="append-only"):
            execute(store.url, [statement])
    assert 3 == len(store.get("case-1").events)


@pytest.mark.parametrize(
    ("change", "code", "seq"),
    [
        ("UPDATE events SET body = replace(body, '\"worker-1\"', '\"worker-9\"') WHERE seq = 1",
         "hash", 1),
        ("UPDATE events SET body = replace(body, '\"2026-11-02\"', '\"2026-11-01\"') WHERE seq = 2",
         "hash", 2),
        ("UPDATE events SET body = replace(body, '\"seq\":2', '\"seq\": 2') WHERE seq = 2",
         "not_canonical", 2),
        ("UPDATE events SET body = '{\"seq\": 2' WHERE seq = 2", "invalid_event", 2),
        ("DELETE FROM events WHERE seq = 2", "seq", 2),
        ("DELETE FROM events WHERE seq = 3", "head", 2),
        ("DELETE FROM events", "empty", None),
        ("UPDATE cases SET head = '" + "0" * 64 + "'", "head", 3),
    ],
)  # fmt: skip
def test_a_changed_or_removed_event_is_found_on_get(
    store: Store, change: str, code: str, seq: int | None
) -> None:
    three_events(store)
    execute(store.url, [*drop_append_only(store.url), change])
    with pytest.raises(IntegrityError) as caught:
        store.get("case-1")
    assert (code, seq) == (caught.value.code, caught.value.seq)


# --- opening stores ----------------------------------------------------------------------------


def test_a_store_of_a_newer_schema_is_refused_naming_the_version_it_needs(store: Store) -> None:
    url = store.url
    store.close()
    execute(
        url,
        [
            "UPDATE meta SET value = '2' WHERE key = 'schema_version'",
            "UPDATE meta SET value = '9.1.0' WHERE key = 'library'",
        ],
    )
    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert "schema" == caught.value.reason
    assert "schema version 2" in str(caught.value)
    assert "Install kindbehoeften 9.1.0 or later" in str(caught.value)


def test_a_database_that_holds_something_else_is_not_a_store(store_url: str) -> None:
    execute(store_url, ["CREATE TABLE cases (id integer)"])
    with pytest.raises(StoreError) as caught:
        open_store(store_url)
    assert "not_a_store" == caught.value.reason


def test_a_sqlite_database_of_another_program_is_refused_as_it_was_found(
    tmp_path: Path,
) -> None:
    """No table of ours in it, and its journal mode unchanged: nothing written at all."""
    path = tmp_path / "notes.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (body TEXT)")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        open_store(f"sqlite:///{path}")
    assert "not_a_store" == caught.value.reason
    assert before == path.read_bytes()
    assert ["notes.db"] == [item.name for item in tmp_path.iterdir()]


@pytest.mark.parametrize(
    "call",
    [
        lambda store: store.get("case-\udcff"),
        lambda store: list(store.cases(municipality="\udcff")),
        lambda store: list(store.cases(after="\udcff")),
        lambda store: store.get_submission("case-\udcff", "0" * 64),
        lambda store: store.erase_submissions("case-\udcff"),
    ],
    ids=["get", "cases-municipality", "cases-after", "get_submission", "erase_submissions"],
)
def test_an_id_that_is_no_text_of_unicode_is_an_invalid_argument(
    store: Store, call: Callable[[Store], object]
) -> None:
    """A lone surrogate (an undecodable byte of a command line) cannot be stored: it is
    refused by name, not a UnicodeEncodeError of the database driver."""
    with pytest.raises(InvalidArgumentError) as caught:
        call(store)
    assert "not valid text" in str(caught.value)


def test_a_store_opens_again_with_what_it_holds(store: Store) -> None:
    case = three_events(store)
    url = store.url
    store.close()
    with open_store(url) as again:
        assert case == again.get("case-1")


def test_a_closed_store_says_so(store: Store) -> None:
    store.close()
    store.close()
    assert "closed" in repr(store)
    with pytest.raises(ValueError, match="closed"):
        store.get("case-1")


@pytest.mark.parametrize(
    "url",
    [
        "mysql://localhost/cases",
        "kindbehoeften.db",
        "",
        "sqlite://host/cases.db",
        "sqlite:cases.db",
        "sqlite:///",
        "sqlite:///cases.db?mode=ro",
        "sqlite:///cases.db?timeout=soon",
        "sqlite:///cases.db?timeout=-1",
        "postgresql://localhost:notaport/db",
        "postgresql:///db?host=/nonexistent&sslmode=sometimes",
        "postgresql:///db?host=/nonexistent&no_such_parameter=1",
    ],
)
def test_a_url_that_names_no_store_is_refused(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert caught.value.reason in {"url", "unreachable"}
    assert isinstance(caught.value, OSError)
    assert [] == list(tmp_path.iterdir())


def test_a_url_that_is_no_text_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        open_store(Path("cases.db"))  # type: ignore[arg-type]


def test_an_unreachable_server_is_a_store_error_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://kb:s3cret-pw@/postgres?host={tmp_path}/nowhere&connect_timeout=2"
    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert "unreachable" == caught.value.reason
    assert "s3cret-pw" not in str(caught.value)
    assert "s3cret-pw" not in repr(caught.value)


def chained(error: BaseException | None) -> str:
    """The messages of an error and of every error a traceback would show with it."""
    texts = []
    while error is not None:
        texts += [repr(error), str(error)]
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return "\n".join(texts)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://kb:s3cret-pw@[::1/kb",  # libpq quotes the whole URL
        "postgresql://kb:s3cret-pw%zz@db.example/kb",  # ... or the token it cannot decode
        "postgresql://kb@db.example/kb?password=s3cret-pw%zz",
        "postgresql://kb@db.example/kb?sslpassword=s3cret-pw%zz",
        'postgresql://kb:Pa"s3cret@[::1/kb',  # a quote inside the password and the URL
    ],
)
def test_a_url_that_libpq_cannot_read_is_refused_without_the_password(url: str) -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert "url" == caught.value.reason
    assert "is not a PostgreSQL URL that libpq reads" in str(caught.value)
    shown = chained(caught.value)  # what logger.exception logs of it
    assert "s3cret" not in shown
    assert "s3cret" not in repr(caught.value)


def test_a_password_with_an_at_sign_is_hidden_in_the_host_libpq_names() -> None:
    """An @ of the password not written %40 makes libpq read the rest as the host, which
    its reason quotes: the pieces of the password are hidden there too."""
    pytest.importorskip("psycopg")
    with pytest.raises(StoreError) as caught:
        open_store("postgresql://kb:p@ss3cretWORD@nohost.invalid/kb")
    assert "unreachable" == caught.value.reason
    shown = chained(caught.value)
    assert "s3cretWORD" not in shown
    assert "ss3cret" not in shown


def test_an_sqlite_url_whose_file_name_holds_a_nul_is_refused_by_name() -> None:
    """%00 decodes to a NUL, which no file name holds: the URL is refused, not a ValueError
    of the operating system's call (which the command line took for a bug of its own)."""
    with pytest.raises(StoreError) as caught:
        open_store("sqlite:///cases%00old.db")
    assert "url" == caught.value.reason
    assert "a file name holds no NUL" in str(caught.value)


def test_an_sqlite_file_that_cannot_be_made_or_read(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as missing:
        open_store(f"sqlite:///{tmp_path}/no/such/folder/cases.db")
    assert "unreachable" == missing.value.reason
    (tmp_path / "notes.db").write_bytes(b"these are not the pages of a database" * 100)
    with pytest.raises(StoreError) as garbage:
        open_store(f"sqlite:///{tmp_path}/notes.db")
    assert "not_a_store" == garbage.value.reason


def test_a_new_sqlite_store_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path}/cases.db") as store:
        store.create(reported())
    assert 0o600 == (tmp_path / "cases.db").stat().st_mode & 0o777


def test_a_new_sqlite_store_behind_a_dangling_link_is_readable_by_its_owner_only(
    tmp_path: Path,
) -> None:
    """The link's target is made as the file itself would be: 0600, not SQLite's 0644."""
    (tmp_path / "cases.db").symlink_to(tmp_path / "target.db")
    with open_store(f"sqlite:///{tmp_path}/cases.db") as store:
        store.create(reported())
    assert 0o600 == (tmp_path / "target.db").stat().st_mode & 0o777


def test_the_default_store_is_named_by_the_environment_else_a_file_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KINDBEHOEFTEN_STORE", raising=False)
    with open_store() as store:
        store.create(reported())
    assert (tmp_path / "kindbehoeften.db").exists()
    monkeypatch.setenv("KINDBEHOEFTEN_STORE", f"sqlite:///{tmp_path}/elsewhere.db")
    with open_store() as store:
        assert [] == list(store.cases())
    assert (tmp_path / "elsewhere.db").exists()
    assert "sqlite:///relative.db" == open_store("sqlite:///relative.db").url


def test_without_the_extra_a_postgresql_url_says_how_to_install_it() -> None:
    script = (
        "import sys; sys.modules['psycopg'] = None\n"
        "import kindbehoeften\n"
        "try:\n"
        "    kindbehoeften.open_store('postgresql://localhost/kb')\n"
        "except kindbehoeften.StoreError as error:\n"
        "    print(error.reason, error, sep='|')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    reason, message = result.stdout.strip().split("|")
    assert "missing_extra" == reason
    assert "pip install 'kindbehoeften[postgres]'" in message


def test_urls_are_shown_without_passwords() -> None:
    from kindbehoeften._store import redacted

    assert "postgresql://kb:***@db/cases?password=***" == redacted(
        "postgresql://kb:pw@db/cases?password=pw2"
    )
    assert "postgresql://kb@db/cases" == redacted("postgresql://kb@db/cases")


@pytest.mark.parametrize(
    "error",
    [
        ConflictError("case-1", "a" * 64, "b" * 64),
        ConflictError("case-1", "a" * 64, None, "exists"),
        UnknownCaseError("case-1"),
        UnknownSubmissionError("case-1", "c" * 64),
        StoreError("schema", "needs kindbehoeften 9"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_store_errors_cross_processes_intact(error: KindbehoeftenError) -> None:
    """Workers in other processes raise them: they pickle with their fields."""
    again = pickle.loads(pickle.dumps(error))
    assert (type(error), str(error), vars(error)) == (type(again), str(again), vars(again))
    assert str(error) == str(copy.copy(error))


def test_a_very_long_case_id_is_cut_in_messages() -> None:
    message = str(UnknownCaseError("x" * 500))
    assert "x" * 101 not in message


def test_a_store_is_shown_by_its_url(store: Store) -> None:
    assert store.url in repr(store)
    assert isinstance(store, kindbehoeften.store.Store)


def test_a_stored_count_that_disagrees_with_the_chain_is_found_on_append(store: Store) -> None:
    case = three_events(store)
    execute(store.url, ["UPDATE cases SET events = 2"])
    with pytest.raises(IntegrityError) as caught:
        store.append("case-1", case.hear_child(MONDAY, "w"), expected_head=case.head)
    assert "head" == caught.value.code
    assert case == store.get("case-1")


def test_threads_may_share_a_store(store: Store) -> None:
    """The threads of a worker take turns on its one connection; their appends race as
    processes do, and every successful one is stored once."""
    store.create(reported())
    done: list[str] = []

    def work(name: str) -> None:
        for number in range(10):
            case = store.get("case-1")
            actor = f"{name}-{number}"
            try:
                store.append("case-1", case.inform_reporter(MONDAY, actor), expected_head=case.head)
            except ConflictError:
                continue
            done.append(actor)

    threads = [threading.Thread(target=work, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(done) == sorted(event.actor for event in store.get("case-1").events[1:])


def test_a_writer_that_waits_past_its_timeout_gets_a_store_error(tmp_path: Path) -> None:
    """SQLite: another connection holds the write lock for longer than ``?timeout=``; the
    append is refused with StoreError saying so, and goes through once the lock is free."""
    with open_store(f"sqlite:///{tmp_path}/cases.db?timeout=0.2") as store:
        store.create(reported())
        blocker = sqlite3.connect(tmp_path / "cases.db", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            case = store.get("case-1")  # readers never wait
            with pytest.raises(StoreError) as caught:
                store.append("case-1", case.hear_child(MONDAY, "w"), expected_head=case.head)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert "database" == caught.value.reason
        assert "longer than its timeout (0.2 s)" in str(caught.value)
        store.append("case-1", case.hear_child(MONDAY, "w"), expected_head=case.head)
        assert 2 == len(store.get("case-1").events)


def test_a_connection_the_server_ended_is_a_store_error(postgres_store_url: str) -> None:
    """PostgreSQL: when the server ends the store's connection, the next operation raises
    StoreError (unreachable) saying to open the store again, and a new store works."""
    with open_store(postgres_store_url) as store:
        store.create(reported())
        backend = store._db.info.backend_pid  # type: ignore[attr-defined]
        execute(postgres_store_url, [f"SELECT pg_terminate_backend({backend})"])
        with pytest.raises(StoreError) as caught:
            store.get("case-1")
        assert "unreachable" == caught.value.reason
        assert "Open it again" in str(caught.value)
    with open_store(postgres_store_url) as again:
        assert reported() == again.get("case-1")
