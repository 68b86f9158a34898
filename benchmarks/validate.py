"""Benchmark: validating completed full assessments, against baselines measured in the same run.

    python benchmarks/validate.py [--count 200] [--ndjson 10000 100000]

Prints the median microseconds per submission of ``kindbehoeften.validate(bytes)`` and of
``json.loads`` of the same bytes, pydantic ``model_validate_json`` of an equivalent plain model,
``jsonschema`` (Draft 2020-12 with format checking) and ``fastjsonschema`` on the exported
schema, with ratios; then the throughput and peak memory of ``kindbehoeften validate --ndjson``.
Targets: validate within 2x of json.loads, at least 20x faster than jsonschema. This is not a
test: it never fails on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pydantic

import kindbehoeften
from kindbehoeften import Form, Question

WORDS = [
    "the",
    "child",
    "said",
    "school",
    "feels",
    "safe",
    "but",
    "mornings",
    "at",
    "home",
    "are",
    "hard",
    "mother",
    "worries",
    "about",
    "money",
    "father",
    "works",
    "nights",
    "grandmother",
    "helps",
    "on",
    "weekends",
    "teacher",
    "reports",
    "tiredness",
    "and",
    "missed",
    "lessons",
    "the",
    "family",
    "wants",
    "support",
    "with",
    "routines",
    "and",
    "housing",
]


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def answer(form: Form, question: Question, rng: random.Random) -> Any:
    if question.type == "text":
        limit = question.max_length or 4000
        return sentence(rng, rng.randint(4, 20))[:limit]
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


def submission(form: Form, rng: random.Random) -> dict[str, Any]:
    """A completed submission answering every question without a condition."""
    answers: dict[str, Any] = {}
    for section in form.sections:
        for area in section.areas:
            area_answers = {}
            for question in area.questions:
                if question.when is None and question.type != "group":
                    area_answers[question.id] = answer(form, question, rng)
            answers.setdefault(section.id, {})[area.id] = area_answers
    return {
        "form": form.id,
        "form_version": form.version,
        "status": "completed",
        "answers": answers,
    }


def plain_model(form: Form) -> type[pydantic.BaseModel]:
    """An equivalent plain pydantic model: the same nesting and types, no conditions."""
    types: dict[str, Any] = {
        "text": str,
        "boolean": bool,
        "integer": int,
        "decimal": float,
        "date": dt.date,
        "choice": str,
        "multi_choice": list[str],
    }
    strict = pydantic.ConfigDict(extra="forbid")
    sections = {}
    for section in form.sections:
        areas = {}
        for area in section.areas:
            fields: dict[str, Any] = {
                q.id: (types[q.type] | None, None) for q in area.questions if q.type != "group"
            }
            areas[area.id] = (
                pydantic.create_model(f"A_{area.id}", __config__=strict, **fields) | None,
                None,
            )
        sections[section.id] = (
            pydantic.create_model(f"S_{section.id}", __config__=strict, **areas) | None,
            None,
        )
    answers = pydantic.create_model("Answers", __config__=strict, **sections)
    return pydantic.create_model(
        "Submission",
        __config__=strict,
        form=(str, ...),
        form_version=(str, ...),
        status=(str, ...),
        answers=(answers, ...),
    )


def median_us(function: Callable[[bytes], object], documents: list[bytes], rounds: int) -> float:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        for document in documents:
            function(document)
        timings.append((time.perf_counter() - start) / len(documents))
    return statistics.median(timings) * 1e6


def ndjson_run(path: Path) -> tuple[float, float]:
    """Seconds and peak memory (MiB) of `kindbehoeften validate --ndjson` over ``path``."""
    code = (
        "import resource, sys, time\n"
        "from kindbehoeften.cli import main\n"
        "from rich.console import Console\n"
        "import io\n"
        "start = time.perf_counter()\n"
        f"main(['validate', '--ndjson', '--format', 'json', {str(path)!r}],"
        " console=Console(file=io.StringIO()))\n"
        "print(time.perf_counter() - start,"
        " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    # the JSON document goes to a StringIO above only to keep the terminal quiet; to measure
    # memory honestly it is written to /dev/null instead:
    code = code.replace("io.StringIO()", "open('/dev/null', 'w')")
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(output[0]), float(output[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="submissions per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--ndjson", type=int, nargs="*", default=[10_000, 100_000])
    args = parser.parse_args()

    form = kindbehoeften.load_form("triangle.full")
    rng = random.Random(2026)
    documents = [json.dumps(submission(form, rng)).encode() for _ in range(args.count)]
    sizes = [len(document) for document in documents]
    answers = sum(
        len(area) for s in json.loads(documents[0])["answers"].values() for area in s.values()
    )
    invalid = [document for document in documents if not kindbehoeften.validate(document).ok]
    print(
        f"{args.count} completed full assessments: {answers} answers, "
        f"median {statistics.median(sizes) / 1024:.1f} KiB; invalid: {len(invalid)}"
    )

    from kindbehoeften.export import json_schema

    schema = json_schema(form, "completed")
    checker = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    model = plain_model(form)
    measured = {
        "json.loads": median_us(json.loads, documents, args.rounds),
        "kindbehoeften.validate(bytes)": median_us(kindbehoeften.validate, documents, args.rounds),
        "pydantic model_validate_json (plain model)": median_us(
            model.model_validate_json, documents, args.rounds
        ),
        "jsonschema (json.loads + is_valid)": median_us(
            lambda document: checker.is_valid(json.loads(document)),
            documents,
            max(1, args.rounds // 3),
        ),
    }
    try:
        import fastjsonschema
    except ImportError:
        print("fastjsonschema is not installed: pip install fastjsonschema to compare")
    else:
        fast = fastjsonschema.compile(schema)

        def fast_valid(document: bytes) -> bool:
            try:
                fast(json.loads(document))
            except fastjsonschema.JsonSchemaException:
                return False
            return True

        measured["fastjsonschema (json.loads + validate)"] = median_us(
            fast_valid, documents, args.rounds
        )
    base = measured["json.loads"]
    ours = measured["kindbehoeften.validate(bytes)"]
    print(f"\n{'':45} {'µs/submission':>14} {'x json.loads':>13} {'x validate':>11}")
    for name, micros in measured.items():
        print(f"{name:45} {micros:14.1f} {micros / base:13.2f} {micros / ours:11.2f}")
    print(
        f"\nvalidate / json.loads = {ours / base:.2f} (target <= 2); "
        f"jsonschema / validate = {measured['jsonschema (json.loads + is_valid)'] / ours:.1f} "
        "(target >= 20)"
    )

    for lines in args.ndjson:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "submissions.ndjson"
            with path.open("wb") as stream:
                for index in range(lines):
                    stream.write(documents[index % len(documents)] + b"\n")
            seconds, peak = ndjson_run(path)
            print(
                f"validate --ndjson, {lines} lines ({path.stat().st_size / 2**20:.0f} MiB): "
                f"{lines / seconds:,.0f} submissions/s, peak memory {peak:.0f} MiB"
            )
    print(
        f"(this process: peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
