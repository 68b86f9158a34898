"""`kindbehoeften validate`: files, standard input, NDJSON, text and JSON output, exit codes."""

from __future__ import annotations

import datetime as dt
import errno
import json
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from rich.console import Console

from kindbehoeften.cli import main

DRAFT = {
    "form": "triangle.plan",
    "form_version": "1.0.0",
    "status": "in_progress",
    "answers": {"plan": {"goals": {"adopted_on": "2026-11-02"}}},
}
# Completed but missing what the plan needs: the goal's area, measures and who is responsible,
# the parents' consent, and the child's view (or why it could not be heard).
INCOMPLETE = {**DRAFT, "status": "completed"}
SECRET = "Sentinel-Answer-Text-4711"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FORMS = Path(__file__).resolve().parents[1] / "src" / "kindbehoeften" / "forms"


def run(*argv: str, stdin: bytes = b"") -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    code = main(
        list(argv),
        console=Console(file=out, width=100, color_system=None),
        err_console=Console(file=err, width=100, color_system=None),
        stdin=BytesIO(stdin),
    )
    return code, out.getvalue(), err.getvalue()


def write(folder: Path, name: str, document: object) -> str:
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def test_a_valid_draft_exits_0_and_says_ok(tmp_path: Path) -> None:
    code, out, err = run("validate", write(tmp_path, "draft.json", DRAFT))
    assert (0, "") == (code, err)
    assert out.startswith("ok")


def test_an_invalid_submission_exits_1_and_lists_pointer_code_and_message(tmp_path: Path) -> None:
    code, out, _ = run("validate", write(tmp_path, "incomplete.json", INCOMPLETE))
    assert 1 == code
    assert "/answers/plan/consent/parents_consent" in out
    assert "one_of_required" in out


def test_json_output_is_one_document_with_results(tmp_path: Path) -> None:
    good = write(tmp_path, "draft.json", DRAFT)
    bad = write(tmp_path, "incomplete.json", INCOMPLETE)
    code, out, err = run("validate", good, bad, "--format", "json")
    document = json.loads(out)
    assert (1, "") == (code, err)
    assert [good, bad] == [result["file"] for result in document["results"]]
    assert [True, False] == [result["ok"] for result in document["results"]]
    issue = document["results"][1]["issues"][0]
    assert {"pointer", "code", "severity", "message"} == set(issue)


def test_ndjson_results_carry_their_line_numbers_and_skip_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "many.ndjson"
    lines = [json.dumps(DRAFT), "", json.dumps(INCOMPLETE), "[1]", "{"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run("validate", "--ndjson", "--format", "json", str(path))
    results = json.loads(out)["results"]
    assert 1 == code
    expected = [(1, True), (3, False), (4, False), (5, False)]
    assert expected == [(result["line"], result["ok"]) for result in results]
    assert ["not_an_object"] == [issue["code"] for issue in results[2]["issues"]]
    assert ["json_syntax"] == [issue["code"] for issue in results[3]["issues"]]


def test_ndjson_text_output_counts_valid_and_invalid(tmp_path: Path) -> None:
    path = tmp_path / "many.ndjson"
    path.write_text(f"{json.dumps(DRAFT)}\n{json.dumps(INCOMPLETE)}\n", encoding="utf-8")
    code, out, _ = run("validate", "--ndjson", str(path))
    assert 1 == code
    assert "2 submissions: 1 valid, 1 invalid" in out
    assert f"{path}:2" in out


def test_an_overlong_ndjson_line_is_too_large_and_the_next_line_still_validates(
    tmp_path: Path,
) -> None:
    path = tmp_path / "long.ndjson"
    long_line = json.dumps({**DRAFT, "padding": "x" * 5000})
    path.write_text(f"{long_line}\n{json.dumps(DRAFT)}\n", encoding="utf-8")
    code, out, _ = run("validate", "--ndjson", "--max-bytes", "1000", "--format", "json", str(path))
    results = json.loads(out)["results"]
    assert 1 == code
    assert [(1, ["too_large"]), (2, [])] == [
        (result["line"], [issue["code"] for issue in result["issues"]]) for result in results
    ]


def test_dash_reads_standard_input() -> None:
    code, out, _ = run("validate", "-", "--format", "json", stdin=json.dumps(DRAFT).encode())
    assert 0 == code
    assert "<stdin>" == json.loads(out)["results"][0]["file"]


def test_form_option_checks_against_the_given_form(tmp_path: Path) -> None:
    path = write(tmp_path, "draft.json", DRAFT)
    code, out, _ = run("validate", "--form", "triangle.full", "--format", "json", path)
    assert 1 == code
    assert "unknown_form" == json.loads(out)["results"][0]["issues"][0]["code"]


def test_messages_never_echo_answers(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(INCOMPLETE))
    bad["answers"]["plan"]["goals"]["goals"] = [{"goal": SECRET, "area": SECRET}]
    bad["answers"]["plan"]["nonsense"] = {SECRET: SECRET}
    code, out, err = run("validate", write(tmp_path, "bad.json", bad), "--format", "json")
    assert 1 == code
    messages = [issue["message"] for issue in json.loads(out)["results"][0]["issues"]]
    assert messages
    assert not [message for message in messages if SECRET in message]
    assert SECRET not in err


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["validate"], id="no-file"),
        pytest.param(["validate", "/no/such/file.json"], id="missing-file"),
        pytest.param(["validate", "x.json", "--max-bytes", "0"], id="bad-limit"),
        pytest.param(["validate", "x.json", "--format", "xml"], id="bad-format"),
        pytest.param(["validate", "x.json", "--today", "2026-02-30"], id="bad-today"),
    ],
)
def test_usage_errors_exit_2_with_one_line(argv: list[str]) -> None:
    code, out, err = run(*argv)
    assert (2, "") == (code, out)
    assert 1 == len(err.strip().splitlines())
    assert err.startswith("kindbehoeften: error:")


