"""What counts as an answer: the one definition that validation, the JSON Schema export, FHIR,
the summary and the statistics share.

A question is unanswered when its value is missing, ``null``, the empty text or the empty
list; anything else (``false`` and ``0`` included) is an answer.
"""

from __future__ import annotations

from typing import Any

__all__ = ["UNANSWERED", "is_answered"]

#: The values that count as no answer (a missing key counts the same).
UNANSWERED: tuple[None, str, list[Any]] = (None, "", [])


def is_answered(value: object) -> bool:
    """Whether ``value`` is an answer.

    >>> [is_answered(value) for value in (None, "", [], False, 0, "no", [None])]
    [False, False, False, True, True, True, True]
    """
    if value is None:
        return False
    kind = type(value)
    if kind is str:
        return value != ""
    if kind is list:
        return value != []
    return True
