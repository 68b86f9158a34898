"""Statistics at scale: records streamed from files, folders and NDJSON in constant memory, a
refused record named by its place while the others are counted, read_record's verdicts kept
by its fast path, and the same published tables from Python, DuckDB and Dask."""

from __future__ import annotations

import copy
import csv
import gc
import hashlib
import io
import itertools
import json
import sys
import tracemalloc
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clirun import run
from kindbehoeften import export
from kindbehoeften._core import jsonread
from kindbehoeften._core.limits import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_DEPTH
from kindbehoeften._exports import monitoring, sources, tables
from kindbehoeften._exports import record as record_module
from kindbehoeften._exports.sources import read_records, records_in
from kindbehoeften.errors import InvalidArgumentError, InvalidRecordError, KindbehoeftenError
from test_statistics import KEY, many_records

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


POOL: list[dict[str, Any]] = many_records()


@pytest.fixture(scope="module")
def pool() -> list[dict[str, Any]]:
    return POOL


def _canonical(document: Any) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def renamed(document: Mapping[str, Any], case_id: str) -> dict[str, Any]:
    """``document`` as the record of the case ``case_id``, its hash chain made anew."""
    events = [dict(event) for event in document["history"]["events"]]
    events[0]["data"] = dict(events[0]["data"], case_id=case_id)
    prev = events[0]["prev"]
    for event in events:
        event["prev"] = prev
        body = {key: value for key, value in event.items() if key != "hash"}
        event["hash"] = prev = hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()
    history = dict(document["history"], case_id=case_id, events=events)
    return dict(document, case_id=case_id, history=history)


def generated(pool: list[dict[str, Any]], count: int) -> Iterator[bytes]:
    """``count`` distinct, intact records as JSON bytes, made as they are asked for."""
    for number, template in zip(range(count), itertools.cycle(pool), strict=False):
        yield json.dumps(renamed(template, f"generated-{number}")).encode()


