"""Benchmark: validating submissions, against peers on the same documents and schema, in one run.

    python benchmarks/validate.py [--count 100] [--rounds 9] [--ndjson 20000 100000]
                                  [--jobs 1 2] [--stream shipped|generated] [--skip-ndjson]

Document sets: the shipped examples (``examples/*.json``, each against the exported schema of
its own form and status), and generated completed full assessments whose free texts are
either plain words or realistic text (colons ``": "``, quotes, non-ASCII letters, newlines);
both generated sets have the same answers otherwise, from the same seed.

Candidates on each set: ``json.loads`` of the bytes (the yardstick), ``kindbehoeften.validate``
of the bytes and of the parsed dict, and the peers on the schema that
``kindbehoeften.export.json_schema`` exports: jsonschema-rs (``json.loads`` + ``is_valid``),
fastjsonschema (``json.loads`` + the compiled function), jsonschema (``json.loads`` +
``is_valid``, Draft 2020-12 with formats), and msgspec (``msgspec.json.decode`` into Structs of
the same nesting and types: no conditions, no bounds; a floor, not a like-for-like validator).
Rounds interleave the candidates (each round runs every candidate once over the whole set, in
a rotated order) and the median of the rounds is printed, in microseconds per submission.

Then ``kindbehoeften validate --ndjson`` over a stream (``examples/submissions.ndjson``
repeated: valid and invalid submissions of every form; or, with ``--stream generated``, full
assessments and drafts of every form, one line in ten invalid), for each ``--jobs`` and both
formats, interleaved: each
run is a fresh process started by a small launcher that reads ``getrusage(RUSAGE_CHILDREN)``
after it: the peak memory (the largest process of the run) is that process's alone, not the
benchmark's (a child started straight from here would report this process's peak: Linux
keeps ``ru_maxrss`` across ``exec``).

Each figure is printed next to its goal (issue 14), as met or missed by how much. The machine
may be shared: figures are noisy; the medians of interleaved rounds are the figures to read.
This is not a test: it never fails on time. The peers are optional (``pip install -e
.[bench]``); a missing one is reported and left out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kindbehoeften
from kindbehoeften import Form, Question

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BUILT_IN = ("triangle.preliminary", "triangle.full", "triangle.plan", "triangle.followup")

# Goals of issue 14 (items 1, 2, 6).
GOAL_BYTES = 1.0  # validate(bytes) / json.loads, at most
GOAL_DICT = 2.0  # validate(dict) / json.loads of the same bytes, at most
GOAL_CLIFF = 0.10  # punctuated vs plain texts: validate / json.loads within 10% of each other
GOAL_NDJSON = 40_000  # submissions/s with --jobs 2, at least
GOAL_TEXT = 0.20  # NDJSON text output within 20% of JSON output
GOAL_FLAT = 0.10  # peak memory of the longest stream within 10% of the shortest

WORDS = [
    *("the", "child", "said", "school", "feels", "safe", "but", "mornings", "at", "home"),
    *("are", "hard", "mother", "worries", "about", "money", "father", "works", "nights"),
    *("grandmother", "helps", "on", "weekends", "teacher", "reports", "tiredness", "and"),
    *("missed", "lessons", "family", "wants", "support", "with", "routines", "housing"),
]
PUNCTUATED = [
    "Mila said: ",
    'she said "I want to stay": ',
    "At 10:30, ",
    "Ærø, Göteborg, Łódź, São Paulo; ",
    "(school: De Regenboog) ",
    "“quoted”: ",
    "note:\n",
    "father — works nights; ",
    "10% of the time, ",
]


def sentence(rng: random.Random, words: int, punctuated: bool) -> str:
    parts = []
    for _ in range(words):
        if punctuated and rng.random() < 0.3:
            parts.append(rng.choice(PUNCTUATED).strip())
        else:
            parts.append(rng.choice(WORDS))
    return " ".join(parts).capitalize() + "."


def answer(form: Form, question: Question, rng: random.Random, punctuated: bool) -> Any:
    # The texts draw from their own generator, so that both sets get the same other answers.
    if question.type == "text":
        limit = question.max_length or 4000
        text_rng = random.Random(rng.random())
        return sentence(text_rng, text_rng.randint(4, 20), punctuated)[:limit]
    if question.type == "boolean":
        return rng.random() < 0.5
    if question.type == "date":
        return (dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))).isoformat()
    if question.type == "integer":
        low = int(question.min) if isinstance(question.min, int) else 0
        return low + rng.randint(0, 5)
    if question.type == "decimal":
        return round(rng.random() * 10, 2)
    values = [option.value for option in form.options(question)]
    if question.type == "choice":
        return rng.choice(values)
    return sorted(rng.sample(values, k=min(len(values), rng.randint(1, 3))))


def submission(
    form: Form, rng: random.Random, punctuated: bool, status: str = "completed"
) -> dict[str, Any]:
    """A submission answering every question without a condition."""
    answers: dict[str, Any] = {}
    for section in form.sections:
        for area in section.areas:
            area_answers = {}
            for question in area.questions:
                if question.when is None and question.type != "group":
                    area_answers[question.id] = answer(form, question, rng, punctuated)
            answers.setdefault(section.id, {})[area.id] = area_answers
    return {
        "form": form.id,
        "form_version": form.version,
        "status": status,
        "answers": answers,
    }


# --- the peers ---------------------------------------------------------------------------------


class Peers:
    """The peers' validators of one form and status, on the exported schema."""

    def __init__(self, form: Form, status: str) -> None:
        from kindbehoeften.export import json_schema

        self.schema = json_schema(form, status)
        self.checks: dict[str, Callable[[bytes], object]] = {}
        try:
            import jsonschema_rs
        except ImportError:
            pass
        else:
            rs = jsonschema_rs.validator_for(self.schema, validate_formats=True)
            self.checks["jsonschema-rs"] = lambda data: rs.is_valid(json.loads(data))
        try:
            import fastjsonschema
        except ImportError:
            pass
        else:
            compiled = fastjsonschema.compile(self.schema)

            def fast(data: bytes) -> bool:
                try:
                    compiled(json.loads(data))
                except fastjsonschema.JsonSchemaException:
                    return False
                return True

            self.checks["fastjsonschema"] = fast
        try:
            import msgspec
        except ImportError:
            pass
        else:
            decoder = msgspec.json.Decoder(msgspec_type(form))

            def structs(data: bytes) -> bool:
                try:
                    decoder.decode(data)
                except msgspec.ValidationError:
                    return False
                return True

            self.checks["msgspec (Structs)"] = structs
        import jsonschema

        slow = jsonschema.Draft202012Validator(
            self.schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        self.checks["jsonschema"] = lambda data: slow.is_valid(json.loads(data))


def msgspec_type(form: Form) -> Any:
    """Structs of the form's nesting and types (no conditions, no bounds)."""
    import msgspec

    types: dict[str, Any] = {
        "text": str,
        "boolean": bool,
        "integer": int,
        "decimal": float,
        "date": str,
        "choice": str,
        "multi_choice": list[str],
        "group": list[dict[str, Any]],
    }

    def struct(name: str, fields: list[tuple[str, Any]]) -> Any:
        optional = [(key, kind | None, None) for key, kind in fields]
        return msgspec.defstruct(name, optional, forbid_unknown_fields=True)

    sections = []
    for section in form.sections:
        areas = [
            (area.id, struct(f"A_{area.id}", [(q.id, types[q.type]) for q in area.questions]))
            for area in section.areas
        ]
        sections.append((section.id, struct(f"S_{section.id}", areas)))
    answers = struct("Answers", sections)
    return msgspec.defstruct(
        "Submission",
        [("form", str), ("form_version", str), ("status", str), ("answers", answers)],
        forbid_unknown_fields=True,
    )


# --- measuring ---------------------------------------------------------------------------------

Candidate = tuple[str, Callable[[Any], object], list[Any]]


def interleaved(candidates: list[Candidate], rounds: int) -> dict[str, float]:
    """Median microseconds per document of each candidate; every round runs all candidates
    over their documents, in an order rotated by one each round."""
    timings: dict[str, list[float]] = {name: [] for name, _, _ in candidates}
    for number in range(rounds):
        shift = number % len(candidates)
        for name, function, documents in candidates[shift:] + candidates[:shift]:
            start = time.perf_counter()
            for document in documents:
                function(document)
            timings[name].append((time.perf_counter() - start) / len(documents) * 1e6)
    return {name: statistics.median(values) for name, values in timings.items()}


def verdict(value: float, goal: float, *, at_most: bool = True, unit: str = "x") -> str:
    """``met`` or ``missed by ...`` for ``value`` against ``goal`` (``unit="%"``: a share,
    missed by the difference in points)."""
    if unit == "%":
        if value <= goal:
            return f"goal <= {goal:.0%}: met"
        return f"goal <= {goal:.0%}: MISSED by {(value - goal) * 100:.0f} points"
    if (value <= goal) if at_most else (value >= goal):
        return f"goal {'<=' if at_most else '>='} {goal:g}{unit}: met"
    gap = (value / goal - 1) if at_most else (1 - value / goal)
    return f"goal {'<=' if at_most else '>='} {goal:g}{unit}: MISSED by {gap:.0%}"


def document_set(
    title: str, groups: list[tuple[Peers, list[bytes]]], rounds: int
) -> dict[str, float]:
    """Measure one set of documents (grouped by the form and status whose schema they take);
    print the table; return the medians."""
    everything = [data for _, documents in groups for data in documents]
    parsed = [json.loads(data) for data in everything]
    candidates: list[Candidate] = [
        ("json.loads", json.loads, everything),
        ("kindbehoeften.validate(bytes)", kindbehoeften.validate, everything),
        ("kindbehoeften.validate(dict)", kindbehoeften.validate, parsed),
    ]
    peers = sorted({name for peers, _ in groups for name in peers.checks})
    for name in peers:
        if name == "jsonschema":
            continue  # far slower: measured below with fewer rounds
        candidates.append((name, _dispatch(groups, name), everything))
    measured = interleaved(candidates, rounds)
    if "jsonschema" in peers:
        slow = [("jsonschema", _dispatch(groups, "jsonschema"), everything)]
        measured.update(interleaved(slow, max(1, rounds // 3)))
    invalid = sum(not kindbehoeften.validate(data).ok for data in everything)
    sizes = [len(data) for data in everything]
    print(
        f"\n== {title}: {len(everything)} documents, median "
        f"{statistics.median(sizes) / 1024:.1f} KiB, {invalid} invalid"
    )
    base = measured["json.loads"]
    ours = measured["kindbehoeften.validate(bytes)"]
    print(f"{'':34} {'µs/doc':>9} {'x json.loads':>13} {'x validate':>11}")
    for name, micros in measured.items():
        print(f"{name:34} {micros:9.1f} {micros / base:13.2f} {micros / ours:11.2f}")
    print(
        f"  validate(bytes) / json.loads = {ours / base:.2f}  [{verdict(ours / base, GOAL_BYTES)}]"
    )
    dict_ratio = measured["kindbehoeften.validate(dict)"] / base
    print(f"  validate(dict) / json.loads = {dict_ratio:.2f}  [{verdict(dict_ratio, GOAL_DICT)}]")
    if "jsonschema-rs" in measured:
        rs = ours / measured["jsonschema-rs"]
        print(f"  validate(bytes) / jsonschema-rs = {rs:.2f}  [{verdict(rs, 1.0)}]")
    return measured


def _dispatch(groups: list[tuple[Peers, list[bytes]]], name: str) -> Callable[[bytes], object]:
    """The peer ``name`` for each document: the validator of that document's own schema."""
    table = {data: peers.checks[name] for peers, documents in groups for data in documents}
    return lambda data: table[data](data)


# --- NDJSON ------------------------------------------------------------------------------------


LAUNCHER = """
import resource, subprocess, sys, time
start = time.perf_counter()
with open(sys.argv[1], "wb") as out:
    code = subprocess.run(sys.argv[2:], stdout=out, check=False).returncode
seconds = time.perf_counter() - start
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(code, seconds, used.ru_maxrss / 1024, used.ru_utime + used.ru_stime)
"""


def measured_run(argv: list[str], output: str = os.devnull) -> tuple[int, float, float, float]:
    """Exit code, seconds, peak memory (MiB, the largest process) and CPU seconds (all its
    processes) of ``argv``, started by a fresh launcher so that the figures are its own."""
    found = subprocess.run(
        [sys.executable, "-c", LAUNCHER, output, *argv],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(found[0]), float(found[1]), float(found[2]), float(found[3])


def ndjson_stream(path: Path, lines: int, rng: random.Random) -> None:
    """Full assessments and drafts of every form, punctuated texts, one line in ten invalid."""
    forms = [kindbehoeften.load_form(form_id) for form_id in BUILT_IN]
    samples = []
    for index in range(200):
        form = forms[index % len(forms)]
        status = "completed" if index % 3 else "in_progress"
        document = submission(form, rng, punctuated=True, status=status)
        if index % 10 == 9:  # invalid: an unknown field and a wrong type
            document["answers"]["unknown_section"] = {"x": 1}
            document["status"] = 7
        samples.append(json.dumps(document, ensure_ascii=index % 2 == 0).encode() + b"\n")
    with path.open("wb") as stream:
        for index in range(lines):
            stream.write(samples[index % len(samples)])


def shipped_stream(path: Path, lines: int) -> None:
    """``examples/submissions.ndjson`` (valid and invalid submissions of every form), repeated."""
    samples = [line + b"\n" for line in (EXAMPLES / "submissions.ndjson").read_bytes().splitlines()]
    with path.open("wb") as stream:
        for index in range(lines):
            stream.write(samples[index % len(samples)])


def ndjson(lines_list: list[int], jobs_list: list[int], rounds: int, stream: str) -> None:
    rng = random.Random(14)
    cli = [sys.executable, "-m", "kindbehoeften", "validate", "--ndjson", "--today", "2026-12-01"]
    idle = measured_run([sys.executable, "-c", "import kindbehoeften.cli"])[2]
    print(
        f"\n== validate --ndjson, {stream} stream "
        f"(a process that only imports the CLI: peak {idle:.0f} MiB)"
    )
    with tempfile.TemporaryDirectory() as folder:
        peaks: dict[tuple[int, str], list[float]] = {}
        for lines in lines_list:
            path = Path(folder) / f"stream-{lines}.ndjson"
            if stream == "shipped":
                shipped_stream(path, lines)
            else:
                ndjson_stream(path, lines, rng)
            size = path.stat().st_size / 2**20
            runs = [(jobs, output) for jobs in jobs_list for output in ("json", "text")]
            rates: dict[tuple[int, str], list[float]] = {run: [] for run in runs}
            cpu: dict[tuple[int, str], list[float]] = {run: [] for run in runs}
            outputs: dict[tuple[int, str], str] = {}
            for number in range(rounds):  # interleaved: every variant once per round
                shift = number % len(runs)
                for jobs, output in runs[shift:] + runs[:shift]:
                    target = str(Path(folder) / f"out-{jobs}.{output}")
                    argv = [*cli, "--jobs", str(jobs), "--format", output, str(path)]
                    _, seconds, peak, used = measured_run(argv, target)
                    rates[(jobs, output)].append(lines / seconds)
                    cpu[(jobs, output)].append(lines / used)
                    peaks.setdefault((jobs, output), []).append(peak)
                    outputs[(jobs, output)] = Path(target).read_text("utf-8")
            print(f"{lines} lines ({size:.0f} MiB), median of {rounds} interleaved runs:")
            for (jobs, output), found in rates.items():
                rate = statistics.median(found)
                same = outputs[(jobs, output)] == outputs[(jobs_list[0], output)]
                goal = f"  [{verdict(rate, GOAL_NDJSON, at_most=False, unit='/s')}]"
                # What the run would do with all its CPU time on free cores: the machine may be
                # shared, and then --jobs 2 gets less than two cores of wall-clock time.
                capacity = statistics.median(cpu[(jobs, output)]) * min(jobs, os.cpu_count() or 1)
                print(
                    f"  --jobs {jobs} --format {output:4}: {rate:9,.0f} submissions/s "
                    f"(CPU-bound on {min(jobs, os.cpu_count() or 1)} free core(s): "
                    f"{capacity:,.0f}/s), peak "
                    f"{statistics.median(peaks[(jobs, output)][-rounds:]):.0f} MiB, output "
                    f"{'identical to' if same else 'DIFFERS from'} --jobs {jobs_list[0]}"
                    + (goal if jobs == 2 else "")
                )
            for jobs in jobs_list:
                text = statistics.median(rates[(jobs, "text")])
                as_json = statistics.median(rates[(jobs, "json")])
                slower = as_json / text - 1
                print(
                    f"  --jobs {jobs}: text is {slower:+.0%} slower than JSON  "
                    f"[{verdict(max(slower, 0.0), GOAL_TEXT, unit='%')}]"
                )
        if len(lines_list) > 1:
            for run, found in sorted(peaks.items()):
                per_length = [
                    statistics.median(found[i * rounds : (i + 1) * rounds])
                    for i in range(len(lines_list))
                ]
                growth = per_length[-1] / per_length[0] - 1
                print(
                    f"  memory --jobs {run[0]} {run[1]:4}: {per_length[0]:.0f} -> "
                    f"{per_length[-1]:.0f} MiB from {lines_list[0]} to {lines_list[-1]} lines "
                    f"[{verdict(max(growth, 0.0), GOAL_FLAT, unit='%')}]"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100, help="generated submissions per set")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--ndjson", type=int, nargs="*", default=[20_000, 100_000])
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--ndjson-rounds", type=int, default=3)
    parser.add_argument(
        "--stream",
        choices=("shipped", "generated"),
        default="shipped",
        help="NDJSON: examples/submissions.ndjson repeated, or generated full assessments and "
        "drafts of every form (larger lines)",
    )
    parser.add_argument("--skip-ndjson", action="store_true")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} (figures are noisy)")

    peers: dict[tuple[str, str], Peers] = {}

    def peers_of(form_id: str, status: str) -> Peers:
        if (form_id, status) not in peers:
            peers[(form_id, status)] = Peers(kindbehoeften.load_form(form_id), status)
        return peers[(form_id, status)]

    # the shipped examples, each against its own form's schema
    examples: dict[tuple[str, str], list[bytes]] = {}
    for path in sorted(EXAMPLES.glob("*.json")):
        data = path.read_bytes()
        document = json.loads(data)
        examples.setdefault((document["form"], document["status"]), []).append(data)
    groups = [(peers_of(*key), documents) for key, documents in examples.items()]
    document_set("shipped examples (examples/*.json)", groups, args.rounds)
    full = EXAMPLES / "triangle.full.valid.json"
    document_set(
        "examples/triangle.full.valid.json alone",
        [(peers_of("triangle.full", "completed"), [full.read_bytes()])],
        args.rounds,
    )

    form = kindbehoeften.load_form("triangle.full")
    sets = {}
    for punctuated in (False, True):
        rng = random.Random(2026)
        documents = [
            json.dumps(submission(form, rng, punctuated), ensure_ascii=False).encode()
            for _ in range(args.count)
        ]
        title = "generated full assessments, " + (
            "realistic texts (colons, quotes, non-ASCII)" if punctuated else "plain-word texts"
        )
        sets[punctuated] = document_set(
            title, [(peers_of("triangle.full", "completed"), documents)], args.rounds
        )
    ratios = [
        sets[kind]["kindbehoeften.validate(bytes)"] / sets[kind]["json.loads"]
        for kind in (False, True)
    ]
    cliff = abs(ratios[1] / ratios[0] - 1)
    print(
        f"\nno cliff: validate/json.loads {ratios[0]:.2f} (plain) vs {ratios[1]:.2f} (realistic): "
        f"{cliff:.0%} apart  [{verdict(cliff, GOAL_CLIFF, unit='%')}]"
    )
    if not args.skip_ndjson:
        ndjson(args.ndjson, args.jobs, args.ndjson_rounds, args.stream)


if __name__ == "__main__":
    main()
