"""Find the line of a key path in TOML text, for error messages.

``tomllib`` gives values but no positions, so this module reads the text once more, line by
line, and records where each table header and each ``key =`` starts. It is a best-effort map
for messages: when a path cannot be found exactly, the line of its nearest recorded parent is
given instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["KeyPath", "line_index"]

KeyPath = tuple[str | int, ...]

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART = re.compile(_KEY)


def _keys(dotted: str) -> list[str]:
    return [part.strip("\"'") for part in _PART.findall(dotted)]


def line_index(text: str) -> dict[KeyPath, int]:
    """Map each table and key path of a TOML document to its 1-based line number.

    >>> text = '[form]\\nid = "x"\\n\\n[[sections]]\\nid = "a"\\n[[sections]]\\nid = "b"'
    >>> index = line_index(text)
    >>> index[("form", "id")], index[("sections", 1, "id")]
    (2, 7)
    """
    index: dict[KeyPath, int] = {}
    counts: dict[KeyPath, int] = {}  # arrays of tables seen so far, by resolved path
    table: KeyPath = ()
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER.match(line)
        if header:
            table = _resolve(_keys(header.group(2)), counts, is_array=header.group(1) == "[[")
            index.setdefault(table, number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            path = table
            for key in _keys(assign.group(1)):
                path = (*path, key)
                index.setdefault(path, number)
            rest = line[assign.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_string = quote
    return index


def _resolve(keys: Sequence[str], counts: dict[KeyPath, int], *, is_array: bool) -> KeyPath:
    path: KeyPath = ()
    for position, key in enumerate(keys):
        path = (*path, key)
        last = position == len(keys) - 1
        if last and is_array:
            counts[path] = counts.get(path, 0) + 1
            path = (*path, counts[path] - 1)
        elif path in counts:
            path = (*path, counts[path] - 1)
    return path


def line_of(index: dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, or of its nearest parent that has one."""
    for end in range(len(path), -1, -1):
        line = index.get(path[:end])
        if line is not None:
            return line
    return None