def write_ndjson(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


# --- streams and their places ----------------------------------------------------------------


def test_records_are_read_from_files_folders_and_ndjson_with_their_places(
    pool: list[dict[str, Any]], tmp_path: Path
) -> None:
    lines = list(generated(pool, 5))
    (tmp_path / "b").mkdir()
    write_ndjson(tmp_path / "b" / "many.ndjson", lines[:3])
    (tmp_path / "a.json").write_bytes(lines[3])
    (tmp_path / "b" / "notes.txt").write_text("not a record", encoding="utf-8")
    (tmp_path / "c.jsonl").write_bytes(b"\n" + lines[4] + b"\r\n")
    found = [(item.file.name, item.line) for item in read_records(tmp_path)]
    assert [
        ("a.json", None),
        ("c.jsonl", 2),
        ("many.ndjson", 1),
        ("many.ndjson", 2),
        ("many.ndjson", 3),
    ] == sorted(found)
    assert [item.data for item in read_records(tmp_path / "c.jsonl")] == [lines[4]]
    with pytest.raises(FileNotFoundError):
        list(records_in(tmp_path / "missing.ndjson"))


def test_a_corrupt_record_in_the_middle_is_named_by_file_and_line_and_the_rest_counted(
    pool: list[dict[str, Any]], tmp_path: Path
) -> None:
    lines = list(generated(pool, 9))
    altered = json.loads(lines[4])
    altered["history"]["events"][1]["actor"] = "someone else"
    lines[4] = json.dumps(altered).encode()
    lines[6] = lines[6][:200]  # cut short: not JSON
    path = write_ndjson(tmp_path / "records.ndjson", lines)
    refused: list[export.RefusedRecord] = []
    stream = export.stream_statistics(read_records(path), key=KEY, on_error=refused.append)
    rows = list(stream)
    assert (7, 2, 7) == (len(rows), stream.refused, stream.counted)
    assert [f"{path}:5", f"{path}:7"] == [item.place for item in refused]
    assert ["IntegrityError", "InvalidRecordError"] == [
        type(item.error).__name__ for item in refused
    ]
    assert "hash" == refused[0].error.code  # type: ignore[attr-defined]
    assert [("", "json_syntax")] == list(refused[1].error.problems)  # type: ignore[attr-defined]
    assert refused[0].error.__traceback__ is None  # nothing of the stream is kept with it
    assert str(refused[1]).startswith(f"{path}:7: ")
    expected = export.statistics([line for n, line in enumerate(lines) if n not in {4, 6}], key=KEY)
    assert expected == export.statistics(read_records(path), key=KEY, on_error=refused.append)


def test_without_on_error_the_first_refused_record_stops_the_stream_naming_its_place(
    pool: list[dict[str, Any]], tmp_path: Path
) -> None:
    lines = list(generated(pool, 3))
    lines[1] = b"{}"
    path = write_ndjson(tmp_path / "records.ndjson", lines)
    with pytest.raises(InvalidRecordError) as caught:
        list(export.stream_statistics(read_records(path), key=KEY))
    assert [f"({path}:2)"] == caught.value.__notes__


def test_a_stream_has_its_columns_before_the_first_record_and_is_read_once(
    pool: list[dict[str, Any]],
) -> None:
    stream = export.stream_statistics(generated(pool, 4), key=KEY)
    columns = stream.columns
    rows = list(stream)
    assert all(columns == tuple(row) for row in rows)
    assert set(stream.batch_columns()) <= set(columns)
    assert list(stream.batch_columns()) == list(export.statistics(generated(pool, 4), key=KEY)[0])
    with pytest.raises(RuntimeError, match="read once"):
        list(stream)
    with pytest.raises(TypeError, match="not one record"):
        export.stream_statistics(pool[0], key=KEY)
    with pytest.raises(InvalidArgumentError):
        export.stream_statistics([], key=b"short")


def test_a_line_over_the_size_limit_is_refused_as_too_large_without_being_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.ndjson"
    path.write_bytes(b'{"a": "' + b"x" * 5000 + b'"}\n{"b": 1}\n')
    with path.open("rb") as stream:
        items = list(sources.ndjson_records(stream, path, limit=1000))
    assert [(1, 1001), (2, 8)] == [(item.line, len(item.data)) for item in items]
    assert [f"{path}:1", f"{path}:2"] == [item.place for item in items]
    exact, over = b"[" + b"1" * 998 + b"]", b"[" + b"1" * 999 + b"]"
    data = exact + b"\r\n" + over + b"\r\n" + exact + b"\r\n" + b"x" * 1001
    items = list(sources.ndjson_records(io.BytesIO(data), path, limit=1000))
    assert [(1, exact), (2, over), (3, exact), (4, b"x" * 1001)] == [
        (item.line, item.data) for item in items
    ]
    (tmp_path / "whole.json").write_bytes(b"x" * 1200)
    [whole] = read_records(tmp_path / "whole.json")
    assert (whole.place, len(whole.data)) == (str(tmp_path / "whole.json"), 1200)


LIMIT = 40
TEXT = st.binary(max_size=60).map(lambda data: data.replace(b"\n", b"").replace(b"\r", b""))


@given(
    lines=st.lists(st.tuples(TEXT, st.sampled_from([b"\n", b"\r\n"])), max_size=12),
    last=st.booleans(),
)
def test_ndjson_lines_are_read_with_their_numbers_blank_ones_skipped_long_ones_kept_over(
    lines: list[tuple[bytes, bytes]], last: bool
) -> None:
    """Each line that is not blank is one record with its line number, whether it ends in
    \\n, \\r\\n or nothing; a line over the limit is given cut just past it, so that
    reading it says too_large, and the lines after it keep their numbers."""
    data = b"".join(text + end for text, end in lines)
    if last and lines:
        data = data[: -len(lines[-1][1])]  # the last line without its ending
    items = list(sources.ndjson_records(io.BytesIO(data), Path("x.ndjson"), limit=LIMIT))
    expected = [
        (number, text if len(text) <= LIMIT else text[: LIMIT + 1])
        for number, (text, _) in enumerate(lines, start=1)
        if text.strip() or len(text) > LIMIT
    ]
    assert expected == [(item.line, item.data) for item in items]


# --- constant memory -------------------------------------------------------------------------


def _collected(rows: Iterator[dict[str, Any]], every: int = 50) -> Iterator[dict[str, Any]]:
    """``rows``, with a full collection now and then: the garbage that the cyclic collector
    has not reached yet, and the interpreter's free lists, are bounded by the interpreter,
    not by the stream (a million records show it, in benchmarks/statistics.py); what is
    measured here is what a record leaves behind."""
    for number, row in enumerate(rows, start=1):
        if number % every == 0:
            gc.collect()
        yield row


def _peak(pool: list[dict[str, Any]], count: int) -> int:
    gc.collect()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    rows = export.stream_statistics(generated(pool, count), key=KEY)
    tables = export.aggregate(_collected(rows))
    assert tables["by_outcome"]
    return tracemalloc.get_traced_memory()[1] - before


def test_memory_does_not_grow_with_the_number_of_records_streamed(
    pool: list[dict[str, Any]],
) -> None:
    """Records -> rows -> counted tables: the peak of 400 records is that of 100."""
    tracemalloc.start()
    try:
        _peak(pool, 30)  # forms, validators and profiles are loaded once, and kept
        small, large = _peak(pool, 100), _peak(pool, 400)
    finally:
        tracemalloc.stop()
    assert large < small * 1.25 + 64 * 1024, (small, large)


def test_parquet_is_written_in_row_groups_from_a_stream(
    pool: list[dict[str, Any]], tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    stream = export.stream_statistics(generated(pool, 12), key=KEY)
    written = export.to_parquet(stream, tmp_path / "rows.parquet", batch_rows=5)
    table = pq.ParquetFile(tmp_path / "rows.parquet")
    assert (12, 3) == (written, table.num_row_groups)
    assert list(stream.columns) == table.schema_arrow.names


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_reading_many_record_files_leaves_no_memory_mapping_behind(tmp_path: Path) -> None:
    """A read as large as the size limit made the C library map memory for each record,
    and each mapping stayed while the record was kept: 65,530 mappings were the limit."""
    for number in range(400):
        (tmp_path / f"{number}.json").write_bytes(b'{"n": %d}' % number)

    def mappings() -> int:
        return len(Path("/proc/self/maps").read_text().splitlines())

    before = mappings()
    kept = [item.data for item in read_records(tmp_path)]
    assert 400 == len(kept)
    assert mappings() - before < 50


# --- read_record: the fast path keeps every verdict --------------------------------------------


def _verdict(document: Any) -> Any:
    try:
        return ("ok", export.read_record(copy.deepcopy(document)))
    except KindbehoeftenError as error:
        return (type(error).__name__, str(error))
    except (TypeError, ValueError) as error:
        return (type(error).__name__, str(error))


def _careful_verdict(document: Any) -> Any:
    """read_record's verdict by the careful path alone: the same reader, then every check
    (the schema by jsonschema, the history, each submission, the derived fields)."""
    limits = {"max_bytes": MAX_DOCUMENT_BYTES, "max_depth": MAX_DOCUMENT_DEPTH}
    try:
        if isinstance(document, str):
            found = jsonread.read(document, nonfinite=False, **limits)
        else:
            found = jsonread.plain(copy.deepcopy(document), **limits)
        if found.problems:
            raise InvalidRecordError([(item.pointer, item.code) for item in found.problems])
        checked, assessment = record_module._careful(found.document, None)
        return ("ok", checked | {"history": assessment.to_dict()})
    except KindbehoeftenError as error:
        return (type(error).__name__, str(error))
    except (TypeError, ValueError) as error:
        return (type(error).__name__, str(error))


def _places(document: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _places(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _places(value, (*prefix, index))


REPLACEMENTS = [True, False, 1, 0, 1.0, None, "", "x", "2026-02-30", [], {}, "2026-09-01"]
CHANGES = [*REPLACEMENTS, "delete", "add"]


def _mutated(document: dict[str, Any], place: tuple[Any, ...], change: Any) -> Any:
    changed = copy.deepcopy(document)
    if not place:
        return change
    holder = changed
    for part in place[:-1]:
        holder = holder[part]
    if change == "delete":
        del holder[place[-1]]
    elif change == "add" and isinstance(holder, dict):
        holder["extra"] = 1
    else:
        holder[place[-1]] = change
    return changed


@given(data=st.data())
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_fast_path_of_read_record_gives_the_careful_paths_verdict(data: st.DataObject) -> None:
    """Any value of a record changed (its type, its value, deleted, a key added beside it), as
    text and as a dict: read_record (the fast path, declining to the careful one) says what
    the careful path alone says."""
    document = data.draw(st.sampled_from(POOL[:6]), label="record")
    place = data.draw(st.sampled_from(list(_places(document))), label="place")
    change = data.draw(st.sampled_from(CHANGES if place else REPLACEMENTS), label="change")
    changed = _mutated(document, place, change)
    for given_document in (changed, json.dumps(changed)):
        assert _careful_verdict(given_document) == _verdict(given_document)


def test_an_intact_record_takes_the_fast_path_and_is_what_the_careful_path_reads(
    pool: list[dict[str, Any]],
) -> None:
    for document in pool[:6]:
        found = jsonread.plain(copy.deepcopy(document), max_bytes=MAX_DOCUMENT_BYTES)
        assert record_module._intact(found.document, None, True) is not None
        assert ("ok", export.read_record(document)) == _careful_verdict(document)


def test_a_today_that_is_no_date_is_an_invalid_record(pool: list[dict[str, Any]]) -> None:
    changed = dict(pool[0], today="2026-02-30")
    with pytest.raises(InvalidRecordError) as caught:
        export.read_record(changed)
    assert [("/today", "date")] == list(caught.value.problems)


# --- the same tables from Python, DuckDB and Dask ----------------------------------------------


@pytest.fixture(scope="module")
def record_files(pool: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("records")
    lines = list(generated(pool, 90))
    lines[40] = b'{"not": "a record"}'
    write_ndjson(folder / "one.ndjson", lines[:45])
    write_ndjson(folder / "two.ndjson", lines[45:80])
    for number, line in enumerate(lines[80:]):
        (folder / f"single-{number}.json").write_bytes(line)
    return folder


@pytest.mark.parametrize("min_cell", [1, 5, 11])
def test_python_duckdb_and_dask_publish_the_same_tables(
    record_files: Path, tmp_path: Path, min_cell: int
) -> None:
    rows = export.statistics(read_records(record_files), key=KEY, on_error=lambda _: None)
    expected = export.aggregate(rows, min_cell=min_cell)
    assert 89 == len(rows)
    export.to_parquet(rows[:50], tmp_path / "a.parquet")
    export.to_parquet(rows[50:], tmp_path / "b.parquet")
    assert expected == export.aggregate_parquet(tmp_path / "*.parquet", min_cell=min_cell)
    frame, _ = export.dask_statistics(record_files, key=KEY, files_per_partition=2)
    assert expected == export.aggregate_dask(frame, min_cell=min_cell)
    assert any(row["suppressed"] for table in expected.values() for row in table) or min_cell == 1


def test_rows_that_aggregate_refuses_are_refused_by_duckdb_and_dask_too(tmp_path: Path) -> None:
    import dask.dataframe as dd
    import pandas as pd

    rows = [{"jurisdiction": "SE", "preliminary_outcome": "maybe", "deadline_x": "met"}]
    export.to_parquet(rows, tmp_path / "rows.parquet")
    frame = dd.from_pandas(pd.DataFrame(rows), npartitions=1)
    for aggregate in (
        lambda: export.aggregate(rows),
        lambda: export.aggregate_parquet(tmp_path / "rows.parquet"),
        lambda: export.aggregate_dask(frame),
    ):
        with pytest.raises(InvalidArgumentError, match="preliminary_outcome that is none of"):
            aggregate()
    with pytest.raises(InvalidArgumentError, match="min_cell"):
        export.aggregate_parquet(tmp_path / "rows.parquet", min_cell=0)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"preliminary_outcome": "close"}], "every row needs a jurisdiction"),
        ([{"jurisdiction": None, "preliminary_outcome": "close"}], "needs a jurisdiction"),
        (
            [{"jurisdiction": "SE", "preliminary_outcome": "close", "deadline_x": "late"}],
            "deadline_x that is none of",
        ),
    ],
)
def test_rows_without_a_jurisdiction_or_with_an_unknown_status_are_refused_on_every_path(
    rows: list[dict[str, Any]], message: str, tmp_path: Path
) -> None:
    import dask.dataframe as dd
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    # every column a string column, also when all its values are null
    columns = {name: pa.array([row.get(name) for row in rows], pa.string()) for name in rows[0]}
    pq.write_table(pa.table(columns), tmp_path / "rows.parquet")
    frame = dd.from_pandas(pd.DataFrame(rows, dtype="string"), npartitions=1)
    for aggregate in (
        lambda: export.aggregate(rows),
        lambda: export.aggregate_parquet(tmp_path / "rows.parquet"),
        lambda: export.aggregate_dask(frame),
    ):
        with pytest.raises(InvalidArgumentError, match=message):
            aggregate()


