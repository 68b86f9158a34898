"""Statistics on several processes (``jobs``): the same rows, columns, tables and refusals as
in one process, in input order, with real worker processes, none left behind."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import types
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

import kindbehoeften
from clirun import run
from kindbehoeften import export
from kindbehoeften._exports import statistics as statistics_module
from kindbehoeften.errors import InvalidArgumentError, InvalidRecordError, UnsafeFieldError
from test_statistics import KEY, _changed_question, use_forms
from test_statistics_scale import POOL, generated, write_ndjson

# Small batches, so that many are in flight at once and may finish out of order.
SMALL_BATCH = 7


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statistics_module, "BATCH_RECORDS", SMALL_BATCH)


def _corrupt(lines: list[bytes]) -> list[bytes]:
    """``lines`` with broken, altered and unchained records among them."""
    changed = list(lines)
    changed[3] = lines[3][:80]  # cut: not JSON
    changed[17] = lines[17].replace(b'"stage": "', b'"stage": "x', 1)  # derived field altered
    changed[30] = lines[30].replace(b'"hash": "', b'"hash": "0', 1)  # the chain broken
    changed[31] = b"[]"  # not a record
    return changed


def _refusal(refused: export.RefusedRecord) -> tuple[Any, ...]:
    error = refused.error
    return (
        refused.index,
        refused.place,
        type(error),
        str(error),
        getattr(error, "problems", None),
        getattr(error, "code", None),
    )


def _until(error: type[Exception], rows: Iterable[Any]) -> tuple[list[Any], Any]:
    """The rows given before ``error`` was raised, and the error; it must be raised."""
    given = []
    try:
        for row in rows:
            given.append(row)
    except error as caught:
        return given, caught
    raise AssertionError(f"no {error.__name__}")


def _run(records: Iterable[Any], jobs: int) -> tuple[Any, ...]:
    """Everything a stream gives: rows, counts, columns, refusals in the order they came."""
    refused: list[export.RefusedRecord] = []
    stream = export.stream_statistics(records, key=KEY, on_error=refused.append, jobs=jobs)
    rows = list(stream)
    return (
        rows,
        stream.counted,
        stream.refused,
        stream.columns,
        stream.batch_columns(),
        [_refusal(item) for item in refused],
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """NDJSON with refused records in its middle, and a folder of whole files among which
    one is refused."""
    root = tmp_path_factory.mktemp("records")
    lines = _corrupt(list(generated(POOL, 60)))
    write_ndjson(root / "a-week.ndjson", lines[:45])
    (root / "b").mkdir()
    for number, line in enumerate(lines[45:]):
        (root / "b" / f"{number:02}.json").write_bytes(line)
    (root / "b" / "05.json").write_bytes(b'{"case_id": 1}')
    return root


def test_rows_counts_columns_and_refusals_are_the_same_with_two_jobs(folder: Path) -> None:
    alone = _run(export.read_records(folder), jobs=1)
    assert alone == _run(export.read_records(folder), jobs=2)
    rows, counted, refused, _, _, refusals = alone
    assert (55, 5, 55) == (counted, refused, len(rows))
    places = [place for _, place, *_ in refusals]
    ndjson, whole = folder / "a-week.ndjson", folder / "b" / "05.json"
    expected = [f"{ndjson}:{line}" for line in (4, 18, 31, 32)] + [str(whole)]
    assert expected == places


@pytest.mark.parametrize("jobs", [2, 3])
def test_dicts_text_and_bytes_give_the_rows_of_one_process(jobs: int) -> None:
    """statistics() keeps the columns that the records have: the workers report the
    jurisdictions and full assessments they saw."""
    records: list[Any] = [*POOL[:12], *(line.decode() for line in generated(POOL[12:], 9))]
    records += list(generated(POOL[21:], 9))
    assert export.statistics(records, key=KEY) == export.statistics(records, key=KEY, jobs=jobs)
    one = POOL[:1]  # the columns of one jurisdiction, not of all
    assert export.statistics(one, key=KEY) == export.statistics(one, key=KEY, jobs=jobs)


def test_without_on_error_the_first_refused_record_stops_the_stream_as_in_one_process(
    folder: Path,
) -> None:
    found = []
    for jobs in (1, 2):
        stream = export.stream_statistics(export.read_records(folder), key=KEY, jobs=jobs)
        rows, error = _until(InvalidRecordError, stream)
        found.append((rows, error.problems, str(error), error.__notes__))
    assert found[0] == found[1]
    assert 3 == len(found[0][0])
    assert [f"({folder / 'a-week.ndjson'}:4)"] == found[0][3]


def test_a_record_of_a_list_is_named_by_its_index_with_two_jobs() -> None:
    records: list[Any] = [*POOL[:9], {"case_id": "x"}, *POOL[9:]]
    with pytest.raises(InvalidRecordError) as caught:
        export.statistics(records, key=KEY, jobs=2)
    assert ["(record 9 of the batch)"] == caught.value.__notes__


def test_records_that_do_not_pickle_get_the_rows_and_refusals_of_one_process() -> None:
    """A record a worker cannot be sent (a mapping that does not pickle, or no record at all:
    a function, a memoryview) is what one process makes of it, not an error of the pool."""
    records: list[Any] = [
        *POOL[:9],
        lambda: None,
        memoryview(b"{}"),
        types.MappingProxyType(POOL[9]),
        *POOL[10:20],
    ]
    alone = _run(records, jobs=1)
    assert alone == _run(records, jobs=2)
    _, counted, refused, *_, refusals = alone
    assert (19, 3) == (counted, refused)
    assert [9, 10, 11] == [index for index, *_ in refusals]


@pytest.mark.parametrize("count", [20, 3 * SMALL_BATCH])
def test_a_failing_input_gives_the_rows_read_before_it_then_its_error(count: int) -> None:
    def failing() -> Iterator[bytes]:
        yield from generated(POOL, count)
        raise OSError("the disk went away")

    found = []
    for jobs in (1, 2):
        rows, error = _until(OSError, export.stream_statistics(failing(), key=KEY, jobs=jobs))
        found.append((rows, str(error)))
    assert count == len(found[0][0])
    assert found[0] == found[1]


def test_an_unsafe_form_stops_the_stream_in_the_workers_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Even with on_error: it is the form, not the record, that is wrong."""
    form = kindbehoeften.load_form("triangle.full")
    path = ("child_needs", "health", "assessment")
    use_forms(monkeypatch, _changed_question(form, path, sensitivity="personal"))
    found = []
    for jobs in (1, 2):
        refused: list[export.RefusedRecord] = []
        stream = export.stream_statistics(POOL, key=KEY, on_error=refused.append, jobs=jobs)
        rows, error = _until(UnsafeFieldError, stream)
        found.append((rows, refused, error.form, error.question, error.reason, str(error)))
    assert found[0] == found[1]
    assert found[0][0]  # the records without a full assessment came first
    assert ("child_needs.health.assessment", "its sensitivity is personal") == found[1][3:5]