def test_an_unknown_form_for_the_form_option_exits_2(tmp_path: Path) -> None:
    code, _, err = run("validate", "--form", "nope", write(tmp_path, "d.json", DRAFT))
    assert 2 == code
    assert "unknown form 'nope'" in err


@pytest.mark.parametrize(
    ("today", "expected"),
    [("2026-11-02", 0), ("2026-11-01", 1)],
    ids=["adopted-today", "adopted-tomorrow"],
)
def test_today_option_sets_the_day_dates_may_not_pass(
    tmp_path: Path, today: str, expected: int
) -> None:
    code, out, _ = run(
        "validate", write(tmp_path, "draft.json", DRAFT), "--today", today, "--format", "json"
    )
    issues = json.loads(out)["results"][0]["issues"]
    assert expected == code
    assert ([] if expected == 0 else [("/answers/plan/goals/adopted_on", "max")]) == [
        (issue["pointer"], issue["code"]) for issue in issues
    ]


def test_without_today_option_the_system_date_is_today(tmp_path: Path) -> None:
    """The command line reads the clock (the library does not): a date in 2999 is in the future."""
    far = {**DRAFT, "answers": {"plan": {"goals": {"adopted_on": "2999-01-01"}}}}
    code, out, _ = run("validate", write(tmp_path, "far.json", far), "--format", "json")
    assert (1, "max") == (code, json.loads(out)["results"][0]["issues"][0]["code"])


def test_a_folder_is_named_as_a_folder(tmp_path: Path) -> None:
    code, out, err = run("validate", str(tmp_path))
    assert (2, "") == (code, out)
    assert f"{tmp_path} is a folder" in err


def test_a_missing_file_among_good_ones_writes_no_half_json(tmp_path: Path) -> None:
    good = write(tmp_path, "draft.json", DRAFT)
    code, out, err = run("validate", good, str(tmp_path / "gone.json"), "--format", "json")
    assert (2, "") == (code, out)
    assert "no such file" in err


def test_a_pipe_is_read_like_a_file(tmp_path: Path) -> None:
    import os

    read, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as stream:
        stream.write(json.dumps(DRAFT).encode())
    try:
        code, out, _ = run("validate", f"/dev/fd/{read}", "--format", "json")
    finally:
        os.close(read)
    assert (0, True) == (code, json.loads(out)["results"][0]["ok"])


def test_json_output_to_a_terminal_that_is_not_utf8_is_escaped() -> None:
    from io import TextIOWrapper

    from rich.console import Console

    from kindbehoeften.cli import main

    raw = BytesIO()
    stream = TextIOWrapper(raw, encoding="ascii")
    code = main(
        ["deadlines", "--jurisdiction", "SE", "--reported", "2026-11-02", "--format", "json"],
        console=Console(file=stream, color_system=None),
        err_console=Console(file=StringIO(), color_system=None),
    )
    stream.flush()
    assert 0 == code
    assert "Socialtjänstlag" in json.loads(raw.getvalue().decode("ascii"))["rules"][0]["basis"]


class Unreadable(BytesIO):
    """Standard input whose reads fail, as on an I/O error."""

    def read(self, size: int | None = -1) -> bytes:
        raise OSError(errno.EIO, "Input/output error")

    def readline(self, size: int | None = -1) -> bytes:
        raise OSError(errno.EIO, "Input/output error")


