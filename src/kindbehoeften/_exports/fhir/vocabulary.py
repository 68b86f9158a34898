"""The names the FHIR mapping shares: canonical URLs, code systems, and FHIR's types."""

from __future__ import annotations

from ..._core.model import Form, Question

FORM_URL_PREFIX = "urn:kindbehoeften:form:"
OPTIONS_SYSTEM_PREFIX = "urn:kindbehoeften:options:"
SENSITIVITY_EXTENSION = "urn:kindbehoeften:sensitivity"
ENABLE_WHEN_EXPRESSION = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
)

ROW = "row"  # the FHIRPath variable (%row) that names the current row of a repeating group

INT32 = (-(2**31), 2**31 - 1)  # FHIR's integer is 32-bit
ANSWER_TYPES = {
    "text": "String",
    "boolean": "Boolean",
    "integer": "Integer",
    "decimal": "Decimal",
    "date": "Date",
    "choice": "Coding",
    "multi_choice": "Coding",
}
Path = tuple[str, ...]


def questionnaire_url(form: Form) -> str:
    """The canonical URL of a form's questionnaire: ``urn:kindbehoeften:form:<form id>``."""
    return FORM_URL_PREFIX + form.id


def options_system(form: Form, path: Path, question: Question) -> str:
    """The code system of a question's options: its shared list's, or its own."""
    owner = question.options if isinstance(question.options, str) else ".".join(path)
    return f"{OPTIONS_SYSTEM_PREFIX}{form.id}:{owner}"
