"""Benchmark: statistics of assessment records, against json.loads and DuckDB in the same run.

    python benchmarks/statistics.py [--records 20000] [--rounds 3] [--stream 1000000]
                                    [--rows 10000000]

Every figure is measured in a fresh child process that does only that one thing; its time is
the child's own clock around the work (imports excluded), its memory the child's peak
resident set, read with ``os.wait4`` for that child alone. The measurements of one table
are interleaved, round after round, and the median is printed with the goal beside it.

1. ``--records`` generated records (benchmarks/records.py: distinct, intact, with reworded
   free text) in one NDJSON file; each of these reads the same bytes:
   - ``json.loads`` of every line (the floor of any reader in Python);
   - ``export stats``: records -> rows -> counted and published tables
     (``aggregate(stream_statistics(read_records(...)))``), every record checked; warmed up
     before the clock on one record of each jurisdiction (a national run's steady state:
     each jurisdiction's holiday calendars are loaded once per process, ~0.1 s, not per
     record), and beside it the same warmed up on the first record only, as before, whose
     clock includes loading the other jurisdictions' calendars;
   - ``export stats --jobs 2``: the same with ``jobs=2`` (two worker processes, started on
     the clock, the records read and the tables counted in this one): its time is the wall
     clock around the work, and beside it the CPU of the three processes (this one and its
     workers, read with ``getrusage`` once the pool is shut down);
   - the rows written to Parquet as they come (``to_parquet(stream_statistics(...))``);
   - DuckDB reading the same NDJSON and counting by jurisdiction (a C++ JSON reader on the
     same bytes: how far Python is from a columnar engine);
   - DuckDB counting the rows in Parquet (``aggregate_parquet``), whose tables must equal
     those of the Python path (checked).
   Goal (issue 14, item 3): statistics at most 5x the time of ``json.loads``: the CPU of
   one process (the goal's verdict), and the wall time of ``--jobs 2`` on 2 cores beside it.
2. ``--stream`` records generated in a child and piped into ``kindbehoeften export stats -
   --ndjson --aggregate``, end to end, beside the same pipe with 1% of them: the peak memory
   of the command must not grow with the records (goal: flat).
3. ``--rows`` synthetic rows (the rows of step 1 repeated) in Parquet, counted by
   ``aggregate_parquet`` with two threads. Goal (item 4): under 60 s on 2 cores.

This is not a test: it never fails on time. ``--stream 0`` or ``--rows 0`` skips a step.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KEY_HEX = "8f3a" * 16
RATIO_GOAL = 5.0
JOBS = "export stats --jobs 2 (wall, 2 cores)"
ROWS_GOAL_S = 60.0

JSON_LOADS = """
import json, sys, time
count = 0
start = time.perf_counter()
with open(sys.argv[1], "rb", buffering=1 << 20) as file:
    for line in file:
        if line.strip():
            json.loads(line)
            count += 1
print(json.dumps({"seconds": time.perf_counter() - start, "records": count}))
"""

# Before the clock: one record of each jurisdiction of the file through the whole path, so
# that what is loaded once per process (forms, validators, each jurisdiction's profile and
# holiday calendars) is not counted as the cost of a record; with "first", only the first
# record (the holiday calendars of the other jurisdictions are then loaded on the clock).
WARM_UP = """
import json, sys
from kindbehoeften import export
key = bytes.fromhex(sys.argv[2])
warm, seen = [], set()
with open(sys.argv[1], "rb") as file:
    for number, line in enumerate(file):
        code = json.loads(line)["jurisdiction"]
        if code not in seen:
            seen.add(code)
            warm.append(line)
        if number == 999 or sys.argv[-1] == "first":
            break
export.aggregate(export.stream_statistics(warm, key=key))
"""

STATISTICS = (
    WARM_UP
    + """
import hashlib, time
start = time.perf_counter()
stream = export.stream_statistics(export.read_records(sys.argv[1]), key=key)
tables = export.aggregate(stream)
seconds = time.perf_counter() - start
digest = hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()
print(json.dumps({"seconds": seconds, "records": stream.counted, "tables": digest}))
"""
)

# The same with jobs=2: the wall clock around the work, and the CPU of this process and of
# its workers (RUSAGE_CHILDREN counts them once the pool has shut them down, at the end of
# the stream).
STATISTICS_JOBS = (
    WARM_UP
    + """
import hashlib, resource, time
def cpu():
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )
before = cpu()
start = time.perf_counter()
stream = export.stream_statistics(export.read_records(sys.argv[1]), key=key, jobs=2)
tables = export.aggregate(stream)
seconds = time.perf_counter() - start
used = cpu() - before
digest = hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()
print(json.dumps({"seconds": seconds, "cpu": used, "records": stream.counted, "tables": digest}))
"""
)

PARQUET = (
    WARM_UP
    + """
