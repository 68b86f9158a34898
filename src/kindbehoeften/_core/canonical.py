"""Canonical JSON (RFC 8785, the JSON Canonicalization Scheme) and the submission digest.

The digest of a submission is the lowercase hex SHA-256 of its canonical JSON: keys sorted by
their UTF-16 code units, no whitespace, numbers written as ECMAScript writes them, text as
UTF-8. Any language with a JCS library can recompute it, so a history that records the digest
of the answers behind each decision proves which answers they were (``rfc8785`` on PyPI is
the implementation used here).

JSON numbers are IEEE-754 doubles in JCS: a whole number beyond 2^53 is written as the double
nearest to it, as JavaScript's ``JSON.parse`` would read it.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

import rfc8785

__all__ = ["canonical_json", "submission_digest"]

_SAFE: Final = 2**53 - 1


def _doubles(value: Any) -> Any:
    """A copy of ``value`` with whole numbers beyond the safe range as the doubles JCS writes
    (the caller's data is never changed; its depth is bounded by the JSON reader's limits)."""
    if type(value) is dict:
        return {key: _doubles(item) for key, item in value.items()}
    if type(value) is list:
        return [_doubles(item) for item in value]
    if type(value) is int and not -_SAFE <= value <= _SAFE:
        return float(value)
    return value


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 canonical JSON of plain JSON data (dict, list, str, int, float, bool,
    None), as UTF-8 bytes.

    >>> canonical_json({"b": [1.0, "é"], "a": None})
    b'{"a":null,"b":[1,"\\xc3\\xa9"]}'
    """
    return rfc8785.dumps(_doubles(value))


def submission_digest(value: Any) -> str:
    """The lowercase hex SHA-256 of the canonical JSON of a (parsed, plain) submission.

    >>> submission_digest({"form": "x"})[:16]
    '591ecefc2cfe5f02'
    """
    return hashlib.sha256(canonical_json(value)).hexdigest()
