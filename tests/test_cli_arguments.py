"""Absurd arguments are usage errors: exit 2 with one line that says what is wrong, never an
internal error. Numbers, dates, ids and paths of every command, at and beyond their limits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clirun import run
from kindbehoeften.cli.base import read_limited

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
VALID = str(EXAMPLES / "triangle.plan.valid.json")
FULL = str(EXAMPLES / "triangle.full.valid.json")
HISTORY = str(EXAMPLES / "histories" / "demo-case.json")
HUGE = "1" + "0" * 30
ENORMOUS = "9" * 5000  # more digits than Python's int() takes
LONG = "x" * 3000  # longer than a file name may be
DEADLINES = ["deadlines", "--jurisdiction", "SE", "--reported", "2026-11-02"]


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with a folder ``dir``, a file ``file``, a key, a record and a FIFO."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    (tmp_path / "key").write_text("0123456789abcdef0123456789abcdef\n", encoding="utf-8")
    code, out, _ = run("export", "record", HISTORY, "--today", "2026-11-02")
    assert 0 == code
    (tmp_path / "record.json").write_text(out, encoding="utf-8")
    os.mkfifo(tmp_path / "fifo")
    return tmp_path


STATS = ["export", "stats", "record.json", "--key-file", "key"]

ABSURD = [
    # numbers
    (["validate", VALID, "--max-bytes", HUGE], f"at most 1073741824 (1 GiB), not {HUGE}"),
    (["validate", VALID, "--max-bytes", "1073741825"], "at most 1073741824 (1 GiB)"),
    (["validate", VALID, "--max-bytes", ENORMOUS], "at most 1073741824 (1 GiB), not 999"),
    (["validate", VALID, "--max-bytes", "0"], "at least 1, not 0"),
    (["validate", VALID, "--max-bytes", "-1"], "expected a whole number from 1 to 1073741824"),
    (["validate", VALID, "--max-bytes", "1e6"], "expected a whole number from 1 to 1073741824"),
    (["validate", VALID, "--max-bytes", ""], "expected a whole number from 1 to 1073741824"),
    ([*STATS, "--min-cell", HUGE], f"at most 1000000, not {HUGE}"),
    ([*STATS, "--min-cell", "-1"], "expected a whole number from 1 to 1000000, not '-1'"),
    ([*STATS, "--min-cell", "0"], "at least 1, not 0"),
    # dates
    (["validate", VALID, "--today", "99999-01-01"], "'99999-01-01' is not a date written"),
    (["validate", VALID, "--today", "0000-01-01"], "'0000-01-01' is not a date written"),
    (["validate", VALID, "--today", "2026-W45-1"], "'2026-W45-1' is not a date written"),
    (["validate", VALID, "--today", ""], "'' is not a date written YYYY-MM-DD"),
    ([*DEADLINES[:3], "--reported", "99999-01-01"], "'99999-01-01' is not a date written"),
    ([*DEADLINES, "--opened", "0000-01-01"], "'0000-01-01' is not a date written"),
    ([*DEADLINES, "--today", "2026-13-01"], "'2026-13-01' is not a date written"),
    ([*DEADLINES, "--opened", "9999-12-31"], "beyond the year 9999"),
    (["timeline", HISTORY, "--today", "99999-01-01"], "'99999-01-01' is not a date written"),
    (["export", "record", HISTORY, "--today", "0000-01-01"], "is not a date written"),
    (["demo", "--today", "99999-01-01"], "'99999-01-01' is not a date written"),
    # ids
    (["validate", VALID, "--form", ""], "argument --form: an empty id"),
    (["forms", "show", ""], "argument ID: an empty id"),
    (["forms", "show", "triangle.full", "--version", ""], "argument --version: an empty id"),
    (["schema", ""], "argument ID|record|events: an empty id"),
    (["schema", "triangle.full", "--version", " "], "argument --version: an empty id"),
    (["schema", "record", "--version", "1.0.0"], "the record schema has neither"),
    (["schema", "events", "--status", "in_progress"], "the events schema has neither"),
    (["schema", "events", "--status", "completed"], "the events schema has neither"),
    (["export", "fhir-questionnaire", ""], "argument ID: an empty id"),
    (["export", "fhir-response", FULL, "--form", ""], "argument --form: an empty id"),
    (["deadlines", "--jurisdiction", "", "--reported", "2026-11-02"], "an empty id"),
    # files and folders
    (["validate", ""], "an empty file name"),
    (["validate", "dir"], "dir is a folder"),
    (["timeline", ""], "an empty file name"),
    (["timeline", "dir"], "dir is a folder"),
    (["summary", ""], "an empty file name"),
    (["summary", FULL, "--svg", ""], "argument --svg: an empty path"),
    (["summary", FULL, "--svg", "dir"], "--svg dir is a folder"),
    (["forms", "check", ""], "argument FILE: an empty path"),
    (["forms", "show", "dir/"], "dir is a folder"),
    (["forms", "show", "missing.toml"], "no such file: missing.toml"),
    ([*DEADLINES, "--override", ""], "argument --override: an empty path"),
    ([*DEADLINES, "--override", "dir"], "dir: is a folder, not a file; give the files in it"),
    (["export", "record", ""], "an empty file name"),
    (["export", "record", HISTORY, "--output", ""], "argument --output: an empty path"),
    (["export", "fhir-questionnaire", "triangle.full", "--output", "dir"], "cannot write dir"),
    (["export", "stats", "record.json", "--key-file", ""], "argument --key-file: an empty path"),
    (["export", "stats", "record.json", "--key-file", "dir"], "dir is a folder"),
    ([*STATS, "--output", "dir"], "--output dir is a folder; give a file name"),
    ([*STATS, "--aggregate", "--output", "file"], "--output file is a file; with --aggregate"),
    ([*STATS, "--format", "parquet", "--output", "fifo"], "fifo is not a regular file"),
    (["demo", "--output", ""], "argument --output: an empty path"),
    (["demo", "--output", "file"], "--output file is a file; give a folder"),
    (["demo", "--output", "file/demo"], "cannot write file/demo: Not a directory"),
    # a name longer than the system takes (ENAMETOOLONG): never an internal error
    (["forms", "check", LONG], "no such file"),
    (["summary", FULL, "--svg", LONG], "File name too long"),
    ([*STATS, "--output", LONG], "File name too long"),
    ([*STATS, "--aggregate", "--output", LONG], "File name too long"),
    ([*STATS, "--format", "parquet", "--output", LONG], "File name too long"),
    (["demo", "--output", LONG], "File name too long"),
    (["export", "record", HISTORY, "--output", LONG], "File name too long"),
]


@pytest.mark.parametrize(("argv", "reason"), ABSURD, ids=[" ".join(a)[:60] for a, _ in ABSURD])
def test_an_absurd_argument_exits_2_with_one_line_saying_why(
    files: Path, argv: list[str], reason: str
) -> None:
    code, out, err = run(*argv, width=10_000)
    assert (2, "") == (code, out)
    assert 1 == len(err.splitlines())
    assert err.startswith("kindbehoeften: error: ")
    assert "internal error" not in err
    assert reason in err


def test_the_largest_max_bytes_message_is_shown_in_full() -> None:
    code, _, err = run("validate", VALID, "--max-bytes", HUGE)
    expected = (
        "kindbehoeften: error: validate: argument --max-bytes: at most 1073741824 (1 GiB), "
        f"not {HUGE}\n"
    )
    assert (2, expected) == (code, err)


def test_an_enormous_number_is_cut_in_the_message() -> None:
    _, _, err = run("validate", VALID, "--max-bytes", ENORMOUS, width=10_000)
    assert f"not {'9' * 97}...\n" == err[-105:]


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["validate", VALID, "--max-bytes", "1073741824"], id="max-bytes-largest"),
        pytest.param(["validate", VALID, "--max-bytes", " 2000000 "], id="max-bytes-spaces"),
        pytest.param(["validate", VALID, "--today", "9999-12-31"], id="today-last-day"),
        pytest.param(["timeline", HISTORY, "--today", "0001-01-01"], id="timeline-first-day"),
        pytest.param([*DEADLINES[:3], "--reported", "0001-01-01"], id="reported-first-day"),
        pytest.param([*DEADLINES, "--today", "9999-12-31"], id="deadlines-last-day"),
        pytest.param([*STATS, "--aggregate", "--min-cell", "1000000"], id="min-cell-largest"),
    ],
)
def test_arguments_at_their_limits_are_accepted(files: Path, argv: list[str]) -> None:
    code, out, err = run(*argv)
    assert (0, "") == (code, err)
    assert out


# --- reading a limited amount -------------------------------------------------------------------


class Recording:
    """A stream of ``size`` bytes that records what each read asked for."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.asked: list[int] = []

    def read(self, size: int) -> bytes:
        self.asked.append(size)
        piece = min(size, self.left)
        self.left -= piece
        return b"x" * piece


def test_read_limited_never_asks_for_more_than_a_piece_at_a_time() -> None:
    stream = Recording(200_000)
    data = read_limited(stream, 1024**3, "<stdin>")  # type: ignore[arg-type]
    assert 200_000 == len(data)
    assert [] == [size for size in stream.asked if size > 64 * 1024]


def test_read_limited_stops_one_byte_past_the_limit() -> None:
    stream = Recording(10_000)
    assert 101 == len(read_limited(stream, 100, "<stdin>"))  # type: ignore[arg-type]