import time
import pyarrow.parquet  # imported before the clock, as the other children import theirs
start = time.perf_counter()
stream = export.stream_statistics(export.read_records(sys.argv[1]), key=key)
written = export.to_parquet(stream, sys.argv[3])
print(json.dumps({"seconds": time.perf_counter() - start, "records": written}))
"""
)

DUCKDB_NDJSON = """
import json, sys, time
import duckdb
connection = duckdb.connect()
connection.execute("SET threads TO 1")
start = time.perf_counter()
found = connection.execute(
    "SELECT json_extract_string(json, '$.jurisdiction') AS code, count(*) "
    "FROM read_ndjson_objects(?, maximum_object_size = 67108864) GROUP BY code",
    [sys.argv[1]],
).fetchall()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "records": sum(number for _, number in found)}))
"""

DUCKDB_PARQUET = """
import hashlib, json, sys, time
import duckdb
from kindbehoeften import export
threads = int(sys.argv[2])
start = time.perf_counter()
tables = export.aggregate_parquet(sys.argv[1], threads=threads)
seconds = time.perf_counter() - start
digest = hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()
records = sum(
    int(value) for row in tables["by_outcome"] for name, value in row.items()
    if name not in {"jurisdiction", "suppressed", "suppressed_large"} and str(value).isdigit()
)
print(json.dumps({"seconds": seconds, "records": records, "tables": digest}))
"""

NATIONAL = """
import json, sys
import pyarrow as pa
import pyarrow.parquet as pq
sample = pq.read_table(sys.argv[1])
count = int(sys.argv[3])
repeats = -(-count // sample.num_rows)
table = pa.concat_tables([sample] * repeats).slice(0, count)
pq.write_table(table, sys.argv[2], row_group_size=1 << 20)
print(json.dumps({"rows": table.num_rows}))
"""


def child(code: str, *args: str) -> tuple[dict[str, Any], int]:
    """Run ``code`` in a fresh interpreter: what it printed, and its peak RSS in KiB."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=errors
        )
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)  # this child's resources, no other's
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            errors.seek(0)
            raise SystemExit(f"child failed:\n{errors.read().decode(errors='replace')}")
    return json.loads(out.splitlines()[-1]), usage.ru_maxrss  # the last line; KiB on Linux


def generate(path: Path, count: int) -> None:
    with path.open("wb") as file:
        subprocess.run(
            [sys.executable, str(HERE / "records.py"), str(count)], stdout=file, check=True
        )


