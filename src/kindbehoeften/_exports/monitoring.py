"""National monitoring: statistics rows counted by DuckDB over Parquet, or made and counted on a
Dask cluster, and published by the one rule of disclosure.py.

The engines only count: :func:`count_parquet` (DuckDB) and :func:`count_dask` make the same
:class:`~kindbehoeften._exports.tables.Counts` as :func:`~kindbehoeften._exports.tables.count`
does in Python, and :func:`~kindbehoeften._exports.tables.publish` suppresses the small cells,
so the three paths publish the same tables from the same rows. Both engines are optional
extras (``kindbehoeften[duckdb]``, ``kindbehoeften[dask]``), imported when first used.

:func:`dask_statistics` is the pipeline of :func:`~kindbehoeften.export.stream_statistics`
on Dask: record files -> rows and refused records (each a ``dask.dataframe``);
write the rows with ``to_parquet`` and count them with :func:`aggregate_dask`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any, Final

from .._lifecycle.deadlines import Profile
from ..errors import InvalidArgumentError, MissingDependencyError
from .rows import Row, _checked_key
from .sources import read_records, records_in
from .statistics import RefusedRecord, StatisticsStream
from .tables import OUTCOMES, STATUSES, Counts, check_min_cell, publish, unknown_value
from .writers import INTEGER_COLUMNS

__all__ = [
    "aggregate_dask",
    "aggregate_parquet",
    "count_dask",
    "count_parquet",
    "dask_statistics",
]

ParquetSource = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


def _module(name: str, extra: str, what: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise MissingDependencyError(
            f'{what} needs {name.split(".")[0]}: pip install "kindbehoeften[{extra}]"'
        ) from error


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- DuckDB ----------------------------------------------------------------------------------


def count_parquet(
    source: ParquetSource, *, connection: Any = None, threads: int | None = None
) -> Counts:
    """The counted tables of the statistics rows in Parquet files, counted by DuckDB.

    ``source`` is a file, a glob (``rows/*.parquet``) or a list of them; files with other
    columns (other jurisdictions, other forms) are read together, by column name. A
    ``connection`` of your own may be given (``duckdb.connect()``); ``threads`` limits the
    threads DuckDB uses.
    """
    duckdb = _module("duckdb", "duckdb", "Counting Parquet files")
    items = [source] if isinstance(source, str | os.PathLike) else list(source)
    files = [str(os.fspath(item)) for item in items]
    # DuckDB draws a progress bar on standard output for a query over two seconds, which
    # would land in the middle of what a program prints: none on a connection of ours.
    con = connection
    if con is None:
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
    if threads is not None:
        con.execute(f"SET threads TO {int(threads)}")
    rows = "read_parquet($files, union_by_name = true)"
    params = {"files": files}
    columns = [
        name for name, *_ in con.execute(f"DESCRIBE SELECT * FROM {rows}", params).fetchall()
    ]
    if "jurisdiction" not in columns or "preliminary_outcome" not in columns:
        raise InvalidArgumentError(
            "rows", "every row needs a jurisdiction; make rows with export.statistics()"
        )
    counts = Counts()
    counts.rules = [name for name in columns if name.startswith("deadline_")]
    areas = [name for name in columns if name.startswith("area_")]

    outcomes = con.execute(
        f"SELECT jurisdiction, preliminary_outcome, count(*) FROM {rows} GROUP BY ALL", params
    ).fetchall()
    for code, outcome, number in outcomes:
        if not isinstance(code, str):
            raise InvalidArgumentError(
                "rows", "every row needs a jurisdiction; make rows with export.statistics()"
            )
        if not counts.add_outcome(code, outcome, number):
            raise unknown_value(None, "preliminary_outcome", OUTCOMES)

    if areas:
        listed = ", ".join(map(_quoted, areas))
        found = con.execute(
            f"SELECT name, value, count(*) FROM (UNPIVOT (SELECT {listed} FROM {rows}) "
            f"ON {listed} INTO NAME name VALUE value) GROUP BY ALL",
            params,
        ).fetchall()
        counts.areas = {name: {} for name in areas}
        for name, value, number in found:
            counts.areas[name][value] = number
    if counts.rules:
        listed = ", ".join(map(_quoted, counts.rules))
        found = con.execute(
            f"SELECT jurisdiction, name, value, count(*) FROM (UNPIVOT (SELECT jurisdiction, "
            f"{listed} FROM {rows}) ON {listed} INTO NAME name VALUE value) GROUP BY ALL "
            "ORDER BY ALL",
            params,
        ).fetchall()
        for code, name, status, number in found:
            if not counts.add_status(code, name, status, number):
                raise unknown_value(None, name, STATUSES)
    return counts


def aggregate_parquet(
    source: ParquetSource, *, min_cell: int = 5, threads: int | None = None
) -> dict[str, list[Row]]:
    """The tables of :func:`~kindbehoeften.export.aggregate` from statistics rows in Parquet
    files, counted by DuckDB (:func:`count_parquet`) and suppressed by the same rule: the same
    rows give the same tables as in Python. Needs ``pip install "kindbehoeften[duckdb]"``."""
    check_min_cell(min_cell)
    return publish(count_parquet(source, threads=threads), min_cell)


# --- Dask ------------------------------------------------------------------------------------


_REFUSED: Final = {"file": "string", "line": "Int64", "error": "string", "message": "string"}


def _partition(
    files: Sequence[str], key: bytes, profiles: Mapping[str, Profile] | None
) -> tuple[Any, Any]:
    """The rows of some record files as a pandas DataFrame, and the records refused."""
    pd = importlib.import_module("pandas")
    refused: list[RefusedRecord] = []
    stream = StatisticsStream(
        read_records(*files), key=key, profiles=profiles, on_error=refused.append
    )
    rows = list(stream)
    frame = pd.DataFrame.from_records(rows, columns=list(stream.columns))
    problems = pd.DataFrame.from_records(
        [
            (
                None if item.file is None else str(item.file),
                item.line,
                type(item.error).__name__,
                str(item.error),
            )
            for item in refused
        ],
        columns=list(_REFUSED),
    )
    return frame.astype(_dtypes(stream.columns)), problems.astype(_REFUSED)


def _dtypes(columns: Iterable[str]) -> dict[str, str]:
    return {name: "Int64" if name in INTEGER_COLUMNS else "string" for name in columns}


def dask_statistics(
    *paths: str | os.PathLike[str],
    key: bytes,
    profiles: Mapping[str, Profile] | None = None,
    files_per_partition: int = 1,
) -> tuple[Any, Any]:
    """Statistics on Dask: the rows of the records in ``paths`` (files and folders, as
    :func:`~kindbehoeften.export.read_records` reads them) as a ``dask.dataframe`` with the
    columns of :func:`~kindbehoeften.export.stream_statistics`, and the refused records as a
    ``dask.dataframe`` (``file``, ``line``, ``error``: the error's class, ``message``).

    Each partition reads ``files_per_partition`` files in one task, on whichever worker. Both
    results share those tasks: compute them together, so that each file is read once::

        rows, refused = export.dask_statistics("records/", key=key)
        _, problems = dask.compute(rows.to_parquet("rows/", compute=False), refused)

    The key travels with the tasks to the workers: run them where the key may be. Needs
    ``pip install "kindbehoeften[dask]"``.
    """
    secret = _checked_key(key)
    dd = _module("dask.dataframe", "dask", "Statistics on Dask")
    delayed = importlib.import_module("dask").delayed
    pd = importlib.import_module("pandas")
    files = [str(path) for path in records_in(*paths)]
    size = max(1, files_per_partition)
    groups = [files[start : start + size] for start in range(0, len(files), size)] or [[]]
    parts = [delayed(_partition, pure=True)(group, secret, profiles) for group in groups]
    columns = StatisticsStream((), key=secret, profiles=profiles).columns
    meta = pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in _dtypes(columns).items()})
    rows = dd.from_delayed([delayed(itemgetter(0))(part) for part in parts], meta=meta)
    refused = dd.from_delayed(
        [delayed(itemgetter(1))(part) for part in parts],
        meta=pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in _REFUSED.items()}),
    )
    return rows, refused


def count_dask(frame: Any) -> Counts:
    """The counted tables of statistics rows in a ``dask.dataframe`` (of
    :func:`dask_statistics`, or ``dask.dataframe.read_parquet`` of rows), counted on Dask in
    one pass."""
    dask = _module("dask", "dask", "Counting on Dask")
    columns = list(frame.columns)
    if "jurisdiction" not in columns or "preliminary_outcome" not in columns:
        raise InvalidArgumentError(
            "rows", "every row needs a jurisdiction; make rows with export.statistics()"
        )
    rules = [name for name in columns if name.startswith("deadline_")]
    areas = [name for name in columns if name.startswith("area_")]
    missing = frame["jurisdiction"].isna().sum()
    outcomes = frame.groupby(["jurisdiction", "preliminary_outcome"], dropna=False).size()
    area_counts = [frame[name].value_counts(dropna=True) for name in areas]
    status_counts = [frame.groupby(["jurisdiction", name]).size() for name in rules]
    missing, outcomes, area_counts, status_counts = dask.compute(
        missing, outcomes, area_counts, status_counts
    )
    if missing:
        raise InvalidArgumentError(
            "rows", "every row needs a jurisdiction; make rows with export.statistics()"
        )
    isna = importlib.import_module("pandas").isna
    counts = Counts(rules=rules)
    for (code, outcome), number in outcomes.items():
        found_outcome = None if isna(outcome) else str(outcome)
        if not counts.add_outcome(str(code), found_outcome, int(number)):
            raise unknown_value(None, "preliminary_outcome", OUTCOMES)
    for name, values in zip(areas, area_counts, strict=True):
        counts.areas[name] = {str(value): int(number) for value, number in values.items()}
    for name, statuses in zip(rules, status_counts, strict=True):
        for (code, status), number in statuses.items():
            if not counts.add_status(str(code), name, str(status), int(number)):
                raise unknown_value(None, name, STATUSES)
    return counts


def aggregate_dask(frame: Any, *, min_cell: int = 5) -> dict[str, list[Row]]:
    """The tables of :func:`~kindbehoeften.export.aggregate` from statistics rows in a
    ``dask.dataframe``, counted on Dask (:func:`count_dask`) and suppressed by the same rule:
    the same rows give the same tables as in Python and in DuckDB."""
    check_min_cell(min_cell)
    return publish(count_dask(frame), min_cell)
