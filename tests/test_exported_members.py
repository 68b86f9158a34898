"""The public surface is what ``__all__`` says, no more and no less."""

import datetime as dt

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
    """A public name not in ``__all__`` (or the reverse) is a drift of the public contract."""
    public = {
        name
        for name, value in vars(kindbehoeften).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("kindbehoeften")
    }
    modules = {"cli", "errors"}  # submodules that become attributes once imported
    expected = sorted(public - modules)
    assert expected == sorted(set(kindbehoeften.__all__) - NOT_OWN_TYPES)


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
    "InvalidArgumentError": ValueError,
    "InvalidSubmissionError": ValueError,
    "TriangleError": ValueError,
    "UnsafeFieldError": ValueError,
    "MissingDependencyError": ImportError,
}


def test_exceptions_inherit_the_fitting_builtin() -> None:
    exported = {
        name
        for name in kindbehoeften.__all__
        if isinstance(getattr(kindbehoeften, name), type)
        and issubclass(getattr(kindbehoeften, name), Exception)
    }
    assert set(BUILTIN_OF) | {"KindbehoeftenError"} == exported
    for name, builtin in BUILTIN_OF.items():
        error = getattr(kindbehoeften, name)
        assert issubclass(error, builtin)
        assert issubclass(error, kindbehoeften.KindbehoeftenError)


def test_errors_module_exports_every_error_of_the_package() -> None:
    """``kindbehoeften.errors`` is the one home of the public exceptions."""
    import kindbehoeften.errors

    exported = set(BUILTIN_OF) | {"KindbehoeftenError", "FormProblem"}
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
