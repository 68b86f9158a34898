"""Erasure: after ``erase_submissions`` the answers are in none of the store's files (SQLite:
the database, its ``-wal`` and ``-shm``) nor in a dump of the database (PostgreSQL:
``pg_dump``), and the history still loads and verifies."""

from __future__ import annotations

import copy
import datetime as dt
import glob
import json
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from kindbehoeften import Assessment, UnknownSubmissionError, open_store

pytestmark = pytest.mark.timeout(120)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MONDAY = dt.date(2026, 11, 2)


def planted(sentinel: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two valid preliminary submissions holding ``sentinel`` in the child's own words: a
    short one, and one whose text spills over several database pages."""
    base = json.loads((EXAMPLES / "triangle.preliminary.valid.json").read_text(encoding="utf-8"))
    short, long = copy.deepcopy(base), copy.deepcopy(base)
    short["answers"]["intake"]["child"]["child_view"] = f"Mila said: {sentinel}."
    long["answers"]["intake"]["child"]["child_view"] = f"{sentinel} " * 80
    long["answers"]["intake"]["report"]["concern_reported"] = f"{sentinel} " * 80
    return short, long


def pg_dump() -> str:
    return shutil.which("pg_dump") or max(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))


def contents(url: str, folder: Path) -> bytes:
    """What the store's files hold (SQLite), or what a dump of its database holds."""
    if url.startswith("sqlite:"):
        return b"".join(path.read_bytes() for path in sorted(folder.iterdir()))
    server = url.split("&options=")[0]
    return subprocess.run(
        [pg_dump(), "--dbname", server], capture_output=True, timeout=60, check=True
    ).stdout


def test_erased_answers_leave_the_store_and_the_history_verifies(
    store_url: str, tmp_path: Path
) -> None:
    if store_url.startswith("sqlite:"):  # a folder of its own: the database and its files
        folder = tmp_path / "store"
        folder.mkdir()
        store_url = f"sqlite:///{folder}/cases.db"
    else:
        folder = tmp_path
    sentinel = f"sentinel-{uuid.uuid4().hex}"
    short, long = planted(sentinel)
    with open_store(store_url) as store:
        case = Assessment.report(
            case_id="case-1", jurisdiction="NL", on=MONDAY, actor="w", reporter="professional"
        ).start_preliminary(MONDAY, "w")
        head = store.create(case)
        digests = [store.put_submission("case-1", short), store.put_submission("case-1", long)]
        case = case.decide_preliminary(None, short, MONDAY + dt.timedelta(days=3), "w")
        head = store.append("case-1", case, expected_head=head)
        assert sentinel.encode() in contents(store_url, folder)  # the check can see it
        assert 2 == store.erase_submissions("case-1")
        assert sentinel.encode() not in contents(store_url, folder)  # while open
    assert sentinel.encode() not in contents(store_url, folder)  # and once closed
    with open_store(store_url) as store:
        assert case == store.get("case-1")
        assert head == store.get("case-1").head
        for digest in digests:
            with pytest.raises(UnknownSubmissionError):
                store.get_submission("case-1", digest)
