"""The public surface is what ``__all__`` says, no more and no less."""

import datetime as dt
import json
import pickle
import subprocess
import sys

import pytest

import kindbehoeften

# Names whose values have no ``__module__`` of ours: constants (tuples, text) and a type alias.
NOT_OWN_TYPES = {
    "__version__",
    "Condition",
    "EventData",
    "CODES",
    "ASSESSMENT_STAGES",
    "EVENT_KINDS",
    "JURISDICTIONS",
    "LOCALES",
}


def test_all_lists_every_public_name_of_the_package() -> None:
    """A public name not in ``__all__`` (or the reverse) is a drift of the public contract.
    The package imports its names at their first use (PEP 562): ``dir()`` shows them all,
    used or not, as ``vars()`` shows those in use."""
    public = {
        name
        for name in {*dir(kindbehoeften), *vars(kindbehoeften)}
        if not name.startswith("_")
        and getattr(getattr(kindbehoeften, name), "__module__", "").startswith("kindbehoeften")
    }
    modules = {"cli", "errors"}  # submodules that become attributes once imported
    expected = sorted(public - modules)
    assert expected == sorted(set(kindbehoeften.__all__) - NOT_OWN_TYPES)


def _imported_for_type_checkers() -> dict[str, str]:
    """The names that ``kindbehoeften/__init__.py`` imports under ``TYPE_CHECKING``, with the
    module (relative, as written) of each."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(kindbehoeften.__file__).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                for alias in statement.names:
                    found[alias.asname or alias.name] = "." * statement.level + (
                        statement.module or ""
                    )
    return found


def test_the_names_type_checkers_see_are_the_names_used_at_run_time() -> None:
    """The imports under ``TYPE_CHECKING`` (what mypy and readers see), the table that
    imports each name at its first use, and ``__all__`` list the same names, from the same
    modules."""
    expected = set(kindbehoeften.__all__) - {"__version__"}
    assert sorted(expected) == sorted(_imported_for_type_checkers())
    assert _imported_for_type_checkers() == kindbehoeften._SOURCE_OF


def test_every_public_name_imports_on_its_own_in_a_fresh_process() -> None:
    """``from kindbehoeften import X`` for each X, each the first name used in its process:
    the value is the one of its module and its class names the public module."""
    script = """
