"""The examples of docs/service.md are real: every ``console`` block is replayed against the
session's servers, and each answer must be the one the page shows.

A block holds commands (``$ curl ...``, ``$ kindbehoeften ...``) each followed by what it
prints. ``http://127.0.0.1:8080`` is the open server and ``http://127.0.0.1:8081`` the one
with tokens; ``$TOKEN`` is a token with the scope ``validate``, ``$READ_TOKEN`` one with
``read`` only and ``$CASE_TOKEN`` one with ``read`` and ``write`` bound to Uppsala (the
server with tokens keeps its cases in a store of its own, fresh for each session). curl's
``-i`` shows the status line and the headers the page names (others may follow); a body is
compared as JSON (each line of NDJSON on its own), or, when the page ends it with ``...``, by
the text that it starts with. ``kindbehoeften`` commands run in a folder of their own that has
the repository's ``examples`` in it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from clirun import run
from service import ROOT, TOKENS, Server

PAGE = ROOT / "docs" / "service.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)
OPEN, GUARDED = "http://127.0.0.1:8080", "http://127.0.0.1:8081"
VARIABLES = {
    "$TOKEN": TOKENS["validator"][0],
    "$READ_TOKEN": TOKENS["read-only"][0],
    "$CASE_TOKEN": TOKENS["uppsala"][0],
}

pytestmark = pytest.mark.timeout(300)


@dataclass
class Command:
    words: list[str]
    output: list[str] = field(default_factory=list)


def commands(block: str) -> list[Command]:
    """The commands of a console block, with the lines each prints (``\\`` continues)."""
    found: list[Command] = []
    lines = block.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("$ "):
            text = line[2:]
            while True:
                if text.endswith("\\"):  # a continued line
                    index += 1
                    text = text[:-1] + " " + lines[index].strip()
                    continue
                try:
                    words = shlex.split(text)
                except ValueError:  # a quotation that goes on to the next line
                    index += 1
                    text += "\n" + lines[index]
                    continue
                break
            found.append(Command(words))
        elif found:
            found[-1].output.append(line)
        index += 1
    return found


def blocks() -> list[Any]:
    text = PAGE.read_text(encoding="utf-8")
    return [
        pytest.param(commands(block), id=f"block-{number}")
        for number, block in enumerate(BLOCK.findall(text))
    ]


def curl(words: list[str], servers: dict[str, str], folder: Path) -> tuple[httpx.Response, bool]:
    """Replay a curl command with httpx; the answer, and whether ``-i`` was given."""
    method, headers, data, url, show_headers = None, {}, None, None, False
    rest = iter(words[1:])
    for word in rest:
        if word in {"-s", "--silent"}:
            continue
        if word in {"-i", "--include", "-si", "-is"}:
            show_headers = True
        elif word in {"-X", "--request"}:
            method = next(rest)
        elif word in {"-H", "--header"}:
            name, _, value = next(rest).partition(":")
            for variable, token in VARIABLES.items():
                value = value.replace(variable, token)
            headers[name.strip()] = value.strip()
        elif word in {"--data-binary", "-d", "--data"}:
            value = next(rest)
            data = (folder / value[1:]).read_bytes() if value.startswith("@") else value.encode()
        elif word.startswith("http://"):
            url = word
        else:
            raise AssertionError(f"the replay knows no curl option {word!r}")
    assert url is not None, words
    for example, real in servers.items():
        if url.startswith(example):
            url = real + url[len(example) :]
            break
    else:
        raise AssertionError(f"an example on an unknown server: {url}")
    method = method or ("POST" if data is not None else "GET")
    answer = httpx.request(method, url, headers=headers, content=data, timeout=60)
    return answer, show_headers


def same_body(shown: list[str], real: str) -> None:
    text = "\n".join(shown).strip()
    if text.endswith("..."):
        assert real.startswith(text[:-3].rstrip()), real[:300]
        return
    if not text:
        assert "" == real
        return
    try:
        assert json.loads(text) == json.loads(real)
    except json.JSONDecodeError:  # NDJSON: a document per line
        expected = [json.loads(line) for line in text.splitlines()]
        assert expected == [json.loads(line) for line in real.splitlines()]


def check(command: Command, servers: dict[str, str], folder: Path) -> None:
    if command.words[0] == "kindbehoeften":
        here = Path.cwd()
        os.chdir(folder)
        try:
            code, out, err = run(*command.words[1:])
        finally:
            os.chdir(here)
        assert 0 == code, err
        same_body(command.output, out)
        return
    assert "curl" == command.words[0], f"the replay runs curl and kindbehoeften: {command.words}"
    answer, show_headers = curl(command.words, servers, folder)
    output = list(command.output)
    if show_headers:
        status = output.pop(0)
        assert f"HTTP/1.1 {answer.status_code} {answer.reason_phrase}" == status
        while output and output[0]:
            name, _, value = output.pop(0).partition(":")
            assert value.strip() == answer.headers.get(name.strip()), name
        output = output[1:]
    same_body(output, answer.text)


def test_the_page_has_examples_of_every_endpoint() -> None:
    paths = {
        urlsplit(word).path
        for param in blocks()
        for command in param.values[0]
        for word in command.words
        if word.startswith("http://")
    }
    assert {
        "/health",
        "/openapi.json",
        "/forms",
        "/forms/triangle.plan/1.0.0",
        "/forms/triangle.plan/1.0.0/schema",
        "/validate",
        "/fhir/QuestionnaireResponse/$validate",
        "/cases",
        "/cases/doc-2026-0001",
        "/cases/doc-2026-0001/events",
    } <= paths


@pytest.mark.parametrize("block", blocks())
def test_an_example_of_the_page_answers_as_shown(
    block: list[Command], open_server: Server, guarded_server: Server, tmp_path: Path
) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    servers = {OPEN: open_server.url, GUARDED: guarded_server.url}
    for command in block:
        check(command, servers, tmp_path)


def test_the_tokens_file_of_the_page_is_one_the_service_reads(tmp_path: Path) -> None:
    from kindbehoeften._service.tokens import load_tokens

    text = PAGE.read_text(encoding="utf-8")
    (example,) = re.findall(r"```toml\n(\[\[tokens\]\].*?)```", text, re.DOTALL)
    path = tmp_path / "tokens.toml"
    path.write_text(example, encoding="utf-8")
    tokens = load_tokens(path)
    assert ["case-system-uppsala", "fhir-gateway"] == [token.name for token in tokens.tokens]
    assert "Uppsala" == tokens.tokens[0].municipality