def median(values: list[float] | list[int]) -> float:
    """The median (this file's name hides the standard library's statistics module)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    return (ordered[middle] + ordered[~middle]) / 2


def step_ratios(folder: Path, records: int, rounds: int) -> Path:
    source = folder / "records.ndjson"
    generate(source, records)
    size = source.stat().st_size
    rows = folder / "rows.parquet"
    measures: dict[str, tuple[str, list[str]]] = {
        "json.loads of every line": (JSON_LOADS, [str(source)]),
        "export stats (records -> tables)": (STATISTICS, [str(source), KEY_HEX]),
        "  the same, warmed up on 1 record": (STATISTICS, [str(source), KEY_HEX, "first"]),
        JOBS: (STATISTICS_JOBS, [str(source), KEY_HEX]),
        "records -> rows -> Parquet": (PARQUET, [str(source), KEY_HEX, str(rows)]),
        "DuckDB reads the NDJSON (1 thread)": (DUCKDB_NDJSON, [str(source)]),
        "DuckDB counts the rows (Parquet)": (DUCKDB_PARQUET, [str(rows), "1"]),
    }
    seconds: dict[str, list[float]] = {name: [] for name in measures}
    cpu: list[float] = []
    memory: dict[str, list[int]] = {name: [] for name in measures}
    digests: dict[str, set[str]] = {name: set() for name in measures}
    for _ in range(rounds):
        for name, (code, args) in measures.items():  # interleaved: one of each per round
            found, rss = child(code, *args)
            seconds[name].append(found["seconds"])
            memory[name].append(rss)
            if "cpu" in found:
                cpu.append(found["cpu"])
            if "tables" in found:
                digests[name].add(found["tables"])
    loads = median(seconds["json.loads of every line"])
    duck = median(seconds["DuckDB reads the NDJSON (1 thread)"])
    print(f"\n1. {records:,} records, {size / 2**20:,.0f} MiB of NDJSON, median of {rounds}")
    print(f"{'':38} {'seconds':>8} {'us/rec':>7} {'x loads':>8} {'x DuckDB':>9} {'RSS MiB':>8}")
    for name in measures:
        median_s = median(seconds[name])
        print(
            f"{name:38} {median_s:8.2f} {median_s / records * 1e6:7.0f} "
            f"{median_s / loads:8.1f} {median_s / duck:9.1f} {median(memory[name]) / 1024:8.0f}"
        )
        if name == JOBS:
            used = median(cpu)
            print(
                f"{'  CPU of its 3 processes (wall above)':38} {used:8.2f} "
                f"{used / records * 1e6:7.0f} {used / loads:8.1f} {used / duck:9.1f}"
            )
    ratio = median(seconds["export stats (records -> tables)"]) / loads
    print(f"goal: export stats at most {RATIO_GOAL:.0f}x json.loads: {ratio:.1f}x, ", end="")
    print("met" if ratio <= RATIO_GOAL else f"missed by {ratio / RATIO_GOAL:.1f}x")
    wall = median(seconds[JOBS]) / loads
    print(f"      the wall time of --jobs 2 on {os.cpu_count()} cores: {wall:.1f}x, ", end="")
    print("met" if wall <= RATIO_GOAL else f"missed by {wall / RATIO_GOAL:.1f}x")
    same = (
        digests["export stats (records -> tables)"]
        == digests[JOBS]
        == digests["DuckDB counts the rows (Parquet)"]
    )
    print(f"the published tables of Python (1 and 2 jobs) and DuckDB are the same: {same}")
    return rows


def pipe(folder: Path, count: int) -> tuple[float, int]:
    """``count`` generated records piped into export stats --aggregate: seconds, peak KiB."""
    key = folder / "stats.key"
    key.write_bytes(bytes.fromhex(KEY_HEX))
    start = time.perf_counter()
    producer = subprocess.Popen(
        [sys.executable, str(HERE / "records.py"), str(count)], stdout=subprocess.PIPE
    )
    consumer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kindbehoeften",
            "export",
            "stats",
            "-",
            "--ndjson",
            "--aggregate",
            "--key-file",
            str(key),
        ],
        stdin=producer.stdout,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert producer.stdout is not None
    assert consumer.stderr is not None
    producer.stdout.close()
    err = consumer.stderr.read()
    _, status, usage = os.wait4(consumer.pid, 0)
    producer.wait()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"export stats failed:\n{err.decode(errors='replace')}")
    return time.perf_counter() - start, usage.ru_maxrss


def step_stream(folder: Path, count: int) -> None:
    small = max(1000, count // 100)
    print("\n2. generated records piped into export stats - --ndjson --aggregate")
    results = [(small, *pipe(folder, small)), (count, *pipe(folder, count))]
    for number, seconds, rss in results:
        per_record = seconds / number * 1e6
        print(
            f"{number:>12,} records {seconds:9.1f} s {per_record:7.0f} us/rec "
            f"peak RSS {rss / 1024:6.0f} MiB"
        )
    growth = results[1][2] / results[0][2]
    print(f"goal: memory flat: {growth:.2f}x the peak of {small:,} records, ", end="")
    print("met" if growth <= 1.10 else "missed")


def step_rows(folder: Path, rows_path: Path, count: int, rounds: int) -> None:
    target = folder / "national.parquet"
    child(NATIONAL, str(rows_path), str(target), str(count))  # this process stays small
    size = target.stat().st_size
    print(f"\n3. {count:,} synthetic rows in Parquet ({size / 2**20:,.0f} MiB), 2 threads")
    seconds, memory = [], []
    for _ in range(rounds):
        found, rss = child(DUCKDB_PARQUET, str(target), "2")
        seconds.append(found["seconds"])
        memory.append(rss)
    median_s = median(seconds)
    print(
        f"aggregate_parquet {median_s:8.2f} s  peak RSS {median(memory) / 1024:.0f} MiB  "
        f"({count / median_s / 1e6:.1f} M rows/s, rows counted: {found['records']:,})"
    )
    print(f"goal: under {ROWS_GOAL_S:.0f} s on 2 cores: ", end="")
    print("met" if median_s < ROWS_GOAL_S else f"missed by {median_s - ROWS_GOAL_S:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stream", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="kindbehoeften-bench-") as name:
        folder = Path(name)
        rows = step_ratios(folder, args.records, args.rounds)
        if args.stream:
            step_stream(folder, args.stream)
        if args.rows:
            step_rows(folder, rows, args.rows, args.rounds)


if __name__ == "__main__":
    main()
