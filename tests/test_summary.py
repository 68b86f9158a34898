"""The triangle at a glance: the value, the rich table, the SVG picture and the command."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import xml.etree.ElementTree as ET
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

import kindbehoeften
from kindbehoeften import Form, load_form, localize
from kindbehoeften.cli.base import Context, UsageError
from kindbehoeften.cli.summary import run_summary
from kindbehoeften.errors import TriangleError, UnknownLocaleError
from kindbehoeften.export import (
    COLOURS,
    SIDES,
    Triangle,
    TriangleArea,
    record,
    summary_table,
    triangle,
    triangle_svg,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SVG = "{http://www.w3.org/2000/svg}"
SCALE = ("strength", "no_concern", "some_concern", "serious_concern", "not_assessed")
NOT_ANSWERED = {"en": "Not answered"}


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return document


FULL = example("triangle.full.valid.json")
PRELIMINARY = example("triangle.preliminary.valid.json")


def svg_root(tri: Triangle) -> ET.Element:
    return ET.fromstring(triangle_svg(tri))


def area_groups(root: ET.Element) -> dict[str, ET.Element]:
    return {
        group.attrib["data-area"]: group
        for group in root.iter(f"{SVG}g")
        if "data-area" in group.attrib
    }


def shown_label(group: ET.Element) -> tuple[str, str]:
    """An area's label as drawn (its wrapped lines joined) and its assessment as drawn."""
    text = group.find(f"{SVG}text")
    assert text is not None
    spans = text.findall(f"{SVG}tspan")
    label = " ".join(span.text or "" for span in spans if span.get("font-weight") == "bold")
    assessment = [span.text or "" for span in spans if span.get("class") == "assessment"]
    return label, assessment[0]


def side_label(root: ET.Element, side_id: str) -> str:
    for text in root.iter(f"{SVG}text"):
        if text.get("class") == "side" and text.get("data-side") == side_id:
            return " ".join(span.text or "" for span in text.findall(f"{SVG}tspan"))
    raise KeyError(side_id)


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return []


# --- the value ---------------------------------------------------------------------------------


def test_the_full_example_gives_the_three_sides_with_every_area_in_order() -> None:
    tri = triangle(FULL)
    form = load_form("triangle.full")
    assert SIDES == tuple(side.id for side in tri.sides)
    for side in tri.sides:
        section = form.section(side.id)
        assert section.label == side.label
        assert [area.id for area in section.areas] == [area.id for area in side.areas]
    assert [7, 6, 7] == [len(side.areas) for side in tri.sides]
    expected = TriangleArea("education", "Education", "serious_concern", "Serious concern")
    assert expected == tri.side("child_needs").areas[1]
    answers = FULL["answers"]
    assert [
        answers[side.id][area.id]["assessment"] for side in tri.sides for area in side.areas
    ] == [area.assessment for side in tri.sides for area in side.areas]
    assert ("triangle.full", "1.0.0", "completed", False) == (
        tri.form,
        tri.version,
        tri.status,
        tri.draft,
    )


def test_json_bytes_and_text_give_the_same_triangle_as_a_dict() -> None:
    text = json.dumps(FULL)
    assert triangle(FULL) == triangle(text) == triangle(text.encode())


