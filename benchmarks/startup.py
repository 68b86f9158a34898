"""Benchmark: the CPU time of starting the command line, against baselines in the same run.

    python benchmarks/startup.py [--runs 11]

Each command runs in a fresh process, ``--runs`` times; the CPU time (user + system) of each
run is read with ``getrusage(RUSAGE_CHILDREN)`` around the child, and the median is printed,
with its ratio to ``python -c pass``. Baselines: a bare interpreter, ``import pydantic``, and
pydantic with one model class built (what any pydantic program pays before its own code).
Goal (issue 14): ``kindbehoeften forms list`` in at most 150 ms of CPU. Then the modules that
``import kindbehoeften`` must not load (jsonschema, holidays, babel, pyarrow) are listed if
loaded.

Bytecode is written once before measuring (an installed wheel has it; a run under
``PYTHONDONTWRITEBYTECODE`` would otherwise compile every module at every start). This is not a
test: it never fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

GOAL_MS = 150.0
EXAMPLES = Path(__file__).resolve().parent.parent / "src" / "kindbehoeften" / "examples"
CLI = [sys.executable, "-m", "kindbehoeften"]

BASELINES: list[tuple[str, list[str]]] = [
    ("python -c pass", [sys.executable, "-c", "pass"]),
    ("import pydantic", [sys.executable, "-c", "import pydantic"]),
    (
        "pydantic, one model",
        [sys.executable, "-c", "import pydantic\nclass M(pydantic.BaseModel):\n    x: int"],
    ),
]
COMMANDS: list[tuple[str, list[str]]] = [
    ("import kindbehoeften", [sys.executable, "-c", "import kindbehoeften"]),
    ("kindbehoeften --version", [*CLI, "--version"]),
    ("kindbehoeften forms list", [*CLI, "forms", "list"]),
    ("kindbehoeften forms list --locale sv", [*CLI, "forms", "list", "--locale", "sv"]),
    (
        "kindbehoeften validate <example>",
        [*CLI, "validate", str(EXAMPLES / "triangle.full.valid.json")],
    ),
    (
        "kindbehoeften deadlines SE",
        [*CLI, "deadlines", "--jurisdiction", "SE", "--reported", "2026-11-02"],
    ),
    (
        "kindbehoeften deadlines GB-ENG",
        [*CLI, "deadlines", "--jurisdiction", "GB-ENG", "--reported", "2026-11-02"],
    ),
]
NOT_ON_IMPORT = ("jsonschema", "holidays", "babel", "pyarrow")


def cpu_ms(command: list[str], env: dict[str, str]) -> float:
    """The CPU time (user + system) of one run of ``command`` in a fresh process, in ms."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return used * 1000


def median_ms(command: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """The median and the lowest CPU time of ``runs`` runs, after one run not counted."""
    cpu_ms(command, env)  # warm the file cache
    times = [cpu_ms(command, env) for _ in range(runs)]
    return statistics.median(times), min(times)


def loaded_on_import(env: dict[str, str]) -> list[str]:
    script = (
        "import json, sys, kindbehoeften\n"
        f"print(json.dumps(sorted(n for n in {NOT_ON_IMPORT!r} if n in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    found: list[str] = json.loads(result.stdout)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    unset = ("PYTHONDONTWRITEBYTECODE", "KINDBEHOEFTEN_FORMS_PATH", "KINDBEHOEFTEN_LOCALE")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    for _, command in COMMANDS:  # write bytecode once, as an installed wheel has it
        subprocess.run(command, env=env, capture_output=True, check=False)
    print(f"python {sys.version.split()[0]}, {args.runs} runs each, CPU ms (user + system)")
    print(f"{'command':<40} {'median':>8} {'lowest':>8} {'x bare':>8}")
    bare = None
    for name, command in [*BASELINES, *COMMANDS]:
        median, lowest = median_ms(command, args.runs, env)
        bare = bare or median
        note = ""
        if name == "kindbehoeften forms list":
            note = f"  goal <= {GOAL_MS:.0f} ms: {'met' if median <= GOAL_MS else 'NOT met'}"
        print(f"{name:<40} {median:8.1f} {lowest:8.1f} {median / bare:8.1f}{note}")
    loaded = loaded_on_import(env)
    print(
        "import kindbehoeften loads "
        + (", ".join(loaded) if loaded else f"none of {', '.join(NOT_ON_IMPORT)}")
    )


if __name__ == "__main__":
    main()