import importlib, json, sys
import kindbehoeften
name = sys.argv[1]
namespace = {}
exec(f"from kindbehoeften import {name}", namespace)
value = namespace[name]
source = importlib.import_module(kindbehoeften._SOURCE_OF[name], "kindbehoeften")
module = value.__module__ if isinstance(value, type) else None
print(json.dumps([value is getattr(source, name), module]))
"""
    errors = set(kindbehoeften.errors.__all__)
    for name in sorted(set(kindbehoeften.__all__) - {"__version__"}):
        done = subprocess.run(
            [sys.executable, "-c", script, name], capture_output=True, text=True, check=False
        )
        assert "" == done.stderr, name
        same, module = json.loads(done.stdout)
        assert same, name
        if module is not None:
            expected = "kindbehoeften.errors" if name in errors else "kindbehoeften"
            assert (name, expected) == (name, module)


def test_importing_the_package_imports_none_of_its_modules() -> None:
    """Each name is imported at its first use: ``import kindbehoeften`` alone builds no
    model and loads no pydantic."""
    script = (
        "import json, sys, kindbehoeften\n"
        "print(json.dumps(sorted(n for n in sys.modules"
        " if n.startswith(('kindbehoeften.', 'pydantic')))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert [] == json.loads(done.stdout)


@pytest.mark.parametrize("module", ["errors", "export", "store"])
def test_each_public_module_is_an_attribute_of_the_package_once_it_is_imported(
    module: str,
) -> None:
    """``import kindbehoeften`` and then ``kindbehoeften.export.json_schema(...)``, as
    design.md and the docs spell it, in a process that imported nothing else."""
    script = (
        f"import kindbehoeften\nprint(kindbehoeften.{module}.__name__, "
        f"'{module}' in dir(kindbehoeften))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert ("", f"kindbehoeften.{module} True") == (done.stderr, done.stdout.strip())


def test_a_class_used_through_its_private_module_first_still_names_the_package() -> None:
    """A value returned by a function of the package names ``kindbehoeften`` even when the
    package's own name for its class was never used (``load_form`` returns a ``Form``;
    ``kindbehoeften.store`` returns summaries)."""
    script = (
        "import kindbehoeften\n"
        "form = kindbehoeften.load_form('triangle.plan')\n"
        "from kindbehoeften import store\n"
        "print(type(form).__module__, store.CaseSummary.__module__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert "kindbehoeften kindbehoeften\n" == done.stdout


def test_all_has_no_repeats_and_every_name_exists() -> None:
    """(ruff's RUF022 keeps ``__all__`` sorted, constants first.)"""
    expected = len(set(kindbehoeften.__all__))
    assert expected == len(kindbehoeften.__all__)
    assert all(hasattr(kindbehoeften, name) for name in kindbehoeften.__all__)


def test_every_public_name_has_a_docstring() -> None:
    undocumented = [
        name
        for name in kindbehoeften.__all__
        if name not in NOT_OWN_TYPES and not getattr(kindbehoeften, name).__doc__
    ]
    assert [] == undocumented


BUILTIN_OF = {
    "FormDefinitionError": ValueError,
    "UnknownFormError": LookupError,
    "UnknownJurisdictionError": LookupError,
    "UnknownLocaleError": LookupError,
    "TransitionError": ValueError,
    "IncompleteAssessmentError": ValueError,
    "InvalidEventError": ValueError,
    "IntegrityError": ValueError,
    "InvalidRecordError": ValueError,
    "InvalidResourceError": ValueError,
    "InvalidArgumentError": ValueError,
    "InvalidSubmissionError": ValueError,
    "TriangleError": ValueError,
    "UnsafeFieldError": ValueError,
    "MissingDependencyError": ImportError,
    "ConflictError": RuntimeError,
    "UnknownCaseError": LookupError,
    "UnknownSubmissionError": LookupError,
    "StoreError": OSError,
    "WorkerLostError": RuntimeError,
}


def test_exceptions_inherit_the_fitting_builtin() -> None:
    exported = {
        name
        for name in kindbehoeften.__all__
        if isinstance(getattr(kindbehoeften, name), type)
        and issubclass(getattr(kindbehoeften, name), Exception)
        and not issubclass(getattr(kindbehoeften, name), Warning)
    }
    assert set(BUILTIN_OF) | {"KindbehoeftenError"} == exported
    for name, builtin in BUILTIN_OF.items():
        error = getattr(kindbehoeften, name)
        assert issubclass(error, builtin)
        assert issubclass(error, kindbehoeften.KindbehoeftenError)


def test_errors_module_exports_every_error_of_the_package() -> None:
    """``kindbehoeften.errors`` is the one home of the public exceptions."""
    import kindbehoeften.errors

    warnings = {"KindbehoeftenWarning", "FormsPathWarning"}
    exported = set(BUILTIN_OF) | {"KindbehoeftenError", "FormProblem"} | warnings
    assert sorted(exported) == sorted(kindbehoeften.errors.__all__)
    for name in kindbehoeften.errors.__all__:
        assert getattr(kindbehoeften, name) is getattr(kindbehoeften.errors, name)


def test_the_event_data_classes_are_the_members_of_event_data() -> None:
    """Each kind of step's data is public, so that callers can match on ``event.data``."""
    import typing

    expected = {
        kindbehoeften.ReportData,
        kindbehoeften.ReopenData,
        kindbehoeften.PreliminaryDecisionData,
        kindbehoeften.ExtensionData,
        kindbehoeften.FullAssessmentData,
        kindbehoeften.PlanData,
        kindbehoeften.ClosedData,
        kindbehoeften.PlacementData,
        kindbehoeften.CourtApplicationData,
        kindbehoeften.CourtDecisionData,
        kindbehoeften.TransferData,
        kindbehoeften.NoData,
    }
    assert expected == set(typing.get_args(kindbehoeften.EventData))
    case = kindbehoeften.Assessment.report(
        case_id="c", jurisdiction="NL", on=dt.date(2026, 3, 2), actor="w", reporter="parent"
    ).close("no_concern", dt.date(2026, 3, 3), "w")
    first, last = case.events
    assert (
        kindbehoeften.ReportData(case_id="c", jurisdiction="NL", reporter="parent", anonymous=False)
        == first.data
    )
    assert kindbehoeften.ClosedData(reason="no_concern") == last.data
    case = (
        kindbehoeften.Assessment.report(
            case_id="c", jurisdiction="SE", on=dt.date(2026, 3, 2), actor="w", reporter="parent"
        )
        .start_placement("kinship", False, dt.date(2026, 3, 2), "w")
        .apply_to_court("court", dt.date(2026, 3, 3), "w")
        .record_court_decision("court", "granted", dt.date(2026, 3, 4), "w")
        .transfer("0381", dt.date(2026, 3, 5), "w")
    )
    assert [
        kindbehoeften.PlacementData(kind="kinship", compulsory=False),
        kindbehoeften.CourtApplicationData(kind="court"),
        kindbehoeften.CourtDecisionData(kind="court", outcome="granted"),
        kindbehoeften.TransferData(municipality="0381"),
    ] == [event.data for event in case.events[1:]]


def test_export_all_lists_every_public_name_of_the_module() -> None:
    """``kindbehoeften.export`` too: the summary and the pseudonym are public there."""
    from kindbehoeften import export

    public = {
        name
        for name, value in vars(export).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("kindbehoeften")
    }
    constants = {"COLOURS", "COLUMNS", "RECORD_SCHEMA_ID", "SIDES", "STYLES", "TABLES"}
    assert sorted(public) == sorted(set(export.__all__) - constants)
    for name in ("triangle", "triangle_svg", "summary_table", "pseudonym", "Triangle"):
        assert name in export.__all__
        assert getattr(export, name).__doc__


# --- public classes name their public module ------------------------------------------------


def _public_classes() -> dict[str, type]:
    from kindbehoeften import errors, export

    found: dict[str, type] = {}
    for module in (kindbehoeften, errors, export):
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type):
                found[f"{module.__name__}.{name}"] = value
    return found


