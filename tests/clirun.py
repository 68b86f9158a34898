"""Running the command line in a test.

``run("forms", "list")`` gives the exit code and what was printed on stdout and stderr (plain
text, no colour); the fixture-made ``Run`` of :func:`runner` also collects what leaked onto the
real streams; :func:`run_module` runs ``python -m kindbehoeften`` in a child process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

import kindbehoeften
from kindbehoeften._forms.catalog import FORMS_PATH_VARIABLE
from kindbehoeften.cli import LOCALE_VARIABLE, main

TRIANGLE_IDS = ["triangle.followup", "triangle.full", "triangle.plan", "triangle.preliminary"]


def run(*argv: str, stdin: bytes = b"", width: int = 120) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    code = main(
        list(argv),
        console=Console(file=out, width=width, color_system=None),
        err_console=Console(file=err, width=width, color_system=None),
        stdin=BytesIO(stdin),
    )
    return code, out.getvalue(), err.getvalue()


@dataclass(frozen=True)
class Result:
    """What one run of ``main`` gave: the exit code and the text of both consoles."""

    code: int
    out: str
    err: str
    leaked: str  # anything written to the real stdout or stderr instead of the consoles

    @property
    def everything(self) -> str:
        return self.out + self.err + self.leaked


Run = Callable[..., Result]


def runner(capsys: pytest.CaptureFixture[str]) -> Run:
    """A ``Run``: ``main`` with two plain 100-column consoles, and what it wrote."""

    def run_main(*argv: str | os.PathLike[str]) -> Result:
        out = Console(file=StringIO(), width=100, color_system=None)
        err = Console(file=StringIO(), width=100, color_system=None)
        code = main([str(arg) for arg in argv], console=out, err_console=err)
        leaked = capsys.readouterr()
        assert isinstance(out.file, StringIO)
        assert isinstance(err.file, StringIO)
        return Result(code, out.file.getvalue(), err.file.getvalue(), leaked.out + leaked.err)

    return run_main


def table_rows(text: str) -> list[list[str]]:
    """The cells of each body row of a rich table (lines between the box-drawing bars)."""
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in text.splitlines()
        if line.startswith("│")
    ]


def json_of(result: Result) -> Any:
    """stdout as one JSON document; fails when anything else is printed there."""
    return json.loads(result.out)


def child_environment() -> dict[str, str]:
    """The environment of a child process that imports this very package, without the
    user's own forms path and locale."""
    package_root = Path(kindbehoeften.__file__).resolve().parents[1]
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in (FORMS_PATH_VARIABLE, LOCALE_VARIABLE)
    }
    env["PYTHONPATH"] = os.pathsep.join(
        [str(package_root), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    return env


def run_module(*argv: str) -> subprocess.CompletedProcess[str]:
    """``python -m kindbehoeften ARGV`` in a child process that imports this very package."""
    return subprocess.run(
        [sys.executable, "-m", "kindbehoeften", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=child_environment(),
        timeout=120,
        check=False,
    )
