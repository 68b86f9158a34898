"""The assessment triangle at a glance: each side's areas and how each was assessed.

:func:`triangle` reads a submission of a form with the three sides of the triangle
(``child_needs``, ``parenting_capacity``, ``family_environment``: ``triangle.full``,
``triangle.preliminary`` with its first view of each side, or an extension of either), or an
assessment's record, and returns a :class:`Triangle`: a small frozen value with the three sides
in order, each with its areas and their assessments, every label in the chosen language.
:func:`summary_table` shows it as a rich table, :func:`triangle_svg` draws it as a standalone
SVG picture (the command ``kindbehoeften summary FILE [--svg OUT]`` shows both).

>>> draft = {"form": "triangle.full", "form_version": "1.0.0", "status": "in_progress",
...          "answers": {"child_needs": {"health": {"assessment": "some_concern"}}}}
>>> tri = triangle(draft, locale="sv")
>>> [side.label for side in tri.sides]
['Barnets behov', 'Föräldrarnas förmåga', 'Familj och miljö']
>>> tri.sides[0].areas[0]
TriangleArea(id='health', label='Hälsa', assessment='some_concern', assessment_label='Viss oro')
>>> tri.sides[0].areas[1].assessment is None  # a draft: not answered yet
True
>>> triangle_svg(tri).startswith("<?xml")
True

The summary shows assessments (choice values and their labels) only: never a description, a
view or any other free text of the submission.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text as RichText

from .._core.jsonread import plain, read, text_of
from .._core.limits import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_DEPTH
from .._core.model import Area, Form, Question
from .._core.report import ValidationReport
from .._core.vocab import is_form_id
from .._forms.catalog import find_form
from .._i18n import localize, negotiate, pgettext, render
from .._validation.validator import validate
from ..errors import KindbehoeftenError, TriangleError
from .record import RECORD_SCHEMA_ID

__all__ = [
    "COLOURS",
    "SIDES",
    "STYLES",
    "Triangle",
    "TriangleArea",
    "TriangleError",  # its home is kindbehoeften.errors; named here for cli.summary
    "TriangleSide",
    "summary_table",
    "triangle",
    "triangle_svg",
]

#: The section ids of the three sides, in the order of :attr:`Triangle.sides`: the left side,
#: the right side and the base of the picture.
SIDES: tuple[str, str, str] = ("child_needs", "parenting_capacity", "family_environment")

#: The fill colour of each assessment in the SVG (``None``: not answered). A value that is not
#: on the built-in scale (an author's own scale) is drawn as ``not_assessed``.
COLOURS: Mapping[str | None, str] = MappingProxyType(
    {
        "strength": "#1a9850",
        "no_concern": "#a6d96a",
        "some_concern": "#fee08b",
        "serious_concern": "#d73027",
        "not_assessed": "#bdbdbd",
        None: "#ffffff",
    }
)

#: The rich style of each assessment in the table (``None``: not answered).
STYLES: Mapping[str | None, str] = MappingProxyType(
    {
        "strength": "bold green",
        "no_concern": "green",
        "some_concern": "yellow",
        "serious_concern": "bold red",
        "not_assessed": "bright_black",
        None: "dim",
    }
)

# The option list of the concern scale, and the question ids an area's assessment has in the
# built-in forms (``assessment`` in the full assessment, ``concern`` in the first view of the
# preliminary one).
_SCALE = "concern_scale"
_ASSESSMENT = "assessment"

_NOT_ANSWERED = pgettext("summary.not_answered", "Not answered")
_LEGEND = pgettext("summary.legend", "Assessment")
_THE_CHILD = pgettext("summary.centre", "The child")
_DRAFT = pgettext("summary.status.draft", "draft")
_COMPLETED = pgettext("summary.status.completed", "completed")
_TITLE = pgettext("summary.title", "{title}: the triangle at a glance")
_SUBTITLE = pgettext("summary.subtitle", "{form} {version}, {status}")
_DESCRIPTION = pgettext(
    "summary.description",
    "The assessment triangle: {left} on the left side, {right} on the right side, "
    "{base} along the base. Each area is coloured by its assessment.",
)


class TriangleArea(NamedTuple):
    """An area of a side: its id and label, and its assessment's value and label (both
    ``None`` while it is not answered)."""

    id: str
    label: str
    assessment: str | None
    assessment_label: str | None


@dataclass(frozen=True, slots=True)
class TriangleSide:
    """A side of the triangle: its section id and label, and its areas in the form's order."""

    id: str
    label: str
    areas: tuple[TriangleArea, ...]