@pytest.mark.parametrize("ndjson", [[], ["--ndjson"]], ids=["json", "ndjson"])
def test_standard_input_that_cannot_be_read_is_a_usage_error(ndjson: list[str]) -> None:
    err = StringIO()
    code = main(
        ["validate", *ndjson, "-"],
        console=Console(file=StringIO(), color_system=None),
        err_console=Console(file=err, width=200, color_system=None),
        stdin=Unreadable(),
    )
    expected = "kindbehoeften: error: <stdin> cannot be read (Input/output error)\n"
    assert (2, expected) == (code, err.getvalue())


def test_a_closed_standard_input_is_a_usage_error_before_any_output() -> None:
    closed = BytesIO()
    closed.close()
    out, err = StringIO(), StringIO()
    code = main(
        ["validate", "--format", "json", "-"],
        console=Console(file=out, color_system=None),
        err_console=Console(file=err, width=200, color_system=None),
        stdin=closed,
    )
    expected = "kindbehoeften: error: standard input is closed; give a file, or pipe data into -\n"
    assert (2, "", expected) == (code, out.getvalue(), err.getvalue())


# --- --jobs: NDJSON in worker processes -------------------------------------------------------


def _mixed_ndjson(folder: Path, lines: int) -> str:
    """Valid, invalid, broken and blank lines, with a control character in a key."""
    kinds = [
        json.dumps(DRAFT),
        json.dumps(INCOMPLETE),
        "{",
        "",
        json.dumps({**DRAFT, "\x1b[31mkey": 1}),
        json.dumps({**DRAFT, "status": "completed", "answers": {"plan": {"x": SECRET}}}),
    ]
    path = folder / "mixed.ndjson"
    path.write_text("\n".join(kinds[i % len(kinds)] for i in range(lines)) + "\n", "utf-8")
    return str(path)


