"""What a request brings: its media type, its body (held to the limits), the lines of an
NDJSON body, and the language of the answer.

Bodies are read as they arrive and never past the limit: a JSON body over it is refused as
soon as its ``Content-Length`` says so, or as soon as one byte too many has arrived. An NDJSON
body has no total limit; each of its lines is held to the limit on its own, a longer one cut
one byte past it (so that validation reports ``too_large``) and the rest of it dropped as it
arrives, so that the server's memory does not grow with the body.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Collection
from typing import Final

from starlette.requests import Request

from .._i18n import LOCALES, negotiate
from ..errors import UnknownLocaleError
from .models import ProblemError
from .problems import HTTPProblem

__all__ = ["FHIR_TYPES", "JSON", "NDJSON", "body", "language", "lines", "media_type"]

JSON: Final = "application/json"
NDJSON: Final = "application/x-ndjson"
FHIR_JSON: Final = "application/fhir+json"
FHIR_TYPES: Final = (FHIR_JSON, JSON)

_MAX_LANGUAGES = 16  # entries of Accept-Language looked at; the rest cannot matter more
_MAX_LOCALE = 64  # as the OpenAPI description says; no locale is longer


def media_type(request: Request, accepted: Collection[str]) -> str:
    """The request's media type, one of ``accepted``; 415 for any other, for a charset other
    than UTF-8, for none, or for a body in a content coding (gzip, ...): the body is read as
    it comes, so a coded one would be judged as broken JSON."""
    codings = request.headers.get("content-encoding", "")
    if any(c.strip().lower() not in ("", "identity") for c in codings.split(",")):
        raise HTTPProblem(
            415,
            "unsupported-media-type",
            "a body with a Content-Encoding is not taken here; send it as it is (identity)",
            headers={"Accept-Encoding": "identity"},
        )
    header = request.headers.get("content-type", "")
    kind, _, parameters = header.partition(";")
    kind = kind.strip().lower()
    charset = None
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    if kind in accepted and charset in (None, "utf-8", "utf8"):
        return kind
    what = "a body needs a Content-Type" if not kind else "this Content-Type is not taken here"
    raise HTTPProblem(
        415,
        "unsupported-media-type",
        f"{what}; send {' or '.join(accepted)} (UTF-8)",
        headers={"Accept-Post": ", ".join(accepted)},
    )


def _too_large(limit: int) -> HTTPProblem:
    return HTTPProblem(
        413,
        "too-large",
        f"the body is larger than {limit} bytes, the largest submission taken; send large "
        "numbers of submissions as NDJSON (one per line)",
        errors=[
            ProblemError(
                pointer="", code="too_large", message=f"The body is larger than {limit} bytes."
            )
        ],
    )


async def body(request: Request, limit: int) -> bytes:
    """The whole body, at most ``limit`` bytes; 413 as soon as it is known to be larger."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and (len(length) > 18 or int(length) > limit):
        raise _too_large(limit)
    pieces: list[bytes] = []
    size = 0
    async for piece in request.stream():
        size += len(piece)
        if size > limit:
            raise _too_large(limit)
        pieces.append(piece)
    return b"".join(pieces)


async def lines(request: Request, limit: int) -> AsyncIterator[tuple[int, bytes]]:
    """Each line of the body as it arrives: its number (from 1) and its bytes without the
    line break; a line over ``limit`` is cut at ``limit + 1`` bytes."""
    buffer = bytearray()
    number = 0
    async for piece in request.stream():
        start = 0
        while True:
            end = piece.find(b"\n", start)
            if len(buffer) <= limit:
                buffer += piece[start:] if end < 0 else piece[start:end]
                del buffer[limit + 1 :]
            if end < 0:
                break
            number += 1
            yield number, bytes(buffer)
            buffer.clear()
            start = end + 1
    if buffer:
        yield number + 1, bytes(buffer)


@functools.lru_cache(maxsize=256)
def _from_header(header: str) -> str:
    """The first shipped language of an ``Accept-Language`` header, by weight; English when
    none is shipped (the header states a preference, not a demand)."""
    ranked: list[tuple[float, int, str]] = []
    for place, entry in enumerate(header.split(",")[:_MAX_LANGUAGES]):
        tag, _, rest = entry.strip().partition(";")
        weight = 1.0
        name, _, value = rest.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
        if tag and tag != "*" and len(tag) <= 35 and weight > 0:
            ranked.append((-weight, place, tag))
    for _, _, tag in sorted(ranked):
        try:
            return negotiate(tag)
        except UnknownLocaleError:
            continue
    return "en"


@functools.lru_cache(maxsize=64)
def _asked(locale: str) -> str:
    return negotiate(locale)


def language(request: Request, locale: str | None) -> str:
    """The language of the answer: ``?locale=`` (400 when it is none of the six), else the
    best of ``Accept-Language``, else English."""
    if locale is not None:
        try:
            if len(locale) > _MAX_LOCALE:
                raise UnknownLocaleError(locale, LOCALES)
            return _asked(locale)
        except UnknownLocaleError as error:
            raise HTTPProblem(
                400,
                "unknown-locale",
                f"locale must be one of {', '.join(LOCALES)} (or a variant such as sv_SE)",
                errors=[
                    ProblemError(parameter="locale", code="unknown_locale", message=str(error))
                ],
            ) from None
    header = request.headers.get("accept-language")
    return "en" if not header else _from_header(header[:1024])