@dataclass(frozen=True, slots=True)
class Triangle:
    """The three sides of one submission, with every label in the language ``locale``.

    ``scale`` holds the assessment scale as (value, label) pairs in order, for a legend;
    ``title`` is the form's title; ``status`` the submission's (``in_progress`` for a draft).
    """

    form: str
    version: str
    status: str
    title: str
    locale: str
    sides: tuple[TriangleSide, TriangleSide, TriangleSide]
    scale: tuple[tuple[str, str], ...]

    def side(self, side_id: str) -> TriangleSide:
        """The side with this section id; ``KeyError`` when there is none."""
        for side in self.sides:
            if side.id == side_id:
                return side
        raise KeyError(side_id)  # a lookup by key, as in a mapping: KeyError is its contract

    @property
    def draft(self) -> bool:
        """Whether the submission is a draft (not yet completed)."""
        return self.status != "completed"


# --- reading a submission or a record -----------------------------------------------------------

Submission = bytes | str | Mapping[str, Any]


def triangle(submission: Submission, *, locale: str = "en", form: Form | None = None) -> Triangle:
    """The triangle of ``submission``: JSON bytes or text, or a parsed dict.

    The submission is validated first (:func:`kindbehoeften.validate`; a draft may be
    incomplete but not wrong) against ``form`` if given, else against the form and version it
    names. Its form must have the three sides (:data:`SIDES`); each area of a side that has
    an assessment on the concern scale (the question ``assessment``, or a choice from the
    option list ``concern_scale``, as the preliminary assessment's ``concern``) is listed.

    An assessment's record (``"$schema": "urn:kindbehoeften:schema:record:1"``) is read too:
    its latest (last) submission of a full assessment is shown, else its latest preliminary
    assessment.

    Raises :class:`~kindbehoeften.errors.TriangleError` (a ``ValueError``) for an invalid
    submission, naming the count and the codes of its errors (never an answer), and for a
    form without the three sides; :class:`~kindbehoeften.errors.UnknownLocaleError` for an
    unknown locale.
    """
    language = negotiate(locale)
    if isinstance(submission, Mapping):  # the caller's objects never go further than this
        copied = plain(submission, max_bytes=MAX_DOCUMENT_BYTES, max_depth=MAX_DOCUMENT_DEPTH)
        if not copied.complete or copied.problems:  # the copy leaves out what JSON cannot hold
            report = validate(submission, form=form)  # and validate names it
            raise TriangleError(_invalid(report), report)
        submission = copied.document
    elif isinstance(submission, bytes | str):
        submission = text_of(submission)  # a subclass's text, none of its methods
    record = _as_record(submission)
    if record is not None:
        submission = _pick(record, form)
    report = validate(submission, form=form)
    if not report.ok:
        raise TriangleError(_invalid(report), report)
    if form is None:
        form = find_form(str(report.form), report.version)  # valid: the report found it
    missing = [side for side in SIDES if side not in {section.id for section in form.sections}]
    if missing:
        raise TriangleError(
            f"form {form.key} has no section {', '.join(missing)}: a summary needs the three "
            f"sides {', '.join(SIDES)}, as triangle.full and triangle.preliminary have"
        )
    # valid: the reader finds nothing in it, and gives plain JSON data
    document = (
        read(submission) if isinstance(submission, bytes | str) else plain(submission)
    ).document
    return _build(form, localize(form, language), document, language)


def _invalid(report: ValidationReport) -> str:
    codes = list(dict.fromkeys(issue.code for issue in report.errors))
    count = len(report.errors)
    return (
        f"not a valid submission: {count} error{'s' if count != 1 else ''} "
        f"({', '.join(codes)}); `kindbehoeften validate` lists them"
    )


def _as_record(submission: Submission) -> Mapping[str, Any] | None:
    """The record, when ``submission`` is one; else ``None`` (a submission, or not JSON)."""
    document: Any = submission
    if isinstance(submission, bytes | str):
        # A cheap test first spares a second parse of every plain submission.
        if isinstance(submission, str) and RECORD_SCHEMA_ID not in submission:
            return None
        if isinstance(submission, bytes) and RECORD_SCHEMA_ID.encode() not in submission:
            return None
        found = read(submission, max_bytes=MAX_DOCUMENT_BYTES, max_depth=MAX_DOCUMENT_DEPTH)
        if found.problems:
            return None  # validate() says precisely what is wrong
        document = found.document
    if isinstance(document, Mapping) and document.get("$schema") == RECORD_SCHEMA_ID:
        return document
    return None