def test_duckdb_counts_a_list_of_files_with_different_columns_on_a_connection_of_ones_own(
    record_files: Path, tmp_path: Path
) -> None:
    """Files of rows with other columns (as from other forms or profiles) are read by name;
    a connection given is used as it is, with the threads asked for."""
    import duckdb

    rows = export.statistics(read_records(record_files), key=KEY, on_error=lambda _: None)
    narrow = [{k: v for k, v in row.items() if not k.startswith("area_")} for row in rows[:30]]
    export.to_parquet(narrow, tmp_path / "a.parquet")
    export.to_parquet(rows[30:], tmp_path / "b.parquet")
    both = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    expected = export.aggregate([*narrow, *rows[30:]])
    assert expected == export.aggregate_parquet(both, threads=1)
    connection = duckdb.connect()
    counts = monitoring.count_parquet(both, connection=connection, threads=2)
    assert expected == tables.publish(counts, 5)
    setting = connection.execute("SELECT current_setting('threads')").fetchone()
    assert setting is not None
    assert 2 == int(setting[0])


def test_a_missing_engine_names_the_extra_to_install() -> None:
    from kindbehoeften.errors import MissingDependencyError

    with pytest.raises(MissingDependencyError, match=r'pip install "kindbehoeften\[duckdb\]"'):
        monitoring._module("kindbehoeften_no_such_engine", "duckdb", "Counting Parquet files")


