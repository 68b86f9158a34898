"""Where form files come from: the built-in ones inside the package, and the forms path.

Light on purpose: the listing of the built-in forms (:mod:`._forms.listing`) reads these
without loading the typed model or the checks that the catalog (:mod:`._forms.catalog`) needs.

>>> [source.name for source in builtin_sources()]  # doctest: +NORMALIZE_WHITESPACE
['forms/triangle.followup.toml', 'forms/triangle.full.toml', 'forms/triangle.plan.toml',
 'forms/triangle.preliminary.toml']
>>> sorted(["1.10.0", "1.9.0"], key=version_key)
['1.9.0', '1.10.0']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import InvalidArgumentError
from .checked import is_checked

__all__ = [
    "FORMS_PATH_VARIABLE",
    "PathLike",
    "Source",
    "builtin_sources",
    "directories",
    "version_key",
]

FORMS_PATH_VARIABLE = "KINDBEHOEFTEN_FORMS_PATH"

PathLike = str | os.PathLike[str]


def version_key(version: str) -> tuple[int, ...]:
    """A form version (``1.10.0``) as numbers, for ordering versions."""
    return tuple(int(part) for part in version.split("."))


@dataclass(frozen=True)
class Source:
    """The bytes of one form file, with its name and whether they are vouched for."""

    name: str  # shown in messages
    path: Path
    data: bytes
    checked: bool = False  # the bytes of a built-in form known to pass every gate


def builtin_sources() -> list[Source]:
    """The built-in form files, by name; each marked checked when its bytes are vouched for
    (:mod:`._forms.checked`)."""
    folder = resources.files("kindbehoeften") / "forms"
    sources = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.is_file() and entry.name.endswith(".toml"):
            name, data = f"forms/{entry.name}", entry.read_bytes()
            sources.append(Source(name, Path(str(entry)), data, is_checked(name, data)))
    return sources


def directories(paths: Sequence[PathLike] | None) -> list[Path]:
    """The directories of the forms path: ``paths``, or else those of
    ``KINDBEHOEFTEN_FORMS_PATH`` (separated by ``os.pathsep``; empty items are none)."""
    if paths is None:
        variable = os.environ.get(FORMS_PATH_VARIABLE, "")
        return [Path(item) for item in variable.split(os.pathsep) if item]
    if isinstance(paths, str | bytes | os.PathLike):
        raise InvalidArgumentError(
            "paths", "paths must be a list of folders, not one path; give [path]"
        )
    return [Path(item) for item in paths]
