"""What every command of the command line shares: its context, exit codes and usage errors."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import IO, Any

from rich.console import Console

from ._i18n import Text, render

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "Context", "UsageError", "iso_date"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


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

    def json(self, document: Any) -> None:
        """One JSON document on stdout, unstyled."""
        self.out.file.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def iso_date(value: str) -> dt.date:
    """An argument that is a calendar date written YYYY-MM-DD."""
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{value!r} is not a date written YYYY-MM-DD, e.g. 2026-11-02")