def test_every_public_class_reports_the_public_module_it_is_imported_from() -> None:
    """As httpx: reprs, tracebacks and pickles never show a private module."""
    errors = set(BUILTIN_OF) | {
        "KindbehoeftenError",
        "FormProblem",
        "KindbehoeftenWarning",
        "FormsPathWarning",
    }
    expected = {}
    for where, _value in _public_classes().items():
        module, name = where.rsplit(".", 1)
        expected[where] = "kindbehoeften.errors" if name in errors else module
    assert expected == {where: value.__module__ for where, value in _public_classes().items()}
    assert {"kindbehoeften", "kindbehoeften.errors", "kindbehoeften.export"} == set(
        expected.values()
    )


def _values() -> dict[str, object]:
    """One value of each public class that a caller keeps or sends to another process."""
    from importlib import resources

    from kindbehoeften import export

    examples = resources.files("kindbehoeften") / "examples"
    full = json.loads((examples / "triangle.full.valid.json").read_text(encoding="utf-8"))
    case = kindbehoeften.Assessment.report(
        case_id="c", jurisdiction="SE", on=dt.date(2026, 3, 2), actor="w", reporter="parent"
    )
    report = kindbehoeften.validate((examples / "triangle.full.invalid.json").read_bytes())
    tri = export.triangle(full)
    return {
        "Form": kindbehoeften.load_form("triangle.full"),
        "Event": case.events[0],
        "ReportData": case.events[0].data,
        "Assessment": case,
        "Issue": report.issues[0],
        "ValidationReport": report,
        "Deadline": case.deadlines(dt.date(2026, 3, 20))[0],
        "Profile": kindbehoeften.load_profile("SE"),
        "Milestones": case.starts_and_ends(),
        "Triangle": tri,
        "TriangleSide": tri.sides[0],
        "TriangleArea": tri.sides[0].areas[0],
    }


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
@pytest.mark.parametrize("name", sorted(_values()))
def test_a_public_value_pickles_by_its_public_module(name: str, protocol: int) -> None:
    value = _values()[name]
    data = pickle.dumps(value, protocol=protocol)
    assert value == pickle.loads(data)
    assert b"kindbehoeften._" not in data  # no private module, which may move
    module = "kindbehoeften.export" if name.startswith("Triangle") else "kindbehoeften"
    assert f"<class '{module}.{name}'>" == repr(type(value))


