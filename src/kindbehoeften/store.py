"""Storing assessments: :func:`open_store` and what it returns.

A store keeps each case's event history (append-only, hash-chained, verified when read), the
submissions behind its steps (by digest, erasable) and a summary per case for listing and for
finding overdue cases without replaying every history. SQLite by default (one file, WAL),
PostgreSQL for many workers (``pip install 'kindbehoeften[postgres]'``); docs/storage.md.

>>> import datetime as dt, tempfile
>>> import kindbehoeften
>>> case = kindbehoeften.Assessment.report(
...     case_id="case-1", jurisdiction="SE", on=dt.date(2026, 11, 2), actor="w-1",
...     reporter="professional")
>>> with tempfile.TemporaryDirectory() as folder:
...     with open_store(f"sqlite:///{folder}/cases.db") as store:
...         head = store.create(case)
...         case = store.get("case-1").assess_safety(dt.date(2026, 11, 2), "w-1")
...         head = store.append("case-1", case, expected_head=head)
...         [(s.case_id, s.events, str(s.next_due_on)) for s in store.cases()]
[('case-1', 2, '2026-11-16')]
"""

from . import _publish
from ._store import open_store
from ._store.base import CaseSummary, Store

__all__ = ["CaseSummary", "Store", "open_store"]

_publish()  # the classes above say kindbehoeften, where they are public
