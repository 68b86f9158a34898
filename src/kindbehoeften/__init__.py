"""kindbehoeften: structured child-needs assessment in the tradition of the assessment triangle.

Typed, frozen forms read from TOML files (the built-in ``triangle.*`` forms and your own),
with a catalog to find them by id and version:

>>> import kindbehoeften
>>> form = kindbehoeften.load_form("triangle.full")
>>> [section.id for section in form.sections][:3]
['child_needs', 'parenting_capacity', 'family_environment']
"""

import importlib
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and readers see; at run time, each name on first use
    from ._core.model import (
        AllOf,
        AnyOf,
        Area,
        Comparison,
        Condition,
        CrosswalkEntry,
        Form,
        FormReference,
        Not,
        OneOfRule,
        Option,
        OptionList,
        Question,
        Section,
        StepMapping,
    )
    from ._core.report import CODES, Issue, ValidationReport
    from ._forms.catalog import forms, load_form
    from ._forms.files import form_file_schema
    from ._i18n import LOCALES, localize
    from ._lifecycle.assessment import (
        ASSESSMENT_STAGES,
        EVENT_KINDS,
        Assessment,
        ClosedData,
        CourtApplicationData,
        CourtDecisionData,
        Event,
        EventData,
        ExtensionData,
        FullAssessmentData,
        Milestones,
        NoData,
        PlacementData,
        PlanData,
        PreliminaryDecisionData,
        ReopenData,
        ReportData,
        TransferData,
        events_schema,
    )
    from ._lifecycle.deadlines import (
        JURISDICTIONS,
        Deadline,
        Length,
        Profile,
        Rule,
        WorkingDays,
        compute_deadlines,
        jurisdiction_schema,
        load_profile,
    )
    from ._validation.validator import Validator, validate
    from .errors import (
        ConflictError,
        FormDefinitionError,
        FormProblem,
        FormsPathWarning,
        IncompleteAssessmentError,
        IntegrityError,
        InvalidArgumentError,
        InvalidEventError,
        InvalidRecordError,
        InvalidResourceError,
        InvalidSubmissionError,
        KindbehoeftenError,
        KindbehoeftenWarning,
        MissingDependencyError,
        StoreError,
        TransitionError,
        TriangleError,
        UnknownCaseError,
        UnknownFormError,
        UnknownJurisdictionError,
        UnknownLocaleError,
        UnknownSubmissionError,
        UnsafeFieldError,
        WorkerLostError,
    )
    from .store import CaseSummary, Store, open_store

__version__ = "0.1.0"

__all__ = [
    "ASSESSMENT_STAGES",
    "CODES",
    "EVENT_KINDS",
    "JURISDICTIONS",
    "LOCALES",
    "AllOf",
    "AnyOf",
    "Area",
    "Assessment",
    "CaseSummary",
    "ClosedData",
    "Comparison",
    "Condition",
    "ConflictError",
    "CourtApplicationData",
    "CourtDecisionData",
    "CrosswalkEntry",
    "Deadline",
    "Event",
    "EventData",
    "ExtensionData",
    "Form",
    "FormDefinitionError",
    "FormProblem",
    "FormReference",
    "FormsPathWarning",
    "FullAssessmentData",
    "IncompleteAssessmentError",
    "IntegrityError",
    "InvalidArgumentError",
    "InvalidEventError",
    "InvalidRecordError",
    "InvalidResourceError",
    "InvalidSubmissionError",
    "Issue",
    "KindbehoeftenError",
    "KindbehoeftenWarning",
    "Length",
    "Milestones",
    "MissingDependencyError",
    "NoData",
    "Not",
    "OneOfRule",
    "Option",
    "OptionList",
    "PlacementData",
    "PlanData",
    "PreliminaryDecisionData",
    "Profile",
    "Question",
    "ReopenData",
    "ReportData",
    "Rule",
    "Section",
    "StepMapping",
    "Store",
    "StoreError",
    "TransferData",
    "TransitionError",
    "TriangleError",
    "UnknownCaseError",
    "UnknownFormError",
    "UnknownJurisdictionError",
    "UnknownLocaleError",
    "UnknownSubmissionError",
    "UnsafeFieldError",
    "ValidationReport",
    "Validator",
    "WorkerLostError",
    "WorkingDays",
    "__version__",
    "compute_deadlines",
    "events_schema",
    "form_file_schema",
    "forms",
    "jurisdiction_schema",
    "load_form",
    "load_profile",
    "localize",
    "open_store",
    "validate",
]