def _pick(record: Mapping[str, Any], given: Form | None) -> dict[str, Any]:
    """The record's latest full assessment, else its latest preliminary one."""
    submissions = record.get("submissions")
    if not isinstance(submissions, list):
        raise TriangleError("not a valid record: it has no list of submissions")
    found: dict[str, dict[str, Any]] = {}
    for item in submissions:
        form = _form_of(item, given)
        if form is not None and form.stage in ("full", "preliminary") and _has_sides(form):
            found[form.stage] = item  # the last one of each stage wins
    if not found:
        raise TriangleError(
            "the record holds no submission of a form with the three sides "
            "(a full or a preliminary assessment)"
        )
    return found["full"] if "full" in found else found["preliminary"]


def _form_of(item: object, given: Form | None) -> Form | None:
    if not isinstance(item, dict):
        return None
    form_id, version = item.get("form"), item.get("form_version")
    if not isinstance(form_id, str) or not isinstance(version, str):
        return None
    if given is not None:
        return given if (form_id, version) == (given.id, given.version) else None
    if not is_form_id(form_id):
        return None  # only ids are looked up: a record never names a file to read
    try:
        return find_form(form_id, version)
    except KindbehoeftenError:
        return None


def _has_sides(form: Form) -> bool:
    return set(SIDES) <= {section.id for section in form.sections}


def _assessment_question(area: Area) -> Question | None:
    """The question holding an area's assessment, if it has one."""
    for question in area.questions:
        if question.id == _ASSESSMENT and question.type == "choice":
            return question
    for question in area.questions:
        if question.type == "choice" and question.options == _SCALE:
            return question
    return None


def _build(form: Form, shown: Form, document: Mapping[str, Any], language: str) -> Triangle:
    answers = document.get("answers") or {}
    sides = []
    scale: tuple[tuple[str, str], ...] = ()
    for side_id in SIDES:
        section = shown.section(side_id)
        areas = []
        for area in section.areas:
            question = _assessment_question(area)
            if question is None:
                continue
            labels = {option.value: option.label for option in shown.options(question)}
            if not scale:
                scale = tuple(labels.items())
            value = ((answers.get(side_id) or {}).get(area.id) or {}).get(question.id)
            value = value if isinstance(value, str) and value else None  # "" is unanswered
            label = None if value is None else labels.get(value, value)
            areas.append(TriangleArea(area.id, area.label, value, label))
        sides.append(TriangleSide(side_id, section.label, tuple(areas)))
    if not any(side.areas for side in sides):
        raise TriangleError(f"form {form.key} has no assessment in its three sides")
    if any(item.id == _SCALE for item in shown.option_lists):
        scale = tuple((option.value, option.label) for option in shown.option_list(_SCALE).options)
    return Triangle(
        form=form.id,
        version=form.version,
        status=str(document.get("status")),
        title=shown.title,
        locale=language,
        sides=(sides[0], sides[1], sides[2]),
        scale=scale,
    )


# --- the rich table ------------------------------------------------------------------------------


def _heading(tri: Triangle) -> str:
    return render(_TITLE, tri.locale, title=tri.title)


def _subtitle(tri: Triangle) -> str:
    status = render(_DRAFT if tri.draft else _COMPLETED, tri.locale)
    return render(_SUBTITLE, tri.locale, form=tri.form, version=tri.version, status=status)


def _legend_items(tri: Triangle) -> list[tuple[str | None, str]]:
    return [*tri.scale, (None, render(_NOT_ANSWERED, tri.locale))]


def _a_triangle(value: object) -> Triangle:
    """``value``, when it is a :class:`Triangle`; else ``TypeError`` naming the argument."""
    if not isinstance(value, Triangle):
        raise TypeError(
            f"tri must be a Triangle (made by export.triangle), not {type(value).__name__}"
        )
    return value