def test_the_triangle_is_frozen() -> None:
    tri = triangle(FULL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tri.title = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        tri.sides[0].label = "changed"  # type: ignore[misc]


def test_the_preliminary_assessment_shows_the_first_view_of_each_side() -> None:
    tri = triangle(PRELIMINARY)
    assert [
        (TriangleArea("first_view", "First view", "some_concern", "Some concern"),),
        (TriangleArea("first_view", "First view", "some_concern", "Some concern"),),
        (TriangleArea("first_view", "First view", "no_concern", "No concern"),),
    ] == [side.areas for side in tri.sides]
    assert "Preliminary assessment" == tri.title


@pytest.mark.parametrize("locale", ["sv", "fi", "nb_NO"])
def test_labels_are_those_of_the_localised_form(locale: str) -> None:
    tri = triangle(FULL, locale=locale)
    form = localize(load_form("triangle.full"), locale)
    scale = form.option_list("concern_scale").options
    assert tuple((option.value, option.label) for option in scale) == tri.scale
    labels = {option.value: option.label for option in scale}
    for side in tri.sides:
        section = form.section(side.id)
        assert section.label == side.label
        for area in side.areas:
            assert section.area(area.id).label == area.label
            assert labels[str(area.assessment)] == area.assessment_label
    assert form.title == tri.title


def test_a_draft_shows_unanswered_areas_as_none() -> None:
    tri = triangle(example("triangle.full.draft.json"))
    assert tri.draft
    assert TriangleArea("identity", "Identity", None, None) == tri.side("child_needs").areas[3]
    answered = [area.id for side in tri.sides for area in side.areas if area.assessment]
    assert ["health", "education", "emotional_warmth"] == answered


def test_an_empty_draft_is_a_triangle_of_unanswered_areas() -> None:
    draft = {
        "form": "triangle.full",
        "form_version": "1.0.0",
        "status": "in_progress",
        "answers": {},
    }
    tri = triangle(draft)
    assert {None} == {area.assessment for side in tri.sides for area in side.areas}


def test_a_record_shows_its_latest_full_assessment() -> None:
    earlier = json.loads(json.dumps(FULL))
    earlier["answers"]["child_needs"]["health"]["assessment"] = "strength"
    case = kindbehoeften.Assessment.report(
        case_id="case-7",
        jurisdiction="NL",
        on=dt.date(2026, 3, 2),
        actor="w",
        reporter="professional",
    )
    document = record(case, [earlier, PRELIMINARY, FULL], today=dt.date(2026, 3, 4))
    tri = triangle(document)
    assert ("triangle.full", "some_concern") == (
        tri.form,
        tri.side("child_needs").areas[0].assessment,
    )
    assert tri == triangle(json.dumps(document).encode())
    document["submissions"] = document["submissions"][::-1]  # now the earlier one is the latest
    assert "strength" == triangle(document).side("child_needs").areas[0].assessment


def test_a_record_without_a_full_assessment_shows_its_latest_preliminary_one() -> None:
    plan = example("triangle.plan.valid.json")
    document = {"$schema": "urn:kindbehoeften:schema:record:1", "submissions": [PRELIMINARY, plan]}
    assert "triangle.preliminary" == triangle(document).form


@pytest.mark.parametrize(
    "submissions",
    [
        pytest.param([example("triangle.plan.valid.json")], id="only-a-plan"),
        pytest.param([], id="none"),
        pytest.param([{"form": "../../etc/passwd.toml", "form_version": "1.0.0"}], id="a-path"),
    ],
)
def test_a_record_without_a_triangle_raises(submissions: list[Any]) -> None:
    document = {"$schema": "urn:kindbehoeften:schema:record:1", "submissions": submissions}
    with pytest.raises(TriangleError, match="no submission of a form with the three sides"):
        triangle(document)


@pytest.mark.parametrize(
    ("record_document", "message"),
    [
        pytest.param({"submissions": "none"}, "no list of submissions", id="not-a-list"),
        pytest.param({"submissions": [1, None, "x"]}, "no submission of a form", id="no-objects"),
        pytest.param({"submissions": [{"form": 1}]}, "no submission of a form", id="form-not-text"),
        pytest.param(
            {"submissions": [{"form": "nope", "form_version": "1.0.0"}]},
            "no submission of a form",
            id="unknown-form",
        ),
    ],
)
def test_a_record_that_is_damaged_raises(record_document: dict[str, Any], message: str) -> None:
    document = {"$schema": "urn:kindbehoeften:schema:record:1", **record_document}
    with pytest.raises(TriangleError, match=message):
        triangle(document)


def test_text_that_names_the_record_schema_but_is_no_json_raises_json_syntax() -> None:
    with pytest.raises(TriangleError, match="json_syntax"):
        triangle('{"$schema": "urn:kindbehoeften:schema:record:1", ')


def test_a_submission_that_mentions_the_record_schema_is_still_a_submission() -> None:
    draft: dict[str, Any] = {
        "form": "triangle.full",
        "form_version": "1.0.0",
        "status": "in_progress",
    }
    draft["answers"] = {
        "child_needs": {"health": {"description": "urn:kindbehoeften:schema:record:1"}}
    }
    assert "triangle.full" == triangle(json.dumps(draft)).form


def test_a_record_is_read_with_the_form_given() -> None:
    form = own_form()
    document = {
        "$schema": "urn:kindbehoeften:schema:record:1",
        "submissions": [FULL, own_submission()],
    }
    tri = triangle(document, form=form)
    assert "example.tricky" == tri.form


def test_an_invalid_record_submission_raises_value_error_without_answer_text() -> None:
    invalid = example("triangle.full.invalid.json")
    document = {"$schema": "urn:kindbehoeften:schema:record:1", "submissions": [invalid]}
    with pytest.raises(ValueError, match="not a valid submission"):
        triangle(document)


def test_an_invalid_submission_raises_value_error_with_count_and_codes_but_no_answer() -> None:
    invalid = example("triangle.full.invalid.json")
    report = kindbehoeften.validate(invalid)
    with pytest.raises(ValueError, match="not a valid submission") as caught:
        triangle(invalid)
    message = str(caught.value)
    count = len(report.errors)
    codes = list(dict.fromkeys(issue.code for issue in report.errors))
    assert f"not a valid submission: {count} errors ({', '.join(codes)})" in message
    assert isinstance(caught.value, TriangleError)
    assert report == caught.value.report
    assert tuple(issue.code for issue in report.errors) == caught.value.codes
    leaked = [text for text in strings(invalid["answers"]) if len(text) > 3 and text in message]
    assert [] == leaked


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param(b'{"form": ', "json_syntax", id="json-syntax"),
        pytest.param(b"[1]", "not_an_object", id="not-an-object"),
        pytest.param(
            b'{"form": "nope", "form_version": "1.0.0", "status": "completed", "answers": {}}',
            "unknown_form",
            id="unknown-form",
        ),
    ],
)
def test_input_that_is_no_submission_raises_value_error_naming_its_code(
    data: bytes, code: str
) -> None:
    with pytest.raises(ValueError, match=code):
        triangle(data)


