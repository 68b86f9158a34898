"""The record of an assessment: one JSON document for the case system's archive.

A record holds the assessment's event history (exactly as :meth:`Assessment.to_dict` writes
it), what follows from it (stage, emergency flag, deadlines on a given day) and the
submissions of the assessment's forms with their ids and versions. :func:`record` makes one
from an assessment and its submissions; :func:`read_record` reads one back and checks it all:
the history's hash chain, every submission, and that the derived fields are what the history
says. ``read_record(json.loads(json.dumps(r))) == r`` for every record ``r``.

>>> import datetime as dt, json, kindbehoeften
>>> from pathlib import Path
>>> case = kindbehoeften.Assessment.report(
...     case_id="case-7", jurisdiction="NL", on=dt.date(2026, 3, 2), actor="w",
...     reporter="professional")
>>> draft = {"form": "triangle.preliminary", "form_version": "1.0.0",
...          "status": "in_progress", "answers": {}}
>>> document = record(case, [draft], today=dt.date(2026, 3, 4))
>>> document["$schema"], document["stage"], len(document["submissions"])
('urn:kindbehoeften:schema:record:1', 'reported', 1)
>>> read_record(json.loads(json.dumps(document))) == document
True
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from .._core.jsonread import clean, escape_token, plain, read, text_of
from .._core.limits import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_DEPTH, MAX_SUBMISSION_BYTES
from .._core.vocab import (
    DATE_PATTERN,
    DEADLINE_STATUSES,
    JURISDICTIONS,
    RULE_KINDS,
    STATUSES,
    iso_date,
)
from .._lifecycle.assessment import Assessment, deadline_dicts, events_schema, from_plain
from .._lifecycle.deadlines import Profile
from .._validation.validator import ENVELOPE, quick_read, validate
from ..errors import InvalidRecordError

if TYPE_CHECKING:
    import jsonschema

__all__ = ["RECORD_SCHEMA_ID", "read_checked", "read_record", "record", "record_schema"]

#: The ``$schema`` of every record, and the ``$id`` of :func:`record_schema`.
RECORD_SCHEMA_ID = "urn:kindbehoeften:schema:record:1"

Submission = bytes | str | Mapping[str, Any]


def record(
    assessment: Assessment,
    submissions: Iterable[Submission] = (),
    *,
    today: dt.date | None = None,
    profile: Profile | None = None,
) -> dict[str, Any]:
    """The record of ``assessment`` with its ``submissions`` (JSON bytes, text or dicts).

    Every submission must be valid (a draft may be incomplete, but not wrong); otherwise
    :class:`~kindbehoeften.errors.InvalidRecordError` lists each bad one by its position and
    its issues' pointers and codes. ``today`` is the day the deadlines are reported for (none:
    an unmet deadline is pending); ``profile`` a municipality's profile of the jurisdiction.
    """
    if not isinstance(assessment, Assessment):
        raise TypeError(f"assessment must be an Assessment, not {type(assessment).__name__}")
    documents = [_submission(index, item) for index, item in enumerate(submissions)]
    deadlines = assessment.deadlines(today, profile=profile)
    return {
        "$schema": RECORD_SCHEMA_ID,
        "case_id": assessment.case_id,
        "jurisdiction": assessment.jurisdiction,
        "municipality": assessment.municipality,
        "stage": assessment.stage,
        "emergency_active": assessment.emergency_active,
        "today": None if today is None else today.isoformat(),
        "history": assessment.to_dict(),
        "deadlines": [deadline.to_dict() for deadline in deadlines],
        "submissions": documents,
    }


def _submission(index: int, item: Submission) -> dict[str, Any]:
    report = validate(item)
    if not report.ok:
        problems = [(f"/submissions/{index}{issue.pointer}", issue.code) for issue in report.errors]
        raise InvalidRecordError(problems)
    # valid: the reader finds nothing in it, and gives plain JSON data
    document = (read(item) if isinstance(item, bytes | str) else plain(item)).document
    return {key: document[key] for key in ("form", "form_version", "status", "answers")}


def read_record(
    document: Mapping[str, Any] | str | bytes, *, profile: Profile | None = None
) -> dict[str, Any]:
    """A record read back from JSON (text, bytes or parsed), after checking all of it.

    The record must satisfy :func:`record_schema`, its history must load (else
    :class:`~kindbehoeften.errors.IntegrityError`), every submission must be valid, and the
    stage, flag and deadlines must be what the history gives on the record's ``today``: any
    difference raises :class:`~kindbehoeften.errors.InvalidRecordError` naming the fields.
    """
    checked, assessment = read_checked(document, profile=profile)
    return checked | {"history": assessment.to_dict()}


def read_checked(
    document: Mapping[str, Any] | str | bytes,
    *,
    profile: Profile | None = None,
    profiles: Mapping[str, Profile] | None = None,
) -> tuple[dict[str, Any], Assessment]:
    """:func:`read_record`'s work, and the assessment its history holds: each record is read,
    its chain verified and its history replayed once. The record's ``history`` is the
    document's own (equal to ``assessment.to_dict()``). Without ``profile``, the profile of
    the record's jurisdiction in ``profiles`` is used, if any.

    Bytes are first parsed without the walk that checks their depth: a record the fast
    path accepts nests no deeper than its submissions, which the compiled validator holds
    to the depth limit of a submission (two levels below the record's top, well within the
    limit of a record). Any other is read again by the careful reader."""
    if type(document) is bytes and len(document) <= _SMALL:
        parsed = clean(document, max_bytes=MAX_DOCUMENT_BYTES)
        fast = None if parsed is None else _fast(parsed, profile, profiles, small=True)
        if fast is not None:
            return fast
    limits = {"max_bytes": MAX_DOCUMENT_BYTES, "max_depth": MAX_DOCUMENT_DEPTH}
    if isinstance(document, bytes | bytearray | str):
        document = text_of(document)  # a subclass's text, none of its methods
        found = read(document, nonfinite=False, **limits)
        small = len(document) * (4 if isinstance(document, str) else 1) <= _SMALL
    else:
        found = plain(document, **limits)
        small = not found.problems and _compact_size(found.document) <= _SMALL
    if found.problems:  # the reader's verdict, as for a submission or a history
        raise InvalidRecordError([(problem.pointer, problem.code) for problem in found.problems])
    if profile is None and profiles and isinstance(found.document, Mapping):
        code = found.document.get("jurisdiction")
        profile = profiles.get(code) if isinstance(code, str) else None
    fast = _fast(found.document, profile, None, small=small)
    return fast or _careful(found.document, profile)


def _fast(
    document: Any,
    profile: Profile | None,
    profiles: Mapping[str, Profile] | None,
    *,
    small: bool,
) -> tuple[dict[str, Any], Assessment] | None:
    """:func:`_intact`, with the profile of the record's jurisdiction in ``profiles`` where
    no ``profile`` is given; None where it declines, or fails in any way."""
    if profile is None and profiles and type(document) is dict:
        code = document.get("jurisdiction")
        profile = profiles.get(code) if type(code) is str else None
    try:
        return _intact(document, profile, small)
    except Exception:  # the fast path only declines: the careful one decides
        return None


def _compact_size(document: Any) -> int:
    """The length of a plain document as compact ASCII JSON: at least its UTF-8 size."""
    try:
        return len(json.dumps(document, separators=(",", ":")))
    except (TypeError, ValueError):  # a value JSON cannot hold: the careful path names it
        return _SMALL + 1


# A record of at most this many bytes holds submissions within the submission limit, however
# plain() counts their size (a number or a boolean may count a byte more than its text).
_SMALL: Final = MAX_SUBMISSION_BYTES // 2
#: The keys of a record, in the order its schema lists them.
_RECORD_FIELDS: Final = (
    "$schema",
    "case_id",
    "jurisdiction",
    "municipality",
    "stage",
    "emergency_active",
    "today",
    "history",
    "deadlines",
    "submissions",
)
_RECORD_KEYS: Final = frozenset(_RECORD_FIELDS)


def _intact(
    document: Any, profile: Profile | None, small: bool
) -> tuple[dict[str, Any], Assessment] | None:
    """The checked record and its assessment, when the record is exactly what :func:`record`
    makes of its history and submissions; otherwise None, and :func:`_careful` decides. It can
    only decline, never accept what the careful path refuses: a history that loads is, event
    by event, the canonical JSON of its events (so it is ``to_dict()`` and fits the schema);
    every submission passes the compiled validator; the derived fields equal those of the
    history, compared with their JSON types (``true`` is no ``1``)."""
    if type(document) is not dict or document.keys() != _RECORD_KEYS:
        return None
    submissions, deadlines, today_text = (
        document["submissions"],
        document["deadlines"],
        document["today"],
    )
    if document["$schema"] != RECORD_SCHEMA_ID or type(submissions) is not list:
        return None
    today = None if today_text is None else iso_date(today_text)
    if today is None and today_text is not None:
        return None
    if submissions and not small:
        return None  # a submission might be over its own limit: the careful path counts
    for submission in submissions:
        report = quick_read(submission)
        if report is None or not report.ok:
            return None
    assessment = from_plain(document["history"])
    if assessment is None:
        return None
    expected = deadline_dicts(assessment, today, profile=profile)
    fields = (
        (document["case_id"], assessment.case_id),
        (document["jurisdiction"], assessment.jurisdiction),
        (document["municipality"], assessment.municipality),
        (document["stage"], assessment.stage),
        (document["emergency_active"], assessment.emergency_active),
    )
    if (
        any(type(given) is not type(made) or given != made for given, made in fields)
        or expected != deadlines
        or any(type(deadline["extended"]) is not bool for deadline in deadlines)
    ):
        return None
    checked = {
        "$schema": RECORD_SCHEMA_ID,
        "case_id": assessment.case_id,
        "jurisdiction": assessment.jurisdiction,
        "municipality": assessment.municipality,
        "stage": assessment.stage,
        "emergency_active": assessment.emergency_active,
        "today": today_text,
        "history": document["history"],
        "deadlines": expected,
        "submissions": [{key: item[key] for key in ENVELOPE} for item in submissions],
    }
    return checked, assessment


def _careful(document: Any, profile: Profile | None) -> tuple[dict[str, Any], Assessment]:
    """Every check of a record, each problem named: the schema, the history, each submission,
    the derived fields."""
    problems = [problem for error in _checker().iter_errors(document) for problem in _places(error)]
    if problems:
        raise InvalidRecordError(list(dict.fromkeys(problems)))
    assert isinstance(document, Mapping)
    assessment = Assessment.from_dict(document["history"])
    today = None if document["today"] is None else iso_date(document["today"])
    if today is None and document["today"] is not None:
        raise InvalidRecordError([("/today", "date")])  # e.g. 2026-02-30, which fits the pattern
    expected = record(assessment, document["submissions"], today=today, profile=profile)
    different = [f"/{key}" for key in expected if expected[key] != document[key]]
    if different:
        raise InvalidRecordError([(pointer, "differs_from_history") for pointer in different])
    return expected, assessment


def _places(error: jsonschema.ValidationError) -> list[tuple[str, str]]:
    """The JSON Pointers (RFC 6901: the root is ``""``) and the keyword of a schema error:
    an extra or a missing key is named by its own pointer, as ``validate`` names it, rather
    than by the object that holds it."""
    pointer = "".join(f"/{escape_token(part)}" for part in error.absolute_path)
    instance, keyword = error.instance, str(error.validator)
    if keyword == "additionalProperties" and isinstance(instance, Mapping):
        known = error.schema.get("properties", {}) if isinstance(error.schema, Mapping) else {}
        keys = [key for key in instance if key not in known]
    elif keyword == "required" and isinstance(instance, Mapping):
        required = error.schema.get("required", ()) if isinstance(error.schema, Mapping) else ()
        keys = [key for key in required if key not in instance]
    else:
        keys = []
    return [(f"{pointer}/{escape_token(key)}", keyword) for key in keys] or [(pointer, keyword)]


def record_schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of a record; its history is an event history as
    :func:`kindbehoeften.events_schema` describes it."""
    history = events_schema()  # embedded with its own $id, so that its refs resolve in it
    deadline = {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "rule",
            "label",
            "starts_on",
            "due_on",
            "met_on",
            "status",
            "basis",
            "kind",
            "extended",
            "original_due_on",
        ],
        "properties": {
            "rule": {"type": "string"},
            "label": {"type": "string"},
            "starts_on": {"$ref": "#/$defs/date"},
            "due_on": {"$ref": "#/$defs/date"},
            "original_due_on": {"$ref": "#/$defs/date"},
            "met_on": {"anyOf": [{"$ref": "#/$defs/date"}, {"type": "null"}]},
            "stopped_on": {"anyOf": [{"$ref": "#/$defs/date"}, {"type": "null"}]},
            "status": {"enum": list(DEADLINE_STATUSES)},
            "basis": {"type": "string"},
            "kind": {"enum": list(RULE_KINDS)},
            "extended": {"type": "boolean"},
        },
    }
    submission = {
        "type": "object",
        "additionalProperties": False,
        "required": ["form", "form_version", "status", "answers"],
        "properties": {
            "form": {"type": "string"},
            "form_version": {"type": "string"},
            "status": {"enum": list(STATUSES)},
            "answers": {"type": "object"},
        },
        "$comment": "Each submission also satisfies the schema of its form and status: "
        "kindbehoeften schema FORM --status STATUS.",
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": RECORD_SCHEMA_ID,
        "title": "kindbehoeften assessment record",
        "description": "An assessment's event history, what follows from it on the day the "
        "record was made, and the submissions of its forms.",
        "type": "object",
        "additionalProperties": False,
        "required": list(_RECORD_FIELDS),
        "properties": {
            "$schema": {"const": RECORD_SCHEMA_ID},
            "case_id": {"type": "string"},
            "jurisdiction": {"enum": list(JURISDICTIONS)},
            "municipality": {"type": ["string", "null"]},
            "stage": {"enum": ["reported", "preliminary", "full_assessment", "support", "closed"]},
            "emergency_active": {"type": "boolean"},
            "today": {"anyOf": [{"$ref": "#/$defs/date"}, {"type": "null"}]},
            "history": {"$ref": history["$id"]},
            "deadlines": {"type": "array", "items": {"$ref": "#/$defs/deadline"}},
            "submissions": {"type": "array", "items": {"$ref": "#/$defs/submission"}},
        },
        "$defs": {
            "date": {"type": "string", "pattern": DATE_PATTERN},
            "deadline": deadline,
            "submission": submission,
            "history": history,
        },
    }


@cache
def _checker() -> jsonschema.Draft202012Validator:
    import jsonschema  # imported when a record is first read, not with the library

    return jsonschema.Draft202012Validator(record_schema())