def summary_table(tri: Triangle) -> RenderableType:
    """The three sides side by side, as a rich table (one column a side, each area with its
    assessment in the colour of :data:`STYLES`), followed by a legend."""
    tri = _a_triangle(tri)
    table = Table(
        title=f"{escape(_heading(tri))}\n[dim]{escape(_subtitle(tri))}[/]",
        title_justify="left",
        show_lines=True,
        expand=False,
    )
    for side in tri.sides:
        table.add_column(escape(side.label), ratio=1, overflow="fold")
    not_answered = render(_NOT_ANSWERED, tri.locale)
    for row in range(max(len(side.areas) for side in tri.sides)):
        cells: list[RenderableType] = []
        for side in tri.sides:
            if row >= len(side.areas):
                cells.append("")
                continue
            area = side.areas[row]
            style = STYLES.get(area.assessment, "")
            cell = RichText()
            cell.append(area.label, style="bold")
            cell.append("\n")
            cell.append("■ ", style=style)
            cell.append(area.assessment_label or not_answered, style=style)
            cells.append(cell)
        table.add_row(*cells)
    legend = RichText()
    legend.append(f"{render(_LEGEND, tri.locale)}: ", style="bold")
    for number, (value, label) in enumerate(_legend_items(tri)):
        if number:
            legend.append("  ")
        style = STYLES.get(value, "")
        legend.append("■ ", style=style)
        legend.append(label, style=style)
    return Group(table, legend)


# --- the SVG picture ------------------------------------------------------------------------------

_SVG_NS = "http://www.w3.org/2000/svg"
_WIDTH = 1200
_APEX, _LEFT, _RIGHT = (600.0, 150.0), (270.0, 620.0), (930.0, 620.0)
_CENTRE = ((_APEX[0] + _LEFT[0] + _RIGHT[0]) / 3, (_APEX[1] + _LEFT[1] + _RIGHT[1]) / 3)
_BAND = 22.0  # thickness of an area's segment
_GAP = 6.0  # between two segments of a side
_CORNER = 0.07  # of a side's length, left free at each corner
_LINE = 15.0  # line height of the areas' labels
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

Point = tuple[float, float]


def _xml(text: str, quote: bool = False) -> str:
    """``text`` escaped for XML content (and, with ``quote``, for an attribute); characters
    that XML cannot hold become U+FFFD."""
    text = _INVALID_XML.sub("\ufffd", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote:
        text = text.replace('"', "&quot;").replace("'", "&apos;")
    return text


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)


def _tag(name: str, attributes: Mapping[str, object], content: str | None = None) -> str:
    """An element; ``content`` is markup (escape text with :func:`_xml` first)."""
    attrs = "".join(
        f' {key}="{_xml(_number(value), quote=True)}"' for key, value in attributes.items()
    )
    return f"<{name}{attrs}/>" if content is None else f"<{name}{attrs}>{content}</{name}>"


def _points(points: list[Point]) -> str:
    return " ".join(f"{_number(x)},{_number(y)}" for x, y in points)


def _wrap(text: str, width: int) -> list[str]:
    # Widths are counted in characters: SVG has no text measurement without a font at hand.
    return textwrap.wrap(text, width, break_on_hyphens=False) or [text]


def _along(start: Point, end: Point, fraction: float) -> Point:
    return start[0] + (end[0] - start[0]) * fraction, start[1] + (end[1] - start[1]) * fraction


def _line(text: str, at: Point, anchor: str, size: float, **style: object) -> str:
    """One line of text whose middle is at ``at``."""
    attributes = {"x": at[0], "y": at[1] + size * 0.35, "text-anchor": anchor, "font-size": size}
    return _tag("text", {**attributes, **style}, _xml(text))


class _Segment(NamedTuple):
    band: list[Point]  # the area's segment of the side, a quadrilateral
    outer: Point  # the middle of its outer edge
    normal: Point  # the side's outward unit normal


def _segments(start: Point, end: Point, count: int) -> list[_Segment]:
    """The segments of ``count`` areas along the side from ``start`` to ``end``."""
    length = math.dist(start, end)
    dx, dy = (end[0] - start[0]) / length, (end[1] - start[1]) / length
    nx, ny = dy, -dx
    middle = _along(start, end, 0.5)
    if (middle[0] - _CENTRE[0]) * nx + (middle[1] - _CENTRE[1]) * ny < 0:
        nx, ny = -nx, -ny
    step = (1 - 2 * _CORNER) / max(count, 1)
    gap, half = _GAP / length / 2, _BAND / 2
    segments = []
    for number in range(count):
        a = _along(start, end, _CORNER + number * step + gap)
        b = _along(start, end, _CORNER + (number + 1) * step - gap)
        band = [
            (a[0] - nx * half, a[1] - ny * half),
            (b[0] - nx * half, b[1] - ny * half),
            (b[0] + nx * half, b[1] + ny * half),
            (a[0] + nx * half, a[1] + ny * half),
        ]
        mid = _along(start, end, _CORNER + (number + 0.5) * step)
        segments.append(_Segment(band, (mid[0] + nx * half, mid[1] + ny * half), (nx, ny)))
    return segments


