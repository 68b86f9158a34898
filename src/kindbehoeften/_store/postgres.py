"""The PostgreSQL back end, for many workers on many machines: psycopg 3 (the extra
``kindbehoeften[postgres]``).

Each write is one transaction that first locks the case's summary row (``SELECT ... FOR
UPDATE``): two writers of one case take turns, and the second sees the first one's head.
Events are in an append-only table (triggers refuse UPDATE, DELETE and TRUNCATE) with
``PRIMARY KEY (case_id, seq)``. Case ids sort by their bytes (``COLLATE "C"``), as in SQLite.

The tables are made in the first schema of the connection's ``search_path`` (by default
``public``); ``?options=-csearch_path%3Dmyschema`` in the URL puts a store in a schema of its
own. What a deleted submission leaves on the server's disk, and how to remove it, is in
docs/storage.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

from ..errors import (
    ConflictError,
    KindbehoeftenError,
    StoreError,
    UnknownCaseError,
    UnknownSubmissionError,
)
from .base import (
    SCHEMA_VERSION,
    SECRET_KEYS,
    CaseSummary,
    Recompute,
    Row,
    Store,
    check_continues,
    deadlines_fingerprint,
    library_version,
)

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresStore"]

_TABLES: Final = ("meta", "cases", "events", "submissions")
#: Serialises the making of the tables by processes that open a new store at once.
_SETUP_LOCK: Final = 0x6B696E64  # "kind"
_SCHEMA: Final = (
    "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)",
    """CREATE TABLE cases (
        case_id text COLLATE "C" PRIMARY KEY,
        jurisdiction text NOT NULL,
        municipality text,
        stage text NOT NULL,
        head text NOT NULL,
        events integer NOT NULL,
        next_due date
    )""",
    "CREATE INDEX cases_next_due ON cases (next_due)",
    "CREATE INDEX cases_stage ON cases (stage)",
    "CREATE INDEX cases_municipality ON cases (municipality)",
    """CREATE TABLE events (
        case_id text COLLATE "C" NOT NULL REFERENCES cases (case_id),
        seq integer NOT NULL CHECK (seq >= 1),
        hash text NOT NULL,
        body text NOT NULL,
        PRIMARY KEY (case_id, seq)
    )""",
    """CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'events are append-only'; END $$""",
    """CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION events_append_only()""",
    """CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()""",
    """CREATE TABLE submissions (
        case_id text COLLATE "C" NOT NULL REFERENCES cases (case_id),
        digest text NOT NULL,
        body text NOT NULL,
        PRIMARY KEY (case_id, digest)
    )""",
)
_COLUMNS: Final = "case_id, jurisdiction, municipality, stage, head, events, next_due"


def _params(summary: CaseSummary) -> tuple[Any, ...]:
    return (
        summary.case_id,
        summary.jurisdiction,
        summary.municipality,
        summary.stage,
        summary.head,
        summary.events,
        summary.next_due_on,
    )


def _first_line(error: Exception, conninfo: str = "", shown: str = "") -> str:
    """The first line of libpq's reason, without a password of ``conninfo`` (the URL as
    given): libpq quotes the URL (shown as ``shown``), or the piece of it that it cannot
    read, which may hold the password or a piece of it (an ``@`` of the password that is not
    written ``%40`` makes libpq read the rest of it as the host)."""
    lines = str(error).strip().splitlines()
    if not lines:
        return type(error).__name__
    text = lines[0].replace(conninfo, shown) if conninfo else lines[0]
    secrets = [secret for secret in _secrets(conninfo) if secret]
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")

    def hidden(match: re.Match[str]) -> str:
        quoted = match.group()[1:-1]
        if quoted and any(_shares(quoted, secret) for secret in secrets):
            return f"{match.group()[0]}***{match.group()[0]}"
        return match.group()

    return re.sub(r'"[^"]*"|\'[^\']*\'', hidden, text)[:200]


def _shares(quoted: str, secret: str) -> bool:
    """Whether ``quoted`` holds ``secret``, is part of it, or holds four characters of it
    in a row (a piece of a password that libpq read as something else)."""
    if secret in quoted or quoted in secret:
        return True
    return any(secret[start : start + 4] in quoted for start in range(len(secret) - 3))


def _secrets(url: str) -> list[str]:
    """The password of a ``postgresql://`` URL and the values of its password parameters
    (:data:`~kindbehoeften._store.base.SECRET_KEYS`), as written (percent-encoded or not)."""
    rest = url.partition("://")[2]
    authority, _, query = rest.partition("?")
    authority = authority.partition("/")[0] if "@" not in authority else authority
    userinfo = authority.rpartition("@")[0]
    found = [userinfo.partition(":")[2]] if ":" in userinfo else []
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        if key in SECRET_KEYS:
            found.append(value)
    return found


class PostgresStore(Store):
    """A store in a PostgreSQL database (``postgresql://...``); see
    :func:`kindbehoeften.open_store`."""

    def __init__(self, url: str, conninfo: str) -> None:
        super().__init__(url)
        try:
            import psycopg
            from psycopg.conninfo import conninfo_to_dict, make_conninfo
        except ImportError as error:
            raise StoreError(
                "missing_extra",
                "a PostgreSQL store needs the psycopg driver, which is not installed: "
                "pip install 'kindbehoeften[postgres]'",
            ) from error
        self._psycopg = psycopg
        given = conninfo  # what libpq may quote back, password and all
        try:
            if "connect_timeout" not in conninfo_to_dict(conninfo):  # never wait for ever
                conninfo = make_conninfo(conninfo, connect_timeout=10)
        except psycopg.Error as error:
            raise StoreError(
                "url",
                f"{url!r} is not a PostgreSQL URL that libpq reads: "
                f"{_first_line(error, given, url)}.",
            ) from None  # libpq's own error quotes the URL, password and all
        try:
            self._db = psycopg.connect(conninfo, autocommit=True)
        except psycopg.Error as error:
            raise StoreError(
                "unreachable",
                f"cannot reach the PostgreSQL store {url!r}: "
                f"{_first_line(error, given, url)}. Check that "
                "the server runs, that the URL names it, and the user, password and database.",
            ) from None  # libpq's own error quotes the URL, password and all
        try:
            self._setup()
        except BaseException:
            self._db.close()
            raise

    def _setup(self) -> None:
        with self._write() as db:
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))
            found = db.execute(
                "SELECT to_regclass('meta') IS NOT NULL, to_regclass('cases') IS NOT NULL, "
                "to_regclass('events') IS NOT NULL, to_regclass('submissions') IS NOT NULL"
            ).fetchone()
            assert found is not None
            if not found[0]:
                if any(found):
                    raise self._not_a_store()
                for statement in _SCHEMA:
                    db.execute(statement)
                with db.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO meta (key, value) VALUES (%s, %s)",
                        [
                            ("store", "kindbehoeften"),
                            ("schema_version", str(SCHEMA_VERSION)),
                            ("library", library_version()),
                            ("deadlines", deadlines_fingerprint()),
                        ],
                    )
                return
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("store") != "kindbehoeften" or not meta.get("schema_version", "").isdigit():
            raise self._not_a_store()
        version = int(meta["schema_version"])
        if version > SCHEMA_VERSION:
            written = meta.get("library", "(unknown)")
            raise StoreError(
                "schema",
                f"the store {self.url!r} has schema version {version}, written by "
                f"kindbehoeften {written}; this kindbehoeften ({library_version()}) reads "
                f"schema version {SCHEMA_VERSION}. Install kindbehoeften {written} or later "
                "to open it.",
            )

    def _not_a_store(self) -> StoreError:
        return StoreError(
            "not_a_store",
            f"the database of {self.url!r} holds tables named meta, cases, events or "
            "submissions that are not a kindbehoeften store; give the store a database or a "
            "schema of its own (?options=-csearch_path%3Dkindbehoeften).",
        )

    # --- transactions ---

    @contextlib.contextmanager
    def _write(self) -> Iterator[psycopg.Connection[Any]]:
        with self._errors(), self._db.transaction():
            yield self._db

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        psycopg = self._psycopg
        try:
            yield
        except KindbehoeftenError:
            raise
        except psycopg.OperationalError as error:
            raise StoreError(
                "unreachable",
                f"lost the PostgreSQL store {self.url!r}: {_first_line(error)}. Open it again "
                "once the server answers.",
            ) from error
        except psycopg.Error as error:
            raise StoreError(
                "database", f"the PostgreSQL store {self.url!r} refused: {_first_line(error)}."
            ) from error

    # --- the operations ---

    def _create(self, summary: CaseSummary, rows: Sequence[Row]) -> None:
        with self._write() as db:
            inserted = db.execute(
                f"INSERT INTO cases ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (case_id) DO NOTHING RETURNING 1",
                _params(summary),
            ).fetchone()
            if inserted is None:
                found = db.execute(
                    "SELECT head FROM cases WHERE case_id = %s", (summary.case_id,)
                ).fetchone()
                raise ConflictError(summary.case_id, found[0] if found else "", None, "exists")
            self._insert(db, summary.case_id, rows)

    @staticmethod
    def _insert(db: psycopg.Connection[Any], case_id: str, rows: Sequence[Row]) -> None:
        with db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO events (case_id, seq, hash, body) VALUES (%s, %s, %s, %s)",
                [(case_id, row.seq, row.hash, row.body) for row in rows],
            )

    @staticmethod
    def _update(db: psycopg.Connection[Any], summary: CaseSummary) -> None:
        case_id, *rest = _params(summary)
        db.execute(
            "UPDATE cases SET jurisdiction = %s, municipality = %s, stage = %s, head = %s, "
            "events = %s, next_due = %s WHERE case_id = %s",
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
                "SELECT head, events FROM cases WHERE case_id = %s FOR UPDATE",
                (summary.case_id,),
            ).fetchone()
            if found is None:
                raise UnknownCaseError(summary.case_id)
            check_continues(summary.case_id, found[0], found[1], expected_head, after)
            self._keep(db, summary.case_id, submissions)
            if rows:
                self._insert(db, summary.case_id, rows)
                self._update(db, summary)

    def _load(self, case_id: str) -> tuple[str, list[str]]:
        with self._errors():
            # one statement: one snapshot of the head and the events
            found = self._db.execute(
                "SELECT c.head, e.body FROM cases c LEFT JOIN events e USING (case_id) "
                "WHERE c.case_id = %s ORDER BY e.seq",
                (case_id,),
            ).fetchall()
        if not found:
            raise UnknownCaseError(case_id)
        return found[0][0], [body for _, body in found if body is not None]

    def _summaries(
        self,
        after: str,
        municipality: str | None,
        stage: str | None,
        overdue_on: dt.date | None,
        limit: int,
    ) -> list[CaseSummary]:
        sql = f"SELECT {_COLUMNS} FROM cases WHERE case_id > %s"
        params: list[object] = [after]
        if municipality is not None:
            sql += " AND municipality = %s"
            params.append(municipality)
        if stage is not None:
            sql += " AND stage = %s"
            params.append(stage)
        if overdue_on is not None:
            sql += " AND next_due < %s"
            params.append(overdue_on)
        sql += " ORDER BY case_id LIMIT %s"
        params.append(limit)
        with self._errors():
            return [CaseSummary(*row) for row in self._db.execute(sql, params).fetchall()]

    def _refresh(self, case_id: str, recompute: Recompute) -> bool:
        with self._write() as db:
            found = db.execute(
                f"SELECT {_COLUMNS} FROM cases WHERE case_id = %s FOR UPDATE", (case_id,)
            ).fetchone()
            if found is None:  # pragma: no cover - cases are never removed
                return False
            bodies = db.execute(
                "SELECT body FROM events WHERE case_id = %s ORDER BY seq", (case_id,)
            ).fetchall()
            summary = recompute(found[4], [body for (body,) in bodies])
            if summary == CaseSummary(*found):
                return False
            self._update(db, summary)
            return True

    @staticmethod
    def _exists(db: psycopg.Connection[Any], case_id: str) -> None:
        if db.execute("SELECT 1 FROM cases WHERE case_id = %s", (case_id,)).fetchone() is None:
            raise UnknownCaseError(case_id)

    def _put_submission(self, case_id: str, digest: str, body: str) -> None:
        with self._write() as db:
            self._exists(db, case_id)
            self._keep(db, case_id, [(digest, body)])

    @staticmethod
    def _keep(
        db: psycopg.Connection[Any], case_id: str, submissions: Sequence[tuple[str, str]]
    ) -> None:
        """Store each ``(digest, body)`` once: the same submission again is no change."""
        for digest, body in submissions:
            db.execute(
                "INSERT INTO submissions (case_id, digest, body) VALUES (%s, %s, %s) "
                "ON CONFLICT (case_id, digest) DO NOTHING",
                (case_id, digest, body),
            )

    def _get_submission(self, case_id: str, digest: str) -> str:
        with self._write() as db:
            found = db.execute(
                "SELECT body FROM submissions WHERE case_id = %s AND digest = %s",
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
            return db.execute("DELETE FROM submissions WHERE case_id = %s", (case_id,)).rowcount

    def _get_meta(self, key: str) -> str | None:
        with self._errors():
            found = self._db.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return None if found is None else str(found[0])

    def _set_meta(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def _close(self) -> None:
        self._db.close()