def test_a_completed_submission_missing_required_answers_raises() -> None:
    incomplete = {
        "form": "triangle.full",
        "form_version": "1.0.0",
        "status": "completed",
        "answers": {},
    }
    with pytest.raises(ValueError, match="required"):
        triangle(incomplete)


def test_a_form_without_the_three_sides_raises_value_error() -> None:
    with pytest.raises(
        ValueError,
        match=r"triangle\.plan@1\.0\.0 has no section child_needs, parenting_capacity, "
        r"family_environment",
    ):
        triangle(example("triangle.plan.valid.json"))


def test_an_unknown_locale_raises() -> None:
    with pytest.raises(UnknownLocaleError):
        triangle(FULL, locale="de")


def test_an_extension_of_the_full_assessment_is_summed_up_too() -> None:
    path = Path(str(kindbehoeften.__path__[0])) / "forms" / "examples" / "nl-school-attendance.toml"
    form = load_form(path)
    submission = {
        "form": form.id,
        "form_version": form.version,
        "status": "in_progress",
        "answers": {
            "child_needs": {"education": {"assessment": "serious_concern", "nl_absence_days": 11}}
        },
    }
    tri = triangle(submission, form=form, locale="nl")
    assert "serious_concern" == tri.side("child_needs").areas[1].assessment
    assert (
        localize(load_form("triangle.full"), "nl").section("child_needs").label
        == tri.sides[0].label
    )


# --- a form of one's own, with text that must be escaped ----------------------------------------

TRICKY = 'Tom & Jerry\'s <home> "ok"'


def own_form() -> Form:
    def side(side_id: str, label: str) -> dict[str, Any]:
        return {
            "id": side_id,
            "label": label,
            "areas": [
                {
                    "id": "first",
                    "label": f"{TRICKY} ({side_id})",
                    "questions": [
                        {
                            "id": "assessment",
                            "type": "choice",
                            "label": "A",
                            "options": "concern_scale",
                        }
                    ],
                },
                {
                    "id": "notes",
                    "label": "Notes only",
                    "questions": [{"id": "note", "type": "text", "label": "Note"}],
                },
            ],
        }

    return Form.from_dict(
        {
            "form": {
                "id": "example.tricky",
                "version": "1.0.0",
                "stage": "full",
                "title": f"{TRICKY} title",
            },
            "option_lists": {
                "concern_scale": {
                    "ordered": True,
                    "options": [{"value": value, "label": f"{value} <&'>"} for value in SCALE],
                }
            },
            "sections": [
                side("child_needs", "Child's <needs> & wishes"),
                side("parenting_capacity", "Parents' capacity"),
                side("family_environment", "Family & <world>"),
            ],
        }
    )


