"""``forms list`` lists from summaries, the built-in forms without building them; the listing
is the one the typed forms give, byte for byte, in every language and format, with and
without a forms path, and a broken forms path fails as before."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Table

import kindbehoeften
from clirun import run
from kindbehoeften import Form, FormDefinitionError
from kindbehoeften._forms.catalog import FORMS_PATH_VARIABLE
from kindbehoeften._forms.listing import summaries, summary
from kindbehoeften._i18n import LOCALES, localize, pgettext, render
from kindbehoeften.cli.base import json_text, safe

FORMS = Path(kindbehoeften.__file__).parent / "forms"


def listing_of_typed_forms(forms: tuple[Form, ...], locale: str, format_: str) -> str:
    """``forms list`` as it was written before summaries: from the typed forms (their
    question walk, their base model, ``localize``); the reference the new listing must match."""
    if format_ == "json":
        entries = []
        for form in forms:
            entry = {
                "id": form.id,
                "version": form.version,
                "stage": form.stage,
                "title": form.title,
                "questions": sum(1 for _ in form.questions()),
            }
            if form.base is not None:
                entry["base"] = form.base.model_dump()
            entries.append(entry)
        return json_text({"forms": entries})
    columns = [
        pgettext("cli.column.id", "id"),
        pgettext("cli.column.version", "version"),
        pgettext("cli.column.stage", "stage"),
    ]
    table = Table(title=render(pgettext("cli.forms.title", "Forms"), locale), title_justify="left")
    for column in columns:
        table.add_column(render(column, locale), no_wrap=True)
    table.add_column(render(pgettext("cli.column.title", "title"), locale))
    table.add_column(render(pgettext("cli.column.questions", "questions"), locale), justify="right")
    for form in (localize(form, locale) for form in forms):
        count = sum(1 for _ in form.questions())
        table.add_row(
            safe(form.id), safe(form.version), safe(form.stage), safe(form.title), str(count)
        )
    out = StringIO()
    Console(file=out, width=120, color_system=None).print(table)
    return out.getvalue()


@pytest.fixture
def forms_path(tmp_path: Path) -> Path:
    """Extra forms: an extension of a built-in form and a newer version of another."""
    shutil.copy(FORMS / "examples" / "nl-school-attendance.toml", tmp_path)
    plan = (FORMS / "triangle.plan.toml").read_text(encoding="utf-8")
    plan = plan.replace('version = "1.0.0"', 'version = "1.1.0"', 1)
    (tmp_path / "plan-1.1.toml").write_text(plan, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("format_", ["text", "json"])
@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("extra", [False, True], ids=["built-in", "with a forms path"])
def test_the_listing_is_that_of_the_typed_forms(
    locale: str,
    format_: str,
    extra: bool,
    forms_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if extra:
        monkeypatch.setenv(FORMS_PATH_VARIABLE, str(forms_path))
    else:
        monkeypatch.delenv(FORMS_PATH_VARIABLE, raising=False)
    expected = listing_of_typed_forms(kindbehoeften.forms(), locale, format_)
    code, out, err = run("forms", "list", "--locale", locale, "--format", format_)
    assert (0, expected, "") == (code, out, err)
    if extra and format_ == "json":  # the forms path's forms are listed, the base named
        entries = json.loads(out)["forms"]
        assert {"id": "triangle.full", "version": "1.0.0"} in [e.get("base") for e in entries]
        assert 6 == len(entries)


def test_a_broken_forms_path_fails_the_listing_with_every_problem(
    forms_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(Path(__file__).parent.parent / "docs" / "broken-example.toml", forms_path)
    monkeypatch.setenv(FORMS_PATH_VARIABLE, str(forms_path))
    with pytest.raises(FormDefinitionError) as caught:
        kindbehoeften.forms()
    code, out, err = run("forms", "list", "--format", "json")
    assert (2, "") == (code, out)
    assert err.startswith(f"kindbehoeften: error: {len(caught.value.problems)} problems")
    for problem in caught.value.problems:
        assert problem.path in err


@pytest.mark.parametrize("paths", [(), None], ids=["built-in", "built-in by default"])
def test_the_summaries_of_the_vouched_files_are_those_of_the_typed_forms(
    paths: tuple[str, ...] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(FORMS_PATH_VARIABLE, raising=False)
    assert tuple(summary(form.to_dict()) for form in kindbehoeften.forms(paths)) == summaries(paths)


def test_the_summaries_of_a_forms_path_are_those_of_its_typed_forms(forms_path: Path) -> None:
    expected = tuple(summary(form.to_dict()) for form in kindbehoeften.forms([forms_path]))
    assert expected == summaries([forms_path])
    assert 6 == len(expected)


def test_a_summary_counts_the_questions_of_groups_at_any_depth() -> None:
    """As ``Form.questions()`` walks them: a group and each question in it, a group in a
    group too."""
    form = Form.from_dict(
        {
            "form": {"id": "example.groups", "version": "1.0.0", "stage": "plan", "title": "G"},
            "sections": [
                {
                    "id": "plan",
                    "label": "Plan",
                    "areas": [
                        {
                            "id": "goals",
                            "label": "Goals",
                            "questions": [
                                {"id": "note", "type": "text", "label": "Note"},
                                {
                                    "id": "goals",
                                    "type": "group",
                                    "label": "Goals",
                                    "questions": [
                                        {"id": "goal", "type": "text", "label": "Goal"},
                                        {
                                            "id": "steps",
                                            "type": "group",
                                            "label": "Steps",
                                            "questions": [
                                                {"id": "step", "type": "text", "label": "Step"},
                                            ],
                                        },
                                    ],
                                },
                            ],
                        },
                    ],
                },
            ],
        }
    )
    assert 5 == sum(1 for _ in form.questions())
    assert 5 == summary(form.to_dict())["questions"]