def test_a_rehomed_model_still_builds_its_json_schema_and_rebuilds() -> None:
    """pydantic resolves a model's names in ``sys.modules[cls.__module__]`` when it rebuilds:
    the models are complete before their module changes, so nothing needs the old one. Run
    apart, so that the rebuilt classes do not leak into other tests."""
    schema = kindbehoeften.Form.model_json_schema()
    assert "Form" == schema["title"]
    assert "Section" in schema["$defs"]
    script = """
import datetime as dt, kindbehoeften
for name in kindbehoeften.__all__:
    value = getattr(kindbehoeften, name)
    if hasattr(value, "model_rebuild"):
        value.model_rebuild(force=True)
form = kindbehoeften.load_form("triangle.full")
assert kindbehoeften.Form.model_validate_json(form.model_dump_json()) == form
case = kindbehoeften.Assessment.report(
    case_id="c", jurisdiction="SE", on=dt.date(2026, 3, 2), actor="w", reporter="parent")
assert kindbehoeften.Assessment.from_json(case.to_json()) == case
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert ("ok\n", "") == (done.stdout, done.stderr)


def _errors() -> dict[str, Exception]:
    """One error of each public class, made as the library makes it."""
    from kindbehoeften import errors

    report = kindbehoeften.validate(b'{"form": "triangle.plan"}')
    return {
        "FormDefinitionError": errors.FormDefinitionError(
            [errors.FormProblem("f.toml", "form.id", "is missing", 1)] * 2
        ),
        "UnknownFormError": errors.UnknownFormError("triangle.x", "2.0.0", ["a"], ["1.0.0"]),
        "UnknownJurisdictionError": errors.UnknownJurisdictionError("XX", ["SE", "NL"]),
        "UnknownLocaleError": errors.UnknownLocaleError("de", ("en", "nl")),
        "TransitionError": errors.TransitionError("closed", "plan_adopted", ["reopened"], "why"),
        "IncompleteAssessmentError": errors.IncompleteAssessmentError(
            "full_assessment_completed", "full", report, "invalid", "triangle.plan"
        ),
        "InvalidEventError": errors.InvalidEventError("closed", [("data.reason", "missing")]),
        "IntegrityError": errors.IntegrityError("hash", seq=3, detail="events[2]"),
        "InvalidRecordError": errors.InvalidRecordError([("/history", "hash"), ("", "x")]),
        "InvalidResourceError": errors.InvalidResourceError([("/item", "item")], ["no item"]),
        "InvalidArgumentError": errors.InvalidArgumentError("jobs", "jobs must be at least 1"),
        "InvalidSubmissionError": errors.InvalidSubmissionError(report, "be exported"),
        "TriangleError": errors.TriangleError("no triangle", report),
        "UnsafeFieldError": errors.UnsafeFieldError("f@1.0.0", "a.b.c", "it is a text question"),
        "MissingDependencyError": errors.MissingDependencyError("pip install x[parquet]"),
        "ConflictError": errors.ConflictError("case-1", "b" * 64, "a" * 64),
        "UnknownCaseError": errors.UnknownCaseError("case-9"),
        "UnknownSubmissionError": errors.UnknownSubmissionError("case-9", "c" * 64),
        "StoreError": errors.StoreError("url", "not a store URL"),
        "WorkerLostError": errors.WorkerLostError(),
    }


def test_there_is_an_error_of_each_public_class_to_pickle() -> None:
    assert set(BUILTIN_OF) == set(_errors())


@pytest.mark.parametrize("name", sorted(BUILTIN_OF))
def test_an_error_pickles_with_its_message_attributes_and_notes(name: str) -> None:
    """As an error sent back from a worker process (export.stream_statistics(jobs=N))."""
    error = _errors()[name]
    error.add_note("(records.ndjson:7)")
    back = pickle.loads(pickle.dumps(error, protocol=pickle.HIGHEST_PROTOCOL))
    assert (type(error), error.args, str(error)) == (type(back), back.args, str(back))
    assert vars(error) == vars(back)  # problems, codes, reports ... and the note
    assert f"kindbehoeften.errors.{name}" == f"{type(back).__module__}.{type(back).__name__}"


def test_an_import_error_pickles_with_the_module_it_names() -> None:
    """ImportError keeps ``name`` and ``path`` beside ``__dict__``: they travel too, as they
    do when Python pickles an ImportError."""
    from kindbehoeften.errors import MissingDependencyError

    error = MissingDependencyError("pip install x[parquet]", name="pyarrow", path="/p/x.py")
    back = pickle.loads(pickle.dumps(error, protocol=pickle.HIGHEST_PROTOCOL))
    assert ("pyarrow", "/p/x.py", str(error)) == (back.name, back.path, str(back))


def test_the_constants_of_export_cannot_be_changed_by_a_caller() -> None:
    """As COLOURS and STYLES: a caller's change to a table of columns would change what the
    command line writes for every later call in the process."""
    from kindbehoeften import export

    for name in ("COLOURS", "STYLES", "TABLES"):
        with pytest.raises(TypeError):
            getattr(export, name)["by_outcome"] = ()
    assert isinstance(export.COLUMNS, tuple)
    assert isinstance(export.SIDES, tuple)
