"""The interface of a store, and what both back ends share.

A store keeps, per case, the event history of an :class:`~kindbehoeften.Assessment` (an
append-only table, one row per event, each event's JSON as the canonical text the history
hashes), the submissions behind it (by their RFC 8785 digest) and one row that sums the case
up (:class:`CaseSummary`): its stage, head, municipality and the earliest due date of a
pending clock, so that ``cases(overdue_on=D)`` is answered from that row instead of replaying
every history. The summary row is written in the same transaction as the events.

:class:`Store` holds the logic, as httpx's ``BaseTransport`` holds the shape of a transport:
checking arguments, turning an assessment into rows, validating submissions, rebuilding and
verifying a history. A back end (``sqlite.py``, ``postgres.py``) implements the few
``_``-methods below, each one transaction of its database.

Nothing here logs, and no message holds an answer: case ids, heads and digests only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from types import TracebackType
from typing import Any, Final, NamedTuple

from .._core.canonical import canonical_json, submission_digest
from .._core.jsonread import ReadError, loads, plain, read
from .._core.limits import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_DEPTH
from .._core.vocab import ASSESSMENT_STAGES, JURISDICTIONS
from .._lifecycle.assessment import Assessment, from_read
from .._lifecycle.deadlines import check_date, load_profile
from .._lifecycle.events import EVENTS_SCHEMA_ID, Event, canonical, text_argument
from .._validation.validator import validate
from ..errors import (
    ConflictError,
    IntegrityError,
    InvalidArgumentError,
    InvalidSubmissionError,
    UnknownCaseError,
    UnknownSubmissionError,
)

__all__ = [
    "PAGE",
    "SCHEMA_VERSION",
    "CaseSummary",
    "Recompute",
    "Row",
    "Store",
    "check_continues",
    "deadlines_fingerprint",
    "library_version",
    "rows_of",
]

#: The version of the store's own tables; a store of a higher version is refused.
SCHEMA_VERSION: Final = 1
#: How many summaries ``cases()`` reads at a time (keyset pages: no transaction stays open
#: while the caller iterates).
PAGE: Final = 500
_DIGEST_LENGTH: Final = 64
_HEX: Final = frozenset("0123456789abcdef")


def library_version() -> str:
    """The installed version of kindbehoeften, as the store records it in its ``meta``."""
    try:
        return metadata.version("kindbehoeften")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "0+unknown"


def deadlines_fingerprint() -> str:
    """What the stored due dates were computed with: the library's version and every shipped
    jurisdiction profile. When it changes, :meth:`Store.cases` computes them again first."""
    digest = hashlib.sha256(library_version().encode("utf-8"))
    for jurisdiction in JURISDICTIONS:
        digest.update(load_profile(jurisdiction).model_dump_json().encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """One stored case at a glance, as :meth:`Store.cases` lists it.

    ``head`` is the hash of the case's last event (give it as ``expected_head`` to the next
    ``append``), ``events`` how many events its history holds and ``next_due_on`` the earliest
    due date of a clock that is still pending (``None`` when no clock runs): the case is
    overdue on a day after it.

    >>> import datetime as dt
    >>> summary = CaseSummary("case-1", "SE", None, "reported", "ab" * 32, 1,
    ...                       dt.date(2026, 11, 16))
    >>> summary.is_overdue(dt.date(2026, 11, 16)), summary.is_overdue(dt.date(2026, 11, 17))
    (False, True)
    """

    case_id: str
    jurisdiction: str
    municipality: str | None
    stage: str
    head: str
    events: int
    next_due_on: dt.date | None

    def is_overdue(self, today: dt.date) -> bool:
        """Whether a clock of the case is overdue on ``today`` (its due date is before it)."""
        return self.next_due_on is not None and self.next_due_on < today

    @classmethod
    def of(cls, assessment: Assessment) -> CaseSummary:
        """The summary of an assessment: what a store writes beside its events. The due date
        is that of the pending clocks of ``assessment.deadlines()``, so that it follows
        whatever the lifecycle says about clocks."""
        pending = [d.due_on for d in assessment.deadlines() if d.status == "pending"]
        return cls(
            case_id=assessment.case_id,
            jurisdiction=assessment.jurisdiction,
            municipality=assessment.municipality,
            stage=assessment.stage,
            head=assessment.head,
            events=len(assessment.events),
            next_due_on=min(pending, default=None),
        )


#: How a back end has a stored history's summary computed again: (head, bodies) -> summary.
Recompute = Callable[[str, Sequence[str]], CaseSummary]


class Row(NamedTuple):
    """One event as stored: its place, its hash and its canonical JSON text."""

    seq: int
    hash: str
    body: str


def rows_of(events: Sequence[Event]) -> list[Row]:
    """The rows of ``events``: each event's canonical JSON text, as its hash covers it."""
    return [
        Row(event.seq, event.hash, canonical(event.model_dump(mode="json"))) for event in events
    ]


