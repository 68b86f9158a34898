"""What every command shares (`kindbehoeften.cli.base`): text made safe for a terminal, the one
JSON writer, and the output that outlives its reader."""

from __future__ import annotations

import errno
import json
from io import BytesIO, StringIO, TextIOWrapper

import pytest
from rich.console import Console
from rich.markup import escape

from kindbehoeften.cli.base import (
    _JSON_ESCAPES,
    _VISIBLE,
    Output,
    OutputError,
    guarded,
    json_text,
    safe,
)

# --- safe ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        pytest.param("\x00", "\\x00", id="nul"),
        pytest.param("\x07", "\\x07", id="bel"),
        pytest.param("\t", "\\t", id="tab"),
        pytest.param("\n", "\\n", id="line-feed"),
        pytest.param("\r", "\\r", id="carriage-return"),
        pytest.param("\x1b[31m", "\\x1b[31m", id="esc"),
        pytest.param("\x1f", "\\x1f", id="unit-separator"),
        pytest.param("\x7f", "\\x7f", id="del"),
        pytest.param("\x80", "\\x80", id="c1-first"),
        pytest.param("\x9b", "\\x9b", id="c1-csi"),
        pytest.param("\x9f", "\\x9f", id="c1-last"),
        pytest.param("\u202a\u202b\u202c\u202d\u202e", "\\u202a\\u202b\\u202c\\u202d\\u202e"),
        pytest.param("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069", id="isolates"),
        pytest.param("[bold]x[/]", "\\[bold]x\\[/]", id="markup"),
    ],
)
def test_safe_shows_controls_bidi_and_markup_as_escapes(text: str, shown: str) -> None:
    assert shown == safe(text)


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "Klara sig själv",
        "Ærø ønsker",
        "\u00a0\u00e9\u200b\u2028",
        "C:\\forms\\x.toml",
        "🙂",
    ],
)
def test_safe_keeps_printable_text_as_it_is(text: str) -> None:
    assert text == safe(text)


def test_safe_without_markup_leaves_brackets_alone() -> None:
    assert "[b]\\x1b" == safe("[b]\x1b", markup=False)


def test_safe_takes_any_object_by_its_text() -> None:
    assert "\\x1bx" == safe(ValueError("\x1bx"))


# --- json_text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        pytest.param("\x1b", "\\u001b", id="esc"),
        pytest.param("\x7f", "\\u007f", id="del"),
        pytest.param("\x85\x9b", "\\u0085\\u009b", id="c1"),
        pytest.param("\u202e\u2066", "\\u202e\\u2066", id="bidi"),
        pytest.param("é", "é", id="printable"),
    ],
)
def test_json_text_escapes_controls_and_bidi_and_keeps_the_value(value: str, written: str) -> None:
    document = {value: [value]}
    text = json_text(document, indent=None, end="")
    assert f'{{"{written}": ["{written}"]}}' == text
    assert document == json.loads(text)


def test_json_text_is_indented_with_a_final_newline_by_default() -> None:
    assert '{\n  "a": 1\n}\n' == json_text({"a": 1})


def test_json_text_for_an_ascii_terminal_escapes_everything_else() -> None:
    assert '"\\u00e9\\u202e"\n' == json_text("é\u202e", ascii_only=True)


# --- Output -------------------------------------------------------------------------------------


class Failing(StringIO):
    """A stream whose writes fail with ``error`` from the ``after``-th on."""

    def __init__(self, error: OSError, after: int = 0) -> None:
        super().__init__()
        self.error = error
        self.after = after

    def write(self, text: str) -> int:
        if self.after <= 0:
            raise self.error
        self.after -= 1
        return super().write(text)


def test_output_drops_what_follows_once_the_reader_has_gone() -> None:
    stream = Failing(BrokenPipeError(errno.EPIPE, "Broken pipe"), after=1)
    output = Output(stream, "<stdout>", strict=True)
    assert (3, 3, 3) == (output.write("one"), output.write("two"), output.write("six"))
    output.flush()
    assert ("one", True) == (stream.getvalue(), output.gone)


def test_output_names_the_stream_when_it_cannot_be_written() -> None:
    output = Output(
        Failing(OSError(errno.ENOSPC, "No space left on device")), "<stdout>", strict=True
    )
    with pytest.raises(OutputError) as raised:
        output.write("x")
    assert "cannot write <stdout>: No space left on device" == str(raised.value)
    assert 1 == output.write("y")  # and then stays quiet


def test_output_for_errors_is_quiet_when_it_cannot_be_written() -> None:
    output = Output(
        Failing(OSError(errno.ENOSPC, "No space left on device")), "<stderr>", strict=False
    )
    assert 1 == output.write("x")
    assert output.gone


def test_output_has_the_encoding_and_terminal_of_its_stream() -> None:
    stream = TextIOWrapper(BytesIO(), encoding="latin-1")
    output = Output(stream, "<stdout>", strict=True)
    assert ("latin-1", False) == (output.encoding, output.isatty())


def test_guarded_writes_through_an_output_and_restores_the_consoles_file() -> None:
    stream = StringIO()
    console = Console(file=stream, color_system=None)
    with guarded(console, "<stdout>", strict=True) as output:
        assert output is console.file
        console.print("hello")
    assert (stream, "hello\n") == (console.file, stream.getvalue())


@pytest.mark.parametrize("markup", [False, True])
def test_safe_and_json_text_escape_the_same_characters_with_or_without_their_shortcut(
    markup: bool,
) -> None:
    """Printable ASCII skips the translation: every other character is still escaped."""
    for code in (*range(0x250), *range(0x2000, 0x2070)):
        for text in (chr(code), f"a{chr(code)}b"):
            expected = text.translate(_VISIBLE)
            assert (escape(expected) if markup else expected) == safe(text, markup=markup)
            dumped = json.dumps([text], ensure_ascii=False).translate(_JSON_ESCAPES)
            assert dumped + "\n" == json_text([text], indent=None)
