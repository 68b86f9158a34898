"""``kindbehoeften demo``: a fictional case walked from report to plan with the library.

It validates the case's submissions (and shows how a faulty one is refused), records each step
of the assessment in a store (SQLite, ``kindbehoeften.db`` in the demo's folder, never the
store of ``$KINDBEHOEFTEN_STORE``), shows the case as ``case show`` does, from the store, and
the triangle at a glance, and writes the record, FHIR resources, the statistics row and the
triangle picture into the folder. Everything comes from the example files shipped in the
package.

Each run starts the demo's store afresh, as it writes its other files afresh: a store in the
folder that holds only the demo's case (from an earlier run, perhaps with steps of your own)
is replaced; any other file of that name is left alone, and the demo stops (exit 2) before
writing anything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shlex
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rich.table import Table

from .._exports.fhir import questionnaire, questionnaire_response
from .._exports.record import record
from .._exports.statistics import statistics, to_csv
from .._exports.summary import summary_table, triangle, triangle_svg
from .._forms.catalog import load_form
from .._i18n import pgettext
from .._lifecycle.assessment import Assessment
from .._lifecycle.events import FORM_STAGES
from .._store import open_store
from .._validation.validator import validate
from ..errors import StoreError
from .base import EXIT_OK, Commands, Context, UsageError, file_or_folder, iso_date, json_text, safe
from .case import show_case

__all__ = ["CASE_ID", "STORE_FILE", "add_commands", "build_case", "run_demo"]

_TITLE = pgettext("demo.title", "A fictional case, from report to plan")
_VALIDATE = pgettext("demo.validate", "1. The case's forms are validated")
_REFUSED = pgettext(
    "demo.refused", "A faulty plan is refused, with a pointer and a code for each problem:"
)
_STEPS = pgettext("demo.steps", "2. Each step is recorded, linked to the one before by a hash")
_STORED = pgettext("demo.stored", "Stored in {store}: case {case}, {count} events, head {head}")
_AGAIN = pgettext("demo.again", "Show it again from the store with: {command}")
_TIMELINE = pgettext("demo.timeline", "3. Where the assessment stands, and its legal clocks")
_TRIANGLE = pgettext("demo.triangle", "4. The triangle at a glance")
_FILES = pgettext("demo.files", "5. Files for the archive, health systems and statistics")
_WROTE = pgettext("demo.wrote", "Wrote {count} files into {folder}")
_OK = pgettext("cli.ok", "ok")

WORKER = "worker-17"
#: The demo's case id.
CASE_ID = "demo-case-0042"
#: The demo's store, in its output folder: the name of the default store, so that the case
#: commands find it when run in that folder.
STORE_FILE = "kindbehoeften.db"


def add_commands(commands: Commands) -> None:
    """Register ``demo``."""
    demo = commands.command("demo", "walk a fictional case from report to plan", run_demo)
    demo.add_argument(
        "--output",
        type=_folder,
        default=Path("kindbehoeften-demo"),
        metavar="DIR",
        help="where to write the record, FHIR, statistics and SVG files "
        "(default: kindbehoeften-demo)",
    )
    demo.add_argument("--today", type=iso_date, metavar="DATE", help="(default: the system date)")


def _folder(value: str) -> Path:
    """``--output``: a folder; ``-`` (standard output) cannot hold the demo's files."""
    if value == "-":
        raise argparse.ArgumentTypeError(
            "the demo writes several files, not standard output: give a folder"
        )
    return file_or_folder(value)


def _make_folder(folder: Path) -> None:
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise UsageError(f"--output {folder} is a file; give a folder for the demo's files")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot write {folder}: {error.strerror or error}") from None


def _example(name: str) -> dict[str, Any]:
    text = (resources.files("kindbehoeften") / "examples" / name).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def build_case() -> tuple[Assessment, dict[str, dict[str, Any]]]:
    """The demo case, step by step, and its submissions by stage."""
    forms = {
        stage: _example(f"triangle.{stage}.valid.json")
        for stage in ("preliminary", "full", "plan", "followup")
    }
    day = dt.date
    case = Assessment.report(
        case_id=CASE_ID,
        jurisdiction="SE",
        on=day(2026, 2, 9),
        actor=WORKER,
        reporter="professional",
        municipality="0180",
    )
    case = case.assess_safety(day(2026, 2, 9), WORKER)
    case = case.start_preliminary(day(2026, 2, 10), WORKER)
    case = case.inform_reporter(day(2026, 2, 11), WORKER)
    case = case.decide_preliminary(None, forms["preliminary"], day(2026, 2, 19), WORKER)
    case = case.open_full_assessment(day(2026, 2, 20), WORKER)
    case = case.hear_child(day(2026, 3, 10), WORKER)  # Mila, on her own, at school
    case = case.complete_full_assessment(None, forms["full"], day(2026, 4, 14), WORKER)
    case = case.adopt_plan(forms["plan"], day(2026, 5, 6), WORKER)
    case = case.start_support(day(2026, 5, 11), WORKER)
    case = case.hold_review(day(2026, 9, 2), WORKER)
    return case, forms


