"""The SQLite back end: one file, stdlib ``sqlite3``, write-ahead log (WAL).

Each write is ``BEGIN IMMEDIATE`` ... ``COMMIT``: the writer takes the database's write lock
before it reads the head, so two writers of one case never both see the same head; a writer
that finds the lock taken waits up to the URL's ``timeout`` (30 seconds by default).
``synchronous=FULL``: a commit is on disk before ``append`` returns, and a process killed at any
moment leaves every committed event and no partial one (SQLite's atomic commit).
``secure_delete=ON``: deleted content is overwritten with zeros, so that
:meth:`erase_submissions` (then a checkpoint that truncates the log) leaves no answer in the
database, its ``-wal`` or its ``-shm`` file. A new file is made readable by its owner only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from typing import Final

from ..errors import (
    ConflictError,
    KindbehoeftenError,
    StoreError,
    UnknownCaseError,
    UnknownSubmissionError,
)
from .base import (
    SCHEMA_VERSION,
    CaseSummary,
    Recompute,
    Row,
    Store,
    check_continues,
    deadlines_fingerprint,
    library_version,
)

__all__ = ["SQLiteStore"]

_SCHEMA: Final = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # one row per case: what cases() answers from, kept in step with the events
    """CREATE TABLE cases (
        case_id TEXT PRIMARY KEY,
        jurisdiction TEXT NOT NULL,
        municipality TEXT,
        stage TEXT NOT NULL,
        head TEXT NOT NULL,
        events INTEGER NOT NULL,
        next_due TEXT
    )""",
    "CREATE INDEX cases_next_due ON cases (next_due)",
    "CREATE INDEX cases_stage ON cases (stage)",
    "CREATE INDEX cases_municipality ON cases (municipality)",
    """CREATE TABLE events (
        case_id TEXT NOT NULL REFERENCES cases (case_id),
        seq INTEGER NOT NULL CHECK (seq >= 1),
        hash TEXT NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (case_id, seq)
    )""",
    # append-only: the store itself never changes or removes an event
    """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    """CREATE TABLE submissions (
        case_id TEXT NOT NULL REFERENCES cases (case_id),
        digest TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (case_id, digest)
    )""",
)
_COLUMNS: Final = "case_id, jurisdiction, municipality, stage, head, events, next_due"


def _summary(row: tuple[str, str, str | None, str, str, int, str | None]) -> CaseSummary:
    case_id, jurisdiction, municipality, stage, head, events, due = row
    next_due = None if due is None else dt.date.fromisoformat(due)
    return CaseSummary(case_id, jurisdiction, municipality, stage, head, events, next_due)


def _params(summary: CaseSummary) -> tuple[str, str, str | None, str, str, int, str | None]:
    due = None if summary.next_due_on is None else summary.next_due_on.isoformat()
    return (
        summary.case_id,
        summary.jurisdiction,
        summary.municipality,
        summary.stage,
        summary.head,
        summary.events,
        due,
    )


