"""The bodies of the service's requests and answers, as pydantic models: the code reads its
requests and builds its answers with them, and the OpenAPI description is generated from the
same models.

Every model is frozen and refuses fields it does not name, as the library's own models do;
a step (:class:`StepRequest`) is the exception: the fields it does not name are the step's
data, which the lifecycle checks.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from .._core.vocab import (
    CODES,
    AssessmentStage,
    EventKind,
    FormStage,
    Jurisdiction,
    Reporter,
    Severity,
)
from .._lifecycle.events import Day, Instant, OpaqueId

__all__ = [
    "PAGE_LIMIT",
    "CaseList",
    "CaseOverview",
    "CaseSummaryBody",
    "DeadlineBody",
    "FormSummary",
    "Health",
    "IssueBody",
    "LineResult",
    "OpenCase",
    "OperationOutcomeBody",
    "Problem",
    "ProblemError",
    "StepRequest",
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
    head: str | None = Field(
        default=None,
        description="412: the case's head now (its ETag); 409 of POST /cases: absent",
        examples=["ab" * 32],
    )
    allowed_steps: list[EventKind] | None = Field(
        default=None, description="409 of a step: the steps the case allows now"
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


# --- cases ------------------------------------------------------------------------------------


def _addressable(case_id: str) -> str:
    # A case id is a segment of the case's URL: a "/" would split it, "." and ".." are
    # removed from URLs by clients.
    if "/" in case_id or case_id in {".", ".."}:
        raise ValueError("must not hold '/' nor be '.' or '..': it is a segment of the case's URL")
    return case_id


CaseId = Annotated[OpaqueId, AfterValidator(_addressable)]


class OpenCase(_Model):
    """``POST /cases``: a new case from its report (``Assessment.report``). ``actor`` is the
    case system's opaque id of who records it (a worker's id, never a name); ``anonymous``
    defaults to whether the reporter is ``anonymous``."""

    case_id: CaseId = Field(examples=["case-2026-0001"])
    jurisdiction: Jurisdiction
    reported_on: Day = Field(description="the report's date, YYYY-MM-DD")
    reporter: Reporter
    anonymous: StrictBool | None = None
    municipality: OpaqueId | None = Field(
        default=None,
        description="the municipality's opaque id; a token bound to a municipality opens "
        "cases of its own only (its municipality when this is left out)",
        examples=["Uppsala"],
    )
    actor: OpaqueId = Field(examples=["worker-17"])


class StepRequest(BaseModel):
    """``POST /cases/{case_id}/events``: one step, as ``Assessment.apply`` takes it. The
    fields not named here are the step's data (``reason`` of ``closed``, ``kind`` and
    ``compulsory`` of ``placement_started``, ...; docs/lifecycle.md); ``submission`` is the
    completed submission behind ``preliminary_decision``, ``full_assessment_completed`` and
    ``plan_adopted``, stored with the step."""

    model_config = ConfigDict(frozen=True, extra="allow")

    step: EventKind
    on: Day = Field(description="the step's date, YYYY-MM-DD; never before the last event's")
    actor: OpaqueId = Field(examples=["worker-17"])
    at: Instant | None = Field(
        default=None, description="the step's instant, with a UTC offset, where known"
    )
    submission: dict[str, Any] | None = None


class DeadlineBody(_Model):
    """Where one legal clock stands (``Deadline.to_dict``)."""

    rule: str
    label: str
    starts_on: dt.date
    due_on: dt.date
    met_on: dt.date | None
    status: Literal["pending", "met", "met_late", "overdue", "stopped"]
    basis: str
    kind: Literal["statute", "norm"]
    extended: bool
    original_due_on: dt.date
    stopped_on: dt.date | None


class CaseOverview(_Model):
    """Where a case stands on ``today`` (``Assessment.overview``), as ``kindbehoeften case
    show --format json`` prints it; ``head`` is also the answer's ETag."""

    case_id: str
    jurisdiction: Jurisdiction
    municipality: str | None
    stage: AssessmentStage
    emergency_active: bool
    placed: bool
    head: str = Field(pattern="^[0-9a-f]{64}$")
    today: dt.date
    allowed_steps: list[EventKind]
    deadlines: list[DeadlineBody]


class CaseSummaryBody(_Model):
    """One stored case at a glance, as ``kindbehoeften case list --format json`` lists it."""

    case_id: str
    jurisdiction: Jurisdiction
    municipality: str | None
    stage: AssessmentStage
    head: str = Field(pattern="^[0-9a-f]{64}$")
    events: int = Field(ge=1)
    next_due_on: dt.date | None = Field(
        description="the earliest due date of a clock still pending: overdue after it"
    )


#: The most cases one page of ``GET /cases`` holds, and how many it holds without ``?limit=``.
PAGE_LIMIT: Final = 1000


class CaseList(_Model):
    """The stored cases by case id (those the token may see, filtered as asked)."""

    cases: list[CaseSummaryBody]
    next: str | None = Field(
        default=None,
        description="the next page (also in the Link header), when there are more cases; the "
        "same query with after= the last case id of this page",
    )
    overdue_on: dt.date | None = Field(default=None, description="when ?overdue= was given")
