"""kindbehoeften: structured child-needs assessment in the tradition of the assessment triangle.

Typed, frozen forms read from TOML files (the built-in ``triangle.*`` forms and your own),
with a catalog to find them by id and version:

>>> import kindbehoeften
>>> form = kindbehoeften.load_form("triangle.full")
>>> [section.id for section in form.sections][:3]
['child_needs', 'parenting_capacity', 'family_environment']
"""

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
)
from ._core.report import CODES, Issue, ValidationReport
from ._forms.catalog import forms, load_form
from ._forms.files import form_file_schema
from ._i18n import LOCALES, localize
from ._lifecycle.assessment import (
    ASSESSMENT_STAGES,
    EVENT_KINDS,
    Assessment,
    Event,
    Milestones,
    events_schema,
)
from ._lifecycle.deadlines import (
    JURISDICTIONS,
    Deadline,
    Length,
    Profile,
    Rule,
    compute_deadlines,
    jurisdiction_schema,
    load_profile,
)
from ._validation.validator import validate
from .errors import (
    FormDefinitionError,
    FormProblem,
    IncompleteAssessmentError,
    IntegrityError,
    InvalidArgumentError,
    InvalidEventError,
    InvalidRecordError,
    InvalidSubmissionError,
    KindbehoeftenError,
    MissingDependencyError,
    TransitionError,
    TriangleError,
    UnknownFormError,
    UnknownJurisdictionError,
    UnknownLocaleError,
    UnsafeFieldError,
)

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
    "Comparison",
    "Condition",
    "CrosswalkEntry",
    "Deadline",
    "Event",
    "Form",
    "FormDefinitionError",
    "FormProblem",
    "FormReference",
    "IncompleteAssessmentError",
    "IntegrityError",
    "InvalidArgumentError",
    "InvalidEventError",
    "InvalidRecordError",
    "InvalidSubmissionError",
    "Issue",
    "KindbehoeftenError",
    "Length",
    "Milestones",
    "MissingDependencyError",
    "Not",
    "OneOfRule",
    "Option",
    "OptionList",
    "Profile",
    "Question",
    "Rule",
    "Section",
    "TransitionError",
    "TriangleError",
    "UnknownFormError",
    "UnknownJurisdictionError",
    "UnknownLocaleError",
    "UnsafeFieldError",
    "ValidationReport",
    "__version__",
    "compute_deadlines",
    "events_schema",
    "form_file_schema",
    "forms",
    "jurisdiction_schema",
    "load_form",
    "load_profile",
    "localize",
    "validate",
]
