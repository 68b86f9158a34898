"""``kindbehoeften summary FILE [--svg OUT]``: the triangle at a glance."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from .._exports.summary import (
    Triangle,
    TriangleError,
    TriangleSide,
    summary_table,
    triangle,
    triangle_svg,
)
from .._i18n import pgettext
from .base import (
    EXIT_INVALID,
    EXIT_OK,
    MAX_INPUT_BYTES,
    Commands,
    Context,
    UsageError,
    file_or_folder,
    open_input,
    read_limited,
    safe,
)

__all__ = ["add_commands", "run_summary"]

_MAX_RECORD_BYTES = MAX_INPUT_BYTES
_SVG_WRITTEN = pgettext("summary.svg_written", "SVG written to {path}")


def add_commands(commands: Commands) -> None:
    """Register ``summary``."""
    summary = commands.command(
        "summary", "the triangle at a glance: sides, areas, concern", run_summary
    )
    summary.add_argument("file", metavar="FILE", help="a submission or record (JSON); - stdin")
    summary.add_argument(
        "--svg", type=file_or_folder, metavar="OUT", help="also draw the triangle as an SVG picture"
    )


def run_summary(context: Context) -> int:
    """``kindbehoeften summary FILE [--svg OUT]``: the triangle of a submission or a record as
    a table; with ``--svg`` also as a picture (``--svg -``: the SVG alone, on stdout).

    0 when shown; 1, with the reason on stderr, when the file is not a valid submission of a
    form with the three sides; a missing file is a usage error.
    """
    args = context.args
    name: str = args.file
    svg: Path | None = getattr(args, "svg", None)
    if svg is not None and os.path.isdir(svg):  # said before the table, not after it
        raise UsageError(f"--svg {svg} is a folder; give the name of the picture's file")
    label = "<stdin>" if name == "-" else name
    if name == "-":
        data = read_limited(context.stdin, _MAX_RECORD_BYTES, label)
    else:
        with open_input(name) as stream:
            data = read_limited(stream, _MAX_RECORD_BYTES, label)
    try:
        if len(data) > _MAX_RECORD_BYTES:
            raise TriangleError(f"larger than {_MAX_RECORD_BYTES} bytes")
        tri = triangle(data, locale=getattr(args, "locale", None) or "en")
    except TriangleError as error:
        context.err.print(
            f"[bold red]{safe(label)}[/]: {safe(error)}", highlight=False, soft_wrap=True
        )
        return EXIT_INVALID
    if svg is not None and str(svg) == "-":
        picture = triangle_svg(tri)
        if context.ascii_only:  # a character reference, not the console's "?" for "ä"
            picture = picture.encode("ascii", "xmlcharrefreplace").decode("ascii")
        context.out.file.write(picture)
        return EXIT_OK
    if svg is not None:  # written first: a picture that cannot be written is said alone
        try:
            svg.write_text(triangle_svg(tri), encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot write {svg}: {error.strerror or error}") from None
    context.out.print(summary_table(_shown(tri)))
    if svg is not None:
        context.out.print(context.text(_SVG_WRITTEN, path=safe(svg)), highlight=False)
    return EXIT_OK


def _shown(tri: Triangle) -> Triangle:
    """``tri`` with every text safe for a terminal: the labels come from form files, which an
    author may write (the table escapes rich markup itself)."""

    def text(value: str) -> str:
        return safe(value, markup=False)

    def side(value: TriangleSide) -> TriangleSide:
        areas = tuple(
            area._replace(
                label=text(area.label),
                assessment_label=None
                if area.assessment_label is None
                else text(area.assessment_label),
            )
            for area in value.areas
        )
        return dataclasses.replace(value, label=text(value.label), areas=areas)

    return dataclasses.replace(
        tri,
        form=text(tri.form),
        version=text(tri.version),
        title=text(tri.title),
        sides=(side(tri.sides[0]), side(tri.sides[1]), side(tri.sides[2])),
        scale=tuple((value, text(label)) for value, label in tri.scale),
    )
