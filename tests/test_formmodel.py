"""The typed form model: building from file-shaped data, round trips, and the helpers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import jsonschema
import pydantic
import pytest
from hypothesis import given, settings

import kindbehoeften
from kindbehoeften import Form, Question, export
from kindbehoeften._forms.checks import check_form
from strategies import STAGES, forms, to_toml

# database=None: no example database is written into the working tree.
PROPERTY = settings(max_examples=60, deadline=None, database=None)


def count_questions(questions: list[dict[str, Any]]) -> int:
    return sum(1 + count_questions(item.get("questions", [])) for item in questions)


def minimal(**question: Any) -> dict[str, Any]:
    """A form file with one section, one area and the given question."""
    return {
        "form": {"id": "test.model", "version": "1.0.0", "stage": "full", "title": "Model"},
        "sections": [
            {
                "id": "child_needs",
                "label": "Child",
                "areas": [{"id": "health", "label": "Health", "questions": [question]}],
            }
        ],
    }


SHARED = {
    "form": {"id": "test.options", "version": "1.0.0", "stage": "plan", "title": "Options"},
    "option_lists": {
        "concern": {
            "ordered": True,
            "options": [
                {"value": "strength", "label": "Strength"},
                {"value": "some_concern", "label": "Some concern"},
            ],
        }
    },
    "sections": [
        {
            "id": "child_needs",
            "label": "Child",
            "areas": [
                {
                    "id": "health",
                    "label": "Health",
                    "questions": [
                        {"id": "assessment", "type": "choice", "label": "A", "options": "concern"},
                        {
                            "id": "seen_by",
                            "type": "multi_choice",
                            "label": "Seen by",
                            "options": [{"value": "gp", "label": "GP"}],
                        },
                        {"id": "note", "type": "text", "label": "Note"},
                        {
                            "id": "household",
                            "type": "group",
                            "label": "Household",
                            "questions": [
                                {"id": "name", "type": "text", "label": "Name"},
                                {"id": "age", "type": "integer", "label": "Age"},
                            ],
                        },
                    ],
                }
            ],
        }
    ],
}


# --- properties over generated forms ------------------------------------------------------


@PROPERTY
@given(forms())
def test_generated_form_dict_builds_a_form_that_passes_the_checks(data: dict[str, Any]) -> None:
    form = Form.from_dict(data)
    check_form(form)  # raises FormDefinitionError on any problem
    expected = sum(
        count_questions(area["questions"])
        for section in data["sections"]
        for area in section["areas"]
    )
    assert (data["form"]["id"], expected) == (form.id, len(list(form.questions())))


@PROPERTY
@given(forms())
def test_form_round_trips_through_its_dict(data: dict[str, Any]) -> None:
    form = Form.from_dict(data)
    assert form == Form.from_dict(form.to_dict())


@PROPERTY
@given(forms())
def test_form_round_trips_through_json(data: dict[str, Any]) -> None:
    form = Form.from_dict(data)
    assert form == Form.model_validate_json(form.model_dump_json())
    assert form == Form.from_dict(json.loads(json.dumps(form.to_dict())))


@PROPERTY
@given(forms())
def test_form_written_as_toml_loads_as_the_same_form(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]
) -> None:
    path = tmp_path_factory.mktemp("toml") / "generated.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    assert Form.from_dict(data) == kindbehoeften.load_form(path)


@PROPERTY
@given(forms())
def test_written_form_satisfies_the_published_schema(data: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(kindbehoeften.form_file_schema())
    errors = [error.message for error in validator.iter_errors(Form.from_dict(data).to_dict())]
    expected = []
    assert expected == errors


@PROPERTY
@given(forms())
def test_equal_forms_hash_equal(data: dict[str, Any]) -> None:
    first, second = Form.from_dict(data), Form.from_dict(json.loads(json.dumps(data, default=str)))
    assert first == second
    assert hash(first) == hash(second)
    expected = 1
    assert expected == len({first, second})


@PROPERTY
@given(forms())
def test_questions_yields_every_question_once_with_a_unique_path(data: dict[str, Any]) -> None:
    paths = [path for path, _ in Form.from_dict(data).questions()]
    assert len(paths) == len(set(paths))
    assert all(len(path) >= 3 for path in paths)


# --- frozen and hashable ------------------------------------------------------------------


def test_assigning_to_a_form_raises_a_validation_error() -> None:
    form = Form.from_dict(SHARED)
    with pytest.raises(pydantic.ValidationError):
        form.title = "Changed"  # type: ignore[misc]
    expected = "Options"
    assert expected == form.title


def test_assigning_to_a_nested_question_raises_a_validation_error() -> None:
    question = Form.from_dict(SHARED).section("child_needs").area("health").question("note")
    with pytest.raises(pydantic.ValidationError):
        question.label = "Changed"  # type: ignore[misc]
    expected = "Note"
    assert expected == question.label


def test_forms_can_be_dictionary_keys() -> None:
    form = Form.from_dict(SHARED)
    expected = "found"
    assert expected == {form: "found"}[Form.from_dict(SHARED)]


# --- required -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("required", "expected"),
    [
        pytest.param(True, STAGES, id="true-means-every-stage"),
        pytest.param(False, (), id="false-means-none"),
        pytest.param(["full", "plan"], ("full", "plan"), id="listed-stages"),
        pytest.param([], (), id="empty-list"),
    ],
)
def test_required_is_normalised_to_the_stages(required: object, expected: tuple[str, ...]) -> None:
    question = Question(id="seen", type="boolean", label="Seen?", required=required)
    assert expected == question.required


@pytest.mark.parametrize("stage", STAGES)
def test_required_true_makes_a_question_required_at_every_stage(stage: str) -> None:
    question = Question(id="seen", type="boolean", label="Seen?", required=True)
    assert question.is_required(stage)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("stage", "expected"),
    [("preliminary", False), ("full", True), ("plan", True), ("followup", False)],
)
def test_is_required_follows_the_listed_stages(stage: str, expected: bool) -> None:
    question = Question(id="seen", type="boolean", label="Seen?", required=["full", "plan"])
    assert expected == question.is_required(stage)  # type: ignore[arg-type]


def test_a_question_is_optional_by_default() -> None:
    question = Question(id="seen", type="boolean", label="Seen?")
    expected = [False] * 4
    assert expected == [question.is_required(stage) for stage in STAGES]


def test_require_one_of_rule_is_required_at_every_stage_by_default() -> None:
    rule = kindbehoeften.OneOfRule(questions=("child_view", "reason"))
    expected = STAGES
    assert expected == rule.required


def test_required_true_is_written_as_the_list_of_every_stage() -> None:
    form = Form.from_dict(minimal(id="seen", type="boolean", label="Seen?", required=True))
    question = form.to_dict()["sections"][0]["areas"][0]["questions"][0]
    assert list(STAGES) == question["required"]


# --- options, questions and lookups -------------------------------------------------------


def test_options_resolves_a_shared_list_by_name() -> None:
    form = Form.from_dict(SHARED)
    question = form.section("child_needs").area("health").question("assessment")
    expected = ["strength", "some_concern"]
    assert expected == [option.value for option in form.options(question)]
    assert form.option_list("concern").options == form.options(question)


def test_options_returns_options_written_in_place() -> None:
    form = Form.from_dict(SHARED)
    question = form.section("child_needs").area("health").question("seen_by")
    expected = ("gp",)
    assert expected == tuple(option.value for option in form.options(question))


def test_options_of_a_question_without_options_is_empty() -> None:
    form = Form.from_dict(SHARED)
    expected = ()
    assert expected == form.options(form.section("child_needs").area("health").question("note"))


def test_options_of_an_undefined_list_raises_key_error() -> None:
    form = Form.from_dict(SHARED)
    question = Question(id="x", type="choice", label="X", options="missing")
    with pytest.raises(KeyError, match="missing"):
        form.options(question)


def test_questions_yields_paths_in_order_including_group_rows() -> None:
    paths = [path for path, _ in Form.from_dict(SHARED).questions()]
    expected = [
        ("child_needs", "health", "assessment"),
        ("child_needs", "health", "seen_by"),
        ("child_needs", "health", "note"),
        ("child_needs", "health", "household"),
        ("child_needs", "health", "household", "name"),
        ("child_needs", "health", "household", "age"),
    ]
    assert expected == paths


def test_questions_pairs_each_path_with_its_question() -> None:
    found = dict(Form.from_dict(SHARED).questions())
    expected = "integer"
    assert expected == found[("child_needs", "health", "household", "age")].type


@pytest.mark.parametrize(
    "lookup",
    [
        pytest.param(lambda form: form.section("nowhere"), id="section"),
        pytest.param(lambda form: form.section("child_needs").area("nowhere"), id="area"),
        pytest.param(
            lambda form: form.section("child_needs").area("health").question("nowhere"),
            id="question",
        ),
        pytest.param(lambda form: form.option_list("nowhere"), id="option-list"),
    ],
)
def test_looking_up_an_unknown_id_raises_key_error(lookup: Any) -> None:
    with pytest.raises(KeyError, match="nowhere"):
        lookup(Form.from_dict(SHARED))


def test_key_is_id_at_version() -> None:
    expected = "test.options@1.0.0"
    assert expected == Form.from_dict(SHARED).key


# --- the canonical file shape -------------------------------------------------------------


def test_to_dict_leaves_out_defaults() -> None:
    form = Form.from_dict(minimal(id="seen", type="boolean", label="Seen?"))
    assert minimal(id="seen", type="boolean", label="Seen?") == form.to_dict()


def test_option_lists_are_written_as_a_table_by_name() -> None:
    expected = {
        "concern": {
            "ordered": True,
            "options": [
                {"value": "strength", "label": "Strength"},
                {"value": "some_concern", "label": "Some concern"},
            ],
        }
    }
    assert expected == Form.from_dict(SHARED).to_dict()["option_lists"]


def test_crosswalk_accepts_its_three_written_shapes() -> None:
    data = minimal(id="seen", type="boolean", label="Seen?")
    data["sections"][0]["areas"][0]["crosswalk"] = {
        "bbic_2006": "Hälsa",
        "uk_af_2000": ["Health", "Development"],
        "bbic_2016": {"codes": ["Hälsa"], "verified": False, "note": "secondary source"},
    }
    area = Form.from_dict(data).section("child_needs").area("health")
    expected = [
        ("bbic_2006", ("Hälsa",), True, None),
        ("uk_af_2000", ("Health", "Development"), True, None),
        ("bbic_2016", ("Hälsa",), False, "secondary source"),
    ]
    assert expected == [
        (entry.framework, entry.codes, entry.verified, entry.note) for entry in area.crosswalk
    ]


def test_crosswalk_is_written_as_tables() -> None:
    data = minimal(id="seen", type="boolean", label="Seen?")
    data["sections"][0]["areas"][0]["crosswalk"] = {"bbic_2006": "Hälsa", "girfec": ["Healthy"]}
    written = Form.from_dict(data).to_dict()["sections"][0]["areas"][0]["crosswalk"]
    expected = {"bbic_2006": {"codes": ["Hälsa"]}, "girfec": {"codes": ["Healthy"]}}
    assert expected == written


def test_a_date_bound_written_as_text_is_a_date() -> None:
    form = Form.from_dict(minimal(id="born", type="date", label="Born", min="2000-01-31"))
    question = form.section("child_needs").area("health").question("born")
    assert dt.date(2000, 1, 31) == question.min


def test_number_bounds_stay_numbers() -> None:
    form = Form.from_dict(minimal(id="weight", type="decimal", label="Kg", min=0, max=2.5))
    question = form.section("child_needs").area("health").question("weight")
    assert (0, int, 2.5, float) == (
        question.min,
        type(question.min),
        question.max,
        type(question.max),
    )


def test_a_date_in_a_condition_is_kept_as_iso_text() -> None:
    comparison = kindbehoeften.Comparison(
        question="born", operator="in", value=[dt.date(2020, 1, 2), "2021-03-04"]
    )
    expected = ("2020-01-02", "2021-03-04")
    assert expected == comparison.value


def test_not_condition_is_written_with_the_key_not() -> None:
    data = minimal(
        id="seen",
        type="boolean",
        label="Seen?",
        when={"not": {"question": "seen", "operator": "answered"}},
    )
    written = Form.from_dict(data).to_dict()["sections"][0]["areas"][0]["questions"][0]["when"]
    expected = {"not": {"question": "seen", "operator": "answered"}}
    assert expected == written


@pytest.mark.parametrize(
    ("question", "location"),
    [
        pytest.param({"id": "x", "type": "text", "label": "X", "colour": 1}, "colour", id="key"),
        pytest.param({"id": "X", "type": "text", "label": "X"}, "id", id="id-pattern"),
        pytest.param({"id": "x", "type": "file", "label": "X"}, "type", id="type"),
        pytest.param({"id": "x", "type": "text", "label": ""}, "label", id="empty-label"),
        pytest.param(
            {"id": "x", "type": "text", "label": "X", "required": ["soon"]},
            "required",
            id="stage",
        ),
    ],
)
def test_from_dict_refuses_what_the_model_cannot_hold(
    question: dict[str, Any], location: str
) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Form.from_dict(minimal(**question))
    assert location in [str(part) for error in caught.value.errors() for part in error["loc"]]


def test_model_validate_json_reads_the_file_shape() -> None:
    text = json.dumps(SHARED)
    assert Form.from_dict(SHARED) == Form.model_validate_json(text)


ALL_FOUR = {"Validator", "validate", "json_schema", "questionnaire"}


@pytest.mark.parametrize(
    ("question", "message", "refusing"),
    [
        ({"id": "a", "label": "A", "type": "choice", "options": "nowhere"}, "option list",
         ALL_FOUR),
        ({"id": "a", "label": "A", "type": "text",
          "when": {"question": "gone", "operator": "equals", "value": 1}},
         "gone", {"json_schema", "questionnaire"}),
        ({"id": "a", "label": "A", "type": "text", "pattern": "("}, "pattern",
         {"Validator", "validate"}),
    ],
)  # fmt: skip
def test_a_form_built_in_python_that_cannot_be_compiled_is_explained_by_the_checks(
    question: dict[str, Any], message: str, refusing: set[str]
) -> None:
    """Form.from_dict builds the model only. Where validate or an export cannot compile such
    a form (an option list that is not there, a condition on no question, a pattern that is
    no pattern), it is refused with FormDefinitionError naming every problem, as its form
    file would be: never the KeyError or PatternError of a compiler. What compiles (the
    validator reads a condition on no question as never met) still works."""
    form = Form.from_dict(minimal(**question))
    submission = {"form": "test.model", "form_version": "1.0.0", "status": "in_progress",
                  "answers": {}}  # fmt: skip
    calls: dict[str, Callable[[], object]] = {
        "Validator": lambda: kindbehoeften.Validator(form),
        "validate": lambda: kindbehoeften.validate(submission, form=form),
        "json_schema": lambda: export.json_schema(form),
        "questionnaire": lambda: export.questionnaire(form, locales=()),
    }
    errors: dict[str, kindbehoeften.FormDefinitionError] = {}
    for name, call in calls.items():
        try:
            call()
        except kindbehoeften.FormDefinitionError as error:
            errors[name] = error
    assert refusing == set(errors)
    for error in errors.values():
        assert message in str(error)
        assert {"<form test.model@1.0.0>"} == {problem.file for problem in error.problems}
