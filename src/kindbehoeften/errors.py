"""The exceptions of kindbehoeften.

Every exception the library raises on purpose derives from :class:`KindbehoeftenError` and
also from the built-in exception that fits it, so that ``except ValueError`` keeps working::

    KindbehoeftenError(Exception)
    ├── FormDefinitionError(ValueError)    a form file is broken; lists every problem
    └── UnknownFormError(LookupError)      no form with that id (and version) in the catalog

Messages name files, keys and ids, never the content of answers (answers are personal data).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "FormDefinitionError",
    "FormProblem",
    "KindbehoeftenError",
    "UnknownFormError",
]


class KindbehoeftenError(Exception):
    """The base of every exception that kindbehoeften raises on purpose."""


@dataclass(frozen=True, slots=True)
class FormProblem:
    """One problem found in a form file.

    ``path`` is the key path inside the file (``sections[0].areas[2].questions[1].when``),
    empty for the file as a whole; ``line`` is 1-based, or ``None`` where it cannot be found.
    """

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.path:
            where += f": {self.path}"
        return f"{where}: {self.message}"


class FormDefinitionError(KindbehoeftenError, ValueError):
    """A form file (or a form built in Python) is broken.

    ``problems`` holds every problem found, not only the first, each with its file, key path
    and line where possible.

    >>> error = FormDefinitionError([FormProblem("f.toml", "form.id", "is missing", 1)])
    >>> print(error)
    f.toml:1: form.id: is missing
    """

    def __init__(self, problems: Iterable[FormProblem]) -> None:
        self.problems: tuple[FormProblem, ...] = tuple(problems)
        count = len(self.problems)
        if count == 1:
            text = str(self.problems[0])
        else:
            lines = "\n".join(f"  - {problem}" for problem in self.problems)
            text = f"{count} problems in form definition:\n{lines}"
        super().__init__(text)


class UnknownFormError(KindbehoeftenError, LookupError):
    """No form with this id (or this version of it) is in the catalog."""

    def __init__(self, form_id: str, version: str | None, known: Iterable[str]) -> None:
        self.form_id = form_id
        self.version = version
        self.known: tuple[str, ...] = tuple(known)
        what = form_id if version is None else f"{form_id} version {version}"
        hint = ", ".join(self.known) if self.known else "none"
        super().__init__(
            f"unknown form {what!r}; known: {hint}. Give a form id from `kindbehoeften forms "
            "list`, or the path of a form file."
        )