def own_submission() -> dict[str, Any]:
    return {
        "form": "example.tricky",
        "form_version": "1.0.0",
        "status": "in_progress",
        "answers": {
            "child_needs": {
                "first": {"assessment": "serious_concern"},
                "notes": {"note": "</svg><script>"},
            },
            "parenting_capacity": {"first": {"assessment": "strength"}},
        },
    }


def test_an_area_without_an_assessment_is_left_out() -> None:
    tri = triangle(own_submission(), form=own_form())
    assert [["first"], ["first"], ["first"]] == [
        [area.id for area in side.areas] for side in tri.sides
    ]


def test_labels_with_markup_characters_are_escaped_in_the_svg() -> None:
    tri = triangle(own_submission(), form=own_form())
    svg = triangle_svg(tri)
    assert "<home>" not in svg
    assert "&lt;home&gt;" in svg
    assert "Tom &amp; Jerry" in svg
    assert "</svg><script>" not in svg  # free text is never shown
    root = ET.fromstring(svg)
    groups = area_groups(root)
    assert {"first"} == set(groups)  # one id per side: each side's group holds one
    for side in root.iter(f"{SVG}g"):
        if side.get("class") == "side-areas":
            (group,) = side.findall(f"{SVG}g")
            label, _ = shown_label(group)
            assert f"{TRICKY} ({side.get('data-side')})" == label
    assert "Child's <needs> & wishes" == side_label(root, "child_needs")
    assert "Family & <world>" == side_label(root, "family_environment")
    title = root.find(f"{SVG}title")
    assert title is not None
    assert f"{TRICKY} title: the triangle at a glance" == title.text
    assert "serious_concern <&'>" in "".join(root.itertext())


def test_characters_xml_cannot_hold_are_replaced() -> None:
    form = own_form()
    document = form.to_dict()
    document["sections"][0]["label"] = "bell\x07 here"
    tri = triangle(own_submission(), form=Form.from_dict(document))
    assert "bell\ufffd here" == side_label(ET.fromstring(triangle_svg(tri)), "child_needs")


def test_a_form_whose_sides_have_no_assessment_raises() -> None:
    document = own_form().to_dict()
    for section in document["sections"]:
        section["areas"] = section["areas"][1:]  # only the areas without an assessment
    with pytest.raises(TriangleError, match="has no assessment in its three sides"):
        triangle(own_submission() | {"answers": {}}, form=Form.from_dict(document))


def test_an_assessment_on_a_scale_of_the_forms_own_is_shown_with_its_options() -> None:
    document = own_form().to_dict()
    del document["option_lists"]
    options = [{"value": "low", "label": "Low"}, {"value": "high", "label": "High"}]
    for section in document["sections"]:
        section["areas"][0]["questions"][0]["options"] = options
    submission = own_submission()
    submission["answers"] = {"child_needs": {"first": {"assessment": "high"}}}
    tri = triangle(submission, form=Form.from_dict(document))
    assert (("low", "Low"), ("high", "High")) == tri.scale
    assert "High" == tri.sides[0].areas[0].assessment_label
    polygon = next(
        group.find(f"{SVG}g/{SVG}polygon")
        for group in svg_root(tri).iter(f"{SVG}g")
        if group.get("data-side") == "child_needs"
    )
    assert polygon is not None
    assert COLOURS["not_assessed"] == polygon.get("fill")  # not on the built-in scale: grey


def test_a_side_is_found_by_its_id() -> None:
    tri = triangle(FULL)
    assert tri.sides[2] == tri.side("family_environment")
    with pytest.raises(KeyError):
        tri.side("analysis")


