"""kindbehoeften: structured child-needs assessment in the tradition of the assessment triangle.

Typed, frozen forms read from TOML files (the built-in ``triangle.*`` forms and your own),
with a catalog to find them by id and version:

>>> import kindbehoeften
>>> form = kindbehoeften.load_form("triangle.full")
>>> [section.id for section in form.sections][:3]
['child_needs', 'parenting_capacity', 'family_environment']
"""

from ._catalog import forms, load_form
from ._formfiles import form_file_schema
from ._formmodel import (
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
from ._report import CODES, Issue, ValidationReport
from ._validation import validate
from .errors import FormDefinitionError, FormProblem, KindbehoeftenError, UnknownFormError

__version__ = "0.1.0"

__all__ = [
    "CODES",
    "AllOf",
    "AnyOf",
    "Area",
    "Comparison",
    "Condition",
    "CrosswalkEntry",
    "Form",
    "FormDefinitionError",
    "FormProblem",
    "FormReference",
    "Issue",
    "KindbehoeftenError",
    "Not",
    "OneOfRule",
    "Option",
    "OptionList",
    "Question",
    "Section",
    "UnknownFormError",
    "ValidationReport",
    "__version__",
    "form_file_schema",
    "forms",
    "load_form",
    "validate",
]
