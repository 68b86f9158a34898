"""FHIR R4: a form as a ``Questionnaire``, a submission as a ``QuestionnaireResponse`` and back,
a report as an ``OperationOutcome``.

Both functions return JSON-ready dictionaries (FHIR R4 JSON); they read no clock and no
network. ``docs/fhir.md`` is the integrator's description of the mapping, with the exact list
of what FHIR reads differently and what is not expressed.

- :func:`questionnaire`: sections and areas become ``group`` items, questions become items
  whose ``linkId`` is their dotted path (``section.area.question``, in a repeating group
  ``section.area.group.question``). Conditions become ``enableWhen`` where FHIR's operators
  say exactly what the library means, and the SDC ``enableWhenExpression`` (FHIRPath)
  otherwise. Every text carries the standard ``translation`` extension for the other
  languages.
- :func:`questionnaire_response`: a valid submission (a draft too) as a response to that
  questionnaire, holding the answered questions only.
- :func:`submission_from_fhir`: such a response read back into the submission (exporting it
  again gives the same resource); what cannot be read is an
  :class:`~kindbehoeften.errors.InvalidResourceError`.
- :func:`operation_outcome`, :func:`resource_outcome`: a validation report, or the problems of
  a resource, as an ``OperationOutcome`` (the service's ``$validate`` answers with them).

>>> import kindbehoeften
>>> form = kindbehoeften.load_form("triangle.preliminary")
>>> q = questionnaire(form)
>>> q["url"], q["version"], q["name"]
('urn:kindbehoeften:form:triangle.preliminary', '1.0.0', 'TrianglePreliminary')
>>> report = q["item"][0]["item"][0]
>>> name = next(i for i in report["item"] if i["linkId"] == "intake.report.reporter_name")
>>> name["type"], name["maxLength"], name["required"] if "required" in name else False
('string', 200, False)
>>> [(w["question"], w["operator"], w["answerCoding"]["code"]) for w in name["enableWhen"]]
[('intake.report.reporter_kind', '!=', 'anonymous')]
>>> response = questionnaire_response({
...     "form": "triangle.preliminary", "form_version": "1.0.0", "status": "in_progress",
...     "answers": {"intake": {"report": {"reporter_kind": "anonymous"}}}})
>>> response["questionnaire"], response["status"]
('urn:kindbehoeften:form:triangle.preliminary|1.0.0', 'in-progress')
>>> answer = response["item"][0]["item"][0]["item"][0]
>>> answer["linkId"], answer["answer"][0]["valueCoding"]["code"]
('intake.report.reporter_kind', 'anonymous')
"""

from __future__ import annotations

from .outcomes import ISSUE_CODE_SYSTEM, operation_outcome, resource_outcome
from .questionnaires import questionnaire
from .reading import submission_from_fhir
from .responses import questionnaire_response
from .vocabulary import (
    ENABLE_WHEN_EXPRESSION,
    FORM_URL_PREFIX,
    OPTIONS_SYSTEM_PREFIX,
    SENSITIVITY_EXTENSION,
    questionnaire_url,
)

__all__ = [
    "ENABLE_WHEN_EXPRESSION",
    "FORM_URL_PREFIX",
    "ISSUE_CODE_SYSTEM",
    "OPTIONS_SYSTEM_PREFIX",
    "SENSITIVITY_EXTENSION",
    "operation_outcome",
    "questionnaire",
    "questionnaire_response",
    "questionnaire_url",
    "resource_outcome",
    "submission_from_fhir",
]