@pytest.mark.timeout(300)
@pytest.mark.filterwarnings("ignore::ResourceWarning")  # distributed's, at the cluster's end
def test_the_dask_pipeline_on_a_local_cluster_of_two_worker_processes(
    record_files: Path, tmp_path: Path
) -> None:
    """Records -> rows -> Parquet -> tables on two worker processes: the tables of Python,
    and each refused record with its place."""
    import dask
    import dask.dataframe as dd
    import distributed

    rows = export.statistics(read_records(record_files), key=KEY, on_error=lambda _: None)
    expected = export.aggregate(rows)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        frame, refused = export.dask_statistics(record_files, key=KEY, files_per_partition=2)
        _, problems = dask.compute(frame.to_parquet(tmp_path / "rows", compute=False), refused)
        written = dd.read_parquet(tmp_path / "rows")
        assert expected == export.aggregate_dask(written)
    assert [(str(record_files / "one.ndjson"), 41, "InvalidRecordError")] == [
        (row.file, row.line, row.error) for row in problems.itertuples()
    ]


# --- the command line ------------------------------------------------------------------------


def test_export_stats_names_each_refused_record_and_counts_the_others(
    pool: list[dict[str, Any]], tmp_path: Path
) -> None:
    lines = list(generated(pool, 6))
    lines[2] = b"[1, 2"
    path = write_ndjson(tmp_path / "records.ndjson", lines)
    key = tmp_path / "key"
    key.write_bytes(KEY)
    code, out, err = run("export", "stats", str(tmp_path), "--key-file", str(key), width=300)
    assert 1 == code
    assert f"{path}:3" in err
    assert "1 record refused, 5 counted" in err
    rows = list(csv.DictReader(io.StringIO(out)))
    expected = export.statistics([line for n, line in enumerate(lines) if n != 2], key=KEY)
    assert list(expected[0]) == list(rows[0])
    assert 5 == len(rows)
    code, out, err = run(
        "export", "stats", str(path), "--key-file", str(key), "--aggregate", width=300
    )
    assert (1, True) == (code, out.startswith("# by_outcome"))


