"""What a fresh process loads: the heavy dependencies only where they are needed.

``import kindbehoeften`` loads neither jsonschema (files are checked against schemas only
when they must be), nor holidays (working days), nor babel (catalogs), nor pyarrow
(Parquet); ``forms list`` and the deadlines of a profile without working days do without
jsonschema and holidays too. No test here measures time: ``benchmarks/startup.py`` does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(120)

HEAVY = ("jsonschema", "holidays", "babel", "pyarrow", "duckdb", "dask", "pandas")


def loaded_after(code: str, names: tuple[str, ...] = HEAVY) -> dict[str, bool]:
    """Which of the heavy packages (or of other modules' ``names``), and whether any holiday
    calendar, a fresh interpreter has loaded after running ``code``."""
    script = (
        "import json, sys\n"
        f"{code}\n"
        "loaded = {name: name in sys.modules for name in " + repr(names) + "}\n"
        "loaded['calendars'] = any(n.startswith('holidays.countries.') for n in sys.modules)\n"
        "print(json.dumps(loaded))\n"
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"KINDBEHOEFTEN_FORMS_PATH", "KINDBEHOEFTEN_LOCALE"}
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=100,
        check=True,
        env=environment,
    )
    last = result.stdout.strip().splitlines()[-1]
    found: dict[str, bool] = json.loads(last)
    return found


NOTHING = dict.fromkeys(HEAVY, False)


def test_importing_the_library_loads_no_heavy_dependency() -> None:
    assert {**NOTHING, "calendars": False} == loaded_after(
        "import kindbehoeften, kindbehoeften.export, kindbehoeften.store"
    )


def test_listing_the_forms_loads_no_schema_checker_and_no_holidays() -> None:
    found = loaded_after("from kindbehoeften.cli import main\nassert 0 == main(['forms', 'list'])")
    assert {**NOTHING, "calendars": False} == found


# What listing the vouched built-in forms does without: the typed forms and pydantic itself
# (building the library's models cost more than all the rest of the command), the catalog and
# the form files' checks, and the modules of the other commands.
NOT_TO_LIST = (
    "pydantic",
    "kindbehoeften._core.model",
    "kindbehoeften._forms.catalog",
    "kindbehoeften._forms.files",
    "kindbehoeften._validation.validator",
    "kindbehoeften._lifecycle.assessment",
    "kindbehoeften.cli.validate",
    "kindbehoeften.cli.case",
    "kindbehoeften.cli.export",
)


@pytest.mark.parametrize("arguments", [["forms", "list"], ["forms", "list", "--format", "json"]])
def test_listing_the_built_in_forms_builds_no_typed_form(arguments: list[str]) -> None:
    found = loaded_after(
        f"from kindbehoeften.cli import main\nassert 0 == main({arguments!r})", NOT_TO_LIST
    )
    assert dict.fromkeys(NOT_TO_LIST, False) == {k: v for k, v in found.items() if k != "calendars"}


def test_listing_in_another_language_builds_no_typed_form_and_loads_no_babel() -> None:
    """The titles are translated by their keys, from the compiled catalog."""
    found = loaded_after(
        "from kindbehoeften.cli import main\nassert 0 == main(['forms', 'list', '--locale', 'sv'])",
        ("babel", *NOT_TO_LIST),
    )
    assert {"babel": False, **dict.fromkeys(NOT_TO_LIST, False)} == {
        k: v for k, v in found.items() if k != "calendars"
    }


def test_listing_with_a_forms_path_builds_the_typed_forms(tmp_path: Path) -> None:
    """The other side: a forms path (here an empty one) goes through the catalog."""
    found = loaded_after(
        "import os\n"
        f"os.environ['KINDBEHOEFTEN_FORMS_PATH'] = {str(tmp_path)!r}\n"
        "from kindbehoeften.cli import main\nassert 0 == main(['forms', 'list'])",
        ("kindbehoeften._core.model", "kindbehoeften._forms.catalog"),
    )
    assert (True, True) == (
        found["kindbehoeften._core.model"],
        found["kindbehoeften._forms.catalog"],
    )


def test_validating_a_stream_without_a_terminal_in_one_job_loads_no_pool_and_no_bar(
    tmp_path: Path,
) -> None:
    """With one job nothing goes to another process; without a terminal no progress bar
    shows, and a stream's issues are plain lines (no table)."""
    path = tmp_path / "two.ndjson"
    path.write_text('{"form": "triangle.plan"}\n[]\n', encoding="utf-8")
    names = ("concurrent.futures.process", "rich.progress", "rich.table")
    found = loaded_after(
        "from kindbehoeften.cli import main\n"
        f"assert 1 == main(['validate', '--ndjson', {str(path)!r}])",
        names,
    )
    assert dict.fromkeys(names, False) == {name: found[name] for name in names}


def test_the_version_loads_no_command() -> None:
    found = loaded_after(
        "from kindbehoeften.cli import main\nassert 0 == main(['--version'])",
        ("pydantic", "kindbehoeften.cli.forms", "kindbehoeften.cli.validate"),
    )
    assert not any(value for key, value in found.items() if key != "calendars")


def test_deadlines_without_working_days_load_no_holidays() -> None:
    """Sweden's profile counts days, weeks and months only."""
    found = loaded_after(
        "from kindbehoeften.cli import main\n"
        "assert 0 == main(['deadlines', '--jurisdiction', 'SE', '--reported', '2026-11-02'])"
    )
    assert (False, False, False) == (found["jsonschema"], found["holidays"], found["calendars"])


def test_validating_a_submission_loads_no_schema_checker() -> None:
    found = loaded_after(
        "import kindbehoeften\n"
        "report = kindbehoeften.validate({'form': 'triangle.plan', 'form_version': '1.0.0',"
        " 'status': 'in_progress', 'answers': {}})\n"
        "assert report.ok, report.issues"
    )
    assert {**NOTHING, "calendars": False} == found


def test_checking_a_profiles_country_imports_no_holiday_calendar() -> None:
    """The country is looked up in the registry of the holidays package; only a profile
    that names a subdivision needs its country's calendar (which loads them all)."""
    found = loaded_after(
        "from kindbehoeften._forms.datafiles import Problems\n"
        "from kindbehoeften._lifecycle import deadlines\n"
        "problems = Problems('SE.toml')\n"
        "deadlines._check_holidays({'country': 'SE'}, problems)\n"
        "deadlines._check_holidays({'country': 'QQ'}, problems)\n"
        "assert ['profile.holidays.country'] == [p.path for p in problems.found]"
    )
    assert (True, False) == (found["holidays"], found["calendars"])


def test_counting_working_days_loads_holidays() -> None:
    """The other side: the package is there when it is needed."""
    found = loaded_after(
        "import datetime as dt, kindbehoeften\n"
        "from kindbehoeften._lifecycle.deadlines import is_working_day\n"
        "assert not is_working_day(dt.date(2026, 12, 25), 'SE')"
    )
    assert (True, True) == (found["holidays"], found["calendars"])
