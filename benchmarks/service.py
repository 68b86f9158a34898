"""Benchmark: the HTTP service's POST /validate against in-process validate, in the same run.

    python benchmarks/service.py [--requests 20000] [--connections 8] [--ndjson 10000]

Starts ``kindbehoeften serve`` (one worker, no tokens) on a free loopback port and drives
``POST /validate`` with the shipped full example (``examples/triangle.full.valid.json``)
from a bounded load generator: a fixed number of requests over a few keep-alive connections
(asyncio streams, on uvloop when it is installed), no pipelining. Prints requests/s, p50 and
p99 latency, the server's CPU seconds per request (from /proc), and beside them the
in-process throughput of ``kindbehoeften.validate`` on the same bytes, measured in the same
run; then the same for an NDJSON body. Goal: the service at least 0.3x in-process. This is
not a test: it never fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import kindbehoeften

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "src" / "kindbehoeften" / "examples" / "triangle.full.valid.json"
GOAL = 0.3


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid``, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_process(data: bytes, seconds: float) -> float:
    """Validations per second of ``data`` in this process, as the service calls validate."""
    today = dt.date.today()
    for _ in range(200):  # warm: the catalog, the compiled validator
        kindbehoeften.validate(data, today=today)
    rates = []
    for _ in range(5):
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 5:
            for _ in range(100):
                kindbehoeften.validate(data, today=today)
            count += 100
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


class Server:
    """``kindbehoeften serve --port 0`` in a child process; its log goes to a file."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self._file = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kindbehoeften", "serve", "--port", "0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._file,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = re.search(r"listening on http://([\d.]+):(\d+)", log.read_text())
            if found and "Started server process" in log.read_text():
                self.host, self.port = found.group(1), int(found.group(2))
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise SystemExit(f"the server did not start:\n{log.read_text()}")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        self._file.close()


def request(path: str, data: bytes, media: str) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: {media}\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode("ascii") + data


async def load(
    host: str, port: int, message: bytes, requests: int, connections: int
) -> tuple[float, list[float]]:
    """Send ``requests`` copies of ``message`` over ``connections`` keep-alive connections,
    each waiting for its answer before the next; the seconds taken and each latency."""
    latencies: list[float] = []
    todo = iter(range(requests))

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        for _ in todo:
            start = time.perf_counter()
            writer.write(message)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise SystemExit(f"unexpected answer: {head[:60]!r}")
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            if length is None:
                raise SystemExit("an answer without Content-Length")
            await reader.readexactly(int(length.group(1)))
            latencies.append(time.perf_counter() - start)
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    return time.perf_counter() - start, latencies


async def ndjson(host: str, port: int, line: bytes, lines: int) -> float:
    """Seconds to send ``lines`` NDJSON lines and read every result line."""
    reader, writer = await asyncio.open_connection(host, port)
    head = (
        "POST /validate HTTP/1.1\r\nHost: bench\r\nContent-Type: application/x-ndjson\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    start = time.perf_counter()

    async def send() -> None:
        writer.write(head.encode("ascii"))
        for _ in range(lines):
            writer.write(b"%x\r\n%s\n\r\n" % (len(line) + 1, line))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    sending = asyncio.ensure_future(send())
    await reader.readuntil(b"\r\n\r\n")
    results = 0
    while True:
        size = int((await reader.readline()).strip(), 16)
        if size == 0:
            break
        results += (await reader.readexactly(size + 2)).count(b"\n") - 1
    await sending
    writer.close()
    if results != lines:
        raise SystemExit(f"{results} results for {lines} lines")
    return time.perf_counter() - start


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    runner: Callable[[Coroutine[Any, Any, Any]], Any] = asyncio.run
    try:
        import uvloop
    except ImportError:
        pass
    else:
        runner = uvloop.run
    return runner(coroutine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000, help="requests of the run")
    parser.add_argument("--connections", type=int, default=8, help="at once (default 8)")
    parser.add_argument("--ndjson", type=int, default=10_000, help="lines of the NDJSON body")
    args = parser.parse_args()
    data = EXAMPLE.read_bytes()
    compact = EXAMPLE.read_bytes().replace(b"\n", b"")
    assert kindbehoeften.validate(data).ok

    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder) / "server.log")
        try:
            message = request("/validate", data, "application/json")
            run(load(server.host, server.port, message, 500, args.connections))  # warm up
            local = in_process(data, seconds=3.0)
            before = cpu_seconds(server.process.pid)
            seconds, latencies = run(
                load(server.host, server.port, message, args.requests, args.connections)
            )
            used = cpu_seconds(server.process.pid) - before
            before = cpu_seconds(server.process.pid)
            streamed = run(ndjson(server.host, server.port, compact, args.ndjson))
            ndjson_used = cpu_seconds(server.process.pid) - before
        finally:
            server.stop()

    rate = args.requests / seconds
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1e3
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1e3
    lines_rate = args.ndjson / streamed
    print(
        f"POST /validate of {EXAMPLE.name} ({len(data):,} bytes): {args.requests:,} requests "
        f"over {args.connections} keep-alive connections, one server worker, {os.cpu_count()} "
        "cores shared with the load generator"
    )
    print(f"\n{'':38} {'per second':>11} {'x in-process':>13} {'p50 ms':>8} {'p99 ms':>8}")
    print(f"{'in-process kindbehoeften.validate':38} {local:11,.0f} {1:13.2f}")
    print(f"{'POST /validate (JSON)':38} {rate:11,.0f} {rate / local:13.2f} {p50:8.2f} {p99:8.2f}")
    print(f"{'POST /validate (NDJSON, lines)':38} {lines_rate:11,.0f} {lines_rate / local:13.2f}")
    print(
        f"\nserver CPU per request: {used / args.requests * 1e3:.3f} ms "
        f"({used / args.requests * local:.2f}x an in-process validation); "
        f"per NDJSON line: {ndjson_used / args.ndjson * 1e3:.3f} ms"
    )
    verdict = "met" if rate / local >= GOAL else "NOT met"
    print(f"goal: the service at least {GOAL}x in-process throughput: {verdict}")


if __name__ == "__main__":
    main()
