"""Benchmark: the store's appends and overdue query, against baselines measured in the same run.

    python benchmarks/store.py [--appends 300] [--cases 10000 100000] [--postgres URL]

For each back end (SQLite in a temporary folder; PostgreSQL at ``--postgres``, else
``KINDBEHOEFTEN_TEST_POSTGRES``, else a throw-away cluster started here as the tests do):

- appends per second with 1 writer and with 8 writer processes (each on cases of its own,
  grown to 30 events): ``store.append`` of one step, beside a bare ``INSERT`` of the same
  event rows into a plain table, one transaction each, on the same database;
- ``cases(overdue_on=D)`` over 10,000 and 100,000 cases, beside a full replay of every case
  (``store.get`` and ``deadlines(D)``), which is what the stored due dates spare.

Ratios are store / baseline. This is not a test: it never fails on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import kindbehoeften
from kindbehoeften import Assessment, open_store
from kindbehoeften._store.base import CaseSummary, rows_of

SPAWN = multiprocessing.get_context("spawn")
TESTS = Path(__file__).resolve().parent.parent / "tests"
START = dt.date(2026, 1, 5)
WRITERS = 8
CASE_LENGTH = 30


# --- databases without the store: the baselines ----------------------------------------------


def connect(url: str) -> Any:
    """A plain DB-API connection to the store's database, autocommit, for the baselines."""
    if url.startswith("sqlite:"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")  # as the store: durable commits
        return connection
    import psycopg

    return psycopg.connect(url, autocommit=True)


def mark(url: str) -> str:
    return "?" if url.startswith("sqlite:") else "%s"


def bare_inserts(url: str, table: str, rows: Sequence[tuple[str, int, str, str]]) -> float:
    """Seconds to insert ``rows`` into a plain table, one transaction each (connected
    before the clock starts, as an open store is)."""
    connection = connect(url)
    q = mark(url)
    sql = f"INSERT INTO {table} (case_id, seq, hash, body) VALUES ({q}, {q}, {q}, {q})"
    begin = time.perf_counter()
    for row in rows:
        connection.execute("BEGIN")
        connection.execute(sql, row)
        connection.execute("COMMIT")
    seconds = time.perf_counter() - begin
    connection.close()
    return seconds


def plain_table(url: str, table: str) -> None:
    connection = connect(url)
    connection.execute(
        f"CREATE TABLE {table} (case_id text, seq integer, hash text, body text, "
        "PRIMARY KEY (case_id, seq))"
    )
    connection.close()


# --- appends -------------------------------------------------------------------------------


def new_case(case_id: str) -> Assessment:
    return Assessment.report(
        case_id=case_id, jurisdiction="SE", on=START, actor="intake", reporter="professional"
    )


def steps(prefix: str, count: int) -> tuple[list[Assessment], list[Assessment]]:
    """New cases, and ``count`` steps spread over them round robin (each case grows to at
    most CASE_LENGTH events, as real cases do: the cost of a step's deadlines grows with its
    history); the steps are made before the clock runs."""
    cases = [new_case(f"{prefix}-{n}") for n in range(-(-count // (CASE_LENGTH - 1)))]
    current = list(cases)
    made = []
    for number in range(count):
        index = number % len(cases)
        current[index] = current[index].inform_reporter(START, f"w-{number}")
        made.append(current[index])
    return cases, made


def timed_appends(url: str, prefix: str, count: int, barrier: Any = None) -> tuple[float, float]:
    """The start and end of ``count`` appends of one step each, to new cases."""
    created, later = steps(prefix, count)
    with open_store(url) as store:
        heads = {case.case_id: store.create(case) for case in created}
        if barrier is not None:
            barrier.wait()
        begin = time.perf_counter()
        for case in later:
            heads[case.case_id] = store.append(
                case.case_id, case, expected_head=heads[case.case_id]
            )
        return begin, time.perf_counter()


def event_rows(prefix: str, count: int) -> list[tuple[str, int, str, str]]:
    """The rows those appends store, in the same order."""
    return [
        (case.case_id, event.seq, event.hash, rows_of([event])[0].body)
        for case in steps(prefix, count)[1]
        for event in case.events[-1:]
    ]


def writer(kind: str, url: str, prefix: str, count: int, barrier: Any, out: Any) -> None:
    """One of 8 processes: ``store`` appends or ``bare`` inserts, timed from the barrier."""
    if kind == "store":
        out.put(timed_appends(url, prefix, count, barrier))
    else:
        rows = event_rows(prefix, count)
        barrier.wait()
        seconds = bare_inserts(url, "bench_plain", rows)
        end = time.perf_counter()
        out.put((end - seconds, end))


def parallel(kind: str, url: str, prefix: str, count: int) -> float:
    """Wall seconds from the first writer's start to the last one's end."""
    barrier, out = SPAWN.Barrier(WRITERS), SPAWN.Queue()
    processes = [
        SPAWN.Process(target=writer, args=(kind, url, f"{prefix}-{n}", count, barrier, out))
        for n in range(WRITERS)
    ]
    for process in processes:
        process.start()
    spans = [out.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    return max(end for _, end in spans) - min(begin for begin, _ in spans)


def appends(name: str, url: str, count: int) -> None:
    plain_table(url, "bench_plain")
    begin, end = timed_appends(url, "one-writer", count)
    store = end - begin
    bare = bare_inserts(url, "bench_plain", event_rows("one-writer", count))
    report(f"{name}: appends/s, 1 writer", count / store, count / bare, "bare INSERT")
    per = max(count // 4, 25)
    store8 = parallel("store", url, "eight", per)
    bare8 = parallel("bare", url, "bare-eight", per)
    total = per * WRITERS
    report(f"{name}: appends/s, 8 writers", total / store8, total / bare8, "bare INSERT")


# --- the overdue query -----------------------------------------------------------------------


def population(count: int, seed: int = 7) -> list[Assessment]:
    """``count`` cases over a year: some closed, some past their first clocks, some not."""
    rng = random.Random(seed)
    made = []
    for number in range(count):
        on = START + dt.timedelta(days=rng.randrange(365))
        case = Assessment.report(
            case_id=f"case-{number:06}",
            jurisdiction=rng.choice(("SE", "DK", "NO", "FI", "GB-ENG", "NL")),
            on=on,
            actor="intake",
            reporter="professional",
            municipality=f"m-{rng.randrange(40)}",
        )
        roll = rng.random()
        if roll < 0.6:
            case = case.assess_safety(on, "w")
        if roll < 0.1:
            case = case.close("no_concern", on + dt.timedelta(days=2), "w")
        elif roll < 0.4:
            case = case.start_preliminary(on + dt.timedelta(days=1), "w")
        made.append(case)
    return made


def fill(url: str, cases: Sequence[Assessment]) -> None:
    """Write the rows ``store.create`` writes, in one transaction (creating 100,000 cases one
    transaction each would time the disk, not the query)."""
    with open_store(url):
        pass  # the store's tables
    connection = connect(url)
    q = mark(url)
    connection.execute("BEGIN")
    summaries, events = [], []
    for case in cases:
        summary = CaseSummary.of(case)
        due = summary.next_due_on
        summaries.append(
            (
                summary.case_id,
                summary.jurisdiction,
                summary.municipality,
                summary.stage,
                summary.head,
                summary.events,
                due.isoformat() if due and url.startswith("sqlite:") else due,
            )
        )
        events.extend((case.case_id, row.seq, row.hash, row.body) for row in rows_of(case.events))
    cursor = connection.cursor()
    cursor.executemany(
        "INSERT INTO cases (case_id, jurisdiction, municipality, stage, head, events, "
        f"next_due) VALUES ({q}, {q}, {q}, {q}, {q}, {q}, {q})",
        summaries,
    )
    cursor.executemany(
        f"INSERT INTO events (case_id, seq, hash, body) VALUES ({q}, {q}, {q}, {q})", events
    )
    connection.execute("COMMIT")
    connection.close()


def overdue_query(name: str, url: str, cases: Sequence[Assessment], day: dt.date) -> None:
    fill(url, cases)
    with open_store(url) as store:
        begin = time.perf_counter()
        found = [summary.case_id for summary in store.cases(overdue_on=day)]
        query = time.perf_counter() - begin
        begin = time.perf_counter()
        replayed = [
            summary.case_id
            for summary in store.cases()
            if any(d.status == "overdue" for d in store.get(summary.case_id).deadlines(day))
        ]
        replay = time.perf_counter() - begin
    assert found == replayed, "the overdue query and the replay disagree"
    report(
        f"{name}: cases(overdue_on) over {len(cases):,} cases ({len(found):,} overdue), s",
        query,
        replay,
        "full replay",
        per_second=False,
    )


# --- running ---------------------------------------------------------------------------------


def report(what: str, value: float, baseline: float, against: str, per_second: bool = True) -> None:
    """One line: the store's figure, the baseline's, and how the store compares (for rates:
    store / baseline; for times: how many times faster than the baseline)."""
    if per_second:
        line = f"{value:10.1f}   {against}: {baseline:10.1f}   ratio {value / baseline:6.2f}"
    else:
        line = (
            f"{value:10.3f}   {against}: {baseline:10.3f}   "
            f"{baseline / value:8.1f}x faster than {against}"
        )
    print(f"{what:<62} {line}", flush=True)


def postgres(url: str | None) -> tuple[str | None, Callable[[], None]]:
    url = url or os.environ.get("KINDBEHOEFTEN_TEST_POSTGRES")
    if url:
        return url, lambda: None
    sys.path.insert(0, str(TESTS))
    import pgcluster

    try:
        cluster = pgcluster.start()
    except pgcluster.Unavailable as error:
        print(f"PostgreSQL: not measured ({error})")
        return None, lambda: None
    return cluster.url, lambda: pgcluster.stop(cluster.root)


def fresh_postgres(server: str) -> tuple[str, Callable[[], None]]:
    """A schema of its own on the server, as a store URL, and how to drop it."""
    import psycopg

    name = f"bench_{os.getpid()}_{random.randrange(10**9)}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {name}")

    def drop() -> None:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {name} CASCADE")

    return f"{server}&options=-csearch_path%3D{name}", drop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=300, help="appends per 1-writer run")
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--postgres", help="a PostgreSQL URL (default: a throw-away cluster)")
    args = parser.parse_args(argv)
    print(f"kindbehoeften {kindbehoeften.__version__}, Python {sys.version.split()[0]}, "
          f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} cores")  # fmt: skip
    begin = time.perf_counter()
    cases = population(max(args.cases))
    print(f"{max(args.cases):,} histories made in {time.perf_counter() - begin:.1f} s")
    day = START + dt.timedelta(days=240)  # some clocks are not yet due
    server, stop = postgres(args.postgres)
    try:
        with tempfile.TemporaryDirectory() as folder:
            counter = iter(range(10**6))

            def sqlite_url() -> tuple[str, Callable[[], None]]:
                return f"sqlite:///{folder}/store-{next(counter)}.db", lambda: None

            backends: list[tuple[str, Callable[[], tuple[str, Callable[[], None]]]]] = [
                ("SQLite", sqlite_url)
            ]
            if server is not None:
                backends.append(("PostgreSQL", lambda: fresh_postgres(server)))
            for name, fresh in backends:
                url, drop = fresh()
                appends(name, url, args.appends)
                drop()
                for count in sorted(args.cases):
                    url, drop = fresh()
                    overdue_query(name, url, cases[:count], day)
                    drop()
    finally:
        stop()


if __name__ == "__main__":
    main()
