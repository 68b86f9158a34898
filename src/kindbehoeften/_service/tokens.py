"""The service's bearer tokens: a TOML file of names, SHA-256 digests and scopes.

::

    [[tokens]]
    name = "case-system-uppsala"   # shown in logs instead of the token
    sha256 = "<hex SHA-256 of the token>"
    scopes = ["validate", "read", "write"]
    municipality = "Uppsala"       # optional: then only this municipality's cases

The file holds digests, never tokens: a copy of it lets no one in. A request's token is
hashed and compared with every digest in constant time (``hmac.compare_digest``), so that
neither the time of a refusal nor a log line tells how much of a guess was right. A file that
is missing or broken in any way (not TOML, a digest that is not 64 hex digits, an unknown
scope, a name or digest given twice, a key the file does not take) is refused as a whole,
with every problem, before the service listens.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, get_args

from .._core.limits import quoted
from .._forms.datafiles import NotARegularFileError, read_limited

__all__ = ["SCOPES", "Scope", "Token", "Tokens", "TokensFileError", "digest", "load_tokens"]

Scope = Literal["validate", "read", "write"]
#: What a token may be allowed: ``validate`` (forms, validate, $validate), ``read`` (GET of
#: cases) and ``write`` (POST of cases).
SCOPES: Final[tuple[Scope, ...]] = get_args(Scope)

_MAX_FILE_BYTES: Final = 1024 * 1024
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
_TOKEN_KEYS: Final = frozenset({"name", "sha256", "scopes", "municipality"})


class TokensFileError(ValueError):
    """A tokens file that cannot be used; ``problems`` has one line per problem, each naming
    the file and the entry (``tokens[2].scopes``), never a digest."""

    def __init__(self, path: Path, problems: Sequence[str]) -> None:
        self.path = path
        self.problems: tuple[str, ...] = tuple(problems)
        listed = "; ".join(self.problems)
        super().__init__(
            f"tokens file {path}: {listed}. Each [[tokens]] entry needs name, sha256 (the hex "
            f"SHA-256 of the token) and scopes (of {', '.join(SCOPES)}); see docs/service.md."
        )


@dataclass(frozen=True, slots=True)
class Token:
    """One entry of the tokens file: its name, the digest of the token, what it may do."""

    name: str
    sha256: str  # lowercase hex
    scopes: frozenset[Scope]
    municipality: str | None = None

    def allows(self, scope: Scope) -> bool:
        """Whether this token has ``scope``."""
        return scope in self.scopes


def digest(token: str) -> str:
    """The lowercase hex SHA-256 of a token, as the tokens file holds it.

    >>> digest("correct horse battery staple")[:16]
    'c4bbcb1fbec99d65'
    """
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class Tokens:
    """The tokens of a file; :meth:`find` tells which one a request's token is."""

    def __init__(self, tokens: Iterable[Token]) -> None:
        self.tokens: tuple[Token, ...] = tuple(tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    def find(self, token: str) -> Token | None:
        """The entry whose digest is the token's, or None. Every digest is compared, each in
        constant time, whichever matches: the time taken tells nothing about the token."""
        given = digest(token).encode("ascii")
        found: Token | None = None
        for entry in self.tokens:
            if hmac.compare_digest(given, entry.sha256.encode("ascii")):
                found = entry
        return found


def load_tokens(path: Path) -> Tokens:
    """The tokens of the file at ``path``; :class:`TokensFileError` with every problem when it
    is missing, unreadable or broken."""
    try:
        data = read_limited(path, _MAX_FILE_BYTES)
    except FileNotFoundError:
        raise TokensFileError(path, ["no such file"]) from None
    except IsADirectoryError:
        raise TokensFileError(path, ["is a folder, not a file"]) from None
    except NotARegularFileError:
        raise TokensFileError(path, ["is not a regular file"]) from None
    except OSError as error:
        raise TokensFileError(path, [f"cannot be read ({error.strerror or error})"]) from None
    if len(data) > _MAX_FILE_BYTES:
        raise TokensFileError(path, [f"is larger than {_MAX_FILE_BYTES} bytes"])
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise TokensFileError(path, ["is not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as error:
        # tomllib's message names a line and column, never the text found there.
        raise TokensFileError(path, [f"is not TOML ({error})"]) from None
    problems: list[str] = []
    tokens = _entries(document, problems)
    if problems:
        raise TokensFileError(path, problems)
    return Tokens(tokens)


def _entries(document: Mapping[str, Any], problems: list[str]) -> list[Token]:
    for key in document:
        if key != "tokens":
            problems.append(f"unknown key {quoted(key)!r} (only [[tokens]] entries)")
    entries = document.get("tokens")
    if not isinstance(entries, list) or not entries:
        problems.append("no [[tokens]] entries: every request would be refused")
        return []
    tokens: list[Token] = []
    names: set[str] = set()
    digests: set[str] = set()
    for number, entry in enumerate(entries):
        where = f"tokens[{number}]"
        if not isinstance(entry, dict):
            problems.append(f"{where} is not a table")
            continue
        token = _entry(entry, where, problems)
        if token is None:
            continue
        if token.name in names:
            problems.append(f"{where}.name {quoted(token.name)!r} is given twice")
        if token.sha256 in digests:
            problems.append(f"{where}.sha256 is the digest of an earlier entry")
        names.add(token.name)
        digests.add(token.sha256)
        tokens.append(token)
    return tokens


def _entry(entry: Mapping[str, Any], where: str, problems: list[str]) -> Token | None:
    before = len(problems)
    for key in entry:
        if key not in _TOKEN_KEYS:
            problems.append(f"{where}: unknown key {quoted(key)!r}")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip() or not name.isprintable():
        problems.append(f"{where}.name must be a non-empty, printable text")
    sha256 = entry.get("sha256")
    if not isinstance(sha256, str) or not _HEX_DIGEST.fullmatch(sha256):
        problems.append(f"{where}.sha256 must be 64 hex digits (the SHA-256 of the token)")
    scopes = entry.get("scopes")
    if not isinstance(scopes, list) or not scopes:
        problems.append(f"{where}.scopes must be a non-empty list of {', '.join(SCOPES)}")
        scopes = []
    for scope in scopes:
        if scope not in SCOPES:
            shown = quoted(scope) if isinstance(scope, str) else type(scope).__name__
            problems.append(f"{where}.scopes: unknown scope {shown!r}; known: {', '.join(SCOPES)}")
    municipality = entry.get("municipality")
    if municipality is not None and (not isinstance(municipality, str) or not municipality.strip()):
        problems.append(f"{where}.municipality must be a non-empty text")
    if len(problems) > before:
        return None
    assert isinstance(name, str)  # checked above
    assert isinstance(sha256, str)
    return Token(name, sha256.lower(), frozenset(scopes), municipality)