def _events(bodies: Sequence[str]) -> list[Any]:
    """The stored events' JSON, read with the library's one reader; each text must be the
    canonical text it was stored as (any other change, even of layout, was made outside the
    store): else :class:`IntegrityError` naming the event."""
    events = []
    for seq, body in enumerate(bodies, 1):
        try:
            event = loads(body, max_bytes=MAX_DOCUMENT_BYTES, max_depth=MAX_DOCUMENT_DEPTH)
        except ReadError:
            raise IntegrityError("invalid_event", seq, "not JSON") from None
        try:
            same = canonical(event) == body
        except (TypeError, ValueError):  # pragma: no cover - the reader gives plain JSON
            same = False
        if not same:
            raise IntegrityError("not_canonical", seq)
        events.append(event)
    return events


def check_continues(
    case_id: str, stored_head: str, stored_events: int, expected_head: str, after: int | None
) -> None:
    """Inside an append's transaction: the stored head must be ``expected_head`` (else
    :class:`ConflictError` naming the stored head), and the assessment must continue the
    stored history there (``after``: how many of its events precede the new ones; ``None``
    when ``expected_head`` is not in it)."""
    if stored_head != expected_head:
        raise ConflictError(case_id, stored_head, expected_head)
    if after is None:
        raise ConflictError(case_id, stored_head, expected_head, "not_continued")
    if after != stored_events:  # the head is where the chain says it is, or the store is hurt
        raise IntegrityError("head", stored_events, "the stored count of events")


#: The query parameters of a store URL that hold a password (hidden in every message).
SECRET_KEYS: Final = frozenset({"password", "sslpassword"})


def _storable(text: str) -> bool:
    """Whether ``text`` can be a stored case id or municipality: none holds a NUL (an event
    refuses control characters, and PostgreSQL's text cannot hold one), so a key that holds
    one is answered as one that is not stored, by either back end, never sent to the
    database."""
    return "\x00" not in text


def _case_id(case_id: object) -> str:
    return text_argument("case_id", case_id)


def _stored_case_id(case_id: object) -> str:
    """A case id to look up: UnknownCaseError for one that no stored case can have."""
    text = _case_id(case_id)
    if not _storable(text):
        raise UnknownCaseError(text)
    return text


def _digest(digest: object) -> str:
    return text_argument("digest", digest)


