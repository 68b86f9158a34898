"""What the writer processes of the store tests and benchmarks do (a module of its own, so
that a spawned process imports only this and the library, not the test suite)."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kindbehoeften import Assessment, ConflictError, open_store

__all__ = ["REPORTED_ON", "crash_writer", "new_case", "racing_writer"]

REPORTED_ON = dt.date(2026, 11, 2)


def new_case(case_id: str) -> Assessment:
    """A case reported by a professional: ``reporter_informed`` is allowed again and again."""
    return Assessment.report(
        case_id=case_id,
        jurisdiction="SE",
        on=REPORTED_ON,
        actor="intake",
        reporter="professional",
        municipality="Uppsala",
    )


def racing_writer(
    url: str, case_ids: Sequence[str], attempts: int, worker: int, barrier: Any, out: str
) -> None:
    """Append ``attempts`` steps to cases drawn from ``case_ids``, all writers starting at
    once; each append succeeds or raises ConflictError (then the case is read again). Writes
    ``{"done": [[case_id, actor], ...], "conflicts": n}`` to ``out``; any other error ends the
    process with it."""
    rng = random.Random(worker)
    done: list[tuple[str, str]] = []
    conflicts = 0
    with open_store(url) as store:
        known: dict[str, Assessment] = {}
        barrier.wait()
        for number in range(attempts):
            case_id = rng.choice(case_ids)
            case = known.get(case_id) or store.get(case_id)
            actor = f"w{worker}-{number}"
            step = case.inform_reporter(case.events[-1].on, actor)
            try:
                store.append(case_id, step, expected_head=case.head)
            except ConflictError:
                conflicts += 1
                known.pop(case_id, None)
                continue
            known[case_id] = step
            done.append((case_id, actor))
    Path(out).write_text(json.dumps({"done": done, "conflicts": conflicts}), encoding="utf-8")


def crash_writer(url: str, case_ids: Sequence[str], seed: int, log: str) -> None:
    """Append steps for ever (until killed): after each commit, write ``case_id seq head``
    as one line to ``log`` and make sure it is on disk; ``ready`` once the store is open."""
    rng = random.Random(seed)
    with open_store(url) as store, open(log, "a", encoding="utf-8") as journal:
        journal.write("ready\n")
        journal.flush()
        while True:
            case_id = rng.choice(case_ids)
            case = store.get(case_id)
            step = case.inform_reporter(case.events[-1].on, f"crash-{seed}")
            head = store.append(case_id, step, expected_head=case.head)
            journal.write(f"{case_id} {len(step.events)} {head}\n")
            journal.flush()
            os.fsync(journal.fileno())
