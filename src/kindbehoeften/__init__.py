"""kindbehoeften: structured child-needs assessment in the tradition of the assessment triangle.

Typed, frozen forms read from TOML files (the built-in ``triangle.*`` forms and your own),
with a catalog to find them by id and version:

>>> import kindbehoeften
>>> form = kindbehoeften.load_form("triangle.full")
>>> [section.id for section in form.sections][:3]
['child_needs', 'parenting_capacity', 'family_environment']
"""

from collections.abc import Mapping
from typing import Any

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


def _rehome(namespace: Mapping[str, Any], module: str) -> None:
    """Give each public class of ``namespace`` the public module it is imported from.

    As httpx does: reprs, tracebacks, pickles and ``type(x).__module__`` then name
    ``kindbehoeften``, never a private module that may move. pydantic models are complete
    (built) by now, so no later rebuild looks for their names in ``module``. The errors are
    defined in ``kindbehoeften.errors`` and keep it.
    """
    for name in namespace["__all__"]:
        value = namespace[name]
        if isinstance(value, type) and value.__module__.startswith("kindbehoeften._"):
            value.__module__ = module


_rehome(globals(), __name__)