class Store(ABC):
    """A store of assessments: open one with :func:`kindbehoeften.open_store`.

    Every write is one transaction of the database: all of it is stored, or none of it. A
    store object may be shared by the threads of a process (its operations take turns);
    processes open stores of their own. Close it when done, or use it as a context manager.
    """

    def __init__(self, url: str) -> None:
        self._url = url
        self._lock = threading.RLock()
        self._closed = False
        self._fresh_deadlines = False

    def __repr__(self) -> str:
        state = " closed" if self._closed else ""
        return f"<{type(self).__name__} {self._url!r}{state}>"

    @property
    def url(self) -> str:
        """The store's URL, with any password left out."""
        return self._url

    # --- the public interface ---

    def create(self, assessment: Assessment) -> str:
        """Store a new case: every event of ``assessment``; returns its head.

        :class:`~kindbehoeften.errors.ConflictError` (reason ``exists``) when a case with this
        id is stored already; nothing is written then.
        """
        if not isinstance(assessment, Assessment):
            raise TypeError(f"assessment must be an Assessment, not {type(assessment).__name__}")
        summary = CaseSummary.of(assessment)
        rows = rows_of(assessment.events)
        with self._using():
            self._create(summary, rows)
        return assessment.head

    def append(
        self,
        case_id: str,
        assessment: Assessment,
        *,
        expected_head: str,
        submissions: Iterable[bytes | str | dict[str, Any]] = (),
    ) -> str:
        """Store the events of ``assessment`` that follow ``expected_head``; returns the new
        head. ``submissions`` (the answers behind its new steps) are stored in the same
        transaction, as :meth:`put_submission` stores one: a refused append stores none.

        ``assessment`` is the stored case with steps applied (``store.get(case_id)``, then
        its step methods). In one transaction the stored head is checked to be
        ``expected_head`` and the new events are inserted after it: when another writer
        appended first, :class:`~kindbehoeften.errors.ConflictError` names the stored head
        and nothing is written. An assessment without ``expected_head`` in its history does
        not continue the stored one (ConflictError, reason ``not_continued``). An assessment
        with no event after ``expected_head`` writes nothing.
        """
        case_id = _case_id(case_id)
        if not isinstance(assessment, Assessment):
            raise TypeError(f"assessment must be an Assessment, not {type(assessment).__name__}")
        expected_head = text_argument("expected_head", expected_head)
        if assessment.case_id != case_id:
            raise InvalidArgumentError(
                "assessment",
                "the assessment is of another case than case_id; append it to its own case",
            )
        events = assessment.events
        after = next(
            (index + 1 for index, event in enumerate(events) if event.hash == expected_head),
            None,
        )
        rows = rows_of(events[after:]) if after is not None else []
        bodies = [self._body(submission) for submission in submissions]
        with self._using():
            self._append(CaseSummary.of(assessment), expected_head, after, rows, bodies)
        return assessment.head

    def get(self, case_id: str) -> Assessment:
        """The stored case, rebuilt from its events and verified against its stored head.

        :class:`~kindbehoeften.errors.UnknownCaseError` when no such case is stored;
        :class:`~kindbehoeften.errors.IntegrityError` when its stored events were changed,
        removed or added to outside the store (the hash chain, or the head, does not hold).
        """
        case_id = _stored_case_id(case_id)
        with self._using():
            head, bodies = self._load(case_id)
        document = {"$schema": EVENTS_SCHEMA_ID, "case_id": case_id, "events": _events(bodies)}
        return from_read(document, head=head)  # read by the library's reader: no copy

    def cases(
        self,
        municipality: str | None = None,
        stage: str | None = None,
        overdue_on: dt.date | None = None,
        *,
        after: str | None = None,
    ) -> Iterator[CaseSummary]:
        """The stored cases, by case id, as :class:`CaseSummary` values: those of
        ``municipality``, in ``stage``, and with a clock overdue on ``overdue_on`` (exactly
        the cases whose ``deadlines(overdue_on)`` has an ``overdue`` rule), where given; with
        ``after``, only the cases whose id sorts after it (to go on from a page's last case).

        Read from each case's summary row, a page at a time, without replaying histories.
        """
        municipality = None if municipality is None else text_argument("municipality", municipality)
        after = None if after is None else text_argument("after", after)
        if isinstance(stage, str):
            stage = str.__str__(stage)  # a subclass's text: its __eq__ never runs
        if after is not None:
            # the ids after "a\x00b" are those after "a": no stored id holds a NUL
            after = after.partition("\x00")[0]
        if stage is not None and stage not in ASSESSMENT_STAGES:
            raise InvalidArgumentError(
                "stage", f"stage must be one of: {', '.join(ASSESSMENT_STAGES)}"
            )
        if overdue_on is not None:
            check_date("overdue_on", None, overdue_on)
        if municipality is not None and not _storable(municipality):
            return iter(())  # no stored case has such a municipality (an event refuses it)
        return self._pages(municipality, stage, overdue_on, after or "")

    def _pages(
        self, municipality: str | None, stage: str | None, overdue_on: dt.date | None, after: str
    ) -> Iterator[CaseSummary]:
        if overdue_on is not None:
            self._deadlines_current()
        while True:
            with self._using():
                page = self._summaries(after, municipality, stage, overdue_on, PAGE)
            yield from page
            if len(page) < PAGE:
                return
            after = page[-1].case_id

    def put_submission(self, case_id: str, submission: bytes | str | dict[str, Any]) -> str:
        """Store a valid submission (JSON bytes or text, or a parsed dict) for the case;
        returns its digest, the ``submission_digest`` a step records for it.

        It is read with the library's one strict JSON reader and validated: one with errors
        raises :class:`~kindbehoeften.errors.InvalidSubmissionError` (drafts are valid when
        their answers are). It is kept as its RFC 8785 canonical JSON; storing it again is
        harmless. :class:`~kindbehoeften.errors.UnknownCaseError` for a case not stored.
        """
        case_id = _stored_case_id(case_id)
        digest, body = self._body(submission)
        with self._using():
            self._put_submission(case_id, digest, body)
        return digest

    @staticmethod
    def _body(submission: object) -> tuple[str, str]:
        """A valid submission's digest and the canonical JSON it is kept as."""
        if not isinstance(submission, bytes | str | dict):
            raise TypeError(
                f"submission must be bytes, str or dict, not {type(submission).__name__}"
            )
        report = validate(submission)
        if not report.ok:
            raise InvalidSubmissionError(report, "be stored")
        found = read(submission) if isinstance(submission, bytes | str) else plain(submission)
        document = found.document
        return submission_digest(document), canonical_json(document).decode("utf-8")

    def get_submission(self, case_id: str, digest: str) -> dict[str, Any]:
        """The submission stored for the case under ``digest``, as a dict.

        :class:`~kindbehoeften.errors.UnknownSubmissionError` when none is (never stored, or
        erased), :class:`~kindbehoeften.errors.UnknownCaseError` for a case not stored.
        """
        case_id = _case_id(case_id)
        digest = _digest(digest)
        if len(digest) != _DIGEST_LENGTH or not set(digest) <= _HEX:
            raise UnknownSubmissionError(case_id, digest)  # never a digest, for any case
        case_id = _stored_case_id(case_id)
        with self._using():
            body = self._get_submission(case_id, digest)
        document: dict[str, Any] = loads(body)
        return document

    def erase_submissions(self, case_id: str) -> int:
        """Erase every stored submission of the case (the answers); returns how many.

        The events stay, with the digests they recorded, and the history still verifies;
        ``get_submission`` then raises
        :class:`~kindbehoeften.errors.UnknownSubmissionError`. What leaves the disk depends on
        the back end: see docs/storage.md.
        """
        case_id = _stored_case_id(case_id)
        with self._using():
            return self._erase_submissions(case_id)

    def refresh_deadlines(self) -> int:
        """Compute every case's stored due date again from its history; returns how many
        cases changed. :meth:`cases` does this by itself the first time it is asked for
        overdue cases by a kindbehoeften whose version or profiles differ from the one that
        computed them; call it to choose when that cost is paid (e.g. after an upgrade)."""
        changed = 0
        after = ""
        while True:
            with self._using():
                page = self._summaries(after, None, None, None, PAGE)
            for stored in page:
                with self._using():
                    if self._refresh(stored.case_id, self._recompute):
                        changed += 1
            if len(page) < PAGE:
                break
            after = page[-1].case_id
        with self._using():
            self._set_meta("deadlines", deadlines_fingerprint())
        self._fresh_deadlines = True
        return changed

    def close(self) -> None:
        """Close the store's connection; closing twice is harmless."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- shared helpers ---

    def _using(self) -> threading.RLock:
        if self._closed:
            raise ValueError("the store is closed; open it again with open_store(url)")
        return self._lock

    def _recompute(self, head: str, bodies: Sequence[str]) -> CaseSummary:
        """The summary of a stored history (verified), for :meth:`_refresh`."""
        events = _events(bodies)
        case_id = events[0]["data"]["case_id"] if events else ""
        document = {"$schema": EVENTS_SCHEMA_ID, "case_id": case_id, "events": events}
        return CaseSummary.of(from_read(document, head=head))

    def _deadlines_current(self) -> None:
        if self._fresh_deadlines:
            return
        with self._using():
            stored = self._get_meta("deadlines")
        if stored != deadlines_fingerprint():
            self.refresh_deadlines()
        self._fresh_deadlines = True

    # --- what a back end implements: each one transaction ---

    @abstractmethod
    def _create(self, summary: CaseSummary, rows: Sequence[Row]) -> None:
        """Insert the case's summary and its events; ConflictError if the case exists."""

    @abstractmethod
    def _append(
        self,
        summary: CaseSummary,
        expected_head: str,
        after: int | None,
        rows: Sequence[Row],
        submissions: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Lock the case's row, :func:`check_continues`, insert ``rows`` and the
        ``(digest, body)`` of ``submissions``, and update the summary; UnknownCaseError if
        the case is not stored."""

    @abstractmethod
    def _load(self, case_id: str) -> tuple[str, list[str]]:
        """The stored head and the events' texts in order of ``seq``; UnknownCaseError."""

    @abstractmethod
    def _summaries(
        self,
        after: str,
        municipality: str | None,
        stage: str | None,
        overdue_on: dt.date | None,
        limit: int,
    ) -> list[CaseSummary]:
        """Up to ``limit`` summaries with case ids after ``after``, in order, filtered
        (``overdue_on``: a stored due date before it)."""

    @abstractmethod
    def _refresh(self, case_id: str, recompute: Recompute) -> bool:
        """Lock the case, compute its summary from its events again and store it if it
        changed; whether it did."""

    @abstractmethod
    def _put_submission(self, case_id: str, digest: str, body: str) -> None:
        """Insert the submission unless stored; UnknownCaseError if the case is not."""

    @abstractmethod
    def _get_submission(self, case_id: str, digest: str) -> str:
        """The submission's text; UnknownSubmissionError, or UnknownCaseError."""

    @abstractmethod
    def _erase_submissions(self, case_id: str) -> int:
        """Delete the case's submissions, and whatever copies of them the database keeps."""

    @abstractmethod
    def _get_meta(self, key: str) -> str | None:
        """A value of the ``meta`` table."""

    @abstractmethod
    def _set_meta(self, key: str, value: str) -> None:
        """Set a value of the ``meta`` table."""

    @abstractmethod
    def _close(self) -> None:
        """Close the connection."""


# kindbehoeften gives its public classes their public module as __module__, and doctest then
# no longer searches them as this module's (nor surely as the package's, which imports each
# name at its first use): list here each one that holds examples.
__test__ = {"CaseSummary": CaseSummary}