def _fresh_store(folder: Path) -> tuple[Path, str]:
    """The demo's store in ``folder`` (its path and URL), without a case: a store that holds
    only the demo's case is removed first; anything else of that name is left alone."""
    path = folder / STORE_FILE
    url = f"sqlite:///{quote(str(path), errors='surrogateescape')}"
    if not (os.path.exists(path) or os.path.islink(path)):
        return path, url
    leave = f"the demo leaves it alone: give the demo another --output folder than {folder}"
    try:
        with open_store(url) as store:
            others = any(summary.case_id != CASE_ID for summary in store.cases())
    except StoreError as error:
        raise UsageError(f"{path} is not a store the demo made, and {leave} ({error})") from None
    if others:
        raise UsageError(f"{path} holds cases other than the demo's, and {leave}")
    for suffix in ("", "-wal", "-shm"):
        try:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        except OSError as error:
            raise UsageError(f"cannot replace {path}{suffix}: {error.strerror or error}") from None
    return path, url


def _store_case(url: str, case: Assessment, forms: dict[str, dict[str, Any]]) -> Assessment:
    """Store ``case`` step by step, as a case system would: the report first, then each step
    after the head before it, each decision's submission beside it. Returns the case as the
    store gives it back."""
    with open_store(url) as store:
        head = store.create(Assessment(case.events[:1]))
        for seq in range(2, len(case.events) + 1):
            kind = case.events[seq - 1].kind
            if kind in FORM_STAGES:
                store.put_submission(CASE_ID, forms[FORM_STAGES[kind]])
            head = store.append(CASE_ID, Assessment(case.events[:seq]), expected_head=head)
        return store.get(CASE_ID)


def run_demo(context: Context) -> int:
    """Walk the demo case; write its files and store into ``--output`` (default
    ``kindbehoeften-demo``)."""
    args = context.args
    out = context.out
    locale: str = getattr(args, "locale", None) or "en"
    folder: Path = args.output
    _make_folder(folder)  # before the first line: a folder that cannot be made is a usage error
    store_path, url = _fresh_store(folder)  # so is a store the demo may not replace
    out.rule(f"[bold]kindbehoeften demo[/]: {context.text(_TITLE)}")

    out.print(f"\n[bold]{context.text(_VALIDATE)}[/]")
    case, forms = build_case()
    for stage, document in forms.items():
        report = validate(document, locale=locale)
        out.print(f"  [green]{context.text(_OK)}[/]  triangle.{stage}  {document['status']}")
        assert report.ok  # the shipped examples are valid; tests keep them so
    faulty = validate(_example("triangle.plan.invalid.json"), locale=locale)
    out.print(f"  {context.text(_REFUSED)}")
    table = Table(show_header=False, box=None, padding=(0, 2))
    for issue in faulty.issues:
        table.add_row(f"[red]{safe(issue.pointer)}[/]", issue.code, safe(issue.message))
    out.print(table)

    out.print(f"\n[bold]{context.text(_STEPS)}[/]")
    stored = _store_case(url, case, forms)
    for event in stored.events:
        out.print(f"  {event.seq:>2}  {event.on}  {event.kind:<27} [dim]{event.hash[:12]}[/]")
    line = context.text(
        _STORED, store=safe(url), case=CASE_ID, count=len(stored.events), head=stored.head
    )
    out.print(line, highlight=False, soft_wrap=True)
    command = f"kindbehoeften case show {CASE_ID} --store {shlex.quote(url)}"
    out.print(context.text(_AGAIN, command=safe(command)), highlight=False, soft_wrap=True)

    out.print(f"\n[bold]{context.text(_TIMELINE)}[/]")
    today: dt.date = args.today or dt.date.today()  # the command line reads the clock
    show_case(context, stored, stored.deadlines(today))

    out.print(f"\n[bold]{context.text(_TRIANGLE)}[/]")
    picture = triangle(forms["full"], locale=locale)
    out.print(summary_table(picture))

    out.print(f"\n[bold]{context.text(_FILES)}[/]")
    full = load_form("triangle.full")
    archive = record(stored, forms.values(), today=today)
    key = secrets.token_bytes(32)  # statistics need a key: this run's is never stored
    files = {
        "record.json": json_text(archive),
        "fhir/Questionnaire-triangle.full.json": json_text(questionnaire(full)),
        "fhir/QuestionnaireResponse-triangle.full.json": json_text(
            questionnaire_response(forms["full"])
        ),
        "statistics.csv": to_csv(statistics([archive], key=key)),
        "triangle.svg": triangle_svg(picture),
    }
    out.print(f"  {safe(store_path)}")
    for name, text in files.items():
        target = folder / name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot write {target}: {error.strerror or error}") from None
        out.print(f"  {safe(target)}")
    out.print(context.text(_WROTE, count=len(files) + 1, folder=safe(folder)))
    return EXIT_OK