# --- the SVG picture --------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["en", "sv"])
def test_the_svg_is_a_scalable_svg_document_with_title_and_description(locale: str) -> None:
    tri = triangle(FULL, locale=locale)
    svg = triangle_svg(tri)
    root = ET.fromstring(svg)
    assert f"{SVG}svg" == root.tag
    assert ["0", "0", "1200"] == root.attrib["viewBox"].split()[:3]
    assert root.attrib["height"] == root.attrib["viewBox"].split()[3]
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert tri.title in str(title.text)
    for side in tri.sides:
        for area in side.areas:
            assert f"{area.label}: {area.assessment_label}" in str(desc.text)
    assert "summary-title summary-desc" == root.attrib["aria-labelledby"]
    assert locale == root.attrib["{http://www.w3.org/XML/1998/namespace}lang"]


def test_the_svg_needs_nothing_from_outside_and_runs_nothing() -> None:
    svg = triangle_svg(triangle(FULL))
    root = ET.fromstring(svg)
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert set() == tags & {"script", "image", "foreignObject", "a", "use", "style", "iframe"}
    attributes = {name for element in root.iter() for name in element.attrib}
    assert [] == [name for name in attributes if name.startswith("on") or "href" in name]
    assert 1 == svg.count("http")  # the namespace, nothing to fetch
    assert "url(" not in svg
    assert "@import" not in svg


@pytest.mark.parametrize("locale", ["en", "sv"])
def test_the_svg_labels_every_area_and_every_side_in_the_locale(locale: str) -> None:
    form = localize(load_form("triangle.full"), locale)
    root = svg_root(triangle(FULL, locale=locale))
    groups = area_groups(root)
    labels = {option.value: option.label for option in form.option_list("concern_scale").options}
    for side_id in SIDES:
        section = form.section(side_id)
        assert section.label == side_label(root, side_id)
        for area in section.areas:
            expected = (area.label, labels[FULL["answers"][side_id][area.id]["assessment"]])
            assert expected == shown_label(groups[area.id])


def test_each_area_is_filled_with_the_colour_of_its_assessment() -> None:
    root = svg_root(triangle(FULL))
    groups = area_groups(root)
    assert 20 == len(groups)
    for side_id in SIDES:
        for area_id, answers in FULL["answers"][side_id].items():
            polygon = groups[area_id].find(f"{SVG}polygon")
            assert polygon is not None
            assessment = answers["assessment"]
            assert (assessment, COLOURS[assessment]) == (
                groups[area_id].get("data-assessment"),
                polygon.get("fill"),
            )


def test_an_unanswered_area_is_white_with_a_dashed_edge() -> None:
    groups = area_groups(svg_root(triangle(example("triangle.full.draft.json"))))
    polygon = groups["identity"].find(f"{SVG}polygon")
    assert polygon is not None
    assert (COLOURS[None], "4 3") == (polygon.get("fill"), polygon.get("stroke-dasharray"))
    assert ("Identity", "Not answered") == shown_label(groups["identity"])


@pytest.mark.parametrize("locale", ["en", "sv", "da"])
def test_the_legend_lists_the_five_assessments_and_not_answered_in_the_locale(locale: str) -> None:
    form = localize(load_form("triangle.full"), locale)
    root = svg_root(triangle(FULL, locale=locale))
    items = [group for group in root.iter(f"{SVG}g") if group.get("class") == "legend-item"]
    found = [(item.get("data-assessment"), "".join(item.itertext())) for item in items]
    expected = [
        (option.value, option.label) for option in form.option_list("concern_scale").options
    ]
    assert expected == found[:5]
    assert "" == found[5][0]
    fills = [next(item.iter(f"{SVG}rect")).get("fill") for item in items]
    assert [COLOURS[value] for value in (*SCALE, None)] == fills


def test_the_english_legend_says_not_answered() -> None:
    root = svg_root(triangle(FULL))
    items = [group for group in root.iter(f"{SVG}g") if group.get("class") == "legend-item"]
    assert NOT_ANSWERED["en"] == "".join(items[-1].itertext())


