"""The bodies of the service's answers, as pydantic models: the code builds its answers from
them, and the OpenAPI description is generated from the same models.

Every model is frozen and refuses fields it does not name, as the library's own models do.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .._core.vocab import CODES, FormStage, Severity

__all__ = [
    "FormSummary",
    "Health",
    "IssueBody",
    "LineResult",
    "OperationOutcomeBody",
    "Problem",
    "ProblemError",
    "ValidationResult",
]

_CODES_TEXT = ", ".join(CODES)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Health(_Model):
    """The service is up; ``version`` is the library's."""

    status: Literal["ok"] = "ok"
    version: str


class FormSummary(_Model):
    """One form version of the catalog."""

    id: str = Field(examples=["triangle.full"])
    version: str = Field(examples=["1.0.0"])
    stage: FormStage
    title: str = Field(description="in the language asked for")


class IssueBody(_Model):
    """One issue of a submission: where (a JSON Pointer), what (a stable code), how bad, and
    a message for people that names the field, never its answer."""

    pointer: str = Field(examples=["/answers/child_needs/health/assessment"])
    code: str = Field(
        description=f"one of {_CODES_TEXT}, or query.<id> for a check of the form",
        examples=["required"],
    )
    severity: Severity
    message: str


class ValidationResult(_Model):
    """The verdict on one submission: ``ok`` when no issue is an error."""

    ok: bool
    issues: list[IssueBody]


class LineResult(_Model):
    """The verdict on one line of an NDJSON body (blank lines have none)."""

    line: int = Field(ge=1, description="the line's number, from 1")
    ok: bool
    issues: list[IssueBody]


class ProblemError(_Model):
    """One fault of the input: in the body (``pointer``, a JSON Pointer) or in a query
    parameter (``parameter``, its name)."""

    pointer: str | None = Field(default=None, examples=["/answers/child_needs"])
    parameter: str | None = Field(default=None, examples=["locale"])
    code: str = Field(examples=["unknown_locale"])
    message: str


class Problem(_Model):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    type: str = Field(
        default="about:blank",
        description="a URI naming the kind of problem (urn:kindbehoeften:problem:...)",
    )
    title: str
    status: int
    detail: str
    errors: list[ProblemError] | None = Field(
        default=None, description="where the input was at fault, when it was"
    )


class OperationOutcomeBody(BaseModel):
    """A FHIR R4 ``OperationOutcome``: one issue per issue of the submission (or one
    ``information`` issue when there is none). Each issue has the library's code in
    ``details.coding`` (system ``urn:kindbehoeften:issue-code``), the message in
    ``details.text``, the JSON Pointer in ``location`` and a FHIRPath by linkIds in
    ``expression``."""

    model_config = ConfigDict(frozen=True, extra="allow")

    resourceType: Literal["OperationOutcome"]  # FHIR's name
    issue: list[dict[str, Any]] = Field(min_length=1)
