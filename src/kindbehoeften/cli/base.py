"""What every command of the command line shares: its context, exit codes and usage errors."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import IO, Any

from rich.console import Console

from .._i18n import Text, render

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "MAX_INPUT_BYTES",
    "Context",
    "UsageError",
    "iso_date",
    "json_text",
    "open_input",
    "read_input",
]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
MAX_INPUT_BYTES = 16 * 1024 * 1024  # a file read whole: a history, a record, a form's answers


class UsageError(Exception):
    """A command line that cannot be run; its text is the one-line reason."""


class Context:
    """What every command gets: the parsed arguments, the two consoles and standard input."""

    def __init__(
        self, args: argparse.Namespace, out: Console, err: Console, stdin: IO[bytes] | None
    ) -> None:
        self.args = args
        self.out = out
        self.err = err
        self.stdin = stdin if stdin is not None else sys.stdin.buffer

    def text(self, text: Text, **params: Any) -> str:
        """``text`` in the language of ``--locale``, with ``params`` filled in (a ``count``
        among them chooses the plural form)."""
        return render(text, getattr(self.args, "locale", None) or "en", **params)

    @property
    def ascii_only(self) -> bool:
        """Whether stdout cannot take UTF-8 (then JSON escapes every other character)."""
        encoding = getattr(self.out.file, "encoding", None) or "utf-8"
        return encoding.lower().replace("-", "").replace("_", "") != "utf8"

    def json(self, document: Any) -> None:
        """One JSON document on stdout, unstyled."""
        self.out.file.write(json_text(document, ascii_only=self.ascii_only))


def iso_date(value: str) -> dt.date:
    """An argument that is a calendar date written YYYY-MM-DD."""
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{value!r} is not a date written YYYY-MM-DD, e.g. 2026-11-02")


def open_input(name: str) -> IO[bytes]:
    """A file named on the command line, open for reading: a regular file, or a pipe such as
    ``<(...)``; a usage error saying why when it cannot be read."""
    path = Path(name)
    if not os.path.exists(path):
        raise UsageError(f"no such file: {name}")
    if path.is_dir():
        raise UsageError(f"{name} is a folder; give the files in it")
    try:
        return path.open("rb")
    except OSError as error:
        raise UsageError(f"{name} cannot be read ({error.strerror or error})") from None


def json_text(document: Any, *, ascii_only: bool = False) -> str:
    """A JSON document as the command line writes it: indented, UTF-8, a final newline."""
    return json.dumps(document, ensure_ascii=ascii_only, indent=2) + "\n"


def read_input(name: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a file named on the command line (at most ``limit``), or a usage error."""
    with open_input(name) as stream:
        try:
            data = stream.read(limit + 1)
        except OSError as error:
            raise UsageError(f"{name} cannot be read ({error.strerror or error})") from None
    if len(data) > limit:
        raise UsageError(f"{name} is larger than {limit} bytes")
    return data
