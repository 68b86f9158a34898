"""Running the command line in a test: ``run("forms", "list")`` gives the exit code and what
was printed on stdout and stderr (plain text, no colour)."""

from __future__ import annotations

from io import BytesIO, StringIO

from rich.console import Console

from kindbehoeften.cli import main


def run(*argv: str, stdin: bytes = b"", width: int = 120) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    code = main(
        list(argv),
        console=Console(file=out, width=width, color_system=None),
        err_console=Console(file=err, width=width, color_system=None),
        stdin=BytesIO(stdin),
    )
    return code, out.getvalue(), err.getvalue()
