"""The limits that every entry point keeps (design: "Limits every entry point keeps").

Input from outside (a submission, a history, a record, a request) is held to these before any
work that grows with it, so that no input can make the library hang, crash or flood.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_DOCUMENT_DEPTH",
    "MAX_ISSUES",
    "MAX_QUOTED",
    "MAX_SUBMISSION_BYTES",
    "MAX_SUBMISSION_DEPTH",
    "quoted",
]

#: The largest submission, in bytes of JSON text (a dict: of its compact JSON text).
MAX_SUBMISSION_BYTES: Final = 1024 * 1024
#: How deep a submission may nest: objects and arrays, the outermost object counted as 1.
MAX_SUBMISSION_DEPTH: Final = 32
#: The largest history or record, in bytes of JSON text: it holds many events and submissions.
MAX_DOCUMENT_BYTES: Final = 16 * 1024 * 1024
#: How deep a history or record may nest: a record holds submissions a few levels down.
MAX_DOCUMENT_DEPTH: Final = MAX_SUBMISSION_DEPTH + 8
#: At most this many issues in a report; then one more, ``too_many_issues``, and no others.
MAX_ISSUES: Final = 1000
#: A key or id quoted in a message is cut to this many characters.
MAX_QUOTED: Final = 100


def quoted(text: str, limit: int = MAX_QUOTED) -> str:
    """``text`` cut to ``limit`` characters for a message, with ``...`` where it was cut.

    >>> quoted("x" * 200)[-5:], len(quoted("x" * 200))
    ('xx...', 100)
    """
    return text if len(text) <= limit else text[: limit - 3] + "..."