def _label(lines: list[str], assessment: str, x: float, top: float, anchor: str) -> str:
    """An area's label (bold, on ``lines``) with its assessment below, from ``top`` down."""
    spans = [
        _tag("tspan", {"x": x, "y": top + 11 + n * _LINE, "font-weight": "bold"}, _xml(line))
        for n, line in enumerate(lines)
    ]
    at = {"x": x, "y": top + 11 + len(lines) * _LINE, "fill": "#525252", "class": "assessment"}
    spans.append(_tag("tspan", at, _xml(assessment)))
    return _tag("text", {"class": "label", "text-anchor": anchor, "font-size": 13}, "".join(spans))


def _area(area: TriangleArea, segment: _Segment, shown: str, extra: str) -> str:
    """An area: its segment in the colour of its assessment, its title, and ``extra``."""
    value = area.assessment if area.assessment in COLOURS else "not_assessed"
    shape: dict[str, object] = {
        "points": _points(segment.band),
        "fill": COLOURS[None if area.assessment is None else value],
        "stroke": "#737373",
        "stroke-width": 1.2,
    }
    if area.assessment is None:
        shape["stroke-dasharray"] = "4 3"
    attributes = {"class": "area", "data-area": area.id, "data-assessment": area.assessment or ""}
    content = _tag("title", {}, _xml(f"{area.label}: {shown}")) + _tag("polygon", shape) + extra
    return _tag("g", attributes, content)


def _slanted_side(side: TriangleSide, start: Point, end: Point, not_answered: str) -> str:
    """The areas of the left or the right side, labelled outside the triangle."""
    parts = []
    for area, segment in zip(side.areas, _segments(start, end, len(side.areas)), strict=True):
        shown = area.assessment_label or not_answered
        lines = _wrap(area.label, 30)
        x = segment.outer[0] + segment.normal[0] * 12
        y = segment.outer[1] + segment.normal[1] * 12
        anchor = "end" if segment.normal[0] < 0 else "start"
        top = y - (len(lines) + 1) * _LINE / 2 - 2
        parts.append(_area(area, segment, shown, _label(lines, shown, x, top, anchor)))
    return _tag("g", {"class": "side-areas", "data-side": side.id}, "".join(parts))


def _base_side(side: TriangleSide, not_answered: str) -> tuple[str, float]:
    """The areas of the base, labelled below it (in two staggered rows when there are more
    than four); and the lowest point of their labels."""
    segments = _segments(_LEFT, _RIGHT, len(side.areas))
    rows = 2 if len(side.areas) > 4 else 1
    wrapped = [_wrap(area.label, 20 if rows == 2 else 24) for area in side.areas]
    first_row = max((len(lines) for lines in wrapped[::rows]), default=0) + 1
    tops = (_LEFT[1] + _BAND / 2 + 14, _LEFT[1] + _BAND / 2 + 14 + first_row * _LINE + 10)
    bottom = tops[0]
    parts = []
    for number, (area, segment, lines) in enumerate(
        zip(side.areas, segments, wrapped, strict=True)
    ):
        shown = area.assessment_label or not_answered
        top = tops[number % rows]
        x = segment.outer[0]
        extra = ""
        if number % rows:  # a dotted leader down to the second row
            leader = {"x1": x, "y1": segment.outer[1] + 2, "x2": x, "y2": top - 1}
            extra = _tag("line", {**leader, "stroke": "#bdbdbd", "stroke-dasharray": "2 2"})
        extra += _label(lines, shown, x, top, "middle")
        bottom = max(bottom, top + (len(lines) + 1) * _LINE)
        parts.append(_area(area, segment, shown, extra))
    return _tag("g", {"class": "side-areas", "data-side": side.id}, "".join(parts)), bottom


def _side_label(side: TriangleSide, start: Point, end: Point) -> str:
    """A side's label inside the triangle, parallel to the side, read from left to right."""
    if end[0] < start[0]:
        start, end = end, start
    middle = _along(start, end, 0.5)
    angle = math.degrees(math.atan2(end[1] - start[1], end[0] - start[0]))
    at = _along(middle, _CENTRE, 48 / math.dist(middle, _CENTRE))
    lines = _wrap(side.label, 36)
    spans = "".join(
        _tag("tspan", {"x": 0, "y": (n - (len(lines) - 1) / 2) * 20 + 6}, _xml(line))
        for n, line in enumerate(lines)
    )
    transform = f"translate({_number(at[0])} {_number(at[1])}) rotate({_number(angle)})"
    attributes = {
        "class": "side",
        "data-side": side.id,
        "transform": transform,
        "text-anchor": "middle",
        "font-size": 17,
        "font-weight": "bold",
        "fill": "#252525",
    }
    return _tag("text", attributes, spans)