@pytest.mark.parametrize("jobs", [2, 3])
def test_records_are_read_no_more_than_a_few_batches_ahead_of_the_rows(jobs: int) -> None:
    """Memory stays flat: at most 2 x jobs batches wait, whatever the length of the stream."""
    read = 0

    def counted() -> Iterator[bytes]:
        nonlocal read
        for line in generated(POOL, 21 * SMALL_BATCH):
            read += 1
            yield line

    ahead = []
    for given, _ in enumerate(export.stream_statistics(counted(), key=KEY, jobs=jobs), 1):
        ahead.append(read - given)
    # the batches waiting, the one whose rows are being given, and the one being read
    assert max(ahead) <= (2 * jobs + 2) * SMALL_BATCH
    assert max(ahead) >= 2 * jobs * SMALL_BATCH  # it does read ahead
    assert 21 * SMALL_BATCH == read


@pytest.mark.parametrize("how", ["break", "error"])
def test_a_consumer_that_stops_early_leaves_no_worker_process(how: str) -> None:
    records = list(generated(POOL, 60))
    stream = export.stream_statistics(records, key=KEY, jobs=2)
    with pytest.raises(RuntimeError) if how == "error" else contextlib.nullcontext():
        for _ in stream:
            assert 2 == len(multiprocessing.active_children())
            if how == "error":
                raise RuntimeError("the consumer failed")
            break
    assert [] == multiprocessing.active_children()
    assert 1 == stream.counted


