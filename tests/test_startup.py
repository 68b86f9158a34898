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

import pytest

pytestmark = pytest.mark.timeout(120)

HEAVY = ("jsonschema", "holidays", "babel", "pyarrow", "duckdb", "dask", "pandas")


def loaded_after(code: str) -> dict[str, bool]:
    """Which of the heavy packages (and how many holiday calendars) a fresh interpreter
    has loaded after running ``code``."""
    script = (
        "import json, sys\n"
        f"{code}\n"
        "loaded = {name: name in sys.modules for name in " + repr(HEAVY) + "}\n"
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
