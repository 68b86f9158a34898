"""Generated assessment records for the statistics benchmarks: as many as wanted, all valid.

A pool of cases is built with the real lifecycle (five paths through it, six jurisdictions,
every reporter) and the shipped example submissions, their free text reworded per case; then
each record of a stream is a case of the pool under a new case id, its hash chain computed
anew, so that every record is distinct and intact (``read_record`` accepts it) and a stream
of a million costs a few microseconds of generating per record.

    python benchmarks/records.py 1000 > records.ndjson      # NDJSON, one record a line
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import itertools
import json
import random
import sys
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

import kindbehoeften
from kindbehoeften import Assessment, export

PATHS = ("preliminary_closed", "light_support", "full", "emergency", "reopened")
REPORTERS = ("professional", "parent", "child", "relative", "anonymous", "other")
TODAY = dt.date(2026, 9, 1)
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


def _example(name: str) -> dict[str, Any]:
    path = resources.files("kindbehoeften") / "examples" / f"{name}.valid.json"
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def _reworded(value: Any, rng: random.Random, limits: Mapping[str, int]) -> Any:
    """Free text replaced by text of about the same length; everything else kept."""
    if isinstance(value, dict):
        return {key: _reworded(item, rng, limits) for key, item in value.items()}
    if isinstance(value, list):
        return [_reworded(item, rng, limits) for item in value]
    if isinstance(value, str) and " " in value:  # text, not a code or a date
        words = [rng.choice(WORDS) for _ in range(max(2, len(value) // 6))]
        return " ".join(words).capitalize()[: max(len(value), 2)] + "."
    return value


def _decided(submission: dict[str, Any], value: str) -> dict[str, Any]:
    """A completed preliminary or full assessment whose outcome (or decision) is ``value``."""
    form = kindbehoeften.load_form(submission["form"], submission["form_version"])
    field = "outcome" if form.stage == "preliminary" else "decision"
    mapping = form.step_mapping(field)
    assert mapping is not None
    option = next(option for option, mapped in mapping.values if mapped == value)
    document = copy.deepcopy(submission)
    section, area, key = mapping.question.split(".")
    answers = document["answers"][section][area]
    answers[key] = option
    if option == "refer_other_service":
        answers["referred_to"] = "Child psychiatry"
    else:
        answers.pop("referred_to", None)
    return document


def case_record(index: int, rng: random.Random) -> dict[str, Any]:
    """One record of a case on one of :data:`PATHS`, chosen by ``index``."""
    jurisdiction = kindbehoeften.JURISDICTIONS[index % len(kindbehoeften.JURISDICTIONS)]
    path = PATHS[(index // len(kindbehoeften.JURISDICTIONS)) % len(PATHS)]
    reporter = REPORTERS[index % len(REPORTERS)]
    forms = {}
    for stage in ("preliminary", "full", "plan"):
        forms[stage] = _reworded(_example(f"triangle.{stage}"), rng, {})
    born = dt.date(2008 + index % 16, 1 + index % 12, 1 + index % 28)
    forms["preliminary"]["answers"]["intake"]["child"]["date_of_birth"] = born.isoformat()
    day = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randint(0, 120))
    actor = f"worker-{rng.randint(1, 400)}"
    case = Assessment.report(
        case_id=f"case-{index}",
        jurisdiction=jurisdiction,
        on=day,
        actor=actor,
        reporter=reporter,
        municipality=f"{rng.randint(100, 2999):04d}",
    )

    def later(days: int) -> dt.date:
        nonlocal day
        day += dt.timedelta(days=days + rng.randint(0, 2))
        return day

    used = ["preliminary"]
    if path == "emergency":
        case = case.protect(later(0), actor).open_full_assessment(later(1), actor)
        case = case.confirm_protection(later(1), actor)
        full = _decided(forms["full"], "no_measures")
        case = case.complete_full_assessment("no_measures", full, later(30), actor)
        return export.record(case, [forms["preliminary"], full], today=TODAY)
    if path == "reopened":
        case = case.close("other", later(1), actor).reopen(later(20), actor, "anonymous")
    case = case.assess_safety(later(0), actor).start_preliminary(later(1), actor)
    if path == "preliminary_closed":
        outcome = ("close", "universal_support", "refer_other_service")[index % 3]
        forms["preliminary"] = _decided(forms["preliminary"], outcome)
        case = case.decide_preliminary(outcome, forms["preliminary"], later(5), actor)
    elif path == "light_support":
        forms["preliminary"] = _decided(forms["preliminary"], "light_support")
        case = case.decide_preliminary("light_support", forms["preliminary"], later(9), actor)
        case = case.adopt_plan(forms["plan"], later(10), actor).start_support(later(3), actor)
        used.append("plan")
    elif path == "full":
        forms["preliminary"] = _decided(forms["preliminary"], "open_full_assessment")
        case = case.decide_preliminary(
            "open_full_assessment", forms["preliminary"], later(12), actor
        )
        case = case.open_full_assessment(later(1), actor)
        decision = ("support", "placement")[index % 2]
        forms["full"] = _decided(forms["full"], decision)
        case = case.complete_full_assessment(decision, forms["full"], later(40), actor)
        case = case.adopt_plan(forms["plan"], later(7), actor).start_support(later(5), actor)
        case = case.hold_review(later(60), actor)
        used += ["full", "plan"]
    else:  # reopened
        forms["preliminary"] = _decided(forms["preliminary"], "open_full_assessment")
        case = case.decide_preliminary(
            "open_full_assessment", forms["preliminary"], later(4), actor
        )
    if reporter != "anonymous" and path != "reopened":
        case = case.inform_reporter(later(1), actor)
    return export.record(case, [forms[stage] for stage in used], today=TODAY)


def pool(size: int = 60, seed: int = 2026) -> list[dict[str, Any]]:
    """``size`` records, each case built with the lifecycle (every path in each jurisdiction
    with 30 or more)."""
    rng = random.Random(seed)
    return [case_record(index, rng) for index in range(size)]


def _canonical(document: Any) -> str:
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def renamed(document: Mapping[str, Any], case_id: str) -> dict[str, Any]:
    """``document`` as the record of a case with id ``case_id``: its hash chain made anew."""
    result = dict(document)
    events = [dict(event) for event in document["history"]["events"]]
    events[0]["data"] = dict(events[0]["data"], case_id=case_id)
    prev = events[0]["prev"]
    for event in events:
        event["prev"] = prev
        body = {key: value for key, value in event.items() if key != "hash"}
        event["hash"] = prev = hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()
    result["history"] = dict(document["history"], case_id=case_id, events=events)
    result["case_id"] = case_id
    return result


def stream(count: int, *, seed: int = 2026, size: int = 60) -> Iterator[bytes]:
    """``count`` distinct records as compact JSON (UTF-8), one after another."""
    cases = pool(size, seed)
    for number, template in zip(range(count), itertools.cycle(cases), strict=False):
        yield json.dumps(renamed(template, f"case-{number:09d}"), ensure_ascii=False).encode()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    out = sys.stdout.buffer
    for line in stream(count):
        out.write(line + b"\n")


if __name__ == "__main__":
    main()
