"""What every command of the command line shares: its parser, context, exit codes, usage
errors, argument types, and the one way each kind of output is written.

- :func:`safe` is the one way text from input reaches a terminal: control characters become
  visible escapes and rich markup is escaped, so that a submission's key, a file name or a form
  id cannot colour, move or reorder what the user sees.
- :func:`json_text` is the one JSON writer: every document on stdout and in files.
- :class:`Output` is what a console writes through: a reader that goes away (``| head``) stops
  the output quietly but not the command, and a full disk is a usage error naming the stream.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring, encode_basestring_ascii
from pathlib import Path
from typing import IO, Any, NoReturn, cast

from rich.console import Console
from rich.markup import escape

from .._core.limits import quoted
from .._i18n import LOCALE_VARIABLE, LOCALES, Text, negotiate, render
from ..errors import UnknownLocaleError

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "MAX_INPUT_BYTES",
    "STDIN_TWICE",
    "Commands",
    "Context",
    "Output",
    "OutputError",
    "Parser",
    "UsageError",
    "file_or_folder",
    "guarded",
    "identifier",
    "iso_date",
    "json_escaped",
    "json_string",
    "json_text",
    "label",
    "locale",
    "open_input",
    "output_file",
    "read_input",
    "read_limited",
    "safe",
    "whole_number",
]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
MAX_INPUT_BYTES = 16 * 1024 * 1024  # a file read whole: a history, a record, a form's answers
_CHUNK = 64 * 1024


class UsageError(Exception):
    """A command line that cannot be run; its text is the one-line reason."""


class OutputError(UsageError):
    """Standard output (or a file) cannot be written, e.g. on a full disk."""


# --- text from input, shown safely -------------------------------------------------------------

# C0 controls (ESC among them), DEL and C1 controls move the cursor, recolour or retitle a
# terminal (C1 CSI, U+009B, is ESC [ in one character); the bidi overrides and isolates
# reorder what follows them ("Trojan Source", CVE-2021-42574). rich removes only BEL, BS, VT,
# FF and CR, so every one of them is shown as an escape before rich sees the text.
_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
_CONTROLS = (*range(0x20), *range(0x7F, 0xA0), *_BIDI)
_SHORT = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
_VISIBLE = {
    code: _SHORT.get(code, f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    for code in _CONTROLS
}
# What json.dumps(..., ensure_ascii=False) leaves raw although JSON may escape it (it escapes
# C0 itself): the same value when parsed, harmless when the document is shown on a terminal.
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in (*range(0x7F, 0xA0), *_BIDI)}


def safe(text: object, *, markup: bool = True) -> str:
    r"""``text`` made safe to show on a terminal: control characters (C0, DEL, C1) and bidi
    overrides and isolates as visible escapes, and (unless ``markup`` is false, for rich
    ``Text`` that is never read as markup) rich markup escaped.

    Every piece of human output that comes from input (a key, a pointer, a file name, an id, a
    message quoting them, a label of an author's form) goes through it, once.

    >>> safe("\x1b[31mred [bold]")
    '\\x1b[31mred \\[bold]'
    >>> safe("a\u202eb\tc", markup=False)
    'a\\u202eb\\tc'
    """
    shown = str(text)
    if not (shown.isascii() and shown.isprintable()):  # printable ASCII holds none of them
        shown = shown.translate(_VISIBLE)
    return escape(shown) if markup else shown


# --- JSON ---------------------------------------------------------------------------------------


def json_text(
    document: Any, *, ascii_only: bool = False, indent: int | None = 2, end: str = "\n"
) -> str:
    """A JSON document as the command line writes it: UTF-8 (or ASCII with ``ascii_only``),
    indented (``indent=None``: on one line), followed by ``end``.

    DEL, the C1 controls and the bidi controls are written as ``\\u`` escapes, as
    ``json.dumps`` does with the C0 controls: the parsed value is the same, and the raw
    character never reaches a terminal that shows the document.

    >>> json_text({"key": "a\\u009bb\\u202ec"}, indent=None, end="")
    '{"key": "a\\\\u009bb\\\\u202ec"}'
    """
    return json_escaped(json.dumps(document, ensure_ascii=ascii_only, indent=indent)) + end


def json_escaped(text: str) -> str:
    r"""JSON text with DEL, the C1 controls and the bidi controls written as ``\u`` escapes,
    as :func:`json_text` writes them: for a document put together from
    :func:`json_string` parts.

    >>> json_escaped('"a\u202eb"')
    '"a\\u202eb"'
    """
    if not text.isascii() or "\x7f" in text:  # of those escaped, DEL alone is ASCII
        return text.translate(_JSON_ESCAPES)
    return text


def json_string(ascii_only: bool) -> Callable[[str], str]:
    r"""What ``json.dumps`` makes of a string (with ``ensure_ascii=ascii_only``), the function
    itself: for a document of a known shape written from a template, a string at a time,
    then passed through :func:`json_escaped`.

    >>> json_string(True)("Ær\u00f8")
    '"\\u00c6r\\u00f8"'
    """
    return encode_basestring_ascii if ascii_only else encode_basestring


# --- output that outlives its reader ------------------------------------------------------------


class Output:
    """A console's file: writes go through to ``stream`` until it fails.

    When the reader has gone (a closed pipe: ``kindbehoeften validate ... | head -c1``) the rest
    of the output is dropped without a word, and the command runs on to its verdict and exit
    code. Any other failure (``No space left on device``) raises :class:`OutputError` naming
    the stream, when ``strict``; the error console is not strict, as there is nowhere left to
    say so. Either way the file descriptor is pointed at ``os.devnull`` afterwards, so that
    Python's own flush at exit has nothing to complain about.
    """

    def __init__(self, stream: IO[str], name: str, *, strict: bool) -> None:
        self._stream = stream
        self.name = name
        self.strict = strict
        self.gone = False

    def write(self, text: str) -> int:
        """Write ``text``; nothing once the stream has failed."""
        if not self.gone:
            try:
                self._stream.write(text)
            except OSError as error:
                self._failed(error)
        return len(text)

    def flush(self) -> None:
        """Flush the stream: a full disk often shows only here."""
        if not self.gone:
            try:
                self._stream.flush()
            except OSError as error:
                self._failed(error)

    def __getattr__(self, name: str) -> Any:  # isatty, encoding, fileno...: the stream's own
        return getattr(self._stream, name)

    def _failed(self, error: OSError) -> None:
        self.gone = True
        with contextlib.suppress(AttributeError, ValueError, OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self._stream.fileno())
            finally:
                os.close(devnull)
        if self.strict and not _reader_gone(error):
            raise OutputError(f"cannot write {self.name}: {error.strerror or error}") from None


def _reader_gone(error: OSError) -> bool:
    return isinstance(error, BrokenPipeError) or error.errno in (errno.EPIPE, errno.ECONNRESET)


@contextlib.contextmanager
def guarded(console: Console, name: str, *, strict: bool) -> Iterator[Output]:
    """``console`` writing through an :class:`Output` while the block runs (then as before)."""
    original = console.file
    output = Output(original, name, strict=strict)
    # Output has the part of IO[str] that rich and the commands use; the rest is the stream's.
    console.file = cast(IO[str], output)
    try:
        yield output
    finally:
        console.file = original


# --- the parser ---------------------------------------------------------------------------------


class Parser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` instead of exiting, and prints help and the
    version on ``output`` (the console's file), not on ``sys.stdout``."""

    def __init__(self, *args: Any, output: IO[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.output = output

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("kindbehoeften").strip()
        text = f"{command}: {message}" if command else message
        if any(marker in message for marker in _MALFORMED):  # what to do: read the usage
            text += f"; `{self.prog} --help` lists the options"
        raise UsageError(text)

    def _print_message(self, message: str, file: object = None) -> None:
        if message:
            (self.output or sys.stdout).write(message)


# argparse's words for a command line of the wrong shape (not a value of the wrong kind, whose
# message says what the value must be).
_MALFORMED = (
    "unrecognized arguments",
    "the following arguments are required",
    "expected one argument",
    "expected at least one argument",
    "ambiguous option",
    "not allowed with argument",
)


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


def iso_date(value: str) -> dt.date:
    """An argument that is a calendar date written YYYY-MM-DD (years 0001 to 9999)."""
    if _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:  # 2026-02-30, or the year 0000
            pass
    raise argparse.ArgumentTypeError(
        f"{quoted(value)!r} is not a date written YYYY-MM-DD, e.g. 2026-11-02"
    )


# Only this form: fromisoformat also reads week dates such as 2026-W45-1.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def whole_number(minimum: int, maximum: int, hint: str = "") -> Callable[[str], int]:
    """An argument type: a whole number written in digits, from ``minimum`` to ``maximum``;
    a number out of range is a usage error that names the range (``hint`` says the maximum in
    words), never a crash or a huge allocation.

    >>> whole_number(1, 10)("7")
    7
    """
    most = f"{maximum} ({hint})" if hint else str(maximum)

    def parse(value: str) -> int:
        digits = value.strip()
        if not (digits.isascii() and digits.isdigit()):
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {minimum} to {most}, not {quoted(value)!r}"
            )
        # Python refuses int() of more than 4300 digits: the length alone says "too large".
        number = int(digits) if len(digits) <= len(str(maximum)) else maximum + 1
        if number > maximum:
            raise argparse.ArgumentTypeError(f"at most {most}, not {quoted(value)}")
        if number < minimum:
            raise argparse.ArgumentTypeError(f"at least {minimum}, not {quoted(value)}")
        return number

    return parse


def file_or_folder(value: str) -> Path:
    """An argument that names a file or a folder; the empty string names none (it is not the
    working folder)."""
    if not value:
        raise argparse.ArgumentTypeError("an empty path; give the name of a file or folder")
    return Path(value)


def output_file(value: str) -> Path | None:
    """An ``--output`` argument: a file or folder, or ``-`` for standard output (``None``, as
    when no ``--output`` is given), never a file named ``-``."""
    return None if value == "-" else file_or_folder(value)


def identifier(value: str) -> str:
    """An argument that is an id (a form id, a version, a jurisdiction): not empty."""
    if not value.strip():
        raise argparse.ArgumentTypeError("an empty id")
    return value


# --- the context of a command -------------------------------------------------------------------


class Context:
    """What every command gets: the parsed arguments, the two consoles and standard input."""

    def __init__(
        self, args: argparse.Namespace, out: Console, err: Console, stdin: IO[bytes] | None
    ) -> None:
        self.args = args
        self.out = out
        self.err = err
        self._stdin = stdin
        self._stdin_read = False

    @property
    def stdin(self) -> IO[bytes]:
        """Standard input, as bytes; a usage error when it is closed (``<&-``)."""
        stream = self._stdin
        if stream is None:
            stream = getattr(sys.stdin, "buffer", None)  # sys.stdin is None when fd 0 is closed
        if stream is None or stream.closed:
            raise UsageError("standard input is closed; give a file, or pipe data into -")
        return stream

    def read(self, name: str, limit: int = MAX_INPUT_BYTES) -> bytes:
        """At most ``limit + 1`` bytes of the file ``name`` (``-``: standard input, read once).

        One byte over the limit is enough for the library's reader, which gets the bytes, to
        refuse them as too large: an invalid input (exit 1) like any other, from a file or
        from standard input alike.
        """
        if name != "-":
            with open_input(name) as stream:
                return read_limited(stream, limit, name)
        if self._stdin_read:
            raise UsageError(STDIN_TWICE)
        self._stdin_read = True
        return read_limited(self.stdin, limit, "<stdin>")

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


# --- input --------------------------------------------------------------------------------------

STDIN_TWICE = "- (standard input) is given more than once; it can be read only once"


def label(name: str) -> str:
    """How a file named on the command line is named in output: ``<stdin>`` for ``-``."""
    return "<stdin>" if name == "-" else name


def open_input(name: str) -> IO[bytes]:
    """A file named on the command line, open for reading: a regular file, or a pipe such as
    ``<(...)``; a usage error saying why when it cannot be read."""
    if not name:
        raise UsageError("an empty file name; give the name of a file, or - for standard input")
    file = Path(name)
    if not os.path.exists(file):
        raise UsageError(f"no such file: {name}")
    if file.is_dir():
        raise UsageError(f"{name} is a folder; give the files in it")
    try:
        return file.open("rb")
    except OSError as error:
        raise UsageError(f"{name} cannot be read ({error.strerror or error})") from None


def read_limited(stream: IO[bytes], limit: int, name: str) -> bytes:
    """At most ``limit + 1`` bytes of ``stream`` (one more than allowed shows that it is too
    large), read in pieces: ``read(n)`` would reserve ``n`` bytes at once, however small the
    input."""
    pieces: list[bytes] = []
    size = 0
    try:
        while size <= limit:
            piece = stream.read(min(_CHUNK, limit + 1 - size))
            if not piece:
                break
            pieces.append(piece)
            size += len(piece)
    except OSError as error:
        raise UsageError(f"{name} cannot be read ({error.strerror or error})") from None
    return b"".join(pieces)


def read_input(name: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a file named on the command line (at most ``limit``), or a usage error."""
    with open_input(name) as stream:
        data = read_limited(stream, limit, name)
    if len(data) > limit:
        raise UsageError(f"{name} is larger than {limit} bytes")
    return data
