"""The service's tokens file (``_service/tokens.py``): digests, scopes, and every way a file
can be broken, each refused as a whole before the service listens."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kindbehoeften._service.tokens import Token, TokensFileError, digest, load_tokens
from service import TOKENS, tokens_file

GOOD = hashlib.sha256(b"a token").hexdigest()
OTHER = hashlib.sha256(b"another token").hexdigest()


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "tokens.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_a_tokens_file_gives_each_token_by_its_digest(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f'[[tokens]]\nname = "case-system-uppsala"\nsha256 = "{GOOD.upper()}"\n'
        'scopes = ["validate", "read", "write"]\nmunicipality = "Uppsala"\n\n'
        f'[[tokens]]\nname = "validator"\nsha256 = "{OTHER}"\nscopes = ["validate"]\n',
    )
    tokens = load_tokens(path)
    assert 2 == len(tokens)
    uppsala = Token(
        "case-system-uppsala", GOOD, frozenset({"validate", "read", "write"}), "Uppsala"
    )
    assert uppsala == tokens.find("a token")
    assert Token("validator", OTHER, frozenset({"validate"})) == tokens.find("another token")
    assert tokens.find("a token ") is None
    assert tokens.find("") is None
    assert not Token("v", OTHER, frozenset({"validate"})).allows("write")


def test_the_digest_is_the_hex_sha256_of_the_token_s_utf8() -> None:
    assert hashlib.sha256("tökén".encode()).hexdigest() == digest("tökén")


def test_the_tests_tokens_file_is_read_back(tmp_path: Path) -> None:
    tokens = load_tokens(tokens_file(tmp_path / "tokens.toml"))
    for name, (token, scopes) in TOKENS.items():
        found = tokens.find(token)
        assert found is not None
        assert (name, frozenset(scopes)) == (found.name, found.scopes)


ENTRY = f'[[tokens]]\nname = "a"\nsha256 = "{GOOD}"\nscopes = ["validate"]\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "no [[tokens]] entries"),
        ("tokens = []", "no [[tokens]] entries"),
        ("[[tokens]\n", "is not TOML (Expected"),
        (b"\xff\xfe[[tokens]]", "is not UTF-8 text"),
        (ENTRY + "[other]\n", "unknown key 'other' (only [[tokens]] entries)"),
        ("tokens = [1]", "tokens[0] is not a table"),
        (ENTRY.replace(GOOD, GOOD[:-1]), "tokens[0].sha256 must be 64 hex digits"),
        (ENTRY.replace(GOOD, "g" * 64), "tokens[0].sha256 must be 64 hex digits"),
        (ENTRY.replace(f'"{GOOD}"', "1"), "tokens[0].sha256 must be 64 hex digits"),
        (
            ENTRY.replace('"validate"', '"validate", "admin"'),
            "tokens[0].scopes: unknown scope 'admin'; known: validate, read, write",
        ),
        (ENTRY.replace('["validate"]', "[]"), "tokens[0].scopes must be a non-empty list"),
        (ENTRY.replace('["validate"]', '"validate"'), "tokens[0].scopes must be a non-empty"),
        (ENTRY.replace('["validate"]', "[1]"), "unknown scope 'int'"),
        (ENTRY.replace('name = "a"', 'name = ""'), "tokens[0].name must be a non-empty"),
        (ENTRY.replace('name = "a"\n', ""), "tokens[0].name must be a non-empty"),
        (ENTRY.replace('name = "a"', 'name = "a\\u001b[31m"'), "printable"),
        (ENTRY + 'role = "admin"\n', "tokens[0]: unknown key 'role'"),
        (ENTRY + 'municipality = ""\n', "tokens[0].municipality must be a non-empty text"),
        (
            ENTRY + ENTRY.replace(GOOD, OTHER),
            "tokens[1].name 'a' is given twice",
        ),
        (
            ENTRY + ENTRY.replace('name = "a"', 'name = "b"').replace(GOOD, GOOD.upper()),
            "tokens[1].sha256 is the digest of an earlier entry",
        ),
    ],
    ids=[
        "empty",
        "no-entries",
        "not-toml",
        "not-utf8",
        "unknown-table",
        "not-a-table",
        "short-digest",
        "not-hex",
        "digest-not-text",
        "unknown-scope",
        "no-scopes",
        "scopes-not-a-list",
        "scope-not-text",
        "empty-name",
        "no-name",
        "control-in-name",
        "unknown-key",
        "empty-municipality",
        "name-twice",
        "digest-twice",
    ],
)
def test_a_broken_tokens_file_is_refused_naming_the_problem(
    tmp_path: Path, text: str | bytes, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(TokensFileError) as caught:
        load_tokens(path)
    message = str(caught.value)
    assert expected in message
    assert message.startswith(f"tokens file {path}: ")
    assert GOOD not in message
    assert GOOD.upper() not in message
    assert OTHER not in message


def test_every_problem_is_listed_not_only_the_first(tmp_path: Path) -> None:
    path = write(tmp_path, 'unknown = 1\n[[tokens]]\nname = ""\nsha256 = "x"\nscopes = ["root"]\n')
    with pytest.raises(TokensFileError) as caught:
        load_tokens(path)
    assert 4 == len(caught.value.problems)


@pytest.mark.parametrize("kind", ["missing", "folder", "fifo", "huge"])
def test_a_tokens_file_that_cannot_be_read_is_refused(tmp_path: Path, kind: str) -> None:
    import os

    path = tmp_path / "tokens.toml"
    expected = {
        "missing": "no such file",
        "folder": "is a folder",
        "fifo": "is not a regular file",
        "huge": "is larger than 1048576 bytes",
    }[kind]
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "huge":
        path.write_text(ENTRY + "#" * (1024 * 1024), encoding="utf-8")
    with pytest.raises(TokensFileError, match=expected):
        load_tokens(path)
