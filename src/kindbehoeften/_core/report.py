"""What validation returns: a report of issues, each with a JSON Pointer and a stable code.

Issues are data first: ``pointer``, ``code``, ``severity`` and ``params`` are what programs use;
``message`` is the text for people. Messages name fields (by label and pointer), never the
content of an answer: answers are personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .vocab import CODES, IssueCode, Severity

__all__ = ["CODES", "Issue", "Severity", "ValidationReport"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem of a submission.

    ``pointer`` is a JSON Pointer (RFC 6901) into the submission, e.g.
    ``/answers/child_needs/health/assessment``; ``params`` holds the values the message was
    made from (never an answer's content), and ``message_id`` which message it is (its key in
    the message catalogs, e.g. ``max_today``), so that it can be shown in another language.
    """

    pointer: str
    code: IssueCode
    message: str
    severity: Severity = "error"
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    message_id: str = field(default="", compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """The issue as JSON-ready data: pointer, code, severity, message."""
        return {
            "pointer": self.pointer,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The verdict on one submission: ``ok`` when no issue is an error.

    >>> report = ValidationReport((Issue("/status", "choice", "Status must be one of ..."),))
    >>> report.ok, [issue.code for issue in report.errors]
    (False, ['choice'])
    """

    issues: tuple[Issue, ...] = ()
    form: str | None = None
    version: str | None = None

    @property
    def ok(self) -> bool:
        """True when no issue is an error (warnings are allowed)."""
        return all(issue.severity != "error" for issue in self.issues)

    @property
    def errors(self) -> tuple[Issue, ...]:
        """The issues of severity ``error``."""
        return tuple(issue for issue in self.issues if issue.severity == "error")

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data: ``ok`` and ``issues``."""
        return {"ok": self.ok, "issues": [issue.to_dict() for issue in self.issues]}


# kindbehoeften gives its public classes their public module as __module__, and doctest then
# no longer searches them as this module's (nor surely as the package's, which imports each
# name at its first use): list here each one that holds examples.
__test__ = {"ValidationReport": ValidationReport}
