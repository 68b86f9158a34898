"""The service as the tests meet it: a real ``kindbehoeften serve`` process on loopback.

:class:`Server` starts ``python -m kindbehoeften serve --port 0`` (the command picks a free
port and logs it), waits for ``GET /health`` and talks to it with httpx; its log (stderr)
goes to a file that the tests read. Every request body of the tests that carries an answer
carries :data:`SENTINEL`, and every token is one of :data:`TOKENS`: neither may ever appear in
a log (checked when each server stops, after the whole suite).
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from clirun import child_environment

#: A free-text answer planted in request bodies; it must never reach a log.
SENTINEL = "Sentinel-answer-of-a-child-4711"
#: The tokens of the guarded server, by name: (token, scopes).
TOKENS: dict[str, tuple[str, tuple[str, ...]]] = {
    "all-scopes": ("token-all-8d1f6c2e-scopes", ("validate", "read", "write")),
    "read-only": ("token-read-5b77e0a4-only", ("read",)),
    "validator": ("token-validate-9c03aa51", ("validate",)),
    "write-only": ("token-write-71c2d9e0-only", ("write",)),
    "uppsala": ("token-uppsala-4e0b5f13-cases", ("read", "write")),
}
#: The tokens bound to a municipality: they see and write only its cases.
MUNICIPALITIES: dict[str, str] = {"uppsala": "Uppsala"}
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
_LISTENING = re.compile(r"listening on (http://[^ ]+)")


def tokens_file(path: Path, tokens: dict[str, tuple[str, tuple[str, ...]]] = TOKENS) -> Path:
    """A tokens file holding the digests of ``tokens``."""
    entries = []
    for name, (token, scopes) in tokens.items():
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        listed = ", ".join(f'"{scope}"' for scope in scopes)
        entry = f'[[tokens]]\nname = "{name}"\nsha256 = "{digest}"\nscopes = [{listed}]\n'
        if name in MUNICIPALITIES:
            entry += f'municipality = "{MUNICIPALITIES[name]}"\n'
        entries.append(entry)
    path.write_text("\n".join(entries), encoding="utf-8")
    return path


def bearer(name: str) -> dict[str, str]:
    """The Authorization header of the token called ``name``."""
    return {"Authorization": f"Bearer {TOKENS[name][0]}"}


def with_sentinel(document: dict[str, Any]) -> dict[str, Any]:
    """A submission of the full form whose free-text answers hold the sentinel."""
    answers = document["answers"]
    answers["child_needs"]["health"]["description"] = f"{SENTINEL} sleeps badly"
    return document


class Server:
    """One ``kindbehoeften serve`` process on a free loopback port; ``store`` is the URL of
    the store it serves the cases of (given with ``--store``), if any."""

    def __init__(self, log: Path, *arguments: str) -> None:
        self.log = log
        self.store = arguments[arguments.index("--store") + 1] if "--store" in arguments else None
        command = [sys.executable, "-m", "kindbehoeften", "serve", "--port", "0", *arguments]
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log_file,
            env=child_environment(),
        )
        self.url = self._wait()
        self.client = httpx.Client(base_url=self.url, timeout=60)

    def _wait(self) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {self.text()}")
            found = _LISTENING.search(self.text())
            if found:
                url = found.group(1)
                try:
                    if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                        return url
                except httpx.TransportError:
                    pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the server did not start: {self.text()}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def text(self) -> str:
        """What the server has logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def lines(self) -> list[str]:
        return self.text().splitlines()

    def rss(self) -> int:
        """The server's resident memory now, in bytes (from /proc)."""
        status = Path(f"/proc/{self.pid}/status").read_text(encoding="ascii")
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        assert found is not None
        return int(found.group(1)) * 1024

    def cpu_seconds(self) -> float:
        """The CPU time the server has used (user and system), from /proc."""
        fields = Path(f"/proc/{self.pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1]
        user, system = fields.split()[11:13]
        return (int(user) + int(system)) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> int:
        """Stop the server as an operator would (SIGTERM); its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        if hasattr(self, "client"):
            self.client.close()
        self._log_file.close()
        return self.process.returncode


def stream_lines(
    url: str, lines: Any, headers: dict[str, str] | None = None
) -> tuple[list[bytes], int]:
    """POST ``lines`` (an iterable of bytes, each one line of NDJSON) to ``url`` as a chunked
    body from one thread, while this one reads the answer as it comes: the result lines, and
    how many body lines had been sent when the first result arrived."""
    import socket
    import threading
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    sent = [0]
    connection = socket.create_connection((parts.hostname, parts.port), timeout=120)
    head = [f"POST {parts.path}?{parts.query} HTTP/1.1", f"Host: {parts.netloc}"]
    head += ["Content-Type: application/x-ndjson", "Transfer-Encoding: chunked"]
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]

    def send() -> None:
        connection.sendall(("\r\n".join(head) + "\r\n\r\n").encode("ascii"))
        for line in lines:
            connection.sendall(b"%x\r\n%s\n\r\n" % (len(line) + 1, line))
            sent[0] += 1
        connection.sendall(b"0\r\n\r\n")

    writer = threading.Thread(target=send, daemon=True)
    writer.start()
    reader = connection.makefile("rb")
    status = reader.readline()
    assert status.startswith(b"HTTP/1.1 200"), status
    while reader.readline() not in (b"\r\n", b""):
        pass
    results: list[bytes] = []
    first_at = -1
    while True:
        size = int(reader.readline().strip(), 16)
        if size == 0:
            break
        chunk = reader.read(size)
        reader.readline()
        if first_at < 0:
            first_at = sent[0]
        results.extend(chunk.splitlines())
    writer.join(timeout=120)
    connection.close()
    return results, first_at