@pytest.mark.parametrize("output", ["json", "text"])
def test_ndjson_with_jobs_writes_the_same_output_in_input_order(
    tmp_path: Path, output: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches are small here, so that many of them are in flight and may finish out of order."""
    monkeypatch.setattr("kindbehoeften.cli.validate.BATCH_LINES", 7)
    path = _mixed_ndjson(tmp_path, 200)
    argv = ("validate", "--ndjson", "--format", output, "--today", "2026-12-01", path)
    alone = run(*argv, "--jobs", "1")
    assert alone == run(*argv, "--jobs", "3")
    assert 1 == alone[0]
    assert "\x1b" not in alone[1]
    assert SECRET not in alone[1]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ndjson_finds_a_form_of_the_forms_path_read_as_the_command_starts(
    tmp_path: Path, jobs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forms path is read once, as the command starts: in this process and in workers."""
    import importlib.resources

    from kindbehoeften._forms.catalog import FORMS_PATH_VARIABLE

    built_in = importlib.resources.files("kindbehoeften") / "forms" / "triangle.plan.toml"
    text = built_in.read_text("utf-8").replace('version = "1.0.0"', 'version = "2.0.0"', 1)
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "plan2.toml").write_text(text, "utf-8")
    path = tmp_path / "two.ndjson"
    lines = [json.dumps({**DRAFT, "form_version": version}) for version in ("2.0.0", "1.0.0")]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    argv = ("validate", "--ndjson", "--jobs", jobs, "--format", "json", str(path))
    monkeypatch.setenv(FORMS_PATH_VARIABLE, str(tmp_path / "forms"))
    code, out, _ = run(*argv)
    assert (0, [True, True]) == (code, [result["ok"] for result in json.loads(out)["results"]])
    monkeypatch.delenv(FORMS_PATH_VARIABLE)
    code, out, _ = run(*argv)
    found = [[issue["code"] for issue in result["issues"]] for result in json.loads(out)["results"]]
    assert (1, [["unknown_version"], []]) == (code, found)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ndjson_with_a_progress_bar_writes_the_same_output(
    tmp_path: Path, jobs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bar shows on a terminal's stderr for a large file, and changes nothing else."""
    monkeypatch.setattr("kindbehoeften.cli.validate.BATCH_LINES", 7)
    path = _mixed_ndjson(tmp_path, 50)
    argv = ["validate", "--ndjson", "--jobs", jobs, "--today", "2026-12-01", path]
    plain = run(*argv)
    monkeypatch.setattr("kindbehoeften.cli.validate.PROGRESS_FROM_BYTES", 1)
    out, err = StringIO(), StringIO()
    code = main(
        argv,
        console=Console(file=out, width=100, color_system=None),
        err_console=Console(file=err, width=100, color_system=None, force_terminal=True),
    )
    assert plain == (code, out.getvalue(), "")
    assert "mixed.ndjson" in err.getvalue()


def test_ndjson_text_output_is_a_plain_line_per_issue(tmp_path: Path) -> None:
    path = tmp_path / "one.ndjson"
    path.write_text(json.dumps({**DRAFT, "[b]\x1b": 1}) + "\n", encoding="utf-8")
    code, out, _ = run("validate", "--ndjson", str(path))
    assert 1 == code
    expected = f"{path}:1  /[b]\\x1b  unknown_field  '[b]\\x1b' is not a field of the submission.\n"
    assert expected == out


def test_the_built_in_forms_are_compiled_before_the_workers_fork() -> None:
    """Forked workers share the validators rather than each compile its own."""
    from contextlib import ExitStack

    import kindbehoeften
    from kindbehoeften._validation.validator import compiled
    from kindbehoeften.cli.validate import _Setup, _start

    own = kindbehoeften.load_form(str(FORMS / "triangle.plan.toml"))  # a form of its own
    every = (*kindbehoeften.forms(), own)
    for form in every:  # as in a fresh process: none compiled yet
        form.__dict__.pop("_compiled_validator", None)
    setup = _Setup(own, (), "en", 1_000, dt.date(2026, 12, 1), True, False)
    with ExitStack() as stack:
        _start(stack, 1, setup)
        held = [form.__dict__.get("_compiled_validator") for form in every]
    assert None not in held
    assert [compiled(form) for form in every] == held


@pytest.mark.parametrize("jobs", ["0", "-1", "x", "257"])
def test_jobs_must_be_a_whole_number_from_1(tmp_path: Path, jobs: str) -> None:
    code, out, err = run("validate", "--ndjson", "--jobs", jobs, write(tmp_path, "a.json", DRAFT))
    assert (2, "") == (code, out)
    assert "--jobs" in err


# Lines whose results hold no issue, issues in every part of a submission, and keys with
# control characters, bidi controls and non-ASCII letters (quoted in the messages).
TEMPLATE_LINES = [
    json.dumps(DRAFT).encode(),
    json.dumps(INCOMPLETE).encode(),
    json.dumps({**DRAFT, "a\x1b\u202eb\x7f\x9b": 1, "Ærø \u2603": 2}).encode(),
    json.dumps({**DRAFT, "answers": {"plan": {"goals": {"goals": [{"x\u2066": 1}]}}}}).encode(),
    b'{"form": "triangle.plan", "form_version": "9\xe2\x80\xae", "status": "x"}',
    b"[1, 2]",
    b"{",
    *(EXAMPLES / "submissions.ndjson").read_bytes().splitlines(),
]


@pytest.mark.parametrize("locale", ["en", "sv"])
@pytest.mark.parametrize("ascii_only", [False, True])
@pytest.mark.parametrize(
    "label",
    ["plain.ndjson", "<stdin>", 'q"uote\\d.ndjson', "\u00c6r\u00f8 \u2603.ndjson", "a\x1b\u202eb"],
)
def test_ndjson_json_results_are_written_as_json_text_writes_them(
    label: str, ascii_only: bool, locale: str
) -> None:
    """The template of a result, with issues or without, gives the very text json_text()
    makes of it."""
    from kindbehoeften import validate
    from kindbehoeften.cli.base import json_text
    from kindbehoeften.cli.validate import _check, _result, _Setup

    setup = _Setup(None, (), locale, 1_000_000, dt.date(2026, 12, 1), True, ascii_only)
    lines = list(enumerate(TEMPLATE_LINES, start=7))
    reports = [validate(data, today=setup.today, locale=locale) for _, data in lines]
    expected = [
        json_text(_result(label, number, report), ascii_only=ascii_only, indent=None, end="")
        for (number, _), report in zip(lines, reports, strict=True)
    ]
    invalid = sum(not report.ok for report in reports)
    done = _check(setup, (label, lines))
    assert (",\n  ".join(expected), len(lines), invalid) == (done.text, done.count, done.invalid)
    assert 5 < invalid < len(lines)


def test_jobs_without_ndjson_is_a_usage_error_not_ignored(tmp_path: Path) -> None:
    """Files of one submission are validated in this process: --jobs 3 would do nothing."""
    code, out, err = run("validate", "--jobs", "3", write(tmp_path, "a.json", DRAFT))
    assert (2, "") == (code, out)
    assert (
        "kindbehoeften: error: validate: --jobs works with --ndjson (the lines of NDJSON files "
        "are shared among workers); give --ndjson, or leave out --jobs\n" == err
    )
    assert 0 == run("validate", "--jobs", "1", write(tmp_path, "a.json", DRAFT))[0]
