"""A throw-away PostgreSQL cluster for the tests and benchmarks: initdb, start, stop.

The cluster lives in a folder of its own under /tmp, listens on a Unix socket in that folder
only (``listen_addresses=''``: no TCP port, nothing outside this machine), trusts local
connections and is removed when stopped. ``initdb`` refuses to run as root, so as root the
server runs as the ``postgres`` user (``runuser``), which Debian's ``postgresql`` package
makes. The binaries are found on ``PATH`` or in ``/usr/lib/postgresql/*/bin``.

As a script, for ``.ci/run``::

    python tests/pgcluster.py start DIR   # prints the cluster's URL
    python tests/pgcluster.py stop DIR
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

__all__ = ["Cluster", "Unavailable", "start", "stop", "url_with_schema"]


class Unavailable(RuntimeError):
    """PostgreSQL cannot be started here; the message says why."""


@dataclass(frozen=True)
class Cluster:
    root: Path

    @property
    def url(self) -> str:
        return f"postgresql:///postgres?host={quote(str(self.root), safe='/')}&user=postgres"


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(path.split("/")[4]) if path.split("/")[4].isdigit() else 0,
    )
    if not versions:
        raise Unavailable(
            f"{name} is not installed (apt-get install postgresql installs PostgreSQL)"
        )
    return versions[-1]


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise Unavailable("running as root, and runuser is missing to start PostgreSQL")
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError as error:
        raise Unavailable("running as root, and there is no postgres user to run it") from error
    return [runuser, "-u", "postgres", "--"]


def _run(command: list[str], log: Path | None = None) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        if log is not None and log.exists():
            detail += log.read_text(errors="replace").strip().splitlines()[-5:]
        raise Unavailable(f"{Path(command[-1]).name}: " + " | ".join(detail))


def start(root: str | Path | None = None) -> Cluster:
    """Make and start a cluster in ``root`` (a new folder under /tmp by default)."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    prefix = _as_server_user()
    folder = Path(root) if root else Path(tempfile.mkdtemp(prefix="kb-pg-", dir="/tmp"))
    folder.mkdir(parents=True, exist_ok=True)
    if prefix:
        shutil.chown(folder, "postgres", "postgres")
    data, log = folder / "data", folder / "server.log"
    try:
        _run(
            [
                *prefix,
                initdb,
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "-D",
                str(data),
            ]
        )
        options = f"-c listen_addresses='' -c unix_socket_directories='{folder}'"
        _run([*prefix, pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", "60",
              "-o", options, "start"], log)  # fmt: skip
    except (Unavailable, OSError, subprocess.TimeoutExpired) as error:
        shutil.rmtree(folder, ignore_errors=True)
        raise Unavailable(str(error)) from error
    return Cluster(folder)


def stop(root: str | Path) -> None:
    """Stop the cluster in ``root`` and remove it."""
    folder = Path(root)
    data = folder / "data"
    if data.exists():
        subprocess.run(
            [*_as_server_user(), _binary("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            timeout=120,
            check=False,
        )
    shutil.rmtree(folder, ignore_errors=True)


def url_with_schema(url: str, schema: str) -> str:
    """``url`` with the ``search_path`` set to ``schema``: a store of its own in one database."""
    return f"{url}&options=-csearch_path%3D{schema}"


if __name__ == "__main__":
    action, where = sys.argv[1:3]
    if action == "start":
        try:
            print(start(where).url)
        except Unavailable as error:
            print(f"PostgreSQL did not start: {error}", file=sys.stderr)
            sys.exit(1)
    else:
        stop(where)
