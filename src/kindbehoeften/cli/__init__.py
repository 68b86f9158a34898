"""The ``kindbehoeften`` command line: a thin layer over the library.

Exit codes: 0 all valid, 1 some input invalid, 2 usage or internal error. Human output goes
through rich consoles (injectable for tests); ``--format json`` prints one JSON document on
stdout and nothing else there. No traceback ever reaches the user.

Each command group has its module (``forms``, ``validate``, ``schema``, ``deadlines`` with
``timeline``, ``case``, ``summary``, ``export``, ``imports`` for ``import``, ``serve``,
``i18n``, ``demo``), which registers its commands on the parser; this module wires them
together and turns every failure into an exit code and one line on stderr. A command line
that names a command imports only that command's module (what the others import is not paid
at its start); ``--help`` and a command line that names none register them all.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import io
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import IO, cast

from rich.console import Console

from .. import __version__
from .._i18n import LOCALE_VARIABLE
from ..errors import FormDefinitionError, KindbehoeftenError, KindbehoeftenWarning
from .base import (
    EXIT_OK,
    EXIT_USAGE,
    Commands,
    Context,
    Output,
    Parser,
    UsageError,
    guarded,
    locale,
    safe,
)

__all__ = ["LOCALE_VARIABLE", "Context", "UsageError", "main"]

# Each command group's module with the commands it registers, in the order of
# `kindbehoeften --help` (tests/test_cli.py checks that each registers these).
_GROUPS: dict[str, tuple[str, ...]] = {
    "demo": ("demo",),
    "forms": ("forms",),
    "validate": ("validate",),
    "schema": ("schema",),
    "deadlines": ("deadlines", "timeline"),
    "case": ("case",),
    "summary": ("summary",),
    "export": ("export",),
    "imports": ("import",),
    "serve": ("serve",),
    "i18n": ("i18n",),
}
_GROUP_OF = {command: group for group, commands in _GROUPS.items() for command in commands}


def _groups(argv: Sequence[str]) -> tuple[str, ...]:
    """The modules of the commands that ``argv`` needs: the named command's own, none for
    ``--version`` alone, every one otherwise (``--help`` lists them; an unknown command's
    error names them)."""
    if argv and argv[0] in _GROUP_OF:
        return (_GROUP_OF[argv[0]],)
    if list(argv) == ["--version"]:
        return ()
    return tuple(_GROUPS)


def _parser(output: IO[str], groups: Sequence[str] = tuple(_GROUPS)) -> Parser:
    parser = Parser(
        prog="kindbehoeften",
        description="Structured child-needs assessment: forms, validation, deadlines, exports.",
        output=output,
    )
    parser.add_argument("--version", action="version", version=f"kindbehoeften {__version__}")
    commands = Commands(parser)
    for group in groups:
        importlib.import_module(f".{group}", __name__).add_commands(commands)
    return parser


def _tolerant(stream: IO[str]) -> None:
    """A terminal that cannot show a character gets a replacement, not a crash."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, OSError):
            reconfigure(errors="replace")


def _execute(
    argv: Sequence[str] | None, out: Console, err: Console, stdin: IO[bytes] | None
) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = _parser(out.file, _groups(argv))
    try:
        args, extra = parser.parse_known_args(argv)
    except SystemExit as exit_:  # --help and --version
        return exit_.code if isinstance(exit_.code, int) else EXIT_OK
    if extra:  # named with the command they were given to, as argparse does not
        words = [getattr(args, "command", None), getattr(args, "action", None)]
        command = " ".join(word for word in words if word)
        Parser(prog=f"kindbehoeften {command}").error(f"unrecognized arguments: {' '.join(extra)}")
    if getattr(args, "locale", None) is None and hasattr(args, "locale"):
        try:
            args.locale = locale(os.environ.get(LOCALE_VARIABLE) or "en")
        except argparse.ArgumentTypeError as error:  # the user gave no --locale: say where
            raise UsageError(
                f"${LOCALE_VARIABLE}: {error} Set the variable to one, or give --locale LANG."
            ) from None
    run: Callable[[Context], int] = args.run
    return run(Context(args, out, err, stdin))


def _print_error(err: Console, error: Exception) -> None:
    """``kindbehoeften: error: ...``, one line per problem; each line safe to show, as errors
    quote file names, ids and keys from input."""
    if isinstance(error, FormDefinitionError) and len(error.problems) > 1:
        # Its text has a line per problem; it is rebuilt here, so that a line break inside a
        # quoted key is shown as an escape and cannot start a line of its own.
        count = len(error.problems)
        lines = [f"{count} problems in form definition:"]
        lines += [f"  - {problem}" for problem in error.problems]
    else:
        lines = [str(error)]
    text = "\n".join(safe(line) for line in lines)
    err.print(f"kindbehoeften: error: {text}", highlight=False, soft_wrap=True)


def _print_warnings(err: Console, caught: list[warnings.WarningMessage]) -> None:
    """The library's warnings (a skipped entry of the forms path), one line each, once each;
    never Python's own display with a file name and line of the library."""
    seen: set[str] = set()
    for item in caught:
        if not issubclass(item.category, KindbehoeftenWarning):
            warnings.showwarning(item.message, item.category, item.filename, item.lineno)
            continue
        text = str(item.message)
        if text not in seen:
            seen.add(text)
            err.print(f"kindbehoeften: warning: {safe(text)}", highlight=False, soft_wrap=True)


def main(
    argv: Sequence[str] | None = None,
    *,
    console: Console | None = None,
    err_console: Console | None = None,
    stdin: IO[bytes] | None = None,
) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    ``console`` and ``err_console`` take human output and errors (rich consoles on stdout and
    stderr by default); ``stdin`` is read for the file name ``-``.

    The exit code is the command's verdict even when the reader of its output goes away
    (``| head``); output that cannot be written otherwise (a full disk) is a usage error, 2.
    """
    if console is None:
        _tolerant(sys.stdout)
    if err_console is None:
        _tolerant(sys.stderr)
    # With file descriptor 1 closed (`>&-`) sys.stdout is None, and rich would drop every
    # write without a word: the first write fails instead, as it would on a full disk.
    closed = cast(IO[str], _Closed()) if sys.stdout is None else None
    out = console or Console(file=closed)
    err = err_console or Console(stderr=True)
    # Every write goes through an Output for the run: a reader that goes away ends the output,
    # not the command, whose verdict stays the exit code; a full disk is a usage error.
    with guarded(err, "<stderr>", strict=False), guarded(out, "<stdout>", strict=True) as output:
        return _run(argv, out, err, stdin, output)


class _Closed(io.TextIOBase):
    """Standard output that is closed: each write fails, as the system call would."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def _run(
    argv: Sequence[str] | None,
    out: Console,
    err: Console,
    stdin: IO[bytes] | None,
    output: Output,
) -> int:
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", KindbehoeftenWarning)
            try:
                code = _execute(argv, out, err, stdin)
            finally:
                _print_warnings(err, caught)
        output.flush()  # JSON is written without flushing: a full disk shows here, not at exit
        return code
    except (UsageError, argparse.ArgumentTypeError, KindbehoeftenError) as error:
        # KindbehoeftenError: an unknown form or jurisdiction, a broken forms path...
        _print_error(err, error)
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.print("kindbehoeften: interrupted")
        return EXIT_USAGE
    except Exception as error:  # never a traceback for a user
        err.print(
            f"kindbehoeften: internal error ({type(error).__name__}); please report it with "
            "the command you ran",
            highlight=False,
            soft_wrap=True,
        )
        return EXIT_USAGE
