"""Records read from files, folders and NDJSON, one at a time, each with its place.

:func:`read_records` yields a :class:`RecordText` per record: its bytes, the file it came
from and, in NDJSON, its line. Nothing is kept once the next record is read, so a stream of
any length is read in constant memory; files are read with plain buffered reads (a JSON file
in 64 KiB pieces, NDJSON line by line), never with a buffer as large as the size limit, which
the C library would serve with a memory mapping of its own for every record kept.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.ndjson").write_bytes(b'{"n": 1}\\n\\n{"n": 2}\\n')
>>> _ = (folder / "b.json").write_bytes(b'{"n": 3}')
>>> [(item.file.name, item.line, item.data) for item in read_records(folder)]
[('a.ndjson', 1, b'{"n": 1}'), ('a.ndjson', 3, b'{"n": 2}'), ('b.json', None, b'{"n": 3}')]
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from .._core.limits import MAX_DOCUMENT_BYTES

__all__ = ["NDJSON_SUFFIXES", "RECORD_SUFFIXES", "RecordText", "read_records", "records_in"]

#: The files of a folder that are read as records: one JSON record each, or NDJSON.
RECORD_SUFFIXES: Final = (".json", ".ndjson", ".jsonl")
#: The file name endings read as NDJSON (one record a line, blank lines skipped).
NDJSON_SUFFIXES: Final = (".ndjson", ".jsonl")
_PIECE: Final = 64 * 1024
_BUFFER: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class RecordText:
    """The text of one record (UTF-8 bytes, as read) and where it is: its ``file`` and, for
    a record of an NDJSON file, its ``line`` (counted from 1; ``None`` for a whole file)."""

    data: bytes
    file: Path
    line: int | None = None

    @property
    def place(self) -> str:
        """``file:line``, or the file for a whole-file record."""
        return str(self.file) if self.line is None else f"{self.file}:{self.line}"


def records_in(*paths: str | os.PathLike[str]) -> Iterator[Path]:
    """The record files that ``paths`` name: each file as given, and for a folder every file
    in it or below it that ends in ``.json``, ``.ndjson`` or ``.jsonl``, in name order;
    entries that are not regular files (a pipe, a socket) are passed over. A path that does
    not exist raises ``FileNotFoundError``."""
    for given in paths:
        path = Path(given)
        if not path.is_dir():
            if not path.exists():
                raise FileNotFoundError(f"no such file or folder: {path}")
            yield path
            continue
        for folder, folders, names in os.walk(path):
            folders.sort()
            for name in sorted(names):
                found = Path(folder, name)
                if found.suffix in RECORD_SUFFIXES and _regular(found):
                    yield found


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def read_records(
    *paths: str | os.PathLike[str], ndjson: bool | None = None
) -> Iterator[RecordText]:
    """Every record in ``paths`` (files and folders, see :func:`records_in`), one at a time.

    A file is NDJSON when its name ends in ``.ndjson`` or ``.jsonl`` (or always with
    ``ndjson=True``; never with ``False``): one record a line, blank lines skipped. Any
    other file is one record. A record over the size limit of a record (16 MiB) is yielded
    cut just past the limit, for :func:`~kindbehoeften.export.read_record` to refuse as
    ``too_large``; the rest of its line is skipped without being kept.
    """
    for path in records_in(*paths):
        lines = path.suffix in NDJSON_SUFFIXES if ndjson is None else ndjson
        with path.open("rb", buffering=_BUFFER) as stream:
            if lines:
                yield from ndjson_records(stream, path)
            else:
                yield RecordText(read_whole(stream), path)


def read_whole(stream: IO[bytes], limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """At most ``limit + 1`` bytes of ``stream``, read in 64 KiB pieces."""
    pieces: list[bytes] = []
    size = 0
    while size <= limit:
        piece = stream.read(min(_PIECE, limit + 1 - size))
        if not piece:
            break
        pieces.append(piece)
        size += len(piece)
    return b"".join(pieces)


def ndjson_records(
    stream: IO[bytes], file: Path, limit: int = MAX_DOCUMENT_BYTES
) -> Iterator[RecordText]:
    """The records of an NDJSON stream, one a line, blank lines skipped."""
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            rest = stream.readline(_PIECE)
            if rest != b"\n" or not line.endswith(b"\r"):
                while rest and not rest.endswith(b"\n"):
                    rest = stream.readline(_PIECE)  # the rest, skipped and never kept
                yield RecordText(line, file, number)  # over the limit, as read_record sees
                continue
            # else a line of exactly the limit, ended by \r\n: an ordinary line
        if not line.strip():
            continue
        yield RecordText(line.rstrip(b"\r\n"), file, number)
