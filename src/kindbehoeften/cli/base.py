"""What every command of the command line shares: its parser, context, exit codes, usage
errors and argument types."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, NoReturn

from rich.console import Console

from .._i18n import LOCALE_VARIABLE, LOCALES, Text, negotiate, render
from ..errors import UnknownLocaleError

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "MAX_INPUT_BYTES",
    "Commands",
    "Context",
    "Parser",
    "UsageError",
    "iso_date",
    "json_text",
    "locale",
    "open_input",
    "read_input",
]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
MAX_INPUT_BYTES = 16 * 1024 * 1024  # a file read whole: a history, a record, a form's answers


class UsageError(Exception):
    """A command line that cannot be run; its text is the one-line reason."""


# --- the parser ---------------------------------------------------------------------------------


class Parser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` instead of exiting, and prints help and the
    version on ``output`` (the console's file), not on ``sys.stdout``."""

    def __init__(self, *args: Any, output: IO[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.output = output

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("kindbehoeften").strip()
        raise UsageError(f"{command}: {message}" if command else message)

    def _print_message(self, message: str, file: object = None) -> None:
        if message:
            (self.output or sys.stdout).write(message)


class Commands:
    """The subcommands of one parser: ``kindbehoeften COMMAND`` or ``kindbehoeften forms
    ACTION``. Each module of a command group adds its commands with :meth:`command` and
    :meth:`group`."""

    def __init__(self, parser: Parser, dest: str = "command", metavar: str = "COMMAND") -> None:
        self._output = parser.output
        self._commands = parser.add_subparsers(
            dest=dest, metavar=metavar, parser_class=Parser, required=True
        )

    def command(
        self,
        name: str,
        help_text: str,
        run: Callable[[Context], int],
        *,
        human: bool = True,
        description: str | None = None,
    ) -> Parser:
        """A command that runs ``run``; one with ``human`` output takes ``--locale``."""
        parser = self._commands.add_parser(
            name, help=help_text, description=description or help_text, output=self._output
        )
        if human:
            parser.add_argument(
                "--locale",
                type=locale,
                default=None,
                help=f"language of human output ({', '.join(LOCALES)}; default: "
                f"${LOCALE_VARIABLE}, else en)",
            )
        parser.set_defaults(run=run)
        return parser

    def group(self, name: str, help_text: str, description: str) -> Commands:
        """A group of commands, ``kindbehoeften NAME ACTION``."""
        parser = self._commands.add_parser(
            name, help=help_text, description=description, output=self._output
        )
        return Commands(parser, "action", "ACTION")


# --- argument types -----------------------------------------------------------------------------


def locale(value: str) -> str:
    """An argument that is one of the six languages (``sv``, ``nb_NO``, ``fi-FI``...)."""
    try:
        return negotiate(value)
    except UnknownLocaleError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


# --- the context of a command ---------------------------------------------------------------


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
