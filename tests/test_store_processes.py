"""The store under real processes: many writers at once, and writers killed mid-write.

Writers are spawned processes (``multiprocessing``'s spawn context: nothing of the parent's
connections is inherited), each opening its own store, as the workers of a case system do.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

import storework
from kindbehoeften import open_store

pytestmark = pytest.mark.timeout(300)

SPAWN = multiprocessing.get_context("spawn")
WRITERS = 8


def race(url: str, case_ids: list[str], attempts: list[int], folder: Path) -> list[dict]:
    """Run one writer per entry of ``attempts``, all starting at once; their results."""
    barrier = SPAWN.Barrier(len(attempts))
    outs = [folder / f"writer-{worker}.json" for worker in range(len(attempts))]
    processes = [
        SPAWN.Process(
            target=storework.racing_writer,
            args=(url, case_ids, count, worker, barrier, str(out)),
        )
        for worker, (count, out) in enumerate(zip(attempts, outs, strict=True))
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=240)
    assert [0] * len(processes) == [process.exitcode for process in processes]
    return [json.loads(out.read_text(encoding="utf-8")) for out in outs]


def test_concurrent_writers_lose_and_double_nothing(
    new_store_url: Callable[[], str], tmp_path: Path
) -> None:
    """8 processes append to one case, then 8 to eight cases: 1,000 steps in all. Each append
    succeeds or raises ConflictError; afterwards every chain verifies and the stored events
    are exactly the successful appends, each once."""
    url = new_store_url()
    one, eight = ["shared"], [f"case-{number}" for number in range(WRITERS)]
    with open_store(url) as store:
        for case_id in one + eight:
            store.create(storework.new_case(case_id))
    (tmp_path / "one").mkdir()
    (tmp_path / "eight").mkdir()
    on_one = race(url, one, [63] * WRITERS, tmp_path / "one")
    on_eight = race(url, eight, [62] * WRITERS, tmp_path / "eight")
    results = on_one + on_eight
    done = Counter((case_id, actor) for result in results for case_id, actor in result["done"])
    conflicts = sum(result["conflicts"] for result in results)
    assert 1000 == sum(done.values()) + conflicts
    assert sum(result["conflicts"] for result in on_one) > 0  # the writers did race
    assert 1 == max(done.values())  # no actor's step was reported twice
    with open_store(url) as store:
        stored: Counter[tuple[str, str]] = Counter()
        total = 0
        for case_id in one + eight:
            case = store.get(case_id)  # verifies the chain against the stored head
            total += len(case.events)
            stored.update((case_id, event.actor) for event in case.events[1:])
        summaries = {summary.case_id: summary for summary in store.cases()}
        assert {case_id: store.get(case_id).head for case_id in one + eight} == {
            case_id: summary.head for case_id, summary in summaries.items()
        }
    assert done == stored
    assert len(one + eight) + sum(done.values()) == total


def committed(log: Path) -> list[tuple[str, int, str]]:
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    entries = []
    for line in lines:
        parts = line.split()
        if len(parts) == 3:  # a line cut by the kill is not a commit reported
            entries.append((parts[0], int(parts[1]), parts[2]))
    return entries


def test_a_writer_killed_at_any_moment_loses_no_committed_event(
    new_store_url: Callable[[], str], tmp_path: Path
) -> None:
    """A writer is killed with SIGKILL at random moments until 200 appends are stored:
    after each kill the store opens, every chain verifies, every append the writer saw
    committed is there and no partial event is."""
    url = new_store_url()
    case_ids = ["crash-a", "crash-b", "crash-c"]
    with open_store(url) as store:
        for case_id in case_ids:
            store.create(storework.new_case(case_id))
    rng = random.Random(20261102)
    log = tmp_path / "commits.log"
    kills = 0
    stored_appends = 0
    while stored_appends < 200:
        writer = SPAWN.Process(target=storework.crash_writer, args=(url, case_ids, kills, str(log)))
        writer.start()
        deadline = time.monotonic() + 120
        while "ready" not in (log.read_text(encoding="utf-8") if log.exists() else ""):
            assert writer.is_alive()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(writer.pid, signal.SIGKILL)  # type: ignore[arg-type]
        writer.join(timeout=60)
        assert -signal.SIGKILL == writer.exitcode
        kills += 1
        log.write_text(log.read_text(encoding="utf-8").replace("ready\n", ""), encoding="utf-8")
        with open_store(url) as store:
            cases = {case_id: store.get(case_id) for case_id in case_ids}  # verified
        for case_id, seq, head in committed(log):
            assert head == cases[case_id].events[seq - 1].hash
        stored_appends = sum(len(case.events) - 1 for case in cases.values())
        assert len(committed(log)) <= stored_appends <= len(committed(log)) + kills
    assert kills >= 2