# Where each public name is defined. ``import kindbehoeften`` imports none of these modules:
# a name's module is imported when the name is first used (PEP 562), so that a command that
# needs only the catalog does not build every pydantic model of the library at its start.
# tests/test_exported_members.py checks this table against the imports above and ``__all__``.
_SOURCES: Mapping[str, tuple[str, ...]] = {
    "._core.model": (
        "AllOf",
        "AnyOf",
        "Area",
        "Comparison",
        "Condition",
        "CrosswalkEntry",
        "Form",
        "FormReference",
        "Not",
        "OneOfRule",
        "Option",
        "OptionList",
        "Question",
        "Section",
        "StepMapping",
    ),
    "._core.report": ("CODES", "Issue", "ValidationReport"),
    "._forms.catalog": ("forms", "load_form"),
    "._forms.files": ("form_file_schema",),
    "._i18n": ("LOCALES", "localize"),
    "._lifecycle.assessment": (
        "ASSESSMENT_STAGES",
        "EVENT_KINDS",
        "Assessment",
        "ClosedData",
        "CourtApplicationData",
        "CourtDecisionData",
        "Event",
        "EventData",
        "ExtensionData",
        "FullAssessmentData",
        "Milestones",
        "NoData",
        "PlacementData",
        "PlanData",
        "PreliminaryDecisionData",
        "ReopenData",
        "ReportData",
        "TransferData",
        "events_schema",
    ),
    "._lifecycle.deadlines": (
        "JURISDICTIONS",
        "Deadline",
        "Length",
        "Profile",
        "Rule",
        "WorkingDays",
        "compute_deadlines",
        "jurisdiction_schema",
        "load_profile",
    ),
    "._validation.validator": ("Validator", "validate"),
    ".errors": (
        "ConflictError",
        "FormDefinitionError",
        "FormProblem",
        "FormsPathWarning",
        "IncompleteAssessmentError",
        "IntegrityError",
        "InvalidArgumentError",
        "InvalidEventError",
        "InvalidRecordError",
        "InvalidResourceError",
        "InvalidSubmissionError",
        "KindbehoeftenError",
        "KindbehoeftenWarning",
        "MissingDependencyError",
        "StoreError",
        "TransitionError",
        "TriangleError",
        "UnknownCaseError",
        "UnknownFormError",
        "UnknownJurisdictionError",
        "UnknownLocaleError",
        "UnknownSubmissionError",
        "UnsafeFieldError",
        "WorkerLostError",
    ),
    ".store": ("CaseSummary", "Store", "open_store"),
}
_SOURCE_OF = {name: module for module, names in _SOURCES.items() for name in names}
# The public modules, attributes of the package once it is imported (``errors`` and ``store``
# always were; ``kindbehoeften.export.json_schema(...)`` is how design.md and docs/ spell it).
_SUBMODULES = ("errors", "export", "store")


def __getattr__(name: str) -> Any:
    """A public name, imported from its module at its first use (PEP 562)."""
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    module = _SOURCE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    _publish()
    globals()[name] = value  # later uses find it without this function
    return value


def __dir__() -> list[str]:
    """Every public name, whether already used or not."""
    return sorted({*globals(), *__all__})


def _rehome(values: Iterable[object], module: str) -> None:
    """Give each public class among ``values`` the public module it is imported from.

    As httpx does: reprs, tracebacks, pickles and ``type(x).__module__`` then name
    ``kindbehoeften``, never a private module that may move. pydantic models are complete
    (built) by now, so no later rebuild looks for their names in ``module``. The errors are
    defined in ``kindbehoeften.errors`` and keep it.
    """
    for value in values:
        if isinstance(value, type) and value.__module__.startswith("kindbehoeften._"):
            value.__module__ = module


def _publish() -> None:
    """Rehome the public classes of every module of :data:`_SOURCES` that is loaded.

    Not only those of the name just used: a function returns values of classes of the
    modules its own imports (``load_form`` returns a ``Form``), and those are loaded by then.
    ``kindbehoeften.export`` and ``kindbehoeften.store`` call this too, for what they return
    before any name of the package is used.
    """
    for module, names in _SOURCES.items():
        loaded = sys.modules.get(f"{__name__}{module}")
        if loaded is not None:
            _rehome((getattr(loaded, name, None) for name in names), __name__)