def test_export_stats_reads_ndjson_from_standard_input(
    pool: list[dict[str, Any]], tmp_path: Path
) -> None:
    lines = list(generated(pool, 3))
    key = tmp_path / "key"
    key.write_bytes(KEY)
    code, out, err = run(
        "export",
        "stats",
        "-",
        "--ndjson",
        "--key-file",
        str(key),
        stdin=b"\n".join(lines) + b"\n",
    )
    assert (0, "") == (code, err)
    assert 4 == len(out.splitlines())


def test_export_stats_writes_parquet_with_the_columns_of_the_records(
    pool: list[dict[str, Any]], tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    lines = list(generated(pool, 7))
    path = write_ndjson(tmp_path / "records.ndjson", lines)
    key = tmp_path / "key"
    key.write_bytes(KEY)
    target = tmp_path / "rows.parquet"
    code, _, err = run(
        "export", "stats", str(path), "--key-file", str(key), "--format", "parquet",
        "--output", str(target),
    )  # fmt: skip
    assert (0, "") == (code, err)
    assert export.statistics(lines, key=KEY) == pq.read_table(target).to_pylist()


def test_export_stats_shows_the_first_hundred_refused_records_and_counts_the_rest(
    pool: list[dict[str, Any]], tmp_path: Path
) -> None:
    lines = [b"{}"] * 103 + list(generated(pool, 2))
    path = write_ndjson(tmp_path / "records.ndjson", lines)
    key = tmp_path / "key"
    key.write_bytes(KEY)
    code, out, err = run("export", "stats", str(path), "--key-file", str(key), width=300)
    assert 1 == code
    assert 100 == err.count(f"{path}:")
    assert f"{path}:100: " in err
    assert f"{path}:101" not in err
    assert "103 records refused (3 more not shown), 2 counted" in err
    assert 3 == len(out.splitlines())


def test_export_stats_of_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_bytes(KEY)
    missing = tmp_path / "missing.ndjson"
    code, out, err = run("export", "stats", str(missing), "--key-file", str(key), width=300)
    assert (2, "") == (code, out)
    assert f"no such file: {missing}" in err


def _nested(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(
    "place",
    [
        ("submissions", 0, "answers", "intake"),
        ("submissions", 0, "answers", "intake", "report", "reporter_kind"),
        ("history", "events", 0, "data", "municipality"),
        ("deadlines", 0, "label"),
        ("extra",),
    ],
)
@pytest.mark.parametrize("levels", [30, 45, 300])
def test_a_record_too_deep_anywhere_is_refused_as_the_careful_path_refuses_it(
    pool: list[dict[str, Any]], place: tuple[Any, ...], levels: int
) -> None:
    """Records given as bytes are parsed before their depth is checked: a value nested too
    deep, anywhere, still gets the careful path's verdict (too_deep, at its place)."""
    document = copy.deepcopy(pool[0])
    holder: Any = document
    for part in place[:-1]:
        holder = holder[part]
    holder[place[-1]] = _nested(levels)
    text = json.dumps(document).encode()
    assert _careful_verdict(text.decode()) == _verdict(text)
    assert "ok" != _verdict(text)[0]


def _altered_answer(document: dict[str, Any]) -> None:
    submission = document["submissions"][0]
    submission["answers"]["intake"]["report"]["reporter_kind"] = "no such kind"


ALTERATIONS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "an event": lambda d: d["history"]["events"][1].update(actor="someone else"),
    "an event's hash": lambda d: d["history"]["events"][2].update(hash="0" * 64),
    "a submission": _altered_answer,
    "reordered": lambda d: d["history"]["events"].reverse(),
    "two events swapped": lambda d: d["history"]["events"].insert(1, d["history"]["events"].pop(2)),
    "truncated": lambda d: d["history"]["events"].__delitem__(slice(2, None)),
    "its last event removed": lambda d: d["history"]["events"].pop(),
    "an event not canonical": lambda d: d["history"]["events"][0].pop("at"),
    "a deadline": lambda d: d["deadlines"][0].update(status="overdue"),
}


def test_each_altered_record_in_a_stream_is_refused_with_its_place_as_read_record_refuses_it(
    pool: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Histories are verified a list at a time on the fast path: a record altered in an
    event, a submission, its order or its length is still refused, with its file and line,
    with the careful path's error, and the records around it counted."""
    lines = list(generated(pool, 2 * len(ALTERATIONS) + 1))
    expected_errors = []
    for number, change in enumerate(ALTERATIONS.values()):
        altered = json.loads(lines[2 * number + 1])
        change(altered)
        lines[2 * number + 1] = json.dumps(altered).encode()
        expected_errors.append(_careful_verdict(json.dumps(altered)))
    path = write_ndjson(tmp_path / "records.ndjson", lines)
    refused: list[export.RefusedRecord] = []
    stream = export.stream_statistics(read_records(path), key=KEY, on_error=refused.append)
    rows = list(stream)
    # A history without its last events can agree with the record's stage and deadlines:
    # then no reader can tell without the head hash, and both paths count it.
    places = [f"{path}:{2 * n + 2}" for n, found in enumerate(expected_errors) if found[0] != "ok"]
    assert places == [item.place for item in refused]
    assert (len(lines) - len(places), len(places)) == (len(rows), stream.refused)
    assert [found for found in expected_errors if found[0] != "ok"] == [
        (type(item.error).__name__, str(item.error)) for item in refused
    ]
    assert len(ALTERATIONS) - 1 <= len(places)  # only the one removed event may pass