def test_the_preliminary_assessment_draws_one_segment_a_side() -> None:
    root = svg_root(triangle(PRELIMINARY, locale="sv"))
    sides = [group for group in root.iter(f"{SVG}g") if group.get("class") == "side-areas"]
    assert [1, 1, 1] == [len(side.findall(f"{SVG}g")) for side in sides]
    assert {"Första bedömning"} == {shown_label(side.findall(f"{SVG}g")[0])[0] for side in sides}


# --- the rich table ----------------------------------------------------------------------------


def rendered(tri: Triangle) -> str:
    console = Console(file=StringIO(), width=120, color_system=None)
    console.print(summary_table(tri))
    return console.file.getvalue()  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize("locale", ["en", "sv"])
def test_the_table_lists_every_side_area_and_assessment(locale: str) -> None:
    tri = triangle(FULL, locale=locale)
    text = rendered(tri)
    for side in tri.sides:
        assert side.label in text
        for area in side.areas:
            assert area.label in text
            assert f"■ {area.assessment_label}" in text
    assert tri.title in text
    for _, label in tri.scale:
        assert label in text


def test_the_table_of_a_draft_says_draft_and_not_answered() -> None:
    text = rendered(triangle(example("triangle.full.draft.json")))
    assert "triangle.full 1.0.0, draft" in text
    assert "■ Not answered" in text


def test_the_table_colours_each_assessment() -> None:
    console = Console(file=StringIO(), width=120, color_system="standard", force_terminal=True)
    console.print(summary_table(triangle(FULL)))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b[1;31m" in text  # serious concern: bold red
    assert "\x1b[33m" in text  # some concern: yellow


# --- the command -------------------------------------------------------------------------------


def run(
    file: str, svg: Path | None = None, locale: str = "en", stdin: bytes = b""
) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    context = Context(
        argparse.Namespace(file=file, svg=svg, locale=locale),
        Console(file=out, width=120, color_system=None),
        Console(file=err, width=120, color_system=None),
        BytesIO(stdin),
    )
    code = run_summary(context)
    return code, out.getvalue(), err.getvalue()


def test_the_command_prints_the_table_and_writes_the_svg(tmp_path: Path) -> None:
    picture = tmp_path / "triangle.svg"
    code, out, err = run(str(EXAMPLES / "triangle.full.valid.json"), svg=picture, locale="sv")
    assert (0, "") == (code, err)
    assert "Klara sig själv" in out
    assert f"SVG-filen skrevs till {picture}" in out.replace("\n", "")  # in Swedish
    assert "Klara sig själv" in picture.read_text(encoding="utf-8")
    ET.fromstring(picture.read_bytes())


def test_the_command_reads_standard_input() -> None:
    code, out, _ = run("-", stdin=json.dumps(PRELIMINARY).encode())
    assert 0 == code
    assert "First view" in out


def test_the_command_writes_the_svg_alone_on_stdout_for_svg_dash() -> None:
    code, out, _ = run(str(EXAMPLES / "triangle.full.valid.json"), svg=Path("-"))
    assert 0 == code
    assert f"{SVG}svg" == ET.fromstring(out).tag


def test_the_command_exits_1_with_a_one_line_reason_for_an_invalid_submission() -> None:
    name = str(EXAMPLES / "triangle.full.invalid.json")
    code, out, err = run(name)
    assert (1, "") == (code, out)
    assert 1 == len(err.strip().splitlines())
    assert err.startswith(f"{name}: not a valid submission: ")


def test_the_command_exits_1_for_a_form_without_the_three_sides(tmp_path: Path) -> None:
    code, _, err = run(str(EXAMPLES / "triangle.plan.valid.json"))
    assert 1 == code
    assert "has no section child_needs" in err


def test_the_command_raises_a_usage_error_for_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        run(str(tmp_path / "missing.json"))


def test_the_command_raises_a_usage_error_for_an_unwritable_svg(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot write"):
        run(str(EXAMPLES / "triangle.full.valid.json"), svg=tmp_path / "no" / "such" / "dir.svg")


def test_the_command_refuses_an_oversized_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kindbehoeften.cli.summary._MAX_RECORD_BYTES", 100)
    code, _, err = run(str(EXAMPLES / "triangle.full.valid.json"))
    assert 1 == code
    assert "larger than 100 bytes" in err