@pytest.mark.parametrize("jobs", [0, -1, True, False, 1.0, "2", None, 257])
def test_jobs_must_be_a_whole_number_from_1(jobs: Any) -> None:
    for function in (export.stream_statistics, export.statistics):
        with pytest.raises(InvalidArgumentError, match=r"^jobs must be a whole number") as caught:
            function(POOL[:1], key=KEY, jobs=jobs)
        assert "jobs" == caught.value.argument
    assert [] == multiprocessing.active_children()


def test_a_worker_batch_ends_at_the_first_error_that_stops_the_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a worker does, run here: rows and refusals, and nothing after a stopping error."""
    from kindbehoeften._exports.rows import _Forms
    from kindbehoeften._exports.statistics import _Made, _make, _Raised, _Setup

    stream = export.stream_statistics([], key=KEY)
    setup = _Setup(KEY, {}, stream.columns)
    [made, refused] = _make(setup, _Forms(), [POOL[0], b"{"])
    assert isinstance(made, _Made)
    assert isinstance(refused, InvalidRecordError)
    [row] = export.stream_statistics(POOL[:1], key=KEY)
    assert list(row.values()) == list(made.values)
    form = kindbehoeften.load_form("triangle.full")
    path = ("child_needs", "health", "assessment")
    use_forms(monkeypatch, _changed_question(form, path, sensitivity="personal"))
    *before, stopped = _make(setup, _Forms(), POOL)
    assert isinstance(stopped, _Raised)
    assert isinstance(stopped.error, UnsafeFieldError)
    assert len(before) < len(POOL) - 1  # the rest of the batch is not made
    assert all(isinstance(entry, _Made) for entry in before)


SPAWNED = """
import multiprocessing, sys
from kindbehoeften import export, load_profile
if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    lines = sys.stdin.buffer.read().splitlines()
    profiles = {"SE": load_profile("SE")}
    one = export.statistics(lines, key=b"k" * 16, profiles=profiles)
    two = export.statistics(lines, key=b"k" * 16, profiles=profiles, jobs=2)
    print(one == two, len(two))