def _legend(tri: Triangle, top: float) -> tuple[str, float]:
    """The legend from ``top`` down, and its lowest point."""
    columns, width = 3, 320.0
    left = (_WIDTH - columns * width) / 2
    heading = render(_LEGEND, tri.locale)
    parts = [_line(heading, (left, top + 10), "start", 15, **{"font-weight": "bold"})]
    items = _legend_items(tri)
    for number, (value, label) in enumerate(items):
        x = left + (number % columns) * width
        y = top + 44 + (number // columns) * 32
        swatch: dict[str, object] = {
            "x": x,
            "y": y - 10,
            "width": 28,
            "height": 20,
            "rx": 3,
            "fill": COLOURS.get(value, COLOURS["not_assessed"]),
            "stroke": "#737373",
        }
        if value is None:
            swatch["stroke-dasharray"] = "4 3"
        item = _tag("rect", swatch) + _line(label, (x + 38, y), "start", 14)
        parts.append(_tag("g", {"class": "legend-item", "data-assessment": value or ""}, item))
    bottom = top + 44 + ((len(items) - 1) // columns) * 32 + 10
    return _tag("g", {"class": "legend"}, "".join(parts)), bottom


def triangle_svg(tri: Triangle) -> str:
    """The triangle as a standalone SVG document (no external resources, no scripts).

    The child's developmental needs form the left side, parenting capacity the right side and
    the family and environmental factors the base. Each area is a segment of its side, filled
    with the colour of its assessment (:data:`COLOURS`; white with a dashed edge while not
    answered) and labelled with the area and its assessment, so that the picture reads
    without colour too. With a title, the sides' labels, a legend of the scale plus "not
    answered", and a ``<title>`` and a ``<desc>`` (which reads out every area) for screen
    readers, all in the triangle's language; a ``viewBox`` lets it scale to any size.
    """
    locale = _a_triangle(tri).locale
    not_answered = render(_NOT_ANSWERED, locale)
    left, right, base = tri.sides
    heading, subtitle = _heading(tri), _subtitle(tri)
    description = render(_DESCRIPTION, locale, left=left.label, right=right.label, base=base.label)
    readout = " ".join(
        f"{side.label}: "
        + "; ".join(f"{area.label}: {area.assessment_label or not_answered}" for area in side.areas)
        + "."
        for side in tri.sides
    )
    outline = {
        "points": _points([_APEX, _LEFT, _RIGHT]),
        "fill": "#f7f7f7",
        "stroke": "#969696",
        "stroke-width": 2,
        "stroke-linejoin": "round",
    }
    base_areas, bottom = _base_side(base, not_answered)
    legend, bottom = _legend(tri, bottom + 30)
    height = math.ceil(bottom + 30)
    centre = (_CENTRE[0], _CENTRE[1] + 20)
    parts = [
        _tag("title", {"id": "summary-title"}, _xml(heading)),
        _tag("desc", {"id": "summary-desc"}, _xml(f"{subtitle}. {description} {readout}")),
        _tag("rect", {"width": _WIDTH, "height": height, "fill": "#ffffff"}),
        _line(heading, (_WIDTH / 2, 44), "middle", 26, **{"font-weight": "bold"}),
        _line(subtitle, (_WIDTH / 2, 80), "middle", 15, fill="#525252"),
        _tag("polygon", outline),
        _line(
            render(_THE_CHILD, locale),
            centre,
            "middle",
            22,
            fill="#737373",
            **{"font-style": "italic"},
        ),
        _side_label(left, _APEX, _LEFT),
        _side_label(right, _APEX, _RIGHT),
        _side_label(base, _LEFT, _RIGHT),
        _slanted_side(left, _APEX, _LEFT, not_answered),
        _slanted_side(right, _APEX, _RIGHT, not_answered),
        base_areas,
        legend,
    ]
    root = {
        "xmlns": _SVG_NS,
        "viewBox": f"0 0 {_WIDTH} {height}",
        "width": _WIDTH,
        "height": height,
        "role": "img",
        "aria-labelledby": "summary-title summary-desc",
        "font-family": _FONT,
        "xml:lang": locale,
    }
    body = "\n".join(parts)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _tag("svg", root, f"\n{body}\n") + "\n"