class SQLiteStore(Store):
    """A store in one SQLite file (``sqlite:///PATH``); see :func:`kindbehoeften.open_store`."""

    def __init__(self, url: str, path: str, *, timeout: float = 30.0) -> None:
        super().__init__(url)
        self._path = path
        self._timeout = timeout
        if path != ":memory:" and not os.path.exists(path):
            # answers are personal data: a new store is its owner's alone (SQLite gives the
            # -wal and -shm files the database's permissions)
            # A link to a file that is not there yet: its target is made (O_EXCL would not
            # follow the link, and SQLite would then make the target with its own 0644).
            made = os.path.realpath(path) if os.path.islink(path) else path
            try:
                os.close(os.open(made, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:  # made by another process just now
                pass
            except OSError as error:
                raise StoreError(
                    "unreachable",
                    f"cannot create the SQLite store {path!r}: {error.strerror}. Check that "
                    "its folder exists and that this user may write there.",
                ) from error
        try:
            self._db = sqlite3.connect(
                path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise StoreError(
                "unreachable",
                f"cannot open the SQLite store {path!r}: {error}. Check that the file and its "
                "folder exist and that this user may read and write them.",
            ) from error
        try:
            self._setup()
        except BaseException:
            self._db.close()
            raise

    def _setup(self) -> None:
        db = self._db
        try:
            # Before anything is written, not even the journal mode: a database of another
            # program is refused as it was found.
            tables = self._tables()
            if tables and "meta" not in tables:
                raise self._not_a_store()
            db.execute("PRAGMA journal_mode=WAL").fetchone()
        except sqlite3.DatabaseError as error:
            raise StoreError(
                "not_a_store",
                f"{self._path!r} is not a SQLite database ({error}); give the path of a store, "
                "or of a file that does not exist yet.",
            ) from error
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA secure_delete=ON")
        with self._write():
            tables = self._tables()
            if "meta" not in tables:
                if tables:  # tables of another program, made since the look above
                    raise self._not_a_store()
                for statement in _SCHEMA:
                    db.execute(statement)
                db.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [
                        ("store", "kindbehoeften"),
                        ("schema_version", str(SCHEMA_VERSION)),
                        ("library", library_version()),
                        ("deadlines", deadlines_fingerprint()),
                    ],
                )
                return
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        self._check_meta(meta)

    def _tables(self) -> set[str]:
        return {
            name
            for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }

    def _not_a_store(self) -> StoreError:
        return StoreError(
            "not_a_store",
            f"{self._path!r} is a SQLite database but not a kindbehoeften store; give the "
            "path of a store, or of a file that does not exist yet.",
        )

    def _check_meta(self, meta: dict[str, str]) -> None:
        if meta.get("store") != "kindbehoeften" or not meta.get("schema_version", "").isdigit():
            raise self._not_a_store()
        version = int(meta["schema_version"])
        if version > SCHEMA_VERSION:
            raise StoreError(
                "schema",
                f"the store {self._path!r} has schema version {version}, written by "
                f"kindbehoeften {meta.get('library', '(unknown)')}; this kindbehoeften "
                f"({library_version()}) reads schema version {SCHEMA_VERSION}. Install "
                f"kindbehoeften {meta.get('library', '(unknown)')} or later to open it.",
            )

    # --- transactions ---

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: the write lock first, then reads and writes."""
        with self._errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if self._db.in_transaction:  # SQLite rolls some errors back by itself
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: its statements see one snapshot."""
        with self._errors():
            self._db.execute("BEGIN")
            try:
                yield self._db
            finally:
                self._db.execute("COMMIT")

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except KindbehoeftenError:
            raise
        except sqlite3.OperationalError as error:
            busy = "locked" in str(error) or "busy" in str(error)
            hint = (
                f"other writers held the store for longer than its timeout ({self._timeout:g} "
                "s); try again, or give the URL a longer ?timeout="
                if busy
                else "check the file, its folder and the disk"
            )
            raise StoreError(
                "database", f"the SQLite store {self._path!r} refused: {error}; {hint}."
            ) from error
        except sqlite3.Error as error:
            raise StoreError(
                "database", f"the SQLite store {self._path!r} refused: {error}."
            ) from error

    # --- the operations ---

    def _create(self, summary: CaseSummary, rows: Sequence[Row]) -> None:
        with self._write() as db:
            found = db.execute(
                "SELECT head FROM cases WHERE case_id = ?", (summary.case_id,)
            ).fetchone()
            if found is not None:
                raise ConflictError(summary.case_id, found[0], None, "exists")
            db.execute(
                f"INSERT INTO cases ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", _params(summary)
            )
            self._insert(db, summary.case_id, rows)

    @staticmethod
    def _insert(db: sqlite3.Connection, case_id: str, rows: Sequence[Row]) -> None:
        db.executemany(
            "INSERT INTO events (case_id, seq, hash, body) VALUES (?, ?, ?, ?)",
            [(case_id, row.seq, row.hash, row.body) for row in rows],
        )

    @staticmethod
    def _update(db: sqlite3.Connection, summary: CaseSummary) -> None:
        case_id, *rest = _params(summary)
        db.execute(
            "UPDATE cases SET jurisdiction = ?, municipality = ?, stage = ?, head = ?, "
            "events = ?, next_due = ? WHERE case_id = ?",
            (*rest, case_id),
        )

    def _append(
        self,
        summary: CaseSummary,
        expected_head: str,
        after: int | None,
        rows: Sequence[Row],
        submissions: Sequence[tuple[str, str]] = (),
    ) -> None:
        with self._write() as db:
            found = db.execute(
                "SELECT head, events FROM cases WHERE case_id = ?", (summary.case_id,)
            ).fetchone()
            if found is None:
                raise UnknownCaseError(summary.case_id)
            check_continues(summary.case_id, found[0], found[1], expected_head, after)
            self._keep(db, summary.case_id, submissions)
            if rows:
                self._insert(db, summary.case_id, rows)
                self._update(db, summary)

    def _load(self, case_id: str) -> tuple[str, list[str]]:
        with self._read() as db:
            found = db.execute("SELECT head FROM cases WHERE case_id = ?", (case_id,)).fetchone()
            if found is None:
                raise UnknownCaseError(case_id)
            bodies = db.execute(
                "SELECT body FROM events WHERE case_id = ? ORDER BY seq", (case_id,)
            ).fetchall()
        return found[0], [body for (body,) in bodies]

    def _summaries(
        self,
        after: str,
        municipality: str | None,
        stage: str | None,
        overdue_on: dt.date | None,
        limit: int,
    ) -> list[CaseSummary]:
        sql = f"SELECT {_COLUMNS} FROM cases WHERE case_id > ?"
        params: list[object] = [after]
        if municipality is not None:
            sql += " AND municipality = ?"
            params.append(municipality)
        if stage is not None:
            sql += " AND stage = ?"
            params.append(stage)
        if overdue_on is not None:
            sql += " AND next_due < ?"  # ISO dates sort as text
            params.append(overdue_on.isoformat())
        sql += " ORDER BY case_id LIMIT ?"
        params.append(limit)
        with self._read() as db:
            return [_summary(row) for row in db.execute(sql, params)]

    def _refresh(self, case_id: str, recompute: Recompute) -> bool:
        with self._write() as db:
            found = db.execute(
                f"SELECT {_COLUMNS} FROM cases WHERE case_id = ?", (case_id,)
            ).fetchone()
            if found is None:  # pragma: no cover - cases are never removed
                return False
            bodies = db.execute(
                "SELECT body FROM events WHERE case_id = ? ORDER BY seq", (case_id,)
            ).fetchall()
            summary = recompute(found[4], [body for (body,) in bodies])
            if summary == _summary(found):
                return False
            self._update(db, summary)
            return True

    def _exists(self, db: sqlite3.Connection, case_id: str) -> None:
        if db.execute("SELECT 1 FROM cases WHERE case_id = ?", (case_id,)).fetchone() is None:
            raise UnknownCaseError(case_id)

    def _put_submission(self, case_id: str, digest: str, body: str) -> None:
        with self._write() as db:
            self._exists(db, case_id)
            self._keep(db, case_id, [(digest, body)])

    @staticmethod
    def _keep(db: sqlite3.Connection, case_id: str, submissions: Sequence[tuple[str, str]]) -> None:
        """Store each ``(digest, body)`` once: the same submission again is no change."""
        for digest, body in submissions:
            db.execute(
                "INSERT INTO submissions (case_id, digest, body) VALUES (?, ?, ?) "
                "ON CONFLICT (case_id, digest) DO NOTHING",
                (case_id, digest, body),
            )

    def _get_submission(self, case_id: str, digest: str) -> str:
        with self._read() as db:
            found = db.execute(
                "SELECT body FROM submissions WHERE case_id = ? AND digest = ?",
                (case_id, digest),
            ).fetchone()
            if found is None:
                self._exists(db, case_id)
                raise UnknownSubmissionError(case_id, digest)
        body: str = found[0]
        return body

    def _erase_submissions(self, case_id: str) -> int:
        with self._write() as db:
            self._exists(db, case_id)
            erased = db.execute("DELETE FROM submissions WHERE case_id = ?", (case_id,)).rowcount
        self._checkpoint()
        return erased

    def _checkpoint(self) -> None:
        """Copy the log into the database and truncate it: the log's old pages held the
        answers. Readers of other connections can hold it up; wait for them as a writer
        waits for the lock."""
        deadline = time.monotonic() + self._timeout
        while True:
            with self._errors():
                busy, _, _ = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return
            if time.monotonic() > deadline:  # pragma: no cover - needs a reader held for long
                raise StoreError(
                    "database",
                    f"the answers are deleted from {self._path!r}, but its write-ahead log "
                    "still holds copies: other connections kept reading for longer than the "
                    "timeout. Call erase_submissions again when they are idle.",
                )
            time.sleep(0.05)  # pragma: no cover

    def _get_meta(self, key: str) -> str | None:
        with self._read() as db:
            found = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if found is None else str(found[0])

    def _set_meta(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def _close(self) -> None:
        self._db.close()