"""


def test_workers_started_by_spawn_are_given_all_they_need_by_pickle() -> None:
    """With fork a worker inherits the key, profiles and columns; with spawn they travel."""
    data = b"\n".join(generated(POOL, 12))
    done = subprocess.run(
        [sys.executable, "-c", SPAWNED], input=data, capture_output=True, check=False, timeout=120
    )
    assert ("True 12\n", "") == (done.stdout.decode(), done.stderr.decode())


# --- the command line ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "stats.key"
    path.write_bytes(KEY)
    return path


@pytest.mark.parametrize("extra", [[], ["--aggregate"], ["--aggregate", "--min-cell", "2"]])
def test_export_stats_with_jobs_writes_what_one_job_writes(
    folder: Path, key: Path, extra: list[str]
) -> None:
    argv = ("export", "stats", str(folder), "--key-file", str(key), *extra)
    alone = run(*argv, "--jobs", "1")
    assert alone == run(*argv, "--jobs", "2")
    code, out, err = alone
    assert 1 == code
    assert out.count("\n") > 10
    assert "5 records refused, 55 counted" in err


def test_export_stats_with_jobs_writes_the_same_parquet(
    folder: Path, key: Path, tmp_path: Path
) -> None:
    tables = []
    for jobs in ("1", "2"):
        target = tmp_path / f"rows-{jobs}.parquet"
        argv = ("export", "stats", str(folder), "--key-file", str(key), "--format", "parquet")
        assert 1 == run(*argv, "--output", str(target), "--jobs", jobs)[0]
        tables.append(pq.read_table(target))
    assert tables[0].equals(tables[1])
    assert 55 == tables[0].num_rows


def test_export_stats_reads_standard_input_with_jobs(key: Path) -> None:
    data = b"".join(line + b"\n" for line in generated(POOL, 20))
    argv = ("export", "stats", "-", "--ndjson", "--key-file", str(key), "--aggregate")
    alone = run(*argv, "--jobs", "1", stdin=data)
    assert alone == run(*argv, "--jobs", "2", stdin=data)
    assert 0 == alone[0]


@pytest.mark.parametrize("jobs", ["0", "-1", "x", "257"])
def test_export_stats_jobs_must_be_a_whole_number_from_1(
    folder: Path, key: Path, jobs: str
) -> None:
    code, out, err = run("export", "stats", str(folder), "--key-file", str(key), "--jobs", jobs)
    assert (2, "") == (code, out)
    assert "argument --jobs:" in err


def test_json_rows_of_the_stream_do_not_hold_the_case_ids(folder: Path) -> None:
    """The rows that travel back from the workers are the pseudonymised ones."""
    rows, *_ = _run(export.read_records(folder), jobs=2)
    text = json.dumps(rows)
    assert "generated-" not in text


def _end_this_process(batch: int) -> int:  # runs in a worker: it ends as a killed one does
    os.kill(os.getpid(), signal.SIGKILL)
    return batch


def test_a_worker_killed_mid_stream_is_named_as_such_after_the_results_before_it() -> None:
    """A worker killed (by the system when memory runs out) is no bug of the library's:
    WorkerLostError says what happened; what came before it is complete and in order."""
    from kindbehoeften._exports.workers import in_order, worker_pool
    from kindbehoeften.errors import WorkerLostError

    given: list[tuple[int, str]] = []
    with worker_pool(2) as pool:
        work = in_order(pool, abs, [(-1, "a"), (-2, "b")], ahead=1)
        given.extend(work)
        with pytest.raises(WorkerLostError, match="before its work was done") as raised:
            list(in_order(pool, _end_this_process, [(1, "c")], ahead=1))
    assert given == [(1, "a"), (2, "b")]
    assert isinstance(raised.value, RuntimeError)
    assert "memory" in str(raised.value)
    assert multiprocessing.active_children() == []


def test_export_stats_names_a_killed_worker_without_a_traceback(tmp_path: Path) -> None:
    """The command line says what happened and exits 2, as for any error it names."""
    source = write_ndjson(tmp_path / "records.ndjson", list(generated(POOL, 8000)))
    key = tmp_path / "key"
    key.write_bytes(b"k" * 32)
    command = [sys.executable, "-m", "kindbehoeften", "export", "stats", "--ndjson"]
    command += ["--key-file", str(key), "--jobs", "2", str(source)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    children: list[str] = []
    for _ in range(400):  # until both workers run
        time.sleep(0.02)
        with contextlib.suppress(FileNotFoundError):
            children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        if len(children) >= 2:
            break
    assert len(children) >= 2, "the workers did not start"
    os.kill(int(children[0]), signal.SIGKILL)
    _, err = process.communicate(timeout=120)
    text = err.decode()
    assert process.returncode == 2
    assert "a worker process ended before its work was done" in text
    assert "Traceback" not in text
    assert "internal error" not in text


# A program that starts a stream with two workers, says their ids, and is killed mid-stream.
_KILLED_MID_STREAM = """
import multiprocessing, os, signal
from kindbehoeften import export

def refused(record):
    pids = [str(process.pid) for process in multiprocessing.active_children()]
    print(" ".join(pids), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

list(export.stream_statistics([b"{"] * 5000, key=b"k" * 16, jobs=2, on_error=refused))
"""


def _gone(pid: int) -> bool:
    """Whether a process has ended (a zombie no one reaped has ended too)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as file:
            return file.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc to see the workers")
def test_the_workers_end_when_the_process_that_started_them_is_killed(tmp_path: Path) -> None:
    """A program killed mid-stream (SIGKILL; SIGTERM from ``timeout``) cannot shut its pool
    down: its workers then end by themselves, not wait for work forever (holding its output
    open, so that whoever reads it waits too)."""
    said = tmp_path / "pids"
    with said.open("w", encoding="ascii") as out:  # not a pipe: the workers would hold it
        killed = subprocess.run(
            [sys.executable, "-c", _KILLED_MID_STREAM],
            stdout=out,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )
    assert -signal.SIGKILL == killed.returncode
    pids = [int(pid) for pid in said.read_text(encoding="ascii").split()]
    assert 2 == len(pids)
    waited = 0.0
    while not all(_gone(pid) for pid in pids) and waited < 60:
        time.sleep(0.1)
        waited += 0.1
    left = [pid for pid in pids if not _gone(pid)]
    for pid in left:  # not to leave them behind should the test fail
        os.kill(pid, signal.SIGKILL)
    assert [] == left
