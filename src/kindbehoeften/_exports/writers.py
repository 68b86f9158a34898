"""Statistics rows and tables as CSV and Parquet, written as they come.

Both writers take any iterable of rows and keep at most one batch of them, so that a stream of
rows of any length is written in constant memory: :func:`write_csv` row by row into a text
file, :func:`to_parquet` in row groups of ``batch_rows``.
"""

from __future__ import annotations

import csv
import importlib
import io
import itertools
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any, Final, TypeAlias

from ..errors import InvalidArgumentError, MissingDependencyError
from .tables import OUTCOMES, STATUSES, row_of

__all__ = ["INTEGER_COLUMNS", "arrow", "to_csv", "to_parquet", "write_csv"]

Value: TypeAlias = str | int | None

#: Columns that hold whole numbers, so that Parquet types them so even when all are empty.
INTEGER_COLUMNS: Final = frozenset(
    {"cycle", "days_to_preliminary_decision", "days_to_full_assessment_decision"}
    | {"undecided", "assessed", "some_concern", "serious_concern", *OUTCOMES, *STATUSES}
)
_BATCH_ROWS: Final = 65_536


def _checked_columns(
    rows: Iterable[Mapping[str, Value]], columns: Sequence[str] | None
) -> tuple[list[str], Iterator[Mapping[str, Value]]]:
    """The columns (given, or the first row's) and the rows, each checked to have them."""
    stream = iter(rows)
    given = next(stream, None)
    first = None if given is None else row_of(0, given)
    names = list(columns) if columns is not None else [] if first is None else list(first)
    if first is None:
        return names, iter(())

    def checked() -> Iterator[Mapping[str, Value]]:
        for index, item in enumerate(itertools.chain([first], stream)):
            row = row_of(index, item)
            if row.keys() != first.keys() or list(row) != names:
                raise InvalidArgumentError(
                    "rows",
                    f"row {index} has other columns than the others; write one table per call",
                )
            yield row

    return names, checked()


def write_csv(
    rows: Iterable[Mapping[str, Value]],
    file: IO[str],
    *,
    columns: Sequence[str] | None = None,
    min_cell: int = 5,
) -> int:
    """Rows as CSV into ``file`` (see :func:`to_csv`), one at a time; the number written."""
    names, checked = _checked_columns(rows, columns)
    if not names:
        return 0
    writer = csv.writer(file, lineterminator="\r\n")
    writer.writerow(names)
    written = 0
    for row in checked:
        hidden = _hidden(row, min_cell)
        writer.writerow(
            [hidden.get(name, "") if row[name] is None else _cell(row[name]) for name in names]
        )
        written += 1
    return written


# A spreadsheet opening the file runs a cell that starts with one of these as a formula
# (CWE-1236); a municipality is the caller's text, so such text gets a leading ' (OWASP).
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Value) -> Value:
    """``value`` as a CSV cell: text a spreadsheet would read as a formula kept as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(
    rows: Iterable[Mapping[str, Value]],
    *,
    columns: Sequence[str] | None = None,
    min_cell: int = 5,
) -> str:
    """Rows (of :func:`statistics`, or one table of :func:`aggregate`) as CSV text.

    A header row, then one line per row, columns in the rows' order (``columns`` names
    them when there may be no rows: ``COLUMNS`` or ``TABLES[name]``). Lines end in
    ``\\r\\n`` (RFC 4180); write the text to a file opened with ``newline=""``. ``None`` is
    an empty field; in a table of :func:`aggregate` a hidden cell is ``<5`` (``<min_cell``;
    pass the ``min_cell`` you aggregated with) or, for a hidden cell of ``min_cell`` or more,
    ``x``. Text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    (a municipality is the caller's text) gets a leading ``'``, so that a spreadsheet does
    not run it as a formula. A published count below ``min_cell`` raises
    :class:`~kindbehoeften.errors.InvalidArgumentError` (a ``ValueError``).

    >>> to_csv([{"jurisdiction": "SE", "close": None, "suppressed": "close",
    ...          "suppressed_large": ""}])
    'jurisdiction,close,suppressed,suppressed_large\\r\\nSE,<5,close,\\r\\n'
    """
    buffer = io.StringIO()
    write_csv(rows, buffer, columns=columns, min_cell=min_cell)
    return buffer.getvalue()


def _hidden(row: Mapping[str, Value], min_cell: int) -> dict[str, str]:
    """How each hidden cell of an aggregate row is written in CSV."""
    if "suppressed" not in row:
        return {}
    large = set(str(row.get("suppressed_large") or "").split(";"))
    for name, value in row.items():
        if isinstance(value, int) and 0 < value < min_cell:
            raise InvalidArgumentError(
                "min_cell",
                f"{name} is published below min_cell={min_cell}: pass to_csv the min_cell "
                "the table was aggregated with",
            )
    return {
        name: "x" if name in large else f"<{min_cell}"
        for name in str(row["suppressed"]).split(";")
        if name
    }


def arrow() -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet; :class:`MissingDependencyError` naming the extra."""
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError as error:
        raise MissingDependencyError(
            'Parquet output needs pyarrow: pip install "kindbehoeften[parquet]", or write CSV'
        ) from error


def _schema(pa: Any, names: Sequence[str], batch: Sequence[Mapping[str, Value]]) -> Any:
    """Each column as 64-bit integers or strings, by its values in the first batch (by its
    name when they are all empty)."""
    fields = []
    for name in names:
        kinds = {type(row[name]) for row in batch if row[name] is not None}
        if kinds == {int} or (not kinds and name in INTEGER_COLUMNS):
            fields.append(pa.field(name, pa.int64()))
        elif kinds <= {str}:
            fields.append(pa.field(name, pa.string()))
        else:
            raise _mixed(name, kinds)
    return pa.schema(fields)


def _mixed(name: str, kinds: set[type]) -> TypeError:
    # Values of a wrong type: Python's own TypeError (as pyarrow's ArrowTypeError).
    return TypeError(
        f"column {name} mixes {', '.join(sorted(k.__name__ for k in kinds))}; a column "
        "holds text or whole numbers, with None for unknown"
    )


def to_parquet(
    rows: Iterable[Mapping[str, Value]],
    path: str | os.PathLike[str],
    *,
    columns: Sequence[str] | None = None,
    batch_rows: int = _BATCH_ROWS,
) -> int:
    """Write rows (of :func:`statistics` or :func:`stream_statistics`, or one table of
    :func:`aggregate`) to a Parquet file: text columns as strings, counts and days as 64-bit
    integers, ``None`` (unknown or hidden) as null; the ``suppressed`` columns say which
    nulls are hidden counts. Rows are read once and written in row groups of ``batch_rows``,
    so that a stream of rows is written in constant memory; the number of rows written is
    returned. The types of the columns are those of the first row group.

    Needs pyarrow: without it, :class:`MissingDependencyError` says
    ``pip install "kindbehoeften[parquet]"``.
    """
    names, checked = _checked_columns(rows, columns)
    pa, pq = arrow()
    writer = None
    written = 0
    try:
        while True:
            batch = list(itertools.islice(checked, batch_rows))
            if writer is None:
                schema = _schema(pa, names, batch)
                writer = pq.ParquetWriter(os.fspath(path), schema)
            elif not batch:
                break
            try:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            except (pa.ArrowTypeError, pa.ArrowInvalid) as error:
                kinds = {
                    type(row[name]) for row in batch for name in names if row[name] is not None
                }
                raise _mixed("values", kinds) from error
            written += len(batch)
            if len(batch) < batch_rows:
                break
    finally:
        if writer is not None:
            writer.close()
    return written
